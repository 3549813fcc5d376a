//! Planning `okta_msp_service_account`: defaults from the kind, the guard, and adoption. Pure:
//! the lookup a create needs (who holds the login already) is done by the caller and passed in.

use crate::rules::adoption::{self, AdoptionCheck, AdoptionDecision, ExistingUser, Own};
use crate::rules::guard::{self, GuardDecision, GuardRow, GuardedResource, PlanCheck, PlanKind};
use crate::rules::marker::{self, MarkerPresence};
use crate::rules::user_type::{FINALIZED_BY_ATTRIBUTE, Finalizer};
use tfplugin6::{AttributePath, Diagnostics, PlanAction, PlanResponse, Value};

use super::model::{AccountPlan, CONFIGURED, attr};
use crate::provider::typed_value::{attributes, string_set};
use crate::provider::{diag, private};

/// What a create plan knows about the login in Okta.
#[derive(Clone, Debug, Default)]
pub enum Lookup {
    /// Not looked up: the org or its token are not known yet (an org made in the same apply),
    /// or the org could not be reached (the apply looks again before creating anything).
    #[default]
    NotChecked,
    Absent,
    Existing(Box<ExistingUser>),
}

/// What the caller found for a create.
#[derive(Clone, Debug, Default)]
pub struct CreateFacts {
    pub lookup: Lookup,
    /// The object this resource's state holds for the login, as this run's refresh saw it.
    pub own: Option<Own>,
    /// This configuration as it signs its finalizations (its name, or unnamed where it runs).
    pub finalizer: Finalizer,
}

/// `baseline_settings_changed`: this configuration owns the org's baseline and declares other
/// settings than it applied (`rules::baseline_owner`), so policy differences are its own change.
pub fn plan(
    input: AccountPlan,
    facts: CreateFacts,
    baseline_settings_changed: bool,
) -> Result<PlanResponse, Diagnostics> {
    let marker = MarkerPresence::of(&input.request.prior_private);
    match input.request.action {
        PlanAction::Destroy => {
            // The configuration is null here (Terraform plans a removed object's destroy from
            // its state alone), so deletion_policy is the one the state holds.
            let prior = &input.prior;
            let mut check = PlanCheck::new(
                GuardedResource::ServiceAccount,
                PlanKind::Destroy,
                prior.subject(),
            );
            check.prior_finalized = prior.is_finalized();
            check.prior_marker = marker;
            check.deletion_policy = prior.deletion_policy();
            check.whereabouts = prior.whereabouts();
            let mut warnings = Diagnostics::new();
            match guard::decide_plan(&check) {
                GuardDecision::Refuse(refusal) => return Err(diag::refusal(refusal)),
                GuardDecision::Forget(notice) => warnings.push(diag::notice(notice)),
                _ => {}
            }
            Ok(PlanResponse {
                planned_state: Value::Null,
                requires_replace: Vec::new(),
                planned_private: input.request.prior_private,
                warnings,
            })
        }
        PlanAction::Create => plan_create(input, marker, facts),
        PlanAction::Update => plan_update(input, marker, baseline_settings_changed),
    }
}

