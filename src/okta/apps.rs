//! OAuth 2.0 service apps as the management API makes them: an OIDC app of
//! `application_type: service` (`/api/v1/apps`), the Okta API scopes granted to it
//! (`/api/v1/apps/{appId}/grants`), its own admin roles (`/oauth2/v1/clients/{clientId}/roles`)
//! and the public keys it trusts for `private_key_jwt` (`/api/v1/apps/{appId}/credentials/jwks`).
//! Also the revocation of the API token a client sends (`DELETE /api/v1/api-tokens/current`).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{Call, Client, segment};
use super::error::OktaError;
use super::roles::{RoleAssigned, RoleAssignment};

/// An app as `/api/v1/apps` answers it; only what okta-msp reads, the rest kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub sign_on_mode: Option<String>,
    #[serde(default)]
    pub credentials: Value,
    #[serde(default)]
    pub settings: Value,
}

impl App {
    /// The app's OAuth `client_id` (Okta gives an OIDC app's id as its client id too).
    pub fn client_id(&self) -> &str {
        self.credentials
            .pointer("/oauthClient/client_id")
            .and_then(Value::as_str)
            .unwrap_or(&self.id)
    }

    /// Whether the app is an OIDC service app (client credentials, no user).
    pub fn is_service_app(&self) -> bool {
        self.settings
            .pointer("/oauthClient/application_type")
            .and_then(Value::as_str)
            == Some("service")
    }
}

/// One public key of an app, as `/credentials/jwks` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct AppKey {
    /// Okta's id of the key (`pks…`), for its lifecycle and delete.
    pub id: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// One scope granted to an app.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeGrant {
    #[serde(default)]
    pub id: Option<String>,
    pub scope_id: String,
    #[serde(default)]
    pub status: Option<String>,
}

impl Client {
    /// `POST /api/v1/apps`: an OIDC service app (client credentials, `private_key_jwt` with
    /// `public_keys`, DPoP-bound tokens as Okta defaults new API Services apps) labelled
    /// `label`, whose `client_id` is `client_id` when given (Okta lets the creator choose it: the
    /// reference's `ApplicationCredentialsOAuthClient.client_id`), with `admin_note` as its
    /// `settings.notes.admin` (the note admins read). Never replayed: the caller
    /// finds an app an unclear attempt made by its label, or Okta refuses the taken client id.
    pub async fn create_service_app(
        &self,
        label: &str,
        client_id: Option<&str>,
        admin_note: Option<&str>,
        public_keys: &[Value],
    ) -> Result<App, OktaError> {
        let mut body = json!({
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {
                "oauthClient": {
                    "autoKeyRotation": false,
                    "token_endpoint_auth_method": "private_key_jwt",
                }
            },
            "settings": {
                "oauthClient": {
                    "application_type": "service",
                    "grant_types": ["client_credentials"],
                    "response_types": ["token"],
                    "dpop_bound_access_tokens": true,
                    "jwks": { "keys": public_keys },
                }
            }
        });
        if let Some(client_id) = client_id {
            body["credentials"]["oauthClient"]["client_id"] = json!(client_id);
        }
        if let Some(note) = admin_note {
            body["settings"]["notes"] = json!({ "admin": note, "enduser": null });
        }
        let call =
            Call::new(Method::POST, "/api/v1/apps", "/api/v1/apps".to_owned()).json(&body)?;
        self.fetch(call, "service app").await
    }

    /// The apps whose name or label starts with `label` (Okta's `q`), filtered here to the
    /// service apps labelled exactly `label`.
    pub async fn service_apps_labelled(&self, label: &str) -> Result<Vec<App>, OktaError> {
        let call = Call::get("/api/v1/apps", "/api/v1/apps".to_owned())
            .query("q", label)
            .query("limit", 200);
        let apps: Vec<App> = self.fetch_all(call, "list of apps").await?;
        Ok(apps
            .into_iter()
            .filter(|app| app.label.as_deref() == Some(label) && app.is_service_app())
            .collect())
    }

    /// `GET /api/v1/apps/{appId}`.
    pub async fn get_app(&self, app_id: &str) -> Result<App, OktaError> {
        let call = Call::get(
            "/api/v1/apps/{appId}",
            format!("/api/v1/apps/{}", segment(app_id)),
        );
        self.fetch(call, "app").await
    }

