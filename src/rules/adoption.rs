//! Adoption and recovery (SPEC section 4, rows G17 to G20): what a create does when Okta already
//! has a user with the login it asks for.
//!
//! A create meets an existing user in three situations, and they need opposite answers:
//!
//! - the account this resource itself created or adopted in an earlier apply that failed, was
//!   interrupted, or lost Okta's answer (G19, G20): resume it, same id, never a second one;
//! - an account of this kind that the provider, or the MSP platform, set up but nobody manages yet:
//!   adopt it, showing every change in the plan (G18);
//! - anything else, a person or another integration (G17), or an account another configuration
//!   finalized (G14): refuse, change nothing, and say how to adopt it deliberately.
//!
//! What Okta cannot say (whose state holds an account) the caller says in [`Own`]: the id this
//! resource's own state records for the login, as the run's refresh saw it, or as the plan
//! carried it to the apply in private data. When no state holds it (the run that finalized it
//! was killed before Terraform recorded it), Okta says which configuration finalized it: a named
//! configuration writes its name beside the mark, an unnamed one where it runs
//! ([`Finalizer`]), and only that configuration resumes it.

use super::guard::{GuardRow, GuardedResource, Refusal};
use super::kind::{Origin, ServiceAccountKind};
use super::user_type::{Finalizer, parse_user_type};

/// A user Okta already has under the login a create asks for, as the rules need to see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExistingUser {
    pub id: String,
    pub login: String,
    pub status: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub user_type: Option<String>,
    /// Which configuration finalized it (`user_type::FINALIZED_BY_ATTRIBUTE`), if one said.
    pub finalized_by: Option<String>,
    /// Admin role types it holds (Okta's spelling).
    pub role_types: Vec<String>,
}

/// The record of this resource's own object, when there is one: its state holds this id for the
/// login (tainted after a failed create, for example).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Own {
    pub id: String,
    /// The state says finalized: it was tainted by a person (`terraform taint`), not by a failed
    /// set-up, which never records an unverified account as finalized.
    pub finalized_in_state: bool,
}

/// What a create does with an existing user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdoptionDecision {
    /// Take the user over and bring it to its setup. `finalized` when Okta already records it
    /// finalized (this resource's own account whose finalization answer was lost, G20).
    Adopt {
        id: String,
        finalized: bool,
        row: GuardRow,
    },
    Refuse(Refusal),
}

/// The facts a decision needs.
#[derive(Clone, Debug)]
pub struct AdoptionCheck<'a> {
    /// The kind the configuration declares.
    pub kind: ServiceAccountKind,
    /// The org, as messages and import ids write it.
    pub org_url: &'a str,
    pub existing: &'a ExistingUser,
    pub own: Option<Own>,
    /// This configuration as it signs its finalizations: an account it finalized itself in a
    /// run whose end was never recorded is its own (G20).
    pub finalizer: &'a Finalizer,
}

/// Decides what a create does with the user that already holds its login.
pub fn decide(check: &AdoptionCheck<'_>) -> AdoptionDecision {
    let existing = check.existing;
    let marked = parse_user_type(existing.user_type.as_deref());
    let finalized_in_okta = matches!(marked, Some((_, true)));
    if let Some(own) = check.own.as_ref().filter(|own| own.id == existing.id) {
        if own.finalized_in_state {
            return AdoptionDecision::Refuse(tainted_by_hand(check));
        }
        return AdoptionDecision::Adopt {
            id: existing.id.clone(),
            finalized: finalized_in_okta,
            row: if finalized_in_okta {
                GuardRow::G20
            } else {
                GuardRow::G19
            },
        };
    }
    match marked {
        Some((kind, true))
            if kind == check.kind
                && check.finalizer.finalized(existing.finalized_by.as_deref()) =>
        {
            AdoptionDecision::Adopt {
                id: existing.id.clone(),
                finalized: true,
                row: GuardRow::G20,
            }
        }
        Some((_, true)) => AdoptionDecision::Refuse(finalized_elsewhere(check)),
        Some((kind, false)) if kind == check.kind => AdoptionDecision::Adopt {
            id: existing.id.clone(),
            finalized: false,
            row: GuardRow::G18,
        },
        Some((kind, false)) => AdoptionDecision::Refuse(not_this_kind(
            check,
            &format!("marked as a `{kind}` account"),
        )),
        None if made_by_the_platform(check.kind, existing) => AdoptionDecision::Adopt {
            id: existing.id.clone(),
            finalized: false,
            row: GuardRow::G18,
        },
        None => AdoptionDecision::Refuse(not_this_kind(check, "not marked as a service account")),
    }
}

