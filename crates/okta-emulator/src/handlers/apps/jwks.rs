//! `/api/v1/apps/{appId}/credentials/jwks`: the public keys an OAuth client signs its client
//! assertions with, one at a time (Okta's `ApplicationSSOPublicKeys` operations).

use serde_json::{Value, json};

use super::super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{ClientKey, KeyStatus, Org};
use crate::util::format_millis;

/// Lists the keys: an array, as the reference's schema says (its example wraps them in
/// `{"jwks": {"keys": …}}`, which contradicts the schema; the SDK reads an array).
pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let app = org.app(request.param(0))?;
    let keys: Vec<Value> = app
        .keys
        .iter()
        .map(|key| key_json(&org_url, &app.id, key))
        .collect();
    Ok(Reply::ok(Value::Array(keys)))
}

/// `POST`: answers 201 with the key, as the reference documents.
pub fn add(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let key = org.add_client_key(request.audit, request.param(0), body)?;
    Ok(Reply::created(key_json(
        &request.org_url(),
        request.param(0),
        key,
    )))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let key = org.client_key(request.param(0), request.param(1))?;
    Ok(Reply::ok(key_json(
        &request.org_url(),
        request.param(0),
        key,
    )))
}

pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    set_status(org, request, KeyStatus::Active)
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    set_status(org, request, KeyStatus::Inactive)
}

fn set_status(org: &mut Org, request: &Request, status: KeyStatus) -> Result<Reply, ApiError> {
    let key =
        org.set_client_key_status(request.audit, request.param(0), request.param(1), status)?;
    Ok(Reply::ok(key_json(
        &request.org_url(),
        request.param(0),
        key,
    )))
}

/// `DELETE`: an inactive key only.
pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_client_key(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// A key as the app's `settings.oauthClient.jwks` shows it: the JWK with its id and status.
pub fn jwk_json(key: &ClientKey) -> Value {
    let mut jwk = key.jwk.clone();
    jwk.insert("id".into(), json!(key.key_id));
    jwk.insert("status".into(), json!(key.status.as_str()));
    Value::Object(jwk)
}

/// A key as the JWKS API answers it (the reference's `oAuthClientJsonWebKey`).
fn key_json(org_url: &str, app_id: &str, key: &ClientKey) -> Value {
    let mut body = jwk_json(key);
    body["created"] = json!(format_millis(key.created));
    body["lastUpdated"] = json!(format_millis(key.last_updated));
    let key_url = format!(
        "{org_url}/api/v1/apps/{app_id}/credentials/jwks/{}",
        key.key_id
    );
    body["_links"] = match key.status {
        KeyStatus::Active => {
            json!({ "deactivate": allowing(format!("{key_url}/lifecycle/deactivate"), "POST") })
        }
        KeyStatus::Inactive => json!({
            "activate": allowing(format!("{key_url}/lifecycle/activate"), "POST"),
            "delete": allowing(key_url, "DELETE"),
        }),
    };
    body
}

/// A link with the method it takes, as Okta's JWK answers write it.
fn allowing(url: String, method: &str) -> Value {
    json!({ "href": url, "hints": { "allow": [method] } })
}
