//! The fleet key (issue 26) through the real CLI, provider and emulator: a new org is born on a
//! service app that trusts the fleet key and no state holds a secret; a token org moves over;
//! a rotation of the fleet key across three orgs while plans run fails no request. Every state
//! file, saved plan and `TF_LOG=TRACE` output is searched for tokens, keys, client assertions,
//! DPoP proofs and access tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use okta_msp::okta::oauth::{ServiceApp, SigningKey};
use okta_msp::okta::{Client, ClientOptions, OrgUrl};
use serde_json::Value;

use crate::oauth_client::{EC_PRIVATE_JWK, RSA_PRIVATE_JWK, public_jwk, register_app};
use crate::support::emulator::{Api, Emulator};
use crate::support::scenario::{resources, show_json};
use crate::support::terraform::{Outcome, Workspace, terraform_available};
use crate::terraform_115::saved_plan_contents;

const PROVIDER_ONLY: &str = r#"
terraform {
  required_providers {
    okta = { source = "zerotek/okta-msp" }
  }
}
provider "okta" {}
"#;

/// An org and `accounts` service accounts reached through its app (`org_client_id`).
fn org_with_accounts(name: &str, accounts: usize) -> String {
    let mut text = format!(
        r#"
resource "okta_msp_org" "{name}" {{
  name              = "{name} Inc"
  subdomain         = "{name}"
  integration_login = "msp-integration@{name}.example"
  integration_email = "msp-integration@{name}.example"
}}
"#
    );
    for (index, kind) in ["ad_agent", "radius"].iter().take(accounts).enumerate() {
        text.push_str(&format!(
            r#"
resource "okta_msp_service_account" "{name}_{index}" {{
  org_url       = okta_msp_org.{name}.url
  org_client_id = okta_msp_org.{name}.service_app_client_id
  kind          = "{kind}"
  login         = "{kind}@{name}.example"
  email         = "{kind}@{name}.example"
}}
"#
        ));
    }
    text
}

/// The private members of the test keys, and every other text that must never be written down.
fn secrets_of_keys() -> Vec<String> {
    let mut secrets = vec!["-----BEGIN".to_owned()];
    for private in [EC_PRIVATE_JWK, RSA_PRIVATE_JWK] {
        let jwk: Value = serde_json::from_str(private).unwrap();
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            if let Some(value) = jwk[member].as_str() {
                secrets.push(value.to_owned());
            }
        }
    }
    secrets
}

/// Whether `text` holds something shaped like a secret: a JWT (client assertions, DPoP proofs
/// and the emulator's access tokens are compact JWS, whose header starts `eyJ`), an Okta API
/// token (`00` and 40 letters or digits), or one of `known`.
fn secret_in(text: &str, known: &[String]) -> Option<String> {
    if let Some(jwt) = jwt_in(text) {
        return Some(jwt.chars().take(20).collect());
    }
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.len() == 42 && word.starts_with("00") {
            return Some(format!("{}...", &word[..6]));
        }
    }
    known
        .iter()
        .find(|secret| text.contains(secret.as_str()))
        .map(|secret| format!("{}...", &secret[..secret.len().min(6)]))
}

/// A compact JWS in `text`: a base64url header that opens a JSON object (`eyJ`), a dot, a
/// base64url payload and a dot (private data is base64 of JSON too, but has no dots).
fn jwt_in(text: &str) -> Option<&str> {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(at) = text[from..].find("eyJ").map(|at| at + from) {
        let rest = &text[at..];
        let header = rest.find(|c: char| !base64url(c)).unwrap_or(rest.len());
        let after_header = &rest[header..];
        if let Some(payload) = after_header.strip_prefix('.') {
            let length = payload
                .find(|c: char| !base64url(c))
                .unwrap_or(payload.len());
            if length > 0 && payload[length..].starts_with('.') {
                return Some(rest);
            }
        }
        from = at + 3;
    }
    None
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str, known: &[String]) {
    if let Some(found) = secret_in(text, known) {
        panic!("{what} holds a secret ({found})");
    }
}

fn state_text(workspace: &Workspace) -> String {
    std::fs::read_to_string(workspace.dir().join("terraform.tfstate")).unwrap()
}

