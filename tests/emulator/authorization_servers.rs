//! Custom authorization servers (`/api/v1/authorizationServers`): a server's lifecycle and
//! signing keys, its scopes and claims, its policies and their rules, as Okta's recorded answers
//! show them (docs/emulator.md cites the recordings).

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

fn servers_url(org: &Org) -> String {
    format!("{}/api/v1/authorizationServers", org.url)
}

async fn create_server(emulator: &Emulator, org: &Org, name: &str) -> Value {
    let created = emulator
        .post(
            &servers_url(org),
            &org.token,
            json!({ "name": name, "description": "Orders API", "audiences": ["api://orders"] }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn emulator_authorization_server_lives_from_create_to_delete() {
    let emulator = Emulator::start();
    let org = emulator.create_org("asfull").await;
    let server = create_server(&emulator, &org, "Orders").await;
    let id = server["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("aus") && id.len() == 20, "{id}");
    assert_eq!(server["status"], "ACTIVE");
    assert_eq!(server["audiences"], json!(["api://orders"]));
    assert_eq!(server["issuer"], format!("{}/oauth2/{id}", org.url));
    assert_eq!(server["issuerMode"], "ORG_URL");
    assert_eq!(server["credentials"]["signing"]["rotationMode"], "AUTO");
    assert_eq!(
        server["_links"]["deactivate"]["href"],
        format!("{}/{id}/lifecycle/deactivate", servers_url(&org))
    );
    let server_url = format!("{}/{id}", servers_url(&org));

    let listed = emulator.get(&servers_url(&org), &org.token).await;
    assert_eq!(names(&listed.body), ["Orders"]);
    let searched = emulator
        .get(&format!("{}?q=billing", servers_url(&org)), &org.token)
        .await;
    assert_eq!(
        searched.body,
        json!([]),
        "q matches neither name nor audience"
    );

    let replaced = emulator
        .call(
            Method::PUT,
            &server_url,
            &org.token,
            Some(json!({ "name": "Orders", "description": "Orders API v2", "audiences": ["api://orders"] })),
        )
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["description"], "Orders API v2");

    let deactivated = emulator
        .call(
            Method::POST,
            &format!("{server_url}/lifecycle/deactivate"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(deactivated.status, 204);
    let read = emulator.get(&server_url, &org.token).await;
    assert_eq!(read.body["status"], "INACTIVE");
    assert!(read.body["_links"]["activate"].is_object());
    let activated = emulator
        .call(
            Method::POST,
            &format!("{server_url}/lifecycle/activate"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(activated.status, 204);
    assert_eq!(
        emulator.get(&server_url, &org.token).await.body["status"],
        "ACTIVE"
    );

    let deleted = emulator
        .call(Method::DELETE, &server_url, &org.token, None)
        .await;
    assert_eq!(deleted.status, 204);
    let gone = emulator.get(&server_url, &org.token).await;
    assert_error(&gone, 404, "E0000007");
    assert_eq!(
        gone.body["errorSummary"],
        format!("Not found: Resource not found: {id} (AuthorizationServer)")
    );
    let events = emulator
        .get(&format!("{}/api/v1/logs", org.url), &org.token)
        .await;
    let types: Vec<&str> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["eventType"].as_str().unwrap())
        .filter(|kind| kind.starts_with("oauth2.as."))
        .collect();
    assert_eq!(
        types,
        [
            "oauth2.as.created",
            "oauth2.as.updated",
            "oauth2.as.deactivated",
            "oauth2.as.activated",
            "oauth2.as.deleted"
        ]
    );
}

#[tokio::test]
async fn emulator_authorization_server_refuses_a_server_without_one_audience() {
    let emulator = Emulator::start();
    let org = emulator.create_org("asinvalid").await;
    let missing = emulator
        .post(
            &servers_url(&org),
            &org.token,
            json!({ "name": "No audience" }),
        )
        .await;
    assert_error(&missing, 400, "E0000001");
    assert_eq!(
        missing.body["errorCauses"][0]["errorSummary"],
        "audiences: The field cannot be left blank"
    );
    let two = emulator
        .post(
            &servers_url(&org),
            &org.token,
            json!({ "name": "Two", "audiences": ["api://a", "api://b"] }),
        )
        .await;
    assert_error(&two, 400, "E0000001");
    let malformed = emulator
        .post(
            &servers_url(&org),
            &org.token,
            json!({ "name": "Bad", "audiences": "api://a" }),
        )
        .await;
    assert_error(&malformed, 400, "E0000003");
    assert_eq!(
        emulator.get(&servers_url(&org), &org.token).await.body,
        json!([]),
        "nothing refused was created"
    );
}

#[tokio::test]
async fn emulator_authorization_server_rotation_expires_the_active_key() {
    let emulator = Emulator::start();
    let org = emulator.create_org("askeys").await;
    let server = create_server(&emulator, &org, "Keys").await;
    let server_url = format!("{}/{}", servers_url(&org), server["id"].as_str().unwrap());
    let keys = emulator
        .get(&format!("{server_url}/credentials/keys"), &org.token)
        .await;
    assert_eq!(keys.status, 200);
    let first = keys.body[0].clone();
    assert_eq!(keys.body.as_array().unwrap().len(), 1);
    assert_eq!(first["status"], "ACTIVE");
    assert_eq!(first["kty"], "RSA");
    assert_eq!(first["alg"], "RS256");
    assert_eq!(first["use"], "sig");
    assert_eq!(first["e"], "AQAB");
    assert_eq!(server["credentials"]["signing"]["kid"], first["kid"]);
    assert_eq!(
        first["n"].as_str().unwrap().len(),
        342,
        "a 2048-bit modulus in base64url"
    );

    let rotate = format!("{server_url}/credentials/lifecycle/keyRotate");
    let rotated = emulator
        .post(&rotate, &org.token, json!({ "use": "sig" }))
        .await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let statuses: Vec<&str> = rotated
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ACTIVE", "EXPIRED"]);
    assert_eq!(rotated.body[1]["kid"], first["kid"]);
    let new_kid = rotated.body[0]["kid"].clone();
    assert_ne!(new_kid, first["kid"]);
    let read = emulator.get(&server_url, &org.token).await;
    assert_eq!(read.body["credentials"]["signing"]["kid"], new_kid);
    let one = emulator
        .get(
            &format!(
                "{server_url}/credentials/keys/{}",
                new_kid.as_str().unwrap()
            ),
            &org.token,
        )
        .await;
    assert_eq!(one.body["status"], "ACTIVE");

    // A second rotation keeps two keys: the key expired before is gone.
    let again = emulator
        .post(&rotate, &org.token, json!({ "use": "sig" }))
        .await;
    assert_eq!(again.body.as_array().unwrap().len(), 2);
    assert_eq!(again.body[1]["kid"], new_kid);
    let refused = emulator
        .post(&rotate, &org.token, json!({ "use": "enc" }))
        .await;
    assert_error(&refused, 400, "E0000001");
}

#[tokio::test]
async fn emulator_authorization_server_starts_with_system_scopes_and_claims() {
    let emulator = Emulator::start();
    let org = emulator.create_org("ascatalog").await;
    let server = create_server(&emulator, &org, "Catalog").await;
    let server_url = format!("{}/{}", servers_url(&org), server["id"].as_str().unwrap());
    let scopes_url = format!("{server_url}/scopes");
    let scopes = emulator.get(&scopes_url, &org.token).await;
    assert_eq!(
        names(&scopes.body),
        [
            "openid",
            "profile",
            "email",
            "address",
            "phone",
            "offline_access"
        ]
    );
    assert!(
        scopes
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|scope| scope["system"] == true && scope["metadataPublish"] == "ALL_CLIENTS")
    );

    let created = emulator
        .post(&scopes_url, &org.token, json!({ "name": "orders:read" }))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.body["id"].as_str().unwrap().starts_with("scp"));
    assert_eq!(created.body["system"], false);
    assert_eq!(created.body["metadataPublish"], "NO_CLIENTS");
    assert_eq!(created.body["consent"], "IMPLICIT");
    assert_eq!(created.body["default"], false);
    assert_eq!(created.body["description"], Value::Null);
    let scope_url = format!("{scopes_url}/{}", created.body["id"].as_str().unwrap());
    let replaced = emulator
        .call(
            Method::PUT,
            &scope_url,
            &org.token,
            Some(json!({ "name": "orders:write", "consent": "REQUIRED", "metadataPublish": "ALL_CLIENTS" })),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["name"], "orders:write");
    assert_eq!(replaced.body["consent"], "REQUIRED");
    let spaced = emulator
        .post(&scopes_url, &org.token, json!({ "name": "two words" }))
        .await;
    assert_error(&spaced, 400, "E0000001");
    assert_eq!(
        emulator
            .call(Method::DELETE, &scope_url, &org.token, None)
            .await
            .status,
        204
    );
    let gone = emulator.get(&scope_url, &org.token).await;
    assert_error(&gone, 404, "E0000007");
    assert!(
        gone.body["errorSummary"]
            .as_str()
            .unwrap()
            .ends_with("(OAuth2Scope)")
    );

    let claims_url = format!("{server_url}/claims");
    let claims = emulator.get(&claims_url, &org.token).await;
    assert_eq!(claims.body[0]["name"], "sub");
    assert_eq!(claims.body[0]["claimType"], "RESOURCE");
    assert_eq!(claims.body.as_array().unwrap().len(), 19);
    let email = claims
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|claim| claim["name"] == "email")
        .unwrap();
    assert_eq!(email["valueType"], "SYSTEM");
    assert_eq!(email["conditions"]["scopes"], json!(["email"]));
    assert!(email.get("value").is_none());

    let claim = emulator
        .post(
            &claims_url,
            &org.token,
            json!({ "name": "tier", "status": "INACTIVE", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "\"gold\"", "alwaysIncludeInToken": false }),
        )
        .await;
    assert_eq!(claim.status, 201, "{:?}", claim.body);
    assert!(claim.body["id"].as_str().unwrap().starts_with("ocl"));
    assert_eq!(claim.body["status"], "INACTIVE");
    assert_eq!(claim.body["conditions"], json!({ "scopes": [] }));
    assert_eq!(
        claim.body["alwaysIncludeInToken"], true,
        "an access-token claim is always in the token"
    );
    let claim_url = format!("{claims_url}/{}", claim.body["id"].as_str().unwrap());
    let replaced = emulator
        .call(
            Method::PUT,
            &claim_url,
            &org.token,
            Some(json!({ "name": "tier_v2", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "\"gold\"" })),
        )
        .await;
    assert_eq!(replaced.body["name"], "tier_v2");
    assert_eq!(
        emulator.get(&claim_url, &org.token).await.body["name"],
        "tier_v2"
    );
    let no_value = emulator
        .post(
            &claims_url,
            &org.token,
            json!({ "name": "empty", "claimType": "IDENTITY", "valueType": "EXPRESSION" }),
        )
        .await;
    assert_error(&no_value, 400, "E0000001");
    assert_eq!(
        emulator
            .call(Method::DELETE, &claim_url, &org.token, None)
            .await
            .status,
        204
    );
    assert_error(&emulator.get(&claim_url, &org.token).await, 404, "E0000007");
}

#[tokio::test]
async fn emulator_authorization_server_policies_keep_priority_order_and_rules() {
    let emulator = Emulator::start();
    let org = emulator.create_org("aspolicies").await;
    let server = create_server(&emulator, &org, "Policies").await;
    let server_url = format!("{}/{}", servers_url(&org), server["id"].as_str().unwrap());
    let policies_url = format!("{server_url}/policies");
    let policy = |name: &str, priority: u32| {
        json!({
            "type": "OAUTH_AUTHORIZATION_POLICY", "name": name, "description": name,
            "priority": priority, "conditions": { "clients": { "include": ["ALL_CLIENTS"] } },
        })
    };
    let first = emulator
        .post(&policies_url, &org.token, policy("First", 1))
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["status"], "ACTIVE");
    assert_eq!(first.body["system"], false);
    assert_eq!(
        first.body["conditions"],
        json!({ "clients": { "include": ["ALL_CLIENTS"] } })
    );
    let first_url = format!("{policies_url}/{}", first.body["id"].as_str().unwrap());
    assert_eq!(
        first.body["_links"]["rules"]["href"],
        format!("{first_url}/rules")
    );
    let second = emulator
        .post(&policies_url, &org.token, policy("Second", 1))
        .await;
    assert_eq!(second.body["priority"], 1);
    let listed = emulator.get(&policies_url, &org.token).await;
    assert_eq!(names(&listed.body), ["Second", "First"]);
    assert_eq!(listed.body[1]["priority"], 2);
    let wrong = emulator
        .post(
            &policies_url,
            &org.token,
            json!({ "type": "OKTA_SIGN_ON", "name": "Wrong" }),
        )
        .await;
    assert_error(&wrong, 400, "E0000001");

    let replaced = emulator
        .call(
            Method::PUT,
            &first_url,
            &org.token,
            Some(policy("First renamed", 1)),
        )
        .await;
    assert_eq!(replaced.body["name"], "First renamed");
    assert_eq!(replaced.body["priority"], 1);

    let rules_url = format!("{first_url}/rules");
    let rule = emulator
        .post(
            &rules_url,
            &org.token,
            json!({
                "type": "RESOURCE_ACCESS", "name": "Machines", "priority": 1,
                "conditions": { "grantTypes": { "include": ["client_credentials"] }, "scopes": { "include": ["*"] } },
                "actions": { "token": { "accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080 } },
            }),
        )
        .await;
    assert_eq!(rule.status, 201, "{:?}", rule.body);
    assert!(rule.body["id"].as_str().unwrap().starts_with("0pr"));
    assert_eq!(rule.body["type"], "RESOURCE_ACCESS");
    assert_eq!(
        rule.body["conditions"]["people"],
        json!({ "users": { "exclude": [] } }),
        "a rule sent without people excludes no user"
    );
    assert_eq!(
        rule.body["actions"]["token"]["accessTokenLifetimeMinutes"],
        60
    );
    let rule_url = format!("{rules_url}/{}", rule.body["id"].as_str().unwrap());
    let deactivated = emulator
        .call(
            Method::POST,
            &format!("{rule_url}/lifecycle/deactivate"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(deactivated.status, 204);
    assert_eq!(
        emulator.get(&rule_url, &org.token).await.body["status"],
        "INACTIVE"
    );
    let listed = emulator.get(&rules_url, &org.token).await;
    assert_eq!(names(&listed.body), ["Machines"]);
    assert_eq!(
        emulator
            .call(Method::DELETE, &rule_url, &org.token, None)
            .await
            .status,
        204
    );
    assert_error(&emulator.get(&rule_url, &org.token).await, 404, "E0000007");

    assert_eq!(
        emulator
            .call(Method::DELETE, &first_url, &org.token, None)
            .await
            .status,
        204
    );
    let gone = emulator.get(&first_url, &org.token).await;
    assert_error(&gone, 404, "E0000007");
    assert!(
        gone.body["errorSummary"]
            .as_str()
            .unwrap()
            .ends_with("(Policy)")
    );
    let listed = emulator.get(&policies_url, &org.token).await;
    assert_eq!(names(&listed.body), ["Second"]);
    assert_eq!(listed.body[0]["priority"], 1);
}

#[tokio::test]
async fn emulator_authorization_server_survives_a_restart_with_its_children() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("askept").await;
    let server = create_server(&emulator, &org, "Kept").await;
    let server_url = format!("{}/{}", servers_url(&org), server["id"].as_str().unwrap());
    let scope = emulator
        .post(
            &format!("{server_url}/scopes"),
            &org.token,
            json!({ "name": "kept:read" }),
        )
        .await;
    assert_eq!(scope.status, 201);
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let url = server_url.replacen(&emulator.url, &restarted.url, 1);
    let read = restarted.get(&url, &org.token).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["credentials"], server["credentials"]);
    let scopes = restarted.get(&format!("{url}/scopes"), &org.token).await;
    assert!(names(&scopes.body).contains(&"kept:read"));
}
