//! `/api/v1/apps` for OAuth service apps: created through the API, granted scopes, assigned
//! admin roles through `/oauth2/v1/clients`, their keys rotated through the JWKS API, and used
//! at the org's token endpoint like the control plane's service apps; plus revoking the current
//! API token and API tokens that expire after 30 days without use.

use reqwest::Method;
use serde_json::{Value, json};

use super::oauth::{
    Key, Org, bearer_token, dpop_token, nonce, now, org, random_id, register, request_token,
    with_bearer, with_dpop,
};
use super::support::{Answer, Emulator, assert_error};

/// A public JWK of `key` with key id `kid`.
fn jwk(key: &Key, kid: &str) -> Value {
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(kid);
    jwk
}

/// The body Okta's service-app guide sends: an API Services app with `private_key_jwt`.
fn service_app(label: &str, keys: Vec<Value>, dpop: bool) -> Value {
    json!({
        "name": "oidc_client",
        "label": label,
        "signOnMode": "OPENID_CONNECT",
        "credentials": { "oauthClient": { "token_endpoint_auth_method": "private_key_jwt" } },
        "settings": { "oauthClient": {
            "application_type": "service",
            "grant_types": ["client_credentials"],
            "response_types": ["token"],
            "jwks": { "keys": keys },
            "dpop_bound_access_tokens": dpop,
        }},
    })
}

async fn call(
    emulator: &Emulator,
    org: &Org,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    emulator
        .call(method, &format!("{}{path}", org.url), &org.token, body)
        .await
}

/// A client assertion signed by `key` naming `kid` in its header.
fn assertion_with_kid(key: &Key, kid: &str, client_id: &str, token_url: &str) -> String {
    let claims = json!({
        "iss": client_id, "sub": client_id, "aud": token_url,
        "iat": now(), "exp": now() + 300, "jti": random_id(),
    });
    key.sign(&json!({"alg": key.alg(), "kid": kid}), &claims)
}

/// A DPoP token request of `key` for `scope`, with a proof carrying the server's nonce.
async fn dpop_request(
    emulator: &Emulator,
    org: &Org,
    client_id: &str,
    key: &Key,
    scope: &str,
) -> Answer {
    let nonce = nonce(emulator, org, client_id, key, scope).await;
    let assertion = key.assertion(client_id, &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), Some(&nonce), None);
    request_token(emulator, org, &assertion, scope, Some(proof)).await
}

async fn grant(emulator: &Emulator, org: &Org, app_id: &str, scope: &str) -> Answer {
    call(
        emulator,
        org,
        Method::POST,
        &format!("/api/v1/apps/{app_id}/grants"),
        Some(json!({ "issuer": org.url, "scopeId": scope })),
    )
    .await
}

/// Okta lets an app's creator choose its `client_id` (the reference's
/// `ApplicationCredentialsOAuthClient.client_id`: 6 to 100 characters of letters, digits and
/// `$-_.+!*'(),`; the app's id otherwise): the app keeps its own `0oa` id, the chosen client id
/// asks for tokens, a taken one or one out of those bounds is refused.
#[tokio::test]
async fn an_app_created_with_a_chosen_client_id_gets_tokens_under_it() {
    let emulator = Emulator::start();
    let org = org(&emulator, "chosenid").await;
    let ec = Key::ec();
    let with_client_id = |client_id: &str| {
        let mut body = service_app("Chosen", vec![jwk(&ec, "k1")], true);
        body["credentials"]["oauthClient"]["client_id"] = json!(client_id);
        body
    };
    let created = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(with_client_id("okta-msp-fleet-chosenid")),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let app_id = created.body["id"].as_str().unwrap().to_string();
    assert!(app_id.starts_with("0oa"), "{app_id}");
    assert_eq!(
        created.body["credentials"]["oauthClient"]["client_id"],
        "okta-msp-fleet-chosenid"
    );
    assert_eq!(
        grant(&emulator, &org, &app_id, "okta.apps.read")
            .await
            .status,
        200
    );
    let token = dpop_request(
        &emulator,
        &org,
        "okta-msp-fleet-chosenid",
        &ec,
        "okta.apps.read",
    )
    .await;
    assert_eq!(token.status, 200, "{:?}", token.body);
    let ungranted = dpop_request(
        &emulator,
        &org,
        "okta-msp-fleet-chosenid",
        &ec,
        "okta.users.read",
    )
    .await;
    assert_eq!(ungranted.status, 400, "{:?}", ungranted.body);
    for (client_id, why) in [
        ("okta-msp-fleet-chosenid", "taken"),
        ("abcde", "shorter than 6"),
        ("ALL_CLIENTS", "reserved"),
        ("has space", "a space"),
    ] {
        let refused = call(
            &emulator,
            &org,
            Method::POST,
            "/api/v1/apps",
            Some(with_client_id(client_id)),
        )
        .await;
        assert_eq!(refused.status, 400, "{why}: {:?}", refused.body);
        assert_eq!(refused.body["errorCode"], "E0000001", "{why}");
    }
    let odd = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(with_client_id("a$-_.+!*'(),z")),
    )
    .await;
    assert_eq!(
        odd.status, 200,
        "the reference's special characters: {:?}",
        odd.body
    );
}

