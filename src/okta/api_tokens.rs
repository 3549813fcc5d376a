//! API token metadata (Okta has no API that mints or reveals a token).

use serde::Deserialize;
use serde_json::Value;

use super::client::{Call, Client};
use super::error::OktaError;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The owner: the token dies with this user.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    /// Idle expiry, e.g. `P30D`.
    #[serde(default)]
    pub token_window: Option<String>,
    /// The network condition (`{connection, include, exclude}`), as Okta sent it.
    #[serde(default)]
    pub network: Option<Value>,
}

impl Client {
    /// Metadata of the org's active API tokens.
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, OktaError> {
        let call = Call::get("/api/v1/api-tokens", "/api/v1/api-tokens".to_owned());
        self.fetch_all(call, "list of API tokens").await
    }
}
