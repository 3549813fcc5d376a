//! The finalization marker in Terraform private data.
//!
//! Terraform tells a provider nothing when a replace was forced (`-replace`,
//! `replace_triggered_by`, `create_before_destroy`): it plans the object again as a create, with
//! the prior state null but the prior private data set to what the provider planned for the old
//! object. So every plan of a finalized object carries this marker in its planned private data,
//! and a create plan that receives it is a replace of a finalized object. The marker is stripped
//! before private data is stored.
//!
//! Encoding: private data is a JSON object; the marker is its key `okta_msp_finalized`, holding
//! `{"v": 1, "id": "<okta id>"}`. Other keys are left alone.

use serde_json::{Map, Value};

pub const MARKER_KEY: &str = "okta_msp_finalized";
pub const MARKER_VERSION: u64 = 1;

/// The finalized object's Okta id, carried through Terraform's replace planning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalizationMarker {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    #[error("private data is not a JSON object")]
    NotAnObject,
    #[error("the finalization marker is malformed: {0}")]
    Malformed(&'static str),
    #[error(
        "the finalization marker has version {0}, newer than this provider understands ({MARKER_VERSION})"
    )]
    UnsupportedVersion(u64),
}

/// Whether private data carries the marker. Unreadable data is its own case: a guard treats it
/// as "maybe finalized" and refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkerPresence {
    Absent,
    Present(FinalizationMarker),
    Unreadable(MarkerError),
}

impl MarkerPresence {
    pub fn of(private: &[u8]) -> MarkerPresence {
        match decode(private) {
            Ok(None) => MarkerPresence::Absent,
            Ok(Some(marker)) => MarkerPresence::Present(marker),
            Err(error) => MarkerPresence::Unreadable(error),
        }
    }
}

/// `private` with the marker for `id` added (or replaced).
pub fn encode(private: &[u8], id: &str) -> Result<Vec<u8>, MarkerError> {
    let mut object = parse(private)?;
    let mut marker = Map::new();
    marker.insert("v".to_owned(), Value::from(MARKER_VERSION));
    marker.insert("id".to_owned(), Value::from(id));
    object.insert(MARKER_KEY.to_owned(), Value::Object(marker));
    Ok(render(object))
}

/// The marker `private` carries, if any.
pub fn decode(private: &[u8]) -> Result<Option<FinalizationMarker>, MarkerError> {
    let object = parse(private)?;
    let Some(marker) = object.get(MARKER_KEY) else {
        return Ok(None);
    };
    let marker = marker
        .as_object()
        .ok_or(MarkerError::Malformed("not an object"))?;
    let version = marker
        .get("v")
        .and_then(Value::as_u64)
        .ok_or(MarkerError::Malformed("no numeric version"))?;
    if version != MARKER_VERSION {
        return Err(MarkerError::UnsupportedVersion(version));
    }
    let id = marker
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or(MarkerError::Malformed("no id"))?;
    Ok(Some(FinalizationMarker { id: id.to_owned() }))
}

/// `private` without the marker; empty when nothing else remains. Unreadable private data is an
/// error rather than silently dropped.
pub fn strip(private: &[u8]) -> Result<Vec<u8>, MarkerError> {
    let mut object = parse(private)?;
    object.remove(MARKER_KEY);
    Ok(render(object))
}

fn parse(private: &[u8]) -> Result<Map<String, Value>, MarkerError> {
    if private.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice(private) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) | Err(_) => Err(MarkerError::NotAnObject),
    }
}