/// The MSP platform creates the accounts of some kinds itself, with the kind's names; such an
/// account is recognisably this kind's even before this provider marked it.
fn made_by_the_platform(kind: ServiceAccountKind, existing: &ExistingUser) -> bool {
    kind.rule().origin == Origin::CreatedByPlatform
        && ServiceAccountKind::infer(&existing.login, &existing.first_name) == kind
}

/// The import block that adopts `existing` deliberately, and the CLI command for Terraform
/// before 1.5, which has no import blocks. Written for a resource named `example`: the messages
/// that show it say which address goes there.
pub fn import_block(org_url: &str, id: &str) -> String {
    let address = example_address();
    let import_id = format!("{}/{id}", org_url.trim_end_matches('/'));
    format!(
        "import {{\n  to = {address}\n  id = \"{import_id}\"\n}}\n\n(or run `terraform import {address} {import_id}`)"
    )
}

/// The address the import blocks of messages are written for.
fn example_address() -> String {
    format!("{}.example", GuardedResource::ServiceAccount.type_name())
}

fn describe(existing: &ExistingUser) -> String {
    let domain = existing
        .email
        .rsplit_once('@')
        .map(|(_, domain)| domain)
        .filter(|domain| !domain.is_empty())
        .unwrap_or("(no e-mail)");
    let roles = if existing.role_types.is_empty() {
        "no admin roles".to_owned()
    } else {
        format!("admin roles {}", existing.role_types.join(", "))
    };
    format!(
        "user {} is {}, has an e-mail address at {domain} and {roles}",
        existing.id, existing.status
    )
}

fn not_this_kind(check: &AdoptionCheck<'_>, why: &str) -> Refusal {
    let existing = check.existing;
    Refusal {
        row: GuardRow::G17,
        summary: format!(
            "{} in {} already belongs to a user that is not a `{}` service account (G17)",
            existing.login, check.org_url, check.kind
        ),
        detail: format!(
            "Okta's {} ({why}). Creating this account would take that user over: rewrite its profile, change its admin roles and finalize it, while whoever uses it keeps its password. Nothing was changed. If it is the {} service account, adopt it deliberately: add\n\n{}\n\nbeside this resource, with the address Terraform shows for this error in place of {}, and plan again; the plan then shows every change the adoption makes. Otherwise choose another login",
            describe(existing),
            check.kind,
            import_block(check.org_url, &existing.id),
            example_address()
        ),
        path: vec!["login".to_owned()],
    }
}

fn finalized_elsewhere(check: &AdoptionCheck<'_>) -> Refusal {
    let existing = check.existing;
    Refusal {
        row: GuardRow::G14,
        summary: format!(
            "Service account {} ({}) in {} already exists and is finalized (G14)",
            existing.login, existing.id, check.org_url
        ),
        detail: format!(
            "Its setup is complete, and creating it again is impossible without deleting it, which would disable its integration. {} If another configuration manages it, leave it there. If this configuration set it up in an apply that was interrupted before Terraform recorded it, or it was managed elsewhere and off-boarded, adopt it: add\n\n{}\n\nbeside this resource, with the address Terraform shows for this error in place of {}, and plan again",
            who_finalized(check),
            import_block(check.org_url, &existing.id),
            example_address()
        ),
        path: Vec::new(),
    }
}

/// Which configuration Okta says finalized the account, against this one's name: a named
/// configuration resumes its own accounts without this refusal.
fn who_finalized(check: &AdoptionCheck<'_>) -> String {
    let recorded = match check.existing.finalized_by.as_deref() {
        Some(by) => format!("Okta records it finalized by {by:?}"),
        None => "Okta records no configuration name for its finalization".to_owned(),
    };
    let this = match (check.finalizer.is_named(), check.finalizer.tag()) {
        (true, _) => format!(
            "this configuration is {:?} (`baseline_owner`)",
            check.finalizer.name.trim()
        ),
        (false, Some(ours)) => format!(
            "this configuration has no `baseline_owner`, so it knows its own finalizations by the directory and Terraform workspace it runs from, and would have recorded {ours:?}"
        ),
        (false, None) => "this configuration has no `baseline_owner`, and the directory it runs from could not be read, so it cannot tell its own finalized accounts from another's".to_owned(),
    };
    format!("{recorded}, and {this}.")
}

