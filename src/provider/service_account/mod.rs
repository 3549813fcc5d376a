//! `okta_msp_service_account`: one Okta service account of a customer org (integration, Deep
//! Link, AD agent, RADIUS or custom), privileged and secured as its kind requires, and guarded
//! once finalized. Files: `schema.rs`, `model.rs` (the attributes), `plan.rs` (pure), `apply.rs`
//! (create, update, delete through the shared pipeline in `provider::accounts`), `read.rs`
//! (refresh and import); validation and the lookup a create plan needs are here.

mod apply;
mod generate;
mod list;
pub mod model;
mod plan;
mod read;
mod schema;

use std::sync::Arc;

use async_trait::async_trait;

use crate::okta::OktaError;
use crate::provider::accounts::{observe, set_up};
use crate::provider::org_access::{AccessError, OrgSession};
use crate::provider::private;
use crate::rules::account_config::{password_violations, reason_violation};
use crate::rules::adoption::Own;
use crate::rules::baseline::SecuringBaseline;
use crate::rules::baseline_owner::{Ownership, fingerprint};
use crate::rules::deletion_policy::DeletionPolicy;
use tfplugin6::schema::IdentitySchema;
use tfplugin6::{
    ApplyAction, ApplyRequest, ApplyResponse, Diagnostics, GenerateConfigRequest, ImportRequest,
    ImportResponse, PlanAction, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource,
    Schema, ValidateRequest, Value,
};

use super::{ProviderContext, diag};
use model::{AccountPlan, ServiceAccount, attr};

pub use list::ServiceAccountList;
pub use schema::{identity_schema, list_schema, schema};

pub const TYPE_NAME: &str = "okta_msp_service_account";

pub struct ServiceAccountResource {
    shared: Arc<ProviderContext>,
    schema: Schema,
}

impl ServiceAccountResource {
    pub fn new(shared: Arc<ProviderContext>) -> ServiceAccountResource {
        ServiceAccountResource {
            shared,
            schema: schema(),
        }
    }

    fn baseline(&self) -> SecuringBaseline {
        self.shared.baseline()
    }

    /// The org a value names, through its token or the provider's `org_tokens`.
    fn org(&self, value: &ServiceAccount) -> Result<Arc<OrgSession>, Diagnostics> {
        let config = self
            .shared
            .config()
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))?;
        let org_url = value.org_url.known_str().unwrap_or_default();
        let token = value.org_api_token.known_str();
        self.shared
            .org_access
            .reach(config, org_url, token, value.org_client_id.known_str())
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))
    }

    /// Records for this run that `state` (of this resource) holds the account `id`, so that a
    /// create planned later in the run for the same login recognises it as its own.
    fn remember_own(&self, state: &ServiceAccount, id: &str, finalized_in_state: bool) {
        if let (Some(org_url), Some(login)) = (state.org_url.known_str(), state.login.known_str()) {
            self.shared.seen.record_account(
                org_url,
                login,
                Own {
                    id: id.to_owned(),
                    finalized_in_state,
                },
            );
        }
    }

    /// Checks that the org answering is the org recorded in state.
    async fn verified_org_id(
        &self,
        org: &OrgSession,
        prior: &ServiceAccount,
    ) -> Result<String, Diagnostics> {
        let org_id = org.org_id().await.map_err(|e| {
            Diagnostics::from(diag::okta_reaching(
                org.client.org_url().as_str(),
                "reading the org",
                &e,
            ))
        })?;
        if let Some(expected) = prior.org_id.known_str()
            && expected != org_id
        {
            return Err(diag::wrong_org(
                org.client.org_url().as_str(),
                expected,
                &org_id,
            ));
        }
        Ok(org_id)
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
        let config = ServiceAccount::from_value(&request.config);
        let url_problems = diag::org_url_problems(config.org_url.known_str(), attr::ORG_URL);
        if !url_problems.is_empty() {
            return Err(url_problems);
        }
        let mut violations = config.account_config().violations();
        for (attribute, reason) in [
            (attr::CORRECTION_REASON, &config.correction_reason),
            (attr::RETIRE_REASON, &config.retire_reason),
        ] {
            if let Some(reason) = reason.known_str() {
                violations.extend(reason_violation(attribute, reason));
            }
        }
        if let Some(policy) = config.deletion_policy.known_str() {
            violations.extend(DeletionPolicy::violation(attr::DELETION_POLICY, policy));
        }
        // A write-only password is in the configuration only; check it now, never echoing it.
        if let Some(password) = config.password_wo.known_str() {
            violations.extend(password_violations(
                password,
                config.login.known_str(),
                &self.baseline(),
            ));
        }
        if violations.is_empty() {
            Ok(Diagnostics::new())
        } else {
            Err(diag::violations(violations))
        }
    }

    async fn plan(&self, request: PlanRequest) -> Result<PlanResponse, Diagnostics> {
        let input = AccountPlan::decode(request, ServiceAccount::from_value);
        let request = &input.request;
        // An account verified against these very baseline settings, whose plan changes
        // nothing, writes nothing to the baseline: who owns it does not matter, and a scheduled
        // plan of an unchanged fleet costs no call beyond its refresh's.
        if request.action == PlanAction::Update
            && private::verification(&request.prior_private).baseline
                == Some(fingerprint(&self.baseline()))
        {
            let planned = plan::plan(input.clone(), plan::CreateFacts::default(), false)?;
            if planned.planned_state == request.prior_state {
                return Ok(planned);
            }
        }
        // Counted while it plans, so the org's shared login listing knows whom to wait for.
        let planning_org = match request.action {
            PlanAction::Create => self.reachable_org(&input.config),
            _ => None,
        };
        let _planning = planning_org
            .as_ref()
            .map(|org| org.activity.planning_create());
        let ownership = if request.action == PlanAction::Destroy {
            None
        } else {
            self.check_baseline_owner(&input.config, request.action == PlanAction::Create)
                .await?
        };
        let facts = if request.action == PlanAction::Create {
            self.facts_for_create(&input.config).await?
        } else {
            plan::CreateFacts::default()
        };
        plan::plan(input, facts, ownership == Some(Ownership::OwnChange))
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        self.refresh(request).await
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        match request.action {
            ApplyAction::Create | ApplyAction::Update => self.set_up(request).await,
            ApplyAction::Delete => self.delete(request).await,
        }
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        self.import_existing(request).await
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema())
    }

    fn identity(&self, state: &Value) -> Result<Value, Diagnostics> {
        Ok(ServiceAccount::from_value(state).identity())
    }

    fn generates_config(&self) -> bool {
        true
    }

    async fn generate_config(&self, request: GenerateConfigRequest) -> Result<Value, Diagnostics> {
        self.generated_config(request).await
    }
}

