//! `/api/v1/users/{userId}/roles` and `/api/v1/groups/{groupId}/roles`: admin role
//! assignments of a user (its own, and those it holds through its groups) and of a group.

use serde_json::{Value, json};

use super::users::{find_user_or_me, user_id_or_me};
use super::{Reply, Request, href};
use crate::error::ApiError;
use crate::store::{Grant, HeldRole, Member, Org, RoleAssignment, role_label};
use crate::util::format_millis;

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
    let body = Body::parse(request)?;
    let id = user_id_or_me(org, request)?;
    let role_type = match body {
        Body::Standard(role_type) => role_type,
        Body::Custom { role, resource_set } => {
            let member_id = org.assign_custom_role(
                request.audit,
                Member::User(id.clone()),
                &role,
                &resource_set,
            )?;
            return Ok(Reply::created(held_by_id(org, request, &id, &member_id)?));
        }
    };
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
        .find(|held| held.id() == request.param(1))
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

/// The group's standard roles, then the custom roles bound to it.
pub fn list_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let group = org.find_group(request.param(0))?;
    let roles: Vec<Value> = org
        .group_custom_roles(&group.id)
        .iter()
        .map(|held| grant_json(&org_url, Assignee::Group(&group.id), &held.grant))
        .collect();
    let mut listed: Vec<Value> = group
        .roles
        .iter()
        .map(|role| role_json(&org_url, Assignee::Group(&group.id), role))
        .collect();
    listed.extend(roles);
    Ok(Reply::ok(Value::Array(listed)))
}

/// Okta's reference documents `200` with the assignment for this operation (and a bare `201`
/// besides); the emulator answers 200 with the body, as the example shows.
pub fn assign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let disable_notifications = request.bool_query("disableNotifications", false)?;
    let role_type = match Body::parse(request)? {
        Body::Standard(role_type) => role_type,
        Body::Custom { role, resource_set } => {
            let group_id = org.find_group(request.param(0))?.id.clone();
            let member_id = org.assign_custom_role(
                request.audit,
                Member::Group(group_id.clone()),
                &role,
                &resource_set,
            )?;
            return Ok(Reply::ok(group_custom_json(
                org, request, &group_id, &member_id,
            )?));
        }
    };
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
    if let Some(role) = group.roles.iter().find(|role| role.id == request.param(1)) {
        return Ok(Reply::ok(role_json(
            &request.org_url(),
            Assignee::Group(&group.id),
            role,
        )));
    }
    let group_id = group.id.clone();
    group_custom_json(org, request, &group_id, request.param(1))
        .map(Reply::ok)
        .map_err(|_| ApiError::not_found(request.param(1), "RoleAssignment"))
}

pub fn unassign_group(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let group_id = org.find_group(request.param(0))?.id.clone();
    let member = Member::Group(group_id.clone());
    if !org.remove_binding_member(request.audit, request.param(1), Some(&member))? {
        org.unassign_group_role(request.audit, &group_id, request.param(1))?;
    }
    Ok(Reply::no_content())
}

/// An assignment body: a standard role's `type`, or `{type: "CUSTOM", role, resource-set}`.
enum Body {
    Standard(String),
    Custom { role: String, resource_set: String },
}

impl Body {
    /// The store checks the values; this reads the shape.
    fn parse(request: &Request) -> Result<Body, ApiError> {
        let body = request.json_object()?;
        let role_type = match body.get("type") {
            Some(Value::String(role_type)) => role_type.clone(),
            _ => return Err(ApiError::invalid("type: The field cannot be left blank")),
        };
        if role_type != "CUSTOM" {
            return Ok(Body::Standard(role_type));
        }
        let text = |name: &str| match body.get(name) {
            Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
            _ => Err(format!("{name}: The field cannot be left blank")),
        };
        match (text("role"), text("resource-set")) {
            (Ok(role), Ok(resource_set)) => Ok(Body::Custom { role, resource_set }),
            (role, resource_set) => {
                let causes: Vec<String> = [role.err(), resource_set.err()]
                    .into_iter()
                    .flatten()
                    .collect();
                Err(ApiError::Validation {
                    summary: causes.join(", "),
                    causes,
                })
            }
        }
    }
}

/// The user's role with `id` as its listing shows it.
fn held_by_id(org: &Org, request: &Request, user_id: &str, id: &str) -> Result<Value, ApiError> {
    org.held_roles(user_id)
        .iter()
        .find(|held| held.id() == id)
        .map(|held| held_json(&request.org_url(), user_id, held))
        .ok_or(ApiError::Internal)
}

/// A custom role bound to a group, as the group's role answers show it.
fn group_custom_json(
    org: &Org,
    request: &Request,
    group_id: &str,
    member_id: &str,
) -> Result<Value, ApiError> {
    org.group_custom_roles(group_id)
        .iter()
        .find(|held| held.id() == member_id)
        .map(|held| grant_json(&request.org_url(), Assignee::Group(group_id), &held.grant))
        .ok_or(ApiError::Internal)
}

fn held_json(org_url: &str, user_id: &str, held: &HeldRole) -> Value {
    let assignee = match held.group {
        Some(group) => Assignee::Group(&group.id),
        None => Assignee::User(user_id),
    };
    grant_json(org_url, assignee, &held.grant)
}

fn grant_json(org_url: &str, assignee: Assignee, grant: &Grant) -> Value {
    match grant {
        Grant::Standard(assignment) => role_json(org_url, assignee, assignment),
        Grant::Custom {
            role,
            resource_set,
            member,
        } => {
            let (assignment_type, assignee_url) = assignee_of(org_url, assignee);
            let role_url = format!("{org_url}/api/v1/iam/roles/{}", role.id);
            let set_url = format!("{org_url}/api/v1/iam/resource-sets/{}", resource_set.id);
            json!({
                "id": member.id,
                "role": role.id,
                "label": role.label,
                "type": "CUSTOM",
                "status": "ACTIVE",
                "created": format_millis(member.created),
                "lastUpdated": format_millis(member.last_updated),
                "assignmentType": assignment_type,
                "resource-set": resource_set.id,
                "_links": {
                    "assignee": href(assignee_url),
                    "resource-set": href(set_url.clone()),
                    "role": href(role_url.clone()),
                    "permissions": href(format!("{role_url}/permissions")),
                    "member": href(format!("{set_url}/bindings/{}/members/{}", role.id, member.id)),
                },
            })
        }
    }
}

fn assignee_of(org_url: &str, assignee: Assignee) -> (&'static str, String) {
    match assignee {
        Assignee::User(id) => ("USER", format!("{org_url}/api/v1/users/{id}")),
        Assignee::Group(id) => ("GROUP", format!("{org_url}/api/v1/groups/{id}")),
    }
}

fn role_json(org_url: &str, assignee: Assignee, role: &RoleAssignment) -> Value {
    let (assignment_type, assignee_url) = assignee_of(org_url, assignee);
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
