//! `okta_msp_org`: a customer org created through the partner org's Org Creator API, together
//! with its integration service account (the org's first super admin).

use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::schema::{Attribute, Schema};
use crate::plugin::{
    ApplyRequest, ApplyResponse, AttributePath, Diagnostics, ImportRequest, ImportResponse,
    PlanAction, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Value,
};
use crate::rules::guard::{
    self, AttributeClass, GuardDecision, GuardedResource, PlanCheck, PlanKind,
};
use crate::rules::marker::{self, MarkerPresence};

use super::{Shared, diag, plan};

pub const TYPE_NAME: &str = "okta_msp_org";

pub struct OrgResource {
    _shared: Arc<Shared>,
    schema: Schema,
}

impl OrgResource {
    pub fn new(shared: Arc<Shared>) -> OrgResource {
        OrgResource {
            _shared: shared,
            schema: schema(),
        }
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
        self.schema.clone()
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let marker = MarkerPresence::of(&request.prior_private);
        let prior = &request.prior_state;
        let finalized = prior.get("finalized").and_then(Value::as_bool) == Some(true);
        let kind = match request.action {
            PlanAction::Destroy => PlanKind::Destroy,
            PlanAction::Create => PlanKind::Create,
            PlanAction::Update => PlanKind::Update,
        };
        let subject = match (
            plan::string_of(prior, "subdomain").or(plan::string_of(&request.config, "subdomain")),
            plan::string_of(prior, "id"),
        ) {
            (Some(subdomain), Some(id)) => format!("{subdomain} ({id})"),
            (Some(subdomain), None) => subdomain.to_owned(),
            _ => "?".to_owned(),
        };
        let mut check = PlanCheck::new(GuardedResource::Org, kind, subject);
        check.prior_finalized = finalized;
        check.prior_marker = marker;
        if kind == PlanKind::Update {
            for name in [
                "name",
                "subdomain",
                "website",
                "integration_login",
                "integration_email",
            ] {
                if request.proposed_new_state.get(name) != prior.get(name) {
                    match GuardedResource::Org.classify(name) {
                        AttributeClass::Immutable => check.immutable_changes.push(name.to_owned()),
                        AttributeClass::Managed => check.managed_changes.push(name.to_owned()),
                        AttributeClass::Access => {}
                    }
                }
            }
        }
        let mut requires_replace = Vec::new();
        let mut warnings = Diagnostics::new();
        match guard::decide_plan(&check) {
            GuardDecision::Refuse(refusal) => return Err(diag::refusal(refusal)),
            GuardDecision::Replace { attributes } => {
                requires_replace = attributes
                    .iter()
                    .map(|name| AttributePath::attributes([name.as_str()]))
                    .collect();
            }
            GuardDecision::Repair(notice) => warnings.push(diag::notice(notice)),
            GuardDecision::Allow => {}
        }
        let planned_state = match request.action {
            PlanAction::Destroy => Value::Null,
            PlanAction::Create => plan::plan_create(request.proposed_new_state, &self.schema, &[]),
            PlanAction::Update => request.proposed_new_state,
        };
        let planned_private = if finalized {
            let id = plan::string_of(prior, "id").unwrap_or_default();
            marker::encode(&request.prior_private, id)
                .unwrap_or_else(|_| request.prior_private.clone())
        } else {
            marker::strip(&request.prior_private).unwrap_or_default()
        };
        Ok(PlanResponse {
            planned_state,
            requires_replace,
            planned_private,
            warnings,
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
