//! Orgs reached through OAuth 2.0 service apps, through the real CLI: an org that only a DPoP
//! service app can reach gets its accounts set up, refreshed, repaired and guarded as an org
//! with an API token does, in the same run as an API-token org; nothing secret reaches
//! Terraform's trace log; a scope the app lacks fails naming it.

use serde_json::Value;

use crate::oauth_client::{EC_PRIVATE_JWK, public_jwk, register_app};
use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::scenario::{resources, show_json};
use crate::support::terraform::{Workspace, terraform_available};

/// okta-msp's default scopes for a customer org (docs/guides/connect-an-org-with-a-service-app.md).
const DEFAULT_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.users.manage",
    "okta.roles.read",
    "okta.roles.manage",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.policies.read",
    "okta.policies.manage",
    "okta.networkZones.read",
    "okta.networkZones.manage",
    "okta.logs.read",
    "okta.orgs.read",
];

fn key_file() -> String {
    format!(
        "{}/tests/fixtures/oauth/ec-private.jwk.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A provider block with `token_org` in `org_tokens` and `app_org` reached by `client_id`.
fn config(
    token_org: &CustomerOrg,
    app_org: &CustomerOrg,
    client_id: &str,
    extra: &str,
    body: &str,
) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens = {{ "{token_url}" = "{token}" }}
  org_credentials = {{
    "{app_url}" = {{
      client_id        = "{client_id}"
      private_key_file = "{key_file}"
{extra}
    }}
  }}
}}
{body}
"#,
        token_url = token_org.url,
        token = token_org.token,
        app_url = app_org.url,
        key_file = key_file(),
    )
}

fn account(name: &str, org: &CustomerOrg, kind: &str, login: &str) -> String {
    format!(
        r#"
resource "okta_msp_service_account" "{name}" {{
  org_url = "{url}"
  kind    = "{kind}"
  login   = "{login}"
  email   = "{login}"
}}
"#,
        url = org.url
    )
}

#[test]
fn a_dpop_app_org_and_a_token_org_are_managed_alike_in_one_run() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let token_org = emulator.create_org("tokenorg");
    let app_org = emulator.create_org("apporg");
    let client_id = register_app(
        &emulator,
        "apporg",
        public_jwk(EC_PRIVATE_JWK),
        DEFAULT_SCOPES,
        true,
    );
    let body = [
        account(
            "token_ad",
            &token_org,
            "ad_agent",
            "oktaadagent@tokenorg.example",
        ),
        account("app_ad", &app_org, "ad_agent", "oktaadagent@apporg.example"),
        account(
            "app_radius",
            &app_org,
            "radius",
            "oktaradius@apporg.example",
        ),
    ]
    .concat();
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(&token_org, &app_org, &client_id, "", &body),
    );
    workspace.init();

    let apply = workspace.run_with(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE")],
    );
    apply.assert_success("apply over a token org and a service app org");
    let everything = apply.combined();
    // No key, assertion, access token or proof in Terraform's trace log: every JWT starts eyJ.
    let d = serde_json::from_str::<Value>(EC_PRIVATE_JWK).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!everything.contains(&d), "the private key reached the log");
    assert!(!everything.contains("eyJ"), "a JWT reached the log");
    assert!(
        !everything.contains(&token_org.token),
        "an API token reached the log"
    );

    let state = show_json(&workspace);
    let accounts: Vec<Value> = resources(&state)
        .into_iter()
        .filter(|r| r["type"] == "okta_msp_service_account")
        .collect();
    assert_eq!(accounts.len(), 3);
    for account in &accounts {
        assert_eq!(account["values"]["finalized"], true, "{account}");
    }
    // The app org's changes were made by the app: the System Log names it as actor.
    let app_api = Api::new(&app_org.url, &app_org.token);
    let grants: Vec<Value> = app_api
        .get("/api/v1/logs?filter=eventType%20eq%20%22user.account.privilege.grant%22")
        .as_array()
        .unwrap()
        .clone();
    assert!(!grants.is_empty());
    assert!(
        grants
            .iter()
            .all(|event| event["actor"]["id"] == client_id.as_str()),
        "{grants:#?}"
    );

    // A refresh finds nothing to do.
    let plan = workspace.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.combined());

    // Drift in the app org (a role removed with the org's own token) is repaired by the app.
    let radius_id = accounts.iter().find(|r| r["name"] == "app_radius").unwrap()["values"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let roles = app_api.get(&format!("/api/v1/users/{radius_id}/roles"));
    let assignment = roles.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = app_api.send(
        "DELETE",
        &format!("/api/v1/users/{radius_id}/roles/{assignment}"),
        None,
    );
    assert_eq!(status, 204);
    let repair = workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    repair.assert_success("the repair");
    assert!(repair.combined().contains("(G12)"), "{}", repair.combined());
    let mut restored = app_api.role_types(&radius_id);
    restored.sort();
    assert_eq!(restored, ["APP_ADMIN", "READ_ONLY_ADMIN"]);

    // And the guard holds: a destroy is refused for every finalized account.
    let destroy = workspace.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    destroy.assert_failure("destroy of finalized accounts");
    assert!(
        destroy.combined().contains("(G1-G3)"),
        "{}",
        destroy.combined()
    );
    assert_eq!(app_api.role_types(&radius_id).len(), 2);
}

