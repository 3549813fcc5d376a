//! The guard scenario suite (SPEC section 4, rows G1 to G20): for each row the real `terraform`
//! CLI drives the real provider binary against the emulator, then the scenario checks Terraform's
//! exit status, the diagnostic text (the row, the object, the way out), and, through the Okta
//! API, that every finalized account still exists unchanged (same id, status, profile, roles,
//! group membership, `lastUpdated`).
//!
//! Rows that must fail at plan time are run with `terraform plan` (which must exit non-zero), not
//! only with apply. Several user actions reach the provider through the same door (research:
//! tfprotocol.md section 2), and the provider cannot tell them apart, so their refusals share a
//! label: destroys (G1, G2, G3) say `(G1-G3)`, and replaces (G5, G6, G7) say `(G5)`.

use serde_json::json;

use crate::support::emulator::Api;
use crate::support::scenario::{
    Diagnostic, Scenario, account, assert_no_marker_stored, assert_plain_english, collapse, config,
    errors, resources, run, show_json, warnings,
};
use crate::support::terraform::{Outcome, Workspace, terraform_available};

const AD_AGENT: &str = "okta_msp_service_account.ad_agent";
const RADIUS: &str = "okta_msp_service_account.radius";
const AD_LOGIN: &str = "oktaadagent@msp.example";
const RADIUS_LOGIN: &str = "oktaradius@msp.example";

/// Two finalized accounts (default `finalize = true`).
fn two_accounts() -> String {
    two_accounts_with("")
}

/// [`two_accounts`], with `radius_extra` inside the RADIUS account's block.
fn two_accounts_with(radius_extra: &str) -> String {
    format!(
        "{}{}",
        account("ad_agent", "ad_agent", AD_LOGIN, ""),
        account("radius", "radius", RADIUS_LOGIN, radius_extra)
    )
}

/// Checks a refusal: the command failed, and the errors that name `row` are exactly one per
/// object in `subjects` (each names its object by Okta id), each with every phrase of `way_out`.
#[track_caller]
fn assert_refused(
    outcome: &Outcome,
    what: &str,
    row: &str,
    subjects: &[&str],
    way_out: &[&str],
) -> Vec<Diagnostic> {
    outcome.assert_failure(what);
    let tag = format!("({row})");
    let all = errors(outcome);
    let refusals: Vec<Diagnostic> = all
        .iter()
        .filter(|d| d.summary.contains(&tag))
        .cloned()
        .collect();
    assert_eq!(
        refusals.len(),
        subjects.len(),
        "{what}: expected one error naming {tag} per object {subjects:?}, got:\n{all:#?}\n--- stdout\n{}\n--- stderr\n{}",
        outcome.stdout,
        outcome.stderr
    );
    for subject in subjects {
        assert!(
            refusals.iter().any(|d| d.summary.contains(subject)),
            "{what}: no {tag} error summary names {subject}: {refusals:#?}"
        );
    }
    for diagnostic in &all {
        assert_plain_english(diagnostic);
    }
    for refusal in &refusals {
        for phrase in way_out {
            assert!(
                refusal.body.contains(phrase),
                "{what}: the {tag} error does not say {phrase:?}: {}",
                refusal.text()
            );
        }
    }
    refusals
}

/// A plan-time refusal: the command failed while planning: no plan was made (Terraform shows
/// the part of an errored plan that succeeded, without any guarded object), nothing ran.
#[track_caller]
fn assert_plan_refused(
    outcome: &Outcome,
    what: &str,
    row: &str,
    subjects: &[&str],
    way_out: &[&str],
) -> Vec<Diagnostic> {
    let refusals = assert_refused(outcome, what, row, subjects, way_out);
    assert_eq!(outcome.code, Some(1), "{what}");
    assert!(
        !outcome
            .stdout
            .contains("Terraform will perform the following actions"),
        "{what}: no plan may be shown:\n{}",
        outcome.stdout
    );
    // Terraform shows the part of an errored plan that succeeded: no guarded object in it, and
    // nothing ran.
    for line in outcome.stdout.lines() {
        let line = line.trim_start();
        assert!(
            !(line.starts_with("# okta_msp_")
                || line.contains(": Creating...")
                || line.contains(": Destroying...")
                || line.contains(": Modifying...")),
            "{what}: {line:?} in\n{}",
            outcome.stdout
        );
    }
    refusals
}

/// Terraform shows the address next to a diagnostic about a resource in the configuration.
#[track_caller]
fn assert_names_address(refusals: &[Diagnostic], address: &str) {
    let with = format!("with {address},");
    assert!(
        refusals.iter().any(|d| d.body.contains(&with)),
        "no refusal names {address}: {refusals:#?}"
    );
}

#[track_caller]
fn assert_no_replacement_proposed(outcome: &Outcome, what: &str) {
    let text = outcome.combined();
    for phrase in [
        "must be replaced",
        "forces replacement",
        "will be destroyed",
        "will be created",
    ] {
        assert!(!text.contains(phrase), "{what}: {phrase:?} in\n{text}");
    }
}

/// Removes every occurrence of `from` in `text`, panicking when absent (a scenario's edit must
/// apply).
#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in\n{text}");
    text.replace(from, to)
}

fn id_of(scenario: &Scenario, address: &str) -> String {
    scenario.recorded(address).id.clone()
}

macro_rules! require_terraform {
    () => {
        if !terraform_available() {
            return;
        }
    };
}

// G1 --------------------------------------------------------------------------------------------

#[test]
fn g1_destroy_and_plan_destroy_fail_in_the_plan_naming_each_finalized_account() {
    require_terraform!();
    let scenario = Scenario::applied("g1", &two_accounts());
    let ids = [id_of(&scenario, AD_AGENT), id_of(&scenario, RADIUS)];
    let subjects = [ids[0].as_str(), ids[1].as_str()];
    let way_out = ["removed {", "destroy = false"];
    let mutations = scenario.mutations();

    let plan = scenario.plan(&["-destroy"]);
    let refusals = assert_plan_refused(
        &plan,
        "terraform plan -destroy",
        "G1-G3",
        &subjects,
        &way_out,
    );
    assert_names_address(&refusals, AD_AGENT);
    assert_names_address(&refusals, RADIUS);
    assert!(refusals[0].summary.contains("cannot be destroyed"));
    scenario.assert_finalized_untouched("terraform plan -destroy");

    let destroy = scenario.destroy();
    assert_plan_refused(&destroy, "terraform destroy", "G1-G3", &subjects, &way_out);
    assert!(
        !destroy.stdout.contains("Destroying..."),
        "{}",
        destroy.stdout
    );
    scenario.assert_finalized_untouched("terraform destroy");

    let apply_destroy = scenario.apply(&["-destroy"]);
    assert_plan_refused(
        &apply_destroy,
        "terraform apply -destroy",
        "G1-G3",
        &subjects,
        &way_out,
    );
    scenario.assert_finalized_untouched("terraform apply -destroy");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.state_list(), vec![AD_AGENT, RADIUS]);

    // The refusal comes from state alone: it holds with Okta unreachable.
    let Scenario {
        emulator,
        workspace,
        ..
    } = scenario;
    drop(emulator);
    let offline = run(
        &workspace,
        &["plan", "-destroy", "-refresh=false", "-input=false"],
    );
    let refusals = assert_plan_refused(
        &offline,
        "terraform plan -destroy -refresh=false with Okta unreachable",
        "G1-G3",
        &subjects,
        &way_out,
    );
    assert_eq!(
        errors(&offline).len(),
        refusals.len(),
        "only the guard's errors, no network error: {:#?}",
        errors(&offline)
    );
}

// G2 --------------------------------------------------------------------------------------------

