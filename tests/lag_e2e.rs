//! The provider against an Okta whose `search` and System Log trail the writes (issue 12): the
//! real `terraform` CLI, the real provider binary and an emulator started with its lags on.
//! Decisions that matter rest on exact reads, and a refresh still notices a role change the
//! System Log lists late.

use std::time::{Duration, Instant};

use serde_json::Value;

use okta_msp::provider::org_access::role_freshness::DATE_MARGIN;

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::lag_window::outlive_lag_window;
use crate::support::scenario::config;
use crate::support::terraform::{Workspace, terraform_available};

const RADIUS: &str = r#"
resource "okta_msp_service_account" "radius" {
  org_url     = local.org_url
  kind        = "radius"
  login       = "oktaradius@msp.example"
  email       = "oktaradius@msp.example"
  password_wo = "Correct-Horse-Battery-Staple-42!"
}
"#;

/// Longer than any test here runs: what search or the log would show only after it never
/// shows within the test, so whatever the provider gets right, it gets right without them.
const NEVER_MS: &str = "600000";

/// How long a test waits for the emulator's System Log to list an event before it fails.
const PATIENCE: Duration = Duration::from_secs(60);

fn state_json(workspace: &Workspace) -> Value {
    let show = workspace.run(&["show", "-json"]);
    show.assert_success("terraform show -json");
    serde_json::from_str(&show.stdout).unwrap()
}

fn values(workspace: &Workspace, address: &str) -> Value {
    state_json(workspace)["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} not in state"))["values"]
        .clone()
}

/// Removes `role_type` from `user_id` through the API, as an admin would by hand.
fn remove_role(api: &Api, user_id: &str, role_type: &str) {
    let roles = api.get(&format!("/api/v1/users/{user_id}/roles"));
    let assignment = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == role_type)
        .unwrap_or_else(|| panic!("{user_id} holds no {role_type}: {roles}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = api.send(
        "DELETE",
        &format!("/api/v1/users/{user_id}/roles/{assignment}"),
        None,
    );
    assert_eq!(status, 204, "{body}");
}

/// The configuration of `body` with the provider's log lag window set to `seconds`.
fn config_with_window(org: &CustomerOrg, body: &str, seconds: u64) -> String {
    let plain = config(org, body);
    let configured = plain.replacen(
        "provider \"okta\" {\n",
        &format!("provider \"okta\" {{\n  log_lag_window_seconds = {seconds}\n"),
        1,
    );
    assert_ne!(plain, configured, "the provider block is where it was");
    configured
}

/// Waits until the account's last verification is older than a window of one second, so the
/// next refresh trusts the System Log for it.
fn outlive_a_one_second_window() {
    outlive_lag_window(1);
}

/// Whether the System Log lists the removal of one of `user_id`'s roles yet.
fn removal_listed(api: &Api, user_id: &str) -> bool {
    listed_role_events(api, user_id).iter().any(|event| {
        event["target"]
            .as_array()
            .is_some_and(|targets| targets.iter().any(|t| t["type"] == "ROLE_UNASSIGNED"))
    })
}

/// The admin role events the org's System Log lists for `user_id` now.
fn listed_role_events(api: &Api, user_id: &str) -> Vec<Value> {
    let filter = format!("target.id eq \"{user_id}\"");
    let encoded: String = filter
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    api.get(&format!(
        "/api/v1/logs?since=2000-01-01T00:00:00.000Z&limit=1000&filter={encoded}"
    ))
    .as_array()
    .unwrap()
    .iter()
    .filter(|e| {
        e["eventType"]
            .as_str()
            .is_some_and(|t| t.starts_with("user.account.privilege."))
    })
    .cloned()
    .collect()
}

fn role_reads(emulator: &Emulator) -> u64 {
    Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["route"] == "/api/v1/users/{userId}/roles" && r["method"] == "GET")
        .map(|r| r["count"].as_u64().unwrap())
        .sum()
}

