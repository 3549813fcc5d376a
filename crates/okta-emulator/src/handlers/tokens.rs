//! `/api/v1/api-tokens`: API tokens.

use serde_json::{Value, json};

use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{ApiToken, Org};
use crate::util::format_millis;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let tokens: Vec<Value> = org
        .tokens
        .values()
        .map(|token| token_json(&org_url, token))
        .collect();
    Ok(Reply::ok(Value::Array(tokens)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let token = org.find_token(request.param(0))?;
    Ok(Reply::ok(token_json(&request.org_url(), token)))
}

/// `PUT`: changes the name and network condition of a token.
pub fn upsert(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let name = body.get("name").and_then(Value::as_str).map(str::to_string);
    let network = body.get("network").cloned();
    let token = org.update_token(request.audit, request.param(0), name, network)?;
    Ok(Reply::ok(token_json(&request.org_url(), token)))
}

pub fn revoke(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.revoke_token(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

/// `DELETE /api/v1/api-tokens/current`: the token the request was made with.
pub fn revoke_current(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.revoke_token(request.audit, &request.principal.token_id)?;
    Ok(Reply::no_content())
}

fn token_json(org_url: &str, token: &ApiToken) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "userId": token.user_id,
        "clientName": token.client_name,
        "created": format_millis(token.created),
        // 30 days after its last use, kept to the day (see `store::tokens`); an update does not
        // move it (recorded by terraform-provider-okta's API token test).
        "expiresAt": format_millis(token.expires_at()),
        "lastUpdated": format_millis(token.last_updated),
        "tokenWindow": "P30D",
        "network": token.network,
        "_links": {
            "self": {
                "href": format!("{org_url}/api/v1/api-tokens/{}", token.id),
                "hints": { "allow": ["GET", "DELETE"] },
            },
            "user": {
                "href": format!("{org_url}/api/v1/users/{}", token.user_id),
                "hints": { "allow": ["GET"] },
            },
        },
    })
}
