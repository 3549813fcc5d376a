//! `/api/v1/policies`: policies and their rules.

use serde_json::{Map, Value, json};

use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{NewPolicy, Org, Policy, Rule};
use crate::util::format_millis;

/// `GET /api/v1/policies?type=...`, with the rules embedded on `expand=rules`.
pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let policy_type = request
        .query("type")
        .ok_or_else(|| ApiError::MissingParameter {
            name: "type".to_string(),
        })?;
    let expand_rules = request.query("expand") == Some("rules");
    let policies: Vec<Value> = org
        .policies_of_type(policy_type)
        .into_iter()
        .map(|policy| {
            let mut body = policy_json(&org_url, policy);
            if expand_rules {
                let rules: Vec<Value> = org
                    .rules_of(&policy.id)
                    .into_iter()
                    .map(|rule| rule_json(&org_url, rule))
                    .collect();
                body["_embedded"] = json!({ "rules": rules });
            }
            body
        })
        .collect();
    // One page, but a self link, as in every recorded answer (okta-sdk-python).
    Ok(Reply::page(
        Value::Array(policies),
        request.links("policies", None),
    ))
}

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let activate = match request.query("activate") {
        Some(_) => Some(request.bool_query("activate", true)?),
        None => None,
    };
    let active = org.new_policy_active(activate)?;
    let policy = parse_policy(request, "settings", active)?;
    let policy = org.create_policy(request.audit, policy)?;
    Ok(Reply::ok(policy_json(&request.org_url(), policy)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let policy = org.find_policy(request.param(0))?;
    Ok(Reply::ok(policy_json(&request.org_url(), policy)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let policy = parse_policy(request, "settings", true)?;
    let policy = org.replace_policy(request.audit, request.param(0), policy)?;
    Ok(Reply::ok(policy_json(&request.org_url(), policy)))
}

pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_policy(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_policy_status(request.audit, request.param(0), true)?;
    Ok(Reply::no_content())
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_policy_status(request.audit, request.param(0), false)?;
    Ok(Reply::no_content())
}

/// `POST /api/v1/policies/{policyId}/clone`. Okta's answer to the clone carries `created` and
/// `lastUpdated` as `null` (cassette test_clone_policy); reading the clone shows its dates.
pub fn clone(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let policy = org.clone_policy(request.audit, request.param(0))?;
    let mut body = policy_json(&request.org_url(), policy);
    body["created"] = Value::Null;
    body["lastUpdated"] = Value::Null;
    Ok(Reply::ok(body))
}

/// `GET /api/v1/policies/{policyId}/mappings`: the apps mapped to the policy. The emulator has
/// no apps, so none are (recorded `[]` for a new authentication policy).
pub fn list_mappings(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.find_policy(request.param(0))?;
    Ok(Reply::ok(json!([])))
}

/// `POST /api/v1/policies/{policyId}/mappings`: Okta no longer maps resources here (recorded
/// 400 `E0000001` "Policy mappings are no longer supported on this endpoint.", no causes).
pub fn create_mapping(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.find_policy(request.param(0))?;
    Err(ApiError::Validation {
        summary: "Policy mappings are no longer supported on this endpoint.".to_string(),
        causes: Vec::new(),
    })
}

/// `POST /api/v1/policies/simulate`: a list of `{appInstance, policyContext: {user: {id},
/// groups: {ids}}, policyTypes?}`, the reference's required members. A body without them is
/// not well-formed (recorded: 400 `E0000003` for a context without `groups`, cassette
/// test_create_policy_simulation); evaluating a well-formed one is not emulated (501).
pub fn simulate(_org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body: Value = request.json()?;
    let items = body.as_array().ok_or(ApiError::MalformedBody)?;
    for item in items {
        let context = item.get("policyContext");
        let well_formed = item.get("appInstance").is_some_and(Value::is_string)
            && context
                .and_then(|c| c.pointer("/user/id"))
                .is_some_and(Value::is_string)
            && context
                .and_then(|c| c.pointer("/groups/ids"))
                .is_some_and(Value::is_array);
        if !well_formed {
            return Err(ApiError::MalformedBody);
        }
    }
    Err(ApiError::Unsupported {
        what: "policy simulation".to_string(),
    })
}

pub fn list_rules(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    org.find_policy(request.param(0))?;
    let rules: Vec<Value> = org
        .rules_of(request.param(0))
        .into_iter()
        .map(|rule| rule_json(&org_url, rule))
        .collect();
    Ok(Reply::ok(Value::Array(rules)))
}

pub fn create_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let active = request.bool_query("activate", true)?;
    let rule = parse_policy(request, "actions", active)?;
    let rule = org.create_rule(request.audit, request.param(0), rule)?;
    Ok(Reply::ok(rule_json(&request.org_url(), rule)))
}

pub fn get_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = org.find_rule(request.param(0), request.param(1))?;
    Ok(Reply::ok(rule_json(&request.org_url(), rule)))
}

pub fn replace_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let rule = parse_policy(request, "actions", true)?;
    let rule = org.replace_rule(request.audit, request.param(0), request.param(1), rule)?;
    Ok(Reply::ok(rule_json(&request.org_url(), rule)))
}

