//! The birth of a new org on its service app (issue 25): the Org Creator's call, the wait and
//! the app's registration (`give_birth`, run by the birth helper process with a fleet key, else
//! by a task of the provider: see `birth_run.rs`), and the way back into an org whose creating
//! run was killed, through the app with the fleet key alone (`reclaim`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::okta::{ChildOrg, Client, NewChildOrg, OktaError, OrgUrl};
use crate::provider::fleet_key::FleetKeys;
use crate::provider::org_access::{OrgSession, client_options};
use crate::provider::provider_config::ProviderConfig;
use crate::provider::{ProviderContext, diag, fleet_app};
use crate::secret::Secret;
use tfplugin6::Diagnostics;

use super::apply::{answering, wait_for_new_org};
use super::birth_lock;

/// Where the new org's registration stands, between the create and the birth: a stop during
/// the wait abandons it (the create returns the token); once registering, it is finished.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Birth {
    Waiting,
    Registering,
    Abandoned,
}

/// The stage of one birth, shared by the create that waits for it and the birth itself (in one
/// process, or in the helper process, where the create's "abandon" line sets it).
pub(super) struct BirthControl(tokio::sync::watch::Sender<Birth>);

impl BirthControl {
    pub(super) fn new() -> BirthControl {
        BirthControl(tokio::sync::watch::Sender::new(Birth::Waiting))
    }

    /// Abandons the registration if it has not begun; false when it has (it must be finished).
    pub(super) fn abandon(&self) -> bool {
        let mut abandoned = false;
        self.0.send_modify(|birth| {
            if *birth == Birth::Waiting {
                *birth = Birth::Abandoned;
            }
            abandoned = *birth == Birth::Abandoned;
        });
        abandoned
    }

    /// Begins the registration unless it was abandoned first (false then).
    fn begin_registering(&self) -> bool {
        let mut registering = false;
        self.0.send_modify(|birth| {
            if *birth == Birth::Waiting {
                *birth = Birth::Registering;
            }
            registering = *birth == Birth::Registering;
        });
        registering
    }

    /// Resolves once the birth is abandoned (never, once it registers).
    async fn abandoned(&self) {
        let mut stage = self.0.subscribe();
        if stage
            .wait_for(|birth| *birth == Birth::Abandoned)
            .await
            .is_err()
        {
            std::future::pending::<()>().await;
        }
    }
}

/// What a birth is asked to do.
pub(super) struct BirthOrder {
    pub new_org: NewChildOrg,
    /// Where the new org should live (the partner org's sibling), when its URL can be derived.
    pub expected_url: Option<String>,
    /// Okta's wait between the creation and the first request to the new org.
    pub wait: Duration,
    /// Register the org's service app after the wait (a fleet key); else the birth is the Org
    /// Creator's call alone, and the create does the rest.
    pub register: bool,
}

/// What a birth reports, in this order: `Created` (or `Taken`, or `Failed` before it), then,
/// when it registers, `Registering` and `Registered` (or `Failed`), or `Abandoned` instead.
#[derive(Debug)]
pub(super) enum BirthEvent {
    /// Okta made the org: its answer carries the org's only credential.
    Created(ChildOrg),
    /// Okta says the subdomain exists; `answer_lost` when an earlier attempt of the same call
    /// failed without a clear answer (so that it most likely made the org).
    Taken {
        error: OktaError,
        answer_lost: bool,
    },
    /// Before `Created`: no org was made (or its answer was lost). After it: the registration
    /// failed, and the org's token still works.
    Failed(Diagnostics),
    Registering,
    Registered {
        client_id: String,
        key_ids: Vec<String>,
        /// The token's revocation failed, for one.
        warnings: Diagnostics,
    },
    /// Stopped as the create asked: before Okta's call (nothing made), or before the
    /// registration (the org's token is the create's to keep).
    Abandoned,
}

/// The longest a birth may still change its org after it took the birth lock: the wait Okta
/// asks for, then 15 minutes for the Org Creator's call and the app's registration (every call
/// has its own timeout; this bounds them together). Waiters for the lock wait as long.
pub(super) fn max_life(wait: Duration) -> Duration {
    wait + Duration::from_secs(15 * 60)
}

