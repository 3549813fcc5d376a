use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error, assert_fixture};

#[tokio::test]
async fn emulator_roles_assign_list_duplicate_and_unassign() {
    let emulator = Emulator::start();
    let org = emulator.create_org("roles").await;
    let created = emulator
        .create_user(&org, "radius@roles.example.com", "")
        .await;
    let user_id = created.body["id"].as_str().unwrap().to_string();
    let roles = format!("{}/api/v1/users/{user_id}/roles", org.url);

    let assigned = emulator
        .post(
            &format!("{roles}?disableNotifications=true"),
            &org.token,
            json!({ "type": "APP_ADMIN" }),
        )
        .await;
    assert_eq!(assigned.status, 201);
    assert_fixture(
        &assigned.body,
        "role_assignment.json",
        &[
            ("role_id", "IFIFAX2BIRGUSTQ"),
            ("role_type", "APP_ADMIN"),
            ("org_url", &org.url),
            ("user_id", &user_id),
        ],
    );
    let read_only = emulator
        .post(&roles, &org.token, json!({ "type": "READ_ONLY_ADMIN" }))
        .await;
    assert_eq!(read_only.status, 201);

    let duplicate = emulator
        .post(&roles, &org.token, json!({ "type": "APP_ADMIN" }))
        .await;
    assert_error(&duplicate, 409, "E0000090");
    assert_fixture(&duplicate.body, "errors/duplicate_role.json", &[]);

    let unknown = emulator
        .post(&roles, &org.token, json!({ "type": "KING" }))
        .await;
    assert_error(&unknown, 400, "E0000001");

    let listed = emulator.get(&roles, &org.token).await;
    let types: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["APP_ADMIN", "READ_ONLY_ADMIN"]);

    let assignment = format!("{roles}/IFIFAX2BIRGUSTQ");
    assert_eq!(emulator.get(&assignment, &org.token).await.status, 200);
    assert_eq!(
        emulator
            .call(Method::DELETE, &assignment, &org.token, None)
            .await
            .status,
        204
    );
    let again = emulator
        .call(Method::DELETE, &assignment, &org.token, None)
        .await;
    assert_error(&again, 404, "E0000007");
    assert_eq!(
        again.body["errorSummary"],
        "Not found: Resource not found: IFIFAX2BIRGUSTQ (RoleAssignment)"
    );
}

#[tokio::test]
async fn emulator_only_super_admins_grant_roles_and_tokens_follow_privileges() {
    let emulator = Emulator::start();
    let org = emulator.create_org("privileges").await;
    let me_roles = format!("{}/api/v1/users/me/roles", org.url);
    let other = emulator
        .create_user(&org, "other@privileges.example.com", "")
        .await;
    let other_roles = format!(
        "{}/api/v1/users/{}/roles",
        org.url,
        other.body["id"].as_str().unwrap()
    );

    // The admin becomes an org admin and gives up super admin: its token follows.
    assert_eq!(
        emulator
            .post(&me_roles, &org.token, json!({ "type": "ORG_ADMIN" }))
            .await
            .status,
        201
    );
    let mine = emulator.get(&me_roles, &org.token).await;
    let super_id = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "SUPER_ADMIN")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{me_roles}/{super_id}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    let refused = emulator
        .post(&other_roles, &org.token, json!({ "type": "APP_ADMIN" }))
        .await;
    assert_error(&refused, 403, "E0000006");
    assert_fixture(&refused.body, "errors/forbidden.json", &[]);
    // Org admins still manage users.
    assert_eq!(
        emulator
            .create_user(&org, "still@privileges.example.com", "")
            .await
            .status,
        200
    );

    // Deactivating the token's owner kills the token.
    let deactivated = emulator
        .post(
            &format!("{}/api/v1/users/me/lifecycle/deactivate", org.url),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(deactivated.status, 200);
    let dead = emulator
        .get(&format!("{}/api/v1/users/me", org.url), &org.token)
        .await;
    assert_error(&dead, 401, "E0000011");
}

#[tokio::test]
async fn emulator_groups_and_paginated_memberships() {
    let emulator = Emulator::start();
    let org = emulator.create_org("groups").await;
    let groups = format!("{}/api/v1/groups", org.url);
    let created = emulator
        .post(
            &groups,
            &org.token,
            json!({ "profile": { "name": "MSP Service Accounts", "description": "managed" } }),
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(created.body["type"], "OKTA_GROUP");
    assert_eq!(created.body["objectClass"], json!(["okta:user_group"]));
    let group_id = created.body["id"].as_str().unwrap().to_string();
    assert!(group_id.starts_with("00g") && group_id.len() == 20);

    let duplicate = emulator
        .post(
            &groups,
            &org.token,
            json!({ "profile": { "name": "MSP Service Accounts" } }),
        )
        .await;
    assert_error(&duplicate, 400, "E0000001");

    let members = format!("{groups}/{group_id}/users");
    let mut ids = Vec::new();
    for index in 0..3 {
        let user = emulator
            .create_user(&org, &format!("member{index}@groups.example.com"), "")
            .await;
        let id = user.body["id"].as_str().unwrap().to_string();
        let added = emulator
            .call(Method::PUT, &format!("{members}/{id}"), &org.token, None)
            .await;
        assert_eq!(added.status, 204);
        ids.push(id);
    }
    // Adding twice is harmless.
    assert_eq!(
        emulator
            .call(
                Method::PUT,
                &format!("{members}/{}", ids[0]),
                &org.token,
                None
            )
            .await
            .status,
        204
    );

    let mut next = Some(format!("{members}?limit=2"));
    let mut seen = Vec::new();
    while let Some(url) = next {
        let page = emulator.get(&url, &org.token).await;
        assert_eq!(page.status, 200);
        seen.extend(
            page.body
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_string()),
        );
        next = page.next_link();
    }
    assert_eq!(seen, ids);

    let user_groups = emulator
        .get(
            &format!("{}/api/v1/users/{}/groups", org.url, ids[1]),
            &org.token,
        )
        .await;
    assert_eq!(
        user_groups.body.as_array().unwrap().len(),
        2,
        "Everyone and the new group"
    );

    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{members}/{}", ids[1]),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        emulator
            .get(&members, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let missing_user = emulator
        .call(
            Method::PUT,
            &format!("{members}/00unothere0000000000"),
            &org.token,
            None,
        )
        .await;
    assert_error(&missing_user, 404, "E0000007");

    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{groups}/{group_id}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    let gone = emulator
        .get(&format!("{groups}/{group_id}"), &org.token)
        .await;
    assert_error(&gone, 404, "E0000007");
}
