//! The private key of an OAuth 2.0 service app: read from PEM (PKCS#8, or PKCS#1 for RSA) or
//! from a private JWK, and used to sign client assertions and DPoP proofs. Okta accepts RS256
//! and ES256 keys for `private_key_jwt`; those are the two supported here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::{Value, json};

/// Why a key could not be used. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the private key is neither PEM nor a JSON Web Key")]
    NotAKey,
    #[error(
        "the PEM holds a SEC1 \"EC PRIVATE KEY\"; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in key.pem`"
    )]
    Sec1,
    #[error("the private key is not an RSA (2048 bits or more) or P-256 EC key: {0}")]
    Unsupported(String),
    #[error("the JSON Web Key is incomplete or malformed: {0}")]
    BadJwk(String),
}

/// A signing key and the JWS algorithm it signs with.
pub struct SigningKey {
    inner: Inner,
    /// `kid`, sent in every JWS header when known: Okta picks the app's key by it.
    key_id: Option<String>,
}

enum Inner {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a key from its text: PEM, or a private JWK (JSON). A `kid` in the JWK is used
    /// unless `key_id` is given.
    pub fn parse(text: &str, key_id: Option<String>) -> Result<SigningKey, KeyError> {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            let jwk: Value =
                serde_json::from_str(trimmed).map_err(|_| KeyError::BadJwk("not JSON".into()))?;
            let from_jwk = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
            let inner = from_private_jwk(&jwk)?;
            return Ok(SigningKey {
                inner,
                key_id: key_id.or(from_jwk),
            });
        }
        if !trimmed.starts_with("-----BEGIN") {
            return Err(KeyError::NotAKey);
        }
        let der =
            PrivateKeyDer::from_pem_slice(trimmed.as_bytes()).map_err(|_| KeyError::NotAKey)?;
        let inner = match der {
            PrivateKeyDer::Pkcs8(pkcs8) => {
                let bytes = pkcs8.secret_pkcs8_der();
                match RsaKeyPair::from_pkcs8(bytes) {
                    Ok(rsa) => Inner::Rsa(rsa),
                    Err(rsa_error) => EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        bytes,
                        &SystemRandom::new(),
                    )
                    .map(Inner::Ec)
                    .map_err(|_| KeyError::Unsupported(rsa_error.to_string()))?,
                }
            }
            PrivateKeyDer::Pkcs1(pkcs1) => RsaKeyPair::from_der(pkcs1.secret_pkcs1_der())
                .map(Inner::Rsa)
                .map_err(|error| KeyError::Unsupported(error.to_string()))?,
            PrivateKeyDer::Sec1(_) => return Err(KeyError::Sec1),
            _ => return Err(KeyError::NotAKey),
        };
        Ok(SigningKey { inner, key_id })
    }

    /// `RS256` or `ES256`.
    pub fn algorithm(&self) -> &'static str {
        match self.inner {
            Inner::Rsa(_) => "RS256",
            Inner::Ec(_) => "ES256",
        }
    }

    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The public half as a JWK (what Okta's app holds, and what a DPoP proof carries).
    pub fn public_jwk(&self) -> Value {
        match &self.inner {
            Inner::Rsa(rsa) => {
                let public = signature::RsaPublicKeyComponents::<Vec<u8>>::from(rsa.public());
                json!({
                    "kty": "RSA",
                    "n": URL_SAFE_NO_PAD.encode(&public.n),
                    "e": URL_SAFE_NO_PAD.encode(&public.e),
                })
            }
            Inner::Ec(ec) => {
                // An uncompressed point: 0x04, then x and y of 32 bytes each.
                let point = ec.public_key().as_ref();
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                    "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
                })
            }
        }
    }

    /// The RFC 7638 thumbprint of the public half: the `kid` of a fleet key, so that the same
    /// key gives the same `kid` in every form it is read from (PEM, JWK with or without a
    /// `kid` of its own).
    pub fn thumbprint(&self) -> String {
        // The public JWK has exactly the required members; `jwk_thumbprint` accepts it.
        jwk_thumbprint(&self.public_jwk()).unwrap_or_default()
    }

    /// The same key, with `kid` set to `key_id`.
    pub fn with_key_id(mut self, key_id: String) -> SigningKey {
        self.key_id = Some(key_id);
        self
    }

    /// Signs `message` with the key's algorithm (RSASSA-PKCS1-v1_5 SHA-256, or ECDSA P-256
    /// SHA-256 in the fixed-length form JWS uses).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Rsa(rsa) => {
                let mut signature = vec![0; rsa.public().modulus_len()];
                rsa.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| KeyError::Unsupported("RSA signing failed".into()))?;
                Ok(signature)
            }
            Inner::Ec(ec) => ec
                .sign(&rng, message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|_| KeyError::Unsupported("ECDSA signing failed".into())),
        }
    }
}

impl SigningKey {
    /// Whether `signature` is this key's over `message`, as `sign` makes it.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.inner {
            Inner::Rsa(rsa) => signature::UnparsedPublicKey::new(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                rsa.public().as_ref(),
            )
            .verify(message, signature)
            .is_ok(),
            Inner::Ec(ec) => signature::UnparsedPublicKey::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                ec.public_key().as_ref(),
            )
            .verify(message, signature)
            .is_ok(),
        }
    }
}

/// The RFC 7638 thumbprint of a public JWK: SHA-256 over the JSON object of the key type's
/// required members only, in lexicographic order, without white space, base64url. Members are
/// taken as the JWK writes them (base64url strings); other members (`kid`, `alg`, `use`, private
/// parts) do not count. `None` for a key type that is neither RSA nor EC, or a missing member.
pub fn jwk_thumbprint(jwk: &Value) -> Option<String> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let canonical = match text("kty")? {
        "RSA" => format!(
            r#"{{"e":{},"kty":"RSA","n":{}}}"#,
            Value::from(text("e")?),
            Value::from(text("n")?)
        ),
        "EC" => format!(
            r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
            Value::from(text("crv")?),
            Value::from(text("x")?),
            Value::from(text("y")?)
        ),
        _ => return None,
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    Some(URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

fn member(jwk: &Value, name: &str) -> Result<Vec<u8>, KeyError> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::BadJwk(format!("no \"{name}\"")))?;
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| KeyError::BadJwk(format!("\"{name}\" is not base64url")))
}

fn from_private_jwk(jwk: &Value) -> Result<Inner, KeyError> {
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let components = ring::rsa::KeyPairComponents {
                public_key: signature::RsaPublicKeyComponents {
                    n: member(jwk, "n")?,
                    e: member(jwk, "e")?,
                },
                d: member(jwk, "d")?,
                p: member(jwk, "p")?,
                q: member(jwk, "q")?,
                dP: member(jwk, "dp")?,
                dQ: member(jwk, "dq")?,
                qInv: member(jwk, "qi")?,
            };
            RsaKeyPair::from_components(&components)
                .map(Inner::Rsa)
                .map_err(|error| KeyError::Unsupported(error.to_string()))
        }
        Some("EC") => {
            if jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
                return Err(KeyError::Unsupported("only the P-256 curve".into()));
            }
            let (x, y, d) = (member(jwk, "x")?, member(jwk, "y")?, member(jwk, "d")?);
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            EcdsaKeyPair::from_private_key_and_public_key(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &d,
                &point,
                &SystemRandom::new(),
            )
            .map(Inner::Ec)
            .map_err(|error| KeyError::Unsupported(error.to_string()))
        }
        Some(other) => Err(KeyError::Unsupported(format!("key type {other:?}"))),
        None => Err(KeyError::BadJwk("no \"kty\"".into())),
    }
}
