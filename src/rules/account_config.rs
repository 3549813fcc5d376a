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
        // Roles that were declared but all misspelt are not "empty": the spelling errors above
        // say what is wrong.
        let declared_names = self
            .admin_roles
            .known()
            .is_some_and(|names| !names.is_empty());
        if let (Some(kind), Some(declared)) = (kind, declared)
            && let Err(role_violations) = effective_roles(kind, declared.as_deref())
        {
            violations.extend(
                role_violations
                    .into_iter()
                    .filter(|violation| !(declared_names && violation.rule == RuleId::RolesEmpty)),
            );
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

/// A reason (`correction_reason`, `retire_reason`) that is set must say something: a blank one
/// would be kept in state and permit, or record, nothing.
pub fn reason_violation(attribute: &str, reason: &str) -> Option<Violation> {
    if !reason.trim().is_empty() {
        return None;
    }
    Some(Violation::new(
        attribute,
        RuleId::ReasonBlank,
        format!("{attribute} is blank"),
        format!(
            "A reason is recorded in state and shown in the plan: write why (for example a ticket number), or remove {attribute}"
        ),
    ))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "account_config_tests.rs"]
mod tests;
