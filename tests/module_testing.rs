//! The module author's flow of examples/module-testing: `terraform test` against the emulator
//! with `finalize = false`, teardown included.

use std::path::Path;

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

#[test]
fn module_test_suite_passes_against_the_emulator_and_tears_down() {
    if !terraform_available() {
        return;
    }
    // The documented CI setup: an org seeded with a token the CI chooses.
    let emulator = Emulator::start_with(&["--org", "acme:module-test-token"]);
    let org = CustomerOrg {
        url: format!("{}/acme", emulator.url),
        token: "module-test-token".to_owned(),
    };
    let mut workspace = Workspace::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/module-testing");
    workspace.write(
        "main.tf",
        &std::fs::read_to_string(example.join("main.tf")).unwrap(),
    );
    workspace.write(
        "tests/sandbox.tftest.hcl",
        &std::fs::read_to_string(example.join("tests/sandbox.tftest.hcl")).unwrap(),
    );
    workspace.set_env("TF_VAR_org_url", &org.url);
    workspace.set_env(
        "OKTA_MSP_ORG_TOKENS",
        &serde_json::json!({ org.url.clone(): org.token.clone() }).to_string(),
    );
    workspace.init();
    let test = workspace.run(&["test", "-no-color"]);
    test.assert_success("terraform test");
    assert!(
        test.stdout.contains("Success! 2 passed, 0 failed."),
        "{}",
        test.stdout
    );
    // Teardown deleted what the run created: no service account is left in the org.
    let api = Api::new(&org.url, &org.token);
    for login in ["oktaadagent@msp.example", "oktaradius@msp.example"] {
        let (status, _) = api.send("GET", &format!("/api/v1/users/{login}"), None);
        assert_eq!(status, 404, "{login} should be gone after teardown");
    }
}

#[test]
fn a_malformed_seed_org_is_refused_with_the_expected_shape() {
    let output = std::process::Command::new(crate::support::emulator::emulator_binary())
        .args(["--listen", "127.0.0.1:0", "--org", "acme"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SUBDOMAIN:TOKEN"));
}
