//! `okta_msp_service_account`: one Okta service account of a customer org (integration, Deep
//! Link, AD agent, RADIUS or custom), privileged and secured as its kind requires, and guarded
//! once finalized. In order: schema, validate, plan, create, read, update, delete, import.

mod plan;
mod schema;
mod state;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::{
    ApplyAction, ApplyRequest, ApplyResponse, Diagnostics, ImportRequest, ImportResponse,
    PlanAction, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Schema,
    ValidateRequest, Value,
};
use crate::provider::org_access::OrgSession;
use crate::provider::role_freshness::RolesRead;
use crate::rules::account_config::{DesiredAccount, ResolveError};
use crate::rules::adoption::Own;
use crate::rules::baseline::SecuringBaseline;
use crate::rules::compliance::{self, expectation_for_observed};
use crate::rules::guard::{self, DeleteCheck, GuardDecision, GuardedResource};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::marker::MarkerPresence;
use crate::secret::Secret;

use super::{ProviderContext, diag, password, private};

use crate::provider::accounts::observe::{self, Observed};
use crate::provider::accounts::set_up::{self, SetUpRequest, Wording};
use crate::provider::accounts::{self, Stage, converge};
use crate::rules::user_type::parse_user_type;

pub use schema::schema;

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
    fn org(&self, value: &Value) -> Result<Arc<OrgSession>, Diagnostics> {
        let config = self.shared.config().map_err(diag::access)?;
        let org_url = state::input_string(value, "org_url");
        let org_url = org_url.known().map(String::as_str).unwrap_or_default();
        let token = value.get("org_api_token").and_then(Value::as_str);
        self.shared
            .org_access
            .get(config, org_url, token)
            .map_err(diag::access)
    }

    /// Records for this run that `state` (of this resource) holds the account `id`, so that a
    /// create planned later in the run for the same login recognises it as its own.
    fn remember_own(&self, state: &Value, id: &str, finalized_in_state: bool) {
        if let (Some(org_url), Some(login)) = (
            state.get("org_url").and_then(Value::as_str),
            state.get("login").and_then(Value::as_str),
        ) {
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
        prior: &Value,
    ) -> Result<String, Diagnostics> {
        let org_id = org
            .org_id()
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the org", &e)))?;
        if let Some(expected) = prior.get("org_id").and_then(Value::as_str)
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
        let url_problems =
            crate::provider::data_service_accounts::validate_org_url(&request.config);
        if !url_problems.is_empty() {
            return Err(url_problems);
        }
        let mut violations = state::account_config(&request.config).violations();
        // A write-only password is in the configuration only; check it now, never echoing it.
        if let Some(password) = request.config.get("password_wo").and_then(Value::as_str) {
            let login = request.config.get("login").and_then(Value::as_str);
            violations.extend(crate::rules::account_config::password_violations(
                password,
                login,
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
        let facts = if request.action == PlanAction::Create {
            self.facts_for_create(&request.config).await?
        } else {
            plan::CreateFacts::default()
        };
        plan::plan(request, facts)
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let prior = request.current_state;
        let Some(id) = prior.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return Ok(ReadResponse {
                new_state: prior,
                private: request.private,
                warnings: Diagnostics::new(),
            });
        };
        self.remember_own(&prior, &id, state::is_finalized(&prior));
        let org = self.org(&prior)?;
        self.verified_org_id(&org, &prior).await?;
        let baseline = self.baseline();
        let group_id = org
            .existing_group_id(&baseline.group_name)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("finding the service account group", &e)))?;
        let verified_roles: Vec<String> = match state::input_strings(&prior, "admin_roles") {
            crate::rules::violation::Input::Known(roles) => roles,
            _ => Vec::new(),
        };
        let verified =
            private::verified_at(&request.private).map(|at| (at, verified_roles.as_slice()));
        let observed = observe::observe_for_refresh(
            &org,
            &id,
            group_id.as_deref().unwrap_or_default(),
            verified,
        )
        .await
        .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?;
        let Some((observed, roles_read)) = observed else {
            return match guard::decide_vanished(
                GuardedResource::ServiceAccount,
                &state::subject(&prior),
                state::is_finalized(&prior),
            ) {
                GuardDecision::Refuse(refusal) => Err(diag::refusal(refusal)),
                _ => Ok(ReadResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    warnings: Diagnostics::new(),
                }),
            };
        };
        let mut new_state = state::attributes(prior.clone());
        new_state.insert(
            "status".into(),
            Value::string(observed.user.status.as_str()),
        );
        let facts = observe::facts_with_baseline(&org, &observed, &baseline, group_id.as_deref())
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the securing baseline", &e)))?;
        let drift = match desired_from(&prior) {
            Some(desired) => drift_of(&desired, &baseline, &facts),
            // An imported account whose kind is not recorded yet: what the import found stands
            // until the configuration's kind is applied.
            None => match prior.get("drift") {
                Some(Value::List(entries)) => entries
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            },
        };
        new_state.insert(
            "drift".into(),
            Value::List(drift.into_iter().map(Value::String).collect()),
        );
        // Only roles that match the state are "verified": after drift the next read must look
        // at the roles again rather than trust the state.
        let mut held = observed.role_types.clone();
        held.sort();
        let mut expected = verified_roles.clone();
        expected.sort();
        // Roles trusted from the System Log keep the time they were verified at: moving it to
        // now would skip an event the log lists late (see `role_freshness`).
        let verified_at = match roles_read {
            _ if held != expected => 0,
            RolesRead::Trust { verified_at } => verified_at,
            RolesRead::Direct => private::verification_time(),
        };
        Ok(ReadResponse {
            new_state: Value::Object(new_state),
            private: private::with_verified_at(&request.private, verified_at),
            warnings: Diagnostics::new(),
        })
    }

    async fn apply(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        match request.action {
            ApplyAction::Create | ApplyAction::Update => self.set_up(request).await,
            ApplyAction::Delete => self.delete(request).await,
        }
    }

    async fn import(&self, request: ImportRequest) -> Result<ImportResponse, Diagnostics> {
        let Some((org_url, id_or_login)) = request.id.trim().rsplit_once('/') else {
            return Err(diag::bad_import_id(
                &request.id,
                "there is no '/' between the org URL and the account",
            ));
        };
        if id_or_login.is_empty() || !org_url.contains("://") {
            return Err(diag::bad_import_id(
                &request.id,
                "the org URL or the account is missing",
            ));
        }
        let lookup = Value::Object(BTreeMap::from([(
            "org_url".to_owned(),
            Value::string(org_url),
        )]));
        let org = self.org(&lookup)?;
        let org_id = self.verified_org_id(&org, &Value::Null).await?;
        let user =
            org.client.get_user(id_or_login).await.map_err(|e| {
                Diagnostics::from(diag::okta(&format!("finding {id_or_login:?}"), &e))
            })?;
        let baseline = self.baseline();
        let group_id = org
            .existing_group_id(&baseline.group_name)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("finding the service account group", &e)))?
            .unwrap_or_default();
        let observed = observe::observe(&org, &user.id, &group_id)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?
            .ok_or_else(|| diag::disappeared("importing"))?;
        let group = (!group_id.is_empty()).then_some(group_id.as_str());
        let facts = observe::facts_with_baseline(&org, &observed, &baseline, group)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the securing baseline", &e)))?;
        let imported = imported_state(&lookup, &org_id, &observed, &facts, &baseline);
        let mut warnings = Diagnostics::new();
        if !imported.findings.is_empty() {
            warnings.push(diag::import_findings(
                &format!("{} ({})", imported.login, user.id),
                imported.findings,
            ));
        }
        Ok(ImportResponse {
            state: imported.state,
            private: Vec::new(),
            warnings,
        })
    }
}