/// A client of `org_url` as a service app the test registers itself (the control plane's
/// Admin Console), to look at what okta-msp left in the org.
fn inspector(emulator: &Emulator, subdomain: &str) -> (Client, tokio::runtime::Runtime) {
    let client_id = register_app(
        emulator,
        subdomain,
        public_jwk(RSA_PRIVATE_JWK),
        &["okta.apiTokens.read", "okta.apps.read", "okta.roles.read"],
        false,
    );
    let client = Client::with_service_app(
        OrgUrl::parse(&format!("{}/{subdomain}", emulator.url)).unwrap(),
        ServiceApp {
            client_id,
            key: Arc::new(SigningKey::parse(RSA_PRIVATE_JWK, None).unwrap()),
            scopes: vec![
                "okta.apiTokens.read".into(),
                "okta.apps.read".into(),
                "okta.roles.read".into(),
            ],
            use_dpop: false,
        },
        ClientOptions::default(),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    (client, runtime)
}

/// The id of the okta-msp app whose client id is `client_id` (the app keeps its own `0oa` id).
async fn app_id_of(inspect: &Client, client_id: &str) -> String {
    inspect
        .service_apps_labelled("okta-msp fleet")
        .await
        .unwrap()
        .into_iter()
        .find(|app| app.client_id() == client_id)
        .map(|app| app.id)
        .expect("the app with that client id")
}

fn thumbprint(private: &str) -> String {
    SigningKey::parse(private, None).unwrap().thumbprint()
}

fn resource<'a>(resources: &'a [Value], address: &str) -> &'a Value {
    resources
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} in state"))
}

#[test]
fn a_new_org_with_two_accounts_needs_only_the_partner_credential_and_the_fleet_key() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    // The key itself in the environment, as a CI secret holds it.
    workspace.set_env("OKTA_MSP_FLEET_KEY", EC_PRIVATE_JWK);
    let data_source = r#"
data "okta_msp_service_accounts" "fleetco" {
  org_url       = okta_msp_org.fleetco.url
  org_client_id = okta_msp_org.fleetco.service_app_client_id
  depends_on    = [okta_msp_service_account.fleetco_0, okta_msp_service_account.fleetco_1]
}
output "managed" {
  value = length([for account in data.okta_msp_service_accounts.fleetco.accounts : account if account.managed])
}
"#;
    workspace.write(
        "main.tf",
        &format!(
            "{PROVIDER_ONLY}{}{data_source}",
            org_with_accounts("fleetco", 2)
        ),
    );
    workspace.init();
    let mut known = secrets_of_keys();
    known.push(emulator.partner_token.clone());

    let apply = workspace.run_with(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE")],
    );
    apply.assert_success("apply of a new org on the fleet key");
    assert_no_secret("the apply's TRACE output", &apply.combined(), &known);
    assert_no_secret("the state file", &state_text(&workspace), &known);

    let state = show_json(&workspace);
    let resources = resources(&state);
    let org = &resource(&resources, "okta_msp_org.fleetco")["values"];
    assert_eq!(org["finalized"], true, "{org:#}");
    assert_eq!(org["service_app"], true);
    assert_eq!(org["api_token"], Value::Null, "no token in state");
    let client_id = org["service_app_client_id"].as_str().unwrap().to_owned();
    assert_eq!(
        org["service_app_key_ids"],
        serde_json::json!([thumbprint(EC_PRIVATE_JWK)])
    );
    for index in 0..2 {
        let account = &resource(
            &resources,
            &format!("okta_msp_service_account.fleetco_{index}"),
        )["values"];
        assert_eq!(account["finalized"], true, "{account:#}");
        assert_eq!(account["org_client_id"], client_id.as_str());
    }

    // The data source reached the org through the app too: the integration account and both.
    let output = workspace.run(&["output", "-raw", "managed"]);
    assert_eq!(output.stdout.trim(), "3", "{}", output.combined());

    // Okta's side: the app trusts the fleet key and holds SUPER_ADMIN; the Org Creator's token
    // was revoked, so the org has no API token at all.
    let (inspect, runtime) = inspector(&emulator, "fleetco");
    runtime.block_on(async {
        assert!(
            inspect.list_api_tokens().await.unwrap().is_empty(),
            "the Org Creator's token is revoked"
        );
        assert_eq!(
            client_id, "okta-msp-fleet-fleetco",
            "the client id okta-msp chose"
        );
        let keys = inspect
            .list_app_keys(&app_id_of(&inspect, &client_id).await)
            .await
            .unwrap();
        let kids: Vec<_> = keys.iter().filter_map(|key| key.kid.clone()).collect();
        assert_eq!(kids, [thumbprint(EC_PRIVATE_JWK)]);
        let roles = inspect.list_client_roles(&client_id).await.unwrap();
        assert!(roles.iter().any(|role| role.role_type == "SUPER_ADMIN"));
    });

    // A later plan with no API token anywhere: not the partner's, not the org's.
    workspace.unset_env("OKTA_MSP_PARTNER_TOKEN");
    let plan = workspace.run_with(
        &[
            "plan",
            "-no-color",
            "-input=false",
            "-detailed-exitcode",
            "-out=tfplan",
        ],
        &[("TF_LOG", "TRACE")],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.combined());
    assert_no_secret("the plan's TRACE output", &plan.combined(), &known);
    let saved = saved_plan_contents(&workspace.dir().join("tfplan"));
    assert_no_secret("the saved plan", &String::from_utf8_lossy(&saved), &known);
}

