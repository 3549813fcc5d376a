//! A provider for the plugin layer's own tests, served through the same handshake, TLS and gRPC
//! code as the real one. Its resources exist to make the protocol observable:
//! - `fixture_echo` plans exactly what it is given, so tests can round-trip every value shape
//!   through the real binary;
//! - `fixture_panic` panics while planning, to show a panic comes back as a diagnostic;
//! - `fixture_slow` plans forever, to show StopProvider cancels in-flight work;
//! - `fixture_named` has an identity (`{name}`) and a list resource of the same name that streams
//!   `count` objects, a warning first, and optionally panics midway, so identities, import by
//!   identity, list streams, limits and generated configuration are observable;
//! - functions, the ephemeral resource `fixture_lease` and the action `fixture_count` are in
//!   `ephemeral_and_functions.rs`.

mod ephemeral_and_functions;
mod stand_in_okta;

use std::sync::Arc;

use async_trait::async_trait;
use okta_msp::plugin::schema::{Attribute, IdentityAttribute, IdentitySchema, Nesting, Schema};
use okta_msp::plugin::{
    ApplyAction, ApplyRequest, ApplyResponse, ConfigureRequest, DataSource, Diagnostic,
    Diagnostics, GenerateConfigRequest, ImportRequest, ImportResponse, ListEvent, ListRequest,
    ListResource, ListSink, PlanRequest, PlanResponse, Provider, ReadRequest, ReadResponse,
    Resource, ServeOptions, Type, Value, logging, serve,
};

struct FixtureProvider;

#[async_trait]
impl Provider for FixtureProvider {
    fn schema(&self) -> Schema {
        Schema::default()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Fixture::Echo),
            Arc::new(Fixture::Panic),
            Arc::new(Fixture::Slow),
            Arc::new(Named),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(NamedList)]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn okta_msp::plugin::EphemeralResource>> {
        vec![Arc::new(ephemeral_and_functions::Lease)]
    }

    fn actions(&self) -> Vec<Arc<dyn okta_msp::plugin::Action>> {
        vec![Arc::new(ephemeral_and_functions::Count)]
    }

    fn functions(&self) -> Vec<Arc<dyn okta_msp::plugin::Function>> {
        use ephemeral_and_functions::FixtureFunction;
        vec![
            Arc::new(FixtureFunction::Repeat),
            Arc::new(FixtureFunction::Join),
            Arc::new(FixtureFunction::Explode),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    async fn configure(&self, _request: ConfigureRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }
}

enum Fixture {
    Echo,
    Panic,
    Slow,
}

/// Every shape a value can take: the echo resource's schema.
pub fn echo_schema() -> Schema {
    Schema::new(
        1,
        "echo",
        vec![
            Attribute::string("string").optional(),
            Attribute::number("number").optional(),
            Attribute::bool("bool").optional(),
            Attribute::new("list", Type::List(Box::new(Type::String))).optional(),
            Attribute::new("set", Type::Set(Box::new(Type::Number))).optional(),
            Attribute::new("map", Type::Map(Box::new(Type::Bool))).optional(),
            Attribute::new(
                "tuple",
                Type::Tuple(vec![Type::String, Type::Number, Type::Bool]),
            )
            .optional(),
            Attribute::new(
                "object",
                Type::Object(
                    [
                        ("name".to_owned(), Type::String),
                        (
                            "tags".to_owned(),
                            Type::List(Box::new(Type::Object(
                                [("key".to_owned(), Type::String)].into(),
                            ))),
                        ),
                    ]
                    .into(),
                ),
            )
            .optional(),
            Attribute::new("dynamic", Type::Dynamic).optional(),
            Attribute::nested(
                "nested",
                Nesting::List,
                vec![
                    Attribute::string("id").optional(),
                    Attribute::number("size").optional(),
                ],
            )
            .optional(),
            Attribute::string("secret")
                .optional()
                .sensitive()
                .write_only(),
        ],
    )
}

#[async_trait]
impl Resource for Fixture {
    fn type_name(&self) -> &'static str {
        match self {
            Fixture::Echo => "fixture_echo",
            Fixture::Panic => "fixture_panic",
            Fixture::Slow => "fixture_slow",
        }
    }

    fn schema(&self) -> Schema {
        match self {
            Fixture::Echo => echo_schema(),
            Fixture::Panic | Fixture::Slow => {
                Schema::new(0, "fixture", vec![Attribute::string("name").optional()])
            }
        }
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        match self {
            Fixture::Echo => Ok(PlanResponse {
                planned_state: request.proposed_new_state,
                requires_replace: Vec::new(),
                planned_private: request.prior_private,
                warnings: Diagnostics::new(),
            }),
            Fixture::Panic => panic!("fixture_panic always panics while planning"),
            Fixture::Slow => {
                std::future::pending::<()>().await;
                unreachable!()
            }
        }
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        Ok(ApplyResponse {
            new_state: request.planned_state,
            private: request.planned_private,
            diagnostics: Diagnostics::new(),
        })
    }

    async fn import(&self, _request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        Err(Diagnostic::error("fixture", "import is not supported").into())
    }
}

