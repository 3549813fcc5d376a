//! The org itself: its public metadata, `/api/v1/org`, and the Org Creator API (`/api/v1/orgs`
//! on the partner org).

use serde_json::{Value, json};

use super::users::parse_user_body;
use super::{Reply, Request, href};
use crate::error::ApiError;
use crate::store::{NewOrg, NewUser, Org, State};
use crate::util::format_millis;

/// `GET /.well-known/okta-organization`: the org's id and its engine (`pipeline`), which Okta
/// serves without a token.
pub fn metadata(org_url: &str, org: &Org) -> Reply {
    Reply::ok(json!({
        "id": org.id,
        "pipeline": org.engine.pipeline(),
        "_links": {"organization": {"href": org_url}},
    }))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::ok(org_json(&request.org_url(), org)))
}

pub fn create_child(state: &mut State, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let admin = match body.get("admin") {
        Some(Value::Object(admin)) => admin.clone(),
        _ => return Err(ApiError::invalid("admin: The field cannot be left blank")),
    };
    let (profile, password, recovery_question) = parse_user_body(&admin)?;
    let new_org = NewOrg {
        subdomain: text("subdomain"),
        name: text("name"),
        website: body
            .get("website")
            .and_then(Value::as_str)
            .map(str::to_string),
        edition: text("edition"),
        admin: NewUser {
            profile,
            password,
            recovery_question,
            activate: true,
            group_ids: Vec::new(),
            expire_password: false,
        },
    };
    let created = state.create_child_org(request.audit, new_org)?;
    // The call above inserted the org under the same lock, so it is there; were that ever to
    // change, Okta's 500 is the honest answer, not a panic.
    let org = state.org(&created.subdomain).ok_or(ApiError::Internal)?;
    let org_url = format!("{}/{}", request.base_url, created.subdomain);
    Ok(Reply::created(json!({
        "id": org.id,
        "subdomain": org.subdomain,
        "name": org.name,
        "website": org.website,
        "status": "ACTIVE",
        "edition": "SKU",
        "expiresAt": null,
        "created": format_millis(org.created),
        "lastUpdated": format_millis(org.last_updated),
        "licensing": { "apps": [] },
        "settings": {
            "app": { "errorRedirectUrl": null, "interstitialUrl": null, "interstitialMinWaitTime": 1200 },
            "userAccount": { "attributes": { "secondaryEmail": true, "secondaryImage": true } },
            "portal": { "errorRedirectUrl": null, "signOutUrl": null },
            "logs": { "level": "INFO" }
        },
        "token": created.token,
        "tokenType": "SSWS",
        "_links": {
            "administrator": { "href": format!("{org_url}/api/v1/users/{}", created.admin_id) },
            "organization": { "href": format!("{org_url}/api/v1/orgs/{}", org.id) },
            "contacts": { "href": format!("{org_url}/api/v1/orgs/{}/contacts", org.id) },
            "policy": { "href": format!("{org_url}/api/v1/orgs/{}/policy", org.id) },
            "uploadLogo": { "href": format!("{org_url}/api/v1/orgs/{}/logo", org.id), "hints": { "allow": ["POST"] } }
        }
    })))
}

/// The org's general settings as `GET`, `POST` and `PUT /api/v1/org` answer them.
pub(super) fn org_json(org_url: &str, org: &Org) -> Value {
    let setting = |field: &str| org.setting(field);
    json!({
        "id": org.id,
        "companyName": org.name,
        "subdomain": org.subdomain,
        "website": setting("website"),
        "status": "ACTIVE",
        "created": format_millis(org.created),
        "lastUpdated": format_millis(org.last_updated),
        "expiresAt": null,
        "address1": setting("address1"),
        "address2": setting("address2"),
        "city": setting("city"),
        "state": setting("state"),
        "postalCode": setting("postalCode"),
        "country": setting("country"),
        "phoneNumber": setting("phoneNumber"),
        "endUserSupportHelpURL": setting("endUserSupportHelpURL"),
        "supportPhoneNumber": setting("supportPhoneNumber"),
        "_links": {
            "preferences": href(format!("{org_url}/api/v1/org/preferences")),
            "uploadLogo": { "href": format!("{org_url}/api/v1/org/logo"), "hints": { "allow": ["POST"] } },
            "oktaCommunication": href(format!("{org_url}/api/v1/org/privacy/oktaCommunication")),
            "oktaSupport": href(format!("{org_url}/api/v1/org/privacy/oktaSupport")),
            "contacts": href(format!("{org_url}/api/v1/org/contacts")),
        },
    })
}
