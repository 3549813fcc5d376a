//! `okta_msp_service_accounts` and `okta_msp_audit_events` end to end: accounts are applied with
//! the real `terraform` CLI against the real emulator, then a second configuration reads both data
//! sources and the tests check their outputs, and the API calls a read costs.

use serde_json::Value;

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::scenario::config;
use crate::support::terraform::{Workspace, terraform_available};

/// The provider configuration for `org`, with a local `org_url`.
fn header(org: &CustomerOrg) -> String {
    config(org, "")
}

const ACCOUNTS: &str = r#"
resource "okta_msp_service_account" "ad_agent" {
  org_url = local.org_url
  kind    = "ad_agent"
  login   = "oktaadagent@msp.example"
  email   = "oktaadagent@msp.example"
}

resource "okta_msp_service_account" "radius" {
  org_url = local.org_url
  kind    = "radius"
  login   = "oktaradius@msp.example"
  email   = "oktaradius@msp.example"
}

output "radius_id" {
  value = okta_msp_service_account.radius.id
}
"#;

fn readers(radius_id: &str) -> String {
    format!(
        r#"
data "okta_msp_service_accounts" "all" {{
  org_url = local.org_url
}}

data "okta_msp_audit_events" "radius" {{
  org_url    = local.org_url
  account_id = "{radius_id}"
}}

data "okta_msp_audit_events" "radius_grants" {{
  org_url     = local.org_url
  account_id  = "{radius_id}"
  event_types = ["user.account.privilege.grant"]
}}

output "accounts" {{
  value = data.okta_msp_service_accounts.all.accounts
}}
output "license_count" {{
  value = data.okta_msp_service_accounts.all.license_count
}}
output "events" {{
  value = data.okta_msp_audit_events.radius.events
}}
output "window" {{
  value = [data.okta_msp_audit_events.radius.since, data.okta_msp_audit_events.radius.until]
}}
output "grants" {{
  value = data.okta_msp_audit_events.radius_grants.events
}}
"#
    )
}

fn outputs(workspace: &Workspace) -> Value {
    let output = workspace.run(&["output", "-json"]);
    output.assert_success("terraform output -json");
    let parsed: Value = serde_json::from_str(&output.stdout).unwrap();
    let mut values = serde_json::Map::new();
    for (name, entry) in parsed.as_object().unwrap() {
        values.insert(name.clone(), entry["value"].clone());
    }
    Value::Object(values)
}

