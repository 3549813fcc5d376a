//! The plugin protocol through the fixture provider's real process (`fixture/`), started as
//! Terraform starts a provider and driven over a real mutual-TLS handshake
//! (`tfplugin6::testing`). The tests that need the `terraform` CLI as well live with the
//! provider's, which share its harness (tests/plugin_protocol.rs and others at the repository
//! root).

mod function_ephemeral;

/// The fixture provider, a binary of this crate.
fn fixture_binary() -> &'static str {
    env!("CARGO_BIN_EXE_tfplugin6-fixture-provider")
}
