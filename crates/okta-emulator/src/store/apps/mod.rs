//! Apps (Okta's app integrations, `/api/v1/apps`): one table for every app of the org, whether
//! made through the API or registered by the control plane as a service app. An OpenID Connect
//! app is also an OAuth 2.0 client: its keys (`client_keys`), the Okta API scopes granted to it
//! (`grants`) and the admin roles assigned to it (`client_roles`) are what the token endpoint
//! and the privilege check read. `defaults` holds what Okta fills in on creation; `service` the
//! control plane's registration.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};

use super::table::{Page, Row, paginate};
use super::{ApiError, Audit, Org, RoleAssignment, validation};
use crate::jose::PublicJwk;
use crate::util::okta_id;

mod assignments;
mod client_keys;
mod client_roles;
mod defaults;
mod grants;
mod service;
mod signing;

pub use assignments::{AppGroup, AppUser, AppUserChange};
pub use client_keys::{ClientKey, KeyStatus};
pub use grants::ScopeGrant;
pub use service::NewServiceApp;
pub use signing::{SigningKey, SigningRequest};

/// What Okta calls the OpenID Connect app's key name (`name`), the only one an OIDC app has.
pub const OIDC_APP_NAME: &str = "oidc_client";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum AppStatus {
    #[default]
    Active,
    Inactive,
}

impl AppStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppStatus::Active => "ACTIVE",
            AppStatus::Inactive => "INACTIVE",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    /// `0oa…`.
    pub id: String,
    /// Okta's `name`: the app's key (`oidc_client`, `bookmark`, `template_basic_auth`, ...).
    #[serde(default = "oidc_app_name")]
    pub app_name: String,
    /// Okta's `label`. Service apps registered before apps existed stored it as `name`.
    #[serde(alias = "name")]
    pub label: String,
    #[serde(default = "openid_connect")]
    pub sign_on_mode: String,
    #[serde(default)]
    pub status: AppStatus,
    /// The rest of the app as Okta answers it (`accessibility`, `visibility`, `credentials`,
    /// `settings`, `profile`, ...), with Okta's defaults filled in, minus what the fields below
    /// model: the OAuth client's credentials and keys and the DPoP setting. Service apps saved
    /// before apps existed have none: theirs is a service app's.
    #[serde(default = "service::service_document")]
    pub document: Map<String, Value>,
    /// The OAuth client id (`credentials.oauthClient.client_id`): the app's id unless its creator
    /// chose one. Empty for an app that is no OAuth client.
    #[serde(default)]
    pub client_id: String,
    /// `credentials.oauthClient.token_endpoint_auth_method`; empty for non-OIDC apps (and
    /// `private_key_jwt` for service apps registered before apps existed).
    #[serde(default = "private_key_jwt")]
    pub auth_method: String,
    /// The client secret of a `client_secret_*` app, as Okta shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The public JWKs a client assertion may be signed with (`settings.oauthClient.jwks`).
    #[serde(default)]
    pub keys: Vec<ClientKey>,
    /// The Okta API scopes granted to the app. Service apps registered before grants existed
    /// stored plain scope names as `scopes`.
    #[serde(
        default,
        alias = "scopes",
        deserialize_with = "grants::deserialize_grants"
    )]
    pub grants: Vec<ScopeGrant>,
    /// `settings.oauthClient.dpop_bound_access_tokens`: tokens must be DPoP-bound.
    #[serde(default)]
    pub dpop_required: bool,
    /// Admin roles assigned to the app (Okta's `assignmentType: CLIENT`). Service apps
    /// registered before assignments existed stored plain role types.
    #[serde(default, deserialize_with = "client_roles::deserialize_roles")]
    pub roles: Vec<RoleAssignment>,
    /// Users assigned to the app.
    #[serde(default)]
    pub users: Vec<AppUser>,
    /// Groups assigned to the app, by priority.
    #[serde(default)]
    pub groups: Vec<AppGroup>,
    /// The app's signing keys (X.509 certificates of RSA keys).
    #[serde(default)]
    pub signing_keys: Vec<SigningKey>,
    /// Certificate signing requests not yet published or revoked.
    #[serde(default)]
    pub signing_requests: Vec<SigningRequest>,
    pub created: i64,
    #[serde(default)]
    pub last_updated: i64,
}

