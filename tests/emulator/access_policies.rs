//! Authentication policies (`ACCESS_POLICY`, Identity Engine), cloning a policy, and the policy
//! endpoints Okta answers without doing anything (mappings, simulations of malformed bodies), as
//! okta-sdk-python v3.4.4's recordings show them.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

fn access_policy(name: &str) -> Value {
    json!({ "type": "ACCESS_POLICY", "name": name, "description": "Apps of the east", "status": "ACTIVE" })
}

async fn create(emulator: &Emulator, org: &Org, body: Value) -> Value {
    let created = emulator
        .post(&format!("{}/api/v1/policies", org.url), &org.token, body)
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body
}

#[tokio::test]
async fn emulator_access_policy_is_unordered_and_links_its_mappings() {
    let emulator = Emulator::start();
    let org = emulator.create_org("accesspol").await;
    let first = create(&emulator, &org, access_policy("East apps")).await;
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("rst") && id.len() == 20, "{id}");
    assert_eq!(first["type"], "ACCESS_POLICY");
    assert_eq!(first["conditions"], Value::Null);
    assert_eq!(first["priority"], 1);
    assert!(first.get("settings").is_none());
    let self_url = format!("{}/api/v1/policies/{id}", org.url);
    assert_eq!(
        first["_links"]["mappings"]["href"],
        format!("{self_url}/mappings")
    );
    let second = create(&emulator, &org, access_policy("West apps")).await;
    assert_eq!(
        second["priority"], 1,
        "authentication policies are not ordered"
    );

    let listed = emulator
        .get(
            &format!("{}/api/v1/policies?type=ACCESS_POLICY", org.url),
            &org.token,
        )
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);

    let rule = emulator
        .post(
            &format!("{self_url}/rules"),
            &org.token,
            json!({ "name": "Everyone", "actions": { "appSignOn": { "access": "ALLOW" } } }),
        )
        .await;
    assert_eq!(rule.status, 200, "{:?}", rule.body);
    assert_eq!(rule.body["type"], "ACCESS_POLICY", "the policy's rule type");

    let mappings = emulator
        .get(&format!("{self_url}/mappings"), &org.token)
        .await;
    assert_eq!(mappings.status, 200);
    assert_eq!(mappings.body, json!([]));
    let mapped = emulator
        .post(
            &format!("{self_url}/mappings"),
            &org.token,
            json!({ "resourceId": "0oa1", "resourceType": "ACCESS_POLICY" }),
        )
        .await;
    assert_error(&mapped, 400, "E0000001");
    assert_eq!(
        mapped.body["errorSummary"],
        "Api validation failed: Policy mappings are no longer supported on this endpoint."
    );
    assert_eq!(mapped.body["errorCauses"], json!([]));
    assert_error(
        &emulator
            .get(
                &format!("{}/api/v1/policies/rstmissing/mappings", org.url),
                &org.token,
            )
            .await,
        404,
        "E0000007",
    );
}

#[tokio::test]
async fn emulator_access_policy_is_identity_engine_only() {
    let emulator = Emulator::start_with(&["--engine", "classic"]);
    let org = emulator.create_org("classicaccess").await;
    let refused = emulator
        .post(
            &format!("{}/api/v1/policies", org.url),
            &org.token,
            access_policy("Apps"),
        )
        .await;
    assert_error(&refused, 501, "E0000060");
}

#[tokio::test]
async fn emulator_clone_copies_a_policy_and_its_rules() {
    let emulator = Emulator::start();
    let org = emulator.create_org("clonepol").await;
    let original = create(&emulator, &org, access_policy("East apps")).await;
    let original_id = original["id"].as_str().unwrap();
    let rules = format!("{}/api/v1/policies/{original_id}/rules", org.url);
    let rule = emulator
        .post(
            &rules,
            &org.token,
            json!({ "name": "Managed devices", "actions": { "appSignOn": { "access": "ALLOW" } } }),
        )
        .await;
    assert_eq!(rule.status, 200, "{:?}", rule.body);

    let cloned = emulator
        .call(
            Method::POST,
            &format!("{}/api/v1/policies/{original_id}/clone", org.url),
            &org.token,
            None,
        )
        .await;
    assert_eq!(cloned.status, 200, "{:?}", cloned.body);
    let clone_id = cloned.body["id"].as_str().unwrap();
    assert_ne!(clone_id, original_id);
    assert!(clone_id.starts_with("rst"));
    assert_eq!(cloned.body["name"], "[cloned] East apps");
    assert_eq!(cloned.body["description"], original["description"]);
    assert_eq!(cloned.body["type"], "ACCESS_POLICY");
    assert_eq!(cloned.body["status"], "ACTIVE");
    assert_eq!(
        cloned.body["created"],
        Value::Null,
        "as Okta answers a clone"
    );
    let read = emulator
        .get(
            &format!("{}/api/v1/policies/{clone_id}", org.url),
            &org.token,
        )
        .await;
    assert!(read.body["created"].is_string());
    let cloned_rules = emulator
        .get(
            &format!("{}/api/v1/policies/{clone_id}/rules", org.url),
            &org.token,
        )
        .await;
    let cloned_rules = cloned_rules.body.as_array().unwrap();
    assert_eq!(cloned_rules.len(), 1);
    assert_eq!(cloned_rules[0]["name"], "Managed devices");
    assert_ne!(cloned_rules[0]["id"], rule.body["id"]);

    // A password policy clones into the place of a new one, before the default.
    let password = create(
        &emulator,
        &org,
        json!({ "type": "PASSWORD", "name": "Strict", "priority": 1 }),
    )
    .await;
    let cloned = emulator
        .call(
            Method::POST,
            &format!(
                "{}/api/v1/policies/{}/clone",
                org.url,
                password["id"].as_str().unwrap()
            ),
            &org.token,
            None,
        )
        .await;
    assert_eq!(cloned.body["name"], "[cloned] Strict");
    let listed = emulator
        .get(
            &format!("{}/api/v1/policies?type=PASSWORD", org.url),
            &org.token,
        )
        .await;
    let names: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|policy| policy["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Strict", "[cloned] Strict", "Default Policy"]);
    assert_error(
        &emulator
            .call(
                Method::POST,
                &format!("{}/api/v1/policies/00pmissing/clone", org.url),
                &org.token,
                None,
            )
            .await,
        404,
        "E0000007",
    );
}

#[tokio::test]
async fn emulator_policy_simulation_refuses_a_context_without_groups() {
    let emulator = Emulator::start();
    let org = emulator.create_org("simulate").await;
    let url = format!("{}/api/v1/policies/simulate", org.url);
    let without_groups = emulator
        .post(
            &url,
            &org.token,
            json!([{ "appInstance": "0oa1", "policyTypes": ["OKTA_SIGN_ON"], "policyContext": { "user": { "id": "00u1" } } }]),
        )
        .await;
    assert_error(&without_groups, 400, "E0000003");
    let not_a_list = emulator
        .post(&url, &org.token, json!({ "appInstance": "0oa1" }))
        .await;
    assert_error(&not_a_list, 400, "E0000003");
    let well_formed = emulator
        .post(
            &url,
            &org.token,
            json!([{ "appInstance": "0oa1", "policyContext": { "user": { "id": "00u1" }, "groups": { "ids": [] } } }]),
        )
        .await;
    assert_error(&well_formed, 501, "E0000060");
}
