//! `/api/v1/groups/rules`: group rules and their lifecycle.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{GroupRule, NewGroupRule, Org, paginate};
use crate::util::format_millis;

fn rule_json(rule: &GroupRule) -> Value {
    json!({
        "type": "group_rule",
        "id": rule.id,
        "status": if rule.active { "ACTIVE" } else { "INACTIVE" },
        "name": rule.name,
        "created": format_millis(rule.created),
        "lastUpdated": format_millis(rule.last_updated),
        "conditions": {
            "people": { "users": { "exclude": [] }, "groups": { "exclude": [] } },
            "expression": { "value": rule.expression, "type": "urn:okta:expression:1.0" },
        },
        "actions": { "assignUserToGroups": { "groupIds": rule.group_ids } },
    })
}

/// A rule body: `name`, `conditions.expression.value`, `actions.assignUserToGroups.groupIds`.
fn parse(request: &Request) -> Result<NewGroupRule, ApiError> {
    let body = request.json_object()?;
    let body = Value::Object(body);
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let group_ids = match body.pointer("/actions/assignUserToGroups/groupIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_str().map(str::to_string).ok_or_else(|| {
                    ApiError::invalid("actions.assignUserToGroups.groupIds: must be group ids")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid(
                "actions.assignUserToGroups.groupIds: must be group ids",
            ));
        }
    };
    Ok(NewGroupRule {
        name: text("/name"),
        expression: text("/conditions/expression/value"),
        group_ids,
    })
}

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let limit = request.limit(50, 200)?;
    let after = request.after("rules")?;
    let page = paginate(org.group_rules.iter(), after, limit);
    let rules: Vec<Value> = page.items.iter().map(|rule| rule_json(rule)).collect();
    Ok(Reply::page(
        Value::Array(rules),
        request.links("rules", page.next_after),
    ))
}

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = org.create_group_rule(request.audit, parse(request)?)?;
    Ok(Reply::ok(rule_json(rule)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::ok(rule_json(org.find_group_rule(request.param(0))?)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = org.replace_group_rule(request.audit, request.param(0), parse(request)?)?;
    Ok(Reply::ok(rule_json(rule)))
}

/// Answers 202, as the reference documents; `removeUsers=true` takes the rule's users out of
/// its groups.
pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let remove_users = request.bool_query("removeUsers", false)?;
    org.delete_group_rule(request.audit, request.param(0), remove_users)?;
    Ok(Reply {
        status: StatusCode::ACCEPTED,
        ..Reply::no_content()
    })
}

pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.activate_group_rule(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.deactivate_group_rule(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}
