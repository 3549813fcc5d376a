//! The account in Okta: create or adopt it, bring it to its desired setup (status, profile, roles,
//! group), observe it, and record finalization in Okta itself. Everything here is idempotent, so
//! an apply interrupted anywhere resumes where it stopped.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::okta::{NewUser, OktaError, RoleAssigned, User, UserProfile};
use crate::provider::baseline::ObservedBaseline;
use crate::provider::org_access::OrgSession;
use crate::provider::role_freshness::RolesRead;
use crate::rules::account_config::DesiredAccount;
use crate::rules::compliance::{ObservedAccount, ObservedPolicy};
use crate::rules::kind::ServiceAccountKind;
use crate::secret::Secret;

pub use crate::rules::user_type::{marked_accounts_search, parse_user_type, user_type};

pub fn is_finalized_in_okta(user: &User) -> bool {
    matches!(
        parse_user_type(user.profile.user_type.as_deref()),
        Some((_, true))
    )
}

/// The account's facts as Okta reports them.
pub struct Observed {
    pub user: User,
    pub role_types: Vec<String>,
    pub in_group: bool,
    /// Another user of the org has the same e-mail address. Looked up when an account is set up,
    /// verified or imported, and by the data source; a refresh does not look (it would cost a
    /// call per account), so it reads `false` there.
    pub email_shared: bool,
}

impl Observed {
    /// Every fact the rules assess: the account's own and the org's baseline.
    pub fn with_baseline(&self, baseline: &ObservedBaseline) -> ObservedAccount {
        ObservedAccount {
            password_policy: baseline.password_policy.clone(),
            sign_on_policy: baseline.sign_on_policy.clone(),
            network_zone_active: baseline.network_zone_active,
            ..self.to_rules()
        }
    }

    /// The account-level facts the rules assess. Policy fields are the org's, observed once per
    /// org (`with_baseline`), and read as missing here.
    pub fn to_rules(&self) -> ObservedAccount {
        let profile = &self.user.profile;
        ObservedAccount {
            status: self.user.status.as_str().to_owned(),
            login: profile.login.clone().unwrap_or_default(),
            email: profile.email.clone().unwrap_or_default(),
            first_name: profile.first_name.clone().unwrap_or_default(),
            last_name: profile.last_name.clone().unwrap_or_default(),
            role_types: self.role_types.clone(),
            in_service_account_group: self.in_group,
            email_shared_with_others: self.email_shared,
            recovery_question_set: self
                .user
                .credentials
                .as_ref()
                .is_some_and(|c| c.has_recovery_question()),
            has_password: self
                .user
                .credentials
                .as_ref()
                .is_some_and(|c| c.has_password()),
            password_policy: ObservedPolicy::Missing,
            sign_on_policy: ObservedPolicy::Missing,
            network_zone_active: None,
        }
    }
}

/// Creates the account, or adopts `existing`, the account that already has this login as the
/// caller's exact lookup found it (a retried or interrupted create never makes a second
/// account). A finalized account is never adopted by a create: that is G14, and the caller
/// refuses before getting here.
pub async fn create_or_adopt(
    org: &OrgSession,
    desired: &DesiredAccount,
    password: Secret,
    group_id: &str,
    existing: Option<User>,
) -> Result<User, OktaError> {
    if let Some(existing) = existing {
        tracing::info!(user_id = %existing.id, "adopting the existing account with this login");
        return Ok(existing);
    }
    let new_user = NewUser {
        profile: UserProfile {
            login: Some(desired.login.clone()),
            email: Some(desired.email.clone()),
            first_name: Some(desired.first_name.clone()),
            last_name: Some(desired.last_name.clone()),
            user_type: Some(user_type(desired.kind, false)),
            ..UserProfile::default()
        },
        password: Some(password),
        group_ids: vec![group_id.to_owned()],
    };
    // The client never replays a create whose request may have reached Okta. Here a lookup by
    // login settles what happened: the account exists (adopt it) or it does not (creating again
    // cannot make a second one).
    let mut attempts_left = CREATE_ATTEMPTS;
    loop {
        let error = match org.client.create_user(&new_user, true).await {
            Ok(user) => return Ok(user),
            Err(error) => error,
        };
        attempts_left -= 1;
        match org.client.find_user_by_login(&desired.login).await {
            Ok(Some(user)) => return Ok(user),
            Ok(None) if attempts_left > 0 && error.is_transient() => {
                tracing::debug!(%error, "the create failed and made no account; creating again");
            }
            _ => return Err(error),
        }
    }
}

