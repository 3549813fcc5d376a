//! `/api/v1/iam`: custom roles and their permissions, resource sets and their resources, and
//! role resource set bindings with their members.

use serde_json::{Map, Value, json};

use super::{Reply, Request, href};
use crate::error::ApiError;
use crate::store::{
    Binding, BindingMember, CustomRole, Member, Org, Permission, Resource, ResourceSet, paginate,
};
use crate::util::format_millis;

/// Lists of this family page by position, 100 at a time ("If there are more than 100
/// bindings ... `links.next`"), with the next page's link in the body's `_links`, as Okta's
/// examples show.
const PAGE: usize = 100;

fn text_field(body: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(ApiError::invalid(format!("{name}: must be a string"))),
    }
}

fn string_list(body: &Map<String, Value>, name: &str) -> Result<Vec<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::invalid(format!("{name}: must be a list of strings")))
            })
            .collect(),
        Some(_) => Err(ApiError::invalid(format!(
            "{name}: must be a list of strings"
        ))),
    }
}

/// A page of `items` under `key`, with `_links.next` when more follow.
fn page_body(request: &Request, key: &str, items: Vec<Value>, next: Option<u64>) -> Value {
    let mut links = Map::new();
    if let Some(next) = next {
        let url = format!(
            "{}{}?after={}",
            request.org_url(),
            request.path,
            crate::util::encode_cursor(key, next)
        );
        links.insert("next".to_string(), href(url));
    }
    json!({ key: items, "_links": links })
}

fn role_json(org_url: &str, role: &CustomRole) -> Value {
    let url = format!("{org_url}/api/v1/iam/roles/{}", role.id);
    json!({
        "id": role.id,
        "label": role.label,
        "description": role.description,
        "created": format_millis(role.created),
        "lastUpdated": format_millis(role.last_updated),
        "_links": { "permissions": href(format!("{url}/permissions")), "self": href(url) },
    })
}

fn permission_json(org_url: &str, role: &CustomRole, permission: &Permission) -> Value {
    let url = format!("{org_url}/api/v1/iam/roles/{}", role.id);
    let mut body = json!({
        "label": permission.label,
        "created": format_millis(permission.created),
        "lastUpdated": format_millis(permission.last_updated),
        "_links": { "role": href(url.clone()), "self": href(format!("{url}/permissions/{}", permission.label)) },
    });
    if let Some(conditions) = &permission.conditions {
        body["conditions"] = conditions.clone();
    }
    body
}

pub fn list_roles(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let page = paginate(org.custom_roles.iter(), request.after("roles")?, PAGE);
    let items = page.items.iter().map(|r| role_json(&org_url, r)).collect();
    Ok(Reply::ok(page_body(
        request,
        "roles",
        items,
        page.next_after,
    )))
}

pub fn create_role(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let role = org.create_custom_role(
        request.audit,
        text_field(&body, "label")?,
        text_field(&body, "description")?,
        string_list(&body, "permissions")?,
    )?;
    Ok(Reply::ok(role_json(&request.org_url(), role)))
}

pub fn get_role(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let role = org.find_custom_role(request.param(0))?;
    Ok(Reply::ok(role_json(&request.org_url(), role)))
}

pub fn replace_role(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let role = org.update_custom_role(
        request.audit,
        request.param(0),
        text_field(&body, "label")?,
        text_field(&body, "description")?,
    )?;
    Ok(Reply::ok(role_json(&request.org_url(), role)))
}

pub fn delete_role(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_custom_role(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn list_permissions(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let role = org.find_custom_role(request.param(0))?;
    let items: Vec<Value> = role
        .permissions
        .iter()
        .map(|p| permission_json(&org_url, role, p))
        .collect();
    Ok(Reply::ok(json!({ "permissions": items })))
}

pub fn get_permission(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let role = org.find_custom_role(request.param(0))?;
    let permission = role
        .permissions
        .iter()
        .find(|p| p.label == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "Permission"))?;
    Ok(Reply::ok(permission_json(
        &request.org_url(),
        role,
        permission,
    )))
}

/// The body is optional (`{conditions}`).
fn conditions(request: &Request) -> Result<Option<Value>, ApiError> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body = request.json_object()?;
    Ok(body.get("conditions").filter(|c| !c.is_null()).cloned())
}

