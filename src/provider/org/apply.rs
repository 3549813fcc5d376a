//! Create, update and delete of `okta_msp_org`: the org through the partner org's Org Creator
//! API, then its integration account through the shared set-up pipeline
//! (`provider::accounts::set_up`). An org cannot be deleted through Okta's API: a delete forgets
//! an unfinalized org and refuses a finalized one.

use std::time::{Duration, Instant};

use crate::okta::{ChildOrg, Client, NewChildOrg, OktaError, User, UserProfile};
use crate::provider::accounts::Stage;
use crate::provider::accounts::set_up::{self, SetUpRequest, Wording};
use crate::provider::fleet_app;
use crate::provider::known_after_apply::unknowns_to_null;
use crate::provider::provider_config::normalize_org_url;
use crate::provider::{diag, password, private};
use crate::rules::account_config::DesiredAccount;
use crate::rules::guard::{self, GuardDecision, GuardedResource};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::marker::MarkerPresence;
use crate::rules::user_type::user_type;
use crate::rules::violation::Input;
use crate::secret::Secret;
use tfplugin6::{ApplyRequest, ApplyResponse, Diagnostics, StopSignal, Value};

use super::birth::{BirthEvent, BirthOrder, org_url_of, register_app};
use super::birth_run::BirthRun;
use super::integration_mark;
use super::model::Org;
use super::taken::Taken;
use super::{OrgResource, TYPE_NAME};

