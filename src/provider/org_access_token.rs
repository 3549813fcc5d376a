//! The ephemeral resource `okta_msp_org_access_token` (Terraform >= 1.10): an OAuth access token
//! of an org's service app (`org_credentials`), minted when Terraform opens it, for another
//! provider (okta/okta's `access_token`) to use in the same run. Never in a plan or state:
//! Terraform keeps ephemeral values in memory only.
//!
//! Only bearer tokens are handed out. A DPoP-bound token is useless to another client, which
//! cannot sign the proofs it needs with this app's key, so such an app is refused at open, with
//! the app settings that give a bearer token.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::okta::{Client, OrgUrl};
use tfplugin6::schema::{Attribute, Schema};
use tfplugin6::{
    Diagnostics, EphemeralResource, OpenRequest, OpenResponse, RenewRequest, RenewResponse, Type,
    ValidateRequest, Value,
};

use super::ProviderContext;
use super::diag;
use super::org_access::client_options;
use super::provider_config::normalize_org_url;

pub const TYPE_NAME: &str = "okta_msp_org_access_token";

pub mod attr {
    pub const ORG_URL: &str = "org_url";
    pub const SCOPES: &str = "scopes";
    pub const ACCESS_TOKEN: &str = "access_token";
    pub const CLIENT_ID: &str = "client_id";
    pub const EXPIRES_AT: &str = "expires_at";
}

/// Renewal is asked for this long before the token expires, so the warning that it cannot be
/// replaced comes while it still works.
const WARN_BEFORE_EXPIRY: Duration = Duration::from_secs(120);

pub struct OrgAccessToken {
    shared: Arc<ProviderContext>,
}

impl OrgAccessToken {
    pub fn new(shared: Arc<ProviderContext>) -> OrgAccessToken {
        OrgAccessToken { shared }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        "An OAuth 2.0 access token of an org's service app (the org's `org_credentials` entry in \
         the provider block), for another provider to use in the same run: okta/okta's \
         `access_token`, so that both providers run on one credential and nothing is stored. \
         Terraform opens it when the run needs it; the token is in neither the plan nor the \
         state. It is a bearer token: an app that requires DPoP (Okta's *Require Demonstrating \
         Proof of Possession (DPoP) header in token requests*, or `use_dpop = true`) issues \
         tokens only its own key can use, and is refused. A token lives as long as Okta says \
         (an hour for the org authorization server); Terraform cannot replace an open ephemeral \
         value, so a run that outlasts it gets a warning before it expires.",
        vec![
            Attribute::string(attr::ORG_URL)
                .required()
                .description("The org's URL, as written in the provider's `org_credentials`."),
            Attribute::new(attr::SCOPES, Type::list(Type::String))
                .optional()
                .description(
                    "The scopes to request, each granted to the app in Okta (e.g. \
                     `okta.groups.manage` for okta/okta's `okta_group`). Default: the scopes of \
                     the app's `org_credentials` entry.",
                ),
            Attribute::string(attr::ACCESS_TOKEN)
                .computed()
                .sensitive()
                .description("The access token, for okta/okta's `access_token`."),
            Attribute::string(attr::CLIENT_ID)
                .computed()
                .description("The service app's client id."),
            Attribute::string(attr::EXPIRES_AT)
                .computed()
                .description("When the token expires (RFC 3339, UTC)."),
        ],
    )
}

/// What renewal needs to know; no token in it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Opened {
    org_url: String,
    expires_at: String,
}

fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::from(at))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[async_trait]
impl EphemeralResource for OrgAccessToken {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        let problems = diag::org_url_problems(
            request.config.get(attr::ORG_URL).and_then(Value::as_str),
            attr::ORG_URL,
        );
        problems.into_result()
    }

    async fn open(&self, request: OpenRequest) -> Result<OpenResponse, Diagnostics> {
        let config = self
            .shared
            .config()
            .map_err(|error| diag::access(error, attr::ORG_URL))?;
        let org_url = request
            .config
            .get(attr::ORG_URL)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let normalized = normalize_org_url(&org_url);
        let Some(app) = config.org_service_apps.get(&normalized) else {
            return Err(diag::no_service_app_for_token(&org_url, attr::ORG_URL));
        };
        if app.use_dpop {
            return Err(diag::dpop_token_refused(&org_url, &app.client_id));
        }
        let mut service_app = app.service_app();
        if let Some(scopes) = request
            .config
            .get(attr::SCOPES)
            .and_then(Value::as_elements)
        {
            service_app.scopes = scopes
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        let client_id = service_app.client_id.clone();
        let url = OrgUrl::parse(&normalized)
            .map_err(|error| Diagnostics::from(diag::okta("minting an access token", &error)))?;
        let client = Client::with_service_app(url, service_app, client_options(config))
            .map_err(|error| Diagnostics::from(diag::okta("minting an access token", &error)))?;
        let requested = SystemTime::now();
        let token = match client.issue_access_token().await {
            Some(Ok(token)) => token,
            Some(Err(error)) => {
                return Err(diag::okta("minting an access token", &error).into());
            }
            None => return Err(diag::no_service_app_for_token(&org_url, attr::ORG_URL)),
        };
        if token.dpop_bound {
            // Dropped unseen: Okta bound it to this app's key.
            return Err(diag::dpop_token_refused(&org_url, &client_id));
        }
        let expires = requested + token.lifetime;
        let expires_at = rfc3339(expires);
        let mut result = request.config.clone();
        if let Value::Object(attributes) = &mut result {
            attributes.insert(
                attr::ACCESS_TOKEN.into(),
                Value::string(token.value.expose()),
            );
            attributes.insert(attr::CLIENT_ID.into(), Value::string(client_id));
            attributes.insert(attr::EXPIRES_AT.into(), Value::string(expires_at.clone()));
        }
        let private = serde_json::to_vec(&Opened {
            org_url,
            expires_at,
        })
        .unwrap_or_default();
        Ok(OpenResponse {
            result,
            private,
            renew_at: Some(expires.checked_sub(WARN_BEFORE_EXPIRY).unwrap_or(requested)),
            warnings: Diagnostics::new(),
        })
    }

    /// Terraform cannot take a new value from an open ephemeral resource, and an access token
    /// cannot be extended: the run is told, while the token still works, when it ends.
    async fn renew(&self, request: RenewRequest) -> Result<RenewResponse, Diagnostics> {
        let opened: Option<Opened> = serde_json::from_slice(&request.private).ok();
        let (org_url, expires_at) = opened
            .map(|opened| (opened.org_url, opened.expires_at))
            .unwrap_or_default();
        Ok(RenewResponse {
            private: request.private,
            renew_at: None,
            warnings: diag::access_token_expiring(&org_url, &expires_at).into(),
        })
    }
}
