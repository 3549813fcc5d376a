//! Password and global session (`OKTA_SIGN_ON`) policies and their rules.
//!
//! Every model keeps the fields it does not name in `other`: a policy or rule is read, changed
//! and written back with a PUT that replaces it whole, and must not lose what Okta (or an
//! admin) put there.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Call, Client, segment};
use super::error::OktaError;
use super::zones::required_id;

pub const PASSWORD: &str = "PASSWORD";
pub const OKTA_SIGN_ON: &str = "OKTA_SIGN_ON";

/// A policy. `policy_type` is `PASSWORD` or `OKTA_SIGN_ON` for the securing baseline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, rename = "type")]
    pub policy_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// 1 is evaluated first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// The org's default policy, which cannot be deleted and is evaluated last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<PolicySettings>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Conditions of a policy or a rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkCondition>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PeopleCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<IncludeExclude>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<IncludeExclude>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncludeExclude {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}

/// `connection` is `ANYWHERE` or `ZONE` (then `include`/`exclude` hold zone ids).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NetworkCondition {
    #[serde(default)]
    pub connection: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}

impl Conditions {
    /// Conditions that apply to the members of `group_id` only.
    pub fn for_group(group_id: &str) -> Conditions {
        Conditions {
            people: Some(PeopleCondition {
                groups: Some(IncludeExclude {
                    include: Some(vec![group_id.to_owned()]),
                    exclude: None,
                }),
                ..PeopleCondition::default()
            }),
            ..Conditions::default()
        }
    }

