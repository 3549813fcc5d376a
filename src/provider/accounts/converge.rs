//! Changing the account in Okta: create it, bring it to its desired setup (status, profile,
//! roles, group), record finalization in Okta itself, delete it. Everything here is idempotent,
//! so an apply interrupted anywhere resumes where it stopped.

use std::collections::BTreeSet;

use crate::okta::{Client, NewUser, OktaError, RoleAssigned, RoleAssignment, User, UserProfile};
use crate::provider::org_access::OrgSession;
use crate::provider::password::AccountPassword;
use crate::rules::account_config::DesiredAccount;
use crate::rules::kind::ServiceAccountKind;
use crate::rules::user_type::{FINALIZED_BY_ATTRIBUTE, finalized_by, is_finalized_mark, user_type};
use crate::secret::Secret;

/// Whether Okta records `user` finalized: the provider's mark in its `userType`.
pub fn is_finalized_in_okta(user: &User) -> bool {
    is_finalized_mark(user.profile.user_type.as_deref())
}

/// The account Okta is asked to create: the provider's mark (not finalized), the password and
/// the group in one call.
fn new_user(desired: &DesiredAccount, password: Secret, group_id: &str) -> NewUser {
    NewUser {
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
    }
}

/// One create request; a generated password that Okta's password policy refuses (E0000080,
/// say a rule this provider does not know of) is drawn again once. A refused `password_wo` is
/// the configuration's to change, and fails.
async fn create_user(
    org: &OrgSession,
    desired: &DesiredAccount,
    password: &AccountPassword,
    group_id: &str,
) -> Result<User, OktaError> {
    let first = org
        .client
        .create_user(
            &new_user(desired, password.secret().clone(), group_id),
            true,
        )
        .await;
    match (first, password.redrawn()) {
        (Err(error), Some(another)) if error.is_password_refused() => {
            tracing::info!(login = %desired.login, "Okta refused the generated password; creating with another");
            org.client
                .create_user(&new_user(desired, another.secret().clone(), group_id), true)
                .await
        }
        (answer, _) => answer,
    }
}

/// What a create tried before any lookup found.
pub enum FirstCreate {
    /// Okta made the account: its answer is the account as it now is.
    Created(Box<User>),
    /// Okta refused the login as taken, or the answer was lost: who holds the login now
    /// decides, through the adoption rules (`set_up::find_adoptable`).
    LookUp,
}

/// Creates the account without looking its login up first. Okta refuses a login someone holds,
/// in any status (E0000001 "login: An object with this field already exists"), which tells the
/// apply what the lookup would have, and a free login, the usual case, costs one call instead
/// of two. Any other refusal is the create's error.
pub async fn create_first(
    org: &OrgSession,
    desired: &DesiredAccount,
    password: &AccountPassword,
    group_id: &str,
) -> Result<FirstCreate, OktaError> {
    match create_user(org, desired, password, group_id).await {
        Ok(user) => Ok(FirstCreate::Created(Box::new(user))),
        Err(error) if error.is_login_taken() || error.is_transient() => {
            tracing::debug!(%error, "the create did not answer with a new account; looking the login up");
            Ok(FirstCreate::LookUp)
        }
        Err(error) => Err(error),
    }
}

