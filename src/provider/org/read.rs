//! Refresh and import of `okta_msp_org`: the org as Okta reports it, and its integration
//! account (the owner of the org's token).

use crate::provider::diag;
use crate::provider::provider_config::check_org_url;
use crate::rules::kind::ServiceAccountKind;
use crate::rules::user_type::user_type;
use crate::rules::violation::Input;
use tfplugin6::{Diagnostics, ImportRequest, ImportResponse, ReadRequest, ReadResponse};

use super::OrgResource;
use super::birth::{Reclaimed, reach_registered};
use super::integration_mark;
use super::model::{Org, identity_attr, identity_url};

impl OrgResource {
    pub(super) async fn refresh(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let prior = Org::from_value(&request.current_state);
        let Some(url) = prior.url.known().cloned() else {
            return Ok(ReadResponse {
                new_state: request.current_state,
                private: request.private,
                warnings: Diagnostics::new(),
            });
        };
        let config = self.shared.config().map_err(diag::org_access)?;
        let mut warnings = Diagnostics::new();
        let mut prior = prior;
        let reach = |state: &Org| {
            self.shared
                .org_access
                .reach(
                    config,
                    &url,
                    state.api_token.known_str(),
                    state.service_app_client_id.known_str(),
                )
                .map_err(diag::org_access)
        };
        let mut org = reach(&prior)?;
        let settings = match org.client.get_org().await {
            Ok(settings) => settings,
            Err(error) if error.is_unauthorized() => match self.app_behind(&prior, &url).await {
                Some(found) => {
                    warnings.push(diag::org_reached_through_app_instead_of_token(&url));
                    prior = Org {
                        api_token: Input::Null,
                        service_app_client_id: Input::Known(found.client_id),
                        service_app_key_ids: Input::Known(found.key_ids),
                        ..prior
                    };
                    org = reach(&prior)?;
                    org.client
                        .get_org()
                        .await
                        .map_err(|error| diag::okta("reading the org", &error))?
                }
                None => return Err(diag::org_token_refused(&url)),
            },
            Err(error) => return Err(diag::okta("reading the org", &error).into()),
        };
        if let Some(expected) = prior.id.known_str()
            && expected != settings.id
        {
            return Err(diag::wrong_org(&url, expected, &settings.id));
        }
        if !prior.is_finalized() {
            self.remember_unfinished(&prior);
        } else if let Some(subdomain) = prior.subdomain.known_str() {
            self.shared.seen.record_finalized_org(subdomain);
        }
        let status = match settings.status {
            Some(status) => Input::Known(status),
            None => prior.status.clone(),
        };
        let drift = match prior.integration_account_id.known_str() {
            Some(account_id) if prior.is_finalized() => {
                match integration_mark::drift(&org, account_id).await {
                    // A state written before `drift` existed keeps its null while nothing
                    // drifted: a scheduled `plan -refresh-only -detailed-exitcode` after an
                    // upgrade must not report a change.
                    Ok(drift) if drift.is_empty() && prior.drift == Input::Null => Input::Null,
                    Ok(drift) => Input::Known(drift),
                    Err(error) => {
                        warnings.push(diag::integration_mark_unchecked(&url, account_id, &error));
                        prior.drift.clone()
                    }
                }
            }
            _ => prior.drift.clone(),
        };
        Ok(ReadResponse {
            new_state: Org {
                status,
                drift,
                ..prior
            }
            .into_value(),
            private: request.private,
            warnings,
        })
    }

