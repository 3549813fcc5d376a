//! Validation of one service account's desired configuration: the kind table (SPEC section 2),
//! login, e-mail and name shapes, and a supplied password against the baseline.
//!
//! Every check runs and every violation is returned, so one `terraform validate` shows them all.

use std::collections::BTreeSet;

use super::address::{AddressProblem, check_address};
use super::baseline::{PasswordComplexity, SecuringBaseline};
use super::kind::{ExtraRoles, ServiceAccountKind};
use super::role::{AdminRole, RoleSet, render_roles};
use super::violation::{Input, RuleId, Violation, echo};

/// Attribute names of `okta_msp_service_account` that rules point at.
pub mod attr {
    pub const KIND: &str = "kind";
    pub const LOGIN: &str = "login";
    pub const EMAIL: &str = "email";
    pub const FIRST_NAME: &str = "first_name";
    pub const LAST_NAME: &str = "last_name";
    pub const ADMIN_ROLES: &str = "admin_roles";
    pub const FINALIZE: &str = "finalize";
    pub const PASSWORD_WO: &str = "password_wo";
}

/// Okta's limits on `profile.firstName` and `profile.lastName`, in characters.
pub const NAME_LENGTH: std::ops::RangeInclusive<usize> = 1..=50;

/// A service account as the configuration declares it, before any default is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountConfig {
    pub kind: Input<String>,
    pub login: Input<String>,
    pub email: Input<String>,
    pub first_name: Input<String>,
    pub last_name: Input<String>,
    /// Null means "the kind's default roles".
    pub admin_roles: Input<Vec<String>>,
    /// Null means `true`.
    pub finalize: Input<bool>,
}

/// A valid configuration with every default applied: what the account must look like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredAccount {
    pub kind: ServiceAccountKind,
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub admin_roles: RoleSet,
    pub finalize: bool,
}

/// Why a configuration could not be turned into a [`DesiredAccount`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("the configuration breaks {} rule(s)", .0.len())]
    Invalid(Vec<Violation>),
    /// Attributes Terraform does not know yet; a plan must mark what depends on them unknown.
    #[error("not known until apply: {}", .0.join(", "))]
    NotKnown(Vec<&'static str>),
}

