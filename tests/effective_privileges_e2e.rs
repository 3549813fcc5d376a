//! Issue 24: what the provider verifies is an account's *effective* admin privileges, every path
//! included: roles assigned to it, roles of every group it is a member of, custom roles through
//! resource sets. Each path is noticed by a refresh whether the change comes after the log lag
//! window (when the refresh leans on the System Log: the event must be in its query) or right
//! after the last verification (when the log lists nothing yet and only a direct read can see
//! it). The repair removes what is the provider's to remove, and the plan refuses, naming the
//! group, what is not.
//!
//! The real `terraform` CLI, the real provider binary and a real okta-emulator over loopback;
//! every change goes through the org's Okta API with the org's own token (an admin's script
//! sharing it: the log names the provider as the actor, whose events count only after its
//! verification).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::emulator::{Api, Emulator};
use crate::support::lag_window::outlive_lag_window;
use crate::support::terraform::{Workspace, terraform_available};

const ORG: &str = "privileges";
const TOKEN: &str = "00privileges-effective-token";
const GROUP: &str = "MSP Service Accounts";

const MAIN: &str = "main.tf";

const RADIUS: &str = "okta_msp_service_account.radius";
const RADIUS_LOGIN: &str = "oktaradius@privileges.example";

/// The provider's `log_lag_window_seconds` where a test waits the window out.
const SHORT_WINDOW_SECONDS: u64 = 2;

/// How long a test waits for the emulator's System Log to list an event before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// When the change comes, relative to the last verification.
#[derive(Clone, Copy, Debug)]
enum Timing {
    /// The verification is older than the (short) lag window and the log lists the event:
    /// the refresh must find it in its one System Log query.
    AfterTheLagWindow,
    /// Right after the apply, and the log lists nothing during the test: only a direct read
    /// of what the young verification cannot vouch for sees it.
    InsideTheLagWindow,
}

/// An org with a RADIUS account set up by Terraform (READ_ONLY_ADMIN and APP_ADMIN).
struct Setup {
    /// Kept running for the test (killed on drop).
    emulator: Emulator,
    api: Api,
    workspace: Workspace,
    timing: Timing,
    radius_id: String,
}

