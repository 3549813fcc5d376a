//! `/api/v1/users/{userId}/roles`: a user's admin role assignments.

use serde_json::{Value, json};

use super::users::{find_user_or_me, user_id_or_me};
use super::{Reply, Request, href};
use crate::emulator::error::ApiError;
use crate::emulator::store::{Org, RoleAssignment, role_label};
use crate::emulator::util::format_millis;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let user = find_user_or_me(org, request)?;
    let roles: Vec<Value> = user
        .roles
        .iter()
        .map(|role| role_json(&org_url, &user.id, role))
        .collect();
    Ok(Reply::ok(Value::Array(roles)))
}

pub fn assign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let disable_notifications = request.bool_query("disableNotifications", false)?;
    let body = request.json_object()?;
    let role_type = match body.get("type") {
        Some(Value::String(role_type)) => role_type.clone(),
        _ => return Err(ApiError::invalid("type: The field cannot be left blank")),
    };
    let id = user_id_or_me(org, request)?;
    let (user, index) = org.assign_role(request.audit, &id, &role_type, disable_notifications)?;
    Ok(Reply::created(role_json(
        &request.org_url(),
        &user.id,
        &user.roles[index],
    )))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user = find_user_or_me(org, request)?;
    let role = user
        .roles
        .iter()
        .find(|role| role.id == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "RoleAssignment"))?;
    Ok(Reply::ok(role_json(&request.org_url(), &user.id, role)))
}

pub fn unassign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    org.unassign_role(request.audit, &id, request.param(1))?;
    Ok(Reply::no_content())
}

fn role_json(org_url: &str, user_id: &str, role: &RoleAssignment) -> Value {
    json!({
        "id": role.id,
        "label": role_label(&role.role_type),
        "type": role.role_type,
        "status": "ACTIVE",
        "created": format_millis(role.created),
        "lastUpdated": format_millis(role.last_updated),
        "assignmentType": "USER",
        "_links": { "assignee": href(format!("{org_url}/api/v1/users/{user_id}")) },
    })
}
