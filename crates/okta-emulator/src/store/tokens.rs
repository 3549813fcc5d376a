//! API tokens: authentication by secret, and reading, updating, creating (as the Admin Console
//! does) and revoking tokens.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::Row;
use super::{ApiError, Audit, Org, UserStatus};
use crate::util::okta_id;

/// "API tokens expire 30 days after they were last used" (Okta's "Create an API token" guide,
/// developer.okta.com create-an-api-token); the reference's `tokenWindow` is `P30D`.
pub const TOKEN_WINDOW_MILLIS: i64 = 30 * 24 * 3600 * 1000;

/// How finely a token's last use is kept: a day. Okta documents no granularity, and its recorded
/// `expiresAt` stays the same across calls made with the token minutes apart (terraform-provider-
/// okta's API token recording), so a use within a day of the last one recorded moves nothing.
const LAST_USE_GRANULARITY_MILLIS: i64 = 24 * 3600 * 1000;

/// Who a request acts as: the owner of an API token, or a service app holding an access token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The token's owner; empty for a service app.
    pub user_id: String,
    /// The API token's id; empty for a service app.
    pub token_id: String,
    /// The service app (`client_id`) whose access token was presented.
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub secret: String,
    pub name: String,
    pub user_id: String,
    pub client_name: String,
    pub created: i64,
    pub last_updated: i64,
    pub network: Value,
    /// When it was last used, to the day; 0 (data files written before this was kept) means
    /// its creation.
    #[serde(default)]
    pub last_used: i64,
}

impl ApiToken {
    pub fn last_use(&self) -> i64 {
        self.last_used.max(self.created)
    }

    /// When it expires unless it is used before.
    pub fn expires_at(&self) -> i64 {
        self.last_use() + TOKEN_WINDOW_MILLIS
    }
}

impl Row for ApiToken {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Org {
    /// The owner of `secret`, if it is a live token of this org at `now`: not revoked, its owner
    /// not deprovisioned, and used within the last 30 days.
    pub fn authenticate(&self, secret: &str, now: i64) -> Result<Principal, ApiError> {
        let token_id = self.secrets.get(secret).ok_or(ApiError::InvalidToken)?;
        let token = self.tokens.get(token_id).ok_or(ApiError::InvalidToken)?;
        if now >= token.expires_at() {
            return Err(ApiError::InvalidToken);
        }
        let owner = self
            .users
            .get(&token.user_id)
            .ok_or(ApiError::InvalidToken)?;
        if owner.status == UserStatus::Deprovisioned {
            return Err(ApiError::InvalidToken);
        }
        Ok(Principal {
            user_id: owner.id.clone(),
            token_id: token.id.clone(),
            client_id: None,
        })
    }

    /// Records a use of the token (to the day): it now expires 30 days after this one.
    pub fn note_token_use(&mut self, token_id: &str, now: i64) {
        let stale = self
            .tokens
            .get(token_id)
            .is_some_and(|token| now - token.last_use() >= LAST_USE_GRANULARITY_MILLIS);
        if stale && let Some(token) = self.tokens.get_mut(token_id) {
            token.last_used = now;
        }
    }

    /// The id of the token whose secret this is, if it is one of this org's.
    pub fn token_id_of(&self, secret: &str) -> Option<&str> {
        self.secrets.get(secret).map(String::as_str)
    }

    /// A deactivated user's tokens die with it.
    pub(super) fn revoke_tokens_of(&mut self, audit: &Audit, user_id: &str) {
        let revoked: Vec<ApiToken> = self
            .tokens
            .values()
            .filter(|token| token.user_id == user_id)
            .cloned()
            .collect();
        for token in revoked {
            self.tokens.remove(&token.id);
            self.secrets.remove(&token.secret);
            self.emit(
                audit,
                "system.api_token.revoke",
                "Revoke API token",
                vec![token_target(&token)],
                json!({}),
            );
        }
    }

    pub fn find_token(&self, id: &str) -> Result<&ApiToken, ApiError> {
        self.tokens.found(id, "Token")
    }

    pub fn update_token(
        &mut self,
        audit: &Audit,
        id: &str,
        name: Option<String>,
        network: Option<Value>,
    ) -> Result<&ApiToken, ApiError> {
        self.find_token(id)?;
        if let Some(network) = &network {
            let connection = network
                .get("connection")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !["ANYWHERE", "ZONE"].contains(&connection) {
                return Err(ApiError::invalid(
                    "network.connection: Must be ANYWHERE or ZONE",
                ));
            }
            let conditions = json!({ "network": network });
            self.validate_people(&conditions)?;
        }
        let token = self.tokens.found_mut(id, "Token")?;
        if let Some(name) = name {
            token.name = name;
        }
        if let Some(network) = network {
            token.network = network;
        }
        token.last_updated = audit.now;
        let target = token_target(token);
        self.emit(
            audit,
            "system.api_token.update",
            "Update API token",
            vec![target],
            json!({}),
        );
        self.tokens.found(id, "Token")
    }

    /// What an admin signed in as `id_or_login` does in the Admin Console (Security > API >
    /// Tokens > Create token): a new API token owned by that user, the secret shown once. Okta
    /// has no API for it; the control plane asks, as a test following the provider's recovery
    /// steps for an org whose token was lost must. The owner must be an active admin (its own
    /// roles or a group's).
    pub fn create_token_as_admin(
        &mut self,
        id_or_login: &str,
        name: &str,
        audit: &Audit,
    ) -> Result<ApiToken, ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.get(&user_id).ok_or(ApiError::Internal)?;
        if user.status != UserStatus::Active || self.held_roles(&user_id).is_empty() {
            return Err(ApiError::invalid(
                "Only an active user with an admin role can create API tokens",
            ));
        }
        let now = audit.now;
        let token = ApiToken {
            id: okta_id("00T"),
            secret: crate::util::api_token_secret(),
            name: name.to_string(),
            user_id: user_id.clone(),
            client_name: "Okta API".to_string(),
            created: now,
            last_updated: now,
            network: json!({ "connection": "ANYWHERE" }),
            last_used: now,
        };
        self.secrets.insert(token.secret.clone(), token.id.clone());
        let seq = self.next_seq();
        self.tokens.insert(seq, token.clone());
        let audit = Audit {
            user_id,
            client_id: None,
            token_id: String::new(),
            ..audit.clone()
        };
        self.emit(
            &audit,
            "system.api_token.create",
            "Create API token",
            vec![token_target(&token)],
            json!({}),
        );
        Ok(token)
    }

    pub fn revoke_token(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let token = self.find_token(id)?.clone();
        self.tokens.remove(id);
        self.secrets.remove(&token.secret);
        self.emit(
            audit,
            "system.api_token.revoke",
            "Revoke API token",
            vec![token_target(&token)],
            json!({}),
        );
        Ok(())
    }
}

fn token_target(token: &ApiToken) -> Value {
    json!({ "id": token.id, "type": "Token", "alternateId": token.user_id, "displayName": token.name, "detailEntry": null })
}