#[test]
fn a_token_org_moves_over_to_the_fleet_key_and_its_token_stops_working() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    let org = r#"
resource "okta_msp_org" "tokenco" {
  name              = "tokenco Inc"
  subdomain         = "tokenco"
  integration_login = "msp-integration@tokenco.example"
  integration_email = "msp-integration@tokenco.example"
  SERVICE_APP
}
resource "okta_msp_service_account" "ad" {
  org_url = okta_msp_org.tokenco.url
  ACCESS
  kind    = "ad_agent"
  login   = "ad_agent@tokenco.example"
  email   = "ad_agent@tokenco.example"
}
"#;
    // Without a fleet key: today's token org, its token in state.
    workspace.write(
        "main.tf",
        &format!(
            "{PROVIDER_ONLY}{}",
            org.replace("SERVICE_APP", "")
                .replace("ACCESS", "org_api_token = okta_msp_org.tokenco.api_token")
        ),
    );
    workspace.init();
    workspace.apply().assert_success("apply of a token org");
    let state = show_json(&workspace);
    let values = resource(&resources(&state), "okta_msp_org.tokenco")["values"].clone();
    assert_eq!(values["service_app"], false);
    let token = values["api_token"].as_str().unwrap().to_owned();
    let url = values["url"].as_str().unwrap().to_owned();
    let old_token = Api::new(&url, &token);
    assert_eq!(old_token.send("GET", "/api/v1/org", None).0, 200);

    // The reviewed change: a fleet key, service_app = true, accounts through the app.
    workspace.set_env("OKTA_MSP_FLEET_KEY", EC_PRIVATE_JWK);
    workspace.write(
        "main.tf",
        &format!(
            "{PROVIDER_ONLY}{}",
            org.replace("SERVICE_APP", "service_app = true").replace(
                "ACCESS",
                "org_client_id = okta_msp_org.tokenco.service_app_client_id"
            )
        ),
    );
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_success("plan of the move");
    assert!(
        plan.stdout
            .contains("service_app_client_id  = (known after apply)")
            && plan
                .stdout
                .contains("api_token              = (sensitive value) -> null")
            && plan.stdout.contains("0 to add, 2 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    let mut known = secrets_of_keys();
    known.push(emulator.partner_token.clone());
    known.push(token.clone());
    let apply = workspace.run_with(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE")],
    );
    apply.assert_success("apply of the move");
    assert_no_secret("the move's TRACE output", &apply.combined(), &known);
    assert_no_secret(
        "the state file after the move",
        &state_text(&workspace),
        &known,
    );
    let state = show_json(&workspace);
    let values = resource(&resources(&state), "okta_msp_org.tokenco")["values"].clone();
    assert_eq!(values["api_token"], Value::Null);
    assert_eq!(values["finalized"], true);
    assert!(values["service_app_client_id"].as_str().is_some());
    // The state's token, the last copy of the Org Creator's answer, is revoked.
    assert_eq!(old_token.send("GET", "/api/v1/org", None).0, 401);

    workspace.unset_env("OKTA_MSP_PARTNER_TOKEN");
    workspace.assert_no_changes("after the move, with no API token anywhere");

    // The same org named in the provider block by its client id alone ("this org's app trusts
    // the fleet key"), the account without org_client_id.
    let client_id = values["service_app_client_id"].as_str().unwrap().to_owned();
    let provider = format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_credentials = {{ "{url}" = {{ client_id = "{client_id}" }} }}
}}
"#
    );
    workspace.write(
        "main.tf",
        &format!(
            "{provider}{}",
            org.replace("SERVICE_APP", "service_app = true")
                .replace("ACCESS", "")
        ),
    );
    workspace
        .apply()
        .assert_success("the account reached through org_credentials' client_id alone");
    workspace.assert_no_changes("with org_credentials' client_id alone");
}

