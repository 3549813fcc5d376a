//! Table-driven tests of the pure conversions: observation of Okta's objects (including odd and
//! incomplete ones), and repair of drift back to objects that observe as compliant.
//!
//! Size: over 800 lines on purpose: one table per conversion of `convert/`, side by side, so that an
//! Okta quirk found later is added as a row next to the cases it resembles.

use serde_json::{Value, json};

use super::convert::*;
use super::*;
use crate::okta::{Engine, NetworkZone, Policy, PolicyRule};
use crate::rules::baseline::{Recovery, SecuringBaseline};
use crate::rules::compliance::ObservedPolicy;

const GROUP: &str = "00gsvc";
const ZONE: &str = "nzosvc";

fn baseline(cidrs: &[&str]) -> SecuringBaseline {
    SecuringBaseline {
        allowed_network_cidrs: cidrs.iter().map(|cidr| (*cidr).to_owned()).collect(),
        ..SecuringBaseline::default()
    }
}

fn names() -> BaselineNames {
    BaselineNames::for_group("MSP Service Accounts")
}

fn policy(value: Value) -> Policy {
    serde_json::from_value(value).expect("a policy")
}

fn rule(value: Value) -> PolicyRule {
    serde_json::from_value(value).expect("a rule")
}

/// What Okta answers for an object the provider sent: an id, and active.
fn as_created<T: serde::Serialize + serde::de::DeserializeOwned>(object: &T, id: &str) -> T {
    let mut value = serde_json::to_value(object).unwrap();
    value["id"] = json!(id);
    value["status"] = json!("ACTIVE");
    serde_json::from_value(value).unwrap()
}

/// Applies `(JSON pointer, value)` edits; `Value::Null` at a pointer whose parent is an object
/// removes the field.
fn edited<T: serde::Serialize + serde::de::DeserializeOwned>(
    object: &T,
    edits: &[(&str, Value)],
) -> T {
    let mut value = serde_json::to_value(object).unwrap();
    for (pointer, new) in edits {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = value
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("{pointer}"));
        match (parent, new) {
            (Value::Object(fields), Value::Null) => {
                fields.remove(key);
            }
            (Value::Object(fields), new) => {
                fields.insert(key.to_owned(), new.clone());
            }
            (Value::Array(items), new) => items[key.parse::<usize>().unwrap()] = new.clone(),
            _ => panic!("{pointer}"),
        }
    }
    serde_json::from_value(value).unwrap()
}

fn default_password_policy() -> Policy {
    policy(json!({
        "id": "00pdefault", "type": "PASSWORD", "name": "Default Policy", "status": "ACTIVE",
        "priority": 1, "system": true,
        "conditions": {"people": {"groups": {"include": ["00geveryone"]}}},
        "settings": {"password": {"complexity": {"minLength": 8}, "age": {"maxAgeDays": 90},
                                  "lockout": {"maxAttempts": 10}},
                     "recovery": {"factors": {"okta_email": {"status": "ACTIVE"}}}}
    }))
}

/// The org after a first `ensure_baseline`: the default policy, then ours as Okta returns it.
fn created_password(baseline: &SecuringBaseline) -> (Vec<Policy>, Policy, Vec<PolicyRule>) {
    let others = vec![default_password_policy()];
    let ours = desired_password_policy(None, &others, baseline, &names(), GROUP, Engine::Classic);
    let mut ours = as_created(&ours, "00psvc");
    ours.system = Some(false);
    // Okta renumbers: ours first, another group's policy, the default last.
    let contractors = policy(json!({
        "id": "00pcontractors", "type": "PASSWORD", "name": "Contractors", "status": "ACTIVE",
        "priority": 2, "system": false,
        "conditions": {"people": {"groups": {"include": ["00gcontractors"]}}}
    }));
    let policies = vec![
        ours.clone(),
        contractors,
        edited(&others[0], &[("/priority", json!(3))]),
    ];
    let rule = as_created(&desired_password_rule(None, &[], &names()), "0prsvc");
    (policies, ours, vec![rule])
}

fn created_sign_on(
    baseline: &SecuringBaseline,
) -> (Vec<Policy>, Policy, Vec<PolicyRule>, Vec<NetworkZone>) {
    let default = policy(json!({
        "id": "00pdefso", "type": "OKTA_SIGN_ON", "name": "Default Policy", "status": "ACTIVE",
        "priority": 1, "system": true,
        "conditions": {"people": {"groups": {"include": ["00geveryone"]}}}
    }));
    let ours = desired_sign_on_policy(None, std::slice::from_ref(&default), &names(), GROUP);
    let ours = as_created(&ours, "00psvcso");
    let policies = vec![ours.clone(), edited(&default, &[("/priority", json!(2))])];
    let zone_id = (!baseline.allowed_network_cidrs.is_empty()).then_some(ZONE);
    let session = desired_session_rule(None, &[], baseline, &names(), zone_id);
    let mut rules = vec![as_created(&session, "0prsession")];
    if zone_id.is_some() {
        let deny = desired_deny_rule(None, &[], None, &names());
        rules.push(as_created(&deny, "0prdeny"));
    }
    let zones = vec![NetworkZone {
        id: Some(ZONE.to_owned()),
        zone_type: "IP".to_owned(),
        name: names().zone,
        status: Some("ACTIVE".to_owned()),
        usage: Some("POLICY".to_owned()),
        gateways: Some(
            baseline
                .allowed_network_cidrs
                .iter()
                .map(crate::okta::ZoneAddress::cidr)
                .collect(),
        ),
        ..NetworkZone::default()
    }];
    (policies, ours, rules, zones)
}

