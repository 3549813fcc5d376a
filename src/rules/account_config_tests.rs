//! Unit tests of `account_config.rs`, kept beside it so that the module itself stays readable.

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
            assert!(!violation.summary.contains(password) && !violation.detail.contains(password));
        }
    }
    let complexity = password_violations("alllowercaseletters-and-long", None, &baseline);
    assert_eq!(
        complexity[0].summary,
        "password_wo has no upper-case letter, no digit"
    );
}
