//! Interruptions at chosen moments, through the real CLI (issue 25): a run killed right after
//! Okta committed an account's finalization, whose next plain `terraform apply` must resume the
//! account with no manual step while any other configuration is still refused (G14, G20).

use std::time::{Duration, Instant};

use crate::kill_e2e::{process_alive, provider_children};
use crate::support::scenario::{
    Scenario, account, config, errors, resources, run, show_json, warnings,
};
use crate::support::terraform::{Workspace, terraform_available};

/// The configuration's name: what the provider writes beside the finalized mark.
const OWNER: &str = "msp-fleet-prod";

#[derive(Clone, Copy, Debug)]
pub(crate) enum Victim {
    Terraform,
    Provider,
}

/// Kills `victim` of the run `apply` once its provider process is found; returns once Terraform
/// and its provider are gone.
pub(crate) fn kill(apply: &mut crate::support::terraform::Spawned, victim: Victim) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let providers = loop {
        let providers = provider_children(apply.child.id());
        if !providers.is_empty() {
            break providers;
        }
        assert!(Instant::now() < deadline, "no provider process to kill");
        std::thread::sleep(Duration::from_millis(5));
    };
    match victim {
        Victim::Terraform => {
            apply.child.kill().unwrap();
            apply.child.wait().unwrap();
        }
        Victim::Provider => {
            for pid in &providers {
                // SAFETY: kill(2) with the pid of a process this test found as Terraform's child.
                unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
            }
            apply.child.wait().unwrap();
        }
    }
    for pid in providers {
        let gone = Instant::now() + Duration::from_secs(5);
        while process_alive(pid) {
            assert!(
                Instant::now() < gone,
                "the provider {pid} outlived the kill"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Killed after the finalization's commit and before its answer (the emulator holds the answer
/// for two minutes): Okta records the account finalized, no state records it. Another
/// configuration (another name, or none) planning the same login is refused (G14) and changes
/// nothing; the killed configuration's next plain `terraform apply` takes the account as its
/// own (G20), same id, untouched, with no `import` block. Before, that apply failed with G14.
#[test]
fn a_run_killed_after_the_finalize_commit_converges_with_one_plain_apply() {
    if !terraform_available() {
        return;
    }
    let mut scenario = Scenario::empty("kill-final");
    scenario.workspace.set_env("OKTA_MSP_BASELINE_OWNER", OWNER);
    let mut body = String::new();
    for (round, victim) in [Victim::Terraform, Victim::Provider]
        .into_iter()
        .enumerate()
    {
        let name = format!("radius_{round}");
        let login = format!("okta-radius-{round}@msp.example");
        body.push_str(&account(&name, "radius", &login, ""));
        scenario.write(&body);
        // A new account's only profile write is its finalization.
        scenario.emulator.add_fault(serde_json::json!({
            "org": scenario.subdomain, "route": "/api/v1/users/{userId}", "method": "POST",
            "kind": "delay_after_commit", "latency_ms": 120000, "times": 1
        }));
        let mut apply = scenario
            .workspace
            .spawn(&["apply", "-auto-approve", "-input=false"]);
        let deadline = Instant::now() + Duration::from_secs(90);
        let user = loop {
            let users = scenario.users_with_login(&login);
            if let Some(user) = users.first().filter(|u| {
                u["profile"]["userType"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("/finalized"))
            }) {
                break user.clone();
            }
            assert!(
                apply.child.try_wait().unwrap().is_none(),
                "{victim:?}: the apply ended before the finalization"
            );
            assert!(Instant::now() < deadline, "{victim:?}: never finalized");
            std::thread::sleep(Duration::from_millis(20));
        };
        kill(&mut apply, victim);
        let id = user["id"].as_str().unwrap().to_owned();
        let address = format!("okta_msp_service_account.{name}");
        assert!(
            !resources(&scenario.state())
                .iter()
                .any(|r| r["address"] == address.as_str()),
            "{victim:?}: the killed run never recorded {address}"
        );
        assert_eq!(
            user["profile"]["organization"],
            format!("okta-msp configuration {OWNER}"),
            "{victim:?}: the mark names the configuration"
        );

        if round == 0 {
            strangers_are_refused(&scenario, &login, &id);
        }

        let snapshot = scenario.snapshot(&id);
        let apply = scenario.apply(&[]);
        apply.assert_success(&format!("{victim:?}: one plain apply after the kill"));
        assert!(
            errors(&apply).is_empty() && !apply.combined().contains("(G14)"),
            "{victim:?}: {}",
            apply.combined()
        );
        assert!(
            warnings(&apply).iter().any(|w| w.summary.contains("(G20)")),
            "{victim:?}: the apply says it recorded its own account: {}",
            apply.combined()
        );
        let values = scenario.values(&address);
        assert_eq!(values["id"], id.as_str(), "{victim:?}: the same account");
        assert_eq!(values["finalized"], true, "{victim:?}");
        assert_eq!(scenario.users_with_login(&login).len(), 1, "{victim:?}");
        assert_eq!(
            scenario.snapshot(&id).setup(),
            snapshot.setup(),
            "{victim:?}: untouched in Okta"
        );
        assert!(
            !scenario.workspace.dir().join("imports.tf").exists(),
            "no manual step"
        );
        scenario
            .workspace
            .assert_no_changes(&format!("{victim:?}: after converging"));
    }
}

/// Workspaces with an empty state that declare the killed run's account: one with another name,
/// one unnamed. Both plans and applies are refused with G14 and write nothing.
fn strangers_are_refused(scenario: &Scenario, login: &str, id: &str) {
    let mutations = scenario.mutations();
    for owner in [Some("someone-else"), None] {
        let mut stranger = Workspace::new();
        if let Some(owner) = owner {
            stranger.set_env("OKTA_MSP_BASELINE_OWNER", owner);
        }
        stranger.write(
            "main.tf",
            &config(&scenario.org, &account("theirs", "radius", login, "")),
        );
        stranger.init();
        for command in [
            &["plan", "-input=false"][..],
            &["apply", "-auto-approve", "-input=false"],
        ] {
            let outcome = run(&stranger, command);
            let refused = errors(&outcome);
            assert!(
                !outcome.success && refused.iter().any(|e| e.summary.contains("(G14)")),
                "{owner:?} {command:?}: a stranger is refused: {}",
                outcome.combined()
            );
            assert!(
                refused.iter().any(|e| e.body.contains(id)),
                "{owner:?} {command:?}: the refusal names the account: {}",
                outcome.combined()
            );
        }
        assert!(
            resources(&show_json(&stranger)).is_empty(),
            "{owner:?}: nothing adopted"
        );
    }
    assert_eq!(
        scenario.mutations(),
        mutations,
        "the strangers wrote nothing"
    );
}
