//! `/oauth2/v1/clients/{clientId}/roles`: admin roles assigned to a service app.

use serde_json::{Value, json};

use super::{Reply, Request, href};
use crate::error::ApiError;
use crate::store::{Org, RoleAssignment, role_label};
use crate::util::format_millis;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let client_id = request.param(0);
    let roles: Vec<Value> = org
        .client_roles(client_id)?
        .iter()
        .map(|role| role_json(&org_url, client_id, role))
        .collect();
    Ok(Reply::ok(Value::Array(roles)))
}

/// `POST {type}`: answers **200** with the assignment (the reference's `assignRoleToClient`).
pub fn assign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let role_type = body.get("type").and_then(Value::as_str).unwrap_or("");
    if role_type.is_empty() {
        return Err(ApiError::invalid("type: The field cannot be left blank"));
    }
    let role = org.assign_client_role(request.audit, request.param(0), role_type)?;
    Ok(Reply::ok(role_json(
        &request.org_url(),
        request.param(0),
        role,
    )))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let role = org.client_role(request.param(0), request.param(1))?;
    Ok(Reply::ok(role_json(
        &request.org_url(),
        request.param(0),
        role,
    )))
}

pub fn unassign(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.unassign_client_role(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// An assignment as the reference's `StandardRoleResponseClient` shows it: `assignmentType:
/// CLIENT`, the assignee link to the client's roles.
fn role_json(org_url: &str, client_id: &str, role: &RoleAssignment) -> Value {
    json!({
        "id": role.id,
        "label": role_label(&role.role_type),
        "type": role.role_type,
        "status": "ACTIVE",
        "created": format_millis(role.created),
        "lastUpdated": format_millis(role.last_updated),
        "assignmentType": "CLIENT",
        "_links": { "assignee": href(format!("{org_url}/oauth2/v1/clients/{client_id}/roles")) },
    })
}
