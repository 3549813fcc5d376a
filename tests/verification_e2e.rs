//! Issue 24: what a verification vouches for, and when the System Log may vouch for it. A
//! refresh-only plan (`-detailed-exitcode`) must report a role removed behind Terraform's back
//! (exit 2, naming the account and the role) however the log answers, however far this
//! machine's clock is from Okta's, and when the removal fell inside the apply that verified the
//! account. The real `terraform` CLI, the real provider binary and okta-emulator over loopback;
//! the removals are made with another admin's own token, as a colleague would in the Admin
//! Console.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::lag_window::outlive_lag_window;
use crate::support::scenario::config;
use crate::support::terraform::{Outcome, Workspace, terraform_available};

const ADDRESS: &str = "okta_msp_service_account.radius";

const RADIUS: &str = r#"
resource "okta_msp_service_account" "radius" {
  org_url = local.org_url
  kind    = "radius"
  login   = "oktaradius@verified.example"
  email   = "oktaradius@verified.example"
}
"#;

/// The provider's `log_lag_window_seconds`: short, so that the tests wait it out quickly.
const WINDOW_SECONDS: u64 = 2;

/// How long a test waits for the emulator's System Log to list an event before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// One org with the radius account's configuration (not applied yet), its API, and another
/// super admin's token.
struct Setup<'a> {
    emulator: &'a Emulator,
    org: CustomerOrg,
    other_admin: Api,
    workspace: Workspace,
}

/// An emulator whose log lists events after 200 ms.
fn emulator() -> Emulator {
    Emulator::start_with(&["--log-lag-ms", "200", "--search-lag-ms", "0"])
}

