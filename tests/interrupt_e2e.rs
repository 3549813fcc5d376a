//! Interruptions at chosen moments, through the real CLI (issue 25): a run killed right after
//! Okta committed an account's finalization, whose next plain `terraform apply` must resume the
//! account with no manual step while any other configuration is still refused (G14, G20); and
//! ten interrupts (Ctrl-C, SIGKILL of terraform, SIGKILL of the provider) at seeded points of an
//! `okta_msp_org` create, each followed by one apply that must converge.

use std::time::{Duration, Instant};

use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};

use crate::kill_e2e::{Recovery, org_creations, process_alive, provider_children};
use crate::oauth_client::EC_PRIVATE_JWK;
use crate::support::emulator::{Api, Emulator};
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
/// and its provider are gone. False when Terraform ended first, with no provider to kill.
pub(crate) fn kill(apply: &mut crate::support::terraform::Spawned, victim: Victim) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    let providers = loop {
        let providers = provider_children(apply.child.id());
        if !providers.is_empty() {
            break providers;
        }
        if let Some(status) = apply.child.try_wait().unwrap() {
            let outcome = apply.outcome(status);
            assert!(
                outcome.success,
                "an apply that ends before its kill succeeds:\n{}",
                outcome.combined()
            );
            return false;
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
    true
}

/// Killed after the finalization's commit and before its answer (the emulator holds the answer
/// for two minutes): Okta records the account finalized, no state records it. Another
/// configuration (another name, or none) planning the same login is refused (G14) and changes
/// nothing; the killed configuration's next plain `terraform apply` takes the account as its
/// own (G20), same id, untouched, with no `import` block. Before, that apply failed with G14.
#[test]
fn a_run_killed_after_the_finalize_commit_converges_with_one_plain_apply() {
    killed_after_the_finalize_commit(Some(OWNER));
}

/// The same for a configuration without `baseline_owner`: it signs its finalization with where
/// it runs (its directory and Terraform workspace), so the same directory converges with one
/// plain apply, while the same configuration copied to another directory, or applied in another
/// Terraform workspace of the same directory, is refused (G14). Before, it needed the `import`
/// block.
#[test]
fn an_unnamed_run_killed_after_the_finalize_commit_converges_with_one_plain_apply() {
    killed_after_the_finalize_commit(None);
}

fn killed_after_the_finalize_commit(owner: Option<&str>) {
    if !terraform_available() {
        return;
    }
    let mut scenario = Scenario::empty(if owner.is_some() {
        "kill-final"
    } else {
        "kill-unnamed"
    });
    if let Some(owner) = owner {
        scenario.workspace.set_env("OKTA_MSP_BASELINE_OWNER", owner);
    }
    let mut body = String::new();
    let mut signature = None;
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
        assert!(
            kill(&mut apply, victim),
            "{victim:?}: the apply was still running"
        );
        let id = user["id"].as_str().unwrap().to_owned();
        let address = format!("okta_msp_service_account.{name}");
        assert!(
            !resources(&scenario.state())
                .iter()
                .any(|r| r["address"] == address.as_str()),
            "{victim:?}: the killed run never recorded {address}"
        );
        let signed = user["profile"]["organization"].as_str().unwrap_or_default();
        match owner {
            Some(owner) => assert_eq!(
                signed,
                format!("okta-msp configuration {owner}"),
                "{victim:?}: the mark names the configuration"
            ),
            None => {
                let digest = signed
                    .strip_prefix("okta-msp unnamed configuration ")
                    .unwrap_or_else(|| panic!("{victim:?}: the mark says where: {signed:?}"));
                assert!(
                    digest.len() >= 16 && digest.chars().all(|c| c.is_ascii_hexdigit()),
                    "{victim:?}: a digest, not the path: {signed:?}"
                );
                // Both runs came from the same directory and workspace.
                assert_eq!(
                    signature.get_or_insert_with(|| signed.to_owned()),
                    signed,
                    "{victim:?}"
                );
            }
        }

        if round == 0 {
            strangers_are_refused(&scenario, &login, &id);
            if owner.is_none() {
                another_workspace_of_the_directory_is_refused(&scenario, &login, &id);
            }
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
        assert_refused(&stranger, &format!("{owner:?}"), id);
    }
    assert_eq!(
        scenario.mutations(),
        mutations,
        "the strangers wrote nothing"
    );
}

/// An unnamed configuration's killed finalization belongs to its directory and Terraform
/// workspace: another workspace of the same directory (`terraform workspace new`, an empty
/// state, the same files) is a stranger too.
fn another_workspace_of_the_directory_is_refused(scenario: &Scenario, login: &str, id: &str) {
    let mutations = scenario.mutations();
    let workspace = &scenario.workspace;
    run(workspace, &["workspace", "new", "stranger"]).assert_success("a second workspace");
    assert!(
        resources(&show_json(workspace)).is_empty(),
        "the new workspace starts empty"
    );
    assert_refused(workspace, "another Terraform workspace", id);
    run(workspace, &["workspace", "select", "default"]).assert_success("back to default");
    assert_eq!(
        scenario.mutations(),
        mutations,
        "the other workspace wrote nothing"
    );
    assert!(
        scenario.users_with_login(login).len() == 1,
        "still one account"
    );
}

/// `workspace`'s plan and apply are both refused with G14 naming the account `id`.
fn assert_refused(workspace: &Workspace, who: &str, id: &str) {
    for command in [
        &["plan", "-input=false"][..],
        &["apply", "-auto-approve", "-input=false"],
    ] {
        let outcome = run(workspace, command);
        let refused = errors(&outcome);
        assert!(
            !outcome.success && refused.iter().any(|e| e.summary.contains("(G14)")),
            "{who} {command:?}: a stranger is refused: {}",
            outcome.combined()
        );
        assert!(
            refused.iter().any(|e| e.body.contains(id)),
            "{who} {command:?}: the refusal names the account: {}",
            outcome.combined()
        );
    }
    assert!(
        resources(&show_json(workspace)).is_empty(),
        "{who}: nothing adopted"
    );
}

/// The interruptions of issue 25's ten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Interrupt {
    /// Ctrl-C: Terraform asks the provider to stop and waits for it.
    Sigint,
    /// SIGKILL of `terraform`; its provider notices and exits.
    KillTerraform,
    /// SIGKILL of the provider process alone.
    KillProvider,
}

