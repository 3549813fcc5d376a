//! Whether an existing account is set up as SPEC sections 2 and 3 require, and what an in-place
//! update must do to make it so.
//!
//! The provider observes Okta (one snapshot per org, shared by every account of it) and hands the
//! facts over as plain data; this module decides. It is used before finalizing (every finding
//! blocks finalization), on refresh of a finalized account (findings are drift to repair, G12),
//! on import, and by the data source that lists accounts.

use super::account_config::{DesiredAccount, attr};
use super::baseline::{PasswordPolicySettings, SecuringBaseline, SignOnPolicySettings};
use super::kind::ServiceAccountKind;
use super::role::{AdminRole, CustomGrant, HeldRole, RolePath, RoleSet, group_words};
use super::violation::{RuleId, Violation};

/// A policy as observed in Okta: whether it exists, is active, applies before every other policy
/// of its type, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObservedPolicy<T> {
    /// No policy of this type targets the service account group.
    Missing,
    Present {
        active: bool,
        /// Priority 1 among policies of its type, so no other policy shadows it.
        ranked_first: bool,
        /// Targets the service account group and nothing else.
        targets_group_only: bool,
        settings: T,
    },
}

/// What the provider observed about one account and its org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedAccount {
    /// Okta's user status, e.g. `ACTIVE`.
    pub status: String,
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The account's effective admin privileges: every role it holds, each with how (assigned
    /// to it, through the service account group, through another group, a custom role over a
    /// resource set), so findings can say how a role is held and whether the provider may take
    /// it away.
    pub roles: Vec<HeldRole>,
    pub in_service_account_group: bool,
    /// Another user of the org has the same e-mail address.
    pub email_shared_with_others: bool,
    pub recovery_question_set: bool,
    /// Okta reports a password (`credentials.password`); a `STAGED` account without one needs
    /// one before activation can make it `ACTIVE`.
    pub has_password: bool,
    pub password_policy: ObservedPolicy<PasswordPolicySettings>,
    /// The sign-on rule's settings; `network_zone_cidrs` are the gateways of the zone it is
    /// restricted to.
    pub sign_on_policy: ObservedPolicy<SignOnPolicySettings>,
    /// Whether that zone is active; `None` when the rule names no zone.
    pub network_zone_active: Option<bool>,
}

/// One in-place change that brings an account back to its correct setup.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Repair {
    /// Activate a `STAGED` or `PROVISIONED` account.
    Activate,
    /// Set a password (the configured `password_wo`, or a generated one that is never stored):
    /// how Okta lets an account that is `PROVISIONED`, `PASSWORD_EXPIRED` or in `RECOVERY`
    /// become `ACTIVE`. Only while the account is being set up, never after finalization,
    /// when its password belongs to the integration.
    SetPassword,
    /// Activate a `DEPROVISIONED` account again (and set a password if it then needs one).
    /// Only while the account is being set up.
    Reactivate,
    Unsuspend,
    Unlock,
    AssignRole(AdminRole),
    /// Remove the account's own assignment of this role type (Okta's spelling).
    UnassignRole(String),
    /// Remove the account's own assignment of a custom role over a resource set.
    UnassignCustomRole(CustomGrant),
    /// Remove this standard role from the service account group, the provider's own group,
    /// which grants it to every managed account of the org.
    UnassignServiceAccountGroupRole(String),
    AddToGroup,
    ClearRecoveryQuestion,
    /// Write this profile attribute back to its configured value.
    RestoreProfile(&'static str),
    RestorePasswordPolicy,
    RestoreSignOnPolicy,
    RestoreNetworkZone,
}

