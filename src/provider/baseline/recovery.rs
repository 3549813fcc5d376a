//! Self-service recovery of the password policy, on each engine: what a member can use to reset
//! or unlock (observation) and what the provider writes into the policy's settings (repair).
//!
//! - **Classic Engine** keeps the recovery factors in the policy (`settings.recovery.factors`);
//!   the rule's `selfServicePasswordReset` and `selfServiceUnlock` only allow or deny. The
//!   baseline turns every factor off and denies both in the rule.
//! - **Identity Engine** governs recovery in the rule: `selfServicePasswordReset` names the
//!   authenticators (`requirement.primary.methods`, and `security_question` as a step-up), and
//!   the API reference says the factors moved there from the policy. So on Identity Engine the
//!   provider reads recovery from the rule alone, which denies both actions, and leaves the
//!   policy's factors as Okta has them: they govern nothing there, and Okta has refused turning
//!   the policy's `recovery_question` off in some orgs (okta/terraform-provider-okta issues 408,
//!   916, 1148), though a 2026 recording of an Identity Engine org shows it accepted.

use serde_json::Value;

use super::convert::{DENY, reachable_rules};
use crate::okta::{
    AccessAction, Engine, Policy, PolicyRule, PolicySettings, RecoveryFactor, RecoveryFactors,
    RecoverySettings,
};
use crate::rules::baseline::Recovery;

const INACTIVE: &str = "INACTIVE";

/// What recovery the policy and its rules leave open to a member of the group.
pub fn observed(policy: &Policy, rules: &[PolicyRule], engine: Engine) -> Recovery {
    let open = self_service(rules);
    match engine {
        Engine::IdentityEngine => Recovery {
            email: open.reset_by_email,
            sms: open.reset_by_sms,
            voice_call: open.reset_by_voice,
            question: open.reset_by_question,
            self_service_unlock: open.unlock,
        },
        Engine::Classic => {
            let factors = policy
                .settings
                .as_ref()
                .and_then(|settings| settings.recovery.as_ref())
                .and_then(|recovery| recovery.factors.as_ref());
            // Without the factor list at all, nothing says recovery is off.
            let factor = |pick: fn(&RecoveryFactors) -> Option<&RecoveryFactor>| {
                factors.is_none_or(|factors| factor_open(pick(factors)))
            };
            Recovery {
                email: factor(|factors| factors.okta_email.as_ref()) || open.reset_by_email,
                sms: factor(|factors| factors.okta_sms.as_ref()) || open.reset_by_sms,
                voice_call: factor(|factors| factors.okta_call.as_ref()) || open.reset_by_voice,
                question: factor(|factors| factors.recovery_question.as_ref()),
                self_service_unlock: open.unlock,
            }
        }
    }
}

/// Writes the baseline's recovery into a password policy's settings: every factor off on
/// Classic Engine; nothing on Identity Engine, where the rule governs recovery and the
/// policy's factors are left as Okta has them.
pub fn repair_settings(settings: &mut PolicySettings, engine: Engine) {
    if engine == Engine::IdentityEngine {
        return;
    }
    let recovery = settings
        .recovery
        .get_or_insert_with(RecoverySettings::default);
    match recovery.factors.as_mut() {
        None => recovery.factors = Some(RecoveryFactors::all_inactive()),
        Some(factors) => {
            for factor in [
                &mut factors.recovery_question,
                &mut factors.okta_email,
                &mut factors.okta_sms,
                &mut factors.okta_call,
            ]
            .into_iter()
            .flatten()
            {
                if factor.status != INACTIVE {
                    factor.status = INACTIVE.to_owned();
                }
            }
        }
    }
}

fn factor_open(factor: Option<&RecoveryFactor>) -> bool {
    // Okta omits a factor the org does not offer (e.g. voice); an absent factor is off.
    factor.is_some_and(|factor| factor.status != INACTIVE)
}

/// What the password policy's rules leave open to a member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SelfService {
    reset_by_email: bool,
    reset_by_sms: bool,
    reset_by_voice: bool,
    /// The security question as a reset step (Identity Engine's `stepUp`).
    reset_by_question: bool,
    unlock: bool,
}

impl SelfService {
    fn everything() -> SelfService {
        SelfService {
            reset_by_email: true,
            reset_by_sms: true,
            reset_by_voice: true,
            reset_by_question: true,
            unlock: true,
        }
    }
}

fn access_open(action: Option<&AccessAction>) -> bool {
    action.is_none_or(|action| action.access != DENY)
}