fn oidc_app_name() -> String {
    OIDC_APP_NAME.to_string()
}

fn openid_connect() -> String {
    "OPENID_CONNECT".to_string()
}

fn private_key_jwt() -> String {
    "private_key_jwt".to_string()
}

impl Row for App {
    fn id(&self) -> &str {
        &self.id
    }
}

impl App {
    pub fn is_oauth_client(&self) -> bool {
        self.sign_on_mode == "OPENID_CONNECT" && !self.client_id.is_empty()
    }

    /// Whether the app is a service app: an OAuth client of `application_type: service`, the
    /// only kind Okta assigns admin roles to.
    pub fn is_service(&self) -> bool {
        self.is_oauth_client()
            && self
                .document
                .get("settings")
                .and_then(|settings| settings.get("oauthClient"))
                .and_then(|client| client.get("application_type"))
                .and_then(Value::as_str)
                == Some("service")
    }

    /// A service app saved before apps existed has no `client_id` field: its id is its client
    /// id (its other fields are read into their new forms by serde).
    pub(super) fn upgrade_legacy(&mut self) {
        if self.client_id.is_empty() && self.auth_method == "private_key_jwt" {
            self.client_id = self.id.clone();
        }
    }

    /// `settings.oauthClient.grant_types`: what the token endpoint lets the client ask for.
    pub fn grant_types(&self) -> Vec<&str> {
        self.document
            .get("settings")
            .and_then(|settings| settings.get("oauthClient"))
            .and_then(|client| client.get("grant_types"))
            .and_then(Value::as_array)
            .map(|grants| grants.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The active registered keys that may have signed a JWS with key id `kid` (all active
    /// ones when absent). An inactive key signs nothing: that is how a rotation retires one.
    pub fn keys_for(&self, kid: Option<&str>) -> Vec<PublicJwk> {
        self.keys
            .iter()
            .filter(|key| key.status == KeyStatus::Active)
            .filter(|key| kid.is_none() || key.kid() == kid)
            .filter_map(|key| PublicJwk::parse(&Value::Object(key.jwk.clone())).ok())
            .collect()
    }

    /// The scopes granted to the app, which its tokens may carry.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.grants.iter().map(|grant| grant.scope_id.as_str())
    }

    pub fn role_types(&self) -> Vec<&str> {
        self.roles
            .iter()
            .map(|role| role.role_type.as_str())
            .collect()
    }

    pub fn target(&self) -> Value {
        json!({ "id": self.id, "type": "AppInstance", "alternateId": self.label, "displayName": self.label, "detailEntry": { "signOnModeType": self.sign_on_mode } })
    }
}

/// A parsed create or replace request: the app as Okta stores it, before ids and dates.
pub struct AppSpec {
    pub app_name: String,
    pub label: String,
    pub sign_on_mode: String,
    pub document: Map<String, Value>,
    pub oauth: Option<OAuthSpec>,
}

/// The OAuth client part of an OIDC app's request.
pub struct OAuthSpec {
    pub client_id: Option<String>,
    pub auth_method: String,
    pub jwks: Vec<Map<String, Value>>,
    pub dpop_required: bool,
}

/// The sign-on modes whose apps the emulator keeps; Okta has more (SAML, WS-Federation,
/// browser plugins), which answer 501.
const SIGN_ON_MODES: &[&str] = &[
    "OPENID_CONNECT",
    "BOOKMARK",
    "BASIC_AUTH",
    "SECURE_PASSWORD_STORE",
    "AUTO_LOGIN",
];

/// What a list of apps selects: `q` (a prefix of `name` or `label`, without regard to case),
/// paging. The handler's `filter` is applied as well.
pub struct AppQuery<'a> {
    pub q: Option<&'a str>,
    pub after: Option<u64>,
    pub limit: usize,
}

impl Org {
    pub fn app(&self, id: &str) -> Result<&App, ApiError> {
        self.service_apps.found(id, "AppInstance")
    }

