//! Observation: Okta's objects to the baseline's settings. Conservative: what is missing or not
//! recognised reads as the insecure choice, so it shows up as drift.

use std::collections::BTreeSet;

use super::super::recovery;
use crate::okta::{Engine, NetworkZone, Policy, PolicyRule, SessionSettings, SignOnAction};
use crate::rules::baseline::{
    PasswordComplexity, PasswordPolicySettings, SignOnPolicySettings, canonical_cidrs,
};
use crate::rules::compliance::ObservedPolicy;

use super::conditions::reachable_rules;
use super::finding::{is_empty, targets_group_only};
use super::ranking::Ranked;
use super::ranking::is_ranked_first;
use super::{ACTIVE, DENY, UNKNOWN_MAX_AGE_DAYS, ZONE};

pub(super) fn flag(value: Option<u32>) -> bool {
    value.is_some_and(|count| count >= 1)
}

/// The settings a password policy and its rules amount to.
/// Where recovery is read from depends on the org's `engine` (see [`super::recovery`]).
fn password_settings(
    policy: &Policy,
    rules: &[PolicyRule],
    engine: Engine,
) -> PasswordPolicySettings {
    let password = policy
        .settings
        .as_ref()
        .and_then(|settings| settings.password.as_ref());
    let complexity = password.and_then(|password| password.complexity.as_ref());
    let age = password.and_then(|password| password.age.as_ref());
    let lockout = password.and_then(|password| password.lockout.as_ref());
    PasswordPolicySettings {
        min_length: complexity
            .and_then(|complexity| complexity.min_length)
            .unwrap_or(0),
        complexity: PasswordComplexity {
            lower_case: flag(complexity.and_then(|complexity| complexity.min_lower_case)),
            upper_case: flag(complexity.and_then(|complexity| complexity.min_upper_case)),
            number: flag(complexity.and_then(|complexity| complexity.min_number)),
            symbol: flag(complexity.and_then(|complexity| complexity.min_symbol)),
            exclude_username: complexity
                .and_then(|complexity| complexity.exclude_username)
                .unwrap_or(false),
        },
        max_age_days: age
            .and_then(|age| age.max_age_days)
            .unwrap_or(UNKNOWN_MAX_AGE_DAYS),
        lockout_attempts: lockout
            .and_then(|lockout| lockout.max_attempts)
            .unwrap_or(0),
        recovery: recovery::observed(policy, rules, engine),
    }
}

/// The password policy as observed: `ours` is the policy [`find_policy`] picked among
/// `policies` (all `PASSWORD` policies), `rules` are its rules.
pub fn observe_password_policy(
    policies: &[Policy],
    ours: Option<&Policy>,
    rules: &[PolicyRule],
    group_id: &str,
    engine: Engine,
) -> ObservedPolicy<PasswordPolicySettings> {
    let Some(ours) = ours else {
        return ObservedPolicy::Missing;
    };
    ObservedPolicy::Present {
        active: ours.is_active(),
        ranked_first: is_ranked_first(policies, ours),
        targets_group_only: targets_group_only(ours.conditions.as_ref(), group_id),
        settings: password_settings(ours, rules, engine),
    }
}

/// A zone rule that allows sign-on only from listed zones: `ZONE` with a non-empty `include` and
/// no `exclude`. Its zone ids, or `None` when it allows from elsewhere too.
pub(super) fn allowed_zone_ids(rule: &PolicyRule) -> Option<&[String]> {
    let network = rule.conditions.as_ref()?.network.as_ref()?;
    let include = network.include.as_deref()?;
    (network.connection == ZONE && !include.is_empty() && is_empty(network.exclude.as_ref()))
        .then_some(include)
}

pub(super) fn signon(rule: &PolicyRule) -> Option<&SignOnAction> {
    rule.actions.as_ref()?.signon.as_ref()
}

pub(super) fn allows(rule: &PolicyRule) -> bool {
    // A rule whose access is missing or unknown is read as allowing: the conservative reading.
    signon(rule).is_none_or(|action| action.access != DENY)
}

