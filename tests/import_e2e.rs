//! Import of existing accounts: a compliant one yields an empty plan; a non-compliant one (a Deep
//! Link account the MSP platform made, outside the group) a plan that shows the repair, with a
//! warning.

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Cli, Workspace, terraform_available};

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
    // The warning sits in the plan that shows the repair: it does not promise a next plan.
    assert!(
        !plan.combined().contains("The next plan shows the repair")
            && plan
                .combined()
                .contains("The plan of the import shows the repair"),
        "{}",
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

/// `terraform plan -generate-config-out` on Terraform 1.11 (no GenerateResourceConfig: Terraform
/// writes every configurable attribute from the imported state) for the MSP platform's unmarked
/// Deep Link account without roles: the generated file applies as written, sets `kind`, and
/// holds no `null` and no empty list for the user to delete.
#[test]
fn generated_configuration_for_an_unmarked_platform_account_applies_unedited() {
    if !terraform_available() {
        return;
    }
    generated_configuration_applies_unedited(Cli::Installed);
}

/// The `null` lines of `generated`: on Terraform 1.11, exactly `expected` (which the import guide
/// documents); on 1.15, none.
fn assert_generated_nulls(cli: Cli, generated: &str, expected: &[&str]) {
    let nulls: Vec<String> = generated
        .lines()
        .filter(|line| line.contains("= null"))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    match cli {
        Cli::Installed => assert_eq!(nulls, expected, "{generated}"),
        Cli::Libterraform115 => assert!(nulls.is_empty(), "no null on 1.15:\n{generated}"),
    }
}

/// `generated` without the `provider = okta-msp` line Terraform writes (the documented fix: it
/// names the provider's type, not its local name).
fn without_provider_line(generated: &str) -> String {
    generated
        .lines()
        .filter(|line| line.split_whitespace().collect::<Vec<_>>() != ["provider", "=", "okta-msp"])
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The scenario of [`generated_configuration_for_an_unmarked_platform_account_applies_unedited`]
/// on `cli` (Terraform 1.15 asks the provider's GenerateResourceConfig instead).
pub fn generated_configuration_applies_unedited(cli: Cli) {
    let emulator = Emulator::start_with(&["--org", "acme:import-token"]);
    let org_url = format!("{}/acme", emulator.url);
    let api = Api::new(&org_url, "import-token");
    let (status, user) = api.send(
        "POST",
        "/api/v1/users?activate=true",
        Some(serde_json::json!({
            "profile": {"firstName": "Okta", "lastName": "Deep Link", "login": "deep-link@msp.example", "email": "deep-link@msp.example"},
            "credentials": {"password": {"value": "Platform-Made-Password-1234!"}}
        })),
    );
    assert_eq!(status, 200, "{user}");
    let user_id = user["id"].as_str().unwrap().to_owned();

    let workspace = Workspace::on(cli);
    workspace.write(
        "main.tf",
        &format!(
            "{}import {{\n  to = okta_msp_service_account.deep_link\n  id = \"{org_url}/{user_id}\"\n}}\n",
            provider_block(&org_url, "import-token")
        ),
    );
    workspace.init();
    let plan = workspace.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ]);
    plan.assert_success("plan -generate-config-out");
    let generated = std::fs::read_to_string(workspace.dir().join("generated.tf")).unwrap();
    let value_of = |name: &str| -> Option<String> {
        generated.lines().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    assert_eq!(
        value_of("kind").as_deref(),
        Some("\"deep_link\""),
        "{generated}"
    );
    assert!(!generated.contains("[]"), "no empty list:\n{generated}");
    // The optional arguments no import can hold: the reasons and the policy (unset until the user
    // sets them), the token and the org's app (how the org is reached) and the write-only
    // password. Terraform 1.11 writes each from the state, as `null`; 1.15 writes the provider's
    // GenerateResourceConfig, where they are null and declared computed, which it leaves out.
    assert_generated_nulls(
        cli,
        &generated,
        &[
            "correction_reason = null",
            "deletion_policy = null",
            "org_api_token = null # sensitive",
            "org_client_id = null",
            "password_wo = null",
            "retire_reason = null",
        ],
    );
    let fixed = without_provider_line(&generated);
    assert_ne!(fixed, generated, "{generated}");
    workspace.write("generated.tf", &fixed);
    workspace
        .apply()
        .assert_success("apply of the generated configuration, unedited");
    let group = api.group_id("MSP Service Accounts").unwrap();
    assert!(api.group_member_ids(&group).contains(&user_id));
    assert_eq!(api.role_types(&user_id), vec!["SUPER_ADMIN"]);
    workspace.assert_no_changes("after the generated configuration's apply");
}

/// Importing an existing org with an `integration_login` other than Okta's never plans its
/// replacement, nor a G19 warning about a set-up that never failed: the plan is refused naming
/// both logins, and with Okta's login the import plans no replacement either.
#[test]
fn an_org_imported_with_another_integration_login_plans_no_replacement() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", "hooli:hooli-token"]);
    let org_url = format!("{}/hooli", emulator.url);
    let api = Api::new(&org_url, "hooli-token");
    let me = api.get("/api/v1/users/me");
    let in_okta = me["profile"]["login"].as_str().unwrap().to_owned();
    let org = api.get("/api/v1/org");
    let config = |login: &str| {
        format!(
            "{}resource \"okta_msp_org\" \"hooli\" {{\n  name              = {name}\n  subdomain         = \"hooli\"\n  integration_login = \"{login}\"\n  integration_email = {email}\n}}\nimport {{\n  to = okta_msp_org.hooli\n  id = \"{org_url}\"\n}}\n",
            provider_block(&org_url, "hooli-token"),
            name = org["companyName"],
            email = me["profile"]["email"],
        )
    };
    let workspace = Workspace::new();
    workspace.write("main.tf", &config("msp-integration@hooli.example"));
    workspace.init();
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_failure("plan importing the org with another integration_login");
    let text = plan.combined();
    for absent in ["must be replaced", "-/+", "1 to destroy", "(G19)"] {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }
    assert!(
        text.contains("Cannot change integration_login of org")
            && text.contains(&format!("{in_okta:?}"))
            && text.contains("\"msp-integration@hooli.example\""),
        "the refusal names both logins:\n{text}"
    );

    workspace.write("main.tf", &config(&in_okta));
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan importing the org with Okta's integration_login");
    let text = plan.combined();
    assert!(text.contains("1 to import"), "{text}");
    for absent in ["must be replaced", "-/+", "1 to destroy", "(G19)"] {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }
}

