//! What the emulator checks on a request before any route, org or token is looked at: the size
//! of its head, its credentials' exact form, its body's length, arrival time and media type.
//! Each refusal is an [`ApiError`], so it reaches the client in Okta's envelope.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, header};
use hyper::body::Incoming;

use crate::error::ApiError;

/// The longest request target (path and query) the emulator reads. hyper itself refuses
/// targets over 64 KiB with a bare 414 before any handler runs; below that, this limit answers
/// in Okta's envelope. It leaves room for the longest `filter` or `search` expression the
/// parser accepts (16 KiB) even percent-encoded.
pub const MAX_URI_BYTES: usize = 48 * 1024;
/// The most header bytes (names and values) the emulator reads; beyond
/// [`PARSER_MAX_BUFFER_BYTES`], hyper's own parser refuses the head with a bare 431.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most header fields the emulator reads.
pub const MAX_HEADER_FIELDS: usize = 100;
/// What hyper is told to parse: more fields than [`MAX_HEADER_FIELDS`], so that a request with a
/// few too many still reaches the check that answers in the envelope.
pub const PARSER_MAX_HEADER_FIELDS: usize = 2 * MAX_HEADER_FIELDS;
/// How far hyper's read buffer may grow for one connection (hyper's default is about 400 KiB).
/// Twice [`MAX_HEADER_BYTES`], so heads a little over the limit still get the envelope, while a
/// client that opens many connections and sends each a huge unfinished head holds at most this
/// much memory per connection.
pub const PARSER_MAX_BUFFER_BYTES: usize = 2 * MAX_HEADER_BYTES;

/// The deepest nesting of arrays and objects accepted in a request body. Okta's request bodies
/// nest a handful of levels (a rule's `actions.signon.session`); what the emulator stores is
/// saved in `--data` inside a few levels of its own, and serde_json reads at most 128 levels, so a
/// deeper body would be accepted, saved, and then make the data file unreadable.
pub const MAX_BODY_NESTING: usize = 32;

/// Refuses a request whose target or headers are larger than the emulator reads.
pub fn check_head(uri_length: usize, headers: &HeaderMap) -> Result<(), ApiError> {
    if uri_length > MAX_URI_BYTES {
        return Err(ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        });
    }
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADER_FIELDS || bytes > MAX_HEADER_BYTES {
        return Err(ApiError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
            fields: MAX_HEADER_FIELDS,
        });
    }
    Ok(())
}