pub fn delete_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_rule(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn activate_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_rule_status(request.audit, request.param(0), request.param(1), true)?;
    Ok(Reply::no_content())
}

pub fn deactivate_rule(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_rule_status(request.audit, request.param(0), request.param(1), false)?;
    Ok(Reply::no_content())
}

/// A policy body, or a rule body (`body_field` names where the rest lives: a policy's
/// `settings`, a rule's `actions`). `active` is the status when the body sends none.
fn parse_policy(request: &Request, body_field: &str, active: bool) -> Result<NewPolicy, ApiError> {
    let body = request.json_object()?;
    // A rule's type follows from its policy's (the store fills it in); a policy needs its own.
    let kind = match body.get("type").and_then(Value::as_str) {
        Some(kind) => kind.to_string(),
        None if body_field == "actions" => String::new(),
        None => return Err(ApiError::invalid("type: The field cannot be left blank")),
    };
    let priority = match body.get("priority") {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => match number.as_u64() {
            Some(priority) if priority >= 1 => Some(priority.min(u32::MAX as u64) as u32),
            _ => return Err(ApiError::invalid("priority: Must be a positive integer")),
        },
        Some(_) => return Err(ApiError::MalformedBody),
    };
    let active = match body.get("status").and_then(Value::as_str) {
        Some("ACTIVE") => true,
        Some("INACTIVE") => false,
        _ => active,
    };
    Ok(NewPolicy {
        kind,
        name: body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        priority,
        active,
        conditions: body.get("conditions").cloned().unwrap_or_else(|| json!({})),
        body: body.get(body_field).cloned().unwrap_or_else(|| json!({})),
    })
}

fn policy_json(org_url: &str, policy: &Policy) -> Value {
    let self_url = format!("{org_url}/api/v1/policies/{}", policy.id);
    let toggle = if policy.status == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    let mut body = json!({
        "id": policy.id,
        "status": policy.status,
        "name": policy.name,
        "description": policy.description,
        "priority": policy.priority,
        "system": policy.system,
        "conditions": policy.conditions,
        "created": format_millis(policy.created),
        "lastUpdated": format_millis(policy.last_updated),
        "settings": policy.settings,
        "type": policy.policy_type,
        "_links": {
            "self": { "href": self_url, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            toggle: { "href": format!("{self_url}/lifecycle/{toggle}"), "hints": { "allow": ["POST"] } },
            "rules": { "href": format!("{self_url}/rules"), "hints": { "allow": ["GET", "POST"] } },
        },
    });
    // Authentication policies link their app mappings (recorded).
    if policy.policy_type == "ACCESS_POLICY" {
        body["_links"]["mappings"] = json!({
            "href": format!("{self_url}/mappings"),
            "hints": { "allow": ["GET", "POST"] },
        });
    }
    // Recorded sign-on policies have no `settings` at all, rather than an empty object.
    if policy.settings.as_object().is_some_and(Map::is_empty)
        && let Some(fields) = body.as_object_mut()
    {
        fields.remove("settings");
    }
    body
}

fn rule_json(org_url: &str, rule: &Rule) -> Value {
    let self_url = format!(
        "{org_url}/api/v1/policies/{}/rules/{}",
        rule.policy_id, rule.id
    );
    let toggle = if rule.status == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    json!({
        "id": rule.id,
        "status": rule.status,
        "name": rule.name,
        "priority": rule.priority,
        "created": format_millis(rule.created),
        "lastUpdated": format_millis(rule.last_updated),
        "system": rule.system,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "type": rule.rule_type,
        "_links": {
            "self": { "href": self_url, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            toggle: { "href": format!("{self_url}/lifecycle/{toggle}"), "hints": { "allow": ["POST"] } },
        },
    })
}
