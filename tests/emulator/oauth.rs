//! OAuth 2.0 service apps: the token endpoint (`client_credentials` with `private_key_jwt`),
//! DPoP (proofs, nonces, bound tokens), scopes and admin roles on the management API, token
//! expiry, the System Log's actor, `--service-app`, `--data`, and secrets kept out of logs.
//!
//! The keys are made here: EC P-256 with ring, RSA 2048 with the `openssl` CLI (ring cannot
//! generate RSA keys); the JWSs are signed here too, independently of the provider's client.

use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::Method;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use serde_json::{Value, json};

use super::support::{Answer, Emulator};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A private key that signs client assertions and DPoP proofs.
pub(super) enum Key {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

pub(super) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub(super) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut bytes).unwrap();
    b64(&bytes)
}

impl Key {
    pub(super) fn ec() -> Key {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
        Key::Ec(
            EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                pkcs8.as_ref(),
                &rng,
            )
            .unwrap(),
        )
    }

    /// An RSA 2048 key from `openssl genpkey` (an RSAPrivateKey in DER, as OpenSSL 3 writes it)
    /// in a temporary directory.
    pub(super) fn rsa() -> Key {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("key.der");
        let status = Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ])
            .args(["-outform", "DER", "-out"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the openssl CLI generates the RSA test key");
        assert!(status.success(), "openssl genpkey failed");
        let der = std::fs::read(&path).unwrap();
        Key::Rsa(RsaKeyPair::from_der(&der).unwrap())
    }

    pub(super) fn alg(&self) -> &'static str {
        match self {
            Key::Ec(_) => "ES256",
            Key::Rsa(_) => "RS256",
        }
    }

    pub(super) fn public_jwk(&self) -> Value {
        match self {
            Key::Ec(key) => {
                let point = key.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
            Key::Rsa(key) => {
                let components: ring::rsa::PublicKeyComponents<Vec<u8>> = key.public().into();
                json!({"kty": "RSA", "n": b64(&components.n), "e": b64(&components.e)})
            }
        }
    }

    pub(super) fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            Key::Ec(key) => key.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
            Key::Rsa(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut signature,
                )
                .unwrap();
                signature
            }
        };
        format!("{input}.{}", b64(&signature))
    }

    /// A client assertion for `client_id` at `token_url`; `tweak` edits the claims first.
    pub(super) fn assertion(
        &self,
        client_id: &str,
        token_url: &str,
        tweak: impl FnOnce(&mut Value),
    ) -> String {
        let mut claims = json!({
            "iss": client_id,
            "sub": client_id,
            "aud": token_url,
            "iat": now(),
            "exp": now() + 300,
            "jti": random_id(),
        });
        tweak(&mut claims);
        self.sign(&json!({"alg": self.alg(), "kid": "k1"}), &claims)
    }

    /// A DPoP proof for `method` `url`, with the server's nonce and the token's hash when given.
    pub(super) fn proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        token: Option<&str>,
    ) -> String {
        self.proof_with(method, url, nonce, token, |_| {})
    }

    fn proof_with(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        token: Option<&str>,
        tweak: impl FnOnce(&mut Value),
    ) -> String {
        let mut claims = json!({"jti": random_id(), "htm": method, "htu": url, "iat": now()});
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if let Some(token) = token {
            let hash = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
            claims["ath"] = json!(b64(hash.as_ref()));
        }
        tweak(&mut claims);
        let header = json!({"typ": "dpop+jwt", "alg": self.alg(), "jwk": self.public_jwk()});
        self.sign(&header, &claims)
    }
}

/// One org with its admin's API token, and helpers for its OAuth endpoints.
pub(super) struct Org {
    pub(super) url: String,
    pub(super) subdomain: String,
    pub(super) token: String,
}

impl Org {
    pub(super) fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.url)
    }
}

pub(super) async fn org(emulator: &Emulator, subdomain: &str) -> Org {
    let created = emulator.create_org(subdomain).await;
    Org {
        url: created.url,
        subdomain: subdomain.to_string(),
        token: created.token,
    }
}

pub(super) async fn register(emulator: &Emulator, org: &Org, app: Value) -> Answer {
    emulator
        .control(
            Method::POST,
            &format!("/orgs/{}/service-apps", org.subdomain),
            Some(app),
        )
        .await
}

