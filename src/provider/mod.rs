//! Glue between the plugin protocol and the domain: the provider's configuration, one folder per
//! Terraform type (`service_account/`, `org/`, `data_sources/`) sharing the account pipeline in
//! `accounts/`, and `diag.rs`, the one place that turns errors and rule violations into
//! diagnostics. ARCHITECTURE.md has the map.

pub mod accounts;
pub mod baseline;
pub mod configuration_location;
pub mod data_sources;
pub mod diag;
pub mod digest;
pub mod docs;
pub mod fleet_app;
pub mod fleet_key;
pub mod functions;
pub mod held_roles;
pub mod known_after_apply;
pub mod org;
pub mod org_access;
pub mod org_access_token;
pub mod password;
pub mod private;
pub mod progress;
pub mod provider_config;
pub mod service_account;
pub mod service_apps;
pub mod typed_value;
pub mod verify;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use provider_config::ProviderConfig;
use tfplugin6::{
    ConfigureRequest, DataSource, Diagnostics, ListResource, Provider, Resource, Schema,
    ValidateRequest,
};

/// The provider's source address in the registry.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/zerotek/okta-msp";

/// State shared by every resource of one provider instance.
#[derive(Default)]
pub struct ProviderContext {
    /// Set once by `ConfigureProvider`.
    pub config: OnceLock<ProviderConfig>,
    /// Clients and per-run facts of every org the resources talk to.
    pub org_access: org_access::OrgAccess,
    /// What this run's refresh found in state, so that the replacement of a tainted object is
    /// recognised as the resource's own (see `seen.rs`).
    pub seen: org_access::SeenInState,
    /// The provider block as `ConfigureProvider` sent it: what the org's birth helper process
    /// is given (on its stdin) to configure itself the same way.
    pub config_value: OnceLock<tfplugin6::Value>,
    /// This provider's own program, which runs an org's birth as a helper process (issue 25);
    /// `None` (in-process tests) runs it in a task.
    pub birth_helper: Option<std::path::PathBuf>,
}

impl ProviderContext {
    /// The securing baseline the provider configuration asks for (defaults before configure).
    /// This configuration's `baseline_owner` (empty when unnamed or not configured yet).
    pub fn baseline_owner(&self) -> String {
        self.config
            .get()
            .map(|config| config.baseline_owner.clone())
            .unwrap_or_default()
    }

    pub fn baseline(&self) -> crate::rules::baseline::SecuringBaseline {
        self.config
            .get()
            .map(|config| config.baseline.clone())
            .unwrap_or_default()
    }

    /// The provider configuration; resource operations run only after `ConfigureProvider`.
    pub fn config(&self) -> Result<&ProviderConfig, org_access::AccessError> {
        self.config
            .get()
            .ok_or(org_access::AccessError::NotConfigured)
    }
}

/// The `okta-msp` provider (local name `okta`).
#[derive(Default)]
pub struct OktaMspProvider {
    shared: Arc<ProviderContext>,
}

impl OktaMspProvider {
    /// A provider whose org creates run their birth in a helper process: `program` started with
    /// `org::BIRTH_HELPER_ARGUMENT` (the provider binary itself).
    pub fn with_birth_helper(program: std::path::PathBuf) -> OktaMspProvider {
        OktaMspProvider {
            shared: Arc::new(ProviderContext {
                birth_helper: Some(program),
                ..ProviderContext::default()
            }),
        }
    }
}

#[async_trait]
impl Provider for OktaMspProvider {
    fn schema(&self) -> Schema {
        provider_config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(org::OrgResource::new(self.shared.clone())),
            Arc::new(service_account::ServiceAccountResource::new(
                self.shared.clone(),
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(
                data_sources::service_accounts::ServiceAccountsDataSource::new(self.shared.clone()),
            ),
            Arc::new(data_sources::audit_events::AuditEventsDataSource::new(
                self.shared.clone(),
            )),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(service_account::ServiceAccountList::new(
            self.shared.clone(),
        ))]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn tfplugin6::EphemeralResource>> {
        vec![Arc::new(org_access_token::OrgAccessToken::new(
            self.shared.clone(),
        ))]
    }

    fn actions(&self) -> Vec<Arc<dyn tfplugin6::Action>> {
        vec![Arc::new(verify::Verify::new(self.shared.clone()))]
    }

    fn functions(&self) -> Vec<Arc<dyn tfplugin6::Function>> {
        vec![Arc::new(functions::KindRoles)]
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        // The same environment as `configure`: Terraform starts the provider with its own, and a
        // key named by `private_key_env` (or a token in `OKTA_MSP_ORG_TOKENS`) is only there.
        // Validating without it refused the documented CI path, keys in environment variables.
        ProviderConfig::from_value(&request.config, |name| std::env::var(name).ok())
            .map(|_| Diagnostics::new())
            .map_err(diag::from_config_errors)
    }

    async fn configure(&self, request: ConfigureRequest) -> Result<Diagnostics, Diagnostics> {
        let mut config =
            ProviderConfig::from_value(&request.config, |name| std::env::var(name).ok())
                .map_err(diag::from_config_errors)?;
        config.location = configuration_location::of_this_process();
        tracing::info!(
            terraform_version = %request.terraform_version,
            partner_url = ?config.partner_url,
            org_tokens = config.org_tokens.len(),
            "provider configured"
        );
        // A provider instance is configured once; a second call keeps the first configuration.
        if self.shared.config.set(config).is_ok() {
            let _ = self.shared.config_value.set(request.config);
        }
        Ok(Diagnostics::new())
    }
}
