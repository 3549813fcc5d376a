//! The smallest useful provider: one resource, `minimal_greeting`, whose `text` is computed from
//! the configured `name`. Build it with `cargo build -p tfplugin6 --example minimal_provider`,
//! install the binary as `terraform-provider-minimal_v0.1.0` in a filesystem mirror, and Terraform
//! starts it like any provider from the registry (see the crate's README).

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin6::schema::{Attribute, Schema};
use tfplugin6::{
    ApplyAction, ApplyRequest, ApplyResponse, ConfigureRequest, DataSource, Diagnostic,
    Diagnostics, ImportRequest, ImportResponse, PlanRequest, PlanResponse, Provider, ReadRequest,
    ReadResponse, Resource, ServeOptions, Value, logging, serve,
};

struct Minimal;

#[async_trait]
impl Provider for Minimal {
    fn schema(&self) -> Schema {
        Schema::default()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Greeting)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    async fn configure(&self, _request: ConfigureRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }
}

/// `name` is configured; `text` is known only after apply, as an API's answer would be.
struct Greeting;

fn greeting_state(name: &str) -> Value {
    Value::object([
        ("name", Value::string(name)),
        ("text", Value::string(format!("Hello, {name}!"))),
    ])
}

#[async_trait]
impl Resource for Greeting {
    fn type_name(&self) -> &'static str {
        "minimal_greeting"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "A greeting for one name.",
            vec![
                Attribute::string("name").required(),
                Attribute::string("text").computed(),
            ],
        )
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        // A real provider asks its API here; a greeting never drifts.
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let mut planned = request.proposed_new_state;
        let name_changed = request.prior_state.get("name") != planned.get("name");
        if let Some(text) = planned.get_mut("text")
            && (text.is_null() || name_changed)
        {
            *text = Value::Unknown;
        }
        Ok(PlanResponse {
            planned_state: planned,
            requires_replace: Vec::new(),
            planned_private: Vec::new(),
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let new_state = match request.action {
            ApplyAction::Delete => Value::Null,
            _ => {
                let name = request.planned_state.get("name").and_then(Value::as_str);
                let Some(name) = name else {
                    return Err(Diagnostic::error("name is required", "set `name`").into());
                };
                greeting_state(name)
            }
        };
        Ok(ApplyResponse {
            new_state,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        })
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        // `terraform import minimal_greeting.x NAME`
        Ok(ImportResponse {
            state: greeting_state(&request.id),
            private: Vec::new(),
            warnings: Diagnostics::new(),
        })
    }
}

fn main() {
    let log_source = logging::LogSource {
        provider_type: "minimal",
        crates: &["minimal_provider"],
    };
    logging::init(
        log_source,
        logging::level_from_environment(log_source, |name| std::env::var(name).ok()),
    );
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let options = ServeOptions {
        provider_address: "registry.terraform.io/example/minimal".to_owned(),
        debug: false,
    };
    if let Err(error) = runtime.block_on(serve(Arc::new(Minimal), options)) {
        eprintln!("minimal provider: {error}");
        std::process::exit(1);
    }
}
