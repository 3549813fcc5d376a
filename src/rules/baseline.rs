//! The securing baseline (SPEC section 3): what the provider applies to every service account's
//! group, password policy and sign-on policy, with the provider-level settings that tune it.
//!
//! Some points are settings with bounds; the rest (complexity, no expiry, no self-service
//! recovery, no persistent session) are fixed, because turning them off would either break the
//! integration (an expired password stops it) or open a way around the account's owner.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use super::cidr::Cidr;
use super::violation::{RuleId, Violation};

/// Provider attribute names of the baseline settings.
pub mod attr {
    pub const SERVICE_ACCOUNT_GROUP: &str = "service_account_group";
    pub const PASSWORD_MIN_LENGTH: &str = "password_min_length";
    pub const LOCKOUT_ATTEMPTS: &str = "lockout_attempts";
    pub const SESSION_LIFETIME_MINUTES: &str = "session_lifetime_minutes";
    pub const ALLOWED_NETWORK_CIDRS: &str = "allowed_network_cidrs";
}

pub const DEFAULT_GROUP_NAME: &str = "MSP Service Accounts";
/// Okta limits group names to 255 characters.
pub const GROUP_NAME_LENGTH: RangeInclusive<usize> = 1..=255;
/// At least 20 (SPEC section 3); Okta's policy editor accepts at most 30. Generated passwords
/// are 32 characters, so every allowed minimum admits them.
pub const PASSWORD_MIN_LENGTH: RangeInclusive<u32> = 20..=30;
pub const DEFAULT_PASSWORD_MIN_LENGTH: u32 = 20;
/// 0 would mean "never lock", which lets anyone guess the password forever; more than 10 is
/// barely a lockout.
pub const LOCKOUT_ATTEMPTS: RangeInclusive<u32> = 1..=10;
pub const DEFAULT_LOCKOUT_ATTEMPTS: u32 = 5;
/// A service account's interactive session is bounded (0 would mean unbounded in Okta); at most a
/// day.
pub const SESSION_LIFETIME_MINUTES: RangeInclusive<u32> = 5..=1440;
pub const DEFAULT_SESSION_LIFETIME_MINUTES: u32 = 12 * 60;
/// Okta allows at most 150 gateways in one IP network zone.
pub const MAX_NETWORK_CIDRS: usize = 150;

/// The baseline, tuned by the provider configuration. Build it with [`BaselineSettings::resolve`]
/// (which validates) or [`Default`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecuringBaseline {
    pub group_name: String,
    pub password_min_length: u32,
    pub lockout_attempts: u32,
    pub session_lifetime_minutes: u32,
    /// Canonical CIDR blocks; empty means sign-on is not restricted to a network zone.
    pub allowed_network_cidrs: Vec<String>,
}

impl Default for SecuringBaseline {
    fn default() -> SecuringBaseline {
        SecuringBaseline {
            group_name: DEFAULT_GROUP_NAME.to_owned(),
            password_min_length: DEFAULT_PASSWORD_MIN_LENGTH,
            lockout_attempts: DEFAULT_LOCKOUT_ATTEMPTS,
            session_lifetime_minutes: DEFAULT_SESSION_LIFETIME_MINUTES,
            allowed_network_cidrs: Vec::new(),
        }
    }
}

/// Password complexity requirements of a password policy (Okta's `minLowerCase`, `minUpperCase`,
/// `minNumber`, `minSymbol` as booleans, and `excludeUsername`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordComplexity {
    pub lower_case: bool,
    pub upper_case: bool,
    pub number: bool,
    pub symbol: bool,
    pub exclude_username: bool,
}

impl PasswordComplexity {
    /// What the baseline requires: everything on.
    pub const REQUIRED: PasswordComplexity = PasswordComplexity {
        lower_case: true,
        upper_case: true,
        number: true,
        symbol: true,
        exclude_username: true,
    };

    /// The character classes `password` lacks among those required, in words.
    pub fn missing_classes(&self, password: &str) -> Vec<&'static str> {
        type ClassCheck = (bool, fn(char) -> bool, &'static str);
        let checks: [ClassCheck; 4] = [
            (self.lower_case, |c| c.is_lowercase(), "lower-case letter"),
            (self.upper_case, |c| c.is_uppercase(), "upper-case letter"),
            (self.number, |c| c.is_ascii_digit(), "digit"),
            (
                self.symbol,
                |c| !c.is_alphanumeric() && !c.is_whitespace(),
                "symbol",
            ),
        ];
        checks
            .into_iter()
            .filter(|(required, test, _)| *required && !password.chars().any(test))
            .map(|(_, _, name)| name)
            .collect()
    }
}

