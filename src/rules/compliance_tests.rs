//! Unit tests of `compliance.rs`, kept beside it so that the module itself stays readable.

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
        roles: desired
            .admin_roles
            .iter()
            .map(|role| HeldRole::direct(role.as_str()))
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

/// Standard roles (or a bare `CUSTOM`) assigned to the account itself.
fn direct(role_types: &[&str]) -> Vec<HeldRole> {
    role_types
        .iter()
        .map(|role| HeldRole::direct(*role))
        .collect()
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
                observed
                    .roles
                    .retain(|held| held.role_type != role.as_str());
            } else {
                observed.roles.push(HeldRole::direct(role.as_str()));
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
    observed.roles = direct(&["SUPER_ADMIN", "READ_ONLY_ADMIN", "APP_ADMIN", "CUSTOM"]);
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
    observed.roles.clear();
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
    observed.roles = direct(&["USER_ADMIN", "CUSTOM", "MOBILE_ADMIN"]);
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

fn through_group(role_type: &str, group_id: &str, group_name: Option<&str>) -> HeldRole {
    HeldRole {
        role_type: role_type.into(),
        custom: None,
        path: RolePath::Group {
            group_id: group_id.into(),
            group_name: group_name.map(str::to_owned),
        },
    }
}

fn custom_role(path: RolePath) -> HeldRole {
    HeldRole {
        role_type: "CUSTOM".into(),
        custom: Some(CustomGrant {
            role_id: "cr0custom".into(),
            label: Some("UserCreatorRole".into()),
            resource_set: "iamset".into(),
        }),
        path,
    }
}

#[test]
fn a_role_through_another_group_is_drift_that_a_person_must_remove_and_the_message_names_the_group()
{
    let baseline = SecuringBaseline::default();
    let desired = desired(ServiceAccountKind::Radius);
    let mut observed = compliant(&desired, &baseline);
    observed.roles.push(through_group(
        "SUPER_ADMIN",
        "00gadmins",
        Some("Helpdesk Admins"),
    ));
    let compliance = assess(&desired, &baseline, &observed);
    assert_eq!(rules(&compliance), [RuleId::RoleUnexpected]);
    assert!(compliance.repairs().is_empty());
    let refusals = compliance.privilege_refusals();
    assert_eq!(refusals.len(), 1);
    let refusal = refusals[0];
    assert!(
        refusal.summary.contains("SUPER_ADMIN"),
        "{}",
        refusal.summary
    );
    assert!(
        refusal.summary.contains("\"Helpdesk Admins\" (00gadmins)"),
        "{}",
        refusal.summary
    );
    for words in [
        "DELETE /api/v1/groups/00gadmins/users/",
        "DELETE /api/v1/groups/00gadmins/roles/",
        "Directory > Groups",
    ] {
        assert!(
            refusal.detail.contains(words),
            "{words}: {}",
            refusal.detail
        );
    }
    assert_well_formed(&compliance.violations().cloned().collect::<Vec<_>>());
}

#[test]
fn a_required_role_held_only_through_a_group_still_counts_as_held() {
    let baseline = SecuringBaseline::default();
    let desired = desired(ServiceAccountKind::Radius);
    let mut observed = compliant(&desired, &baseline);
    observed
        .roles
        .retain(|held| held.role_type != "READ_ONLY_ADMIN");
    observed
        .roles
        .push(through_group("READ_ONLY_ADMIN", "00gother", None));
    observed.roles.push(HeldRole {
        role_type: "APP_ADMIN".into(),
        custom: None,
        path: RolePath::ServiceAccountGroup {
            group_id: "00gsvc".into(),
        },
    });
    assert!(assess(&desired, &baseline, &observed).is_finalizable());
}

#[test]
fn a_standard_role_of_the_service_account_group_is_removed_from_the_group() {
    let baseline = SecuringBaseline::default();
    let desired = desired(ServiceAccountKind::AdAgent);
    let mut observed = compliant(&desired, &baseline);
    observed.roles.push(HeldRole {
        role_type: "ORG_ADMIN".into(),
        custom: None,
        path: RolePath::ServiceAccountGroup {
            group_id: "00gsvc".into(),
        },
    });
    let compliance = assess(&desired, &baseline, &observed);
    assert_eq!(
        compliance.repairs(),
        [Repair::UnassignServiceAccountGroupRole("ORG_ADMIN".into())]
    );
    assert!(compliance.privilege_refusals().is_empty());
    assert!(
        compliance.findings[0]
            .violation
            .summary
            .contains("through the service account group (00gsvc)")
    );
}

#[test]
fn custom_roles_are_removed_when_assigned_directly_and_refused_through_a_group_binding() {
    let baseline = SecuringBaseline::default();
    let desired = desired(ServiceAccountKind::Custom);
    let mut observed = compliant(&desired, &baseline);
    observed.roles.push(custom_role(RolePath::Direct));
    let direct = assess(&desired, &baseline, &observed);
    assert_eq!(
        direct.repairs(),
        [Repair::UnassignCustomRole(CustomGrant {
            role_id: "cr0custom".into(),
            label: Some("UserCreatorRole".into()),
            resource_set: "iamset".into()
        })]
    );
    assert_eq!(
        direct.repairs()[0].describe(),
        "remove the assignment of custom role \"UserCreatorRole\" (cr0custom) on resource set iamset"
    );
    assert!(
        direct.findings[0]
            .violation
            .summary
            .contains("custom role \"UserCreatorRole\" (cr0custom) on resource set iamset")
    );

    let mut observed = compliant(&desired, &baseline);
    observed.roles.push(custom_role(RolePath::Group {
        group_id: "00gbound".into(),
        group_name: Some("Auditors".into()),
    }));
    observed
        .roles
        .push(custom_role(RolePath::ServiceAccountGroup {
            group_id: "00gsvc".into(),
        }));
    let bound = assess(&desired, &baseline, &observed);
    assert!(bound.repairs().is_empty());
    let refusals = bound.privilege_refusals();
    assert_eq!(refusals.len(), 2);
    for refusal in &refusals {
        assert!(
            refusal
                .detail
                .contains("DELETE /api/v1/iam/resource-sets/iamset/bindings/cr0custom/members/"),
            "{}",
            refusal.detail
        );
    }
    assert!(
        refusals
            .iter()
            .any(|refusal| refusal.summary.contains("\"Auditors\" (00gbound)"))
    );
    assert_well_formed(&bound.violations().cloned().collect::<Vec<_>>());
}

#[test]
fn one_role_held_two_ways_gives_a_finding_per_way() {
    let baseline = SecuringBaseline::default();
    let desired = desired(ServiceAccountKind::Radius);
    let mut observed = compliant(&desired, &baseline);
    observed.roles.push(HeldRole::direct("SUPER_ADMIN"));
    observed
        .roles
        .push(through_group("SUPER_ADMIN", "00gadmins", None));
    observed
        .roles
        .push(through_group("SUPER_ADMIN", "00gadmins", None));
    let compliance = assess(&desired, &baseline, &observed);
    assert_eq!(compliance.findings.len(), 2);
    assert_eq!(
        compliance.repairs(),
        [Repair::UnassignRole("SUPER_ADMIN".into())]
    );
    assert_eq!(compliance.privilege_refusals().len(), 1);
}

#[test]
fn an_imported_custom_account_expects_only_its_own_roles() {
    let baseline = SecuringBaseline::default();
    let template = desired(ServiceAccountKind::Custom);
    let mut observed = compliant(&template, &baseline);
    observed.roles = direct(&["USER_ADMIN"]);
    observed
        .roles
        .push(through_group("SUPER_ADMIN", "00gadmins", None));
    let expectation = expectation_for_observed(ServiceAccountKind::Custom, &observed);
    assert_eq!(expectation.admin_roles, [UserAdmin].into());
    assert_eq!(
        assess(&expectation, &baseline, &observed)
            .privilege_refusals()
            .len(),
        1
    );
}
