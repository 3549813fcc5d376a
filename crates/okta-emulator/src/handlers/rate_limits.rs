//! `/api/v1/principal-rate-limits`: each credential's share of the rate limits.

use serde_json::{Map, Value, json};

use super::{Reply, Request, check_expression};
use crate::error::ApiError;
use crate::query::Operator;
use crate::store::{Org, PrincipalRateLimit, PrincipalRateLimitRequest, paginate};
use crate::util::format_millis;

fn entity_json(org: &Org, entity: &PrincipalRateLimit) -> Value {
    json!({
        "id": entity.id,
        "orgId": org.id,
        "principalId": entity.principal_id,
        "principalType": entity.principal_type.name(),
        "defaultPercentage": entity.default_percentage,
        "defaultConcurrencyPercentage": entity.default_concurrency_percentage,
        "createdDate": format_millis(entity.created),
        "createdBy": entity.created_by,
        "lastUpdate": format_millis(entity.last_updated),
        "lastUpdatedBy": entity.last_updated_by,
    })
}

/// Lists the entities of one principal type: Okta requires
/// `filter=principalType eq "SSWS_TOKEN"` (or `"OAUTH_CLIENT"`).
pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let filter = request
        .query("filter")
        .ok_or_else(|| ApiError::MissingParameter {
            name: "filter".to_string(),
        })?;
    let expression = check_expression(filter, |attribute, operator| {
        attribute == "principalType" && operator == Operator::Eq
    })?;
    let limit = request.limit(20, 200)?;
    let after = request.after("principal-rate-limits")?;
    let rows = org.principal_rate_limits.iter().filter(|(_, entity)| {
        expression.matches(&json!({ "principalType": entity.principal_type.name() }))
    });
    let page = paginate(rows, after, limit);
    let items: Vec<Value> = page.items.iter().map(|e| entity_json(org, e)).collect();
    Ok(Reply::page(
        Value::Array(items),
        request.links("principal-rate-limits", page.next_after),
    ))
}

fn parse(request: &Request) -> Result<PrincipalRateLimitRequest, ApiError> {
    let body: Map<String, Value> = request.json_object()?;
    let text = |name: &str| match body.get(name) {
        Some(Value::String(value)) => Ok(value.clone()),
        None | Some(Value::Null) => Ok(String::new()),
        Some(_) => Err(ApiError::invalid(format!("{name}: must be a string"))),
    };
    let number = |name: &str| match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("{name}: must be an integer"))),
    };
    Ok(PrincipalRateLimitRequest {
        principal_id: text("principalId")?,
        principal_type: text("principalType")?,
        default_percentage: number("defaultPercentage")?,
        default_concurrency_percentage: number("defaultConcurrencyPercentage")?,
    })
}

/// Answers 201, as the reference documents.
pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let new = parse(request)?;
    let id = org
        .create_principal_rate_limit(request.audit, new, request.default_rate_limit_share)?
        .id
        .clone();
    let entity = org.find_principal_rate_limit(&id)?;
    Ok(Reply::created(entity_json(org, entity)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let entity = org.find_principal_rate_limit(request.param(0))?;
    Ok(Reply::ok(entity_json(org, entity)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let change = parse(request)?;
    org.replace_principal_rate_limit(request.audit, request.param(0), change)?;
    let entity = org.find_principal_rate_limit(request.param(0))?;
    Ok(Reply::ok(entity_json(org, entity)))
}
