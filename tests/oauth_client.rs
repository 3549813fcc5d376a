//! The Okta client as an OAuth 2.0 service app against okta-emulator's authorization server:
//! `private_key_jwt`, DPoP learnt from the token endpoint, nonces, expiry, scopes, wrong keys.

use std::sync::Arc;

use okta_msp::okta::oauth::{ServiceApp, SigningKey};
use okta_msp::okta::{Client, ClientOptions, OktaError, OrgUrl};
use serde_json::{Value, json};

use crate::support::emulator::{CustomerOrg, Emulator};

pub const EC_PRIVATE_JWK: &str = include_str!("fixtures/oauth/ec-private.jwk.json");
pub const RSA_PRIVATE_JWK: &str = include_str!("fixtures/oauth/rsa-private.jwk.json");

/// The public half of a private JWK of tests/fixtures/oauth.
pub fn public_jwk(private: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(private).unwrap();
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk.as_object_mut().unwrap().remove(member);
    }
    jwk
}

/// Registers a service app in `subdomain` and answers its client id.
pub fn register_app(
    emulator: &Emulator,
    subdomain: &str,
    public: Value,
    scopes: &[&str],
    dpop_required: bool,
) -> String {
    let (status, body) = emulator.control(
        "POST",
        &format!("/orgs/{subdomain}/service-apps"),
        Some(json!({
            "jwks": {"keys": [public]},
            "scopes": scopes,
            "dpop_required": dpop_required,
        })),
    );
    assert_eq!(status, 201, "{body}");
    body["client_id"].as_str().unwrap().to_owned()
}

const SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.users.manage",
    "okta.roles.read",
    "okta.orgs.read",
];

