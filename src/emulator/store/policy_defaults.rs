//! The settings Okta stores for a policy or rule beyond what its create or replace sent.

use serde_json::{Value, json};

// Okta's defaults. Real Okta answers a created or replaced policy or rule with every setting it
// applies, filling in what the request left out; the values below are the ones Okta's own test
// suites recorded against real orgs (tests/fixtures/okta_facts/policies.json names the
// recordings). What the request sent always wins.

/// The conditions and settings Okta stores for a policy of `kind`.
pub(super) fn with_policy_defaults(
    kind: &str,
    conditions: Value,
    settings: Value,
) -> (Value, Value) {
    match kind {
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
pub(super) fn with_rule_defaults(kind: &str, conditions: Value, actions: Value) -> (Value, Value) {
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
            // that sends none); the recordings always send a session.
            let actions = merge_defaults(
                json!({ "signon": {
                    "primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
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
