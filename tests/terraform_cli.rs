//! The provider under the real `terraform` CLI: offline init from a mirror, validate, schema,
//! plan, and Terraform's re-logging of the provider's log lines.

use crate::support::emulator::Emulator;
use crate::support::terraform::{Workspace, terraform_available};

/// A configuration against a fresh emulator org; returns it with the org's token.
fn config(emulator: &Emulator) -> (String, String) {
    let org = emulator.create_org("acme");
    (
        CONFIG
            .replace("ORG_URL", &org.url)
            .replace("ORG_TOKEN", &org.token),
        org.token,
    )
}

const CONFIG: &str = r#"
terraform {
  required_providers {
    okta = {
      source = "zerotek/okta-msp"
    }
  }
}

provider "okta" {
  org_tokens = {
    "ORG_URL" = "ORG_TOKEN"
  }
}

resource "okta_msp_service_account" "ad_agent" {
  org_url = "ORG_URL"
  kind    = "ad_agent"
  login   = "okta-ad-agent@acme.example"
  email   = "okta-ad-agent@acme.example"
}
"#;

#[test]
fn init_validate_schema_and_plan_work_offline() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    let emulator = Emulator::start();
    let (config, token) = config(&emulator);
    workspace.write("main.tf", &config);
    let init = workspace.init();
    assert!(
        init.stdout.contains("Installed zerotek/okta-msp v0.1.0"),
        "{}",
        init.stdout
    );

    workspace
        .run(&["validate", "-no-color"])
        .assert_success("terraform validate");

    let schema = workspace.run(&["providers", "schema", "-json"]);
    schema.assert_success("terraform providers schema");
    let schema: serde_json::Value = serde_json::from_str(&schema.stdout).unwrap();
    let provider = &schema["provider_schemas"]["registry.terraform.io/zerotek/okta-msp"];
    let account = &provider["resource_schemas"]["okta_msp_service_account"]["block"]["attributes"];
    assert_eq!(account["password_wo"]["write_only"], true);
    assert_eq!(account["org_api_token"]["sensitive"], true);
    assert_eq!(account["kind"]["required"], true);
    assert_eq!(account["kind"]["description_kind"], "markdown");
    assert!(provider["resource_schemas"]["okta_msp_org"].is_object());
    assert_eq!(
        provider["provider"]["block"]["attributes"]["org_tokens"]["sensitive"],
        true
    );

    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("terraform plan");
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .lines()
            .any(|line| line.trim_start().starts_with("+ finalize ") && line.ends_with("= true")),
        "finalize defaults to true in the plan: {}",
        plan.stdout
    );
    assert!(plan.stdout.contains("(known after apply)"));
    assert!(
        !plan.combined().contains(&token),
        "token leaked into plan output"
    );
}

#[test]
fn provider_log_lines_reach_terraforms_log_at_their_levels() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    let emulator = Emulator::start();
    let (config, token) = config(&emulator);
    workspace.write("main.tf", &config);
    workspace.init();
    let plan = workspace.run_with(
        &["plan", "-no-color", "-input=false"],
        &[("TF_LOG_PROVIDER", "debug")],
    );
    plan.assert_success("terraform plan with provider logging");
    let logged: Vec<&str> = plan
        .stderr
        .lines()
        .filter(|line| line.contains("provider.terraform-provider-okta-msp"))
        .collect();
    assert!(
        logged
            .iter()
            .any(|line| line.contains("[DEBUG]") && line.contains("planning")),
        "debug line from PlanResourceChange missing:\n{}",
        plan.stderr
    );
    assert!(
        logged
            .iter()
            .any(|line| line.contains("[INFO]") && line.contains("provider configured")),
        "info line from ConfigureProvider missing:\n{}",
        plan.stderr
    );
    // Every plugin process (schema, validation, planning) says what it cost as it exits.
    let exits: Vec<&&str> = logged
        .iter()
        .filter(|line| {
            line.contains("[INFO]") && line.contains("terraform-provider-okta-msp exiting")
        })
        .collect();
    assert!(
        exits.len() >= 2,
        "exit lines with resource usage missing:\n{}",
        plan.stderr
    );
    for line in exits {
        for field in ["cpu_user_ms=", "cpu_system_ms=", "peak_rss_kib="] {
            assert!(line.contains(field), "{field} missing from {line}");
        }
    }
    assert!(!plan.combined().contains(&token), "token leaked into logs");
}

/// Protocol 6.9/6.10 fields are invisible to Terraform 1.11: a resource with an identity, in a
/// provider with a list resource, applies, imports and plans clean as any other.
#[test]
fn a_resource_with_an_identity_works_unchanged_on_an_older_terraform() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    fixture = {
      source = "test/fixture"
    }
  }
}

resource "fixture_named" "created" {
  name = "alpha"
}

import {
  to = fixture_named.imported
  id = "beta"
}

resource "fixture_named" "imported" {
  name = "beta"
}
"#,
    );
    workspace.init();
    let apply = workspace.apply();
    apply.assert_success("apply on the installed terraform");
    assert!(
        apply
            .stdout
            .contains("1 imported, 1 added, 0 changed, 0 destroyed"),
        "{}",
        apply.stdout
    );
    workspace.assert_no_changes("after the apply");
}