#[test]
fn g2_removing_the_resource_block_fails_the_plan() {
    require_terraform!();
    let scenario = Scenario::applied("g2", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    scenario.write(&account("ad_agent", "ad_agent", AD_LOGIN, ""));

    let plan = scenario.plan(&[]);
    let refusals = assert_plan_refused(
        &plan,
        "plan without the radius block",
        "G1-G3",
        &[&radius_id],
        &[
            "removed {",
            "destroy = false",
            "restore the configuration",
            "deletion_policy = \"ABANDON\"",
            &format!("`terraform state list -id={radius_id}` prints its address"),
        ],
    );
    // The block is gone, so Terraform shows no address: the refusal names the login, the org
    // and the command that prints the address.
    assert!(refusals[0].summary.contains(RADIUS_LOGIN), "{refusals:#?}");
    assert!(
        refusals[0].summary.contains(&scenario.org.url),
        "{refusals:#?}"
    );
    let found = scenario.tf(&["state", "list", &format!("-id={radius_id}")]);
    found.assert_success("terraform state list -id");
    assert_eq!(found.stdout.trim(), RADIUS);
    scenario.assert_finalized_untouched("plan without the radius block");

    let apply = scenario.apply(&[]);
    assert_plan_refused(
        &apply,
        "apply without the radius block",
        "G1-G3",
        &[&radius_id],
        &[],
    );
    scenario.assert_finalized_untouched("apply without the radius block");

    // Offline too: the destroy plan of an orphan is decided from state.
    let offline = scenario.plan(&["-refresh=false"]);
    assert_plan_refused(&offline, "plan -refresh=false", "G1-G3", &[&radius_id], &[]);
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.state_list(), vec![AD_AGENT, RADIUS]);
}

// G3 --------------------------------------------------------------------------------------------

#[test]
fn g3_renaming_a_for_each_key_or_lowering_count_fails_the_plan() {
    require_terraform!();
    let for_each = r#"
resource "okta_msp_service_account" "agents" {
  for_each = {
    east = "oktaadagent-east@msp.example"
    west = "oktaadagent-west@msp.example"
  }
  org_url = local.org_url
  kind    = "ad_agent"
  login   = each.value
  email   = each.value
}
resource "okta_msp_service_account" "radius" {
  count   = 2
  org_url = local.org_url
  kind    = "radius"
  login   = "oktaradius-${count.index}@msp.example"
  email   = "oktaradius-${count.index}@msp.example"
}
"#;
    let scenario = Scenario::applied("g3", for_each);
    assert_eq!(scenario.finalized.len(), 4, "four finalized accounts");
    let east = id_of(&scenario, r#"okta_msp_service_account.agents["east"]"#);
    let radius_1 = id_of(&scenario, "okta_msp_service_account.radius[1]");
    let mutations = scenario.mutations();
    let users = scenario.all_users().len();

    // Renaming a key: Terraform plans to destroy agents["east"] and create agents["eu-east"].
    // The create half of the errored plan may show the same account taken as this
    // configuration's own (G20: Okta's mark is signed by it), or be refused when the refresh of
    // agents["east"] came first; Terraform runs the two in either order. Never a new account.
    scenario.write(&edit(for_each, "east = ", "eu-east = "));
    let plan = scenario.plan(&[]);
    let renamed = r#"# okta_msp_service_account.agents["eu-east"] will be created"#;
    let shown_as_own = plan.stdout.contains(renamed);
    let guarded_lines = if shown_as_own {
        assert!(
            plan.stdout.contains(&format!("id           = \"{east}\"")),
            "the renamed key shows the same account:\n{}",
            plan.stdout
        );
        assert!(
            warnings(&plan)
                .iter()
                .any(|w| w.summary.contains("(G20)") && w.summary.contains(&east)),
            "{}",
            plan.combined()
        );
        plan.stdout.replace(renamed, "")
    } else {
        plan.stdout.clone()
    };
    assert_plan_refused(
        &Outcome {
            stdout: guarded_lines,
            stderr: plan.stderr.clone(),
            ..plan
        },
        "plan with a renamed for_each key",
        "G1-G3",
        &[&east],
        &["removed {", "destroy = false"],
    );
    scenario.assert_finalized_untouched("plan with a renamed for_each key");
    let apply = scenario.apply(&[]);
    apply.assert_failure("apply with a renamed for_each key");
    scenario.assert_finalized_untouched("apply with a renamed for_each key");

    // Lowering count: Terraform plans to destroy radius[1].
    scenario.write(&edit(for_each, "count   = 2", "count   = 1"));
    let plan = scenario.plan(&[]);
    assert_plan_refused(
        &plan,
        "plan with a lower count",
        "G1-G3",
        &[&radius_1],
        &["removed {", "destroy = false"],
    );
    scenario.assert_finalized_untouched("plan with a lower count");
    let apply = scenario.apply(&[]);
    assert_plan_refused(
        &apply,
        "apply with a lower count",
        "G1-G3",
        &[&radius_1],
        &[],
    );
    scenario.assert_finalized_untouched("apply with a lower count");

    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.all_users().len(), users, "no account created");
    assert_eq!(scenario.state_list().len(), 4);
}

// G4 --------------------------------------------------------------------------------------------

#[test]
fn g4_changing_org_kind_or_login_fails_the_plan_and_never_proposes_a_replacement() {
    require_terraform!();
    let scenario = Scenario::applied("g4", &two_accounts());
    let other_org = scenario.emulator.create_org("g4-other");
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    let base = two_accounts();

    let other_org_config = edit(
        &base,
        "org_url = local.org_url\n  kind    = \"radius\"",
        &format!("org_url = \"{}\"\n  kind    = \"radius\"", other_org.url),
    );
    // The second org's token goes to the provider's org_tokens.
    let with_token = edit(
        &config(&scenario.org, &other_org_config),
        &format!("\"{}\" = \"{}\"", scenario.org.url, scenario.org.token),
        &format!(
            "\"{}\" = \"{}\", \"{}\" = \"{}\"",
            scenario.org.url, scenario.org.token, other_org.url, other_org.token
        ),
    );
    let cases = [
        ("org_url", with_token),
        (
            "kind",
            config(
                &scenario.org,
                &edit(
                    &base,
                    "kind    = \"radius\"",
                    "kind    = \"custom\"\n  admin_roles = [\"APP_ADMIN\", \"READ_ONLY_ADMIN\"]",
                ),
            ),
        ),
        (
            "login",
            config(
                &scenario.org,
                &edit(
                    &base,
                    &format!("login   = \"{RADIUS_LOGIN}\""),
                    "login   = \"oktaradius2@msp.example\"",
                ),
            ),
        ),
    ];
    for (attribute, main_tf) in cases {
        scenario.workspace.write("main.tf", &main_tf);
        let what = format!("plan changing {attribute}");
        let plan = scenario.plan(&[]);
        let refusals = assert_plan_refused(
            &plan,
            &what,
            "G4",
            &[&radius_id],
            &["Revert", "no replacement is proposed"],
        );
        assert!(
            refusals[0].summary.contains(attribute),
            "{what}: the summary names {attribute}: {refusals:#?}"
        );
        assert_names_address(&refusals, RADIUS);
        assert!(
            refusals[0].body.contains("on main.tf line"),
            "{what}: points at the configuration: {refusals:#?}"
        );
        assert_no_replacement_proposed(&plan, &what);
        let apply = scenario.apply(&[]);
        assert_plan_refused(
            &apply,
            &format!("apply changing {attribute}"),
            "G4",
            &[&radius_id],
            &[],
        );
        assert_no_replacement_proposed(&apply, &what);
        scenario.assert_finalized_untouched(&what);
    }
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert!(
        scenario
            .users_with_login("oktaradius2@msp.example")
            .is_empty(),
        "no account with the new login"
    );
    assert_eq!(
        Api::new(&other_org.url, &other_org.token)
            .get("/api/v1/users")
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing created in the other org (only its admin)"
    );
}

// G5 --------------------------------------------------------------------------------------------

#[test]
fn g5_apply_replace_fails_in_the_plan() {
    require_terraform!();
    let scenario = Scenario::applied("g5", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    let replace = format!("-replace={RADIUS}");
    let way_out = ["Drop `-replace`"];

    let plan = scenario.plan(&[&replace]);
    let refusals = assert_plan_refused(&plan, "plan -replace", "G5", &[&radius_id], &way_out);
    assert!(refusals[0].summary.contains("cannot be replaced"));
    assert!(
        refusals[0].summary.contains(RADIUS_LOGIN),
        "G5 names the login as well as the id: {}",
        refusals[0].summary
    );
    assert_names_address(&refusals, RADIUS);
    scenario.assert_finalized_untouched("plan -replace");

    let apply = scenario.apply(&[&replace]);
    assert_plan_refused(&apply, "apply -replace", "G5", &[&radius_id], &way_out);
    scenario.assert_finalized_untouched("apply -replace");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.users_with_login(RADIUS_LOGIN).len(), 1);

    // The marker that carried the refusal is never stored: the next plan is empty.
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
    assert_no_marker_stored(&scenario.workspace, "plan and apply -replace");
}

