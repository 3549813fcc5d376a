//! What a provider implements: the provider itself, its managed resources, its data sources, its
//! list resources, its ephemeral resources and its functions. Handlers take request structs and
//! return `Result`s; the server (`server.rs`) turns `Err` diagnostics, panics and cancellations
//! into protocol responses.
//!
//! Everything added after protocol 6.4 (functions, ephemeral resources, resource identity, list
//! resources, generated configuration, moves across types) has a default that opts out, so a
//! provider that declares none of them compiles and behaves as before, on any Terraform >= 1.3.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;

use super::diagnostics::{AttributePath, Diagnostics};
use super::function::{FunctionError, FunctionSignature};
use super::schema::{IdentitySchema, Schema};
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
    /// The stored identity; null when the type has none, or the object was stored before it had
    /// one (or by Terraform < 1.12).
    pub current_identity: Value,
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
    /// Null when the type has no identity, when creating, and for objects stored without one.
    pub prior_identity: Value,
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
    /// What the plan said the identity would be (may hold unknowns for a create).
    pub planned_identity: Value,
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

/// `terraform import` and `import { id = ... }` set `id`; `import { identity = {...} }`
/// (Terraform >= 1.12) sets `identity` (an object of the identity schema's type, with null for any
/// attribute the user left out) and leaves `id` empty.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub id: String,
    pub identity: Value,
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

/// A `moved` block whose source is another resource type (or another provider's type). The
/// source's state and identity arrive as stored, in JSON under the source's schema versions,
/// because this provider may not know the source's schema.
#[derive(Clone, Debug)]
pub struct MoveRequest {
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    pub source_state: serde_json::Value,
    pub source_private: Vec<u8>,
    /// Null when the source had no identity.
    pub source_identity: serde_json::Value,
    pub source_identity_schema_version: i64,
    pub stop: StopSignal,
}

#[derive(Clone, Debug)]
pub struct MoveResponse {
    pub target_state: Value,
    pub target_private: Vec<u8>,
    pub warnings: Diagnostics,
}

/// `terraform plan -generate-config-out` and `terraform query -generate-config-out` (Terraform
/// >= 1.14) ask for the configuration of an object they only have the state of.
#[derive(Clone, Debug)]
pub struct GenerateConfigRequest {
    pub state: Value,
}

/// Validation of a `list` block in a `.tfquery.hcl` file. `include_resource_object` and `limit`
/// are values because they may still be unknown or null when Terraform validates.
#[derive(Clone, Debug)]
pub struct ValidateListRequest {
    pub config: Value,
    pub include_resource_object: Value,
    pub limit: Value,
}

#[derive(Clone, Debug)]
pub struct ListRequest {
    /// The list block's `config`, typed by the list resource's schema.
    pub config: Value,
    /// Whether each event should carry the full object (`include_resource = true`, or Terraform
    /// generating configuration from the results).
    pub include_resource_object: bool,
    /// At most this many objects are wanted; stop asking the remote API once they are sent.
    /// Zero or less means no limit was given.
    pub limit: i64,
    pub stop: StopSignal,
}

/// One result of a list resource: an object found, or a warning about something that could not
/// be searched (which Terraform reports and skips) or an error (which ends the query).
#[derive(Clone, Debug)]
pub struct ListEvent {
    /// An object of the managed resource type's identity schema; null only for a diagnostic-only
    /// event.
    pub identity: Value,
    /// For people, e.g. the lines `terraform query` prints.
    pub display_name: String,
    /// The object's state, sent only when the request asked for it.
    pub resource_object: Option<Value>,
    pub diagnostics: Diagnostics,
}