    /// The scopes granted to the app.
    pub async fn list_app_grants(&self, app_id: &str) -> Result<Vec<ScopeGrant>, OktaError> {
        let call = Call::get(
            "/api/v1/apps/{appId}/grants",
            format!("/api/v1/apps/{}/grants", segment(app_id)),
        );
        self.fetch_all(call, "list of app grants").await
    }

    /// Grants `scope` of the org authorization server `issuer` (the org's URL) to the app.
    pub async fn grant_app_scope(
        &self,
        app_id: &str,
        issuer: &str,
        scope: &str,
    ) -> Result<(), OktaError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            issuer: &'a str,
            scope_id: &'a str,
        }
        let call = Call::new(
            Method::POST,
            "/api/v1/apps/{appId}/grants",
            format!("/api/v1/apps/{}/grants", segment(app_id)),
        )
        .json(&Body {
            issuer,
            scope_id: scope,
        })?
        // Granting a scope twice grants it once.
        .replay_safe();
        self.execute(call).await
    }

    /// The admin roles assigned to the app itself.
    pub async fn list_client_roles(
        &self,
        client_id: &str,
    ) -> Result<Vec<RoleAssignment>, OktaError> {
        let call = Call::get(
            "/oauth2/v1/clients/{clientId}/roles",
            format!("/oauth2/v1/clients/{}/roles", segment(client_id)),
        );
        self.fetch_all(call, "list of the app's roles").await
    }

    /// Assigns a standard admin role to the app (`assignmentType: CLIENT`).
    pub async fn assign_client_role(
        &self,
        client_id: &str,
        role_type: &str,
    ) -> Result<RoleAssigned, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            role_type: &'a str,
        }
        let call = Call::new(
            Method::POST,
            "/oauth2/v1/clients/{clientId}/roles",
            format!("/oauth2/v1/clients/{}/roles", segment(client_id)),
        )
        .json(&Body { role_type })?
        .replay_safe();
        match self.fetch(call, "the app's role assignment").await {
            Ok(assignment) => Ok(RoleAssigned::Assigned(Box::new(assignment))),
            Err(error) if error.is_role_already_assigned() => Ok(RoleAssigned::AlreadyAssigned),
            Err(error) => Err(error),
        }
    }

    /// The public keys the app trusts.
    pub async fn list_app_keys(&self, app_id: &str) -> Result<Vec<AppKey>, OktaError> {
        let call = Call::get(
            "/api/v1/apps/{appId}/credentials/jwks",
            format!("/api/v1/apps/{}/credentials/jwks", segment(app_id)),
        );
        self.fetch_all(call, "list of the app's keys").await
    }

    /// Adds a public key (a JWK with its `kid`), active.
    pub async fn add_app_key(&self, app_id: &str, public_key: &Value) -> Result<AppKey, OktaError> {
        let mut body = public_key.clone();
        body["status"] = json!("ACTIVE");
        let call = Call::new(
            Method::POST,
            "/api/v1/apps/{appId}/credentials/jwks",
            format!("/api/v1/apps/{}/credentials/jwks", segment(app_id)),
        )
        .json(&body)?;
        self.fetch(call, "the app's new key").await
    }

    /// Removes a key: Okta deletes only an inactive key, so it is deactivated first.
    pub async fn remove_app_key(&self, app_id: &str, key_id: &str) -> Result<(), OktaError> {
        let deactivate = Call::new(
            Method::POST,
            "/api/v1/apps/{appId}/credentials/jwks/{keyId}/lifecycle/deactivate",
            format!(
                "/api/v1/apps/{}/credentials/jwks/{}/lifecycle/deactivate",
                segment(app_id),
                segment(key_id)
            ),
        )
        .replay_safe();
        self.execute(deactivate).await?;
        let delete = Call::new(
            Method::DELETE,
            "/api/v1/apps/{appId}/credentials/jwks/{keyId}",
            format!(
                "/api/v1/apps/{}/credentials/jwks/{}",
                segment(app_id),
                segment(key_id)
            ),
        );
        match self.execute(delete).await {
            Err(error) if error.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// `DELETE /api/v1/api-tokens/current`: revokes the API token this client sends. The
    /// client cannot be used afterwards.
    pub async fn revoke_current_api_token(&self) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/api-tokens/current",
            "/api/v1/api-tokens/current".to_owned(),
        );
        self.execute(call).await
    }
}
