//! Adoption and recovery through the real CLI (SPEC section 4, rows G17 to G20): existing users
//! adopted only when they are recognisably the kind's account, imports that change nothing the
//! plan did not show, and failed or half-finished applies resumed with the same Okta objects.

use serde_json::{Value, json};

use crate::support::scenario::{
    Scenario, account, assert_plain_english, errors, resources, show_json, warnings,
};
use crate::support::terraform::{Workspace, terraform_available};

const LOGIN: &str = "okta-radius@msp.example";

/// Plans to a file, applies that file, and checks that every value the plan knew is the value
/// the apply recorded: what changes is exactly what the plan showed.
#[track_caller]
fn apply_as_planned(scenario: &Scenario, what: &str) -> Value {
    let plan = scenario.tf(&["plan", "-input=false", "-out=tfplan"]);
    plan.assert_success(&format!("{what}: plan"));
    let shown = scenario
        .workspace
        .run(&["show", "-json", "-no-color", "tfplan"]);
    shown.assert_success(&format!("{what}: show the plan"));
    let planned: Value = serde_json::from_str(&shown.stdout).expect("plan JSON");
    let apply = scenario.tf(&["apply", "-input=false", "tfplan"]);
    apply.assert_success(&format!("{what}: apply"));
    assert!(
        !apply.combined().contains("inconsistent result"),
        "{what}: {}",
        apply.combined()
    );
    let state = show_json(&scenario.workspace);
    let planned_resources = planned["planned_values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for planned_resource in planned_resources {
        let address = planned_resource["address"].as_str().unwrap();
        let applied = resources(&state)
            .into_iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{what}: {address} is not in state"));
        let unknown = planned["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["change"]["after_unknown"].clone())
            .unwrap_or(Value::Null);
        for (name, value) in planned_resource["values"].as_object().unwrap() {
            if unknown[name] == true {
                continue;
            }
            assert_eq!(
                &applied["values"][name], value,
                "{what}: {address}.{name} was planned as {value} but applied as {}",
                applied["values"][name]
            );
        }
    }
    planned
}

/// A user the org already has, made the way a person or another tool would.
fn create_user(scenario: &Scenario, body: Value, activate: bool) -> String {
    let (status, user) = scenario.api.send(
        "POST",
        &format!("/api/v1/users?activate={activate}"),
        Some(body),
    );
    assert_eq!(status, 200, "{user}");
    user["id"].as_str().unwrap().to_owned()
}

fn profile(login: &str, first: &str, last: &str) -> Value {
    json!({"login": login, "email": login, "firstName": first, "lastName": last})
}

fn import_block(scenario: &Scenario, address: &str, id: &str) -> String {
    format!(
        "import {{\n  to = {address}\n  id = \"{}/{id}\"\n}}\n",
        scenario.org.url
    )
}

/// Defect 1 (G18): an imported Deep Link account whose names differ from the kind's defaults,
/// configured without names as the documented example is, keeps its names; the plan shows what
/// the apply changes, and the apply changes exactly that.
#[test]
fn importing_an_account_keeps_its_names_and_changes_only_what_the_plan_shows() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("adopt-names");
    let login = "deep-link@msp.example";
    let id = create_user(
        &scenario,
        json!({"profile": profile(login, "Technician", "Portal"),
               "credentials": {"password": {"value": "Platform-Made-Password-1234!"}}}),
        true,
    );
    scenario.write(&format!(
        "{}{}",
        account("deep_link", "deep_link", login, ""),
        import_block(&scenario, "okta_msp_service_account.deep_link", &id)
    ));
    let plan = scenario.plan(&["-no-color"]);
    plan.assert_success("plan of the import");
    assert!(
        !plan.stdout.contains("\"custom\""),
        "the kind is never guessed: {}",
        plan.stdout
    );
    // The platform's default login names the kind, as discovery does: the import records it,
    // so the plan shows no change of kind, and the roles the kind needs as a repair.
    assert!(
        !plan.stdout.contains("~ kind") && plan.stdout.contains("kind         = \"deep_link\""),
        "the kind is recorded, not changed: {}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("- \"assign SUPER_ADMIN\""),
        "the role the kind needs is shown: {}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("managed service account in Okta's userType (now not set)"),
        "the mark the adoption writes is shown: {}",
        plan.stdout
    );
    apply_as_planned(&scenario, "adopting the Deep Link account");
    let user = scenario.api.get(&format!("/api/v1/users/{id}"));
    assert_eq!(user["profile"]["firstName"], "Technician");
    assert_eq!(user["profile"]["lastName"], "Portal");
    assert_eq!(user["status"], "ACTIVE");
    let values = scenario.values("okta_msp_service_account.deep_link");
    assert_eq!(values["finalized"], true, "{values}");
    assert_eq!(values["id"], id.as_str());
    scenario.workspace.assert_no_changes("after adoption");
}

