//! The tfplugin6 `Provider` gRPC service: decodes requests, dispatches them to the registered
//! resource, data-source, list-resource, ephemeral-resource and function handlers, and encodes their results. Every handler call
//! goes through `guard`, so a panic or a `StopProvider` becomes an error diagnostic instead of a
//! dead plugin or a hung Terraform. Identities are computed here from the states handlers return
//! (`Resource::identity`), so what Terraform stores always follows the state.
//!
//! Size: over 800 lines on purpose. The service is one trait implementation with a method per
//! RPC of tfplugin6, each short and alike (decode, dispatch through `guard`, encode); kept
//! together they read as the protocol's table, and the helpers they share sit next to them.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::Stream;
use tonic::{Request, Response, Status};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::function::FunctionError;
use super::proto::tfplugin6 as wire;
use super::resource::{
    Action, ActionProgress, ActionRequest, ApplyAction, ApplyRequest, CloseRequest,
    ConfigureRequest, DataSource, EphemeralResource, Function, GenerateConfigRequest,
    ImportRequest, ListEvent, ListRequest, ListResource, ListSink, MoveRequest, OpenRequest,
    PlanAction, PlanRequest, Provider, ReadDataRequest, ReadRequest, RenewRequest, Resource,
    StopSignal, ValidateListRequest, ValidateRequest,
};
use super::schema::Schema;
use super::value::{self, Type, Value};

struct ResourceEntry {
    handler: Arc<dyn Resource>,
    schema: Schema,
    value_type: Type,
    /// `None` when the type has no identity.
    identity_type: Option<Type>,
}

struct ListResourceEntry {
    handler: Arc<dyn ListResource>,
    value_type: Type,
}

/// How many list events may wait for Terraform to read them before the list resource is made to
/// wait: enough to keep the stream busy, small enough that a huge listing is not buffered.
const LIST_EVENTS_IN_FLIGHT: usize = 32;

struct DataSourceEntry {
    handler: Arc<dyn DataSource>,
    value_type: Type,
}

struct EphemeralEntry {
    handler: Arc<dyn EphemeralResource>,
    value_type: Type,
}

struct ActionEntry {
    handler: Arc<dyn Action>,
    value_type: Type,
}

/// Progress lines an action may send before it waits for Terraform to read them.
const ACTION_PROGRESS_IN_FLIGHT: usize = 16;

struct FunctionEntry {
    handler: Arc<dyn Function>,
    parameter_types: Vec<Type>,
    variadic_type: Option<Type>,
    return_type: Type,
}