impl ServiceAccountResource {
    /// The org of `config` when its URL and credentials are known, without any call.
    fn reachable_org(&self, config: &ServiceAccount) -> Option<Arc<OrgSession>> {
        let org_url = config.org_url.known_str()?;
        if config.org_credential_unknown() {
            return None;
        }
        let provider_config = self.shared.config().ok()?;
        self.shared
            .org_access
            .reach(
                provider_config,
                org_url,
                config.org_api_token.known_str(),
                config.org_client_id.known_str(),
            )
            .ok()
    }

    /// Fails the plan when another configuration owns the org's securing baseline with other
    /// settings (`rules::baseline_owner`), or when a create would change an unnamed owner's
    /// settings unshown. Skipped when the org cannot be reached yet (its token
    /// unknown, an org made in the same apply): the apply checks again before it writes.
    async fn check_baseline_owner(
        &self,
        config: &ServiceAccount,
        creating: bool,
    ) -> Result<Option<Ownership>, Diagnostics> {
        let Some(org_url) = config.org_url.known_str() else {
            return Ok(None);
        };
        if config.org_credential_unknown() {
            return Ok(None);
        }
        let Ok(provider_config) = self.shared.config() else {
            return Ok(None);
        };
        let Ok(org) = self.shared.org_access.reach(
            provider_config,
            org_url,
            config.org_api_token.known_str(),
            config.org_client_id.known_str(),
        ) else {
            return Ok(None);
        };
        let owner = self.shared.baseline_owner();
        let ownership = set_up::check_baseline_owner(&org, &self.baseline(), &owner).await?;
        set_up::refuse_unshown_change(&org, &ownership, &owner, creating)?;
        Ok(Some(ownership))
    }

    /// Who holds the login in Okta already, for a create plan (G14, G17 to G20): one listing
    /// shared by the creates of an org planned together (`OrgSession::holder_of_login`), and a
    /// roles read when someone does.
    /// Skipped while the org or its token are unknown (an org made in the same apply), and when
    /// the org cannot be reached: the apply looks again before it creates anything.
    /// What a planned create needs to know from Okta. Fails the plan when the org cannot be
    /// reached for want of a token: the apply would fail the same way, after other changes.
    async fn facts_for_create(
        &self,
        config: &ServiceAccount,
    ) -> Result<plan::CreateFacts, Diagnostics> {
        let (Some(login), Some(org_url)) = (config.login.known_str(), config.org_url.known_str())
        else {
            return Ok(plan::CreateFacts::default());
        };
        let own = self.shared.seen.account(org_url, login);
        let reachable = if config.org_credential_unknown() {
            None
        } else {
            // Not configured: a protocol-level plan without ConfigureProvider; the apply checks.
            let Ok(provider_config) = self.shared.config() else {
                return Ok(plan::CreateFacts {
                    own,
                    ..plan::CreateFacts::default()
                });
            };
            let token = config.org_api_token.known_str();
            let client_id = config.org_client_id.known_str();
            match self
                .shared
                .org_access
                .reach(provider_config, org_url, token, client_id)
            {
                Ok(org) => Some(org),
                Err(error @ AccessError::NoToken { .. }) => {
                    return Err(diag::access(error, attr::ORG_API_TOKEN));
                }
                Err(_) => None,
            }
        };
        let Some(org) = reachable else {
            return Ok(plan::CreateFacts {
                own,
                ..plan::CreateFacts::default()
            });
        };
        let lookup = match observe::existing_user(&org, login, config.email.known_str()).await {
            Ok(Some(existing)) => plan::Lookup::Existing(Box::new(existing)),
            Ok(None) => plan::Lookup::Absent,
            // A service app Okta refuses will be refused at apply too: say so now, before
            // any other change of the apply is made.
            Err(error @ (OktaError::TokenRefused { .. } | OktaError::ServiceAppKey { .. })) => {
                return Err(diag::okta("planning the account", &error).into());
            }
            Err(error) => {
                tracing::warn!(%error, "could not look the login up while planning; the apply checks again");
                plan::Lookup::NotChecked
            }
        };
        Ok(plan::CreateFacts {
            lookup,
            own,
            finalizer: org.finalizer().clone(),
        })
    }
}
