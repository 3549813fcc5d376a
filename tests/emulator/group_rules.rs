//! Group rules: an active rule puts the users its expression matches into its groups, which
//! is one more way into a group that holds admin roles.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error, user_request};

async fn create_group(emulator: &Emulator, org: &Org, name: &str) -> String {
    let created = emulator
        .post(
            &format!("{}/api/v1/groups", org.url),
            &org.token,
            json!({ "profile": { "name": name } }),
        )
        .await;
    created.body["id"].as_str().unwrap().to_string()
}

async fn create_user(emulator: &Emulator, org: &Org, login: &str, department: &str) -> String {
    let mut body = user_request(login, None);
    body["profile"]["department"] = json!(department);
    let created = emulator
        .post(&format!("{}/api/v1/users", org.url), &org.token, body)
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

async fn member_ids(emulator: &Emulator, org: &Org, group_id: &str) -> Vec<String> {
    emulator
        .get(
            &format!("{}/api/v1/groups/{group_id}/users", org.url),
            &org.token,
        )
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

fn rule_body(name: &str, expression: &str, group_id: &str) -> Value {
    json!({
        "type": "group_rule",
        "name": name,
        "conditions": { "expression": { "value": expression, "type": "urn:okta:expression:1.0" } },
        "actions": { "assignUserToGroups": { "groupIds": [group_id] } },
    })
}

#[tokio::test]
async fn emulator_group_rules_put_matching_users_in_their_groups() {
    let emulator = Emulator::start();
    let org = emulator.create_org("grouprules").await;
    let group_id = create_group(&emulator, &org, "IT").await;
    let it = create_user(&emulator, &org, "it@grouprules.example.com", "IT").await;
    let sales = create_user(&emulator, &org, "sales@grouprules.example.com", "Sales").await;
    let rules = format!("{}/api/v1/groups/rules", org.url);

    let created = emulator
        .post(
            &rules,
            &org.token,
            rule_body("IT staff", "user.department==\"IT\"", &group_id),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.body["status"], "INACTIVE");
    assert_eq!(created.body["type"], "group_rule");
    let rule_id = created.body["id"].as_str().unwrap().to_string();
    assert!(rule_id.starts_with("0pr"), "{rule_id}");
    assert!(
        member_ids(&emulator, &org, &group_id).await.is_empty(),
        "inactive"
    );

    let unsupported = emulator
        .post(
            &rules,
            &org.token,
            rule_body(
                "Odd",
                "String.stringContains(user.login, \"it\")",
                &group_id,
            ),
        )
        .await;
    assert_error(&unsupported, 501, "E0000060");
    let invalid = emulator
        .post(
            &rules,
            &org.token,
            rule_body("", "user.department==\"IT\"", "00gnothere"),
        )
        .await;
    assert_error(&invalid, 400, "E0000001");

    let activate = format!("{rules}/{rule_id}/lifecycle/activate");
    assert_eq!(
        emulator
            .call(Method::POST, &activate, &org.token, None)
            .await
            .status,
        204
    );
    assert_eq!(
        member_ids(&emulator, &org, &group_id).await,
        vec![it.clone()]
    );
    // A user who comes to match later joins too.
    let moved = emulator
        .post(
            &format!("{}/api/v1/users/{sales}", org.url),
            &org.token,
            json!({ "profile": { "department": "IT" } }),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let new_hire = create_user(&emulator, &org, "new@grouprules.example.com", "IT").await;
    assert_eq!(
        member_ids(&emulator, &org, &group_id).await,
        vec![it.clone(), sales.clone(), new_hire.clone()]
    );

    // The memberships it makes are logged, naming the rule.
    let logged = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22group.user_membership.add%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let events = logged.body.as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[0]["debugContext"]["debugData"]["triggeredByGroupRuleId"],
        rule_id
    );
    assert_eq!(events[0]["target"][1]["id"], group_id);

    // Active rules are not changed or deleted; a group a rule fills takes no admin role.
    assert_error(
        &emulator
            .call(
                Method::PUT,
                &format!("{rules}/{rule_id}"),
                &org.token,
                Some(rule_body("IT", "user.department==\"IT\"", &group_id)),
            )
            .await,
        400,
        "E0000001",
    );
    let refused = emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    assert_error(&refused, 400, "E0000192");

    assert_eq!(
        emulator
            .call(
                Method::POST,
                &format!("{rules}/{rule_id}/lifecycle/deactivate"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        emulator
            .get(&format!("{rules}/{rule_id}"), &org.token)
            .await
            .body["status"],
        "INACTIVE"
    );
    assert_eq!(
        member_ids(&emulator, &org, &group_id).await.len(),
        3,
        "memberships stay"
    );
    assert_eq!(
        emulator
            .get(&rules, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let deleted = emulator
        .call(
            Method::DELETE,
            &format!("{rules}/{rule_id}?removeUsers=true"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(deleted.status, 202);
    assert!(member_ids(&emulator, &org, &group_id).await.is_empty());
    assert_error(
        &emulator
            .get(&format!("{rules}/{rule_id}"), &org.token)
            .await,
        404,
        "E0000007",
    );
}

#[tokio::test]
async fn emulator_an_active_group_rule_survives_a_restart_with_data() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("keptrules").await;
    let group_id = create_group(&emulator, &org, "Ops").await;
    let created = emulator
        .post(
            &format!("{}/api/v1/groups/rules", org.url),
            &org.token,
            rule_body("Ops", "user.department==\"Ops\"", &group_id),
        )
        .await;
    let rule_id = created.body["id"].as_str().unwrap().to_string();
    emulator
        .call(
            Method::POST,
            &format!(
                "{}/api/v1/groups/rules/{rule_id}/lifecycle/activate",
                org.url
            ),
            &org.token,
            None,
        )
        .await;
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let org = Org {
        url: format!("{}/keptrules", restarted.url),
        ..org
    };
    let user = create_user(&restarted, &org, "ops@keptrules.example.com", "Ops").await;
    assert_eq!(member_ids(&restarted, &org, &group_id).await, vec![user]);
}

#[tokio::test]
async fn emulator_group_rule_activation_takes_back_only_its_own_unmatched_members() {
    let emulator = Emulator::start();
    let org = emulator.create_org("rulerevisit").await;
    let group_id = create_group(&emulator, &org, "Engineering").await;
    let engineer = create_user(&emulator, &org, "eng@rulerevisit.example.com", "Eng").await;
    let manual = create_user(&emulator, &org, "manual@rulerevisit.example.com", "Sales").await;
    let added = emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{manual}", org.url),
            &org.token,
            None,
        )
        .await;
    assert_eq!(added.status, 204);
    let rules = format!("{}/api/v1/groups/rules", org.url);
    let created = emulator
        .post(
            &rules,
            &org.token,
            rule_body("Engineers", "user.department==\"Eng\"", &group_id),
        )
        .await;
    let rule_url = format!("{rules}/{}", created.body["id"].as_str().unwrap());
    let lifecycle = |action: &str| format!("{rule_url}/lifecycle/{action}");
    emulator
        .call(Method::POST, &lifecycle("activate"), &org.token, None)
        .await;
    assert_eq!(
        member_ids(&emulator, &org, &group_id).await,
        vec![manual.clone(), engineer.clone()]
    );

    // Changed while inactive to an expression the engineer fails, then activated again: the
    // member the rule added leaves, the member an admin added stays.
    emulator
        .call(Method::POST, &lifecycle("deactivate"), &org.token, None)
        .await;
    assert_eq!(
        member_ids(&emulator, &org, &group_id).await.len(),
        2,
        "deactivating alone removes no one"
    );
    let replaced = emulator
        .call(
            Method::PUT,
            &rule_url,
            &org.token,
            Some(rule_body(
                "Engineers",
                "user.department==\"None\"",
                &group_id,
            )),
        )
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    emulator
        .call(Method::POST, &lifecycle("activate"), &org.token, None)
        .await;
    assert_eq!(member_ids(&emulator, &org, &group_id).await, vec![manual]);
    let removals = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22group.user_membership.remove%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(removals.body.as_array().unwrap().len(), 1);
    assert_eq!(removals.body[0]["target"][0]["id"], engineer);
}