// G6 --------------------------------------------------------------------------------------------

#[test]
fn g6_replace_triggered_by_fails_the_plan() {
    require_terraform!();
    let body = |version: &str| {
        format!(
            r#"
resource "terraform_data" "rotation" {{
  input = "{version}"
}}
{}"#,
            two_accounts_with(
                "  lifecycle {\n    replace_triggered_by = [terraform_data.rotation]\n  }"
            )
        )
    };
    let scenario = Scenario::applied("g6", &body("v1"));
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    scenario.write(&body("v2"));

    let plan = scenario.plan(&[]);
    let refusals = assert_plan_refused(
        &plan,
        "plan with replace_triggered_by firing",
        "G5",
        &[&radius_id],
        &["replace_triggered_by"],
    );
    assert_names_address(&refusals, RADIUS);
    scenario.assert_finalized_untouched("plan with replace_triggered_by firing");

    let apply = scenario.apply(&[]);
    assert_plan_refused(
        &apply,
        "apply with replace_triggered_by firing",
        "G5",
        &[&radius_id],
        &[],
    );
    scenario.assert_finalized_untouched("apply with replace_triggered_by firing");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(
        scenario.values("terraform_data.rotation")["input"],
        "v1",
        "nothing applied"
    );
}

// G7 --------------------------------------------------------------------------------------------