impl OrgResource {
    /// Creates the org through the partner org's Org Creator API; its first super admin is the
    /// integration account. Then waits until the org answers, sets the account up and finalizes
    /// it. A failure after the org exists returns what was made (including the token, which Okta
    /// gives only once), and the next apply resumes.
    pub(super) async fn create(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let config = self.shared.config().map_err(diag::org_access)?;
        let planned = Org::from_value(&request.planned_state);
        let (Some(name), Some(subdomain), Some(login), Some(email)) = (
            planned.name.known().cloned(),
            planned.subdomain.known().cloned(),
            planned.integration_login.known().cloned(),
            planned.integration_email.known().cloned(),
        ) else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        let mut stop = request.stop;
        if let Some(id) = private::adopts(&request.planned_private) {
            return self.resume(planned, &id, &login, &email, &mut stop).await;
        }
        if stop.is_stopped() {
            return Err(diag::cancelled_before_org_create(&subdomain));
        }
        let partner = self
            .shared
            .org_access
            .partner(config)
            .map_err(diag::org_access)?;
        let naming = ServiceAccountKind::MspIntegration.rule().naming;
        let new_org = NewChildOrg {
            subdomain: subdomain.clone(),
            name,
            website: planned.website.known().cloned(),
            admin_profile: UserProfile {
                login: Some(login.clone()),
                email: Some(email.clone()),
                first_name: Some(naming.first_name.to_owned()),
                last_name: Some(naming.last_name.to_owned()),
                user_type: Some(user_type(ServiceAccountKind::MspIntegration, false)),
                ..UserProfile::default()
            },
            // Strong, generated, never stored: the integration uses the API token, and a person
            // who must sign in resets it from the vault.
            admin_password: Some(password::generate_avoiding(&[
                &login,
                naming.first_name,
                naming.last_name,
            ])),
        };
        let expected_url = partner
            .org_url()
            .child(&subdomain)
            .map(|url| url.as_str().to_owned());
        let on_service_app = planned.service_app.known() == Some(&true);
        let partner_url = partner.org_url().as_str().to_owned();
        let wait = Duration::from_secs(config.new_org_wait_seconds);
        // What the create knows should the org exist already.
        let existing = Taken {
            partner_url: &partner_url,
            expected_url: expected_url.as_deref(),
            subdomain: &subdomain,
            login: &login,
            email: &email,
            answer_lost: false,
            on_service_app,
            wait,
        };
        // A killed run's helper that keeps this org's token answers before Okta is asked
        // again (the Org Creator's calls are few per minute, and the answer is known).
        if !on_service_app
            && let Some(response) = self.claim_kept_org(&planned, &existing, &mut stop).await
        {
            return response;
        }
        // The Org Creator's call and, with a fleet key, the new org's wait and its app's
        // registration run apart from this handler (issue 25): in a helper process that a
        // killed provider does not end, since the token Okta returns lives only in memory
        // until the app works.
        let mut birth = BirthRun::start(
            &self.shared,
            BirthOrder {
                new_org,
                expected_url: expected_url.clone(),
                wait,
                register: on_service_app,
            },
        );
        // A stop before Okta's answer asks the birth to stop before the app's registration;
        // Okta's answer, once it comes, is returned whatever happens.
        let mut stop_seen = false;
        let created = loop {
            match birth.next_minding(&mut stop, &mut stop_seen).await {
                Some(BirthEvent::Created(created)) => break created,
                Some(BirthEvent::Failed(diagnostics)) => return Err(diagnostics),
                Some(BirthEvent::Taken { error, answer_lost }) => {
                    // This birth ends with its report; its lock goes with it, so that only an
                    // earlier run's birth is waited for below.
                    let _ = tokio::time::timeout(Duration::from_secs(10), async {
                        while birth.next().await.is_some() {}
                    })
                    .await;
                    let taken = Taken {
                        answer_lost,
                        ..existing
                    };
                    return self
                        .subdomain_taken(planned, &taken, &error, &mut stop)
                        .await;
                }
                Some(BirthEvent::Abandoned) => {
                    return Err(diag::cancelled_before_org_create(&subdomain));
                }
                Some(BirthEvent::Registering | BirthEvent::Registered { .. }) => continue,
                None => return Err(diag::org_birth_lost(&subdomain, None)),
            }
        };
        let url = org_url_of(&created, expected_url.as_deref(), &subdomain);
        let mut state = new_org_state(planned, &created, &url);
        let mut warnings = Diagnostics::new();
        if on_service_app {
            // Until the app works, the token is the only way in: state keeps it meanwhile.
            state.service_app_client_id = Input::Null;
            state.service_app_key_ids = Input::Null;
            // A stop during the new org's wait returns the token (Terraform saves it); once the
            // app's registration began, it is finished first, since it revokes the token.
            loop {
                match birth.next_minding(&mut stop, &mut stop_seen).await {
                    Some(BirthEvent::Registered {
                        client_id,
                        key_ids,
                        warnings: revoked,
                    }) => {
                        state.api_token = Input::Null;
                        state.service_app_client_id = Input::Known(client_id);
                        state.service_app_key_ids = Input::Known(key_ids);
                        warnings.extend(revoked);
                        break;
                    }
                    Some(BirthEvent::Failed(diagnostics)) => {
                        return Ok(finish(state, Err(diagnostics)));
                    }
                    Some(BirthEvent::Abandoned) => {
                        return Ok(finish(state, Err(diag::interrupted_org_setup(&url))));
                    }
                    Some(_) => continue,
                    None => {
                        return Ok(finish(
                            state,
                            Err(diag::org_birth_lost(&subdomain, Some(&url))),
                        ));
                    }
                }
            }
            if stop_seen {
                return Ok(with_warnings(
                    finish(state, Err(diag::interrupted_org_setup(&url))),
                    warnings,
                ));
            }
        }
        // From here on the org exists; without a fleet key its token is only in `state`: a
        // stop (Ctrl-C) ends the wait or the set-up, never the return of what was made.
        let response = if stop_seen {
            finish(state, Err(diag::interrupted_org_setup(&url)))
        } else {
            // With a fleet key, the helper waited before it registered the app.
            let ready_at = (!on_service_app).then(|| Instant::now() + wait);
            let set_up = self.set_up_stoppable(state, &url, ready_at, &login, &email, &mut stop);
            with_warnings(set_up.await, warnings)
        };
        // Without a fleet key the helper still keeps the token: it may let go now.
        birth.returned();
        Ok(response)
    }