/// Requests the emulator served for `org`, by route.
fn requests_of(emulator: &Emulator, org: &str) -> Vec<(String, u64)> {
    let stats = Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats");
    stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == org)
        .map(|r| {
            (
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["route"].as_str().unwrap()
                ),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn total(requests: &[(String, u64)]) -> u64 {
    requests.iter().map(|(_, count)| count).sum()
}

#[test]
fn data_sources_list_accounts_and_their_audit_trail() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let org = emulator.create_org("initech");
    let api = Api::new(&org.url, &org.token);

    let accounts = Workspace::new();
    accounts.write("main.tf", &format!("{}{ACCOUNTS}", header(&org)));
    accounts.init();
    accounts.apply().assert_success("apply of the accounts");
    let radius_id = outputs(&accounts)["radius_id"].as_str().unwrap().to_owned();

    // A user of the org that is no service account is not listed.
    api.create_person("jane@initech.example", "jane@initech.example", false);

    // A second workspace reads both data sources (at plan time: everything is known).
    let reader = Workspace::new();
    reader.write(
        "main.tf",
        &format!("{}{}", header(&org), readers(&radius_id)),
    );
    reader.init();
    let before = total(&requests_of(&emulator, "initech"));
    reader.apply().assert_success("apply of the data sources");
    let after = requests_of(&emulator, "initech");
    // One user search, the group and its members, a role listing per account (2), two lookups
    // of the accounts' e-mail addresses (search, and an exact filter since search lags), and one
    // System Log page for each of the two audit reads.
    assert_eq!(
        total(&after) - before,
        9,
        "API calls of one read of the three data sources: {after:?}"
    );

    let out = outputs(&reader);
    assert_eq!(out["license_count"], 2, "{out:#}");
    let listed = out["accounts"].as_array().unwrap();
    let by_login = |login: &str| {
        listed
            .iter()
            .find(|a| a["login"] == login)
            .unwrap_or_else(|| panic!("{login} not listed: {listed:#?}"))
            .clone()
    };
    let ad_agent = by_login("oktaadagent@msp.example");
    let radius = by_login("oktaradius@msp.example");
    assert_eq!(ad_agent["kind"], "ad_agent");
    assert_eq!(ad_agent["admin_roles"], serde_json::json!(["SUPER_ADMIN"]));
    assert_eq!(radius["kind"], "radius");
    assert_eq!(radius["id"], radius_id.as_str());
    assert_eq!(
        radius["admin_roles"],
        serde_json::json!(["APP_ADMIN", "READ_ONLY_ADMIN"])
    );
    for account in [&ad_agent, &radius] {
        assert_eq!(account["compliant"], true, "{account:#}");
        assert_eq!(account["violations"], serde_json::json!([]));
        assert_eq!(account["status"], "ACTIVE");
        assert_eq!(account["finalized"], true);
        assert_eq!(account["managed"], true);
        assert_eq!(account["in_group"], true);
    }

    let events = out["events"].as_array().unwrap();
    let of_type = |event_type: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["event_type"] == event_type)
            .collect()
    };
    let created = of_type("user.lifecycle.create");
    assert_eq!(created.len(), 1, "{events:#?}");
    assert!(
        created[0]["target_ids"]
            .as_array()
            .unwrap()
            .contains(&Value::from(radius_id.as_str()))
    );
    assert_eq!(created[0]["outcome"], "SUCCESS");
    assert!(created[0]["uuid"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(created[0]["display_message"].is_string());
    assert_eq!(
        of_type("user.account.privilege.grant").len(),
        2,
        "{events:#?}"
    );
    for event in events {
        let targets = event["target_ids"].as_array().unwrap();
        assert!(
            event["actor_id"] == radius_id.as_str()
                || targets.contains(&Value::from(radius_id.as_str())),
            "an event of another account: {event:#}"
        );
    }
    let window = out["window"].as_array().unwrap();
    assert!(
        window
            .iter()
            .all(|bound| bound.as_str().is_some_and(|b| b.ends_with('Z')))
    );

    let grants = out["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 2, "{grants:#?}");
    assert!(
        grants
            .iter()
            .all(|e| e["event_type"] == "user.account.privilege.grant")
    );
    // Each grant names its role, and says what the account held afterwards.
    let granted: Vec<&str> = grants
        .iter()
        .flat_map(|e| e["roles"].as_array().unwrap())
        .map(|role| role.as_str().unwrap())
        .collect();
    assert_eq!(
        granted,
        ["Application Administrator", "Read Only Administrator"],
        "{grants:#?}"
    );
    let after_last = grants[1]["privileges_after"].as_str().unwrap();
    assert!(
        after_last.contains("Read Only Administrator")
            && after_last.contains("Application Administrator"),
        "{after_last}"
    );
    assert_eq!(created[0]["roles"], Value::Array(vec![]));
    assert_eq!(created[0]["privileges_after"], Value::Null);

    // Secrets stay out of the reader's state.
    let raw_state = std::fs::read_to_string(reader.dir().join("terraform.tfstate")).unwrap();
    assert!(!raw_state.contains(&org.token));

    // Out of band: the AD agent loses SUPER_ADMIN, and someone adds a person to the group.
    let ad_id = ad_agent["id"].as_str().unwrap();
    let roles = api.get(&format!("/api/v1/users/{ad_id}/roles"));
    let super_admin = roles.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = api.send(
        "DELETE",
        &format!("/api/v1/users/{ad_id}/roles/{super_admin}"),
        None,
    );
    assert_eq!(status, 204, "{body}");
    let jane = body_id(&api, "jane@initech.example");
    let group = api.group_id("MSP Service Accounts").unwrap();
    let (status, body) = api.send("PUT", &format!("/api/v1/groups/{group}/users/{jane}"), None);
    assert_eq!(status, 204, "{body}");
    // And a person outside the group is given the RADIUS account's mailbox.
    api.create_person("mailroom@initech.example", "OktaRADIUS@msp.example", false);
    reader.apply().assert_success("second read");
    let out = outputs(&reader);
    assert_eq!(out["license_count"], 3, "{out:#}");
    let listed = out["accounts"].as_array().unwrap();
    let find = |login: &str| listed.iter().find(|a| a["login"] == login).unwrap();
    let ad_agent = find("oktaadagent@msp.example");
    assert_eq!(ad_agent["compliant"], false);
    assert_eq!(ad_agent["admin_roles"], serde_json::json!([]));
    assert!(
        ad_agent["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().contains("SUPER_ADMIN")),
        "{ad_agent:#}"
    );
    let radius = find("oktaradius@msp.example");
    assert_eq!(radius["compliant"], false, "{radius:#}");
    assert!(
        radius["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().contains("shared with another user")),
        "{radius:#}"
    );
    assert!(
        listed
            .iter()
            .all(|a| a["login"] != "mailroom@initech.example"),
        "a person outside the group is no service account: {listed:#?}"
    );
    let person = find("jane@initech.example");
    assert_eq!(person["managed"], false, "{person:#}");
    assert_eq!(person["in_group"], true);
    assert_eq!(person["kind"], "custom", "inferred from the login");
    assert_eq!(person["compliant"], false, "STAGED, no roles: {person:#}");

    // Out of band: the RADIUS account is deactivated. It is still listed, but Okta no longer
    // bills it, so it leaves the license count.
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{radius_id}/lifecycle/deactivate"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    reader.apply().assert_success("third read");
    let out = outputs(&reader);
    let listed = out["accounts"].as_array().unwrap();
    let radius = listed
        .iter()
        .find(|a| a["id"] == radius_id.as_str())
        .unwrap_or_else(|| panic!("deactivated account not listed: {listed:#?}"));
    assert_eq!(radius["status"], "DEPROVISIONED", "{radius:#}");
    assert_eq!(
        out["license_count"], 2,
        "the AD agent and the staged person, not the deactivated account: {out:#}"
    );
}

fn body_id(api: &Api, login: &str) -> String {
    api.get(&format!("/api/v1/users/{login}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn invalid_audit_windows_fail_validate_at_their_attribute() {
    if !terraform_available() {
        return;
    }
    let org = CustomerOrg {
        url: "https://acme.okta.com".into(),
        token: "not-used".into(),
    };
    let workspace = Workspace::new();
    let audit = |arguments: &str| {
        format!(
            "{}\ndata \"okta_msp_audit_events\" \"x\" {{\n  org_url    = local.org_url\n  account_id = \"00u1abcdEFGH2ijk3l4\"\n{arguments}\n}}\n",
            header(&org)
        )
    };
    workspace.write("main.tf", &audit("  since = \"2025-03-01T00:00:00Z\""));
    workspace.init();
    workspace
        .run(&["validate", "-no-color"])
        .assert_success("a valid window");

    let cases: &[(&str, &str, &str)] = &[
        (
            "  since = \"last tuesday\"",
            "Invalid since",
            "since = \"last tuesday\"",
        ),
        (
            "  until = \"2025-03-01 10:00\"",
            "Invalid until",
            "until = \"2025-03-01 10:00\"",
        ),
        (
            "  since = \"2025-03-02T00:00:00Z\"\n  until = \"2025-03-01T00:00:00Z\"",
            "since is after until",
            "since = \"2025-03-02T00:00:00Z\"",
        ),
        (
            "  event_types = [\"user.lifecycle.create\", \"User Created\"]",
            "Invalid event type",
            "event_types",
        ),
    ];
    for (arguments, message, quoted) in cases {
        workspace.write("main.tf", &audit(arguments));
        let outcome = workspace.run(&["validate", "-no-color"]);
        outcome.assert_failure(arguments);
        assert!(
            outcome.stderr.contains(message) && outcome.stderr.contains(quoted),
            "{arguments}: expected {message:?} at {quoted:?}:\n{}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("not-used"), "no token in errors");
    }
}
