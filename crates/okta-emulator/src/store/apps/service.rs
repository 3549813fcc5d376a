//! Service apps as the control plane and `--service-app` register them: an OpenID Connect app of
//! `application_type: service` with `private_key_jwt`, its keys, scopes and admin roles given at
//! once (what an admin sets up in the Admin Console). They are apps like any other, listed by
//! `/api/v1/apps`.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client_keys::{ClientKey, KeyStatus};
use super::client_roles::new_client_role;
use super::grants::{ScopeGrant, valid_scope_name};
use super::{App, AppStatus, OIDC_APP_NAME, defaults};
use crate::jose::PublicJwk;
use crate::store::roles::ASSIGNABLE_ROLES;
use crate::store::{ApiError, Org, validation};
use crate::util::okta_id;

/// Keys per app the control plane registers at most.
const MAX_KEYS: usize = 10;
/// Granted scopes per app at most (Okta's management API has about 150).
const MAX_SCOPES: usize = 300;

/// A service app as the control plane or `--service-app` describes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewServiceApp {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// A JWK set: `{"keys": [...]}`.
    pub jwks: Value,
    pub scopes: Vec<String>,
    /// The Admin Console's default for a new API Services app is to require DPoP.
    #[serde(default)]
    pub dpop_required: Option<bool>,
    /// `SUPER_ADMIN` when absent: what Okta's "Public client app admins" setting assigns to a new
    /// service app.
    #[serde(default)]
    pub roles: Option<Vec<String>>,
}

/// The document of a service app: what Okta shows for an API Services app.
pub(super) fn service_document() -> Map<String, Value> {
    let request = json!({
        "settings": { "oauthClient": {
            "application_type": "service",
            "grant_types": ["client_credentials"],
            "response_types": ["token"],
        }},
    });
    match request {
        Value::Object(body) => defaults::document(&body, "OPENID_CONNECT", OIDC_APP_NAME),
        _ => Map::new(),
    }
}

impl Org {
    /// Registers (or replaces, by `client_id`) a service app; every problem is reported at once.
    pub fn put_service_app(&mut self, new: NewServiceApp, now: i64) -> Result<&App, ApiError> {
        let mut causes = Vec::new();
        let client_id = new.client_id.unwrap_or_else(|| okta_id("0oa"));
        if client_id.is_empty()
            || client_id.len() > 100
            || !client_id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        {
            causes.push("client_id: 1 to 100 letters, digits, '-', '_' or '.'".to_string());
        }
        let label = new
            .name
            .unwrap_or_else(|| format!("Service app {client_id}"));
        if label.trim().is_empty() || label.chars().count() > 255 {
            causes.push("name: 1 to 255 characters".to_string());
        }
        let keys: Vec<Value> = new
            .jwks
            .get("keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if keys.is_empty() || keys.len() > MAX_KEYS {
            causes.push(format!(
                "jwks: a JWK set ({{\"keys\": [...]}}) with 1 to {MAX_KEYS} public keys"
            ));
        } else if keys.iter().any(|key| PublicJwk::parse(key).is_err()) {
            causes.push(
                "jwks: every key must be a public RSA (2048 to 8192 bits) or EC P-256 JWK"
                    .to_string(),
            );
        }
        if new.scopes.is_empty()
            || new.scopes.len() > MAX_SCOPES
            || !new.scopes.iter().all(|scope| valid_scope_name(scope))
        {
            causes.push(format!(
                "scopes: 1 to {MAX_SCOPES} scope names such as okta.users.read"
            ));
        }
        let roles = new.roles.unwrap_or_else(|| vec!["SUPER_ADMIN".to_string()]);
        if let Some(role) = roles
            .iter()
            .find(|role| !ASSIGNABLE_ROLES.iter().any(|(name, _)| name == role))
        {
            causes.push(format!("roles: '{role}' is not a valid role type"));
        }
        let existing = self.app_by_client_id(&client_id).map(|app| app.id.clone());
        if existing.is_none() && self.service_apps.get(&client_id).is_some() {
            causes.push("client_id: another app has this id".to_string());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let mut scopes = new.scopes;
        scopes.dedup();
        let app = App {
            id: client_id.clone(),
            app_name: OIDC_APP_NAME.to_string(),
            label,
            sign_on_mode: "OPENID_CONNECT".to_string(),
            status: AppStatus::Active,
            document: service_document(),
            client_id: client_id.clone(),
            auth_method: "private_key_jwt".to_string(),
            client_secret: None,
            keys: keys
                .into_iter()
                .filter_map(|key| match key {
                    Value::Object(jwk) => Some(ClientKey {
                        key_id: okta_id("pks"),
                        status: KeyStatus::Active,
                        created: now,
                        last_updated: now,
                        jwk,
                    }),
                    _ => None,
                })
                .collect(),
            grants: scopes
                .iter()
                .map(|scope| ScopeGrant::new(scope, None, now))
                .collect(),
            dpop_required: new.dpop_required.unwrap_or(true),
            roles: roles
                .iter()
                .map(|role| new_client_role(role, now))
                .collect(),
            users: Vec::new(),
            groups: Vec::new(),
            signing_keys: Vec::new(),
            signing_requests: Vec::new(),
            created: now,
            last_updated: now,
        };
        match existing.and_then(|id| self.service_apps.get_mut(&id)) {
            Some(row) => {
                let (id, created) = (row.id.clone(), row.created);
                let (users, groups) = (
                    std::mem::take(&mut row.users),
                    std::mem::take(&mut row.groups),
                );
                *row = App {
                    id,
                    created,
                    users,
                    groups,
                    ..app
                };
            }
            None => {
                let seq = self.next_seq();
                self.service_apps.insert(seq, app);
            }
        }
        self.app_by_client_id(&client_id)
            .ok_or_else(|| ApiError::not_found(client_id.as_str(), "ServiceApp"))
    }

    /// Removes a service app (the control plane's `DELETE`), whatever its status.
    pub fn delete_service_app(&mut self, client_id: &str) -> Result<(), ApiError> {
        let id = self
            .app_by_client_id(client_id)
            .map(|app| app.id.clone())
            .ok_or_else(|| ApiError::not_found(client_id, "ServiceApp"))?;
        self.service_apps.remove(&id);
        Ok(())
    }
}
