//! The service app okta-msp registers in an org so that the fleet key reaches it (issue 26):
//! made with the org's API token one last time (a new org's Org Creator token, or a token org
//! moving over), then proven with the fleet key, and kept trusting exactly the fleet keys
//! during rotations, through the app itself.
//!
//! Every step can be repeated: the app is looked up by its label before one is made, scopes are
//! granted when the listing lacks them, and Okta's "already assigned" passes for the role. So a
//! set-up that stopped half-way resumes by running again. The app's client id is chosen
//! (`client_id_for`), and its role and `BOOTSTRAP_SCOPES` come before every other scope, so a
//! set-up whose token died with a killed run is finished by the fleet key alone (issue 25).

use crate::okta::{App, Client, OktaError};

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

/// The scopes granted right after the app's role and before every other: with these alone the
/// fleet key finishes the app's set-up by itself (finds the app, grants it the rest), so that a
/// run killed while the app was being registered needs no token to resume (issue 25).
pub const BOOTSTRAP_SCOPES: [&str; 2] = ["okta.apps.read", "okta.appGrants.manage"];

/// The client id okta-msp gives its app in the org `subdomain`. Okta lets an app's creator
/// choose it (6 to 100 characters); a fixed one lets the next run ask the org's token endpoint
/// for a token with the fleet key alone, knowing nothing the killed run knew.
pub fn client_id_for(subdomain: &str) -> String {
    format!("okta-msp-fleet-{subdomain}")
}

/// Registers the fleet app with `admin` (a client sending the org's API token) or finds the one
/// an earlier run made, makes it trust the fleet keys, and gives it `SUPER_ADMIN`, then the
/// `BOOTSTRAP_SCOPES`, then every other fleet scope, in that order. A `new_org` has no app yet:
/// the app is made at once, with `client_id`, without a listing first. Returns its client id.
pub async fn register(
    admin: &Client,
    org_url: &str,
    subdomain: &str,
    new_org: bool,
    fleet: &FleetKeys,
) -> Result<String, StepFailed> {
    let client_id = &client_id_for(subdomain);
    let note = fleet.ownership_note(subdomain);
    let (app_id, client_id, resumed) = match new_org {
        true => match admin
            .create_service_app(
                FLEET_APP_LABEL,
                Some(client_id),
                note.as_deref(),
                &fleet.public_keys(),
            )
            .await
        {
            Ok(app) => (app.id.clone(), app.client_id().to_owned(), false),
            // An earlier attempt may have made it (Okta then refuses the taken client id).
            Err(error) => match find(admin, None).await? {
                Some(app) => (app.id.clone(), app.client_id().to_owned(), true),
                None => return Err(at("registering the org's okta-msp service app")(error)),
            },
        },
        false => match find(admin, None).await? {
            Some(app) => (app.id.clone(), app.client_id().to_owned(), true),
            None => {
                let app = admin
                    .create_service_app(
                        FLEET_APP_LABEL,
                        Some(client_id),
                        note.as_deref(),
                        &fleet.public_keys(),
                    )
                    .await
                    .map_err(at("registering the org's okta-msp service app"))?;
                (app.id.clone(), app.client_id().to_owned(), false)
            }
        },
    };
    if resumed {
        tracing::info!(
            org = org_url,
            "found the org's okta-msp service app: resuming its set-up"
        );
        add_missing_keys(admin, &app_id, fleet).await?;
    } else {
        tracing::info!(org = org_url, "registered the org's okta-msp service app");
    }
    admin
        .assign_client_role(&client_id, SUPER_ADMIN)
        .await
        .map_err(at("assigning SUPER_ADMIN to the service app"))?;
    let granted = match resumed {
        true => granted_scopes(admin, &app_id).await?,
        false => Vec::new(),
    };
    grant_missing(admin, &app_id, org_url, &granted).await?;
    Ok(client_id)
}

/// Finishes, through the app itself, the set-up of the fleet app of the org `subdomain` that a
/// killed run began: `bootstrap` reaches the org with the fleet key and the `BOOTSTRAP_SCOPES`
/// only. The app must carry the fleet key's signed ownership note (`FleetKeys::ownership_note`)
/// for this org, which a stranger's app trusting the fleet key's public key cannot; then it is
/// granted every fleet scope (a scope granted already is answered with its grant). Answers why
/// not: the app is not there or has not the bootstrap scopes yet (the killed run ended before),
/// or it is not okta-msp's.
pub async fn finish_through_itself(
    bootstrap: &Client,
    org_url: &str,
    subdomain: &str,
    fleet: &FleetKeys,
) -> Result<(), String> {
    let app = own_app(bootstrap, subdomain, fleet).await?;
    grant_missing(bootstrap, &app.id, org_url, &[])
        .await
        .map_err(|failure| failure.to_string())
}