    /// The group ids the conditions include.
    pub fn included_groups(&self) -> &[String] {
        self.people
            .as_ref()
            .and_then(|people| people.groups.as_ref())
            .and_then(|groups| groups.include.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PolicySettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoverySettings>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PasswordSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<PasswordComplexity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<PasswordAge>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lockout: Option<PasswordLockout>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordComplexity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_lower_case: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_upper_case: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_symbol: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_username: Option<bool>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `max_age_days = 0` means the password never expires.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordAge {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_warn_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_count: Option<u32>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `max_attempts = 0` means no lockout.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordLockout {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_unlock_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_lockout_failures: Option<bool>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RecoverySettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factors: Option<RecoveryFactors>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The self-service recovery factors; the baseline wants every one `INACTIVE`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RecoveryFactors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_question: Option<RecoveryFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_email: Option<RecoveryFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_sms: Option<RecoveryFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_call: Option<RecoveryFactor>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl RecoveryFactors {
    /// Every recovery factor inactive.
    pub fn all_inactive() -> RecoveryFactors {
        RecoveryFactors {
            recovery_question: Some(RecoveryFactor::inactive()),
            okta_email: Some(RecoveryFactor::inactive()),
            okta_sms: Some(RecoveryFactor::inactive()),
            okta_call: Some(RecoveryFactor::inactive()),
            other: Map::new(),
        }
    }

    /// Names of the factors that are not `INACTIVE` (an absent factor counts as off).
    pub fn active_factors(&self) -> Vec<&'static str> {
        [
            ("recovery_question", &self.recovery_question),
            ("okta_email", &self.okta_email),
            ("okta_sms", &self.okta_sms),
            ("okta_call", &self.okta_call),
        ]
        .into_iter()
        .filter(|(_, factor)| {
            factor
                .as_ref()
                .is_some_and(|factor| factor.status != "INACTIVE")
        })
        .map(|(name, _)| name)
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RecoveryFactor {
    #[serde(default)]
    pub status: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl RecoveryFactor {
    pub fn inactive() -> RecoveryFactor {
        RecoveryFactor {
            status: "INACTIVE".to_owned(),
            other: Map::new(),
        }
    }
}

/// A policy rule: `SIGN_ON` rules carry `actions.signon`; `PASSWORD` rules carry the
/// self-service actions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, rename = "type")]
    pub rule_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<RuleActions>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleActions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signon: Option<SignOnAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_change: Option<AccessAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_service_password_reset: Option<AccessAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_service_unlock: Option<AccessAction>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `access` is `ALLOW` or `DENY`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AccessAction {
    #[serde(default)]
    pub access: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl AccessAction {
    pub fn allow() -> AccessAction {
        AccessAction {
            access: "ALLOW".to_owned(),
            other: Map::new(),
        }
    }

    pub fn deny() -> AccessAction {
        AccessAction {
            access: "DENY".to_owned(),
            other: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOnAction {
    #[serde(default)]
    pub access: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_factor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_prompt_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionSettings>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_idle_minutes: Option<u32>,
    /// 0 means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_lifetime_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_persistent_cookie: Option<bool>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Client {
    /// `POST /api/v1/policies/{id}/lifecycle/activate`: Okta changes a policy's status only
    /// through its lifecycle, not through a PUT.
    pub async fn activate_policy(&self, policy_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::POST,
            "/api/v1/policies/{policyId}/lifecycle/activate",
            format!("/api/v1/policies/{}/lifecycle/activate", segment(policy_id)),
        )
        .replay_safe();
        self.execute(call).await
    }

    /// `POST /api/v1/policies/{id}/rules/{ruleId}/lifecycle/activate`.
    pub async fn activate_policy_rule(
        &self,
        policy_id: &str,
        rule_id: &str,
    ) -> Result<(), OktaError> {
        let call = Call::new(
            Method::POST,
            "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate",
            format!(
                "/api/v1/policies/{}/rules/{}/lifecycle/activate",
                segment(policy_id),
                segment(rule_id)
            ),
        )
        .replay_safe();
        self.execute(call).await
    }

    /// Every policy of `policy_type` (`PASSWORD`, `OKTA_SIGN_ON`, …).
    pub async fn list_policies(&self, policy_type: &str) -> Result<Vec<Policy>, OktaError> {
        let call =
            Call::get("/api/v1/policies", "/api/v1/policies".to_owned()).query("type", policy_type);
        self.fetch_all(call, "list of policies").await
    }

    /// `POST /api/v1/policies`. Not retried once sent; look the name up before creating again.
    /// No `activate` parameter: Okta documents it for Classic Engine only (where it defaults
    /// to true) and none of the recorded Identity Engine creates sends it; the caller
    /// activates an answer that is not `ACTIVE`.
    pub async fn create_policy(&self, policy: &Policy) -> Result<Policy, OktaError> {
        let call = Call::new(
            Method::POST,
            "/api/v1/policies",
            "/api/v1/policies".to_owned(),
        )
        .json(policy)?;
        self.fetch(call, "policy").await
    }

    /// `PUT /api/v1/policies/{id}`: replaces the policy (which must carry its id).
    pub async fn update_policy(&self, policy: &Policy) -> Result<Policy, OktaError> {
        let id = required_id(policy.id.as_deref(), "policy")?;
        let call = Call::new(
            Method::PUT,
            "/api/v1/policies/{policyId}",
            format!("/api/v1/policies/{}", segment(id)),
        )
        .json(policy)?;
        self.fetch(call, "policy").await
    }

    /// `DELETE /api/v1/policies/{id}` (its rules go with it). A policy already gone is no
    /// error: deleting is what the caller wanted.
    pub async fn delete_policy(&self, policy_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/policies/{policyId}",
            format!("/api/v1/policies/{}", segment(policy_id)),
        )
        .replay_safe();
        match self.execute(call).await {
            Err(error) if error.is_not_found() => Ok(()),
            outcome => outcome,
        }
    }

    pub async fn list_policy_rules(&self, policy_id: &str) -> Result<Vec<PolicyRule>, OktaError> {
        let call = Call::get(
            "/api/v1/policies/{policyId}/rules",
            format!("/api/v1/policies/{}/rules", segment(policy_id)),
        );
        self.fetch_all(call, "list of policy rules").await
    }

    /// `POST /api/v1/policies/{id}/rules`. Not retried once sent; without `activate`, as for
    /// policies.
    pub async fn create_policy_rule(
        &self,
        policy_id: &str,
        rule: &PolicyRule,
    ) -> Result<PolicyRule, OktaError> {
        let call = Call::new(
            Method::POST,
            "/api/v1/policies/{policyId}/rules",
            format!("/api/v1/policies/{}/rules", segment(policy_id)),
        )
        .json(rule)?;
        self.fetch(call, "policy rule").await
    }

    /// `PUT /api/v1/policies/{id}/rules/{ruleId}`: replaces the rule (which must carry its id).
    pub async fn update_policy_rule(
        &self,
        policy_id: &str,
        rule: &PolicyRule,
    ) -> Result<PolicyRule, OktaError> {
        let rule_id = required_id(rule.id.as_deref(), "policy rule")?;
        let call = Call::new(
            Method::PUT,
            "/api/v1/policies/{policyId}/rules/{ruleId}",
            format!(
                "/api/v1/policies/{}/rules/{}",
                segment(policy_id),
                segment(rule_id)
            ),
        )
        .json(rule)?;
        self.fetch(call, "policy rule").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policies_are_read_and_round_tripped() {
        let body = serde_json::json!({
            "type": "PASSWORD", "id": "00p1", "status": "ACTIVE", "name": "Svc", "priority": 1,
            "system": false,
            "conditions": {"people": {"groups": {"include": ["00g1"]}}, "authProvider": {"provider": "OKTA"}},
            "settings": {
                "password": {
                    "complexity": {"minLength": 20, "minLowerCase": 1, "minNumber": null,
                                   "dictionary": {"common": {"exclude": true}}},
                    "age": {"maxAgeDays": 0, "historyCount": 4},
                    "lockout": {"maxAttempts": 10, "userLockoutNotificationChannels": []}
                },
                "recovery": {"factors": {
                    "recovery_question": {"status": "ACTIVE", "properties": {"complexity": {"complexity": 4}}},
                    "okta_email": {"status": "INACTIVE"}
                }},
                "delegation": {"options": {"skipUnlock": false}}
            },
            "_links": {"self": {"href": "x"}}
        });
        let policy: Policy = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            policy.conditions.as_ref().unwrap().included_groups(),
            ["00g1"]
        );
        let settings = policy.settings.as_ref().unwrap();
        let password = settings.password.as_ref().unwrap();
        assert_eq!(password.complexity.as_ref().unwrap().min_length, Some(20));
        assert_eq!(password.complexity.as_ref().unwrap().min_number, None);
        assert_eq!(password.age.as_ref().unwrap().max_age_days, Some(0));
        assert_eq!(password.lockout.as_ref().unwrap().max_attempts, Some(10));
        let factors = settings
            .recovery
            .as_ref()
            .unwrap()
            .factors
            .as_ref()
            .unwrap();
        assert_eq!(factors.active_factors(), vec!["recovery_question"]);

        let written = serde_json::to_value(&policy).unwrap();
        assert_eq!(
            written["settings"]["delegation"],
            body["settings"]["delegation"]
        );
        assert_eq!(
            written["conditions"]["authProvider"],
            body["conditions"]["authProvider"]
        );
        assert_eq!(
            written["settings"]["password"]["complexity"]["dictionary"],
            body["settings"]["password"]["complexity"]["dictionary"]
        );
        assert_eq!(
            written["settings"]["recovery"]["factors"]["recovery_question"]["properties"],
            body["settings"]["recovery"]["factors"]["recovery_question"]["properties"]
        );
    }

    #[test]
    fn sign_on_rules_are_read_and_written() {
        let body = serde_json::json!({
            "id": "0pr1", "type": "SIGN_ON", "name": "Svc", "priority": 1, "status": "ACTIVE",
            "conditions": {"network": {"connection": "ZONE", "include": ["nzo1"]},
                           "people": {"users": {"exclude": []}}, "riskScore": {"level": "ANY"}},
            "actions": {"signon": {"access": "ALLOW", "requireFactor": false,
                        "session": {"maxSessionIdleMinutes": 120, "maxSessionLifetimeMinutes": 720,
                                    "usePersistentCookie": false}, "primaryFactor": "PASSWORD_IDP_ANY_FACTOR"}}
        });
        let rule: PolicyRule = serde_json::from_value(body.clone()).unwrap();
        let conditions = rule.conditions.as_ref().unwrap();
        assert_eq!(
            conditions.network.as_ref().unwrap().include.as_deref(),
            Some(&["nzo1".to_owned()][..])
        );
        let session = rule
            .actions
            .as_ref()
            .unwrap()
            .signon
            .as_ref()
            .unwrap()
            .session
            .as_ref()
            .unwrap();
        assert_eq!(session.max_session_lifetime_minutes, Some(720));
        assert_eq!(session.use_persistent_cookie, Some(false));
        assert_eq!(serde_json::to_value(&rule).unwrap(), body);
    }

    #[test]
    fn new_password_rules_serialize_the_self_service_denials() {
        let rule = PolicyRule {
            rule_type: "PASSWORD".to_owned(),
            name: "No self-service".to_owned(),
            priority: Some(1),
            actions: Some(RuleActions {
                password_change: Some(AccessAction::deny()),
                self_service_password_reset: Some(AccessAction::deny()),
                self_service_unlock: Some(AccessAction::deny()),
                ..RuleActions::default()
            }),
            ..PolicyRule::default()
        };
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            serde_json::json!({
                "type": "PASSWORD", "name": "No self-service", "priority": 1,
                "actions": {"passwordChange": {"access": "DENY"},
                            "selfServicePasswordReset": {"access": "DENY"},
                            "selfServiceUnlock": {"access": "DENY"}}
            })
        );
    }
}