fn compliant<T>(settings: T) -> ObservedPolicy<T> {
    ObservedPolicy::Present {
        active: true,
        ranked_first: true,
        targets_group_only: true,
        settings,
    }
}

#[test]
fn names_derive_from_the_group() {
    let names = BaselineNames::for_group("Svc");
    assert_eq!(names.password_policy, "Svc - password");
    assert_eq!(names.password_rule, "Svc - no self-service recovery");
    assert_eq!(names.sign_on_policy, "Svc - sign-on");
    assert_eq!(names.session_rule, "Svc - session");
    assert_eq!(names.deny_rule, "Svc - deny outside allowed networks");
    assert_eq!(names.zone, "Svc - network zone");
}

#[test]
fn ranking_ignores_the_system_default_and_inactive_policies() {
    let ours = |priority: Value| {
        policy(json!({"id": "ours", "type": "PASSWORD", "status": "ACTIVE", "priority": priority}))
    };
    let other = |priority: u32, status: &str, system: bool| {
        policy(
            json!({"id": format!("p{priority}{status}{system}"), "type": "PASSWORD",
                      "status": status, "priority": priority, "system": system}),
        )
    };
    let cases: Vec<(&str, Policy, Vec<Policy>, bool, u32)> = vec![
        ("alone", ours(json!(1)), vec![], true, 1),
        (
            "before the default",
            ours(json!(1)),
            vec![other(2, "ACTIVE", true)],
            true,
            1,
        ),
        (
            "the default numbered first is still evaluated last",
            ours(json!(2)),
            vec![other(1, "ACTIVE", true)],
            true,
            1,
        ),
        (
            "behind an active policy",
            ours(json!(2)),
            vec![other(1, "ACTIVE", false)],
            false,
            1,
        ),
        (
            "behind an inactive policy",
            ours(json!(2)),
            vec![other(1, "INACTIVE", false)],
            true,
            1,
        ),
        (
            "a tie counts against it",
            ours(json!(1)),
            vec![other(1, "ACTIVE", false)],
            false,
            1,
        ),
        (
            "no priority",
            ours(Value::Null),
            vec![other(3, "ACTIVE", false)],
            false,
            1,
        ),
        (
            "numbered from 0",
            ours(json!(1)),
            vec![other(0, "ACTIVE", false)],
            false,
            0,
        ),
    ];
    for (case, ours, others, first, slot) in cases {
        let mut all = others.clone();
        all.push(ours.clone());
        assert_eq!(is_ranked_first(&all, &ours), first, "{case}");
        assert_eq!(first_slot(&all), slot, "{case}");
    }
}

#[test]
fn policies_are_found_by_name_then_adopted_by_target() {
    let p = |id: &str, name: &str, include: &[&str], system: bool, priority: u32| {
        policy(
            json!({"id": id, "type": "PASSWORD", "name": name, "status": "ACTIVE",
                      "system": system, "priority": priority,
                      "conditions": {"people": {"groups": {"include": include}}}}),
        )
    };
    let name = "MSP Service Accounts - password";
    let cases: Vec<(&str, Vec<Policy>, Option<&str>)> = vec![
        (
            "none",
            vec![p("d", "Default Policy", &["00gall"], true, 1)],
            None,
        ),
        (
            "by name",
            vec![
                p("a", name, &["00gold"], false, 3),
                p("b", "Other", &[GROUP], false, 1),
            ],
            Some("a"),
        ),
        (
            "adopted",
            vec![p("b", "Hand made", &[GROUP], false, 2)],
            Some("b"),
        ),
        (
            "not when it targets more",
            vec![p("b", "Broad", &[GROUP, "00gx"], false, 2)],
            None,
        ),
        (
            "never the system policy",
            vec![p("d", name, &[GROUP], true, 1)],
            None,
        ),
    ];
    for (case, policies, expected) in cases {
        let found = find_policy(&policies, name, GROUP).and_then(|policy| policy.id.as_deref());
        assert_eq!(found, expected, "{case}");
    }
}

#[test]
fn targeting_only_the_group() {
    let cases: Vec<(&str, Value, bool)> = vec![
        (
            "exactly",
            json!({"people": {"groups": {"include": [GROUP]}}}),
            true,
        ),
        (
            "empty lists echoed",
            json!({"people": {"groups": {"include": [GROUP], "exclude": []}, "users": {"exclude": []}}}),
            true,
        ),
        (
            "another group too",
            json!({"people": {"groups": {"include": [GROUP, "00gx"]}}}),
            false,
        ),
        (
            "another group",
            json!({"people": {"groups": {"include": ["00gx"]}}}),
            false,
        ),
        (
            "a group excluded",
            json!({"people": {"groups": {"include": [GROUP], "exclude": ["00gx"]}}}),
            false,
        ),
        (
            "a user included",
            json!({"people": {"groups": {"include": [GROUP]}, "users": {"include": ["00u1"]}}}),
            false,
        ),
        (
            "a user excluded",
            json!({"people": {"groups": {"include": [GROUP]}, "users": {"exclude": ["00u1"]}}}),
            false,
        ),
        (
            "no people",
            json!({"authProvider": {"provider": "OKTA"}}),
            false,
        ),
        ("nothing", Value::Null, false),
    ];
    for (case, conditions, expected) in cases {
        let conditions: Option<crate::okta::Conditions> =
            serde_json::from_value(conditions).unwrap();
        assert_eq!(
            targets_group_only(conditions.as_ref(), GROUP),
            expected,
            "{case}"
        );
    }
}

