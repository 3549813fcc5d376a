//! `okta_msp_org`: a customer org created through the partner org's Org Creator API, together
//! with its integration service account (the org's first super admin).

use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::schema::{Attribute, Schema};
use crate::plugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, PlanAction,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Value,
};

use super::{Shared, diag, plan};

pub const TYPE_NAME: &str = "okta_msp_org";

pub struct OrgResource {
    _shared: Arc<Shared>,
}

impl OrgResource {
    pub fn new(shared: Arc<Shared>) -> OrgResource {
        OrgResource { _shared: shared }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        "A customer Okta org, created through the partner org's Org Creator API, with its **MSP integration** service account: the org's first super admin, whose API token the MSP platform uses. Once set up the org is *finalized* and protected: destroying or replacing it is refused at plan time (see Protection).",
        vec![
            Attribute::string("name").required().description("Display name of the org (1 to 100 characters)."),
            Attribute::string("subdomain").required().description("Subdomain of the new org, unique across Okta (letters, digits and hyphens, at most 57 characters)."),
            Attribute::string("website").optional().description("Website of the customer."),
            Attribute::string("integration_login").required().description("Login of the MSP integration account, e-mail shaped (for example `msp-integration@acme.example`)."),
            Attribute::string("integration_email").required().description("Dedicated mailbox of the MSP integration account, not shared with any other user of the org."),
            Attribute::string("id").computed().description("Okta id of the org."),
            Attribute::string("url").computed().description("URL of the org, for `org_url` of `okta_msp_service_account`."),
            Attribute::string("status").computed().description("Status of the org as Okta reports it."),
            Attribute::string("api_token").computed().sensitive().description("API token of the integration account, returned once by the Org Creator API. Sensitive: pass it to `org_api_token` of the org's service accounts."),
            Attribute::string("integration_account_id").computed().description("Okta user id of the integration account."),
            Attribute::bool("finalized").computed().description("Whether the org and its integration account completed their verified setup. Finalized orgs cannot be destroyed or replaced through Terraform."),
        ],
    )
}

#[async_trait]
impl Resource for OrgResource {
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
            PlanAction::Create => plan::plan_create(request.proposed_new_state, &schema(), &[]),
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
