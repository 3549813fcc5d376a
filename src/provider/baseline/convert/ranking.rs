//! Ranking: the order in which Okta evaluates policies and rules, and where the baseline's go.

use crate::okta::{Policy, PolicyRule};

use super::ACTIVE;

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

pub(super) fn same<T: Ranked>(a: &T, b: &T) -> bool {
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
