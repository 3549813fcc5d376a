//! The emulator's own JOSE: compact JWS parsing, public JWKs (RSA and P-256), RS256 and ES256
//! signature checks with `ring`, RFC 7638 thumbprints, and the HMAC that signs the emulator's
//! access tokens. Nothing here knows OAuth's rules; `oauth` applies them.
//!
//! Written independently of the provider's client (which signs what this verifies), so that a
//! shared misreading of the RFCs cannot make both sides agree on something Okta refuses.

use base64::Engine as _;
use ring::signature::{self, UnparsedPublicKey};
use serde_json::{Map, Value};

/// The longest compact JWS read (a client assertion, a DPoP proof or an access token): a proof
/// with an RSA-4096 `jwk` in its header stays far below it.
pub const MAX_JWS_BYTES: usize = 8 * 1024;

/// Why a JWS is refused; the caller turns it into the OAuth error of its context.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    #[error("not a compact JWS")]
    Malformed,
    #[error("the algorithm is not supported")]
    Algorithm,
    #[error("the key is not a supported public JWK")]
    Key,
    #[error("the signature is invalid")]
    Signature,
}

/// The signature algorithms Okta lists for client assertions and DPoP proofs that the emulator
/// verifies (`RS256` and `ES256`; Okta also takes RS384/512 and ES384/512).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Rs256,
    Es256,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "RS256" => Some(Algorithm::Rs256),
            "ES256" => Some(Algorithm::Es256),
            _ => None,
        }
    }
}

/// A compact JWS split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Jws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `header.payload`, what the signature covers.
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    pub fn parse(compact: &str) -> Result<Jws, JoseError> {
        if compact.len() > MAX_JWS_BYTES {
            return Err(JoseError::Malformed);
        }
        let mut parts = compact.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Malformed);
        };
        let object = |part: &str| -> Result<Map<String, Value>, JoseError> {
            match serde_json::from_slice(&base64url(part)?) {
                Ok(Value::Object(map)) => Ok(map),
                _ => Err(JoseError::Malformed),
            }
        };
        Ok(Jws {
            header: object(header)?,
            claims: object(payload)?,
            signing_input: format!("{header}.{payload}"),
            signature: base64url(signature)?,
        })
    }

    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (`exp`, `iat`), in whole seconds.
    pub fn claim_seconds(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        value
            .as_i64()
            .or_else(|| value.as_f64().map(|seconds| seconds as i64))
    }

    /// The algorithm the header names, if the emulator verifies it.
    pub fn algorithm(&self) -> Result<Algorithm, JoseError> {
        self.header_str("alg")
            .and_then(Algorithm::parse)
            .ok_or(JoseError::Algorithm)
    }

    /// Checks the signature with `key`, which must suit the header's algorithm.
    pub fn verify(&self, key: &PublicJwk) -> Result<(), JoseError> {
        let message = self.signing_input.as_bytes();
        let verified = match (self.algorithm()?, key) {
            (Algorithm::Rs256, PublicJwk::Rsa { n, e }) => signature::RsaPublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                message,
                &self.signature,
            ),
            (Algorithm::Es256, PublicJwk::P256 { x, y }) => {
                let mut point = Vec::with_capacity(65);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, &self.signature)
            }
            _ => return Err(JoseError::Key),
        };
        verified.map_err(|_| JoseError::Signature)
    }
}

/// A public key as a JWK: RSA (`n`, `e`) or EC P-256 (`x`, `y`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256 { x: Vec<u8>, y: Vec<u8> },
}

impl PublicJwk {
    /// Reads a public JWK. A JWK with private members (`d`, `p`, `q`, ...) is refused: a proof's
    /// embedded key must be public (RFC 9449 section 4.3), and a service app is registered with
    /// its public key only.
    pub fn parse(jwk: &Value) -> Result<PublicJwk, JoseError> {
        let object = jwk.as_object().ok_or(JoseError::Key)?;
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|private| object.contains_key(*private))
        {
            return Err(JoseError::Key);
        }
        let member = |name: &str| -> Result<Vec<u8>, JoseError> {
            let text = object
                .get(name)
                .and_then(Value::as_str)
                .ok_or(JoseError::Key)?;
            base64url(text).map_err(|_| JoseError::Key)
        };
        match object.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let n = member("n")?;
                let e = member("e")?;
                // ring verifies 2048 to 8192 bits; Okta requires at least 2048 too.
                let bits = n.iter().skip_while(|byte| **byte == 0).count() * 8;
                if !(2048..=8192).contains(&bits) || e.is_empty() {
                    return Err(JoseError::Key);
                }
                Ok(PublicJwk::Rsa { n, e })
            }
            Some("EC") if object.get("crv").and_then(Value::as_str) == Some("P-256") => {
                let x = member("x")?;
                let y = member("y")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(JoseError::Key);
                }
                Ok(PublicJwk::P256 { x, y })
            }
            _ => Err(JoseError::Key),
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, without
    /// whitespace, base64url-encoded.
    pub fn thumbprint(&self) -> String {
        let canonical = match self {
            PublicJwk::Rsa { n, e } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, encode(e), encode(n))
            }
            PublicJwk::P256 { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                encode(x),
                encode(y)
            ),
        };
        sha256_base64url(canonical.as_bytes())
    }
}

/// base64url of SHA-256, as in the `ath` claim and JWK thumbprints.
pub fn sha256_base64url(bytes: &[u8]) -> String {
    encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn base64url(text: &str) -> Result<Vec<u8>, JoseError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JoseError::Malformed)
}

/// Signs `claims` as an HS256 JWS with `key` (the emulator's own access tokens).
pub fn sign_hs256(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        encode(header.to_string().as_bytes()),
        encode(claims.to_string().as_bytes())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", encode(tag.as_ref()))
}

/// The claims of an HS256 JWS signed with `key`, or `None` when it is not one.
pub fn verify_hs256(compact: &str, key: &[u8]) -> Option<Map<String, Value>> {
    let jws = Jws::parse(compact).ok()?;
    if jws.header_str("alg") != Some("HS256") {
        return None;
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::verify(&key, jws.signing_input.as_bytes(), &jws.signature).ok()?;
    Some(jws.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 section 3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let key = PublicJwk::parse(&jwk).unwrap();
        assert_eq!(
            key.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn private_members_and_weak_keys_are_refused() {
        assert_eq!(
            PublicJwk::parse(&json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})),
            Err(JoseError::Key)
        );
        let with_d = json!({"kty": "EC", "crv": "P-256", "x": encode(&[1; 32]), "y": encode(&[2; 32]), "d": "AA"});
        assert_eq!(PublicJwk::parse(&with_d), Err(JoseError::Key));
        let small_rsa = json!({"kty": "RSA", "n": encode(&[0xff; 128]), "e": "AQAB"});
        assert_eq!(PublicJwk::parse(&small_rsa), Err(JoseError::Key));
    }

    #[test]
    fn hs256_round_trips_and_refuses_another_key() {
        let token = sign_hs256(&json!({"alg": "HS256"}), &json!({"a": 1}), b"key one");
        assert_eq!(
            verify_hs256(&token, b"key one").unwrap().get("a"),
            Some(&json!(1))
        );
        assert!(verify_hs256(&token, b"key two").is_none());
        assert!(Jws::parse("a.b").is_err());
    }
}
