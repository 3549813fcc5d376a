//! `okta_msp_org` end to end: customer orgs created through the partner org's Org Creator API
//! with their integration accounts, and service accounts in them, all in one apply (the
//! quickstart's shape), against the emulator through the real terraform CLI.

use crate::kill_e2e::org_creations;
use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Cli, Workspace, terraform_115_available, terraform_available};

#[test]
fn quickstart_creates_orgs_and_their_accounts_and_refuses_destroy() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    let quickstart =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
    workspace.write("main.tf", &std::fs::read_to_string(quickstart).unwrap());
    workspace.init();
    let apply = workspace.apply();
    apply.assert_success("quickstart apply");
    assert!(apply.stdout.contains("6 added"), "{}", apply.stdout);
    assert!(!apply.combined().contains(&emulator.partner_token));

    let output = workspace.run(&["output", "-json", "orgs"]);
    output.assert_success("terraform output");
    let orgs: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    for key in ["acme", "globex"] {
        let url = orgs[key]["url"].as_str().unwrap();
        assert_eq!(url, format!("{}/{key}", emulator.url));
        let account = orgs[key]["integration_account_id"].as_str().unwrap();
        // The state holds the org's token (sensitive); read the org with it, as the platform would.
        let show = workspace.run(&["show", "-json"]);
        let state: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
        let org = state["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == format!("okta_msp_org.customer[\"{key}\"]"))
            .unwrap();
        assert_eq!(org["values"]["finalized"], true);
        let token = org["values"]["api_token"].as_str().unwrap();
        let api = Api::new(url, token);
        assert_eq!(api.role_types(account), vec!["SUPER_ADMIN"]);
        let me = api.get("/api/v1/users/me");
        assert_eq!(me["id"], account);
        assert_eq!(
            me["profile"]["userType"],
            "okta-msp-service-account/msp_integration/finalized"
        );
    }

    let destroy = workspace.run(&["plan", "-destroy", "-no-color", "-input=false"]);
    destroy.assert_failure("plan -destroy of finalized orgs");
    // The accounts' refusals come first: Terraform plans an org's destroy only after those of
    // the accounts that depend on it (G16 itself is pinned in guard_protocol.rs).
    assert_eq!(
        destroy
            .stderr
            .matches("cannot be destroyed (G1-G3)")
            .count(),
        4,
        "{}",
        destroy.stderr
    );

    workspace.assert_no_changes("after apply");
}

/// Okta asks for at least 30 seconds between an org's creation and the first request to it;
/// `new_org_wait_seconds` sets the wait (here 2 s, overriding the test environment's 0), and the
/// new org's first change comes no sooner.
#[test]
fn a_new_org_is_first_changed_only_after_the_configured_wait() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
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
  partner_url          = "{partner_url}"
  partner_token        = "{partner_token}"
  new_org_wait_seconds = 2
}}
resource "okta_msp_org" "acme" {{
  name              = "Acme"
  subdomain         = "acme-wait"
  integration_login = "msp-integration@acme.example"
  integration_email = "msp-integration@acme.example"
}}
"#,
            partner_url = emulator.partner_url,
            partner_token = emulator.partner_token
        ),
    );
    workspace.init();
    workspace.apply().assert_success("apply");
    let published = |api: &Api, event_type: &str| {
        let events = api.get(&format!(
            "/api/v1/logs?since=2000-01-01T00:00:00.000Z&filter=eventType%20eq%20%22{event_type}%22"
        ));
        let text = events[0]["published"].as_str().unwrap().to_owned();
        time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let created = published(
        &Api::new(&emulator.partner_url, &emulator.partner_token),
        "system.org.lifecycle.create",
    );
    let state = crate::support::scenario::show_json(&workspace);
    let org = &crate::support::scenario::resources(&state)[0]["values"];
    let child = Api::new(
        org["url"].as_str().unwrap(),
        org["api_token"].as_str().unwrap(),
    );
    let first_change = published(&child, "group.lifecycle.create");
    let waited = first_change - created;
    assert!(
        waited >= time::Duration::seconds(2),
        "the first change came {waited} after the creation"
    );
}

fn interrupted_org_config(emulator: &Emulator, subdomain: &str, wait_seconds: u32) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  partner_url          = "{partner_url}"
  partner_token        = "{partner_token}"
  new_org_wait_seconds = {wait_seconds}
}}
resource "okta_msp_org" "customer" {{
  name              = "Interrupted"
  subdomain         = "{subdomain}"
  integration_login = "msp-integration@{subdomain}.example"
  integration_email = "msp-integration@{subdomain}.example"
}}
"#,
        partner_url = emulator.partner_url,
        partner_token = emulator.partner_token
    )
}

