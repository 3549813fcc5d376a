//! Create, update and delete of `okta_msp_service_account`: create or adopt the account, then
//! the shared set-up pipeline (`provider::accounts::set_up`); delete only what the guard allows.

use crate::okta::{OktaError, User, UserProfile};
use crate::provider::accounts::converge::FirstCreate;
use crate::provider::accounts::observe::Observed;
use crate::provider::accounts::set_up::{self, SetUpRequest, Wording};
use crate::provider::accounts::{self, Stage, converge};
use crate::provider::known_after_apply::unknowns_to_null;
use crate::provider::org_access::OrgSession;
use crate::provider::password::AccountPassword;
use crate::provider::{diag, private};
use crate::rules::account_config::{DesiredAccount, ResolveError};
use crate::rules::baseline_owner::fingerprint;
use crate::rules::guard::{self, DeleteCheck, GuardDecision, GuardedResource};
use crate::rules::marker::MarkerPresence;
use crate::rules::user_type::user_type;
use crate::rules::violation::Input;
use crate::secret::Secret;
use tfplugin6::{ApplyRequest, ApplyResponse, Diagnostics, Value};

use super::model::{ServiceAccount, attr};
use super::{ServiceAccountResource, TYPE_NAME};

impl ServiceAccountResource {
    /// Create and update: bring the account to its setup, verify it, finalize it. A failure
    /// midway returns what was done, so Terraform records it and the next apply resumes.
    pub(super) async fn set_up(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let config = ServiceAccount::from_value(&request.config);
        let progress =
            crate::provider::progress::AccountProgress::start(config.org_url.known_str());
        let planned = ServiceAccount::from_value(&request.planned_state);
        // The plan's values, not the configuration's: names an adoption keeps from Okta and roles
        // the kind gives are computed there, and the apply changes exactly what the plan showed.
        let desired = match planned.account_config().resolve() {
            Ok(desired) => desired,
            Err(ResolveError::Invalid(violations)) => return Err(diag::violations(violations)),
            Err(ResolveError::NotKnown(_)) => {
                return Err(diag::incomplete_configuration(TYPE_NAME));
            }
        };
        let prior = ServiceAccount::from_value(&request.prior_state);
        let mut was_finalized = prior.is_finalized();
        let org = self.org(&config)?;
        let _applying = org.activity.applying();
        let org_id = self.verified_org_id(&org, &prior).await?;
        let baseline = self.baseline();
        let group_id = set_up::ensure_baseline_group(
            &org,
            &baseline,
            &self.shared.baseline_owner(),
            prior.id.known_str().is_none(),
        )
        .await?;
        let password = match config.password_wo.known_str() {
            Some(given) if !given.is_empty() => AccountPassword::given(Secret::new(given)),
            _ => AccountPassword::generated(&[
                &desired.login,
                &desired.first_name,
                &desired.last_name,
            ]),
        };
        // Created by this apply: Okta's answers stand for the reads a set-up would make.
        let mut created_now = false;
        let user = match prior.id.known_str() {
            Some(id) => org
                .client
                .get_user(id)
                .await
                .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?,
            None => {
                let adopts = private::adopts(&request.planned_private);
                let org_url = config.org_url.known_str().unwrap_or_default();
                let creatable = desired.kind.may_be_created_by_service_account_resource();
                // The plan found the login free (it records an id otherwise): create at once,
                // and look the login up only when Okta says someone holds it.
                let first = if adopts.is_none() && creatable {
                    converge::create_first(&org, &desired, &password, &group_id)
                        .await
                        .map_err(|e| Diagnostics::from(diag::okta("creating the account", &e)))?
                } else {
                    FirstCreate::LookUp
                };
                match first {
                    FirstCreate::Created(user) => {
                        created_now = true;
                        *user
                    }
                    FirstCreate::LookUp => {
                        match set_up::find_adoptable(&org, &desired, org_url, adopts.as_deref())
                            .await?
                        {
                            Some((user, finalized_in_okta)) => {
                                was_finalized = finalized_in_okta;
                                user
                            }
                            None => {
                                if !creatable {
                                    return Err(diag::not_creatable(
                                        desired.kind.as_str(),
                                        attr::KIND,
                                        "The MSP integration account is created together with its org by okta_msp_org. To manage the integration account of an existing org, import it with an import block (id = \"ORG_URL/LOGIN\")",
                                    ));
                                }
                                converge::create_or_adopt(&org, &desired, &password, &group_id)
                                    .await
                                    .map_err(|e| {
                                        Diagnostics::from(diag::okta("creating the account", &e))
                                    })?
                            }
                        }
                    }
                }
            }
        };
        // Retired (G22): deactivated and no longer marked finalized in Okta, so that a later
        // destroy is an ordinary one (G15). Nothing else is set up.
        if planned.is_retired() && prior.id.known().is_some() {
            return self.retire(&org, &user, &desired, &org_id, &planned).await;
        }
        // What was done when a step fails: Terraform records it, and the next apply resumes.
        let partial = |observed_status: &str, diagnostics: Diagnostics| {
            let state = ServiceAccount {
                id: Input::Known(user.id.clone()),
                org_id: Input::Known(org_id.clone()),
                status: Input::Known(observed_status.to_owned()),
                finalized: Input::Known(was_finalized),
                finalized_at: if was_finalized {
                    prior.finalized_at.clone()
                } else {
                    Input::Null
                },
                drift: Input::Known(Vec::new()),
                ..planned.clone()
            };
            ApplyResponse {
                new_state: unknowns_to_null(state.into_value()),
                private: Vec::new(),
                diagnostics,
            }
        };
        let stage = if was_finalized {
            Stage::Finalized
        } else {
            Stage::Setup
        };
        let set_up_request = SetUpRequest {
            org: &org,
            desired: &desired,
            user: &user,
            group_id: &group_id,
            password: password.secret(),
            baseline: &baseline,
            stage,
            verify_as: stage,
            finalize: desired.finalize,
            wording: &Wording {
                setting_up: "setting up the account",
                verifying: "verifying the account",
                disappeared_while: "setting it up",
            },
        };
        let outcome = if created_now {
            set_up::set_up_created(set_up_request).await
        } else {
            set_up::set_up(set_up_request).await
        };
        let set_up = match outcome {
            Ok(set_up) => set_up,
            Err(failure) => return Ok(partial(&failure.status, failure.diagnostics)),
        };
        let finalized_at = match stage {
            Stage::Finalized => Some(
                prior
                    .finalized_at
                    .known()
                    .cloned()
                    .unwrap_or_else(now_rfc3339),
            ),
            Stage::Setup if set_up.finalized => Some(now_rfc3339()),
            Stage::Setup => None,
        };
        let finalized = set_up.finalized;
        let observed = set_up.observed;
        let state = account_state(
            &config,
            &desired,
            &observed,
            &org_id,
            finalized,
            finalized_at,
        );
        progress.finished();
        let times = org.verification_times();
        Ok(ApplyResponse {
            new_state: state,
            // Verified from this run's first read to its last write, in this group, against
            // these settings (in Okta's time): what the next refresh trusts while the System
            // Log shows no change by anyone else since that read, and none of its own since.
            private: private::with_verification(
                &[],
                &private::Verification {
                    at: times.map(|times| times.read_from),
                    own_writes_until: times.map(|times| times.own_writes_until),
                    group_id: Some(group_id.clone()),
                    baseline: Some(fingerprint(&baseline)),
                },
            ),
            diagnostics: Diagnostics::new(),
        })
    }