fn tainted_by_hand(check: &AdoptionCheck<'_>) -> Refusal {
    let existing = check.existing;
    Refusal {
        row: GuardRow::G8,
        summary: format!(
            "Finalized service account {} ({}) is tainted and cannot be replaced (G8)",
            existing.login, existing.id
        ),
        detail: format!(
            "It was marked for replacement (`terraform taint`), and replacing a finalized account deletes it and disables its integration. Nothing is wrong with it: run `terraform untaint` with the address Terraform shows for this error (`terraform state list -id={}` prints it too)",
            existing.id
        ),
        path: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::user_type::user_type;

    const ORG: &str = "https://acme.okta.com";

    fn user(login: &str, first_name: &str, user_type: Option<String>) -> ExistingUser {
        ExistingUser {
            id: "00u1".to_owned(),
            login: login.to_owned(),
            status: "ACTIVE".to_owned(),
            email: "it@acme.example".to_owned(),
            first_name: first_name.to_owned(),
            last_name: "Person".to_owned(),
            user_type,
            finalized_by: None,
            role_types: vec!["ORG_ADMIN".to_owned()],
        }
    }

    fn decide_for(
        kind: ServiceAccountKind,
        existing: &ExistingUser,
        own: Option<Own>,
    ) -> AdoptionDecision {
        decide(&AdoptionCheck {
            kind,
            org_url: ORG,
            existing,
            own,
            finalizer: &Finalizer::default(),
        })
    }

    fn row(decision: &AdoptionDecision) -> GuardRow {
        match decision {
            AdoptionDecision::Adopt { row, .. } => *row,
            AdoptionDecision::Refuse(refusal) => refusal.row,
        }
    }

    #[test]
    fn g17_a_person_with_the_login_is_never_taken_over() {
        let person = user("okta-radius@acme.example", "Pat", None);
        let decision = decide_for(ServiceAccountKind::Radius, &person, None);
        let AdoptionDecision::Refuse(refusal) = &decision else {
            panic!("{decision:?}")
        };
        assert_eq!(refusal.row, GuardRow::G17);
        for needle in [
            "okta-radius@acme.example",
            "ACTIVE",
            "acme.example",
            "ORG_ADMIN",
            "id = \"https://acme.okta.com/00u1\"",
        ] {
            assert!(
                refusal.detail.contains(needle) || refusal.summary.contains(needle),
                "{needle}: {refusal:?}"
            );
        }
    }

    #[test]
    fn g17_an_account_marked_as_another_kind_is_refused() {
        let other = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::AdAgent, false)),
        );
        assert_eq!(
            row(&decide_for(ServiceAccountKind::Radius, &other, None)),
            GuardRow::G17
        );
    }

    #[test]
    fn g18_an_unfinalized_account_of_this_kind_is_adopted() {
        let marked = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::Radius, false)),
        );
        assert_eq!(
            decide_for(ServiceAccountKind::Radius, &marked, None),
            AdoptionDecision::Adopt {
                id: "00u1".to_owned(),
                finalized: false,
                row: GuardRow::G18
            }
        );
    }

    #[test]
    fn g18_the_platforms_deep_link_account_is_recognised_by_its_names() {
        let platform = user("deep-link@acme.example", "x", None);
        assert_eq!(
            row(&decide_for(ServiceAccountKind::DeepLink, &platform, None)),
            GuardRow::G18
        );
        // The same names do not make a hand-made AD agent account recognisable.
        let agent = user("OktaADAgent@acme.example", "OktaADAgent", None);
        assert_eq!(
            row(&decide_for(ServiceAccountKind::AdAgent, &agent, None)),
            GuardRow::G17
        );
    }

    #[test]
    fn g14_an_account_finalized_elsewhere_is_refused_with_a_ready_import_block() {
        let finalized = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::Radius, true)),
        );
        let decision = decide_for(ServiceAccountKind::Radius, &finalized, None);
        let AdoptionDecision::Refuse(refusal) = &decision else {
            panic!("{decision:?}")
        };
        assert_eq!(refusal.row, GuardRow::G14);
        assert!(
            refusal
                .detail
                .contains("import {\n  to = okta_msp_service_account.")
        );
        assert!(
            refusal
                .detail
                .contains("id = \"https://acme.okta.com/00u1\"")
        );
        // Someone else's id in our state changes nothing.
        let other = Own {
            id: "00u2".to_owned(),
            finalized_in_state: false,
        };
        assert_eq!(
            row(&decide_for(
                ServiceAccountKind::Radius,
                &finalized,
                Some(other)
            )),
            GuardRow::G14
        );
    }

    #[test]
    fn g19_g20_this_resources_own_account_is_resumed_finalized_or_not() {
        let own = Own {
            id: "00u1".to_owned(),
            finalized_in_state: false,
        };
        for (finalized, expected) in [(false, GuardRow::G19), (true, GuardRow::G20)] {
            let existing = user(
                "svc@acme.example",
                "Svc",
                Some(user_type(ServiceAccountKind::Radius, finalized)),
            );
            assert_eq!(
                decide_for(ServiceAccountKind::Radius, &existing, Some(own.clone())),
                AdoptionDecision::Adopt {
                    id: "00u1".to_owned(),
                    finalized,
                    row: expected
                }
            );
        }
    }

    /// `name` for a named configuration; `@location` for an unnamed one running there.
    fn finalizer(who: &str) -> Finalizer {
        match who.strip_prefix('@') {
            Some(location) => Finalizer {
                name: String::new(),
                location: Some(location.to_owned()),
            },
            None => Finalizer {
                name: who.to_owned(),
                location: Some("elsewhere".to_owned()),
            },
        }
    }

    fn decide_as(existing: &ExistingUser, who: &str, kind: ServiceAccountKind) -> AdoptionDecision {
        decide(&AdoptionCheck {
            kind,
            org_url: ORG,
            existing,
            own: None,
            finalizer: &finalizer(who),
        })
    }

    #[test]
    fn g20_an_account_this_configuration_finalized_is_its_own_without_a_state() {
        for ours in ["acme-prod", "@3f9a"] {
            let mut finalized = user(
                "svc@acme.example",
                "Svc",
                Some(user_type(ServiceAccountKind::Radius, true)),
            );
            finalized.finalized_by = finalizer(ours).tag();
            assert_eq!(
                decide_as(&finalized, ours, ServiceAccountKind::Radius),
                AdoptionDecision::Adopt {
                    id: "00u1".to_owned(),
                    finalized: true,
                    row: GuardRow::G20
                },
                "{ours}"
            );
            // Another name, unnamed elsewhere, the location's digest used as a name, or
            // another kind: a stranger (G14).
            for (who, kind) in [
                ("acme-staging", ServiceAccountKind::Radius),
                ("@7c1d", ServiceAccountKind::Radius),
                ("3f9a", ServiceAccountKind::Radius),
                (ours, ServiceAccountKind::AdAgent),
            ] {
                if who == ours && kind == ServiceAccountKind::Radius {
                    continue;
                }
                let decision = decide_as(&finalized, who, kind);
                assert_eq!(row(&decision), GuardRow::G14, "{ours} as {who:?} {kind}");
            }
            // Without the claim, even the right configuration is refused.
            finalized.finalized_by = None;
            assert_eq!(
                row(&decide_as(&finalized, ours, ServiceAccountKind::Radius)),
                GuardRow::G14,
                "{ours}"
            );
        }
        // An unnamed configuration that cannot read where it runs recognises nothing.
        let mut finalized = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::Radius, true)),
        );
        finalized.finalized_by = None;
        let nowhere = Finalizer::default();
        let decision = decide(&AdoptionCheck {
            kind: ServiceAccountKind::Radius,
            org_url: ORG,
            existing: &finalized,
            own: None,
            finalizer: &nowhere,
        });
        assert_eq!(row(&decision), GuardRow::G14);
    }

    #[test]
    fn g14_says_which_configuration_finalized_it_and_what_this_one_would_have_written() {
        let mut finalized = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::Radius, true)),
        );
        finalized.finalized_by = finalizer("@3f9a").tag();
        let AdoptionDecision::Refuse(refusal) =
            decide_as(&finalized, "@7c1d", ServiceAccountKind::Radius)
        else {
            panic!("a stranger is refused");
        };
        assert!(
            refusal
                .detail
                .contains("finalized by \"okta-msp unnamed configuration 3f9a\""),
            "{}",
            refusal.detail
        );
        assert!(
            refusal
                .detail
                .contains("would have recorded \"okta-msp unnamed configuration 7c1d\""),
            "{}",
            refusal.detail
        );
    }

    #[test]
    fn g8_a_finalized_account_tainted_by_hand_is_refused_with_untaint() {
        let existing = user(
            "svc@acme.example",
            "Svc",
            Some(user_type(ServiceAccountKind::Radius, true)),
        );
        let own = Own {
            id: "00u1".to_owned(),
            finalized_in_state: true,
        };
        let decision = decide_for(ServiceAccountKind::Radius, &existing, Some(own));
        let AdoptionDecision::Refuse(refusal) = &decision else {
            panic!("{decision:?}")
        };
        assert_eq!(refusal.row, GuardRow::G8);
        assert!(refusal.detail.contains("terraform untaint"));
    }
}