/// An imported account's state and what the import found wrong with it.
struct Imported {
    state: Value,
    login: String,
    findings: Vec<String>,
}

/// The state an import records (G18): what Okta holds, never a guess. The kind is the one the
/// provider's mark in Okta records, or null until the configuration sets it (so no plan shows it
/// "changing"); names, e-mail, status and, unless finalized, the roles are Okta's, so the next
/// plan shows every change the apply makes with its old and new value. Finalized only when Okta
/// records it finalized: a compliant but unmarked account is finalized by the next apply, which
/// the plan shows.
fn imported_state(
    lookup: &Value,
    org_id: &str,
    observed: &Observed,
    facts: &compliance::ObservedAccount,
    baseline: &SecuringBaseline,
) -> Imported {
    let marked = parse_user_type(observed.user.profile.user_type.as_deref());
    let finalized = matches!(marked, Some((_, true)));
    // The rules need a kind to judge roles and names; an unmarked account's is left to the
    // configuration, and role findings wait for it (the plan's admin_roles diff shows them).
    let kind_known = marked.is_some();
    let kind = marked
        .map(|(kind, _)| kind)
        .unwrap_or_else(|| ServiceAccountKind::infer(&facts.login, &facts.first_name));
    let expectation = expectation_for_observed(kind, facts);
    let stage = if finalized {
        Stage::Finalized
    } else {
        Stage::Setup
    };
    let findings = set_up::assess(stage, &expectation, baseline, facts);
    let about_roles = |violation: &crate::rules::violation::Violation| {
        violation
            .path
            .first()
            .is_some_and(|name| name == "admin_roles")
    };
    let mut drift: Vec<String> = findings
        .findings
        .iter()
        .filter(|finding| kind_known || !about_roles(&finding.violation))
        .map(|finding| match &finding.repair {
            Some(repair) => repair.describe(),
            None => finding.violation.summary.clone(),
        })
        .collect();
    if !kind_known {
        // Adoption writes the provider's mark over whatever `userType` held: the plan says so.
        drift.push(format!(
            "record the account as a managed service account in Okta's userType (now {})",
            observed
                .user
                .profile
                .user_type
                .as_deref()
                .map(|value| format!("{value:?}"))
                .unwrap_or_else(|| "not set".to_owned())
        ));
    }
    drift.sort();
    drift.dedup();
    let described: Vec<String> = findings
        .violations()
        .filter(|violation| kind_known || !about_roles(violation))
        .map(|v| format!("{}: {}", v.summary, v.detail))
        .collect();
    let roles: Vec<String> = if finalized {
        expectation
            .admin_roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect()
    } else {
        observed.role_types.clone()
    };
    let text = |value: &str| Value::string(value);
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "org_url".into(),
        lookup.get("org_url").cloned().unwrap_or(Value::Null),
    );
    attributes.insert("org_api_token".into(), Value::Null);
    attributes.insert(
        "kind".into(),
        if kind_known {
            text(kind.as_str())
        } else {
            Value::Null
        },
    );
    attributes.insert("login".into(), text(&facts.login));
    attributes.insert("email".into(), text(&facts.email));
    attributes.insert("first_name".into(), text(&facts.first_name));
    attributes.insert("last_name".into(), text(&facts.last_name));
    attributes.insert("admin_roles".into(), state::string_set(roles));
    attributes.insert("password_wo".into(), Value::Null);
    attributes.insert("finalize".into(), Value::Bool(true));
    attributes.insert("id".into(), text(&observed.user.id));
    attributes.insert("org_id".into(), text(org_id));
    attributes.insert("status".into(), text(observed.user.status.as_str()));
    attributes.insert("finalized".into(), Value::Bool(finalized));
    attributes.insert(
        "finalized_at".into(),
        if finalized {
            Value::String(now_rfc3339())
        } else {
            Value::Null
        },
    );
    attributes.insert(
        "drift".into(),
        Value::List(drift.into_iter().map(Value::String).collect()),
    );
    Imported {
        state: Value::Object(attributes),
        login: facts.login.clone(),
        findings: described,
    }
}