/// Ctrl-C (SIGINT to terraform, which asks the provider to stop) after Okta created the org, in
/// the wait Okta asks for and in the integration account's set-up: the org and its token reach
/// state anyway, and the next apply finishes the same org. Before this, the provider cancelled
/// the create and the org's only credential was lost.
#[test]
fn ctrl_c_during_an_org_create_keeps_the_org_and_the_next_apply_finishes_it() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    for (round, (subdomain, wait_seconds, slow_set_up)) in
        [("ctrlc-wait", 60, false), ("ctrlc-setup", 0, true)]
            .into_iter()
            .enumerate()
    {
        if slow_set_up {
            // Every group call of the new org takes two seconds: the set-up is under way when
            // the interrupt comes.
            emulator.add_fault(serde_json::json!({
                "kind": "latency", "latency_ms": 2000, "org": subdomain,
                "route": "/api/v1/groups",
            }));
        }
        let workspace = Workspace::new();
        workspace.write(
            "main.tf",
            &interrupted_org_config(&emulator, subdomain, wait_seconds),
        );
        workspace.init();
        let creations_before = org_creations(&emulator);
        let mut run = workspace.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while org_creations(&emulator) == creations_before {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: the org was never created"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        // SAFETY: kill(2) with the pid of a child this test started and has not reaped.
        unsafe { libc::kill(run.child.id() as i32, libc::SIGINT) };
        let status = run.child.wait().unwrap();
        let interrupted = run.outcome(status);
        assert!(
            !interrupted.success,
            "round {round}: the interrupted apply reports the interruption:\n{}",
            interrupted.combined()
        );
        assert!(
            interrupted.combined().contains("was interrupted"),
            "round {round}:\n{}",
            interrupted.combined()
        );
        let state = crate::support::scenario::show_json(&workspace);
        let org = &crate::support::scenario::resources(&state)[0]["values"];
        let (id, url, token) = (
            org["id"].as_str().unwrap_or_default().to_owned(),
            org["url"].as_str().unwrap_or_default().to_owned(),
            org["api_token"].as_str().unwrap_or_default().to_owned(),
        );
        assert!(
            !id.is_empty() && !url.is_empty() && !token.is_empty(),
            "round {round}: the org and its token are in state: {org}"
        );
        assert_eq!(org["finalized"], false, "round {round}");

        // The next apply, with nothing slow and no wait, finishes the same org.
        emulator.control("DELETE", "/faults", None);
        workspace.write("main.tf", &interrupted_org_config(&emulator, subdomain, 0));
        workspace
            .apply()
            .assert_success(&format!("round {round}: the apply after the interrupt"));
        let state = crate::support::scenario::show_json(&workspace);
        let org = &crate::support::scenario::resources(&state)[0]["values"];
        assert_eq!(org["id"], id.as_str(), "round {round}: the same org");
        assert_eq!(org["finalized"], true, "round {round}");
        assert_eq!(
            org_creations(&emulator),
            creations_before + 1,
            "round {round}: one org made"
        );
        let me = Api::new(&url, &token).get("/api/v1/users/me");
        assert_eq!(
            me["profile"]["userType"], "okta-msp-service-account/msp_integration/finalized",
            "round {round}: {me}"
        );
    }
}

/// A finalized org's integration account whose finalized mark (`userType`) was edited in Okta,
/// then erased: each time a scheduled `plan -refresh-only -detailed-exitcode` exits 2, the
/// org's `drift` says what to restore, the plan shows the repair with a warning (G12), the apply
/// writes the mark back and nothing else (the account's password and roles stay), and the next
/// plan has nothing to do. An unchanged org exits 0, also with a state written before `drift`
/// existed. Before, the org's refresh read only the org, and a second workspace could then adopt
/// the org's only super admin (G18).
#[test]
fn an_erased_integration_mark_is_reported_by_the_org_refresh_and_restored_by_the_next_apply() {
    if terraform_available() {
        integration_mark_round_trip(Cli::Installed, "mark-drift");
    }
}

#[test]
fn an_erased_integration_mark_is_reported_and_restored_on_terraform_1_15() {
    if terraform_115_available() {
        integration_mark_round_trip(Cli::Libterraform115, "mark-drift-115");
    }
}

