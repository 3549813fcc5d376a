//! Who owns an org's securing baseline. The baseline is org-wide (its policies target the
//! service account group), so two configurations that manage accounts in one org with
//! different settings would undo each other on every apply. The group's description carries an
//! owner marker: the owning configuration's name (`baseline_owner`, empty for an unnamed one)
//! and a fingerprint of the settings it declared. Another owner with other settings is refused
//! at plan time, naming the owner; the same owner with other settings is a declared change.
//!
//! The marker lives in Okta because Terraform states do not see each other: only Okta is
//! shared by both configurations. The group's description is already the provider's own text.

use super::baseline::SecuringBaseline;

/// What the group description says about the baseline's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerMarker {
    /// The owning configuration's `baseline_owner`; empty for an unnamed configuration.
    pub owner: String,
    /// [`fingerprint`] of the settings the owner declared.
    pub fingerprint: String,
    /// The settings themselves, as [`settings_text`] writes them, so that a refusal can name
    /// the ones that differ; `None` in a marker written before they were kept.
    pub settings: Option<String>,
}

const MARKER_START: &str = "[okta-msp baseline owner: ";
const MARKER_SETTINGS: &str = "; settings ";
const SETTING_SEPARATOR: &str = "; ";
/// Okta's limit on a group's description.
const DESCRIPTION_MAX: usize = 1024;

/// A short, stable digest of the declared settings (FNV-1a, 64 bits, hex): equal settings give
/// equal fingerprints on every machine and version.
pub fn fingerprint(baseline: &SecuringBaseline) -> String {
    let mut cidrs = baseline.allowed_network_cidrs.clone();
    cidrs.sort();
    let canonical = format!(
        "v1;group={};min_length={};lockout={};session={};cidrs={}",
        baseline.group_name,
        baseline.password_min_length,
        baseline.lockout_attempts,
        baseline.session_lifetime_minutes,
        cidrs.join(",")
    );
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in canonical.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The settings a marker keeps, one `name=value` per setting, `; ` between them. The group's
/// name is not among them: another name is another group, and no conflict.
pub fn settings_text(baseline: &SecuringBaseline) -> String {
    let mut cidrs = baseline.allowed_network_cidrs.clone();
    cidrs.sort();
    format!(
        "password_min_length={}{SETTING_SEPARATOR}lockout_attempts={}{SETTING_SEPARATOR}session_lifetime_minutes={}{SETTING_SEPARATOR}allowed_network_cidrs={}",
        baseline.password_min_length,
        baseline.lockout_attempts,
        baseline.session_lifetime_minutes,
        if cidrs.is_empty() {
            "none".to_owned()
        } else {
            cidrs.join(",")
        }
    )
}

/// The settings that differ between the owner's (as its marker keeps them) and `ours`, each as
/// `name: "theirs" (owner) against "ours" (this configuration)`. `None` when the marker keeps no
/// settings.
pub fn differences(marker: &OwnerMarker, ours: &SecuringBaseline) -> Option<Vec<String>> {
    let theirs = marker.settings.as_deref()?;
    let ours = settings_text(ours);
    let pairs = |text: &str| -> Vec<(String, String)> {
        text.split(SETTING_SEPARATOR)
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    };
    let ours = pairs(&ours);
    Some(
        pairs(theirs)
            .into_iter()
            .filter_map(|(name, value)| {
                let mine = ours.iter().find(|(other, _)| *other == name)?;
                (mine.1 != value).then(|| {
                    format!(
                        "{name}: {value} (the owner's), {} (this configuration's)",
                        mine.1
                    )
                })
            })
            .collect(),
    )
}

/// `description` with the marker set to `marker` (any earlier marker replaced).
pub fn with_marker(description: &str, marker: &OwnerMarker) -> String {
    let base = match description.find(MARKER_START) {
        Some(at) => description[..at].trim_end(),
        None => description.trim_end(),
    };
    let owner = if marker.owner.is_empty() {
        "(unnamed)".to_owned()
    } else {
        format!("{:?}", marker.owner)
    };
    let with_settings = match &marker.settings {
        Some(settings) => format!(
            "{base} {MARKER_START}{owner}{MARKER_SETTINGS}{}{SETTING_SEPARATOR}{settings}]",
            marker.fingerprint
        ),
        None => String::new(),
    };
    // Okta keeps at most 1024 characters of a description: a long network list is left out
    // (the fingerprint alone still decides ownership).
    if !with_settings.is_empty() && with_settings.trim_start().chars().count() <= DESCRIPTION_MAX {
        return with_settings.trim_start().to_owned();
    }
    format!(
        "{base} {MARKER_START}{owner}{MARKER_SETTINGS}{}]",
        marker.fingerprint
    )
    .trim_start()
    .to_owned()
}

/// The marker in a group description, if there is one.
pub fn parse_marker(description: &str) -> Option<OwnerMarker> {
    let rest = &description[description.find(MARKER_START)? + MARKER_START.len()..];
    let (owner, rest) = rest.split_once(MARKER_SETTINGS)?;
    let rest = rest.strip_suffix(']').unwrap_or(rest);
    let (fingerprint, settings) = match rest.split_once(SETTING_SEPARATOR) {
        Some((fingerprint, settings)) => (fingerprint, Some(settings.trim().to_owned())),
        None => (rest, None),
    };
    let fingerprint = fingerprint.trim().to_owned();
    let owner = if owner == "(unnamed)" {
        String::new()
    } else {
        serde_json::from_str::<String>(owner).ok()?
    };
    Some(OwnerMarker {
        owner,
        fingerprint,
        settings,
    })
}

/// What a configuration may do with the baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// No marker yet: this configuration claims the baseline when it applies it.
    Unclaimed,
    /// The marker agrees with this configuration's settings (whoever owns it).
    Agrees,
    /// This configuration owns the baseline and declares other settings: a planned change.
    OwnChange,
    /// Another configuration owns it with other settings: refused, naming the owner.
    Conflict { owner: String },
}

