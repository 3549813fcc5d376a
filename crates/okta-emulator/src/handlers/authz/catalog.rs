//! `/api/v1/authorizationServers/{id}/scopes` and `.../claims`.

use serde_json::{Map, Value, json};

use super::{server_url, text};
use crate::error::ApiError;
use crate::handlers::{Reply, Request};
use crate::store::{Claim, NewClaim, NewScope, Org, Scope};

pub fn list_scopes(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let server = org.find_auth_server(request.param(0))?;
    let scopes = server
        .scopes
        .iter()
        .map(|scope| scope_json(&org_url, &server.id, scope))
        .collect();
    Ok(Reply::ok(Value::Array(scopes)))
}

pub fn create_scope(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let scope = parse_scope(request)?;
    let server_id = request.param(0);
    let scope = org.create_scope(request.audit, server_id, scope)?;
    Ok(Reply::created(scope_json(
        &request.org_url(),
        server_id,
        scope,
    )))
}

pub fn get_scope(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server_id = request.param(0);
    let scope = org.find_scope(server_id, request.param(1))?;
    Ok(Reply::ok(scope_json(&request.org_url(), server_id, scope)))
}

pub fn replace_scope(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let scope = parse_scope(request)?;
    let server_id = request.param(0);
    let scope = org.replace_scope(request.audit, server_id, request.param(1), scope)?;
    Ok(Reply::ok(scope_json(&request.org_url(), server_id, scope)))
}

pub fn delete_scope(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_scope(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

pub fn list_claims(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let server = org.find_auth_server(request.param(0))?;
    let claims = server
        .claims
        .iter()
        .map(|claim| claim_json(&org_url, &server.id, claim))
        .collect();
    Ok(Reply::ok(Value::Array(claims)))
}

pub fn create_claim(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let claim = parse_claim(request)?;
    let server_id = request.param(0);
    let claim = org.create_claim(request.audit, server_id, claim)?;
    Ok(Reply::created(claim_json(
        &request.org_url(),
        server_id,
        claim,
    )))
}

pub fn get_claim(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server_id = request.param(0);
    let claim = org.find_claim(server_id, request.param(1))?;
    Ok(Reply::ok(claim_json(&request.org_url(), server_id, claim)))
}

pub fn replace_claim(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let claim = parse_claim(request)?;
    let server_id = request.param(0);
    let claim = org.replace_claim(request.audit, server_id, request.param(1), claim)?;
    Ok(Reply::ok(claim_json(&request.org_url(), server_id, claim)))
}

pub fn delete_claim(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_claim(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

fn flag(body: &Map<String, Value>, name: &str) -> Result<Option<bool>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(ApiError::MalformedBody),
    }
}

fn parse_scope(request: &Request) -> Result<NewScope, ApiError> {
    let body = request.json_object()?;
    Ok(NewScope {
        name: text(&body, "name")?.unwrap_or_default(),
        description: text(&body, "description")?,
        display_name: text(&body, "displayName")?,
        consent: text(&body, "consent")?,
        metadata_publish: text(&body, "metadataPublish")?,
        default: flag(&body, "default")?,
        optional: flag(&body, "optional")?,
    })
}

fn parse_claim(request: &Request) -> Result<NewClaim, ApiError> {
    let body = request.json_object()?;
    let scopes = match body.get("conditions").and_then(|c| c.get("scopes")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or(ApiError::MalformedBody)?,
        Some(_) => return Err(ApiError::MalformedBody),
    };
    Ok(NewClaim {
        name: text(&body, "name")?.unwrap_or_default(),
        status: text(&body, "status")?,
        claim_type: text(&body, "claimType")?.unwrap_or_default(),
        value_type: text(&body, "valueType")?.unwrap_or_default(),
        value: text(&body, "value")?,
        scopes,
        always_include_in_token: flag(&body, "alwaysIncludeInToken")?,
        group_filter_type: text(&body, "group_filter_type")?,
    })
}

fn self_link(url: String) -> Value {
    json!({ "self": { "href": url, "hints": { "allow": ["GET", "PUT", "DELETE"] } } })
}

fn scope_json(org_url: &str, server_id: &str, scope: &Scope) -> Value {
    let mut body = json!({
        "id": scope.id,
        "name": scope.name,
        "description": scope.description,
        "system": scope.system,
        "metadataPublish": scope.metadata_publish,
        "consent": scope.consent,
        "optional": scope.optional,
        "default": scope.default,
        "_links": self_link(format!("{}/scopes/{}", server_url(org_url, server_id), scope.id)),
    });
    if let Some(display_name) = &scope.display_name {
        body["displayName"] = json!(display_name);
    }
    body
}

fn claim_json(org_url: &str, server_id: &str, claim: &Claim) -> Value {
    let mut body = json!({
        "id": claim.id,
        "name": claim.name,
        "status": claim.status,
        "claimType": claim.claim_type,
        "valueType": claim.value_type,
        "conditions": { "scopes": claim.scopes },
        "system": claim.system,
        "alwaysIncludeInToken": claim.always_include_in_token,
        "_links": self_link(format!("{}/claims/{}", server_url(org_url, server_id), claim.id)),
    });
    // System claims carry no value in the recordings; the others echo theirs.
    if let Some(value) = &claim.value {
        body["value"] = json!(value);
    }
    if let Some(filter) = &claim.group_filter_type {
        body["group_filter_type"] = json!(filter);
    }
    body
}
