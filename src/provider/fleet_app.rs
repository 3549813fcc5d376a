//! The service app okta-msp registers in an org so that the fleet key reaches it (issue 26):
//! made with the org's API token one last time (a new org's Org Creator token, or a token org
//! moving over), then proven with the fleet key, and kept trusting exactly the fleet keys
//! during rotations, through the app itself.
//!
//! Every step can be repeated: the app is looked up by its label before one is made, scopes are
//! granted when the listing lacks them, and Okta's "already assigned" passes for the role. So a
//! set-up that stopped half-way resumes by running again.

use crate::okta::{Client, OktaError};

use super::fleet_key::{FLEET_APP_LABEL, FleetKeys, fleet_scopes};
use super::org_access::OrgSession;

/// The role the app holds: the org's integration account holds it too, and only a super admin
/// may grant scopes to apps (Okta's service app guide).
const SUPER_ADMIN: &str = "SUPER_ADMIN";

/// Which step failed, and Okta's answer.
#[derive(Debug, thiserror::Error)]
#[error("{step}: {error}")]
pub struct StepFailed {
    pub step: &'static str,
    #[source]
    pub error: OktaError,
}

fn at(step: &'static str) -> impl FnOnce(OktaError) -> StepFailed {
    move |error| StepFailed { step, error }
}

/// Registers the fleet app with `admin` (a client sending the org's API token) or finds the one
/// an earlier run made, makes it trust the fleet keys, grants it every fleet scope and
/// `SUPER_ADMIN`. Returns its client id.
pub async fn register(
    admin: &Client,
    org_url: &str,
    fleet: &FleetKeys,
) -> Result<String, StepFailed> {
    let existing = admin
        .service_apps_labelled(FLEET_APP_LABEL)
        .await
        .map_err(at("looking for the org's okta-msp service app"))?;
    let client_id = match existing.into_iter().next() {
        Some(app) => {
            tracing::info!(
                org = org_url,
                "found the org's okta-msp service app: resuming its set-up"
            );
            let client_id = app.client_id().to_owned();
            add_missing_keys(admin, &client_id, fleet).await?;
            client_id
        }
        None => {
            let app = admin
                .create_service_app(FLEET_APP_LABEL, &fleet.public_keys())
                .await
                .map_err(at("registering the org's okta-msp service app"))?;
            tracing::info!(org = org_url, "registered the org's okta-msp service app");
            app.client_id().to_owned()
        }
    };
    let granted: Vec<String> = admin
        .list_app_grants(&client_id)
        .await
        .map_err(at("reading the service app's scopes"))?
        .into_iter()
        .filter(|grant| grant.status.as_deref() != Some("REVOKED"))
        .map(|grant| grant.scope_id)
        .collect();
    for scope in fleet_scopes() {
        if !granted.contains(&scope) {
            admin
                .grant_app_scope(&client_id, org_url, &scope)
                .await
                .map_err(at("granting the service app its scopes"))?;
        }
    }
    admin
        .assign_client_role(&client_id, SUPER_ADMIN)
        .await
        .map_err(at("assigning SUPER_ADMIN to the service app"))?;
    Ok(client_id)
}

/// Proves that the fleet key reaches the org through its app: a token, then one read.
pub async fn prove(org: &OrgSession) -> Result<(), StepFailed> {
    org.org_id().await.map(drop).map_err(at(
        "reading the org through its service app with the fleet key",
    ))
}

/// Makes the app trust exactly the fleet keys, through the app itself (`okta.apps.manage`):
/// the missing ones are added first, then the others removed, so that no moment trusts none of
/// the keys in use. Returns the `kid`s it trusts.
pub async fn sync_keys(
    app: &Client,
    client_id: &str,
    fleet: &FleetKeys,
) -> Result<Vec<String>, StepFailed> {
    add_missing_keys(app, client_id, fleet).await?;
    let wanted = fleet.trusted_key_ids();
    let keys = app
        .list_app_keys(client_id)
        .await
        .map_err(at("reading the service app's keys"))?;
    for key in keys {
        if !key.kid.as_ref().is_some_and(|kid| wanted.contains(kid)) {
            app.remove_app_key(client_id, &key.id).await.map_err(at(
                "removing a key the fleet no longer uses from the service app",
            ))?;
        }
    }
    Ok(wanted)
}

async fn add_missing_keys(
    client: &Client,
    client_id: &str,
    fleet: &FleetKeys,
) -> Result<(), StepFailed> {
    let present: Vec<String> = client
        .list_app_keys(client_id)
        .await
        .map_err(at("reading the service app's keys"))?
        .into_iter()
        .filter_map(|key| key.kid)
        .collect();
    for kid in fleet.trusted_key_ids() {
        if present.contains(&kid) {
            continue;
        }
        if let Some(public) = fleet.public_key_for(&kid) {
            client
                .add_app_key(client_id, &public)
                .await
                .map_err(at("adding the fleet key to the service app"))?;
        }
    }
    Ok(())
}

/// Revokes the API token `admin` sends (`DELETE /api/v1/api-tokens/current`).
pub async fn revoke_token(admin: &Client) -> Result<(), StepFailed> {
    admin
        .revoke_current_api_token()
        .await
        .map_err(at("revoking the org's API token"))
}
