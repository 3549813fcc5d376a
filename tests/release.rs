//! `make release` output is what a registry or a filesystem mirror needs: the zip installs into a
//! packed filesystem mirror and `terraform init` accepts it offline.

use std::path::Path;
use std::process::Command;

use crate::support::plugin_client::provider_binary;
use crate::support::terraform::{os_arch, terraform_available};

#[test]
fn release_zip_installs_from_a_filesystem_mirror_offline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = env!("CARGO_PKG_VERSION");
    let scratch = tempfile::tempdir().unwrap();
    let dist = scratch.path().join("dist");
    let output = Command::new(root.join("scripts/release.sh"))
        .env("VERSION", version)
        .env("BINARY", provider_binary())
        .env("DIST", &dist)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "release.sh failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let zip_name = format!("terraform-provider-okta-msp_{version}_{}.zip", os_arch());
    let manifest_name = format!("terraform-provider-okta-msp_{version}_manifest.json");
    let sums_name = format!("terraform-provider-okta-msp_{version}_SHA256SUMS");
    for name in [&zip_name, &manifest_name, &sums_name] {
        assert!(dist.join(name).exists(), "{name} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join(&manifest_name)).unwrap()).unwrap();
    assert_eq!(manifest["metadata"]["protocol_versions"][0], "6.0");
    let sums = std::fs::read_to_string(dist.join(&sums_name)).unwrap();
    let check = Command::new("sha256sum")
        .arg("--check")
        .arg(&sums_name)
        .current_dir(&dist)
        .output()
        .unwrap();
    assert!(check.status.success(), "SHA256SUMS do not match: {sums}");
    assert!(sums.contains(&zip_name) && sums.contains(&manifest_name));

    let refused = Command::new(root.join("scripts/release.sh"))
        .env("VERSION", "9.9.9")
        .env("BINARY", provider_binary())
        .env("DIST", scratch.path().join("other"))
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "a version other than Cargo.toml's is refused"
    );

    if !terraform_available() {
        return;
    }
    let mirror = scratch.path().join("mirror");
    let packed = mirror.join("registry.terraform.io/zerotek/okta-msp");
    std::fs::create_dir_all(&packed).unwrap();
    std::fs::copy(
        dist.join(&zip_name),
        packed.join(format!(
            "terraform-provider-okta-msp_{version}_{}.zip",
            os_arch()
        )),
    )
    .unwrap();
    let cli_config = scratch.path().join("cli.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("main.tf"),
        format!(
            "terraform {{\n  required_providers {{\n    okta = {{\n      source  = \"zerotek/okta-msp\"\n      version = \"{version}\"\n    }}\n  }}\n}}\n"
        ),
    )
    .unwrap();
    let init = Command::new("terraform")
        .args(["init", "-input=false", "-no-color"])
        .current_dir(&work)
        .env("TF_CLI_CONFIG_FILE", &cli_config)
        .env("HOME", scratch.path())
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&init.stdout);
    assert!(
        init.status.success(),
        "terraform init from the packed mirror failed: {stdout}\n{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(
        stdout.contains(&format!("Installed zerotek/okta-msp v{version}")),
        "{stdout}"
    );
}

/// `make help` lists every target a newcomer can run, each with what it does, and `make install`
/// puts okta-emulator where the docs say (a dry run: nothing is built or written).
#[test]
fn make_help_lists_every_target_and_install_places_the_emulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let makefile = std::fs::read_to_string(root.join("GNUmakefile")).unwrap();
    let phony: Vec<&str> = makefile
        .lines()
        .find_map(|line| line.strip_prefix(".PHONY:"))
        .unwrap()
        .split_whitespace()
        .filter(|target| *target != "default")
        .collect();
    let help = Command::new("make")
        .arg("help")
        .current_dir(root)
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for target in phony {
        let line = help
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("make {target} ")))
            .unwrap_or_else(|| panic!("make help lists {target}:\n{help}"));
        assert!(
            line.split_whitespace().count() > 3,
            "{target} is described: {line}"
        );
    }

    let install = Command::new("make")
        .args(["-n", "install", "BIN_DIR=/opt/somewhere/bin"])
        .current_dir(root)
        .output()
        .unwrap();
    let plan = String::from_utf8_lossy(&install.stdout);
    assert!(
        plan.contains("target/debug/okta-emulator \"/opt/somewhere/bin/okta-emulator\""),
        "{plan}"
    );
}