fn plan_create(
    input: AccountPlan,
    marker: MarkerPresence,
    facts: CreateFacts,
) -> Result<PlanResponse, Diagnostics> {
    let config = input.config.account_config();
    let mut check = PlanCheck::new(
        GuardedResource::ServiceAccount,
        PlanKind::Create,
        input.config.subject(),
    );
    check.prior_marker = marker;
    if let GuardDecision::Refuse(refusal) = guard::decide_plan(&check) {
        return Err(diag::refusal(refusal));
    }
    let violations = config.violations();
    if !violations.is_empty() {
        return Err(diag::violations(violations));
    }
    let desired = config.resolve().ok();
    // Who already holds the login decides between a new account, adopting or resuming one, and
    // refusing (G14, G17).
    let adoption = match (&facts.lookup, &desired) {
        (Lookup::Existing(existing), Some(desired)) => {
            let org_url = input.config.org_url.known_str().unwrap_or_default();
            match adoption::decide(&AdoptionCheck {
                kind: desired.kind,
                org_url,
                existing,
                own: facts.own.clone(),
                finalizer: &facts.finalizer,
            }) {
                AdoptionDecision::Refuse(refusal) => return Err(diag::refusal(refusal)),
                AdoptionDecision::Adopt { finalized, row, .. } => {
                    Some(((**existing).clone(), finalized, row))
                }
            }
        }
        _ => None,
    };
    let mut planned = attributes(input.request.proposed_new_state);
    let set_default = |planned: &mut std::collections::BTreeMap<String, Value>,
                       name: &str,
                       value: Option<Value>| {
        if planned.get(name).is_none_or(Value::is_null) {
            planned.insert(name.to_owned(), value.unwrap_or(Value::Unknown));
        }
    };
    // Unconfigured names of an adopted account keep Okta's values (G18); a new one gets the
    // kind's.
    let (first_name, last_name) = match &adoption {
        Some((existing, _, _)) => (
            Some(Value::string(&existing.first_name)),
            Some(Value::string(&existing.last_name)),
        ),
        None => (
            desired.as_ref().map(|d| Value::string(&d.first_name)),
            desired.as_ref().map(|d| Value::string(&d.last_name)),
        ),
    };
    set_default(&mut planned, attr::FIRST_NAME, first_name);
    set_default(&mut planned, attr::LAST_NAME, last_name);
    set_default(
        &mut planned,
        attr::ADMIN_ROLES,
        desired
            .as_ref()
            .map(|d| string_set(d.admin_roles.iter().map(|r| r.as_str().to_owned()))),
    );
    set_default(&mut planned, attr::FINALIZE, Some(Value::Bool(true)));
    let finalize = planned.get(attr::FINALIZE).and_then(Value::as_bool);
    for name in [attr::ID, attr::ORG_ID, attr::STATUS, attr::FINALIZED_AT] {
        planned.insert(name.to_owned(), Value::Unknown);
    }
    planned.insert(
        attr::FINALIZED.into(),
        match finalize {
            Some(false) => Value::Bool(false),
            _ => Value::Unknown,
        },
    );
    if finalize == Some(false) {
        planned.insert(attr::FINALIZED_AT.into(), Value::Null);
    }
    planned.insert(attr::DRIFT.into(), Value::List(Vec::new()));
    let mut warnings = Diagnostics::new();
    let mut planned_private = Vec::new();
    if let Some((existing, already_finalized, row)) = &adoption {
        planned.insert(attr::ID.into(), Value::string(&existing.id));
        if *already_finalized {
            // Okta records it finalized, by this very resource (G20): it stays so.
            planned.insert(attr::FINALIZED.into(), Value::Bool(true));
        }
        planned_private = private::with_adopts(&[], &existing.id);
        warnings.push(diag::adoption(
            adoption_summary(existing, *row),
            // An account already finalized is recorded as it is: nothing is written.
            adoption_changes(
                existing,
                &planned,
                if *already_finalized {
                    None
                } else {
                    facts.finalizer.tag()
                },
            ),
        ));
    }
    Ok(PlanResponse {
        planned_state: Value::Object(planned),
        requires_replace: Vec::new(),
        planned_private,
        warnings,
    })
}

fn adoption_summary(existing: &ExistingUser, row: GuardRow) -> String {
    let account = format!("{} ({})", existing.login, existing.id);
    match row {
        GuardRow::G19 => format!(
            "Resuming the set-up of {account}, which an earlier apply of this resource started (G19); Terraform shows it as a replacement, but nothing is deleted"
        ),
        GuardRow::G20 => format!(
            "{account} was finalized by this configuration, as Okta records beside its mark, but is not recorded at this address: an apply whose answer was lost or that was killed, or a renamed address whose old one the plan also shows (G20); it is recorded as it is, and nothing is deleted or changed"
        ),
        _ => format!("Adopting the existing service account {account} (G18)"),
    }
}

/// What the apply changes on an adopted account, old and new, as far as the plan can know.
fn adoption_changes(
    existing: &ExistingUser,
    planned: &std::collections::BTreeMap<String, Value>,
    finalized_by: Option<String>,
) -> Vec<String> {
    let mut changes = Vec::new();
    for (attribute, old) in [
        (attr::EMAIL, &existing.email),
        (attr::FIRST_NAME, &existing.first_name),
        (attr::LAST_NAME, &existing.last_name),
    ] {
        if let Some(new) = planned.get(attribute).and_then(Value::as_str)
            && new != old
        {
            changes.push(format!("{attribute}: {old:?} -> {new:?}"));
        }
    }
    if let Some(Value::Set(roles)) = planned.get(attr::ADMIN_ROLES) {
        let mut new: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
        new.sort();
        let mut old: Vec<&str> = existing.role_types.iter().map(String::as_str).collect();
        old.sort();
        old.dedup();
        if new != old {
            let show = |roles: &[&str]| {
                if roles.is_empty() {
                    "none".to_owned()
                } else {
                    roles.join(", ")
                }
            };
            changes.push(format!("admin roles: {} -> {}", show(&old), show(&new)));
        }
    }
    if existing.status != "ACTIVE" {
        let how = match existing.status.as_str() {
            "PROVISIONED" | "PASSWORD_EXPIRED" | "RECOVERY" => {
                " (by setting a new password: password_wo, or generated and never stored)"
            }
            "DEPROVISIONED" => " (activated again)",
            _ => "",
        };
        changes.push(format!("status: {} -> ACTIVE{how}", existing.status));
    }
    changes.push(
        "membership of the service account group, and removal of any recovery question, where missing".to_owned(),
    );
    // Finalizing writes this configuration's tag beside the mark (G20 after a killed run).
    let finalizes = planned.get(attr::FINALIZE).and_then(Value::as_bool) != Some(false);
    if let Some(ours) = finalized_by
        && finalizes
        && existing.finalized_by.as_deref() != Some(ours.as_str())
    {
        changes.push(format!(
            "{FINALIZED_BY_ATTRIBUTE}: {:?} -> {ours:?}, once finalized",
            existing.finalized_by.as_deref().unwrap_or("")
        ));
    }
    changes
}