#[test]
fn an_app_without_a_scope_it_needs_fails_naming_the_scope() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let token_org = emulator.create_org("other");
    let app_org = emulator.create_org("narrow");
    let granted: Vec<&str> = DEFAULT_SCOPES
        .iter()
        .copied()
        .filter(|scope| *scope != "okta.roles.manage")
        .collect();
    let client_id = register_app(
        &emulator,
        "narrow",
        public_jwk(EC_PRIVATE_JWK),
        &granted,
        true,
    );
    let scopes = format!(
        "      scopes = [{}]",
        granted
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(
            &token_org,
            &app_org,
            &client_id,
            &scopes,
            &account("ad", &app_org, "ad_agent", "oktaadagent@narrow.example"),
        ),
    );
    workspace.init();
    let apply = workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.assert_failure("an app without okta.roles.manage");
    let text = apply.combined();
    assert!(text.contains("okta.roles.manage"), "{text}");
    assert!(text.contains(&app_org.url), "{text}");
}

/// The partner org reached by its own service app (granted `okta.orgs.manage`), configured
/// through `OKTA_MSP_PARTNER_*` alone: the quickstart creates its orgs and accounts.
#[test]
fn the_partner_org_creates_orgs_through_its_service_app() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    let partner = emulator.partner_url.rsplit('/').next().unwrap().to_owned();
    let client_id = register_app(
        &emulator,
        &partner,
        public_jwk(EC_PRIVATE_JWK),
        &["okta.orgs.manage"],
        true,
    );
    let mut workspace = Workspace::new();
    workspace.set_env("OKTA_MSP_PARTNER_URL", &emulator.partner_url);
    workspace.set_env("OKTA_MSP_PARTNER_CLIENT_ID", &client_id);
    workspace.set_env("OKTA_MSP_PARTNER_PRIVATE_KEY_FILE", &key_file());
    let quickstart =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
    workspace.write("main.tf", &std::fs::read_to_string(quickstart).unwrap());
    workspace.init();
    let apply = workspace.apply();
    apply.assert_success("quickstart apply through the partner's service app");
    assert!(apply.stdout.contains("6 added"), "{}", apply.stdout);
    let created = Api::new(&emulator.partner_url, &emulator.partner_token)
        .get("/api/v1/logs")
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["actor"]["id"] == client_id.as_str())
        .count();
    assert!(created > 0, "the partner's changes are logged as the app's");
}

/// A key the app does not hold fails the plan with what to check; a key file that does not exist
/// fails `validate` at `org_credentials`; neither echoes key material.
#[test]
fn a_wrong_key_and_a_missing_key_file_fail_before_anything_changes() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let token_org = emulator.create_org("keyless");
    let app_org = emulator.create_org("wrongkey");
    let rsa_public = public_jwk(crate::oauth_client::RSA_PRIVATE_JWK);
    let client_id = register_app(&emulator, "wrongkey", rsa_public, DEFAULT_SCOPES, true);
    let body = account("ad", &app_org, "ad_agent", "oktaadagent@wrongkey.example");
    let workspace = Workspace::new();
    // The EC key of key_file() is not the app's (which holds an RSA key).
    workspace.write(
        "main.tf",
        &config(&token_org, &app_org, &client_id, "", &body),
    );
    workspace.init();
    let plan = workspace.run(&["plan", "-input=false", "-no-color"]);
    plan.assert_failure("a plan with a key the app does not hold");
    let text = plan.combined();
    assert!(
        text.contains("invalid_client") && text.contains(&client_id),
        "{text}"
    );
    assert!(!text.contains("eyJ"), "{text}");

    let missing = config(&token_org, &app_org, &client_id, "", &body)
        .replace(&key_file(), "/nonexistent/okta-msp-key.pem");
    workspace.write("main.tf", &missing);
    let validate = workspace.run(&["validate", "-no-color"]);
    validate.assert_failure("a key file that does not exist");
    let text = validate.combined();
    assert!(
        text.contains("org_credentials") && text.contains("/nonexistent/okta-msp-key.pem"),
        "{text}"
    );
    assert_eq!(
        Api::new(&app_org.url, &app_org.token)
            .get("/api/v1/users")
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing was created: only the org's integration account exists"
    );
}

