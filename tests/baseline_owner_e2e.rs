//! One org's securing baseline has one owner: a second configuration with other settings fails
//! its plan naming the owner instead of undoing them; with the same settings it may share the
//! org; the owner changing its own settings is an ordinary planned change.

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::scenario::{assert_plain_english, collapse, errors, run, warnings};
use crate::support::terraform::{Workspace, terraform_available};

fn configuration(org: &CustomerOrg, owner: &str, min_length: u32, account: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens          = {{ "{url}" = "{token}" }}
  baseline_owner      = "{owner}"
  password_min_length = {min_length}
}}
resource "okta_msp_service_account" "{account}" {{
  org_url = "{url}"
  kind    = "{account}"
  login   = "{account}@owners.example"
  email   = "{account}@owners.example"
}}
"#,
        url = org.url,
        token = org.token,
    )
}

fn group_description(api: &Api) -> String {
    let groups = api.get("/api/v1/groups?q=MSP%20Service%20Accounts");
    groups[0]["profile"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_second_configuration_with_other_settings_fails_its_plan_naming_the_owner() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let org = emulator.create_org("owners");
    let api = Api::new(&org.url, &org.token);

    let team_a = Workspace::new();
    team_a.write("main.tf", &configuration(&org, "team-a", 24, "ad_agent"));
    team_a.init();
    team_a.apply().assert_success("team-a's apply");
    assert!(
        group_description(&api).contains("team-a"),
        "{}",
        group_description(&api)
    );

    // Team B declares the default minimum length in the same org: refused, naming team A.
    let team_b = Workspace::new();
    team_b.write("main.tf", &configuration(&org, "team-b", 20, "radius"));
    team_b.init();
    let writes_before = api.get("/api/v1/users").as_array().unwrap().len();
    let plan = run(&team_b, &["plan", "-input=false"]);
    plan.assert_failure("team-b's plan with other settings");
    let refusal = errors(&plan)
        .into_iter()
        .find(|d| d.summary.contains("securing baseline"))
        .unwrap_or_else(|| panic!("no baseline refusal:\n{}", plan.combined()));
    assert_plain_english(&refusal);
    let text = collapse(&refusal.text());
    assert!(
        text.contains("\"team-a\"") && text.contains(&org.url),
        "{text}"
    );
    assert!(text.contains("\"team-b\""), "{text}");
    // Only the setting that differs, with both values.
    assert!(
        text.contains("password_min_length: 24 (the owner's), 20 (this configuration's)"),
        "{text}"
    );
    for same in [
        "lockout_attempts",
        "session_lifetime_minutes",
        "allowed_network_cidrs",
    ] {
        assert!(!text.contains(same), "{same} does not differ: {text}");
    }
    let apply = team_b.run(&["apply", "-auto-approve", "-input=false"]);
    apply.assert_failure("team-b's apply with other settings");
    assert_eq!(
        api.get("/api/v1/users").as_array().unwrap().len(),
        writes_before,
        "nothing was created"
    );

    // With the owner's settings, team B shares the org, and the owner stays team A.
    team_b.write("main.tf", &configuration(&org, "team-b", 24, "radius"));
    team_b
        .apply()
        .assert_success("team-b's apply with the owner's settings");
    assert!(group_description(&api).contains("team-a"));

    // The owner changes its own settings: an ordinary plan and apply; then team B is refused.
    team_a.write("main.tf", &configuration(&org, "team-a", 26, "ad_agent"));
    let plan = run(&team_a, &["plan", "-input=false"]);
    plan.assert_success("team-a's plan of its own change");
    let notices = warnings(&plan);
    assert!(
        notices.iter().any(|d| d
            .summary
            .contains("changes with this configuration's settings")),
        "the owner's own change is not reported as someone else's:\n{}",
        plan.combined()
    );
    assert!(
        !plan
            .combined()
            .contains("Someone changed it outside Terraform"),
        "{}",
        plan.combined()
    );
    assert!(
        collapse(&plan.combined()).contains("minimum length is 24 (baseline 26)"),
        "old and new values:\n{}",
        plan.combined()
    );
    for notice in &notices {
        assert_plain_english(notice);
    }
    team_a
        .apply()
        .assert_success("team-a changing its own settings");
    let plan = team_b.run(&["plan", "-input=false"]);
    plan.assert_failure("team-b after the owner's change");
    assert!(collapse(&plan.combined()).contains("belongs to the configuration \"team-a\""));
}

/// The org's password and sign-on policies and their rules, as Okta holds them (the fields a
/// configuration's settings decide), to compare before and after another configuration runs.
fn baseline_in_okta(api: &Api) -> Vec<serde_json::Value> {
    let mut objects = Vec::new();
    for policy_type in ["PASSWORD", "OKTA_SIGN_ON"] {
        let policies = api.get(&format!("/api/v1/policies?type={policy_type}"));
        for policy in policies.as_array().unwrap() {
            let id = policy["id"].as_str().unwrap();
            let rules = api.get(&format!("/api/v1/policies/{id}/rules"));
            objects.push(serde_json::json!({
                "name": policy["name"], "status": policy["status"],
                "priority": policy["priority"], "settings": policy["settings"],
                "conditions": policy["conditions"],
                "rules": rules.as_array().unwrap().iter().map(|rule| serde_json::json!({
                    "name": rule["name"], "status": rule["status"],
                    "conditions": rule["conditions"], "actions": rule["actions"],
                })).collect::<Vec<_>>(),
            }));
        }
    }
    objects
}

/// Two configurations without `baseline_owner` cannot be told apart, so the second one's new
/// account, whose plan shows only the account, must not bring its other settings into the org:
/// it is refused, and Okta's policies stay exactly as the first configuration left them. The
/// first configuration changing its own settings is planned on its accounts and goes through.
#[test]
fn an_unnamed_configuration_never_changes_another_unnamed_ones_baseline_unplanned() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let org = emulator.create_org("unnamed");
    let api = Api::new(&org.url, &org.token);
    let first = Workspace::new();
    first.write("main.tf", &configuration(&org, "", 25, "ad_agent"));
    first.init();
    first
        .apply()
        .assert_success("the first unnamed configuration");
    let before = baseline_in_okta(&api);
    let users_before = api.get("/api/v1/users").as_array().unwrap().len();

    let second = Workspace::new();
    second.write("main.tf", &configuration(&org, "", 20, "radius"));
    second.init();
    let plan = run(&second, &["plan", "-input=false"]);
    plan.assert_failure("a second unnamed configuration with other settings");
    let refusal = errors(&plan)
        .into_iter()
        .find(|d| d.summary.contains("was applied with other settings"))
        .unwrap_or_else(|| panic!("no refusal:\n{}", plan.combined()));
    assert_plain_english(&refusal);
    assert!(collapse(&refusal.text()).contains("baseline_owner"));
    let apply = second.run(&["apply", "-auto-approve", "-input=false"]);
    apply.assert_failure("its apply");
    assert_eq!(
        baseline_in_okta(&api),
        before,
        "the first one's baseline, field by field"
    );
    assert_eq!(
        api.get("/api/v1/users").as_array().unwrap().len(),
        users_before
    );

    // With the same settings the second configuration shares the org, changing nothing.
    second.write("main.tf", &configuration(&org, "", 25, "radius"));
    second
        .apply()
        .assert_success("the second one with the org's settings");
    assert_eq!(baseline_in_okta(&api), before);

    // The first one's own change of settings shows on its account's plan, and applies.
    first.write("main.tf", &configuration(&org, "", 26, "ad_agent"));
    let plan = run(&first, &["plan", "-input=false"]);
    plan.assert_success("the first one's plan of its own change");
    assert!(
        collapse(&plan.combined()).contains("minimum length is 25 (baseline 26)"),
        "{}",
        plan.combined()
    );
    first.apply().assert_success("the first one's own change");
    assert_ne!(baseline_in_okta(&api), before);
}
