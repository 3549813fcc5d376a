//! The set-up pipeline: converge, observe, verify, finalize, for an account the apply holds
//! (created, adopted, resumed or finalized). One function, so that a service account and an
//! org's integration account are set up and verified the same way. A failure midway says how
//! far it got (the status Okta last reported), so the resource records a partial state and the
//! next apply resumes.

use crate::okta::{OktaError, User};
use crate::provider::diag;
use crate::provider::org_access::OrgSession;
use crate::rules::account_config::DesiredAccount;
use crate::rules::adoption::{self, AdoptionCheck, AdoptionDecision, Own};
use crate::rules::baseline::SecuringBaseline;
use crate::rules::baseline_owner::{
    OwnerMarker, Ownership, decide, differences, fingerprint, is_unshown_change, owner_name,
    settings_text,
};
use crate::rules::compliance::{self, Compliance, ObservedAccount};
use crate::rules::role::HeldRole;
use crate::secret::Secret;
use tfplugin6::Diagnostics;

use super::converge::{self, Stage};
use super::observe::{self, Observed};

/// How the diagnostics of one caller name the account's steps ("setting up the account",
/// "setting up the integration account").
pub struct Wording {
    /// The operation whose failure `converge` reports.
    pub setting_up: &'static str,
    /// The operation whose failure the observation after converging reports.
    pub verifying: &'static str,
    /// What the provider was doing when the account disappeared.
    pub disappeared_while: &'static str,
}

/// One set-up of an account.
#[derive(Clone, Copy)]
pub struct SetUpRequest<'a> {
    pub org: &'a OrgSession,
    pub desired: &'a DesiredAccount,
    /// The account as read (or created) by this apply.
    pub user: &'a User,
    pub group_id: &'a str,
    /// Set only where Okta needs one to make the account `ACTIVE`, and only during setup.
    pub password: &'a Secret,
    pub baseline: &'a SecuringBaseline,
    /// Where the account is when the apply starts: a finalized one is repaired, never
    /// finalized again, and its unfinished repairs are reported as such.
    pub stage: Stage,
    /// Which rules verify it. A service account is verified by its stage's; the org's
    /// integration account has always been verified by the finalized rules (a status the
    /// converge could not make `ACTIVE` names no setup repair), kept so its messages stay as
    /// they were.
    pub verify_as: Stage,
    /// Record finalization in Okta once verified (a set-up account only).
    pub finalize: bool,
    pub wording: &'a Wording,
}

/// A verified account.
pub struct SetUp {
    pub observed: Observed,
    /// Finalized after this apply: already was, or recorded now.
    pub finalized: bool,
}

/// Where a set-up stopped: the account's status as Okta last reported it, and why.
pub struct SetUpFailure {
    pub status: String,
    pub diagnostics: Diagnostics,
}

/// Converges the account, observes it, verifies it and, when asked, finalizes it.
pub async fn set_up(request: SetUpRequest<'_>) -> Result<SetUp, SetUpFailure> {
    let SetUpRequest {
        org,
        desired,
        user,
        group_id,
        password,
        stage,
        wording,
        ..
    } = request;
    org.mailboxes.remember(user);
    if let Err(error) = converge::converge(org, desired, user, group_id, password, stage).await {
        return Err(failure(
            user.status.as_str(),
            diag::okta(wording.setting_up, &error).into(),
        ));
    }
    let observed = match observe::observe(org, &user.id, group_id).await {
        Ok(Some(observed)) => observed,
        Ok(None) => {
            return Err(failure(
                user.status.as_str(),
                diag::disappeared(wording.disappeared_while),
            ));
        }
        Err(error) => {
            return Err(failure(
                user.status.as_str(),
                diag::okta(wording.verifying, &error).into(),
            ));
        }
    };
    verify_and_finalize(&request, observed).await
}