/// Defect 2 (G17): a create over a person who holds the login fails the plan, names the user and
/// gives the import block; nothing in Okta changes.
#[test]
fn g17_a_create_over_a_person_with_the_login_is_refused_and_changes_nothing() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("adopt-person");
    let id = create_user(
        &scenario,
        json!({"profile": profile(LOGIN, "Robin", "Person"),
               "credentials": {"password": {"value": "A-Person-Chose-This-1234!"}}}),
        true,
    );
    let (status, body) = scenario.api.send(
        "POST",
        &format!("/api/v1/users/{id}/roles"),
        Some(json!({"type": "HELP_DESK_ADMIN"})),
    );
    assert_eq!(status, 201, "{body}");
    let before = scenario.snapshot(&id);
    let mutations = scenario.mutations();
    scenario.write(&account("radius", "radius", LOGIN, ""));
    for command in [
        vec!["plan", "-input=false"],
        vec!["apply", "-auto-approve", "-input=false"],
    ] {
        let outcome = scenario.tf(&command);
        outcome.assert_failure("a create over a person");
        let refusals: Vec<_> = errors(&outcome)
            .into_iter()
            .filter(|d| d.summary.contains("(G17)"))
            .collect();
        assert_eq!(refusals.len(), 1, "{}", outcome.combined());
        assert_plain_english(&refusals[0]);
        let text = refusals[0].text();
        for needle in [
            LOGIN,
            &id,
            "ACTIVE",
            "msp.example",
            "HELP_DESK_ADMIN",
            "import {",
            &format!("{}/{id}", scenario.org.url),
        ] {
            assert!(text.contains(needle), "{needle:?} missing: {text}");
        }
    }
    assert_eq!(scenario.mutations(), mutations, "no write reached Okta");
    assert_eq!(scenario.snapshot(&id), before, "the person is untouched");
}