#[test]
fn created_password_policy_observes_as_the_baseline() {
    let baseline = baseline(&[]);
    let (policies, ours, rules) = created_password(&baseline);
    let body = serde_json::to_value(&ours).unwrap();
    assert_eq!(body["type"], "PASSWORD");
    assert_eq!(body["name"], "MSP Service Accounts - password");
    assert_eq!(
        body["conditions"]["people"]["groups"]["include"],
        json!([GROUP])
    );
    assert_eq!(body["conditions"]["authProvider"]["provider"], "OKTA");
    assert_eq!(
        body["settings"]["password"],
        json!({"complexity": {"minLength": 20, "minLowerCase": 1, "minUpperCase": 1,
                              "minNumber": 1, "minSymbol": 1, "excludeUsername": true},
               "age": {"maxAgeDays": 0}, "lockout": {"maxAttempts": 5}})
    );
    for factor in ["recovery_question", "okta_email", "okta_sms", "okta_call"] {
        assert_eq!(
            body["settings"]["recovery"]["factors"][factor]["status"],
            "INACTIVE"
        );
    }
    let rule = serde_json::to_value(&rules[0]).unwrap();
    assert_eq!(
        rule["actions"],
        json!({"passwordChange": {"access": "ALLOW"},
               "selfServicePasswordReset": {"access": "DENY"},
               "selfServiceUnlock": {"access": "DENY"}})
    );
    assert_eq!(
        rule["conditions"],
        json!({"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"}})
    );
    assert_eq!(rule["priority"], 1);

    assert_eq!(
        observe_password_policy(&policies, Some(&ours), &rules, GROUP, Engine::Classic),
        compliant(baseline.password_policy())
    );
    // Compliant objects need no write.
    assert_eq!(
        desired_password_policy(
            Some(&ours),
            &policies,
            &baseline,
            &names(),
            GROUP,
            Engine::Classic
        ),
        ours
    );
    assert_eq!(
        desired_password_rule(Some(&rules[0]), &rules, &names()),
        rules[0]
    );
    assert_eq!(
        observe_password_policy(&policies, None, &[], GROUP, Engine::Classic),
        ObservedPolicy::Missing
    );
}

