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

/// `terraform test` of a module that creates an org through the partner org: with
/// `finalize = false` on the org and its account, teardown succeeds (the account is deleted,
/// the org forgotten with a warning, as Okta cannot delete orgs) instead of being refused.
#[test]
fn a_module_creating_a_sandbox_org_tears_down() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let mut workspace = Workspace::new();
    workspace.write(
        "main.tf",
        r#"terraform {
  required_providers {
    okta = { source = "zerotek/okta-msp" }
  }
}

variable "finalize" {
  type    = bool
  default = true
}

resource "okta_msp_org" "customer" {
  name              = "Sandbox"
  subdomain         = "sandbox"
  integration_login = "msp-integration@sandbox.example"
  integration_email = "msp-integration@sandbox.example"
  finalize          = var.finalize
}

resource "okta_msp_service_account" "radius" {
  org_url       = okta_msp_org.customer.url
  org_api_token = okta_msp_org.customer.api_token
  kind          = "radius"
  login         = "oktaradius@sandbox.example"
  email         = "oktaradius@sandbox.example"
  finalize      = var.finalize
}
"#,
    );
    workspace.write(
        "tests/sandbox.tftest.hcl",
        r#"variables {
  finalize = false
}

run "creates_a_sandbox_org" {
  command = apply

  assert {
    condition     = okta_msp_org.customer.finalized == false
    error_message = "a sandbox org stays unfinalized"
  }

  assert {
    condition     = okta_msp_service_account.radius.status == "ACTIVE"
    error_message = "its account is set up"
  }
}
"#,
    );
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    workspace.init();
    let test = workspace.run(&["test", "-no-color"]);
    test.assert_success("terraform test");
    assert!(
        test.stdout.contains("Success! 1 passed, 0 failed."),
        "{}",
        test.stdout
    );
    // The org still exists (Okta has no API to delete one); its account was deleted.
    let (_, health) = emulator.control("GET", "/health", None);
    assert_eq!(health["orgs"], 2, "{health}");
}

/// `terraform test` of a module whose accounts finalize (the default): the teardown's destroy is
/// refused (G1-G3), and the refusal says that module tests should use `finalize = false`.
#[test]
fn a_module_test_that_finalizes_fails_at_teardown_with_the_hint_to_use_finalize_false() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", "acme:acme-token"]);
    let org_url = format!("{}/acme", emulator.url);
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &format!(
            r#"terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens = {{ "{org_url}" = "acme-token" }}
}}
resource "okta_msp_service_account" "ad_agent" {{
  org_url = "{org_url}"
  kind    = "ad_agent"
  login   = "oktaadagent@msp.example"
  email   = "oktaadagent@msp.example"
}}
"#
        ),
    );
    workspace.write(
        "tests/finalizing.tftest.hcl",
        r#"run "creates_an_account" {
  command = apply
}
"#,
    );
    workspace.init();
    let test = workspace.run(&["test", "-no-color"]);
    test.assert_failure("terraform test whose account finalizes");
    let output = test.combined();
    let output = output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(output.contains("(G1-G3)"), "{output}");
    assert!(
        output.contains("If this is the cleanup of `terraform test`, set finalize = false"),
        "{output}"
    );
}
