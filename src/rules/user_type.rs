//! The provider's mark in Okta itself: the standard `userType` profile attribute of a managed
//! service account says its kind and whether it is finalized, so that a second workspace with an
//! empty state, an import, and an apply-time delete can all tell (SPEC section 4).
//!
//! `okta-msp-service-account/<kind>` while it is set up, `okta-msp-service-account/<kind>/finalized`
//! once its setup is complete and verified.

use super::kind::ServiceAccountKind;

pub const USER_TYPE_PREFIX: &str = "okta-msp-service-account";

/// The Okta search that finds every account this provider marked.
pub fn marked_accounts_search() -> String {
    format!("profile.userType sw \"{USER_TYPE_PREFIX}/\"")
}

/// The `userType` value for an account of `kind`.
pub fn user_type(kind: ServiceAccountKind, finalized: bool) -> String {
    if finalized {
        format!("{USER_TYPE_PREFIX}/{kind}/finalized")
    } else {
        format!("{USER_TYPE_PREFIX}/{kind}")
    }
}

/// What `userType` says about an account: its kind and whether it is finalized, or nothing for
/// accounts this provider never touched.
pub fn parse_user_type(user_type: Option<&str>) -> Option<(ServiceAccountKind, bool)> {
    let rest = user_type?
        .strip_prefix(USER_TYPE_PREFIX)?
        .strip_prefix('/')?;
    let (kind, finalized) = match rest.strip_suffix("/finalized") {
        Some(kind) => (kind, true),
        None => (rest, false),
    };
    Some((kind.parse().ok()?, finalized))
}

/// Whether `userType` records a finalized account (of any kind): Okta's last word on
/// finalization, which an apply-time delete and a lost answer consult (G8, G20).
pub fn is_finalized_mark(user_type: Option<&str>) -> bool {
    matches!(parse_user_type(user_type), Some((_, true)))
}

/// The standard profile attribute that says which configuration finalized an account, beside
/// the mark: the configuration's name (`baseline_owner`), so that the same configuration,
/// killed before Terraform recorded the account, knows it for its own on the next apply (G20),
/// while any other configuration is refused (G14). `userType` keeps its exact form, which other
/// tools and searches rely on.
pub const FINALIZED_BY_ATTRIBUTE: &str = "organization";

const FINALIZED_BY_PREFIX: &str = "okta-msp configuration ";

/// The value of [`FINALIZED_BY_ATTRIBUTE`] for a configuration named `configuration`; `None`
/// for an unnamed one, which cannot be told from another unnamed one and so claims nothing.
pub fn finalized_by(configuration: &str) -> Option<String> {
    let name = configuration.trim();
    (!name.is_empty()).then(|| format!("{FINALIZED_BY_PREFIX}{name}"))
}

/// Whether `value` (the account's [`FINALIZED_BY_ATTRIBUTE`]) names `configuration`: never for
/// an unnamed configuration.
pub fn finalized_by_this(value: Option<&str>, configuration: &str) -> bool {
    finalized_by(configuration).is_some_and(|ours| value == Some(ours.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_type_round_trips_kind_and_finalization() {
        for kind in ServiceAccountKind::ALL {
            for finalized in [false, true] {
                assert_eq!(
                    parse_user_type(Some(&user_type(kind, finalized))),
                    Some((kind, finalized))
                );
            }
        }
        assert_eq!(parse_user_type(Some("Employee")), None);
        assert_eq!(parse_user_type(None), None);
        assert_eq!(
            parse_user_type(Some("okta-msp-service-account/wizard")),
            None
        );
    }

    #[test]
    fn only_a_finalized_mark_reads_as_finalized() {
        for kind in ServiceAccountKind::ALL {
            assert!(is_finalized_mark(Some(&user_type(kind, true))));
            assert!(!is_finalized_mark(Some(&user_type(kind, false))));
        }
        assert!(!is_finalized_mark(Some("Employee")));
        assert!(!is_finalized_mark(None));
    }

    #[test]
    fn only_a_named_configuration_recognises_its_own_finalization() {
        let ours = finalized_by("acme-prod");
        assert_eq!(ours.as_deref(), Some("okta-msp configuration acme-prod"));
        assert!(finalized_by_this(ours.as_deref(), "acme-prod"));
        assert!(!finalized_by_this(ours.as_deref(), "acme-staging"));
        assert!(!finalized_by_this(ours.as_deref(), ""));
        // An unnamed configuration claims nothing and recognises nothing, not even nothing.
        assert_eq!(finalized_by(""), None);
        assert_eq!(finalized_by("  "), None);
        assert!(!finalized_by_this(None, ""));
        assert!(!finalized_by_this(Some("Acme Corp"), "Acme Corp"));
    }
}