/// Registers `client_id` with `key` (kid `k1`), `scopes`, DPoP or not, and `roles` if given.
async fn app(
    emulator: &Emulator,
    org: &Org,
    client_id: &str,
    key: &Key,
    scopes: &[&str],
    dpop: bool,
) {
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let answer = register(
        emulator,
        org,
        json!({"client_id": client_id, "jwks": {"keys": [jwk]}, "scopes": scopes, "dpop_required": dpop}),
    )
    .await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            let encode = |text: &str| {
                text.bytes()
                    .map(|byte| match byte {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            (byte as char).to_string()
                        }
                        b' ' => "+".to_string(),
                        _ => format!("%{byte:02X}"),
                    })
                    .collect::<String>()
            };
            format!("{}={}", encode(name), encode(value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) async fn send(
    emulator: &Emulator,
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    body: Option<(&str, String)>,
) -> Answer {
    let mut request = emulator.client.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    if let Some((content_type, body)) = body {
        request = request.header("Content-Type", content_type).body(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// A token request with `assertion`, `scope` and an optional DPoP proof.
pub(super) async fn request_token(
    emulator: &Emulator,
    org: &Org,
    assertion: &str,
    scope: &str,
    proof: Option<String>,
) -> Answer {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", scope),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ]);
    let headers: Vec<(&str, String)> = proof.into_iter().map(|proof| ("DPoP", proof)).collect();
    send(
        emulator,
        Method::POST,
        &org.token_url(),
        &headers,
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await
}

/// A Bearer token for a non-DPoP app.
pub(super) async fn bearer_token(
    emulator: &Emulator,
    org: &Org,
    client_id: &str,
    key: &Key,
    scope: &str,
) -> String {
    let assertion = key.assertion(client_id, &org.token_url(), |_| {});
    let answer = request_token(emulator, org, &assertion, scope, None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["access_token"].as_str().unwrap().to_string()
}

/// The server's nonce, from the `use_dpop_nonce` answer to a proof without one.
pub(super) async fn nonce(
    emulator: &Emulator,
    org: &Org,
    client_id: &str,
    key: &Key,
    scope: &str,
) -> String {
    let assertion = key.assertion(client_id, &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), None, None);
    let answer = request_token(emulator, org, &assertion, scope, Some(proof)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"], "use_dpop_nonce");
    answer.header("dpop-nonce").expect("DPoP-Nonce").to_string()
}

/// A DPoP-bound token for a DPoP app, bound to `key`.
pub(super) async fn dpop_token(
    emulator: &Emulator,
    org: &Org,
    client_id: &str,
    key: &Key,
    scope: &str,
) -> String {
    let nonce = nonce(emulator, org, client_id, key, scope).await;
    let assertion = key.assertion(client_id, &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), Some(&nonce), None);
    let answer = request_token(emulator, org, &assertion, scope, Some(proof)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["token_type"], "DPoP");
    answer.body["access_token"].as_str().unwrap().to_string()
}

pub(super) async fn with_bearer(
    emulator: &Emulator,
    method: Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> Answer {
    let headers = [("Authorization", format!("Bearer {token}"))];
    send(
        emulator,
        method,
        url,
        &headers,
        body.map(|body| ("application/json", body.to_string())),
    )
    .await
}

pub(super) async fn with_dpop(
    emulator: &Emulator,
    method: Method,
    url: &str,
    token: &str,
    proof: Option<String>,
) -> Answer {
    let mut headers = vec![("Authorization", format!("DPoP {token}"))];
    if let Some(proof) = proof {
        headers.push(("DPoP", proof));
    }
    send(emulator, method, url, &headers, None).await
}

fn challenge(answer: &Answer) -> &str {
    answer.header("www-authenticate").unwrap_or("")
}

#[tokio::test]
async fn bearer_app_gets_a_token_with_an_rs256_assertion_and_calls_the_api_beside_ssws() {
    let emulator = Emulator::start();
    let org = org(&emulator, "bearer").await;
    let key = Key::rsa();
    app(
        &emulator,
        &org,
        "0oaBearer",
        &key,
        &["okta.users.read", "okta.users.manage"],
        false,
    )
    .await;

    let assertion = key.assertion("0oaBearer", &org.token_url(), |_| {});
    let answer = request_token(&emulator, &org, &assertion, "okta.users.read", None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 3600);
    assert_eq!(answer.body["scope"], "okta.users.read");
    assert_eq!(answer.header("cache-control"), Some("no-cache, no-store"));
    let token = answer.body["access_token"].as_str().unwrap();
    // Okta's access tokens are JWTs with the client id and the scopes in their claims.
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["cid"], "0oaBearer");
    assert_eq!(claims["scp"], json!(["okta.users.read"]));
    assert_eq!(claims["iss"], org.url);

    let users = format!("{}/api/v1/users", org.url);
    let listed = with_bearer(&emulator, Method::GET, &users, token, None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(emulator.get(&users, &org.token).await.status, 200);
    // A token is valid only in the org that minted it.
    let other = self::org(&emulator, "other").await;
    let elsewhere = format!("{}/api/v1/users", other.url);
    let refused = with_bearer(&emulator, Method::GET, &elsewhere, token, None).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error_code(), "E0000011");
    assert!(challenge(&refused).contains("error=\"invalid_token\""));
    // Garbage is no token either.
    let garbage = with_bearer(&emulator, Method::GET, &users, "not.a.token", None).await;
    assert_eq!(garbage.status, 401);
}

#[tokio::test]
async fn dpop_app_needs_a_proof_then_the_nonce_then_gets_a_token_bound_to_the_proof_key() {
    let emulator = Emulator::start();
    let org = org(&emulator, "dpop").await;
    let key = Key::ec();
    app(&emulator, &org, "0oaDpop", &key, &["okta.users.read"], true).await;
    let assertion = key.assertion("0oaDpop", &org.token_url(), |_| {});

    let missing = request_token(&emulator, &org, &assertion, "okta.users.read", None).await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.body,
        json!({"error": "invalid_dpop_proof", "error_description": "The DPoP proof JWT header is missing."})
    );

    let without_nonce = key.proof("POST", &org.token_url(), None, None);
    let challenged = request_token(
        &emulator,
        &org,
        &assertion,
        "okta.users.read",
        Some(without_nonce),
    )
    .await;
    assert_eq!(challenged.status, 400);
    assert_eq!(
        challenged.body,
        json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."})
    );
    let nonce = challenged
        .header("dpop-nonce")
        .expect("DPoP-Nonce")
        .to_string();

    // The retry may carry the same assertion: its jti is spent only by a request that succeeds.
    let proof = key.proof("POST", &org.token_url(), Some(&nonce), None);
    let answer = request_token(&emulator, &org, &assertion, "okta.users.read", Some(proof)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["token_type"], "DPoP");
    assert_eq!(answer.header("dpop-nonce"), Some(nonce.as_str()));
    let token = answer.body["access_token"].as_str().unwrap().to_string();

    let users = format!("{}/api/v1/users", org.url);
    let proof = key.proof("GET", &users, None, Some(&token));
    let listed = with_dpop(&emulator, Method::GET, &users, &token, Some(proof)).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    // The query is not part of htu.
    let paged = format!("{users}?limit=1");
    let proof = key.proof("GET", &users, None, Some(&token));
    assert_eq!(
        with_dpop(&emulator, Method::GET, &paged, &token, Some(proof))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn dpop_bound_tokens_refuse_every_proof_that_does_not_match_the_request_and_key() {
    let emulator = Emulator::start();
    let org = org(&emulator, "proofs").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaProofs",
        &key,
        &["okta.users.read"],
        true,
    )
    .await;
    let token = dpop_token(&emulator, &org, "0oaProofs", &key, "okta.users.read").await;
    let users = format!("{}/api/v1/users", org.url);
    let refused = |answer: &Answer, description: &str| {
        assert_eq!(answer.status, 400, "{description}: {:?}", answer.body);
        let challenge = challenge(answer);
        assert!(
            challenge.starts_with("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\""),
            "{challenge}"
        );
        assert!(
            challenge.contains("error=\"invalid_dpop_proof\""),
            "{challenge}"
        );
        assert!(challenge.contains(description), "{challenge}");
        assert_eq!(answer.body, Value::Null, "no body, only the challenge");
    };

    let answer = with_dpop(&emulator, Method::GET, &users, &token, None).await;
    refused(&answer, "The DPoP proof JWT header is missing.");
    let no_ath = key.proof("GET", &users, None, None);
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(no_ath)).await,
        "'ath' claim",
    );
    let wrong_method = key.proof("POST", &users, None, Some(&token));
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(wrong_method)).await,
        "'htm' claim",
    );
    let wrong_url = key.proof(
        "GET",
        &format!("{}/api/v1/groups", org.url),
        None,
        Some(&token),
    );
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(wrong_url)).await,
        "'htu' claim",
    );
    let stale = key.proof_with("GET", &users, None, Some(&token), |claims| {
        claims["iat"] = json!(now() - 3600)
    });
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(stale)).await,
        "'iat' claim",
    );
    let other_key = Key::ec().proof("GET", &users, None, Some(&token));
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(other_key)).await,
        "not signed with the key the access token is bound to",
    );
    let mut tampered = key.proof("GET", &users, None, Some(&token));
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(tampered)).await,
        "signature is invalid",
    );
    let once = key.proof("GET", &users, None, Some(&token));
    assert_eq!(
        with_dpop(&emulator, Method::GET, &users, &token, Some(once.clone()))
            .await
            .status,
        200
    );
    refused(
        &with_dpop(&emulator, Method::GET, &users, &token, Some(once)).await,
        "'jti' claim",
    );

    // A bound token sent as a Bearer token is refused (RFC 9449 section 7.1).
    let as_bearer = with_bearer(&emulator, Method::GET, &users, &token, None).await;
    assert_eq!(as_bearer.status, 401);
    assert_eq!(as_bearer.error_code(), "E0000011");
    assert!(challenge(&as_bearer).contains("error=\"invalid_token\""));
}

