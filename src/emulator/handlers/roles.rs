//! `/api/v1/users/{userId}/roles` and `/api/v1/groups/{groupId}/roles`: admin role
//! assignments of a user (its own, and those it holds through its groups) and of a group.

use serde_json::{Value, json};

use super::users::{find_user_or_me, user_id_or_me};
use super::{Reply, Request, href};
use crate::emulator::error::ApiError;
use crate::emulator::store::{HeldRole, Org, RoleAssignment, role_label};
use crate::emulator::util::format_millis;

/// Who holds an assignment, as `assignmentType` and `_links.assignee` say.
enum Assignee<'a> {
    User(&'a str),
    Group(&'a str),
}

/// Every role the user holds: its own (`assignmentType: USER`), then those of its groups
/// (`GROUP`, the assignee being the group). Okta's operation takes no `assignmentType`
/// parameter (that one belongs to the role targets endpoint), so the listing is always whole.
pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let user = find_user_or_me(org, request)?;
    let roles: Vec<Value> = org
        .held_roles(&user.id)
        .iter()
        .map(|held| held_json(&org_url, &user.id, held))
        .collect();
    Ok(Reply::ok(Value::Array(roles)))
}

pub fn assign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let disable_notifications = request.bool_query("disableNotifications", false)?;
    let role_type = role_type_of(request)?;
    let id = user_id_or_me(org, request)?;
    let (user, index) = org.assign_role(request.audit, &id, &role_type, disable_notifications)?;
    Ok(Reply::created(role_json(
        &request.org_url(),
        Assignee::User(&user.id),
        &user.roles[index],
    )))
}

/// One role the user holds, by assignment id: its own first, else one of its groups'.
pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user = find_user_or_me(org, request)?;
    let held = org.held_roles(&user.id);
    let found = held
        .iter()
        .find(|held| held.assignment.id == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "RoleAssignment"))?;
    Ok(Reply::ok(held_json(&request.org_url(), &user.id, found)))
}

/// Removes one of the user's own assignments. A role the user holds through a group is not
/// its assignment: the answer is Okta's not-found error, and the role goes only with the
/// group's assignment or the membership.
pub fn unassign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let id = user_id_or_me(org, request)?;
    org.unassign_role(request.audit, &id, request.param(1))?;
    Ok(Reply::no_content())
}

pub fn list_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let group = org.find_group(request.param(0))?;
    let roles: Vec<Value> = group
        .roles
        .iter()
        .map(|role| role_json(&org_url, Assignee::Group(&group.id), role))
        .collect();
    Ok(Reply::ok(Value::Array(roles)))
}

/// Okta's reference documents `200` with the assignment for this operation (and a bare `201`
/// besides); the emulator answers 200 with the body, as the example shows.
pub fn assign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let disable_notifications = request.bool_query("disableNotifications", false)?;
    let role_type = role_type_of(request)?;
    let (group, index) = org.assign_group_role(
        request.audit,
        request.param(0),
        &role_type,
        disable_notifications,
    )?;
    Ok(Reply::ok(role_json(
        &request.org_url(),
        Assignee::Group(&group.id),
        &group.roles[index],
    )))
}

pub fn get_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let group = org.find_group(request.param(0))?;
    let role = group
        .roles
        .iter()
        .find(|role| role.id == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "RoleAssignment"))?;
    Ok(Reply::ok(role_json(
        &request.org_url(),
        Assignee::Group(&group.id),
        role,
    )))
}

pub fn unassign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.unassign_group_role(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// The `type` of an assignment body; the store checks its value.
fn role_type_of(request: &Request) -> Result<String, ApiError> {
    let body = request.json_object()?;
    match body.get("type") {
        Some(Value::String(role_type)) => Ok(role_type.clone()),
        _ => Err(ApiError::invalid("type: The field cannot be left blank")),
    }
}

fn held_json(org_url: &str, user_id: &str, held: &HeldRole) -> Value {
    let assignee = match held.group {
        Some(group) => Assignee::Group(&group.id),
        None => Assignee::User(user_id),
    };
    role_json(org_url, assignee, held.assignment)
}

fn role_json(org_url: &str, assignee: Assignee, role: &RoleAssignment) -> Value {
    let (assignment_type, assignee_url) = match assignee {
        Assignee::User(id) => ("USER", format!("{org_url}/api/v1/users/{id}")),
        Assignee::Group(id) => ("GROUP", format!("{org_url}/api/v1/groups/{id}")),
    };
    json!({
        "id": role.id,
        "label": role_label(&role.role_type),
        "type": role.role_type,
        "status": "ACTIVE",
        "created": format_millis(role.created),
        "lastUpdated": format_millis(role.last_updated),
        "assignmentType": assignment_type,
        "_links": { "assignee": href(assignee_url) },
    })
}
