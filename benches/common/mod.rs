//! Shared by the benches: the provider installed in a private filesystem mirror, and a CLI
//! configuration that uses it, so no bench depends on the user's Terraform setup.

use std::path::{Path, PathBuf};

pub const SOURCE: &str = "registry.terraform.io/zerotek/okta-msp";

/// Copies `provider` into `root/mirror` and writes `root/cli.tfrc`; returns the latter.
pub fn install_mirror(root: &Path, provider: &str) -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let platform = format!("{}_{arch}", std::env::consts::OS);
    let dir = root
        .join("mirror")
        .join(SOURCE)
        .join(version)
        .join(platform);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        provider,
        dir.join(format!("terraform-provider-okta-msp_v{version}")),
    )
    .unwrap();
    let cli_config = root.join("cli.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n    include = [\"{SOURCE}\"]\n  }}\n  direct {{\n    exclude = [\"{SOURCE}\"]\n  }}\n}}\n",
            root.join("mirror").display()
        ),
    )
    .unwrap();
    cli_config
}
