//! The birth of a new org on its service app (issue 25): the Org Creator's call, the wait and
//! the app's registration, which the create runs in a task of its own, and the way back into an
//! org whose creating run was killed, through the app with the fleet key alone (`reclaim`).

use std::sync::{Arc, Mutex};

use crate::okta::{ChildOrg, Client, OrgUrl};
use crate::provider::org_access::client_options;
use crate::provider::{ProviderContext, diag, fleet_app};
use crate::secret::Secret;
use tfplugin6::Diagnostics;

use super::apply::answering;

/// Where the new org's registration stands, between the handler and its task: a stop during
/// the wait abandons it (the handler returns the token); once registering, it is finished.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Birth {
    Waiting,
    Registering,
    Abandoned,
}

/// Abandons the registration if it has not begun; false when it has (it must be finished).
pub(super) fn abandon(birth: &Mutex<Birth>) -> bool {
    let mut birth = birth.lock().unwrap_or_else(|e| e.into_inner());
    if *birth == Birth::Waiting {
        *birth = Birth::Abandoned;
    }
    *birth == Birth::Abandoned
}

/// The new org's URL: Okta's answer's, else the partner org's sibling, else Okta's default.
pub(super) fn org_url_of(created: &ChildOrg, expected: Option<&str>, subdomain: &str) -> String {
    match (&created.org_url, expected) {
        (Some(url), _) => url.as_str().to_owned(),
        (None, Some(url)) => url.to_owned(),
        (None, None) => format!("https://{subdomain}.okta.com"),
    }
}

/// Registers the org's fleet service app with `token` (the org's API token, one last time;
/// `new_org` when Okta just made the org, which has no app yet), proves it with the fleet key,
/// and revokes the token when `revoke` (a token only state held). Returns the app's client id,
/// the `kid`s it trusts and a warning when the revocation failed. A failure keeps the token
/// usable: the next apply resumes with it.
pub(super) async fn register_app(
    shared: &ProviderContext,
    url: &str,
    subdomain: &str,
    token: &Secret,
    revoke: bool,
    new_org: bool,
) -> Result<(String, Vec<String>, Diagnostics), Diagnostics> {
    let config = shared.config().map_err(diag::org_access)?;
    let Some(fleet) = &config.fleet else {
        return Err(diag::service_app_without_fleet_key(url));
    };
    let org_url = OrgUrl::parse(url).map_err(|e| diag::org_access(e.into()))?;
    // A client of its own, never the cached session: this token is revoked at the end.
    let admin = Client::new(org_url, token.clone(), client_options(config))
        .map_err(|e| diag::org_access(e.into()))?;
    answering(&admin).await?;
    let client_id = fleet_app::register(&admin, url, subdomain, new_org, fleet)
        .await
        .map_err(|failure| diag::fleet_app_failed(url, &failure, true))?;
    let org = shared
        .org_access
        .reach(config, url, None, Some(&client_id))
        .map_err(diag::org_access)?;
    fleet_app::prove(&org)
        .await
        .map_err(|failure| diag::fleet_app_failed(url, &failure, true))?;
    let mut warnings = Diagnostics::new();
    if revoke && let Err(failure) = fleet_app::revoke_token(&admin).await {
        warnings.push(diag::token_not_revoked(url, &failure));
    }
    tracing::info!(
        org = url,
        "the org is reached through its service app with the fleet key"
    );
    Ok((client_id, fleet.trusted_key_ids(), warnings))
}

/// An org an interrupted run created, found through okta-msp's app with the fleet key alone.
pub(super) struct Reclaimed {
    pub url: String,
    pub org_id: String,
    pub status: Option<String>,
    pub client_id: String,
    pub key_ids: Vec<String>,
}

/// Reaches the org `subdomain` at `url`, which Okta says exists, through the app okta-msp
/// registers there (`fleet_app::client_id_for`): a token for the `BOOTSTRAP_SCOPES` finishes
/// the app's grants, then the whole session reads the org. The app must carry the fleet key's
/// signed note for this org (a stranger's app can trust the fleet key's public key, which is
/// public, but cannot sign). Answers why not otherwise.
pub(super) async fn reclaim(
    shared: &ProviderContext,
    url: &str,
    subdomain: &str,
) -> Result<Reclaimed, String> {
    let config = shared.config().map_err(|e| e.to_string())?;
    let fleet = config
        .fleet
        .as_ref()
        .ok_or("the provider has no fleet key")?;
    let client_id = fleet_app::client_id_for(subdomain);
    let org_url = OrgUrl::parse(url).map_err(|e| e.to_string())?;
    let bootstrap = Client::with_service_app(
        org_url,
        crate::okta::oauth::ServiceApp {
            client_id: client_id.clone(),
            key: Arc::clone(&fleet.current),
            scopes: fleet_app::bootstrap_scopes(),
            use_dpop: true,
        },
        client_options(config),
    )
    .map_err(|e| e.to_string())?;
    fleet_app::finish_through_itself(&bootstrap, url, subdomain, fleet).await?;
    let org = shared
        .org_access
        .reach(config, url, None, Some(&client_id))
        .map_err(|e| e.to_string())?;
    let settings = org.client.get_org().await.map_err(|e| e.to_string())?;
    tracing::info!(
        org = url,
        "reached the org an interrupted run created through its service app"
    );
    Ok(Reclaimed {
        url: url.to_owned(),
        org_id: settings.id,
        status: settings.status,
        client_id,
        key_ids: fleet.trusted_key_ids(),
    })
}