/// One drifted (or odd) password policy or rule.
struct PasswordDrift {
    case: &'static str,
    policy: Vec<(&'static str, Value)>,
    rules: Option<Vec<Value>>,
    /// What observation must report.
    expect: fn(&mut ObservedPolicy<PasswordPolicySettings>),
}

fn settings_of(
    observed: &mut ObservedPolicy<PasswordPolicySettings>,
) -> &mut PasswordPolicySettings {
    match observed {
        ObservedPolicy::Present { settings, .. } => settings,
        ObservedPolicy::Missing => panic!("missing"),
    }
}

#[test]
fn password_drift_is_observed_and_repaired() {
    let open_rule = json!({"id": "0prhand", "type": "PASSWORD", "name": "Hand made",
        "status": "ACTIVE", "priority": 1,
        "conditions": {"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"}},
        "actions": {"passwordChange": {"access": "ALLOW"},
                    "selfServicePasswordReset": {"access": "ALLOW",
                        "requirement": {"primary": {"methods": ["email"]}, "stepUp": {"required": false}}},
                    "selfServiceUnlock": {"access": "ALLOW"}}});
    let cases = vec![
        PasswordDrift {
            case: "shorter minimum",
            policy: vec![("/settings/password/complexity/minLength", json!(8))],
            rules: None,
            expect: |o| settings_of(o).min_length = 8,
        },
        PasswordDrift {
            case: "minLength missing",
            policy: vec![("/settings/password/complexity/minLength", Value::Null)],
            rules: None,
            expect: |o| settings_of(o).min_length = 0,
        },
        PasswordDrift {
            case: "no symbol, minNumber null",
            policy: vec![
                ("/settings/password/complexity/minSymbol", json!(0)),
                ("/settings/password/complexity/minNumber", Value::Null),
            ],
            rules: None,
            expect: |o| {
                settings_of(o).complexity.symbol = false;
                settings_of(o).complexity.number = false;
            },
        },
        PasswordDrift {
            case: "username allowed",
            policy: vec![(
                "/settings/password/complexity/excludeUsername",
                json!(false),
            )],
            rules: None,
            expect: |o| settings_of(o).complexity.exclude_username = false,
        },
        PasswordDrift {
            case: "expiry",
            policy: vec![("/settings/password/age/maxAgeDays", json!(90))],
            rules: None,
            expect: |o| settings_of(o).max_age_days = 90,
        },
        PasswordDrift {
            case: "age missing",
            policy: vec![("/settings/password/age", Value::Null)],
            rules: None,
            expect: |o| settings_of(o).max_age_days = UNKNOWN_MAX_AGE_DAYS,
        },
        PasswordDrift {
            case: "no lockout",
            policy: vec![("/settings/password/lockout/maxAttempts", json!(0))],
            rules: None,
            expect: |o| settings_of(o).lockout_attempts = 0,
        },
        PasswordDrift {
            case: "every password setting missing",
            policy: vec![("/settings/password", Value::Null)],
            rules: None,
            expect: |o| {
                let s = settings_of(o);
                s.min_length = 0;
                s.complexity = crate::rules::baseline::PasswordComplexity {
                    lower_case: false,
                    upper_case: false,
                    number: false,
                    symbol: false,
                    exclude_username: false,
                };
                s.max_age_days = UNKNOWN_MAX_AGE_DAYS;
                s.lockout_attempts = 0;
            },
        },
        PasswordDrift {
            case: "SMS and question recovery on, with properties",
            policy: vec![
                (
                    "/settings/recovery/factors/okta_sms",
                    json!({"status": "ACTIVE"}),
                ),
                (
                    "/settings/recovery/factors/recovery_question",
                    json!({"status": "ACTIVE", "properties": {"complexity": {"minLength": 4}}}),
                ),
            ],
            rules: None,
            expect: |o| {
                settings_of(o).recovery.sms = true;
                settings_of(o).recovery.question = true;
            },
        },
        PasswordDrift {
            case: "an unknown factor status",
            policy: vec![(
                "/settings/recovery/factors/okta_email",
                json!({"status": "PENDING"}),
            )],
            rules: None,
            expect: |o| settings_of(o).recovery.email = true,
        },
        PasswordDrift {
            case: "no recovery settings",
            policy: vec![("/settings/recovery", Value::Null)],
            rules: None,
            expect: |o| {
                settings_of(o).recovery = Recovery {
                    email: true,
                    sms: true,
                    voice_call: true,
                    question: true,
                    self_service_unlock: false,
                }
            },
        },
        PasswordDrift {
            case: "inactive, shadowed, broader",
            policy: vec![
                ("/status", json!("INACTIVE")),
                ("/priority", json!(3)),
                (
                    "/conditions/people/groups/include",
                    json!([GROUP, "00gother"]),
                ),
            ],
            rules: None,
            expect: |o| {
                if let ObservedPolicy::Present {
                    active,
                    ranked_first,
                    targets_group_only,
                    ..
                } = o
                {
                    *active = false;
                    *ranked_first = false;
                    *targets_group_only = false;
                }
            },
        },
        PasswordDrift {
            case: "no rules: members fall through to the next policy",
            policy: vec![],
            rules: Some(vec![]),
            expect: |o| {
                settings_of(o).recovery = Recovery {
                    email: true,
                    sms: true,
                    voice_call: true,
                    question: false,
                    self_service_unlock: true,
                }
            },
        },
        PasswordDrift {
            case: "a rule before ours allows e-mail reset and unlock",
            policy: vec![],
            rules: Some(vec![open_rule.clone()]),
            expect: |o| {
                settings_of(o).recovery.email = true;
                settings_of(o).recovery.self_service_unlock = true;
            },
        },
        PasswordDrift {
            case: "ours narrowed to a zone, nothing catches the rest",
            policy: vec![],
            rules: Some(vec![json!({"id": "0prsvc", "type": "PASSWORD",
                "name": "MSP Service Accounts - no self-service recovery", "status": "ACTIVE", "priority": 1,
                "conditions": {"network": {"connection": "ZONE", "include": ["nzo1"]}},
                "actions": {"selfServicePasswordReset": {"access": "DENY"}, "selfServiceUnlock": {"access": "DENY"}}})]),
            expect: |o| {
                settings_of(o).recovery = Recovery {
                    email: true,
                    sms: true,
                    voice_call: true,
                    question: false,
                    self_service_unlock: true,
                }
            },
        },
        PasswordDrift {
            case: "ours allows reset without naming methods, unlock access unknown",
            policy: vec![],
            rules: Some(vec![json!({"id": "0prsvc", "type": "PASSWORD",
                "name": "MSP Service Accounts - no self-service recovery", "status": "ACTIVE", "priority": 1,
                "conditions": {"riskScore": {"level": "ANY"}},
                "actions": {"selfServicePasswordReset": {"access": "ALLOW"}, "selfServiceUnlock": {"access": "MAYBE"}}})]),
            expect: |o| {
                settings_of(o).recovery = Recovery {
                    email: true,
                    sms: true,
                    voice_call: true,
                    question: false,
                    self_service_unlock: true,
                }
            },
        },
        PasswordDrift {
            case: "ours without actions",
            policy: vec![],
            rules: Some(vec![json!({"id": "0prsvc", "type": "PASSWORD",
                "name": "MSP Service Accounts - no self-service recovery", "status": "ACTIVE", "priority": 1})]),
            expect: |o| {
                settings_of(o).recovery = Recovery {
                    email: true,
                    sms: true,
                    voice_call: true,
                    question: false,
                    self_service_unlock: true,
                }
            },
        },
    ];

