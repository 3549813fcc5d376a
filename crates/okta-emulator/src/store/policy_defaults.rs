//! The settings Okta stores for a policy or rule beyond what its create or replace sent.

use serde_json::{Value, json};

use crate::engine::Engine;

// Okta's defaults. Real Okta answers a created or replaced policy or rule with every setting it
// applies, filling in what the request left out; the values below are the ones Okta's own test
// suites recorded against real orgs (tests/fixtures/okta_facts/policies.json names the
// recordings). What the request sent always wins.

/// The conditions and settings Okta stores for a policy of `kind`. `everyone` is the org's
/// built-in Everyone group when the policy is being created: a password or sign-on policy
/// created without a people condition applies to everyone, and Okta says so in the policy
/// (PYSDK test_policies_it: test_create_get_sign_on_policy and test_create_password_policy send
/// no conditions; Okta answers `people.groups.include` with the org's BUILT_IN group
/// 00gc04qatkiyWnGoq4x6, "Everyone" in test_groups_it's listing of the same org).
pub(super) fn with_policy_defaults(
    kind: &str,
    conditions: Value,
    settings: Value,
    everyone: Option<&str>,
) -> (Value, Value) {
    let conditions = match everyone {
        Some(everyone)
            if matches!(kind, "PASSWORD" | "OKTA_SIGN_ON")
                && conditions.get("people").is_none_or(Value::is_null) =>
        {
            merge_defaults(
                json!({ "people": { "groups": { "include": [everyone] } } }),
                conditions,
            )
        }
        _ => conditions,
    };
    match kind {
        // An authentication policy created without conditions answers `"conditions": null`
        // (cassettes test_clone_policy, test_list_policy_apps).
        "ACCESS_POLICY" if conditions.as_object().is_some_and(|c| c.is_empty()) => {
            (Value::Null, settings)
        }
        "PASSWORD" => (
            merge_defaults(
                json!({ "authProvider": { "provider": "OKTA" } }),
                conditions,
            ),
            merge_defaults(password_policy_defaults(), settings),
        ),
        _ => (conditions, settings),
    }
}

/// The conditions and actions Okta stores for a rule of `kind`.
pub(super) fn with_rule_defaults(
    kind: &str,
    conditions: Value,
    actions: Value,
    engine: Engine,
) -> (Value, Value) {
    match kind {
        "SIGN_ON" => {
            let conditions = merge_defaults(
                json!({
                    "people": { "users": { "exclude": [] } },
                    "network": { "connection": "ANYWHERE" },
                }),
                conditions,
            );
            // The session values are those of the API reference's deny-rule example (a rule
            // that sends none); the recordings always send a session. The primary factor:
            // Classic Engine recordings answer PASSWORD_IDP (PYSDK
            // test_create_get_sign_on_policy_rule, 2020, before Identity Engine existed);
            // Identity Engine's reference examples say PASSWORD_IDP_ANY_FACTOR.
            let primary_factor = match engine {
                Engine::Classic => "PASSWORD_IDP",
                Engine::Oie => "PASSWORD_IDP_ANY_FACTOR",
            };
            let actions = merge_defaults(
                json!({ "signon": {
                    "primaryFactor": primary_factor,
                    "rememberDeviceByDefault": false,
                    "session": {
                        "usePersistentCookie": false,
                        "maxSessionIdleMinutes": 120,
                        "maxSessionLifetimeMinutes": 0,
                    },
                }}),
                actions,
            );
            (conditions, actions)
        }
        _ => (conditions, actions),
    }
}

fn password_policy_defaults() -> Value {
    json!({
        "password": {
            "complexity": {
                "minLength": 8,
                "minLowerCase": 1,
                "minUpperCase": 1,
                "minNumber": 1,
                "minSymbol": 0,
                "excludeUsername": true,
                "dictionary": { "common": { "exclude": false } },
                "excludeAttributes": [],
            },
            "age": {
                "maxAgeDays": 0,
                "expireWarnDays": 0,
                "minAgeMinutes": 0,
                "historyCount": 4,
            },
            "lockout": {
                "maxAttempts": 10,
                "autoUnlockMinutes": 0,
                "userLockoutNotificationChannels": [],
                "showLockoutFailures": false,
            },
            "breachedProtection": {
                "expireAfterDays": null,
                "logoutEnabled": false,
                "delegatedWorkflowId": null,
            },
        },
        "recovery": { "factors": {
            "recovery_question": {
                "status": "ACTIVE",
                "properties": { "complexity": { "minLength": 4 } },
            },
            "okta_email": {
                "status": "ACTIVE",
                "properties": { "recoveryToken": { "tokenLifetimeMinutes": 60 } },
            },
            "okta_sms": { "status": "INACTIVE" },
            "okta_call": { "status": "INACTIVE" },
        }},
        "delegation": { "options": { "skipUnlock": false } },
    })
}

/// `sent` over `defaults`: objects merge key by key, anything else that was sent replaces the
/// default; a `null` counts as not sent.
fn merge_defaults(defaults: Value, sent: Value) -> Value {
    match (defaults, sent) {
        (Value::Object(mut defaults), Value::Object(sent)) => {
            for (key, value) in sent {
                let merged = match defaults.remove(&key) {
                    Some(default) => merge_defaults(default, value),
                    None => value,
                };
                defaults.insert(key, merged);
            }
            Value::Object(defaults)
        }
        (defaults, Value::Null) if !defaults.is_null() => defaults,
        (_, sent) => sent,
    }
}