#[tokio::test]
async fn a_service_app_made_through_the_apps_api_gets_dpop_tokens_for_its_grants_and_roles() {
    let emulator = Emulator::start();
    let org = org(&emulator, "appsapi").await;
    let (rsa, ec) = (Key::rsa(), Key::ec());
    let created = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(service_app(
            "Fleet",
            vec![jwk(&rsa, "r1"), jwk(&ec, "k1")],
            true,
        )),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let app_id = created.body["id"].as_str().unwrap().to_string();
    assert!(app_id.starts_with("0oa"));
    assert_eq!(created.body["status"], "ACTIVE");
    assert_eq!(created.body["name"], "oidc_client");
    assert_eq!(
        created.body["credentials"]["oauthClient"]["client_id"],
        app_id.as_str()
    );
    assert_eq!(
        created.body["credentials"]["oauthClient"]["token_endpoint_auth_method"],
        "private_key_jwt"
    );
    assert!(
        created.body["credentials"]["oauthClient"]
            .get("client_secret")
            .is_none()
    );
    let settings = &created.body["settings"]["oauthClient"];
    assert_eq!(settings["application_type"], "service");
    assert_eq!(settings["dpop_bound_access_tokens"], true);
    assert_eq!(settings["grant_types"], json!(["client_credentials"]));
    let keys = settings["jwks"]["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1]["kid"], "k1");
    assert_eq!(keys[1]["status"], "ACTIVE");
    let fetched = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{app_id}"),
        None,
    )
    .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["settings"], created.body["settings"]);
    let listed = call(&emulator, &org, Method::GET, "/api/v1/apps", None).await;
    assert!(
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|app| app["id"] == app_id.as_str())
    );

    // Nothing granted yet: no token.
    let refused = dpop_request(&emulator, &org, &app_id, &ec, "okta.users.read").await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"], "invalid_scope");

    let granted = grant(&emulator, &org, &app_id, "okta.users.read").await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    assert_eq!(granted.body["scopeId"], "okta.users.read");
    assert_eq!(granted.body["issuer"], org.url.as_str());
    assert_eq!(granted.body["clientId"], app_id.as_str());
    assert_eq!(granted.body["source"], "ADMIN");
    assert_eq!(granted.body["_embedded"]["scope"]["id"], "okta.users.read");
    let grant_id = granted.body["id"].as_str().unwrap().to_string();
    let grants = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{app_id}/grants"),
        None,
    )
    .await;
    assert_eq!(grants.body.as_array().unwrap().len(), 1);
    let one = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{app_id}/grants/{grant_id}"),
        None,
    )
    .await;
    assert_eq!(one.body["id"], grant_id.as_str());
    let wrong_issuer = call(
        &emulator,
        &org,
        Method::POST,
        &format!("/api/v1/apps/{app_id}/grants"),
        Some(json!({ "issuer": "https://elsewhere.example", "scopeId": "okta.users.read" })),
    )
    .await;
    assert_error(&wrong_issuer, 400, "E0000001");

    // DPoP is required: the token is bound. Without an admin role the app reads nothing.
    let token = dpop_token(&emulator, &org, &app_id, &ec, "okta.users.read").await;
    let users = format!("{}/api/v1/users", org.url);
    let proof = || ec.proof("GET", &users, None, Some(&token));
    let forbidden = with_dpop(&emulator, Method::GET, &users, &token, Some(proof())).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.error_code(), "E0000006");

    let roles_path = format!("/oauth2/v1/clients/{app_id}/roles");
    let assigned = call(
        &emulator,
        &org,
        Method::POST,
        &roles_path,
        Some(json!({"type": "SUPER_ADMIN"})),
    )
    .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    assert_eq!(assigned.body["assignmentType"], "CLIENT");
    assert_eq!(assigned.body["type"], "SUPER_ADMIN");
    assert_eq!(
        assigned.body["_links"]["assignee"]["href"],
        format!("{}{roles_path}", org.url)
    );
    let again = call(
        &emulator,
        &org,
        Method::POST,
        &roles_path,
        Some(json!({"type": "SUPER_ADMIN"})),
    )
    .await;
    assert_error(&again, 409, "E0000090");
    let read = with_dpop(&emulator, Method::GET, &users, &token, Some(proof())).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    // The scope still bounds the token: writing users needs okta.users.manage.
    let refused = dpop_request(&emulator, &org, &app_id, &ec, "okta.users.manage").await;
    assert_eq!(refused.body["error"], "invalid_scope");

    let role_id = assigned.body["id"].as_str().unwrap().to_string();
    let listed = call(&emulator, &org, Method::GET, &roles_path, None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let one = call(
        &emulator,
        &org,
        Method::GET,
        &format!("{roles_path}/{role_id}"),
        None,
    )
    .await;
    assert_eq!(one.body["id"], role_id.as_str());
    let removed = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{roles_path}/{role_id}"),
        None,
    )
    .await;
    assert_eq!(removed.status, 204);
    let forbidden = with_dpop(&emulator, Method::GET, &users, &token, Some(proof())).await;
    assert_eq!(forbidden.status, 403);

    // A revoked grant: no new token carries the scope.
    let revoked = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("/api/v1/apps/{app_id}/grants/{grant_id}"),
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    let refused = dpop_request(&emulator, &org, &app_id, &ec, "okta.users.read").await;
    assert_eq!(refused.body["error"], "invalid_scope");
}

