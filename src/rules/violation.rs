//! What every rule returns when it does not hold: a violation with its attribute path.

use std::fmt;

/// Which rule a violation breaks. Stable identifiers: scripts and tests may match on
/// [`RuleId::as_str`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    // The kind table (SPEC section 2).
    UnknownKind,
    UnknownRole,
    RoleNotAssignable,
    DuplicateRole,
    RolesMissing,
    RolesEmpty,
    RequiredRoleMissing,
    RoleNotAllowed,
    // The account's own attributes.
    Required,
    LoginShape,
    LoginLength,
    EmailShape,
    EmailLength,
    NameShape,
    NameLength,
    PasswordTooShort,
    PasswordComplexity,
    PasswordContainsLogin,
    DeletionPolicy,
    ReasonBlank,
    // Provider-level baseline settings (SPEC section 3).
    GroupName,
    PasswordMinLength,
    LockoutAttempts,
    SessionLifetime,
    NetworkCidr,
    // Observed compliance (SPEC sections 2 and 3).
    NotActive,
    RoleMissing,
    RoleUnexpected,
    NotInGroup,
    SharedMailbox,
    RecoveryQuestion,
    ProfileDrift,
    PasswordPolicy,
    SignOnPolicy,
    NetworkZone,
}

impl RuleId {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::UnknownKind => "kind.unknown",
            RuleId::UnknownRole => "roles.unknown",
            RuleId::RoleNotAssignable => "roles.not_assignable",
            RuleId::DuplicateRole => "roles.duplicate",
            RuleId::RolesMissing => "roles.undeclared",
            RuleId::RolesEmpty => "roles.empty",
            RuleId::RequiredRoleMissing => "roles.required_missing",
            RuleId::RoleNotAllowed => "roles.not_allowed",
            RuleId::Required => "attribute.required",
            RuleId::LoginShape => "login.shape",
            RuleId::LoginLength => "login.length",
            RuleId::EmailShape => "email.shape",
            RuleId::EmailLength => "email.length",
            RuleId::NameShape => "name.shape",
            RuleId::NameLength => "name.length",
            RuleId::PasswordTooShort => "password.too_short",
            RuleId::PasswordComplexity => "password.complexity",
            RuleId::PasswordContainsLogin => "password.contains_login",
            RuleId::DeletionPolicy => "deletion_policy.unknown",
            RuleId::ReasonBlank => "reason.blank",
            RuleId::GroupName => "baseline.group_name",
            RuleId::PasswordMinLength => "baseline.password_min_length",
            RuleId::LockoutAttempts => "baseline.lockout_attempts",
            RuleId::SessionLifetime => "baseline.session_lifetime",
            RuleId::NetworkCidr => "baseline.network_cidr",
            RuleId::NotActive => "compliance.not_active",
            RuleId::RoleMissing => "compliance.role_missing",
            RuleId::RoleUnexpected => "compliance.role_unexpected",
            RuleId::NotInGroup => "compliance.not_in_group",
            RuleId::SharedMailbox => "compliance.shared_mailbox",
            RuleId::RecoveryQuestion => "compliance.recovery_question",
            RuleId::ProfileDrift => "compliance.profile_drift",
            RuleId::PasswordPolicy => "compliance.password_policy",
            RuleId::SignOnPolicy => "compliance.sign_on_policy",
            RuleId::NetworkZone => "compliance.network_zone",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One broken rule. `summary` says what is wrong in one line; `detail` says why the rule exists
/// and how to fix it. Neither ends with a period (they become Terraform diagnostics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Attribute path, outermost first, e.g. `["admin_roles"]`. Empty for the object as a whole.
    pub path: Vec<String>,
    pub rule: RuleId,
    pub summary: String,
    pub detail: String,
}

impl Violation {
    pub fn new(
        attribute: &str,
        rule: RuleId,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Violation {
        Violation {
            path: if attribute.is_empty() {
                Vec::new()
            } else {
                vec![attribute.to_owned()]
            },
            rule,
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} [{}]: {}",
            self.path.join("."),
            self.rule,
            self.summary
        )
    }
}

/// A configuration value as Terraform may hand it over: absent, not known until apply, or known.
///
/// Validation skips what it cannot see yet instead of guessing: an unknown value is checked again
/// once it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Input<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Input<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Input::Known(value) => Some(value),
            Input::Null | Input::Unknown => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Input::Unknown)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Input::Null)
    }
}

