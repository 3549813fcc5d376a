//! The two JSON Web Tokens the client signs: the client assertion that authenticates the service
//! app at Okta's token endpoint (RFC 7523, `private_key_jwt`), and the DPoP proof that binds a
//! request to the app's key (RFC 9449). Both are compact JWS: `header.claims.signature`, each
//! part base64url without padding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::key::{KeyError, SigningKey};
use crate::secret::Secret;

/// How long a client assertion is valid. Okta refuses assertions that expire more than an hour
/// after they were issued; a few minutes covers clock skew and retries.
const ASSERTION_LIFETIME_SECONDS: i64 = 300;

/// Signs `claims` with `header`, to which `alg` is added (and `kid`, when `with_kid` and the key
/// has one).
fn sign(
    key: &SigningKey,
    mut header: Value,
    claims: &Value,
    with_kid: bool,
) -> Result<Secret, KeyError> {
    header["alg"] = json!(key.algorithm());
    if with_kid && let Some(kid) = key.key_id() {
        header["kid"] = json!(kid);
    }
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(signing_input.as_bytes())?;
    Ok(Secret::new(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    )))
}

/// A fresh random `jti`: 128 bits, base64url.
fn new_jti() -> String {
    let bytes: [u8; 16] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The client assertion for `client_id` at `token_url` (the `aud` Okta checks).
pub fn client_assertion(
    key: &SigningKey,
    client_id: &str,
    token_url: &str,
    now: OffsetDateTime,
) -> Result<Secret, KeyError> {
    let issued = now.unix_timestamp();
    sign(
        key,
        json!({ "typ": "JWT" }),
        &json!({
            "iss": client_id,
            "sub": client_id,
            "aud": token_url,
            "iat": issued,
            "exp": issued + ASSERTION_LIFETIME_SECONDS,
            "jti": new_jti(),
        }),
        true,
    )
}

/// A DPoP proof for one request: `method` and `url` (without query or fragment, as `htu`
/// requires), the server's `nonce` when it gave one, and `access_token` on resource requests
/// (its hash is the `ath` claim).
pub fn dpop_proof(
    key: &SigningKey,
    method: &str,
    url: &str,
    nonce: Option<&str>,
    access_token: Option<&Secret>,
    now: OffsetDateTime,
) -> Result<Secret, KeyError> {
    let mut claims = json!({
        "htm": method,
        "htu": htu(url),
        "iat": now.unix_timestamp(),
        "jti": new_jti(),
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(token) = access_token {
        let digest = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
        claims["ath"] = json!(URL_SAFE_NO_PAD.encode(digest.as_ref()));
    }
    // The header's `jwk` is the public key Okta binds the token to; a `kid` would add nothing.
    sign(
        key,
        json!({ "typ": "dpop+jwt", "jwk": key.public_jwk() }),
        &claims,
        false,
    )
}

/// `htu`: the request URL without its query and fragment, its path percent-decoded. Okta
/// compares `htu` with the decoded path it routed (a proof for `/users/a%40b.example` is
/// refused, one for `/users/a@b.example` accepted: okta-sdk-python issue 541).
fn htu(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    percent_decode(&url[..end])
}

/// Decodes `%XX` sequences; anything else, including a `%` not followed by two hex digits, is
/// kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |byte: u8| (byte as char).to_digit(16);
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[index + 1]), hex(bytes[index + 2]))
        {
            out.push((high * 16 + low) as u8);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