/// A rotation of the fleet key across three orgs, in three reviewed applies, while plans run
/// beside each apply with the configuration before it and the one after: not one request fails.
#[test]
fn a_fleet_key_rotation_across_three_orgs_fails_no_request() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    let orgs = ["rota", "rotb", "rotc"];
    let body: String = orgs.iter().map(|org| org_with_accounts(org, 1)).collect();
    workspace.write("main.tf", &format!("{PROVIDER_ONLY}{body}"));
    workspace.init();
    let (old, new) = (EC_PRIVATE_JWK, RSA_PRIVATE_JWK);
    // The stages' environments: the fleet key, then the next key.
    let stages: [(&str, Option<&str>); 4] =
        [(old, None), (old, Some(new)), (new, Some(old)), (new, None)];
    let env_of = |stage: usize| -> Vec<(&'static str, String)> {
        let (key, next) = stages[stage];
        let mut env = vec![("OKTA_MSP_FLEET_KEY", key.to_owned())];
        if let Some(next) = next {
            env.push(("OKTA_MSP_FLEET_NEXT_KEY", next.to_owned()));
        }
        env
    };
    let apply_stage = |workspace: &mut Workspace, stage: usize| -> Outcome {
        workspace.unset_env("OKTA_MSP_FLEET_NEXT_KEY");
        for (name, value) in env_of(stage) {
            workspace.set_env(name, &value);
        }
        workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    };
    apply_stage(&mut workspace, 0).assert_success("the fleet's first apply");

    let known = secrets_of_keys();
    let failed_requests = Arc::new(AtomicUsize::new(0));
    let plans_run = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    for (stage, &(key, next)) in stages.iter().enumerate().skip(1) {
        // Beside the apply, plans with the configuration before it and after it, in turn.
        let done = Arc::new(AtomicBool::new(false));
        let planner = {
            let done = Arc::clone(&done);
            let failed = Arc::clone(&failed_requests);
            let plans_run = Arc::clone(&plans_run);
            let answered = Arc::clone(&answered);
            let mut planner = Workspace::new();
            for (key, value) in [
                ("OKTA_MSP_PARTNER_URL", emulator.partner_url.clone()),
                ("TF_LOG_PROVIDER", "DEBUG".to_owned()),
            ] {
                planner.set_env(key, &value);
            }
            // A snapshot of the workspace as the apply starts (its state included), so that
            // no plan reads a state file the apply is writing.
            let dir = planner.dir().join("snapshot");
            std::fs::create_dir_all(&dir).unwrap();
            for file in ["main.tf", ".terraform.lock.hcl", "terraform.tfstate"] {
                std::fs::copy(workspace.dir().join(file), dir.join(file)).unwrap();
            }
            std::os::unix::fs::symlink(workspace.dir().join(".terraform"), dir.join(".terraform"))
                .unwrap();
            let envs = [env_of(stage - 1), env_of(stage)];
            let known = known.clone();
            std::thread::spawn(move || {
                let mut turn = 0;
                while !done.load(Ordering::SeqCst) || turn < 2 {
                    let env: Vec<(&str, &str)> = envs[turn % 2]
                        .iter()
                        .map(|(name, value)| (*name, value.as_str()))
                        .collect();
                    let plan = planner.run_in(
                        &dir,
                        &[
                            "plan",
                            "-refresh-only",
                            "-lock=false",
                            "-no-color",
                            "-input=false",
                        ],
                        &env,
                    );
                    let (answers, failures) = failures_in(&plan);
                    failed.fetch_add(failures, Ordering::SeqCst);
                    answered.fetch_add(answers, Ordering::SeqCst);
                    assert_no_secret("a plan's DEBUG output", &plan.combined(), &known);
                    plans_run.fetch_add(1, Ordering::SeqCst);
                    turn += 1;
                }
            })
        };
        apply_stage(&mut workspace, stage).assert_success(&format!("rotation stage {stage}"));
        done.store(true, Ordering::SeqCst);
        planner.join().expect("the planner thread");
        workspace.assert_no_changes(&format!("after rotation stage {stage}"));
        let state = show_json(&workspace);
        for org in orgs {
            let values =
                resource(&resources(&state), &format!("okta_msp_org.{org}"))["values"].clone();
            let mut expected: Vec<String> = [Some(key), next]
                .into_iter()
                .flatten()
                .map(thumbprint)
                .collect();
            expected.sort();
            assert_eq!(
                values["service_app_key_ids"],
                serde_json::json!(expected),
                "{org} at stage {stage}"
            );
        }
    }
    let plans = plans_run.load(Ordering::SeqCst);
    let answers = answered.load(Ordering::SeqCst);
    eprintln!(
        "{plans} plans ran beside the rotation's three applies; Okta answered {answers} of their requests"
    );
    assert!(plans >= 6, "{plans} plans");
    // Each plan refreshes three orgs and their accounts: the count proves the lines were read.
    assert!(answers >= plans * 3, "{answers} answers logged");
    assert_eq!(
        failed_requests.load(Ordering::SeqCst),
        0,
        "requests failed during the rotation"
    );
    // Okta's side: each org's app trusts the new key only.
    let state = show_json(&workspace);
    for org in orgs {
        let client_id = resource(&resources(&state), &format!("okta_msp_org.{org}"))["values"]
            ["service_app_client_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (inspect, runtime) = inspector(&emulator, org);
        let kids: Vec<String> = runtime
            .block_on(async {
                inspect
                    .list_app_keys(&app_id_of(&inspect, &client_id).await)
                    .await
            })
            .unwrap()
            .into_iter()
            .filter_map(|key| key.kid)
            .collect();
        assert_eq!(kids, [thumbprint(new)], "{org}");
    }
}