/// The set-up of an account this apply has just created, `request.user` being Okta's answer to
/// the create (which made it `ACTIVE`, with its profile, the provider's mark, the password and
/// the group, in one call). Nothing is read back that Okta's answers already say: the create's
/// answer is the account, each role assignment's answer is a role it holds (a new account has
/// no other direct roles), and the create put it in the group. The mailbox check is shared with
/// the org's other new accounts, and the baseline is observed once per org. The same rules
/// verify it as in `set_up`; a create answer other than expected (not `ACTIVE`, a recovery
/// question) goes through `set_up`, which converges and reads everything.
///
/// Calls per account: the create, one per role and the finalization; per org and run, one roles
/// listing (of the first new account: roles held through the group) and the shared listings
/// of logins and mailboxes.
pub async fn set_up_created(request: SetUpRequest<'_>) -> Result<SetUp, SetUpFailure> {
    let SetUpRequest {
        org,
        desired,
        user,
        stage,
        wording,
        ..
    } = request;
    let has_recovery_question = user
        .credentials
        .as_ref()
        .is_some_and(|credentials| credentials.has_recovery_question());
    if user.status.as_str() != "ACTIVE" || has_recovery_question || stage != Stage::Setup {
        return set_up(request).await;
    }
    org.joined(user);
    org.mailboxes.remember(user);
    let mut roles = match converge::grant_roles_to_new(org, &user.id, desired).await {
        Ok(role_types) => role_types
            .into_iter()
            .map(HeldRole::direct)
            .collect::<Vec<_>>(),
        Err(error) => {
            return Err(failure(
                user.status.as_str(),
                diag::okta(wording.setting_up, &error).into(),
            ));
        }
    };
    // A role granted to the group is every member's, which no assignment answer says: read once
    // per org and run, and judged by the rules like any other role the account holds.
    match org.roles_through_groups(&user.id, request.group_id).await {
        // A role the group grants that this account must not hold is repaired by the full
        // set-up, whose converge removes it from the service account group (the provider's
        // own), or names the group that grants it; rare, so the extra reads are too.
        Ok(inherited)
            if inherited.iter().any(|role| {
                role.standard()
                    .is_none_or(|standard| !desired.admin_roles.contains(&standard))
            }) =>
        {
            return set_up(request).await;
        }
        Ok(inherited) => roles.extend(inherited),
        Err(error) => {
            return Err(failure(
                user.status.as_str(),
                diag::okta(wording.verifying, &error).into(),
            ));
        }
    }
    let email_shared = match org.mailboxes.shared(&org.client, user).await {
        Ok(shared) => shared,
        Err(error) => {
            return Err(failure(
                user.status.as_str(),
                diag::okta(wording.verifying, &error).into(),
            ));
        }
    };
    let observed = Observed {
        user: user.clone(),
        roles,
        in_group: true,
        email_shared,
    };
    verify_and_finalize(&request, observed).await
}

/// The set-up of an org's integration account, whose org's token may still exist only in this
/// process (an org being created): the account joins the service account group, whose password
/// rule denies self-service reset, last. Everything else is converged and read first (the
/// baseline's reads too, kept for the verification), so that a run killed before Terraform
/// stores the token leaves an account its owner can still recover with "Forgot password?" until
/// the join; after it, only the finalization is written. When the group grants roles, which the
/// join would bring and nothing reads after it, the usual order is kept.
pub async fn set_up_joining_last(request: SetUpRequest<'_>) -> Result<SetUp, SetUpFailure> {
    let SetUpRequest {
        org,
        desired,
        user,
        group_id,
        password,
        baseline,
        stage,
        wording,
        ..
    } = request;
    let setting_up = |error: OktaError| {
        failure(
            user.status.as_str(),
            diag::okta(wording.setting_up, &error).into(),
        )
    };
    match org.client.list_group_roles(group_id).await {
        Ok(roles) if roles.is_empty() => {}
        Ok(_) => return set_up(request).await,
        Err(error) => return Err(setting_up(error)),
    }
    org.mailboxes.remember(user);
    converge::converge_outside_group(org, desired, user, group_id, password, stage)
        .await
        .map_err(setting_up)?;
    let mut observed = match observe::observe(org, &user.id, group_id).await {
        Ok(Some(observed)) => observed,
        Ok(None) => {
            return Err(failure(
                user.status.as_str(),
                diag::disappeared(wording.disappeared_while),
            ));
        }
        Err(error) => {
            return Err(failure(
                user.status.as_str(),
                diag::okta(wording.verifying, &error).into(),
            ));
        }
    };
    if let Err(error) = org.observed_baseline(baseline, Some(group_id)).await {
        return Err(failure(
            user.status.as_str(),
            diag::okta("verifying the securing baseline", &error).into(),
        ));
    }
    if !observed.in_group {
        converge::join_group(org, group_id, &observed.user)
            .await
            .map_err(setting_up)?;
        observed.in_group = true;
    }
    verify_and_finalize(&request, observed).await
}

