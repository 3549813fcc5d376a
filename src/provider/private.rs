//! The provider's private data per object (opaque to Terraform, stored with the state): a JSON
//! object. The guard's finalization marker lives here during a plan (`rules::marker`), and so
//! does `okta_msp_verified_at`, when the account's admin roles were last verified, which lets a
//! refresh skip reading roles the System Log says nobody changed since.

use serde_json::{Map, Value};

const VERIFIED_AT: &str = "okta_msp_verified_at";

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
}