/// The zone ids the reachable allowing rules restrict sign-on to; the zones to look up.
pub fn referenced_zone_ids(rules: &[PolicyRule]) -> BTreeSet<String> {
    let (reachable, _) = reachable_rules(rules);
    reachable
        .into_iter()
        .filter(|rule| allows(rule))
        .filter_map(allowed_zone_ids)
        .flatten()
        .cloned()
        .collect()
}

/// The CIDR gateways of a zone, or `None` when the zone also has gateways of another kind
/// (ranges), whose extent the baseline's CIDR list cannot express.
pub(super) fn zone_cidrs(zone: &NetworkZone) -> Option<Vec<String>> {
    let gateways = zone.gateways.as_deref().unwrap_or_default();
    gateways
        .iter()
        .all(|gateway| gateway.address_type == "CIDR")
        .then(|| {
            gateways
                .iter()
                .map(|gateway| gateway.value.clone())
                .collect()
        })
}

/// The sign-on settings a global session policy's rules amount to, and whether the zones they
/// restrict sign-on to are active (`None`: they name no zone).
///
/// Only reachable active rules count. Persistence and lifetime are the worst any allowing rule
/// grants (a missing value reads as persistent or unbounded). Sign-on is restricted to zones
/// only when every allowing rule is a zone rule and a catch-all (the deny rule) ends the list;
/// the CIDRs are then the gateways of those zones. A zone that is missing or has non-CIDR
/// gateways contributes no CIDRs, which reads as drift.
fn sign_on_settings(
    rules: &[PolicyRule],
    zones: &[NetworkZone],
) -> (SignOnPolicySettings, Option<bool>) {
    let (reachable, covered) = reachable_rules(rules);
    let allowing: Vec<&PolicyRule> = reachable.into_iter().filter(|rule| allows(rule)).collect();
    let sessions: Vec<Option<&SessionSettings>> = allowing
        .iter()
        .map(|rule| signon(rule).and_then(|action| action.session.as_ref()))
        .collect();
    let persistent_session = sessions
        .iter()
        .any(|session| session.and_then(|session| session.use_persistent_cookie) != Some(false));
    let lifetimes: Vec<u32> = sessions
        .iter()
        .map(|session| {
            session
                .and_then(|session| session.max_session_lifetime_minutes)
                .unwrap_or(0)
        })
        .collect();
    let session_lifetime_minutes = if lifetimes.contains(&0) {
        0
    } else {
        lifetimes.into_iter().max().unwrap_or(0)
    };

    let mut zone_ids = BTreeSet::new();
    let mut restricted = covered && !allowing.is_empty();
    for rule in &allowing {
        match allowed_zone_ids(rule) {
            Some(ids) => zone_ids.extend(ids.iter().cloned()),
            None => restricted = false,
        }
    }
    let found: Vec<Option<&NetworkZone>> = zone_ids
        .iter()
        .map(|id| zones.iter().find(|zone| zone.id.as_deref() == Some(id)))
        .collect();
    let network_zone_active = (!zone_ids.is_empty()).then(|| {
        found
            .iter()
            .all(|zone| zone.is_some_and(|zone| zone.status.as_deref() == Some(ACTIVE)))
    });
    let network_zone_cidrs = if restricted {
        let cidrs: Vec<String> = found
            .iter()
            .flatten()
            .filter_map(|zone| zone_cidrs(zone))
            .flatten()
            .collect();
        canonical_cidrs(&cidrs)
    } else {
        Vec::new()
    };
    (
        SignOnPolicySettings {
            persistent_session,
            session_lifetime_minutes,
            network_zone_cidrs,
        },
        network_zone_active,
    )
}

/// The sign-on policy as observed, and whether its zones are active.
pub fn observe_sign_on_policy(
    policies: &[Policy],
    ours: Option<&Policy>,
    rules: &[PolicyRule],
    zones: &[NetworkZone],
    group_id: &str,
) -> (ObservedPolicy<SignOnPolicySettings>, Option<bool>) {
    let Some(ours) = ours else {
        return (ObservedPolicy::Missing, None);
    };
    let (settings, zone_active) = sign_on_settings(rules, zones);
    (
        ObservedPolicy::Present {
            active: ours.is_active(),
            ranked_first: is_ranked_first(policies, ours),
            targets_group_only: targets_group_only(ours.conditions.as_ref(), group_id),
            settings,
        },
        zone_active,
    )
}
