//! Admin roles assigned to groups and what they give the groups' members: the role listing,
//! the privilege checks and the System Log.

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

async fn create_group(emulator: &Emulator, org: &Org, name: &str) -> String {
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

async fn create_user_id(emulator: &Emulator, org: &Org, login: &str) -> String {
    let created = emulator.create_user(org, login, "").await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

fn types_and_assignment(listing: &Value) -> Vec<(String, String)> {
    listing
        .as_array()
        .unwrap()
        .iter()
        .map(|role| {
            (
                role["type"].as_str().unwrap().to_string(),
                role["assignmentType"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn emulator_group_roles_assign_list_get_and_unassign() {
    let emulator = Emulator::start();
    let org = emulator.create_org("grouproles").await;
    let group_id = create_group(&emulator, &org, "Helpdesk").await;
    let roles = format!("{}/api/v1/groups/{group_id}/roles", org.url);

    let org_admin = emulator
        .post(
            &format!("{roles}?disableNotifications=true"),
            &org.token,
            json!({ "type": "ORG_ADMIN" }),
        )
        .await;
    assert_eq!(org_admin.status, 200, "{:?}", org_admin.body);
    let org_admin_id = org_admin.body["id"].as_str().unwrap().to_string();
    assert!(
        org_admin_id.starts_with("gra") && org_admin_id.len() == 20,
        "{org_admin_id}"
    );
    assert_eq!(org_admin.body["type"], "ORG_ADMIN");
    assert_eq!(org_admin.body["label"], "Organizational Administrator");
    assert_eq!(org_admin.body["status"], "ACTIVE");
    assert_eq!(org_admin.body["assignmentType"], "GROUP");
    assert_eq!(
        org_admin.body["_links"]["assignee"]["href"],
        format!("{}/api/v1/groups/{group_id}", org.url)
    );
    // Roles that take targets are named by their type, for groups as for users.
    let app_admin = emulator
        .post(&roles, &org.token, json!({ "type": "APP_ADMIN" }))
        .await;
    assert_eq!(app_admin.body["id"], "IFIFAX2BIRGUSTQ");

    let duplicate = emulator
        .post(&roles, &org.token, json!({ "type": "ORG_ADMIN" }))
        .await;
    assert_error(&duplicate, 409, "E0000090");
    let unknown = emulator
        .post(&roles, &org.token, json!({ "type": "KING" }))
        .await;
    assert_error(&unknown, 400, "E0000001");
    let blank = emulator.post(&roles, &org.token, json!({})).await;
    assert_error(&blank, 400, "E0000001");
    let bad_flag = emulator
        .post(
            &format!("{roles}?disableNotifications=maybe"),
            &org.token,
            json!({ "type": "REPORT_ADMIN" }),
        )
        .await;
    assert_error(&bad_flag, 400, "E0000001");

    // Okta refuses roles for its built-in groups.
    let groups = emulator
        .get(&format!("{}/api/v1/groups?q=Everyone", org.url), &org.token)
        .await;
    let everyone = groups.body[0]["id"].as_str().unwrap();
    let refused = emulator
        .post(
            &format!("{}/api/v1/groups/{everyone}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    assert_error(&refused, 400, "E0000211");
    assert_eq!(
        refused.body["errorSummary"],
        "Roles cannot be granted to built-in groups: Everyone"
    );
    let missing = emulator
        .get(
            &format!("{}/api/v1/groups/00gnothere000000000/roles", org.url),
            &org.token,
        )
        .await;
    assert_error(&missing, 404, "E0000007");

    let listed = emulator.get(&roles, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![
            ("ORG_ADMIN".to_string(), "GROUP".to_string()),
            ("APP_ADMIN".to_string(), "GROUP".to_string()),
        ]
    );
    let one = emulator
        .get(&format!("{roles}/{org_admin_id}"), &org.token)
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["id"], org_admin_id);

    let removed = emulator
        .call(
            Method::DELETE,
            &format!("{roles}/{org_admin_id}"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let again = emulator
        .call(
            Method::DELETE,
            &format!("{roles}/{org_admin_id}"),
            &org.token,
            None,
        )
        .await;
    assert_error(&again, 404, "E0000007");
    let listed = emulator.get(&roles, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![("APP_ADMIN".to_string(), "GROUP".to_string())]
    );
}

#[tokio::test]
async fn emulator_members_hold_their_groups_roles_in_the_user_listing() {
    let emulator = Emulator::start();
    let org = emulator.create_org("heldroles").await;
    let group_id = create_group(&emulator, &org, "Admins").await;
    let user_id = create_user_id(&emulator, &org, "radius@heldroles.example.com").await;
    let user_roles = format!("{}/api/v1/users/{user_id}/roles", org.url);
    emulator
        .post(
            &user_roles,
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    let granted = emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "SUPER_ADMIN" }),
        )
        .await;
    let group_assignment = granted.body["id"].as_str().unwrap().to_string();

    // Not a member yet: only its own role.
    let listed = emulator.get(&user_roles, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![("READ_ONLY_ADMIN".to_string(), "USER".to_string())]
    );

    let membership = format!("{}/api/v1/groups/{group_id}/users/{user_id}", org.url);
    assert_eq!(
        emulator
            .call(Method::PUT, &membership, &org.token, None)
            .await
            .status,
        204
    );
    let listed = emulator.get(&user_roles, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![
            ("READ_ONLY_ADMIN".to_string(), "USER".to_string()),
            ("SUPER_ADMIN".to_string(), "GROUP".to_string()),
        ]
    );
    let held = &listed.body[1];
    assert_eq!(held["id"], group_assignment);
    assert_eq!(
        held["_links"]["assignee"]["href"],
        format!("{}/api/v1/groups/{group_id}", org.url)
    );
    assert_eq!(
        listed.body[0]["_links"]["assignee"]["href"],
        format!("{}/api/v1/users/{user_id}", org.url)
    );
    // The listing takes no `assignmentType` filter in Okta's reference: still whole.
    let filtered = emulator
        .get(&format!("{user_roles}?assignmentType=USER"), &org.token)
        .await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 2);

    // The group's role reads through the user, but is not the user's to remove.
    let read = emulator
        .get(&format!("{user_roles}/{group_assignment}"), &org.token)
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["assignmentType"], "GROUP");
    let not_its_own = emulator
        .call(
            Method::DELETE,
            &format!("{user_roles}/{group_assignment}"),
            &org.token,
            None,
        )
        .await;
    assert_error(&not_its_own, 404, "E0000007");
    assert_eq!(
        emulator.get(&user_roles, &org.token).await.body[1]["type"],
        "SUPER_ADMIN"
    );

    // Leaving the group takes the role away.
    assert_eq!(
        emulator
            .call(Method::DELETE, &membership, &org.token, None)
            .await
            .status,
        204
    );
    let listed = emulator.get(&user_roles, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![("READ_ONLY_ADMIN".to_string(), "USER".to_string())]
    );

    // So does the group's deletion.
    emulator
        .call(Method::PUT, &membership, &org.token, None)
        .await;
    assert_eq!(
        emulator
            .get(&user_roles, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let deleted = emulator
        .call(
            Method::DELETE,
            &format!("{}/api/v1/groups/{group_id}", org.url),
            &org.token,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        emulator
            .get(&user_roles, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn emulator_a_member_of_a_super_admin_group_acts_as_super_admin() {
    let emulator = Emulator::start();
    let org = emulator.create_org("groupadmin").await;
    let group_id = create_group(&emulator, &org, "Super admins").await;
    let admin_id = create_user_id(&emulator, &org, "delegate@groupadmin.example.com").await;
    let other_id = create_user_id(&emulator, &org, "other@groupadmin.example.com").await;

    // Without any role, no API token can be made for the user.
    let token_path = format!("/orgs/groupadmin/users/{admin_id}/api-tokens");
    let refused = emulator
        .control(Method::POST, &token_path, Some(json!({})))
        .await;
    assert_eq!(refused.status, 400, "{:?}", refused.body);

    let grant = emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "SUPER_ADMIN" }),
        )
        .await;
    let grant_id = grant.body["id"].as_str().unwrap().to_string();
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{admin_id}", org.url),
            &org.token,
            None,
        )
        .await;
    let created = emulator
        .control(Method::POST, &token_path, Some(json!({})))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();

    // Granting roles needs a super admin: the group's role is enough.
    let other_roles = format!("{}/api/v1/users/{other_id}/roles", org.url);
    let granted = emulator
        .post(&other_roles, &token, json!({ "type": "REPORT_ADMIN" }))
        .await;
    assert_eq!(granted.status, 201, "{:?}", granted.body);

    // The group's role downgraded to read only: reads pass, grants do not.
    emulator
        .call(
            Method::DELETE,
            &format!("{}/api/v1/groups/{group_id}/roles/{grant_id}", org.url),
            &org.token,
            None,
        )
        .await;
    emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    let forbidden = emulator
        .post(&other_roles, &token, json!({ "type": "HELP_DESK_ADMIN" }))
        .await;
    assert_error(&forbidden, 403, "E0000006");
    assert_eq!(
        emulator
            .get(&format!("{}/api/v1/users", org.url), &token)
            .await
            .status,
        200
    );

    // Out of the group, the user holds no role and may read nothing.
    emulator
        .call(
            Method::DELETE,
            &format!("{}/api/v1/groups/{group_id}/users/{admin_id}", org.url),
            &org.token,
            None,
        )
        .await;
    let no_role = emulator
        .get(&format!("{}/api/v1/users", org.url), &token)
        .await;
    assert_error(&no_role, 403, "E0000006");
}

#[tokio::test]
async fn emulator_group_privilege_and_membership_events() {
    let emulator = Emulator::start();
    let org = emulator.create_org("groupevents").await;
    let group_id = create_group(&emulator, &org, "Auditors").await;
    let user_id = create_user_id(&emulator, &org, "svc@groupevents.example.com").await;
    let roles = format!("{}/api/v1/groups/{group_id}/roles", org.url);
    let first = emulator
        .post(&roles, &org.token, json!({ "type": "REPORT_ADMIN" }))
        .await;
    let second = emulator
        .post(&roles, &org.token, json!({ "type": "READ_ONLY_ADMIN" }))
        .await;

    let grants = events(&emulator, &org, "group.privilege.grant").await;
    assert_eq!(grants.len(), 2);
    let target_types: Vec<&str> = grants[1]["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|target| target["type"].as_str().unwrap())
        .collect();
    assert_eq!(target_types, vec!["UserGroup", "ROLE_ASSIGNED", "ROLE"]);
    assert_eq!(grants[1]["target"][0]["id"], group_id);
    assert_eq!(grants[1]["target"][2]["id"], second.body["id"]);
    assert_eq!(
        grants[1]["debugContext"]["debugData"]["privilegeGranted"],
        "Report Administrator, Read Only Administrator"
    );

    // Removing one role of two changes the group's privileges; removing the last revokes them.
    emulator
        .call(
            Method::DELETE,
            &format!("{roles}/{}", first.body["id"].as_str().unwrap()),
            &org.token,
            None,
        )
        .await;
    let grants = events(&emulator, &org, "group.privilege.grant").await;
    assert_eq!(grants.len(), 3);
    assert_eq!(grants[2]["target"][1]["type"], "ROLE_UNASSIGNED");
    assert!(
        events(&emulator, &org, "group.privilege.revoke")
            .await
            .is_empty()
    );
    emulator
        .call(
            Method::DELETE,
            &format!("{roles}/{}", second.body["id"].as_str().unwrap()),
            &org.token,
            None,
        )
        .await;
    let revokes = events(&emulator, &org, "group.privilege.revoke").await;
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0]["target"][0]["id"], group_id);
    assert_eq!(
        revokes[0]["target"][1]["type"],
        "ROLE_UNASSIGNED_ALL_PRIVILEGES_REVOKED"
    );
    assert_eq!(
        revokes[0]["debugContext"]["debugData"]["privilegeRevoked"],
        "Read Only Administrator"
    );

    // Memberships: the user and the group are the targets.
    let membership = format!("{}/api/v1/groups/{group_id}/users/{user_id}", org.url);
    emulator
        .call(Method::PUT, &membership, &org.token, None)
        .await;
    emulator
        .call(Method::DELETE, &membership, &org.token, None)
        .await;
    for event_type in ["group.user_membership.add", "group.user_membership.remove"] {
        let found = events(&emulator, &org, event_type).await;
        assert_eq!(found.len(), 1, "{event_type}");
        let targets: Vec<(&str, &str)> = found[0]["target"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["type"].as_str().unwrap(), t["id"].as_str().unwrap()))
            .collect();
        assert_eq!(
            targets,
            vec![("User", user_id.as_str()), ("UserGroup", group_id.as_str())],
            "{event_type}"
        );
    }
}

#[tokio::test]
async fn emulator_user_privilege_events_count_roles_held_through_groups() {
    let emulator = Emulator::start();
    let org = emulator.create_org("heldevents").await;
    let group_id = create_group(&emulator, &org, "Readers").await;
    let user_id = create_user_id(&emulator, &org, "svc@heldevents.example.com").await;
    emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{user_id}", org.url),
            &org.token,
            None,
        )
        .await;
    let user_roles = format!("{}/api/v1/users/{user_id}/roles", org.url);
    let own = emulator
        .post(&user_roles, &org.token, json!({ "type": "REPORT_ADMIN" }))
        .await;
    let grants = events(&emulator, &org, "user.account.privilege.grant").await;
    let last = grants.last().unwrap();
    assert_eq!(
        last["debugContext"]["debugData"]["privilegeGranted"],
        "Report Administrator, Read Only Administrator"
    );

    // The user's last own role goes, the group's stays: its privileges changed, not revoked.
    emulator
        .call(
            Method::DELETE,
            &format!("{user_roles}/{}", own.body["id"].as_str().unwrap()),
            &org.token,
            None,
        )
        .await;
    assert!(
        events(&emulator, &org, "user.account.privilege.revoke")
            .await
            .iter()
            .all(|event| event["target"][0]["id"] != user_id)
    );
    let grants = events(&emulator, &org, "user.account.privilege.grant").await;
    let last = grants.last().unwrap();
    assert_eq!(last["target"][0]["id"], user_id);
    assert_eq!(last["target"][1]["type"], "ROLE_UNASSIGNED");
    assert_eq!(
        last["debugContext"]["debugData"]["privilegeGranted"],
        "Read Only Administrator"
    );
}

#[tokio::test]
async fn emulator_group_roles_and_memberships_survive_a_restart_with_data() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("keptroles").await;
    let group_id = create_group(&emulator, &org, "Kept admins").await;
    let user_id = create_user_id(&emulator, &org, "kept@keptroles.example.com").await;
    emulator
        .post(
            &format!("{}/api/v1/groups/{group_id}/roles", org.url),
            &org.token,
            json!({ "type": "ORG_ADMIN" }),
        )
        .await;
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/groups/{group_id}/users/{user_id}", org.url),
            &org.token,
            None,
        )
        .await;
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let url = format!("{}/keptroles/api/v1/users/{user_id}/roles", restarted.url);
    let listed = restarted.get(&url, &org.token).await;
    assert_eq!(
        types_and_assignment(&listed.body),
        vec![("ORG_ADMIN".to_string(), "GROUP".to_string())]
    );
}

#[tokio::test]
async fn emulator_okta_operations_it_lacks_answer_501_in_the_role_families() {
    let emulator = Emulator::start();
    let org = emulator.create_org("lacking").await;
    let group_id = create_group(&emulator, &org, "Targets").await;
    for (method, path) in [
        (
            Method::GET,
            format!("/api/v1/groups/{group_id}/roles/gra1/targets/catalog/apps"),
        ),
        (
            Method::POST,
            "/api/v1/iam/resource-sets/iam1/resources".to_string(),
        ),
        (
            Method::PUT,
            "/api/v1/iam/resource-sets/iam1/resources/ire1".to_string(),
        ),
        (Method::GET, "/api/v1/iam/assignees/users".to_string()),
    ] {
        let body = (method != Method::GET).then(|| json!({}));
        let answer = emulator
            .call(
                method.clone(),
                &format!("{}{path}", org.url),
                &org.token,
                body,
            )
            .await;
        assert_error(&answer, 501, "E0000060");
    }
}
