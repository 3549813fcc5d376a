//! The tfplugin6 `Provider` gRPC service: decodes requests, dispatches them to the registered
//! resource and data-source handlers, and encodes their results. Every handler call goes through
//! `guarded`, so a panic or a `StopProvider` becomes an error diagnostic instead of a dead plugin
//! or a hung Terraform.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tonic::{Request, Response, Status};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::proto::tfplugin6 as wire;
use super::resource::{
    ApplyAction, ApplyRequest, ConfigureRequest, DataSource, ImportRequest, PlanAction,
    PlanRequest, Provider, ReadDataRequest, ReadRequest, Resource, StopSignal, ValidateRequest,
};
use super::schema::Schema;
use super::value::{self, Type, Value};

struct ResourceEntry {
    handler: Arc<dyn Resource>,
    schema: Schema,
    value_type: Type,
}

struct DataSourceEntry {
    handler: Arc<dyn DataSource>,
    value_type: Type,
}

/// Serves one provider. Schemas and value types are computed once at start-up, since Terraform
/// asks for them on every run and every request needs them for decoding.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    schema_response: wire::get_provider_schema::Response,
    /// Bumped by `StopProvider`; every in-flight request watches it.
    stop: tokio::sync::watch::Sender<u64>,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> ProviderService {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let mut resources = HashMap::new();
        let mut resource_schemas = HashMap::new();
        for handler in provider.resources() {
            let schema = handler.schema();
            resource_schemas.insert(handler.type_name().to_owned(), schema.clone().into_proto());
            resources.insert(
                handler.type_name().to_owned(),
                ResourceEntry {
                    value_type: schema.value_type(),
                    schema,
                    handler,
                },
            );
        }
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
        let schema_response = wire::get_provider_schema::Response {
            provider: Some(provider_schema.into_proto()),
            resource_schemas,
            data_source_schemas,
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        };
        let (stop, _) = tokio::sync::watch::channel(0);
        ProviderService {
            provider,
            provider_type,
            resources,
            data_sources,
            schema_response,
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

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source type {type_name:?}."),
            )
            .into()
        })
    }

    /// Runs a handler so that neither a panic nor `StopProvider` escapes as anything but an error
    /// diagnostic.
    async fn guarded<T>(
        &self,
        operation: &str,
        handler: impl Future<Output = Result<T, Diagnostics>>,
    ) -> Result<T, Diagnostics> {
        let mut stop = self.stop_signal();
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
}

