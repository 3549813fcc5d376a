//! Which users of an org the `okta_msp_service_account` list resource proposes for adoption, and
//! as which kind. Conservative by design: proposing a person would have Terraform take over, and
//! then finalize and guard, a human administrator. So a user is proposed only when something
//! other than a guess names it a service account:
//!
//! 1. **The provider's mark** in `userType` (`okta-msp-service-account/<kind>[/finalized]`): the
//!    kind is the one the mark records. A mark whose kind this provider does not know (written by
//!    a newer version, or by hand) is *undecidable*: reported, never proposed.
//! 2. **The MSP platform's default login** for a kind (`oktaadagent@…`, `oktaradius@…`,
//!    `deep-link@…`, `msp-okta-integration@…`, the kind table's `login_local_part`), on a user
//!    whose `userType` is empty: the platform creates these accounts under exactly these names.
//!    A user whose `userType` holds anything else (an HR value such as `Employee`) was classified
//!    by someone and is left alone.
//!
//! Holding admin roles is *not* a reason on its own: an administrator who is a person holds the
//! same roles, and nothing in Okta's user object tells the two apart. A `custom` account without
//! the mark is therefore never proposed; it is adopted with an `import` block that says
//! `kind = "custom"`. A first name alone (which people can share with a kind's default) is not a
//! reason either.

use super::kind::ServiceAccountKind;
use super::user_type::{USER_TYPE_PREFIX, parse_user_type};

/// How discovery decides, for the list resource's documentation.
pub const DOCUMENTATION: &str = "A user is proposed only when something other than a guess names it a service account: the provider's mark in Okta's `userType` (its kind is the one the mark records; a mark of a kind this version does not know is reported as a warning and skipped), or, with an empty `userType`, the MSP platform's default login of a kind (for example `oktaadagent@...`). Holding admin roles is not a reason on its own, since an administrator who is a person holds the same roles: an unmarked `custom` account is adopted with an `import` block instead. Discovery costs one call per org (`GET /api/v1/org`) plus one per 200 users (`GET /api/v1/users`), and stops asking Okta once Terraform's `limit` is reached.";

/// Why a user is proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The provider's mark; `finalized` as it records.
    Marked { finalized: bool },
    /// An unmarked user holding the platform's default login of the kind. Adopting it writes the
    /// mark and finalizes it, which the plan shows.
    PlatformLogin,
}

/// What discovery decides about one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A service account of `kind`, for `reason`.
    Proposed {
        kind: ServiceAccountKind,
        reason: Reason,
    },
    /// Carries the provider's mark, but its kind cannot be read: say so, do not propose.
    Undecidable { user_type: String },
    /// Not a service account as far as discovery can tell.
    Ignored,
}

/// The verdict on a user with `login` and `userType`.
pub fn judge(login: &str, user_type: Option<&str>) -> Verdict {
    let user_type = user_type.map(str::trim).filter(|value| !value.is_empty());
    if let Some((kind, finalized)) = parse_user_type(user_type) {
        return Verdict::Proposed {
            kind,
            reason: Reason::Marked { finalized },
        };
    }
    if let Some(value) = user_type {
        return if value.starts_with(USER_TYPE_PREFIX) {
            Verdict::Undecidable {
                user_type: value.to_owned(),
            }
        } else {
            Verdict::Ignored
        };
    }
    let local = login.split('@').next().unwrap_or_default();
    ServiceAccountKind::ALL
        .into_iter()
        .find(|kind| {
            kind.rule()
                .naming
                .login_local_part
                .is_some_and(|default| default.eq_ignore_ascii_case(local))
        })
        .map_or(Verdict::Ignored, |kind| Verdict::Proposed {
            kind,
            reason: Reason::PlatformLogin,
        })
}

/// How `terraform query` shows a proposed account: `acme.okta.com / oktaadagent@msp.example
/// (ad_agent)`, with a note when only the login decided it.
pub fn display_name(
    org_host: &str,
    login: &str,
    kind: ServiceAccountKind,
    reason: Reason,
) -> String {
    match reason {
        Reason::Marked { .. } => format!("{org_host} / {login} ({kind})"),
        Reason::PlatformLogin => format!("{org_host} / {login} ({kind}, unmarked: platform login)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::user_type::user_type;

    #[test]
    fn the_mark_decides_the_kind_whatever_the_login() {
        for kind in ServiceAccountKind::ALL {
            for finalized in [false, true] {
                assert_eq!(
                    judge("anything@msp.example", Some(&user_type(kind, finalized))),
                    Verdict::Proposed {
                        kind,
                        reason: Reason::Marked { finalized }
                    }
                );
            }
        }
    }

    #[test]
    fn an_unmarked_platform_login_is_proposed_as_its_kind() {
        assert_eq!(
            judge("OktaRadius@msp.example", None),
            Verdict::Proposed {
                kind: ServiceAccountKind::Radius,
                reason: Reason::PlatformLogin
            }
        );
        assert_eq!(
            judge("oktaadagent@acme.example", Some("  ")),
            Verdict::Proposed {
                kind: ServiceAccountKind::AdAgent,
                reason: Reason::PlatformLogin
            }
        );
    }

    #[test]
    fn people_and_classified_users_are_never_proposed() {
        // An administrator (roles are not consulted at all), a first name like a kind's, a
        // platform login that someone classified as an employee.
        assert_eq!(judge("jane.admin@acme.example", None), Verdict::Ignored);
        assert_eq!(
            judge("okta-radius-jane@acme.example", None),
            Verdict::Ignored
        );
        assert_eq!(
            judge("oktaradius@acme.example", Some("Employee")),
            Verdict::Ignored
        );
    }

    #[test]
    fn a_mark_of_an_unknown_kind_is_undecidable() {
        assert_eq!(
            judge(
                "svc@acme.example",
                Some("okta-msp-service-account/robot/finalized")
            ),
            Verdict::Undecidable {
                user_type: "okta-msp-service-account/robot/finalized".into()
            }
        );
    }

    #[test]
    fn display_names_say_org_login_and_kind() {
        assert_eq!(
            display_name(
                "acme.okta.com",
                "okta-ad-agent@msp.example",
                ServiceAccountKind::AdAgent,
                Reason::Marked { finalized: true }
            ),
            "acme.okta.com / okta-ad-agent@msp.example (ad_agent)"
        );
    }
}