fn failure(status: &str, diagnostics: Diagnostics) -> SetUpFailure {
    SetUpFailure {
        status: status.to_owned(),
        diagnostics,
    }
}

/// Assesses the observed account with the org's baseline and, when it complies and the request
/// asks for it, records its finalization in Okta.
async fn verify_and_finalize(
    request: &SetUpRequest<'_>,
    mut observed: Observed,
) -> Result<SetUp, SetUpFailure> {
    let SetUpRequest {
        org,
        desired,
        user,
        group_id,
        baseline,
        stage,
        verify_as,
        finalize,
        ..
    } = *request;
    let facts = match observe::facts_with_baseline(org, &observed, baseline, Some(group_id)).await {
        Ok(facts) => facts,
        Err(error) => {
            return Err(failure(
                observed.user.status.as_str(),
                diag::okta("verifying the securing baseline", &error).into(),
            ));
        }
    };
    let status = observed.user.status.as_str().to_owned();
    let findings = assess(verify_as, desired, baseline, &facts);
    if !findings.is_finalizable() {
        let subject = format!("{} ({})", desired.login, user.id);
        let violations = findings
            .violations()
            .map(|v| format!("{}: {}", v.summary, v.detail))
            .collect();
        let diagnostic = match stage {
            Stage::Finalized => diag::repair_incomplete(&subject, violations),
            Stage::Setup => diag::not_finalizable(&subject, violations),
        };
        return Err(failure(&status, diagnostic.into()));
    }
    let finalized = match stage {
        Stage::Finalized => true,
        Stage::Setup if finalize => {
            match converge::mark_finalized(org, &user.id, desired.kind).await {
                // Okta's answer is the account as finalized: the state records its status.
                Ok(marked) => observed.user = marked,
                Err(error) => {
                    return Err(failure(
                        &status,
                        diag::okta("recording finalization", &error).into(),
                    ));
                }
            }
            true
        }
        Stage::Setup => false,
    };
    Ok(SetUp {
        observed,
        finalized,
    })
}

/// The rules for an account at `stage`: while it is set up, every status Okta can move to
/// `ACTIVE` is a repair.
pub fn assess(
    stage: Stage,
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    facts: &ObservedAccount,
) -> Compliance {
    match stage {
        Stage::Setup => compliance::assess_setup(desired, baseline, facts),
        Stage::Finalized => compliance::assess(desired, baseline, facts),
    }
}

/// Creates or repairs the securing baseline (group, policies, zone), once per run and org, and
/// answers the group's id, which every set-up needs.
pub async fn ensure_baseline_group(
    org: &OrgSession,
    baseline: &SecuringBaseline,
    owner: &str,
    creating: bool,
) -> Result<String, Diagnostics> {
    let ownership = check_baseline_owner(org, baseline, owner).await?;
    refuse_unshown_change(org, &ownership, owner, creating)?;
    let failed = |e: OktaError| {
        Diagnostics::from(diag::okta(
            "setting up the securing baseline (group, policies, zone)",
            &e,
        ))
    };
    let group_id = org
        .ensure_baseline(baseline)
        .await
        .map(|objects| objects.group_id.clone())
        .map_err(failed)?;
    // Claim the baseline, or record this owner's new settings, once they are applied.
    if matches!(ownership, Ownership::Unclaimed | Ownership::OwnChange) {
        let marker = OwnerMarker {
            owner: owner.to_owned(),
            fingerprint: fingerprint(baseline),
            settings: Some(settings_text(baseline)),
        };
        if org.baseline_marker().as_ref() != Some(&marker) {
            org.write_baseline_marker(&group_id, &baseline.group_name, &marker)
                .await
                .map_err(failed)?;
        }
    }
    Ok(group_id)
}