/// Defect 3: Okta spells the credential `recovery_question`; an account with one is not
/// finalized as it is: the question is removed first (SPEC 3.4), and the data source reports an
/// account that has one as not compliant.
#[test]
fn a_recovery_question_is_detected_and_removed_before_finalization() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("adopt-question");
    let login = "deep-link@msp.example";
    let id = create_user(
        &scenario,
        json!({"profile": {"login": login, "email": login, "firstName": "Deep", "lastName": "Link",
                           "userType": "okta-msp-service-account/deep_link"},
               "credentials": {"password": {"value": "Platform-Made-Password-1234!"},
                               "recovery_question": {"question": "First pet?", "answer": "Rex the dog"}}}),
        true,
    );
    let user = scenario.api.get(&format!("/api/v1/users/{id}"));
    assert!(
        user["credentials"]["recovery_question"].is_object(),
        "{user}"
    );
    // The data source sees it as it is.
    scenario.write(
        "data \"okta_msp_service_accounts\" \"all\" {\n  org_url = local.org_url\n}\noutput \"accounts\" {\n  value = data.okta_msp_service_accounts.all.accounts\n}\n",
    );
    // Marked as a Deep Link account that was never finalized, with the role its kind needs.
    let (status, body) = scenario.api.send(
        "POST",
        &format!("/api/v1/users/{id}/roles"),
        Some(json!({"type": "SUPER_ADMIN"})),
    );
    assert_eq!(status, 201, "{body}");
    let outcome = scenario.apply(&[]);
    outcome.assert_success("data source read");
    let output = scenario.workspace.run(&["output", "-json", "accounts"]);
    let accounts: Value = serde_json::from_str(&output.stdout).unwrap_or(Value::Null);
    let listed = accounts
        .as_array()
        .and_then(|all| all.iter().find(|a| a["id"] == id.as_str()))
        .unwrap_or_else(|| panic!("the admin account is listed: {accounts}"));
    assert_eq!(listed["compliant"], false, "{listed}");
    assert!(
        listed["violations"]
            .to_string()
            .contains("recovery question"),
        "{listed}"
    );
    // Adopting it removes the question, then finalizes.
    scenario.write(&format!(
        "{}{}",
        account("deep_link", "deep_link", login, ""),
        import_block(&scenario, "okta_msp_service_account.deep_link", &id)
    ));
    let plan = scenario.plan(&["-no-color"]);
    plan.assert_success("plan of the adoption");
    assert!(
        plan.combined().contains("remove the recovery question"),
        "{}",
        plan.combined()
    );
    apply_as_planned(&scenario, "adoption with a recovery question");
    let user = scenario.api.get(&format!("/api/v1/users/{id}"));
    assert!(
        user["credentials"]["recovery_question"].is_null(),
        "the question is gone: {user}"
    );
    assert_eq!(
        scenario.values("okta_msp_service_account.deep_link")["finalized"],
        true
    );
}

/// Defect 4: adopting an account in each status Okta has uses Okta's allowed transitions (a
/// `PROVISIONED` account gets a password, never `activate`), and ends `ACTIVE` and finalized.
#[test]
fn adopting_accounts_in_every_status_makes_them_active_and_finalized() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("adopt-status");
    let password = json!({"password": {"value": "Someone-Set-This-Once-1234!"}});
    let mut body = String::new();
    let mut ids = Vec::new();
    for status in [
        "PROVISIONED",
        "STAGED",
        "PASSWORD_EXPIRED",
        "LOCKED_OUT",
        "RECOVERY",
        "SUSPENDED",
        "DEPROVISIONED",
    ] {
        let name = status.to_lowercase();
        let login = format!("agent-{}@msp.example", name.replace('_', "-"));
        let with_password = !matches!(status, "PROVISIONED" | "STAGED");
        let mut user = json!({"profile": profile(&login, "Okta", "ADAgent")});
        if with_password {
            user["credentials"] = password.clone();
        }
        let id = create_user(&scenario, user, status != "STAGED");
        let lifecycle = |operation: &str| {
            let (code, answer) = scenario.api.send(
                "POST",
                &format!("/api/v1/users/{id}/lifecycle/{operation}"),
                None,
            );
            assert!((200..300).contains(&code), "{operation}: {answer}");
        };
        match status {
            "PASSWORD_EXPIRED" => lifecycle("expire_password"),
            "RECOVERY" => lifecycle("reset_password?sendEmail=false"),
            "SUSPENDED" => lifecycle("suspend"),
            "DEPROVISIONED" => lifecycle("deactivate"),
            "LOCKED_OUT" => {
                let (code, answer) = scenario.emulator.control(
                    "POST",
                    &format!("/orgs/{}/users/{id}/lock", scenario.subdomain),
                    None,
                );
                assert!((200..300).contains(&code), "lock: {answer}");
            }
            _ => {}
        }
        assert_eq!(
            scenario.api.get(&format!("/api/v1/users/{id}"))["status"],
            status
        );
        let address = format!("okta_msp_service_account.{name}");
        body.push_str(&account(&name, "ad_agent", &login, ""));
        body.push_str(&import_block(&scenario, &address, &id));
        ids.push((status, id, address));
    }
    scenario.write(&body);
    let plan = scenario.plan(&["-no-color"]);
    plan.assert_success("plan of seven adoptions");
    for status in ["PROVISIONED", "DEPROVISIONED", "SUSPENDED"] {
        assert!(
            plan.stdout.contains(&format!("\"{status}\" -> \"ACTIVE\"")),
            "the status change is shown: {}",
            plan.stdout
        );
    }
    apply_as_planned(&scenario, "adoption in every status");
    for (status, id, address) in ids {
        let user = scenario.api.get(&format!("/api/v1/users/{id}"));
        assert_eq!(user["status"], "ACTIVE", "{status}: {user}");
        let values = scenario.values(&address);
        assert_eq!(values["finalized"], true, "{status}: {values}");
        assert_eq!(values["id"], id.as_str(), "{status}");
    }
    scenario
        .workspace
        .assert_no_changes("after adopting every status");
}

