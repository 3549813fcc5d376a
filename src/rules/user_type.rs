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
/// the mark ([`Finalizer::tag`]), so that the same configuration, killed before Terraform
/// recorded the account, knows it for its own on the next apply (G20), while any other
/// configuration is refused (G14). `userType` keeps its exact form, which other tools and
/// searches rely on.
pub const FINALIZED_BY_ATTRIBUTE: &str = "organization";

const FINALIZED_BY_PREFIX: &str = "okta-msp configuration ";

const UNNAMED_PREFIX: &str = "okta-msp unnamed configuration ";

/// The value of [`FINALIZED_BY_ATTRIBUTE`] for a configuration named `configuration`; `None`
/// for an unnamed one. This is the part every refresh of a named configuration checks.
pub fn finalized_by(configuration: &str) -> Option<String> {
    let name = configuration.trim();
    (!name.is_empty()).then(|| format!("{FINALIZED_BY_PREFIX}{name}"))
}

/// A configuration as it signs the accounts it finalizes, beside the mark.
///
/// A named configuration signs with its name (`baseline_owner`). An unnamed one has no name,
/// so it signs with where it runs: a digest of its working directory and Terraform workspace
/// (`provider::configuration_location`). A stranger that copies the configuration runs from
/// another directory or workspace and is refused (G14); the same configuration, re-applied
/// where it was killed, is recognised (G20). A run from somewhere else (a CI runner that checks
/// out to a new path each time) is refused with the `import` block, never adopted wrongly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finalizer {
    /// The configuration's name (`baseline_owner`); empty when unnamed.
    pub name: String,
    /// Where an unnamed configuration runs, as a digest; `None` when it could not be read.
    pub location: Option<String>,
}

impl Finalizer {
    /// What this configuration writes beside the mark: `None` only when it is unnamed and where
    /// it runs is unknown, in which case it claims nothing and recognises nothing.
    pub fn tag(&self) -> Option<String> {
        finalized_by(&self.name).or_else(|| {
            self.location
                .as_deref()
                .filter(|location| !location.is_empty())
                .map(|location| format!("{UNNAMED_PREFIX}{location}"))
        })
    }

    /// Whether `value` (the account's [`FINALIZED_BY_ATTRIBUTE`]) is this configuration's tag.
    pub fn finalized(&self, value: Option<&str>) -> bool {
        self.tag().is_some_and(|ours| value == Some(ours.as_str()))
    }

    pub fn is_named(&self) -> bool {
        !self.name.trim().is_empty()
    }
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

    fn named(name: &str) -> Finalizer {
        Finalizer {
            name: name.to_owned(),
            location: Some("aaaa".to_owned()),
        }
    }

    fn unnamed(location: Option<&str>) -> Finalizer {
        Finalizer {
            name: String::new(),
            location: location.map(str::to_owned),
        }
    }

    #[test]
    fn a_named_configuration_recognises_only_its_name() {
        let ours = named("acme-prod").tag();
        assert_eq!(ours.as_deref(), Some("okta-msp configuration acme-prod"));
        assert_eq!(ours, finalized_by("acme-prod"));
        assert!(named("acme-prod").finalized(ours.as_deref()));
        assert!(!named("acme-staging").finalized(ours.as_deref()));
        // Unnamed, even from the same place: a name is never claimed by location.
        assert!(!unnamed(Some("aaaa")).finalized(ours.as_deref()));
        assert!(!named("Acme Corp").finalized(Some("Acme Corp")));
    }

    #[test]
    fn an_unnamed_configuration_recognises_only_its_own_location() {
        let ours = unnamed(Some("1f2e")).tag();
        assert_eq!(ours.as_deref(), Some("okta-msp unnamed configuration 1f2e"));
        assert!(unnamed(Some("1f2e")).finalized(ours.as_deref()));
        assert!(!unnamed(Some("9c8b")).finalized(ours.as_deref()));
        // A named configuration running from the same place is another configuration.
        assert!(!named("1f2e").finalized(ours.as_deref()));
        // Where it runs unknown: it claims nothing and recognises nothing, not even nothing.
        assert_eq!(unnamed(None).tag(), None);
        assert_eq!(unnamed(Some("")).tag(), None);
        assert!(!unnamed(None).finalized(None));
        assert_eq!(finalized_by("  "), None);
    }
}