    /// For a state on a token Okta refuses, with no service app recorded: okta-msp's app in the
    /// org, when the configuration wants one, the provider has the fleet key and the app
    /// reaches the org state records (an org's birth that ended after it registered the app
    /// and revoked the token, before it could report). `None` otherwise: the token's refusal
    /// stands.
    async fn app_behind(&self, prior: &Org, url: &str) -> Option<Reclaimed> {
        if prior.service_app.known() != Some(&true)
            || prior.service_app_client_id.known().is_some()
            || prior.api_token.known_str().is_none()
        {
            return None;
        }
        let (Some(subdomain), Some(id)) = (prior.subdomain.known_str(), prior.id.known_str())
        else {
            return None;
        };
        match reach_registered(&self.shared, url, subdomain, id).await {
            Ok(found) => Some(found),
            Err(why) => {
                tracing::info!(org = url, %why, "the org's service app does not stand in for its refused token");
                None
            }
        }
    }

    pub(super) async fn import_existing(
        &self,
        request: ImportRequest,
    ) -> Result<ImportResponse, Diagnostics> {
        // `import { identity = { url = ... } }` arrives with an empty id and the URL in the
        // identity; both go on the same way.
        let by_identity;
        let url = if request.id.is_empty() && !request.identity.is_null() {
            by_identity = identity_url(&request.identity)
                .ok_or_else(|| diag::bad_import_identity(super::TYPE_NAME, identity_attr::URL))?;
            by_identity.trim().trim_end_matches('/')
        } else {
            request.id.trim().trim_end_matches('/')
        };
        if let Err(problem) = check_org_url(url) {
            return Err(diag::bad_org_import_id(url, &problem));
        }
        let config = self.shared.config().map_err(diag::org_access)?;
        let org = self
            .shared
            .org_access
            .get(config, url, None)
            .map_err(diag::org_access)?;
        let settings = org
            .client
            .get_org()
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the org", &e)))?;
        // The integration account is the owner of the token the provider was given for the org.
        let me = org
            .client
            .get_me()
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the token's owner", &e)))?;
        let roles: Vec<String> = org
            .client
            .list_user_roles(&me.id)
            .await
            .map_err(|e| {
                Diagnostics::from(diag::okta("reading the integration account's roles", &e))
            })?
            .into_iter()
            .map(|assignment| assignment.role_type)
            .collect();
        let mut warnings = Diagnostics::new();
        let compliant = roles == ["SUPER_ADMIN"] && me.status.as_str() == "ACTIVE";
        if !compliant {
            warnings.push(diag::import_findings(
                &format!("{} ({})", me.profile.login.as_deref().unwrap_or("?"), me.id),
                vec![format!(
                    "the integration account must be ACTIVE and hold exactly SUPER_ADMIN; it is {} with {}",
                    me.status.as_str(),
                    if roles.is_empty() { "no admin roles".to_owned() } else { roles.join(", ") }
                )],
            ));
        }
        // Finalized only when Okta records it (the marker), never inferred from a compliant
        // look: an org whose set-up a killed run left unfinished is resumed by the next apply,
        // which the plan shows (G18, G19).
        let finalized = me.profile.user_type.as_deref()
            == Some(user_type(ServiceAccountKind::MspIntegration, true).as_str());
        let state = Org {
            name: settings.company_name.clone().into(),
            subdomain: settings.subdomain.clone().into(),
            website: settings.website.clone().into(),
            integration_login: me.profile.login.clone().into(),
            integration_email: me.profile.email.clone().into(),
            id: Input::Known(settings.id.clone()),
            url: Input::Known(org.client.org_url().as_str().to_owned()),
            status: settings.status.clone().into(),
            api_token: Input::Null,
            integration_account_id: Input::Known(me.id.clone()),
            finalized: Input::Known(finalized),
            // Adopted orgs are meant to be finalized: an unfinished one is finished by the next
            // apply unless the configuration says `finalize = false`.
            finalize: Input::Known(true),
            deletion_policy: Input::Null,
            // An imported org is reached with a token; `service_app = true` moves it over.
            service_app: Input::Known(false),
            service_app_client_id: Input::Null,
            service_app_key_ids: Input::Null,
            // The next refresh of a finalized org reads the mark.
            drift: Input::Known(Vec::new()),
        };
        Ok(ImportResponse {
            state: state.into_value(),
            private: Vec::new(),
            warnings,
        })
    }
}
