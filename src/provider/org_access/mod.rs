//! Access to customer orgs for the resources of one provider instance: which token to use, one
//! client per org (so the rate limiter and connections are shared by every resource of the
//! org), and per-run facts fetched once per org instead of once per resource (the org's id and
//! engine, the service account group and its members).

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::okta::{self, Client, ClientOptions, OktaError, OrgUrl, User};
use crate::secret::Secret;

use super::baseline::{BaselineObjects, ObservedBaseline, ensure_baseline, observe_baseline};
use super::held_roles::held_roles;
use super::provider_config::{ProviderConfig, normalize_org_url};
use super::service_apps::ServiceAppConfig;
use changes::ChangeLog;
use coalesce::Coalesced;
use mailbox::MailboxChecks;
use users::OrgUsers;

mod changes;
pub mod coalesce;
mod mailbox;
pub mod role_freshness;
pub mod seen;
mod users;

use crate::rules::baseline::SecuringBaseline;
use crate::rules::baseline_owner::{OwnerMarker, parse_marker, with_marker};
use crate::rules::role::{HeldRole, RolePath};
use crate::rules::user_type::Finalizer;
pub use changes::CHANGE_EVENT_WINDOW;
pub use role_freshness::{ReadDecision, Verified};
pub use seen::{SeenInState, UnfinishedOrg};

/// Why an org cannot be reached, before any request is made.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the provider is not configured yet")]
    NotConfigured,
    #[error(
        "no API token or service app for {org_url}: set org_api_token on the resource, or add \"{org_url}\" to the provider's org_tokens (or OKTA_MSP_ORG_TOKENS) or org_credentials (or OKTA_MSP_ORG_CREDENTIALS)"
    )]
    NoToken { org_url: String },
    /// An org named by its app's `client_id` (`org_client_id`, `service_app_client_id`)
    /// without a fleet key to sign for it.
    #[error(
        "{org_url} is reached through its service app {client_id}, which trusts the fleet key, and the provider has none: set fleet_key_file, or OKTA_MSP_FLEET_KEY"
    )]
    NoFleetKey { org_url: String, client_id: String },
    /// The partner org (Org Creator API) is not configured.
    #[error(
        "creating an org goes through the partner org, and the provider has no {argument}: set it in the provider block, or {variable}"
    )]
    NoPartner {
        argument: &'static str,
        variable: &'static str,
    },
    #[error(transparent)]
    Okta(#[from] OktaError),
}

/// One org as this provider instance sees it during one Terraform run.
pub struct OrgSession {
    pub client: Client,
    /// `GET /api/v1/org`, once.
    org_id: tokio::sync::OnceCell<String>,
    /// The service account group's id, once known (found by a read, or ensured with the
    /// baseline).
    group_id: tokio::sync::OnceCell<String>,
    /// A read's lookup of the group (which may find none).
    group_lookup: tokio::sync::OnceCell<Option<String>>,
    /// The org's engine (`/.well-known/okta-organization`), once: the baseline is written and
    /// read differently on Identity Engine and on Classic Engine.
    engine: tokio::sync::OnceCell<okta::Engine>,
    /// The securing baseline's objects, ensured once per run: several accounts of one org set up
    /// in the same apply must not each create the policies.
    baseline: tokio::sync::OnceCell<BaselineObjects>,
    /// The baseline as observed, once per run, shared by every read of the org.
    observed: tokio::sync::OnceCell<ObservedBaseline>,
    /// The group's members (full user objects), listed once per run and shared by every read
    /// of the org; additions made by this process are recorded so later checks see them.
    members: tokio::sync::OnceCell<Mutex<HashMap<String, User>>>,
    /// What changed in the org that a refresh verifies (admin roles, the baseline's policies,
    /// rules and zones), from one System Log query per run (`org_changes`): a read verified
    /// before and with no event since needs no roles call, and no baseline reads.
    changes: tokio::sync::OnceCell<ChangeLog>,
    /// How late the System Log may list an event (the provider's `log_lag_window_seconds`).
    log_lag_window: Duration,
    /// This configuration as it signs its finalizations (its name, or unnamed where it runs):
    /// written beside the finalized mark, and how a create knows an account it finalized
    /// without a state (G20).
    finalizer: Finalizer,
    /// The service account group's description as the group lookup found it: it carries the
    /// baseline's owner marker (`rules::baseline_owner`).
    group_description: Mutex<Option<String>>,
    /// The dedicated-mailbox checks of the accounts this run creates, answered together.
    pub mailboxes: MailboxChecks,
    /// The admin roles a new member of the service account group holds through groups (Okta's
    /// `assignmentType: GROUP`), read once per run from the roles of the first account this run
    /// creates: every account created afterwards holds them too.
    inherited_roles: tokio::sync::OnceCell<Vec<HeldRole>>,
    /// The names of groups accounts hold a role through, read once per run for the messages of
    /// the findings (`None`: Okta no longer finds the group).
    group_names: Mutex<HashMap<String, Option<String>>>,
    /// How many plans of new accounts and set-ups of this org are in progress: the shared
    /// login listing goes as soon as every plan in progress has asked, while no apply is.
    pub activity: Activity,
    /// The owner marker's write, once per run however many set-ups of the org ask at once.
    marker_written: tokio::sync::OnceCell<()>,
    /// The plan's lookups of who holds a login (lower case), answered together (a large org).
    login_holders: Coalesced<Option<User>>,
    /// The org's users read whole, which answers the plan's lookups of a small org.
    users: OrgUsers,
}