/// `terraform plan -generate-config-out` for an existing org imported by its URL, on Terraform
/// 1.11: the generated block applies as written (apart from the provider line), with the `null`
/// lines Terraform 1.11 writes for the optional arguments the org leaves unset.
#[test]
fn generated_configuration_for_an_imported_org_applies_unedited() {
    if !terraform_available() {
        return;
    }
    generated_org_configuration_applies_unedited(Cli::Installed);
}

/// The scenario of [`generated_configuration_for_an_imported_org_applies_unedited`] on `cli`.
pub fn generated_org_configuration_applies_unedited(cli: Cli) {
    let emulator = Emulator::start_with(&["--org", "hooli:hooli-token"]);
    let org_url = format!("{}/hooli", emulator.url);
    let api = Api::new(&org_url, "hooli-token");
    let workspace = Workspace::on(cli);
    workspace.write(
        "main.tf",
        &format!(
            "{}import {{\n  to = okta_msp_org.hooli\n  id = \"{org_url}\"\n}}\n",
            provider_block(&org_url, "hooli-token")
        ),
    );
    workspace.init();
    let plan = workspace.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=org.tf",
    ]);
    plan.assert_success("plan -generate-config-out for the org");
    let generated = std::fs::read_to_string(workspace.dir().join("org.tf")).unwrap();
    assert!(
        generated.contains("subdomain") && generated.contains("\"hooli\""),
        "{generated}"
    );
    // The org has no website, and no deletion policy before the user sets one.
    assert_generated_nulls(
        cli,
        &generated,
        &["deletion_policy = null", "website = null"],
    );
    let fixed = without_provider_line(&generated);
    assert_ne!(fixed, generated, "{generated}");
    workspace.write("org.tf", &fixed);
    workspace
        .apply()
        .assert_success("apply of the org's generated configuration, unedited");
    let me = api.get("/api/v1/users/me");
    let stored = std::fs::read_to_string(workspace.dir().join("terraform.tfstate")).unwrap();
    assert!(
        stored.contains(me["id"].as_str().unwrap()),
        "the org's integration account is recorded:\n{stored}"
    );
    workspace.assert_no_changes("after the org's generated configuration's apply");
}
