//! Group targets of admin role assignments, of groups and of users: assigned and removed with
//! 204, listed as groups (recorded in okta-sdk-python v3.4.4 cassettes test_group_target_add and
//! test_group_target_remove).

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

async fn group(emulator: &Emulator, org: &Org, name: &str) -> String {
    let created = emulator
        .post(
            &format!("{}/api/v1/groups", org.url),
            &org.token,
            json!({ "profile": { "name": name } }),
        )
        .await;
    created.body["id"].as_str().unwrap().to_string()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|group| group["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn emulator_role_targets_narrow_a_group_role_to_groups() {
    let emulator = Emulator::start();
    let org = emulator.create_org("targets").await;
    let admins = group(&emulator, &org, "Helpdesk").await;
    let east = group(&emulator, &org, "East").await;
    let west = group(&emulator, &org, "West").await;
    let role = emulator
        .post(
            &format!("{}/api/v1/groups/{admins}/roles", org.url),
            &org.token,
            json!({ "type": "USER_ADMIN" }),
        )
        .await;
    let targets = format!(
        "{}/api/v1/groups/{admins}/roles/{}/targets/groups",
        org.url,
        role.body["id"].as_str().unwrap()
    );
    let listed = emulator.get(&targets, &org.token).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!([]), "an untargeted role lists none");

    for target in [&east, &west, &east] {
        let put = emulator
            .call(
                Method::PUT,
                &format!("{targets}/{target}"),
                &org.token,
                None,
            )
            .await;
        assert_eq!(put.status, 204, "{:?}", put.body);
        assert_eq!(put.body, Value::Null);
    }
    let listed = emulator.get(&targets, &org.token).await;
    assert_eq!(ids(&listed.body), [east.as_str(), west.as_str()]);
    assert_eq!(listed.body[0]["profile"]["name"], "East");
    assert_eq!(listed.body[0]["objectClass"], json!(["okta:user_group"]));

    let removed = emulator
        .call(
            Method::DELETE,
            &format!("{targets}/{east}"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(
        ids(&emulator.get(&targets, &org.token).await.body),
        [west.as_str()]
    );
    let again = emulator
        .call(
            Method::DELETE,
            &format!("{targets}/{east}"),
            &org.token,
            None,
        )
        .await;
    assert_error(&again, 404, "E0000007");
    let unknown_group = emulator
        .call(
            Method::PUT,
            &format!("{targets}/00gmissing"),
            &org.token,
            None,
        )
        .await;
    assert_error(&unknown_group, 404, "E0000007");

    // Only roles over users take group targets.
    let reader = emulator
        .post(
            &format!("{}/api/v1/groups/{admins}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    let refused = emulator
        .call(
            Method::PUT,
            &format!(
                "{}/api/v1/groups/{admins}/roles/{}/targets/groups/{west}",
                org.url,
                reader.body["id"].as_str().unwrap()
            ),
            &org.token,
            None,
        )
        .await;
    assert_error(&refused, 400, "E0000001");
}

#[tokio::test]
async fn emulator_role_targets_narrow_a_user_role_and_survive_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("usertargets").await;
    let user = emulator
        .create_user(&org, "helper@usertargets.example.com", "")
        .await;
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let east = group(&emulator, &org, "East").await;
    let role = emulator
        .post(
            &format!("{}/api/v1/users/{user_id}/roles", org.url),
            &org.token,
            json!({ "type": "HELP_DESK_ADMIN" }),
        )
        .await;
    assert_eq!(role.status, 201, "{:?}", role.body);
    let path = format!(
        "/api/v1/users/{user_id}/roles/{}/targets/groups",
        role.body["id"].as_str().unwrap()
    );
    let put = emulator
        .call(
            Method::PUT,
            &format!("{}{path}/{east}", org.url),
            &org.token,
            None,
        )
        .await;
    assert_eq!(put.status, 204, "{:?}", put.body);
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let listed = restarted
        .get(&format!("{}/usertargets{path}", restarted.url), &org.token)
        .await;
    assert_eq!(ids(&listed.body), [east.as_str()]);
}