fn integration_mark_round_trip(cli: Cli, subdomain: &str) {
    let emulator = Emulator::start();
    let workspace = Workspace::on(cli);
    workspace.write("main.tf", &interrupted_org_config(&emulator, subdomain, 0));
    workspace.init();
    workspace.apply().assert_success("the org's first apply");
    let show = workspace.run(&["show", "-json"]);
    let state: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    let org = &state["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(org["finalized"], true, "{org:#}");
    assert_eq!(org["drift"], serde_json::json!([]), "{org:#}");
    let account = org["integration_account_id"].as_str().unwrap().to_owned();
    let api = Api::new(
        org["url"].as_str().unwrap(),
        org["api_token"].as_str().unwrap(),
    );
    let refresh_only = || {
        workspace.run(&[
            "plan",
            "-refresh-only",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
        ])
    };
    let unchanged = refresh_only();
    assert_eq!(unchanged.code, Some(0), "{}", unchanged.combined());
    forget_drift_in_state(&workspace);
    let upgraded = refresh_only();
    assert_eq!(
        upgraded.code,
        Some(0),
        "a state from before `drift`, nothing drifted: {}",
        upgraded.combined()
    );

    let path = format!("/api/v1/users/{account}");
    let mark = "okta-msp-service-account/msp_integration/finalized";
    let before = api.get(&path);
    assert_eq!(before["profile"]["userType"], mark);
    let roles = api.role_types(&account);
    let password_changed = before["passwordChanged"].clone();
    for edited in [serde_json::json!("Employee"), serde_json::json!(null)] {
        let (status, body) = api.send(
            "POST",
            &path,
            Some(serde_json::json!({"profile": {"userType": edited}})),
        );
        assert_eq!(status, 200, "{body}");
        let scheduled = refresh_only();
        assert_eq!(
            scheduled.code,
            Some(2),
            "{edited}: the drift check reports it: {}",
            scheduled.combined()
        );
        assert!(
            scheduled
                .combined()
                .contains("restore the integration account's finalized mark"),
            "{edited}: {}",
            scheduled.combined()
        );
        let plan = workspace.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(
            plan.code,
            Some(2),
            "{edited}: a change: {}",
            plan.combined()
        );
        let text = plan.combined();
        assert!(
            text.contains("drifted; this plan repairs it (G12)")
                && text.contains("restore the integration account's finalized mark"),
            "{edited}: {text}"
        );
        assert!(text.contains("~ drift"), "{edited}: shown as drift: {text}");
        workspace
            .apply()
            .assert_success(&format!("{edited}: the repair"));
        let after = api.get(&path);
        assert_eq!(after["profile"]["userType"], mark, "{edited}: {after:#}");
        assert_eq!(after["status"], "ACTIVE", "{edited}");
        assert_eq!(
            after["passwordChanged"], password_changed,
            "{edited}: the password is untouched"
        );
        assert_eq!(api.role_types(&account), roles, "{edited}: roles untouched");
        workspace.assert_no_changes(&format!("{edited}: after the repair"));
        let repaired = refresh_only();
        assert_eq!(repaired.code, Some(0), "{edited}: {}", repaired.combined());
    }
}

/// Rewrites the local state as a provider version before `drift` left it: the attribute gone.
fn forget_drift_in_state(workspace: &Workspace) {
    let path = workspace.dir().join("terraform.tfstate");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let attributes = &mut state["resources"][0]["instances"][0]["attributes"];
    assert!(attributes["drift"].is_array(), "{attributes:#}");
    attributes.as_object_mut().unwrap().remove("drift");
    state["serial"] = serde_json::json!(state["serial"].as_u64().unwrap() + 1);
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
}

/// Without a fleet key, a create whose subdomain another configuration's finished org holds
/// finds no birth helper keeping a token (the other run returned its org to Terraform, and its
/// helper let go): the apply fails with `already exists`, says that no helper on this machine
/// keeps the token and for how long one would, and gives the manual steps.
#[test]
fn a_subdomain_taken_by_a_finished_org_is_refused_saying_no_helper_keeps_its_token() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let subdomain = "taken-twice";
    let first = Workspace::new();
    first.write("main.tf", &interrupted_org_config(&emulator, subdomain, 0));
    first.init();
    first
        .apply()
        .assert_success("the first configuration creates the org");
    // Had the first run's helper kept the token after its create returned, the helper (its
    // provider gone with the run) would hand it to the second configuration, whose apply
    // would then succeed: the refusal below also shows that the helper let go.
    let second = Workspace::new();
    second.write("main.tf", &interrupted_org_config(&emulator, subdomain, 0));
    second.init();
    let refused = second.apply();
    assert!(!refused.success, "{}", refused.combined());
    let text = refused.combined();
    for expected in [
        &format!("Org \"{subdomain}\" already exists") as &str,
        "No birth helper of an earlier run keeps its token on this machine",
        "30 minutes",
        "Forgot password?",
        "import {",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(
        !text.contains(&emulator.partner_token),
        "no secret in the error"
    );
}