/// Self-service recovery paths of a password policy; `true` means the path is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    pub email: bool,
    pub sms: bool,
    pub voice_call: bool,
    pub question: bool,
    pub self_service_unlock: bool,
}

impl Recovery {
    pub const ALL_OFF: Recovery = Recovery {
        email: false,
        sms: false,
        voice_call: false,
        question: false,
        self_service_unlock: false,
    };

    /// The open paths, by name.
    pub fn open_paths(&self) -> Vec<&'static str> {
        [
            (self.email, "e-mail reset"),
            (self.sms, "SMS reset"),
            (self.voice_call, "voice call reset"),
            (self.question, "security question reset"),
            (self.self_service_unlock, "self-service unlock"),
        ]
        .into_iter()
        .filter_map(|(open, name)| open.then_some(name))
        .collect()
    }
}

/// The settings of the password policy that targets the service account group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicySettings {
    pub min_length: u32,
    pub complexity: PasswordComplexity,
    /// 0: passwords never expire.
    pub max_age_days: u32,
    /// 0: never locks.
    pub lockout_attempts: u32,
    pub recovery: Recovery,
}

/// The settings of the sign-on (global session) policy rule for the service account group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignOnPolicySettings {
    pub persistent_session: bool,
    /// 0: unbounded.
    pub session_lifetime_minutes: u32,
    /// The CIDR blocks sign-on is restricted to (the network zone's gateways, canonical and
    /// sorted); empty when sign-on is not restricted to a zone.
    pub network_zone_cidrs: Vec<String>,
}

impl SecuringBaseline {
    /// The password policy the baseline requires.
    pub fn password_policy(&self) -> PasswordPolicySettings {
        PasswordPolicySettings {
            min_length: self.password_min_length,
            complexity: PasswordComplexity::REQUIRED,
            max_age_days: 0,
            lockout_attempts: self.lockout_attempts,
            recovery: Recovery::ALL_OFF,
        }
    }

    /// The sign-on policy rule the baseline requires.
    pub fn sign_on_policy(&self) -> SignOnPolicySettings {
        SignOnPolicySettings {
            persistent_session: false,
            session_lifetime_minutes: self.session_lifetime_minutes,
            network_zone_cidrs: canonical_cidrs(&self.allowed_network_cidrs),
        }
    }

    /// Every way this baseline breaks its bounds.
    pub fn violations(&self) -> Vec<Violation> {
        let mut violations = Vec::new();
        violations.extend(group_name_violation(&self.group_name));
        violations.extend(bound_violation(
            attr::PASSWORD_MIN_LENGTH,
            RuleId::PasswordMinLength,
            i64::from(self.password_min_length),
            &PASSWORD_MIN_LENGTH,
            "service account passwords are long random secrets held by a vault; at least 20 characters, and at most what Okta's password policy accepts",
        ));
        violations.extend(bound_violation(
            attr::LOCKOUT_ATTEMPTS,
            RuleId::LockoutAttempts,
            i64::from(self.lockout_attempts),
            &LOCKOUT_ATTEMPTS,
            "the account must lock after a bounded number of failed sign-ins so its password cannot be guessed",
        ));
        violations.extend(bound_violation(
            attr::SESSION_LIFETIME_MINUTES,
            RuleId::SessionLifetime,
            i64::from(self.session_lifetime_minutes),
            &SESSION_LIFETIME_MINUTES,
            "an interactive session of a service account must end; at most one day",
        ));
        violations.extend(cidr_violations(&self.allowed_network_cidrs));
        violations
    }
}

/// The provider-level settings as configured (`None`: not set, use the default). Numbers are
/// `i64` because that is what Terraform numbers arrive as; the bounds decide.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaselineSettings {
    pub service_account_group: Option<String>,
    pub password_min_length: Option<i64>,
    pub lockout_attempts: Option<i64>,
    pub session_lifetime_minutes: Option<i64>,
    pub allowed_network_cidrs: Option<Vec<String>>,
}