    let baseline = baseline(&[]);
    let (policies, ours, rules) = created_password(&baseline);
    for case in cases {
        let drifted = edited(&ours, &case.policy);
        let policies: Vec<Policy> = policies
            .iter()
            .map(|p| {
                if p.id == ours.id {
                    drifted.clone()
                } else {
                    p.clone()
                }
            })
            .collect();
        let drifted_rules: Vec<PolicyRule> = match &case.rules {
            None => rules.clone(),
            Some(values) => values.iter().cloned().map(rule).collect(),
        };
        let observed = observe_password_policy(
            &policies,
            Some(&drifted),
            &drifted_rules,
            GROUP,
            Engine::Classic,
        );
        let mut expected = compliant(baseline.password_policy());
        (case.expect)(&mut expected);
        assert_eq!(observed, expected, "{}: observed", case.case);
        assert_ne!(
            observed,
            compliant(baseline.password_policy()),
            "{}: is drift",
            case.case
        );

        // The repair: replace the policy, then fix (or add) our rule.
        let repaired = desired_password_policy(
            Some(&drifted),
            &policies,
            &baseline,
            &names(),
            GROUP,
            Engine::Classic,
        );
        let policies_after: Vec<Policy> = policies
            .iter()
            .map(|p| {
                if p.id == ours.id {
                    repaired.clone()
                } else if repaired.priority == Some(1) && !p.is_system() {
                    // Okta renumbers the rest behind a policy moved to the top.
                    edited(p, &[("/priority", json!(p.priority.unwrap_or(0) + 1))])
                } else {
                    p.clone()
                }
            })
            .collect();
        let existing_rule = find_rule(&drifted_rules, &names().password_rule);
        let repaired_rule = desired_password_rule(existing_rule, &drifted_rules, &names());
        let mut rules_after: Vec<PolicyRule> = drifted_rules
            .iter()
            .filter(|r| r.id != repaired_rule.id)
            .map(|r| edited(r, &[("/priority", json!(r.priority.unwrap_or(0) + 1))]))
            .collect();
        rules_after.push(as_created(
            &repaired_rule,
            repaired_rule.id.as_deref().unwrap_or("0prnew"),
        ));
        assert_eq!(
            observe_password_policy(
                &policies_after,
                Some(&repaired),
                &rules_after,
                GROUP,
                Engine::Classic
            ),
            compliant(baseline.password_policy()),
            "{}: repaired",
            case.case
        );
        // Unknown fields survive the replacement.
        if let Some(properties) = serde_json::to_value(&drifted)
            .unwrap()
            .pointer("/settings/recovery/factors/recovery_question/properties")
        {
            assert_eq!(
                serde_json::to_value(&repaired)
                    .unwrap()
                    .pointer("/settings/recovery/factors/recovery_question/properties"),
                Some(properties),
                "{}",
                case.case
            );
        }
    }
}

#[test]
fn unknown_fields_survive_and_compliant_objects_are_left_alone() {
    let baseline = baseline(&[]);
    let (policies, ours, rules) = created_password(&baseline);
    let decorated = edited(
        &ours,
        &[
            ("/_links", json!({"self": {"href": "x"}})),
            (
                "/settings/password/complexity/dictionary",
                json!({"common": {"exclude": true}}),
            ),
            (
                "/settings/delegation",
                json!({"options": {"skipUnlock": false}}),
            ),
            ("/conditions/people/users", json!({"exclude": []})),
            ("/settings/password/complexity/minUpperCase", json!(2)),
        ],
    );
    assert_eq!(
        desired_password_policy(
            Some(&decorated),
            &policies,
            &baseline,
            &names(),
            GROUP,
            Engine::Classic
        ),
        decorated,
        "nothing to write"
    );
    let decorated_rule = edited(
        &rules[0],
        &[
            ("/conditions/riskScore", json!({"level": "ANY"})),
            ("/actions/passwordChange", json!({"access": "DENY"})),
            ("/created", json!("2024-04-25T17:35:02.000Z")),
        ],
    );
    assert_eq!(
        desired_password_rule(Some(&decorated_rule), &rules, &names()),
        decorated_rule
    );

    // A repair keeps them.
    let drifted = edited(
        &decorated,
        &[("/settings/password/age/maxAgeDays", json!(60))],
    );
    let repaired = serde_json::to_value(desired_password_policy(
        Some(&drifted),
        &policies,
        &baseline,
        &names(),
        GROUP,
        Engine::Classic,
    ))
    .unwrap();
    assert_eq!(repaired["_links"]["self"]["href"], "x");
    assert_eq!(
        repaired["settings"]["password"]["complexity"]["dictionary"]["common"]["exclude"],
        true
    );
    assert_eq!(
        repaired["settings"]["password"]["complexity"]["minUpperCase"],
        2
    );
    assert_eq!(repaired["settings"]["password"]["age"]["maxAgeDays"], 0);
    assert_eq!(repaired["id"], "00psvc");
}

#[test]
fn a_drifted_rule_is_made_a_first_catch_all_denial_again() {
    let rules = vec![
        rule(
            json!({"id": "0prother", "type": "PASSWORD", "name": "Other", "status": "ACTIVE", "priority": 1}),
        ),
        rule(
            json!({"id": "0prsvc", "type": "PASSWORD", "name": "MSP Service Accounts - no self-service recovery",
            "status": "INACTIVE", "priority": 2,
            "conditions": {"people": {"users": {"include": ["00u1"], "exclude": []}},
                           "network": {"connection": "ZONE", "include": ["nzo1"]},
                           "authContext": {"authType": "RADIUS"}, "riskScore": {"level": "ANY"}},
            "actions": {"passwordChange": {"access": "ALLOW"},
                        "selfServicePasswordReset": {"access": "ALLOW", "requirement": {"primary": {"methods": ["sms"]}}},
                        "selfServiceUnlock": {"access": "DENY"}}}),
        ),
    ];
    let repaired = desired_password_rule(Some(&rules[1]), &rules, &names());
    let body = serde_json::to_value(&repaired).unwrap();
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["priority"], 1);
    assert_eq!(
        body["conditions"],
        json!({"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"},
               "riskScore": {"level": "ANY"}})
    );
    assert_eq!(
        body["actions"],
        json!({"passwordChange": {"access": "ALLOW"},
               "selfServicePasswordReset": {"access": "DENY"},
               "selfServiceUnlock": {"access": "DENY"}})
    );
}

fn sign_on_settings_for(
    baseline: &SecuringBaseline,
) -> crate::rules::baseline::SignOnPolicySettings {
    baseline.sign_on_policy()
}

