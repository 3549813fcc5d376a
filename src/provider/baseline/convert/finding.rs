//! Finding the baseline's objects among Okta's, by name or (adoption) by what they target.

use crate::okta::{Conditions, Policy, PolicyRule};

use super::ranking::Ranked;

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

pub(super) fn is_empty(list: Option<&Vec<String>>) -> bool {
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