#[tokio::test]
async fn a_fleet_key_is_rotated_by_adding_the_next_key_and_retiring_the_old_one() {
    let emulator = Emulator::start();
    let org = org(&emulator, "rotation").await;
    let (old, next) = (Key::ec(), Key::rsa());
    let created = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(service_app("Rotating", vec![jwk(&old, "old")], false)),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let app_id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        grant(&emulator, &org, &app_id, "okta.users.read")
            .await
            .status,
        200
    );
    let roles_path = format!("/oauth2/v1/clients/{app_id}/roles");
    let role = call(
        &emulator,
        &org,
        Method::POST,
        &roles_path,
        Some(json!({"type": "READ_ONLY_ADMIN"})),
    )
    .await;
    assert_eq!(role.status, 200);
    let jwks = format!("/api/v1/apps/{app_id}/credentials/jwks");

    let listed = call(&emulator, &org, Method::GET, &jwks, None).await;
    let old_id = listed.body[0]["id"].as_str().unwrap().to_string();
    assert_eq!(listed.body[0]["kid"], "old");
    assert_eq!(listed.body[0]["status"], "ACTIVE");

    let added = call(&emulator, &org, Method::POST, &jwks, Some(jwk(&next, "k1"))).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(added.body["status"], "ACTIVE");
    assert!(added.body["id"].as_str().unwrap().starts_with("pks"));
    let next_id = added.body["id"].as_str().unwrap().to_string();
    // Both keys sign assertions the token endpoint accepts.
    for (key, kid) in [(&old, "old"), (&next, "k1")] {
        let assertion = assertion_with_kid(key, kid, &app_id, &org.token_url());
        let answer = request_token(&emulator, &org, &assertion, "okta.users.read", None).await;
        assert_eq!(answer.status, 200, "{kid}: {:?}", answer.body);
    }

    // The old key goes: it must be inactive first.
    let refused = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{jwks}/{old_id}"),
        None,
    )
    .await;
    assert_error(&refused, 400, "E0000001");
    assert_eq!(
        refused.body["errorCauses"][0]["errorSummary"],
        "You can't delete an active JSON Web Key. Deactivate the key before deleting it."
    );
    let deactivated = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{jwks}/{old_id}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(deactivated.status, 200);
    assert_eq!(deactivated.body["status"], "INACTIVE");
    let assertion = assertion_with_kid(&old, "old", &app_id, &org.token_url());
    let refused = request_token(&emulator, &org, &assertion, "okta.users.read", None).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["error"], "invalid_client");
    let token = bearer_token(&emulator, &org, &app_id, &next, "okta.users.read").await;
    let users = with_bearer(
        &emulator,
        Method::GET,
        &format!("{}/api/v1/users", org.url),
        &token,
        None,
    )
    .await;
    assert_eq!(users.status, 200);
    // The last active key of a private_key_jwt client stays.
    let only = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{jwks}/{next_id}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_error(&only, 400, "E0000001");
    let deleted = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{jwks}/{old_id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    let gone = call(
        &emulator,
        &org,
        Method::GET,
        &format!("{jwks}/{old_id}"),
        None,
    )
    .await;
    assert_error(&gone, 404, "E0000007");
    let listed = call(&emulator, &org, Method::GET, &jwks, None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    // Okta's refusals of keys: an RSA key without its modulus (recorded), a kid used already.
    let short = call(
        &emulator,
        &org,
        Method::POST,
        &jwks,
        Some(json!({"kid": "test-key-2048", "status": "ACTIVE", "kty": "RSA", "use": "sig"})),
    )
    .await;
    assert_error(&short, 400, "E0000001");
    assert_eq!(
        short.body["errorSummary"],
        "Api validation failed: JsonWebKey"
    );
    assert_eq!(
        short.body["errorCauses"][0]["errorSummary"],
        "RSA key length in the 'jwks' is less than '2,048' bits for the given key."
    );
    let duplicate = call(
        &emulator,
        &org,
        Method::POST,
        &jwks,
        Some(jwk(&Key::ec(), "k1")),
    )
    .await;
    assert_error(&duplicate, 400, "E0000001");

    // Replacing the app with the same key keeps the key's id.
    let mut replacement = service_app("Rotating", vec![jwk(&next, "k1")], false);
    replacement["label"] = json!("Rotated");
    let replaced = call(
        &emulator,
        &org,
        Method::PUT,
        &format!("/api/v1/apps/{app_id}"),
        Some(replacement),
    )
    .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["label"], "Rotated");
    assert_eq!(
        replaced.body["settings"]["oauthClient"]["jwks"]["keys"][0]["id"],
        next_id.as_str()
    );
    // The app as read, sent back whole (its keys carry their ids and status), is accepted and
    // changes no key.
    let read = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{app_id}"),
        None,
    )
    .await;
    let echoed = call(
        &emulator,
        &org,
        Method::PUT,
        &format!("/api/v1/apps/{app_id}"),
        Some(read.body.clone()),
    )
    .await;
    assert_eq!(echoed.status, 200, "{:?}", echoed.body);
    assert_eq!(
        echoed.body["settings"]["oauthClient"]["jwks"],
        read.body["settings"]["oauthClient"]["jwks"]
    );
}