/// The fleet app of the org `subdomain`, read through `client` (which needs `okta.apps.read`)
/// and checked to carry the fleet key's signed ownership note for this org. Reads only.
/// Answers why not: no such app, or one okta-msp did not make.
pub async fn own_app(client: &Client, subdomain: &str, fleet: &FleetKeys) -> Result<App, String> {
    let client_id = client_id_for(subdomain);
    let app = find(client, Some(&client_id))
        .await
        .map_err(|failure| failure.to_string())?
        .ok_or_else(|| {
            format!("no service app labelled {FLEET_APP_LABEL:?} with client id {client_id}")
        })?;
    let note = app
        .settings
        .pointer("/notes/admin")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if !fleet.signed_ownership(subdomain, note) {
        return Err(format!(
            "the app with client id {client_id} trusts the fleet key but does not carry okta-msp's note signed by it for this org, so okta-msp did not make it"
        ));
    }
    Ok(app)
}

/// The scopes for a token that can finish the app's set-up.
pub fn bootstrap_scopes() -> Vec<String> {
    BOOTSTRAP_SCOPES
        .iter()
        .map(|scope| (*scope).to_owned())
        .collect()
}

/// The org's okta-msp app: the one with `client_id` when given, else the first one labelled so.
async fn find(client: &Client, client_id: Option<&str>) -> Result<Option<App>, StepFailed> {
    let apps = client
        .service_apps_labelled(FLEET_APP_LABEL)
        .await
        .map_err(at("looking for the org's okta-msp service app"))?;
    Ok(apps
        .into_iter()
        .find(|app| client_id.is_none_or(|wanted| app.client_id() == wanted)))
}

async fn granted_scopes(client: &Client, app_id: &str) -> Result<Vec<String>, StepFailed> {
    Ok(client
        .list_app_grants(app_id)
        .await
        .map_err(at("reading the service app's scopes"))?
        .into_iter()
        .filter(|grant| grant.status.as_deref() != Some("REVOKED"))
        .map(|grant| grant.scope_id)
        .collect())
}

/// Grants the app the `BOOTSTRAP_SCOPES` first, then every other fleet scope not in `granted`.
async fn grant_missing(
    client: &Client,
    app_id: &str,
    org_url: &str,
    granted: &[String],
) -> Result<(), StepFailed> {
    let mut scopes = bootstrap_scopes();
    scopes.extend(
        fleet_scopes()
            .into_iter()
            .filter(|scope| !BOOTSTRAP_SCOPES.contains(&scope.as_str())),
    );
    for scope in scopes {
        if !granted.contains(&scope) {
            client
                .grant_app_scope(app_id, org_url, &scope)
                .await
                .map_err(at("granting the service app its scopes"))?;
        }
    }
    Ok(())
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
    // Older apps have their id as client id; since issue 25 the client id is chosen.
    let app_id = match find(app, Some(client_id)).await? {
        Some(found) => found.id,
        None => client_id.to_owned(),
    };
    add_missing_keys(app, &app_id, fleet).await?;
    let wanted = fleet.trusted_key_ids();
    let keys = app
        .list_app_keys(&app_id)
        .await
        .map_err(at("reading the service app's keys"))?;
    for key in keys {
        if !key.kid.as_ref().is_some_and(|kid| wanted.contains(kid)) {
            app.remove_app_key(&app_id, &key.id).await.map_err(at(
                "removing a key the fleet no longer uses from the service app",
            ))?;
        }
    }
    Ok(wanted)
}

async fn add_missing_keys(
    client: &Client,
    app_id: &str,
    fleet: &FleetKeys,
) -> Result<(), StepFailed> {
    let present: Vec<String> = client
        .list_app_keys(app_id)
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
                .add_app_key(app_id, &public)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Okta's bounds for a chosen client id (the reference's
    /// `ApplicationCredentialsOAuthClient.client_id`) hold for the longest subdomain a DNS label
    /// allows, and the bootstrap scopes are fleet scopes or the one that grants the rest.
    #[test]
    fn the_chosen_client_id_fits_okta_s_bounds_and_bootstrap_scopes_come_first() {
        for subdomain in ["a", "acme-corp", &"x".repeat(63)] {
            let client_id = client_id_for(subdomain);
            assert!((6..=100).contains(&client_id.len()), "{client_id}");
            assert!(
                client_id
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"$-_.+!*'(),".contains(&byte)),
                "{client_id}"
            );
            assert!(client_id.ends_with(subdomain));
        }
        assert_ne!(client_id_for("acme"), client_id_for("acme2"));
        let fleet = fleet_scopes();
        assert!(fleet.contains(&BOOTSTRAP_SCOPES[0].to_owned()));
        assert_eq!(BOOTSTRAP_SCOPES[1], "okta.appGrants.manage");
    }
}
