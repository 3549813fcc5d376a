//! OAuth 2.0 service apps (Okta's "API Services" app integrations): the public keys a client
//! assertion is checked with, the Okta API scopes granted to the app, whether its tokens must be
//! DPoP-bound, and the admin roles assigned to the app itself. Okta creates them in the Admin
//! Console or through `/api/v1/apps`; here the control plane and `--service-app` do.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::roles::ASSIGNABLE_ROLES;
use super::table::Row;
use super::{ApiError, Org, validation};
use crate::emulator::jose::PublicJwk;
use crate::emulator::util::okta_id;

/// Keys per app at most: Okta's app key management holds a handful (active and next).
const MAX_KEYS: usize = 10;
/// Granted scopes per app at most (Okta's management API has about 150).
const MAX_SCOPES: usize = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceApp {
    /// The app's `client_id`, which is also its id (`0oa…`), as in Okta.
    pub id: String,
    pub name: String,
    /// The public JWKs a client assertion may be signed with, as registered.
    pub keys: Vec<Value>,
    /// The Okta API scopes granted to the app (`okta.users.read`, ...).
    pub scopes: Vec<String>,
    /// "Require Demonstrating Proof of Possession (DPoP) header in token requests".
    pub dpop_required: bool,
    /// Admin roles assigned to the app (Okta's `assignmentType: CLIENT`).
    pub roles: Vec<String>,
    pub created: i64,
}

impl Row for ServiceApp {
    fn id(&self) -> &str {
        &self.id
    }
}

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
    /// Okta's default for a new API Services app is to require DPoP.
    #[serde(default)]
    pub dpop_required: Option<bool>,
    /// `SUPER_ADMIN` when absent: what Okta's "Public client app admins" setting assigns to a new
    /// service app.
    #[serde(default)]
    pub roles: Option<Vec<String>>,
}

impl ServiceApp {
    /// The registered keys that may have signed a JWS with key id `kid` (all when absent).
    pub fn keys_for(&self, kid: Option<&str>) -> Vec<PublicJwk> {
        self.keys
            .iter()
            .filter(|key| kid.is_none() || key.get("kid").and_then(Value::as_str) == kid)
            .filter_map(|key| PublicJwk::parse(key).ok())
            .collect()
    }
}

impl Org {
    /// Registers (or replaces, by `client_id`) a service app; every problem is reported at once.
    pub fn put_service_app(
        &mut self,
        new: NewServiceApp,
        now: i64,
    ) -> Result<&ServiceApp, ApiError> {
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
        let name = new
            .name
            .unwrap_or_else(|| format!("Service app {client_id}"));
        if name.trim().is_empty() || name.chars().count() > 255 {
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
        let scope_ok = |scope: &String| {
            !scope.is_empty()
                && scope.len() <= 100
                && scope.bytes().all(|byte| byte.is_ascii_graphic())
        };
        if new.scopes.is_empty()
            || new.scopes.len() > MAX_SCOPES
            || !new.scopes.iter().all(scope_ok)
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
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let mut scopes = new.scopes;
        scopes.dedup();
        let app = ServiceApp {
            id: client_id.clone(),
            name,
            keys,
            scopes,
            dpop_required: new.dpop_required.unwrap_or(true),
            roles,
            created: now,
        };
        match self.service_apps.get_mut(&client_id) {
            Some(existing) => {
                let created = existing.created;
                *existing = ServiceApp { created, ..app };
            }
            None => {
                let seq = self.next_seq();
                self.service_apps.insert(seq, app);
            }
        }
        self.service_apps.found(&client_id, "ServiceApp")
    }

    pub fn service_app(&self, client_id: &str) -> Option<&ServiceApp> {
        self.service_apps.get(client_id)
    }

    pub fn delete_service_app(&mut self, client_id: &str) -> Result<(), ApiError> {
        self.service_apps.found(client_id, "ServiceApp")?;
        self.service_apps.remove(client_id);
        Ok(())
    }
}
