//! The org's settings under `/api/v1/org`: updating the general settings, the contacts, the
//! End-User Dashboard footer preference, and the privacy settings (Okta communication e-mails,
//! Okta Support access). `GET /api/v1/org` itself is in `orgs`.

use serde_json::{Value, json};

use super::orgs::org_json;
use super::{Reply, Request, href};
use crate::error::ApiError;
use crate::store::{ContactType, Org};
use crate::util::format_millis;

/// `POST /api/v1/org`: only the fields sent change.
pub fn update(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    org.update_settings(request.audit, &body, false)?;
    Ok(Reply::ok(org_json(&request.org_url(), org)))
}

/// `PUT /api/v1/org`: a writable field not sent is cleared.
pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    org.update_settings(request.audit, &body, true)?;
    Ok(Reply::ok(org_json(&request.org_url(), org)))
}

pub fn list_contacts(_org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let contacts: Vec<Value> = ContactType::ALL
        .iter()
        .map(|contact| {
            let name = contact.as_str().to_ascii_lowercase();
            json!({
                "contactType": contact.as_str(),
                "_links": { name.clone(): href(format!("{org_url}/api/v1/org/contacts/{name}")) },
            })
        })
        .collect();
    Ok(Reply::ok(Value::Array(contacts)))
}

pub fn get_contact(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let contact = ContactType::parse(request.param(0))?;
    let user_id = org.contact_user_id(contact)?;
    Ok(Reply::ok(contact_json(&request.org_url(), &user_id)))
}

pub fn replace_contact(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let contact = ContactType::parse(request.param(0))?;
    let body = request.json_object()?;
    let user = match body.get("userId") {
        Some(Value::String(user)) => user.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(ApiError::invalid("userId: The field must be a string")),
    };
    let user_id = org.set_contact(contact, &user)?;
    Ok(Reply::ok(contact_json(&request.org_url(), &user_id)))
}

fn contact_json(org_url: &str, user_id: &str) -> Value {
    json!({
        "userId": user_id,
        "_links": { "user": href(format!("{org_url}/api/v1/users/{user_id}")) },
    })
}

pub fn preferences(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::ok(preferences_json(&request.org_url(), org)))
}

pub fn hide_footer(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_end_user_footer(false);
    Ok(Reply::ok(preferences_json(&request.org_url(), org)))
}

pub fn show_footer(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_end_user_footer(true);
    Ok(Reply::ok(preferences_json(&request.org_url(), org)))
}

/// The preference and the one link that changes it, as Okta answers.
fn preferences_json(org_url: &str, org: &Org) -> Value {
    let shown = org.settings.show_end_user_footer;
    let action = if shown {
        "hideEndUserFooter"
    } else {
        "showEndUserFooter"
    };
    json!({
        "showEndUserFooter": shown,
        "_links": { action: post_only(format!("{org_url}/api/v1/org/preferences/{action}")) },
    })
}

pub fn communication(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::ok(communication_json(&request.org_url(), org)))
}

pub fn opt_in(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_communication_opt_out(false);
    Ok(Reply::ok(communication_json(&request.org_url(), org)))
}

pub fn opt_out(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_communication_opt_out(true);
    Ok(Reply::ok(communication_json(&request.org_url(), org)))
}

fn communication_json(org_url: &str, org: &Org) -> Value {
    let opted_out = org.settings.opt_out_email_users;
    let action = if opted_out { "optIn" } else { "optOut" };
    json!({
        "optOutEmailUsers": opted_out,
        "_links": {
            action: post_only(format!("{org_url}/api/v1/org/privacy/oktaCommunication/{action}")),
        },
    })
}

pub fn support(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::ok(support_json(
        &request.org_url(),
        org,
        request.audit.now,
    )))
}

pub fn grant_support(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.grant_support_access(request.audit);
    Ok(Reply::ok(support_json(
        &request.org_url(),
        org,
        request.audit.now,
    )))
}

pub fn extend_support(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.extend_support_access(request.audit)?;
    Ok(Reply::ok(support_json(
        &request.org_url(),
        org,
        request.audit.now,
    )))
}

pub fn revoke_support(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.revoke_support_access(request.audit);
    Ok(Reply::ok(support_json(
        &request.org_url(),
        org,
        request.audit.now,
    )))
}

/// Access granted: `ENABLED` with its expiration and the `extend` and `revoke` links; else
/// `DISABLED`, `expiration: null` and the `grant` link.
fn support_json(org_url: &str, org: &Org, now: i64) -> Value {
    let base = format!("{org_url}/api/v1/org/privacy/oktaSupport");
    match org.support_access_until(now) {
        Some(until) => json!({
            "support": "ENABLED",
            "expiration": format_millis(until),
            "_links": {
                "extend": post_only(format!("{base}/extend")),
                "revoke": post_only(format!("{base}/revoke")),
            },
        }),
        None => json!({
            "support": "DISABLED",
            "expiration": null,
            "_links": { "grant": post_only(format!("{base}/grant")) },
        }),
    }
}

fn post_only(url: String) -> Value {
    json!({ "href": url, "hints": { "allow": ["POST"] } })
}