fn server_capabilities() -> wire::ServerCapabilities {
    wire::ServerCapabilities {
        // The guard refuses destroys in the plan, so Terraform must ask us before destroying.
        plan_destroy: true,
        // Schemas are static for a given binary, so Terraform may reuse a cached copy instead of
        // asking every provider instance it starts.
        get_provider_schema_optional: true,
        move_resource_state: false,
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
            server_capabilities: Some(server_capabilities()),
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
            ..Default::default()
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
            let response = self
                .guarded(
                    "reading the resource",
                    entry.handler.read(ReadRequest {
                        current_state,
                        private: request.private,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let new_state = without_write_only(response.new_state, &entry.schema);
            let encoded = encode(&new_state, &entry.value_type, "new state")?;
            Ok((encoded, response.private, response.warnings))
        }
        .await;
        Ok(Response::new(match result {
            Ok((new_state, private, warnings)) => wire::read_resource::Response {
                new_state: Some(new_state),
                private,
                diagnostics: warnings.into_proto(),
                deferred: None,
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
            let planned_state = without_write_only(response.planned_state, &entry.schema);
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
            ))
        })();
        let (prior_state, planned_state, config) = match decoded {
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
        let outcome = self
            .guarded(
                "applying the change",
                entry.handler.apply(ApplyRequest {
                    action,
                    prior_state: prior_state.clone(),
                    planned_state,
                    config,
                    planned_private: request.planned_private,
                    stop: self.stop_signal(),
                }),
            )
            .await;
        let (new_state, private, mut diagnostics) = match outcome {
            Ok(response) => (response.new_state, response.private, response.diagnostics),
            // A failed operation changed nothing we know of: keep the prior object.
            Err(diagnostics) => (prior_state, Vec::new(), diagnostics),
        };
        let new_state = without_write_only(new_state, &entry.schema);
        let encoded = match encode(&new_state, &entry.value_type, "new state") {
            Ok(encoded) => Some(encoded),
            Err(error) => {
                diagnostics.extend(error);
                request.prior_state
            }
        };
        Ok(Response::new(wire::apply_resource_change::Response {
            new_state: encoded,
            private,
            diagnostics: diagnostics.into_proto(),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<wire::import_resource_state::Request>,
    ) -> Result<Response<wire::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let result: Result<_, Diagnostics> = async {
            let entry = self.resource(&request.type_name)?;
            let response = self
                .guarded(
                    "importing the resource",
                    entry.handler.import(ImportRequest {
                        id: request.id,
                        stop: self.stop_signal(),
                    }),
                )
                .await?;
            let state = without_write_only(response.state, &entry.schema);
            let encoded = encode(&state, &entry.value_type, "imported state")?;
            Ok(wire::import_resource_state::Response {
                imported_resources: vec![wire::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(encoded),
                    private: response.private,
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
        Ok(Response::new(wire::move_resource_state::Response {
            diagnostics: vec![Diagnostic::error(
                "Moving from another resource type is not supported",
                format!(
                    "A `moved` block from {} to {} crosses resource types, which this provider does not support. `moved` blocks between addresses of the same type work as usual.",
                    request.source_type_name, request.target_type_name
                ),
            )
            .into_proto()],
            ..Default::default()
        }))
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
        Ok(Response::new(
            wire::validate_ephemeral_resource_config::Response {
                diagnostics: vec![no_ephemeral_resource(&request.into_inner().type_name)],
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<wire::open_ephemeral_resource::Request>,
    ) -> Result<Response<wire::open_ephemeral_resource::Response>, Status> {
        Ok(Response::new(wire::open_ephemeral_resource::Response {
            diagnostics: vec![no_ephemeral_resource(&request.into_inner().type_name)],
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<wire::renew_ephemeral_resource::Request>,
    ) -> Result<Response<wire::renew_ephemeral_resource::Response>, Status> {
        Ok(Response::new(wire::renew_ephemeral_resource::Response {
            diagnostics: vec![no_ephemeral_resource(&request.into_inner().type_name)],
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<wire::close_ephemeral_resource::Request>,
    ) -> Result<Response<wire::close_ephemeral_resource::Response>, Status> {
        Ok(Response::new(wire::close_ephemeral_resource::Response {
            diagnostics: vec![no_ephemeral_resource(&request.into_inner().type_name)],
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<wire::get_functions::Request>,
    ) -> Result<Response<wire::get_functions::Response>, Status> {
        Ok(Response::new(wire::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<wire::call_function::Request>,
    ) -> Result<Response<wire::call_function::Response>, Status> {
        Ok(Response::new(wire::call_function::Response {
            result: None,
            error: Some(wire::FunctionError {
                text: format!(
                    "this provider defines no functions (called {:?})",
                    request.into_inner().name
                ),
                function_argument: None,
            }),
        }))
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

fn no_ephemeral_resource(type_name: &str) -> wire::Diagnostic {
    Diagnostic::error(
        "Unknown ephemeral resource type",
        format!("This provider has no ephemeral resource type {type_name:?}."),
    )
    .into_proto()
}

/// Validation and configuration answers carry warnings on success and errors on failure.
fn flatten(result: Result<Diagnostics, Diagnostics>) -> Vec<wire::Diagnostic> {
    match result {
        Ok(warnings) => warnings.into_proto(),
        Err(errors) => errors.into_proto(),
    }
}