#[tokio::test]
async fn apps_are_listed_filtered_deactivated_and_deleted_and_control_plane_apps_are_among_them() {
    let emulator = Emulator::start();
    let org = org(&emulator, "lifecycle").await;
    let key = Key::ec();
    let registered = register(
        &emulator,
        &org,
        json!({"client_id": "0oacontrolplane1", "name": "Console app", "jwks": {"keys": [jwk(&key, "k1")]}, "scopes": ["okta.users.read"], "dpop_required": false}),
    )
    .await;
    assert_eq!(registered.status, 201);
    let short = register(
        &emulator,
        &org,
        json!({"client_id": "x", "jwks": {"keys": [jwk(&key, "k1")]}, "scopes": ["okta.users.read"]}),
    )
    .await;
    assert_eq!(short.status, 201);
    let short = call(&emulator, &org, Method::GET, "/api/v1/apps/x", None).await;
    assert_eq!(short.status, 200, "{:?}", short.body);
    let removed = emulator
        .control(
            Method::DELETE,
            &format!("/orgs/{}/service-apps/x", org.subdomain),
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let seen = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/apps/0oacontrolplane1",
        None,
    )
    .await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["label"], "Console app");
    assert_eq!(
        seen.body["settings"]["oauthClient"]["application_type"],
        "service"
    );
    let grants = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/apps/0oacontrolplane1/grants",
        None,
    )
    .await;
    assert_eq!(grants.body[0]["scopeId"], "okta.users.read");
    let roles = call(
        &emulator,
        &org,
        Method::GET,
        "/oauth2/v1/clients/0oacontrolplane1/roles",
        None,
    )
    .await;
    assert_eq!(roles.body[0]["type"], "SUPER_ADMIN");

    let web = json!({
        "name": "oidc_client", "label": "Portal", "signOnMode": "OPENID_CONNECT",
        "credentials": { "oauthClient": { "token_endpoint_auth_method": "client_secret_basic" } },
        "settings": { "oauthClient": {
            "application_type": "web", "grant_types": ["authorization_code"],
            "redirect_uris": ["https://portal.example/callback"], "response_types": ["code"],
        }},
    });
    let portal = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps?activate=false",
        Some(web),
    )
    .await;
    assert_eq!(portal.status, 200, "{:?}", portal.body);
    assert_eq!(portal.body["status"], "INACTIVE");
    assert_eq!(
        portal.body["credentials"]["oauthClient"]["client_secret"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let portal_id = portal.body["id"].as_str().unwrap().to_string();
    let fetched = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{portal_id}"),
        None,
    )
    .await;
    assert!(
        fetched.body["credentials"]["oauthClient"]
            .get("client_secret")
            .is_none()
    );
    let inactive = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/apps?filter=status%20eq%20%22INACTIVE%22",
        None,
    )
    .await;
    let ids: Vec<&str> = inactive
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|app| app["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![portal_id.as_str()]);
    let by_label = call(&emulator, &org, Method::GET, "/api/v1/apps?q=port", None).await;
    assert_eq!(by_label.body.as_array().unwrap().len(), 1);
    let paged = call(&emulator, &org, Method::GET, "/api/v1/apps?limit=1", None).await;
    assert_eq!(paged.body.as_array().unwrap().len(), 1);
    let next = paged.next_link().expect("a next link");
    let second = emulator.get(&next, &org.token).await;
    assert_eq!(second.body[0]["id"], portal_id.as_str());
    // Only service apps take admin roles.
    let not_service = call(
        &emulator,
        &org,
        Method::POST,
        &format!("/oauth2/v1/clients/{portal_id}/roles"),
        Some(json!({"type": "SUPER_ADMIN"})),
    )
    .await;
    assert_error(&not_service, 400, "E0000227");

    // A deactivated service app's tokens stop working, and it gets no new ones.
    let token = bearer_token(&emulator, &org, "0oacontrolplane1", &key, "okta.users.read").await;
    let refused = call(
        &emulator,
        &org,
        Method::DELETE,
        "/api/v1/apps/0oacontrolplane1",
        None,
    )
    .await;
    assert_error(&refused, 403, "E0000056");
    let deactivated = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps/0oacontrolplane1/lifecycle/deactivate",
        None,
    )
    .await;
    assert_eq!(deactivated.status, 200);
    assert_eq!(deactivated.body, json!({}));
    let users = with_bearer(
        &emulator,
        Method::GET,
        &format!("{}/api/v1/users", org.url),
        &token,
        None,
    )
    .await;
    assert_eq!(users.status, 401);
    let assertion = key.assertion("0oacontrolplane1", &org.token_url(), |_| {});
    let no_token = request_token(&emulator, &org, &assertion, "okta.users.read", None).await;
    assert_eq!(no_token.body["error"], "invalid_client");
    let deleted = call(
        &emulator,
        &org,
        Method::DELETE,
        "/api/v1/apps/0oacontrolplane1",
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    let gone = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/apps/0oacontrolplane1",
        None,
    )
    .await;
    assert_error(&gone, 404, "E0000007");
    let control = emulator
        .control(
            Method::GET,
            &format!("/orgs/{}/service-apps", org.subdomain),
            None,
        )
        .await;
    assert_eq!(control.body, json!([]));
    // The System Log has the app's lifecycle.
    let events = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/logs?since=2000-01-01T00:00:00.000Z&filter=eventType%20sw%20%22application.lifecycle%22",
        None,
    )
    .await;
    let types: Vec<&str> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "application.lifecycle.create",
            "application.lifecycle.deactivate",
            "application.lifecycle.delete"
        ]
    );
}