#[tokio::test]
async fn htu_names_the_percent_decoded_path_as_okta_compares_it() {
    let emulator = Emulator::start();
    let org = org(&emulator, "htu").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaHtu",
        &key,
        &["okta.users.read", "okta.users.manage"],
        true,
    )
    .await;
    let created = emulator
        .create_user(
            &super::support::Org {
                url: org.url.clone(),
                token: org.token.clone(),
                admin_id: String::new(),
            },
            "a.user@htu.example.com",
            "?activate=false",
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let token = dpop_token(&emulator, &org, "0oaHtu", &key, "okta.users.read").await;
    let encoded = format!("{}/api/v1/users/a.user%40htu.example.com", org.url);
    let decoded = format!("{}/api/v1/users/a.user@htu.example.com", org.url);
    let proof = key.proof("GET", &encoded, None, Some(&token));
    let answer = with_dpop(&emulator, Method::GET, &encoded, &token, Some(proof)).await;
    assert_eq!(answer.status, 400);
    assert!(challenge(&answer).contains("'htu' claim in the DPoP proof JWT is invalid."));
    let proof = key.proof("GET", &decoded, None, Some(&token));
    let answer = with_dpop(&emulator, Method::GET, &encoded, &token, Some(proof)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

#[tokio::test]
async fn token_endpoint_refuses_every_faulty_client_assertion_with_invalid_client() {
    let emulator = Emulator::start();
    let org = org(&emulator, "assertions").await;
    let key = Key::rsa();
    app(
        &emulator,
        &org,
        "0oaCheck",
        &key,
        &["okta.users.read"],
        false,
    )
    .await;
    let url = org.token_url();
    let scope = "okta.users.read";
    let cases: Vec<(&str, String)> = vec![
        ("a key the app does not have", Key::rsa().assertion("0oaCheck", &url, |_| {})),
        ("an unknown client", key.assertion("0oaUnknown", &url, |_| {})),
        ("sub other than iss", key.assertion("0oaCheck", &url, |claims| claims["sub"] = json!("0oaOther"))),
        ("another audience", key.assertion("0oaCheck", &url, |claims| claims["aud"] = json!(format!("{}/oauth2/default/v1/token", org.url)))),
        ("an expired assertion", key.assertion("0oaCheck", &url, |claims| claims["exp"] = json!(now() - 600))),
        ("no exp", key.assertion("0oaCheck", &url, |claims| { claims.as_object_mut().unwrap().remove("exp"); })),
        ("an exp too far ahead", key.assertion("0oaCheck", &url, |claims| claims["exp"] = json!(now() + 7200))),
        ("an iat in the future", key.assertion("0oaCheck", &url, |claims| claims["iat"] = json!(now() + 600))),
        ("a jti that is no string", key.assertion("0oaCheck", &url, |claims| claims["jti"] = json!(7))),
        ("a kid the app does not have", key.sign(&json!({"alg": "RS256", "kid": "other"}), &json!({"iss": "0oaCheck", "sub": "0oaCheck", "aud": url, "exp": now() + 60, "jti": random_id()}))),
        ("an HS256 assertion", format!("{}.{}.c2ln", b64(br#"{"alg":"HS256"}"#), b64(json!({"iss": "0oaCheck", "sub": "0oaCheck", "aud": url, "exp": now() + 60, "jti": "x"}).to_string().as_bytes()))),
        ("not a JWS", "not-a-jws".to_string()),
    ];
    for (case, assertion) in cases {
        let answer = request_token(&emulator, &org, &assertion, scope, None).await;
        assert_eq!(answer.status, 401, "{case}: {:?}", answer.body);
        assert_eq!(answer.body["error"], "invalid_client", "{case}");
        let description = answer.body["error_description"].as_str().unwrap();
        assert!(
            !description.contains(&assertion),
            "{case}: the assertion is echoed"
        );
    }
    // An assertion without a kid is checked with every key of the app.
    let without_kid = key.sign(
        &json!({"alg": "RS256"}),
        &json!({"iss": "0oaCheck", "sub": "0oaCheck", "aud": url, "exp": now() + 60, "jti": random_id()}),
    );
    assert_eq!(
        request_token(&emulator, &org, &without_kid, scope, None)
            .await
            .status,
        200
    );
    // An assertion without a jti gets a token, as in Okta's guide, where jti is optional.
    let without_jti = key.assertion("0oaCheck", &url, |claims| {
        claims.as_object_mut().unwrap().remove("jti");
    });
    let answer = request_token(&emulator, &org, &without_jti, scope, None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    // A jti is accepted once.
    let assertion = key.assertion("0oaCheck", &url, |_| {});
    assert_eq!(
        request_token(&emulator, &org, &assertion, scope, None)
            .await
            .status,
        200
    );
    let replayed = request_token(&emulator, &org, &assertion, scope, None).await;
    assert_eq!(replayed.status, 401);
    assert_eq!(replayed.body["error"], "invalid_client");
    assert!(
        replayed.body["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
}

#[tokio::test]
async fn token_endpoint_refuses_bad_grants_forms_and_scopes() {
    let emulator = Emulator::start();
    let org = org(&emulator, "grants").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaGrants",
        &key,
        &["okta.users.read", "okta.groups.read"],
        false,
    )
    .await;
    let url = org.token_url();
    let assertion = || key.assertion("0oaGrants", &url, |_| {});

    let not_granted = request_token(
        &emulator,
        &org,
        &assertion(),
        "okta.users.read okta.users.manage",
        None,
    )
    .await;
    assert_eq!(not_granted.status, 400);
    assert_eq!(not_granted.body["error"], "invalid_scope");
    assert!(
        not_granted.body["error_description"]
            .as_str()
            .unwrap()
            .contains("okta.users.manage")
    );
    let no_scope = request_token(&emulator, &org, &assertion(), "", None).await;
    assert_eq!(no_scope.status, 400);
    assert_eq!(no_scope.body["error"], "invalid_scope");
    let both = request_token(
        &emulator,
        &org,
        &assertion(),
        "okta.groups.read okta.users.read",
        None,
    )
    .await;
    assert_eq!(both.body["scope"], "okta.groups.read okta.users.read");

    let password = form(&[
        ("grant_type", "password"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &assertion()),
    ]);
    let answer = send(
        &emulator,
        Method::POST,
        &url,
        &[],
        Some(("application/x-www-form-urlencoded", password)),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"], "unsupported_grant_type");
    let secret = form(&[
        ("grant_type", "client_credentials"),
        ("scope", "okta.users.read"),
        ("client_id", "0oaGrants"),
        ("client_secret", "s"),
    ]);
    let answer = send(
        &emulator,
        Method::POST,
        &url,
        &[],
        Some(("application/x-www-form-urlencoded", secret)),
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error"], "invalid_client");
    let json_body = json!({"grant_type": "client_credentials"}).to_string();
    let answer = send(
        &emulator,
        Method::POST,
        &url,
        &[],
        Some(("application/json", json_body)),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"], "invalid_request");
    let get = send(&emulator, Method::GET, &url, &[], None).await;
    assert_eq!(get.status, 405);
}

#[tokio::test]
async fn a_missing_scope_is_403_with_okta_challenge_naming_scope_and_resource() {
    let emulator = Emulator::start();
    let org = org(&emulator, "scopes").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaScopes",
        &key,
        &["okta.users.read", "okta.groups.read"],
        false,
    )
    .await;
    let token = bearer_token(&emulator, &org, "0oaScopes", &key, "okta.users.read").await;

    let users = format!("{}/api/v1/users", org.url);
    assert_eq!(
        with_bearer(&emulator, Method::GET, &users, &token, None)
            .await
            .status,
        200
    );
    for (method, path, scope) in [
        (Method::POST, "/api/v1/users", "okta.users.manage"),
        (Method::GET, "/api/v1/groups", "okta.groups.read"),
        (Method::GET, "/api/v1/logs", "okta.logs.read"),
        (Method::GET, "/api/v1/zones", "okta.networkZones.read"),
        (
            Method::GET,
            "/api/v1/policies?type=PASSWORD",
            "okta.policies.read",
        ),
        (Method::GET, "/api/v1/org", "okta.orgs.read"),
        (Method::GET, "/api/v1/api-tokens", "okta.apiTokens.read"),
    ] {
        let body = (method == Method::POST).then(|| json!({"profile": {}}));
        let answer = with_bearer(
            &emulator,
            method,
            &format!("{}{path}", org.url),
            &token,
            body,
        )
        .await;
        assert_eq!(answer.status, 403, "{path}");
        assert_eq!(answer.body, Value::Null, "{path}: Okta answers no body");
        let resource = path.split('?').next().unwrap();
        assert_eq!(
            challenge(&answer),
            format!(
                "Bearer authorization_uri=\"{0}/oauth2/v1/authorize\", realm=\"{0}\", scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{resource}\"",
                org.url
            )
        );
    }
    // Only an API token may revoke "the current token".
    let current = with_bearer(
        &emulator,
        Method::DELETE,
        &format!("{}/api/v1/api-tokens/current", org.url),
        &token,
        None,
    )
    .await;
    assert_eq!(current.status, 401);
    assert_eq!(current.error_code(), "E0000011");
}

#[tokio::test]
async fn scopes_are_not_enough_without_the_admin_role_the_endpoint_needs() {
    let emulator = Emulator::start();
    let org = org(&emulator, "roles").await;
    let key = Key::ec();
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let scopes = ["okta.users.read", "okta.users.manage", "okta.roles.manage"];
    let registered = register(
        &emulator,
        &org,
        json!({"client_id": "0oaHelpdesk", "jwks": {"keys": [jwk]}, "scopes": scopes, "dpop_required": false, "roles": ["USER_ADMIN"]}),
    )
    .await;
    assert_eq!(registered.status, 201);
    assert_eq!(registered.body["roles"], json!(["USER_ADMIN"]));
    let token = bearer_token(&emulator, &org, "0oaHelpdesk", &key, &scopes.join(" ")).await;

    let users = format!("{}/api/v1/users?activate=false", org.url);
    let created = with_bearer(
        &emulator,
        Method::POST,
        &users,
        &token,
        Some(super::support::user_request(
            "made.by.app@roles.example.com",
            None,
        )),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let user_id = created.body["id"].as_str().unwrap();
    // Assigning an admin role takes okta.roles.manage and a SUPER_ADMIN app.
    let roles = format!("{}/api/v1/users/{user_id}/roles", org.url);
    let refused = with_bearer(
        &emulator,
        Method::POST,
        &roles,
        &token,
        Some(json!({"type": "SUPER_ADMIN"})),
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code(), "E0000006");

    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let registered = register(
        &emulator,
        &org,
        json!({"client_id": "0oaReader", "jwks": {"keys": [jwk]}, "scopes": ["okta.users.manage"], "dpop_required": false, "roles": []}),
    )
    .await;
    assert_eq!(registered.status, 201);
    let token = bearer_token(&emulator, &org, "0oaReader", &key, "okta.users.manage").await;
    let refused = with_bearer(
        &emulator,
        Method::POST,
        &users,
        &token,
        Some(super::support::user_request("nope@roles.example.com", None)),
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code(), "E0000006");
}

#[tokio::test]
async fn changes_made_with_an_access_token_name_the_app_as_the_system_log_actor() {
    let emulator = Emulator::start();
    let org = org(&emulator, "actor").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaActor",
        &key,
        &["okta.users.manage", "okta.logs.read"],
        false,
    )
    .await;
    let token = bearer_token(
        &emulator,
        &org,
        "0oaActor",
        &key,
        "okta.users.manage okta.logs.read",
    )
    .await;
    let users = format!("{}/api/v1/users?activate=false", org.url);
    let created = with_bearer(
        &emulator,
        Method::POST,
        &users,
        &token,
        Some(super::support::user_request(
            "logged@actor.example.com",
            None,
        )),
    )
    .await;
    assert_eq!(created.status, 200);
    let logs = format!(
        "{}/api/v1/logs?filter=eventType+eq+%22user.lifecycle.create%22",
        org.url
    );
    let events = with_bearer(&emulator, Method::GET, &logs, &token, None).await;
    assert_eq!(events.status, 200, "{:?}", events.body);
    let actor = &events.body[0]["actor"];
    assert_eq!(actor["id"], "0oaActor");
    assert_eq!(actor["type"], "PublicClientApp");
    assert_eq!(actor["alternateId"], "0oaActor");
    assert_eq!(actor["displayName"], "Service app 0oaActor");
}

#[tokio::test]
async fn tokens_expire_after_an_hour_of_the_oauth_clock() {
    let emulator = Emulator::start();
    let org = org(&emulator, "expiry").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaExpiry",
        &key,
        &["okta.users.read"],
        true,
    )
    .await;
    let token = dpop_token(&emulator, &org, "0oaExpiry", &key, "okta.users.read").await;
    let users = format!("{}/api/v1/users", org.url);
    let call = |token: String| {
        let proof = key.proof("GET", &users, None, Some(&token));
        let emulator = &emulator;
        let users = users.clone();
        async move { with_dpop(emulator, Method::GET, &users, &token, Some(proof)).await }
    };
    assert_eq!(call(token.clone()).await.status, 200);

    let advanced = emulator
        .control(
            Method::POST,
            "/oauth/clock",
            Some(json!({"advance_seconds": 3599})),
        )
        .await;
    assert_eq!(advanced.body, json!({"offset_seconds": 3599}));
    assert_eq!(call(token.clone()).await.status, 200);
    emulator
        .control(
            Method::POST,
            "/oauth/clock",
            Some(json!({"advance_seconds": 1})),
        )
        .await;
    let expired = call(token.clone()).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.error_code(), "E0000011");
    let challenge = challenge(&expired);
    assert!(challenge.starts_with("DPoP algs="), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("expired"), "{challenge}");
    // A new token, minted on the advanced clock, works.
    let fresh = dpop_token(&emulator, &org, "0oaExpiry", &key, "okta.users.read").await;
    assert_eq!(call(fresh).await.status, 200);
    let refused = emulator
        .control(
            Method::POST,
            "/oauth/clock",
            Some(json!({"advance_seconds": -5})),
        )
        .await;
    assert_eq!(refused.status, 400);
}

#[tokio::test]
async fn a_rotated_nonce_is_stale_and_the_answer_carries_the_new_one() {
    let emulator = Emulator::start();
    let org = org(&emulator, "nonces").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaNonce",
        &key,
        &["okta.users.read"],
        true,
    )
    .await;
    let old = nonce(&emulator, &org, "0oaNonce", &key, "okta.users.read").await;
    let rotated = emulator
        .control(Method::POST, "/orgs/nonces/dpop-nonce/rotate", None)
        .await;
    assert_eq!(rotated.status, 204);
    let assertion = key.assertion("0oaNonce", &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), Some(&old), None);
    let stale = request_token(&emulator, &org, &assertion, "okta.users.read", Some(proof)).await;
    assert_eq!(stale.status, 400);
    assert_eq!(stale.body["error"], "use_dpop_nonce");
    let new = stale.header("dpop-nonce").unwrap().to_string();
    assert_ne!(new, old);
    let proof = key.proof("POST", &org.token_url(), Some(&new), None);
    let answer = request_token(&emulator, &org, &assertion, "okta.users.read", Some(proof)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    // A proof is accepted once at the token endpoint too.
    let assertion = key.assertion("0oaNonce", &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), Some(&new), None);
    assert_eq!(
        request_token(
            &emulator,
            &org,
            &assertion,
            "okta.users.read",
            Some(proof.clone())
        )
        .await
        .status,
        200
    );
    let assertion = key.assertion("0oaNonce", &org.token_url(), |_| {});
    let replayed = request_token(&emulator, &org, &assertion, "okta.users.read", Some(proof)).await;
    assert_eq!(replayed.status, 400);
    assert_eq!(replayed.body["error"], "invalid_dpop_proof");
}

#[tokio::test]
async fn nonces_expire_after_their_configured_lifetime() {
    let emulator = Emulator::start_with(&["--dpop-nonce-lifetime-seconds", "1"]);
    let org = org(&emulator, "lifetime").await;
    let key = Key::ec();
    app(&emulator, &org, "0oaLife", &key, &["okta.users.read"], true).await;
    let old = nonce(&emulator, &org, "0oaLife", &key, "okta.users.read").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let assertion = key.assertion("0oaLife", &org.token_url(), |_| {});
    let proof = key.proof("POST", &org.token_url(), Some(&old), None);
    let stale = request_token(&emulator, &org, &assertion, "okta.users.read", Some(proof)).await;
    assert_eq!(stale.body["error"], "use_dpop_nonce");
    assert_ne!(stale.header("dpop-nonce"), Some(old.as_str()));
}

#[tokio::test]
async fn service_apps_are_validated_listed_deleted_and_kept_in_the_data_file() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("okta.json");
    let data_arg = data.to_str().unwrap().to_string();
    let emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = org(&emulator, "kept").await;
    let key = Key::ec();

    let invalid = register(&emulator, &org, json!({"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"}]}, "scopes": []})).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.error_code(), "E0000001");
    let causes = invalid.body["errorCauses"].to_string();
    assert!(
        causes.contains("jwks") && causes.contains("scopes"),
        "{causes}"
    );
    let missing_org = emulator
        .control(
            Method::POST,
            "/orgs/nowhere/service-apps",
            Some(json!({"jwks": {"keys": [key.public_jwk()]}, "scopes": ["okta.users.read"]})),
        )
        .await;
    assert_eq!(missing_org.status, 404);

    // Okta's defaults for a new API Services app: DPoP required, and SUPER_ADMIN.
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let created = register(
        &emulator,
        &org,
        json!({"jwks": {"keys": [jwk]}, "scopes": ["okta.users.read"]}),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let client_id = created.body["client_id"].as_str().unwrap().to_string();
    assert!(client_id.starts_with("0oa"));
    assert_eq!(created.body["dpop_required"], true);
    assert_eq!(created.body["roles"], json!(["SUPER_ADMIN"]));
    let listed = emulator
        .control(Method::GET, "/orgs/kept/service-apps", None)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let token = dpop_token(&emulator, &org, &client_id, &key, "okta.users.read").await;
    drop(emulator);

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let org = Org {
        url: format!("{}/kept", restarted.url),
        subdomain: "kept".to_string(),
        token: org.token.clone(),
    };
    let users = format!("{}/api/v1/users", org.url);
    // The app survives the restart. (Its earlier token named the old port's org URL as its
    // issuer, so a new one is needed here.)
    drop(token);
    let fresh = dpop_token(&restarted, &org, &client_id, &key, "okta.users.read").await;
    let proof = key.proof("GET", &users, None, Some(&fresh));
    assert_eq!(
        with_dpop(&restarted, Method::GET, &users, &fresh, Some(proof))
            .await
            .status,
        200
    );

    let deleted = restarted
        .control(
            Method::DELETE,
            &format!("/orgs/kept/service-apps/{client_id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let proof = key.proof("GET", &users, None, Some(&fresh));
    assert_eq!(
        with_dpop(&restarted, Method::GET, &users, &fresh, Some(proof))
            .await
            .status,
        401
    );
    let assertion = key.assertion(&client_id, &org.token_url(), |_| {});
    let refused = request_token(&restarted, &org, &assertion, "okta.users.read", None).await;
    assert_eq!(refused.body["error"], "invalid_client");
}

#[tokio::test]
async fn service_app_flag_seeds_an_app_that_a_reset_brings_back() {
    let directory = tempfile::tempdir().unwrap();
    let key = Key::rsa();
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let path = directory.path().join("jwks.json");
    std::fs::write(&path, json!({"keys": [jwk]}).to_string()).unwrap();
    let flag = format!(
        "seeded:0oaSeeded:{}:okta.users.read,okta.groups.read:bearer",
        path.display()
    );
    let emulator =
        Emulator::start_with(&["--org", "seeded:seeded-admin-token", "--service-app", &flag]);
    let org = Org {
        url: format!("{}/seeded", emulator.url),
        subdomain: "seeded".to_string(),
        token: "seeded-admin-token".to_string(),
    };
    let token = bearer_token(
        &emulator,
        &org,
        "0oaSeeded",
        &key,
        "okta.users.read okta.groups.read",
    )
    .await;
    let groups = format!("{}/api/v1/groups", org.url);
    assert_eq!(
        with_bearer(&emulator, Method::GET, &groups, &token, None)
            .await
            .status,
        200
    );

    emulator
        .control(Method::DELETE, "/orgs/seeded/service-apps/0oaSeeded", None)
        .await;
    assert_eq!(
        emulator.control(Method::POST, "/reset", None).await.status,
        200
    );
    // The reset replaced the token key, so a new token is needed, and the app is back.
    let token = bearer_token(&emulator, &org, "0oaSeeded", &key, "okta.users.read").await;
    let users = format!("{}/api/v1/users", org.url);
    assert_eq!(
        with_bearer(&emulator, Method::GET, &users, &token, None)
            .await
            .status,
        200
    );
}

#[test]
fn service_app_flag_problems_are_named_before_anything_starts() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("missing.json");
    for (flag, expected) in [
        (
            "acme:0oa1".to_string(),
            "--service-app takes SUBDOMAIN:CLIENT_ID:JWKS_FILE:SCOPES",
        ),
        (
            format!("acme:0oa1:{}:okta.users.read", missing.display()),
            "cannot read the JWKS file",
        ),
        (
            format!("acme:0oa1:{}:okta.users.read:maybe", missing.display()),
            "dpop or bearer",
        ),
    ] {
        let output = Command::new(super::support::binary())
            .args(["--service-app", &flag])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{flag}: {stderr}");
    }
    let keys = directory.path().join("keys.json");
    std::fs::write(&keys, json!({"keys": [Key::ec().public_jwk()]}).to_string()).unwrap();
    let output = Command::new(super::support::binary())
        .args([
            "--service-app",
            &format!("nowhere:0oa1:{}:okta.users.read", keys.display()),
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--org nowhere:TOKEN"));
}

#[tokio::test]
async fn tokens_assertions_and_proofs_never_reach_the_logs_even_at_trace() {
    let directory = tempfile::tempdir().unwrap();
    let log_path = directory.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let key = Key::ec();
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!("k1");
    let jwks = directory.path().join("jwks.json");
    std::fs::write(&jwks, json!({"keys": [jwk]}).to_string()).unwrap();
    let flag = format!("traced:0oaTraced:{}:okta.users.read", jwks.display());
    let process = crate::support::emulator::Emulator::start_configured(
        &[
            "--log-level",
            "trace",
            "--org",
            "traced:traced-admin-token",
            "--service-app",
            &flag,
        ],
        |command| {
            command.stderr(log);
        },
    );
    let emulator = Emulator::attach(process);
    let org = Org {
        url: format!("{}/traced", emulator.url),
        subdomain: "traced".to_string(),
        token: "traced-admin-token".to_string(),
    };

    let mut secrets = Vec::new();
    let assertion = key.assertion("0oaTraced", &org.token_url(), |_| {});
    let first_proof = key.proof("POST", &org.token_url(), None, None);
    let challenged = request_token(
        &emulator,
        &org,
        &assertion,
        "okta.users.read",
        Some(first_proof.clone()),
    )
    .await;
    let nonce = challenged.header("dpop-nonce").unwrap().to_string();
    let proof = key.proof("POST", &org.token_url(), Some(&nonce), None);
    let answer = request_token(
        &emulator,
        &org,
        &assertion,
        "okta.users.read",
        Some(proof.clone()),
    )
    .await;
    let token = answer.body["access_token"].as_str().unwrap().to_string();
    let users = format!("{}/api/v1/users", org.url);
    let resource_proof = key.proof("GET", &users, None, Some(&token));
    assert_eq!(
        with_dpop(
            &emulator,
            Method::GET,
            &users,
            &token,
            Some(resource_proof.clone())
        )
        .await
        .status,
        200
    );
    // Refusals too: a replayed assertion, a replayed proof, a token sent as Bearer.
    let replayed = request_token(
        &emulator,
        &org,
        &assertion,
        "okta.users.read",
        Some(proof.clone()),
    )
    .await;
    assert!(!replayed.body.to_string().contains(&assertion));
    let again = with_dpop(
        &emulator,
        Method::GET,
        &users,
        &token,
        Some(resource_proof.clone()),
    )
    .await;
    assert_eq!(again.status, 400);
    assert!(!challenge(&again).contains(&resource_proof));
    with_bearer(&emulator, Method::GET, &users, &token, None).await;
    secrets.extend([assertion, first_proof, proof, token, resource_proof]);
    drop(emulator);

    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.contains("TRACE") || logged.contains("DEBUG") || logged.contains("INFO"),
        "logging ran: {logged}"
    );
    for secret in &secrets {
        // Any part of a JWS would give it away; its signature is the most specific.
        let signature = secret.rsplit('.').next().unwrap();
        assert!(!logged.contains(signature), "a secret reached the log");
        assert!(
            !logged.contains(secret.as_str()),
            "a secret reached the log"
        );
    }
}

#[tokio::test]
async fn rs256_proofs_bind_tokens_and_bearer_apps_ignore_a_dpop_header() {
    let emulator = Emulator::start();
    let org = org(&emulator, "rsa").await;
    let key = Key::rsa();
    app(
        &emulator,
        &org,
        "0oaRsaDpop",
        &key,
        &["okta.groups.read"],
        true,
    )
    .await;
    let token = dpop_token(&emulator, &org, "0oaRsaDpop", &key, "okta.groups.read").await;
    let groups = format!("{}/api/v1/groups", org.url);
    let proof = key.proof("GET", &groups, None, Some(&token));
    let listed = with_dpop(&emulator, Method::GET, &groups, &token, Some(proof)).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);

    // An app that does not require DPoP gets a Bearer token whatever it sends.
    let ec = Key::ec();
    app(
        &emulator,
        &org,
        "0oaPlain",
        &ec,
        &["okta.groups.read"],
        false,
    )
    .await;
    let assertion = ec.assertion("0oaPlain", &org.token_url(), |_| {});
    let proof = ec.proof("POST", &org.token_url(), None, None);
    let answer = request_token(&emulator, &org, &assertion, "okta.groups.read", Some(proof)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["token_type"], "Bearer");
    let token = answer.body["access_token"].as_str().unwrap();
    assert_eq!(
        with_bearer(&emulator, Method::GET, &groups, token, None)
            .await
            .status,
        200
    );
    let as_dpop = with_dpop(&emulator, Method::GET, &groups, token, None).await;
    assert_eq!(as_dpop.status, 401);
    assert_eq!(as_dpop.error_code(), "E0000011");
}

#[tokio::test]
async fn the_org_creator_takes_a_partner_app_with_okta_orgs_manage() {
    let emulator = Emulator::start();
    let partner = Org {
        url: emulator.partner_url.clone(),
        subdomain: "partner".to_string(),
        token: emulator.partner_token.clone(),
    };
    let key = Key::ec();
    app(
        &emulator,
        &partner,
        "0oaCreator",
        &key,
        &["okta.orgs.manage", "okta.orgs.read"],
        false,
    )
    .await;
    let token = bearer_token(&emulator, &partner, "0oaCreator", &key, "okta.orgs.manage").await;
    let orgs = format!("{}/api/v1/orgs", partner.url);
    let created = with_bearer(
        &emulator,
        Method::POST,
        &orgs,
        &token,
        Some(super::support::org_request("byapp")),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["tokenType"], "SSWS");
    let child = format!("{}/byapp/api/v1/org", emulator.url);
    let child_token = created.body["token"].as_str().unwrap();
    assert_eq!(emulator.get(&child, child_token).await.status, 200);

    // Outside the partner org the Org Creator is not enabled, whatever the app holds.
    let customer = org(&emulator, "notpartner").await;
    app(
        &emulator,
        &customer,
        "0oaNotPartner",
        &key,
        &["okta.orgs.manage"],
        false,
    )
    .await;
    let token = bearer_token(
        &emulator,
        &customer,
        "0oaNotPartner",
        &key,
        "okta.orgs.manage",
    )
    .await;
    let refused = with_bearer(
        &emulator,
        Method::POST,
        &format!("{}/api/v1/orgs", customer.url),
        &token,
        Some(super::support::org_request("never")),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error_code(), "E0000015");
}

#[tokio::test]
async fn a_dpop_bound_token_without_the_scope_gets_the_dpop_challenge() {
    let emulator = Emulator::start();
    let org = org(&emulator, "dpopscope").await;
    let key = Key::ec();
    app(
        &emulator,
        &org,
        "0oaDpopScope",
        &key,
        &["okta.users.read"],
        true,
    )
    .await;
    let token = dpop_token(&emulator, &org, "0oaDpopScope", &key, "okta.users.read").await;
    let policies = format!("{}/api/v1/policies", org.url);
    let proof = key.proof("GET", &policies, None, Some(&token));
    let answer = with_dpop(
        &emulator,
        Method::GET,
        &format!("{policies}?type=ACCESS_POLICY"),
        &token,
        Some(proof),
    )
    .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, Value::Null);
    // The header okta/terraform-provider-okta issue 2375 shows from a real org (2025).
    assert_eq!(
        challenge(&answer),
        format!(
            "DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", authorization_uri=\"{0}/oauth2/v1/authorize\", realm=\"{0}\", scope=\"okta.policies.read\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"/api/v1/policies\"",
            org.url
        )
    );
}

#[tokio::test]
async fn a_service_app_has_its_own_share_of_each_bucket_beside_the_api_token() {
    // The users bucket is 30 at this scale: 15 for the app, 15 for the org's API token.
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0.05"]);
    let org = org(&emulator, "appshare").await;
    let key = Key::rsa();
    app(
        &emulator,
        &org,
        "0oaShare",
        &key,
        &["okta.users.read"],
        false,
    )
    .await;
    let token = bearer_token(&emulator, &org, "0oaShare", &key, "okta.users.read").await;
    let users = format!("{}/api/v1/users?limit=1", org.url);
    for served in 0..15 {
        let answer = with_bearer(&emulator, Method::GET, &users, &token, None).await;
        assert_eq!(answer.status, 200, "request {served}: {:?}", answer.body);
        assert_eq!(answer.header("x-rate-limit-limit"), Some("15"));
    }
    let refused = with_bearer(&emulator, Method::GET, &users, &token, None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_code(), "E0000047");
    // The org's API token still has its own half.
    let by_token = emulator.get(&users, &org.token).await;
    assert_eq!(by_token.status, 200);
    assert_eq!(by_token.header("x-rate-limit-remaining"), Some("14"));
}