/// `POST …/permissions/{permissionType}`: 204, as the reference documents.
pub fn add_permission(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let conditions = conditions(request)?;
    org.put_role_permission(
        request.audit,
        request.param(0),
        request.param(1),
        conditions,
        false,
    )?;
    Ok(Reply::no_content())
}

pub fn replace_permission(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let conditions = conditions(request)?;
    let id = org.put_role_permission(
        request.audit,
        request.param(0),
        request.param(1),
        conditions,
        true,
    )?;
    let role = org.find_custom_role(&id)?;
    let permission = role
        .permissions
        .iter()
        .find(|p| p.label == request.param(1))
        .ok_or(ApiError::Internal)?;
    Ok(Reply::ok(permission_json(
        &request.org_url(),
        role,
        permission,
    )))
}

pub fn delete_permission(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_role_permission(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

fn set_json(org_url: &str, set: &ResourceSet) -> Value {
    let url = format!("{org_url}/api/v1/iam/resource-sets/{}", set.id);
    json!({
        "id": set.id,
        "label": set.label,
        "description": set.description,
        "created": format_millis(set.created),
        "lastUpdated": format_millis(set.last_updated),
        "_links": {
            "self": href(url.clone()),
            "resources": href(format!("{url}/resources")),
            "bindings": href(format!("{url}/bindings")),
        },
    })
}

fn resource_json(org_url: &str, set: &ResourceSet, resource: &Resource) -> Value {
    let mut body = json!({
        "id": resource.id,
        "created": format_millis(resource.created),
        "lastUpdated": format_millis(resource.last_updated),
        "_links": {
            "resource": href(format!("{org_url}/api/v1/iam/resource-sets/{}/resources/{}", set.id, resource.id)),
        },
    });
    if resource.reference.starts_with("orn:") {
        body["orn"] = Value::String(resource.reference.clone());
    } else {
        body["_links"]["self"] = href(resource.reference.clone());
    }
    body
}

pub fn list_sets(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let page = paginate(
        org.resource_sets.iter(),
        request.after("resource-sets")?,
        PAGE,
    );
    let items = page.items.iter().map(|s| set_json(&org_url, s)).collect();
    Ok(Reply::ok(page_body(
        request,
        "resource-sets",
        items,
        page.next_after,
    )))
}

pub fn create_set(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let set = org.create_resource_set(
        request.audit,
        text_field(&body, "label")?,
        text_field(&body, "description")?,
        string_list(&body, "resources")?,
    )?;
    Ok(Reply::ok(set_json(&request.org_url(), set)))
}

pub fn get_set(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let set = org.find_resource_set(request.param(0))?;
    Ok(Reply::ok(set_json(&request.org_url(), set)))
}

pub fn replace_set(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let set = org.update_resource_set(
        request.audit,
        request.param(0),
        text_field(&body, "label")?,
        text_field(&body, "description")?,
    )?;
    Ok(Reply::ok(set_json(&request.org_url(), set)))
}

pub fn delete_set(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_resource_set(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn list_resources(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let set = org.find_resource_set(request.param(0))?;
    let after = request.after("resources")?;
    let rows = set
        .resources
        .iter()
        .enumerate()
        .map(|(index, resource)| (index as u64 + 1, resource));
    let page = paginate(rows, after, PAGE);
    let items = page
        .items
        .iter()
        .map(|r| resource_json(&org_url, set, r))
        .collect();
    Ok(Reply::ok(page_body(
        request,
        "resources",
        items,
        page.next_after,
    )))
}

/// `PATCH …/resources` with `additions`: answers the resource set.
pub fn add_resources(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let set = org.add_resource_set_resources(
        request.audit,
        request.param(0),
        string_list(&body, "additions")?,
    )?;
    Ok(Reply::ok(set_json(&request.org_url(), set)))
}

pub fn get_resource(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let set = org.find_resource_set(request.param(0))?;
    let resource = set
        .resources
        .iter()
        .find(|r| r.id == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "Resource"))?;
    Ok(Reply::ok(resource_json(&request.org_url(), set, resource)))
}

pub fn delete_resource(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_resource_set_resource(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

fn binding_url(org_url: &str, set_id: &str, role_id: &str) -> String {
    format!("{org_url}/api/v1/iam/resource-sets/{set_id}/bindings/{role_id}")
}

/// What a binding change answers: links to the binding, the bindings and the resource set
/// (the reference's `ResourceSetBindingResponseExample`).
fn edit_json(org_url: &str, set_id: &str, role_id: &str) -> Value {
    let set_url = format!("{org_url}/api/v1/iam/resource-sets/{set_id}");
    json!({
        "_links": {
            "self": href(binding_url(org_url, set_id, role_id)),
            "bindings": href(format!("{set_url}/bindings")),
            "resource-set": href(set_url),
        },
    })
}

fn binding_json(org_url: &str, set: &ResourceSet, binding: &Binding) -> Value {
    let url = binding_url(org_url, &set.id, &binding.role_id);
    json!({
        "id": binding.role_id,
        "_links": {
            "self": href(url.clone()),
            "members": href(format!("{url}/members")),
            "resource-set": href(format!("{org_url}/api/v1/iam/resource-sets/{}", set.id)),
        },
    })
}

fn member_json(org_url: &str, member: &BindingMember) -> Value {
    let principal = match &member.member {
        Member::User(id) => format!("{org_url}/api/v1/users/{id}"),
        Member::Group(id) => format!("{org_url}/api/v1/groups/{id}"),
    };
    json!({
        "id": member.id,
        "created": format_millis(member.created),
        "lastUpdated": format_millis(member.last_updated),
        "_links": { "self": href(principal) },
    })
}

pub fn list_bindings(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let set = org.find_resource_set(request.param(0))?;
    let set_url = format!("{org_url}/api/v1/iam/resource-sets/{}", set.id);
    let rows = set
        .bindings
        .iter()
        .enumerate()
        .map(|(index, binding)| (index as u64 + 1, binding));
    let page = paginate(rows, request.after("bindings")?, PAGE);
    let roles: Vec<Value> = page
        .items
        .iter()
        .map(|binding| {
            let url = binding_url(&org_url, &set.id, &binding.role_id);
            json!({
                "id": binding.role_id,
                "_links": {
                    "self": href(format!("{org_url}/api/v1/iam/roles/{}", binding.role_id)),
                    "members": href(format!("{url}/members")),
                },
            })
        })
        .collect();
    let mut body = page_body(request, "roles", roles, page.next_after);
    body["_links"]["self"] = href(format!("{set_url}/bindings"));
    body["_links"]["resource-set"] = href(set_url);
    Ok(Reply::ok(body))
}

/// `POST …/bindings` with `{role, members}`: answers 200 with the binding's links.
pub fn create_binding(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let role = text_field(&body, "role")?;
    if role.is_empty() {
        return Err(ApiError::invalid("role: The field cannot be left blank"));
    }
    let members = string_list(&body, "members")?;
    let (set_id, role_id) =
        org.add_binding_members(request.audit, request.param(0), &role, &members, false)?;
    Ok(Reply::ok(edit_json(&request.org_url(), &set_id, &role_id)))
}

pub fn get_binding(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (set, binding) = org.find_binding(request.param(0), request.param(1))?;
    Ok(Reply::ok(binding_json(&request.org_url(), set, binding)))
}

pub fn delete_binding(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_binding(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn list_members(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let (set, binding) = org.find_binding(request.param(0), request.param(1))?;
    let rows = binding
        .members
        .iter()
        .enumerate()
        .map(|(index, member)| (index as u64 + 1, member));
    let page = paginate(rows, request.after("members")?, PAGE);
    let items = page
        .items
        .iter()
        .map(|m| member_json(&org_url, m))
        .collect();
    let mut body = page_body(request, "members", items, page.next_after);
    let url = binding_url(&org_url, &set.id, &binding.role_id);
    body["_links"]["self"] = href(format!("{url}/members"));
    body["_links"]["binding"] = href(url);
    Ok(Reply::ok(body))
}

/// `PATCH …/members` with `additions`.
pub fn add_members(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let additions = string_list(&body, "additions")?;
    let (set_id, role_id) = org.add_binding_members(
        request.audit,
        request.param(0),
        request.param(1),
        &additions,
        true,
    )?;
    Ok(Reply::ok(edit_json(&request.org_url(), &set_id, &role_id)))
}

pub fn get_member(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (_, binding) = org.find_binding(request.param(0), request.param(1))?;
    let member = binding
        .members
        .iter()
        .find(|m| m.id == request.param(2))
        .ok_or_else(|| ApiError::not_found(request.param(2), "BindingMember"))?;
    Ok(Reply::ok(member_json(&request.org_url(), member)))
}

pub fn delete_member(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_binding_member(
        request.audit,
        request.param(0),
        request.param(1),
        request.param(2),
    )?;
    Ok(Reply::no_content())
}