impl Repair {
    /// The repair in words, for plan warnings.
    pub fn describe(&self) -> String {
        match self {
            Repair::Activate => "activate the account".to_owned(),
            Repair::SetPassword => {
                "set a new password (password_wo, or generated and never stored) and bring the account to ACTIVE".to_owned()
            }
            Repair::Reactivate => "activate the deactivated account again".to_owned(),
            Repair::Unsuspend => "unsuspend the account".to_owned(),
            Repair::Unlock => "unlock the account".to_owned(),
            Repair::AssignRole(role) => format!("assign {role}"),
            Repair::UnassignRole(role) => format!("remove the {role} role assignment"),
            Repair::UnassignCustomRole(custom) => format!(
                "remove the assignment of {}",
                HeldRole {
                    role_type: "CUSTOM".to_owned(),
                    custom: Some(custom.clone()),
                    path: RolePath::Direct,
                }
                .name()
            ),
            Repair::UnassignServiceAccountGroupRole(role) => format!(
                "remove {role} from the service account group (every managed account of the org holds it through the group)"
            ),
            Repair::AddToGroup => "add the account to the service account group".to_owned(),
            Repair::ClearRecoveryQuestion => "remove the recovery question".to_owned(),
            Repair::RestoreProfile(attribute) => format!("restore {attribute}"),
            Repair::RestorePasswordPolicy => {
                "restore the service account password policy".to_owned()
            }
            Repair::RestoreSignOnPolicy => "restore the service account sign-on policy".to_owned(),
            Repair::RestoreNetworkZone => "restore the service account network zone".to_owned(),
        }
    }
}

/// One broken rule, and the repair that fixes it in place (`None`: a person must act).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub violation: Violation,
    pub repair: Option<Repair>,
}

/// The result of [`assess`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compliance {
    pub findings: Vec<Finding>,
}

