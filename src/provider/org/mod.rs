//! `okta_msp_org`: a customer org created through the partner org's Org Creator API, together
//! with its integration service account (the org's first super admin), set up through the
//! shared account pipeline (`provider::accounts`). Files: `schema.rs`, `model.rs` (the
//! attributes), `plan.rs` (pure), `apply.rs` (create, update, delete), `birth.rs` (a new org's
//! birth: the Org Creator's call and the registration on its service app, and the way back into
//! one a killed run created), `birth_run.rs` (where a birth runs: the helper process or a task),
//! `birth_helper.rs` and `birth_wire.rs` (the helper process and what it is told and says),
//! `birth_lock.rs` (one birth of an org at a time), `read.rs` (refresh and import),
//! `integration_mark.rs` (a finalized org's integration account's mark: checked, restored).

mod apply;
mod birth;
mod birth_custody;
mod birth_helper;
mod birth_lock;
mod birth_run;
mod birth_wire;
mod integration_mark;
pub mod model;
mod plan;
mod read;
mod schema;
mod taken;

use std::sync::Arc;

use async_trait::async_trait;

use crate::secret::Secret;
use tfplugin6::schema::IdentitySchema;
use tfplugin6::{
    ApplyAction, ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse,
    PlanAction, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Schema, Value,
};

use super::ProviderContext;
use super::org_access::UnfinishedOrg;
use super::org_access::partner_credentials;
use model::{Org, OrgPlan};

pub use birth_helper::run as run_birth_helper;
pub use birth_wire::HELPER_ARGUMENT as BIRTH_HELPER_ARGUMENT;
pub use schema::{identity_schema, schema};

pub const TYPE_NAME: &str = "okta_msp_org";

pub struct OrgResource {
    shared: Arc<ProviderContext>,
    schema: Schema,
}

impl OrgResource {
    pub fn new(shared: Arc<ProviderContext>) -> OrgResource {
        OrgResource {
            shared,
            schema: schema(),
        }
    }

    /// What a create plan needs from this run: this resource's own unfinished org for the
    /// subdomain, and whether the partner org can create one.
    fn facts_for_create(&self, config: &Org) -> plan::CreateFacts {
        let subdomain = config.subdomain.known_str();
        let unfinished = subdomain.and_then(|subdomain| self.shared.seen.unfinished_org(subdomain));
        // Not for the create half of a finalized org's replace, which the guard refuses.
        let replacing_finalized = subdomain.is_some_and(|s| self.shared.seen.is_finalized_org(s));
        let partner_missing = match (self.shared.config(), replacing_finalized) {
            (Ok(config), false) => partner_credentials(config).err(),
            _ => None,
        };
        plan::CreateFacts {
            unfinished,
            partner_missing,
        }
    }
}

#[async_trait]
impl Resource for OrgResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let input = OrgPlan::decode(request, Org::from_value);
        let facts = if input.request.action == PlanAction::Create {
            self.facts_for_create(&input.config)
        } else {
            plan::CreateFacts::default()
        };
        let fleet = plan::FleetFacts {
            trusted_key_ids: self
                .shared
                .config()
                .ok()
                .and_then(|config| config.fleet.as_ref())
                .map(|fleet| fleet.trusted_key_ids()),
        };
        plan::plan(input, &self.schema, facts, &fleet)
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        self.refresh(request).await
    }

    /// Okta returns a new org's API token once, in the answer to its creation: a create
    /// cancelled after that answer would lose the org. It returns what it made instead.
    fn finishes_apply_after_stop(&self) -> bool {
        true
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        match request.action {
            ApplyAction::Create => self.create(request).await,
            ApplyAction::Update => self.update(request).await,
            ApplyAction::Delete => self.delete(request),
        }
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        self.import_existing(request).await
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema())
    }

    fn identity(&self, state: &Value) -> Result<Value, Diagnostics> {
        Ok(Org::from_value(state).identity())
    }
}

impl OrgResource {
    /// Records for this run that `state` (of this resource, not finalized) holds its org, with
    /// the token only that state has, so that a create planned later in the run for the same
    /// subdomain resumes it.
    fn remember_unfinished(&self, state: &Org) {
        let (Some(subdomain), Some(id), Some(url)) = (
            state.subdomain.known_str(),
            state.id.known_str(),
            state.url.known_str(),
        ) else {
            return;
        };
        self.shared.seen.record_unfinished_org(
            subdomain,
            UnfinishedOrg {
                id: id.to_owned(),
                url: url.to_owned(),
                api_token: state.api_token.known_str().map(Secret::new),
                integration_account_id: state.integration_account_id.known().cloned(),
                service_app_client_id: state.service_app_client_id.known().cloned(),
                service_app_key_ids: state.service_app_key_ids.known().cloned(),
            },
        );
    }
}
