//! `deletion_policy` (G23): what a destroy of a guarded object does. `PREVENT`, the default, keeps
//! the guard's refusals; `ABANDON` makes every destroy (`terraform destroy`, a removed block, a
//! removed `for_each` instance) forget the object and change nothing in Okta. It is the
//! off-boarding path for one `for_each` instance, where Terraform refuses a `removed` block.
//!
//! Terraform plans the destroy of a removed object from its prior state alone (its configuration
//! is gone), so the policy that counts is the one an earlier apply stored.

use super::violation::{RuleId, Violation, echo};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeletionPolicy {
    #[default]
    Prevent,
    Abandon,
}

impl DeletionPolicy {
    pub const ALL: [DeletionPolicy; 2] = [DeletionPolicy::Prevent, DeletionPolicy::Abandon];

    pub fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Prevent => "PREVENT",
            DeletionPolicy::Abandon => "ABANDON",
        }
    }

    pub fn parse(text: &str) -> Option<DeletionPolicy> {
        DeletionPolicy::ALL
            .into_iter()
            .find(|policy| policy.as_str() == text)
    }

    /// The policy a stored value means: unset is `PREVENT`, and so is anything unreadable, since
    /// only an explicit `ABANDON` may lift the guard.
    pub fn of(value: Option<&str>) -> DeletionPolicy {
        value
            .and_then(DeletionPolicy::parse)
            .unwrap_or(DeletionPolicy::Prevent)
    }

    /// The attribute's check: `None` for a valid value.
    pub fn violation(attribute: &str, value: &str) -> Option<Violation> {
        if DeletionPolicy::parse(value).is_some() {
            return None;
        }
        Some(Violation::new(
            attribute,
            RuleId::DeletionPolicy,
            format!("{attribute} must be \"PREVENT\" or \"ABANDON\""),
            format!(
                "{attribute} is {}. \"PREVENT\" (the default) refuses to destroy a finalized object; \"ABANDON\" makes a destroy, a removed block or a removed for_each instance forget the object and change nothing in Okta",
                echo(value)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_unreadable_policies_prevent() {
        assert_eq!(DeletionPolicy::of(None), DeletionPolicy::Prevent);
        assert_eq!(DeletionPolicy::of(Some("abandon")), DeletionPolicy::Prevent);
        assert_eq!(DeletionPolicy::of(Some("ABANDON")), DeletionPolicy::Abandon);
        assert_eq!(DeletionPolicy::of(Some("PREVENT")), DeletionPolicy::Prevent);
    }

    #[test]
    fn only_the_two_policies_are_valid() {
        assert!(DeletionPolicy::violation("deletion_policy", "ABANDON").is_none());
        assert!(DeletionPolicy::violation("deletion_policy", "PREVENT").is_none());
        let violation = DeletionPolicy::violation("deletion_policy", "DELETE").unwrap();
        assert_eq!(violation.path, vec!["deletion_policy".to_owned()]);
        assert!(violation.detail.contains("\"DELETE\""));
    }
}