impl BaselineSettings {
    /// The baseline these settings describe, or every violation of its bounds.
    pub fn resolve(&self) -> Result<SecuringBaseline, Vec<Violation>> {
        let defaults = SecuringBaseline::default();
        let mut violations = Vec::new();
        let mut number = |value: Option<i64>,
                          default: u32,
                          attribute: &str,
                          rule: RuleId,
                          range: &RangeInclusive<u32>,
                          why: &str| {
            let Some(value) = value else { return default };
            match bound_violation(attribute, rule, value, range, why) {
                Some(violation) => {
                    violations.push(violation);
                    default
                }
                None => u32::try_from(value).unwrap_or(default),
            }
        };
        let password_min_length = number(
            self.password_min_length,
            defaults.password_min_length,
            attr::PASSWORD_MIN_LENGTH,
            RuleId::PasswordMinLength,
            &PASSWORD_MIN_LENGTH,
            "service account passwords are long random secrets held by a vault; at least 20 characters, and at most what Okta's password policy accepts",
        );
        let lockout_attempts = number(
            self.lockout_attempts,
            defaults.lockout_attempts,
            attr::LOCKOUT_ATTEMPTS,
            RuleId::LockoutAttempts,
            &LOCKOUT_ATTEMPTS,
            "the account must lock after a bounded number of failed sign-ins so its password cannot be guessed",
        );
        let session_lifetime_minutes = number(
            self.session_lifetime_minutes,
            defaults.session_lifetime_minutes,
            attr::SESSION_LIFETIME_MINUTES,
            RuleId::SessionLifetime,
            &SESSION_LIFETIME_MINUTES,
            "an interactive session of a service account must end; at most one day",
        );
        let group_name = match &self.service_account_group {
            Some(name) => {
                violations.extend(group_name_violation(name));
                name.clone()
            }
            None => defaults.group_name,
        };
        let cidrs = self.allowed_network_cidrs.clone().unwrap_or_default();
        violations.extend(cidr_violations(&cidrs));
        if !violations.is_empty() {
            return Err(violations);
        }
        Ok(SecuringBaseline {
            group_name,
            password_min_length,
            lockout_attempts,
            session_lifetime_minutes,
            allowed_network_cidrs: canonical_cidrs(&cidrs),
        })
    }
}

/// The valid blocks of `cidrs`, canonical, sorted and without duplicates.
pub fn canonical_cidrs(cidrs: &[String]) -> Vec<String> {
    cidrs
        .iter()
        .filter_map(|text| Cidr::parse(text).ok())
        .collect::<BTreeSet<Cidr>>()
        .into_iter()
        .map(|cidr| cidr.to_string())
        .collect()
}

fn bound_violation(
    attribute: &str,
    rule: RuleId,
    value: i64,
    range: &RangeInclusive<u32>,
    why: &str,
) -> Option<Violation> {
    if (i64::from(*range.start())..=i64::from(*range.end())).contains(&value) {
        return None;
    }
    Some(Violation::new(
        attribute,
        rule,
        format!(
            "{attribute} must be between {} and {}, not {value}",
            range.start(),
            range.end()
        ),
        format!(
            "{}{}; set {attribute} to a value from {} to {}, or remove it to use the default",
            why[..1].to_uppercase(),
            &why[1..],
            range.start(),
            range.end()
        ),
    ))
}

fn group_name_violation(name: &str) -> Option<Violation> {
    let attribute = attr::SERVICE_ACCOUNT_GROUP;
    let problem = if !GROUP_NAME_LENGTH.contains(&name.chars().count()) {
        format!("must be 1 to {} characters long", GROUP_NAME_LENGTH.end())
    } else if name.trim() != name || name.trim().is_empty() {
        "must not be blank or start or end with whitespace".to_owned()
    } else if name.chars().any(char::is_control) {
        "must not contain control characters".to_owned()
    } else {
        return None;
    };
    Some(Violation::new(
        attribute,
        RuleId::GroupName,
        format!("{attribute} {problem}"),
        format!(
            "Every service account joins this Okta group and the baseline policies target it; set {attribute} to a plain group name, or remove it to use \"{DEFAULT_GROUP_NAME}\""
        ),
    ))
}

