//! `/api/v1/apps`: app integrations (list, create, read, replace, lifecycle, delete), and in
//! submodules an OAuth client's JWKs (`jwks`) and scope grants (`grants`).

use serde_json::{Map, Value, json};

use super::{Reply, Request, check_expression, href};
use crate::error::ApiError;
use crate::query::Operator;
use crate::store::{App, AppQuery, AppStatus, Org};
use crate::util::format_millis;

pub mod assignments;
pub mod grants;
pub mod jwks;
pub mod signing;

/// Okta's page size for apps: `limit` is at most 200 (the reference's `maximum`).
const MAX_PAGE: usize = 200;

pub fn list(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let limit = request.limit(MAX_PAGE, MAX_PAGE)?;
    let after = request.after("apps")?;
    // The reference lists `id`, `status`, `name`, `credentials.signing.kid` and
    // `settings.slo.enabled`; the emulator takes the first three, with `eq`.
    let expression = match request.query("filter") {
        Some(text) => Some(check_expression(text, |attribute, operator| {
            ["id", "status", "name"].contains(&attribute) && operator == Operator::Eq
        })?),
        None => None,
    };
    let query = AppQuery {
        q: request.query("q"),
        after,
        limit,
    };
    let page = org.list_apps(&query, |app| {
        expression.as_ref().is_none_or(|expression| {
            expression.matches_exact_case(
                &json!({ "id": app.id, "status": app.status.as_str(), "name": app.app_name }),
            )
        })
    });
    let apps: Vec<Value> = page
        .items
        .iter()
        .map(|app| app_json(&org_url, app, false))
        .collect();
    Ok(Reply::page(
        Value::Array(apps),
        request.links("apps", page.next_after),
    ))
}

/// `POST`: answers **200** with the app, as Okta's recordings do (the reference says 200 too).
pub fn create(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let activate = request.bool_query("activate", true)?;
    let body = request.json_object()?;
    let spec = org.parse_app(&body)?;
    let app = org.create_app(request.audit, spec, activate)?;
    Ok(Reply::ok(app_json(&request.org_url(), app, true)))
}

pub fn get(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let app = org.app(request.param(0))?;
    Ok(Reply::ok(app_json(&request.org_url(), app, false)))
}

pub fn replace(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let spec = org.parse_app(&body)?;
    let app = org.replace_app(request.audit, request.param(0), spec)?;
    Ok(Reply::ok(app_json(&request.org_url(), app, false)))
}

/// `DELETE`: an inactive app only.
pub fn delete(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.delete_app(request.audit, request.param(0))?;
    Ok(Reply::no_content())
}

/// Lifecycle operations answer 200 with an empty object, as Okta's recordings show.
pub fn activate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_app_status(request.audit, request.param(0), AppStatus::Active)?;
    Ok(Reply::ok(json!({})))
}

pub fn deactivate(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.set_app_status(request.audit, request.param(0), AppStatus::Inactive)?;
    Ok(Reply::ok(json!({})))
}

/// `GET /api/v1/policies/{policyId}/app`: the apps whose sign-in policy this is. The emulator
/// maps no app to a policy (`PUT /api/v1/apps/{appId}/policies/{policyId}` answers 501), so the
/// list is empty, as recorded for a new policy (PYSDK cassette `test_list_policy_apps`).
pub fn policy_apps(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.find_policy(request.param(0))?;
    Ok(Reply::ok(json!([])))
}

/// The app as Okta answers it: its document, with the system members, the OAuth client's
/// credentials (the client secret only in the answer to its creation, as recorded: a later `GET`
/// leaves it out), its keys and DPoP setting, and the links.
pub fn app_json(org_url: &str, app: &App, with_secret: bool) -> Value {
    let mut body: Map<String, Value> = Map::new();
    body.insert("id".into(), json!(app.id));
    body.insert("name".into(), json!(app.app_name));
    body.insert("label".into(), json!(app.label));
    body.insert("status".into(), json!(app.status.as_str()));
    body.insert("lastUpdated".into(), json!(format_millis(app.last_updated)));
    body.insert("created".into(), json!(format_millis(app.created)));
    body.insert("signOnMode".into(), json!(app.sign_on_mode));
    for (name, value) in &app.document {
        body.insert(name.clone(), value.clone());
    }
    if app.is_oauth_client() {
        let mut client = json!({
            "autoKeyRotation": true,
            "client_id": app.client_id,
            "token_endpoint_auth_method": app.auth_method,
        });
        if with_secret && let Some(secret) = &app.client_secret {
            client["client_secret"] = json!(secret);
        }
        if let Some(credentials) = body.get_mut("credentials").and_then(Value::as_object_mut) {
            credentials.insert("oauthClient".into(), client);
        }
        let settings = body
            .get_mut("settings")
            .and_then(Value::as_object_mut)
            .and_then(|settings| settings.get_mut("oauthClient"))
            .and_then(Value::as_object_mut);
        if let Some(settings) = settings {
            if !app.keys.is_empty() {
                let keys: Vec<Value> = app.keys.iter().map(jwks::jwk_json).collect();
                settings.insert("jwks".into(), json!({ "keys": keys }));
            }
            settings.insert("dpop_bound_access_tokens".into(), json!(app.dpop_required));
        }
    }
    let app_url = format!("{org_url}/api/v1/apps/{}", app.id);
    let link_name = if app.sign_on_mode == "OPENID_CONNECT" {
        format!("{}_link", app.app_name)
    } else {
        "login".to_string()
    };
    let mut links = json!({
        "appLinks": [{
            "name": link_name,
            "href": format!("{org_url}/home/{}/{}/aln{}", app.app_name, app.id, app.id.get(3..).unwrap_or(&app.id)),
            "type": "text/html",
        }],
        "groups": href(format!("{app_url}/groups")),
        "users": href(format!("{app_url}/users")),
    });
    match app.status {
        AppStatus::Active => links["deactivate"] = href(format!("{app_url}/lifecycle/deactivate")),
        AppStatus::Inactive => links["activate"] = href(format!("{app_url}/lifecycle/activate")),
    }
    if app.is_oauth_client() {
        links["clientCredentials"] =
            json!([{ "name": "jwks", "href": format!("{app_url}/credentials/jwks") }]);
    }
    body.insert("_links".into(), links);
    Value::Object(body)
}
