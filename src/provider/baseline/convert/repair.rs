//! Repair: the baseline's settings to Okta's objects, starting from what Okta returned and
//! changing only what the baseline owns.

use super::super::recovery;
use crate::okta::{
    AccessAction, Conditions, Engine, NetworkZone, OKTA_SIGN_ON, PASSWORD, PasswordAge,
    PasswordComplexity as OktaComplexity, PasswordLockout, PasswordSettings, Policy, PolicyRule,
    PolicySettings, RuleActions, SessionSettings, SignOnAction, ZoneAddress,
};
use crate::rules::baseline::{SecuringBaseline, canonical_cidrs};

use super::conditions::{
    catch_all_conditions, group_only_conditions, is_catch_all, network_anywhere, network_zone,
};
use super::finding::targets_group_only;
use super::observe::{flag, zone_cidrs};
use super::ranking::{Ranked, evaluation_order, first_slot, is_ranked_first, same};
use super::{
    ACTIVE, ALLOW, BaselineNames, DEFAULT_IDLE_MINUTES, DENY, MANAGED_DESCRIPTION, PASSWORD_RULE,
    SIGN_ON_RULE,
};

/// Okta sets status through lifecycle calls (`activate` on create); the body says `ACTIVE` so a
/// replacement never asks for less.
pub(super) fn want_active(status: &mut Option<String>) {
    if status.as_deref() != Some(ACTIVE) {
        *status = Some(ACTIVE.to_owned());
    }
}

pub(super) fn require_flag(value: &mut Option<u32>) {
    if !flag(*value) {
        *value = Some(1);
    }
}

pub(super) fn set<T: PartialEq>(slot: &mut Option<T>, value: T) {
    if slot.as_ref() != Some(&value) {
        *slot = Some(value);
    }
}

/// Where a policy or rule must go: keep its place if it is already first, else `slot`.
pub(super) fn placed_first<T: Ranked>(items: &[T], existing: &T, priority: &mut Option<u32>) {
    if !is_ranked_first(items, existing) {
        *priority = Some(first_slot(items));
    }
}

/// The baseline's password settings written over `existing` (or over nothing).
pub(super) fn password_policy_settings(
    existing: Option<&PolicySettings>,
    baseline: &SecuringBaseline,
    engine: Engine,
) -> PolicySettings {
    let desired = baseline.password_policy();
    let mut settings = existing.cloned().unwrap_or_default();
    let password = settings
        .password
        .get_or_insert_with(PasswordSettings::default);

    let complexity = password
        .complexity
        .get_or_insert_with(OktaComplexity::default);
    set(&mut complexity.min_length, desired.min_length);
    require_flag(&mut complexity.min_lower_case);
    require_flag(&mut complexity.min_upper_case);
    require_flag(&mut complexity.min_number);
    require_flag(&mut complexity.min_symbol);
    set(&mut complexity.exclude_username, true);

    let age = password.age.get_or_insert_with(PasswordAge::default);
    set(&mut age.max_age_days, desired.max_age_days);

    let lockout = password
        .lockout
        .get_or_insert_with(PasswordLockout::default);
    set(&mut lockout.max_attempts, desired.lockout_attempts);

    recovery::repair_settings(&mut settings, engine);
    settings
}

/// The password policy the baseline requires: `existing` repaired in place (its id, unknown fields
/// and place kept where they already comply), or a new policy. `policies` are all `PASSWORD`
/// policies of the org, for the ranking. Recovery is written as the org's `engine` governs it.
pub fn desired_password_policy(
    existing: Option<&Policy>,
    policies: &[Policy],
    baseline: &SecuringBaseline,
    names: &BaselineNames,
    group_id: &str,
    engine: Engine,
) -> Policy {
    let mut policy = match existing {
        Some(existing) => existing.clone(),
        None => {
            let mut conditions = Conditions::default();
            conditions.other.insert(
                "authProvider".to_owned(),
                serde_json::json!({"provider": "OKTA"}),
            );
            Policy {
                policy_type: PASSWORD.to_owned(),
                description: Some(MANAGED_DESCRIPTION.to_owned()),
                priority: Some(first_slot(policies)),
                conditions: Some(conditions),
                ..Policy::default()
            }
        }
    };
    place_policy(
        &mut policy,
        existing,
        policies,
        &names.password_policy,
        group_id,
    );
    policy.settings = Some(password_policy_settings(
        policy.settings.as_ref(),
        baseline,
        engine,
    ));
    policy
}

