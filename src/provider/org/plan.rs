//! Planning `okta_msp_org`: the guard, `finalize`'s default, and resuming this resource's own
//! unfinished org. Pure: what the plan needs from this run (an unfinished org seen in state,
//! whether the partner org is configured) is gathered by the caller and passed in.

use crate::provider::org_access::AccessError;
use crate::provider::org_access::UnfinishedOrg;
use crate::provider::typed_value::attributes;
use crate::provider::{diag, known_after_apply, private};
use crate::rules::deletion_policy::DeletionPolicy;
use crate::rules::guard::{
    self, AttributeClass, GuardDecision, GuardedResource, PlanCheck, PlanKind, Whereabouts,
};
use crate::rules::marker::{self, MarkerPresence};
use crate::rules::violation::Input;
use tfplugin6::schema::Schema;
use tfplugin6::{AttributePath, Diagnostics, PlanAction, PlanResponse, Value};

use super::model::{CONFIGURED, Org, OrgPlan, attr};

/// What a create plan knows from this run.
#[derive(Default)]
pub struct CreateFacts {
    /// The org this resource's own tainted state holds for the subdomain, unfinished: the
    /// create resumes it (G19).
    pub unfinished: Option<UnfinishedOrg>,
    /// Why the partner org cannot create orgs, checked only where the plan would create one.
    /// `None` also when the provider is not configured yet or the create is the second half of
    /// a finalized org's replace, which the guard refuses.
    pub partner_missing: Option<AccessError>,
}

/// What every plan of the org needs from the provider configuration: the `kid`s of its fleet
/// keys (`None` without a fleet key), which each org's service app should trust.
#[derive(Default, Clone)]
pub struct FleetFacts {
    pub trusted_key_ids: Option<Vec<String>>,
}