    /// Makes the org's app trust exactly the provider's fleet keys (a rotation step).
    async fn rotate_keys(&self, url: &str, client_id: &str) -> Result<Vec<String>, Diagnostics> {
        let config = self.shared.config().map_err(diag::org_access)?;
        let Some(fleet) = &config.fleet else {
            return Err(diag::service_app_without_fleet_key(url));
        };
        let org = self
            .shared
            .org_access
            .reach(config, url, None, Some(client_id))
            .map_err(diag::org_access)?;
        fleet_app::sync_keys(&org.client, client_id, fleet)
            .await
            .map_err(|failure| diag::fleet_app_failed(url, &failure, false))
    }

    /// Resumes an org whose setup did not finish (update of an unfinalized org).
    pub(super) async fn update(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let planned = Org::from_value(&request.planned_state);
        let prior = Org::from_value(&request.prior_state);
        // What the org's creation returned stays: the plan only carries the configuration.
        let mut state = Org {
            id: prior.id.clone(),
            url: prior.url.clone(),
            api_token: prior.api_token.clone(),
            integration_account_id: prior.integration_account_id.clone(),
            status: prior.status.clone(),
            service_app_client_id: prior.service_app_client_id.clone(),
            service_app_key_ids: prior.service_app_key_ids.clone(),
            ..planned.clone()
        };
        let mut warnings = Diagnostics::new();
        if planned.service_app.known() == Some(&true)
            && let Some(url) = prior.url.known_str()
        {
            let stopped = |state: Org, diagnostics: Diagnostics| {
                let state = Org {
                    finalized: Input::Known(prior.is_finalized()),
                    ..state
                };
                Ok(ApplyResponse {
                    new_state: unknowns_to_null(state.into_value()),
                    private: Vec::new(),
                    diagnostics,
                })
            };
            match prior.service_app_client_id.known_str() {
                // A token org moving over, or a set-up that stopped before its app worked.
                None => {
                    let config = self.shared.config().map_err(diag::org_access)?;
                    let (token, from_state) = match prior.api_token.known_str() {
                        Some(token) if !token.is_empty() => (Secret::new(token), true),
                        _ => match config.org_tokens.get(&normalize_org_url(url)) {
                            Some(token) => (token.clone(), false),
                            None => return Err(diag::no_token_to_move_over(url)),
                        },
                    };
                    let subdomain = planned.subdomain.known_str().unwrap_or_default();
                    match register_app(&self.shared, url, subdomain, &token, from_state, false)
                        .await
                    {
                        Ok((client_id, key_ids, revoked)) => {
                            state.api_token = Input::Null;
                            state.service_app_client_id = Input::Known(client_id);
                            state.service_app_key_ids = Input::Known(key_ids);
                            warnings.extend(revoked);
                        }
                        Err(diagnostics) => return stopped(state, diagnostics),
                    }
                }
                Some(client_id) => {
                    if planned.service_app_key_ids.known() != prior.service_app_key_ids.known() {
                        match self.rotate_keys(url, client_id).await {
                            Ok(key_ids) => state.service_app_key_ids = Input::Known(key_ids),
                            Err(diagnostics) => return stopped(state, diagnostics),
                        }
                    }
                }
            }
        }
        if prior.is_finalized() {
            // The plan said `drift = []` exactly when it repairs something.
            if !prior.drift_repairs().is_empty() {
                let access = access_of(&state);
                integration_mark::restore(&self.shared, &state, access.token, access.client_id)
                    .await?;
            }
            return Ok(ApplyResponse {
                new_state: Org {
                    finalized: Input::Known(true),
                    ..state
                }
                .into_value(),
                private: Vec::new(),
                diagnostics: warnings,
            });
        }
        let (Some(url), Some(login), Some(email)) = (
            prior.url.known_str(),
            planned.integration_login.known_str(),
            planned.integration_email.known_str(),
        ) else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        let mut stop = request.stop;
        let set_up = self.set_up_stoppable(state, url, None, login, email, &mut stop);
        Ok(with_warnings(set_up.await, warnings))
    }

