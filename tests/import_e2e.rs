//! Import of existing accounts: a compliant one yields an empty plan; a non-compliant one (a Deep
//! Link account the MSP platform made, outside the group) a plan that shows the repair, with a
//! warning.

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

fn provider_block(org_url: &str, token: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{ \"{org_url}\" = \"{token}\" }}\n}}\n"
    )
}

#[test]
fn importing_a_compliant_account_plans_nothing_but_the_import() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", "acme:import-token"]);
    let org_url = format!("{}/acme", emulator.url);
    let account = format!(
        "resource \"okta_msp_service_account\" \"ad_agent\" {{\n  org_url = \"{org_url}\"\n  kind    = \"ad_agent\"\n  login   = \"oktaadagent@msp.example\"\n  email   = \"oktaadagent@msp.example\"\n}}\n"
    );
    // Set it up with one workspace...
    let first = Workspace::new();
    first.write(
        "main.tf",
        &format!("{}{account}", provider_block(&org_url, "import-token")),
    );
    first.init();
    first.apply().assert_success("setup");
    // ...and adopt it in another, with an import block.
    let second = Workspace::new();
    second.write(
        "main.tf",
        &format!(
            "{}{account}import {{\n  to = okta_msp_service_account.ad_agent\n  id = \"{org_url}/oktaadagent@msp.example\"\n}}\n",
            provider_block(&org_url, "import-token")
        ),
    );
    second.init();
    let plan = second.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan with an import block");
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(!plan.combined().contains("Warning"), "{}", plan.combined());
}

#[test]
fn importing_a_non_compliant_account_plans_the_repair_with_a_warning() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", "acme:import-token"]);
    let org_url = format!("{}/acme", emulator.url);
    let api = Api::new(&org_url, "import-token");
    // The platform's Deep Link account: a super admin, but in no group and without the baseline.
    let (status, user) = api.send(
        "POST",
        "/api/v1/users?activate=true",
        Some(serde_json::json!({
            "profile": {"firstName": "Deep", "lastName": "Link", "login": "deeplink@msp.example", "email": "deeplink@msp.example"},
            "credentials": {"password": {"value": "Platform-Made-Password-1234!"}}
        })),
    );
    assert_eq!(status, 200, "{user}");
    let user_id = user["id"].as_str().unwrap();
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{user_id}/roles?disableNotifications=true"),
        Some(serde_json::json!({"type": "SUPER_ADMIN"})),
    );
    assert_eq!(status, 201, "{body}");

    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &format!(
            "{}resource \"okta_msp_service_account\" \"deep_link\" {{\n  org_url = \"{org_url}\"\n  kind    = \"deep_link\"\n  login   = \"deeplink@msp.example\"\n  email   = \"deeplink@msp.example\"\n  first_name = \"Deep\"\n  last_name  = \"Link\"\n}}\nimport {{\n  to = okta_msp_service_account.deep_link\n  id = \"{org_url}/{user_id}\"\n}}\n",
            provider_block(&org_url, "import-token")
        ),
    );
    workspace.init();
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan with an import block");
    assert!(
        plan.stdout.contains("1 to import, 0 to add, 1 to change"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.combined().contains("does not meet its kind's rules"),
        "a warning names the violations:\n{}",
        plan.combined()
    );
    assert!(
        plan.stdout.contains("drift"),
        "the plan shows the repair:\n{}",
        plan.stdout
    );
    workspace
        .apply()
        .assert_success("apply the import and the repair");
    let group = api.group_id("MSP Service Accounts").unwrap();
    assert!(api.group_member_ids(&group).contains(&user_id.to_owned()));
    assert_eq!(api.role_types(user_id), vec!["SUPER_ADMIN"]);
    workspace.assert_no_changes("after the import");
}
