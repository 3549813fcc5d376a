//! The provider's private data per object (opaque to Terraform, stored with the state): a JSON
//! object. The guard's finalization marker lives here during a plan (`rules::marker`), and so
//! does the last verification of an account ([`Verification`]): from when it was found as
//! configured, baseline included (`okta_msp_verified_at`: Okta's time of the earliest read it
//! rests on), until when the set-up that verified it wrote (`okta_msp_own_writes_until`, so
//! that its own writes are not taken for someone else's), the service account group it was found in
//! (`okta_msp_group_id`) and the fingerprint of the baseline settings it was verified against
//! (`okta_msp_baseline`). With them a refresh reads what the System Log says changed since, and
//! nothing else. They are ids, times and a hash of settings: nothing secret. A create plan that
//! adopts or resumes an existing object records its id under `okta_msp_adopts`: the apply's
//! create must take over exactly that object, and when the plan is the replacement of a tainted
//! object, Terraform hands the same private data to the delete of the tainted one, which then
//! forgets it instead of deleting what the create resumes (G19).

use serde_json::{Map, Value};

use super::org_access::Verified;

const VERIFIED_AT: &str = "okta_msp_verified_at";
const OWN_WRITES_UNTIL: &str = "okta_msp_own_writes_until";
const GROUP_ID: &str = "okta_msp_group_id";
const BASELINE: &str = "okta_msp_baseline";
const ADOPTS: &str = "okta_msp_adopts";

fn object(private: &[u8]) -> Map<String, Value> {
    serde_json::from_slice::<Map<String, Value>>(private).unwrap_or_default()
}

/// An account's last verification, as kept in its private data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// From when (Okta's time, Unix milliseconds: no later than the earliest read it rests
    /// on); 0 or absent: not verified since it drifted, or never.
    pub at: Option<i64>,
    /// Until when the set-up that verified it wrote (Okta's time, no earlier than its last
    /// write); absent: it wrote nothing (a refresh's verification).
    pub own_writes_until: Option<i64>,
    /// The service account group the account was found in.
    pub group_id: Option<String>,
    /// `rules::baseline_owner::fingerprint` of the baseline settings it was verified against.
    pub baseline: Option<String>,
}

/// The verification recorded in `private`.
pub fn verification(private: &[u8]) -> Verification {
    let map = object(private);
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    Verification {
        at: map.get(VERIFIED_AT).and_then(Value::as_i64),
        own_writes_until: map.get(OWN_WRITES_UNTIL).and_then(Value::as_i64),
        group_id: text(GROUP_ID),
        baseline: text(BASELINE),
    }
}

/// `private` recording `verification`, other keys kept. Byte for byte `private` itself when it
/// records exactly that already: Terraform calls an object whose private data changed
/// "changed", and a refresh that found nothing must not.
pub fn with_verification(private: &[u8], verification: &Verification) -> Vec<u8> {
    if self::verification(private) == *verification {
        return private.to_vec();
    }
    let mut map = object(private);
    let mut set = |key: &str, value: Option<Value>| match value {
        Some(value) => {
            map.insert(key.to_owned(), value);
        }
        None => {
            map.remove(key);
        }
    };
    set(VERIFIED_AT, verification.at.map(Value::from));
    set(
        OWN_WRITES_UNTIL,
        verification.own_writes_until.map(Value::from),
    );
    set(GROUP_ID, verification.group_id.clone().map(Value::from));
    set(BASELINE, verification.baseline.clone().map(Value::from));
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

/// The id of the existing object a create plan adopts or resumes, if it does.
pub fn adopts(private: &[u8]) -> Option<String> {
    Some(object(private).get(ADOPTS)?.as_str()?.to_owned())
}

/// `private` recording that the planned create adopts the object `id`.
pub fn with_adopts(private: &[u8], id: &str) -> Vec<u8> {
    let mut map = object(private);
    map.insert(ADOPTS.to_owned(), Value::from(id));
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

/// Privileges beyond the account's kind that its last refresh found and that the provider may
/// not remove itself, each in words with the group or binding and how to remove it: the plan
/// that would repair the account refuses while there are any.
pub fn privilege_refusals(private: &[u8]) -> Vec<String> {
    object(private)
        .get(PRIVILEGE_REFUSALS)
        .and_then(Value::as_array)
        .map(|refusals| {
            refusals
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `private` recording `refusals` (none: the key removed), other keys kept; byte for byte
/// `private` itself when it records exactly that already.
pub fn with_privilege_refusals(private: &[u8], refusals: &[String]) -> Vec<u8> {
    if privilege_refusals(private) == refusals {
        return private.to_vec();
    }
    let mut map = object(private);
    if refusals.is_empty() {
        map.remove(PRIVILEGE_REFUSALS);
    } else {
        map.insert(
            PRIVILEGE_REFUSALS.to_owned(),
            Value::from(refusals.to_vec()),
        );
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

const PRIVILEGE_REFUSALS: &str = "okta_msp_privilege_refusals";

impl Verification {
    /// What the System Log is compared with; `None` when not verified.
    pub fn verified(&self) -> Option<Verified> {
        let read_from = self.at.filter(|at| *at > 0)?;
        Some(Verified {
            read_from,
            own_writes_until: self.own_writes_until.unwrap_or(read_from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_round_trips_and_an_unchanged_one_keeps_every_byte() {
        let verification = Verification {
            at: Some(1_700_000_000_000),
            own_writes_until: Some(1_700_000_004_000),
            group_id: Some("00g1".to_owned()),
            baseline: Some("v1:abc".to_owned()),
        };
        let private = with_verification(br#"{"other":1}"#, &verification);
        assert_eq!(self::verification(&private), verification);
        assert!(String::from_utf8_lossy(&private).contains("other"));
        // Recording the same again returns the very bytes, whatever their key order.
        let reordered = br#"{"okta_msp_baseline":"v1:abc","okta_msp_group_id":"00g1","okta_msp_own_writes_until":1700000004000,"okta_msp_verified_at":1700000000000,"other":1}"#;
        assert_eq!(
            with_verification(reordered, &verification),
            reordered.to_vec()
        );
        let cleared = with_verification(&private, &Verification::default());
        assert_eq!(self::verification(&cleared), Verification::default());
        assert_eq!(self::verification(b"not json"), Verification::default());
    }

    #[test]
    fn privilege_refusals_round_trip_and_none_leaves_the_bytes_alone() {
        let refusals = vec!["SUPER_ADMIN through group \"Admins\" (00g1)".to_owned()];
        let private = with_privilege_refusals(br#"{"other":1}"#, &refusals);
        assert_eq!(privilege_refusals(&private), refusals);
        assert!(String::from_utf8_lossy(&private).contains("other"));
        assert_eq!(with_privilege_refusals(&private, &refusals), private);
        let cleared = with_privilege_refusals(&private, &[]);
        assert!(privilege_refusals(&cleared).is_empty());
        assert_eq!(with_privilege_refusals(b"{}", &[]), b"{}".to_vec());
    }

    #[test]
    fn an_adoption_round_trips_beside_other_keys() {
        let recorded = Verification {
            at: Some(7),
            ..Verification::default()
        };
        let private = with_adopts(&with_verification(b"", &recorded), "00u9");
        assert_eq!(adopts(&private).as_deref(), Some("00u9"));
        assert_eq!(verification(&private), recorded);
        assert_eq!(adopts(b""), None);
        assert_eq!(adopts(b"[1]"), None);
    }
}
