//! `okta_msp_service_account`: one Okta service account of a customer org (integration, Deep
//! Link, AD agent, RADIUS or custom), privileged and secured as its kind requires, and guarded
//! once finalized.

mod plan;
mod schema;
mod state;

use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::ApplyAction;
use crate::plugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Resource, Schema, ValidateRequest,
};
use crate::rules::guard::{self, DeleteCheck, GuardDecision, GuardedResource, Remote};
use crate::rules::marker::MarkerPresence;

use super::{Shared, diag};

pub use schema::schema;

pub const TYPE_NAME: &str = "okta_msp_service_account";

pub struct ServiceAccountResource {
    _shared: Arc<Shared>,
    schema: Schema,
}

impl ServiceAccountResource {
    pub fn new(shared: Arc<Shared>) -> ServiceAccountResource {
        ServiceAccountResource {
            _shared: shared,
            schema: schema(),
        }
    }
}

#[async_trait]
impl Resource for ServiceAccountResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        let violations = state::account_config(&request.config).violations();
        if violations.is_empty() {
            Ok(Diagnostics::new())
        } else {
            Err(diag::violations(violations))
        }
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        plan::plan(request, Remote::NotChecked)
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: request.current_state,
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        if request.action == ApplyAction::Delete {
            // The last line of defence (G8): holds even when the plan-time checks were bypassed,
            // for example after `terraform taint`, whose replace never consults the plan guard.
            let check = DeleteCheck {
                resource: GuardedResource::ServiceAccount,
                subject: state::subject(&request.prior_state),
                state_finalized: state::is_finalized(&request.prior_state),
                private_marker: MarkerPresence::of(&request.planned_private),
                remote_finalized: None,
            };
            if let GuardDecision::Refuse(refusal) = guard::decide_delete(&check) {
                return Err(diag::refusal(refusal));
            }
        }
        Err(diag::not_yet_implemented(
            TYPE_NAME,
            "create, update or delete",
        ))
    }

    async fn import(&self, _request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        Err(diag::not_yet_implemented(TYPE_NAME, "import"))
    }
}