impl OrgSession {
    fn new(client: Client, log_lag_window: Duration, finalizer: Finalizer) -> OrgSession {
        OrgSession {
            client,
            log_lag_window,
            finalizer,
            org_id: tokio::sync::OnceCell::new(),
            group_id: tokio::sync::OnceCell::new(),
            group_lookup: tokio::sync::OnceCell::new(),
            engine: tokio::sync::OnceCell::new(),
            baseline: tokio::sync::OnceCell::new(),
            observed: tokio::sync::OnceCell::new(),
            members: tokio::sync::OnceCell::new(),
            changes: tokio::sync::OnceCell::new(),
            group_description: Mutex::new(None),
            mailboxes: MailboxChecks::default(),
            login_holders: Coalesced::default(),
            users: OrgUsers::default(),
            marker_written: tokio::sync::OnceCell::new(),
            activity: Activity::default(),
            inherited_roles: tokio::sync::OnceCell::new(),
            group_names: Mutex::new(HashMap::new()),
        }
    }

    /// This configuration's name (`baseline_owner`), empty when unnamed.
    pub fn configuration(&self) -> &str {
        &self.finalizer.name
    }

    /// This configuration as it signs its finalizations (`rules::user_type::Finalizer`).
    pub fn finalizer(&self) -> &Finalizer {
        &self.finalizer
    }

    /// The baseline's owner marker, from the group lookup of this run (`None` when the group
    /// has none, or has not been looked up).
    pub fn baseline_marker(&self) -> Option<OwnerMarker> {
        let description = self
            .group_description
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        description.as_deref().and_then(parse_marker)
    }

    /// Records `marker` as the baseline's owner in the group's description, keeping its name and
    /// the rest of its description.
    pub async fn write_baseline_marker(
        &self,
        group_id: &str,
        group_name: &str,
        marker: &OwnerMarker,
    ) -> Result<(), OktaError> {
        self.marker_written
            .get_or_try_init(|| async {
                let current = self
                    .group_description
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone()
                    .unwrap_or_else(|| super::baseline::GROUP_DESCRIPTION.to_owned());
                let description = with_marker(&current, marker);
                self.client
                    .update_group(
                        group_id,
                        &okta::GroupProfile {
                            name: group_name.to_owned(),
                            description: Some(description.clone()),
                        },
                    )
                    .await?;
                *self
                    .group_description
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(description);
                Ok(())
            })
            .await
            .map(drop)
    }

    /// The id of the org that answers at this URL.
    pub async fn org_id(&self) -> Result<String, OktaError> {
        self.org_id
            .get_or_try_init(|| async { self.client.get_org().await.map(|org| org.id) })
            .await
            .cloned()
    }

    /// Whether the org runs Identity Engine or Classic Engine.
    pub async fn engine(&self) -> Result<okta::Engine, OktaError> {
        self.engine
            .get_or_try_init(|| async {
                let engine = self.client.get_org_metadata().await?.engine();
                tracing::debug!(?engine, "read the org's engine");
                Ok(engine)
            })
            .await
            .copied()
    }