fn cidr_violations(cidrs: &[String]) -> Vec<Violation> {
    let attribute = attr::ALLOWED_NETWORK_CIDRS;
    let mut violations = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, text) in cidrs.iter().enumerate() {
        match Cidr::parse(text) {
            Ok(cidr) => {
                if !seen.insert(cidr) {
                    violations.push(Violation::new(
                        attribute,
                        RuleId::NetworkCidr,
                        format!("{attribute}[{index}] repeats {cidr}"),
                        format!("Each block is one gateway of the service accounts' network zone; remove the repeated {cidr} from {attribute}"),
                    ));
                }
            }
            Err(problem) => violations.push(Violation::new(
                attribute,
                RuleId::NetworkCidr,
                format!("{attribute}[{index}] is not a valid CIDR block"),
                format!(
                    "Service accounts may sign in only from a network zone built from these blocks; {}",
                    problem.describe(text)
                ),
            )),
        }
    }
    if cidrs.len() > MAX_NETWORK_CIDRS {
        violations.push(Violation::new(
            attribute,
            RuleId::NetworkCidr,
            format!("{attribute} has {} blocks, more than Okta's {MAX_NETWORK_CIDRS}", cidrs.len()),
            format!("One Okta network zone holds at most {MAX_NETWORK_CIDRS} gateways; merge blocks in {attribute} into wider prefixes"),
        ));
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::super::violation::assert_well_formed;
    use super::*;

    #[test]
    fn defaults_follow_spec_section_3() {
        let baseline = SecuringBaseline::default();
        assert_eq!(baseline.group_name, "MSP Service Accounts");
        assert_eq!(baseline.password_min_length, 20);
        assert_eq!(baseline.lockout_attempts, 5);
        assert_eq!(baseline.session_lifetime_minutes, 720);
        assert!(baseline.allowed_network_cidrs.is_empty());
        assert_eq!(baseline.violations(), []);
        assert_eq!(BaselineSettings::default().resolve(), Ok(baseline.clone()));

        let password = baseline.password_policy();
        assert_eq!(password.max_age_days, 0, "no expiry: a vault rotates");
        assert_eq!(password.complexity, PasswordComplexity::REQUIRED);
        assert_eq!(password.recovery, Recovery::ALL_OFF);
        assert!(password.recovery.open_paths().is_empty());
        let sign_on = baseline.sign_on_policy();
        assert!(!sign_on.persistent_session);
        assert_eq!(sign_on.session_lifetime_minutes, 720);
        assert!(sign_on.network_zone_cidrs.is_empty());
    }

    type Setter = fn(&mut BaselineSettings, i64);

    #[test]
    fn every_numeric_bound_is_inclusive_and_enforced() {
        let cases: [(&str, Setter, RuleId, RangeInclusive<u32>); 3] = [
            (
                "password_min_length",
                |s, v| s.password_min_length = Some(v),
                RuleId::PasswordMinLength,
                PASSWORD_MIN_LENGTH,
            ),
            (
                "lockout_attempts",
                |s, v| s.lockout_attempts = Some(v),
                RuleId::LockoutAttempts,
                LOCKOUT_ATTEMPTS,
            ),
            (
                "session_lifetime_minutes",
                |s, v| s.session_lifetime_minutes = Some(v),
                RuleId::SessionLifetime,
                SESSION_LIFETIME_MINUTES,
            ),
        ];
        for (attribute, set, rule, range) in cases {
            let low = i64::from(*range.start());
            let high = i64::from(*range.end());
            for value in [low, low + 1, high - 1, high] {
                let mut settings = BaselineSettings::default();
                set(&mut settings, value);
                let baseline = settings
                    .resolve()
                    .unwrap_or_else(|v| panic!("{attribute}={value}: {v:?}"));
                assert_eq!(baseline.violations(), []);
            }
            for value in [low - 1, high + 1, 0, -1, i64::MIN, i64::MAX] {
                let mut settings = BaselineSettings::default();
                set(&mut settings, value);
                let violations = settings.resolve().unwrap_err();
                assert_eq!(violations.len(), 1, "{attribute}={value}");
                assert_eq!(violations[0].rule, rule);
                assert_eq!(violations[0].path, [attribute]);
                assert!(violations[0].summary.contains(&value.to_string()));
                assert!(
                    violations[0]
                        .detail
                        .contains(&format!("from {low} to {high}"))
                );
                assert_well_formed(&violations);
            }
        }
        assert_eq!(
            PASSWORD_MIN_LENGTH.start(),
            &20,
            "SPEC: minimum length >= 20"
        );
    }

    #[test]
    fn resolved_numbers_are_used() {
        let baseline = BaselineSettings {
            password_min_length: Some(24),
            lockout_attempts: Some(3),
            session_lifetime_minutes: Some(60),
            ..BaselineSettings::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(
            (
                baseline.password_min_length,
                baseline.lockout_attempts,
                baseline.session_lifetime_minutes
            ),
            (24, 3, 60)
        );
        assert_eq!(baseline.password_policy().min_length, 24);
        assert_eq!(baseline.password_policy().lockout_attempts, 3);
        assert_eq!(baseline.sign_on_policy().session_lifetime_minutes, 60);
    }

    #[test]
    fn a_baseline_built_by_hand_is_checked_too() {
        let baseline = SecuringBaseline {
            password_min_length: 8,
            lockout_attempts: 0,
            session_lifetime_minutes: 0,
            group_name: String::new(),
            allowed_network_cidrs: vec!["nope".into()],
        };
        let rules: Vec<RuleId> = baseline.violations().iter().map(|v| v.rule).collect();
        assert_eq!(
            rules,
            [
                RuleId::GroupName,
                RuleId::PasswordMinLength,
                RuleId::LockoutAttempts,
                RuleId::SessionLifetime,
                RuleId::NetworkCidr
            ]
        );
        assert_well_formed(&baseline.violations());
    }

    #[test]
    fn group_names() {
        for (name, ok) in [
            ("MSP Service Accounts", true),
            ("Service accounts (ZeroTek)", true),
            ("", false),
            (" padded", false),
            ("   ", false),
            ("tab\tinside", false),
            (&"g".repeat(255), true),
            (&"g".repeat(256), false),
        ] {
            let settings = BaselineSettings {
                service_account_group: Some(name.to_owned()),
                ..Default::default()
            };
            match settings.resolve() {
                Ok(baseline) => {
                    assert!(ok, "{name:?} accepted");
                    assert_eq!(baseline.group_name, name);
                }
                Err(violations) => {
                    assert!(!ok, "{name:?} rejected: {violations:?}");
                    assert_eq!(violations[0].path, ["service_account_group"]);
                    assert_well_formed(&violations);
                }
            }
        }
    }

    #[test]
    fn network_cidrs_are_validated_and_canonicalised() {
        let settings = BaselineSettings {
            allowed_network_cidrs: Some(vec![
                "2001:DB8::/32".into(),
                "203.0.113.0/24".into(),
                "198.51.100.7/32".into(),
            ]),
            ..Default::default()
        };
        let baseline = settings.resolve().unwrap();
        assert_eq!(
            baseline.allowed_network_cidrs,
            ["198.51.100.7/32", "203.0.113.0/24", "2001:db8::/32"]
        );
        assert_eq!(
            baseline.sign_on_policy().network_zone_cidrs,
            baseline.allowed_network_cidrs
        );

        let settings = BaselineSettings {
            allowed_network_cidrs: Some(vec![
                "203.0.113.0/24".into(),
                "203.0.113.7/24".into(),
                "0.0.0.0/0".into(),
                "203.0.113.0/24".into(),
                "203.0.113.9".into(),
            ]),
            ..Default::default()
        };
        let violations = settings.resolve().unwrap_err();
        assert_well_formed(&violations);
        let summaries: Vec<&str> = violations.iter().map(|v| v.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "allowed_network_cidrs[1] is not a valid CIDR block",
                "allowed_network_cidrs[2] is not a valid CIDR block",
                "allowed_network_cidrs[3] repeats 203.0.113.0/24",
                "allowed_network_cidrs[4] is not a valid CIDR block",
            ]
        );
        assert!(
            violations[0].detail.contains("203.0.113.0/24"),
            "names the fix"
        );
        assert!(
            violations[1]
                .detail
                .contains("leave allowed_network_cidrs unset")
        );
        assert!(violations[3].detail.contains("203.0.113.9/32"));
    }

    #[test]
    fn too_many_cidrs() {
        let cidrs: Vec<String> = (0..151)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        let violations = BaselineSettings {
            allowed_network_cidrs: Some(cidrs),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert_eq!(violations.len(), 1);
        assert!(violations[0].summary.contains("151"));
        let cidrs: Vec<String> = (0..150).map(|i| format!("10.0.{i}.0/24")).collect();
        assert!(
            BaselineSettings {
                allowed_network_cidrs: Some(cidrs),
                ..Default::default()
            }
            .resolve()
            .is_ok()
        );
    }

    #[test]
    fn complexity_classes() {
        let required = PasswordComplexity::REQUIRED;
        assert_eq!(required.missing_classes("aA1!"), Vec::<&str>::new());
        assert_eq!(
            required.missing_classes(""),
            ["lower-case letter", "upper-case letter", "digit", "symbol"]
        );
        assert_eq!(
            required.missing_classes("abc DEF 123"),
            ["symbol"],
            "a space is not a symbol"
        );
        let relaxed = PasswordComplexity {
            symbol: false,
            ..required
        };
        assert_eq!(relaxed.missing_classes("abcDEF123"), Vec::<&str>::new());
    }
}