/// Serves one provider. Schemas and value types are computed once at start-up, since Terraform
/// asks for them on every run and every request needs them for decoding.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    list_resources: HashMap<String, ListResourceEntry>,
    ephemeral_resources: HashMap<String, EphemeralEntry>,
    functions: HashMap<String, FunctionEntry>,
    actions: HashMap<String, ActionEntry>,
    schema_response: wire::get_provider_schema::Response,
    identity_schemas: HashMap<String, wire::ResourceIdentitySchema>,
    capabilities: wire::ServerCapabilities,
    /// Bumped by `StopProvider`; every in-flight request watches it.
    stop: tokio::sync::watch::Sender<u64>,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> ProviderService {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let mut resources = HashMap::new();
        let mut resource_schemas = HashMap::new();
        let mut identity_schemas = HashMap::new();
        for handler in provider.resources() {
            let schema = handler.schema();
            resource_schemas.insert(handler.type_name().to_owned(), schema.clone().into_proto());
            let identity = handler.identity_schema();
            let identity_type = identity.as_ref().map(|identity| identity.value_type());
            if let Some(identity) = identity {
                identity_schemas.insert(handler.type_name().to_owned(), identity.into_proto());
            }
            resources.insert(
                handler.type_name().to_owned(),
                ResourceEntry {
                    value_type: schema.value_type(),
                    identity_type,
                    schema,
                    handler,
                },
            );
        }
        // Terraform pairs a list resource with the managed resource of the same name and decodes
        // its events with that resource's identity schema; a list resource without one would fail
        // every query, so the provider says so as soon as Terraform loads it.
        let mut schema_diagnostics = Diagnostics::new();
        let mut list_resources = HashMap::new();
        let mut list_resource_schemas = HashMap::new();
        for handler in provider.list_resources() {
            let type_name = handler.type_name();
            if resources
                .get(type_name)
                .is_none_or(|entry: &ResourceEntry| entry.identity_type.is_none())
            {
                schema_diagnostics.push(Diagnostic::error(
                    "A list resource has no managed resource with an identity",
                    format!("The list resource {type_name:?} needs a managed resource type of the same name with an identity schema. This is a bug in the provider."),
                ));
                continue;
            }
            let schema = handler.schema();
            list_resource_schemas.insert(type_name.to_owned(), schema.clone().into_proto());
            list_resources.insert(
                type_name.to_owned(),
                ListResourceEntry {
                    value_type: schema.value_type(),
                    handler,
                },
            );
        }
        let capabilities = wire::ServerCapabilities {
            // The guard refuses destroys in the plan, so Terraform must ask us before destroying.
            plan_destroy: true,
            // Schemas are static for a given binary, so Terraform may reuse a cached copy instead
            // of asking every provider instance it starts.
            get_provider_schema_optional: true,
            move_resource_state: resources
                .values()
                .any(|entry| entry.handler.accepts_moves()),
            // Provider-wide: Terraform then asks every type, and the types that do not generate
            // their own get what Terraform would have generated (`config_from_state`).
            generate_resource_config: resources
                .values()
                .any(|entry| entry.handler.generates_config()),
        };
        let mut data_sources = HashMap::new();
        let mut data_source_schemas = HashMap::new();
        for handler in provider.data_sources() {
            let schema = handler.schema();
            data_source_schemas.insert(handler.type_name().to_owned(), schema.clone().into_proto());
            data_sources.insert(
                handler.type_name().to_owned(),
                DataSourceEntry {
                    value_type: schema.value_type(),
                    handler,
                },
            );
        }
        let mut ephemeral_resources = HashMap::new();
        let mut ephemeral_resource_schemas = HashMap::new();
        for handler in provider.ephemeral_resources() {
            let schema = handler.schema();
            ephemeral_resource_schemas
                .insert(handler.type_name().to_owned(), schema.clone().into_proto());
            ephemeral_resources.insert(
                handler.type_name().to_owned(),
                EphemeralEntry {
                    value_type: schema.value_type(),
                    handler,
                },
            );
        }
        let mut functions = HashMap::new();
        let mut function_definitions = HashMap::new();
        for handler in provider.functions() {
            let signature = handler.signature();
            functions.insert(
                handler.name().to_owned(),
                FunctionEntry {
                    parameter_types: signature
                        .parameters
                        .iter()
                        .map(|parameter| parameter.ty.clone())
                        .collect(),
                    variadic_type: signature
                        .variadic
                        .as_ref()
                        .map(|parameter| parameter.ty.clone()),
                    return_type: signature.return_type.clone(),
                    handler: Arc::clone(&handler),
                },
            );
            function_definitions.insert(handler.name().to_owned(), signature.into_proto());
        }
        let mut actions = HashMap::new();
        let mut action_schemas = HashMap::new();
        for handler in provider.actions() {
            let schema = handler.schema();
            action_schemas.insert(
                handler.type_name().to_owned(),
                wire::ActionSchema {
                    schema: Some(schema.clone().into_proto()),
                },
            );
            actions.insert(
                handler.type_name().to_owned(),
                ActionEntry {
                    value_type: schema.value_type(),
                    handler,
                },
            );
        }
        let schema_response = wire::get_provider_schema::Response {
            action_schemas,
            provider: Some(provider_schema.into_proto()),
            resource_schemas,
            data_source_schemas,
            list_resource_schemas,
            ephemeral_resource_schemas,
            functions: function_definitions,
            diagnostics: schema_diagnostics.into_proto(),
            server_capabilities: Some(capabilities),
            ..Default::default()
        };
        let (stop, _) = tokio::sync::watch::channel(0);
        ProviderService {
            provider,
            provider_type,
            resources,
            data_sources,
            list_resources,
            ephemeral_resources,
            functions,
            actions,
            schema_response,
            identity_schemas,
            capabilities,
            stop,
        }
    }

    fn stop_signal(&self) -> StopSignal {
        StopSignal::new(self.stop.subscribe())
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn list_resource(&self, type_name: &str) -> Result<&ListResourceEntry, Diagnostics> {
        self.list_resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider has no list resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn action(&self, type_name: &str) -> Result<&ActionEntry, Diagnostics> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action type {type_name:?}."),
            )
            .into()
        })
    }

    fn ephemeral_resource(&self, type_name: &str) -> Result<&EphemeralEntry, Diagnostics> {
        self.ephemeral_resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown ephemeral resource type",
                format!("This provider has no ephemeral resource type {type_name:?}."),
            )
            .into()
        })
    }

    /// One function call: the arguments decoded with the parameters' types, the handler run under
    /// `guard_sync`'s promise (a panic is an error, not a dead plugin), the result encoded.
    fn call(
        &self,
        name: &str,
        arguments: &[wire::DynamicValue],
    ) -> Result<wire::DynamicValue, FunctionError> {
        let entry = self.functions.get(name).ok_or_else(|| {
            FunctionError::call(format!("this provider has no function {name:?}"))
        })?;
        let fixed = entry.parameter_types.len();
        if arguments.len() < fixed || (entry.variadic_type.is_none() && arguments.len() > fixed) {
            return Err(FunctionError::call(format!(
                "{name} takes {fixed} argument{}{}, and Terraform sent {}",
                if fixed == 1 { "" } else { "s" },
                if entry.variadic_type.is_some() {
                    " or more"
                } else {
                    ""
                },
                arguments.len()
            )));
        }
        let mut values = Vec::with_capacity(arguments.len());
        for (index, argument) in arguments.iter().enumerate() {
            let ty = entry
                .parameter_types
                .get(index)
                .or(entry.variadic_type.as_ref())
                .unwrap_or(&Type::Dynamic);
            let value = decode(Some(argument), ty, "argument")
                .map_err(|diagnostics| FunctionError::argument(index, text_of(&diagnostics)))?;
            values.push(value);
        }
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| entry.handler.call(values)))
            .unwrap_or_else(|panic| {
                let message = panic_message(panic.as_ref());
                tracing::error!(function = name, panic = %message, "function panicked");
                Err(FunctionError::call(format!(
                    "the provider hit an internal error in {name}: {message}. This is a bug in the provider; please report it"
                )))
            })?;
        encode(&result, &entry.return_type, "function result")
            .map_err(|diagnostics| FunctionError::call(text_of(&diagnostics)))
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source type {type_name:?}."),
            )
            .into()
        })
    }

    async fn guarded<T>(
        &self,
        operation: &str,
        handler: impl Future<Output = Result<T, Diagnostics>>,
    ) -> Result<T, Diagnostics> {
        guard(operation, self.stop_signal(), handler).await
    }
}