    /// Creates or repairs the group, policies and zone of the securing baseline, once per run.
    pub async fn ensure_baseline(
        &self,
        baseline: &SecuringBaseline,
    ) -> Result<&BaselineObjects, OktaError> {
        let objects = self
            .baseline
            .get_or_try_init(|| async {
                let engine = self.engine().await?;
                ensure_baseline(&self.client, baseline, engine).await
            })
            .await?;
        let _ = self.group_id.set(objects.group_id.clone());
        Ok(objects)
    }

    /// The baseline's policies and zone as Okta has them, observed once per run. Without the
    /// group there is nothing to observe: every policy reads as missing.
    pub async fn observed_baseline(
        &self,
        baseline: &SecuringBaseline,
        group_id: Option<&str>,
    ) -> Result<&ObservedBaseline, OktaError> {
        self.observed
            .get_or_try_init(|| async {
                match group_id {
                    Some(group_id) => {
                        let engine = self.engine().await?;
                        observe_baseline(&self.client, baseline, group_id, engine).await
                    }
                    None => Ok(ObservedBaseline::missing()),
                }
            })
            .await
    }

    /// The service account group's id without creating it (reads never write), looked up once
    /// per run however many reads ask at once.
    pub async fn existing_group_id(&self, name: &str) -> Result<Option<String>, OktaError> {
        if let Some(id) = self.group_id.get() {
            return Ok(Some(id.clone()));
        }
        self.group_lookup
            .get_or_try_init(|| async {
                let group = self.client.find_group_by_name(name).await?;
                if let Some(group) = &group {
                    *self
                        .group_description
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()) = group.profile.description.clone();
                }
                Ok(group.map(|group| group.id))
            })
            .await
            .cloned()
    }

    /// The group's members, listed once per run.
    async fn members(&self, group_id: &str) -> Result<&Mutex<HashMap<String, User>>, OktaError> {
        self.members
            .get_or_try_init(|| async {
                let members = self.client.list_group_members(group_id).await?;
                Ok::<_, OktaError>(Mutex::new(
                    members
                        .into_iter()
                        .map(|user| (user.id.clone(), user))
                        .collect(),
                ))
            })
            .await
    }

    /// Whether `user_id` is in the group, from one listing of its members per run.
    pub async fn is_member(&self, group_id: &str, user_id: &str) -> Result<bool, OktaError> {
        if group_id.is_empty() {
            return Ok(false);
        }
        Ok(self
            .members(group_id)
            .await?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(user_id))
    }

    /// A member of the group as the per-run listing saw it.
    pub async fn member(&self, group_id: &str, user_id: &str) -> Result<Option<User>, OktaError> {
        if group_id.is_empty() {
            return Ok(None);
        }
        Ok(self
            .members(group_id)
            .await?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user_id)
            .cloned())
    }

    /// Whether a refresh may trust the roles of `user_id` as `verified`, from one System Log
    /// query per run (see `role_freshness`).
    pub async fn roles_read(&self, user_id: &str, verified: Option<Verified>) -> ReadDecision {
        match self.change_log().await.roles_of(user_id) {
            Some(view) => role_freshness::decide(verified, &view, self.log_lag_window),
            None => ReadDecision::Direct,
        }
    }

    /// Whether a refresh may trust the securing baseline as `verified`, from the same query: no
    /// policy, rule or zone event since.
    pub async fn baseline_read(&self, verified: Option<Verified>) -> ReadDecision {
        match self.change_log().await.baseline() {
            Some(view) => role_freshness::decide(verified, &view, self.log_lag_window),
            None => ReadDecision::Direct,
        }
    }

    /// The times of a verification made in this run, in Okta's time (`None` before any answer
    /// carried a `Date`): from the run's first answer, which no read of this run precedes, so
    /// that anyone else's change after any read the verification rests on is looked for (an
    /// account's create, its role grants, the baseline read once per org); until now at the
    /// latest, after this set-up's last write.
    pub fn verification_times(&self) -> Option<Verified> {
        let okta = self.client.okta_time()?;
        Some(Verified {
            read_from: okta.first_answer,
            own_writes_until: okta.now_before,
        })
    }

    async fn change_log(&self) -> &ChangeLog {
        self.changes
            .get_or_init(|| ChangeLog::fetch(&self.client))
            .await
    }

    /// Whether the group `group_id` (remembered from an earlier verification) still exists in
    /// the org, from the member listing every refresh reads anyway. Okta's ids are unique
    /// across orgs, so finding it also proves the URL still leads to the org it was found in.
    pub async fn group_listed(&self, group_id: &str) -> Result<bool, OktaError> {
        // Not recorded as the group's id: a plan's owner check still looks the group up, for
        // the owner marker in its description, which the listing does not carry.
        match self.members(group_id).await {
            Ok(_) => Ok(true),
            Err(error) if error.is_not_found() => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// The user holding `login` (without regard to case, in any status), if any: from the
    /// org's users read whole when they fit in two pages (`org_users`: one call per run and
    /// minute, however Terraform orders its plans), else from one listing shared by the
    /// lookups of the org's accounts planned together (two calls per 25 values). Either finds
    /// who else reads the account's `email`, which the apply's mailbox check (`mailbox`) then
    /// needs no call for: Terraform plans each resource again moments before it applies it.
    pub async fn holder_of_login(
        &self,
        login: &str,
        email: Option<&str>,
    ) -> Result<Option<User>, OktaError> {
        let client = &self.client;
        if let Some(users) = self.users.all(client).await? {
            if let Some(email) = email.filter(|email| !email.is_empty()) {
                self.mailboxes.record_listing(&[email], &users);
            }
            return Ok(users::holder(&users, login).cloned());
        }
        let mailboxes = &self.mailboxes;
        let org_users = &self.users;
        let key = format!(
            "{}\n{}",
            login.to_lowercase(),
            email.unwrap_or_default().to_lowercase()
        );
        self.login_holders
            .ask(
                &key,
                |pending| self.activity.all_asked(pending),
                |keys: Vec<String>| async move {
                    let pairs: Vec<(&str, &str)> = keys
                        .iter()
                        .map(|key| key.split_once('\n').unwrap_or((key.as_str(), "")))
                        .collect();
                    let logins: Vec<&str> = pairs.iter().map(|(login, _)| *login).collect();
                    let emails: Vec<&str> = pairs
                        .iter()
                        .map(|(_, email)| *email)
                        .filter(|email| !email.is_empty())
                        .collect();
                    let (users, listings) =
                        client.users_with_logins_or_emails(&logins, &emails).await?;
                    // A search and a filter per chunk of values: what brings the next attempt
                    // to read the org whole nearer.
                    org_users.listed_by_value(listings);
                    mailboxes.record_listing(&emails, &users);
                    Ok::<_, OktaError>(
                        keys.iter()
                            .zip(&pairs)
                            .map(|(key, (login, _))| {
                                let holder = users.iter().find(|user| {
                                    user.profile
                                        .login
                                        .as_deref()
                                        .map(str::to_lowercase)
                                        .as_deref()
                                        == Some(*login)
                                });
                                (key.clone(), holder.cloned())
                            })
                            .collect(),
                    )
                },
            )
            .await
    }

    /// The roles a new account of the group holds through groups, from one roles listing per
    /// run (of `new_user_id`, the first new account to ask, whose own grants are made):
    /// what the assignment answers of a new account cannot say. A new account is a member of
    /// the service account group (`service_group_id`) only, so these are that group's roles,
    /// each with its path as the listing gives it.
    pub async fn roles_through_groups(
        &self,
        new_user_id: &str,
        service_group_id: &str,
    ) -> Result<Vec<HeldRole>, OktaError> {
        self.inherited_roles
            .get_or_try_init(|| async {
                let assignments = self.client.list_user_roles(new_user_id).await?;
                Ok::<_, OktaError>(inherited(&held_roles(&assignments, service_group_id)))
            })
            .await
            .cloned()
    }

    /// The name of group `group_id`, read once per run however many accounts hold a role
    /// through it; `None` when Okta no longer finds it.
    pub async fn group_name(&self, group_id: &str) -> Result<Option<String>, OktaError> {
        if let Some(known) = self
            .group_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(group_id)
        {
            return Ok(known.clone());
        }
        let name = match self.client.get_group(group_id).await {
            Ok(group) => Some(group.profile.name),
            Err(error) if error.is_not_found() => None,
            Err(error) => return Err(error),
        };
        self.group_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(group_id.to_owned(), name.clone());
        Ok(name)
    }

    /// Records that `user` joined the group without a call of its own (created with the group
    /// in `groupIds`), so later checks of this run see it.
    pub fn joined(&self, user: &User) {
        if let Some(members) = self.members.get() {
            members
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(user.id.clone(), user.clone());
        }
    }

    /// Adds `user` to the group and to the cached membership.
    pub async fn add_member(&self, group_id: &str, user: &User) -> Result<(), OktaError> {
        self.client.add_user_to_group(group_id, &user.id).await?;
        if let Some(members) = self.members.get() {
            members
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(user.id.clone(), user.clone());
        }
        Ok(())
    }
}

/// The roles of `held` held through a group rather than directly, each once.
fn inherited(held: &[HeldRole]) -> Vec<HeldRole> {
    let mut roles: Vec<HeldRole> = held
        .iter()
        .filter(|role| role.path != RolePath::Direct)
        .cloned()
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Resource operations of one org in progress, counted by RAII guards.
#[derive(Default)]
pub struct Activity {
    planning_creates: AtomicUsize,
    applying: AtomicUsize,
}

/// Plans of new accounts in progress in this process, in every org.
static PLANNING_ANYWHERE: AtomicUsize = AtomicUsize::new(0);

/// Whether this process has applied anything: then it serves Terraform's apply walk, which
/// plans each resource again just before applying it, one by one as earlier ones finish.
static APPLIED_ANYWHERE: AtomicBool = AtomicBool::new(false);

impl Activity {
    /// Counts a plan of a new account until the guard is dropped.
    pub fn planning_create(&self) -> ActivityGuard<'_> {
        ActivityGuard::enter(&self.planning_creates, Some(&PLANNING_ANYWHERE))
    }

    /// Counts an apply until the guard is dropped.
    pub fn applying(&self) -> ActivityGuard<'_> {
        APPLIED_ANYWHERE.store(true, Ordering::SeqCst);
        ActivityGuard::enter(&self.applying, None)
    }

    /// With `pending` questions waiting: whether no more are on their way soon. So in a plan
    /// walk when every plan in progress is this org's and has asked: the next ones start only
    /// once these are answered. Not in the apply walk (see [`APPLIED_ANYWHERE`]), nor while
    /// other orgs have plans in progress (their answers free Terraform to start plans of this
    /// org's accounts too); then the quiet rule of `coalesce` decides.
    fn all_asked(&self, pending: usize) -> bool {
        let here = self.planning_creates.load(Ordering::SeqCst);
        !APPLIED_ANYWHERE.load(Ordering::SeqCst)
            && PLANNING_ANYWHERE.load(Ordering::SeqCst) <= here
            && pending >= here
    }
}

