//! What an `okta_msp_org` create does when Okta says the org's subdomain exists: an
//! interrupted run made the org. Without a fleet key, that run's birth helper may keep the
//! org's token (`birth_custody`), and the org resumes with it; with one, the org is reclaimed
//! through okta-msp's app in it once no earlier birth is still at work (`birth_lock`);
//! otherwise the apply fails with the way to bring the org under Terraform.

use std::time::{Duration, Instant};

use crate::okta::{ChildOrg, OktaError};
use crate::provider::diag;
use crate::rules::violation::Input;
use tfplugin6::{ApplyResponse, Diagnostics, StopSignal};

use super::OrgResource;
use super::apply::{new_org_state, until_stopped, with_warnings};
use super::birth::{max_life, org_url_of, reclaim};
use super::birth_custody::{self, Claimed, ClaimedOrg};
use super::birth_lock;
use super::model::Org;

/// What the create knew when Okta said the org's subdomain exists.
pub(super) struct Taken<'a> {
    pub(super) partner_url: &'a str,
    pub(super) expected_url: Option<&'a str>,
    pub(super) subdomain: &'a str,
    pub(super) login: &'a str,
    pub(super) email: &'a str,
    pub(super) answer_lost: bool,
    pub(super) on_service_app: bool,
    pub(super) wait: Duration,
}

impl OrgResource {
    /// The org a killed run made, when that run's birth helper keeps its token (no fleet key):
    /// resumed with it; refused while the run that made it is still at work. `None` when no
    /// helper keeps it: the create asks Okta.
    pub(super) async fn claim_kept_org(
        &self,
        planned: &Org,
        taken: &Taken<'_>,
        stop: &mut StopSignal,
    ) -> Option<Result<ApplyResponse, Diagnostics>> {
        match birth_custody::claim(taken.partner_url, taken.subdomain).await {
            Claimed::Org(claimed) => Some(
                self.resume_claimed(planned.clone(), *claimed, taken, stop)
                    .await,
            ),
            Claimed::Busy => Some(Err(diag::org_birth_busy(taken.subdomain))),
            Claimed::Nothing => None,
        }
    }

    /// The org a killed run made without a fleet key, its token claimed from that run's birth
    /// helper: its set-up resumes as the killed create's would have (G19).
    async fn resume_claimed(
        &self,
        planned: Org,
        claimed: ClaimedOrg,
        taken: &Taken<'_>,
        stop: &mut StopSignal,
    ) -> Result<ApplyResponse, Diagnostics> {
        let response = self
            .resume_with_token(planned, &claimed.org, taken, stop)
            .await;
        // Only once the response holds the token may the helper let go of it; killed before
        // this, the helper keeps it for the next claim.
        claimed.returned();
        response
    }

    /// `resume_claimed`'s set-up with the claimed org's token.
    async fn resume_with_token(
        &self,
        planned: Org,
        created: &ChildOrg,
        taken: &Taken<'_>,
        stop: &mut StopSignal,
    ) -> Result<ApplyResponse, Diagnostics> {
        let url = org_url_of(created, taken.expected_url, taken.subdomain);
        tracing::info!(org = %url, "resuming the org a killed run made, with the token its helper kept");
        let state = new_org_state(planned, created, &url);
        // When the killed run made it is not known here: the whole wait Okta asks for.
        let ready_at = Instant::now() + taken.wait;
        let set_up =
            self.set_up_stoppable(state, &url, Some(ready_at), taken.login, taken.email, stop);
        Ok(with_warnings(
            set_up.await,
            diag::org_token_claimed(&url).into(),
        ))
    }

    /// Okta says the subdomain exists. With a fleet key the org is reclaimed through okta-msp's
    /// app in it (an interrupted run made it), once no earlier run's birth of the org is still
    /// at work (its lock: that birth may still be registering the app, in a helper process that
    /// outlived its provider); otherwise, or when the app does not let the fleet key in, the
    /// apply fails with the way to bring the org under Terraform.
    pub(super) async fn subdomain_taken(
        &self,
        planned: Org,
        taken: &Taken<'_>,
        error: &OktaError,
        stop: &mut StopSignal,
    ) -> Result<ApplyResponse, Diagnostics> {
        // Without a fleet key, a killed run's birth helper may keep the org's token (it may
        // have made the org since this create asked it first).
        if !taken.on_service_app
            && let Some(response) = self.claim_kept_org(&planned, taken, stop).await
        {
            return response;
        }
        let reclaimed = match (taken.expected_url, taken.on_service_app) {
            (Some(url), true) => {
                let bound = max_life(taken.wait);
                let lock = birth_lock::acquire(taken.partner_url, taken.subdomain, bound);
                let _lock = match until_stopped(stop, lock).await {
                    None => return Err(diag::cancelled_waiting_for_earlier_birth(taken.subdomain)),
                    Some(Ok(lock)) => Some(lock),
                    Some(Err(error)) => {
                        tracing::warn!(%error, "reclaiming the org without its birth lock");
                        None
                    }
                };
                Some(reclaim(&self.shared, url, taken.subdomain).await)
            }
            _ => None,
        };
        let fleet_key_refused = match reclaimed {
            Some(Ok(found)) => {
                let state = Org {
                    id: Input::Known(found.org_id),
                    url: Input::Known(found.url.clone()),
                    status: found.status.into(),
                    api_token: Input::Null,
                    integration_account_id: Input::Null,
                    finalized: Input::Known(false),
                    service_app_client_id: Input::Known(found.client_id),
                    service_app_key_ids: Input::Known(found.key_ids),
                    ..planned
                };
                let warnings = Diagnostics::from(diag::org_reclaimed(&found.url, taken.subdomain));
                let set_up =
                    self.set_up_stoppable(state, &found.url, None, taken.login, taken.email, stop);
                return Ok(with_warnings(set_up.await, warnings));
            }
            Some(Err(why)) => Some(why),
            None => None,
        };
        let existing = diag::ExistingOrg {
            subdomain: taken.subdomain,
            url: taken.expected_url,
            integration_login: taken.login,
            integration_email: taken.email,
            answer_lost: taken.answer_lost,
            fleet_key_refused,
            no_helper_kept_token: !taken.on_service_app,
        };
        Err(diag::org_exists(&existing, error).into())
    }
}