    /// The OAuth client with this client id: an OIDC app of the org.
    pub fn app_by_client_id(&self, client_id: &str) -> Option<&App> {
        if client_id.is_empty() {
            return None;
        }
        match self.service_apps.get(client_id) {
            Some(app) if app.client_id == client_id => Some(app),
            _ => self
                .service_apps
                .values()
                .find(|app| app.client_id == client_id),
        }
    }

    /// An active OAuth client with this client id: what the token endpoint and access tokens
    /// need (an inactive app gets no tokens, and its tokens stop working).
    pub fn active_client(&self, client_id: &str) -> Option<&App> {
        self.app_by_client_id(client_id)
            .filter(|app| app.status == AppStatus::Active && app.is_oauth_client())
    }

    pub fn list_apps(&self, query: &AppQuery, filter: impl Fn(&App) -> bool) -> Page<&App> {
        let q = query.q.map(str::to_lowercase);
        let rows = self.service_apps.iter().filter(|(_, app)| {
            let q_matches = q.as_ref().is_none_or(|q| {
                app.app_name.to_lowercase().starts_with(q)
                    || app.label.to_lowercase().starts_with(q)
            });
            q_matches && filter(app)
        });
        paginate(rows, query.after, query.limit)
    }

    /// Validates an app request: every problem at once, as Okta reports them.
    pub fn parse_app(&self, body: &Map<String, Value>) -> Result<AppSpec, ApiError> {
        let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
        let sign_on_mode = text("signOnMode").to_string();
        if !sign_on_mode.is_empty() && !SIGN_ON_MODES.contains(&sign_on_mode.as_str()) {
            return Err(ApiError::Unsupported {
                what: format!("apps with signOnMode {sign_on_mode}"),
            });
        }
        let mut causes = Vec::new();
        let label = text("label").trim().to_string();
        if label.is_empty() {
            causes.push("label: The field cannot be left blank".to_string());
        } else if label.chars().count() > 100 {
            causes.push("label: The field is too long".to_string());
        }
        if sign_on_mode.is_empty() {
            causes.push("signOnMode: The field cannot be left blank".to_string());
        }
        let app_name = match (sign_on_mode.as_str(), text("name")) {
            ("OPENID_CONNECT", "" | OIDC_APP_NAME) => OIDC_APP_NAME.to_string(),
            ("OPENID_CONNECT", other) => {
                causes.push(format!(
                    "name: '{other}' is not an app of signOnMode OPENID_CONNECT; use {OIDC_APP_NAME}"
                ));
                String::new()
            }
            (_, name) => defaults::app_name_for(&sign_on_mode, name, &mut causes),
        };
        let oauth = if sign_on_mode == "OPENID_CONNECT" {
            client_keys::parse_oauth(body, &mut causes)
        } else {
            None
        };
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let document = defaults::document(body, &sign_on_mode, &app_name);
        Ok(AppSpec {
            app_name,
            label,
            sign_on_mode,
            document,
            oauth,
        })
    }

    pub fn create_app(
        &mut self,
        audit: &Audit,
        spec: AppSpec,
        activate: bool,
    ) -> Result<&App, ApiError> {
        let id = okta_id("0oa");
        let now = audit.now;
        let mut app = App {
            id: id.clone(),
            app_name: spec.app_name,
            label: spec.label,
            sign_on_mode: spec.sign_on_mode,
            status: if activate {
                AppStatus::Active
            } else {
                AppStatus::Inactive
            },
            document: spec.document,
            client_id: String::new(),
            auth_method: String::new(),
            client_secret: None,
            keys: Vec::new(),
            grants: Vec::new(),
            dpop_required: false,
            roles: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            signing_keys: Vec::new(),
            signing_requests: Vec::new(),
            created: now,
            last_updated: now,
        };
        if let Some(oauth) = spec.oauth {
            let client_id = oauth.client_id.clone().unwrap_or_else(|| id.clone());
            if self.app_by_client_id(&client_id).is_some() {
                return Err(ApiError::invalid(
                    "client_id: An object with this field already exists in the current organization",
                ));
            }
            app.client_id = client_id;
            client_keys::apply_oauth(&mut app, oauth, now);
        }
        let target = app.target();
        let seq = self.next_seq();
        self.service_apps.insert(seq, app);
        self.emit(
            audit,
            "application.lifecycle.create",
            "Add application",
            vec![target.clone()],
            json!({}),
        );
        if activate {
            self.emit(
                audit,
                "application.lifecycle.activate",
                "Activate application",
                vec![target],
                json!({}),
            );
        }
        self.app(&id)
    }

