//! `/api/v1/authorizationServers/{id}/policies` and their rules.

use serde_json::{Value, json};

use super::{links, priority, server_url, status, text};
use crate::error::ApiError;
use crate::handlers::{Reply, Request};
use crate::store::{AsPolicy, AsRule, NewAsPolicy, NewAsRule, Org};
use crate::util::format_millis;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let server = org.find_auth_server(request.param(0))?;
    let policies = server
        .policies
        .iter()
        .map(|policy| policy_json(&org_url, &server.id, policy))
        .collect();
    Ok(Reply::ok(Value::Array(policies)))
}

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let policy = parse_policy(request)?;
    let server_id = request.param(0);
    let policy = org.create_as_policy(request.audit, server_id, policy)?;
    Ok(Reply::created(policy_json(
        &request.org_url(),
        server_id,
        policy,
    )))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server_id = request.param(0);
    let policy = org.find_as_policy(server_id, request.param(1))?;
    Ok(Reply::ok(policy_json(
        &request.org_url(),
        server_id,
        policy,
    )))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let policy = parse_policy(request)?;
    let server_id = request.param(0);
    let policy = org.replace_as_policy(request.audit, server_id, request.param(1), policy)?;
    Ok(Reply::ok(policy_json(
        &request.org_url(),
        server_id,
        policy,
    )))
}

pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_as_policy(request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_as_policy_status(request.audit, request.param(0), request.param(1), true)?;
    Ok(Reply::no_content())
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_as_policy_status(request.audit, request.param(0), request.param(1), false)?;
    Ok(Reply::no_content())
}

pub fn list_rules(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let (server_id, policy_id) = (request.param(0), request.param(1));
    let policy = org.find_as_policy(server_id, policy_id)?;
    let rules = policy
        .rules
        .iter()
        .map(|rule| rule_json(&org_url, server_id, policy_id, rule))
        .collect();
    Ok(Reply::ok(Value::Array(rules)))
}

pub fn create_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = parse_rule(request)?;
    let (server_id, policy_id) = (request.param(0), request.param(1));
    let rule = org.create_as_rule(request.audit, server_id, policy_id, rule)?;
    Ok(Reply::created(rule_json(
        &request.org_url(),
        server_id,
        policy_id,
        rule,
    )))
}

pub fn get_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let (server_id, policy_id) = (request.param(0), request.param(1));
    let rule = org.find_as_rule(server_id, policy_id, request.param(2))?;
    Ok(Reply::ok(rule_json(
        &request.org_url(),
        server_id,
        policy_id,
        rule,
    )))
}

pub fn replace_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = parse_rule(request)?;
    let (server_id, policy_id) = (request.param(0), request.param(1));
    let rule = org.replace_as_rule(request.audit, server_id, policy_id, request.param(2), rule)?;
    Ok(Reply::ok(rule_json(
        &request.org_url(),
        server_id,
        policy_id,
        rule,
    )))
}

pub fn delete_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_as_rule(request.param(0), request.param(1), request.param(2))?;
    Ok(Reply::no_content())
}

pub fn activate_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    set_rule_status(org, request, true)
}

pub fn deactivate_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    set_rule_status(org, request, false)
}

fn set_rule_status(org: &mut Org, request: &Request, active: bool) -> Result<Reply, ApiError> {
    org.set_as_rule_status(
        request.audit,
        request.param(0),
        request.param(1),
        request.param(2),
        active,
    )?;
    Ok(Reply::no_content())
}

fn object_or_null(value: Option<&Value>) -> Value {
    value.cloned().unwrap_or(Value::Null)
}

fn parse_policy(request: &Request) -> Result<NewAsPolicy, ApiError> {
    let body = request.json_object()?;
    Ok(NewAsPolicy {
        kind: text(&body, "type")?,
        name: text(&body, "name")?.unwrap_or_default(),
        description: text(&body, "description")?,
        priority: priority(&body)?,
        active: status(&body)?,
        conditions: object_or_null(body.get("conditions")),
    })
}

fn parse_rule(request: &Request) -> Result<NewAsRule, ApiError> {
    let body = request.json_object()?;
    Ok(NewAsRule {
        kind: text(&body, "type")?,
        name: text(&body, "name")?.unwrap_or_default(),
        priority: priority(&body)?,
        active: status(&body)?,
        conditions: object_or_null(body.get("conditions")),
        actions: object_or_null(body.get("actions")),
    })
}

fn policy_json(org_url: &str, server_id: &str, policy: &AsPolicy) -> Value {
    let self_url = format!("{}/policies/{}", server_url(org_url, server_id), policy.id);
    let mut links = links(&self_url, policy.active, &["GET", "PUT", "DELETE"]);
    links.insert(
        "rules".to_string(),
        json!({ "href": format!("{self_url}/rules"), "hints": { "allow": ["GET"] } }),
    );
    json!({
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "id": policy.id,
        "status": if policy.active { "ACTIVE" } else { "INACTIVE" },
        "name": policy.name,
        "description": policy.description,
        "priority": policy.priority,
        "system": false,
        "conditions": policy.conditions,
        "created": format_millis(policy.created),
        "lastUpdated": format_millis(policy.last_updated),
        "_links": links,
    })
}

fn rule_json(org_url: &str, server_id: &str, policy_id: &str, rule: &AsRule) -> Value {
    let self_url = format!(
        "{}/policies/{policy_id}/rules/{}",
        server_url(org_url, server_id),
        rule.id
    );
    json!({
        "type": "RESOURCE_ACCESS",
        "id": rule.id,
        "status": if rule.active { "ACTIVE" } else { "INACTIVE" },
        "name": rule.name,
        "priority": rule.priority,
        "created": format_millis(rule.created),
        "lastUpdated": format_millis(rule.last_updated),
        "system": false,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "_links": links(&self_url, rule.active, &["GET", "PUT", "DELETE"]),
    })
}