impl AccountConfig {
    /// Every violation the known values show. Unknown values are skipped: they are checked again
    /// once Terraform knows them.
    pub fn violations(&self) -> Vec<Violation> {
        let mut violations = Vec::new();
        let kind = match self.kind.known() {
            Some(text) => match text.parse::<ServiceAccountKind>() {
                Ok(kind) => Some(kind),
                Err(error) => {
                    violations.push(Violation::new(
                        attr::KIND,
                        RuleId::UnknownKind,
                        format!("kind {} is not a service account kind", echo(&error.given)),
                        format!(
                            "The kind decides the account's admin roles; set kind to one of {}",
                            ServiceAccountKind::list()
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        if let Some(login) = self.login.known() {
            violations.extend(address_violation(attr::LOGIN, login, true));
        }
        if let Some(email) = self.email.known() {
            violations.extend(address_violation(attr::EMAIL, email, false));
        }
        for (attribute, value) in [
            (attr::FIRST_NAME, &self.first_name),
            (attr::LAST_NAME, &self.last_name),
        ] {
            if let Some(name) = value.known() {
                violations.extend(name_violation(attribute, name));
            }
        }
        let declared = match &self.admin_roles {
            Input::Known(names) => {
                let (roles, role_violations) = parse_roles(names);
                violations.extend(role_violations);
                Some(Some(roles))
            }
            Input::Null => Some(None),
            Input::Unknown => None,
        };
        if let (Some(kind), Some(declared)) = (kind, declared)
            && let Err(role_violations) = effective_roles(kind, declared.as_deref())
        {
            violations.extend(role_violations);
        }
        violations
    }

    /// The account this configuration asks for, with the kind's defaults applied.
    pub fn resolve(&self) -> Result<DesiredAccount, ResolveError> {
        let unknown: Vec<&'static str> = [
            (attr::KIND, self.kind.is_unknown()),
            (attr::LOGIN, self.login.is_unknown()),
            (attr::EMAIL, self.email.is_unknown()),
            (attr::FIRST_NAME, self.first_name.is_unknown()),
            (attr::LAST_NAME, self.last_name.is_unknown()),
            (attr::ADMIN_ROLES, self.admin_roles.is_unknown()),
            (attr::FINALIZE, self.finalize.is_unknown()),
        ]
        .into_iter()
        .filter_map(|(attribute, unknown)| unknown.then_some(attribute))
        .collect();
        if !unknown.is_empty() {
            return Err(ResolveError::NotKnown(unknown));
        }
        let mut violations = self.violations();
        for (attribute, value) in [
            (attr::KIND, &self.kind),
            (attr::LOGIN, &self.login),
            (attr::EMAIL, &self.email),
        ] {
            if value.known().is_none() {
                violations.push(Violation::new(
                    attribute,
                    RuleId::Required,
                    format!("{attribute} is required"),
                    format!(
                        "Every service account needs {attribute}; set it in the resource block"
                    ),
                ));
            }
        }
        if !violations.is_empty() {
            return Err(ResolveError::Invalid(violations));
        }
        // `violations` is empty, so every known value parses; the expects below cannot fire.
        let kind: ServiceAccountKind = self
            .kind
            .known()
            .and_then(|text| text.parse().ok())
            .expect("kind validated above");
        let declared = self.admin_roles.known().map(|names| parse_roles(names).0);
        let admin_roles =
            effective_roles(kind, declared.as_deref()).expect("roles validated above");
        let naming = kind.rule().naming;
        Ok(DesiredAccount {
            kind,
            login: self.login.known().cloned().unwrap_or_default(),
            email: self.email.known().cloned().unwrap_or_default(),
            first_name: self
                .first_name
                .known()
                .cloned()
                .unwrap_or_else(|| naming.first_name.to_owned()),
            last_name: self
                .last_name
                .known()
                .cloned()
                .unwrap_or_else(|| naming.last_name.to_owned()),
            admin_roles,
            finalize: self.finalize.known().copied().unwrap_or(true),
        })
    }
}

/// Parses declared role names. Returns the recognised, assignable roles (without duplicates)
/// and a violation for every unknown, unassignable or repeated name.
pub fn parse_roles(names: &[String]) -> (Vec<AdminRole>, Vec<Violation>) {
    let mut roles = Vec::new();
    let mut violations = Vec::new();
    let mut seen = BTreeSet::new();
    for name in names {
        match name.parse::<AdminRole>() {
            Ok(role) if !role.is_assignable() => violations.push(Violation::new(
                attr::ADMIN_ROLES,
                RuleId::RoleNotAssignable,
                format!("admin_roles contains {role}, which Okta no longer assigns"),
                format!(
                    "Okta's role assignment API no longer accepts {role}; remove it from admin_roles (valid role types are {})",
                    AdminRole::assignable_list()
                ),
            )),
            Ok(role) => {
                if seen.insert(role) {
                    roles.push(role);
                } else {
                    violations.push(Violation::new(
                        attr::ADMIN_ROLES,
                        RuleId::DuplicateRole,
                        format!("admin_roles lists {role} more than once"),
                        format!("An account holds a role once; remove the repeated {role} from admin_roles"),
                    ));
                }
            }
            Err(error) => {
                let fix = match error.suggestion {
                    Some(role) => format!("write {role} (Okta's exact spelling)"),
                    None => format!("use one of {}", AdminRole::assignable_list()),
                };
                violations.push(Violation::new(
                    attr::ADMIN_ROLES,
                    RuleId::UnknownRole,
                    format!("admin_roles contains {}, which is not an Okta admin role type", echo(&error.given)),
                    format!("Okta accepts only its standard role type names in admin_roles; {fix}"),
                ));
            }
        }
    }
    (roles, violations)
}

/// The role set an account of `kind` must hold, given the roles its configuration declares
/// (`None`: the attribute is not set). Every way the declaration breaks the kind table is a
/// violation on `admin_roles`.
pub fn effective_roles(
    kind: ServiceAccountKind,
    declared: Option<&[AdminRole]>,
) -> Result<RoleSet, Vec<Violation>> {
    let rule = kind.rule();
    let Some(declared) = declared else {
        if rule.extra_roles == ExtraRoles::Declared {
            return Err(vec![Violation::new(
                attr::ADMIN_ROLES,
                RuleId::RolesMissing,
                format!("{} account must declare admin_roles", kind.with_article()),
                format!(
                    "{} account has no default roles: {}; set admin_roles to the roles the integration needs, e.g. admin_roles = [\"READ_ONLY_ADMIN\"]",
                    kind.with_capital_article(),
                    rule.rationale
                ),
            )]);
        }
        return Ok(kind.default_roles());
    };
    let declared: RoleSet = declared.iter().copied().collect();
    let mut violations = Vec::new();
    if declared.is_empty() {
        let fix = if rule.extra_roles == ExtraRoles::Declared {
            "list the roles the integration needs".to_owned()
        } else {
            format!(
                "remove admin_roles to use the kind's default ({})",
                render_roles(&kind.default_roles())
            )
        };
        violations.push(Violation::new(
            attr::ADMIN_ROLES,
            RuleId::RolesEmpty,
            "admin_roles is empty",
            format!("A service account without an admin role cannot serve its integration; {fix}"),
        ));
        return Err(violations);
    }
    let missing: RoleSet = rule
        .required_roles
        .iter()
        .copied()
        .filter(|role| !declared.contains(role))
        .collect();
    if !missing.is_empty() {
        violations.push(Violation::new(
            attr::ADMIN_ROLES,
            RuleId::RequiredRoleMissing,
            format!(
                "{} account must hold {}",
                kind.with_article(),
                render_roles(&missing)
            ),
            format!(
                "{}; add {} to admin_roles, or remove admin_roles to use the kind's default ({})",
                capitalize(rule.rationale),
                render_roles(&missing),
                render_roles(&kind.default_roles())
            ),
        ));
    }
    for role in declared.iter().copied().filter(|role| !kind.allows(*role)) {
        let allowed_note = match rule.extra_roles {
            ExtraRoles::Nothing => format!(
                "{} account holds exactly {} and nothing else",
                kind.with_article(),
                render_roles(&kind.default_roles())
            ),
            ExtraRoles::SuperAdminOnRequest => format!(
                "{} account holds {}, plus SUPER_ADMIN only when declared",
                kind.with_article(),
                render_roles(&kind.default_roles())
            ),
            ExtraRoles::Declared => "Okta no longer assigns it".to_owned(),
        };
        violations.push(Violation::new(
            attr::ADMIN_ROLES,
            RuleId::RoleNotAllowed,
            format!("admin_roles must not contain {role} for {} account", kind.with_article()),
            format!(
                "Least privilege: {allowed_note}; remove {role} from admin_roles, or use kind = \"custom\" for an integration that needs other roles"
            ),
        ));
    }
    if violations.is_empty() {
        Ok(declared)
    } else {
        Err(violations)
    }
}

/// Checks a password the configuration supplies (`password_wo`) against the baseline. The
/// password itself never appears in a message.
pub fn password_violations(
    password: &str,
    login: Option<&str>,
    baseline: &SecuringBaseline,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    let length = password.chars().count();
    let minimum = baseline.password_min_length as usize;
    if length < minimum {
        violations.push(Violation::new(
            attr::PASSWORD_WO,
            RuleId::PasswordTooShort,
            format!("password_wo is shorter than {minimum} characters"),
            format!(
                "The service account password policy requires at least {minimum} characters; supply a longer password_wo, or omit it and the provider generates one"
            ),
        ));
    }
    let missing = PasswordComplexity::REQUIRED.missing_classes(password);
    if !missing.is_empty() {
        violations.push(Violation::new(
            attr::PASSWORD_WO,
            RuleId::PasswordComplexity,
            format!("password_wo has no {}", missing.join(", no ")),
            "The service account password policy requires a lower-case letter, an upper-case letter, a digit and a symbol; supply a password_wo that has all four, or omit it and the provider generates one",
        ));
    }
    let local = login
        .and_then(|login| login.split('@').next())
        .unwrap_or_default();
    if local.chars().count() >= 3 && password.to_lowercase().contains(&local.to_lowercase()) {
        violations.push(Violation::new(
            attr::PASSWORD_WO,
            RuleId::PasswordContainsLogin,
            "password_wo contains the login",
            "Okta's password policy excludes the username from passwords; supply a password_wo that does not contain the login, or omit it and the provider generates one",
        ));
    }
    violations
}

fn address_violation(attribute: &str, address: &str, is_login: bool) -> Option<Violation> {
    let problem = check_address(address, is_login).err()?;
    let rule = match (problem, is_login) {
        (AddressProblem::Length, true) => RuleId::LoginLength,
        (AddressProblem::Length, false) => RuleId::EmailLength,
        (_, true) => RuleId::LoginShape,
        (_, false) => RuleId::EmailShape,
    };
    let why = if is_login {
        "Okta logins are e-mail shaped"
    } else {
        "the account's e-mail is its dedicated mailbox"
    };
    Some(Violation::new(
        attribute,
        rule,
        format!("{attribute} {} {}", echo(address), problem.describe()),
        format!(
            "{}; set {attribute} to an address like svc-name@customer.example (5 to 100 characters)",
            capitalize(why)
        ),
    ))
}

fn name_violation(attribute: &str, name: &str) -> Option<Violation> {
    let length = name.chars().count();
    if !NAME_LENGTH.contains(&length) {
        return Some(Violation::new(
            attribute,
            RuleId::NameLength,
            format!(
                "{attribute} must be {} to {} characters long, not {length}",
                NAME_LENGTH.start(),
                NAME_LENGTH.end()
            ),
            format!(
                "Okta limits names to 50 characters; shorten {attribute}, or remove it to use the kind's default"
            ),
        ));
    }
    let problem = if name.trim().is_empty() {
        Some("is blank")
    } else if name.trim() != name {
        Some("starts or ends with whitespace")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    };
    problem.map(|problem| {
        Violation::new(
            attribute,
            RuleId::NameShape,
            format!("{attribute} {problem}"),
            format!("Okta shows this name in the Admin Console and System Log; write {attribute} as plain text, or remove it to use the kind's default"),
        )
    })
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::violation::assert_well_formed;
    use super::*;
    use AdminRole::*;
    use ServiceAccountKind::*;

    fn strings(roles: &[&str]) -> Vec<String> {
        roles.iter().map(|role| role.to_string()).collect()
    }

    fn valid(kind: &str) -> AccountConfig {
        AccountConfig {
            kind: Input::Known(kind.to_owned()),
            login: Input::Known("svc@acme.example".to_owned()),
            email: Input::Known("svc-mailbox@acme.example".to_owned()),
            admin_roles: if kind == "custom" {
                Input::Known(strings(&["READ_ONLY_ADMIN"]))
            } else {
                Input::Null
            },
            ..AccountConfig::default()
        }
    }

    fn rules_of(violations: &[Violation]) -> Vec<RuleId> {
        violations.iter().map(|violation| violation.rule).collect()
    }

    /// Every subset of the assignable roles would be 4096 sets per kind; every set of up to three
    /// roles covers every rule of the table (required, extra, forbidden, opt-in) in each kind.
    fn role_sets_up_to_three() -> Vec<Vec<AdminRole>> {
        let roles: Vec<AdminRole> = AdminRole::assignable().collect();
        let mut sets = vec![Vec::new()];
        for (i, a) in roles.iter().enumerate() {
            sets.push(vec![*a]);
            for (j, b) in roles.iter().enumerate().skip(i + 1) {
                sets.push(vec![*a, *b]);
                for c in roles.iter().skip(j + 1) {
                    sets.push(vec![*a, *b, *c]);
                }
            }
        }
        sets
    }

    /// The kind table restated independently of `kind.rs`, as SPEC section 2 words it.
    fn spec_allows(kind: ServiceAccountKind, declared: &RoleSet) -> bool {
        let set = |roles: &[AdminRole]| roles.iter().copied().collect::<RoleSet>();
        match kind {
            MspIntegration | DeepLink | AdAgent => *declared == set(&[SuperAdmin]),
            Radius => {
                *declared == set(&[ReadOnlyAdmin, AppAdmin])
                    || *declared == set(&[ReadOnlyAdmin, AppAdmin, SuperAdmin])
            }
            Custom => !declared.is_empty(),
        }
    }

    #[test]
    fn every_kind_against_every_role_set_of_up_to_three_roles() {
        let sets = role_sets_up_to_three();
        assert_eq!(sets.len(), 1 + 12 + 66 + 220);
        for kind in ServiceAccountKind::ALL {
            for declared in &sets {
                let as_set: RoleSet = declared.iter().copied().collect();
                let result = effective_roles(kind, Some(declared));
                match (&result, spec_allows(kind, &as_set)) {
                    (Ok(roles), true) => assert_eq!(*roles, as_set),
                    (Err(violations), false) => {
                        assert!(!violations.is_empty());
                        assert_well_formed(violations);
                        for violation in violations {
                            assert_eq!(violation.path, ["admin_roles"]);
                        }
                    }
                    (result, expected) => {
                        panic!("{kind} with {declared:?}: got {result:?}, spec allows: {expected}")
                    }
                }
            }
        }
    }

    #[test]
    fn missing_and_forbidden_roles_are_each_reported() {
        let violations =
            effective_roles(Radius, Some(&[ReadOnlyAdmin, UserAdmin, OrgAdmin])).unwrap_err();
        assert_eq!(
            rules_of(&violations),
            [
                RuleId::RequiredRoleMissing,
                RuleId::RoleNotAllowed,
                RuleId::RoleNotAllowed
            ]
        );
        assert!(
            violations[0].summary.contains("APP_ADMIN"),
            "{:?}",
            violations[0]
        );
        assert!(!violations[0].summary.contains("READ_ONLY_ADMIN"));
        assert!(violations[1].summary.contains("ORG_ADMIN"));
        assert!(violations[2].summary.contains("USER_ADMIN"));
        assert!(
            violations[1].detail.contains("custom"),
            "the fix names the way out"
        );
    }

    #[test]
    fn defaults_apply_when_admin_roles_is_null() {
        assert_eq!(
            effective_roles(MspIntegration, None),
            Ok([SuperAdmin].into())
        );
        assert_eq!(effective_roles(DeepLink, None), Ok([SuperAdmin].into()));
        assert_eq!(effective_roles(AdAgent, None), Ok([SuperAdmin].into()));
        assert_eq!(
            effective_roles(Radius, None),
            Ok([ReadOnlyAdmin, AppAdmin].into())
        );
        let custom = effective_roles(Custom, None).unwrap_err();
        assert_eq!(rules_of(&custom), [RuleId::RolesMissing]);
        assert_well_formed(&custom);
    }

    #[test]
    fn radius_gets_super_admin_only_when_declared() {
        assert!(!effective_roles(Radius, None).unwrap().contains(&SuperAdmin));
        let declared = effective_roles(Radius, Some(&[SuperAdmin, ReadOnlyAdmin, AppAdmin]));
        assert_eq!(declared, Ok([SuperAdmin, ReadOnlyAdmin, AppAdmin].into()));
        // Super admin alone still lacks the least-privilege pair the table requires.
        let alone = effective_roles(Radius, Some(&[SuperAdmin])).unwrap_err();
        assert_eq!(rules_of(&alone), [RuleId::RequiredRoleMissing]);
    }

    #[test]
    fn custom_may_declare_super_admin_explicitly() {
        assert_eq!(
            effective_roles(Custom, Some(&[SuperAdmin])),
            Ok([SuperAdmin].into())
        );
        assert_eq!(
            effective_roles(Custom, Some(&[])).unwrap_err()[0].rule,
            RuleId::RolesEmpty
        );
    }

    #[test]
    fn empty_roles_on_a_defaulted_kind_point_to_the_default() {
        let violations = effective_roles(AdAgent, Some(&[])).unwrap_err();
        assert_eq!(rules_of(&violations), [RuleId::RolesEmpty]);
        assert!(violations[0].detail.contains("SUPER_ADMIN"));
    }

    #[test]
    fn role_names_are_parsed_with_every_problem_reported() {
        let (roles, violations) = parse_roles(&strings(&[
            "APP_ADMIN",
            "app_admin",
            "APP_ADMIN",
            "MOBILE_ADMIN",
            "BOGUS",
        ]));
        assert_eq!(roles, [AppAdmin]);
        assert_eq!(
            rules_of(&violations),
            [
                RuleId::UnknownRole,
                RuleId::DuplicateRole,
                RuleId::RoleNotAssignable,
                RuleId::UnknownRole
            ]
        );
        assert!(violations[0].detail.contains("write APP_ADMIN"));
        assert!(
            violations[3].detail.contains("SUPER_ADMIN"),
            "lists the valid ones"
        );
        assert_well_formed(&violations);
    }

    #[test]
    fn a_valid_configuration_of_every_kind_has_no_violations_and_resolves_with_defaults() {
        for kind in ServiceAccountKind::ALL {
            let config = valid(kind.as_str());
            assert_eq!(config.violations(), [], "{kind}");
            let desired = config.resolve().unwrap();
            assert_eq!(desired.kind, kind);
            assert_eq!(desired.first_name, kind.rule().naming.first_name);
            assert_eq!(desired.last_name, "Service Account");
            assert!(desired.finalize);
            if kind != Custom {
                assert_eq!(desired.admin_roles, kind.default_roles());
            } else {
                assert_eq!(desired.admin_roles, [ReadOnlyAdmin].into());
            }
        }
    }

    #[test]
    fn all_violations_are_returned_at_once() {
        let config = AccountConfig {
            kind: Input::Known("radius".into()),
            login: Input::Known("oktaradius".into()),
            email: Input::Known("not an email".into()),
            first_name: Input::Known(" ".into()),
            last_name: Input::Known("x".repeat(51)),
            admin_roles: Input::Known(strings(&["READ_ONLY_ADMIN", "ORG_ADMIN", "NOPE"])),
            finalize: Input::Known(false),
        };
        let violations = config.violations();
        assert_well_formed(&violations);
        let mut found: Vec<(String, RuleId)> = violations
            .iter()
            .map(|violation| (violation.path.join("."), violation.rule))
            .collect();
        found.sort();
        let mut expected = vec![
            ("login".to_owned(), RuleId::LoginShape),
            ("email".to_owned(), RuleId::EmailShape),
            ("first_name".to_owned(), RuleId::NameShape),
            ("last_name".to_owned(), RuleId::NameLength),
            ("admin_roles".to_owned(), RuleId::UnknownRole),
            ("admin_roles".to_owned(), RuleId::RequiredRoleMissing),
            ("admin_roles".to_owned(), RuleId::RoleNotAllowed),
        ];
        expected.sort();
        assert_eq!(found, expected);
        assert!(matches!(config.resolve(), Err(ResolveError::Invalid(v)) if v.len() == 7));
    }

    #[test]
    fn unknown_kind_is_reported_and_role_rules_wait_for_it() {
        let config = AccountConfig {
            kind: Input::Known("radius_agent".into()),
            admin_roles: Input::Known(strings(&["ORG_ADMIN"])),
            ..valid("radius")
        };
        let violations = config.violations();
        assert_eq!(rules_of(&violations), [RuleId::UnknownKind]);
        assert!(violations[0].detail.contains("`radius`"));
        assert_well_formed(&violations);
    }

    #[test]
    fn unknown_values_are_skipped_by_validation_and_block_resolution() {
        let config = AccountConfig {
            kind: Input::Known("custom".into()),
            login: Input::Unknown,
            email: Input::Unknown,
            admin_roles: Input::Unknown,
            ..AccountConfig::default()
        };
        // Custom without known roles would be an error if unknown were treated as null.
        assert_eq!(config.violations(), []);
        assert_eq!(
            config.resolve(),
            Err(ResolveError::NotKnown(vec![
                "login",
                "email",
                "admin_roles"
            ]))
        );
    }

    #[test]
    fn null_required_attributes_fail_resolution() {
        let config = AccountConfig {
            login: Input::Null,
            ..valid("ad_agent")
        };
        assert_eq!(config.violations(), []);
        let Err(ResolveError::Invalid(violations)) = config.resolve() else {
            panic!("resolve must fail")
        };
        assert_eq!(violations[0].path, ["login"]);
        assert_well_formed(&violations);
    }

    #[test]
    fn login_and_email_rules() {
        let cases = [
            ("login", "ab@c", RuleId::LoginLength),
            ("login", "svc", RuleId::LoginLength),
            ("login", "svc-name", RuleId::LoginShape),
            ("login", "a/b@acme.example", RuleId::LoginShape),
            ("email", "ab@c", RuleId::EmailLength),
            ("email", "svc@localhost", RuleId::EmailShape),
        ];
        for (attribute, value, rule) in cases {
            let mut config = valid("ad_agent");
            match attribute {
                "login" => config.login = Input::Known(value.into()),
                _ => config.email = Input::Known(value.into()),
            }
            let violations = config.violations();
            assert_eq!(rules_of(&violations), [rule], "{attribute} = {value:?}");
            assert_eq!(violations[0].path, [attribute]);
            assert!(violations[0].summary.contains(value));
            assert_well_formed(&violations);
        }
    }

    #[test]
    fn name_rules() {
        let cases = [
            ("", Some(RuleId::NameLength)),
            ("\t", Some(RuleId::NameShape)),
            (" Radius", Some(RuleId::NameShape)),
            ("a\u{7}b", Some(RuleId::NameShape)),
            ("Radius Agent", None),
        ];
        for (name, expected) in cases {
            let config = AccountConfig {
                first_name: Input::Known(name.into()),
                ..valid("radius")
            };
            assert_eq!(
                rules_of(&config.violations()),
                expected.into_iter().collect::<Vec<_>>(),
                "{name:?}"
            );
        }
        let fifty = AccountConfig {
            last_name: Input::Known("é".repeat(50)),
            ..valid("radius")
        };
        assert_eq!(fifty.violations(), [], "limits count characters, not bytes");
    }

    #[test]
    fn supplied_passwords_are_checked_without_echoing_them() {
        let baseline = SecuringBaseline::default();
        let good = "Xq7!vR2#mK9$pL4&nW6*zB";
        assert_eq!(
            password_violations(good, Some("svc@acme.example"), &baseline),
            []
        );
        let cases: [(&str, &[RuleId]); 4] = [
            ("Short1!a", &[RuleId::PasswordTooShort]),
            (
                "alllowercaseletters-and-long",
                &[RuleId::PasswordComplexity],
            ),
            (
                "Xq7!vR2#mK9$pL4&nW6*zB-SVC",
                &[RuleId::PasswordContainsLogin],
            ),
            (
                "abcde",
                &[RuleId::PasswordTooShort, RuleId::PasswordComplexity],
            ),
        ];
        for (password, expected) in cases {
            let violations = password_violations(password, Some("svc@acme.example"), &baseline);
            assert_eq!(rules_of(&violations), expected, "{password}");
            assert_well_formed(&violations);
            for violation in &violations {
                assert!(
                    !violation.summary.contains(password) && !violation.detail.contains(password)
                );
            }
        }
        let complexity = password_violations("alllowercaseletters-and-long", None, &baseline);
        assert_eq!(
            complexity[0].summary,
            "password_wo has no upper-case letter, no digit"
        );
    }
}