/// A token org and an org reached only through a DPoP service app holding the EC key, each
/// named after `name`, with the app's client id: the set-up of the single-app tests below.
fn token_org_and_app_org(name: &str) -> (Emulator, CustomerOrg, CustomerOrg, String) {
    let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
    let token_org = emulator.create_org(&format!("{name}token"));
    let app_subdomain = format!("{name}app");
    let app_org = emulator.create_org(&app_subdomain);
    let client_id = register_app(
        &emulator,
        &app_subdomain,
        public_jwk(EC_PRIVATE_JWK),
        DEFAULT_SCOPES,
        true,
    );
    (emulator, token_org, app_org, client_id)
}

/// The service-app guide's CI path: the key itself in an environment variable that
/// `private_key_env` names. `validate`, `plan` and `apply` all read it from the environment
/// Terraform gives the provider; without the variable, `validate` says which one is missing.
#[test]
fn a_key_named_by_private_key_env_is_read_by_validate_plan_and_apply() {
    if !terraform_available() {
        return;
    }
    let (_emulator, token_org, app_org, client_id) = token_org_and_app_org("env");
    let body = account("ad", &app_org, "ad_agent", "oktaadagent@envapp.example");
    let from_env = config(&token_org, &app_org, &client_id, "", &body).replace(
        &format!("private_key_file = \"{}\"", key_file()),
        "private_key_env  = \"ENVKEY_OKTA_MSP_KEY\"",
    );
    assert!(from_env.contains("private_key_env"), "{from_env}");
    let workspace = Workspace::new();
    workspace.write("main.tf", &from_env);
    workspace.init();
    let env = [("ENVKEY_OKTA_MSP_KEY", EC_PRIVATE_JWK)];

    let validate = workspace.run_with(&["validate", "-no-color"], &env);
    validate.assert_success("validate with the key in the environment");
    let plan = workspace.run_with(&["plan", "-input=false", "-no-color"], &env);
    plan.assert_success("plan with the key in the environment");
    let apply = workspace.run_with(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &env,
    );
    apply.assert_success("apply with the key in the environment");
    let d = serde_json::from_str::<Value>(EC_PRIVATE_JWK).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    for text in [validate.combined(), plan.combined(), apply.combined()] {
        assert!(!text.contains(&d), "the private key reached the output");
    }
    let state = show_json(&workspace);
    let account = resources(&state)
        .into_iter()
        .find(|r| r["type"] == "okta_msp_service_account")
        .expect("the account is in state");
    assert_eq!(account["values"]["finalized"], true, "{account}");
    assert!(
        !state.to_string().contains(&d),
        "the private key reached state"
    );

    let without = workspace.run(&["validate", "-no-color"]);
    without.assert_failure("validate without the variable");
    assert!(
        without.combined().contains("ENVKEY_OKTA_MSP_KEY"),
        "{}",
        without.combined()
    );
}

/// The token endpoint is retried like every other call (SPEC section 7): a 503, a dropped
/// connection and a 429 from `/oauth2/v1/token`, one after the other, cost the plan a few
/// retries, not the run.
#[test]
fn a_failing_token_endpoint_is_retried_like_any_other_call() {
    if !terraform_available() {
        return;
    }
    let (emulator, token_org, app_org, client_id) = token_org_and_app_org("flaky");
    let body = account("ad", &app_org, "ad_agent", "oktaadagent@flakyapp.example");
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(&token_org, &app_org, &client_id, "", &body),
    );
    workspace.init();
    for fault in [
        serde_json::json!({"kind": "error", "statuses": [503], "org": "flakyapp",
            "route": "/oauth2/v1/token", "times": 1}),
        serde_json::json!({"kind": "drop", "org": "flakyapp",
            "route": "/oauth2/v1/token", "times": 1}),
        serde_json::json!({"kind": "rate_limit", "org": "flakyapp",
            "route": "/oauth2/v1/token", "times": 1}),
    ] {
        emulator.add_fault(fault);
    }
    let apply = workspace.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.assert_success("an apply whose first token requests fail");
    let (_, stats) = emulator.control("GET", "/stats", None);
    for kind in ["error", "drop", "rate_limit"] {
        assert_eq!(
            stats["faults_injected"][kind], 1,
            "the {kind} fault was met: {stats}"
        );
    }
    let state = show_json(&workspace);
    let account = resources(&state)
        .into_iter()
        .find(|r| r["type"] == "okta_msp_service_account")
        .expect("the account is in state");
    assert_eq!(account["values"]["finalized"], true, "{account}");
}
