//! Rule conditions: what a rule's conditions match, and the conditions the baseline writes.

use serde_json::Value;

use crate::okta::{Conditions, IncludeExclude, NetworkCondition, PeopleCondition, PolicyRule};

use super::finding::is_empty;
use super::ranking::evaluation_order;
use super::{ANYWHERE, ZONE};

/// A condition value that restricts nothing: `"ANY"`, `null`, an empty list, or an object of
/// such values (`authContext: {authType: ANY}`, `riskScore: {level: ANY}`, `risk: {behaviors:
/// []}`). Anything else may keep a rule from matching.
pub(super) fn is_neutral(value: &Value) -> bool {
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
pub(super) fn catch_all_conditions(existing: Option<&Conditions>) -> Conditions {
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
pub(super) fn keep_empty_lists(lists: IncludeExclude) -> IncludeExclude {
    let keep = |list: Option<Vec<String>>| list.filter(Vec::is_empty);
    IncludeExclude {
        include: keep(lists.include),
        exclude: keep(lists.exclude),
    }
}

pub(super) fn network_anywhere() -> NetworkCondition {
    NetworkCondition {
        connection: ANYWHERE.to_owned(),
        include: None,
        exclude: None,
    }
}

pub(super) fn network_zone(zone_id: &str) -> NetworkCondition {
    NetworkCondition {
        connection: ZONE.to_owned(),
        include: Some(vec![zone_id.to_owned()]),
        exclude: None,
    }
}

/// Policy conditions that target exactly the group, keeping the other conditions (e.g. the
/// password policy's `authProvider`) and the empty lists Okta echoes back.
pub(super) fn group_only_conditions(existing: Option<&Conditions>, group_id: &str) -> Conditions {
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
