//! `/api/v1/apps/{appId}/users` and `/groups`: an app's assignments, and
//! `/api/v1/groups/{groupId}/apps`, the apps of a group.

use serde_json::{Value, json};

use super::super::users::find_user_or_me;
use super::super::{Reply, Request, href};
use super::app_json;
use crate::error::ApiError;
use crate::store::{AppGroup, AppUser, AppUserChange, Org};
use crate::util::format_millis;

pub fn list_users(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let app = org.app(request.param(0))?;
    let users: Vec<Value> = app
        .assigned_users(org)
        .map(|assigned| app_user_json(&org_url, &app.id, assigned))
        .collect();
    Ok(Reply::ok(Value::Array(users)))
}

/// `POST {id, credentials: {userName}, profile}`: answers **200** with the app user, as
/// recorded (cassettes `test_assign_user_app`, `test_get_list_assign_users_app`).
pub fn assign_user(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let user_id = body.get("id").and_then(Value::as_str).unwrap_or("");
    if user_id.is_empty() {
        return Err(ApiError::invalid("id: The field cannot be left blank"));
    }
    let user_id = user_id.to_string();
    let change = change_of(&Value::Object(body));
    let assigned = org.assign_user_to_app(request.audit, request.param(0), &user_id, change)?;
    Ok(Reply::ok(app_user_json(
        &request.org_url(),
        request.param(0),
        assigned,
    )))
}

pub fn get_user(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let assigned = org.app_user(request.param(0), request.param(1))?;
    Ok(Reply::ok(app_user_json(
        &request.org_url(),
        request.param(0),
        assigned,
    )))
}

/// `POST …/users/{userId}`: a new user name or profile (cassette `test_app_update_assigned_user`).
pub fn update_user(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json::<Value>()?;
    let change = change_of(&body);
    let assigned =
        org.update_app_user(request.audit, request.param(0), request.param(1), change)?;
    Ok(Reply::ok(app_user_json(
        &request.org_url(),
        request.param(0),
        assigned,
    )))
}

pub fn unassign_user(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.unassign_user_from_app(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn list_groups(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let app = org.app(request.param(0))?;
    let groups: Vec<Value> = app
        .assigned_groups(org)
        .map(|(priority, assigned)| app_group_json(&org_url, &app.id, priority, assigned))
        .collect();
    Ok(Reply::ok(Value::Array(groups)))
}

/// `PUT …/groups/{groupId}` `{priority, profile}` (both optional): answers 200 with the
/// assignment (cassettes `test_assign_group_app`, `test_list_assign_group_app`).
pub fn assign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = if request.body.is_empty() {
        json!({})
    } else {
        request.json::<Value>()?
    };
    let priority = match body.get("priority") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .map(|priority| priority as usize)
                .ok_or_else(|| ApiError::invalid("priority: a whole number from 0"))?,
        ),
    };
    let profile = body
        .get("profile")
        .filter(|profile| !profile.is_null())
        .cloned();
    let (priority, assigned) = org.assign_group_to_app(
        request.audit,
        request.param(0),
        request.param(1),
        priority,
        profile,
    )?;
    Ok(Reply::ok(app_group_json(
        &request.org_url(),
        request.param(0),
        priority,
        assigned,
    )))
}

pub fn get_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (priority, assigned) = org.app_group(request.param(0), request.param(1))?;
    Ok(Reply::ok(app_group_json(
        &request.org_url(),
        request.param(0),
        priority,
        assigned,
    )))
}

pub fn unassign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.unassign_group_from_app(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// `GET /api/v1/groups/{groupId}/apps`: the apps as `/api/v1/apps` shows them (cassette
/// `test_group_assigned_applications`).
pub fn apps_of_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let apps: Vec<Value> = org
        .apps_of_group(request.param(0))?
        .into_iter()
        .map(|app| app_json(&org_url, app, false))
        .collect();
    Ok(Reply::ok(Value::Array(apps)))
}

/// `GET /api/v1/users/{userId}/appLinks`: a link per active app the user is assigned to (the
/// reference's `AssignedAppLink`; the only recorded answer, cassette `test_list_app_links`, is
/// the empty list of a user without apps).
pub fn app_links(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let user = find_user_or_me(org, request)?;
    let links: Vec<Value> = org
        .apps_of_user(&user.id)
        .into_iter()
        .enumerate()
        .map(|(order, app)| {
            let link_id = format!("aln{}", app.id.get(3..).unwrap_or(&app.id));
            json!({
                "id": link_id,
                "label": app.label,
                "linkUrl": format!("{org_url}/home/{}/{}/{link_id}", app.app_name, app.id),
                "logoUrl": null,
                "appName": app.app_name,
                "appInstanceId": app.id,
                "appAssignmentId": format!("0ua{}", app.id.get(3..).unwrap_or(&app.id)),
                "credentialsSetup": false,
                "hidden": false,
                "sortOrder": order,
            })
        })
        .collect();
    Ok(Reply::ok(Value::Array(links)))
}

fn change_of(body: &Value) -> AppUserChange {
    AppUserChange {
        user_name: body
            .get("credentials")
            .and_then(|credentials| credentials.get("userName"))
            .and_then(Value::as_str)
            .map(str::to_string),
        profile: body
            .get("profile")
            .filter(|profile| !profile.is_null())
            .cloned(),
    }
}

/// An app user as recorded: `scope: USER`, `status: ACTIVE`, `syncState: DISABLED`,
/// `credentials.userName` (never a password), the profile, links to the app and the user.
fn app_user_json(org_url: &str, app_id: &str, assigned: &AppUser) -> Value {
    json!({
        "id": assigned.id,
        "externalId": null,
        "created": format_millis(assigned.created),
        "lastUpdated": format_millis(assigned.last_updated),
        "scope": "USER",
        "status": "ACTIVE",
        "statusChanged": format_millis(assigned.created),
        "passwordChanged": null,
        "syncState": "DISABLED",
        "credentials": { "userName": assigned.user_name },
        "profile": assigned.profile,
        "_links": {
            "app": href(format!("{org_url}/api/v1/apps/{app_id}")),
            "user": href(format!("{org_url}/api/v1/users/{}", assigned.id)),
        },
    })
}

fn app_group_json(org_url: &str, app_id: &str, priority: usize, assigned: &AppGroup) -> Value {
    json!({
        "id": assigned.id,
        "lastUpdated": format_millis(assigned.last_updated),
        "priority": priority,
        "profile": assigned.profile,
        "_links": {
            "app": href(format!("{org_url}/api/v1/apps/{app_id}")),
            "self": href(format!("{org_url}/api/v1/apps/{app_id}/groups/{}", assigned.id)),
            "group": href(format!("{org_url}/api/v1/groups/{}", assigned.id)),
        },
    })
}