    /// The create half of replacing this resource's own tainted org: the plan carried its id,
    /// URL and token over from the tainted state; finish its set-up (G19).
    async fn resume(
        &self,
        planned: Org,
        id: &str,
        login: &str,
        email: &str,
        stop: &mut StopSignal,
    ) -> Result<ApplyResponse, Diagnostics> {
        let Some(url) = planned.url.known().cloned() else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        tracing::info!(org_id = %id, "resuming the set-up of the org");
        let mut planned = planned;
        let mut warnings = Diagnostics::new();
        if planned.service_app.known() == Some(&true)
            && planned.service_app_client_id.known().is_none()
        {
            // Its app was not working yet: the token the tainted state kept registers it (the
            // plan leaves it out, knowing it goes; the delete half recorded it in this run).
            let recorded = planned
                .subdomain
                .known_str()
                .and_then(|subdomain| self.shared.seen.unfinished_org(subdomain))
                .and_then(|org| org.api_token)
                .map(|token| token.expose().to_owned());
            let Some(token) = planned.api_token.known().cloned().or(recorded) else {
                return Err(diag::no_token_to_move_over(&url));
            };
            planned.service_app_client_id = Input::Null;
            let subdomain = planned.subdomain.known_str().unwrap_or_default().to_owned();
            match register_app(
                &self.shared,
                &url,
                &subdomain,
                &Secret::new(token.clone()),
                true,
                false,
            )
            .await
            {
                Ok((client_id, key_ids, revoked)) => {
                    planned.api_token = Input::Null;
                    planned.service_app_client_id = Input::Known(client_id);
                    planned.service_app_key_ids = Input::Known(key_ids);
                    warnings.extend(revoked);
                }
                Err(diagnostics) => {
                    planned.api_token = Input::Known(token);
                    return Ok(finish(planned, Err(diagnostics)));
                }
            }
        }
        if planned.api_token.is_unknown() {
            planned.api_token = Input::Null;
        }
        let set_up = self.set_up_stoppable(planned, &url, None, login, email, stop);
        Ok(with_warnings(set_up.await, warnings))
    }

    /// The set-up of an org that exists, reached as `state` says: Okta's wait first when
    /// `ready_at` says so (a new org), then `finish_setup`. A stop ends either, and the org
    /// returns with what reaches it (its token, or its app) and an error saying so; the next
    /// apply resumes it (G19).
    pub(super) async fn set_up_stoppable(
        &self,
        state: Org,
        url: &str,
        ready_at: Option<Instant>,
        login: &str,
        email: &str,
        stop: &mut StopSignal,
    ) -> ApplyResponse {
        if let Some(ready_at) = ready_at
            && until_stopped(stop, wait_for_new_org(url, ready_at))
                .await
                .is_none()
        {
            return finish(state, Err(diag::interrupted_org_setup(url)));
        }
        let set_up = self.finish_setup(
            url,
            access_of(&state),
            state.integration_account_id.known_str(),
            login,
            email,
            state.wants_finalize(),
        );
        let outcome = until_stopped(stop, set_up)
            .await
            .unwrap_or_else(|| Err(diag::interrupted_org_setup(url)));
        finish(state, outcome)
    }