fn plan_update(
    input: AccountPlan,
    marker: MarkerPresence,
    baseline_settings_changed: bool,
) -> Result<PlanResponse, Diagnostics> {
    let request = &input.request;
    let prior = &request.prior_state;
    let finalized = input.prior.is_finalized();
    let configured = input.config.account_config();
    let violations = configured.violations();
    if !violations.is_empty() {
        return Err(diag::violations(violations));
    }
    let mut planned = attributes(request.proposed_new_state.clone());
    // Roles the configuration leaves to the kind are the kind's, not whatever an adopted account
    // held in Okta (an imported account's state records those, so the plan shows the change).
    if !finalized
        && input.config.admin_roles.is_null()
        && let Ok(desired) = configured.resolve()
    {
        planned.insert(
            attr::ADMIN_ROLES.into(),
            string_set(desired.admin_roles.iter().map(|r| r.as_str().to_owned())),
        );
    }
    let mut check = PlanCheck::new(
        GuardedResource::ServiceAccount,
        PlanKind::Update,
        input.prior.subject(),
    );
    check.prior_finalized = finalized;
    check.prior_marker = marker;
    check.baseline_settings_changed = baseline_settings_changed;
    for name in CONFIGURED {
        if planned.get(name) != prior.get(name) {
            match GuardedResource::ServiceAccount.classify(name) {
                guard::AttributeClass::Immutable => check.immutable_changes.push(name.to_owned()),
                guard::AttributeClass::Managed => check.managed_changes.push(name.to_owned()),
                guard::AttributeClass::Access => {}
            }
        }
    }
    // A new, non-empty correction reason is the user's permission to correct this plan's
    // changes (G21); the one already in state permits nothing more.
    let reason = planned
        .get(attr::CORRECTION_REASON)
        .and_then(Value::as_str)
        .filter(|reason| !reason.trim().is_empty());
    if let Some(reason) = reason
        && prior.get(attr::CORRECTION_REASON).and_then(Value::as_str) != Some(reason)
    {
        check.correction_reason = Some(reason.to_owned());
    }
    // Drift found by the last refresh is repaired by this update.
    if let Some(Value::List(entries)) = prior.get(attr::DRIFT) {
        check
            .drift_repairs
            .extend(entries.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    let status = prior
        .get(attr::STATUS)
        .and_then(Value::as_str)
        .unwrap_or_default();
    if finalized && status != "ACTIVE" && check.drift_repairs.is_empty() {
        check
            .drift_repairs
            .push(format!("bring the account from {status} back to ACTIVE"));
    }
    // Retiring (G22): a new, non-empty retire_reason on a finalized account. Drift is not
    // repaired on the way out.
    let retire_reason = planned
        .get(attr::RETIRE_REASON)
        .and_then(Value::as_str)
        .filter(|reason| !reason.trim().is_empty())
        .map(str::to_owned);
    let retiring = finalized
        && retire_reason.is_some()
        && prior.get(attr::RETIRE_REASON).and_then(Value::as_str) != retire_reason.as_deref();
    if retiring {
        check.retire_reason = retire_reason.clone();
        check.drift_repairs.clear();
    }
    // Privileges the last refresh found that the provider may not remove (a role through
    // another group, a custom role through a binding): no repair goes ahead without a person.
    let refusals = private::privilege_refusals(&request.prior_private);
    if !refusals.is_empty() && !retiring {
        return Err(diag::privileges_refused(
            &input.prior.subject(),
            &refusals,
            attr::ADMIN_ROLES,
        ));
    }
    let decision = guard::decide_plan(&check);
    let mut requires_replace = Vec::new();
    let mut warnings = Diagnostics::new();
    match &decision {
        GuardDecision::Refuse(refusal) => return Err(diag::refusal(refusal.clone())),
        GuardDecision::Replace { attributes } => {
            // The kind is this provider's classification (roles and `userType`), not a property
            // Okta cannot change: an unfinalized account, such as one just adopted by import,
            // changes kind in place instead of being deleted and created again.
            requires_replace = attributes
                .iter()
                .filter(|name| name.as_str() != attr::KIND)
                .map(|name| AttributePath::attributes([name.as_str()]))
                .collect();
        }
        GuardDecision::Repair(notice) => warnings.push(diag::notice(notice.clone())),
        GuardDecision::Allow | GuardDecision::Forget(_) => {}
    }
    let changes = !check.drift_repairs.is_empty()
        || !check.managed_changes.is_empty()
        || !check.immutable_changes.is_empty();
    if changes {
        planned.insert(attr::DRIFT.into(), Value::List(Vec::new()));
        if finalized {
            planned.insert(attr::STATUS.into(), Value::string("ACTIVE"));
        } else {
            planned.insert(attr::STATUS.into(), Value::Unknown);
        }
    }
    if retiring {
        planned.insert(attr::STATUS.into(), Value::string("DEPROVISIONED"));
        planned.insert(attr::FINALIZED.into(), Value::Bool(false));
        planned.insert(attr::FINALIZED_AT.into(), Value::Null);
        planned.insert(attr::DRIFT.into(), Value::List(Vec::new()));
    }
    // An unfinalized account that should be finalized is resumed by the next apply; a retired
    // one stays as it is while retire_reason is set.
    let wants_finalize = planned.get(attr::FINALIZE).and_then(Value::as_bool) != Some(false)
        && retire_reason.is_none();
    if !finalized && wants_finalize {
        planned.insert(attr::FINALIZED.into(), Value::Unknown);
        planned.insert(attr::FINALIZED_AT.into(), Value::Unknown);
        // Finalization needs ACTIVE: the plan says so, with the status it starts from (G18).
        planned.insert(attr::STATUS.into(), Value::string("ACTIVE"));
        planned.insert(attr::DRIFT.into(), Value::List(Vec::new()));
    }
    if !requires_replace.is_empty() {
        for name in [
            attr::ID,
            attr::ORG_ID,
            attr::STATUS,
            attr::FINALIZED,
            attr::FINALIZED_AT,
        ] {
            planned.insert(name.to_owned(), Value::Unknown);
        }
    }
    // Every plan of a finalized account carries the marker, so that the create half of any
    // replace Terraform derives from this plan sees it in its prior private data (G5-G7).
    let planned_private = if finalized {
        let id = prior
            .get(attr::ID)
            .and_then(Value::as_str)
            .unwrap_or_default();
        marker::encode(&request.prior_private, id).unwrap_or_else(|_| request.prior_private.clone())
    } else {
        marker::strip(&request.prior_private).unwrap_or_default()
    };
    Ok(PlanResponse {
        planned_state: Value::Object(planned),
        requires_replace,
        planned_private,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organization_lines(
        existing: &ExistingUser,
        finalize: Option<bool>,
        finalizer: &Finalizer,
    ) -> Vec<String> {
        let mut planned = std::collections::BTreeMap::new();
        if let Some(finalize) = finalize {
            planned.insert(attr::FINALIZE.to_owned(), Value::Bool(finalize));
        }
        adoption_changes(existing, &planned, finalizer.tag())
            .into_iter()
            .filter(|line| line.starts_with(FINALIZED_BY_ATTRIBUTE))
            .collect()
    }

    #[test]
    fn an_adoption_shows_the_signature_its_finalization_writes() {
        let named = Finalizer {
            name: "acme-prod".to_owned(),
            location: Some("3f9a".to_owned()),
        };
        let unnamed = Finalizer {
            name: String::new(),
            location: Some("3f9a".to_owned()),
        };
        let mut existing = ExistingUser {
            id: "00u1".to_owned(),
            status: "ACTIVE".to_owned(),
            finalized_by: Some("Acme Corp".to_owned()),
            ..ExistingUser::default()
        };
        assert_eq!(
            organization_lines(&existing, None, &named),
            vec![
                "organization: \"Acme Corp\" -> \"okta-msp configuration acme-prod\", once finalized"
                    .to_owned()
            ]
        );
        assert_eq!(
            organization_lines(&existing, None, &unnamed),
            vec![
                "organization: \"Acme Corp\" -> \"okta-msp unnamed configuration 3f9a\", once finalized"
                    .to_owned()
            ]
        );
        // Unnamed and nowhere known, not finalizing, or already signed so: nothing is written.
        assert!(organization_lines(&existing, None, &Finalizer::default()).is_empty());
        assert!(organization_lines(&existing, Some(false), &named).is_empty());
        existing.finalized_by = named.tag();
        assert!(organization_lines(&existing, Some(true), &named).is_empty());
    }
}