/// The Okta answers one run logged (the provider's DEBUG line of every request, with its
/// status), and how many failed: a run that failed counts one, and so does every answer of 400
/// or more.
fn failures_in(run: &Outcome) -> (usize, usize) {
    let statuses: Vec<u16> = run
        .combined()
        .lines()
        .filter(|line| line.contains("okta request"))
        .filter_map(|line| {
            line.split(|c: char| !c.is_ascii_alphanumeric() && c != '=' && c != '_')
                .find_map(|part| part.strip_prefix("status="))
                .and_then(|status| status.parse::<u16>().ok())
        })
        .collect();
    let refused = statuses.iter().filter(|status| **status >= 400).count();
    (statuses.len(), refused + usize::from(run.code != Some(0)))
}

#[test]
fn the_secret_search_finds_jwts_and_api_tokens_but_not_private_data() {
    let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIwb2ExIn0.c2lnbmF0dXJl";
    assert!(secret_in(&format!("token={jwt} rest"), &[]).is_some());
    let api_token = format!("00{}", "a1B2".repeat(10));
    assert!(secret_in(&format!("\"{api_token}\""), &[]).is_some());
    assert!(secret_in("d=abc", &["abc".to_owned()]).is_some());
    // Private data (base64 of JSON, no dots), ids and thumbprints are not secrets.
    let clean = r#"{"private": "eyJva3RhX21zcF9iYXNlIjp7fX0=", "id": "00oMVNryxEavrbtmYyOW", "kid": "stHLY6Mzml05-o_TwRPrewYV8lBT-uD3Jw9-zE3EF0c"}"#;
    assert_eq!(secret_in(clean, &[]), None);
}