/// The radius account applied in a new org; `window` sets the provider's log lag window.
fn applied_radius(
    emulator: &Emulator,
    subdomain: &str,
    window: Option<u64>,
) -> (CustomerOrg, Workspace, String) {
    let org = emulator.create_org(subdomain);
    let workspace = Workspace::new();
    let main = match window {
        Some(seconds) => config_with_window(&org, RADIUS, seconds),
        None => config(&org, RADIUS),
    };
    workspace.write("main.tf", &main);
    workspace.init();
    workspace.apply().assert_success("terraform apply");
    let id = values(&workspace, "okta_msp_service_account.radius")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (org, workspace, id)
}

fn assert_repair_planned(workspace: &Workspace, what: &str) {
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success(what);
    assert!(
        plan.combined().contains("(G12)") && plan.stdout.contains("1 to change"),
        "{what}: the plan must repair the role:\n{}",
        plan.combined()
    );
}

#[test]
fn a_role_removed_just_before_a_refresh_is_noticed_although_the_log_lists_it_late() {
    if !terraform_available() {
        return;
    }
    // The log lists nothing during the test: the plan right after the removal cannot learn of
    // it from the log. The account was verified moments ago (by the apply), within the log's
    // lag window, so the refresh reads its roles.
    let emulator = Emulator::start_with(&["--log-lag-ms", NEVER_MS, "--search-lag-ms", NEVER_MS]);
    let (org, workspace, radius_id) = applied_radius(&emulator, "lagged", None);
    let api = Api::new(&org.url, &org.token);
    remove_role(&api, &radius_id, "APP_ADMIN");
    assert!(
        listed_role_events(&api, &radius_id).is_empty(),
        "the removal is not listed yet"
    );
    assert_repair_planned(&workspace, "plan across the log lag");
    workspace.apply().assert_success("repair");
    assert_eq!(
        api.role_types(&radius_id),
        vec!["APP_ADMIN", "READ_ONLY_ADMIN"]
    );
}