    /// Retires the account: records in `userType` that it is no longer finalized, then
    /// deactivates it (Okta ends its sessions and it can no longer sign in). In that order,
    /// because Okta refuses profile changes to a deactivated user (E0000038): an apply that
    /// stops in between leaves an active, unmarked account that the next apply deactivates.
    async fn retire(
        &self,
        org: &OrgSession,
        user: &User,
        desired: &DesiredAccount,
        org_id: &str,
        planned: &ServiceAccount,
    ) -> Result<ApplyResponse, Diagnostics> {
        let failed = |e: OktaError| Diagnostics::from(diag::okta("retiring the account", &e));
        if user.status.as_str() != "DEPROVISIONED" {
            let unmark = UserProfile {
                user_type: Some(user_type(desired.kind, false)),
                ..UserProfile::default()
            };
            org.client
                .update_user_profile(&user.id, &unmark)
                .await
                .map_err(failed)?;
            org.client.deactivate_user(&user.id).await.map_err(failed)?;
        }
        let retired = org.client.get_user(&user.id).await.map_err(failed)?;
        let state = ServiceAccount {
            id: Input::Known(user.id.clone()),
            org_id: Input::Known(org_id.to_owned()),
            status: Input::Known(retired.status.as_str().to_owned()),
            finalized: Input::Known(false),
            finalized_at: Input::Null,
            drift: Input::Known(Vec::new()),
            password_wo: Input::Null,
            ..planned.clone()
        };
        Ok(ApplyResponse {
            new_state: unknowns_to_null(state.into_value()),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        })
    }