/// What an allowing `selfServicePasswordReset` action lets a member reset with: the methods of
/// its `requirement` (Identity Engine), and the security question when its step-up names it
/// or names no method. Without a requirement, everything counts as open.
fn reset_methods(action: Option<&AccessAction>) -> SelfService {
    let Some(requirement) = action.and_then(|action| action.other.get("requirement")) else {
        return SelfService::everything();
    };
    let listed = |value: Option<&Value>, name: &str| {
        value
            .and_then(Value::as_array)
            .is_none_or(|methods| methods.iter().any(|method| method.as_str() == Some(name)))
    };
    let primary = requirement.pointer("/primary/methods");
    let step_up = requirement.get("stepUp");
    let step_up_required = step_up
        .and_then(|step_up| step_up.get("required"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    SelfService {
        reset_by_email: listed(primary, "email"),
        reset_by_sms: listed(primary, "sms"),
        reset_by_voice: listed(primary, "voice"),
        reset_by_question: step_up_required
            && listed(
                step_up.and_then(|step_up| step_up.get("methods")),
                "security_question",
            ),
        unlock: false,
    }
}

/// Self-service as the member meets it: every reachable active rule counts, and if no catch-all
/// ends them a sign-in may fall through to another policy, so everything is open.
fn self_service(rules: &[PolicyRule]) -> SelfService {
    let (reachable, covered) = reachable_rules(rules);
    if !covered {
        return SelfService::everything();
    }
    let mut open = SelfService::default();
    for rule in reachable {
        let actions = rule.actions.as_ref();
        let reset = actions.and_then(|actions| actions.self_service_password_reset.as_ref());
        if access_open(reset) {
            let methods = reset_methods(reset);
            open.reset_by_email |= methods.reset_by_email;
            open.reset_by_sms |= methods.reset_by_sms;
            open.reset_by_voice |= methods.reset_by_voice;
            open.reset_by_question |= methods.reset_by_question;
        }
        open.unlock |=
            access_open(actions.and_then(|actions| actions.self_service_unlock.as_ref()));
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(actions: Value) -> PolicyRule {
        serde_json::from_value(json!({
            "id": "0pr1", "type": "PASSWORD", "name": "r", "status": "ACTIVE", "priority": 1,
            "conditions": {"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"}},
            "actions": actions,
        }))
        .unwrap()
    }

    fn policy_with_factors(status: &str) -> Policy {
        serde_json::from_value(json!({
            "type": "PASSWORD", "name": "p",
            "settings": {"recovery": {"factors": {
                "recovery_question": {"status": status}, "okta_email": {"status": status},
                "okta_sms": {"status": status}, "okta_call": {"status": status}}}}
        }))
        .unwrap()
    }

    fn closed() -> Recovery {
        Recovery {
            email: false,
            sms: false,
            voice_call: false,
            question: false,
            self_service_unlock: false,
        }
    }

    #[test]
    fn on_identity_engine_the_rule_alone_governs_recovery() {
        let denying = rule(json!({
            "selfServicePasswordReset": {"access": "DENY"},
            "selfServiceUnlock": {"access": "DENY"}}));
        // The policy's factors are on, as Okta fills them in; the rule denies: nothing is open.
        let policy = policy_with_factors("ACTIVE");
        assert_eq!(
            observed(
                &policy,
                std::slice::from_ref(&denying),
                Engine::IdentityEngine
            ),
            closed()
        );
        // The same objects on Classic: the policy's factors are open.
        let classic = observed(&policy, &[denying], Engine::Classic);
        assert!(classic.email && classic.question);
    }

    #[test]
    fn an_identity_engine_reset_opens_only_the_methods_it_names() {
        let allowing = rule(json!({
            "selfServicePasswordReset": {"access": "ALLOW", "requirement": {
                "primary": {"methods": ["email"]}, "stepUp": {"required": true, "methods": ["security_question"]},
                "accessControl": "LEGACY"}},
            "selfServiceUnlock": {"access": "DENY"}}));
        let open = observed(
            &policy_with_factors("INACTIVE"),
            &[allowing],
            Engine::IdentityEngine,
        );
        assert!(open.email && open.question);
        assert!(!open.sms && !open.voice_call && !open.self_service_unlock);

        let no_step_up = rule(json!({
            "selfServicePasswordReset": {"access": "ALLOW", "requirement": {
                "primary": {"methods": ["sms"]}, "stepUp": {"required": false}}}}));
        let open = observed(
            &policy_with_factors("INACTIVE"),
            &[no_step_up],
            Engine::IdentityEngine,
        );
        assert!(open.sms && !open.question && !open.email);
    }

    #[test]
    fn without_a_catch_all_everything_is_open_on_both_engines() {
        let policy = policy_with_factors("INACTIVE");
        for engine in [Engine::IdentityEngine, Engine::Classic] {
            let open = observed(&policy, &[], engine);
            assert!(open.email && open.sms && open.voice_call && open.self_service_unlock);
        }
    }

    #[test]
    fn repair_turns_factors_off_on_classic_only() {
        let mut settings = PolicySettings::default();
        repair_settings(&mut settings, Engine::IdentityEngine);
        assert_eq!(settings, PolicySettings::default());

        repair_settings(&mut settings, Engine::Classic);
        let factors = settings.recovery.unwrap().factors.unwrap();
        assert!(factors.active_factors().is_empty());
        assert!(factors.recovery_question.is_some());
    }
}