impl Input<String> {
    /// The text, when known.
    pub fn known_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<T> for Input<T> {
    fn from(value: T) -> Input<T> {
        Input::Known(value)
    }
}

impl<T> From<Option<T>> for Input<T> {
    /// `None` is null: use [`Input::Unknown`] explicitly for values Terraform does not know yet.
    fn from(value: Option<T>) -> Input<T> {
        match value {
            Some(value) => Input::Known(value),
            None => Input::Null,
        }
    }
}

/// The longest user-supplied value a message repeats whole. Terraform already prints the
/// configuration line under the diagnostic, so a longer value is shown by its start and length
/// only: a 10,000-character login must not fill the screen twice.
const ECHO_MAX_CHARS: usize = 64;

/// A user-supplied value quoted for a message, shortened when long: `"abc"`, or
/// `"aaaa…" (10000 characters)`.
pub fn echo(value: &str) -> String {
    let length = value.chars().count();
    if length <= ECHO_MAX_CHARS {
        return format!("{value:?}");
    }
    let start: String = value.chars().take(ECHO_MAX_CHARS - 24).collect();
    format!("{:?} ({length} characters)", format!("{start}…"))
}

#[cfg(test)]
pub(crate) fn assert_well_formed(violations: &[Violation]) {
    for violation in violations {
        assert!(!violation.summary.is_empty(), "{violation:?}");
        assert!(!violation.detail.is_empty(), "{violation:?}");
        assert!(
            !violation.summary.ends_with('.'),
            "trailing period: {violation:?}"
        );
        assert!(
            !violation.detail.ends_with('.'),
            "trailing period: {violation:?}"
        );
        if let Some(attribute) = violation.path.first() {
            assert!(
                violation.summary.contains(attribute.as_str())
                    || violation.detail.contains(attribute.as_str()),
                "the message must name the attribute {attribute}: {violation:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique() {
        let all = [
            RuleId::UnknownKind,
            RuleId::UnknownRole,
            RuleId::RoleNotAssignable,
            RuleId::DuplicateRole,
            RuleId::RolesMissing,
            RuleId::RolesEmpty,
            RuleId::RequiredRoleMissing,
            RuleId::RoleNotAllowed,
            RuleId::Required,
            RuleId::LoginShape,
            RuleId::LoginLength,
            RuleId::EmailShape,
            RuleId::EmailLength,
            RuleId::NameShape,
            RuleId::NameLength,
            RuleId::PasswordTooShort,
            RuleId::PasswordComplexity,
            RuleId::PasswordContainsLogin,
            RuleId::GroupName,
            RuleId::PasswordMinLength,
            RuleId::LockoutAttempts,
            RuleId::SessionLifetime,
            RuleId::NetworkCidr,
            RuleId::NotActive,
            RuleId::RoleMissing,
            RuleId::RoleUnexpected,
            RuleId::NotInGroup,
            RuleId::SharedMailbox,
            RuleId::RecoveryQuestion,
            RuleId::ProfileDrift,
            RuleId::PasswordPolicy,
            RuleId::SignOnPolicy,
            RuleId::NetworkZone,
        ];
        let names: std::collections::BTreeSet<&str> =
            all.iter().map(|rule| rule.as_str()).collect();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn input_from_option_maps_none_to_null() {
        assert_eq!(Input::<u8>::from(None), Input::Null);
        assert_eq!(Input::from(Some(3)), Input::Known(3));
        assert_eq!(Input::<u8>::Unknown.known(), None);
        assert!(Input::<u8>::Unknown.is_unknown());
    }

    #[test]
    fn display_names_path_rule_and_summary() {
        let violation = Violation::new("login", RuleId::LoginShape, "login is bad", "fix it");
        assert_eq!(violation.to_string(), "login [login.shape]: login is bad");
        assert!(
            Violation::new("", RuleId::NotActive, "s", "d")
                .path
                .is_empty()
        );
    }

    #[test]
    fn echo_quotes_short_values_whole_and_long_ones_by_start_and_length() {
        assert_eq!(echo("svc@acme.example"), "\"svc@acme.example\"");
        let long = "a".repeat(10_000);
        let echoed = echo(&long);
        assert!(echoed.len() < 80, "{echoed}");
        assert!(echoed.ends_with("(10000 characters)"), "{echoed}");
        // Multi-byte characters are cut on a character boundary.
        assert!(echo(&"é".repeat(200)).contains("(200 characters)"));
    }
}