/// A set-up that fails after the app exists (Okta refuses the app's role once) keeps the org's
/// token in state and says so; the next apply finds the same app by its label (never a
/// second), completes it, revokes the token and finishes the org (G19).
#[test]
fn a_half_done_service_app_set_up_resumes_on_the_next_apply_with_one_app() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    emulator.add_fault(serde_json::json!({
        "org": "resumeco",
        "route": "/oauth2/v1/clients/{clientId}/roles",
        "method": "POST",
        "times": 1,
        "kind": "error",
        "statuses": [400],
    }));
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    workspace.set_env("OKTA_MSP_FLEET_KEY", EC_PRIVATE_JWK);
    workspace.write(
        "main.tf",
        &format!("{PROVIDER_ONLY}{}", org_with_accounts("resumeco", 1)),
    );
    workspace.init();
    let failed = workspace.apply();
    failed.assert_failure("the apply whose app role is refused");
    let text = crate::support::scenario::collapse(&failed.stderr);
    assert!(
        text.contains("Setting up the service app of")
            && text.contains("assigning SUPER_ADMIN to the service app")
            && text.contains("finds the app by its label"),
        "{text}"
    );
    let state = show_json(&workspace);
    let values = resource(&resources(&state), "okta_msp_org.resumeco")["values"].clone();
    assert_eq!(values["service_app_client_id"], Value::Null);
    let token = values["api_token"]
        .as_str()
        .expect("the token stays in state until the app works")
        .to_owned();

    workspace.apply().assert_success("the apply that resumes");
    let state = show_json(&workspace);
    let values = resource(&resources(&state), "okta_msp_org.resumeco")["values"].clone();
    assert_eq!(values["api_token"], Value::Null);
    assert_eq!(values["finalized"], true);
    let url = values["url"].as_str().unwrap().to_owned();
    assert_eq!(
        Api::new(&url, &token).send("GET", "/api/v1/org", None).0,
        401,
        "the token is revoked"
    );
    let (inspect, runtime) = inspector(&emulator, "resumeco");
    let apps = runtime
        .block_on(inspect.service_apps_labelled("okta-msp fleet"))
        .unwrap();
    assert_eq!(apps.len(), 1, "one app, found again rather than made twice");
    assert_eq!(
        values["service_app_client_id"].as_str(),
        Some(apps[0].client_id())
    );
    workspace.unset_env("OKTA_MSP_PARTNER_TOKEN");
    workspace.assert_no_changes("after the resumed set-up");
}

/// An org that someone else made under the subdomain a configuration declares, with an app at
/// okta-msp's client id that trusts the fleet key's public key (public, and readable in every
/// org's app), is not taken for the org an interrupted run created: the app lacks okta-msp's
/// note signed by the fleet key for that org. The create fails with the org's manual steps and
/// says why, and the org is not recorded.
#[test]
fn a_stranger_s_org_with_an_app_trusting_the_fleet_key_is_not_adopted() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let taken = emulator.create_org("takenco");
    let mut public = public_jwk(EC_PRIVATE_JWK);
    public["kid"] = Value::String(thumbprint(EC_PRIVATE_JWK));
    let mut scopes = okta_msp::provider::fleet_key::fleet_scopes();
    scopes.push("okta.appGrants.manage".to_owned());
    let (status, body) = emulator.control(
        "POST",
        "/orgs/takenco/service-apps",
        Some(serde_json::json!({
            "client_id": "okta-msp-fleet-takenco",
            "name": "okta-msp fleet",
            "jwks": {"keys": [public]},
            "scopes": scopes,
        })),
    );
    assert_eq!(status, 201, "{body}");
    let users_before = Api::new(&taken.url, &taken.token).get("/api/v1/users");

    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_TOKEN", &emulator.partner_token);
    workspace.set_env("OKTA_MSP_FLEET_KEY", EC_PRIVATE_JWK);
    workspace.write(
        "main.tf",
        &format!("{PROVIDER_ONLY}{}", org_with_accounts("takenco", 0)),
    );
    workspace.init();
    let refused = workspace.apply();
    refused.assert_failure("the create over a stranger's org");
    let text = crate::support::scenario::collapse(&refused.stderr);
    assert!(
        text.contains("already exists")
            && text.contains("The fleet key does not reach it as okta-msp's either")
            && text.contains("does not carry okta-msp's note signed by it for this org"),
        "{text}"
    );
    assert!(
        resources(&show_json(&workspace)).is_empty(),
        "nothing recorded"
    );
    assert_eq!(
        Api::new(&taken.url, &taken.token).get("/api/v1/users"),
        users_before,
        "nothing changed among the stranger's users"
    );
}
