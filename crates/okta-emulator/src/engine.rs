//! The two flavours of Okta org, Identity Engine and Classic Engine, and the documented
//! differences between them that the emulator enforces. Each org has one engine for life (Okta
//! upgrades orgs one way, and never through this API); `docs/emulator.md` lists the evidence
//! behind every rule here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// An org's authentication pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Identity Engine, what Okta provisions today; orgs saved before engines existed load as it.
    #[default]
    Oie,
    /// Classic Engine.
    Classic,
}

impl Engine {
    /// `oie` or `classic`, as the `--engine` flag spells them.
    pub fn parse(text: &str) -> Option<Engine> {
        match text {
            "oie" => Some(Engine::Oie),
            "classic" => Some(Engine::Classic),
            _ => None,
        }
    }

    /// What `GET /.well-known/okta-organization` says in `pipeline`: the API reference's
    /// `PipelineType`, `idx` for Identity Engine and `v1` for Classic.
    pub fn pipeline(self) -> &'static str {
        match self {
            Engine::Oie => "idx",
            Engine::Classic => "v1",
        }
    }

    /// The status a new policy gets before its body's `status` is read, from the `activate`
    /// query parameter of `POST /api/v1/policies`. The API reference documents that parameter
    /// as valid only for Classic Engine orgs (default true). What Identity Engine does with it
    /// is not documented or recorded, so the emulator refuses it there: a client that works
    /// against the refusal also works if Okta ignores it, and not the other way round.
    pub fn new_policy_active(self, activate: Option<bool>) -> Result<bool, ApiError> {
        match (self, activate) {
            (_, None) => Ok(true),
            (Engine::Classic, Some(activate)) => Ok(activate),
            (Engine::Oie, Some(_)) => Err(ApiError::invalid(
                "activate: This query parameter is only valid for Classic Engine orgs",
            )),
        }
    }

    /// Checks a `PASSWORD` rule's `actions`. Classic Engine: `selfServicePasswordReset` takes
    /// only `access`; its `requirement` and `settings` (the recovery authenticators) exist on
    /// Identity Engine only, as the API reference marks them, and are refused.
    pub fn check_password_rule_actions(self, actions: &Value) -> Result<(), ApiError> {
        if self == Engine::Oie {
            return Ok(());
        }
        let reset = actions.get("selfServicePasswordReset");
        for field in ["requirement", "settings"] {
            if reset.and_then(|reset| reset.get(field)).is_some() {
                return Err(ApiError::invalid(format!(
                    "actions.selfServicePasswordReset.{field}: Only valid for Identity Engine orgs"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_classic_takes_the_activate_parameter_of_a_policy_create() {
        assert_eq!(Engine::Classic.new_policy_active(Some(false)), Ok(false));
        assert_eq!(Engine::Classic.new_policy_active(None), Ok(true));
        assert_eq!(Engine::Oie.new_policy_active(None), Ok(true));
        assert!(Engine::Oie.new_policy_active(Some(true)).is_err());
    }

    #[test]
    fn classic_refuses_identity_engine_recovery_requirements_in_a_rule() {
        let actions = json!({"selfServicePasswordReset": {"access": "ALLOW",
            "requirement": {"primary": {"methods": ["email"]}}}});
        assert!(
            Engine::Classic
                .check_password_rule_actions(&actions)
                .is_err()
        );
        assert_eq!(Engine::Oie.check_password_rule_actions(&actions), Ok(()));
        let plain = json!({"selfServicePasswordReset": {"access": "DENY"}});
        assert_eq!(Engine::Classic.check_password_rule_actions(&plain), Ok(()));
    }

    #[test]
    fn engines_name_their_pipeline() {
        assert_eq!(Engine::parse("oie").map(Engine::pipeline), Some("idx"));
        assert_eq!(Engine::parse("classic").map(Engine::pipeline), Some("v1"));
        assert_eq!(Engine::parse("CLASSIC"), None);
    }
}