/// Creates the account once a lookup found nobody holding the login. A retried or interrupted
/// create never makes a second account: after an unclear failure the login is looked up
/// exactly, and the account found is the one to adopt.
pub async fn create_or_adopt(
    org: &OrgSession,
    desired: &DesiredAccount,
    password: &AccountPassword,
    group_id: &str,
) -> Result<User, OktaError> {
    // The client never replays a create whose request may have reached Okta. Here a lookup by
    // login settles what happened: the account exists (adopt it) or it does not (creating again
    // cannot make a second one).
    let mut attempts_left = CREATE_ATTEMPTS;
    loop {
        let error = match create_user(org, desired, password, group_id).await {
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

/// Assigns the desired roles to an account this apply has just created, which holds none yet:
/// Okta's answers are the roles it now holds, with no listing before or after. Returns their
/// types.
pub async fn grant_roles_to_new(
    org: &OrgSession,
    user_id: &str,
    desired: &DesiredAccount,
) -> Result<Vec<String>, OktaError> {
    let mut held = Vec::new();
    // One at a time: Okta refuses concurrent changes of one user's roles (E0000268).
    for role in &desired.admin_roles {
        match org.client.assign_role(user_id, role.as_str()).await? {
            RoleAssigned::Assigned(assignment) => held.push(assignment.role_type),
            // A replay after a lost answer: the first request assigned it.
            RoleAssigned::AlreadyAssigned => held.push(role.as_str().to_owned()),
        }
    }
    Ok(held)
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
    converge_outside_group(org, desired, user, group_id, password, stage).await?;
    join_group(org, group_id, user).await
}

/// Puts the account in the service account group, unless it is a member.
pub async fn join_group(org: &OrgSession, group_id: &str, user: &User) -> Result<(), OktaError> {
    if !org.is_member(group_id, &user.id).await? {
        org.add_member(group_id, user).await?;
    }
    Ok(())
}

/// [`converge`] but for the group: the caller joins it last (`join_group`).
pub async fn converge_outside_group(
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
    // A finalized account's repair restores the finalized mark too, should someone have
    // changed or erased it (a stranger's workspace would otherwise take the account for one
    // nobody finalized).
    let wanted_type = user_type(
        desired.kind,
        stage == Stage::Finalized || is_finalized_in_okta(user),
    );
    if profile.email.as_deref() != Some(desired.email.as_str())
        || profile.first_name.as_deref() != Some(desired.first_name.as_str())
        || profile.last_name.as_deref() != Some(desired.last_name.as_str())
        || profile.user_type.as_deref() != Some(wanted_type.as_str())
        || (is_finalized_mark(Some(&wanted_type))
            && finalized_by_missing(profile, org.configuration()).is_some())
    {
        let finalized = is_finalized_mark(Some(&wanted_type));
        let update = UserProfile {
            email: Some(desired.email.clone()),
            first_name: Some(desired.first_name.clone()),
            last_name: Some(desired.last_name.clone()),
            user_type: Some(wanted_type),
            // A mark written back names the configuration that repairs it, as a finalization does.
            other: if finalized {
                finalized_by_profile(org)
            } else {
                Default::default()
            },
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
    // The account's own assignments it should not hold go, standard and custom alike.
    for assignment in &assignments {
        if assignment.is_direct() && !wanted.contains(assignment.role_type.as_str()) {
            client.unassign_role(&user.id, &assignment.id).await?;
        }
    }
    remove_service_group_roles(client, group_id, &assignments, &wanted).await?;
    if user
        .credentials
        .as_ref()
        .is_some_and(|credentials| credentials.has_recovery_question())
    {
        remove_recovery_question(org, &user.id).await?;
    }
    Ok(())
}

/// Removes from the service account group the standard roles it grants that the account should
/// not hold. The group is the provider's own and exists to be targeted by the baseline's
/// policies, never to grant a role, so a role on it is someone's mistake or an escalation of
/// every managed account at once. Roles through other groups, and custom roles through
/// bindings, are not the provider's to remove: the plan refuses those before any apply.
/// One listing of the group's roles, only when the account holds such a role.
async fn remove_service_group_roles(
    client: &Client,
    group_id: &str,
    assignments: &[RoleAssignment],
    wanted: &BTreeSet<&str>,
) -> Result<(), OktaError> {
    let unwanted: BTreeSet<&str> = assignments
        .iter()
        .filter(|assignment| {
            !assignment.is_direct()
                && !assignment.is_custom()
                && !group_id.is_empty()
                && assignment.assignee_group_id() == Some(group_id)
                && !wanted.contains(assignment.role_type.as_str())
        })
        .map(|assignment| assignment.role_type.as_str())
        .collect();
    if unwanted.is_empty() {
        return Ok(());
    }
    for granted in client.list_group_roles(group_id).await? {
        if unwanted.contains(granted.role_type.as_str()) {
            tracing::info!(
                role = %granted.role_type,
                "removing a role from the service account group, which granted it to every managed account"
            );
            // Every managed account of the org repairs the same group, and accounts of one
            // apply converge at once: an assignment another one removed first is gone, which
            // is what this wanted.
            match client.unassign_group_role(group_id, &granted.id).await {
                Err(error) if error.is_not_found() => {}
                other => other?,
            }
        }
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

/// What the drift says when a finalized account's profile does not name this (named)
/// configuration beside the mark (`user_type::FINALIZED_BY_ATTRIBUTE`): edited or erased by
/// hand, or an account finalized before the name was written. `None` when it does, and always
/// for an unnamed configuration, which writes no name. The repair writes it back.
pub fn finalized_by_missing(profile: &UserProfile, configuration: &str) -> Option<String> {
    let ours = finalized_by(configuration)?;
    let now = profile
        .other
        .get(FINALIZED_BY_ATTRIBUTE)
        .and_then(serde_json::Value::as_str);
    (now != Some(ours.as_str())).then(|| {
        format!(
            "restore this configuration's name beside the finalized mark in the profile's {FINALIZED_BY_ATTRIBUTE} (now {})",
            now.map(|value| format!("{value:?}"))
                .unwrap_or_else(|| "not set".to_owned())
        )
    })
}

/// The profile attribute that signs this configuration beside the finalized mark
/// (`user_type::FINALIZED_BY_ATTRIBUTE`): its name, or unnamed where it runs; nothing when
/// neither is known.
fn finalized_by_profile(org: &OrgSession) -> serde_json::Map<String, serde_json::Value> {
    org.finalizer()
        .tag()
        .map(|by| {
            (
                FINALIZED_BY_ATTRIBUTE.to_owned(),
                serde_json::Value::String(by),
            )
        })
        .into_iter()
        .collect()
}

/// Records finalization in Okta (`userType`), so other workspaces see it, and which named
/// configuration finalized it, so that this one knows it for its own without a state (G20). Answers the account
/// as Okta holds it afterwards.
pub async fn mark_finalized(
    org: &OrgSession,
    user_id: &str,
    kind: ServiceAccountKind,
) -> Result<User, OktaError> {
    let update = UserProfile {
        user_type: Some(user_type(kind, true)),
        other: finalized_by_profile(org),
        ..UserProfile::default()
    };
    let error = match org.client.update_user_profile(user_id, &update).await {
        Ok(user) => return Ok(user),
        Err(error) => error,
    };
    // The answer may have been lost after Okta recorded it: Okta has the last word (G20).
    match org.client.get_user(user_id).await {
        Ok(user) if is_finalized_in_okta(&user) => {
            tracing::info!(%user_id, "finalization was recorded although its answer was lost");
            Ok(user)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::ClientOptions;
    use crate::okta::scripted_server::{ScriptedServer, answer, ok_json};
    use serde_json::json;

    const GROUP: &str = "00gsvc";

    /// ORG_ADMIN held through the service account group, as the account's role listing shows it.
    fn org_admin_through_the_group() -> Vec<RoleAssignment> {
        vec![
            serde_json::from_value(json!({
                "id": "graORG", "type": "ORG_ADMIN", "assignmentType": "GROUP",
                "_links": {"assignee": {"href": format!("https://acme.okta.com/api/v1/groups/{GROUP}")}}
            }))
            .unwrap(),
        ]
    }

    async fn remove_with_delete_answer(
        status: u16,
        body: &str,
    ) -> (Result<(), OktaError>, Vec<String>) {
        let server = ScriptedServer::start(vec![
            ok_json(&json!([{"id": "graORG", "type": "ORG_ADMIN", "assignmentType": "GROUP"}])),
            answer(status, body),
        ])
        .await;
        let client = server.client(ClientOptions::default());
        let wanted: BTreeSet<&str> = ["SUPER_ADMIN"].into();
        let outcome =
            remove_service_group_roles(&client, GROUP, &org_admin_through_the_group(), &wanted)
                .await;
        (outcome, server.calls())
    }

    #[tokio::test]
    async fn a_group_role_another_account_removed_first_is_the_goal_reached() {
        let (outcome, calls) = remove_with_delete_answer(
            404,
            r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: graORG (RoleAssignment)","errorCauses":[]}"#,
        )
        .await;
        assert!(outcome.is_ok(), "{outcome:?}");
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert!(
            calls[1].starts_with("DELETE") && calls[1].contains("/roles/graORG"),
            "{calls:?}"
        );
    }

    #[tokio::test]
    async fn any_other_refusal_of_the_removal_still_fails_the_repair() {
        let (outcome, _) = remove_with_delete_answer(
            403,
            r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]}"#,
        )
        .await;
        assert!(outcome.is_err(), "a 403 is not the goal reached");
    }
}