impl Setup {
    fn applied(timing: Timing) -> Setup {
        let log_lag = match timing {
            Timing::AfterTheLagWindow => "200",
            Timing::InsideTheLagWindow => "600000",
        };
        let emulator = Emulator::start_with(&[
            "--log-lag-ms",
            log_lag,
            "--search-lag-ms",
            "0",
            "--org",
            &format!("{ORG}:{TOKEN}"),
        ]);
        let url = format!("{}/{ORG}", emulator.url);
        let api = Api::new(&url, TOKEN);
        let window = match timing {
            Timing::AfterTheLagWindow => {
                format!("  log_lag_window_seconds = {SHORT_WINDOW_SECONDS}\n")
            }
            Timing::InsideTheLagWindow => String::new(),
        };
        let workspace = Workspace::new();
        workspace.write(
            MAIN,
            &format!(
                "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{ \"{url}\" = \"{TOKEN}\" }}\n{window}}}\nresource \"okta_msp_service_account\" \"radius\" {{\n  org_url = \"{url}\"\n  kind    = \"radius\"\n  login   = \"{RADIUS_LOGIN}\"\n  email   = \"{RADIUS_LOGIN}\"\n}}\n"
            ),
        );
        workspace.init();
        workspace.apply().assert_success("the first apply");
        let radius_id = api.get(&format!("/api/v1/users/{RADIUS_LOGIN}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        Setup {
            emulator,
            api,
            workspace,
            timing,
            radius_id,
        }
    }

    /// A group of the org (not the provider's), holding `role` when given.
    fn group(&self, name: &str, role: Option<&str>) -> String {
        let (status, group) = self.api.send(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": name, "description": "made by an admin"}})),
        );
        assert_eq!(status, 200, "creating group {name}: {group}");
        let id = group["id"].as_str().unwrap().to_owned();
        if let Some(role) = role {
            self.grant_to_group(&id, role);
        }
        id
    }

    fn grant_to_group(&self, group_id: &str, role: &str) {
        send(
            &self.api,
            "POST",
            &format!("/api/v1/groups/{group_id}/roles"),
            Some(json!({"type": role})),
        );
    }

    fn add_radius_to(&self, group_id: &str) {
        send(
            &self.api,
            "PUT",
            &format!("/api/v1/groups/{group_id}/users/{}", self.radius_id),
            None,
        );
    }

    fn service_group(&self) -> String {
        self.api.group_id(GROUP).expect("the service account group")
    }

    /// The newest event the System Log lists now (its `uuid`).
    fn newest_listed(&self) -> Value {
        self.api
            .get("/api/v1/logs?since=2000-01-01T00:00:00.000Z&sortOrder=DESCENDING&limit=1")[0]
            ["uuid"]
            .clone()
    }

    /// Makes `change` as the timing asks: after the window has passed, and then waits until
    /// the log lists it; or at once.
    fn make(&self, change: impl FnOnce(&Setup)) {
        match self.timing {
            Timing::AfterTheLagWindow => {
                outlive_lag_window(SHORT_WINDOW_SECONDS);
                let listed = self.newest_listed();
                change(self);
                let made = Instant::now();
                while self.newest_listed() == listed {
                    assert!(
                        made.elapsed() < PATIENCE,
                        "the System Log never listed the change"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Timing::InsideTheLagWindow => change(self),
        }
    }

    /// `terraform plan -refresh-only -detailed-exitcode` must exit 2, and name the account and
    /// `words` (the role and how it is held) in its output and in the account's `drift`.
    #[track_caller]
    fn assert_reported(&self, words: &[&str]) -> Vec<String> {
        let plan = self.workspace.run(&[
            "plan",
            "-refresh-only",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-out=refresh.plan",
        ]);
        let output = plan.combined();
        assert_eq!(
            plan.code,
            Some(2),
            "{:?}: the refresh-only plan must report the change:\n{output}",
            self.timing
        );
        assert!(
            output.contains(RADIUS),
            "the plan names the account:\n{output}"
        );
        let shown = self
            .workspace
            .run(&["show", "-json", "-no-color", "refresh.plan"]);
        shown.assert_success("terraform show -json");
        let shown: Value = serde_json::from_str(&shown.stdout).unwrap();
        let drift: Vec<String> = shown["prior_state"]["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|resource| resource["address"] == RADIUS)
            .expect("the account is in the refreshed state")["values"]["drift"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|entry| entry.as_str().map(str::to_owned))
            .collect();
        for word in words {
            assert!(
                output.contains(word),
                "{:?}: the plan's output says {word:?}:\n{output}",
                self.timing
            );
            assert!(
                drift.iter().any(|entry| entry.contains(word)),
                "{:?}: the account's drift says {word:?}: {drift:?}",
                self.timing
            );
        }
        drift
    }

    /// The plan (and the apply) refuse, naming the group and how to remove the role, and change
    /// nothing in Okta.
    #[track_caller]
    fn assert_refused(&self, group_id: &str, group_name: &str, extra: &[&str]) {
        let before = self.api.role_types(&self.radius_id);
        for command in [
            vec!["plan", "-input=false", "-no-color"],
            vec!["apply", "-auto-approve", "-input=false", "-no-color"],
        ] {
            let outcome = self.workspace.run(&command);
            outcome.assert_failure(&format!("terraform {}", command[0]));
            let output = outcome.combined().replace('\n', " ");
            let output = output.split_whitespace().collect::<Vec<_>>().join(" ");
            for words in [
                "holds admin privileges the provider may not remove",
                RADIUS_LOGIN,
                group_id,
                group_name,
                &format!("DELETE /api/v1/groups/{group_id}/users/"),
            ]
            .into_iter()
            .chain(extra.iter().copied())
            {
                assert!(
                    output.contains(words),
                    "terraform {} names {words:?}:\n{output}",
                    command[0]
                );
            }
        }
        assert_eq!(
            self.api.role_types(&self.radius_id),
            before,
            "a refused plan changes nothing"
        );
    }
}

#[track_caller]
fn send(api: &Api, method: &str, path: &str, body: Option<Value>) {
    let (status, answer) = api.send(method, path, body);
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
}

/// (a) The account is added to another group that holds SUPER_ADMIN.
fn joining_a_super_admin_group_is_reported(timing: Timing) {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(timing);
    // The group and its role exist before the account's verification: only the membership
    // change comes after it.
    let admins = setup.group("Helpdesk Admins", Some("SUPER_ADMIN"));
    let setup = setup.reverified();
    setup.make(|setup| setup.add_radius_to(&admins));
    setup.assert_reported(&["SUPER_ADMIN", "through group", "Helpdesk Admins", &admins]);
    setup.assert_refused(&admins, "Helpdesk Admins", &[]);
    // The person's fix, as the message says: the account leaves the group.
    send(
        &setup.api,
        "DELETE",
        &format!("/api/v1/groups/{admins}/users/{}", setup.radius_id),
        None,
    );
    setup
        .workspace
        .assert_no_changes("after the account left the group");
}

/// (b) A group the account is already a member of is granted a role.
fn a_role_granted_to_a_group_of_the_account_is_reported(timing: Timing) {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(timing);
    let reporting = setup.group("Reporting", None);
    setup.add_radius_to(&reporting);
    // The membership is older than the verification: only the group's role grant comes after.
    let setup = setup.reverified();
    setup.make(|setup| setup.grant_to_group(&reporting, "USER_ADMIN"));
    setup.assert_reported(&["USER_ADMIN", "through group", "Reporting", &reporting]);
    setup.assert_refused(&reporting, "Reporting", &[]);
}

impl Setup {
    /// Dates the account's verification anew: a change the apply repairs (APP_ADMIN removed
    /// behind Terraform's back) makes the next apply verify it again, after everything made
    /// so far.
    fn reverified(self) -> Setup {
        let roles = self
            .api
            .get(&format!("/api/v1/users/{}/roles", self.radius_id));
        let assignment = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|role| role["type"] == "APP_ADMIN" && role["assignmentType"] == "USER")
            .unwrap_or_else(|| panic!("APP_ADMIN assigned directly: {roles}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        send(
            &self.api,
            "DELETE",
            &format!("/api/v1/users/{}/roles/{assignment}", self.radius_id),
            None,
        );
        self.workspace
            .apply()
            .assert_success("the apply that verifies the account again");
        assert!(
            self.api
                .role_types(&self.radius_id)
                .contains(&"APP_ADMIN".to_owned()),
            "the repair assigned APP_ADMIN again"
        );
        self
    }
}

#[test]
fn an_account_added_to_a_super_admin_group_after_the_lag_window_is_reported_and_refused() {
    joining_a_super_admin_group_is_reported(Timing::AfterTheLagWindow);
}

#[test]
fn an_account_added_to_a_super_admin_group_inside_the_lag_window_is_reported_and_refused() {
    joining_a_super_admin_group_is_reported(Timing::InsideTheLagWindow);
}

#[test]
fn a_role_granted_to_a_group_of_the_account_after_the_lag_window_is_reported_and_refused() {
    a_role_granted_to_a_group_of_the_account_is_reported(Timing::AfterTheLagWindow);
}

#[test]
fn a_role_granted_to_a_group_of_the_account_inside_the_lag_window_is_reported_and_refused() {
    a_role_granted_to_a_group_of_the_account_is_reported(Timing::InsideTheLagWindow);
}

#[test]
fn the_repair_removes_a_direct_role_and_a_role_of_the_service_account_group() {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(Timing::InsideTheLagWindow);
    let service_group = setup.service_group();
    send(
        &setup.api,
        "POST",
        &format!("/api/v1/users/{}/roles", setup.radius_id),
        Some(json!({"type": "SUPER_ADMIN"})),
    );
    setup.grant_to_group(&service_group, "ORG_ADMIN");
    let drift = setup.assert_reported(&["SUPER_ADMIN", "ORG_ADMIN"]);
    assert!(
        drift
            .iter()
            .any(|entry| entry.contains("remove ORG_ADMIN from the service account group")),
        "the repair of the group's role is shown: {drift:?}"
    );
    // The plan shows both repairs, and refuses nothing: both are the provider's to remove.
    let plan = setup.workspace.run(&["plan", "-input=false", "-no-color"]);
    plan.assert_success("the plan of the repair");
    let output = plan.combined();
    for words in [
        "remove the SUPER_ADMIN role assignment",
        "remove ORG_ADMIN from the service account group",
    ] {
        assert!(
            output.contains(words),
            "the plan shows {words:?}:\n{output}"
        );
    }
    setup.workspace.apply().assert_success("the repair");
    assert_eq!(
        setup.api.role_types(&setup.radius_id),
        ["APP_ADMIN", "READ_ONLY_ADMIN"],
        "the account holds exactly its kind's roles again"
    );
    assert_eq!(
        setup
            .api
            .get(&format!("/api/v1/groups/{service_group}/roles")),
        json!([]),
        "the service account group grants nothing"
    );
    setup.workspace.assert_no_changes("after the repair");
}

#[test]
fn a_plan_with_a_removable_and_a_refused_privilege_refuses_and_changes_nothing() {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(Timing::InsideTheLagWindow);
    let admins = setup.group("Domain Admins", Some("SUPER_ADMIN"));
    send(
        &setup.api,
        "POST",
        &format!("/api/v1/users/{}/roles", setup.radius_id),
        Some(json!({"type": "USER_ADMIN"})),
    );
    setup.add_radius_to(&admins);
    setup.assert_reported(&["USER_ADMIN", "SUPER_ADMIN", "Domain Admins"]);
    // USER_ADMIN alone could go; the plan refuses the whole repair rather than pretend the
    // account ends up as its kind requires.
    setup.assert_refused(&admins, "Domain Admins", &[]);
    assert!(
        setup
            .api
            .role_types(&setup.radius_id)
            .contains(&"USER_ADMIN".to_owned()),
        "nothing was removed"
    );
}

#[test]
fn a_new_account_is_finalized_without_a_role_the_service_account_group_grants() {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(Timing::InsideTheLagWindow);
    let service_group = setup.service_group();
    setup.grant_to_group(&service_group, "ORG_ADMIN");
    // A second account, created while the group grants ORG_ADMIN to every member.
    let agent_login = "oktaadagent@privileges.example";
    let main = std::fs::read_to_string(setup.workspace.dir().join(MAIN)).unwrap();
    let url = format!("{}/{ORG}", setup.emulator.url);
    setup.workspace.write(
        MAIN,
        &format!(
            "{main}resource \"okta_msp_service_account\" \"agent\" {{\n  org_url = \"{url}\"\n  kind    = \"ad_agent\"\n  login   = \"{agent_login}\"\n  email   = \"{agent_login}\"\n}}\n"
        ),
    );
    let apply = setup.workspace.apply();
    apply.assert_success("the apply that creates the second account");
    let agent_id = setup.api.get(&format!("/api/v1/users/{agent_login}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        setup.api.role_types(&agent_id),
        ["SUPER_ADMIN"],
        "the new account holds exactly its kind's role"
    );
    assert_eq!(
        setup
            .api
            .get(&format!("/api/v1/groups/{service_group}/roles")),
        json!([]),
        "the service account group grants nothing"
    );
    let state = setup.workspace.run(&[
        "state",
        "show",
        "-no-color",
        "okta_msp_service_account.agent",
    ]);
    state.assert_success("terraform state show");
    assert!(
        state.stdout.lines().any(|line| {
            let line = line.trim();
            line.starts_with("finalized ") && line.ends_with("= true")
        }),
        "the new account is finalized:\n{}",
        state.stdout
    );
}

impl Setup {
    /// A custom role (reading users) and a resource set (every user of the org), made by an
    /// admin: what a custom role assignment or binding names.
    fn custom_role_and_set(&self) -> (String, String) {
        let (status, role) = self.api.send(
            "POST",
            "/api/v1/iam/roles",
            Some(json!({
                "label": "User Reader",
                "description": "reads users",
                "permissions": ["okta.users.read"],
            })),
        );
        assert_eq!(status, 200, "creating the custom role: {role}");
        let (status, set) = self.api.send(
            "POST",
            "/api/v1/iam/resource-sets",
            Some(json!({
                "label": "Every user",
                "description": "all users of the org",
                "resources": [format!("{}/{ORG}/api/v1/users", self.emulator.url)],
            })),
        );
        assert_eq!(status, 200, "creating the resource set: {set}");
        (
            role["id"].as_str().unwrap().to_owned(),
            set["id"].as_str().unwrap().to_owned(),
        )
    }

    /// Binds `role` over `set` to the user or group at `member_path` (`/api/v1/users/{id}`).
    fn bind(&self, set: &str, role: &str, member_path: &str) {
        send(
            &self.api,
            "POST",
            &format!("/api/v1/iam/resource-sets/{set}/bindings"),
            Some(json!({
                "role": role,
                "members": [format!("{}/{ORG}{member_path}", self.emulator.url)],
            })),
        );
    }

    /// The repair apply removes the custom role and leaves the kind's roles.
    #[track_caller]
    fn assert_custom_role_removed(&self) {
        self.workspace
            .apply()
            .assert_success("the apply removing the custom role");
        assert_eq!(
            self.api.role_types(&self.radius_id),
            ["APP_ADMIN", "READ_ONLY_ADMIN"],
            "the account holds exactly its kind's roles again"
        );
        self.workspace
            .assert_no_changes("after the custom role was removed");
    }
}

/// (c) A custom role through a resource-set binding whose member is the account.
fn a_custom_role_bound_to_the_account_is_reported_and_removed(timing: Timing) {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(timing);
    let (role, set) = setup.custom_role_and_set();
    let setup = setup.reverified();
    let member = format!("/api/v1/users/{}", setup.radius_id);
    setup.make(|setup| setup.bind(&set, &role, &member));
    setup.assert_reported(&["custom role", "User Reader", &role, &set]);
    setup.assert_custom_role_removed();
}

/// (d) A custom role assigned to the account directly.
fn a_custom_role_assigned_directly_is_reported_and_removed(timing: Timing) {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(timing);
    let (role, set) = setup.custom_role_and_set();
    let setup = setup.reverified();
    setup.make(|setup| {
        send(
            &setup.api,
            "POST",
            &format!("/api/v1/users/{}/roles", setup.radius_id),
            Some(json!({"type": "CUSTOM", "role": role, "resource-set": set})),
        );
    });
    setup.assert_reported(&["custom role", "User Reader", &role, &set]);
    setup.assert_custom_role_removed();
}

#[test]
fn a_custom_role_bound_to_the_account_after_the_lag_window_is_reported_and_removed() {
    a_custom_role_bound_to_the_account_is_reported_and_removed(Timing::AfterTheLagWindow);
}

#[test]
fn a_custom_role_bound_to_the_account_inside_the_lag_window_is_reported_and_removed() {
    a_custom_role_bound_to_the_account_is_reported_and_removed(Timing::InsideTheLagWindow);
}

#[test]
fn a_custom_role_assigned_directly_after_the_lag_window_is_reported_and_removed() {
    a_custom_role_assigned_directly_is_reported_and_removed(Timing::AfterTheLagWindow);
}

#[test]
fn a_custom_role_assigned_directly_inside_the_lag_window_is_reported_and_removed() {
    a_custom_role_assigned_directly_is_reported_and_removed(Timing::InsideTheLagWindow);
}

#[test]
fn a_custom_role_bound_to_a_group_of_the_account_is_reported_and_refused_naming_the_binding() {
    if !terraform_available() {
        return;
    }
    let setup = Setup::applied(Timing::AfterTheLagWindow);
    let (role, set) = setup.custom_role_and_set();
    let auditors = setup.group("Auditors", None);
    setup.add_radius_to(&auditors);
    let setup = setup.reverified();
    setup.make(|setup| setup.bind(&set, &role, &format!("/api/v1/groups/{auditors}")));
    setup.assert_reported(&["custom role", &role, &set, "through group", "Auditors"]);
    setup.assert_refused(
        &auditors,
        "Auditors",
        &[&format!(
            "DELETE /api/v1/iam/resource-sets/{set}/bindings/{role}/members/"
        )],
    );
}

/// The plan reads no Okta: what the refresh recorded in the account's private data is what it
/// refuses on, through the real provider binary with the calls Terraform makes.
#[tokio::test]
async fn a_plan_refuses_the_privileges_its_refresh_recorded_and_a_retirement_still_goes_ahead() {
    use crate::guard_protocol::{client, config_of, errors, finalized_account, plan, with};
    use tfplugin6::value::Value;

    let (_plugin, mut client) = client().await;
    let summary = "the account holds SUPER_ADMIN through group \"Helpdesk Admins\" (00gadmins), which its admin_roles do not list";
    let prior = with(
        &finalized_account(),
        "drift",
        Value::List(vec![Value::string(summary)]),
    );
    let refusal = format!(
        "{summary}: remove the account from group \"Helpdesk Admins\" (00gadmins) (API: DELETE /api/v1/groups/00gadmins/users/{{userId}})"
    );
    let private = serde_json::to_vec(&json!({ "okta_msp_privilege_refusals": [refusal] })).unwrap();
    let config = config_of(&prior);
    let refused = plan(&mut client, &prior, &prior, &config, private.clone()).await;
    let errors = errors(&refused);
    assert_eq!(errors.len(), 1, "{errors:?}");
    for words in [
        "holds admin privileges the provider may not remove",
        "oktaadagent@msp.example",
        "\"Helpdesk Admins\" (00gadmins)",
        "DELETE /api/v1/groups/00gadmins/users/",
    ] {
        assert!(errors[0].contains(words), "{words}: {errors:?}");
    }
    // The same drift without a recorded refusal is a repair the plan shows.
    let repaired = plan(&mut client, &prior, &prior, &config, Vec::new()).await;
    assert!(
        crate::guard_protocol::errors(&repaired).is_empty(),
        "{:?}",
        repaired.diagnostics
    );
    // Retiring the account (G22) repairs nothing, so nothing is refused.
    let retiring = with(&prior, "retire_reason", Value::string("decommissioned"));
    let retired = plan(
        &mut client,
        &prior,
        &retiring,
        &config_of(&retiring),
        private,
    )
    .await;
    assert!(
        crate::guard_protocol::errors(&retired).is_empty(),
        "{:?}",
        retired.diagnostics
    );
}