fn org_main_tf(subdomain: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
resource "okta_msp_org" "customer" {{
  name              = "Interrupted {subdomain}"
  subdomain         = "{subdomain}"
  integration_login = "msp-integration@{subdomain}.example"
  integration_email = "msp-integration@{subdomain}.example"
}}
"#
    )
}

/// Requests the emulator served to the org `subdomain`.
fn org_requests(emulator: &Emulator, subdomain: &str) -> u64 {
    emulator.control("GET", "/stats", None).1["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["org"] == subdomain)
        .filter_map(|r| r["count"].as_u64())
        .sum()
}

/// A workspace for one org create, its provider reading the partner org and the fleet key from
/// the environment (`provider.tf` as a recovery would write it, with no token in it).
fn org_workspace(emulator: &Emulator, subdomain: &str) -> Workspace {
    workspace_for(emulator, subdomain, Access::FleetKey)
}

/// How the interrupted configuration reaches its new org.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// A fleet key: the org's birth registers its service app.
    FleetKey,
    /// None: the org's API token, kept by its birth helper until state holds it.
    Token,
}

fn workspace_for(emulator: &Emulator, subdomain: &str, access: Access) -> Workspace {
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    if access == Access::FleetKey {
        workspace.set_env("OKTA_MSP_FLEET_KEY", EC_PRIVATE_JWK);
    }
    workspace.write("main.tf", &org_main_tf(subdomain));
    Recovery::default().write(&workspace);
    workspace.init();
    workspace
}