#[tokio::test]
async fn revoking_the_current_api_token_ends_it() {
    let emulator = Emulator::start();
    let org = org(&emulator, "revoking").await;
    let users = format!("{}/api/v1/users", org.url);
    assert_eq!(emulator.get(&users, &org.token).await.status, 200);
    let revoked = emulator
        .call(
            Method::DELETE,
            &format!("{}/api/v1/api-tokens/current", org.url),
            &org.token,
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(revoked.body, Value::Null);
    assert_error(&emulator.get(&users, &org.token).await, 401, "E0000011");
}

#[tokio::test]
async fn an_api_token_unused_for_30_days_expires_and_each_use_moves_its_expiry() {
    let emulator = Emulator::start();
    let used = emulator.create_org("usedorg").await;
    let idle = emulator.create_org("idleorg").await;
    let shift = |days: i64| {
        let emulator = &emulator;
        async move {
            let answer = emulator
                .control(
                    Method::POST,
                    "/clock",
                    Some(json!({"offset_seconds": days * 86_400})),
                )
                .await;
            assert_eq!(answer.status, 200, "{:?}", answer.body);
        }
    };
    let users = |org: &super::support::Org| format!("{}/api/v1/users", org.url);
    shift(29).await;
    assert_eq!(emulator.get(&users(&used), &used.token).await.status, 200);
    shift(31).await;
    // Never used since its creation on day 0: expired on day 30.
    let expired = emulator.get(&users(&idle), &idle.token).await;
    assert_error(&expired, 401, "E0000011");
    // Used on day 29: alive, and this use moves its expiry to day 61.
    assert_eq!(emulator.get(&users(&used), &used.token).await.status, 200);
    shift(60).await;
    assert_eq!(emulator.get(&users(&used), &used.token).await.status, 200);
    // The listing's expiresAt is 30 days after the last use.
    let tokens = emulator
        .get(&format!("{}/api/v1/api-tokens", used.url), &used.token)
        .await;
    let expires = tokens.body[0]["expiresAt"].as_str().unwrap().to_string();
    let expires =
        time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp();
    let sixty_days_on = time::OffsetDateTime::now_utc().unix_timestamp() + 90 * 86_400;
    assert!(
        (sixty_days_on - 120..sixty_days_on + 120).contains(&expires),
        "{expires} against {sixty_days_on}"
    );
}

#[tokio::test]
async fn users_and_groups_are_assigned_to_an_app_as_okta_records_them() {
    let emulator = Emulator::start();
    let org = org(&emulator, "assigning").await;
    let bookmark = json!({
        "name": "bookmark", "label": "Wiki", "signOnMode": "BOOKMARK",
        "settings": { "app": { "requestIntegration": false, "url": "https://wiki.example/" } },
    });
    let app = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(bookmark),
    )
    .await;
    assert_eq!(app.status, 200, "{:?}", app.body);
    assert_eq!(app.body["settings"]["app"]["url"], "https://wiki.example/");
    assert_eq!(app.body["visibility"]["appLinks"], json!({"login": true}));
    let app_id = app.body["id"].as_str().unwrap().to_string();
    let user = emulator
        .create_user(
            &super::support::Org {
                url: org.url.clone(),
                token: org.token.clone(),
                admin_id: String::new(),
            },
            "ada@assigning.example",
            "?activate=true",
        )
        .await;
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let users = format!("/api/v1/apps/{app_id}/users");
    let assigned = call(
        &emulator,
        &org,
        Method::POST,
        &users,
        Some(json!({"id": user_id, "scope": "USER"})),
    )
    .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    assert_eq!(
        assigned.body["credentials"]["userName"],
        "ada@assigning.example"
    );
    assert_eq!(assigned.body["scope"], "USER");
    assert_eq!(assigned.body["syncState"], "DISABLED");
    let again = call(
        &emulator,
        &org,
        Method::POST,
        &users,
        Some(json!({"id": user_id})),
    )
    .await;
    assert_error(&again, 409, "E0000062");
    let renamed = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{users}/{user_id}"),
        Some(json!({"credentials": {"userName": "ada"}})),
    )
    .await;
    assert_eq!(renamed.body["credentials"]["userName"], "ada");
    let listed = call(&emulator, &org, Method::GET, &users, None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let removed = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{users}/{user_id}"),
        None,
    )
    .await;
    assert_eq!(removed.status, 204);
    assert_eq!(
        call(&emulator, &org, Method::GET, &users, None).await.body,
        json!([])
    );

    let mut group_ids = Vec::new();
    for name in ["First", "Second"] {
        let group = call(
            &emulator,
            &org,
            Method::POST,
            "/api/v1/groups",
            Some(json!({"profile": {"name": name}})),
        )
        .await;
        group_ids.push(group.body["id"].as_str().unwrap().to_string());
    }
    let groups = format!("/api/v1/apps/{app_id}/groups");
    for group_id in &group_ids {
        let assigned = call(
            &emulator,
            &org,
            Method::PUT,
            &format!("{groups}/{group_id}"),
            Some(json!({"priority": 0})),
        )
        .await;
        assert_eq!(assigned.status, 200, "{:?}", assigned.body);
        assert_eq!(assigned.body["priority"], 0);
    }
    // Recorded: the group assigned last at priority 0 comes first, the other moves down.
    let listed = call(&emulator, &org, Method::GET, &groups, None).await;
    let order: Vec<(&str, u64)> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|group| {
            (
                group["id"].as_str().unwrap(),
                group["priority"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![(group_ids[1].as_str(), 0), (group_ids[0].as_str(), 1)]
    );
    // A member of an assigned group sees the app among its app links.
    let member = call(
        &emulator,
        &org,
        Method::PUT,
        &format!("/api/v1/groups/{}/users/{user_id}", group_ids[0]),
        None,
    )
    .await;
    assert_eq!(member.status, 204);
    let links = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/users/{user_id}/appLinks"),
        None,
    )
    .await;
    assert_eq!(links.status, 200, "{:?}", links.body);
    assert_eq!(links.body[0]["appInstanceId"], app_id.as_str());
    assert_eq!(links.body[0]["label"], "Wiki");
    let apps_of_group = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/groups/{}/apps", group_ids[0]),
        None,
    )
    .await;
    assert_eq!(apps_of_group.body[0]["id"], app_id.as_str());
    let removed = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{groups}/{}", group_ids[1]),
        None,
    )
    .await;
    assert_eq!(removed.status, 204);
    let one = call(
        &emulator,
        &org,
        Method::GET,
        &format!("{groups}/{}", group_ids[0]),
        None,
    )
    .await;
    assert_eq!(one.body["priority"], 0);
    // A deleted group's assignment goes with it.
    let deleted = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("/api/v1/groups/{}", group_ids[0]),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        call(&emulator, &org, Method::GET, &groups, None).await.body,
        json!([])
    );
}

