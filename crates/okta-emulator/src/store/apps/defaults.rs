//! What Okta fills in on an app it creates: the key name per sign-on mode, and the
//! `accessibility`, `visibility`, `credentials` and `settings` an app request leaves out. The
//! shapes are those of Okta's recorded answers (okta-sdk-python v3.4.4 cassettes
//! `test_create_bookmark_app`, `test_create_basic_auth_app`,
//! `test_create_secure_password_store_app`, `test_create_open_id_connect_app` and
//! `test_sso_public_keys_lifecycle`, the last recorded in 2026).

use serde_json::{Map, Value, json};

/// Members of a request that Okta sets itself, or that `App` models apart.
const SYSTEM_MEMBERS: &[&str] = &[
    "id",
    "name",
    "label",
    "status",
    "created",
    "lastUpdated",
    "signOnMode",
    "orn",
    "_links",
    "_embedded",
];

/// The key name of a custom app of `sign_on_mode` (Okta's templates); a name the request gives
/// must be that one.
pub(super) fn app_name_for(sign_on_mode: &str, sent: &str, causes: &mut Vec<String>) -> String {
    let template = match sign_on_mode {
        "BOOKMARK" => "bookmark",
        "BASIC_AUTH" => "template_basic_auth",
        "SECURE_PASSWORD_STORE" => "template_sps",
        // A custom SWA app gets a name of its own in Okta; the request's is kept.
        "AUTO_LOGIN" if !sent.is_empty() => return sent.to_string(),
        "AUTO_LOGIN" => "template_swa_app",
        _ => "",
    };
    if !sent.is_empty() && sent != template {
        causes.push(format!(
            "name: '{sent}' is not an app of signOnMode {sign_on_mode}; use {template}"
        ));
    }
    template.to_string()
}

/// The app's document: the request without system members, over Okta's defaults (a member the
/// request sends wins; objects merge member by member).
pub(super) fn document(
    body: &Map<String, Value>,
    sign_on_mode: &str,
    app_name: &str,
) -> Map<String, Value> {
    let mut sent = body.clone();
    for member in SYSTEM_MEMBERS {
        sent.remove(*member);
    }
    let oidc = sign_on_mode == "OPENID_CONNECT";
    let link_name = if oidc {
        format!("{app_name}_link")
    } else {
        "login".to_string()
    };
    let mut credentials = json!({
        "userNameTemplate": { "template": "${source.login}", "type": "BUILT_IN" },
        "signing": {},
    });
    if matches!(
        sign_on_mode,
        "BASIC_AUTH" | "SECURE_PASSWORD_STORE" | "AUTO_LOGIN"
    ) {
        credentials["scheme"] = json!("EDIT_USERNAME_AND_PASSWORD");
        credentials["revealPassword"] = json!(false);
    }
    let mut settings = json!({
        "app": {},
        "notifications": { "vpn": { "network": { "connection": "DISABLED" }, "message": null, "helpUrl": null } },
        "manualProvisioning": false,
        "implicitAssignment": false,
        "notes": { "admin": null, "enduser": null },
    });
    match sign_on_mode {
        "BOOKMARK" => settings["app"] = json!({ "requestIntegration": false }),
        "BASIC_AUTH" => settings["app"] = json!({ "loginUrlRegex": null }),
        "OPENID_CONNECT" => {
            let service = body
                .get("settings")
                .and_then(|settings| settings.get("oauthClient"))
                .and_then(|client| client.get("application_type"))
                .and_then(Value::as_str)
                == Some("service");
            settings["oauthClient"] = json!({
                "client_uri": null,
                "logo_uri": null,
                "redirect_uris": [],
                "response_types": if service { json!(["token"]) } else { json!(["code"]) },
                "grant_types": [],
                "application_type": "web",
                "issuer_mode": "DYNAMIC",
                "idp_initiated_login": { "mode": "DISABLED", "default_scope": [] },
                "wildcard_redirect": "DISABLED",
            });
        }
        _ => {}
    }
    let defaults = json!({
        "accessibility": { "selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null },
        "visibility": {
            "autoLaunch": false,
            "autoSubmitToolbar": false,
            "hide": { "iOS": oidc, "web": oidc },
            "appLinks": { link_name: true },
        },
        "features": [],
        "credentials": credentials,
        "settings": settings,
    });
    let mut document = match defaults {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (name, value) in sent {
        merge(&mut document, name, value);
    }
    // The OAuth client's credentials, keys and DPoP setting are `App`'s own fields.
    if let Some(credentials) = document
        .get_mut("credentials")
        .and_then(Value::as_object_mut)
    {
        credentials.remove("oauthClient");
    }
    if let Some(client) = document
        .get_mut("settings")
        .and_then(|settings| settings.get_mut("oauthClient"))
        .and_then(Value::as_object_mut)
    {
        client.remove("jwks");
        client.remove("dpop_bound_access_tokens");
    }
    document
}

/// Puts `value` at `name`, merging objects member by member; `null` sent for an object keeps
/// the default (the SDK sends `null` for every member it has no value for).
fn merge(target: &mut Map<String, Value>, name: String, value: Value) {
    match (target.get_mut(&name), value) {
        (Some(Value::Object(existing)), Value::Object(sent)) => {
            for (inner, value) in sent {
                merge(existing, inner, value);
            }
        }
        (Some(Value::Object(_) | Value::Array(_)), Value::Null) => {}
        (_, value) => {
            target.insert(name, value);
        }
    }
}