    pub(super) async fn delete(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let prior = ServiceAccount::from_value(&request.prior_state);
        // The delete half of replacing a tainted object whose create resumes the same account
        // (G19): the plan recorded that id, so forget the tainted record and touch nothing.
        if let (Some(adopted), Some(id)) = (
            private::adopts(&request.planned_private),
            prior.id.known_str(),
        ) && adopted == id
        {
            tracing::info!(user_id = %id, "forgetting the tainted record; the create resumes the same account");
            // Terraform plans the create half once more after this delete, in this process and
            // without a refresh: it must recognise the account as its own again.
            self.remember_own(&prior, id, false);
            return Ok(deleted());
        }
        // The last line of defence (G8): holds even when the plan-time checks were bypassed,
        // for example after `terraform taint`, whose replace never consults the plan guard.
        // `deletion_policy = "ABANDON"` in state forgets the account without a call (G23).
        let mut check = DeleteCheck {
            resource: GuardedResource::ServiceAccount,
            subject: prior.subject(),
            state_finalized: prior.is_finalized(),
            private_marker: MarkerPresence::of(&request.planned_private),
            remote_finalized: None,
            deletion_policy: prior.deletion_policy(),
            whereabouts: prior.whereabouts(),
        };
        match guard::decide_delete(&check) {
            GuardDecision::Refuse(refusal) => return Err(diag::refusal(refusal)),
            GuardDecision::Forget(_) => {
                tracing::info!(
                    user_id = prior.id.known_str().unwrap_or("?"),
                    "forgetting the account (deletion_policy ABANDON); nothing changes in Okta"
                );
                return Ok(deleted());
            }
            _ => {}
        }
        let Some(id) = prior.id.known_str() else {
            return Ok(deleted());
        };
        let org = self.org(&prior)?;
        self.verified_org_id(&org, &prior).await?;
        let user = match org.client.get_user(id).await {
            Ok(user) => user,
            Err(error) if error.is_not_found() => return Ok(deleted()),
            Err(error) => {
                return Err(diag::okta("reading the account before deleting it", &error).into());
            }
        };
        // State can be stale: Okta has the last word on finalization.
        check.remote_finalized = Some(accounts::is_finalized_in_okta(&user));
        if let GuardDecision::Refuse(refusal) = guard::decide_delete(&check) {
            return Err(diag::refusal(refusal));
        }
        converge::delete(&org, &user)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("deleting the account", &e)))?;
        Ok(deleted())
    }
}

fn deleted() -> ApplyResponse {
    ApplyResponse {
        new_state: Value::Null,
        private: Vec::new(),
        diagnostics: Diagnostics::new(),
    }
}

pub(super) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The state of a set-up account: the configuration's own values, Okta's answers for the rest.
/// Starts from the configuration, so an argument the apply does not change is stored as
/// configured without a line here.
fn account_state(
    config: &ServiceAccount,
    desired: &DesiredAccount,
    observed: &Observed,
    org_id: &str,
    finalized: bool,
    finalized_at: Option<String>,
) -> Value {
    let roles = desired.admin_roles.iter().map(|r| r.as_str().to_owned());
    ServiceAccount {
        kind: Input::Known(desired.kind.as_str().to_owned()),
        login: Input::Known(desired.login.clone()),
        email: Input::Known(desired.email.clone()),
        first_name: Input::Known(desired.first_name.clone()),
        last_name: Input::Known(desired.last_name.clone()),
        admin_roles: Input::Known(roles.collect()),
        password_wo: Input::Null,
        finalize: Input::Known(desired.finalize),
        id: Input::Known(observed.user.id.clone()),
        org_id: Input::Known(org_id.to_owned()),
        status: Input::Known(observed.user.status.as_str().to_owned()),
        finalized: Input::Known(finalized),
        finalized_at: finalized_at.into(),
        drift: Input::Known(Vec::new()),
        ..config.clone()
    }
    .into_value()
}