/// Issue 25's ten interrupts of an `okta_msp_org` create with a fleet key (4 Ctrl-C, 3 SIGKILL
/// of terraform, 3 of the provider, in a seeded order), each at a seeded point: `k` requests to
/// the new org after the partner org received its creation, `k` drawn below what a whole create
/// sends (measured first). Each is followed by one plain `terraform apply`.
/// `OKTA_MSP_INTERRUPT_SEED=N` replays a run.
///
/// Asserted: every interrupt, a SIGKILL of the provider included, converges with that one
/// apply, the same org, no manual step: the org's birth runs in a helper process that neither
/// kind of kill ends, it registers the org's service app, and the next apply waits for it (its
/// lock) and reaches the org through that app. The counts are printed.
#[test]
fn ten_interrupts_of_an_org_create_each_followed_by_one_apply() {
    interrupts_of_an_org_create_each_followed_by_one_apply(Access::FleetKey, [4, 3, 3]);
}

/// The same without a fleet key (2 Ctrl-C, 2 SIGKILL of terraform, 2 of the provider): the
/// org's birth helper keeps its API token until the create returns it to Terraform, and hands
/// it to the next apply when the create's process died first. Every interrupt converges with
/// one plain apply, the same org, on its token, no manual step.
#[test]
fn six_interrupts_of_an_org_create_without_a_fleet_key_each_followed_by_one_apply() {
    interrupts_of_an_org_create_each_followed_by_one_apply(Access::Token, [2, 2, 2]);
}

