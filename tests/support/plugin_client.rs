//! The binaries the tests start as Terraform does, and the harness that starts them
//! (`tfplugin6::testing`).

use std::sync::OnceLock;

pub use tfplugin6::testing::*;

pub fn provider_binary() -> &'static str {
    env!("CARGO_BIN_EXE_terraform-provider-okta-msp")
}

/// The plugin crate's fixture provider (crates/tfplugin6/fixture).
pub fn fixture_binary() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| workspace_binary("tfplugin6-fixture-provider"))
}

/// The stand-in for the official okta/okta provider (tests/stand_in_okta).
pub fn okta_okta_stand_in_binary() -> &'static str {
    env!("CARGO_BIN_EXE_okta-okta-stand-in")
}

/// A binary of another crate of the workspace. Cargo names only this package's binaries to its
/// tests, but every crate is a default member, so `cargo build` and `cargo nextest run` put the
/// others in the same directory as the provider's.
pub fn workspace_binary(name: &str) -> String {
    let path = std::path::Path::new(provider_binary()).with_file_name(name);
    assert!(
        path.exists(),
        "{} is missing: build the whole workspace first (`cargo build --bins` at the repository root)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}
