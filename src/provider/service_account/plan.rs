//! Planning `okta_msp_service_account`: defaults from the kind, and the guard. Pure: the remote
//! lookup a create needs (G14) is done by the caller and passed in.

use crate::plugin::{AttributePath, Diagnostics, PlanAction, PlanRequest, PlanResponse, Value};
use crate::rules::guard::{self, GuardDecision, GuardedResource, PlanCheck, PlanKind, Remote};
use crate::rules::marker::{self, MarkerPresence};

use super::state::{account_config, attributes, is_finalized, string_set, subject};
use crate::provider::diag;

/// Attributes the configuration manages, in the order the guard reports them.
const CONFIGURED: [&str; 8] = [
    "org_url",
    "kind",
    "login",
    "email",
    "first_name",
    "last_name",
    "admin_roles",
    "finalize",
];

pub fn plan(request: PlanRequest, remote: Remote) -> Result<PlanResponse, Diagnostics> {
    let marker = MarkerPresence::of(&request.prior_private);
    match request.action {
        PlanAction::Destroy => {
            let mut check = PlanCheck::new(
                GuardedResource::ServiceAccount,
                PlanKind::Destroy,
                subject(&request.prior_state),
            );
            check.prior_finalized = is_finalized(&request.prior_state);
            check.prior_marker = marker;
            match guard::decide_plan(&check) {
                GuardDecision::Refuse(refusal) => Err(diag::refusal(refusal)),
                _ => Ok(PlanResponse {
                    planned_state: Value::Null,
                    requires_replace: Vec::new(),
                    planned_private: request.prior_private,
                    warnings: Diagnostics::new(),
                }),
            }
        }
        PlanAction::Create => plan_create(request, marker, remote),
        PlanAction::Update => plan_update(request, marker),
    }
}

fn plan_create(
    request: PlanRequest,
    marker: MarkerPresence,
    remote: Remote,
) -> Result<PlanResponse, Diagnostics> {
    let config = account_config(&request.config);
    let subject = match &remote {
        Remote::Finalized { id } | Remote::Unfinalized { id } => {
            format!("{} ({id})", subject(&request.config))
        }
        _ => subject(&request.config),
    };
    let mut check = PlanCheck::new(GuardedResource::ServiceAccount, PlanKind::Create, subject);
    check.prior_marker = marker;
    check.remote = remote;
    if let GuardDecision::Refuse(refusal) = guard::decide_plan(&check) {
        return Err(diag::refusal(refusal));
    }
    let violations = config.violations();
    if !violations.is_empty() {
        return Err(diag::violations(violations));
    }
    let desired = config.resolve().ok();
    let mut planned = attributes(request.proposed_new_state);
    let set_default = |planned: &mut std::collections::BTreeMap<String, Value>,
                       name: &str,
                       value: Option<Value>| {
        if planned.get(name).is_none_or(Value::is_null) {
            planned.insert(name.to_owned(), value.unwrap_or(Value::Unknown));
        }
    };
    set_default(
        &mut planned,
        "first_name",
        desired.as_ref().map(|d| Value::string(&d.first_name)),
    );
    set_default(
        &mut planned,
        "last_name",
        desired.as_ref().map(|d| Value::string(&d.last_name)),
    );
    set_default(
        &mut planned,
        "admin_roles",
        desired
            .as_ref()
            .map(|d| string_set(d.admin_roles.iter().map(|r| r.as_str().to_owned()))),
    );
    set_default(&mut planned, "finalize", Some(Value::Bool(true)));
    let finalize = planned.get("finalize").and_then(Value::as_bool);
    for name in ["id", "org_id", "status", "finalized_at"] {
        planned.insert(name.to_owned(), Value::Unknown);
    }
    planned.insert(
        "finalized".to_owned(),
        match finalize {
            Some(false) => Value::Bool(false),
            _ => Value::Unknown,
        },
    );
    if finalize == Some(false) {
        planned.insert("finalized_at".to_owned(), Value::Null);
    }
    planned.insert("drift".to_owned(), Value::List(Vec::new()));
    Ok(PlanResponse {
        planned_state: Value::Object(planned),
        requires_replace: Vec::new(),
        planned_private: Vec::new(),
        warnings: Diagnostics::new(),
    })
}

fn plan_update(request: PlanRequest, marker: MarkerPresence) -> Result<PlanResponse, Diagnostics> {
    let prior = &request.prior_state;
    let finalized = is_finalized(prior);
    let violations = account_config(&request.config).violations();
    if !violations.is_empty() {
        return Err(diag::violations(violations));
    }
    let mut planned = attributes(request.proposed_new_state.clone());
    let mut check = PlanCheck::new(
        GuardedResource::ServiceAccount,
        PlanKind::Update,
        subject(prior),
    );
    check.prior_finalized = finalized;
    check.prior_marker = marker;
    for name in CONFIGURED {
        if planned.get(name) != prior.get(name) {
            match GuardedResource::ServiceAccount.classify(name) {
                guard::AttributeClass::Immutable => check.immutable_changes.push(name.to_owned()),
                guard::AttributeClass::Managed => check.managed_changes.push(name.to_owned()),
                guard::AttributeClass::Access => {}
            }
        }
    }
    // Drift found by the last refresh is repaired by this update.
    if let Some(Value::List(entries)) = prior.get("drift") {
        check
            .drift_repairs
            .extend(entries.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    let status = prior
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if finalized && status != "ACTIVE" && check.drift_repairs.is_empty() {
        check
            .drift_repairs
            .push(format!("bring the account from {status} back to ACTIVE"));
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
                .filter(|name| name.as_str() != "kind")
                .map(|name| AttributePath::attributes([name.as_str()]))
                .collect();
        }
        GuardDecision::Repair(notice) => warnings.push(diag::notice(notice.clone())),
        GuardDecision::Allow => {}
    }
    let changes = !check.drift_repairs.is_empty()
        || !check.managed_changes.is_empty()
        || !check.immutable_changes.is_empty();
    if changes {
        planned.insert("drift".to_owned(), Value::List(Vec::new()));
        if finalized {
            planned.insert("status".to_owned(), Value::string("ACTIVE"));
        } else {
            planned.insert("status".to_owned(), Value::Unknown);
        }
    }
    // An unfinalized account that should be finalized is resumed by the next apply.
    let wants_finalize = planned.get("finalize").and_then(Value::as_bool) != Some(false);
    if !finalized && wants_finalize {
        planned.insert("finalized".to_owned(), Value::Unknown);
        planned.insert("finalized_at".to_owned(), Value::Unknown);
        planned.insert("status".to_owned(), Value::Unknown);
        planned.insert("drift".to_owned(), Value::List(Vec::new()));
    }
    if !requires_replace.is_empty() {
        for name in ["id", "org_id", "status", "finalized", "finalized_at"] {
            planned.insert(name.to_owned(), Value::Unknown);
        }
    }
    // Every plan of a finalized account carries the marker, so that the create half of any
    // replace Terraform derives from this plan sees it in its prior private data (G5-G7).
    let planned_private = if finalized {
        let id = prior.get("id").and_then(Value::as_str).unwrap_or_default();
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
