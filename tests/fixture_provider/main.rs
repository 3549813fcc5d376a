//! A provider for the plugin layer's own tests, served through the same handshake, TLS and gRPC
//! code as the real one. Its resources exist to make the protocol observable:
//! - `fixture_echo` plans exactly what it is given, so tests can round-trip every value shape
//!   through the real binary;
//! - `fixture_panic` panics while planning, to show a panic comes back as a diagnostic;
//! - `fixture_slow` plans forever, to show StopProvider cancels in-flight work.

mod stand_in_okta;

use std::sync::Arc;

use async_trait::async_trait;
use okta_msp::plugin::schema::{Attribute, Nesting, Schema};
use okta_msp::plugin::{
    ApplyRequest, ApplyResponse, ConfigureRequest, DataSource, Diagnostic, Diagnostics,
    ImportRequest, ImportResponse, PlanRequest, PlanResponse, Provider, ReadRequest, ReadResponse,
    Resource, ServeOptions, Type, logging, serve,
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
