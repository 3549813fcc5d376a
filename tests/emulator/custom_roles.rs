//! Custom admin roles, resource sets and their bindings, and what they give users: the role
//! listing, the privilege checks and the System Log.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

async fn events(emulator: &Emulator, org: &Org, event_type: &str) -> Vec<Value> {
    let answer = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22{event_type}%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body.as_array().unwrap().clone()
}

async fn create_user_id(emulator: &Emulator, org: &Org, login: &str) -> String {
    let created = emulator.create_user(org, login, "").await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

async fn create_group_id(emulator: &Emulator, org: &Org, name: &str) -> String {
    let created = emulator
        .post(
            &format!("{}/api/v1/groups", org.url),
            &org.token,
            json!({ "profile": { "name": name } }),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

/// A custom role with `permissions` and a resource set holding all users and all groups;
/// returns their ids.
async fn role_and_set(emulator: &Emulator, org: &Org, permissions: &[&str]) -> (String, String) {
    let role = emulator
        .post(
            &format!("{}/api/v1/iam/roles", org.url),
            &org.token,
            json!({ "label": "Operators", "description": "operate", "permissions": permissions }),
        )
        .await;
    assert_eq!(role.status, 200, "{:?}", role.body);
    let set = emulator
        .post(
            &format!("{}/api/v1/iam/resource-sets", org.url),
            &org.token,
            json!({
                "label": "Everything",
                "description": "all users and groups",
                "resources": [format!("{}/api/v1/users", org.url), format!("{}/api/v1/groups", org.url)],
            }),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    (
        role.body["id"].as_str().unwrap().to_string(),
        set.body["id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn emulator_custom_roles_and_resource_sets_crud() {
    let emulator = Emulator::start();
    let org = emulator.create_org("iamcrud").await;
    let roles = format!("{}/api/v1/iam/roles", org.url);
    let created = emulator
        .post(
            &roles,
            &org.token,
            json!({ "label": "UserCreator", "description": "Create users", "permissions": ["okta.users.create", "okta.users.read"] }),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let role_id = created.body["id"].as_str().unwrap().to_string();
    assert!(
        role_id.starts_with("cr0") && role_id.len() == 20,
        "{role_id}"
    );
    assert_eq!(
        created.body["_links"]["permissions"]["href"],
        format!("{roles}/{role_id}/permissions")
    );
    let duplicate = emulator
        .post(
            &roles,
            &org.token,
            json!({ "label": "UserCreator", "description": "again", "permissions": ["okta.users.read"] }),
        )
        .await;
    assert_error(&duplicate, 400, "E0000001");
    let invalid = emulator
        .post(
            &roles,
            &org.token,
            json!({ "label": "", "description": "x", "permissions": ["users.everything"] }),
        )
        .await;
    assert_error(&invalid, 400, "E0000001");
    assert_eq!(invalid.body["errorCauses"].as_array().unwrap().len(), 2);
    let not_json_list = emulator
        .post(
            &roles,
            &org.token,
            json!({ "label": "L", "description": "x", "permissions": "okta.users.read" }),
        )
        .await;
    assert_error(&not_json_list, 400, "E0000001");

    // By id or by label; unknown ids are Okta's not-found.
    assert_eq!(
        emulator
            .get(&format!("{roles}/UserCreator"), &org.token)
            .await
            .body["id"],
        role_id
    );
    assert_error(
        &emulator
            .get(&format!("{roles}/cr0nothere"), &org.token)
            .await,
        404,
        "E0000007",
    );
    let listed = emulator.get(&roles, &org.token).await;
    assert_eq!(listed.body["roles"].as_array().unwrap().len(), 1);

    let permissions = format!("{roles}/{role_id}/permissions");
    let added = emulator
        .call(
            Method::POST,
            &format!("{permissions}/okta.groups.read"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(added.status, 204);
    let labels: Vec<String> = emulator.get(&permissions, &org.token).await.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        labels,
        ["okta.users.create", "okta.users.read", "okta.groups.read"]
    );
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{permissions}/okta.users.read"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_error(
        &emulator
            .get(&format!("{permissions}/okta.users.read"), &org.token)
            .await,
        404,
        "E0000007",
    );
    let renamed = emulator
        .call(
            Method::PUT,
            &format!("{roles}/{role_id}"),
            &org.token,
            Some(json!({ "label": "Creators", "description": "Create users" })),
        )
        .await;
    assert_eq!(renamed.body["label"], "Creators");

    // Resource sets.
    let sets = format!("{}/api/v1/iam/resource-sets", org.url);
    let set = emulator
        .post(
            &sets,
            &org.token,
            json!({ "label": "SF-IT", "description": "IT", "resources": [format!("{}/api/v1/users", org.url)] }),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    let set_id = set.body["id"].as_str().unwrap().to_string();
    assert!(set_id.starts_with("iam"), "{set_id}");
    let bad = emulator
        .post(
            &sets,
            &org.token,
            json!({ "label": "Bad", "description": "bad", "resources": ["not a resource"] }),
        )
        .await;
    assert_error(&bad, 400, "E0000001");
    let patched = emulator
        .call(
            Method::PATCH,
            &format!("{sets}/SF-IT/resources"),
            &org.token,
            Some(json!({ "additions": ["orn:okta:directory:00o1:groups"] })),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let resources = emulator
        .get(&format!("{sets}/{set_id}/resources"), &org.token)
        .await;
    let items = resources.body["resources"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["orn"], "orn:okta:directory:00o1:groups");
    let resource_id = items[0]["id"].as_str().unwrap();
    assert!(resource_id.starts_with("ire"));
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{sets}/{set_id}/resources/{resource_id}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        emulator.get(&sets, &org.token).await.body["resource-sets"][0]["label"],
        "SF-IT"
    );

    // A role or set that a binding uses is not deleted under it.
    let user_id = create_user_id(&emulator, &org, "bound@iamcrud.example.com").await;
    let bound = emulator
        .post(
            &format!("{sets}/{set_id}/bindings"),
            &org.token,
            json!({ "role": role_id, "members": [format!("{}/api/v1/users/{user_id}", org.url)] }),
        )
        .await;
    assert_eq!(bound.status, 200, "{:?}", bound.body);
    assert_error(
        &emulator
            .call(
                Method::DELETE,
                &format!("{roles}/{role_id}"),
                &org.token,
                None,
            )
            .await,
        400,
        "E0000001",
    );
    assert_error(
        &emulator
            .call(
                Method::DELETE,
                &format!("{sets}/{set_id}"),
                &org.token,
                None,
            )
            .await,
        400,
        "E0000001",
    );
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{sets}/{set_id}/bindings/{role_id}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    for url in [format!("{roles}/{role_id}"), format!("{sets}/{set_id}")] {
        assert_eq!(
            emulator
                .call(Method::DELETE, &url, &org.token, None)
                .await
                .status,
            204
        );
        assert_error(&emulator.get(&url, &org.token).await, 404, "E0000007");
    }
}

#[tokio::test]
async fn emulator_bindings_give_users_and_group_members_custom_roles() {
    let emulator = Emulator::start();
    let org = emulator.create_org("bindings").await;
    let (role_id, set_id) = role_and_set(&emulator, &org, &["okta.users.read"]).await;
    let direct = create_user_id(&emulator, &org, "direct@bindings.example.com").await;
    let member = create_user_id(&emulator, &org, "member@bindings.example.com").await;
    let group_id = create_group_id(&emulator, &org, "Bound").await;
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{member}", org.url),
            &org.token,
            None,
        )
        .await;
    let bindings = format!("{}/api/v1/iam/resource-sets/{set_id}/bindings", org.url);
    let created = emulator
        .post(
            &bindings,
            &org.token,
            json!({ "role": "Operators", "members": [
                format!("{}/api/v1/users/{direct}", org.url),
                format!("{}/api/v1/groups/{group_id}", org.url),
            ] }),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(
        created.body["_links"]["self"]["href"],
        format!("{bindings}/{role_id}")
    );
    let unknown_member = emulator
        .post(
            &bindings,
            &org.token,
            json!({ "role": role_id, "members": [format!("{}/api/v1/users/00unothere", org.url)] }),
        )
        .await;
    assert_error(&unknown_member, 404, "E0000007");
    let not_a_member = emulator
        .post(
            &bindings,
            &org.token,
            json!({ "role": role_id, "members": ["https://elsewhere.example.com/apps/1"] }),
        )
        .await;
    assert_error(&not_a_member, 400, "E0000001");

    let direct_roles = emulator
        .get(
            &format!("{}/api/v1/users/{direct}/roles", org.url),
            &org.token,
        )
        .await;
    let custom = &direct_roles.body[0];
    assert_eq!(custom["type"], "CUSTOM");
    assert_eq!(custom["assignmentType"], "USER");
    assert_eq!(custom["role"], role_id);
    assert_eq!(custom["resource-set"], set_id);
    assert_eq!(custom["label"], "Operators");
    let member_id = custom["id"].as_str().unwrap().to_string();
    assert!(member_id.starts_with("irb"), "{member_id}");
    assert_eq!(
        custom["_links"]["member"]["href"],
        format!("{bindings}/{role_id}/members/{member_id}")
    );
    assert_eq!(
        custom["_links"]["assignee"]["href"],
        format!("{}/api/v1/users/{direct}", org.url)
    );
    let member_roles = emulator
        .get(
            &format!("{}/api/v1/users/{member}/roles", org.url),
            &org.token,
        )
        .await;
    assert_eq!(member_roles.body[0]["type"], "CUSTOM");
    assert_eq!(member_roles.body[0]["assignmentType"], "GROUP");
    assert_eq!(
        member_roles.body[0]["_links"]["assignee"]["href"],
        format!("{}/api/v1/groups/{group_id}", org.url)
    );

    let members = format!("{bindings}/{role_id}/members");
    let listed = emulator.get(&members, &org.token).await;
    assert_eq!(listed.body["members"].as_array().unwrap().len(), 2);
    assert_eq!(
        emulator
            .get(&format!("{members}/{member_id}"), &org.token)
            .await
            .body["_links"]["self"]["href"],
        format!("{}/api/v1/users/{direct}", org.url)
    );
    let binding = emulator
        .get(&format!("{bindings}/{role_id}"), &org.token)
        .await;
    assert_eq!(binding.body["id"], role_id);
    let all = emulator.get(&bindings, &org.token).await;
    assert_eq!(all.body["roles"][0]["id"], role_id);

    // More members, one already there: kept once.
    let third = create_user_id(&emulator, &org, "third@bindings.example.com").await;
    let patched = emulator
        .call(
            Method::PATCH,
            &members,
            &org.token,
            Some(json!({ "additions": [
                format!("{}/api/v1/users/{third}", org.url),
                format!("{}/api/v1/users/{direct}", org.url),
            ] })),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(
        emulator.get(&members, &org.token).await.body["members"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Removing the user's membership takes its custom role away.
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{members}/{member_id}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    let direct_roles = emulator
        .get(
            &format!("{}/api/v1/users/{direct}/roles", org.url),
            &org.token,
        )
        .await;
    assert_eq!(direct_roles.body.as_array().unwrap().len(), 0);
    assert_error(
        &emulator
            .get(&format!("{members}/{member_id}"), &org.token)
            .await,
        404,
        "E0000007",
    );
}

#[tokio::test]
async fn emulator_custom_roles_assigned_through_users_and_groups() {
    let emulator = Emulator::start();
    let org = emulator.create_org("customassign").await;
    let (role_id, set_id) = role_and_set(&emulator, &org, &["okta.users.read"]).await;
    let user_id = create_user_id(&emulator, &org, "svc@customassign.example.com").await;
    let user_roles = format!("{}/api/v1/users/{user_id}/roles", org.url);
    let body = json!({ "type": "CUSTOM", "role": role_id, "resource-set": set_id });
    let assigned = emulator.post(&user_roles, &org.token, body.clone()).await;
    assert_eq!(assigned.status, 201, "{:?}", assigned.body);
    assert_eq!(assigned.body["type"], "CUSTOM");
    assert_eq!(assigned.body["assignmentType"], "USER");
    assert_eq!(assigned.body["role"], role_id);
    assert_eq!(assigned.body["resource-set"], set_id);
    let assignment = assigned.body["id"].as_str().unwrap().to_string();
    assert_error(
        &emulator.post(&user_roles, &org.token, body.clone()).await,
        409,
        "E0000090",
    );
    let incomplete = emulator
        .post(
            &user_roles,
            &org.token,
            json!({ "type": "CUSTOM", "role": role_id }),
        )
        .await;
    assert_error(&incomplete, 400, "E0000001");
    let unknown = emulator
        .post(
            &user_roles,
            &org.token,
            json!({ "type": "CUSTOM", "role": "cr0nothere", "resource-set": set_id }),
        )
        .await;
    assert_error(&unknown, 404, "E0000007");

    // The assignment is a member of the binding, by the same id.
    let member = emulator
        .get(
            &format!(
                "{}/api/v1/iam/resource-sets/{set_id}/bindings/{role_id}/members/{assignment}",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(member.status, 200, "{:?}", member.body);
    assert_eq!(
        emulator
            .get(&format!("{user_roles}/{assignment}"), &org.token)
            .await
            .body["type"],
        "CUSTOM"
    );

    // Groups take custom roles the same way; their members hold them.
    let group_id = create_group_id(&emulator, &org, "Custom holders").await;
    let group_roles = format!("{}/api/v1/groups/{group_id}/roles", org.url);
    let granted = emulator.post(&group_roles, &org.token, body.clone()).await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    assert_eq!(granted.body["assignmentType"], "GROUP");
    let group_assignment = granted.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        emulator.get(&group_roles, &org.token).await.body[0]["type"],
        "CUSTOM"
    );
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{user_id}", org.url),
            &org.token,
            None,
        )
        .await;
    let listed = emulator.get(&user_roles, &org.token).await;
    let kinds: Vec<(&str, &str)> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap(),
                r["assignmentType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, vec![("CUSTOM", "USER"), ("CUSTOM", "GROUP")]);
    // The group's custom role is not the user's to remove.
    assert_error(
        &emulator
            .call(
                Method::DELETE,
                &format!("{user_roles}/{group_assignment}"),
                &org.token,
                None,
            )
            .await,
        404,
        "E0000007",
    );
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{user_roles}/{assignment}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{group_roles}/{group_assignment}"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        emulator
            .get(&user_roles, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn emulator_custom_roles_grant_what_their_permissions_cover() {
    let emulator = Emulator::start();
    let org = emulator.create_org("customprivs").await;
    let (role_id, set_id) = role_and_set(&emulator, &org, &["okta.users.manage"]).await;
    let admin_id = create_user_id(&emulator, &org, "delegate@customprivs.example.com").await;
    emulator
        .post(
            &format!("{}/api/v1/users/{admin_id}/roles", org.url),
            &org.token,
            json!({ "type": "CUSTOM", "role": role_id, "resource-set": set_id }),
        )
        .await;
    let token = emulator
        .control(
            Method::POST,
            &format!("/orgs/customprivs/users/{admin_id}/api-tokens"),
            Some(json!({})),
        )
        .await;
    assert_eq!(token.status, 201, "{:?}", token.body);
    let token = token.body["token"].as_str().unwrap().to_string();

    // Users: yes. Admin roles, security settings: no.
    let created = emulator
        .post(
            &format!("{}/api/v1/users", org.url),
            &token,
            super::support::user_request("made@customprivs.example.com", None),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let other = created.body["id"].as_str().unwrap();
    let refused = emulator
        .post(
            &format!("{}/api/v1/users/{other}/roles", org.url),
            &token,
            json!({ "type": "SUPER_ADMIN" }),
        )
        .await;
    assert_error(&refused, 403, "E0000006");
    assert_error(
        &emulator
            .get(&format!("{}/api/v1/api-tokens", org.url), &token)
            .await,
        403,
        "E0000006",
    );
    // Groups are not covered by `okta.users.manage`.
    let group = emulator
        .post(
            &format!("{}/api/v1/groups", org.url),
            &token,
            json!({ "profile": { "name": "Nope" } }),
        )
        .await;
    assert_error(&group, 403, "E0000006");
}

#[tokio::test]
async fn emulator_custom_role_and_binding_events() {
    let emulator = Emulator::start();
    let org = emulator.create_org("iamevents").await;
    let (role_id, set_id) = role_and_set(&emulator, &org, &["okta.users.read"]).await;
    let user_id = create_user_id(&emulator, &org, "svc@iamevents.example.com").await;
    assert_eq!(events(&emulator, &org, "iam.role.create").await.len(), 1);
    assert_eq!(
        events(&emulator, &org, "iam.resourceset.create")
            .await
            .len(),
        1
    );

    let assigned = emulator
        .post(
            &format!("{}/api/v1/users/{user_id}/roles", org.url),
            &org.token,
            json!({ "type": "CUSTOM", "role": role_id, "resource-set": set_id }),
        )
        .await;
    let added = events(&emulator, &org, "iam.resourceset.bindings.add").await;
    assert_eq!(added.len(), 1);
    let targets: Vec<(&str, &str)> = added[0]["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["type"].as_str().unwrap(), t["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        targets,
        vec![
            ("RESOURCE_SET", set_id.as_str()),
            ("CUSTOM_ROLE", role_id.as_str()),
            ("User", user_id.as_str())
        ]
    );
    let grants = events(&emulator, &org, "user.account.privilege.grant").await;
    let grant = grants
        .iter()
        .find(|e| e["target"][0]["id"] == user_id)
        .expect("a privilege grant for the user");
    assert_eq!(grant["target"][1]["type"], "ROLE_ASSIGNED");
    assert_eq!(
        grant["debugContext"]["debugData"]["privilegeGranted"],
        "Operators"
    );

    emulator
        .call(
            Method::DELETE,
            &format!(
                "{}/api/v1/users/{user_id}/roles/{}",
                org.url,
                assigned.body["id"].as_str().unwrap()
            ),
            &org.token,
            None,
        )
        .await;
    let deleted = events(&emulator, &org, "iam.resourceset.bindings.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["target"][2]["id"], user_id);
    let revokes = events(&emulator, &org, "user.account.privilege.revoke").await;
    assert!(revokes.iter().any(|e| e["target"][0]["id"] == user_id));
}

#[tokio::test]
async fn emulator_custom_roles_and_bindings_survive_a_restart_with_data() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("keptiam").await;
    let (role_id, set_id) = role_and_set(&emulator, &org, &["okta.users.read"]).await;
    let user_id = create_user_id(&emulator, &org, "svc@keptiam.example.com").await;
    let assigned = emulator
        .post(
            &format!("{}/api/v1/users/{user_id}/roles", org.url),
            &org.token,
            json!({ "type": "CUSTOM", "role": role_id, "resource-set": set_id }),
        )
        .await;
    assert_eq!(assigned.status, 201);
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let listed = restarted
        .get(
            &format!("{}/keptiam/api/v1/users/{user_id}/roles", restarted.url),
            &org.token,
        )
        .await;
    assert_eq!(listed.body[0]["id"], assigned.body["id"]);
    assert_eq!(listed.body[0]["role"], role_id);
    assert_eq!(listed.body[0]["resource-set"], set_id);
}
