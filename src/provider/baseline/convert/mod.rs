//! Pure conversions between Okta's policy, rule and zone models and the baseline's settings:
//! what the objects Okta returned mean (observation), and what they must become (repair).
//!
//! Nothing here does I/O. Observation is conservative: a field that is missing, or a value this
//! code does not recognise, reads as the insecure choice, so it shows up as drift and is repaired;
//! it never panics. Repair starts from the object Okta returned and changes only what the
//! baseline owns, so fields Okta or an admin added survive the full-replacement `PUT`.

mod conditions;
mod finding;
mod observe;
mod ranking;
mod repair;

pub use conditions::reachable_rules;
pub use finding::{find_policy, find_rule};
pub use observe::{observe_password_policy, observe_sign_on_policy, referenced_zone_ids};
// What the table-driven tests (`convert_tests.rs`) check besides the above.
#[cfg(test)]
pub use conditions::is_catch_all;
#[cfg(test)]
pub use finding::targets_group_only;
#[cfg(test)]
pub use ranking::{Ranked, first_slot, is_ranked_first};
#[cfg(test)]
pub use repair::deny_rule_priority;
pub use repair::{
    desired_deny_rule, desired_password_policy, desired_password_rule, desired_session_rule,
    desired_sign_on_policy, desired_zone,
};

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

pub(super) const MANAGED_DESCRIPTION: &str = "Managed by okta-msp: the securing baseline of the MSP's service accounts. Changes made here are reverted on the next apply.";

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