/// Refuses a change of the baseline's settings that no plan line would show
/// (`rules::baseline_owner::is_unshown_change`): a configuration without `baseline_owner`
/// creating an account in an org whose baseline an unnamed configuration applied with other
/// settings.
pub fn refuse_unshown_change(
    org: &OrgSession,
    ownership: &Ownership,
    owner: &str,
    creating: bool,
) -> Result<(), Diagnostics> {
    if is_unshown_change(ownership, owner, creating) {
        return Err(diag::unshown_baseline_change(
            &org.client.org_url().to_string(),
        ));
    }
    Ok(())
}

/// Whether this configuration may apply its baseline to the org: refused when another
/// configuration owns it with other settings (the marker in the group's description; one
/// group lookup per org and run, shared with refresh).
pub async fn check_baseline_owner(
    org: &OrgSession,
    baseline: &SecuringBaseline,
    owner: &str,
) -> Result<Ownership, Diagnostics> {
    org.existing_group_id(&baseline.group_name)
        .await
        .map_err(|e| {
            Diagnostics::from(diag::okta_reaching(
                org.client.org_url().as_str(),
                "finding the service account group",
                &e,
            ))
        })?;
    let marker = org.baseline_marker();
    let ownership = decide(marker.as_ref(), owner, &fingerprint(baseline));
    if let Ownership::Conflict { owner: other } = &ownership {
        return Err(diag::baseline_owned_elsewhere(
            &org.client.org_url().to_string(),
            &owner_name(other),
            owner,
            marker.and_then(|marker| differences(&marker, baseline)),
        ));
    }
    Ok(ownership)
}

/// The exact lookup a create makes before creating anything: the plan's lookup may be stale,
/// or the plan made elsewhere. Returns the user to set up and whether Okta already records it
/// finalized, or `None` when nobody holds the login. Refuses as the plan would (G14, G17);
/// `adopts` is the id the plan decided this resource may take over.
pub async fn find_adoptable(
    org: &OrgSession,
    desired: &DesiredAccount,
    org_url: &str,
    adopts: Option<&str>,
) -> Result<Option<(User, bool)>, Diagnostics> {
    let found = org
        .client
        .find_user_by_login(&desired.login)
        .await
        .map_err(|e| Diagnostics::from(diag::okta("looking the login up", &e)))?;
    let Some(user) = found else {
        return match adopts {
            Some(id) => Err(diag::adopted_account_gone(&desired.login, id)),
            None => Ok(None),
        };
    };
    let role_types = org
        .client
        .list_user_roles(&user.id)
        .await
        .map_err(|e| Diagnostics::from(diag::okta("reading the existing account's roles", &e)))?
        .into_iter()
        .map(|assignment| assignment.role_type)
        .collect();
    let existing = observe::existing_from(&user, role_types);
    let check = AdoptionCheck {
        kind: desired.kind,
        org_url,
        existing: &existing,
        // The plan decided this resource may take over exactly this id.
        own: adopts.map(|id| Own {
            id: id.to_owned(),
            finalized_in_state: false,
        }),
        finalizer: org.finalizer(),
    };
    match adoption::decide(&check) {
        AdoptionDecision::Refuse(refusal) => Err(diag::refusal(refusal)),
        AdoptionDecision::Adopt { .. } if adopts.is_some_and(|id| id != user.id) => Err(
            diag::adopted_account_gone(&desired.login, adopts.unwrap_or_default()),
        ),
        AdoptionDecision::Adopt { finalized, .. } => {
            tracing::info!(user_id = %user.id, "adopting the existing account with this login");
            Ok(Some((user, finalized)))
        }
    }
}
