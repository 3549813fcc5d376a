//! What a provider implements: the provider itself, its managed resources and its data sources.
//! Handlers take request structs and return `Result`s; the server (`server.rs`) turns `Err`
//! diagnostics, panics and cancellations into protocol responses.

use std::sync::Arc;

use async_trait::async_trait;

use super::diagnostics::{AttributePath, Diagnostics};
use super::schema::Schema;
use super::value::Value;

/// Lets handlers notice `StopProvider` (Terraform's answer to Ctrl-C). The server also races every
/// handler against it, so a handler that never looks is still cancelled.
#[derive(Clone, Debug)]
pub struct StopSignal {
    receiver: tokio::sync::watch::Receiver<u64>,
}

impl StopSignal {
    pub(crate) fn new(receiver: tokio::sync::watch::Receiver<u64>) -> StopSignal {
        let mut signal = StopSignal { receiver };
        // Only stops requested after this request started count.
        signal.receiver.mark_unchanged();
        signal
    }

    /// A signal that never fires, for in-process callers and tests.
    pub fn never() -> StopSignal {
        let (sender, receiver) = tokio::sync::watch::channel(0);
        // Keep the channel open forever so `stopped` never returns.
        std::mem::forget(sender);
        StopSignal { receiver }
    }

    pub fn is_stopped(&self) -> bool {
        self.receiver.has_changed().unwrap_or(true)
    }

    /// Resolves when Terraform asks the provider to stop.
    pub async fn stopped(&mut self) {
        let _ = self.receiver.changed().await;
    }
}

#[derive(Clone, Debug)]
pub struct ConfigureRequest {
    pub terraform_version: String,
    pub config: Value,
}

#[derive(Clone, Debug)]
pub struct ValidateRequest {
    /// May contain unknown values (for example attributes that come from other resources).
    pub config: Value,
}

#[derive(Clone, Debug)]
pub struct ReadRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
    pub stop: StopSignal,
}

/// `new_state` null means the object is gone; Terraform then plans to create it again.
#[derive(Clone, Debug)]
pub struct ReadResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub warnings: Diagnostics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanAction {
    /// No prior object: a new resource, or the create half of a replace (in which case
    /// `prior_private` carries what the update half of the same replace planned).
    Create,
    Update,
    /// Proposed state is null: Terraform intends to destroy the object (the provider
    /// advertises `plan_destroy`). The planned state must stay null.
    Destroy,
}

#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub action: PlanAction,
    pub prior_state: Value,
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub stop: StopSignal,
}

#[derive(Clone, Debug)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub warnings: Diagnostics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyAction {
    Create,
    Update,
    Delete,
}

#[derive(Clone, Debug)]
pub struct ApplyRequest {
    pub action: ApplyAction,
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
    pub stop: StopSignal,
}

/// `diagnostics` may hold errors even in `Ok`: a create that failed midway returns the partial
/// object it made, so Terraform records it and the next apply resumes instead of starting over.
#[derive(Clone, Debug)]
pub struct ApplyResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub id: String,
    pub stop: StopSignal,
}

#[derive(Clone, Debug)]
pub struct ImportResponse {
    pub state: Value,
    pub private: Vec<u8>,
    pub warnings: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadDataRequest {
    pub config: Value,
    pub stop: StopSignal,
}

#[derive(Clone, Debug)]
pub struct ReadDataResponse {
    pub state: Value,
    pub warnings: Diagnostics,
}

/// The provider: its configuration and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's schema (its `provider "..." {}` block).
    fn schema(&self) -> Schema;

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Static checks of the provider block. `Ok` carries warnings.
    async fn validate(&self, _request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    /// Called once per provider instance before any resource operation.
    async fn configure(&self, request: ConfigureRequest) -> Result<Diagnostics, Diagnostics>;
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The full type name, e.g. `okta_msp_org`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks (`terraform validate`); no network. `Ok` carries warnings.
    async fn validate(&self, _request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    /// Converts stored state written under schema `version` to the current schema. The default
    /// accepts the current version and rejects newer ones.
    async fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let current = self.schema().version;
        if version > current {
            return Err(super::diagnostics::Diagnostic::error(
                "State was written by a newer provider",
                format!(
                    "The state of this {} has schema version {version}, and this provider knows versions up to {current}. Upgrade the provider.",
                    self.type_name()
                ),
            )
            .into());
        }
        Ok(state)
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics>;

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics>;

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics>;

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics>;
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    async fn validate(&self, _request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    async fn read(&self, request: ReadDataRequest) -> Result<ReadDataResponse, Diagnostics>;
}