/// The birth of the org `order` names: takes the org's birth lock (waiting for an earlier
/// run's birth of it), asks the partner org's Org Creator for it, and with `order.register`
/// waits as Okta asks and registers the org's service app with the org's token, which it then
/// revokes. Everything it learns goes to `report`; it ends within the lock wait and
/// `max_life`. The one code path of the helper process and of the in-process task.
pub(super) async fn give_birth(
    shared: &ProviderContext,
    order: &BirthOrder,
    control: &BirthControl,
    report: &mut (dyn FnMut(BirthEvent) + Send),
) {
    let subdomain = order.new_org.subdomain.as_str();
    let partner = match shared
        .config()
        .and_then(|config| shared.org_access.partner(config))
    {
        Ok(partner) => partner,
        Err(error) => return report(BirthEvent::Failed(diag::org_access(error))),
    };
    let bound = max_life(order.wait);
    // Only an org on its app can be reclaimed by a later run, which is what the lock guards.
    let _lock = if order.register {
        let taken = tokio::select! {
            taken = birth_lock::acquire(partner.org_url().as_str(), subdomain, bound) => taken,
            () = control.abandoned() => return report(BirthEvent::Abandoned),
        };
        match taken {
            Ok(lock) => Some(lock),
            Err(error) => {
                tracing::warn!(%error, "the org's birth goes on without its lock");
                None
            }
        }
    } else {
        None
    };
    let born = tokio::time::timeout(bound, async {
        let created = match create_child_org(&partner, &order.new_org).await {
            Ok(created) => created,
            Err(OrgCreation::SubdomainTaken { error, answer_lost }) => {
                return report(BirthEvent::Taken { error, answer_lost });
            }
            Err(OrgCreation::Failed(error)) => {
                return report(BirthEvent::Failed(
                    diag::org_creation_failed(subdomain, &error).into(),
                ));
            }
        };
        let created_at = Instant::now();
        let url = org_url_of(&created, order.expected_url.as_deref(), subdomain);
        let token = created.token.clone();
        report(BirthEvent::Created(created));
        if !order.register {
            return;
        }
        tokio::select! {
            () = wait_for_new_org(&url, created_at + order.wait) => {}
            () = control.abandoned() => return report(BirthEvent::Abandoned),
        }
        if !control.begin_registering() {
            return report(BirthEvent::Abandoned);
        }
        report(BirthEvent::Registering);
        report(
            match register_app(shared, &url, subdomain, &token, true, true).await {
                Ok((client_id, key_ids, warnings)) => BirthEvent::Registered {
                    client_id,
                    key_ids,
                    warnings,
                },
                Err(diagnostics) => BirthEvent::Failed(diagnostics),
            },
        );
    })
    .await;
    if born.is_err() {
        report(BirthEvent::Failed(diag::org_birth_timed_out(
            subdomain, bound,
        )));
    }
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

/// Reaches the org `id` at `url` through okta-msp's app in it, reading only, for a state whose
/// token Okta refuses: a birth helper that ended after it registered the app revokes the Org
/// Creator's token before it reports, so a state saved without its report holds a dead token
/// while the app works. The org must be the one state records and the app okta-msp's own (the
/// fleet key's signed note); answers why not otherwise.
pub(super) async fn reach_registered(
    shared: &ProviderContext,
    url: &str,
    subdomain: &str,
    id: &str,
) -> Result<Reclaimed, String> {
    let config = shared.config().map_err(|e| e.to_string())?;
    let fleet = fleet_of(config)?;
    let (org, reached) = read_through_app(shared, config, fleet, url, subdomain).await?;
    if reached.org_id != id {
        return Err(format!(
            "its app reaches the org {}, not the org {id} this state records",
            reached.org_id
        ));
    }
    fleet_app::own_app(&org.client, subdomain, fleet).await?;
    Ok(reached)
}

/// The provider's fleet keys, or why a reach through the org's app cannot be tried.
fn fleet_of(config: &ProviderConfig) -> Result<&FleetKeys, String> {
    config
        .fleet
        .as_ref()
        .ok_or_else(|| "the provider has no fleet key".to_owned())
}

/// Reads the org at `url` through okta-msp's app in it (`fleet_app::client_id_for`), with the
/// session every later call of the run shares.
async fn read_through_app(
    shared: &ProviderContext,
    config: &ProviderConfig,
    fleet: &FleetKeys,
    url: &str,
    subdomain: &str,
) -> Result<(Arc<OrgSession>, Reclaimed), String> {
    let client_id = fleet_app::client_id_for(subdomain);
    let org = shared
        .org_access
        .reach(config, url, None, Some(&client_id))
        .map_err(|e| e.to_string())?;
    let settings = org.client.get_org().await.map_err(|e| e.to_string())?;
    let reached = Reclaimed {
        url: url.to_owned(),
        org_id: settings.id,
        status: settings.status,
        client_id,
        key_ids: fleet.trusted_key_ids(),
    };
    Ok((org, reached))
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
    let fleet = fleet_of(config)?;
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
    let (_, reached) = read_through_app(shared, config, fleet, url, subdomain).await?;
    tracing::info!(
        org = url,
        "reached the org an interrupted run created through its service app"
    );
    Ok(reached)
}

/// Why an org was not created.
enum OrgCreation {
    Failed(OktaError),
    /// Okta says the subdomain exists; `answer_lost` when an earlier attempt of this very call
    /// failed without a clear answer, so that it most likely made the org.
    SubdomainTaken {
        error: OktaError,
        answer_lost: bool,
    },
}

/// How often an org's creation is sent when each attempt fails unclearly.
const CREATE_ORG_ATTEMPTS: u32 = 3;

/// Creates the org, sending the request again after a failure that leaves its fate unknown
/// (5xx, timeout, broken connection; the client itself never replays a create). A replay cannot
/// make a second org, because the subdomain is unique: it creates the org the first attempt did
/// not, or is told that the subdomain exists, which then means the first attempt made it.
async fn create_child_org(partner: &Client, org: &NewChildOrg) -> Result<ChildOrg, OrgCreation> {
    let mut unclear = false;
    let mut attempts_left = CREATE_ORG_ATTEMPTS;
    loop {
        attempts_left -= 1;
        match partner.create_child_org(org).await {
            Ok(created) => return Ok(created),
            Err(error) if is_subdomain_taken(&error) => {
                return Err(OrgCreation::SubdomainTaken {
                    error,
                    answer_lost: unclear,
                });
            }
            Err(error) if attempts_left > 0 && error.is_transient() => {
                tracing::warn!(%error, "creating the org failed unclearly; sending it again");
                // A 429 was refused before Okta did anything; anything else may have happened.
                unclear |= error.status() != Some(429);
            }
            Err(error) => return Err(OrgCreation::Failed(error)),
        }
    }
}

/// Okta's validation error naming the subdomain as taken (`E0000001`, with a cause on the
/// `subdomain` field).
fn is_subdomain_taken(error: &OktaError) -> bool {
    match error {
        OktaError::Api {
            error_code, causes, ..
        } => {
            error_code == crate::okta::codes::VALIDATION_FAILED
                && causes.iter().any(|cause| {
                    let cause = cause.to_ascii_lowercase();
                    cause.starts_with("subdomain") && cause.contains("exist")
                })
        }
        _ => false,
    }
}