/// Runs a handler so that neither a panic nor `StopProvider` escapes as anything but an error
/// diagnostic. A free function so that a spawned task (a list resource) can use it too.
async fn guard<T>(
    operation: &str,
    mut stop: StopSignal,
    handler: impl Future<Output = Result<T, Diagnostics>>,
) -> Result<T, Diagnostics> {
    tokio::select! {
        outcome = AssertUnwindSafe(handler).catch_unwind() => match outcome {
            Ok(result) => result,
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                tracing::error!(operation, panic = %message, "handler panicked");
                Err(Diagnostic::error(
                    "The provider hit an internal error",
                    format!("{operation} panicked: {message}\n\nNothing was lost: the provider is still running and your state is as it was before this operation. This is a bug in terraform-provider-okta-msp; please report it with the output of TF_LOG_PROVIDER=debug."),
                ).into())
            }
        },
        _ = stop.stopped() => Err(Diagnostic::error(
            "Operation cancelled",
            format!("{operation} was cancelled because Terraform asked the provider to stop (for example after Ctrl-C). Run the command again to finish it."),
        ).into()),
    }
}

/// Synchronous handler code (`Resource::identity`) under the same promise as `guard`: a panic
/// becomes an error diagnostic.
fn guard_sync<T>(
    operation: &str,
    handler: impl FnOnce() -> Result<T, Diagnostics>,
) -> Result<T, Diagnostics> {
    std::panic::catch_unwind(AssertUnwindSafe(handler)).unwrap_or_else(|panic| {
        let message = panic_message(panic.as_ref());
        tracing::error!(operation, panic = %message, "handler panicked");
        Err(Diagnostic::error(
            "The provider hit an internal error",
            format!("{operation} panicked: {message}\n\nThis is a bug in terraform-provider-okta-msp; please report it with the output of TF_LOG_PROVIDER=debug."),
        )
        .into())
    })
}

/// Whether an identity may still hold unknown values: only a plan may say "known after apply".
#[derive(Clone, Copy, PartialEq, Eq)]
enum IdentityKnown {
    Partly,
    Wholly,
}

impl ResourceEntry {
    /// The identity Terraform should store with `state`: `None` when the type has none or there
    /// is no object.
    fn identity_of(
        &self,
        state: &Value,
        known: IdentityKnown,
    ) -> Result<Option<wire::ResourceIdentityData>, Diagnostics> {
        let Some(identity_type) = &self.identity_type else {
            return Ok(None);
        };
        if state.is_null() {
            return Ok(None);
        }
        let identity = guard_sync("computing the identity", || self.handler.identity(state))?;
        if identity.is_null() {
            return Ok(None);
        }
        if known == IdentityKnown::Wholly && !identity.is_wholly_known() {
            return Err(Diagnostic::error(
                "The provider produced an invalid identity",
                format!("The identity of this {} holds unknown values outside a plan. This is a bug in terraform-provider-okta-msp.", self.handler.type_name()),
            )
            .into());
        }
        let encoded = encode(&identity, identity_type, "identity")?;
        Ok(Some(wire::ResourceIdentityData {
            identity_data: Some(encoded),
        }))
    }

