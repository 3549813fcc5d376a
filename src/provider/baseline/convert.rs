//! Pure conversions between Okta's policy, rule and zone models and the baseline's settings:
//! what the objects Okta returned mean (observation), and what they must become (repair).
//!
//! Nothing here does I/O. Observation is conservative: a field that is missing, or a value this
//! code does not recognise, reads as the insecure choice, so it shows up as drift and is repaired;
//! it never panics. Repair starts from the object Okta returned and changes only what the
//! baseline owns, so fields Okta or an admin added survive the full-replacement `PUT`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::recovery;
use crate::okta::{
    AccessAction, Conditions, Engine, IncludeExclude, NetworkCondition, NetworkZone, OKTA_SIGN_ON,
    PASSWORD, PasswordAge, PasswordComplexity as OktaComplexity, PasswordLockout, PasswordSettings,
    PeopleCondition, Policy, PolicyRule, PolicySettings, RuleActions, SessionSettings,
    SignOnAction, ZoneAddress,
};
use crate::rules::baseline::{
    PasswordComplexity, PasswordPolicySettings, SecuringBaseline, SignOnPolicySettings,
    canonical_cidrs,
};
use crate::rules::compliance::ObservedPolicy;

pub const ACTIVE: &str = "ACTIVE";
pub const ALLOW: &str = "ALLOW";
pub const DENY: &str = "DENY";
pub const ANYWHERE: &str = "ANYWHERE";
pub const ZONE: &str = "ZONE";
/// Rule types of the two policy types.
pub const PASSWORD_RULE: &str = "PASSWORD";
pub const SIGN_ON_RULE: &str = "SIGN_ON";

/// `maxAgeDays` when Okta's answer has none: read as "expires", so it is drift (the repair writes
/// an explicit `0`).
pub const UNKNOWN_MAX_AGE_DAYS: u32 = u32::MAX;
/// Okta's default idle timeout of a global session rule; capped at the session lifetime.
pub const DEFAULT_IDLE_MINUTES: u32 = 120;

const MANAGED_DESCRIPTION: &str = "Managed by okta-msp: the securing baseline of the MSP's service accounts. Changes made here are reverted on the next apply.";

/// The names of the objects the baseline owns in one org, all derived from the group name. These
/// names are how the provider finds its objects again, so they are part of the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineNames {
    /// `PASSWORD` policy: `"{group} - password"`.
    pub password_policy: String,
    /// Its rule: `"{group} - no self-service recovery"`.
    pub password_rule: String,
    /// `OKTA_SIGN_ON` (global session) policy: `"{group} - sign-on"`.
    pub sign_on_policy: String,
    /// Its `ALLOW` rule: `"{group} - session"`.
    pub session_rule: String,
    /// Its `DENY` rule outside the zone: `"{group} - deny outside allowed networks"`.
    pub deny_rule: String,
    /// The `IP` network zone: `"{group} - network zone"`.
    pub zone: String,
}