#[tokio::test]
async fn an_app_has_rsa_signing_keys_with_certificates_that_are_generated_cloned_and_requested() {
    let emulator = Emulator::start();
    let org = org(&emulator, "signing").await;
    let bookmark = |label: &str| {
        json!({
            "name": "bookmark", "label": label, "signOnMode": "BOOKMARK",
            "settings": { "app": { "url": "https://wiki.example/" } },
        })
    };
    let first = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(bookmark("One")),
    )
    .await;
    let second = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/apps",
        Some(bookmark("Two")),
    )
    .await;
    let (first, second) = (
        first.body["id"].as_str().unwrap().to_string(),
        second.body["id"].as_str().unwrap().to_string(),
    );
    let keys = format!("/api/v1/apps/{first}/credentials/keys");
    let listed = call(&emulator, &org, Method::GET, &keys, None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let default = &listed.body[0];
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(default["kty"], "RSA");
    assert_eq!(default["use"], "sig");
    assert_eq!(default["e"], "AQAB");
    // A 2048-bit modulus, and the certificate carries the same key.
    let modulus = default["n"].as_str().unwrap();
    assert_eq!(modulus.len(), 342);
    let certificate = default["x5c"][0].as_str().unwrap();
    assert!(certificate.starts_with("MII"));
    let kid = default["kid"].as_str().unwrap().to_string();
    let again = call(&emulator, &org, Method::GET, &format!("{keys}/{kid}"), None).await;
    assert_eq!(again.body, *default);

    let generated = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{keys}/generate?validityYears=2"),
        None,
    )
    .await;
    assert_eq!(generated.status, 201, "{:?}", generated.body);
    assert_ne!(generated.body["kid"], kid.as_str());
    let refused = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{keys}/generate?validityYears=1"),
        None,
    )
    .await;
    assert_error(&refused, 400, "E0000001");
    let new_kid = generated.body["kid"].as_str().unwrap();
    let cloned = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{keys}/{new_kid}/clone?targetAid={second}"),
        None,
    )
    .await;
    assert_eq!(cloned.status, 201, "{:?}", cloned.body);
    assert_eq!(cloned.body["x5c"], generated.body["x5c"]);
    let second_keys = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/apps/{second}/credentials/keys"),
        None,
    )
    .await;
    assert!(
        second_keys
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|key| key["kid"] == new_kid)
    );

    let csrs = format!("/api/v1/apps/{first}/credentials/csrs");
    let metadata = json!({
        "subject": { "commonName": "SP Issuer", "countryName": "CA", "localityName": "Toronto", "organizationName": "Acme" },
        "subjectAltNames": { "dnsNames": ["sp.acme.example"] },
    });
    let csr = call(&emulator, &org, Method::POST, &csrs, Some(metadata)).await;
    assert_eq!(csr.status, 201, "{:?}", csr.body);
    assert_eq!(csr.body["kty"], "RSA");
    assert!(csr.body["csr"].as_str().unwrap().starts_with("MII"));
    let csr_id = csr.body["id"].as_str().unwrap();
    let fetched = call(
        &emulator,
        &org,
        Method::GET,
        &format!("{csrs}/{csr_id}"),
        None,
    )
    .await;
    assert_eq!(fetched.body["csr"], csr.body["csr"]);
    let revoked = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("{csrs}/{csr_id}"),
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(
        call(&emulator, &org, Method::GET, &csrs, None).await.body,
        json!([])
    );
    // Publishing a signed certificate is not modelled.
    let publish = call(
        &emulator,
        &org,
        Method::POST,
        &format!("{csrs}/{csr_id}/lifecycle/publish"),
        None,
    )
    .await;
    assert_error(&publish, 501, "E0000060");
}

#[tokio::test]
async fn an_app_sign_in_policy_lists_no_apps_while_none_is_mapped_to_it() {
    let emulator = Emulator::start();
    let org = org(&emulator, "access").await;
    let policy = json!({"name": "App sign-in", "type": "ACCESS_POLICY", "status": "ACTIVE"});
    let created = call(
        &emulator,
        &org,
        Method::POST,
        "/api/v1/policies",
        Some(policy),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.body["type"], "ACCESS_POLICY");
    assert_eq!(created.body["conditions"], Value::Null);
    let policy_id = created.body["id"].as_str().unwrap();
    let apps = call(
        &emulator,
        &org,
        Method::GET,
        &format!("/api/v1/policies/{policy_id}/app"),
        None,
    )
    .await;
    assert_eq!(apps.status, 200);
    assert_eq!(apps.body, json!([]));
    let unknown = call(
        &emulator,
        &org,
        Method::GET,
        "/api/v1/policies/rstNoSuchPolicy/app",
        None,
    )
    .await;
    assert_error(&unknown, 404, "E0000007");
    let deleted = call(
        &emulator,
        &org,
        Method::DELETE,
        &format!("/api/v1/policies/{policy_id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
}
