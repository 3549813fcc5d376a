//! The service app's key forms, the JWS the client signs (checked with the public half, as Okta
//! checks them), and the small parsers of the OAuth wire.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header::{HeaderMap, HeaderValue};
use ring::signature::{self, UnparsedPublicKey};
use serde_json::Value;
use time::OffsetDateTime;

use super::*;

const RSA_PKCS8: &str = include_str!("../../../tests/fixtures/oauth/rsa-pkcs8.pem");
const RSA_PKCS1: &str = include_str!("../../../tests/fixtures/oauth/rsa-pkcs1.pem");
const RSA_JWK: &str = include_str!("../../../tests/fixtures/oauth/rsa-private.jwk.json");
const EC_PKCS8: &str = include_str!("../../../tests/fixtures/oauth/ec-pkcs8.pem");
const EC_SEC1: &str = include_str!("../../../tests/fixtures/oauth/ec-sec1.pem");
const EC_JWK: &str = include_str!("../../../tests/fixtures/oauth/ec-private.jwk.json");

fn part(jws: &str, index: usize) -> Value {
    let text = jws.split('.').nth(index).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).expect("base64url")).expect("JSON")
}

fn b64(value: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(value.as_str().unwrap()).unwrap()
}

/// Verifies a compact JWS with a public JWK, as a server would.
fn verify(jws: &str, jwk: &Value) {
    let (signing_input, signature) = jws.rsplit_once('.').expect("a signature");
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .expect("base64url signature");
    match jwk["kty"].as_str() {
        Some("RSA") => signature::RsaPublicKeyComponents {
            n: b64(&jwk["n"]),
            e: b64(&jwk["e"]),
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &signature,
        )
        .expect("RS256 signature verifies"),
        Some("EC") => {
            let mut point = vec![4u8];
            point.extend(b64(&jwk["x"]));
            point.extend(b64(&jwk["y"]));
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signing_input.as_bytes(), &signature)
                .expect("ES256 signature verifies")
        }
        other => panic!("unexpected kty {other:?}"),
    }
}

#[test]
fn every_key_form_reads_and_signs_verifiably() {
    for (form, text, alg) in [
        ("RSA PKCS#8", RSA_PKCS8, "RS256"),
        ("RSA PKCS#1", RSA_PKCS1, "RS256"),
        ("RSA JWK", RSA_JWK, "RS256"),
        ("EC PKCS#8", EC_PKCS8, "ES256"),
        ("EC JWK", EC_JWK, "ES256"),
    ] {
        let key = SigningKey::parse(text, None).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(key.algorithm(), alg, "{form}");
        let now = OffsetDateTime::now_utc();
        let assertion = jws::client_assertion(
            &key,
            "0oa1client",
            "https://acme.okta.com/oauth2/v1/token",
            now,
        )
        .unwrap();
        verify(assertion.expose(), &key.public_jwk());
        let header = part(assertion.expose(), 0);
        assert_eq!(header["alg"], alg, "{form}");
        let claims = part(assertion.expose(), 1);
        assert_eq!(claims["iss"], "0oa1client");
        assert_eq!(claims["sub"], "0oa1client");
        assert_eq!(claims["aud"], "https://acme.okta.com/oauth2/v1/token");
        let iat = claims["iat"].as_i64().unwrap();
        assert_eq!(iat, now.unix_timestamp());
        assert!(claims["exp"].as_i64().unwrap() > iat);
        assert!(
            claims["exp"].as_i64().unwrap() - iat <= 3600,
            "Okta's limit"
        );
    }
}

#[test]
fn the_same_key_in_every_form_has_the_same_public_jwk() {
    let rsa: Vec<Value> = [RSA_PKCS8, RSA_PKCS1, RSA_JWK]
        .iter()
        .map(|text| SigningKey::parse(text, None).unwrap().public_jwk())
        .collect();
    assert!(rsa.windows(2).all(|pair| pair[0] == pair[1]), "{rsa:?}");
    let jwk: Value = serde_json::from_str(RSA_JWK).unwrap();
    assert_eq!(rsa[0]["n"], jwk["n"]);
    let ec: Vec<Value> = [EC_PKCS8, EC_JWK]
        .iter()
        .map(|text| SigningKey::parse(text, None).unwrap().public_jwk())
        .collect();
    assert_eq!(ec[0], ec[1]);
    // The public JWK never carries a private member.
    for public in rsa.iter().chain(&ec) {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(public.get(private).is_none(), "{public}");
        }
    }
}