fn render(object: Map<String, Value>) -> Vec<u8> {
    if object.is_empty() {
        return Vec::new();
    }
    Value::Object(object).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_from_empty_private_data() {
        let encoded = encode(b"", "00uabcdefghij1234567").unwrap();
        let value: Value = serde_json::from_slice(&encoded).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"okta_msp_finalized": {"v": 1, "id": "00uabcdefghij1234567"}})
        );
        assert_eq!(
            decode(&encoded),
            Ok(Some(FinalizationMarker {
                id: "00uabcdefghij1234567".into()
            }))
        );
        assert_eq!(strip(&encoded), Ok(Vec::new()));
        assert_eq!(
            MarkerPresence::of(&strip(&encoded).unwrap()),
            MarkerPresence::Absent
        );
    }

    #[test]
    fn other_private_keys_survive_encoding_and_stripping() {
        let original = br#"{"resume":{"step":"roles"}}"#;
        let encoded = encode(original, "00u1").unwrap();
        assert!(
            matches!(MarkerPresence::of(&encoded), MarkerPresence::Present(m) if m.id == "00u1")
        );
        let stripped = strip(&encoded).unwrap();
        assert_eq!(stripped, original.to_vec());
        assert_eq!(decode(&stripped), Ok(None));
    }

    #[test]
    fn encoding_twice_replaces_the_marker() {
        let once = encode(b"", "00u1").unwrap();
        let twice = encode(&once, "00u2").unwrap();
        assert_eq!(decode(&twice).unwrap().unwrap().id, "00u2");
        assert_eq!(strip(&twice), Ok(Vec::new()));
    }

    #[test]
    fn stripping_without_a_marker_changes_nothing() {
        assert_eq!(strip(b""), Ok(Vec::new()));
        assert_eq!(strip(br#"{"a":1}"#), Ok(br#"{"a":1}"#.to_vec()));
        assert_eq!(strip(b"{}"), Ok(Vec::new()));
    }

    #[test]
    fn malformed_private_data_is_an_error_not_absence() {
        let cases: [(&[u8], MarkerError); 11] = [
            (b"not json", MarkerError::NotAnObject),
            (b"\xff\xfe", MarkerError::NotAnObject),
            (b"[1,2]", MarkerError::NotAnObject),
            (b"null", MarkerError::NotAnObject),
            (
                br#"{"okta_msp_finalized":true}"#,
                MarkerError::Malformed("not an object"),
            ),
            (
                br#"{"okta_msp_finalized":{"id":"00u1"}}"#,
                MarkerError::Malformed("no numeric version"),
            ),
            (
                br#"{"okta_msp_finalized":{"v":"1","id":"00u1"}}"#,
                MarkerError::Malformed("no numeric version"),
            ),
            (
                br#"{"okta_msp_finalized":{"v":1}}"#,
                MarkerError::Malformed("no id"),
            ),
            (
                br#"{"okta_msp_finalized":{"v":1,"id":""}}"#,
                MarkerError::Malformed("no id"),
            ),
            (
                br#"{"okta_msp_finalized":{"v":1,"id":7}}"#,
                MarkerError::Malformed("no id"),
            ),
            (
                br#"{"okta_msp_finalized":{"v":2,"id":"00u1"}}"#,
                MarkerError::UnsupportedVersion(2),
            ),
        ];
        for (bytes, error) in cases {
            assert_eq!(
                decode(bytes),
                Err(error.clone()),
                "{}",
                String::from_utf8_lossy(bytes)
            );
            assert_eq!(MarkerPresence::of(bytes), MarkerPresence::Unreadable(error));
        }
        assert_eq!(strip(b"not json"), Err(MarkerError::NotAnObject));
        assert_eq!(encode(b"[]", "00u1"), Err(MarkerError::NotAnObject));
        // A malformed marker inside an otherwise good object can still be stripped.
        assert_eq!(strip(br#"{"okta_msp_finalized":true}"#), Ok(Vec::new()));
    }

    #[test]
    fn errors_have_no_trailing_period() {
        for error in [
            MarkerError::NotAnObject,
            MarkerError::Malformed("no id"),
            MarkerError::UnsupportedVersion(9),
        ] {
            assert!(!error.to_string().ends_with('.'));
        }
    }
}
