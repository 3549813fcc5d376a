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
use super::role::{AdminRole, RoleSet};
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
    /// The `type` of every admin role assignment of the user (`CUSTOM` for custom roles).
    pub role_types: Vec<String>,
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
    /// Remove an assignment of this role type (Okta's spelling; `CUSTOM` included).
    UnassignRole(String),
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
}

/// What an account without a configuration is held to, for import and listings: its kind's
/// roles (a custom account's own standard roles), its observed profile, finalized.
pub fn expectation_for_observed(
    kind: ServiceAccountKind,
    observed: &ObservedAccount,
) -> DesiredAccount {
    let admin_roles = if kind == ServiceAccountKind::Custom {
        observed
            .role_types
            .iter()
            .filter_map(|name| name.parse::<AdminRole>().ok())
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
    findings.extend(role_findings(desired, &observed.role_types));
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
        .extend(password_policy_finding(baseline, &observed.password_policy));
    compliance
        .findings
        .extend(sign_on_policy_finding(baseline, &observed.sign_on_policy));
    compliance.findings.extend(zone_finding(baseline, observed));
    compliance
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

fn role_findings(desired: &DesiredAccount, role_types: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let observed: RoleSet = role_types
        .iter()
        .filter_map(|name| name.parse::<AdminRole>().ok())
        .collect();
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
    let mut unexpected: Vec<&str> = role_types
        .iter()
        .map(String::as_str)
        .filter(|name| match name.parse::<AdminRole>() {
            Ok(role) => !desired.admin_roles.contains(&role),
            Err(_) => true,
        })
        .collect();
    unexpected.sort_unstable();
    unexpected.dedup();
    for name in unexpected {
        findings.push(Finding {
            violation: Violation::new(
                attr::ADMIN_ROLES,
                RuleId::RoleUnexpected,
                format!("the account holds {name}, which its admin_roles do not list"),
                format!(
                    "Least privilege: a {} account holds exactly its admin_roles; the update removes {name}",
                    desired.kind
                ),
            ),
            repair: Some(Repair::UnassignRole(name.to_owned())),
        });
    }
    findings
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
mod tests {
    use super::super::baseline::{PasswordComplexity, Recovery};
    use super::super::violation::assert_well_formed;
    use super::*;
    use AdminRole::*;

    fn desired(kind: ServiceAccountKind) -> DesiredAccount {
        DesiredAccount {
            kind,
            login: "svc@acme.example".into(),
            email: "svc-box@acme.example".into(),
            first_name: kind.rule().naming.first_name.into(),
            last_name: "Service Account".into(),
            admin_roles: if kind == ServiceAccountKind::Custom {
                [ReportAdmin].into()
            } else {
                kind.default_roles()
            },
            finalize: true,
        }
    }

    fn compliant(desired: &DesiredAccount, baseline: &SecuringBaseline) -> ObservedAccount {
        ObservedAccount {
            status: "ACTIVE".into(),
            login: desired.login.clone(),
            email: desired.email.clone(),
            first_name: desired.first_name.clone(),
            last_name: desired.last_name.clone(),
            role_types: desired
                .admin_roles
                .iter()
                .map(|role| role.to_string())
                .collect(),
            in_service_account_group: true,
            email_shared_with_others: false,
            recovery_question_set: false,
            has_password: true,
            password_policy: ObservedPolicy::Present {
                active: true,
                ranked_first: true,
                targets_group_only: true,
                settings: baseline.password_policy(),
            },
            sign_on_policy: ObservedPolicy::Present {
                active: true,
                ranked_first: true,
                targets_group_only: true,
                settings: baseline.sign_on_policy(),
            },
            network_zone_active: (!baseline.allowed_network_cidrs.is_empty()).then_some(true),
        }
    }

    fn rules(compliance: &Compliance) -> Vec<RuleId> {
        compliance
            .violations()
            .map(|violation| violation.rule)
            .collect()
    }

    #[test]
    fn a_correct_setup_of_every_kind_is_finalizable() {
        let baselines = [
            SecuringBaseline::default(),
            SecuringBaseline {
                allowed_network_cidrs: vec!["203.0.113.0/24".into()],
                ..Default::default()
            },
        ];
        for baseline in &baselines {
            for kind in ServiceAccountKind::ALL {
                let desired = desired(kind);
                let compliance = assess(&desired, baseline, &compliant(&desired, baseline));
                assert_eq!(compliance.findings, [], "{kind}");
                assert!(compliance.is_finalizable());
                assert!(compliance.repairs().is_empty());
            }
        }
    }

    /// While an account is set up every status Okta can move to ACTIVE is a repair, by the
    /// transition Okta allows; a password only where one is needed.
    #[test]
    fn every_status_is_repaired_during_setup() {
        let cases = [
            ("STAGED", true, Some(Repair::Activate)),
            ("STAGED", false, Some(Repair::SetPassword)),
            ("PROVISIONED", false, Some(Repair::SetPassword)),
            ("PASSWORD_EXPIRED", true, Some(Repair::SetPassword)),
            ("RECOVERY", false, Some(Repair::SetPassword)),
            ("DEPROVISIONED", true, Some(Repair::Reactivate)),
            ("SUSPENDED", true, Some(Repair::Unsuspend)),
            ("LOCKED_OUT", true, Some(Repair::Unlock)),
            ("ACTIVATING", true, None),
        ];
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::AdAgent);
        for (status, has_password, repair) in cases {
            let observed = ObservedAccount {
                status: status.into(),
                has_password,
                ..compliant(&desired, &baseline)
            };
            let compliance = assess_setup(&desired, &baseline, &observed);
            assert_eq!(rules(&compliance), [RuleId::NotActive], "{status}");
            assert_eq!(
                compliance.findings[0].repair, repair,
                "{status} {has_password}"
            );
        }
    }

    #[test]
    fn every_status_is_judged() {
        let cases: [(&str, Option<Repair>); 9] = [
            ("SUSPENDED", Some(Repair::Unsuspend)),
            ("LOCKED_OUT", Some(Repair::Unlock)),
            ("STAGED", Some(Repair::Activate)),
            ("PROVISIONED", None),
            ("DEPROVISIONED", None),
            ("PASSWORD_EXPIRED", None),
            ("RECOVERY", None),
            ("ACTIVATING", None),
            ("SOMETHING_NEW", None),
        ];
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::AdAgent);
        for (status, repair) in cases {
            let observed = ObservedAccount {
                status: status.into(),
                ..compliant(&desired, &baseline)
            };
            let compliance = assess(&desired, &baseline, &observed);
            assert_eq!(rules(&compliance), [RuleId::NotActive], "{status}");
            assert_eq!(compliance.findings[0].repair, repair, "{status}");
            assert_eq!(compliance.findings[0].violation.path, ["status"]);
            assert!(compliance.findings[0].violation.summary.contains(status));
            assert!(!compliance.is_finalizable());
            assert_eq!(compliance.is_repairable(), repair.is_some());
            assert_well_formed(&compliance.violations().cloned().collect::<Vec<_>>());
        }
    }

    #[test]
    fn every_kind_against_every_single_observed_role_drift() {
        let baseline = SecuringBaseline::default();
        for kind in ServiceAccountKind::ALL {
            let desired = desired(kind);
            for role in AdminRole::ALL {
                // Drift by adding `role` (if the account lacks it) or removing it (if it holds it).
                let mut observed = compliant(&desired, &baseline);
                let holds = desired.admin_roles.contains(&role);
                if holds {
                    observed.role_types.retain(|name| name != role.as_str());
                } else {
                    observed.role_types.push(role.to_string());
                }
                let compliance = assess(&desired, &baseline, &observed);
                let expected = if holds {
                    (RuleId::RoleMissing, Repair::AssignRole(role))
                } else {
                    (
                        RuleId::RoleUnexpected,
                        Repair::UnassignRole(role.to_string()),
                    )
                };
                assert_eq!(rules(&compliance), [expected.0], "{kind} {role}");
                assert_eq!(compliance.repairs(), [expected.1], "{kind} {role}");
            }
        }
    }

    #[test]
    fn radius_with_super_admin_not_declared_is_over_privileged() {
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::Radius);
        let mut observed = compliant(&desired, &baseline);
        observed.role_types = vec![
            "SUPER_ADMIN".into(),
            "READ_ONLY_ADMIN".into(),
            "APP_ADMIN".into(),
            "CUSTOM".into(),
        ];
        let compliance = assess(&desired, &baseline, &observed);
        assert_eq!(
            compliance.repairs(),
            [
                Repair::UnassignRole("CUSTOM".into()),
                Repair::UnassignRole("SUPER_ADMIN".into())
            ]
        );
    }

    #[test]
    fn securing_rule_findings_and_their_repairs() {
        let baseline = SecuringBaseline {
            allowed_network_cidrs: vec!["203.0.113.0/24".into()],
            ..Default::default()
        };
        let desired = desired(ServiceAccountKind::Radius);
        let good = compliant(&desired, &baseline);
        let weak_password = PasswordPolicySettings {
            min_length: 8,
            complexity: PasswordComplexity {
                symbol: false,
                ..PasswordComplexity::REQUIRED
            },
            max_age_days: 90,
            lockout_attempts: 0,
            recovery: Recovery {
                email: true,
                question: true,
                ..Recovery::ALL_OFF
            },
        };
        let long_session = SignOnPolicySettings {
            persistent_session: true,
            session_lifetime_minutes: 0,
            network_zone_cidrs: vec!["203.0.113.0/24".into()],
        };
        type Drift = fn(&mut ObservedAccount);
        let cases: Vec<(&str, Drift, RuleId, Option<Repair>)> = vec![
            (
                "removed from group",
                |o| o.in_service_account_group = false,
                RuleId::NotInGroup,
                Some(Repair::AddToGroup),
            ),
            (
                "shared mailbox",
                |o| o.email_shared_with_others = true,
                RuleId::SharedMailbox,
                None,
            ),
            (
                "recovery question",
                |o| o.recovery_question_set = true,
                RuleId::RecoveryQuestion,
                Some(Repair::ClearRecoveryQuestion),
            ),
            (
                "renamed",
                |o| o.first_name = "Bob".into(),
                RuleId::ProfileDrift,
                Some(Repair::RestoreProfile("first_name")),
            ),
            (
                "email changed",
                |o| o.email = "other@acme.example".into(),
                RuleId::ProfileDrift,
                Some(Repair::RestoreProfile("email")),
            ),
            (
                "password policy deleted",
                |o| o.password_policy = ObservedPolicy::Missing,
                RuleId::PasswordPolicy,
                Some(Repair::RestorePasswordPolicy),
            ),
            (
                "password policy deactivated",
                |o| {
                    if let ObservedPolicy::Present { active, .. } = &mut o.password_policy {
                        *active = false
                    }
                },
                RuleId::PasswordPolicy,
                Some(Repair::RestorePasswordPolicy),
            ),
            (
                "password policy outranked",
                |o| {
                    if let ObservedPolicy::Present { ranked_first, .. } = &mut o.password_policy {
                        *ranked_first = false
                    }
                },
                RuleId::PasswordPolicy,
                Some(Repair::RestorePasswordPolicy),
            ),
            (
                "password policy widened",
                |o| {
                    if let ObservedPolicy::Present {
                        targets_group_only, ..
                    } = &mut o.password_policy
                    {
                        *targets_group_only = false
                    }
                },
                RuleId::PasswordPolicy,
                Some(Repair::RestorePasswordPolicy),
            ),
            (
                "sign-on policy deleted",
                |o| o.sign_on_policy = ObservedPolicy::Missing,
                RuleId::SignOnPolicy,
                Some(Repair::RestoreSignOnPolicy),
            ),
            (
                "sign-on policy outranked",
                |o| {
                    if let ObservedPolicy::Present { ranked_first, .. } = &mut o.sign_on_policy {
                        *ranked_first = false
                    }
                },
                RuleId::SignOnPolicy,
                Some(Repair::RestoreSignOnPolicy),
            ),
            (
                "zone changed",
                |o| {
                    if let ObservedPolicy::Present { settings, .. } = &mut o.sign_on_policy {
                        settings.network_zone_cidrs = vec!["198.51.100.0/24".into()]
                    }
                },
                RuleId::NetworkZone,
                Some(Repair::RestoreNetworkZone),
            ),
            (
                "zone removed",
                |o| {
                    if let ObservedPolicy::Present { settings, .. } = &mut o.sign_on_policy {
                        settings.network_zone_cidrs.clear()
                    }
                },
                RuleId::NetworkZone,
                Some(Repair::RestoreNetworkZone),
            ),
            (
                "zone deactivated",
                |o| o.network_zone_active = Some(false),
                RuleId::NetworkZone,
                Some(Repair::RestoreNetworkZone),
            ),
        ];
        for (name, drift, rule, repair) in cases {
            let mut observed = good.clone();
            drift(&mut observed);
            let compliance = assess(&desired, &baseline, &observed);
            assert_eq!(rules(&compliance), [rule], "{name}");
            assert_eq!(compliance.findings[0].repair, repair, "{name}");
            assert_well_formed(&compliance.violations().cloned().collect::<Vec<_>>());
        }

        let mut observed = good.clone();
        if let ObservedPolicy::Present { settings, .. } = &mut observed.password_policy {
            *settings = weak_password;
        }
        let compliance = assess(&desired, &baseline, &observed);
        assert_eq!(rules(&compliance), [RuleId::PasswordPolicy]);
        let detail = &compliance.findings[0].violation.detail;
        for fragment in [
            "minimum length is 8 (baseline 20)",
            "complexity",
            "expire after 90 days",
            "lockout is after 0 failures",
            "e-mail reset is on",
            "security question reset is on",
        ] {
            assert!(
                detail.to_lowercase().contains(fragment),
                "{detail} lacks {fragment}"
            );
        }

        let mut observed = good;
        if let ObservedPolicy::Present { settings, .. } = &mut observed.sign_on_policy {
            *settings = long_session;
        }
        let compliance = assess(&desired, &baseline, &observed);
        assert_eq!(rules(&compliance), [RuleId::SignOnPolicy]);
        let detail = &compliance.findings[0].violation.detail;
        assert!(
            detail.contains("persist") && detail.contains("unbounded"),
            "{detail}"
        );
    }

    #[test]
    fn an_unrequested_zone_is_drift_and_a_missing_policy_is_reported_once() {
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::DeepLink);
        let mut observed = compliant(&desired, &baseline);
        if let ObservedPolicy::Present { settings, .. } = &mut observed.sign_on_policy {
            settings.network_zone_cidrs = vec!["198.51.100.0/24".into()];
        }
        assert_eq!(
            rules(&assess(&desired, &baseline, &observed)),
            [RuleId::NetworkZone]
        );

        let zoned = SecuringBaseline {
            allowed_network_cidrs: vec!["203.0.113.0/24".into()],
            ..Default::default()
        };
        let mut observed = compliant(&desired, &zoned);
        observed.sign_on_policy = ObservedPolicy::Missing;
        assert_eq!(
            rules(&assess(&desired, &zoned, &observed)),
            [RuleId::SignOnPolicy]
        );
    }

    #[test]
    fn logins_and_emails_compare_without_case() {
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::AdAgent);
        let mut observed = compliant(&desired, &baseline);
        observed.login = observed.login.to_uppercase();
        observed.email = observed.email.to_uppercase();
        assert!(assess(&desired, &baseline, &observed).is_finalizable());
        observed.last_name = observed.last_name.to_uppercase();
        assert_eq!(
            rules(&assess(&desired, &baseline, &observed)),
            [RuleId::ProfileDrift]
        );
    }

    #[test]
    fn many_drifts_give_many_findings_and_sorted_repairs() {
        let baseline = SecuringBaseline::default();
        let desired = desired(ServiceAccountKind::AdAgent);
        let mut observed = compliant(&desired, &baseline);
        observed.status = "SUSPENDED".into();
        observed.role_types.clear();
        observed.in_service_account_group = false;
        observed.email_shared_with_others = true;
        let compliance = assess(&desired, &baseline, &observed);
        assert_eq!(compliance.findings.len(), 4);
        assert_eq!(
            compliance.repairs(),
            [
                Repair::Unsuspend,
                Repair::AssignRole(SuperAdmin),
                Repair::AddToGroup
            ]
        );
        assert_eq!(compliance.needs_a_person().len(), 1);
        assert!(!compliance.is_repairable());
        for repair in compliance.repairs() {
            assert!(!repair.describe().is_empty());
        }
    }

    #[test]
    fn expectations_for_unconfigured_accounts() {
        let baseline = SecuringBaseline::default();
        let template = desired(ServiceAccountKind::Custom);
        let mut observed = compliant(&template, &baseline);
        observed.role_types = vec!["USER_ADMIN".into(), "CUSTOM".into(), "MOBILE_ADMIN".into()];
        let expectation = expectation_for_observed(ServiceAccountKind::Custom, &observed);
        assert_eq!(expectation.admin_roles, [UserAdmin].into());
        let compliance = assess(&expectation, &baseline, &observed);
        assert_eq!(
            compliance.repairs(),
            [
                Repair::UnassignRole("CUSTOM".into()),
                Repair::UnassignRole("MOBILE_ADMIN".into())
            ]
        );

        let expectation = expectation_for_observed(ServiceAccountKind::Radius, &observed);
        assert_eq!(expectation.admin_roles, [ReadOnlyAdmin, AppAdmin].into());
        assert_eq!(expectation.login, observed.login);
    }
}
