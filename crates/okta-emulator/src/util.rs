//! Small helpers shared by the emulator: identifiers, Okta's timestamp format, opaque cursors and
//! query-string encoding.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine as _;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

thread_local! {
    /// One generator per thread, seeded from the OS (rand's thread-local generator is not enabled
    /// in this crate's feature set).
    static GENERATOR: RefCell<StdRng> = RefCell::new(StdRng::from_os_rng());
}

/// Runs `f` with this thread's random generator.
pub fn with_rng<T>(f: impl FnOnce(&mut StdRng) -> T) -> T {
    GENERATOR.with(|generator| f(&mut generator.borrow_mut()))
}

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A random string of `len` characters from `[0-9A-Za-z]`.
pub fn random_alphanumeric(len: usize) -> String {
    with_rng(|rng| {
        (0..len)
            .map(|_| ALPHANUMERIC[rng.random_range(0..ALPHANUMERIC.len())] as char)
            .collect()
    })
}

/// An Okta object id: a three-character type prefix (`00u` for users, `00g` for groups, ...)
/// followed by random characters, 20 characters in all.
pub fn okta_id(prefix: &str) -> String {
    format!("{prefix}{}", random_alphanumeric(20 - prefix.len()))
}

/// An SSWS API token secret, shaped like Okta's (42 characters starting with `00`).
pub fn api_token_secret() -> String {
    format!("00{}", random_alphanumeric(40))
}

/// The value of `X-Okta-Request-Id`.
pub fn request_id() -> String {
    random_alphanumeric(27)
}

/// The `errorId` of an error body (Okta's start with `oae`).
pub fn error_id() -> String {
    format!("oae{}", random_alphanumeric(22))
}

/// A random UUID (version 4) in its canonical textual form, for System Log events.
pub fn uuid_v4() -> String {
    let mut bytes: [u8; 16] = with_rng(|rng| rng.random());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// How far the emulator's clock is set from this machine's (milliseconds; the control API's
/// `POST /_emulator/clock`). One clock per emulator process, as Okta has one: it dates answers
/// (`Date`), events (`published`), objects (`created`, `lastUpdated`), rate-limit windows and
/// token lifetimes alike, so a client on a machine whose clock is off sees what it would see
/// against Okta.
static CLOCK_OFFSET_MILLIS: AtomicI64 = AtomicI64::new(0);

/// The emulator's clock: milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    ((now.unix_timestamp_nanos() / 1_000_000) as i64)
        .saturating_add(CLOCK_OFFSET_MILLIS.load(Ordering::Relaxed))
}

/// Sets the emulator's clock `seconds` from this machine's.
pub fn set_clock_offset(seconds: i64) {
    CLOCK_OFFSET_MILLIS.store(seconds.saturating_mul(1000), Ordering::Relaxed);
}

/// The emulator's clock offset from this machine's, in seconds.
pub fn clock_offset_seconds() -> i64 {
    CLOCK_OFFSET_MILLIS.load(Ordering::Relaxed) / 1000
}

/// Okta's timestamp format: `YYYY-MM-DDTHH:mm:ss.SSSZ`, always UTC.
pub fn format_millis(millis: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Parses an ISO 8601 / RFC 3339 timestamp (as accepted in `since`, `until` and filters).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let parsed =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some((parsed.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// An opaque pagination cursor: the position after which the next page starts, bound to the
/// collection it came from so that a cursor from one list is refused by another.
pub fn encode_cursor(collection: &str, position: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{collection}:{position}"))
}

/// The position inside a cursor made by [`encode_cursor`] for the same collection.
pub fn decode_cursor(collection: &str, cursor: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (name, position) = text.split_once(':')?;
    if name != collection {
        return None;
    }
    position.parse().ok()
}

/// Percent-encodes a query-string component.
pub fn encode_query_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes a query string into its pairs, in order (`+` is a space, as in forms).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(value) => {
                        out.push(value);
                        index += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes one path segment: `%XX` escapes become bytes and `+` stays a plus (only query
/// strings use `+` for spaces). `None` when an escape is malformed or the bytes are not UTF-8, so
/// that the caller can refuse the request instead of guessing.
pub fn percent_decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            // `from_str_radix` would also accept a sign (`%+1`), which is no escape.
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Unpadded RFC 4648 base32, which Okta uses for some role assignment ids (`APP_ADMIN` is
/// assigned as `IFIFAX2BIRGUSTQ`).
pub fn base32_unpadded(input: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in input.bytes() {
        buffer = (buffer << 8) | byte as u32;
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_okta_role_assignment_ids() {
        assert_eq!(base32_unpadded("APP_ADMIN"), "IFIFAX2BIRGUSTQ");
        assert_eq!(base32_unpadded("USER_ADMIN"), "KVJUKUS7IFCE2SKO");
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_collection() {
        let cursor = encode_cursor("users", 42);
        assert_eq!(decode_cursor("users", &cursor), Some(42));
        assert_eq!(decode_cursor("groups", &cursor), None);
        assert_eq!(decode_cursor("users", "not a cursor!"), None);
    }

    #[test]
    fn timestamps_use_okta_format() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(parse_timestamp("1970-01-01T00:00:01.500Z"), Some(1500));
    }

    #[test]
    fn path_segments_decode_escapes_keep_plus_and_refuse_bad_encodings() {
        assert_eq!(
            percent_decode_segment("okta-radius%2Bacme%40msp.example").as_deref(),
            Some("okta-radius+acme@msp.example")
        );
        assert_eq!(percent_decode_segment("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode_segment("a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(percent_decode_segment("%ZZ"), None);
        assert_eq!(percent_decode_segment("%4"), None);
        assert_eq!(percent_decode_segment("%"), None);
        assert_eq!(percent_decode_segment("%FF"), None);
        assert_eq!(percent_decode_segment("%+1"), None);
    }

    #[test]
    fn query_strings_decode_percent_and_plus() {
        assert_eq!(
            parse_query("filter=status+eq+%22ACTIVE%22&limit=2"),
            vec![
                ("filter".to_string(), "status eq \"ACTIVE\"".to_string()),
                ("limit".to_string(), "2".to_string())
            ]
        );
    }
}
