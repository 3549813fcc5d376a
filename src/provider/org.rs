//! `okta_msp_org`: a customer org created through the partner org's Org Creator API, together
//! with its integration service account (the org's first super admin).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::plugin::schema::{Attribute, Schema};
use std::collections::BTreeMap;

use crate::okta::{ChildOrg, NewChildOrg, OktaError, UserProfile};
use crate::plugin::{
    ApplyAction, ApplyRequest, ApplyResponse, AttributePath, Diagnostics, ImportRequest,
    ImportResponse, PlanAction, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource,
    Value,
};
use crate::rules::account_config::DesiredAccount;
use crate::rules::guard::{
    self, AttributeClass, GuardDecision, GuardedResource, PlanCheck, PlanKind,
};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::marker::{self, MarkerPresence};

use super::accounts::Stage;
use super::accounts::set_up::{self, SetUpRequest, Wording};
use super::seen::UnfinishedOrg;
use super::{ProviderContext, diag, known_after_apply, password};
use crate::rules::user_type::user_type;
use crate::secret::Secret;

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
            Attribute::bool("finalize").optional().computed().description("Whether to finalize the org's integration account in the apply that sets it up. Default `true`; `false` leaves the org destroyable (forgotten, as Okta offers no API to delete an org), for sandboxes and module tests. Setting it later finalizes an org; a finalized org is never unfinalized."),
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
            known_after_apply::string_of(prior, "subdomain")
                .or(known_after_apply::string_of(&request.config, "subdomain")),
            known_after_apply::string_of(prior, "id"),
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
        let mut resumed = None;
        let planned_state = match request.action {
            PlanAction::Destroy => Value::Null,
            PlanAction::Create => {
                let planned = known_after_apply::plan_create(
                    request.proposed_new_state,
                    &self.schema,
                    &[("finalize", Value::Bool(true))],
                );
                let planned = if finalize_of(&planned) {
                    planned
                } else {
                    let mut planned = attributes(planned);
                    planned.insert("finalized".into(), Value::Bool(false));
                    Value::Object(planned)
                };
                // The replacement of this resource's own tainted org (a set-up that failed):
                // resume it with the token its state kept, never create it again (G19).
                match known_after_apply::string_of(&request.config, "subdomain")
                    .and_then(|subdomain| self.shared.seen.unfinished_org(subdomain))
                {
                    Some(org) => {
                        warnings.push(diag::org_resumed(&org.url, &org.id));
                        let planned = resume_plan(planned, &org);
                        resumed = Some(org.id);
                        planned
                    }
                    None => {
                        // Creating goes through the partner org: without its credentials the
                        // plan fails now, not the apply after other changes. (Not for the
                        // create half of a finalized org's replace, which the guard refuses.)
                        let subdomain = known_after_apply::string_of(&request.config, "subdomain");
                        let replacing_finalized =
                            subdomain.is_some_and(|s| self.shared.seen.is_finalized_org(s));
                        if let (Ok(config), false) = (self.shared.config(), replacing_finalized) {
                            super::org_access::partner_credentials(config)
                                .map_err(diag::org_access)?;
                        }
                        planned
                    }
                }
            }
            PlanAction::Update if !finalized => {
                // An org whose set-up did not finish is resumed by the next apply, which the plan
                // shows (without this, `terraform untaint` would leave it unfinished for ever).
                // A sandbox org (`finalize = false`) stays as it is.
                let mut planned = attributes(request.proposed_new_state);
                let finalize = planned
                    .get("finalize")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                planned.insert("finalize".into(), Value::Bool(finalize));
                if finalize {
                    planned.insert("finalized".into(), Value::Unknown);
                }
                Value::Object(planned)
            }
            PlanAction::Update => request.proposed_new_state,
        };
        let planned_private = if let Some(id) = resumed {
            super::private::with_adopts(&[], &id)
        } else if finalized {
            let id = known_after_apply::string_of(prior, "id").unwrap_or_default();
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

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let prior = request.current_state;
        let Some(url) = known_after_apply::string_of(&prior, "url").map(str::to_owned) else {
            return Ok(ReadResponse {
                new_state: prior,
                private: request.private,
                warnings: Diagnostics::new(),
            });
        };
        let config = self.shared.config().map_err(diag::org_access)?;
        let token = known_after_apply::string_of(&prior, "api_token");
        let org = self
            .shared
            .org_access
            .get(config, &url, token)
            .map_err(diag::org_access)?;
        let settings = match org.client.get_org().await {
            Ok(settings) => settings,
            Err(error) if error.is_unauthorized() => {
                return Err(diag::org_token_refused(&url));
            }
            Err(error) => return Err(diag::okta("reading the org", &error).into()),
        };
        if let Some(expected) = known_after_apply::string_of(&prior, "id")
            && expected != settings.id
        {
            return Err(diag::wrong_org(&url, expected, &settings.id));
        }
        if prior.get("finalized").and_then(Value::as_bool) != Some(true) {
            self.remember_unfinished(&prior);
        } else if let Some(subdomain) = known_after_apply::string_of(&prior, "subdomain") {
            self.shared.seen.record_finalized_org(subdomain);
        }
        let mut state = attributes(prior);
        if let Some(status) = settings.status {
            state.insert("status".into(), Value::String(status));
        }
        Ok(ReadResponse {
            new_state: Value::Object(state),
            private: request.private,
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        match request.action {
            ApplyAction::Create => self.create(request).await,
            ApplyAction::Update => self.update(request).await,
            ApplyAction::Delete => self.delete(request),
        }
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        let url = request.id.trim().trim_end_matches('/');
        if let Err(problem) = super::provider_config::check_org_url(url) {
            return Err(diag::bad_org_import_id(&request.id, &problem));
        }
        let config = self.shared.config().map_err(diag::org_access)?;
        let org = self
            .shared
            .org_access
            .get(config, url, None)
            .map_err(diag::org_access)?;
        let settings = org
            .client
            .get_org()
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the org", &e)))?;
        // The integration account is the owner of the token the provider was given for the org.
        let me = org
            .client
            .get_me()
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the token's owner", &e)))?;
        let roles: Vec<String> = org
            .client
            .list_user_roles(&me.id)
            .await
            .map_err(|e| {
                Diagnostics::from(diag::okta("reading the integration account's roles", &e))
            })?
            .into_iter()
            .map(|assignment| assignment.role_type)
            .collect();
        let mut warnings = Diagnostics::new();
        let compliant = roles == ["SUPER_ADMIN"] && me.status.as_str() == "ACTIVE";
        if !compliant {
            warnings.push(diag::import_findings(
                &format!("{} ({})", me.profile.login.as_deref().unwrap_or("?"), me.id),
                vec![format!(
                    "the integration account must be ACTIVE and hold exactly SUPER_ADMIN; it is {} with {}",
                    me.status.as_str(),
                    if roles.is_empty() { "no admin roles".to_owned() } else { roles.join(", ") }
                )],
            ));
        }
        let mut state = BTreeMap::new();
        let text = |value: Option<String>| value.map(Value::String).unwrap_or(Value::Null);
        state.insert("name".into(), text(settings.company_name.clone()));
        state.insert("subdomain".into(), text(settings.subdomain.clone()));
        state.insert("website".into(), text(settings.website.clone()));
        state.insert("integration_login".into(), text(me.profile.login.clone()));
        state.insert("integration_email".into(), text(me.profile.email.clone()));
        state.insert("id".into(), Value::String(settings.id.clone()));
        state.insert("url".into(), Value::string(org.client.org_url().as_str()));
        state.insert("status".into(), text(settings.status.clone()));
        state.insert("api_token".into(), Value::Null);
        state.insert(
            "integration_account_id".into(),
            Value::String(me.id.clone()),
        );
        // Finalized only when Okta records it (the marker), never inferred from a compliant
        // look: an org whose set-up a killed run left unfinished is resumed by the next apply,
        // which the plan shows (G18, G19).
        let finalized = me.profile.user_type.as_deref()
            == Some(user_type(ServiceAccountKind::MspIntegration, true).as_str());
        state.insert("finalized".into(), Value::Bool(finalized));
        // Adopted orgs are meant to be finalized: an unfinished one is finished by the next
        // apply unless the configuration says `finalize = false`.
        state.insert("finalize".into(), Value::Bool(true));
        Ok(ImportResponse {
            state: Value::Object(state),
            private: Vec::new(),
            warnings,
        })
    }
}

impl OrgResource {
    /// Creates the org through the partner org's Org Creator API; its first super admin is the
    /// integration account. Then waits until the org answers, sets the account up and finalizes
    /// it. A failure after the org exists returns what was made (including the token, which Okta
    /// gives only once), and the next apply resumes.
    async fn create(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let config = self.shared.config().map_err(diag::org_access)?;
        let planned = &request.planned_state;
        let text = |name: &str| known_after_apply::string_of(planned, name).map(str::to_owned);
        let (Some(name), Some(subdomain), Some(login), Some(email)) = (
            text("name"),
            text("subdomain"),
            text("integration_login"),
            text("integration_email"),
        ) else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        if let Some(id) = super::private::adopts(&request.planned_private) {
            return self.resume(planned, &id, &login, &email).await;
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
            website: text("website"),
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
            admin_password: Some(password::generate()),
        };
        let expected_url = partner.org_url().child(&subdomain);
        let created = match create_child_org(&partner, &new_org).await {
            Ok(created) => created,
            Err(OrgCreation::Failed(error)) => {
                return Err(diag::org_creation_failed(&subdomain, &error).into());
            }
            Err(OrgCreation::SubdomainTaken { error, answer_lost }) => {
                let existing = diag::ExistingOrg {
                    subdomain: &subdomain,
                    url: expected_url.as_ref().map(|url| url.as_str()),
                    integration_login: &login,
                    integration_email: &email,
                    answer_lost,
                };
                return Err(diag::org_exists(&existing, &error).into());
            }
        };
        let created_at = Instant::now();
        let url = match (&created.org_url, &expected_url) {
            (Some(url), _) | (None, Some(url)) => url.as_str().to_owned(),
            (None, None) => format!("https://{subdomain}.okta.com"),
        };
        let mut state = attributes(planned.clone());
        state.insert("id".into(), Value::string(&created.id));
        state.insert("url".into(), Value::string(&url));
        state.insert(
            "status".into(),
            created
                .status
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        state.insert("api_token".into(), Value::string(created.token.expose()));
        state.insert(
            "integration_account_id".into(),
            created
                .admin_user_id
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        state.insert("finalized".into(), Value::Bool(false));
        let ready_at = created_at + Duration::from_secs(config.new_org_wait_seconds);
        wait_for_new_org(&url, ready_at).await;
        let outcome = self
            .finish_setup(
                &url,
                Some(created.token.expose()),
                &login,
                &email,
                finalize_of(planned),
            )
            .await;
        Ok(finish(state, outcome))
    }

    /// Resumes an org whose setup did not finish (update of an unfinalized org).
    async fn update(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let mut state = attributes(request.planned_state.clone());
        let prior = &request.prior_state;
        for name in ["id", "url", "api_token", "integration_account_id", "status"] {
            state.insert(name.into(), prior.get(name).cloned().unwrap_or(Value::Null));
        }
        if prior.get("finalized").and_then(Value::as_bool) == Some(true) {
            state.insert("finalized".into(), Value::Bool(true));
            return Ok(ApplyResponse {
                new_state: Value::Object(state),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            });
        }
        let (Some(url), Some(login), Some(email)) = (
            known_after_apply::string_of(prior, "url").map(str::to_owned),
            known_after_apply::string_of(&request.planned_state, "integration_login")
                .map(str::to_owned),
            known_after_apply::string_of(&request.planned_state, "integration_email")
                .map(str::to_owned),
        ) else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        let token = known_after_apply::string_of(prior, "api_token").map(str::to_owned);
        let outcome = self
            .finish_setup(
                &url,
                token.as_deref(),
                &login,
                &email,
                finalize_of(&request.planned_state),
            )
            .await;
        Ok(finish(state, outcome))
    }

    /// Records for this run that `state` (of this resource, not finalized) holds its org, with
    /// the token only that state has, so that a create planned later in the run for the same
    /// subdomain resumes it.
    fn remember_unfinished(&self, state: &Value) {
        let (Some(subdomain), Some(id), Some(url)) = (
            known_after_apply::string_of(state, "subdomain"),
            known_after_apply::string_of(state, "id"),
            known_after_apply::string_of(state, "url"),
        ) else {
            return;
        };
        self.shared.seen.record_unfinished_org(
            subdomain,
            UnfinishedOrg {
                id: id.to_owned(),
                url: url.to_owned(),
                api_token: known_after_apply::string_of(state, "api_token").map(Secret::new),
                integration_account_id: known_after_apply::string_of(
                    state,
                    "integration_account_id",
                )
                .map(str::to_owned),
            },
        );
    }

    /// The create half of replacing this resource's own tainted org: the plan carried its id,
    /// URL and token over from the tainted state; finish its set-up (G19).
    async fn resume(
        &self,
        planned: &Value,
        id: &str,
        login: &str,
        email: &str,
    ) -> Result<ApplyResponse, Diagnostics> {
        let state = attributes(planned.clone());
        let (Some(url), Some(token)) = (
            known_after_apply::string_of(planned, "url").map(str::to_owned),
            known_after_apply::string_of(planned, "api_token").map(str::to_owned),
        ) else {
            return Err(diag::incomplete_configuration(TYPE_NAME));
        };
        tracing::info!(org_id = %id, "resuming the set-up of the org");
        let outcome = self
            .finish_setup(&url, Some(&token), login, email, finalize_of(planned))
            .await;
        Ok(finish(state, outcome))
    }

    /// An org cannot be deleted through Okta's API. An unfinalized org is forgotten with a
    /// warning; a finalized one is refused (G8/G16), whatever the plan said.
    fn delete(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let prior = &request.prior_state;
        // The delete half of replacing a tainted org whose create resumes it (G19).
        if let (Some(resumed), Some(id)) = (
            super::private::adopts(&request.planned_private),
            known_after_apply::string_of(prior, "id"),
        ) && resumed == id
        {
            // Terraform plans the create half once more after this delete, in this process and
            // without a refresh: it must find the org to resume again.
            self.remember_unfinished(prior);
            return Ok(ApplyResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            });
        }
        let check = guard::DeleteCheck {
            resource: GuardedResource::Org,
            subject: format!(
                "{} ({})",
                known_after_apply::string_of(prior, "subdomain").unwrap_or("?"),
                known_after_apply::string_of(prior, "id").unwrap_or("?")
            ),
            state_finalized: prior.get("finalized").and_then(Value::as_bool) == Some(true),
            private_marker: MarkerPresence::of(&request.planned_private),
            remote_finalized: None,
        };
        if let GuardDecision::Refuse(refusal) = guard::decide_delete(&check) {
            return Err(diag::refusal(refusal));
        }
        Ok(ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
            diagnostics: diag::org_forgotten(
                known_after_apply::string_of(prior, "url").unwrap_or("?"),
            )
            .into(),
        })
    }

    /// Waits for the new org, then sets up and verifies its integration account and finalizes
    /// it. Returns the account id and status, or the diagnostics of what failed.
    async fn finish_setup(
        &self,
        url: &str,
        token: Option<&str>,
        login: &str,
        email: &str,
        finalize: bool,
    ) -> Result<(String, String, bool), Diagnostics> {
        let config = self.shared.config().map_err(diag::org_access)?;
        let org = self
            .shared
            .org_access
            .get(config, url, token)
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
        let me =
            org.client.get_me().await.map_err(|e| {
                Diagnostics::from(diag::okta("reading the integration account", &e))
            })?;
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
        let group_id = set_up::ensure_baseline_group(&org, &baseline).await?;
        let set_up = set_up::set_up(SetUpRequest {
            org: &org,
            desired: &desired,
            user: &me,
            group_id: &group_id,
            password: &password::generate(),
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

/// Okta asks for at least 30 seconds between an org's creation and the first request to it
/// (`new_org_wait_seconds`); the wait is logged, so that a slow apply says why.
async fn wait_for_new_org(url: &str, ready_at: Instant) {
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

/// Why an org was not created.
enum OrgCreation {
    Failed(OktaError),
    /// Okta says the subdomain exists; `answer_lost` when an earlier attempt of this very call
    /// failed without a clear answer, so that it most likely made the org.
    SubdomainTaken {
        error: OktaError,
        answer_lost: bool,
    },
}

/// How often an org's creation is sent when each attempt fails unclearly.
const CREATE_ORG_ATTEMPTS: u32 = 3;

/// Creates the org, sending the request again after a failure that leaves its fate unknown
/// (5xx, timeout, broken connection; the client itself never replays a create). A replay cannot
/// make a second org, because the subdomain is unique: it creates the org the first attempt did
/// not, or is told that the subdomain exists, which then means the first attempt made it.
async fn create_child_org(
    partner: &crate::okta::Client,
    org: &NewChildOrg,
) -> Result<ChildOrg, OrgCreation> {
    let mut unclear = false;
    let mut attempts_left = CREATE_ORG_ATTEMPTS;
    loop {
        attempts_left -= 1;
        match partner.create_child_org(org).await {
            Ok(created) => return Ok(created),
            Err(error) if is_subdomain_taken(&error) => {
                return Err(OrgCreation::SubdomainTaken {
                    error,
                    answer_lost: unclear,
                });
            }
            Err(error) if attempts_left > 0 && error.is_transient() => {
                tracing::warn!(%error, "creating the org failed unclearly; sending it again");
                // A 429 was refused before Okta did anything; anything else may have happened.
                unclear |= error.status() != Some(429);
            }
            Err(error) => return Err(OrgCreation::Failed(error)),
        }
    }
}

/// Okta's validation error naming the subdomain as taken (`E0000001`, with a cause on the
/// `subdomain` field).
fn is_subdomain_taken(error: &OktaError) -> bool {
    match error {
        OktaError::Api {
            error_code, causes, ..
        } => {
            error_code == crate::okta::codes::VALIDATION_FAILED
                && causes.iter().any(|cause| {
                    let cause = cause.to_ascii_lowercase();
                    cause.starts_with("subdomain") && cause.contains("exist")
                })
        }
        _ => false,
    }
}

/// Whether the plan asks to finalize the org (`finalize`, default true).
fn finalize_of(planned: &Value) -> bool {
    planned
        .get("finalize")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// The org's state after setup: finalized when the integration account was, else the partial
/// state with the error (Terraform records it, and the next apply resumes).
fn finish(
    mut state: BTreeMap<String, Value>,
    outcome: Result<(String, String, bool), Diagnostics>,
) -> ApplyResponse {
    match outcome {
        Ok((account_id, _status, finalized)) => {
            state.insert("integration_account_id".into(), Value::String(account_id));
            state.insert("finalized".into(), Value::Bool(finalized));
            ApplyResponse {
                // A resumed org's status was left to the apply; the next read fills it in.
                new_state: known_after_apply::unknowns_to_null(Value::Object(state)),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            }
        }
        Err(diagnostics) => {
            state.insert("finalized".into(), Value::Bool(false));
            ApplyResponse {
                new_state: known_after_apply::unknowns_to_null(Value::Object(state)),
                private: Vec::new(),
                diagnostics,
            }
        }
    }
}

/// A create plan that resumes `org`: its id, URL and token as the tainted state kept them.
fn resume_plan(planned: Value, org: &UnfinishedOrg) -> Value {
    let mut planned = attributes(planned);
    planned.insert("id".into(), Value::string(&org.id));
    planned.insert("url".into(), Value::string(&org.url));
    if let Some(token) = &org.api_token {
        planned.insert("api_token".into(), Value::string(token.expose()));
    }
    if let Some(account) = &org.integration_account_id {
        planned.insert("integration_account_id".into(), Value::string(account));
    }
    Value::Object(planned)
}

fn attributes(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Object(attributes) => attributes,
        _ => BTreeMap::new(),
    }
}
