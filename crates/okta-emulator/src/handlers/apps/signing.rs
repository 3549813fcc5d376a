//! `/api/v1/apps/{appId}/credentials/keys` and `/credentials/csrs`: an app's signing keys and
//! its certificate signing requests.

use base64::Engine as _;
use serde_json::{Value, json};

use super::super::{Reply, Request};
use crate::error::ApiError;
use crate::jose::sha256_base64url;
use crate::store::{AppSigningKey, Org, SigningRequest};
use crate::util::format_millis;
use crate::x509::{CsrSubject, rsa_public_key};

pub fn list_keys(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let keys: Vec<Value> = org
        .app_signing_keys(request.param(0), request.audit.now)?
        .iter()
        .map(key_json)
        .collect();
    Ok(Reply::ok(Value::Array(keys)))
}

pub fn get_key(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let key = org.app_signing_key(request.param(0), request.param(1), request.audit.now)?;
    Ok(Reply::ok(key_json(key)))
}

/// `POST …/keys/generate?validityYears=N`: 201 with the key, as recorded (cassette
/// `test_generate_app_key`).
pub fn generate_key(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let years = request
        .query("validityYears")
        .ok_or_else(|| ApiError::MissingParameter {
            name: "validityYears".to_string(),
        })?
        .parse::<i64>()
        .map_err(|_| ApiError::invalid("validityYears: a whole number from 2 to 10"))?;
    let key = org.generate_signing_key(request.audit, request.param(0), years)?;
    Ok(Reply::created(key_json(key)))
}

/// `POST …/keys/{keyId}/clone?targetAid=`: 201 with the key as the target app now has it
/// (cassette `test_clone_app_key`).
pub fn clone_key(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let target = request
        .query("targetAid")
        .ok_or_else(|| ApiError::MissingParameter {
            name: "targetAid".to_string(),
        })?
        .to_string();
    let key = org.clone_signing_key(request.audit, request.param(0), request.param(1), &target)?;
    Ok(Reply::created(key_json(key)))
}

pub fn list_csrs(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let app = org.app(request.param(0))?;
    let csrs: Vec<Value> = app
        .signing_requests
        .iter()
        .map(|csr| csr_json(&org_url, &app.id, csr))
        .collect();
    Ok(Reply::ok(Value::Array(csrs)))
}

/// `POST …/csrs` with `{subject, subjectAltNames.dnsNames}`: 201 with the request (cassette
/// `test_generate_csr`).
pub fn create_csr(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json::<Value>()?;
    let subject = body.get("subject").cloned().unwrap_or(Value::Null);
    let text = |name: &str| {
        subject
            .get(name)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty() && value.len() <= 256)
            .map(str::to_string)
    };
    let dns_names: Vec<String> = body
        .get("subjectAltNames")
        .and_then(|names| names.get("dnsNames"))
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if dns_names.len() > 100
        || dns_names
            .iter()
            .any(|name| name.is_empty() || name.len() > 253)
    {
        return Err(ApiError::invalid(
            "subjectAltNames.dnsNames: at most 100 names of 1 to 253 characters",
        ));
    }
    let subject = CsrSubject {
        common_name: text("commonName"),
        country: text("countryName"),
        state: text("stateOrProvinceName"),
        locality: text("localityName"),
        organization: text("organizationName"),
        organizational_unit: text("organizationalUnitName"),
        dns_names,
    };
    if subject.common_name.is_none() {
        return Err(ApiError::invalid(
            "subject.commonName: The field cannot be left blank",
        ));
    }
    let csr = org.create_signing_request(request.audit, request.param(0), &subject)?;
    Ok(Reply::created(csr_json(
        &request.org_url(),
        request.param(0),
        csr,
    )))
}

pub fn get_csr(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let csr = org.signing_request(request.param(0), request.param(1))?;
    Ok(Reply::ok(csr_json(
        &request.org_url(),
        request.param(0),
        csr,
    )))
}

pub fn revoke_csr(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.revoke_signing_request(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

fn der_of(base64url: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(base64url)
        .unwrap_or_default()
}

/// A key as recorded: `kty: RSA`, `use: sig`, `kid`, `x5c` (the certificate, standard base64),
/// `x5t#S256`, `e`, `n`, `created`, `lastUpdated`, `expiresAt`.
fn key_json(key: &AppSigningKey) -> Value {
    let der = der_of(&key.certificate);
    let (modulus, exponent) = rsa_public_key(&der).unwrap_or_default();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    json!({
        "kty": "RSA",
        "created": format_millis(key.created),
        "lastUpdated": format_millis(key.created),
        "expiresAt": format_millis(key.expires_at),
        "kid": key.kid,
        "use": "sig",
        "x5c": [base64::engine::general_purpose::STANDARD.encode(&der)],
        "x5t#S256": sha256_base64url(&der),
        "e": url.encode(exponent),
        "n": url.encode(modulus),
    })
}

/// A request as recorded: `{id, created, csr (standard base64 DER), kty: RSA, _links}`.
fn csr_json(org_url: &str, app_id: &str, csr: &SigningRequest) -> Value {
    let url = format!("{org_url}/api/v1/apps/{app_id}/credentials/csrs/{}", csr.id);
    json!({
        "id": csr.id,
        "created": format_millis(csr.created),
        "csr": base64::engine::general_purpose::STANDARD.encode(der_of(&csr.csr)),
        "kty": "RSA",
        "_links": {
            "self": { "href": url, "hints": { "allow": ["GET", "DELETE"] } },
            "publish": { "href": format!("{url}/lifecycle/publish"), "hints": { "allow": ["POST"] } },
        },
    })
}
