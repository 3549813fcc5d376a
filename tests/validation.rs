//! Configurations that break the kind table or the shape rules fail `terraform validate`, each
//! error naming the attribute (Terraform quotes the offending line when the path is set).

use crate::support::terraform::{Workspace, terraform_available};

const HEADER: &str = r#"
terraform {
  required_providers {
    okta = { source = "zerotek/okta-msp" }
  }
}
provider "okta" {}
"#;

fn account(body: &str) -> String {
    format!(
        "{HEADER}\nresource \"okta_msp_service_account\" \"x\" {{\n  org_url = \"https://acme.okta.com\"\n{body}\n}}\n"
    )
}

/// (case, configuration body, text the error must contain, the configuration line Terraform
/// must quote, which shows the diagnostic carries the attribute path)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "unknown kind",
        "  kind = \"wizard\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"",
        "wizard",
        "kind = \"wizard\"",
    ),
    (
        "radius without APP_ADMIN",
        "  kind = \"radius\"\n  login = \"r@msp.example\"\n  email = \"r@msp.example\"\n  admin_roles = [\"READ_ONLY_ADMIN\"]",
        "APP_ADMIN",
        "admin_roles = [\"READ_ONLY_ADMIN\"]",
    ),
    (
        "ad_agent with an extra role",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"\n  admin_roles = [\"SUPER_ADMIN\", \"ORG_ADMIN\"]",
        "ORG_ADMIN",
        "admin_roles = [\"SUPER_ADMIN\", \"ORG_ADMIN\"]",
    ),
    (
        "custom without roles",
        "  kind = \"custom\"\n  login = \"c@msp.example\"\n  email = \"c@msp.example\"\n  admin_roles = []",
        "admin_roles",
        "admin_roles = []",
    ),
    (
        "unknown role name",
        "  kind = \"custom\"\n  login = \"c@msp.example\"\n  email = \"c@msp.example\"\n  admin_roles = [\"super_admin\"]",
        "SUPER_ADMIN",
        "admin_roles = [\"super_admin\"]",
    ),
    (
        "login not e-mail shaped",
        "  kind = \"ad_agent\"\n  login = \"oktaadagent\"\n  email = \"a@msp.example\"",
        "login",
        "login = \"oktaadagent\"",
    ),
    (
        "password_wo too weak",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"\n  password_wo = \"short\"",
        "password_wo",
        "password_wo = \"short\"",
    ),
    (
        "blank retire_reason",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"\n  retire_reason = \"   \"",
        "retire_reason is blank",
        "retire_reason = \"   \"",
    ),
    (
        "blank correction_reason",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"\n  correction_reason = \"\"",
        "correction_reason is blank",
        "correction_reason = \"\"",
    ),
    (
        "unknown deletion_policy",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"\n  deletion_policy = \"DELETE\"",
        "must be \"PREVENT\" or \"ABANDON\"",
        "deletion_policy = \"DELETE\"",
    ),
    (
        "email not e-mail shaped",
        "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"not-an-address\"",
        "email",
        "email = \"not-an-address\"",
    ),
];

#[test]
fn every_rule_violation_fails_validate_at_its_attribute() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &account("  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\""),
    );
    workspace.init();
    workspace
        .run(&["validate", "-no-color"])
        .assert_success("a valid configuration");
    for (case, body, message, quoted_line) in CASES {
        workspace.write("main.tf", &account(body));
        let outcome = workspace.run(&["validate", "-no-color"]);
        outcome.assert_failure(case);
        assert!(
            outcome.stderr.contains(message),
            "{case}: error should mention {message:?}:\n{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains(quoted_line),
            "{case}: error should point at {quoted_line:?}:\n{}",
            outcome.stderr
        );
    }
}

/// A misspelt role is one error, its spelling, not also "admin_roles is empty".
#[test]
fn a_role_typo_is_not_also_reported_as_empty_roles() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &account("  kind = \"custom\"\n  login = \"c@msp.example\"\n  email = \"c@msp.example\"\n  admin_roles = [\"READONLY_ADMIN\"]"),
    );
    workspace.init();
    let outcome = workspace.run(&["validate", "-no-color"]);
    outcome.assert_failure("a misspelt role");
    assert!(
        outcome.stderr.contains("READ_ONLY_ADMIN"),
        "the fix is the right spelling:\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("admin_roles is empty"),
        "{}",
        outcome.stderr
    );
}