#[test]
fn created_sign_on_policy_observes_as_the_baseline() {
    for cidrs in [&[][..], &["203.0.113.0/24", "198.51.100.7/32"][..]] {
        let baseline = baseline(cidrs);
        let baseline = SecuringBaseline {
            allowed_network_cidrs: canonical(&baseline.allowed_network_cidrs),
            ..baseline
        };
        let (policies, ours, rules, zones) = created_sign_on(&baseline);
        let zone_active = (!cidrs.is_empty()).then_some(true);
        assert_eq!(
            observe_sign_on_policy(&policies, Some(&ours), &rules, &zones, GROUP),
            (compliant(sign_on_settings_for(&baseline)), zone_active),
            "{cidrs:?}"
        );
        assert_eq!(
            desired_sign_on_policy(Some(&ours), &policies, &names(), GROUP),
            ours
        );
        let zone_id = zone_active.map(|_| ZONE);
        assert_eq!(
            desired_session_rule(Some(&rules[0]), &rules, &baseline, &names(), zone_id),
            rules[0]
        );
        let session = serde_json::to_value(&rules[0]).unwrap();
        assert_eq!(session["type"], "SIGN_ON");
        assert_eq!(session["priority"], 1);
        assert_eq!(
            session["actions"]["signon"],
            json!({"access": "ALLOW", "requireFactor": false,
                   "session": {"maxSessionIdleMinutes": 120, "maxSessionLifetimeMinutes": 720,
                               "usePersistentCookie": false}})
        );
        if cidrs.is_empty() {
            assert_eq!(
                session["conditions"]["network"],
                json!({"connection": "ANYWHERE"})
            );
            assert_eq!(rules.len(), 1);
            assert_eq!(referenced_zone_ids(&rules).len(), 0);
        } else {
            assert_eq!(
                session["conditions"]["network"],
                json!({"connection": "ZONE", "include": [ZONE]})
            );
            let deny = serde_json::to_value(&rules[1]).unwrap();
            assert_eq!(deny["priority"], 2);
            assert_eq!(
                deny["actions"]["signon"],
                json!({"access": "DENY", "requireFactor": false})
            );
            assert_eq!(
                deny["conditions"]["network"],
                json!({"connection": "ANYWHERE"})
            );
            assert_eq!(
                desired_deny_rule(Some(&rules[1]), &rules, Some(&rules[0]), &names()),
                rules[1]
            );
            assert_eq!(desired_zone(&zones[0], &baseline, &names()), zones[0]);
            assert_eq!(
                referenced_zone_ids(&rules).into_iter().collect::<Vec<_>>(),
                [ZONE]
            );
        }
    }
}

fn canonical(cidrs: &[String]) -> Vec<String> {
    crate::rules::baseline::canonical_cidrs(cidrs)
}

