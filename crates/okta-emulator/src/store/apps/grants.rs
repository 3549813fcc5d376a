//! Scope consent grants (`/api/v1/apps/{appId}/grants`): the Okta API scopes an admin granted to
//! an OAuth client, which its access tokens may then carry.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::rows_or_names;
use crate::store::{ApiError, Audit, Org};
use crate::util::okta_id;

/// Grants per app at most (Okta's management API has about 150 scopes).
const MAX_GRANTS: usize = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScopeGrant {
    /// `oag…`.
    pub id: String,
    pub scope_id: String,
    /// Who granted it: a user's id, or empty when the control plane registered the app.
    #[serde(default)]
    pub created_by: String,
    /// Whether `created_by` is a service app's client id rather than a user's id.
    #[serde(default)]
    pub created_by_client: bool,
    #[serde(default)]
    pub created: i64,
}

impl ScopeGrant {
    pub(super) fn new(scope_id: &str, audit: Option<&Audit>, now: i64) -> ScopeGrant {
        let (created_by, created_by_client) = match audit {
            Some(audit) => match &audit.client_id {
                Some(client_id) => (client_id.clone(), true),
                None => (audit.user_id.clone(), false),
            },
            None => (String::new(), false),
        };
        ScopeGrant {
            id: okta_id("oag"),
            scope_id: scope_id.to_string(),
            created_by,
            created_by_client,
            created: now,
        }
    }
}

/// Grants as saved, or (service apps saved before grants existed) plain scope names.
pub(super) fn deserialize_grants<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ScopeGrant>, D::Error> {
    rows_or_names(deserializer, |scope| ScopeGrant::new(&scope, None, 0))
}

/// An Okta API scope name: `okta.` and then letters, digits, dots and underscores. Okta refuses
/// scopes it does not know; the emulator checks the shape only (it keeps no scope catalogue).
pub fn valid_scope_name(scope: &str) -> bool {
    scope.len() <= 100
        && scope.strip_prefix("okta.").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"._".contains(&byte))
        })
}

impl Org {
    pub fn app_grant(&self, app_id: &str, grant_id: &str) -> Result<&ScopeGrant, ApiError> {
        self.app(app_id)?
            .grants
            .iter()
            .find(|grant| grant.id == grant_id)
            .ok_or_else(|| ApiError::not_found(grant_id, "OAuth2ScopeConsentGrant"))
    }

    /// Grants `scope_id` to the app, whose issuer must be the org's (its authorization server is
    /// the org's). A scope granted already is answered with its grant.
    pub fn grant_scope(
        &mut self,
        audit: &Audit,
        app_id: &str,
        issuer: &str,
        org_url: &str,
        scope_id: &str,
    ) -> Result<&ScopeGrant, ApiError> {
        let mut causes = Vec::new();
        if issuer.trim_end_matches('/') != org_url {
            causes.push(format!(
                "issuer: must be the org authorization server's issuer, {org_url}"
            ));
        }
        if !valid_scope_name(scope_id) {
            causes.push(format!("scopeId: '{scope_id}' is not an Okta scope"));
        }
        if !causes.is_empty() {
            return Err(super::validation(causes));
        }
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        if !app.is_oauth_client() {
            return Err(ApiError::invalid(
                "The app is not an OAuth 2.0 client: only those take scope grants",
            ));
        }
        if let Some(existing) = app.grants.iter().find(|grant| grant.scope_id == scope_id) {
            let id = existing.id.clone();
            return self.app_grant(app_id, &id);
        }
        if app.grants.len() >= MAX_GRANTS {
            return Err(ApiError::invalid(format!(
                "scopeId: an app takes at most {MAX_GRANTS} grants"
            )));
        }
        let grant = ScopeGrant::new(scope_id, Some(audit), audit.now);
        let id = grant.id.clone();
        app.grants.push(grant);
        let target = app.target();
        self.emit(
            audit,
            "app.oauth2.admin.consent.grant",
            "Admin consent grant",
            vec![target, scope_target(scope_id)],
            json!({}),
        );
        self.app_grant(app_id, &id)
    }

    pub fn revoke_grant(
        &mut self,
        audit: &Audit,
        app_id: &str,
        grant_id: &str,
    ) -> Result<(), ApiError> {
        let scope_id = self.app_grant(app_id, grant_id)?.scope_id.clone();
        let app = self.service_apps.found_mut(app_id, "AppInstance")?;
        app.grants.retain(|grant| grant.id != grant_id);
        let target = app.target();
        self.emit(
            audit,
            "app.oauth2.admin.consent.revoke",
            "Admin consent revoke",
            vec![target, scope_target(&scope_id)],
            json!({}),
        );
        Ok(())
    }
}

fn scope_target(scope_id: &str) -> Value {
    json!({ "id": scope_id, "type": "Scope", "alternateId": scope_id, "displayName": scope_id, "detailEntry": null })
}