/// A resource with an identity: `name` is configured, `id` is `id-<name>` once applied.
struct Named;

fn named_state(name: &str) -> Value {
    Value::object([
        ("name", Value::string(name)),
        ("id", Value::string(format!("id-{name}"))),
    ])
}

#[async_trait]
impl Resource for Named {
    fn type_name(&self) -> &'static str {
        "fixture_named"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "named",
            vec![
                Attribute::string("name").required(),
                Attribute::string("id").computed(),
            ],
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new(
            0,
            vec![IdentityAttribute::string("name").description("The object's name.")],
        ))
    }

    fn identity(&self, state: &Value) -> Result<Value, Diagnostics> {
        let name = state.get("name").cloned().unwrap_or(Value::Null);
        if name.as_str() == Some("panic-in-identity") {
            panic!("fixture_named panics computing this identity");
        }
        Ok(Value::object([("name", name)]))
    }

    fn generates_config(&self) -> bool {
        true
    }

    async fn generate_config(&self, request: GenerateConfigRequest) -> Result<Value, Diagnostics> {
        Ok(Value::object([
            (
                "name",
                request.state.get("name").cloned().unwrap_or(Value::Null),
            ),
            ("id", Value::Null),
        ]))
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let mut planned = request.proposed_new_state;
        if let Some(id) = planned.get_mut("id")
            && id.is_null()
        {
            *id = Value::Unknown;
        }
        Ok(PlanResponse {
            planned_state: planned,
            requires_replace: Vec::new(),
            planned_private: request.prior_private,
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let new_state = match request.action {
            ApplyAction::Delete => Value::Null,
            _ => named_state(
                request
                    .planned_state
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        };
        Ok(ApplyResponse {
            new_state,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        })
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        let name = match request.identity.get("name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => request.id,
        };
        Ok(ImportResponse {
            state: named_state(&name),
            private: Vec::new(),
            warnings: Diagnostics::new(),
        })
    }
}

/// Lists `item-0` .. `item-<count - 1>` after a warning about a source it could not search.
struct NamedList;

#[async_trait]
impl ListResource for NamedList {
    fn type_name(&self) -> &'static str {
        "fixture_named"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "named list",
            vec![
                Attribute::number("count").required(),
                Attribute::bool("panic_midway").optional(),
            ],
        )
    }

    async fn list(&self, request: ListRequest, events: ListSink) -> Result<(), Diagnostics> {
        let count = request
            .config
            .get("count")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let panic_midway =
            request.config.get("panic_midway").and_then(Value::as_bool) == Some(true);
        if events
            .send(ListEvent::diagnostic(Diagnostic::warning(
                "A source was skipped",
                "The fixture always skips one source.",
            )))
            .await
            .is_err()
        {
            return Ok(());
        }
        for index in 0..count {
            if panic_midway && index == count / 2 {
                panic!("fixture_named's list panics midway");
            }
            let name = format!("item-{index}");
            let mut event = ListEvent::found(
                Value::object([("name", Value::string(&name))]),
                format!("item {index}"),
            );
            if request.include_resource_object {
                event = event.with_resource_object(named_state(&name));
            }
            if events.send(event).await.is_err() {
                // Terraform has what it asked for.
                return Ok(());
            }
        }
        Ok(())
    }
}

fn main() {
    logging::init(logging::level_from_environment(|name| {
        std::env::var(name).ok()
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let options = ServeOptions {
        provider_address: "registry.terraform.io/test/fixture".to_owned(),
        debug: false,
    };
    // The same binary stands in for okta/okta when installed under that provider's file name
    // (tests/support/terraform.rs, `Workspace::install_okta_okta_stand_in`).
    let invoked_as = std::env::args().next().unwrap_or_default();
    let file_name = std::path::Path::new(&invoked_as)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let provider: Arc<dyn Provider> = if file_name.starts_with("terraform-provider-okta_") {
        Arc::new(stand_in_okta::StandInOkta)
    } else {
        Arc::new(FixtureProvider)
    };
    if let Err(error) = runtime.block_on(serve(provider, options)) {
        eprintln!("fixture provider: {error}");
        std::process::exit(1);
    }
}