/// Decides, from the marker in Okta, this configuration's owner name and its settings.
pub fn decide(marker: Option<&OwnerMarker>, owner: &str, fingerprint: &str) -> Ownership {
    match marker {
        None => Ownership::Unclaimed,
        Some(marker) if marker.fingerprint == fingerprint => Ownership::Agrees,
        Some(marker) if marker.owner == owner => Ownership::OwnChange,
        Some(marker) => Ownership::Conflict {
            owner: marker.owner.clone(),
        },
    }
}

/// Whether applying this configuration's settings would change the baseline without any plan
/// line showing it: an owner without a name (unnamed configurations cannot tell each other
/// apart, so "its own change" may be another configuration's baseline) changing the settings
/// through the plan of a new account, which shows only the account. The plan of an account
/// already verified against the old settings shows the change (as a G12-style repair), so
/// that is allowed; a named owner's change is its own by definition.
pub fn is_unshown_change(ownership: &Ownership, owner: &str, creating: bool) -> bool {
    creating && owner.is_empty() && *ownership == Ownership::OwnChange
}

/// How messages name an owner.
pub fn owner_name(owner: &str) -> String {
    if owner.is_empty() {
        "a configuration without baseline_owner".to_owned()
    } else {
        format!("the configuration {owner:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unnamed_owners_change_through_a_new_account_goes_unshown() {
        let change = Ownership::OwnChange;
        assert!(is_unshown_change(&change, "", true));
        assert!(
            !is_unshown_change(&change, "", false),
            "an existing account's plan shows it"
        );
        assert!(
            !is_unshown_change(&change, "msp-prod", true),
            "a named owner's own change"
        );
        assert!(!is_unshown_change(&Ownership::Agrees, "", true));
        assert!(!is_unshown_change(&Ownership::Unclaimed, "", true));
    }

    #[test]
    fn the_marker_round_trips_in_a_description_and_replaces_an_earlier_one() {
        let marker = OwnerMarker {
            owner: "msp-prod \"acme\"".into(),
            fingerprint: fingerprint(&SecuringBaseline::default()),
            settings: Some(settings_text(&SecuringBaseline::default())),
        };
        let description = with_marker("Service accounts managed by okta-msp.", &marker);
        assert!(description.starts_with("Service accounts managed by okta-msp. [okta-msp"));
        assert_eq!(parse_marker(&description), Some(marker.clone()));
        let unnamed = OwnerMarker {
            owner: String::new(),
            fingerprint: "abc".into(),
            settings: None,
        };
        let replaced = with_marker(&description, &unnamed);
        assert_eq!(replaced.matches(MARKER_START).count(), 1, "{replaced}");
        assert_eq!(parse_marker(&replaced), Some(unnamed));
        assert_eq!(parse_marker("Service accounts managed by okta-msp."), None);
        assert!(
            with_marker("", &marker).len() < 1024,
            "Okta's description limit"
        );
    }

    #[test]
    fn fingerprints_follow_the_settings_only() {
        let base = SecuringBaseline::default();
        let mut longer = base.clone();
        longer.password_min_length += 2;
        assert_ne!(fingerprint(&base), fingerprint(&longer));
        let mut a = base.clone();
        a.allowed_network_cidrs = vec!["10.0.0.0/8".into(), "192.0.2.0/24".into()];
        let mut b = base.clone();
        b.allowed_network_cidrs = vec!["192.0.2.0/24".into(), "10.0.0.0/8".into()];
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&base).len(), 16);
    }

    #[test]
    fn ownership_decisions() {
        let marker = OwnerMarker {
            owner: "team-a".into(),
            fingerprint: "f1".into(),
            settings: None,
        };
        assert_eq!(decide(None, "team-b", "f2"), Ownership::Unclaimed);
        assert_eq!(decide(Some(&marker), "team-b", "f1"), Ownership::Agrees);
        assert_eq!(decide(Some(&marker), "team-a", "f2"), Ownership::OwnChange);
        assert_eq!(
            decide(Some(&marker), "team-b", "f2"),
            Ownership::Conflict {
                owner: "team-a".into()
            }
        );
        assert_eq!(owner_name(""), "a configuration without baseline_owner");
    }

    #[test]
    fn a_conflict_names_only_the_settings_that_differ_with_both_values() {
        let theirs = SecuringBaseline {
            password_min_length: 24,
            ..SecuringBaseline::default()
        };
        let marker = parse_marker(&with_marker(
            "Service accounts managed by okta-msp.",
            &OwnerMarker {
                owner: "team-a".into(),
                fingerprint: fingerprint(&theirs),
                settings: Some(settings_text(&theirs)),
            },
        ))
        .unwrap();
        let ours = SecuringBaseline::default();
        let found = differences(&marker, &ours).unwrap();
        assert_eq!(
            found,
            vec![format!(
                "password_min_length: 24 (the owner's), {} (this configuration's)",
                ours.password_min_length
            )]
        );
        let old = OwnerMarker {
            settings: None,
            ..marker
        };
        assert_eq!(differences(&old, &ours), None);
    }
}