#[test]
fn a_role_change_the_log_lists_after_a_refresh_is_noticed_by_the_next_one() {
    if !terraform_available() {
        return;
    }
    // The log lists events 15 s late; the provider trusts it for accounts verified more than a
    // second ago. A refresh between the removal and its listing trusts stale roles (it cannot
    // know better without reading every account); it must not record a verification that
    // hides the removal from the refresh after the listing.
    let emulator = Emulator::start_with(&["--log-lag-ms", "15000", "--search-lag-ms", "0"]);
    let (org, workspace, radius_id) = applied_radius(&emulator, "latelog", Some(1));
    let api = Api::new(&org.url, &org.token);
    outlive_a_one_second_window();
    remove_role(&api, &radius_id, "APP_ADMIN");
    let removed = Instant::now();
    // Further from the removal than the provider's margin for the resolution of `Date`, so that only the
    // kept verification time, not that allowance, can bring the removal back into view.
    std::thread::sleep(DATE_MARGIN + Duration::from_secs(1));
    workspace
        .run(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .assert_success("refresh before the log lists the removal");
    assert!(
        !removal_listed(&api, &radius_id),
        "the refresh ran before the log listed the removal"
    );
    while !removal_listed(&api, &radius_id) {
        assert!(
            removed.elapsed() < PATIENCE,
            "the log never listed the removal"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_repair_planned(&workspace, "plan once the log lists the removal");
}

#[test]
fn removing_one_of_two_roles_by_hand_is_repaired_from_the_system_log() {
    if !terraform_available() {
        return;
    }
    // An instant log, and a provider that trusts it for accounts verified more than a second
    // ago: the refresh reads roles only for what the log shows.
    let emulator = Emulator::start_with(&["--log-lag-ms", "0", "--search-lag-ms", "0"]);
    let (org, workspace, radius_id) = applied_radius(&emulator, "partial", Some(1));
    let api = Api::new(&org.url, &org.token);
    outlive_a_one_second_window();

    // Nothing changed: the log vouches for the roles and none are read.
    let before = role_reads(&emulator);
    workspace.assert_no_changes("unchanged account verified long ago");
    assert_eq!(role_reads(&emulator), before, "roles trusted from the log");

    // One role of two removed: Okta logs that as a privilege grant, not a revoke.
    remove_role(&api, &radius_id, "APP_ADMIN");
    let events = listed_role_events(&api, &radius_id);
    let last = events.last().unwrap();
    assert_eq!(
        last["eventType"], "user.account.privilege.grant",
        "{last:#}"
    );
    assert_repair_planned(&workspace, "plan after a partial removal");
    workspace.apply().assert_success("repair");
    assert_eq!(
        api.role_types(&radius_id),
        vec!["APP_ADMIN", "READ_ONLY_ADMIN"]
    );
}

#[test]
fn creates_and_plan_time_checks_hold_while_search_lags() {
    if !terraform_available() {
        return;
    }
    // Search never catches up during the test: every decision below must come from exact reads.
    let emulator = Emulator::start_with(&["--search-lag-ms", NEVER_MS, "--log-lag-ms", "0"]);
    let org = emulator.create_org("slowsearch");
    let api = Api::new(&org.url, &org.token);

    // A person created a moment ago reads the mailbox the account is given: search cannot see
    // them yet, the exact check must.
    let person = api.create_person("desk@slowsearch.example", "oktaradius@msp.example", true);
    let workspace = Workspace::new();
    workspace.write("main.tf", &config(&org, RADIUS));
    workspace.init();
    let apply = workspace.apply();
    assert!(
        !apply.success,
        "apply must refuse to finalize:\n{}",
        apply.combined()
    );
    assert!(
        apply.combined().contains("shared with another user"),
        "{}",
        apply.combined()
    );
    assert_eq!(
        values(&workspace, "okta_msp_service_account.radius")["finalized"],
        false
    );
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{person}"),
        Some(serde_json::json!({"profile": {"email": "desk@slowsearch.example"}})),
    );
    assert_eq!(status, 200, "{body}");
    workspace
        .apply()
        .assert_success("apply once the mailbox is dedicated");
    let radius = values(&workspace, "okta_msp_service_account.radius");
    assert_eq!(radius["finalized"], true);
    workspace.assert_no_changes("after the create");

    // A second workspace with an empty state plans the same account: the exact lookup by login
    // finds it finalized (G14), although search has not indexed it.
    let second = Workspace::new();
    second.write("main.tf", &config(&org, RADIUS));
    second.init();
    let plan = second.run(&["plan", "-no-color", "-input=false"]);
    assert!(
        plan.combined().contains("(G14)"),
        "the finalized account is recognised:\n{}",
        plan.combined()
    );

    // The data source lists the account created moments ago, from exact reads.
    workspace.write(
        "main.tf",
        &format!(
            "{}\ndata \"okta_msp_service_accounts\" \"all\" {{\n  org_url = local.org_url\n}}\noutput \"logins\" {{\n  value = [for a in data.okta_msp_service_accounts.all.accounts : a.login]\n}}\n",
            config(&org, RADIUS)
        ),
    );
    workspace.apply().assert_success("read the data source");
    let output = workspace.run(&["output", "-json", "logins"]);
    output.assert_success("terraform output");
    let logins: Vec<String> = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(logins, vec!["oktaradius@msp.example"]);
}

#[test]
fn a_system_log_that_fails_makes_the_refresh_read_directly_never_assume_no_change() {
    if !terraform_available() {
        return;
    }
    // The account was verified long enough ago for the log to vouch for it; then its role is
    // removed, and every System Log query fails. The log would not list the removal within the
    // test anyway, so only a direct read can find it: the refresh must read the roles (and the
    // baseline) itself rather than take a failed query for "no change".
    let emulator = Emulator::start_with(&["--log-lag-ms", NEVER_MS, "--search-lag-ms", "0"]);
    let (org, workspace, radius_id) = applied_radius(&emulator, "nolog", Some(1));
    let api = Api::new(&org.url, &org.token);
    outlive_a_one_second_window();
    remove_role(&api, &radius_id, "APP_ADMIN");
    emulator.add_fault(serde_json::json!({
        "kind": "error", "statuses": [500], "org": "nolog", "route": "/api/v1/logs", "times": 1000
    }));
    let before = role_reads(&emulator);
    assert_repair_planned(&workspace, "plan while the System Log fails");
    assert!(
        role_reads(&emulator) > before,
        "the roles were read directly"
    );
}