impl ListEvent {
    pub fn found(identity: Value, display_name: impl Into<String>) -> ListEvent {
        ListEvent {
            identity,
            display_name: display_name.into(),
            resource_object: None,
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn with_resource_object(mut self, state: Value) -> ListEvent {
        self.resource_object = Some(state);
        self
    }

    /// A diagnostic with no object: a warning lets the query go on, an error ends it.
    pub fn diagnostic(diagnostic: super::diagnostics::Diagnostic) -> ListEvent {
        ListEvent {
            identity: Value::Null,
            display_name: String::new(),
            resource_object: None,
            diagnostics: diagnostic.into(),
        }
    }
}

/// Where a list resource sends its events; the server streams them to Terraform as they come.
#[derive(Clone, Debug)]
pub struct ListSink {
    sender: tokio::sync::mpsc::Sender<ListEvent>,
}

/// Terraform stopped reading: the limit was reached, or the query was cancelled. The list
/// resource should stop calling the remote API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Terraform stopped reading the list results")]
pub struct ListClosed;

impl ListSink {
    pub(crate) fn new(sender: tokio::sync::mpsc::Sender<ListEvent>) -> ListSink {
        ListSink { sender }
    }

    /// Waits while Terraform is behind (the stream is bounded), so a slow reader slows the listing
    /// rather than filling memory.
    pub async fn send(&self, event: ListEvent) -> Result<(), ListClosed> {
        self.sender.send(event).await.map_err(|_| ListClosed)
    }

    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}

/// The provider: its configuration and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's schema (its `provider "..." {}` block).
    fn schema(&self) -> Schema;

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// List resources (`terraform query`, Terraform >= 1.14). Each one's type name must be that
    /// of a managed resource with an identity schema, whose identities it streams.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }

    /// Ephemeral resources (`ephemeral` blocks, Terraform >= 1.10): values that exist for one run
    /// and never reach a plan or state.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }

    /// Actions (`action` blocks, `terraform apply -invoke`, Terraform >= 1.14).
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }

    /// Provider-defined functions (`provider::NAME::FUNCTION(...)`, Terraform >= 1.8).
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

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

    /// The identity schema (protocol 6.9); `None`, the default, means the type has no identity,
    /// and Terraform then neither stores nor sends one.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes. The server calls it with every non-null
    /// state that read, plan, apply, import and move return, so the identity Terraform stores
    /// always follows the state and cannot drift from it. It may hold unknown values only in
    /// the plan of a create (the id is not known yet). Returns null when the type has no identity.
    fn identity(&self, _state: &Value) -> Result<Value, Diagnostics> {
        Ok(Value::Null)
    }

    /// Converts a stored identity written under identity schema `version` to the current one. The
    /// default accepts the current version and rejects the others.
    async fn upgrade_identity(
        &self,
        version: i64,
        identity: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let current = self.identity_schema().map(|schema| schema.version);
        if current == Some(version) {
            return Ok(identity);
        }
        Err(super::diagnostics::Diagnostic::error(
            "Stored identity has an unknown version",
            match current {
                Some(current) => format!(
                    "The stored identity of this {} has version {version}, and this provider knows version {current}. Use the provider version that wrote it, or remove the object from state and import it again.",
                    self.type_name()
                ),
                None => format!(
                    "The state holds an identity for this {}, which has no identity in this provider version.",
                    self.type_name()
                ),
            },
        )
        .into())
    }

    /// Whether `moved` blocks may bring objects of other types to this one; turns on the
    /// provider's `move_resource_state` capability.
    fn accepts_moves(&self) -> bool {
        false
    }

    /// Converts an object of another type, named by a `moved` block, into one of this type.
    async fn move_state(&self, request: MoveRequest) -> Result<MoveResponse, Diagnostics> {
        Err(super::diagnostics::Diagnostic::error(
            "Moving from another resource type is not supported",
            format!(
                "A `moved` block from {} to {} crosses resource types, which this provider does not support. `moved` blocks between addresses of the same type work as usual.",
                request.source_type_name,
                self.type_name()
            ),
        )
        .into())
    }

    /// Whether this type's apply keeps running after `StopProvider` (Ctrl-C) instead of being
    /// cancelled, and watches [`ApplyRequest::stop`] itself: for an object whose creation returns
    /// something once and only once (a credential), which a cancelled apply would lose. Such an
    /// apply returns what it made, promptly, once it sees the stop. Panics are still caught.
    fn finishes_apply_after_stop(&self) -> bool {
        false
    }

    /// Whether this type writes its own generated configuration. When any type does, the provider
    /// advertises `generate_resource_config` and Terraform asks every type; those that answer
    /// `false` get [`config_from_state`](super::schema::config_from_state), which is what
    /// Terraform does without the capability.
    fn generates_config(&self) -> bool {
        false
    }

    /// The configuration to write for an object known only by its state (after an import or a
    /// list event): a value of the schema's type, null where the configuration should say
    /// nothing, such that planning it against the state changes nothing.
    async fn generate_config(&self, request: GenerateConfigRequest) -> Result<Value, Diagnostics> {
        Ok(super::schema::config_from_state(
            &self.schema(),
            &request.state,
        ))
    }
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

/// A list resource type (protocol 6.10): finds existing objects of the managed resource type of
/// the same name and streams their identities, so `terraform query` can import them.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The same name as the managed resource type whose objects it lists.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config` block inside a `list` block.
    fn schema(&self) -> Schema;