/// The sign-on policy the baseline requires (it has no settings; its rules do the work).
pub fn desired_sign_on_policy(
    existing: Option<&Policy>,
    policies: &[Policy],
    names: &BaselineNames,
    group_id: &str,
) -> Policy {
    let mut policy = existing.cloned().unwrap_or_else(|| Policy {
        policy_type: OKTA_SIGN_ON.to_owned(),
        description: Some(MANAGED_DESCRIPTION.to_owned()),
        priority: Some(first_slot(policies)),
        ..Policy::default()
    });
    place_policy(
        &mut policy,
        existing,
        policies,
        &names.sign_on_policy,
        group_id,
    );
    policy
}

pub(super) fn place_policy(
    policy: &mut Policy,
    existing: Option<&Policy>,
    policies: &[Policy],
    name: &str,
    group_id: &str,
) {
    if policy.name != name {
        policy.name = name.to_owned();
    }
    want_active(&mut policy.status);
    if let Some(existing) = existing {
        placed_first(policies, existing, &mut policy.priority);
    }
    if !targets_group_only(policy.conditions.as_ref(), group_id) {
        policy.conditions = Some(group_only_conditions(policy.conditions.as_ref(), group_id));
    }
}

pub(super) fn new_rule(rule_type: &str, name: &str, priority: u32) -> PolicyRule {
    PolicyRule {
        rule_type: rule_type.to_owned(),
        name: name.to_owned(),
        status: Some(ACTIVE.to_owned()),
        priority: Some(priority),
        ..PolicyRule::default()
    }
}

/// Shared by every rule repair: the name, active, and first when `first` (else kept).
pub(super) fn base_rule(
    existing: Option<&PolicyRule>,
    rules: &[PolicyRule],
    rule_type: &str,
    name: &str,
) -> PolicyRule {
    match existing {
        None => new_rule(rule_type, name, first_slot(rules)),
        Some(existing) => {
            let mut rule = existing.clone();
            if rule.name != name {
                rule.name = name.to_owned();
            }
            want_active(&mut rule.status);
            rule
        }
    }
}

/// The password rule: first in its policy, a catch-all, denying self-service reset and unlock.
/// A new rule allows changing the password (which needs the current one; a vault may rotate that
/// way); an existing rule keeps whatever it says about that.
pub fn desired_password_rule(
    existing: Option<&PolicyRule>,
    rules: &[PolicyRule],
    names: &BaselineNames,
) -> PolicyRule {
    let mut rule = base_rule(existing, rules, PASSWORD_RULE, &names.password_rule);
    if let Some(existing) = existing {
        placed_first(rules, existing, &mut rule.priority);
    }
    if existing.is_none() || !is_catch_all(rule.conditions.as_ref()) {
        rule.conditions = Some(catch_all_conditions(
            existing.and_then(|existing| existing.conditions.as_ref()),
        ));
    }
    let actions = rule.actions.get_or_insert_with(RuleActions::default);
    if existing.is_none() {
        actions.password_change = Some(AccessAction::allow());
    }
    for action in [
        &mut actions.self_service_password_reset,
        &mut actions.self_service_unlock,
    ] {
        if action.as_ref().is_none_or(|action| action.access != DENY) {
            // A fresh action: a denial carries no requirement.
            *action = Some(AccessAction::deny());
        }
    }
    rule
}

