//! The configuration `-generate-config-out` writes for an account known only by its state (a
//! list result, or an import): the configurable attributes with the values under which the
//! next plan is a pure import of a finalized account (nothing to change).
//!
//! The kind is the one the state records (the list resource's decision, or the mark an import
//! read); when it records none, the kind is left null for the user to write rather than guessed.
//! Roles are left to the kind's defaults, which are exactly what an import records for a
//! finalized account, except for `custom`, whose roles are whatever it holds: read here (one
//! call per custom account). The token, the write-only password and `finalize` (default `true`,
//! as an import records) are left out.

use crate::provider::diag;
use crate::rules::kind::ServiceAccountKind;
use crate::rules::role::AdminRole;
use crate::rules::violation::Input;
use tfplugin6::{Diagnostics, GenerateConfigRequest, Value};

use super::ServiceAccountResource;
use super::model::ServiceAccount;

impl ServiceAccountResource {
    pub(super) async fn generated_config(
        &self,
        request: GenerateConfigRequest,
    ) -> Result<Value, Diagnostics> {
        let state = ServiceAccount::from_value(&request.state);
        let kind: Option<ServiceAccountKind> =
            state.kind.known_str().and_then(|kind| kind.parse().ok());
        let admin_roles = match (kind, state.id.known_str()) {
            (Some(ServiceAccountKind::Custom), Some(id)) => {
                let org = self.org(&state)?;
                let held = org.client.list_user_roles(id).await.map_err(|e| {
                    Diagnostics::from(diag::okta("reading the account's admin roles", &e))
                })?;
                let mut roles: Vec<String> = held
                    .iter()
                    .filter_map(|held| held.role_type.parse::<AdminRole>().ok())
                    .filter(|role| role.is_assignable())
                    .map(|role| role.as_str().to_owned())
                    .collect();
                roles.sort();
                roles.dedup();
                // None held stays null rather than `[]`, which no kind accepts: the user
                // declares a custom account's roles.
                if roles.is_empty() {
                    Input::Null
                } else {
                    Input::Known(roles)
                }
            }
            _ => Input::Null,
        };
        Ok(config_of(&state, admin_roles).into_value())
    }
}

/// The configuration for `state`: what names the account and what an import records, nothing
/// computed.
fn config_of(state: &ServiceAccount, admin_roles: Input<Vec<String>>) -> ServiceAccount {
    ServiceAccount {
        org_url: state.org_url.clone(),
        kind: state.kind.clone(),
        login: state.login.clone(),
        email: state.email.clone(),
        first_name: state.first_name.clone(),
        last_name: state.last_name.clone(),
        admin_roles,
        ..ServiceAccount::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_holds_only_what_is_configured() {
        let state = ServiceAccount {
            org_url: Input::Known("https://acme.okta.com".into()),
            org_api_token: Input::Known("secret".into()),
            kind: Input::Known("ad_agent".into()),
            login: Input::Known("oktaadagent@acme.example".into()),
            email: Input::Known("ad@acme.example".into()),
            first_name: Input::Known("Okta".into()),
            last_name: Input::Known("AD Agent".into()),
            admin_roles: Input::Known(vec!["READ_ONLY_ADMIN".into()]),
            finalize: Input::Known(true),
            id: Input::Known("00u1".into()),
            org_id: Input::Known("00o1".into()),
            status: Input::Known("ACTIVE".into()),
            finalized: Input::Known(true),
            ..ServiceAccount::default()
        };
        let config = config_of(&state, Input::Null);
        assert_eq!(config.kind, Input::Known("ad_agent".into()));
        assert_eq!(config.login, state.login);
        for null in [
            &config.org_api_token,
            &config.id,
            &config.org_id,
            &config.status,
            &config.password_wo,
        ] {
            assert_eq!(null, &Input::Null);
        }
        assert_eq!(config.admin_roles, Input::Null);
        assert_eq!(config.finalize, Input::Null);
    }
}