    /// `PUT`: everything but the id, name, status and dates is replaced; the OAuth client keeps
    /// its client id and secret.
    pub fn replace_app(
        &mut self,
        audit: &Audit,
        id: &str,
        spec: AppSpec,
    ) -> Result<&App, ApiError> {
        let existing = self.app(id)?;
        if spec.sign_on_mode != existing.sign_on_mode {
            return Err(ApiError::invalid(
                "signOnMode: The sign-on mode of an app cannot change",
            ));
        }
        let now = audit.now;
        let app = self.service_apps.found_mut(id, "AppInstance")?;
        app.label = spec.label;
        app.document = spec.document;
        if let Some(oauth) = spec.oauth {
            client_keys::apply_oauth(app, oauth, now);
        }
        app.last_updated = now;
        let target = app.target();
        self.emit(
            audit,
            "application.lifecycle.update",
            "Update application",
            vec![target],
            json!({}),
        );
        self.app(id)
    }

    pub fn set_app_status(
        &mut self,
        audit: &Audit,
        id: &str,
        status: AppStatus,
    ) -> Result<(), ApiError> {
        let app = self.service_apps.found_mut(id, "AppInstance")?;
        if app.status == status {
            return Ok(());
        }
        app.status = status;
        app.last_updated = audit.now;
        let target = app.target();
        let (event, message) = match status {
            AppStatus::Active => ("application.lifecycle.activate", "Activate application"),
            AppStatus::Inactive => ("application.lifecycle.deactivate", "Deactivate application"),
        };
        self.emit(audit, event, message, vec![target], json!({}));
        Ok(())
    }

    /// Deletes an inactive app ("Deletes an inactive application", the reference); an active
    /// one is Okta's 403 E0000056.
    pub fn delete_app(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        if self.app(id)?.status == AppStatus::Active {
            return Err(ApiError::DeleteActiveApp);
        }
        let removed = self
            .service_apps
            .remove(id)
            .ok_or_else(|| ApiError::not_found(id, "AppInstance"))?;
        self.emit(
            audit,
            "application.lifecycle.delete",
            "Delete application",
            vec![removed.target()],
            json!({}),
        );
        Ok(())
    }
}

/// Accepts either form a list of structured rows was saved in: the rows, or (in data files
/// written before the rows existed) plain names that `upgrade` turns into rows.
fn rows_or_names<'de, D, T>(
    deserializer: D,
    upgrade: impl Fn(String) -> T,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Name(String),
        Row(T),
    }
    let items: Vec<Either<T>> = Vec::deserialize(deserializer)?;
    Ok(items
        .into_iter()
        .map(|item| match item {
            Either::Name(name) => upgrade(name),
            Either::Row(row) => row,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_app_saved_before_apps_existed_loads_as_an_oauth_client() {
        let saved = json!({
            "id": "0oalegacy1",
            "name": "Old app",
            "keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}],
            "scopes": ["okta.users.read"],
            "dpop_required": true,
            "roles": ["SUPER_ADMIN"],
            "created": 1,
        });
        let mut app: App = serde_json::from_value(saved).unwrap();
        app.upgrade_legacy();
        assert_eq!(app.client_id, "0oalegacy1");
        assert_eq!(app.label, "Old app");
        assert!(app.is_service());
        assert_eq!(app.keys_for(Some("k1")).len(), 1);
        assert_eq!(app.scopes().collect::<Vec<_>>(), vec!["okta.users.read"]);
        assert_eq!(app.role_types(), vec!["SUPER_ADMIN"]);
        assert_eq!(app.grant_types(), vec!["client_credentials"]);
        assert_eq!(app.status, AppStatus::Active);
    }
}