fn client(org: &CustomerOrg, client_id: &str, private: &str, scopes: &[&str]) -> Client {
    Client::with_service_app(
        OrgUrl::parse(&org.url).unwrap(),
        ServiceApp {
            client_id: client_id.to_owned(),
            key: Arc::new(SigningKey::parse(private, None).unwrap()),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            use_dpop: false,
        },
        ClientOptions::default(),
    )
    .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_dpop_app_learns_dpop_and_the_nonce_and_survives_expiry_and_a_rotated_nonce() {
    let emulator = Emulator::start();
    let org = emulator.create_org("dpop");
    let client_id = register_app(&emulator, "dpop", public_jwk(EC_PRIVATE_JWK), SCOPES, true);
    let client = client(&org, &client_id, EC_PRIVATE_JWK, SCOPES);
    let runtime = runtime();
    let settings = runtime
        .block_on(client.get_org())
        .expect("a DPoP-bound call");
    assert!(!settings.id.is_empty());
    // A login in the path: the proof's htu is the decoded path, as Okta compares it.
    let admin = runtime
        .block_on(client.get_user("msp-integration@dpop.example"))
        .expect("a user by login");
    assert_eq!(
        admin.profile.login.as_deref(),
        Some("msp-integration@dpop.example")
    );

    // An hour later the token has expired and the authorization server has a new nonce: the
    // client gets a new token (401 invalid_token), with the new nonce (use_dpop_nonce).
    let (status, _) = emulator.control("POST", "/orgs/dpop/dpop-nonce/rotate", None);
    assert_eq!(status, 204);
    let (status, _) = emulator.control(
        "POST",
        "/oauth/clock",
        Some(json!({"advance_seconds": 3600})),
    );
    assert_eq!(status, 200);
    runtime
        .block_on(client.list_user_roles(&admin.id))
        .expect("a call after expiry and a rotated nonce");
}

#[test]
fn a_bearer_app_works_without_dpop() {
    let emulator = Emulator::start();
    let org = emulator.create_org("bearer");
    let client_id = register_app(
        &emulator,
        "bearer",
        public_jwk(RSA_PRIVATE_JWK),
        SCOPES,
        false,
    );
    let client = client(&org, &client_id, RSA_PRIVATE_JWK, SCOPES);
    let runtime = runtime();
    runtime.block_on(client.get_org()).expect("a Bearer call");
    // A service app has no user behind it: the System Log names the app as actor.
    assert_eq!(runtime.block_on(client.actor_id()).unwrap(), client_id);
}

#[test]
fn a_missing_scope_a_wrong_key_and_an_ungranted_scope_fail_saying_so() {
    let emulator = Emulator::start();
    let org = emulator.create_org("refusals");
    let client_id = register_app(
        &emulator,
        "refusals",
        public_jwk(EC_PRIVATE_JWK),
        &["okta.users.read", "okta.orgs.read"],
        true,
    );
    let runtime = runtime();

    // The token lacks okta.roles.read: the error names the scope and the org.
    let narrow = client(
        &org,
        &client_id,
        EC_PRIVATE_JWK,
        &["okta.users.read", "okta.orgs.read"],
    );
    let admin = runtime
        .block_on(narrow.get_user("msp-integration@refusals.example"))
        .unwrap();
    let error = runtime
        .block_on(narrow.list_user_roles(&admin.id))
        .unwrap_err();
    assert!(
        matches!(error, OktaError::InsufficientScope { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("okta.roles.read") && text.contains(&org.url),
        "{text}"
    );

    // Signed with a key the app does not hold: Okta refuses the client.
    let wrong = client(&org, &client_id, RSA_PRIVATE_JWK, &["okta.users.read"]);
    let error = runtime.block_on(wrong.get_org()).unwrap_err();
    assert!(matches!(error, OktaError::TokenRefused { .. }), "{error:?}");
    assert!(error.to_string().contains("invalid_client"), "{error}");

    // Asking for a scope the app was not granted.
    let greedy = client(&org, &client_id, EC_PRIVATE_JWK, &["okta.users.manage"]);
    let error = runtime.block_on(greedy.get_org()).unwrap_err();
    assert!(error.to_string().contains("invalid_scope"), "{error}");
    // No message carries key material.
    let d = serde_json::from_str::<Value>(EC_PRIVATE_JWK).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!format!("{error:?} {error}").contains(&d));
}

#[test]
fn an_issued_token_is_fresh_works_for_another_client_and_says_when_it_is_dpop_bound() {
    let emulator = Emulator::start();
    let org = emulator.create_org("issued");
    let bearer_id = register_app(
        &emulator,
        "issued",
        public_jwk(EC_PRIVATE_JWK),
        SCOPES,
        false,
    );
    let bearer = client(&org, &bearer_id, EC_PRIVATE_JWK, SCOPES);
    let runtime = runtime();
    // The client's own calls cache a token; an issued one is another.
    runtime.block_on(bearer.get_org()).expect("a Bearer call");
    let first = runtime
        .block_on(bearer.issue_access_token())
        .expect("a service app client issues tokens")
        .expect("a token");
    let second = runtime
        .block_on(bearer.issue_access_token())
        .unwrap()
        .unwrap();
    assert!(!first.dpop_bound);
    assert_ne!(first.value.expose(), second.value.expose(), "each is fresh");
    assert!(first.lifetime.as_secs() > 0);
    assert!(
        first.value.expose().starts_with("eyJ"),
        "a JWT, as Okta's are (the CLI test greps plans for it)"
    );
    // Another client, with nothing but the token, reads the org with it.
    let (status, body) = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/org", org.url))
            .header("Authorization", format!("Bearer {}", first.value.expose()))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    });
    assert_eq!(status, 200, "{body}");

    let dpop_id = register_app(
        &emulator,
        "issued",
        public_jwk(EC_PRIVATE_JWK),
        SCOPES,
        true,
    );
    let dpop_client = client(&org, &dpop_id, EC_PRIVATE_JWK, SCOPES);
    let bound = runtime
        .block_on(dpop_client.issue_access_token())
        .unwrap()
        .expect("a DPoP app still gets a token");
    assert!(bound.dpop_bound, "and the caller is told it is bound");
}