    /// An org cannot be deleted through Okta's API. An unfinalized org is forgotten with a
    /// warning; a finalized one is refused (G8/G16), whatever the plan said.
    pub(super) fn delete(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let prior = Org::from_value(&request.prior_state);
        // The delete half of replacing a tainted org whose create resumes it (G19).
        if let (Some(resumed), Some(id)) = (
            private::adopts(&request.planned_private),
            prior.id.known_str(),
        ) && resumed == id
        {
            // Terraform plans the create half once more after this delete, in this process and
            // without a refresh: it must find the org to resume again.
            self.remember_unfinished(&prior);
            return Ok(ApplyResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            });
        }
        let check = guard::DeleteCheck {
            resource: GuardedResource::Org,
            subject: prior.subject(),
            state_finalized: prior.is_finalized(),
            private_marker: MarkerPresence::of(&request.planned_private),
            remote_finalized: None,
            deletion_policy: prior.deletion_policy(),
            whereabouts: guard::Whereabouts {
                org: None,
                ..prior.whereabouts()
            },
        };
        match guard::decide_delete(&check) {
            GuardDecision::Refuse(refusal) => return Err(diag::refusal(refusal)),
            // deletion_policy = "ABANDON" (G23): the plan said so; nothing to add.
            GuardDecision::Forget(_) => {
                return Ok(ApplyResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    diagnostics: Diagnostics::new(),
                });
            }
            _ => {}
        }
        Ok(ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
            diagnostics: diag::org_forgotten(prior.url.known_str().unwrap_or("?")).into(),
        })
    }

    /// Waits for the new org, then sets up and verifies its integration account and finalizes
    /// it. Returns the account id and status, or the diagnostics of what failed.
    async fn finish_setup(
        &self,
        url: &str,
        access: Access<'_>,
        account_id: Option<&str>,
        login: &str,
        email: &str,
        finalize: bool,
    ) -> Result<(String, String, bool), Diagnostics> {
        let config = self.shared.config().map_err(diag::org_access)?;
        let org = self
            .shared
            .org_access
            .reach(config, url, access.token, access.client_id)
            .map_err(diag::org_access)?;
        // After the wait Okta asks for (a new org) or at once (a resumed one), the org must
        // answer; it is polled for up to two minutes, so a slow one does not fail the set-up.
        let mut delay = Duration::from_millis(200);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match org.org_id().await {
                Ok(_) => break,
                Err(error) if Instant::now() < deadline => {
                    tracing::debug!(%error, "the new org does not answer yet");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(error) => {
                    return Err(diag::okta("waiting for the new org to answer", &error).into());
                }
            }
        }
        let me = integration_account(&org.client, account_id, login)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the integration account", &e)))?;
        let naming = ServiceAccountKind::MspIntegration.rule().naming;
        let desired = DesiredAccount {
            kind: ServiceAccountKind::MspIntegration,
            login: login.to_owned(),
            email: email.to_owned(),
            first_name: naming.first_name.to_owned(),
            last_name: naming.last_name.to_owned(),
            admin_roles: ServiceAccountKind::MspIntegration.default_roles(),
            finalize: true,
        };
        let baseline = self.shared.baseline();
        let group_id =
            set_up::ensure_baseline_group(&org, &baseline, &self.shared.baseline_owner(), false)
                .await?;
        // The account joins the service account group last: see `set_up_joining_last`.
        let set_up = set_up::set_up_joining_last(SetUpRequest {
            org: &org,
            desired: &desired,
            user: &me,
            group_id: &group_id,
            password: &password::generate_avoiding(&[
                &desired.login,
                &desired.first_name,
                &desired.last_name,
            ]),
            baseline: &baseline,
            stage: Stage::Setup,
            verify_as: Stage::Finalized,
            // A sandbox org (`finalize = false`): set up and verified, left destroyable.
            finalize,
            wording: &Wording {
                setting_up: "setting up the integration account",
                verifying: "verifying the integration account",
                disappeared_while: "setting up the integration account",
            },
        })
        .await
        .map_err(|failure| failure.diagnostics)?;
        Ok((
            me.id,
            set_up.observed.user.status.as_str().to_owned(),
            set_up.finalized,
        ))
    }
}

/// How the org is reached: its state's token, else its service app with the fleet key (else
/// the provider's entries for it).
#[derive(Clone, Copy)]
struct Access<'a> {
    token: Option<&'a str>,
    client_id: Option<&'a str>,
}

/// The state of an org Okta just made (`created`, at `url`): on its token, not finalized.
pub(super) fn new_org_state(planned: Org, created: &ChildOrg, url: &str) -> Org {
    Org {
        id: Input::Known(created.id.clone()),
        url: Input::Known(url.to_owned()),
        status: created.status.clone().into(),
        api_token: Input::Known(created.token.expose().to_owned()),
        integration_account_id: created.admin_user_id.clone().into(),
        finalized: Input::Known(false),
        ..planned
    }
}