impl Compliance {
    /// Initial setup is complete and verified: the account may be finalized (SPEC section 4).
    pub fn is_finalizable(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn violations(&self) -> impl Iterator<Item = &Violation> {
        self.findings.iter().map(|finding| &finding.violation)
    }

    /// The in-place changes an update must make, in a stable order, without repeats.
    pub fn repairs(&self) -> Vec<Repair> {
        let mut repairs: Vec<Repair> = self
            .findings
            .iter()
            .filter_map(|finding| finding.repair.clone())
            .collect();
        repairs.sort();
        repairs.dedup();
        repairs
    }

    /// Findings no update can fix; a person must act (the detail says how).
    pub fn needs_a_person(&self) -> Vec<&Violation> {
        self.findings
            .iter()
            .filter(|finding| finding.repair.is_none())
            .map(|finding| &finding.violation)
            .collect()
    }

    /// Whether every finding has a repair (or there are none).
    pub fn is_repairable(&self) -> bool {
        self.findings.iter().all(|finding| finding.repair.is_some())
    }

    /// Privileges the account holds that the provider must not take away itself (a role through
    /// another group, a custom role through a binding it does not own): each says how a person
    /// removes it. A plan that would repair the account refuses while there are any.
    pub fn privilege_refusals(&self) -> Vec<&Violation> {
        self.findings
            .iter()
            .filter(|finding| {
                finding.repair.is_none() && finding.violation.rule == RuleId::RoleUnexpected
            })
            .map(|finding| &finding.violation)
            .collect()
    }
}

/// What an account without a configuration is held to, for import and listings: its kind's
/// roles (a custom account's own standard roles), its observed profile, finalized.
pub fn expectation_for_observed(
    kind: ServiceAccountKind,
    observed: &ObservedAccount,
) -> DesiredAccount {
    // A custom account's roles are those assigned to it (directly or through the service
    // account group); a role through another group is held, but not the account's own.
    let admin_roles = if kind == ServiceAccountKind::Custom {
        observed
            .roles
            .iter()
            .filter(|role| !matches!(role.path, RolePath::Group { .. }))
            .filter_map(HeldRole::standard)
            .filter(|role| role.is_assignable())
            .collect()
    } else {
        kind.default_roles()
    };
    DesiredAccount {
        kind,
        login: observed.login.clone(),
        email: observed.email.clone(),
        first_name: observed.first_name.clone(),
        last_name: observed.last_name.clone(),
        admin_roles,
        finalize: true,
    }
}

/// The findings about the account itself (status, roles, profile, group membership, mailbox,
/// recovery question), without the org-wide policies, which are shared by every account of the
/// org and checked once per org. `observed`'s policy fields are not read.
pub fn assess_account(
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    observed: &ObservedAccount,
) -> Compliance {
    let mut findings = Vec::new();
    findings.extend(status_finding(&observed.status));
    findings.extend(role_findings(desired, &observed.roles));
    findings.extend(profile_findings(desired, observed));
    if !observed.in_service_account_group {
        findings.push(Finding {
            violation: Violation::new(
                "",
                RuleId::NotInGroup,
                format!("the account is not a member of the group {:?}", baseline.group_name),
                "The baseline password and sign-on policies apply through this group; the update adds the account back to it",
            ),
            repair: Some(Repair::AddToGroup),
        });
    }
    if observed.email_shared_with_others {
        findings.push(Finding {
            violation: Violation::new(
                attr::EMAIL,
                RuleId::SharedMailbox,
                format!("email {} is shared with another user of the org", observed.email),
                "A service account needs a dedicated mailbox, or whoever reads the shared one can take the account over; give the other user a different e-mail address, or give this account a dedicated one",
            ),
            repair: None,
        });
    }
    if observed.recovery_question_set {
        findings.push(Finding {
            violation: Violation::new(
                "",
                RuleId::RecoveryQuestion,
                "the account has a recovery question",
                "A recovery question is a way to reset the password without the vault; the update removes it",
            ),
            repair: Some(Repair::ClearRecoveryQuestion),
        });
    }
    Compliance { findings }
}

/// Every way `observed` differs from `desired` under `baseline`, each with its repair: the
/// account's own facts ([`assess_account`]) and the org's policies and zone.
pub fn assess(
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    observed: &ObservedAccount,
) -> Compliance {
    let mut compliance = assess_account(desired, baseline, observed);
    compliance
        .findings
        .extend(assess_baseline(baseline, observed).findings);
    compliance
}

/// The org-wide part of [`assess`]: the baseline's password and sign-on policies and zone, as
/// `observed` (any account of the org) carries them.
pub fn assess_baseline(baseline: &SecuringBaseline, observed: &ObservedAccount) -> Compliance {
    let mut findings = Vec::new();
    findings.extend(password_policy_finding(baseline, &observed.password_policy));
    findings.extend(sign_on_policy_finding(baseline, &observed.sign_on_policy));
    findings.extend(zone_finding(baseline, observed));
    Compliance { findings }
}

/// [`assess`] for an account that is being set up (created, adopted or resumed, not finalized
/// yet): every status Okta can move to `ACTIVE` is a repair here, including those that need a new
/// password, because no integration relies on the account's credentials yet.
pub fn assess_setup(
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    observed: &ObservedAccount,
) -> Compliance {
    let mut compliance = assess(desired, baseline, observed);
    for finding in &mut compliance.findings {
        if finding.violation.rule == RuleId::NotActive
            && let Some(repair) = setup_status_repair(&observed.status, observed.has_password)
        {
            finding.repair = Some(repair);
            finding.violation.detail = format!(
                "The account is being set up; the apply will {}",
                repair_words(&finding.repair)
            );
        }
    }
    compliance
}

fn repair_words(repair: &Option<Repair>) -> String {
    repair.as_ref().map(Repair::describe).unwrap_or_default()
}

/// Okta's way to `ACTIVE` from `status` for an account being set up.
fn setup_status_repair(status: &str, has_password: bool) -> Option<Repair> {
    match status {
        "STAGED" if has_password => Some(Repair::Activate),
        "STAGED" => Some(Repair::SetPassword),
        "PROVISIONED" | "PASSWORD_EXPIRED" | "RECOVERY" => Some(Repair::SetPassword),
        "DEPROVISIONED" => Some(Repair::Reactivate),
        _ => None,
    }
}

fn status_finding(status: &str) -> Option<Finding> {
    let (repair, why) = match status {
        "ACTIVE" => return None,
        "SUSPENDED" => (
            Some(Repair::Unsuspend),
            "a suspended account cannot sign in or use its API token; the update unsuspends it",
        ),
        "LOCKED_OUT" => (
            Some(Repair::Unlock),
            "a locked account cannot sign in; the update unlocks it (find out who failed to sign in: the System Log shows the attempts)",
        ),
        "STAGED" => (
            Some(Repair::Activate),
            "the account has not been activated; the update activates it",
        ),
        // Okta refuses `activate` here; only a new password completes the activation, and a
        // finalized account's password belongs to its integration.
        "PROVISIONED" => (
            None,
            "the account waits for its activation to be completed with a password; set one from the vault in the Admin Console and update the integration",
        ),
        "DEPROVISIONED" => (
            None,
            "the account was deactivated, which revoked every API token it owned; reactivate it in the Admin Console and re-issue the integration's credentials",
        ),
        "PASSWORD_EXPIRED" | "RECOVERY" => (
            None,
            "the account's password was expired or reset outside the vault; set a new password from the vault in the Admin Console and update the integration",
        ),
        _ => (
            None,
            "the account is in a status this provider does not repair; wait for Okta to finish the transition, or make it ACTIVE in the Admin Console",
        ),
    };
    Some(Finding {
        violation: Violation::new(
            "status",
            RuleId::NotActive,
            format!("the account's status is {status}, not ACTIVE"),
            capitalize_first(why),
        ),
        repair,
    })
}

fn role_findings(desired: &DesiredAccount, held: &[HeldRole]) -> Vec<Finding> {
    let mut findings = Vec::new();
    // A required role counts as held whichever way the account holds it, a group included.
    let observed: RoleSet = held.iter().filter_map(HeldRole::standard).collect();
    for role in desired
        .admin_roles
        .iter()
        .filter(|role| !observed.contains(role))
    {
        findings.push(Finding {
            violation: Violation::new(
                attr::ADMIN_ROLES,
                RuleId::RoleMissing,
                format!("the account lacks {role}"),
                format!(
                    "{} account must hold {role} or its integration fails; the update assigns it again (without notifications)",
                    desired.kind.with_capital_article()
                ),
            ),
            repair: Some(Repair::AssignRole(*role)),
        });
    }
    let mut unexpected: Vec<&HeldRole> = held
        .iter()
        .filter(|role| match role.standard() {
            Some(standard) => !desired.admin_roles.contains(&standard),
            None => true,
        })
        .collect();
    unexpected.sort();
    unexpected.dedup();
    findings.extend(
        unexpected
            .into_iter()
            .map(|role| unexpected_role_finding(desired, role)),
    );
    findings
}

/// A privilege beyond the kind's table, and what is done about it: the provider removes what is
/// its own to remove (the account's own assignments, a standard role of its own group), and
/// names what a person must remove otherwise, with where.
fn unexpected_role_finding(desired: &DesiredAccount, role: &HeldRole) -> Finding {
    let name = role.name();
    let summary = match role.path {
        RolePath::Direct => format!("the account holds {name}, which its admin_roles do not list"),
        _ => format!(
            "the account holds {name} {}, which its admin_roles do not list",
            role.how()
        ),
    };
    let (repair, remedy) = match (&role.path, &role.custom) {
        (RolePath::Direct, None) => (
            Some(Repair::UnassignRole(role.role_type.clone())),
            format!("the update removes {name}"),
        ),
        (RolePath::Direct, Some(custom)) => (
            Some(Repair::UnassignCustomRole(custom.clone())),
            "the update removes the account's assignment of it".to_owned(),
        ),
        (RolePath::ServiceAccountGroup { .. }, None) => (
            Some(Repair::UnassignServiceAccountGroupRole(
                role.role_type.clone(),
            )),
            format!(
                "the service account group is this provider's own and grants no role by design; the update removes {name} from the group, for every managed account of the org"
            ),
        ),
        (RolePath::ServiceAccountGroup { group_id }, Some(custom)) => (
            None,
            format!(
                "the binding belongs to whoever made the resource set, so the provider does not change it: remove the service account group from the binding ({})",
                binding_removal(custom, group_id)
            ),
        ),
        (
            RolePath::Group {
                group_id,
                group_name,
            },
            custom,
        ) => {
            let group = group_words(group_id, group_name.as_deref());
            let leave = format!(
                "remove the account from group {group} (Admin Console: Directory > Groups > the group > People; API: DELETE /api/v1/groups/{group_id}/users/{{userId}})"
            );
            let take_back = match custom {
                None => format!(
                    "remove {name} from the group (Admin Console: Security > Administrators > Roles; API: GET /api/v1/groups/{group_id}/roles for the assignment's id, then DELETE /api/v1/groups/{group_id}/roles/{{roleAssignmentId}})"
                ),
                Some(custom) => format!(
                    "remove the group from the binding ({})",
                    binding_removal(custom, group_id)
                ),
            };
            (
                None,
                format!(
                    "the provider does not take apart another group or binding: {leave}, or {take_back}; the plan refuses to repair the account until then"
                ),
            )
        }
    };
    Finding {
        violation: Violation::new(
            attr::ADMIN_ROLES,
            RuleId::RoleUnexpected,
            summary,
            format!(
                "Least privilege: a {} account holds exactly its admin_roles, however a role is granted; {remedy}",
                desired.kind
            ),
        ),
        repair,
    }
}

/// Where a group leaves a custom role's binding: the Admin Console page and the API call.
fn binding_removal(custom: &CustomGrant, group_id: &str) -> String {
    format!(
        "Admin Console: Security > Administrators > Resources, resource set {}, role {}; API: GET /api/v1/iam/resource-sets/{}/bindings/{}/members for the member id of group {group_id}, then DELETE /api/v1/iam/resource-sets/{}/bindings/{}/members/{{memberId}}",
        custom.resource_set,
        custom.role_id,
        custom.resource_set,
        custom.role_id,
        custom.resource_set,
        custom.role_id
    )
}

fn profile_findings(desired: &DesiredAccount, observed: &ObservedAccount) -> Vec<Finding> {
    // Okta compares logins and e-mail addresses without regard to case.
    let pairs: [(&'static str, &str, &str, bool); 4] = [
        (attr::LOGIN, &desired.login, &observed.login, true),
        (attr::EMAIL, &desired.email, &observed.email, true),
        (
            attr::FIRST_NAME,
            &desired.first_name,
            &observed.first_name,
            false,
        ),
        (
            attr::LAST_NAME,
            &desired.last_name,
            &observed.last_name,
            false,
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, want, have, ignore_case)| {
            if *ignore_case { !want.eq_ignore_ascii_case(have) } else { want != have }
        })
        .map(|(attribute, want, have, _)| Finding {
            violation: Violation::new(
                attribute,
                RuleId::ProfileDrift,
                format!("{attribute} is {have:?} in Okta, not {want:?}"),
                format!("Integrations and audits find the account by its profile; the update writes {attribute} back to {want:?}"),
            ),
            repair: Some(Repair::RestoreProfile(attribute)),
        })
        .collect()
}

fn placement_problems(active: bool, ranked_first: bool, targets_group_only: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if !active {
        problems.push("it is inactive".to_owned());
    }
    if !ranked_first {
        problems.push("another policy is ranked before it".to_owned());
    }
    if !targets_group_only {
        problems.push("it targets more than the service account group".to_owned());
    }
    problems
}

fn password_policy_finding(
    baseline: &SecuringBaseline,
    observed: &ObservedPolicy<PasswordPolicySettings>,
) -> Option<Finding> {
    let expected = baseline.password_policy();
    let problems = match observed {
        ObservedPolicy::Missing => {
            vec!["no password policy targets the service account group".to_owned()]
        }
        ObservedPolicy::Present {
            active,
            ranked_first,
            targets_group_only,
            settings,
        } => {
            let mut problems = placement_problems(*active, *ranked_first, *targets_group_only);
            if settings.min_length != expected.min_length {
                problems.push(format!(
                    "minimum length is {} (baseline {})",
                    settings.min_length, expected.min_length
                ));
            }
            if settings.complexity != expected.complexity {
                problems.push("complexity requirements are relaxed".to_owned());
            }
            if settings.max_age_days != 0 {
                problems.push(format!(
                    "passwords expire after {} days (baseline: never, a vault rotates them)",
                    settings.max_age_days
                ));
            }
            if settings.lockout_attempts != expected.lockout_attempts {
                problems.push(format!(
                    "lockout is after {} failures (baseline {})",
                    settings.lockout_attempts, expected.lockout_attempts
                ));
            }
            for path in settings.recovery.open_paths() {
                problems.push(format!("{path} is on"));
            }
            problems
        }
    };
    (!problems.is_empty()).then(|| Finding {
        violation: Violation::new(
            "",
            RuleId::PasswordPolicy,
            "the service account password policy differs from the baseline",
            format!(
                "{}; the update restores the policy",
                capitalize_first(&problems.join(", "))
            ),
        ),
        repair: Some(Repair::RestorePasswordPolicy),
    })
}

fn sign_on_policy_finding(
    baseline: &SecuringBaseline,
    observed: &ObservedPolicy<SignOnPolicySettings>,
) -> Option<Finding> {
    let expected = baseline.sign_on_policy();
    let problems = match observed {
        ObservedPolicy::Missing => {
            vec!["no sign-on policy targets the service account group".to_owned()]
        }
        ObservedPolicy::Present {
            active,
            ranked_first,
            targets_group_only,
            settings,
        } => {
            let mut problems = placement_problems(*active, *ranked_first, *targets_group_only);
            if settings.persistent_session {
                problems.push("sessions persist across browser restarts".to_owned());
            }
            if settings.session_lifetime_minutes != expected.session_lifetime_minutes {
                let observed = match settings.session_lifetime_minutes {
                    0 => "unbounded".to_owned(),
                    minutes => format!("{minutes} minutes"),
                };
                problems.push(format!(
                    "session lifetime is {observed} (baseline {} minutes)",
                    expected.session_lifetime_minutes
                ));
            }
            problems
        }
    };
    (!problems.is_empty()).then(|| Finding {
        violation: Violation::new(
            "",
            RuleId::SignOnPolicy,
            "the service account sign-on policy differs from the baseline",
            format!(
                "{}; the update restores the policy",
                capitalize_first(&problems.join(", "))
            ),
        ),
        repair: Some(Repair::RestoreSignOnPolicy),
    })
}

fn zone_finding(baseline: &SecuringBaseline, observed: &ObservedAccount) -> Option<Finding> {
    let expected = baseline.sign_on_policy().network_zone_cidrs;
    let observed_cidrs = match &observed.sign_on_policy {
        ObservedPolicy::Present { settings, .. } => {
            super::baseline::canonical_cidrs(&settings.network_zone_cidrs)
        }
        // A missing policy is reported (and restored, zone included) by the policy finding.
        ObservedPolicy::Missing => return None,
    };
    let problem = if observed_cidrs != expected {
        if expected.is_empty() {
            "sign-on is restricted to a network zone the provider configuration does not ask for"
                .to_owned()
        } else if observed_cidrs.is_empty() {
            "sign-on is not restricted to the allowed networks".to_owned()
        } else {
            format!(
                "sign-on is restricted to {} instead of {}",
                observed_cidrs.join(", "),
                expected.join(", ")
            )
        }
    } else if !expected.is_empty() && observed.network_zone_active != Some(true) {
        "the network zone of the allowed networks is inactive".to_owned()
    } else {
        return None;
    };
    Some(Finding {
        violation: Violation::new(
            "",
            RuleId::NetworkZone,
            "the service accounts' network restriction differs from allowed_network_cidrs",
            format!(
                "{}; the update restores the zone and the sign-on rule",
                capitalize_first(&problem)
            ),
        ),
        repair: Some(Repair::RestoreNetworkZone),
    })
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "compliance_tests.rs"]
mod tests;