/// `counts` interrupts of each kind (Ctrl-C, SIGKILL of terraform, of the provider) in a seeded
/// order, each at a seeded point, each followed by one plain apply that must converge.
fn interrupts_of_an_org_create_each_followed_by_one_apply(access: Access, counts: [usize; 3]) {
    if !terraform_available() {
        return;
    }
    let seed = std::env::var("OKTA_MSP_INTERRUPT_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("interrupt test: OKTA_MSP_INTERRUPT_SEED={seed}");
    let mut random = rand::rngs::StdRng::seed_from_u64(seed);
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    // Okta answers in tens of milliseconds: so does the emulator here, and an interrupt lands
    // within a request of its point (the test looks every 2 ms).
    emulator.add_fault(serde_json::json!({"kind": "latency", "latency_ms": 20, "jitter_ms": 10}));

    // An uninterrupted create: how many requests the new org receives.
    let prefix = match access {
        Access::FleetKey => "int",
        Access::Token => "tok",
    };
    let reference = workspace_for(&emulator, &format!("{prefix}-ref"), access);
    reference.apply().assert_success("the uninterrupted create");
    let whole = org_requests(&emulator, &format!("{prefix}-ref"));
    eprintln!("interrupt test: an uninterrupted org create sends {whole} requests to the new org");
    assert!(whole > 5, "{whole}");

    let mut kinds: Vec<Interrupt> = [
        Interrupt::Sigint,
        Interrupt::KillTerraform,
        Interrupt::KillProvider,
    ]
    .into_iter()
    .zip(counts)
    .flat_map(|(kind, count)| std::iter::repeat_n(kind, count))
    .collect();
    kinds.shuffle(&mut random);
    let mut converged: std::collections::BTreeMap<Interrupt, usize> = Default::default();
    for (round, kind) in kinds.into_iter().enumerate() {
        let mut point = random.random_range(0..whole);
        let (subdomain, workspace, landed) = loop {
            let subdomain = format!("{prefix}-{round}-{point}");
            let workspace = workspace_for(&emulator, &subdomain, access);
            if let Some(landed) =
                interrupt_org_create(&workspace, &emulator, &subdomain, kind, point)
            {
                break (subdomain, workspace, landed);
            }
            // The create ended before the point: a point earlier in it.
            eprintln!("interrupt test: round {round}: the apply ended before point {point}");
            point /= 2;
        };
        let interrupted_state = org_values(&workspace);
        let creations_before = org_creations(&emulator);
        run(&workspace, &["apply", "-auto-approve", "-input=false"]).assert_success(&format!(
            "round {round}: a {kind:?} at point {point} converges with one plain apply"
        ));
        if access == Access::Token {
            // The token came from state (Ctrl-C) or from the killed run's helper, which is
            // asked before the Org Creator: Okta is not asked for the org again.
            assert_eq!(
                org_creations(&emulator),
                creations_before,
                "round {round}: no second Org Creator call"
            );
        }
        let org = assert_converged(
            &workspace,
            &emulator,
            &subdomain,
            access,
            &format!("round {round}"),
        );
        if let Some(before) = interrupted_state {
            assert_eq!(org["id"], before["id"], "round {round}: the same org");
        }
        eprintln!(
            "interrupt test: round {round}: {kind:?} at point {point} of {whole} (the org had served {landed} when the run was gone): converged"
        );
        *converged.entry(kind).or_default() += 1;
    }
    eprintln!(
        "interrupt test: seed {seed}: converged with one plain apply, by interrupt: {converged:?}"
    );
}

/// The id of the org `subdomain` as Okta knows it, read with a token its integration account
/// creates in the Admin Console (the subdomain is unique: this is the only org it names).
fn org_id_in_okta(emulator: &Emulator, subdomain: &str) -> String {
    let login = format!("msp-integration@{subdomain}.example");
    let (status, created) = emulator.control(
        "POST",
        &format!(
            "/orgs/{subdomain}/users/{}/api-tokens",
            login.replace('@', "%40")
        ),
        Some(serde_json::json!({ "name": "read by the interrupt test" })),
    );
    assert_eq!(status, 201, "{created}");
    let api = Api::new(
        &format!("{}/{subdomain}", emulator.url),
        created["token"].as_str().unwrap(),
    );
    api.get("/api/v1/org")["id"].as_str().unwrap().to_owned()
}

/// Whether okta-msp's app in the org holds the scopes with which the fleet key finishes its
/// set-up alone (and so its role, assigned before them).
fn app_can_finish_itself(emulator: &Emulator, subdomain: &str) -> bool {
    let (status, apps) = emulator.control("GET", &format!("/orgs/{subdomain}/service-apps"), None);
    assert_eq!(status, 200, "{apps}");
    let client_id = format!("okta-msp-fleet-{subdomain}");
    apps.as_array().into_iter().flatten().any(|app| {
        app["client_id"] == client_id.as_str()
            && ["okta.apps.read", "okta.appGrants.manage"]
                .iter()
                .all(|scope| {
                    app["scopes"]
                        .as_array()
                        .is_some_and(|scopes| scopes.iter().any(|s| s == scope))
                })
    })
}

/// What was the one window nothing survived (issue 25): the provider process killed after Okta
/// created the org and before its service app exists (the app's creation is held for 5 s, and
/// the kill comes once the new org answered its first request). The org's birth goes on in its
/// helper process, which outlives the kill; the next plain apply, started at once, waits for
/// that birth (its lock) and converges with the same org, reached through its app with the
/// fleet key, with no manual step; the helper has ended by then.
#[test]
fn a_provider_killed_before_the_org_s_app_exists_converges_with_one_plain_apply() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let subdomain = "int-window";
    emulator.add_fault(serde_json::json!({
        "org": subdomain, "route": "/api/v1/apps", "method": "POST",
        "kind": "latency", "latency_ms": 5000
    }));
    let workspace = org_workspace(&emulator, subdomain);
    let creations_before = org_creations(&emulator);
    let mut apply = workspace.spawn(&["apply", "-auto-approve", "-input=false"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while org_creations(&emulator) == creations_before || org_requests(&emulator, subdomain) < 1 {
        assert!(
            apply.child.try_wait().unwrap().is_none(),
            "the apply ended before the org's app existed"
        );
        assert!(Instant::now() < deadline, "the org was never created");
        std::thread::sleep(Duration::from_millis(2));
    }
    let providers = provider_children(apply.child.id());
    assert_eq!(providers.len(), 1, "one provider process: {providers:?}");
    let helpers = provider_children(providers[0]);
    assert_eq!(helpers.len(), 1, "the provider's birth helper: {helpers:?}");
    assert!(kill(&mut apply, Victim::Provider));
    assert!(
        !app_can_finish_itself(&emulator, subdomain),
        "the kill landed before the org's app could be reached with the fleet key"
    );
    assert!(
        process_alive(helpers[0]),
        "the birth helper outlived the provider's SIGKILL"
    );
    let apply = run(&workspace, &["apply", "-auto-approve", "-input=false"]);
    assert!(apply.success, "{}", apply.combined());
    assert!(errors(&apply).is_empty(), "{}", apply.combined());
    assert_converged(
        &workspace,
        &emulator,
        subdomain,
        Access::FleetKey,
        "the plain apply after the kill",
    );
    let gone = Instant::now() + Duration::from_secs(10);
    while process_alive(helpers[0]) {
        assert!(
            Instant::now() < gone,
            "the birth helper ended with its work"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Requests the org `subdomain` received for `method route` (counted as they arrive).
fn route_requests(emulator: &Emulator, subdomain: &str, method: &str, route: &str) -> u64 {
    emulator.control("GET", "/stats", None).1["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["org"] == subdomain && r["method"] == method && r["route"] == route)
        .filter_map(|r| r["count"].as_u64())
        .sum()
}

/// The org's birth helper itself killed at the end of its work: it registered the org's app,
/// and Okta committed the revocation of the Org Creator's token, but the helper died before it
/// could report (the revocation's answer is held after the commit). The provider returns the
/// org with the token it was told first, which Okta now refuses. The next plain apply finds
/// okta-msp's app standing in for the token (a warning) and converges with the same org, no
/// manual step.
#[test]
fn a_birth_helper_killed_after_revoking_the_token_converges_with_one_plain_apply() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let subdomain = "int-revoked";
    const REVOKE: &str = "/api/v1/api-tokens/current";
    emulator.add_fault(serde_json::json!({
        "org": subdomain, "route": REVOKE, "method": "DELETE",
        "kind": "delay_after_commit", "latency_ms": 120000, "times": 1
    }));
    let workspace = org_workspace(&emulator, subdomain);
    let mut apply = workspace.spawn(&["apply", "-auto-approve", "-input=false"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while route_requests(&emulator, subdomain, "DELETE", REVOKE) == 0 {
        assert!(
            apply.child.try_wait().unwrap().is_none(),
            "the apply ended before the token's revocation"
        );
        assert!(Instant::now() < deadline, "the token was never revoked");
        std::thread::sleep(Duration::from_millis(2));
    }
    // The request is counted as it arrives; Okta's commit follows at once.
    std::thread::sleep(Duration::from_millis(300));
    let providers = provider_children(apply.child.id());
    assert_eq!(providers.len(), 1, "one provider process: {providers:?}");
    let helpers = provider_children(providers[0]);
    assert_eq!(helpers.len(), 1, "the provider's birth helper: {helpers:?}");
    // SAFETY: kill(2) on the helper's pid, read from /proc a moment ago; it cannot have been
    // reaped and reused, since its parent (the provider) waits for it.
    unsafe { libc::kill(helpers[0] as i32, libc::SIGKILL) };
    let status = apply.child.wait().unwrap();
    let first = apply.outcome(status);
    assert!(!first.success, "{}", first.combined());
    assert!(
        first.stderr.contains("ended without an answer"),
        "the apply says the registration's report was lost:\n{}",
        first.combined()
    );
    let saved = org_values(&workspace).expect("the org is in state");
    assert!(saved["api_token"].is_string(), "{saved}");
    assert_eq!(saved["service_app_client_id"], serde_json::Value::Null);

    let again = run(&workspace, &["apply", "-auto-approve", "-input=false"]);
    assert!(again.success, "{}", again.combined());
    assert!(errors(&again).is_empty(), "{}", again.combined());
    assert!(
        again.combined().contains("reached through its service app"),
        "the warning says the app stands in for the revoked token:\n{}",
        again.combined()
    );
    assert_converged(
        &workspace,
        &emulator,
        subdomain,
        Access::FleetKey,
        "the plain apply after the helper's kill",
    );
}

/// Asserts that `workspace` converged on the org `subdomain` the interrupted run created: in
/// state, finalized, Okta's id and URL, reached as `access` says (its app, no token; or its
/// token), and a next plan with nothing to do. Answers the org's values in state.
fn assert_converged(
    workspace: &Workspace,
    emulator: &Emulator,
    subdomain: &str,
    access: Access,
    what: &str,
) -> serde_json::Value {
    let org = org_values(workspace).expect("the org is in state");
    assert_eq!(org["finalized"], true, "{what}: {org}");
    assert_eq!(
        org["id"],
        org_id_in_okta(emulator, subdomain),
        "{what}: the org the interrupted run created"
    );
    assert_eq!(
        org["url"],
        format!("{}/{subdomain}", emulator.url),
        "{what}: the org the interrupted run created"
    );
    match access {
        Access::FleetKey => {
            assert_eq!(org["api_token"], serde_json::Value::Null, "{what}");
            assert_eq!(
                org["service_app_client_id"],
                format!("okta-msp-fleet-{subdomain}"),
                "{what}: reached through its app"
            );
        }
        Access::Token => {
            assert!(
                org["api_token"].is_string(),
                "{what}: the org's token is in state"
            );
            assert_eq!(
                org["service_app_client_id"],
                serde_json::Value::Null,
                "{what}"
            );
        }
    }
    workspace.assert_no_changes(&format!("{what}: converged"));
    org
}

/// Starts an apply of `workspace` and interrupts it with `kind` once the new org `subdomain`
/// has served `point` requests after the partner org received its creation. Answers how many
/// requests the org had served when the run was gone, or `None` when the apply ended first.
fn interrupt_org_create(
    workspace: &Workspace,
    emulator: &Emulator,
    subdomain: &str,
    kind: Interrupt,
    point: u64,
) -> Option<u64> {
    let creations_before = org_creations(emulator);
    let mut apply = workspace.spawn(&["apply", "-auto-approve", "-input=false"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = apply.child.try_wait().unwrap() {
            let outcome = apply.outcome(status);
            assert!(
                outcome.success,
                "an apply that ends before its interrupt succeeds:\n{}",
                outcome.combined()
            );
            return None;
        }
        if org_creations(emulator) > creations_before && org_requests(emulator, subdomain) >= point
        {
            break;
        }
        assert!(Instant::now() < deadline, "the point never came");
        std::thread::sleep(Duration::from_millis(2));
    }
    match kind {
        Interrupt::Sigint => {
            // SAFETY: kill(2) with the pid of a child this test started and has not reaped.
            unsafe { libc::kill(apply.child.id() as i32, libc::SIGINT) };
            let status = apply.child.wait().unwrap();
            let outcome = apply.outcome(status);
            // Ctrl-C that came after the create's return finds nothing to stop.
            if outcome.success {
                return None;
            }
        }
        Interrupt::KillTerraform => {
            if !kill(&mut apply, Victim::Terraform) {
                return None;
            }
        }
        Interrupt::KillProvider => {
            if !kill(&mut apply, Victim::Provider) {
                return None;
            }
        }
    }
    Some(org_requests(emulator, subdomain))
}

/// The org's values in state, if Terraform stored it.
fn org_values(workspace: &Workspace) -> Option<serde_json::Value> {
    resources(&show_json(workspace))
        .into_iter()
        .find(|r| r["address"] == "okta_msp_org.customer")
        .map(|r| r["values"].clone())
}
