//! Reading the account in Okta: the facts the rules assess (the account's own and, once per
//! org and run, the securing baseline's), for a set-up, an import, a refresh and the data source,
//! and who holds a login already, as the adoption rules see it.

use std::collections::{HashMap, HashSet};

use crate::okta::{OktaError, User};
use crate::provider::baseline::ObservedBaseline;
use crate::provider::held_roles::{UNNAMED_GROUP, held_roles};
use crate::provider::org_access::OrgSession;
use crate::provider::org_access::{ReadDecision, Verified};
use crate::rules::adoption::ExistingUser;
use crate::rules::baseline::SecuringBaseline;
use crate::rules::compliance::{ObservedAccount, ObservedPolicy};
use crate::rules::role::{HeldRole, RolePath};

/// The account's facts as Okta reports them.
pub struct Observed {
    pub user: User,
    /// Its effective admin privileges: every role it holds, and how.
    pub roles: Vec<HeldRole>,
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
            roles: self.roles.clone(),
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
    let roles = effective_roles(org, user_id, group_id).await?;
    let in_group = org.is_member(group_id, user_id).await?;
    let email_shared = !users_sharing_a_mailbox(org, &[&user]).await?.is_empty();
    Ok(Some(Observed {
        user,
        roles,
        in_group,
        email_shared,
    }))
}

/// The ids of those `accounts` whose e-mail address another user of the org also has (rule 5 of
/// the securing rules: a dedicated mailbox). Two calls per 25 distinct addresses.
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
    verified: Option<(Verified, &[String])>,
) -> Result<Option<(Observed, ReadDecision)>, OktaError> {
    let (user, in_group) = match org.member(group_id, user_id).await? {
        Some(user) => (user, true),
        None => match org.client.get_user(user_id).await {
            Ok(user) => (user, false),
            Err(error) if error.is_not_found() => return Ok(None),
            Err(error) => return Err(error),
        },
    };
    let decision = org.roles_read(user_id, verified.map(|(at, _)| at)).await;
    // Trusted, the roles are those verified: the configured ones, however they were held.
    let roles = match (decision, verified) {
        (ReadDecision::Trust { .. }, Some((_, roles))) => roles
            .iter()
            .map(|role| HeldRole::direct(role.as_str()))
            .collect(),
        _ => effective_roles(org, user_id, group_id).await?,
    };
    let decision = match (decision, verified) {
        (ReadDecision::Trust { .. }, None) => ReadDecision::Direct,
        (decision, _) => decision,
    };
    Ok(Some((
        Observed {
            user,
            roles,
            in_group,
            email_shared: false,
        },
        decision,
    )))
}

/// The account's effective admin privileges, from one listing of its roles (which holds those
/// of its groups and its custom roles too), each with how it is held; the groups it holds a
/// role through are named (one call per group), for the messages of the findings.
pub async fn effective_roles(
    org: &OrgSession,
    user_id: &str,
    service_group_id: &str,
) -> Result<Vec<HeldRole>, OktaError> {
    let assignments = org.client.list_user_roles(user_id).await?;
    let mut roles = held_roles(&assignments, service_group_id);
    name_groups(org, &mut roles).await?;
    Ok(roles)
}

/// Names each group a role is held through (read once per org and run). A group Okta no longer
/// finds keeps its id alone.
async fn name_groups(org: &OrgSession, roles: &mut [HeldRole]) -> Result<(), OktaError> {
    for role in roles.iter_mut() {
        if let RolePath::Group {
            group_id,
            group_name,
        } = &mut role.path
            && group_id != UNNAMED_GROUP
        {
            *group_name = org.group_name(group_id).await?;
        }
    }
    Ok(())
}

/// The standard role types of `roles`, sorted and without repeats: what a verification records.
pub fn role_types(roles: &[HeldRole]) -> Vec<String> {
    let mut types: Vec<String> = roles.iter().map(|role| role.role_type.clone()).collect();
    types.sort();
    types.dedup();
    types
}

/// Every fact the rules assess about `observed`: its own and the org's baseline, observed once
/// per run (without the group every policy reads as missing). The one step between observing an
/// account and assessing it, in a set-up, an import and a refresh.
pub async fn facts_with_baseline(
    org: &OrgSession,
    observed: &Observed,
    baseline: &SecuringBaseline,
    group_id: Option<&str>,
) -> Result<ObservedAccount, OktaError> {
    let org_baseline = org.observed_baseline(baseline, group_id).await?;
    Ok(observed.with_baseline(org_baseline))
}

/// The user that holds `login` in the org, as the adoption rules see it, if any. The plan's
/// check (G14, G17): the lookups of accounts planned together share one listing, and the
/// apply's create checks again exactly (Okta refuses a taken login).
pub async fn existing_user(
    org: &OrgSession,
    login: &str,
    email: Option<&str>,
) -> Result<Option<ExistingUser>, OktaError> {
    let Some(user) = org.holder_of_login(login, email).await? else {
        return Ok(None);
    };
    let role_types = org
        .client
        .list_user_roles(&user.id)
        .await?
        .into_iter()
        .map(|assignment| assignment.role_type)
        .collect();
    Ok(Some(existing_from(&user, role_types)))
}

/// `user`, holding `role_types`, as the adoption rules see it.
pub fn existing_from(user: &User, role_types: Vec<String>) -> ExistingUser {
    let profile = &user.profile;
    ExistingUser {
        id: user.id.clone(),
        login: profile.login.clone().unwrap_or_default(),
        status: user.status.as_str().to_owned(),
        email: profile.email.clone().unwrap_or_default(),
        first_name: profile.first_name.clone().unwrap_or_default(),
        last_name: profile.last_name.clone().unwrap_or_default(),
        user_type: profile.user_type.clone(),
        finalized_by: profile
            .other
            .get(crate::rules::user_type::FINALIZED_BY_ATTRIBUTE)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        role_types,
    }
}