#[test]
fn sign_on_drift_is_observed() {
    let baseline = SecuringBaseline {
        allowed_network_cidrs: vec!["203.0.113.0/24".to_owned()],
        ..SecuringBaseline::default()
    };
    let (policies, ours, rules, zones) = created_sign_on(&baseline);
    type Expect = fn(&mut crate::rules::baseline::SignOnPolicySettings, &mut Option<bool>);
    // (case, edits of the session rule, edits of the deny rule (None: deleted), zone edits)
    type Edits = Vec<(&'static str, Value)>;
    let cases: Vec<(&str, Edits, Option<Edits>, Edits, Expect)> = vec![
        (
            "persistent cookie",
            vec![("/actions/signon/session/usePersistentCookie", json!(true))],
            Some(vec![]),
            vec![],
            |s, _| s.persistent_session = true,
        ),
        (
            "cookie setting missing",
            vec![("/actions/signon/session/usePersistentCookie", Value::Null)],
            Some(vec![]),
            vec![],
            |s, _| s.persistent_session = true,
        ),
        (
            "unbounded",
            vec![(
                "/actions/signon/session/maxSessionLifetimeMinutes",
                json!(0),
            )],
            Some(vec![]),
            vec![],
            |s, _| s.session_lifetime_minutes = 0,
        ),
        (
            "no session object",
            vec![("/actions/signon/session", Value::Null)],
            Some(vec![]),
            vec![],
            |s, _| {
                s.session_lifetime_minutes = 0;
                s.persistent_session = true;
            },
        ),
        (
            "longer",
            vec![(
                "/actions/signon/session/maxSessionLifetimeMinutes",
                json!(1440),
            )],
            Some(vec![]),
            vec![],
            |s, _| s.session_lifetime_minutes = 1440,
        ),
        ("deny rule deleted", vec![], None, vec![], |s, _| {
            s.network_zone_cidrs = vec![]
        }),
        (
            "deny rule inactive",
            vec![],
            Some(vec![("/status", json!("INACTIVE"))]),
            vec![],
            |s, _| s.network_zone_cidrs = vec![],
        ),
        (
            "deny rule allows",
            vec![],
            Some(vec![("/actions/signon/access", json!("ALLOW"))]),
            vec![],
            |s, _| {
                s.network_zone_cidrs = vec![];
                s.session_lifetime_minutes = 0;
                s.persistent_session = true;
            },
        ),
        (
            "session rule from anywhere",
            vec![("/conditions/network", json!({"connection": "ANYWHERE"}))],
            Some(vec![]),
            vec![],
            |s, zone| {
                s.network_zone_cidrs = vec![];
                *zone = None;
            },
        ),
        (
            "session rule not in zone",
            vec![(
                "/conditions/network",
                json!({"connection": "ZONE", "exclude": [ZONE]}),
            )],
            Some(vec![]),
            vec![],
            |s, zone| {
                s.network_zone_cidrs = vec![];
                *zone = None;
            },
        ),
        (
            "session rule access unknown",
            vec![("/actions/signon/access", json!("SOMETIMES"))],
            Some(vec![]),
            vec![],
            |_, _| {},
        ),
        (
            "deny ranked first",
            vec![("/priority", json!(2))],
            Some(vec![("/priority", json!(1))]),
            vec![],
            |s, zone| {
                s.network_zone_cidrs = vec![];
                s.persistent_session = false;
                s.session_lifetime_minutes = 0;
                *zone = None;
            },
        ),
        (
            "zone widened",
            vec![],
            Some(vec![]),
            vec![("/gateways", json!([{"type": "CIDR", "value": "0.0.0.0/1"}]))],
            |s, _| s.network_zone_cidrs = vec!["0.0.0.0/1".to_owned()],
        ),
        (
            "zone with a range",
            vec![],
            Some(vec![]),
            vec![(
                "/gateways",
                json!([{"type": "CIDR", "value": "203.0.113.0/24"}, {"type": "RANGE", "value": "10.0.0.1-10.0.0.9"}]),
            )],
            |s, _| s.network_zone_cidrs = vec![],
        ),
        (
            "zone inactive",
            vec![],
            Some(vec![]),
            vec![("/status", json!("INACTIVE"))],
            |_, zone| *zone = Some(false),
        ),
        (
            "zone deleted",
            vec![],
            Some(vec![]),
            vec![("/id", json!("nzoelse"))],
            |s, zone| {
                s.network_zone_cidrs = vec![];
                *zone = Some(false);
            },
        ),
    ];
    for (case, session_edits, deny_edits, zone_edits, expect) in cases {
        let mut drifted = vec![edited(&rules[0], &session_edits)];
        if let Some(edits) = &deny_edits {
            drifted.push(edited(&rules[1], edits));
        }
        let zones = vec![edited(&zones[0], &zone_edits)];
        let (observed, zone_active) =
            observe_sign_on_policy(&policies, Some(&ours), &drifted, &zones, GROUP);
        let mut settings = baseline.sign_on_policy();
        let mut expected_zone = Some(true);
        expect(&mut settings, &mut expected_zone);
        let expected = compliant(settings);
        if case != "session rule access unknown" {
            assert_ne!(
                (&observed, zone_active),
                (&compliant(baseline.sign_on_policy()), Some(true)),
                "{case}: drift"
            );
        }
        assert_eq!((observed, zone_active), (expected, expected_zone), "{case}");

        // Repair converges: session first, deny right after it, zone restored.
        let session = find_rule(&drifted, &names().session_rule);
        let repaired_session =
            desired_session_rule(session, &drifted, &baseline, &names(), Some(ZONE));
        let deny = find_rule(&drifted, &names().deny_rule);
        let repaired_deny = desired_deny_rule(deny, &drifted, session, &names());
        let repaired_zone = desired_zone(&zones[0], &baseline, &names());
        let after = vec![
            as_created(
                &edited(&repaired_session, &[("/priority", json!(1))]),
                "0prsession",
            ),
            as_created(
                &edited(&repaired_deny, &[("/priority", json!(2))]),
                "0prdeny",
            ),
        ];
        assert_eq!(
            repaired_session.priority.map(|p| p <= 1),
            Some(true),
            "{case}"
        );
        assert_eq!(repaired_deny.priority.map(|p| p <= 2), Some(true), "{case}");
        let zone_after = vec![edited(&repaired_zone, &[("/id", json!(ZONE))])];
        assert_eq!(
            observe_sign_on_policy(&policies, Some(&ours), &after, &zone_after, GROUP),
            (compliant(baseline.sign_on_policy()), Some(true)),
            "{case}: repaired"
        );
    }
}

#[test]
fn deny_rule_placement() {
    let r = |id: &str, priority: u32, status: &str| {
        rule(
            json!({"id": id, "type": "SIGN_ON", "name": id, "status": status, "priority": priority}),
        )
    };
    let cases: Vec<(&str, Vec<PolicyRule>, bool, Option<u32>)> = vec![
        (
            "in place",
            vec![r("s", 1, "ACTIVE"), r("d", 2, "ACTIVE")],
            true,
            None,
        ),
        (
            "another between",
            vec![
                r("s", 1, "ACTIVE"),
                r("x", 2, "ACTIVE"),
                r("d", 3, "ACTIVE"),
            ],
            true,
            Some(2),
        ),
        (
            "an inactive one between",
            vec![
                r("s", 1, "ACTIVE"),
                r("x", 2, "INACTIVE"),
                r("d", 3, "ACTIVE"),
            ],
            true,
            None,
        ),
        (
            "deny first, session moves ahead",
            vec![r("d", 1, "ACTIVE"), r("s", 2, "ACTIVE")],
            true,
            None,
        ),
        (
            "session to be created, deny first",
            vec![r("d", 1, "ACTIVE"), r("x", 2, "ACTIVE")],
            false,
            None,
        ),
        (
            "session to be created, deny second",
            vec![r("x", 1, "ACTIVE"), r("d", 2, "ACTIVE")],
            false,
            Some(2),
        ),
        (
            "deny inactive",
            vec![r("s", 1, "ACTIVE"), r("d", 2, "INACTIVE")],
            true,
            Some(2),
        ),
    ];
    for (case, rules, has_session, expected) in cases {
        let session = has_session.then(|| find_rule(&rules, "s").unwrap());
        let deny = find_rule(&rules, "d").unwrap();
        assert_eq!(
            deny_rule_priority(&rules, session, deny),
            expected,
            "{case}"
        );
    }
}

#[test]
fn the_idle_timeout_never_exceeds_the_lifetime() {
    for (lifetime, existing_idle, expected) in [
        (60, None, 60),
        (720, None, 120),
        (720, Some(30), 30),
        (60, Some(90), 60),
        (720, Some(0), 120),
    ] {
        let baseline = SecuringBaseline {
            session_lifetime_minutes: lifetime,
            ..SecuringBaseline::default()
        };
        let existing = existing_idle.map(|idle| {
            rule(json!({"id": "0prs", "type": "SIGN_ON", "name": "MSP Service Accounts - session",
                "status": "ACTIVE", "priority": 1,
                "actions": {"signon": {"access": "ALLOW", "session": {"maxSessionIdleMinutes": idle}}}}))
        });
        let rules: Vec<PolicyRule> = existing.iter().cloned().collect();
        let desired = desired_session_rule(existing.as_ref(), &rules, &baseline, &names(), None);
        let session = desired.actions.unwrap().signon.unwrap().session.unwrap();
        assert_eq!(
            session.max_session_idle_minutes,
            Some(expected),
            "{lifetime} {existing_idle:?}"
        );
        assert_eq!(session.max_session_lifetime_minutes, Some(lifetime));
    }
}

#[test]
fn zone_repair() {
    let baseline = SecuringBaseline {
        allowed_network_cidrs: vec!["198.51.100.7/32".to_owned(), "203.0.113.0/24".to_owned()],
        ..SecuringBaseline::default()
    };
    let zone = |gateways: Value, extra: &[(&str, Value)]| {
        let zone: NetworkZone = serde_json::from_value(json!({
            "id": ZONE, "type": "IP", "name": "MSP Service Accounts - network zone", "status": "ACTIVE",
            "usage": "POLICY", "system": false, "gateways": gateways, "asns": {"include": []}
        }))
        .unwrap();
        edited(&zone, extra)
    };
    let exact = json!([{"type": "CIDR", "value": "198.51.100.7/32"}, {"type": "CIDR", "value": "203.0.113.0/24"}]);
    let cases: Vec<(&str, NetworkZone, bool)> = vec![
        ("exact", zone(exact.clone(), &[]), false),
        (
            "other order",
            zone(
                json!([{"type": "CIDR", "value": "203.0.113.0/24"}, {"type": "CIDR", "value": "198.51.100.7/32"}]),
                &[],
            ),
            false,
        ),
        (
            "one missing",
            zone(json!([{"type": "CIDR", "value": "203.0.113.0/24"}]), &[]),
            true,
        ),
        (
            "a range too",
            zone(
                json!([{"type": "CIDR", "value": "198.51.100.7/32"}, {"type": "CIDR", "value": "203.0.113.0/24"}, {"type": "RANGE", "value": "10.0.0.1-10.0.0.2"}]),
                &[],
            ),
            true,
        ),
        ("no gateways", zone(Value::Null, &[]), true),
        (
            "inactive",
            zone(exact.clone(), &[("/status", json!("INACTIVE"))]),
            true,
        ),
        (
            "blocklist",
            zone(exact.clone(), &[("/usage", json!("BLOCKLIST"))]),
            true,
        ),
        (
            "usage missing",
            zone(exact.clone(), &[("/usage", Value::Null)]),
            true,
        ),
    ];
    for (case, existing, changes) in cases {
        let desired = desired_zone(&existing, &baseline, &names());
        assert_eq!(desired != existing, changes, "{case}");
        assert_eq!(desired.status.as_deref(), Some("ACTIVE"));
        assert_eq!(desired.usage.as_deref(), Some("POLICY"));
        assert_eq!(
            desired.other.get("asns"),
            Some(&json!({"include": []})),
            "{case}"
        );
        assert_eq!(
            canonical(
                &desired
                    .gateways
                    .iter()
                    .flatten()
                    .map(|g| g.value.clone())
                    .collect::<Vec<_>>()
            ),
            baseline.allowed_network_cidrs,
            "{case}"
        );
    }
}

#[test]
fn conditions_that_restrict_nothing() {
    let cases: Vec<(Value, bool)> = vec![
        (Value::Null, true),
        (json!({}), true),
        (
            json!({"network": {"connection": "ANYWHERE"}, "people": {"users": {"exclude": []}},
                "authContext": {"authType": "ANY"}, "risk": {"behaviors": []},
                "riskScore": {"level": "ANY"}, "identityProvider": {"provider": "ANY"}}),
            true,
        ),
        (json!({"authContext": {"authType": "RADIUS"}}), false),
        (json!({"riskScore": {"level": "HIGH"}}), false),
        (
            json!({"network": {"connection": "ZONE", "include": ["nzo1"]}}),
            false,
        ),
        (json!({"people": {"groups": {"include": ["00g1"]}}}), false),
        (json!({"people": {"users": {"exclude": ["00u1"]}}}), false),
        (json!({"somethingNew": {"enabled": true}}), false),
    ];
    for (conditions, expected) in cases {
        let parsed: Option<crate::okta::Conditions> =
            serde_json::from_value(conditions.clone()).unwrap();
        assert_eq!(is_catch_all(parsed.as_ref()), expected, "{conditions}");
    }
}