    /// Static checks of the `list` block; no network. `Ok` carries warnings.
    async fn validate(&self, _request: ValidateListRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    /// Sends one event per object found, in any order, and returns when done or when
    /// [`ListSink::send`] says Terraform stopped reading. An `Err` ends the query with its
    /// diagnostics; a problem that spoils only part of the search (one unreachable org, say) is a
    /// warning event instead, so the rest still arrives.
    async fn list(&self, request: ListRequest, events: ListSink) -> Result<(), Diagnostics>;
}

#[derive(Clone, Debug)]
pub struct OpenRequest {
    /// Wholly known: Terraform defers opening an ephemeral resource until its configuration is.
    pub config: Value,
    pub stop: StopSignal,
}

/// `result` is a value of the schema's type, computed attributes filled in. `private` comes back
/// in every renew and close of this instance; Terraform never shows or stores it.
#[derive(Clone, Debug)]
pub struct OpenResponse {
    pub result: Value,
    pub private: Vec<u8>,
    /// When Terraform should call [`EphemeralResource::renew`] if the value is still in use then;
    /// `None` means never.
    pub renew_at: Option<SystemTime>,
    pub warnings: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct RenewRequest {
    pub private: Vec<u8>,
    pub stop: StopSignal,
}

/// A renewal extends what backs the value Terraform already has; it cannot change the value.
#[derive(Clone, Debug)]
pub struct RenewResponse {
    pub private: Vec<u8>,
    pub renew_at: Option<SystemTime>,
    pub warnings: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct CloseRequest {
    pub private: Vec<u8>,
    pub stop: StopSignal,
}

/// An ephemeral resource type (protocol 6.7): opened when a run needs its value, renewed while
/// the run lasts past `renew_at`, closed when the run no longer needs it.
#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks; no network. `Ok` carries warnings.
    async fn validate(&self, _request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    async fn open(&self, request: OpenRequest) -> Result<OpenResponse, Diagnostics>;

    /// Called only when `open` (or the last renew) set `renew_at`. The default keeps the value as
    /// it is and asks for no further renewal.
    async fn renew(&self, request: RenewRequest) -> Result<RenewResponse, Diagnostics> {
        Ok(RenewResponse {
            private: request.private,
            renew_at: None,
            warnings: Diagnostics::new(),
        })
    }

    /// Releases what `open` took (a lease, a session). The default has nothing to release. `Ok`
    /// carries warnings.
    async fn close(&self, _request: CloseRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }
}

/// A provider-defined function. Terraform expects functions to be pure: the same arguments give
/// the same result, with no I/O, and Terraform may call them before the provider is configured.
/// Hence `call` is synchronous and gets no configuration.
pub trait Function: Send + Sync + 'static {
    /// The name after `provider::NAME::`; letters, digits and underscores.
    fn name(&self) -> &'static str;

    fn signature(&self) -> FunctionSignature;

    /// `arguments` holds one value per parameter, then the variadic ones, each of its parameter's
    /// type (unknown or null only where the parameter allows it). The result must be of the
    /// return type.
    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError>;
}

#[derive(Clone, Debug)]
pub struct ActionRequest {
    /// At plan time it may hold unknown values; at invocation it is wholly known.
    pub config: Value,
    pub stop: StopSignal,
}

/// Where an invoked action reports progress; Terraform prints each message as it comes.
#[derive(Clone, Debug)]
pub struct ActionProgress {
    sender: tokio::sync::mpsc::Sender<String>,
}

impl ActionProgress {
    pub(crate) fn new(sender: tokio::sync::mpsc::Sender<String>) -> ActionProgress {
        ActionProgress { sender }
    }

    /// Sends one line. A Terraform that stopped reading is not the action's failure, so this
    /// never fails.
    pub async fn send(&self, message: impl Into<String>) {
        let _ = self.sender.send(message.into()).await;
    }
}

/// An action type (protocol 6.10): something Terraform invokes on demand or around a resource's
/// change, that has no state of its own.
#[async_trait]
pub trait Action: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks; no network. `Ok` carries warnings.
    async fn validate(&self, _request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    /// What a plan that includes the action may check beforehand. `Ok` carries warnings.
    async fn plan(&self, _request: ActionRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    /// Does the work, reporting progress on the way. An `Err` fails the action (and the apply
    /// that invoked it) with its diagnostics; `Ok` carries warnings.
    async fn invoke(
        &self,
        request: ActionRequest,
        progress: ActionProgress,
    ) -> Result<Diagnostics, Diagnostics>;
}