pub fn plan(
    input: OrgPlan,
    schema: &Schema,
    facts: CreateFacts,
    fleet: &FleetFacts,
) -> Result<PlanResponse, Diagnostics> {
    let OrgPlan {
        request,
        prior,
        config,
    } = input;
    let marker = MarkerPresence::of(&request.prior_private);
    let finalized = prior.is_finalized();
    let kind = match request.action {
        PlanAction::Destroy => PlanKind::Destroy,
        PlanAction::Create => PlanKind::Create,
        PlanAction::Update => PlanKind::Update,
    };
    let subject = match (
        prior.subdomain.known_str().or(config.subdomain.known_str()),
        prior.id.known_str(),
    ) {
        (Some(subdomain), Some(id)) => format!("{subdomain} ({id})"),
        (Some(subdomain), None) => subdomain.to_owned(),
        _ => "?".to_owned(),
    };
    if let Some(violation) = config
        .deletion_policy
        .known_str()
        .and_then(|policy| DeletionPolicy::violation(attr::DELETION_POLICY, policy))
    {
        return Err(diag::violations(vec![violation]));
    }
    // A different integration login is never a replacement, finalized or not (an imported
    // org's state holds the login Okta has).
    if kind == PlanKind::Update
        && let (Some(in_okta), Some(configured)) = (
            prior.integration_login.known_str(),
            config.integration_login.known_str(),
        )
        && in_okta != configured
    {
        return Err(diag::refusal(guard::org_integration_login_change(
            &subject, in_okta, configured,
        )));
    }
    let mut check = PlanCheck::new(GuardedResource::Org, kind, subject);
    check.prior_finalized = finalized;
    check.prior_marker = marker;
    // A destroy's configuration is null: the policy that counts is the state's (G23).
    check.deletion_policy = prior.deletion_policy();
    check.whereabouts = Whereabouts {
        org: None,
        ..prior.whereabouts()
    };
    if kind == PlanKind::Update {
        // Drift the last refresh found on a finalized org is repaired by this update (G12).
        check.drift_repairs = prior.drift_repairs();
        for name in CONFIGURED {
            if request.proposed_new_state.get(name) != request.prior_state.get(name) {
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
        GuardDecision::Repair(notice) | GuardDecision::Forget(notice) => {
            warnings.push(diag::notice(notice))
        }
        GuardDecision::Allow => {}
    }
    let mut resumed = None;
    let planned_state = match request.action {
        PlanAction::Destroy => Value::Null,
        PlanAction::Create => {
            let planned = known_after_apply::plan_create(
                request.proposed_new_state,
                schema,
                &[(attr::FINALIZE, Value::Bool(true))],
            );
            let planned = if Org::from_value(&planned).wants_finalize() {
                planned
            } else {
                let mut planned = attributes(planned);
                planned.insert(attr::FINALIZED.into(), Value::Bool(false));
                Value::Object(planned)
            };
            // The replacement of this resource's own tainted org (a set-up that failed): resume
            // it with the token its state kept, never create it again (G19).
            match facts.unfinished {
                Some(org) => {
                    warnings.push(diag::org_resumed(&org.url, &org.id));
                    let planned = resume_plan(planned, &org);
                    resumed = Some(org.id);
                    planned
                }
                None => {
                    // Creating goes through the partner org: without its credentials the plan
                    // fails now, not the apply after other changes.
                    if let Some(error) = facts.partner_missing {
                        return Err(diag::org_access(error));
                    }
                    planned
                }
            }
        }
        PlanAction::Update if !finalized => {
            // An org whose set-up did not finish is resumed by the next apply, which the plan
            // shows (without this, `terraform untaint` would leave it unfinished for ever). A
            // sandbox org (`finalize = false`) stays as it is.
            let mut planned = attributes(request.proposed_new_state);
            let finalize = planned
                .get(attr::FINALIZE)
                .and_then(Value::as_bool)
                .unwrap_or(true);
            planned.insert(attr::FINALIZE.into(), Value::Bool(finalize));
            if finalize {
                planned.insert(attr::FINALIZED.into(), Value::Unknown);
                planned.insert(attr::DRIFT.into(), Value::Unknown);
            }
            Value::Object(planned)
        }
        PlanAction::Update if check.drift_repairs.is_empty() => request.proposed_new_state,
        PlanAction::Update => {
            let mut planned = attributes(request.proposed_new_state);
            planned.insert(attr::DRIFT.into(), Value::List(Vec::new()));
            Value::Object(planned)
        }
    };
    let planned_state = match request.action {
        PlanAction::Destroy => planned_state,
        PlanAction::Create => plan_service_app(planned_state, None, &config, fleet)?,
        PlanAction::Update => plan_service_app(planned_state, Some(&prior), &config, fleet)?,
    };
    let planned_private = if let Some(id) = resumed {
        private::with_adopts(&[], &id)
    } else if finalized {
        let id = prior.id.known_str().unwrap_or_default();
        marker::encode(&request.prior_private, id).unwrap_or_else(|_| request.prior_private.clone())
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

/// The service app's part of a plan (issue 26): whether the org is on its fleet app, its
/// client id, and the keys it should trust. `prior` is `None` for a create (whose planned value
/// may carry a resumed org's app). A new org gets an app when the provider has a fleet key; an
/// org on one stays on it; `service_app = true` moves a token org over.
fn plan_service_app(
    planned: Value,
    prior: Option<&Org>,
    config: &Org,
    fleet: &FleetFacts,
) -> Result<Value, Diagnostics> {
    let mut org = Org::from_value(&planned);
    let existing = match prior {
        Some(prior) => prior.service_app_client_id.known().cloned(),
        None => org.service_app_client_id.known().cloned(),
    };
    let existing_keys = match prior {
        Some(prior) => prior.service_app_key_ids.clone(),
        None => org.service_app_key_ids.clone(),
    };
    let subject = org
        .url
        .known_str()
        .or(org.subdomain.known_str())
        .unwrap_or("?")
        .to_owned();
    let wanted = match &config.service_app {
        Input::Known(wanted) => *wanted,
        Input::Unknown => {
            org.service_app = Input::Unknown;
            return Ok(org.into_value());
        }
        Input::Null => existing.is_some() || (prior.is_none() && fleet.trusted_key_ids.is_some()),
    };
    org.service_app = match prior {
        // A state from before `service_app` existed (null) plans no change for it.
        Some(prior) if !wanted && config.service_app == Input::Null => prior.service_app.clone(),
        _ => Input::Known(wanted),
    };
    match (wanted, existing) {
        (false, Some(_)) => return Err(diag::service_app_kept(&subject)),
        (false, None) => {
            org.service_app_client_id = Input::Null;
            org.service_app_key_ids = Input::Null;
        }
        (true, Some(client_id)) => {
            org.service_app_client_id = Input::Known(client_id);
            org.api_token = Input::Null;
            // A rotation: the app is made to trust the provider's fleet keys.
            org.service_app_key_ids = match &fleet.trusted_key_ids {
                Some(ids) if existing_keys.known() != Some(ids) => Input::Known(ids.clone()),
                _ => existing_keys,
            };
        }
        (true, None) => {
            let Some(ids) = &fleet.trusted_key_ids else {
                return Err(diag::service_app_without_fleet_key(&subject));
            };
            // Registered by the apply (a new org, a token org moving over, a set-up resumed):
            // the token goes once the app works.
            org.service_app_client_id = Input::Unknown;
            org.service_app_key_ids = Input::Known(ids.clone());
            // The resumed replacement of a tainted org: its token is left out of the plan and
            // stays in state only if the app fails again (the apply finds it in this run's
            // record of the tainted state, `seen`).
            org.api_token = if prior.is_none() && org.api_token.known().is_some() {
                Input::Unknown
            } else {
                Input::Null
            };
        }
    }
    Ok(org.into_value())
}

/// A create plan that resumes `org`: its id, URL and token as the tainted state kept them.
fn resume_plan(planned: Value, org: &UnfinishedOrg) -> Value {
    let mut planned = Org::from_value(&planned);
    planned.id = Input::Known(org.id.clone());
    planned.url = Input::Known(org.url.clone());
    if let Some(token) = &org.api_token {
        planned.api_token = Input::Known(token.expose().to_owned());
    }
    if let Some(account) = &org.integration_account_id {
        planned.integration_account_id = Input::Known(account.clone());
    }
    if let Some(client_id) = &org.service_app_client_id {
        planned.service_app_client_id = Input::Known(client_id.clone());
        planned.api_token = Input::Null;
    }
    if let Some(key_ids) = &org.service_app_key_ids {
        planned.service_app_key_ids = Input::Known(key_ids.clone());
    }
    planned.into_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(ids: &[&str]) -> FleetFacts {
        FleetFacts {
            trusted_key_ids: Some(ids.iter().map(|id| (*id).to_owned()).collect()),
        }
    }

    fn on_app(client_id: &str, keys: &[&str]) -> Org {
        Org {
            url: Input::Known("https://acme.okta.com".into()),
            service_app: Input::Known(true),
            service_app_client_id: Input::Known(client_id.into()),
            service_app_key_ids: Input::Known(keys.iter().map(|k| (*k).to_owned()).collect()),
            api_token: Input::Null,
            ..Org::default()
        }
    }

    #[test]
    fn a_new_org_gets_a_service_app_exactly_when_there_is_a_fleet_key() {
        let planned = Org {
            api_token: Input::Unknown,
            service_app_client_id: Input::Unknown,
            service_app_key_ids: Input::Unknown,
            ..Org::default()
        };
        let with_key = Org::from_value(
            &plan_service_app(
                planned.clone().into_value(),
                None,
                &Org::default(),
                &fleet(&["k1"]),
            )
            .unwrap(),
        );
        assert_eq!(with_key.service_app, Input::Known(true));
        assert_eq!(
            with_key.api_token,
            Input::Null,
            "no token is planned into state"
        );
        assert_eq!(with_key.service_app_client_id, Input::Unknown);
        assert_eq!(
            with_key.service_app_key_ids,
            Input::Known(vec!["k1".into()])
        );
        let without = Org::from_value(
            &plan_service_app(
                planned.clone().into_value(),
                None,
                &Org::default(),
                &FleetFacts::default(),
            )
            .unwrap(),
        );
        assert_eq!(without.service_app, Input::Known(false));
        assert_eq!(without.api_token, Input::Unknown);
        assert_eq!(without.service_app_client_id, Input::Null);
        let asked = Org {
            service_app: Input::Known(true),
            ..Org::default()
        };
        assert!(
            plan_service_app(planned.into_value(), None, &asked, &FleetFacts::default()).is_err()
        );
    }

    #[test]
    fn a_token_org_moves_over_and_an_app_org_follows_the_fleet_keys() {
        let token_org = Org {
            url: Input::Known("https://acme.okta.com".into()),
            api_token: Input::Known("t".into()),
            service_app: Input::Known(false),
            ..Org::default()
        };
        let unchanged = plan_service_app(
            token_org.clone().into_value(),
            Some(&token_org),
            &Org::default(),
            &fleet(&["k1"]),
        )
        .unwrap();
        assert_eq!(Org::from_value(&unchanged).service_app, Input::Known(false));
        let asked = Org {
            service_app: Input::Known(true),
            ..Org::default()
        };
        let moving = Org::from_value(
            &plan_service_app(
                token_org.clone().into_value(),
                Some(&token_org),
                &asked,
                &fleet(&["k1"]),
            )
            .unwrap(),
        );
        assert_eq!(moving.service_app_client_id, Input::Unknown);
        assert_eq!(moving.api_token, Input::Null);

        let prior = on_app("0oa1", &["k1"]);
        let same = Org::from_value(
            &plan_service_app(
                prior.clone().into_value(),
                Some(&prior),
                &Org::default(),
                &fleet(&["k1"]),
            )
            .unwrap(),
        );
        assert_eq!(same.service_app_key_ids, prior.service_app_key_ids);
        assert_eq!(same.service_app_client_id, Input::Known("0oa1".into()));
        let rotating = Org::from_value(
            &plan_service_app(
                prior.clone().into_value(),
                Some(&prior),
                &Org::default(),
                &fleet(&["k1", "k2"]),
            )
            .unwrap(),
        );
        assert_eq!(
            rotating.service_app_key_ids,
            Input::Known(vec!["k1".into(), "k2".into()])
        );
        let back = Org {
            service_app: Input::Known(false),
            ..Org::default()
        };
        assert!(
            plan_service_app(
                prior.clone().into_value(),
                Some(&prior),
                &back,
                &fleet(&["k1"])
            )
            .is_err()
        );
    }
}
