//! A stand-in for the official `okta/okta` provider, which these machines cannot download: the
//! provider block and the two resources the "beside okta/okta" guide uses, with the argument
//! names the official provider documents (`org_name`, `base_url`, `api_token`, `access_token`; `okta_group`
//! `name`/`description`; `okta_user` names, login and e-mail). It lets `terraform validate`
//! check the guide's wiring (local names, `provider =` arguments, which provider gets which
//! resource type); it plans what it is given and never talks to Okta.

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin6::schema::{Attribute, Schema};
use tfplugin6::value::Value;
use tfplugin6::{
    ApplyRequest, ApplyResponse, ConfigureRequest, DataSource, Diagnostic, Diagnostics,
    ImportRequest, ImportResponse, PlanRequest, PlanResponse, Provider, ReadRequest, ReadResponse,
    Resource, ServeOptions, serve,
};

struct StandInOkta;

#[async_trait]
impl Provider for StandInOkta {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "stand-in for okta/okta",
            vec![
                Attribute::string("org_name").optional(),
                Attribute::string("base_url").optional(),
                Attribute::string("api_token").optional().sensitive(),
                Attribute::string("access_token").optional().sensitive(),
            ],
        )
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(StandIn::Group), Arc::new(StandIn::User)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    async fn configure(&self, _request: ConfigureRequest) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }
}

enum StandIn {
    Group,
    User,
}

#[async_trait]
impl Resource for StandIn {
    fn type_name(&self) -> &'static str {
        match self {
            StandIn::Group => "okta_group",
            StandIn::User => "okta_user",
        }
    }

    fn schema(&self) -> Schema {
        let id = Attribute::string("id").computed();
        match self {
            StandIn::Group => Schema::new(
                0,
                "okta_group",
                vec![
                    id,
                    Attribute::string("name").required(),
                    Attribute::string("description").optional(),
                    Attribute::bool("skip_users").optional(),
                ],
            ),
            StandIn::User => Schema::new(
                0,
                "okta_user",
                vec![
                    id,
                    Attribute::string("first_name").required(),
                    Attribute::string("last_name").required(),
                    Attribute::string("login").required(),
                    Attribute::string("email").required(),
                ],
            ),
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
        let mut planned = request.proposed_new_state;
        if let Value::Object(attributes) = &mut planned
            && attributes.get("id").is_none_or(Value::is_null)
        {
            attributes.insert("id".to_owned(), Value::Unknown);
        }
        Ok(PlanResponse {
            planned_state: planned,
            requires_replace: Vec::new(),
            planned_private: request.prior_private,
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, _request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        Err(Diagnostic::error(
            "stand-in",
            "the okta/okta stand-in only validates and plans",
        )
        .into())
    }

    async fn import(&self, _request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        Err(Diagnostic::error("stand-in", "import is not supported").into())
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let options = ServeOptions {
        provider_address: "registry.terraform.io/okta/okta".to_owned(),
        debug: false,
    };
    if let Err(error) = runtime.block_on(serve(Arc::new(StandInOkta), options)) {
        eprintln!("okta/okta stand-in: {error}");
        std::process::exit(1);
    }
}
