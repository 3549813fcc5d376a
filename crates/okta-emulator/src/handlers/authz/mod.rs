//! `/api/v1/authorizationServers`: custom authorization servers and their signing keys here;
//! scopes and claims in `catalog`, policies and their rules in `policies`. The answers' shapes
//! follow okta-sdk-python v3.4.4's recordings against a real org (cassettes
//! `test_auth_server_it`).

use serde_json::{Map, Value, json};

use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{AuthServer, NewAuthServer, Org, SigningKey, paginate};
use crate::util::format_millis;

pub mod catalog;
pub mod policies;

/// `GET /api/v1/authorizationServers`: `q`, `limit` (default and most 200) and `after`, as the
/// reference has them; the recorded answer has a `Link` header.
pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(200, 200)?;
    let after = request.after("authorizationServers")?;
    // `q` searches the name and the audiences (the reference's parameter).
    let q = request.query("q").map(str::to_lowercase);
    let rows = org.authorization_servers.iter().filter(|(_, server)| {
        q.as_deref().is_none_or(|q| {
            server.name.to_lowercase().contains(q)
                || server
                    .audiences
                    .iter()
                    .any(|audience| audience.to_lowercase().contains(q))
        })
    });
    let page = paginate(rows, after, limit);
    let servers: Vec<Value> = page
        .items
        .iter()
        .map(|server| server_json(&org_url, server))
        .collect();
    Ok(Reply::page(
        Value::Array(servers),
        request.links("authorizationServers", page.next_after),
    ))
}

pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server = parse_server(request)?;
    let server = org.create_auth_server(request.audit, server)?;
    Ok(Reply::created(server_json(&request.org_url(), server)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server = org.find_auth_server(request.param(0))?;
    Ok(Reply::ok(server_json(&request.org_url(), server)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server = parse_server(request)?;
    let server = org.replace_auth_server(request.audit, request.param(0), server)?;
    Ok(Reply::ok(server_json(&request.org_url(), server)))
}

pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_auth_server(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_auth_server_status(request.audit, request.param(0), true)?;
    Ok(Reply::no_content())
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_auth_server_status(request.audit, request.param(0), false)?;
    Ok(Reply::no_content())
}

pub fn list_keys(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server = org.find_auth_server(request.param(0))?;
    Ok(Reply::ok(keys_json(&request.org_url(), server)))
}

pub fn get_key(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let server = org.find_auth_server(request.param(0))?;
    let key = server
        .keys
        .iter()
        .find(|key| key.kid == request.param(1))
        .ok_or_else(|| ApiError::not_found(request.param(1), "JsonWebKey"))?;
    Ok(Reply::ok(key_json(&request.org_url(), &server.id, key)))
}

/// `POST .../credentials/lifecycle/keyRotate` with `{"use": "sig"}`: 200 with the keys.
pub fn rotate_keys(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let key_use = body.get("use").and_then(Value::as_str).unwrap_or("sig");
    let server = org.rotate_auth_server_keys(request.audit, request.param(0), key_use)?;
    Ok(Reply::ok(keys_json(&request.org_url(), server)))
}

fn parse_server(request: &Request) -> Result<NewAuthServer, ApiError> {
    let body = request.json_object()?;
    let audiences = match body.get("audiences") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or(ApiError::MalformedBody)?,
        Some(_) => return Err(ApiError::MalformedBody),
    };
    Ok(NewAuthServer {
        name: text(&body, "name")?.unwrap_or_default(),
        description: text(&body, "description")?,
        audiences,
    })
}

/// A string member: absent or `null` is `None`, anything but a string is a malformed body.
pub(super) fn text(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::MalformedBody),
    }
}

/// `status` as `ACTIVE` or `INACTIVE`; absent is `None`.
pub(super) fn status(body: &Map<String, Value>) -> Result<Option<bool>, ApiError> {
    match text(body, "status")?.as_deref() {
        None => Ok(None),
        Some("ACTIVE") => Ok(Some(true)),
        Some("INACTIVE") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid("status: Must be ACTIVE or INACTIVE")),
    }
}

pub(super) fn priority(body: &Map<String, Value>) -> Result<Option<u32>, ApiError> {
    match body.get("priority") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(|p| Some(p.min(u32::MAX as u64) as u32))
            .ok_or(ApiError::MalformedBody),
    }
}

/// `self` with the methods Okta lists, and the lifecycle link the status allows.
pub(super) fn links(self_url: &str, active: bool, allow: &[&str]) -> Map<String, Value> {
    let mut links = Map::new();
    links.insert(
        "self".to_string(),
        json!({ "href": self_url, "hints": { "allow": allow } }),
    );
    let toggle = if active { "deactivate" } else { "activate" };
    links.insert(
        toggle.to_string(),
        json!({ "href": format!("{self_url}/lifecycle/{toggle}"), "hints": { "allow": ["POST"] } }),
    );
    links
}

pub(super) fn server_url(org_url: &str, server_id: &str) -> String {
    format!("{org_url}/api/v1/authorizationServers/{server_id}")
}

fn server_json(org_url: &str, server: &AuthServer) -> Value {
    let self_url = server_url(org_url, &server.id);
    let issuer = format!("{org_url}/oauth2/{}", server.id);
    let mut links = links(&self_url, server.active, &["GET", "DELETE", "PUT"]);
    let get = json!({ "allow": ["GET"] });
    let get_post = json!({ "allow": ["GET", "POST"] });
    for (name, path, hints) in [
        ("keys", "/credentials/keys", &get),
        ("claims", "/claims", &get_post),
        ("policies", "/policies", &get_post),
        ("scopes", "/scopes", &get_post),
    ] {
        links.insert(
            name.to_string(),
            json!({ "href": format!("{self_url}{path}"), "hints": hints }),
        );
    }
    links.insert(
        "rotateKey".to_string(),
        json!({ "href": format!("{self_url}/credentials/lifecycle/keyRotate"), "hints": { "allow": ["POST"] } }),
    );
    links.insert(
        "metadata".to_string(),
        json!([
            { "name": "oauth-authorization-server", "href": format!("{issuer}/.well-known/oauth-authorization-server"), "hints": { "allow": ["GET"] } },
            { "name": "openid-configuration", "href": format!("{issuer}/.well-known/openid-configuration"), "hints": { "allow": ["GET"] } },
        ]),
    );
    json!({
        "id": server.id,
        "name": server.name,
        "description": server.description,
        "audiences": server.audiences,
        "issuer": issuer,
        "issuerMode": "ORG_URL",
        "status": server.status(),
        "created": format_millis(server.created),
        "lastUpdated": format_millis(server.last_updated),
        "credentials": { "signing": {
            "rotationMode": "AUTO",
            "lastRotated": format_millis(server.last_rotated),
            "nextRotation": format_millis(server.next_rotation()),
            "kid": server.active_kid(),
        }},
        "_links": links,
    })
}

fn keys_json(org_url: &str, server: &AuthServer) -> Value {
    Value::Array(
        server
            .keys
            .iter()
            .map(|key| key_json(org_url, &server.id, key))
            .collect(),
    )
}

fn key_json(org_url: &str, server_id: &str, key: &SigningKey) -> Value {
    json!({
        "kty": "RSA",
        "status": key.status,
        "alg": "RS256",
        "kid": key.kid,
        "use": "sig",
        "e": "AQAB",
        "n": key.n,
        "_links": { "self": {
            "href": format!("{}/credentials/keys/{}", server_url(org_url, server_id), key.kid),
            "hints": { "allow": ["GET"] },
        }},
    })
}
