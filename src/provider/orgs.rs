//! Access to customer orgs for the resources of one provider instance: which token to use, one
//! client per org (so the rate limiter and connections are shared by every resource of the
//! org), and per-run facts fetched once per org instead of once per resource (the org's id, the
//! service account group and its members).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::okta::{Client, ClientOptions, OktaError, OrgUrl};
use crate::secret::Secret;

use super::baseline::{BaselineObjects, ObservedBaseline, ensure_baseline, observe_baseline};
use super::config::{ProviderConfig, normalize_org_url};
use crate::rules::baseline::SecuringBaseline;

/// Why an org cannot be reached, before any request is made.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the provider is not configured yet")]
    NotConfigured,
    #[error(
        "no API token for {org_url}: set org_api_token on the resource, or add the org to the provider's org_tokens (or OKTA_MSP_ORG_TOKENS)"
    )]
    NoToken { org_url: String },
    #[error(transparent)]
    Okta(#[from] OktaError),
}

/// One org as this provider instance sees it during one Terraform run.
pub struct OrgContext {
    pub client: Client,
    /// `GET /api/v1/org`, once.
    org_id: tokio::sync::OnceCell<String>,
    /// The service account group's id, once known (found by a read, or ensured with the
    /// baseline).
    group_id: tokio::sync::OnceCell<String>,
    /// The securing baseline's objects, ensured once per run: several accounts of one org set up
    /// in the same apply must not each create the policies.
    baseline: tokio::sync::OnceCell<BaselineObjects>,
    /// The baseline as observed, once per run, shared by every read of the org.
    observed: tokio::sync::OnceCell<ObservedBaseline>,
    /// The group's members, listed once per run and shared by every read of the org; additions
    /// made by this process are recorded so later checks in the same run see them.
    members: tokio::sync::OnceCell<Mutex<HashSet<String>>>,
}

impl OrgContext {
    fn new(client: Client) -> OrgContext {
        OrgContext {
            client,
            org_id: tokio::sync::OnceCell::new(),
            group_id: tokio::sync::OnceCell::new(),
            baseline: tokio::sync::OnceCell::new(),
            observed: tokio::sync::OnceCell::new(),
            members: tokio::sync::OnceCell::new(),
        }
    }

    /// The id of the org that answers at this URL.
    pub async fn org_id(&self) -> Result<String, OktaError> {
        self.org_id
            .get_or_try_init(|| async { self.client.get_org().await.map(|org| org.id) })
            .await
            .cloned()
    }

    /// Creates or repairs the group, policies and zone of the securing baseline, once per run.
    pub async fn ensure_baseline(
        &self,
        baseline: &SecuringBaseline,
    ) -> Result<&BaselineObjects, OktaError> {
        let objects = self
            .baseline
            .get_or_try_init(|| async { ensure_baseline(&self.client, baseline).await })
            .await?;
        let _ = self.group_id.set(objects.group_id.clone());
        Ok(objects)
    }

    /// The baseline's policies and zone as Okta has them, observed once per run. Without the
    /// group there is nothing to observe: every policy reads as missing.
    pub async fn observed_baseline(
        &self,
        baseline: &SecuringBaseline,
        group_id: Option<&str>,
    ) -> Result<&ObservedBaseline, OktaError> {
        self.observed
            .get_or_try_init(|| async {
                match group_id {
                    Some(group_id) => observe_baseline(&self.client, baseline, group_id).await,
                    None => Ok(ObservedBaseline::missing()),
                }
            })
            .await
    }

    /// The service account group's id without creating it (reads never write).
    pub async fn existing_group_id(&self, name: &str) -> Result<Option<String>, OktaError> {
        if let Some(id) = self.group_id.get() {
            return Ok(Some(id.clone()));
        }
        match self.client.find_group_by_name(name).await? {
            Some(group) => {
                let _ = self.group_id.set(group.id.clone());
                Ok(Some(group.id))
            }
            None => Ok(None),
        }
    }

    /// Whether `user_id` is in the group, from one listing of its members per run.
    pub async fn is_member(&self, group_id: &str, user_id: &str) -> Result<bool, OktaError> {
        if group_id.is_empty() {
            return Ok(false);
        }
        let members = self
            .members
            .get_or_try_init(|| async {
                let members = self.client.list_group_members(group_id).await?;
                Ok::<_, OktaError>(Mutex::new(
                    members.into_iter().map(|user| user.id).collect(),
                ))
            })
            .await?;
        Ok(members
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(user_id))
    }

    /// Adds `user_id` to the group and to the cached membership.
    pub async fn add_member(&self, group_id: &str, user_id: &str) -> Result<(), OktaError> {
        self.client.add_user_to_group(group_id, user_id).await?;
        if let Some(members) = self.members.get() {
            members
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(user_id.to_owned());
        }
        Ok(())
    }
}

/// Every org this provider instance has talked to, by URL and token.
#[derive(Default)]
pub struct Orgs {
    contexts: Mutex<HashMap<(String, u64), Arc<OrgContext>>>,
}

impl Orgs {
    /// The org at `org_url`, reached with `token` if the resource passes one, else the
    /// provider's `org_tokens` entry.
    pub fn get(
        &self,
        config: &ProviderConfig,
        org_url: &str,
        token: Option<&str>,
    ) -> Result<Arc<OrgContext>, AccessError> {
        let normalized = normalize_org_url(org_url);
        let token =
            match token {
                Some(token) if !token.is_empty() => Secret::new(token),
                _ => config.org_tokens.get(&normalized).cloned().ok_or_else(|| {
                    AccessError::NoToken {
                        org_url: normalized.clone(),
                    }
                })?,
            };
        // The token only distinguishes cache entries in this process; it is never stored.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        token.expose().hash(&mut hasher);
        let key = (normalized.clone(), hasher.finish());
        let mut contexts = self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(context) = contexts.get(&key) {
            return Ok(context.clone());
        }
        let url = OrgUrl::parse(&normalized)?;
        let client = Client::new(url, token, client_options(config))?;
        let context = Arc::new(OrgContext::new(client));
        contexts.insert(key, context.clone());
        Ok(context)
    }

    /// A client for the partner org (Org Creator API).
    pub fn partner(&self, config: &ProviderConfig) -> Result<Client, AccessError> {
        let url = config.partner_url.clone().ok_or(AccessError::NoToken {
            org_url: "the partner org (partner_url or OKTA_MSP_PARTNER_URL)".into(),
        })?;
        let token = config
            .partner_token
            .clone()
            .ok_or_else(|| AccessError::NoToken {
                org_url: format!("{url} (partner_token or OKTA_MSP_PARTNER_TOKEN)"),
            })?;
        Ok(Client::new(
            OrgUrl::parse(&url)?,
            token,
            client_options(config),
        )?)
    }
}

fn client_options(config: &ProviderConfig) -> ClientOptions {
    ClientOptions {
        max_retries: config.max_retries,
        request_timeout: Duration::from_secs(config.request_timeout_seconds),
        ..ClientOptions::default()
    }
}