#[test]
fn key_ids_come_from_the_configuration_or_the_jwk() {
    assert_eq!(SigningKey::parse(EC_PKCS8, None).unwrap().key_id(), None);
    assert_eq!(
        SigningKey::parse(EC_JWK, None).unwrap().key_id(),
        Some("test-ec-1")
    );
    let chosen = SigningKey::parse(EC_JWK, Some("kid-2".into())).unwrap();
    assert_eq!(chosen.key_id(), Some("kid-2"));
    let assertion = jws::client_assertion(
        &chosen,
        "c",
        "https://a.okta.com/oauth2/v1/token",
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_eq!(part(assertion.expose(), 0)["kid"], "kid-2");
}

#[test]
fn unusable_keys_are_refused_without_echoing_them() {
    assert_eq!(
        SigningKey::parse(EC_SEC1, None).unwrap_err(),
        KeyError::Sec1
    );
    assert!(KeyError::Sec1.to_string().contains("openssl pkcs8 -topk8"));
    assert_eq!(
        SigningKey::parse("not a key", None).unwrap_err(),
        KeyError::NotAKey
    );
    let truncated = &RSA_JWK.replace("\"qi\"", "\"qx\"");
    let error = SigningKey::parse(truncated, None).unwrap_err();
    assert!(matches!(error, KeyError::BadJwk(_)), "{error:?}");
    let jwk: Value = serde_json::from_str(RSA_JWK).unwrap();
    let d = jwk["d"].as_str().unwrap();
    assert!(!error.to_string().contains(d));
    let oct = r#"{"kty":"oct","k":"c2VjcmV0"}"#;
    assert!(matches!(
        SigningKey::parse(oct, None).unwrap_err(),
        KeyError::Unsupported(_)
    ));
    // The debug form names the algorithm only.
    let debug = format!("{:?}", SigningKey::parse(RSA_JWK, None).unwrap());
    assert!(!debug.contains(d) && debug.contains("RS256"), "{debug}");
}

#[test]
fn dpop_proofs_carry_method_url_nonce_and_token_hash() {
    let key = SigningKey::parse(EC_PKCS8, Some("ignored-in-proofs".into())).unwrap();
    let token = Secret::new("eyJ.access.token");
    let proof = jws::dpop_proof(
        &key,
        "GET",
        "https://acme.okta.com/api/v1/users?limit=200#x",
        Some("nonce-1"),
        Some(&token),
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let header = part(proof.expose(), 0);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["jwk"], key.public_jwk());
    assert!(header.get("kid").is_none());
    verify(proof.expose(), &header["jwk"]);
    let claims = part(proof.expose(), 1);
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "https://acme.okta.com/api/v1/users");
    // The path is compared decoded, as Okta routed it.
    let encoded = jws::dpop_proof(
        &key,
        "GET",
        "https://acme.okta.com/api/v1/users/svc%40msp.example?x=%41",
        None,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_eq!(
        part(encoded.expose(), 1)["htu"],
        "https://acme.okta.com/api/v1/users/svc@msp.example"
    );
    assert_eq!(claims["nonce"], "nonce-1");
    let digest = ring::digest::digest(&ring::digest::SHA256, b"eyJ.access.token");
    assert_eq!(claims["ath"], URL_SAFE_NO_PAD.encode(digest.as_ref()));
    // Every proof is new.
    let again = jws::dpop_proof(
        &key,
        "GET",
        "https://a/x",
        None,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let second = jws::dpop_proof(
        &key,
        "GET",
        "https://a/x",
        None,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_ne!(
        part(again.expose(), 1)["jti"],
        part(second.expose(), 1)["jti"]
    );
    assert!(part(again.expose(), 1).get("ath").is_none());
    assert!(part(again.expose(), 1).get("nonce").is_none());
}

#[test]
fn challenges_and_forms_parse_as_servers_write_them() {
    let challenge = r#"Bearer authorization_uri="http://acme.okta.com/oauth2/v1/authorize", realm="IdpMyAccountAPI", scope="okta.users.manage", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.""#;
    assert_eq!(
        challenge_parameter(challenge, "error").as_deref(),
        Some("insufficient_scope")
    );
    assert_eq!(
        challenge_parameter(challenge, "scope").as_deref(),
        Some("okta.users.manage")
    );
    assert_eq!(
        challenge_parameter(
            r#"DPoP error="use_dpop_nonce", error_description="x""#,
            "error"
        )
        .as_deref(),
        Some("use_dpop_nonce")
    );
    assert_eq!(challenge_parameter("DPoP algs=ES256", "error"), None);
    let mut headers = HeaderMap::new();
    headers.insert(
        "WWW-Authenticate",
        HeaderValue::from_static(r#"DPoP error="invalid_token""#),
    );
    assert_eq!(
        www_authenticate_error(&headers).as_deref(),
        Some("invalid_token")
    );
    assert_eq!(
        form_encode(&[
            ("scope", "okta.users.manage okta.logs.read"),
            ("a", "x/y=z")
        ]),
        "scope=okta.users.manage%20okta.logs.read&a=x%2Fy%3Dz"
    );
}

#[test]
fn thumbprints_match_rfc_7638_s_own_example() {
    // RFC 7638 section 3.1: the RSA key of RFC 7517 appendix A.1, with its `alg` and `kid`
    // (which the thumbprint leaves out).
    let jwk = serde_json::json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    assert_eq!(
        jwk_thumbprint(&jwk).as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    // A member the key type requires is missing, or the type is unknown: no thumbprint.
    assert_eq!(
        jwk_thumbprint(&serde_json::json!({"kty": "RSA", "e": "AQAB"})),
        None
    );
    assert_eq!(
        jwk_thumbprint(&serde_json::json!({"kty": "oct", "k": "AA"})),
        None
    );
}

#[test]
fn an_ec_thumbprint_hashes_crv_kty_x_y_in_order_and_every_form_agrees() {
    let from_jwk = SigningKey::parse(EC_JWK, None).unwrap();
    let jwk: Value = serde_json::from_str(EC_JWK).unwrap();
    // RFC 7638 section 3.2: for EC the required members are crv, kty, x and y.
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap(),
        jwk["y"].as_str().unwrap()
    );
    let expected = URL_SAFE_NO_PAD
        .encode(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref());
    assert_eq!(from_jwk.thumbprint(), expected);
    // The JWK's own `kid` ("test-ec-1") is not part of it, and the PEM form gives the same.
    assert_eq!(
        SigningKey::parse(EC_PKCS8, None).unwrap().thumbprint(),
        expected
    );
    let rsa = SigningKey::parse(RSA_PKCS8, None).unwrap().thumbprint();
    assert_eq!(SigningKey::parse(RSA_JWK, None).unwrap().thumbprint(), rsa);
    assert_eq!(
        SigningKey::parse(RSA_PKCS1, None).unwrap().thumbprint(),
        rsa
    );
    assert_ne!(rsa, expected);
}