/// How often a create is tried when each failure demonstrably made no account.
const CREATE_ATTEMPTS: u32 = 3;

/// Where an account is in its life: being set up (created, adopted or resumed), or finalized.
/// Some repairs are allowed only while it is set up, when no integration relies on its
/// credentials yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Setup,
    Finalized,
}

/// Brings the account to `desired`: active, profile as configured, exactly the roles, member of
/// the group, no recovery question. Each step is skipped when already true. `password` is set
/// only where Okta needs one to make the account `ACTIVE`, and only during setup.
pub async fn converge(
    org: &OrgSession,
    desired: &DesiredAccount,
    user: &User,
    group_id: &str,
    password: &Secret,
    stage: Stage,
) -> Result<(), OktaError> {
    let client = &org.client;
    bring_to_active(org, user, password, stage).await?;
    let profile = &user.profile;
    let wanted_type = user_type(desired.kind, is_finalized_in_okta(user));
    if profile.email.as_deref() != Some(desired.email.as_str())
        || profile.first_name.as_deref() != Some(desired.first_name.as_str())
        || profile.last_name.as_deref() != Some(desired.last_name.as_str())
        || profile.user_type.as_deref() != Some(wanted_type.as_str())
    {
        let update = UserProfile {
            email: Some(desired.email.clone()),
            first_name: Some(desired.first_name.clone()),
            last_name: Some(desired.last_name.clone()),
            user_type: Some(wanted_type),
            ..UserProfile::default()
        };
        client.update_user_profile(&user.id, &update).await?;
    }
    let assignments = client.list_user_roles(&user.id).await?;
    let wanted: BTreeSet<&str> = desired.admin_roles.iter().map(|r| r.as_str()).collect();
    let held: BTreeSet<&str> = assignments.iter().map(|a| a.role_type.as_str()).collect();
    for role in wanted.difference(&held) {
        match client.assign_role(&user.id, role).await? {
            RoleAssigned::Assigned(_) | RoleAssigned::AlreadyAssigned => {}
        }
    }
    for assignment in &assignments {
        let direct = assignment.assignment_type.as_deref().unwrap_or("USER") == "USER";
        if direct && !wanted.contains(assignment.role_type.as_str()) {
            client.unassign_role(&user.id, &assignment.id).await?;
        }
    }
    if !org.is_member(group_id, &user.id).await? {
        org.add_member(group_id, user).await?;
    }
    if user
        .credentials
        .as_ref()
        .is_some_and(|credentials| credentials.has_recovery_question())
    {
        remove_recovery_question(org, &user.id).await?;
    }
    Ok(())
}