impl ServiceAccountResource {
    /// Who holds the login in Okta already, for a create plan (G14, G17 to G20): one exact,
    /// strongly consistent lookup per planned create, and a roles read when someone does.
    /// Skipped while the org or its token are unknown (an org made in the same apply), and when
    /// the org cannot be reached: the apply looks again before it creates anything.
    /// What a planned create needs to know from Okta. Fails the plan when the org cannot be
    /// reached for want of a token: the apply would fail the same way, after other changes.
    async fn facts_for_create(&self, config: &Value) -> Result<plan::CreateFacts, Diagnostics> {
        let (Some(login), Some(org_url)) = (
            config.get("login").and_then(Value::as_str),
            config.get("org_url").and_then(Value::as_str),
        ) else {
            return Ok(plan::CreateFacts::default());
        };
        let own = self.shared.seen.account(org_url, login);
        let reachable = if config.get("org_api_token").is_some_and(Value::is_unknown) {
            None
        } else {
            // Not configured: a protocol-level plan without ConfigureProvider; the apply checks.
            let Ok(provider_config) = self.shared.config() else {
                return Ok(plan::CreateFacts {
                    own,
                    ..plan::CreateFacts::default()
                });
            };
            let token = config.get("org_api_token").and_then(Value::as_str);
            match self.shared.org_access.get(provider_config, org_url, token) {
                Ok(org) => Some(org),
                Err(error @ crate::provider::org_access::AccessError::NoToken { .. }) => {
                    return Err(diag::access(error));
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
        let lookup = match observe::existing_user(&org, login).await {
            Ok(Some(existing)) => plan::Lookup::Existing(existing),
            Ok(None) => plan::Lookup::Absent,
            Err(error) => {
                tracing::warn!(%error, "could not look the login up while planning; the apply checks again");
                plan::Lookup::NotChecked
            }
        };
        Ok(plan::CreateFacts { lookup, own })
    }

    /// Create and update: bring the account to its setup, verify it, finalize it. A failure
    /// midway returns what was done, so Terraform records it and the next apply resumes.
    async fn set_up(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let config = &request.config;
        // The plan's values, not the configuration's: names an adoption keeps from Okta and roles
        // the kind gives are computed there, and the apply changes exactly what the plan showed.
        let desired = match state::account_config(&request.planned_state).resolve() {
            Ok(desired) => desired,
            Err(ResolveError::Invalid(violations)) => return Err(diag::violations(violations)),
            Err(ResolveError::NotKnown(_)) => {
                return Err(diag::incomplete_configuration(TYPE_NAME));
            }
        };
        let prior = &request.prior_state;
        let mut was_finalized = state::is_finalized(prior);
        let org = self.org(config)?;
        let org_id = self.verified_org_id(&org, prior).await?;
        let baseline = self.baseline();
        let group_id = set_up::ensure_baseline_group(&org, &baseline).await?;
        let password = match config.get("password_wo").and_then(Value::as_str) {
            Some(given) if !given.is_empty() => Secret::new(given),
            _ => password::generate(),
        };
        let user = match prior.get("id").and_then(Value::as_str) {
            Some(id) => org
                .client
                .get_user(id)
                .await
                .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?,
            None => {
                let adopts = private::adopts(&request.planned_private);
                let org_url = config
                    .get("org_url")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match set_up::find_adoptable(&org, &desired, org_url, adopts.as_deref()).await? {
                    Some((user, finalized_in_okta)) => {
                        was_finalized = finalized_in_okta;
                        user
                    }
                    None => {
                        if !desired.kind.may_be_created_by_service_account_resource() {
                            return Err(diag::not_creatable(
                                desired.kind.as_str(),
                                "The MSP integration account is created together with its org by okta_msp_org. To manage the integration account of an existing org, import it with an import block (id = \"ORG_URL/LOGIN\")",
                            ));
                        }
                        converge::create_or_adopt(&org, &desired, password.clone(), &group_id)
                            .await
                            .map_err(|e| {
                                Diagnostics::from(diag::okta("creating the account", &e))
                            })?
                    }
                }
            }
        };
        let partial = |observed_status: &str, diagnostics: Diagnostics| {
            let mut attributes = state::attributes(request.planned_state.clone());
            for (name, value) in [
                ("id", Value::string(&user.id)),
                ("org_id", Value::string(&org_id)),
                ("status", Value::string(observed_status)),
                ("finalized", Value::Bool(was_finalized)),
                ("drift", Value::List(Vec::new())),
            ] {
                attributes.insert(name.to_owned(), value);
            }
            if !was_finalized {
                attributes.insert("finalized_at".to_owned(), Value::Null);
            } else {
                attributes.insert(
                    "finalized_at".to_owned(),
                    prior.get("finalized_at").cloned().unwrap_or(Value::Null),
                );
            }
            ApplyResponse {
                new_state: crate::provider::known_after_apply::unknowns_to_null(Value::Object(
                    attributes,
                )),
                private: Vec::new(),
                diagnostics,
            }
        };
        let stage = if was_finalized {
            Stage::Finalized
        } else {
            Stage::Setup
        };
        let outcome = set_up::set_up(SetUpRequest {
            org: &org,
            desired: &desired,
            user: &user,
            group_id: &group_id,
            password: &password,
            baseline: &baseline,
            stage,
            verify_as: stage,
            finalize: desired.finalize,
            wording: &Wording {
                setting_up: "setting up the account",
                verifying: "verifying the account",
                disappeared_while: "setting it up",
            },
        })
        .await;
        let set_up = match outcome {
            Ok(set_up) => set_up,
            Err(failure) => return Ok(partial(&failure.status, failure.diagnostics)),
        };
        let finalized_at = match stage {
            Stage::Finalized => Some(
                prior
                    .get("finalized_at")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(now_rfc3339),
            ),
            Stage::Setup if set_up.finalized => Some(now_rfc3339()),
            Stage::Setup => None,
        };
        let finalized = set_up.finalized;
        let observed = set_up.observed;
        let state = account_state(
            config,
            &desired,
            &observed,
            &org_id,
            finalized,
            finalized_at,
            Vec::new(),
        );
        Ok(ApplyResponse {
            new_state: state,
            private: private::with_verified_at(&[], private::verification_time()),
            diagnostics: Diagnostics::new(),
        })
    }

    async fn delete(&self, request: ApplyRequest) -> Result<ApplyResponse, Diagnostics> {
        let prior = &request.prior_state;
        // The delete half of replacing a tainted object whose create resumes the same account
        // (G19): the plan recorded that id, so forget the tainted record and touch nothing.
        if let (Some(adopted), Some(id)) = (
            private::adopts(&request.planned_private),
            prior.get("id").and_then(Value::as_str),
        ) && adopted == id
        {
            tracing::info!(user_id = %id, "forgetting the tainted record; the create resumes the same account");
            // Terraform plans the create half once more after this delete, in this process and
            // without a refresh: it must recognise the account as its own again.
            self.remember_own(prior, id, false);
            return Ok(deleted());
        }
        // The last line of defence (G8): holds even when the plan-time checks were bypassed,
        // for example after `terraform taint`, whose replace never consults the plan guard.
        let mut check = DeleteCheck {
            resource: GuardedResource::ServiceAccount,
            subject: state::subject(prior),
            state_finalized: state::is_finalized(prior),
            private_marker: MarkerPresence::of(&request.planned_private),
            remote_finalized: None,
        };
        if let GuardDecision::Refuse(refusal) = guard::decide_delete(&check) {
            return Err(diag::refusal(refusal));
        }
        let Some(id) = prior.get("id").and_then(Value::as_str) else {
            return Ok(deleted());
        };
        let org = self.org(prior)?;
        self.verified_org_id(&org, prior).await?;
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

/// The desired setup recorded in a state.
fn desired_from(state: &Value) -> Option<DesiredAccount> {
    state::account_config(state).resolve().ok()
}

/// What differs from `desired`, in words, for the `drift` attribute.
fn drift_of(
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    observed: &compliance::ObservedAccount,
) -> Vec<String> {
    let findings = compliance::assess(desired, baseline, observed);
    let mut drift: Vec<String> = findings.repairs().iter().map(|r| r.describe()).collect();
    drift.extend(findings.needs_a_person().iter().map(|v| v.summary.clone()));
    drift
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The state of a set-up account: the configuration's own values, Okta's answers for the rest.
fn account_state(
    config: &Value,
    desired: &DesiredAccount,
    observed: &Observed,
    org_id: &str,
    finalized: bool,
    finalized_at: Option<String>,
    drift: Vec<String>,
) -> Value {
    let roles = desired.admin_roles.iter().map(|r| r.as_str().to_owned());
    let mut attributes = BTreeMap::new();
    let text = |name: &str| config.get(name).cloned().unwrap_or(Value::Null);
    attributes.insert("org_url".into(), text("org_url"));
    attributes.insert("org_api_token".into(), text("org_api_token"));
    attributes.insert("kind".into(), Value::string(desired.kind.as_str()));
    attributes.insert("login".into(), Value::string(&desired.login));
    attributes.insert("email".into(), Value::string(&desired.email));
    attributes.insert("first_name".into(), Value::string(&desired.first_name));
    attributes.insert("last_name".into(), Value::string(&desired.last_name));
    attributes.insert("admin_roles".into(), state::string_set(roles));
    attributes.insert("password_wo".into(), Value::Null);
    attributes.insert("finalize".into(), Value::Bool(desired.finalize));
    attributes.insert("id".into(), Value::string(&observed.user.id));
    attributes.insert("org_id".into(), Value::string(org_id));
    attributes.insert(
        "status".into(),
        Value::string(observed.user.status.as_str()),
    );
    attributes.insert("finalized".into(), Value::Bool(finalized));
    attributes.insert(
        "finalized_at".into(),
        finalized_at.map(Value::String).unwrap_or(Value::Null),
    );
    attributes.insert(
        "drift".into(),
        Value::List(drift.into_iter().map(Value::String).collect()),
    );
    Value::Object(attributes)
}