/// One operation counted in an [`Activity`] (and, for a plan, in the process-wide count).
pub struct ActivityGuard<'a>(&'a AtomicUsize, Option<&'static AtomicUsize>);

impl<'a> ActivityGuard<'a> {
    fn enter(counter: &'a AtomicUsize, overall: Option<&'static AtomicUsize>) -> ActivityGuard<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        if let Some(overall) = overall {
            overall.fetch_add(1, Ordering::SeqCst);
        }
        ActivityGuard(counter, overall)
    }
}

impl Drop for ActivityGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
        if let Some(overall) = self.1 {
            overall.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Every org this provider instance has talked to, by URL and token.
#[derive(Default)]
pub struct OrgAccess {
    contexts: Mutex<HashMap<(String, u64), Arc<OrgSession>>>,
}

impl OrgAccess {
    /// The org at `org_url`, reached with `token` if the resource passes one, else the
    /// provider's `org_tokens` entry.
    pub fn get(
        &self,
        config: &ProviderConfig,
        org_url: &str,
        token: Option<&str>,
    ) -> Result<Arc<OrgSession>, AccessError> {
        self.reach(config, org_url, token, None)
    }

    /// The org at `org_url`, reached with the resource's own `token`, else through its service
    /// app `client_id` signed with the fleet key, else the provider's `org_credentials` or
    /// `org_tokens` entry.
    pub fn reach(
        &self,
        config: &ProviderConfig,
        org_url: &str,
        token: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<Arc<OrgSession>, AccessError> {
        let normalized = normalize_org_url(org_url);
        let fleet_app;
        // A resource's own token first, then the org's service app, then its API token.
        let credential = match (token, client_id) {
            (Some(token), _) if !token.is_empty() => Credential::Token(Secret::new(token)),
            (_, Some(client_id)) if !client_id.is_empty() => {
                let fleet = config
                    .fleet
                    .as_ref()
                    .ok_or_else(|| AccessError::NoFleetKey {
                        org_url: crate::okta::url_for_display(&normalized),
                        client_id: client_id.to_owned(),
                    })?;
                fleet_app = ServiceAppConfig::from_service_app(fleet.service_app(client_id));
                Credential::App(&fleet_app)
            }
            _ => match config.org_service_apps.get(&normalized) {
                Some(app) => Credential::App(app),
                None => Credential::Token(config.org_tokens.get(&normalized).cloned().ok_or_else(
                    || AccessError::NoToken {
                        org_url: crate::okta::url_for_display(&normalized),
                    },
                )?),
            },
        };
        // The credential only distinguishes cache entries in this process; it is never stored.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match &credential {
            Credential::Token(token) => token.expose().hash(&mut hasher),
            // The key's id too: a rotation within one process signs with another key.
            Credential::App(app) => (
                "service app",
                &app.client_id,
                app.service_app().key.key_id(),
            )
                .hash(&mut hasher),
        }
        let key = (normalized.clone(), hasher.finish());
        let mut contexts = self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(context) = contexts.get(&key) {
            return Ok(context.clone());
        }
        let url = OrgUrl::parse(&normalized)?;
        let client = match credential {
            Credential::Token(token) => Client::new(url, token, client_options(config))?,
            Credential::App(app) => {
                Client::with_service_app(url, app.service_app(), client_options(config))?
            }
        };
        let context = Arc::new(OrgSession::new(
            client,
            config.log_lag_window,
            Finalizer {
                name: config.baseline_owner.clone(),
                location: config.location.clone(),
            },
        ));
        contexts.insert(key, context.clone());
        Ok(context)
    }

    /// A client for the partner org (Org Creator API).
    pub fn partner(&self, config: &ProviderConfig) -> Result<Client, AccessError> {
        let (url, credential) = partner_credentials(config)?;
        let url = OrgUrl::parse(&url)?;
        Ok(match credential {
            Credential::Token(token) => Client::new(url, token, client_options(config))?,
            Credential::App(app) => {
                Client::with_service_app(url, app.service_app(), client_options(config))?
            }
        })
    }
}

/// How the provider proves itself to one org.
pub enum Credential<'a> {
    Token(Secret),
    App(&'a ServiceAppConfig),
}

/// The partner org's URL and credential (its service app when one is configured, else its API
/// token), or which of them is missing: checked at plan time too, so that a configuration
/// without them fails before anything is created.
pub fn partner_credentials(
    config: &ProviderConfig,
) -> Result<(String, Credential<'_>), AccessError> {
    let url = config.partner_url.clone().ok_or(AccessError::NoPartner {
        argument: super::provider_config::attr::PARTNER_URL,
        variable: super::provider_config::ENV_PARTNER_URL,
    })?;
    if let Some(app) = &config.partner_service_app {
        return Ok((url, Credential::App(app)));
    }
    let token = config.partner_token.clone().ok_or(AccessError::NoPartner {
        argument: super::provider_config::attr::PARTNER_TOKEN,
        variable: super::provider_config::ENV_PARTNER_TOKEN,
    })?;
    Ok((url, Credential::Token(token)))
}

pub(crate) fn client_options(config: &ProviderConfig) -> ClientOptions {
    ClientOptions {
        max_retries: config.max_retries,
        request_timeout: Duration::from_secs(config.request_timeout_seconds),
        ..ClientOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_roles_held_through_a_group_are_inherited() {
        let assignments: Vec<okta::RoleAssignment> = serde_json::from_str(
            r#"[{"id":"ra1","type":"SUPER_ADMIN","assignmentType":"USER"},
                {"id":"ra2","type":"REPORT_ADMIN","assignmentType":"GROUP",
                 "_links":{"assignee":{"href":"https://x/api/v1/groups/00gsvc"}}},
                {"id":"ra3","type":"APP_ADMIN"},
                {"id":"ra4","type":"REPORT_ADMIN","assignmentType":"GROUP",
                 "_links":{"assignee":{"href":"https://x/api/v1/groups/00gsvc"}}}]"#,
        )
        .unwrap();
        let inherited = inherited(&held_roles(&assignments, "00gsvc"));
        assert_eq!(inherited.len(), 1);
        assert_eq!(inherited[0].role_type, "REPORT_ADMIN");
        assert_eq!(
            inherited[0].path,
            RolePath::ServiceAccountGroup {
                group_id: "00gsvc".into()
            }
        );
    }
}