/// Defect 6 (G19): a create that fails after the user exists is resumed by the next apply with
/// the same user (Terraform tainted it; the provider forgets the tainted record instead of
/// deleting it); no second account, no deletion.
#[test]
fn g19_a_create_that_failed_half_way_is_resumed_with_the_same_account() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("resume-account");
    // Role assignments fail for longer than the client retries: the user exists, unfinished.
    scenario.emulator.add_fault(json!({
        "org": scenario.subdomain, "route": "/api/v1/users/{userId}/roles", "method": "POST",
        "kind": "error", "statuses": [500], "times": 2
    }));
    let config =
        crate::support::scenario::config(&scenario.org, &account("radius", "radius", LOGIN, ""))
            .replace(
                "provider \"okta\" {",
                "provider \"okta\" {\n  max_retries = 1",
            );
    scenario.workspace.write("main.tf", &config);
    let first = scenario.apply(&[]);
    first.assert_failure("apply with role assignments failing");
    let users = scenario.users_with_login(LOGIN);
    assert_eq!(users.len(), 1, "{users:#?}");
    let id = users[0]["id"].as_str().unwrap().to_owned();
    let state = show_json(&scenario.workspace);
    let tainted = resources(&state)
        .into_iter()
        .find(|r| r["address"] == "okta_msp_service_account.radius")
        .expect("the half-made account is in state");
    assert_eq!(tainted["tainted"], true, "{tainted}");
    let (status, _) = scenario.emulator.control("DELETE", "/faults", None);
    assert!((200..300).contains(&status));

    let plan = scenario.plan(&[]);
    plan.assert_success("plan after the failure");
    for warning in warnings(&plan) {
        assert_plain_english(&warning);
    }
    assert!(
        warnings(&plan).iter().any(|w| w.summary.contains("(G19)")),
        "{}",
        plan.combined()
    );
    let requests_before = scenario.requests();
    let second = scenario.apply(&[]);
    second.assert_success("the apply that resumes");
    let requests_after = scenario.requests();
    let deletes = |requests: &std::collections::BTreeMap<String, u64>| {
        requests
            .iter()
            .filter(|(route, _)| {
                route.starts_with("DELETE /api/v1/users/{userId}")
                    || route.contains("lifecycle/deactivate")
            })
            .map(|(_, count)| count)
            .sum::<u64>()
    };
    assert_eq!(
        deletes(&requests_after),
        deletes(&requests_before),
        "nothing deleted"
    );
    assert_eq!(
        scenario.users_with_login(LOGIN).len(),
        1,
        "no second account"
    );
    let values = scenario.values("okta_msp_service_account.radius");
    assert_eq!(values["id"], id.as_str(), "the same account");
    assert_eq!(values["finalized"], true);
    assert_eq!(
        scenario.api.role_types(&id),
        vec!["APP_ADMIN".to_owned(), "READ_ONLY_ADMIN".to_owned()]
    );
    scenario.workspace.assert_no_changes("after resuming");
}