/// The token of `Authorization: SSWS <token>`, matched exactly: the scheme, at most one space,
/// then the token with nothing after it. No space at all (`SSWS<token>`) is accepted because
/// Okta's official Python SDK 3.4.6 sends that form and its tests recorded against real orgs got
/// 200s. Two spaces, a tab, or anything after the token (a second word, a comma) is no token.
/// (Whitespace at the very end of the header line is not part of the value in HTTP; the parser
/// drops it before anything here sees it.)
pub fn ssws_token(headers: &HeaderMap) -> Option<&str> {
    let value = authorization(headers)?;
    let rest = value.strip_prefix("SSWS")?;
    exact_token(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The credential of a management API call: an API token (`SSWS`) or an OAuth 2.0 access token
/// (`Bearer`, or `DPoP` for a DPoP-bound one, RFC 9449 section 7.1), read as exactly as
/// [`ssws_token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    Ssws(&'a str),
    Bearer(&'a str),
    Dpop(&'a str),
}

pub fn credential(headers: &HeaderMap) -> Option<Credential<'_>> {
    if let Some(token) = ssws_token(headers) {
        return Some(Credential::Ssws(token));
    }
    let value = authorization(headers)?;
    if let Some(token) = value.strip_prefix("Bearer ") {
        return exact_token(token).map(Credential::Bearer);
    }
    value
        .strip_prefix("DPoP ")
        .and_then(exact_token)
        .map(Credential::Dpop)
}

/// Every `DPoP` header's value (a proof is refused unless there is exactly one).
pub fn dpop_proofs(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("dpop")
        .iter()
        .map(|value| value.to_str().unwrap_or("").to_string())
        .collect()
}

/// The control plane's token: `Bearer <token>` or `SSWS <token>`, as exactly as [`ssws_token`].
pub fn control_token(headers: &HeaderMap) -> Option<&str> {
    let value = authorization(headers)?;
    match value.strip_prefix("Bearer ") {
        Some(token) => exact_token(token),
        None => ssws_token(headers),
    }
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()
}

/// A token is one run of visible ASCII characters: no spaces, tabs or control characters.
fn exact_token(candidate: &str) -> Option<&str> {
    let visible = !candidate.is_empty() && candidate.bytes().all(|byte| byte.is_ascii_graphic());
    visible.then_some(candidate)
}

/// Refuses a body whose `Content-Type` is not `application/json` with 400 `E0000021`
/// (parameters such as `charset=UTF-8` are fine). A missing type is refused too: Okta's SDK users
/// report `400 E0000021` both for a form-encoded body (okta-sdk-python #309) and for calls sent
/// without a `Content-Type` (okta-sdk-python #400, okta-sdk-java #1644). Requests without a body
/// pass whatever they declare: lifecycle calls are bodiless `POST`s.
pub fn check_json_body(content_type: Option<&HeaderValue>, body: &[u8]) -> Result<(), ApiError> {
    if body.is_empty() {
        return Ok(());
    }
    let media_type = content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match media_type {
        Some(media_type) if media_type.eq_ignore_ascii_case("application/json") => {}
        _ => return Err(ApiError::UnsupportedMediaType),
    }
    if nests_deeper_than(body, MAX_BODY_NESTING) {
        return Err(ApiError::MalformedBody);
    }
    Ok(())
}

/// Whether JSON text nests arrays and objects deeper than `limit`, counted in one pass over the
/// bytes (brackets inside strings do not count), so nothing recursive sees the body first.
fn nests_deeper_than(json: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Reads a body of at most `limit` bytes within `timeout`. A declared `Content-Length` over the
/// limit is refused before a byte of the body is read, and an undeclared (chunked) body is
/// refused as soon as it passes the limit, so a huge body is never buffered.
pub async fn read_body(
    request: hyper::Request<Incoming>,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    let reading = axum::body::to_bytes(Body::new(request.into_body()), limit);
    match tokio::time::timeout(timeout, reading).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(ApiError::BodyTooLarge { limit }),
        Err(_) => Err(ApiError::BodyTimeout {
            seconds: timeout.as_secs_f64(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn ssws_matches_one_space_or_none_and_nothing_else() {
        let token =
            |value: &str| ssws_token(&with(header::AUTHORIZATION, value)).map(str::to_owned);
        assert_eq!(token("SSWS 00abc").as_deref(), Some("00abc"));
        assert_eq!(token("SSWS00abc").as_deref(), Some("00abc"));
        for refused in [
            "SSWS  00abc",
            "SSWS\t00abc",
            "SSWS 00abc extra",
            "SSWS 00abc ",
            "SSWS 00abc,SSWS 00def",
            "SSWS ",
            "SSWS",
            "Bearer 00abc",
            "ssws 00abc",
        ] {
            assert_eq!(token(refused), None, "{refused:?}");
        }
        let control =
            |value: &str| control_token(&with(header::AUTHORIZATION, value)).map(str::to_owned);
        assert_eq!(control("Bearer admin").as_deref(), Some("admin"));
        assert_eq!(control("SSWS admin").as_deref(), Some("admin"));
        assert_eq!(control("Bearer admin x"), None);
        assert_eq!(control("Bearer  admin"), None);
        let credential = |value: &str| {
            let headers = with(header::AUTHORIZATION, value);
            match super::credential(&headers) {
                Some(Credential::Ssws(token)) => format!("SSWS:{token}"),
                Some(Credential::Bearer(token)) => format!("Bearer:{token}"),
                Some(Credential::Dpop(token)) => format!("DPoP:{token}"),
                None => String::new(),
            }
        };
        assert_eq!(credential("SSWS 00abc"), "SSWS:00abc");
        assert_eq!(credential("Bearer ey.J.x"), "Bearer:ey.J.x");
        assert_eq!(credential("DPoP ey.J.x"), "DPoP:ey.J.x");
        assert_eq!(credential("DPoP  ey.J.x"), "");
        assert_eq!(credential("dpop ey.J.x"), "");
    }

    #[test]
    fn json_bodies_need_a_json_media_type() {
        let media = |value: &str| HeaderValue::from_str(value).unwrap();
        let json = media("application/json; charset=UTF-8");
        assert_eq!(check_json_body(Some(&json), b"{}"), Ok(()));
        assert_eq!(
            check_json_body(Some(&media("Application/JSON")), b"{}"),
            Ok(())
        );
        let form = media("application/x-www-form-urlencoded");
        assert_eq!(
            check_json_body(Some(&form), b"{}"),
            Err(ApiError::UnsupportedMediaType)
        );
        assert_eq!(
            check_json_body(None, b"{}"),
            Err(ApiError::UnsupportedMediaType)
        );
        assert_eq!(check_json_body(Some(&form), b""), Ok(()));
    }

    #[test]
    fn bodies_nested_deeper_than_the_limit_are_refused() {
        let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let json = HeaderValue::from_static("application/json");
        let check = |body: &str| check_json_body(Some(&json), body.as_bytes());
        assert_eq!(check(&nested(MAX_BODY_NESTING)), Ok(()));
        assert_eq!(
            check(&nested(MAX_BODY_NESTING + 1)),
            Err(ApiError::MalformedBody)
        );
        assert_eq!(check(&nested(100_000)), Err(ApiError::MalformedBody));
        // Brackets inside strings, escaped quotes included, are text.
        let text = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert_eq!(check(&text), Ok(()));
    }
}