/// A pasted blob as a login is refused without being repeated whole: Terraform quotes the line
/// once, and the provider's own message shows the value's start and length only.
#[test]
fn a_ten_thousand_character_login_is_echoed_by_its_start_and_length() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    let login = format!("{}@msp.example", "x".repeat(10_000));
    workspace.write(
        "main.tf",
        &account(&format!(
            "  kind = \"ad_agent\"\n  login = \"{login}\"\n  email = \"a@msp.example\""
        )),
    );
    workspace.init();
    let outcome = workspace.run(&["validate", "-no-color"]);
    outcome.assert_failure("a 10,000-character login");
    let output = outcome.combined();
    assert!(
        output.contains("(10012 characters)"),
        "the message should give the length:\n{}",
        &output[..output.len().min(2000)]
    );
    // Terraform's own quote of the configuration line is the only full copy.
    assert_eq!(
        output.matches(&login).count(),
        1,
        "the login should appear once (Terraform's quote of the line)"
    );
    assert!(output.len() < 12_000, "{} bytes of output", output.len());
}

#[test]
fn invalid_provider_arguments_fail_validate_at_their_attribute() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    okta = { source = "zerotek/okta-msp" }
  }
}
provider "okta" {
  partner_url = "http://partner.okta.com"
}
resource "okta_msp_service_account" "x" {
  org_url = "https://acme.okta.com"
  kind    = "ad_agent"
  login   = "a@msp.example"
  email   = "a@msp.example"
}
"#,
    );
    workspace.init();
    let outcome = workspace.run(&["validate", "-no-color"]);
    outcome.assert_failure("plain http to a non-loopback host");
    assert!(
        outcome.stderr.contains("Invalid partner_url") && outcome.stderr.contains("plain http"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("partner_url = \"http://partner.okta.com\""),
        "{}",
        outcome.stderr
    );
}

#[test]
fn baseline_settings_out_of_bounds_fail_validate_at_their_attribute() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    let config = HEADER.replace(
        "provider \"okta\" {}",
        "provider \"okta\" {\n  lockout_attempts      = 50\n  allowed_network_cidrs = [\"203.0.113.0/33\"]\n}",
    ) + "resource \"okta_msp_service_account\" \"x\" {\n  org_url = \"https://acme.okta.com\"\n  kind    = \"ad_agent\"\n  login   = \"a@msp.example\"\n  email   = \"a@msp.example\"\n}\n";
    workspace.write("main.tf", &config);
    workspace.init();
    let outcome = workspace.run(&["validate", "-no-color"]);
    outcome.assert_failure("out-of-bounds baseline settings");
    assert!(
        outcome.stderr.contains("lockout_attempts      = 50"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("allowed_network_cidrs = [\"203.0.113.0/33\"]"),
        "{}",
        outcome.stderr
    );
}

/// What is knowable without Okta fails before anything is created: an org URL that is not
/// HTTPS (or not a URL) at validate, a service account with no token for its org and an org
/// without partner credentials at plan, each naming what to set.
#[test]
fn missing_credentials_and_bad_org_urls_fail_before_the_apply() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &account("  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\""),
    );
    workspace.init();
    for url in ["http://acme.okta.com", "acme.okta.com"] {
        workspace.write(
            "main.tf",
            &account(
                "  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\"",
            )
            .replace("https://acme.okta.com", url),
        );
        let outcome = workspace.run(&["validate", "-no-color"]);
        outcome.assert_failure(url);
        assert!(
            outcome.stderr.contains("Invalid org_url")
                && outcome.stderr.contains(&format!("org_url = \"{url}\"")),
            "{url}:\n{}",
            outcome.stderr
        );
    }

    // No org_api_token and no org_tokens entry: the plan names the org and both ways to fix it.
    workspace.write(
        "main.tf",
        &account("  kind = \"ad_agent\"\n  login = \"a@msp.example\"\n  email = \"a@msp.example\""),
    );
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_failure("a plan without a token for the org");
    let stderr = crate::support::scenario::collapse(&plan.stderr);
    assert!(
        stderr.contains("No API token for the org")
            && stderr.contains("\"https://acme.okta.com\" to the provider's org_tokens")
            && stderr.contains("org_api_token"),
        "{stderr}"
    );

    // An org to create, and no partner org configured.
    workspace.write(
        "main.tf",
        &format!(
            "{HEADER}\nresource \"okta_msp_org\" \"acme\" {{\n  name = \"Acme\"\n  subdomain = \"acme\"\n  integration_login = \"msp-integration@acme.example\"\n  integration_email = \"msp-integration@acme.example\"\n}}\n"
        ),
    );
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_failure("a plan to create an org without the partner org");
    let stderr = crate::support::scenario::collapse(&plan.stderr);
    assert!(
        stderr.contains("No partner org configured")
            && stderr.contains("partner_url")
            && stderr.contains("OKTA_MSP_PARTNER_URL"),
        "{stderr}"
    );
}