/// Defect 7 (G20): the account was finalized in Okta but the answer never reached state (state
/// says tainted and unfinalized, as a lost answer leaves it). The next apply recognises it as its
/// own and converges, with no manual step and no G14.
#[test]
fn g20_a_lost_finalization_answer_converges_without_a_manual_step() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::applied(
        "lost-answer",
        &format!(
            "{}{}",
            account("radius", "radius", LOGIN, ""),
            account("agent", "ad_agent", "okta-ad-agent@msp.example", "")
        ),
    );
    let id = scenario.values("okta_msp_service_account.radius")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let snapshot = scenario.snapshot(&id);
    // What a lost answer to the finalizing call leaves: Okta records it finalized, the state has
    // the failed create (tainted, not finalized).
    let path = scenario.workspace.dir().join("terraform.tfstate");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for resource in state["resources"].as_array_mut().unwrap() {
        if resource["name"] == "radius" {
            let instance = &mut resource["instances"][0];
            instance["status"] = json!("tainted");
            instance["attributes"]["finalized"] = json!(false);
            instance["attributes"]["finalized_at"] = Value::Null;
            instance["private"] = Value::Null;
        }
    }
    state["serial"] = json!(state["serial"].as_u64().unwrap() + 1);
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();

    let plan = scenario.plan(&[]);
    plan.assert_success("plan after the lost answer");
    assert!(
        !plan.combined().contains("(G14)"),
        "its own account is not another configuration's: {}",
        plan.combined()
    );
    for warning in warnings(&plan) {
        assert_plain_english(&warning);
    }
    assert!(
        warnings(&plan).iter().any(|w| w.summary.contains("(G20)")),
        "{}",
        plan.combined()
    );
    apply_as_planned(&scenario, "recording the lost finalization");
    let values = scenario.values("okta_msp_service_account.radius");
    assert_eq!(values["id"], id.as_str());
    assert_eq!(values["finalized"], true);
    assert_eq!(
        scenario.snapshot(&id).setup(),
        snapshot.setup(),
        "untouched"
    );
    scenario.workspace.assert_no_changes("after converging");
}

/// Defect 5 (G19 for orgs): an org whose set-up fails once is resumed by the next apply with the
/// same org and the same token, never created again; and after `terraform untaint` the plan
/// shows the resumption instead of "No changes" for ever.
#[test]
fn g19_an_org_whose_setup_failed_is_resumed_with_its_token() {
    if !terraform_available() {
        return;
    }
    let emulator = crate::support::emulator::Emulator::start();
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &format!(
            r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  partner_url   = "{partner_url}"
  partner_token = "{partner_token}"
  max_retries   = 0
}}
resource "okta_msp_org" "acme" {{
  name              = "Acme"
  subdomain         = "acme-resume"
  integration_login = "msp-integration@acme.example"
  integration_email = "msp-integration@acme.example"
}}
"#,
            partner_url = emulator.partner_url,
            partner_token = emulator.partner_token
        ),
    );
    workspace.init();
    // The new org's group cannot be created in any of the baseline's passes: the org exists,
    // its set-up stops.
    emulator.add_fault(json!({
        "org": "acme-resume", "route": "/api/v1/groups", "method": "POST",
        "kind": "error", "statuses": [503], "times": 5
    }));
    let first = workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    first.assert_failure("apply with the org's set-up failing");
    let state = show_json(&workspace);
    let org = &resources(&state)[0];
    assert_eq!(org["tainted"], true, "{org}");
    let org_id = org["values"]["id"].as_str().unwrap().to_owned();

    for round in ["untaint", "taint"] {
        if round == "untaint" {
            workspace
                .run(&["untaint", "okta_msp_org.acme"])
                .assert_success("untaint");
            let plan = workspace.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
            assert_eq!(
                plan.code,
                Some(2),
                "the resumption is planned: {}",
                plan.combined()
            );
            workspace
                .run(&["taint", "okta_msp_org.acme"])
                .assert_success("taint again");
        }
    }
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan of the tainted org");
    assert!(plan.combined().contains("(G19)"), "{}", plan.combined());
    let second = workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    second.assert_success("the apply that resumes the org");
    let state = show_json(&workspace);
    let org = &resources(&state)[0];
    assert_eq!(org["values"]["id"], org_id.as_str(), "the same org");
    assert_eq!(org["values"]["finalized"], true, "{org}");
    assert!(org["tainted"].is_null() || org["tainted"] == false, "{org}");
    workspace.assert_no_changes("after resuming the org");
}

