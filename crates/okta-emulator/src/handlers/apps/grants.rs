//! `/api/v1/apps/{appId}/grants`: the Okta API scopes granted to an OAuth client.

use serde_json::{Value, json};

use super::super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{App, Org, ScopeGrant};
use crate::util::format_millis;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let app = org.app(request.param(0))?;
    let grants: Vec<Value> = app
        .grants
        .iter()
        .map(|grant| grant_json(&org_url, app, grant, false))
        .collect();
    Ok(Reply::ok(Value::Array(grants)))
}

/// `POST {issuer, scopeId}`: answers **200** with the grant and its embedded scope, as Okta's
/// recordings do (okta-sdk-python cassettes `test_grant_consent_to_scope` and
/// `test_revoke_consent_grant`), where the reference says 201.
pub fn grant(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    let org_url = request.org_url();
    let grant = org
        .grant_scope(
            request.audit,
            request.param(0),
            text("issuer"),
            &org_url,
            text("scopeId"),
        )?
        .clone();
    let app = org.app(request.param(0))?;
    Ok(Reply::ok(grant_json(&org_url, app, &grant, true)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let grant = org.app_grant(request.param(0), request.param(1))?;
    let app = org.app(request.param(0))?;
    Ok(Reply::ok(grant_json(&request.org_url(), app, grant, false)))
}

pub fn revoke(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.revoke_grant(request.audit, request.param(0), request.param(1))?;
    Ok(Reply::no_content())
}

/// A grant as recorded: `issuer` the org URL, `clientId`, `scopeId`, `source: ADMIN`,
/// `createdBy`, links to the app, itself and the client; `_embedded.scope` in the answer to its
/// creation only.
fn grant_json(org_url: &str, app: &App, grant: &ScopeGrant, embed_scope: bool) -> Value {
    let app_url = format!("{org_url}/api/v1/apps/{}", app.id);
    let created_by = if grant.created_by_client {
        json!({ "id": grant.created_by, "type": "Client" })
    } else {
        json!({ "id": grant.created_by, "type": "User" })
    };
    let mut body = json!({
        "id": grant.id,
        "status": "ACTIVE",
        "created": format_millis(grant.created),
        "createdBy": created_by,
        "lastUpdated": format_millis(grant.created),
        "issuer": org_url,
        "clientId": app.client_id,
        "scopeId": grant.scope_id,
        "source": "ADMIN",
        "_links": {
            "app": { "href": app_url, "title": app.label },
            "self": {
                "href": format!("{app_url}/grants/{}", grant.id),
                "hints": { "allow": ["GET", "DELETE"] },
            },
            "client": { "href": format!("{org_url}/oauth2/v1/clients/{}", app.client_id), "title": app.label },
        },
    });
    if embed_scope {
        body["_embedded"] = json!({ "scope": { "id": grant.scope_id } });
    }
    body
}
