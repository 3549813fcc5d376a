//! `okta_msp_service_account`: one Okta service account of a customer org (integration, Deep
//! Link, AD agent, RADIUS or custom), privileged and secured as its kind requires.

use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::schema::{Attribute, Schema};
use crate::plugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, PlanAction,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Type, Value,
};

use super::{Shared, diag, plan};

pub const TYPE_NAME: &str = "okta_msp_service_account";

pub struct ServiceAccountResource {
    _shared: Arc<Shared>,
}

impl ServiceAccountResource {
    pub fn new(shared: Arc<Shared>) -> ServiceAccountResource {
        ServiceAccountResource { _shared: shared }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        "An Okta service account of a customer org: created (or adopted by import), given exactly the admin roles its kind requires, secured by the provider's baseline, and then *finalized*. A finalized account cannot be destroyed, replaced or modified through Terraform (see Protection); drift back from its finalized setup is repaired.",
        vec![
            Attribute::string("org_url").required().description("URL of the customer org, e.g. `https://acme.okta.com` or `okta_msp_org.acme.url`."),
            Attribute::string("org_api_token").optional().sensitive().description("API token for the org. When unset, the provider's `org_tokens` entry for `org_url` is used."),
            Attribute::string("kind").required().description("What the account is for: `msp_integration`, `deep_link`, `ad_agent`, `radius` or `custom`."),
            Attribute::string("login").required().description("Okta login, e-mail shaped."),
            Attribute::string("email").required().description("Dedicated mailbox of the account, not shared with any other user of the org."),
            Attribute::string("first_name").optional().computed().description("First name; defaults from the kind."),
            Attribute::string("last_name").optional().computed().description("Last name; defaults from the kind."),
            Attribute::new("admin_roles", Type::Set(Box::new(Type::String))).optional().computed().description("Okta admin role types the account holds; defaults from the kind."),
            Attribute::string("password_wo").optional().sensitive().write_only().description("Password to set at creation, write-only (never stored in plan or state; Terraform >= 1.11). When unset the provider generates a strong password that never leaves it."),
            Attribute::bool("finalize").optional().computed().description("Whether to finalize the account in the apply that sets it up. Default `true`; `false` leaves it destroyable, for sandboxes and module tests."),
            Attribute::string("id").computed().description("Okta user id."),
            Attribute::string("org_id").computed().description("Okta id of the org the account lives in."),
            Attribute::string("status").computed().description("Okta user status, `ACTIVE` once set up."),
            Attribute::bool("finalized").computed().description("Whether the account completed its verified setup."),
            Attribute::string("finalized_at").computed().description("When the account was finalized (RFC 3339)."),
        ],
    )
}

#[async_trait]
impl Resource for ServiceAccountResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let planned_state = match request.action {
            PlanAction::Destroy => Value::Null,
            PlanAction::Create => plan::plan_create(
                request.proposed_new_state,
                &schema(),
                &[("finalize", Value::Bool(true))],
            ),
            PlanAction::Update => request.proposed_new_state,
        };
        Ok(PlanResponse {
            planned_state,
            requires_replace: Vec::new(),
            planned_private: request.prior_private,
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, _request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        Err(diag::not_yet_implemented(
            TYPE_NAME,
            "create, update or delete",
        ))
    }

    async fn import(&self, _request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        Err(diag::not_yet_implemented(TYPE_NAME, "import"))
    }
}