#[test]
fn g7_a_forced_replace_under_create_before_destroy_fails_the_plan_and_creates_nothing() {
    require_terraform!();
    let body = two_accounts_with("  lifecycle {\n    create_before_destroy = true\n  }");
    let scenario = Scenario::applied("g7", &body);
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    let users = scenario.all_users();
    let replace = format!("-replace={RADIUS}");

    let plan = scenario.plan(&[&replace]);
    assert_plan_refused(
        &plan,
        "plan -replace under create_before_destroy",
        "G5",
        &[&radius_id],
        &["create_before_destroy"],
    );
    scenario.assert_finalized_untouched("plan -replace under create_before_destroy");

    let apply = scenario.apply(&[&replace]);
    assert_plan_refused(
        &apply,
        "apply -replace under create_before_destroy",
        "G5",
        &[&radius_id],
        &[],
    );
    assert!(
        !apply.stdout.contains("Creating..."),
        "no create ran: {}",
        apply.stdout
    );
    scenario.assert_finalized_untouched("apply -replace under create_before_destroy");

    // No second account: same users, one with this login, one RADIUS service account.
    let after = scenario.all_users();
    assert_eq!(after.len(), users.len(), "no user created: {after:#?}");
    assert_eq!(scenario.users_with_login(RADIUS_LOGIN).len(), 1);
    let radius_accounts = after
        .iter()
        .filter(|u| {
            u["profile"]["userType"]
                .as_str()
                .is_some_and(|t| t.contains("/radius/"))
        })
        .count();
    assert_eq!(radius_accounts, 1, "{after:#?}");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");

    // No deposed object left behind: the next plan is empty.
    let state =
        std::fs::read_to_string(scenario.workspace.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains("\"deposed\""), "{state}");
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

// G8 --------------------------------------------------------------------------------------------

#[test]
fn g8_taint_then_apply_refuses_to_delete_and_keeps_the_account_in_state() {
    require_terraform!();
    let scenario = Scenario::applied("g8", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let users = scenario.all_users().len();

    scenario
        .tf(&["taint", RADIUS])
        .assert_success("terraform taint");
    let apply = scenario.apply(&[]);
    apply.assert_failure("apply after taint");
    // The refusal may come at apply (G8, the delete refused) or already in the plan of the
    // replacement's create (G14: the login is finalized in Okta); either way it must name the
    // account and give the way out of a taint.
    let refusals: Vec<Diagnostic> = errors(&apply)
        .into_iter()
        .filter(|d| d.summary.contains("(G8)") || d.summary.contains("(G14)"))
        .collect();
    assert_eq!(refusals.len(), 1, "one refusal:\n{}", apply.combined());
    assert!(
        refusals[0].summary.contains(&radius_id),
        "{}",
        refusals[0].text()
    );
    assert!(
        refusals[0].body.contains("terraform untaint"),
        "after a taint, the way out is `terraform untaint`: {}",
        refusals[0].text()
    );
    assert_names_address(&refusals, RADIUS);
    scenario.assert_finalized_untouched("apply after taint");
    assert_eq!(scenario.all_users().len(), users, "no account created");
    assert!(
        scenario.state_list().contains(&RADIUS.to_owned()),
        "the account stays in state"
    );
    assert_eq!(scenario.values(RADIUS)["id"], radius_id.as_str());

    // `terraform untaint`, the way out, brings back an empty plan.
    scenario
        .tf(&["untaint", RADIUS])
        .assert_success("terraform untaint");
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
    scenario.assert_finalized_untouched("untaint");
}

/// G8's apply-time refusal is the last line of defence: it holds when the plan-time checks had
/// nothing to go on (here: the login lookup a create plan makes fails, so the plan of the
/// tainted account's replacement goes through, and the apply reaches the delete).
#[test]
fn g8_the_apply_time_refusal_holds_when_the_plan_checks_are_bypassed() {
    require_terraform!();
    let scenario = Scenario::applied("g8b", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let users = scenario.all_users().len();
    scenario
        .tf(&["taint", RADIUS])
        .assert_success("terraform taint");

    let control = Api::new(
        &format!("{}/_emulator", scenario.emulator.url),
        &scenario.emulator.admin_token,
    );
    // Every user lookup fails (400, not retried); the apply skips the refresh, which would
    // fail on it, so the create plan of the replacement cannot see the account in Okta.
    for route in ["/api/v1/users", "/api/v1/users/{userId}"] {
        let (status, body) = control.send(
            "POST",
            "/faults",
            Some(json!({
                "kind": "error", "statuses": [400], "org": "g8b",
                "route": route, "method": "GET",
            })),
        );
        assert_eq!(status, 201, "{body}");
    }
    let apply = scenario.apply(&["-refresh=false"]);
    let (status, _) = control.send("DELETE", "/faults", None);
    assert_eq!(status, 204);

    assert_refused(
        &apply,
        "apply after taint with the plan's login lookup failing",
        "G8",
        &[&radius_id],
        &["terraform untaint"],
    );
    assert!(
        apply.stdout.contains("Destroying...") || apply.stdout.contains("1 to destroy"),
        "this scenario must reach the apply-time delete: {}",
        apply.stdout
    );
    scenario.assert_finalized_untouched("apply after taint (plan checks bypassed)");
    assert_eq!(scenario.all_users().len(), users, "no account created");
    assert!(scenario.state_list().contains(&RADIUS.to_owned()));
}

// G9 --------------------------------------------------------------------------------------------

#[test]
fn g9_changing_roles_names_email_or_finalize_fails_the_plan() {
    require_terraform!();
    let scenario = Scenario::applied("g9", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    let base = two_accounts();
    let radius_line = format!("email   = \"{RADIUS_LOGIN}\"");
    let cases = [
        (
            "admin_roles",
            "admin_roles = [\"READ_ONLY_ADMIN\", \"APP_ADMIN\", \"SUPER_ADMIN\"]".to_owned(),
        ),
        ("first_name", "first_name = \"Renamed\"".to_owned()),
        ("last_name", "last_name = \"Renamed\"".to_owned()),
        ("finalize", "finalize = false".to_owned()),
    ];
    let mut configs: Vec<(&str, String)> = cases
        .iter()
        .map(|(attribute, line)| {
            (
                *attribute,
                edit(&base, &radius_line, &format!("{radius_line}\n  {line}")),
            )
        })
        .collect();
    configs.push((
        "email",
        edit(
            &base,
            &radius_line,
            "email   = \"radius-mailbox@msp.example\"",
        ),
    ));
    for (attribute, body) in configs {
        scenario.write(&body);
        let what = format!("plan changing {attribute}");
        let plan = scenario.plan(&[]);
        let refusals = assert_plan_refused(&plan, &what, "G9", &[&radius_id], &["Revert"]);
        assert!(
            refusals[0].body.contains(attribute),
            "{what}: the error names {attribute}: {refusals:#?}"
        );
        assert_names_address(&refusals, RADIUS);
        let apply = scenario.apply(&[]);
        assert_plan_refused(
            &apply,
            &format!("apply changing {attribute}"),
            "G9",
            &[&radius_id],
            &[],
        );
        scenario.assert_finalized_untouched(&what);
    }
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");

    // Rotating the org token is not a change to the account: allowed, nothing written to Okta.
    scenario.write(&edit(
        &base,
        &radius_line,
        &format!(
            "{radius_line}\n  org_api_token = \"{}\"",
            scenario.org.token
        ),
    ));
    let apply = scenario.apply(&[]);
    apply.assert_success("apply setting org_api_token");
    scenario.assert_finalized_untouched("apply setting org_api_token");
    assert_no_marker_stored(&scenario.workspace, "an update of a finalized account");
}

// G10 -------------------------------------------------------------------------------------------

#[test]
fn g10_a_moved_block_is_allowed_and_changes_nothing_in_okta() {
    require_terraform!();
    let scenario = Scenario::applied("g10", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();
    let events = scenario.log_events().len();
    scenario.write(&format!(
        "{}{}\nmoved {{\n  from = {RADIUS}\n  to   = okta_msp_service_account.radius_eu\n}}\n",
        account("ad_agent", "ad_agent", AD_LOGIN, ""),
        account("radius_eu", "radius", RADIUS_LOGIN, ""),
    ));

    let plan = scenario.plan(&[]);
    plan.assert_success("plan with a moved block");
    assert!(
        plan.stdout.contains(&format!(
            "{RADIUS} has moved to okta_msp_service_account.radius_eu"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(
        errors(&plan).is_empty() && warnings(&plan).is_empty(),
        "{}",
        plan.combined()
    );

    let apply = scenario.apply(&[]);
    apply.assert_success("apply with a moved block");
    assert_eq!(
        scenario.state_list(),
        vec![AD_AGENT, "okta_msp_service_account.radius_eu"]
    );
    assert_eq!(
        scenario.values("okta_msp_service_account.radius_eu")["id"],
        radius_id.as_str()
    );
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.log_events().len(), events, "no System Log event");
    scenario.assert_finalized_untouched("apply with a moved block");
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

// G11 -------------------------------------------------------------------------------------------

#[test]
fn g11_removed_with_destroy_false_forgets_the_account_and_leaves_it_untouched() {
    require_terraform!();
    let scenario = Scenario::applied("g11", &two_accounts());
    let mutations = scenario.mutations();
    let events = scenario.log_events().len();
    scenario.write(&format!(
        "{}\nremoved {{\n  from = {RADIUS}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n",
        account("ad_agent", "ad_agent", AD_LOGIN, "")
    ));

    let plan = scenario.plan(&[]);
    plan.assert_success("plan with a removed block");
    assert!(
        !plan.stdout.contains("will be destroyed"),
        "{}",
        plan.stdout
    );
    assert!(errors(&plan).is_empty(), "{}", plan.combined());
    let apply = scenario.apply(&[]);
    apply.assert_success("apply with a removed block");
    assert_eq!(scenario.state_list(), vec![AD_AGENT], "Terraform forgot it");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.log_events().len(), events, "no System Log event");
    scenario.assert_finalized_untouched("apply with a removed block");

    // Off-boarding done: the remaining configuration plans cleanly.
    scenario.write(&account("ad_agent", "ad_agent", AD_LOGIN, ""));
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

// G12 -------------------------------------------------------------------------------------------

/// Out-of-band drift of a finalized account, made through the Okta API.
#[derive(Clone, Copy, Debug)]
enum Drift {
    Suspend,
    RemoveFromGroup,
    RemoveAppAdmin,
}

impl Drift {
    /// How the G12 warning names the repair.
    fn repair(self) -> &'static str {
        match self {
            Drift::Suspend => "unsuspend the account",
            Drift::RemoveFromGroup => "add the account to the service account group",
            Drift::RemoveAppAdmin => "assign APP_ADMIN",
        }
    }
}

/// G12: `drifts` are made to the RADIUS account; the plan shows an in-place repair with one
/// warning naming each, the apply restores the finalized setup, and nothing else changes.
fn g12_scenario(subdomain: &str, drifts: &[Drift]) {
    let scenario = Scenario::applied(subdomain, &two_accounts());
    let radius = scenario.recorded(RADIUS).clone();
    let api = &scenario.api;
    let group = api.group_id("MSP Service Accounts").expect("group");
    for drift in drifts {
        let (method, path) = match drift {
            Drift::Suspend => (
                "POST",
                format!("/api/v1/users/{}/lifecycle/suspend", radius.id),
            ),
            Drift::RemoveFromGroup => (
                "DELETE",
                format!("/api/v1/groups/{group}/users/{}", radius.id),
            ),
            Drift::RemoveAppAdmin => {
                let assignment = &radius
                    .roles
                    .iter()
                    .find(|(t, _)| t == "APP_ADMIN")
                    .unwrap()
                    .1;
                (
                    "DELETE",
                    format!("/api/v1/users/{}/roles/{assignment}", radius.id),
                )
            }
        };
        let (status, body) = api.send(method, &path, None);
        assert!(
            status == 200 || status == 204,
            "{method} {path}: {status} {body}"
        );
    }
    assert_ne!(
        scenario.snapshot(&radius.id).setup(),
        radius.setup(),
        "drifted"
    );

    let plan = scenario.plan(&[]);
    plan.assert_success("plan with drift");
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "an in-place repair only:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains(&format!("{RADIUS} will be updated in-place")),
        "{}",
        plan.stdout
    );
    let repairs: Vec<Diagnostic> = warnings(&plan)
        .into_iter()
        .filter(|d| d.summary.contains("(G12)"))
        .collect();
    assert_eq!(repairs.len(), 1, "one G12 warning:\n{}", plan.combined());
    assert_plain_english(&repairs[0]);
    assert!(repairs[0].summary.contains(&radius.id), "{repairs:#?}");
    assert_names_address(&repairs, RADIUS);
    for drift in drifts {
        assert!(
            repairs[0].body.contains(drift.repair()),
            "the warning names what drifted ({drift:?}): {}",
            repairs[0].text()
        );
    }
    assert!(errors(&plan).is_empty(), "{}", plan.combined());

    let apply = scenario.apply(&[]);
    // Whatever the apply did, the account is still protected: finalized in state and in Okta,
    // and a destroy is still refused.
    let ad = scenario.recorded(AD_AGENT);
    assert_eq!(
        scenario.values(RADIUS)["finalized"],
        true,
        "after the repair"
    );
    assert!(
        scenario.snapshot(&radius.id).profile["userType"]
            .as_str()
            .is_some_and(|t| t.ends_with("/finalized")),
        "still finalized in Okta after the repair"
    );
    let destroy = scenario.plan(&["-destroy", "-refresh=false"]);
    assert_plan_refused(
        &destroy,
        "plan -destroy after the repair",
        "G1-G3",
        &[&radius.id, &ad.id],
        &[],
    );
    assert!(
        apply.success,
        "apply repairing drift failed (exit {:?}); Okta now has {:#?}\n--- stdout\n{}\n--- stderr\n{}",
        apply.code,
        scenario.snapshot(&radius.id),
        apply.stdout,
        apply.stderr
    );
    assert!(errors(&apply).is_empty(), "{}", apply.combined());
    let now = scenario.snapshot(&radius.id);
    assert_eq!(
        now.setup(),
        radius.setup(),
        "the repair restores the finalized setup (same id, status, profile, role types, groups)"
    );
    assert_eq!(scenario.values(RADIUS)["finalized"], true);
    assert_eq!(scenario.values(RADIUS)["status"], "ACTIVE");
    assert_no_marker_stored(&scenario.workspace, "the repair");
    // The other account was never touched.
    assert_eq!(&scenario.snapshot(&ad.id), ad);
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "repaired:\n{}", plan.combined());
}

#[test]
fn g12_a_suspended_account_and_a_removed_role_are_repaired_in_place_with_a_warning() {
    require_terraform!();
    g12_scenario("g12", &[Drift::Suspend, Drift::RemoveAppAdmin]);
}

#[test]
fn g12_an_account_removed_from_the_service_account_group_is_repaired_in_place_with_a_warning() {
    require_terraform!();
    g12_scenario("g12g", &[Drift::RemoveFromGroup]);
}

/// G12 lists "policy changed" among the drift a plan repairs: the service-account group's
/// password policy (SPEC section 3, rule 2) is weakened out of band.
#[test]
fn g12_a_weakened_password_policy_is_planned_as_a_repair() {
    require_terraform!();
    let scenario = Scenario::applied("g12p", &two_accounts());
    let api = &scenario.api;
    let group = api.group_id("MSP Service Accounts").expect("group");
    let policies = api.get("/api/v1/policies?type=PASSWORD");
    let policy = policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["conditions"]["people"]["groups"]["include"]
                .as_array()
                .is_some_and(|g| g.iter().any(|id| id == group.as_str()))
        })
        .unwrap_or_else(|| {
            panic!(
                "SPEC 3.2: a password policy targets the service account group {group} after the apply, so its drift can be repaired (G12); policies: {policies:#}"
            )
        })
        .clone();
    let mut weakened = policy.clone();
    weakened["settings"]["password"]["complexity"]["minLength"] = json!(8);
    let (status, body) = api.send(
        "PUT",
        &format!("/api/v1/policies/{}", policy["id"].as_str().unwrap()),
        Some(weakened),
    );
    assert_eq!(status, 200, "{body}");

    let plan = scenario.plan(&[]);
    plan.assert_success("plan with a weakened policy");
    assert!(
        warnings(&plan).iter().any(|d| d.summary.contains("(G12)")
            && d.body
                .contains("restore the service account password policy")),
        "{}",
        plan.combined()
    );
    scenario
        .apply(&[])
        .assert_success("apply repairing the policy");
    let repaired = api.get(&format!(
        "/api/v1/policies/{}",
        policy["id"].as_str().unwrap()
    ));
    assert!(
        repaired["settings"]["password"]["complexity"]["minLength"]
            .as_u64()
            .is_some_and(|n| n >= 20),
        "{repaired:#}"
    );
    scenario.assert_finalized_untouched("repair of the password policy");
}

/// A finalized account's mark in Okta (`userType`), which a second workspace (G14) and the
/// apply-time delete check (G8) read, is verified by every refresh at no extra call (it comes
/// with the member listing): erased out of band, the refresh reports it and the repair writes it
/// back.
#[test]
fn g12_a_finalized_mark_erased_in_okta_is_reported_and_restored() {
    require_terraform!();
    let scenario = Scenario::applied("g12m", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let api = &scenario.api;
    let before = api.get(&format!("/api/v1/users/{radius_id}"));
    let mark = before["profile"]["userType"].as_str().unwrap().to_owned();
    assert!(mark.ends_with("/finalized"), "{before:#}");
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{radius_id}"),
        Some(json!({"profile": {"userType": "Employee"}})),
    );
    assert_eq!(status, 200, "{body}");

    let refresh = scenario.tf(&[
        "plan",
        "-refresh-only",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(refresh.code, Some(2), "{}", refresh.combined());
    assert!(
        collapse(&refresh.combined()).contains("restore the finalized mark"),
        "{}",
        refresh.combined()
    );
    scenario
        .apply(&[])
        .assert_success("apply restoring the mark");
    let after = api.get(&format!("/api/v1/users/{radius_id}"));
    assert_eq!(after["profile"]["userType"], mark.as_str(), "{after:#}");
    let plan = scenario.tf(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

/// A named configuration's name beside the finalized mark (the profile's `organization`,
/// `okta-msp configuration NAME`), which lets it take the account as its own after a killed run
/// (G20) while strangers are refused (G14), is verified by every refresh like the mark: changed
/// out of band to another configuration's name, then erased, each time the refresh-only plan
/// reports it, the apply writes it back, and the next plan shows no changes.
#[test]
fn g12_the_configuration_name_beside_the_mark_edited_in_okta_is_reported_and_restored() {
    require_terraform!();
    let mut scenario = Scenario::empty("g12n");
    scenario
        .workspace
        .set_env("OKTA_MSP_BASELINE_OWNER", "msp-fleet-prod");
    scenario.write(&two_accounts());
    scenario
        .apply(&[])
        .assert_success("initial terraform apply");
    let radius_id = scenario
        .users_with_login(RADIUS_LOGIN)
        .first()
        .and_then(|user| user["id"].as_str().map(str::to_owned))
        .expect("the RADIUS account exists");
    let api = &scenario.api;
    let ours = "okta-msp configuration msp-fleet-prod";
    let before = api.get(&format!("/api/v1/users/{radius_id}"));
    assert_eq!(before["profile"]["organization"], ours, "{before:#}");
    let mark = before["profile"]["userType"].clone();
    for edited in [json!("okta-msp configuration someone-else"), json!(null)] {
        let (status, body) = api.send(
            "POST",
            &format!("/api/v1/users/{radius_id}"),
            Some(json!({"profile": {"organization": edited}})),
        );
        assert_eq!(status, 200, "{body}");
        let refresh = scenario.tf(&[
            "plan",
            "-refresh-only",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
        ]);
        assert_eq!(refresh.code, Some(2), "{edited}: {}", refresh.combined());
        assert!(
            collapse(&refresh.combined())
                .contains("restore this configuration's name beside the finalized mark"),
            "{edited}: {}",
            refresh.combined()
        );
        scenario
            .apply(&[])
            .assert_success(&format!("{edited}: the apply restoring the name"));
        let after = api.get(&format!("/api/v1/users/{radius_id}"));
        assert_eq!(
            after["profile"]["organization"], ours,
            "{edited}: {after:#}"
        );
        assert_eq!(
            after["profile"]["userType"], mark,
            "{edited}: the mark untouched"
        );
        assert_eq!(
            after["id"],
            radius_id.as_str(),
            "{edited}: the same account"
        );
        let plan = scenario.tf(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(plan.code, Some(0), "{edited}: {}", plan.combined());
    }
}

// G13 -------------------------------------------------------------------------------------------

#[test]
fn g13_an_account_deleted_out_of_band_fails_the_plan_and_is_not_recreated() {
    require_terraform!();
    let mut scenario = Scenario::applied("g13", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let api = &scenario.api;
    for step in ["lifecycle/deactivate", ""] {
        let (method, path) = if step.is_empty() {
            ("DELETE", format!("/api/v1/users/{radius_id}"))
        } else {
            ("POST", format!("/api/v1/users/{radius_id}/{step}"))
        };
        let (status, body) = api.send(method, &path, None);
        assert!(
            status == 200 || status == 204,
            "{method} {path}: {status} {body}"
        );
    }
    let (status, _) = api.send("GET", &format!("/api/v1/users/{radius_id}"), None);
    assert_eq!(status, 404);
    scenario.finalized.retain(|(address, _)| address != RADIUS);
    let mutations = scenario.mutations();

    let plan = scenario.plan(&[]);
    let refusals = assert_plan_refused(
        &plan,
        "plan after the account was deleted",
        "G13",
        &[&radius_id],
        &[
            "deleted outside Terraform",
            "terraform state rm",
            "System Log",
        ],
    );
    assert!(refusals[0].summary.contains("no longer exists"));
    assert_names_address(&refusals, RADIUS);

    let apply = scenario.apply(&[]);
    assert_plan_refused(
        &apply,
        "apply after the account was deleted",
        "G13",
        &[&radius_id],
        &[],
    );
    assert!(
        scenario.users_with_login(RADIUS_LOGIN).is_empty(),
        "never re-created silently"
    );
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert!(scenario.state_list().contains(&RADIUS.to_owned()));
    scenario.assert_finalized_untouched("plan and apply after an out-of-band delete");
}

// G14 -------------------------------------------------------------------------------------------

#[test]
fn g14_a_second_configuration_declaring_the_same_login_fails_the_plan() {
    require_terraform!();
    let scenario = Scenario::applied("g14", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mutations = scenario.mutations();

    let second = Workspace::new();
    second.write(
        "main.tf",
        &config(
            &scenario.org,
            &account("integration_radius", "radius", RADIUS_LOGIN, ""),
        ),
    );
    second.init();
    let plan = run(&second, &["plan", "-input=false"]);
    let refusals = assert_plan_refused(
        &plan,
        "plan of the same login in a second workspace",
        "G14",
        &[RADIUS_LOGIN],
        &["terraform import", &radius_id],
    );
    assert!(
        refusals[0]
            .summary
            .contains("already exists and is finalized")
    );
    assert_names_address(&refusals, "okta_msp_service_account.integration_radius");

    let apply = run(&second, &["apply", "-auto-approve", "-input=false"]);
    assert_plan_refused(
        &apply,
        "apply of the same login in a second workspace",
        "G14",
        &[RADIUS_LOGIN],
        &[],
    );
    assert!(resources(&show_json(&second)).is_empty(), "nothing adopted");
    assert_eq!(scenario.users_with_login(RADIUS_LOGIN).len(), 1);
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    scenario.assert_finalized_untouched("the second workspace's plan and apply");
}

// G15 -------------------------------------------------------------------------------------------

#[test]
fn g15_accounts_that_never_finalized_are_destroyed_by_deactivating_then_deleting() {
    require_terraform!();
    let sandbox_login = "sandbox-radius@msp.example";
    let body = format!(
        "{}{}",
        account("ad_agent", "ad_agent", AD_LOGIN, ""),
        account("sandbox", "radius", sandbox_login, "  finalize = false"),
    );
    let scenario = Scenario::applied("g15", &body);
    assert_eq!(scenario.finalized.len(), 1, "only ad_agent is finalized");
    let sandbox = scenario.values("okta_msp_service_account.sandbox");
    assert_eq!(sandbox["finalized"], false);
    assert_eq!(sandbox["status"], "ACTIVE");
    let sandbox_id = sandbox["id"].as_str().unwrap().to_owned();
    let user_type = scenario.snapshot(&sandbox_id).profile["userType"].clone();
    assert!(
        !user_type
            .as_str()
            .unwrap_or_default()
            .ends_with("/finalized"),
        "not finalized in Okta: {user_type}"
    );

    // Removing its block destroys it.
    scenario.write(&account("ad_agent", "ad_agent", AD_LOGIN, ""));
    let plan = scenario.plan(&[]);
    plan.assert_success("plan without the unfinalized account");
    assert!(
        plan.stdout.contains("0 to add, 0 to change, 1 to destroy"),
        "{}",
        plan.stdout
    );
    scenario
        .apply(&[])
        .assert_success("apply without the unfinalized account");
    let (status, body) = scenario
        .api
        .send("GET", &format!("/api/v1/users/{sandbox_id}"), None);
    assert_eq!(status, 404, "the unfinalized account is gone: {body}");
    let lifecycle: Vec<String> = scenario
        .log_events()
        .iter()
        .filter(|e| {
            e["target"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["id"] == sandbox_id.as_str()))
        })
        .map(|e| e["eventType"].as_str().unwrap().to_owned())
        .filter(|t| t.starts_with("user.lifecycle."))
        .collect();
    let deactivated = lifecycle
        .iter()
        .position(|t| t == "user.lifecycle.deactivate")
        .unwrap_or_else(|| panic!("deactivated first: {lifecycle:?}"));
    let deleted = lifecycle
        .iter()
        .position(|t| t.starts_with("user.lifecycle.delete"))
        .unwrap_or_else(|| panic!("then deleted: {lifecycle:?}"));
    assert!(deactivated < deleted, "{lifecycle:?}");
    assert_eq!(scenario.state_list(), vec![AD_AGENT]);
    scenario.assert_finalized_untouched("destroy of the unfinalized account");

    // A module author's teardown: `terraform destroy` of a workspace with only `finalize = false`
    // accounts succeeds and leaves nothing behind.
    let module = Workspace::new();
    let logins = ["module-a@msp.example", "module-b@msp.example"];
    module.write(
        "main.tf",
        &config(
            &scenario.org,
            &format!(
                "{}{}",
                account("a", "ad_agent", logins[0], "  finalize = false"),
                account(
                    "b",
                    "custom",
                    logins[1],
                    "  finalize = false\n  admin_roles = [\"READ_ONLY_ADMIN\"]"
                ),
            ),
        ),
    );
    module.init();
    run(&module, &["apply", "-auto-approve", "-input=false"])
        .assert_success("apply of the module test");
    for login in logins {
        assert_eq!(scenario.users_with_login(login).len(), 1, "{login} created");
    }
    let destroy = run(&module, &["destroy", "-auto-approve", "-input=false"]);
    destroy.assert_success("terraform destroy of unfinalized accounts");
    assert!(destroy.stdout.contains("2 destroyed"), "{}", destroy.stdout);
    for login in logins {
        assert!(
            scenario.users_with_login(login).is_empty(),
            "{login} deleted: {:#?}",
            scenario.users_with_login(login)
        );
    }
    scenario.assert_finalized_untouched("the module's destroy");
}

// G16 -------------------------------------------------------------------------------------------

/// `okta_msp_org` cannot be created through Terraform yet, so the org scenarios seed the state of
/// an org made through the Org Creator API, as a finalized `okta_msp_org` (the state a create
/// would leave), and check its integration account and the org itself through the API.
struct SeededOrg {
    scenario: Scenario,
    org_id: String,
    body: String,
}

const ORG: &str = "okta_msp_org.customer";

impl SeededOrg {
    /// `extra` goes inside the org's block, `beside` next to it.
    fn new(subdomain: &str, extra: &str, beside: &str) -> SeededOrg {
        let scenario = Scenario::empty(subdomain);
        let org = scenario.api.get("/api/v1/org");
        let org_id = org["id"].as_str().unwrap().to_owned();
        let login = format!("msp-integration@{subdomain}.example");
        let integration = scenario.users_with_login(&login);
        assert_eq!(integration.len(), 1);
        let integration = integration[0]["id"].as_str().unwrap().to_owned();
        // What a finalizing create leaves on the integration account, which every refresh of a
        // finalized org checks.
        let (status, marked) = scenario.api.send(
            "POST",
            &format!("/api/v1/users/{integration}"),
            Some(json!({"profile": {
                "userType": "okta-msp-service-account/msp_integration/finalized"
            }})),
        );
        assert_eq!(status, 200, "{marked}");
        let body = format!(
            r#"
resource "okta_msp_org" "customer" {{
  name              = "{subdomain} Inc"
  subdomain         = "{subdomain}"
  website           = "https://{subdomain}.example"
  integration_login = "{login}"
  integration_email = "{login}"
{extra}
}}
{beside}
"#
        );
        let state = json!({
            "version": 4,
            "terraform_version": "1.11.4",
            "serial": 1,
            "lineage": format!("00000000-0000-4000-8000-{:012}", subdomain.len()),
            "outputs": {},
            "resources": [{
                "mode": "managed",
                "type": "okta_msp_org",
                "name": "customer",
                "provider": "provider[\"registry.terraform.io/zerotek/okta-msp\"]",
                "instances": [{
                    "schema_version": 0,
                    "attributes": {
                        "name": format!("{subdomain} Inc"),
                        "subdomain": subdomain,
                        "website": format!("https://{subdomain}.example"),
                        "integration_login": login,
                        "integration_email": login,
                        "id": org_id,
                        "url": scenario.org.url,
                        "status": "ACTIVE",
                        "api_token": scenario.org.token,
                        "integration_account_id": integration,
                        "finalized": true,
                    },
                    "sensitive_attributes": [],
                }],
            }],
            "check_results": null,
        });
        scenario.workspace.write(
            "terraform.tfstate",
            &serde_json::to_string_pretty(&state).unwrap(),
        );
        let mut scenario = scenario;
        scenario.write(&body);
        let snapshot = scenario.snapshot(&integration);
        scenario
            .finalized
            .push(("integration account".to_owned(), snapshot));
        let seeded = SeededOrg {
            scenario,
            org_id,
            body,
        };
        if !beside.is_empty() {
            seeded
                .scenario
                .apply(&[])
                .assert_success("apply of the resources beside the org");
        }
        let plan = seeded.scenario.plan(&["-detailed-exitcode"]);
        assert_eq!(
            plan.code,
            Some(0),
            "the seeded org plans without changes:\n{}",
            plan.combined()
        );
        seeded
    }

    #[track_caller]
    fn assert_untouched(&self, after: &str) {
        let org = self.scenario.api.get("/api/v1/org");
        assert_eq!(org["id"], self.org_id.as_str(), "after {after}");
        assert_eq!(org["status"], "ACTIVE", "after {after}");
        self.scenario.assert_finalized_untouched(after);
        assert!(
            self.scenario.state_list().contains(&ORG.to_owned()),
            "after {after}: the org stays in state"
        );
    }
}

#[test]
fn g16_destroying_an_org_fails_the_plan_and_so_does_every_other_path_to_delete_or_change_it() {
    require_terraform!();
    let seeded = SeededOrg::new("g16", "", "");
    let scenario = &seeded.scenario;
    let subject = seeded.org_id.as_str();
    let way_out = ["removed {", "destroy = false"];
    let mutations = scenario.mutations();

    // G16 (G1): plan -destroy and destroy.
    let plan = scenario.plan(&["-destroy"]);
    let refusals = assert_plan_refused(
        &plan,
        "plan -destroy of the org",
        "G16",
        &[subject],
        &way_out,
    );
    assert!(
        refusals[0]
            .summary
            .contains("integration account is finalized"),
        "{refusals:#?}"
    );
    assert_names_address(&refusals, ORG);
    seeded.assert_untouched("plan -destroy of the org");
    let destroy = scenario.destroy();
    assert_plan_refused(&destroy, "destroy of the org", "G16", &[subject], &way_out);
    seeded.assert_untouched("destroy of the org");

    // G2: the block removed.
    scenario.write("");
    let plan = scenario.plan(&[]);
    assert_plan_refused(
        &plan,
        "plan without the org block",
        "G16",
        &[subject],
        &way_out,
    );
    seeded.assert_untouched("plan without the org block");

    // G4: an attribute that cannot change in place; no replacement proposed.
    scenario.write(&edit(
        &seeded.body,
        "subdomain         = \"g16\"",
        "subdomain         = \"g16-new\"",
    ));
    let plan = scenario.plan(&[]);
    let refusals = assert_plan_refused(
        &plan,
        "plan changing the subdomain",
        "G4",
        &[subject],
        &["Revert"],
    );
    assert!(refusals[0].summary.contains("subdomain"), "{refusals:#?}");
    assert_no_replacement_proposed(&plan, "plan changing the subdomain");
    seeded.assert_untouched("plan changing the subdomain");

    // G9: any other change.
    scenario.write(&edit(
        &seeded.body,
        "name              = \"g16 Inc\"",
        "name              = \"Renamed Inc\"",
    ));
    let plan = scenario.plan(&[]);
    assert_plan_refused(
        &plan,
        "plan renaming the org",
        "G9",
        &[subject],
        &["Revert"],
    );
    seeded.assert_untouched("plan renaming the org");

    // G5: -replace.
    scenario.write(&seeded.body);
    let plan = scenario.plan(&[&format!("-replace={ORG}")]);
    assert_plan_refused(
        &plan,
        "plan -replace of the org",
        "G5",
        &[subject],
        &["Drop `-replace`"],
    );
    seeded.assert_untouched("plan -replace of the org");

    // G10: moved.
    scenario.write(&format!(
        "{}\nmoved {{\n  from = {ORG}\n  to   = okta_msp_org.acme\n}}\n",
        edit(
            &seeded.body,
            "\"okta_msp_org\" \"customer\"",
            "\"okta_msp_org\" \"acme\""
        )
    ));
    let plan = scenario.plan(&[]);
    plan.assert_success("plan with the org moved");
    assert!(
        plan.stdout.contains("0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(errors(&plan).is_empty(), "{}", plan.combined());
    seeded.assert_untouched("plan with the org moved");

    // G11: removed with destroy = false, the off-boarding path.
    scenario.write(&format!(
        "removed {{\n  from = {ORG}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
    ));
    let apply = scenario.apply(&[]);
    apply.assert_success("apply with the org removed (destroy = false)");
    assert!(scenario.state_list().is_empty(), "Terraform forgot the org");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    let org = scenario.api.get("/api/v1/org");
    assert_eq!(org["id"], seeded.org_id.as_str());
    scenario.assert_finalized_untouched("off-boarding of the org");
}

/// G6 and G7 for the org: `replace_triggered_by` and `create_before_destroy`.
#[test]
fn g16_org_replace_triggered_by_and_create_before_destroy_fail_the_plan() {
    require_terraform!();
    let seeded = SeededOrg::new(
        "g16r",
        "  lifecycle {\n    create_before_destroy = true\n    replace_triggered_by  = [terraform_data.rotation]\n  }",
        "resource \"terraform_data\" \"rotation\" {\n  input = \"v1\"\n}",
    );
    let scenario = &seeded.scenario;
    let mutations = scenario.mutations();

    scenario.write(&edit(&seeded.body, "input = \"v1\"", "input = \"v2\""));
    let plan = scenario.plan(&[]);
    assert_plan_refused(
        &plan,
        "plan with the org's replace_triggered_by firing",
        "G5",
        &[&seeded.org_id],
        &["replace_triggered_by"],
    );
    seeded.assert_untouched("plan with the org's replace_triggered_by firing");

    scenario.write(&seeded.body);
    let plan = scenario.plan(&[&format!("-replace={ORG}")]);
    assert_plan_refused(
        &plan,
        "plan -replace of the org under create_before_destroy",
        "G5",
        &[&seeded.org_id],
        &["create_before_destroy"],
    );
    let apply = scenario.apply(&[&format!("-replace={ORG}")]);
    assert_plan_refused(
        &apply,
        "apply -replace of the org under create_before_destroy",
        "G5",
        &[&seeded.org_id],
        &[],
    );
    seeded.assert_untouched("plan -replace of the org under create_before_destroy");
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
}

/// G8 for the org: `terraform taint`, then apply: the delete is refused as G8 and the org stays.
#[test]
fn g8_org_taint_then_apply_refuses_to_delete() {
    require_terraform!();
    let seeded = SeededOrg::new("g8org", "", "");
    let scenario = &seeded.scenario;
    scenario
        .tf(&["taint", ORG])
        .assert_success("terraform taint of the org");
    let apply = scenario.apply(&[]);
    assert_refused(
        &apply,
        "apply after tainting the org",
        "G8",
        &[&seeded.org_id],
        &["terraform untaint", "removed {"],
    );
    seeded.assert_untouched("apply after tainting the org");
}

// The precondition of every row --------------------------------------------------------------------

/// Every scenario starts from accounts finalized in the apply that creates them (SPEC section 4).
/// Terraform sets up independent resources concurrently (10 at a time by default), so this holds
/// only if concurrent setups in one org do not disturb each other's verification.
#[test]
fn parallel_setup_finalizes_every_account() {
    require_terraform!();
    let scenario = Scenario::empty("parallel");
    let body: String = (0..8)
        .map(|i| {
            account(
                &format!("agent_{i}"),
                "ad_agent",
                &format!("oktaadagent-{i}@msp.example"),
                "",
            )
        })
        .collect();
    scenario.write(&body);
    let apply = scenario.apply(&[]);
    apply.assert_success("apply of eight accounts at default parallelism");
    let state = scenario.state();
    for resource in resources(&state) {
        assert_eq!(
            resource["values"]["finalized"], true,
            "{} finalized in the apply that created it",
            resource["address"]
        );
    }
}

#[test]
fn g21_a_correction_with_a_new_reason_changes_email_and_names_and_keeps_the_account_finalized() {
    require_terraform!();
    let scenario = Scenario::applied("g21", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let base = two_accounts();
    let radius_line = format!("email   = \"{RADIUS_LOGIN}\"");
    let corrected_email = "radius-mailbox@msp.example";

    // Without a reason the change is refused, and the refusal says how to correct on purpose.
    let typo_fix = edit(
        &base,
        &radius_line,
        &format!("email   = \"{corrected_email}\"\n  first_name = \"OktaRADIUS Corrected\""),
    );
    scenario.write(&typo_fix);
    let plan = scenario.plan(&[]);
    let refusals = assert_plan_refused(
        &plan,
        "a correction without a reason",
        "G9",
        &[&radius_id],
        &["correction_reason", "(G21)"],
    );
    assert_names_address(&refusals, RADIUS);

    // With a new reason: planned in place, with old and new values and a G21 warning.
    let with_reason = edit(
        &base,
        &radius_line,
        &format!(
            "email   = \"{corrected_email}\"\n  first_name = \"OktaRADIUS Corrected\"\n  correction_reason = \"MSP-1234: mailbox typo at setup\""
        ),
    );
    scenario.write(&with_reason);
    let plan = scenario.plan(&[]);
    plan.assert_success("a correction with a new reason");
    let shown = plan.combined();
    assert!(
        shown.contains(&format!("\"{RADIUS_LOGIN}\" -> \"{corrected_email}\"")),
        "the plan shows old and new e-mail:\n{shown}"
    );
    let notices: Vec<Diagnostic> = warnings(&plan)
        .into_iter()
        .filter(|d| d.summary.contains("(G21)"))
        .collect();
    assert_eq!(notices.len(), 1, "{shown}");
    assert_plain_english(&notices[0]);
    assert!(notices[0].body.contains("MSP-1234"), "{notices:#?}");
    let apply = scenario.apply(&[]);
    apply.assert_success("the correction");
    let after = scenario.snapshot(&radius_id);
    assert_eq!(after.profile["email"], corrected_email);
    assert_eq!(after.profile["firstName"], "OktaRADIUS Corrected");
    assert_eq!(after.status, "ACTIVE");
    let before = scenario.recorded(RADIUS);
    assert_eq!(after.roles.len(), before.roles.len(), "roles untouched");
    let values = scenario.values(RADIUS);
    assert_eq!(values["finalized"], true);
    assert_eq!(values["id"], radius_id.as_str());
    assert_eq!(
        values["correction_reason"],
        "MSP-1234: mailbox typo at setup"
    );
    assert!(
        after.profile["userType"]
            .as_str()
            .is_some_and(|t| t.ends_with("/finalized")),
        "still finalized in Okta: {:?}",
        after.profile
    );
    // The other account was not touched.
    assert_eq!(
        scenario.snapshot(&id_of(&scenario, AD_AGENT)),
        *scenario.recorded(AD_AGENT)
    );
    // The reason is spent: a further change needs a new one.
    scenario.write(&edit(
        &with_reason,
        "first_name = \"OktaRADIUS Corrected\"",
        "first_name = \"Someone Else\"",
    ));
    let plan = scenario.plan(&[]);
    assert_plan_refused(
        &plan,
        "a second change under the same reason",
        "G9",
        &[&radius_id],
        &[],
    );
    // A reason does not open the immutable attributes or finalize.
    scenario.write(&edit(
        &with_reason,
        "correction_reason = \"MSP-1234: mailbox typo at setup\"",
        "correction_reason = \"MSP-1235\"\n  finalize = false",
    ));
    let plan = scenario.plan(&[]);
    assert_plan_refused(&plan, "finalize under a reason", "G9", &[&radius_id], &[]);
    // Removing the reason plans it to null, as configured, though Terraform is told the
    // attribute is computed (for generated configuration) and would propose the reason in state.
    scenario.write(&edit(
        &with_reason,
        "\n  correction_reason = \"MSP-1234: mailbox typo at setup\"",
        "",
    ));
    let plan = scenario.plan(&[]);
    plan.assert_success("removing the correction reason");
    assert!(
        plan.combined()
            .contains("correction_reason = \"MSP-1234: mailbox typo at setup\" -> null"),
        "{}",
        plan.combined()
    );
    scenario
        .apply(&[])
        .assert_success("apply of the reason's removal");
    assert!(scenario.values(RADIUS)["correction_reason"].is_null());
    let plan = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

/// A retirement that fails after it unmarked the account (Okta refuses the deactivation) and is
/// then cancelled (the `retire_reason` removed again) leaves the account finalized in Okta as in
/// state: the refresh finds the mark missing and the next apply writes it back.
#[test]
fn g22_a_failed_retirement_cancelled_afterwards_restores_the_finalized_mark() {
    require_terraform!();
    let scenario = Scenario::applied("g22c", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let mark = scenario.snapshot(&radius_id).profile["userType"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = two_accounts();
    let radius_line = format!("email   = \"{RADIUS_LOGIN}\"");
    let retired = edit(
        &base,
        &radius_line,
        &format!("{radius_line}\n  retire_reason = \"RADIUS decommissioned, MSP-78\""),
    );
    scenario.emulator.add_fault(json!({
        "kind": "error", "statuses": [400], "org": "g22c",
        "route": "/api/v1/users/{userId}/lifecycle/deactivate",
    }));
    scenario.write(&retired);
    scenario
        .apply(&[])
        .assert_failure("a retirement whose deactivation Okta refuses");
    let halfway = scenario.snapshot(&radius_id);
    assert_eq!(halfway.status, "ACTIVE");
    assert_ne!(
        halfway.profile["userType"],
        mark.as_str(),
        "the retirement unmarked the account before it failed"
    );

    // Cancelled: the reason goes, and the account is finalized again in Okta, as in state.
    scenario.emulator.control("DELETE", "/faults", None);
    scenario.write(&base);
    scenario
        .apply(&[])
        .assert_success("the apply after cancelling");
    let after = scenario.snapshot(&radius_id);
    assert_eq!(after.status, "ACTIVE");
    assert_eq!(
        after.profile["userType"],
        mark.as_str(),
        "{:?}",
        after.profile
    );
    assert_eq!(scenario.values(RADIUS)["finalized"], true);
    let plan = scenario.tf(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
}

#[test]
fn g22_retiring_deactivates_and_unfinalizes_and_then_the_block_can_go() {
    require_terraform!();
    let scenario = Scenario::applied("g22", &two_accounts());
    let radius_id = id_of(&scenario, RADIUS);
    let base = two_accounts();
    let radius_line = format!("email   = \"{RADIUS_LOGIN}\"");
    let retired = edit(
        &base,
        &radius_line,
        &format!("{radius_line}\n  retire_reason = \"RADIUS decommissioned, MSP-77\""),
    );
    scenario.write(&retired);
    let plan = scenario.plan(&[]);
    plan.assert_success("a retirement");
    let shown = plan.combined();
    assert!(shown.contains("\"ACTIVE\" -> \"DEPROVISIONED\""), "{shown}");
    assert!(
        shown.contains("true -> false"),
        "finalized goes to false:\n{shown}"
    );
    let notices: Vec<Diagnostic> = warnings(&plan)
        .into_iter()
        .filter(|d| d.summary.contains("(G22)"))
        .collect();
    assert_eq!(notices.len(), 1, "{shown}");
    assert_plain_english(&notices[0]);
    assert!(notices[0].body.contains("MSP-77"));
    scenario.apply(&[]).assert_success("the retirement");
    let after = scenario.snapshot(&radius_id);
    assert_eq!(after.status, "DEPROVISIONED");
    assert!(
        after.profile["userType"]
            .as_str()
            .is_some_and(|t| !t.ends_with("/finalized")),
        "no longer finalized in Okta: {:?}",
        after.profile
    );
    let values = scenario.values(RADIUS);
    assert_eq!(values["finalized"], false);
    assert_eq!(values["status"], "DEPROVISIONED");
    // Retired stays retired: nothing to do, and the AD agent was not touched.
    let again = scenario.plan(&["-detailed-exitcode"]);
    assert_eq!(again.code, Some(0), "{}", again.combined());
    assert_eq!(
        scenario.snapshot(&id_of(&scenario, AD_AGENT)),
        *scenario.recorded(AD_AGENT)
    );
    // Removing the block now deletes it (G15); the finalized AD agent is still guarded.
    scenario.write(&account("ad_agent", "ad_agent", AD_LOGIN, ""));
    let apply = scenario.apply(&[]);
    apply.assert_success("destroying a retired account");
    let (status, _) = scenario
        .api
        .send("GET", &format!("/api/v1/users/{radius_id}"), None);
    assert_eq!(status, 404, "the retired account is deleted");
    scenario.write("");
    let destroy = scenario.plan(&["-destroy"]);
    destroy.assert_failure("the finalized AD agent is still guarded");
}
