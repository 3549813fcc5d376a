//! The provider's private data per object (opaque to Terraform, stored with the state): a JSON
//! object. The guard's finalization marker lives here during a plan (`rules::marker`), and so
//! does `okta_msp_verified_at`, when the account's admin roles were last verified, which lets a
//! refresh skip reading roles the System Log says nobody changed since. A create plan that
//! adopts or resumes an existing object records its id under `okta_msp_adopts`: the apply's
//! create must take over exactly that object, and when the plan is the replacement of a tainted
//! object, Terraform hands the same private data to the delete of the tainted one, which then
//! forgets it instead of deleting what the create resumes (G19).

use serde_json::{Map, Value};

const VERIFIED_AT: &str = "okta_msp_verified_at";
const ADOPTS: &str = "okta_msp_adopts";

fn object(private: &[u8]) -> Map<String, Value> {
    serde_json::from_slice::<Map<String, Value>>(private).unwrap_or_default()
}

/// When the roles were last verified (Unix milliseconds), if recorded.
pub fn verified_at(private: &[u8]) -> Option<i64> {
    object(private).get(VERIFIED_AT)?.as_i64()
}

/// `private` with the verification time set, other keys kept.
pub fn with_verified_at(private: &[u8], at: i64) -> Vec<u8> {
    let mut map = object(private);
    map.insert(VERIFIED_AT.to_owned(), Value::from(at));
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

/// Now (Unix milliseconds), as the time a verification that just read the roles is dated.
pub fn verification_time() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_time_round_trips_and_keeps_other_keys() {
        let private = br#"{"okta_msp_finalized":{"v":1,"id":"00u1"}}"#;
        let updated = with_verified_at(private, 1_700_000_000);
        assert_eq!(verified_at(&updated), Some(1_700_000_000));
        assert!(String::from_utf8_lossy(&updated).contains("okta_msp_finalized"));
        assert_eq!(verified_at(b""), None);
        assert_eq!(verified_at(b"not json"), None);
        assert_eq!(verified_at(&with_verified_at(b"garbage", 5)), Some(5));
    }

    #[test]
    fn an_adoption_round_trips_beside_other_keys() {
        let private = with_adopts(&with_verified_at(b"", 7), "00u9");
        assert_eq!(adopts(&private).as_deref(), Some("00u9"));
        assert_eq!(verified_at(&private), Some(7));
        assert_eq!(adopts(b""), None);
        assert_eq!(adopts(b"[1]"), None);
    }
}