impl BaselineNames {
    pub fn for_group(group: &str) -> BaselineNames {
        BaselineNames {
            password_policy: format!("{group} - password"),
            password_rule: format!("{group} - no self-service recovery"),
            sign_on_policy: format!("{group} - sign-on"),
            session_rule: format!("{group} - session"),
            deny_rule: format!("{group} - deny outside allowed networks"),
            zone: format!("{group} - network zone"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------------

/// What ranking needs of a policy or a rule.
pub trait Ranked {
    fn id(&self) -> Option<&str>;
    fn is_active(&self) -> bool;
    fn priority(&self) -> Option<u32>;
    /// A system object (the default policy, a default rule) is always evaluated last.
    fn is_system(&self) -> bool;
}

impl Ranked for Policy {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn is_active(&self) -> bool {
        self.status.as_deref() == Some(ACTIVE)
    }
    fn priority(&self) -> Option<u32> {
        self.priority
    }
    fn is_system(&self) -> bool {
        self.system == Some(true)
    }
}

impl Ranked for PolicyRule {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn is_active(&self) -> bool {
        self.status.as_deref() == Some(ACTIVE)
    }
    fn priority(&self) -> Option<u32> {
        self.priority
    }
    fn is_system(&self) -> bool {
        self.system == Some(true)
    }
}

fn same<T: Ranked>(a: &T, b: &T) -> bool {
    match (a.id(), b.id()) {
        (Some(x), Some(y)) => x == y,
        _ => std::ptr::eq(a as *const T, b as *const T),
    }
}

/// The active, non-system items in evaluation order (priority, then the order Okta listed them;
/// an item without a priority goes last).
pub fn evaluation_order<T: Ranked>(items: &[T]) -> Vec<&T> {
    let mut order: Vec<&T> = items
        .iter()
        .filter(|item| item.is_active() && !item.is_system())
        .collect();
    order.sort_by_key(|item| item.priority().unwrap_or(u32::MAX));
    order
}

/// Whether `ours` is evaluated before every other active, non-system item. The system default is
/// evaluated last whatever its number, and an inactive item is not evaluated at all. `ours` needs
/// a priority of its own; ties count against it.
pub fn is_ranked_first<T: Ranked>(items: &[T], ours: &T) -> bool {
    let Some(mine) = ours.priority() else {
        return false;
    };
    items
        .iter()
        .filter(|other| !same(*other, ours) && other.is_active() && !other.is_system())
        .all(|other| other.priority().is_none_or(|theirs| theirs > mine))
}

/// The priority to write to put an item first: 1, or 0 where the other items are numbered from 0
/// (Okta numbers some rule lists from 0).
pub fn first_slot<T: Ranked>(items: &[T]) -> u32 {
    items
        .iter()
        .filter(|item| item.is_active() && !item.is_system())
        .filter_map(Ranked::priority)
        .min()
        .map_or(1, |lowest| lowest.min(1))
}

// ---------------------------------------------------------------------------------------------
// Finding the baseline's objects
// ---------------------------------------------------------------------------------------------

/// The baseline's policy among `policies` (all of one type): the non-system policy named `name`,
/// else a non-system policy that targets exactly the group (one an admin made by hand, as Okta's
/// guidance describes; it is adopted rather than shadowed by a second one).
pub fn find_policy<'a>(policies: &'a [Policy], name: &str, group_id: &str) -> Option<&'a Policy> {
    let candidates = || policies.iter().filter(|policy| !policy.is_system());
    candidates()
        .filter(|policy| policy.name == name)
        .min_by_key(|policy| policy.priority.unwrap_or(u32::MAX))
        .or_else(|| {
            candidates()
                .filter(|policy| targets_group_only(policy.conditions.as_ref(), group_id))
                .min_by_key(|policy| policy.priority.unwrap_or(u32::MAX))
        })
}

pub fn find_rule<'a>(rules: &'a [PolicyRule], name: &str) -> Option<&'a PolicyRule> {
    rules
        .iter()
        .filter(|rule| !rule.is_system() && rule.name == name)
        .min_by_key(|rule| rule.priority.unwrap_or(u32::MAX))
}

fn is_empty(list: Option<&Vec<String>>) -> bool {
    list.is_none_or(Vec::is_empty)
}

/// The people condition includes the group and nothing else, and excludes nobody.
pub fn targets_group_only(conditions: Option<&Conditions>, group_id: &str) -> bool {
    let Some(people) = conditions.and_then(|conditions| conditions.people.as_ref()) else {
        return false;
    };
    let groups = people.groups.as_ref();
    let users = people.users.as_ref();
    groups.and_then(|groups| groups.include.as_deref()) == Some(&[group_id.to_owned()][..])
        && is_empty(groups.and_then(|groups| groups.exclude.as_ref()))
        && is_empty(users.and_then(|users| users.include.as_ref()))
        && is_empty(users.and_then(|users| users.exclude.as_ref()))
}

// ---------------------------------------------------------------------------------------------
// Rule conditions
// ---------------------------------------------------------------------------------------------

/// A condition value that restricts nothing: `"ANY"`, `null`, an empty list, or an object of
/// such values (`authContext: {authType: ANY}`, `riskScore: {level: ANY}`, `risk: {behaviors:
/// []}`). Anything else may keep a rule from matching.
fn is_neutral(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text == "ANY",
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_neutral),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The rule matches every member of its policy's group from every network, so no rule after it
/// is ever evaluated (and no later policy either).
pub fn is_catch_all(conditions: Option<&Conditions>) -> bool {
    let Some(conditions) = conditions else {
        return true;
    };
    let network_anywhere = conditions
        .network
        .as_ref()
        .is_none_or(|network| network.connection == ANYWHERE);
    let everyone = conditions.people.as_ref().is_none_or(|people| {
        let groups = people.groups.as_ref();
        let users = people.users.as_ref();
        is_empty(groups.and_then(|groups| groups.include.as_ref()))
            && is_empty(groups.and_then(|groups| groups.exclude.as_ref()))
            && is_empty(users.and_then(|users| users.include.as_ref()))
            && is_empty(users.and_then(|users| users.exclude.as_ref()))
            && people.other.values().all(is_neutral)
    });
    network_anywhere && everyone && conditions.other.values().all(is_neutral)
}

/// The active rules a member can reach, in order: up to and including the first catch-all rule.
/// `covered` is false when no catch-all ends the list, so a sign-in can match no rule and fall
/// through to the next policy (Okta's policy evaluation), which the baseline does not control.
pub fn reachable_rules(rules: &[PolicyRule]) -> (Vec<&PolicyRule>, bool) {
    let mut reachable = Vec::new();
    for rule in evaluation_order(rules) {
        reachable.push(rule);
        if is_catch_all(rule.conditions.as_ref()) {
            return (reachable, true);
        }
    }
    (reachable, false)
}