impl Setup<'_> {
    /// A new org of `emulator`, with the configuration written and initialised.
    fn new<'a>(emulator: &'a Emulator, subdomain: &str) -> Setup<'a> {
        let org = emulator.create_org(subdomain);
        let other_admin = other_admin(emulator, &org, subdomain);
        let workspace = Workspace::new();
        let main = config(&org, RADIUS).replacen(
            "provider \"okta\" {\n",
            &format!("provider \"okta\" {{\n  log_lag_window_seconds = {WINDOW_SECONDS}\n"),
            1,
        );
        workspace.write("main.tf", &main);
        workspace.init();
        Setup {
            emulator,
            org,
            other_admin,
            workspace,
        }
    }

    fn account_id(&self) -> String {
        let show = self.workspace.run(&["show", "-json"]);
        show.assert_success("terraform show -json");
        let state: Value = serde_json::from_str(&show.stdout).unwrap();
        state["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|resource| resource["address"] == ADDRESS)
            .unwrap_or_else(|| panic!("{ADDRESS} not in state"))["values"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The account's id in Okta, by its login (before any state records it).
    fn account_id_in_okta(&self) -> Option<String> {
        let users = Api::new(&self.org.url, &self.org.token)
            .get("/api/v1/users?filter=profile.login%20eq%20%22oktaradius%40verified.example%22");
        users.as_array()?.first()?["id"].as_str().map(str::to_owned)
    }

    /// The other admin removes `role_type` from the account.
    fn remove_role(&self, user_id: &str, role_type: &str) {
        let roles = self
            .other_admin
            .get(&format!("/api/v1/users/{user_id}/roles"));
        let assignment = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|role| role["type"] == role_type)
            .unwrap_or_else(|| panic!("{user_id} holds no {role_type}: {roles}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = self.other_admin.send(
            "DELETE",
            &format!("/api/v1/users/{user_id}/roles/{assignment}"),
            None,
        );
        assert_eq!(status, 204, "{body}");
    }

    /// Waits until the org's System Log lists a role event of `user_id` by the other admin.
    fn wait_until_listed(&self, user_id: &str) {
        let started = Instant::now();
        loop {
            let events = self.other_admin.get(
                "/api/v1/logs?since=2000-01-01T00:00:00.000Z&limit=1000&filter=eventType%20sw%20%22user.account.privilege.%22",
            );
            let listed = events.as_array().unwrap().iter().any(|event| {
                event["target"]
                    .as_array()
                    .is_some_and(|targets| targets.iter().any(|t| t["id"] == user_id))
                    && event["actor"]["alternateId"]
                        .as_str()
                        .is_some_and(|login| login.starts_with("it-admin@"))
            });
            if listed {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the System Log never listed the removal"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn refresh_only_plan(&self) -> Outcome {
        self.workspace.run(&[
            "plan",
            "-refresh-only",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
        ])
    }

    fn fault_injected(&self) -> u64 {
        let (status, faults) = self.emulator.control("GET", "/faults", None);
        assert_eq!(status, 200, "{faults}");
        faults
            .as_array()
            .map(|faults| {
                faults
                    .iter()
                    .filter_map(|fault| fault["injected"].as_u64())
                    .sum()
            })
            .unwrap_or(0)
    }
}

/// A person who is a super admin of the org, with an API token of their own made in the Admin
/// Console.
fn other_admin(emulator: &Emulator, org: &CustomerOrg, subdomain: &str) -> Api {
    let api = Api::new(&org.url, &org.token);
    let login = format!("it-admin@{subdomain}.example");
    let (status, person) = api.send(
        "POST",
        "/api/v1/users?activate=true",
        Some(json!({
            "profile": {"login": login, "email": login, "firstName": "IT", "lastName": "Admin"},
            "credentials": {"password": {"value": "Another-Admins-Passphrase-77!"}},
        })),
    );
    assert_eq!(status, 200, "creating {login}: {person}");
    let id = person["id"].as_str().unwrap();
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{id}/roles"),
        Some(json!({"type": "SUPER_ADMIN"})),
    );
    assert!(status == 200 || status == 201, "{body}");
    let (status, created) = emulator.control(
        "POST",
        &format!("/orgs/{subdomain}/users/{id}/api-tokens"),
        Some(json!({"name": "the IT admin's own token"})),
    );
    // Only a refusal is shown: a created token's answer holds the secret.
    if status != 201 {
        panic!("the Admin Console creates a token: {status} {created}");
    }
    Api::new(&org.url, created["token"].as_str().unwrap())
}

/// The refresh-only plan reports the removed role on the account.
#[track_caller]
fn assert_role_removal_reported(plan: &Outcome, what: &str) {
    assert_eq!(
        plan.code,
        Some(2),
        "{what}: the refresh-only plan must report the removed role:\n{}",
        plan.combined()
    );
    assert!(
        plan.stdout.contains(ADDRESS) && plan.stdout.contains("assign APP_ADMIN"),
        "{what}: the plan names the account and the role:\n{}",
        plan.stdout
    );
}

/// Waits until the last verification is older than the lag window.
fn outlive_the_window() {
    outlive_lag_window(WINDOW_SECONDS);
}

#[test]
fn a_log_answer_the_provider_does_not_understand_makes_the_refresh_read_directly() {
    if !terraform_available() {
        return;
    }
    let emulator = emulator();
    let setup = Setup::new(&emulator, "oddlog");
    setup.workspace.apply().assert_success("the first apply");
    let id = setup.account_id();
    outlive_the_window();
    let quiet = setup.refresh_only_plan();
    assert_eq!(quiet.code, Some(0), "unchanged:\n{}", quiet.combined());
    setup.remove_role(&id, "APP_ADMIN");
    setup.wait_until_listed(&id);
    // Each answer below hides the removal the real log lists; only a direct read finds it.
    let odd_answers = [
        ("an empty list without Okta's self link", json!([])),
        (
            "an event without a published time",
            json!([{"uuid": "e1", "eventType": "user.account.privilege.grant"}]),
        ),
        (
            "an event whose published time is not RFC 3339",
            json!([{"uuid": "e2", "eventType": "zone.update", "published": "yesterday"}]),
        ),
        ("an object instead of a list", json!({"events": []})),
    ];
    for (what, body) in odd_answers {
        setup.emulator.add_fault(json!({
            "kind": "answer",
            "route": "/api/v1/logs",
            "method": "GET",
            "status": 200,
            "body": body,
        }));
        let plan = setup.refresh_only_plan();
        assert!(
            setup.fault_injected() >= 1,
            "{what}: the log query got the canned answer"
        );
        assert_role_removal_reported(&plan, what);
        setup.emulator.control("DELETE", "/faults", None);
    }
}

#[test]
fn a_role_removed_right_after_an_apply_is_reported_whatever_this_machine_s_clock_says() {
    if !terraform_available() {
        return;
    }
    // The emulator's clock, Okta's time for the provider, two minutes ahead of this machine's
    // and two minutes behind it: as a CI runner whose clock is slow or fast sees Okta.
    let emulator = emulator();
    for (offset, subdomain) in [(120, "skewahead"), (-120, "skewbehind")] {
        let (status, clock) =
            emulator.control("POST", "/clock", Some(json!({ "offset_seconds": offset })));
        assert_eq!(status, 200, "{clock}");
        assert_eq!(clock["offset_seconds"], offset);
        let setup = Setup::new(&emulator, subdomain);
        setup
            .workspace
            .apply()
            .assert_success(&format!("apply at {offset:+} s"));
        let id = setup.account_id();
        setup.remove_role(&id, "APP_ADMIN");
        outlive_the_window();
        setup.wait_until_listed(&id);
        let plan = setup.refresh_only_plan();
        assert_role_removal_reported(&plan, &format!("Okta's clock {offset:+} s from ours"));
    }
}

#[test]
fn a_role_removed_while_the_apply_finalizes_slowly_is_reported_by_the_next_refresh() {
    if !terraform_available() {
        return;
    }
    let emulator = emulator();
    let setup = Setup::new(&emulator, "slowfinal");
    // The finalization (`userType` recorded with a profile update) takes four seconds: the
    // account's roles were granted before it, and the verification rests on those answers.
    setup.emulator.add_fault(json!({
        "kind": "latency",
        "route": "/api/v1/users/{userId}",
        "method": "POST",
        "latency_ms": 4000,
        "times": 1,
    }));
    std::thread::scope(|scope| {
        let apply = scope.spawn(|| setup.workspace.apply());
        let started = Instant::now();
        while setup.fault_injected() == 0 {
            assert!(
                started.elapsed() < PATIENCE,
                "the apply never reached the finalization"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let id = setup
            .account_id_in_okta()
            .expect("created before its finalization");
        setup.remove_role(&id, "APP_ADMIN");
        apply
            .join()
            .unwrap()
            .assert_success("the apply with a slow finalization");
    });
    let id = setup.account_id();
    outlive_the_window();
    setup.wait_until_listed(&id);
    let plan = setup.refresh_only_plan();
    assert_role_removal_reported(&plan, "removed during the finalization");
    // And later still: the verification was not moved past the removal.
    let again = setup.refresh_only_plan();
    assert_role_removal_reported(&again, "the refresh after");
}

#[test]
fn a_role_removed_after_an_apply_killed_between_its_grants_and_its_verification_is_repaired() {
    if !terraform_available() {
        return;
    }
    let emulator = emulator();
    let setup = Setup::new(&emulator, "killedverify");
    // The read after the grants (the roles the group gives its members, once per org) hangs:
    // the kill lands after both roles were granted and before anything was verified.
    setup.emulator.add_fault(json!({
        "kind": "latency",
        "route": "/api/v1/users/{userId}/roles",
        "method": "GET",
        "latency_ms": 60000,
        "times": 1,
    }));
    let mut apply = setup
        .workspace
        .spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let started = Instant::now();
    while setup.fault_injected() == 0 {
        assert!(
            started.elapsed() < PATIENCE,
            "the apply never reached the read after the grants"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    apply.child.kill().unwrap();
    let status = apply.child.wait().unwrap();
    let killed = apply.outcome(status);
    assert!(!killed.success, "killed:\n{}", killed.combined());
    setup.emulator.control("DELETE", "/faults", None);
    let id = setup.account_id_in_okta().expect("created before the kill");
    let org_api = Api::new(&setup.org.url, &setup.org.token);
    assert_eq!(
        org_api.role_types(&id),
        vec!["APP_ADMIN", "READ_ONLY_ADMIN"],
        "both roles were granted before the kill"
    );
    setup.remove_role(&id, "APP_ADMIN");
    // The next apply resumes the account, reads what it holds and grants the role again.
    setup
        .workspace
        .apply()
        .assert_success("the apply after the kill");
    assert_eq!(setup.account_id(), id, "the same account, resumed");
    assert_eq!(
        org_api.role_types(&id),
        vec!["APP_ADMIN", "READ_ONLY_ADMIN"],
        "the removed role is granted again"
    );
    outlive_the_window();
    let plan = setup.refresh_only_plan();
    assert_eq!(plan.code, Some(0), "repaired:\n{}", plan.combined());
}
