//! `/api/v1/groups`: groups and their members.

use serde_json::Value;

use super::json_shapes::{group_json, user_json};
use super::{Reply, Request, check_expression};
use crate::error::ApiError;
use crate::store::{Org, paginate};

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(10000, 10000)?;
    let after = request.after("groups")?;
    let expression = match (request.query("filter"), request.query("search")) {
        (Some(text), _) | (None, Some(text)) => Some(check_expression(text, |attribute, _| {
            [
                "id",
                "type",
                "lastUpdated",
                "lastMembershipUpdated",
                "created",
            ]
            .contains(&attribute)
                || attribute.starts_with("profile.")
        })?),
        (None, None) => None,
    };
    let prefix = request.query("q").map(str::to_lowercase);
    let rows = org.groups.iter().filter(|(_, group)| {
        expression
            .as_ref()
            .is_none_or(|expression| expression.matches(&group.search_document()))
            && prefix
                .as_ref()
                .is_none_or(|prefix| group.name.to_lowercase().starts_with(prefix))
    });
    let page = paginate(rows, after, limit);
    let groups: Vec<Value> = page
        .items
        .iter()
        .map(|group| group_json(&org_url, group))
        .collect();
    Ok(Reply::page(
        Value::Array(groups),
        request.links("groups", page.next_after),
    ))
}

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (name, description) = parse_profile(request)?;
    let group = org.create_group(request.audit, name, description)?;
    Ok(Reply::ok(group_json(&request.org_url(), group)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let group = org.find_group(request.param(0))?;
    Ok(Reply::ok(group_json(&request.org_url(), group)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (name, description) = parse_profile(request)?;
    let group = org.update_group(request.audit, request.param(0), name, description)?;
    Ok(Reply::ok(group_json(&request.org_url(), group)))
}

pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_group(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn list_members(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(1000, 1000)?;
    let after = request.after("members")?;
    let page = org.group_members(request.param(0), after, limit)?;
    let users: Vec<Value> = page
        .items
        .iter()
        .map(|user| user_json(&org_url, user, false))
        .collect();
    Ok(Reply::page(
        Value::Array(users),
        request.links("members", page.next_after),
    ))
}

pub fn add_member(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.add_member(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn remove_member(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.remove_member(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// A group body's `profile.name` and `profile.description`; the store checks the name.
fn parse_profile(request: &Request) -> Result<(String, Option<String>), ApiError> {
    let body = request.json_object()?;
    let profile = body.get("profile").and_then(Value::as_object);
    let name = profile
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let description = profile
        .and_then(|p| p.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((name, description))
}