/// The sign-on rule that allows a session: first in its policy, a catch-all except for the
/// network (only from `zone_id` when there is one), no persistent cookie, the baseline's
/// lifetime, and an idle timeout no longer than the lifetime.
pub fn desired_session_rule(
    existing: Option<&PolicyRule>,
    rules: &[PolicyRule],
    baseline: &SecuringBaseline,
    names: &BaselineNames,
    zone_id: Option<&str>,
) -> PolicyRule {
    let mut rule = base_rule(existing, rules, SIGN_ON_RULE, &names.session_rule);
    if let Some(existing) = existing {
        placed_first(rules, existing, &mut rule.priority);
    }
    let network = match zone_id {
        Some(zone_id) => network_zone(zone_id),
        None => network_anywhere(),
    };
    let mut conditions = match existing {
        None => catch_all_conditions(None),
        Some(_) => {
            let conditions = rule.conditions.take().unwrap_or_default();
            // The rule must match every member; only the network may narrow it.
            let mut probe = conditions.clone();
            probe.network = None;
            if is_catch_all(Some(&probe)) {
                conditions
            } else {
                catch_all_conditions(Some(&conditions))
            }
        }
    };
    if conditions.network.as_ref() != Some(&network) {
        conditions.network = Some(network);
    }
    rule.conditions = Some(conditions);

    let lifetime = baseline.session_lifetime_minutes;
    let actions = rule.actions.get_or_insert_with(RuleActions::default);
    let signon = actions.signon.get_or_insert_with(|| SignOnAction {
        require_factor: Some(false),
        ..SignOnAction::default()
    });
    if signon.access != ALLOW {
        signon.access = ALLOW.to_owned();
    }
    let session = signon.session.get_or_insert_with(SessionSettings::default);
    set(&mut session.use_persistent_cookie, false);
    set(&mut session.max_session_lifetime_minutes, lifetime);
    let idle = session
        .max_session_idle_minutes
        .filter(|idle| (1..=lifetime).contains(idle))
        .unwrap_or(DEFAULT_IDLE_MINUTES.min(lifetime));
    set(&mut session.max_session_idle_minutes, idle);
    rule
}

/// Where the deny rule must be: right after the session rule, once that one is first (or, when
/// `session` is `None`, once it is created first). `None` when it already is.
pub fn deny_rule_priority(
    rules: &[PolicyRule],
    session: Option<&PolicyRule>,
    deny: &PolicyRule,
) -> Option<u32> {
    let others: Vec<&PolicyRule> = evaluation_order(rules)
        .into_iter()
        .filter(|rule| session.is_none_or(|session| !same(*rule, session)))
        .collect();
    // The session rule goes (or stays) in front of every other rule.
    let first_after_session = others.first().is_some_and(|rule| same(*rule, deny));
    (!first_after_session).then(|| first_slot(rules) + 1)
}

/// The sign-on rule that denies sign-on from everywhere else: a catch-all right after the
/// session rule (Okta's documented explicit deny rule). Needed because a sign-in that matches no
/// rule falls through to the next policy, which would let it in.
pub fn desired_deny_rule(
    existing: Option<&PolicyRule>,
    rules: &[PolicyRule],
    session: Option<&PolicyRule>,
    names: &BaselineNames,
) -> PolicyRule {
    let mut rule = base_rule(existing, rules, SIGN_ON_RULE, &names.deny_rule);
    match existing {
        None => rule.priority = Some(first_slot(rules) + 1),
        Some(existing) => {
            if let Some(priority) = deny_rule_priority(rules, session, existing) {
                rule.priority = Some(priority);
            }
        }
    }
    if existing.is_none() || !is_catch_all(rule.conditions.as_ref()) {
        rule.conditions = Some(catch_all_conditions(rule.conditions.as_ref()));
    }
    let actions = rule.actions.get_or_insert_with(RuleActions::default);
    let signon = actions.signon.get_or_insert_with(|| SignOnAction {
        require_factor: Some(false),
        ..SignOnAction::default()
    });
    if signon.access != DENY {
        signon.access = DENY.to_owned();
    }
    rule
}

/// The network zone: an active `IP` policy zone whose gateways are exactly the baseline's CIDRs
/// (order kept when the set already matches).
pub fn desired_zone(
    existing: &NetworkZone,
    baseline: &SecuringBaseline,
    names: &BaselineNames,
) -> NetworkZone {
    let mut zone = existing.clone();
    if zone.name != names.zone {
        zone.name = names.zone.clone();
    }
    if zone.zone_type != "IP" {
        zone.zone_type = "IP".to_owned();
    }
    set(&mut zone.usage, "POLICY".to_owned());
    want_active(&mut zone.status);
    let current = zone_cidrs(&zone);
    let matches = current.as_ref().is_some_and(|current| {
        current.len() == baseline.allowed_network_cidrs.len()
            && canonical_cidrs(current) == canonical_cidrs(&baseline.allowed_network_cidrs)
    });
    if !matches {
        zone.gateways = Some(
            baseline
                .allowed_network_cidrs
                .iter()
                .map(ZoneAddress::cidr)
                .collect(),
        );
    }
    zone
}