/// Conditions that make a rule a catch-all, keeping the neutral ones already there and the empty
/// lists Okta echoes back.
fn catch_all_conditions(existing: Option<&Conditions>) -> Conditions {
    let Some(existing) = existing else {
        return Conditions {
            people: Some(PeopleCondition {
                users: Some(IncludeExclude {
                    include: None,
                    exclude: Some(Vec::new()),
                }),
                ..PeopleCondition::default()
            }),
            network: Some(network_anywhere()),
            ..Conditions::default()
        };
    };
    let mut conditions = existing.clone();
    conditions.other.retain(|_, value| is_neutral(value));
    if let Some(people) = conditions.people.as_mut() {
        people.groups = people.groups.take().map(keep_empty_lists);
        people.users = people.users.take().map(keep_empty_lists);
        people.other.retain(|_, value| is_neutral(value));
    }
    if conditions
        .network
        .as_ref()
        .is_some_and(|network| network != &network_anywhere())
    {
        conditions.network = Some(network_anywhere());
    }
    conditions
}

/// Only the empty lists survive: no one is singled out or left out.
fn keep_empty_lists(lists: IncludeExclude) -> IncludeExclude {
    let keep = |list: Option<Vec<String>>| list.filter(Vec::is_empty);
    IncludeExclude {
        include: keep(lists.include),
        exclude: keep(lists.exclude),
    }
}

fn network_anywhere() -> NetworkCondition {
    NetworkCondition {
        connection: ANYWHERE.to_owned(),
        include: None,
        exclude: None,
    }
}

fn network_zone(zone_id: &str) -> NetworkCondition {
    NetworkCondition {
        connection: ZONE.to_owned(),
        include: Some(vec![zone_id.to_owned()]),
        exclude: None,
    }
}

/// Policy conditions that target exactly the group, keeping the other conditions (e.g. the
/// password policy's `authProvider`) and the empty lists Okta echoes back.
fn group_only_conditions(existing: Option<&Conditions>, group_id: &str) -> Conditions {
    let mut conditions = existing.cloned().unwrap_or_default();
    let mut people = conditions.people.take().unwrap_or_default();
    let groups = people.groups.take().unwrap_or_default();
    people.groups = Some(IncludeExclude {
        include: Some(vec![group_id.to_owned()]),
        exclude: groups.exclude.filter(Vec::is_empty),
    });
    people.users = people.users.take().map(keep_empty_lists);
    conditions.people = Some(people);
    conditions
}

// ---------------------------------------------------------------------------------------------
// Observation: Okta's objects to the baseline's settings
// ---------------------------------------------------------------------------------------------

fn flag(value: Option<u32>) -> bool {
    value.is_some_and(|count| count >= 1)
}

/// The settings a password policy and its rules amount to.
/// Where recovery is read from depends on the org's `engine` (see [`super::recovery`]).
pub fn password_settings(
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
fn allowed_zone_ids(rule: &PolicyRule) -> Option<&[String]> {
    let network = rule.conditions.as_ref()?.network.as_ref()?;
    let include = network.include.as_deref()?;
    (network.connection == ZONE && !include.is_empty() && is_empty(network.exclude.as_ref()))
        .then_some(include)
}

fn signon(rule: &PolicyRule) -> Option<&SignOnAction> {
    rule.actions.as_ref()?.signon.as_ref()
}

fn allows(rule: &PolicyRule) -> bool {
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
fn zone_cidrs(zone: &NetworkZone) -> Option<Vec<String>> {
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
pub fn sign_on_settings(
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

// ---------------------------------------------------------------------------------------------
// Repair: the baseline's settings to Okta's objects
// ---------------------------------------------------------------------------------------------

/// Okta sets status through lifecycle calls (`activate` on create); the body says `ACTIVE` so a
/// replacement never asks for less.
fn want_active(status: &mut Option<String>) {
    if status.as_deref() != Some(ACTIVE) {
        *status = Some(ACTIVE.to_owned());
    }
}

fn require_flag(value: &mut Option<u32>) {
    if !flag(*value) {
        *value = Some(1);
    }
}

fn set<T: PartialEq>(slot: &mut Option<T>, value: T) {
    if slot.as_ref() != Some(&value) {
        *slot = Some(value);
    }
}

/// Where a policy or rule must go: keep its place if it is already first, else `slot`.
fn placed_first<T: Ranked>(items: &[T], existing: &T, priority: &mut Option<u32>) {
    if !is_ranked_first(items, existing) {
        *priority = Some(first_slot(items));
    }
}

/// The baseline's password settings written over `existing` (or over nothing).
fn password_policy_settings(
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

fn place_policy(
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

fn new_rule(rule_type: &str, name: &str, priority: u32) -> PolicyRule {
    PolicyRule {
        rule_type: rule_type.to_owned(),
        name: name.to_owned(),
        status: Some(ACTIVE.to_owned()),
        priority: Some(priority),
        ..PolicyRule::default()
    }
}

/// Shared by every rule repair: the name, active, and first when `first` (else kept).
fn base_rule(
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