/// Okta's allowed transitions to `ACTIVE` from each status. After finalization only those that
/// keep the account's credentials (unsuspend, unlock); the others need a person then, and the
/// compliance findings say so.
async fn bring_to_active(
    org: &OrgSession,
    user: &User,
    password: &Secret,
    stage: Stage,
) -> Result<(), OktaError> {
    let client = &org.client;
    let has_password = user
        .credentials
        .as_ref()
        .is_some_and(|credentials| credentials.has_password());
    match (user.status.as_str(), stage) {
        ("SUSPENDED", _) => client.unsuspend_user(&user.id).await,
        ("LOCKED_OUT", _) => client.unlock_user(&user.id).await,
        // Activation makes a user with a password ACTIVE, one without PROVISIONED.
        ("STAGED", _) => {
            if !has_password {
                client.set_password(&user.id, password).await?;
            }
            client.activate_user(&user.id).await
        }
        // Okta refuses `activate` here (E0000038): only a password completes the activation.
        ("PROVISIONED" | "PASSWORD_EXPIRED" | "RECOVERY", Stage::Setup) => {
            client.set_password(&user.id, password).await.map(drop)
        }
        ("DEPROVISIONED", Stage::Setup) => {
            client.activate_user(&user.id).await?;
            let activated = client.get_user(&user.id).await?;
            if activated.status.as_str() == "PROVISIONED" {
                client.set_password(&user.id, password).await?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Okta's API cannot clear `credentials.recovery_question`; unenrolling the security question
/// factor removes it.
async fn remove_recovery_question(org: &OrgSession, user_id: &str) -> Result<(), OktaError> {
    for factor in org.client.list_factors(user_id).await? {
        if factor.is_security_question() {
            org.client.delete_factor(user_id, &factor.id).await?;
        }
    }
    Ok(())
}

/// Reads the account as it is now. `None` when it no longer exists.
pub async fn observe(
    org: &OrgSession,
    user_id: &str,
    group_id: &str,
) -> Result<Option<Observed>, OktaError> {
    let user = match org.client.get_user(user_id).await {
        Ok(user) => user,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(error) => return Err(error),
    };
    let role_types = org
        .client
        .list_user_roles(user_id)
        .await?
        .into_iter()
        .map(|assignment| assignment.role_type)
        .collect();
    let in_group = org.is_member(group_id, user_id).await?;
    let email_shared = !users_sharing_a_mailbox(org, &[&user]).await?.is_empty();
    Ok(Some(Observed {
        user,
        role_types,
        in_group,
        email_shared,
    }))
}

/// The ids of those `accounts` whose e-mail address another user of the org also has (rule 5 of
/// the securing rules: a dedicated mailbox). One call per ten distinct addresses.
pub async fn users_sharing_a_mailbox(
    org: &OrgSession,
    accounts: &[&User],
) -> Result<HashSet<String>, OktaError> {
    let emails: Vec<&str> = accounts
        .iter()
        .filter_map(|user| user.profile.email.as_deref())
        .collect();
    if emails.is_empty() {
        return Ok(HashSet::new());
    }
    let holders = org.client.users_with_emails(&emails).await?;
    let mut holders_by_email: HashMap<String, Vec<&str>> = HashMap::new();
    for holder in &holders {
        if let Some(email) = holder.profile.email.as_deref() {
            holders_by_email
                .entry(email.to_lowercase())
                .or_default()
                .push(holder.id.as_str());
        }
    }
    Ok(accounts
        .iter()
        .filter(|user| {
            let Some(email) = user.profile.email.as_deref() else {
                return false;
            };
            holders_by_email
                .get(&email.to_lowercase())
                .is_some_and(|ids| ids.iter().any(|id| *id != user.id))
        })
        .map(|user| user.id.clone())
        .collect())
}

/// Reads the account for a refresh, from the org's per-run snapshot where it can: the group's
/// member listing for the user, and the System Log for whether its roles changed since they were
/// verified (`verified_roles` at `verified_at`). `None` when the account no longer exists; else
/// the account and whether its roles were trusted (with the verification time that still holds)
/// or read.
pub async fn observe_for_refresh(
    org: &OrgSession,
    user_id: &str,
    group_id: &str,
    verified: Option<(i64, &[String])>,
) -> Result<Option<(Observed, RolesRead)>, OktaError> {
    let (user, in_group) = match org.member(group_id, user_id).await? {
        Some(user) => (user, true),
        None => match org.client.get_user(user_id).await {
            Ok(user) => (user, false),
            Err(error) if error.is_not_found() => return Ok(None),
            Err(error) => return Err(error),
        },
    };
    let decision = org.roles_read(user_id, verified.map(|(at, _)| at)).await?;
    let role_types = match (decision, verified) {
        (RolesRead::Trust { .. }, Some((_, roles))) => roles.to_vec(),
        _ => org
            .client
            .list_user_roles(user_id)
            .await?
            .into_iter()
            .map(|assignment| assignment.role_type)
            .collect(),
    };
    let decision = match (decision, verified) {
        (RolesRead::Trust { .. }, None) => RolesRead::Direct,
        (decision, _) => decision,
    };
    Ok(Some((
        Observed {
            user,
            role_types,
            in_group,
            email_shared: false,
        },
        decision,
    )))
}

/// Records finalization in Okta (`userType`), so other workspaces see it.
pub async fn mark_finalized(
    org: &OrgSession,
    user_id: &str,
    kind: ServiceAccountKind,
) -> Result<(), OktaError> {
    let update = UserProfile {
        user_type: Some(user_type(kind, true)),
        ..UserProfile::default()
    };
    let error = match org.client.update_user_profile(user_id, &update).await {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    // The answer may have been lost after Okta recorded it: Okta has the last word (G20).
    match org.client.get_user(user_id).await {
        Ok(user) if is_finalized_in_okta(&user) => {
            tracing::info!(%user_id, "finalization was recorded although its answer was lost");
            Ok(())
        }
        _ => Err(error),
    }
}

/// Removes an account that never finalized: deactivate, then delete (Okta's two steps).
pub async fn delete(org: &OrgSession, user: &User) -> Result<(), OktaError> {
    let client = &org.client;
    if user.status.as_str() != "DEPROVISIONED" {
        client.deactivate_user(&user.id).await?;
    }
    match client.delete_user(&user.id).await {
        Err(error) if error.is_not_found() => Ok(()),
        other => other,
    }
}