/// Defect 8: a login with `+` is found by login, so importing it by login works (the emulator
/// decodes `%2B` in the path as Okta does).
#[test]
fn importing_by_a_login_with_a_plus_sign_finds_the_account() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("adopt-plus");
    let login = "okta-radius+acme@msp.example";
    let id = create_user(
        &scenario,
        json!({"profile": {"login": login, "email": login, "firstName": "Okta", "lastName": "RADIUS",
                           "userType": "okta-msp-service-account/radius"},
               "credentials": {"password": {"value": "Someone-Set-This-Once-1234!"}}}),
        true,
    );
    scenario.write(&account("radius", "radius", login, ""));
    let import = scenario.tf(&[
        "import",
        "-input=false",
        "okta_msp_service_account.radius",
        &format!("{}/{login}", scenario.org.url),
    ]);
    import.assert_success("terraform import by a login with a plus sign");
    let values = scenario.values("okta_msp_service_account.radius");
    assert_eq!(values["id"], id.as_str(), "{values}");
    assert_eq!(values["login"], login);
    assert_eq!(values["kind"], "radius", "the kind the mark records");
}

/// Defect 7 with a real lost answer (G20): Okta records the finalization, then the connection
/// drops before the answer, and the client may not retry. The apply reads the account back,
/// sees it finalized, and records it: one account, finalized, no error, nothing left to do.
#[test]
fn g20_a_finalization_whose_answer_is_lost_is_read_back_in_the_same_apply() {
    if !terraform_available() {
        return;
    }
    let scenario = Scenario::empty("lost-mark");
    // The only profile write of a fresh create is the finalization mark.
    scenario.emulator.add_fault(json!({
        "org": scenario.subdomain, "route": "/api/v1/users/{userId}", "method": "POST",
        "kind": "drop_after_commit", "times": 1
    }));
    let config =
        crate::support::scenario::config(&scenario.org, &account("radius", "radius", LOGIN, ""))
            .replace(
                "provider \"okta\" {",
                "provider \"okta\" {\n  max_retries = 0",
            );
    scenario.workspace.write("main.tf", &config);
    let apply = scenario.apply(&[]);
    apply.assert_success("apply whose finalization answer is lost");
    let (_, stats) = scenario.emulator.control("GET", "/stats", None);
    assert_eq!(
        stats["faults_injected"]["drop_after_commit"], 1,
        "the answer was really lost: {stats}"
    );
    let users = scenario.users_with_login(LOGIN);
    assert_eq!(users.len(), 1, "{users:#?}");
    assert!(
        users[0]["profile"]["userType"]
            .as_str()
            .is_some_and(|t| t.ends_with("/finalized")),
        "{:?}",
        users[0]["profile"]
    );
    let values = scenario.values("okta_msp_service_account.radius");
    assert_eq!(values["finalized"], true, "{values}");
    assert_eq!(values["id"], users[0]["id"]);
    scenario
        .workspace
        .assert_no_changes("after the lost answer");
}