    /// An identity Terraform sent, decoded with the identity schema; null when the type has none
    /// or none was sent.
    fn decode_identity(
        &self,
        data: Option<&wire::ResourceIdentityData>,
        what: &str,
    ) -> Result<Value, Diagnostics> {
        match (&self.identity_type, data) {
            (Some(identity_type), Some(data)) => {
                decode(data.identity_data.as_ref(), identity_type, what)
            }
            _ => Ok(Value::Null),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}

fn decode(
    dynamic: Option<&wire::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    let Some(dynamic) = dynamic else {
        return Ok(Value::Null);
    };
    let decoded = if !dynamic.msgpack.is_empty() {
        value::decode_msgpack(&dynamic.msgpack, ty)
    } else if !dynamic.json.is_empty() {
        value::decode_json(&dynamic.json, ty)
    } else {
        return Ok(Value::Null);
    };
    decoded.map_err(|error| {
        Diagnostic::error(
            "Terraform sent a value the provider cannot read",
            format!("Decoding the {what} failed: {error}"),
        )
        .into()
    })
}

fn encode(value: &Value, ty: &Type, what: &str) -> Result<wire::DynamicValue, Diagnostics> {
    value::encode_msgpack(value, ty)
        .map(|msgpack| wire::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|error| {
            Diagnostic::error(
                "The provider produced an invalid value",
                format!("Encoding the {what} failed: {error}. This is a bug in terraform-provider-okta-msp."),
            )
            .into()
        })
}

/// Write-only attributes may appear in configuration only: Terraform rejects a plan or state that
/// carries one, and they must never be stored. Enforced here for every resource, whatever the
/// handler returns.
fn without_write_only(mut value: Value, schema: &Schema) -> Value {
    if let Value::Object(attributes) = &mut value {
        for name in schema.write_only_attributes() {
            if let Some(slot) = attributes.get_mut(name) {
                *slot = Value::Null;
            }
        }
    }
    value
}

fn diagnostics_of<T>(result: &Result<T, Diagnostics>) -> Vec<wire::Diagnostic> {
    match result {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics.clone().into_proto(),
    }
}

#[tonic::async_trait]
impl wire::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<wire::get_metadata::Request>,
    ) -> Result<Response<wire::get_metadata::Response>, Status> {
        Ok(Response::new(wire::get_metadata::Response {
            server_capabilities: Some(self.capabilities),
            resources: self
                .resources
                .keys()
                .map(|name| wire::get_metadata::ResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| wire::get_metadata::DataSourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            list_resources: self
                .list_resources
                .keys()
                .map(|name| wire::get_metadata::ListResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemeral_resources
                .keys()
                .map(|name| wire::get_metadata::EphemeralMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|name| wire::get_metadata::FunctionMetadata { name: name.clone() })
                .collect(),
            actions: self
                .actions
                .keys()
                .map(|name| wire::get_metadata::ActionMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            diagnostics: self.schema_response.diagnostics.clone(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<wire::get_provider_schema::Request>,
    ) -> Result<Response<wire::get_provider_schema::Response>, Status> {
        tracing::trace!(tf_rpc = "GetProviderSchema", "serving schema");
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<wire::validate_provider_config::Request>,
    ) -> Result<Response<wire::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let config = decode(
                request.config.as_ref(),
                &self.provider_type,
                "provider configuration",
            )?;
            self.guarded(
                "validating the provider configuration",
                self.provider.validate(ValidateRequest { config }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::validate_provider_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<wire::validate_resource_config::Request>,
    ) -> Result<Response<wire::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "ValidateResourceConfig", tf_resource_type = %request.type_name, "validating");
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            self.guarded(
                "validating the configuration",
                entry.handler.validate(ValidateRequest { config }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::validate_resource_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<wire::validate_data_resource_config::Request>,
    ) -> Result<Response<wire::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.data_source(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            self.guarded(
                "validating the configuration",
                entry.handler.validate(ValidateRequest { config }),
            )
            .await
        }
        .await;
        Ok(Response::new(
            wire::validate_data_resource_config::Response {
                diagnostics: flatten(result),
            },
        ))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<wire::upgrade_resource_state::Request>,
    ) -> Result<Response<wire::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let raw = request.raw_state.unwrap_or_default();
            if raw.json.is_empty() {
                if raw.flatmap.is_empty() {
                    return Ok(None);
                }
                return Err(Diagnostic::error(
                    "Unsupported state format",
                    "This resource's state is in the legacy flatmap format, which this provider never wrote. Remove it with `terraform state rm` and import the object again.",
                )
                .into());
            }
            let stored: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|error| {
                Diagnostics::from(Diagnostic::error(
                    "Stored state is not valid JSON",
                    format!("The state of this {} cannot be read: {error}", request.type_name),
                ))
            })?;
            let upgraded = self
                .guarded(
                    "upgrading the stored state",
                    entry.handler.upgrade_state(request.version, stored),
                )
                .await?;
            let bytes = serde_json::to_vec(&upgraded).unwrap_or_default();
            // State written by an older build with the same schema version may hold attributes
            // since removed; they are dropped, and new ones read as null.
            let options = value::JsonDecodeOptions {
                ignore_unknown_attributes: true,
            };
            let value = value::decode_json_with(&bytes, &entry.value_type, options).map_err(|error| {
                Diagnostics::from(Diagnostic::error(
                    "Stored state does not match the schema",
                    format!("The state of this {} cannot be read: {error}", request.type_name),
                ))
            })?;
            encode(&value, &entry.value_type, "upgraded state").map(Some)
        }
        .await;
        let diagnostics = diagnostics_of(&result);
        Ok(Response::new(wire::upgrade_resource_state::Response {
            upgraded_state: result.ok().flatten(),
            diagnostics,
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<wire::configure_provider::Request>,
    ) -> Result<Response<wire::configure_provider::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let config = decode(
                request.config.as_ref(),
                &self.provider_type,
                "provider configuration",
            )?;
            self.guarded(
                "configuring the provider",
                self.provider.configure(ConfigureRequest {
                    terraform_version: request.terraform_version,
                    config,
                }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::configure_provider::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<wire::read_resource::Request>,
    ) -> Result<Response<wire::read_resource::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "ReadResource", tf_resource_type = %request.type_name, "reading");
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let current_state = decode(
                request.current_state.as_ref(),
                &entry.value_type,
                "current state",
            )?;
            let current_identity =
                entry.decode_identity(request.current_identity.as_ref(), "current identity")?;
            let response = self
                .guarded(
                    "reading the resource",
                    entry.handler.read(ReadRequest {
                        current_state,
                        private: request.private,
                        current_identity,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let new_state = without_write_only(response.new_state, &entry.schema);
            let new_identity = entry.identity_of(&new_state, IdentityKnown::Wholly)?;
            let encoded = encode(&new_state, &entry.value_type, "new state")?;
            Ok((encoded, response.private, response.warnings, new_identity))
        }
        .await;
        Ok(Response::new(match result {
            Ok((new_state, private, warnings, new_identity)) => wire::read_resource::Response {
                new_state: Some(new_state),
                private,
                diagnostics: warnings.into_proto(),
                deferred: None,
                new_identity,
            },
            Err(diagnostics) => wire::read_resource::Response {
                // Terraform keeps the prior state when reading fails.
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            },
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<wire::plan_resource_change::Request>,
    ) -> Result<Response<wire::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let prior_state = decode(request.prior_state.as_ref(), &entry.value_type, "prior state")?;
            let proposed_new_state = decode(
                request.proposed_new_state.as_ref(),
                &entry.value_type,
                "proposed new state",
            )?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            // Attributes declared computed only to stay out of generated configuration get
            // what Terraform proposes for an attribute that is not computed.
            let proposed_new_state = super::schema::propose_configured_values(
                &entry.schema,
                proposed_new_state,
                &config,
            );
            let configured = config.clone();
            let prior_identity =
                entry.decode_identity(request.prior_identity.as_ref(), "prior identity")?;
            let action = if proposed_new_state.is_null() {
                PlanAction::Destroy
            } else if prior_state.is_null() {
                PlanAction::Create
            } else {
                PlanAction::Update
            };
            tracing::debug!(tf_rpc = "PlanResourceChange", tf_resource_type = %request.type_name, ?action, "planning");
            let response = self
                .guarded(
                    "planning the change",
                    entry.handler.plan(PlanRequest {
                        action,
                        prior_state,
                        proposed_new_state,
                        config,
                        prior_private: request.prior_private,
                        prior_identity,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            if action == PlanAction::Destroy && !response.planned_state.is_null() {
                return Err(Diagnostic::error(
                    "The provider produced an invalid destroy plan",
                    "A destroy plan must have a null planned state. This is a bug in terraform-provider-okta-msp.",
                )
                .into());
            }
            if let Some(name) = super::schema::departure_from_configuration(
                &entry.schema,
                &response.planned_state,
                &configured,
            ) {
                return Err(Diagnostic::error(
                    "The provider produced an invalid plan",
                    format!("The planned value of {name} is not the configuration's. This is a bug in terraform-provider-okta-msp."),
                )
                .into());
            }
            let planned_state = without_write_only(response.planned_state, &entry.schema);
            let planned_identity = entry.identity_of(&planned_state, IdentityKnown::Partly)?;
            let encoded = encode(&planned_state, &entry.value_type, "planned state")?;
            Ok(wire::plan_resource_change::Response {
                planned_state: Some(encoded),
                requires_replace: response
                    .requires_replace
                    .into_iter()
                    .map(|path| path.into_proto())
                    .collect(),
                planned_private: response.planned_private,
                diagnostics: response.warnings.into_proto(),
                legacy_type_system: false,
                deferred: None,
                planned_identity,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::plan_resource_change::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn apply_resource_change(
        &self,
        request: Request<wire::apply_resource_change::Request>,
    ) -> Result<Response<wire::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let entry = match self.resource(&request.type_name) {
            Ok(entry) => entry,
            Err(diagnostics) => {
                return Ok(Response::new(wire::apply_resource_change::Response {
                    diagnostics: diagnostics.into_proto(),
                    ..Default::default()
                }));
            }
        };
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(
                    request.prior_state.as_ref(),
                    &entry.value_type,
                    "prior state",
                )?,
                decode(
                    request.planned_state.as_ref(),
                    &entry.value_type,
                    "planned state",
                )?,
                decode(request.config.as_ref(), &entry.value_type, "configuration")?,
                entry.decode_identity(request.planned_identity.as_ref(), "planned identity")?,
            ))
        })();
        let (prior_state, planned_state, config, planned_identity) = match decoded {
            Ok(values) => values,
            Err(diagnostics) => {
                return Ok(Response::new(wire::apply_resource_change::Response {
                    // Unchanged: Terraform keeps what it had.
                    new_state: request.prior_state,
                    diagnostics: diagnostics.into_proto(),
                    ..Default::default()
                }));
            }
        };
        let action = if planned_state.is_null() {
            ApplyAction::Delete
        } else if prior_state.is_null() {
            ApplyAction::Create
        } else {
            ApplyAction::Update
        };
        tracing::debug!(tf_rpc = "ApplyResourceChange", tf_resource_type = %request.type_name, ?action, "applying");
        let apply = entry.handler.apply(ApplyRequest {
            action,
            prior_state: prior_state.clone(),
            planned_state,
            config,
            planned_private: request.planned_private,
            planned_identity,
            stop: self.stop_signal(),
        });
        let outcome = if entry.handler.finishes_apply_after_stop() {
            // The handler watches the stop itself and returns what it made.
            guard("applying the change", StopSignal::never(), apply).await
        } else {
            self.guarded("applying the change", apply).await
        };
        let (new_state, private, mut diagnostics) = match outcome {
            Ok(response) => (response.new_state, response.private, response.diagnostics),
            // A failed operation changed nothing we know of: keep the prior object.
            Err(diagnostics) => (prior_state, Vec::new(), diagnostics),
        };
        let new_state = without_write_only(new_state, &entry.schema);
        let (encoded, new_identity) = match encode(&new_state, &entry.value_type, "new state") {
            Ok(encoded) => {
                // A bad identity must not lose the object just created: the state is still
                // returned, with the error beside it.
                let identity = entry
                    .identity_of(&new_state, IdentityKnown::Wholly)
                    .unwrap_or_else(|error| {
                        diagnostics.extend(error);
                        None
                    });
                (Some(encoded), identity)
            }
            Err(error) => {
                diagnostics.extend(error);
                (request.prior_state, None)
            }
        };
        Ok(Response::new(wire::apply_resource_change::Response {
            new_state: encoded,
            private,
            diagnostics: diagnostics.into_proto(),
            legacy_type_system: false,
            new_identity,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<wire::import_resource_state::Request>,
    ) -> Result<Response<wire::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let identity = entry.decode_identity(request.identity.as_ref(), "identity")?;
            if request.id.is_empty() && identity.is_null() {
                return Err(Diagnostic::error(
                    "Nothing to import",
                    format!(
                        "Terraform asked to import a {} without an id or an identity.",
                        request.type_name
                    ),
                )
                .into());
            }
            let response = self
                .guarded(
                    "importing the resource",
                    entry.handler.import(ImportRequest {
                        id: request.id,
                        identity,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let state = without_write_only(response.state, &entry.schema);
            let identity = entry.identity_of(&state, IdentityKnown::Wholly)?;
            let encoded = encode(&state, &entry.value_type, "imported state")?;
            Ok(wire::import_resource_state::Response {
                imported_resources: vec![wire::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(encoded),
                    private: response.private,
                    identity,
                }],
                diagnostics: response.warnings.into_proto(),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::import_resource_state::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn move_resource_state(
        &self,
        request: Request<wire::move_resource_state::Request>,
    ) -> Result<Response<wire::move_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.target_type_name)?;
            let source_state = raw_json(request.source_state.as_ref(), "source state")?;
            let source_identity = raw_json(request.source_identity.as_ref(), "source identity")?;
            let response = self
                .guarded(
                    "moving the resource",
                    entry.handler.move_state(MoveRequest {
                        source_provider_address: request.source_provider_address,
                        source_type_name: request.source_type_name,
                        source_schema_version: request.source_schema_version,
                        source_state,
                        source_private: request.source_private,
                        source_identity,
                        source_identity_schema_version: request.source_identity_schema_version,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let state = without_write_only(response.target_state, &entry.schema);
            let target_identity = entry.identity_of(&state, IdentityKnown::Wholly)?;
            let encoded = encode(&state, &entry.value_type, "moved state")?;
            Ok(wire::move_resource_state::Response {
                target_state: Some(encoded),
                diagnostics: response.warnings.into_proto(),
                target_private: response.target_private,
                target_identity,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::move_resource_state::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<wire::get_resource_identity_schemas::Request>,
    ) -> Result<Response<wire::get_resource_identity_schemas::Response>, Status> {
        tracing::trace!(
            tf_rpc = "GetResourceIdentitySchemas",
            "serving identity schemas"
        );
        Ok(Response::new(
            wire::get_resource_identity_schemas::Response {
                identity_schemas: self.identity_schemas.clone(),
                diagnostics: Vec::new(),
            },
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<wire::upgrade_resource_identity::Request>,
    ) -> Result<Response<wire::upgrade_resource_identity::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let Some(identity_type) = &entry.identity_type else {
                return Err(Diagnostic::error(
                    "This resource type has no identity",
                    format!("The state holds an identity for a {}, which has no identity in this provider version.", request.type_name),
                )
                .into());
            };
            let stored = raw_json(request.raw_identity.as_ref(), "stored identity")?;
            let upgraded = self
                .guarded(
                    "upgrading the stored identity",
                    entry.handler.upgrade_identity(request.version, stored),
                )
                .await?;
            let bytes = serde_json::to_vec(&upgraded).unwrap_or_default();
            let value = value::decode_json(&bytes, identity_type).map_err(|error| {
                Diagnostics::from(Diagnostic::error(
                    "Stored identity does not match the identity schema",
                    format!("The identity of this {} cannot be read: {error}", request.type_name),
                ))
            })?;
            encode(&value, identity_type, "upgraded identity")
        }
        .await;
        Ok(Response::new(match result {
            Ok(encoded) => wire::upgrade_resource_identity::Response {
                upgraded_identity: Some(wire::ResourceIdentityData {
                    identity_data: Some(encoded),
                }),
                diagnostics: Vec::new(),
            },
            Err(diagnostics) => wire::upgrade_resource_identity::Response {
                upgraded_identity: None,
                diagnostics: diagnostics.into_proto(),
            },
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<wire::generate_resource_config::Request>,
    ) -> Result<Response<wire::generate_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let state = decode(request.state.as_ref(), &entry.value_type, "state")?;
            let config = if entry.handler.generates_config() {
                self.guarded(
                    "generating the configuration",
                    entry
                        .handler
                        .generate_config(GenerateConfigRequest { state }),
                )
                .await?
            } else {
                super::schema::config_from_state(&entry.schema, &state)
            };
            encode(&config, &entry.value_type, "generated configuration")
        }
        .await;
        Ok(Response::new(match result {
            Ok(config) => wire::generate_resource_config::Response {
                config: Some(config),
                diagnostics: Vec::new(),
            },
            Err(diagnostics) => wire::generate_resource_config::Response {
                config: None,
                diagnostics: diagnostics.into_proto(),
            },
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<wire::validate_list_resource_config::Request>,
    ) -> Result<Response<wire::validate_list_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.list_resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            let include_resource_object = decode(
                request.include_resource_object.as_ref(),
                &Type::Bool,
                "include_resource",
            )?;
            let limit = decode(request.limit.as_ref(), &Type::Number, "limit")?;
            self.guarded(
                "validating the list configuration",
                entry.handler.validate(ValidateListRequest {
                    config,
                    include_resource_object,
                    limit,
                }),
            )
            .await
        }
        .await;
        Ok(Response::new(
            wire::validate_list_resource_config::Response {
                diagnostics: flatten(result),
            },
        ))
    }

    type ListResourceStream =
        Pin<Box<dyn Stream<Item = Result<wire::list_resource::Event, Status>> + Send + 'static>>;

    async fn list_resource(
        &self,
        request: Request<wire::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let request = request.into_inner();
        tracing::debug!(
            tf_rpc = "ListResource",
            tf_list_resource_type = %request.type_name,
            limit = request.limit,
            include_resource_object = request.include_resource_object,
            "listing"
        );
        let started = (|| {
            let entry = self.list_resource(&request.type_name)?;
            let resource = self.resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            Ok::<_, Diagnostics>((entry.handler.clone(), resource, config))
        })();
        let (handler, resource, config) = match started {
            Ok(started) => started,
            // Diagnostics travel in an event, as Terraform reads them there.
            Err(diagnostics) => return Ok(Response::new(one_event(diagnostics))),
        };
        let (sender, receiver) = tokio::sync::mpsc::channel(LIST_EVENTS_IN_FLIGHT);
        let list_request = ListRequest {
            config,
            include_resource_object: request.include_resource_object,
            limit: request.limit,
            stop: self.stop_signal(),
        };
        let stop = self.stop_signal();
        let failures = sender.clone();
        tokio::spawn(async move {
            let sink = ListSink::new(sender);
            let outcome = guard("listing", stop, handler.list(list_request, sink)).await;
            if let Err(diagnostics) = outcome {
                // Nobody may be listening any more (the limit was reached); that is fine.
                let _ = failures
                    .send(ListEvent {
                        identity: Value::Null,
                        display_name: String::new(),
                        resource_object: None,
                        diagnostics,
                    })
                    .await;
            }
        });
        let encoder = ListEncoder {
            identity_type: resource.identity_type.clone().unwrap_or(Type::Dynamic),
            value_type: resource.value_type.clone(),
            schema: resource.schema.clone(),
            include_resource_object: request.include_resource_object,
            remaining: (request.limit > 0).then_some(request.limit),
        };
        let events = futures_util::stream::unfold(
            (receiver, encoder, false),
            |(mut receiver, mut encoder, finished)| async move {
                if finished || encoder.remaining == Some(0) {
                    // Dropping the receiver tells the list resource to stop (`ListClosed`).
                    return None;
                }
                let event = receiver.recv().await?;
                let (wire_event, last) = encoder.encode(event);
                Some((Ok(wire_event), (receiver, encoder, last)))
            },
        );
        Ok(Response::new(Box::pin(events)))
    }

    async fn read_data_source(
        &self,
        request: Request<wire::read_data_source::Request>,
    ) -> Result<Response<wire::read_data_source::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "ReadDataSource", tf_data_source_type = %request.type_name, "reading");
        let result: Result<_, Diagnostics> = async {
            let entry = self.data_source(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            let response = self
                .guarded(
                    "reading the data source",
                    entry.handler.read(ReadDataRequest {
                        config,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let encoded = encode(&response.state, &entry.value_type, "data source state")?;
            Ok(wire::read_data_source::Response {
                state: Some(encoded),
                diagnostics: response.warnings.into_proto(),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::read_data_source::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<wire::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<wire::validate_ephemeral_resource_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.ephemeral_resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            self.guarded(
                "validating the configuration",
                entry.handler.validate(ValidateRequest { config }),
            )
            .await
        }
        .await;
        Ok(Response::new(
            wire::validate_ephemeral_resource_config::Response {
                diagnostics: flatten(result),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<wire::open_ephemeral_resource::Request>,
    ) -> Result<Response<wire::open_ephemeral_resource::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "OpenEphemeralResource", tf_resource_type = %request.type_name, "opening");
        let result: Result<_, Diagnostics> = async {
            let entry = self.ephemeral_resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            let response = self
                .guarded(
                    "opening the ephemeral resource",
                    entry.handler.open(OpenRequest {
                        config,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let result = encode(&response.result, &entry.value_type, "ephemeral result")?;
            Ok(wire::open_ephemeral_resource::Response {
                diagnostics: response.warnings.into_proto(),
                renew_at: response.renew_at.map(prost_types::Timestamp::from),
                result: Some(result),
                private: Some(response.private),
                deferred: None,
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::open_ephemeral_resource::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<wire::renew_ephemeral_resource::Request>,
    ) -> Result<Response<wire::renew_ephemeral_resource::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "RenewEphemeralResource", tf_resource_type = %request.type_name, "renewing");
        let result: Result<_, Diagnostics> = async {
            let entry = self.ephemeral_resource(&request.type_name)?;
            let response = self
                .guarded(
                    "renewing the ephemeral resource",
                    entry.handler.renew(RenewRequest {
                        private: request.private.unwrap_or_default(),
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            Ok(wire::renew_ephemeral_resource::Response {
                diagnostics: response.warnings.into_proto(),
                renew_at: response.renew_at.map(prost_types::Timestamp::from),
                private: Some(response.private),
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(|diagnostics| {
            wire::renew_ephemeral_resource::Response {
                diagnostics: diagnostics.into_proto(),
                ..Default::default()
            }
        })))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<wire::close_ephemeral_resource::Request>,
    ) -> Result<Response<wire::close_ephemeral_resource::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "CloseEphemeralResource", tf_resource_type = %request.type_name, "closing");
        let result: Result<_, Diagnostics> = async {
            let entry = self.ephemeral_resource(&request.type_name)?;
            self.guarded(
                "closing the ephemeral resource",
                entry.handler.close(CloseRequest {
                    private: request.private.unwrap_or_default(),
                    stop: self.stop_signal(),
                }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::close_ephemeral_resource::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<wire::get_functions::Request>,
    ) -> Result<Response<wire::get_functions::Response>, Status> {
        Ok(Response::new(wire::get_functions::Response {
            functions: self.schema_response.functions.clone(),
            diagnostics: Vec::new(),
        }))
    }

    /// A failed call answers with a `FunctionError`, never diagnostics: Terraform reports it
    /// as the error of the calling expression, at the argument it names.
    async fn call_function(
        &self,
        request: Request<wire::call_function::Request>,
    ) -> Result<Response<wire::call_function::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "CallFunction", function = %request.name, "calling");
        Ok(Response::new(
            match self.call(&request.name, &request.arguments) {
                Ok(result) => wire::call_function::Response {
                    result: Some(result),
                    error: None,
                },
                Err(error) => wire::call_function::Response {
                    result: None,
                    error: Some(error.into_proto()),
                },
            },
        ))
    }

    async fn validate_action_config(
        &self,
        request: Request<wire::validate_action_config::Request>,
    ) -> Result<Response<wire::validate_action_config::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.action(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            self.guarded(
                "validating the action configuration",
                entry.handler.validate(ValidateRequest { config }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::validate_action_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn plan_action(
        &self,
        request: Request<wire::plan_action::Request>,
    ) -> Result<Response<wire::plan_action::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "PlanAction", tf_action_type = %request.action_type, "planning");
        let result: Result<_, Diagnostics> = async {
            let entry = self.action(&request.action_type)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            self.guarded(
                "planning the action",
                entry.handler.plan(ActionRequest {
                    config,
                    stop: self.stop_signal(),
                }),
            )
            .await
        }
        .await;
        Ok(Response::new(wire::plan_action::Response {
            diagnostics: flatten(result),
            deferred: None,
        }))
    }

    type InvokeActionStream =
        Pin<Box<dyn Stream<Item = Result<wire::invoke_action::Event, Status>> + Send + 'static>>;

    /// The action runs in its own task; its progress lines stream to Terraform as they come, and
    /// its outcome (a panic or a stop included) ends the stream as one completion event.
    async fn invoke_action(
        &self,
        request: Request<wire::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        use wire::invoke_action::event::{Completed, Progress, Type as EventType};
        let request = request.into_inner();
        tracing::debug!(tf_rpc = "InvokeAction", tf_action_type = %request.action_type, "invoking");
        let completed = |diagnostics: Diagnostics| wire::invoke_action::Event {
            // Only for a request that never reached the action.
            r#type: Some(EventType::Completed(Completed {
                diagnostics: diagnostics.into_proto(),
            })),
        };
        let started = (|| {
            let entry = self.action(&request.action_type)?;
            let config = decode(request.config.as_ref(), &entry.value_type, "configuration")?;
            Ok::<_, Diagnostics>((entry.handler.clone(), config))
        })();
        let (handler, config) = match started {
            Ok(started) => started,
            Err(diagnostics) => {
                let only = futures_util::stream::iter([Ok(completed(diagnostics))]);
                return Ok(Response::new(Box::pin(only)));
            }
        };
        let (progress_sender, progress) = tokio::sync::mpsc::channel(ACTION_PROGRESS_IN_FLIGHT);
        let (outcome_sender, outcome) = tokio::sync::oneshot::channel();
        let invocation = ActionRequest {
            config,
            stop: self.stop_signal(),
        };
        let stop = self.stop_signal();
        tokio::spawn(async move {
            let result = guard(
                "invoking the action",
                stop,
                handler.invoke(invocation, ActionProgress::new(progress_sender)),
            )
            .await;
            let _ = outcome_sender.send(flatten(result));
        });
        let progress_events = futures_util::stream::unfold(progress, |mut progress| async move {
            let message = progress.recv().await?;
            Some((
                Ok(wire::invoke_action::Event {
                    r#type: Some(EventType::Progress(Progress { message })),
                }),
                progress,
            ))
        });
        // The progress channel closes when the task ends (its sender is dropped with the
        // handler's future), so the completion always comes after every progress line.
        let completion = futures_util::stream::once(async move {
            let diagnostics = outcome.await.unwrap_or_else(|_| {
                vec![
                    Diagnostic::error(
                        "The action ended without an outcome",
                        "The provider lost the action's task. This is a bug in the provider.",
                    )
                    .into_proto(),
                ]
            });
            Ok(wire::invoke_action::Event {
                r#type: Some(EventType::Completed(Completed { diagnostics })),
            })
        });
        use futures_util::StreamExt as _;
        Ok(Response::new(Box::pin(progress_events.chain(completion))))
    }

    async fn stop_provider(
        &self,
        _request: Request<wire::stop_provider::Request>,
    ) -> Result<Response<wire::stop_provider::Response>, Status> {
        tracing::info!(tf_rpc = "StopProvider", "cancelling in-flight operations");
        self.stop.send_modify(|generation| *generation += 1);
        Ok(Response::new(wire::stop_provider::Response::default()))
    }
}

/// Turns list events into wire events, and counts them against the limit so the list resource is
/// told to stop as soon as Terraform has what it asked for.
struct ListEncoder {
    identity_type: Type,
    value_type: Type,
    schema: Schema,
    include_resource_object: bool,
    remaining: Option<i64>,
}

impl ListEncoder {
    /// The wire event, and whether it is the last (an error ends the query).
    fn encode(&mut self, event: ListEvent) -> (wire::list_resource::Event, bool) {
        let mut diagnostics = event.diagnostics;
        let mut identity = None;
        let mut resource_object = None;
        if !event.identity.is_null() {
            if !event.identity.is_wholly_known() {
                diagnostics.push(Diagnostic::error(
                    "The provider produced an invalid identity",
                    format!("The identity of the list result {:?} holds unknown values. This is a bug in terraform-provider-okta-msp.", event.display_name),
                ));
            } else {
                match encode(&event.identity, &self.identity_type, "identity") {
                    Ok(encoded) => {
                        identity = Some(wire::ResourceIdentityData {
                            identity_data: Some(encoded),
                        });
                    }
                    Err(error) => diagnostics.extend(error),
                }
            }
            if let (true, Some(state)) = (self.include_resource_object, event.resource_object) {
                let state = without_write_only(state, &self.schema);
                match encode(&state, &self.value_type, "resource object") {
                    Ok(encoded) => resource_object = Some(encoded),
                    Err(error) => diagnostics.extend(error),
                }
            }
            if let Some(remaining) = &mut self.remaining {
                *remaining -= 1;
            }
        }
        let last = diagnostics.has_errors();
        (
            wire::list_resource::Event {
                identity,
                display_name: event.display_name,
                resource_object,
                diagnostic: diagnostics.into_proto(),
            },
            last,
        )
    }
}

/// A list stream of one diagnostic-only event.
fn one_event(
    diagnostics: Diagnostics,
) -> Pin<Box<dyn Stream<Item = Result<wire::list_resource::Event, Status>> + Send + 'static>> {
    Box::pin(futures_util::stream::iter([Ok(
        wire::list_resource::Event {
            diagnostic: diagnostics.into_proto(),
            ..Default::default()
        },
    )]))
}

/// A stored JSON document Terraform passes through unchanged (move sources, stored identities);
/// null when absent.
fn raw_json(raw: Option<&wire::RawState>, what: &str) -> Result<serde_json::Value, Diagnostics> {
    match raw {
        Some(raw) if !raw.json.is_empty() => serde_json::from_slice(&raw.json).map_err(|error| {
            Diagnostic::error(
                "Terraform sent a value the provider cannot read",
                format!("The {what} is not valid JSON: {error}"),
            )
            .into()
        }),
        _ => Ok(serde_json::Value::Null),
    }
}

/// Diagnostics as one line of text, for a function error (which has no diagnostics).
fn text_of(diagnostics: &Diagnostics) -> String {
    diagnostics
        .0
        .iter()
        .map(|diagnostic| format!("{}: {}", diagnostic.summary, diagnostic.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validation and configuration answers carry warnings on success and errors on failure.
fn flatten(result: Result<Diagnostics, Diagnostics>) -> Vec<wire::Diagnostic> {
    match result {
        Ok(warnings) => warnings.into_proto(),
        Err(errors) => errors.into_proto(),
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