fn access_of(state: &Org) -> Access<'_> {
    Access {
        token: state
            .api_token
            .known_str()
            .filter(|token| !token.is_empty()),
        client_id: state.service_app_client_id.known_str(),
    }
}

/// The integration account: the token's owner for an API token; for a service app, which has
/// no user behind it, the first super admin the Org Creator named (or the user with `login`).
async fn integration_account(
    client: &Client,
    account_id: Option<&str>,
    login: &str,
) -> Result<User, OktaError> {
    if !client.uses_service_app() {
        return client.get_me().await;
    }
    match account_id {
        Some(id) => client.get_user(id).await,
        None => client
            .find_user_by_login(login)
            .await?
            .ok_or_else(|| OktaError::Api {
                status: 404,
                error_code: crate::okta::codes::NOT_FOUND.to_owned(),
                error_summary: format!("no user with the integration login {login}"),
                request_id: None,
                causes: Vec::new(),
            }),
    }
}

/// Polls a new org until it answers, for up to two minutes (Okta asks for a wait after the
/// creation, and a slow org must not fail the set-up).
pub(super) async fn answering(client: &Client) -> Result<(), Diagnostics> {
    let mut delay = Duration::from_millis(200);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match client.get_org().await {
            Ok(_) => return Ok(()),
            Err(error) if Instant::now() < deadline => {
                tracing::debug!(%error, "the new org does not answer yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(error) => {
                return Err(diag::okta("waiting for the new org to answer", &error).into());
            }
        }
    }
}

/// `response` with `warnings` added to its diagnostics.
pub(super) fn with_warnings(mut response: ApplyResponse, warnings: Diagnostics) -> ApplyResponse {
    let mut all = warnings;
    all.extend(response.diagnostics);
    response.diagnostics = all;
    response
}

/// `work`'s outcome, or `None` when Terraform asks the provider to stop first (the work is
/// dropped at its next await: each set-up step is idempotent, and the next apply resumes).
pub(super) async fn until_stopped<T>(
    stop: &mut StopSignal,
    work: impl Future<Output = T>,
) -> Option<T> {
    if stop.is_stopped() {
        return None;
    }
    tokio::select! {
        outcome = work => Some(outcome),
        _ = stop.stopped() => None,
    }
}

/// Okta asks for at least 30 seconds between an org's creation and the first request to it
/// (`new_org_wait_seconds`); the wait is logged, so that a slow apply says why.
pub(super) async fn wait_for_new_org(url: &str, ready_at: Instant) {
    const PROGRESS_EVERY: Duration = Duration::from_secs(10);
    loop {
        let now = Instant::now();
        if now >= ready_at {
            return;
        }
        let left = ready_at - now;
        tracing::info!(
            org = url,
            seconds_left = left.as_secs(),
            "waiting before the first request to the new org, as Okta asks"
        );
        tokio::time::sleep(left.min(PROGRESS_EVERY)).await;
    }
}

/// The org's state after setup: finalized when the integration account was, else the partial
/// state with the error (Terraform records it, and the next apply resumes).
fn finish(state: Org, outcome: Result<(String, String, bool), Diagnostics>) -> ApplyResponse {
    match outcome {
        Ok((account_id, _status, finalized)) => {
            // Left to the apply by the plan: just set up, nothing drifted.
            let drift = match state.drift {
                Input::Unknown => Input::Known(Vec::new()),
                planned => planned,
            };
            let state = Org {
                integration_account_id: Input::Known(account_id),
                finalized: Input::Known(finalized),
                drift,
                ..state
            };
            ApplyResponse {
                // A resumed org's status was left to the apply; the next read fills it in.
                new_state: unknowns_to_null(state.into_value()),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            }
        }
        Err(diagnostics) => {
            let state = Org {
                finalized: Input::Known(false),
                ..state
            };
            ApplyResponse {
                new_state: unknowns_to_null(state.into_value()),
                private: Vec::new(),
                diagnostics,
            }
        }
    }
}
