//! OAuth 2.0 for Okta's management API, as an org authorization server does it for service apps:
//! the token endpoint (`client_credentials` with a `private_key_jwt` client assertion, DPoP
//! binding with server nonces), and the checks an access token meets on every management call
//! (signature, issuer, expiry, DPoP proof and `ath`, scope).
//!
//! The rules are Okta's and RFC 7523's and RFC 9449's; the evidence for each is in
//! `docs/emulator.md`. What is kept here is runtime only: the nonces, the `jti`s seen, and the
//! offset of the clock tokens age by. Service apps themselves are apps of `store::apps`, and
//! access tokens are signed (HS256, with the state's key) rather than stored, so they survive a
//! restart with `--data` and cost nothing per token.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, OAuthRefusal};
use crate::jose::{self, Jws, PublicJwk};
use crate::store::{App, Org};
use crate::util;

/// `client_assertion_type` for a JWT client assertion (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An access token's lifetime: Okta's org authorization server answers `expires_in: 3600`.
pub const TOKEN_LIFETIME_SECONDS: i64 = 3600;
/// How far a client assertion's `exp` may be ahead: Okta's docs for `private_key_jwt` say at most
/// one hour.
const MAX_ASSERTION_LIFETIME_SECONDS: i64 = 3600;
/// Clock skew tolerated on `iat` and `exp` (the emulator's choice; Okta does not publish one).
const SKEW_SECONDS: i64 = 60;
/// How old a DPoP proof's `iat` may be (the emulator's choice; RFC 9449 leaves the window to the
/// server and Okta does not publish its own).
const PROOF_MAX_AGE_SECONDS: i64 = 300;
/// The `jti`s remembered per org at most; beyond it the oldest are forgotten first. Every
/// remembered `jti` expires anyway, with the assertion or proof that carried it.
const MAX_SEEN_JTIS: usize = 100_000;
/// The algorithms Okta lists for DPoP proofs (`dpop_signing_alg_values_supported` of its
/// authorization servers' metadata, and the `algs` of its `WWW-Authenticate: DPoP` challenges).
const DPOP_ALGS: &str = "RS256 RS384 RS512 ES256 ES384 ES512";

/// The OAuth layer's runtime state; see the module's documentation.
#[derive(Debug)]
pub struct OAuth {
    /// Seconds added to the wall clock for issuing and expiring access tokens (the control
    /// plane's fast-forward). Assertions and proofs are checked against the wall clock, since the
    /// client signs them with its own.
    clock_offset: i64,
    /// How long a DPoP nonce stays current before the next request gets a new one.
    nonce_lifetime: i64,
    /// The current DPoP nonce of each org, with the time it was issued.
    nonces: HashMap<String, (String, i64)>,
    /// The `jti`s of client assertions and DPoP proofs seen per org, each with the time after
    /// which it may be forgotten (its token expired, so it cannot be replayed anyway).
    seen: HashMap<String, HashMap<String, i64>>,
}

impl OAuth {
    pub fn new(nonce_lifetime_seconds: i64) -> OAuth {
        OAuth {
            clock_offset: 0,
            nonce_lifetime: nonce_lifetime_seconds.max(1),
            nonces: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// The time access tokens are issued and expire by, in seconds.
    pub fn token_clock(&self, now: i64) -> i64 {
        now + self.clock_offset
    }

    /// Moves the token clock forward; returns the total offset.
    pub fn advance(&mut self, seconds: i64) -> i64 {
        self.clock_offset = self.clock_offset.saturating_add(seconds);
        self.clock_offset
    }

    /// Replaces the org's DPoP nonce now: the one clients hold becomes stale.
    pub fn rotate_nonce(&mut self, org: &str, now: i64) -> String {
        let nonce = util::random_alphanumeric(32);
        self.nonces.insert(org.to_string(), (nonce.clone(), now));
        nonce
    }

    /// The org's current nonce, a new one when none was issued or the last has lived its time.
    fn nonce(&mut self, org: &str, now: i64) -> String {
        match self.nonces.get(org) {
            Some((nonce, issued)) if now - issued < self.nonce_lifetime => nonce.clone(),
            _ => self.rotate_nonce(org, now),
        }
    }

    /// Records `jti` for `org`; false when it was seen before (a replay).
    fn first_use(&mut self, org: &str, jti: &str, forget_after: i64, now: i64) -> bool {
        let seen = self.seen.entry(org.to_string()).or_default();
        if seen.len() >= MAX_SEEN_JTIS {
            seen.retain(|_, until| *until >= now);
            if seen.len() >= MAX_SEEN_JTIS
                && let Some(oldest) = seen
                    .iter()
                    .min_by_key(|(_, until)| **until)
                    .map(|(jti, _)| jti.clone())
            {
                seen.remove(&oldest);
            }
        }
        match seen.get(jti) {
            Some(until) if *until >= now => false,
            _ => {
                seen.insert(jti.to_string(), forget_after);
                true
            }
        }
    }

    /// Forgets everything (the control plane's reset).
    pub fn reset(&mut self) {
        self.clock_offset = 0;
        self.nonces.clear();
        self.seen.clear();
    }
}

/// A token request, as `app` read it.
pub struct TokenRequest<'a> {
    /// The form-encoded body's fields.
    pub form: &'a [(String, String)],
    /// The values of every `DPoP` header sent.
    pub proofs: &'a [&'a str],
    /// `{org url}/oauth2/v1/token`: the assertion's `aud` and the proof's `htu`.
    pub token_url: &'a str,
    pub org_url: &'a str,
    /// The wall clock, in seconds.
    pub now: i64,
}

/// A minted access token and the headers its answer carries.
pub struct Minted {
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

fn invalid_client(description: &str) -> OAuthRefusal {
    OAuthRefusal::token_endpoint(StatusCode::UNAUTHORIZED, "invalid_client", description)
}

fn bad_request(error: &str, description: &str) -> OAuthRefusal {
    OAuthRefusal::token_endpoint(StatusCode::BAD_REQUEST, error, description)
}

/// `POST {org}/oauth2/v1/token`: checks the client assertion, the DPoP proof when the app
/// requires one, and the scopes, and mints an access token.
pub fn token(
    oauth: &mut OAuth,
    org: &Org,
    key: &[u8],
    request: &TokenRequest,
) -> Result<Minted, OAuthRefusal> {
    let field = |name: &str| {
        request
            .form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    match field("grant_type") {
        None => {
            return Err(bad_request(
                "invalid_request",
                "The token request must specify a 'grant_type'. Valid values: [client_credentials]",
            ));
        }
        Some("client_credentials") => {}
        Some(_) => {
            return Err(bad_request(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].",
            ));
        }
    }
    let (Some(assertion_type), Some(assertion)) =
        (field("client_assertion_type"), field("client_assertion"))
    else {
        return Err(invalid_client(
            "Client authentication failed. Either the client or the client credentials are invalid.",
        ));
    };
    if assertion_type != JWT_BEARER {
        return Err(invalid_client("The client_assertion_type is invalid."));
    }
    let (app, assertion) = check_assertion(org, assertion, field("client_id"), request)?;
    let grant_types = app.grant_types();
    if !grant_types.contains(&"client_credentials") {
        return Err(bad_request(
            "unauthorized_client",
            &format!(
                "The client is not authorized to use the provided grant type. Configured grant types: [{}].",
                grant_types.join(", ")
            ),
        ));
    }

    let mut headers = vec![
        ("cache-control", "no-cache, no-store".to_string()),
        ("pragma", "no-cache".to_string()),
    ];
    let mut binding = None;
    if app.dpop_required {
        let nonce = oauth.nonce(&org.subdomain, request.now);
        let proof = check_proof(
            request.proofs,
            &ProofContext {
                method: "POST",
                url: request.token_url,
                now: request.now,
            },
        )
        .map_err(|description| bad_request("invalid_dpop_proof", description))?;
        if proof.jws.claim_str("nonce") != Some(nonce.as_str()) {
            return Err(bad_request(
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            )
            .header("dpop-nonce", nonce));
        }
        let forget_after = request.now + PROOF_MAX_AGE_SECONDS + SKEW_SECONDS;
        if !oauth.first_use(&org.subdomain, &proof.jti, forget_after, request.now) {
            return Err(bad_request(
                "invalid_dpop_proof",
                "'jti' claim in the DPoP proof JWT has already been used.",
            ));
        }
        headers.push(("dpop-nonce", nonce));
        binding = Some(proof.key.thumbprint());
    }

    // The assertion's jti is spent only once everything about the assertion and the proof
    // holds, so the retry a use_dpop_nonce answer asks for may carry the same assertion.
    let forget_after = assertion.exp + SKEW_SECONDS;
    if let Some(jti) = &assertion.jti
        && !oauth.first_use(&org.subdomain, jti, forget_after, request.now)
    {
        return Err(invalid_client(
            "The client_assertion token has already been used. Use a new 'jti'.",
        ));
    }

    let requested: Vec<&str> = field("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|scope| !scope.is_empty())
        .collect();
    if requested.is_empty() {
        return Err(bad_request(
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
        ));
    }
    if let Some(missing) = requested
        .iter()
        .find(|scope| !app.scopes().any(|granted| granted == **scope))
    {
        return Err(bad_request(
            "invalid_scope",
            &format!("The following scopes are not granted to the client: {missing}"),
        ));
    }
    let mut scopes: Vec<&str> = Vec::new();
    for scope in requested {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }

    let issued = oauth.token_clock(request.now);
    let mut claims = json!({
        "ver": 1,
        "jti": format!("AT.{}", util::random_alphanumeric(43)),
        "iss": request.org_url,
        "aud": request.org_url,
        "sub": app.client_id,
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME_SECONDS,
        "cid": app.client_id,
        "scp": scopes,
    });
    if let Some(thumbprint) = &binding {
        claims["cnf"] = json!({ "jkt": thumbprint });
    }
    let header = json!({ "kid": "okta-emulator", "typ": "application/okta-internal-at+jwt", "alg": "HS256" });
    let access_token = jose::sign_hs256(&header, &claims, key);
    let token_type = if binding.is_some() { "DPoP" } else { "Bearer" };
    Ok(Minted {
        body: json!({
            "token_type": token_type,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "access_token": access_token,
            "scope": scopes.join(" "),
        }),
        headers,
    })
}

/// The claims of a client assertion that the token endpoint still needs after checking it.
struct Assertion {
    /// Optional in Okta's service app guide ("used to prevent the JWT from being replayed"), and
    /// an assertion without one gets a token.
    jti: Option<String>,
    exp: i64,
}

/// RFC 7523 section 3 as Okta applies it to `private_key_jwt`: signed by a registered key of the
/// app (chosen by `kid` when the header names one), `iss` and `sub` the client id, `aud` the
/// token endpoint, an `exp` in the future and at most an hour away, a `jti` if any that was not
/// used before.
fn check_assertion<'org>(
    org: &'org Org,
    compact: &str,
    client_id: Option<&str>,
    request: &TokenRequest,
) -> Result<(&'org App, Assertion), OAuthRefusal> {
    let jws = Jws::parse(compact)
        .map_err(|_| invalid_client("The client_assertion token is malformed."))?;
    let issuer = jws.claim_str("iss").unwrap_or("");
    let app = org.active_client(issuer).ok_or_else(|| {
        invalid_client("The client_assertion token's 'iss' is not a known client.")
    })?;
    if app.auth_method != "private_key_jwt" {
        return Err(invalid_client(
            "Client authentication failed. Either the client or the client credentials are invalid.",
        ));
    }
    if jws.claim_str("sub") != Some(issuer) {
        return Err(invalid_client(
            "The 'sub' claim in the client_assertion token must equal its 'iss', the client_id.",
        ));
    }
    if client_id.is_some_and(|client_id| client_id != issuer) {
        return Err(invalid_client(
            "The client_id does not match the client_assertion token's 'iss'.",
        ));
    }
    if jws.algorithm().is_err() {
        return Err(invalid_client(
            "The client_assertion token's 'alg' is not supported; use RS256 or ES256.",
        ));
    }
    let keys = app.keys_for(jws.header_str("kid"));
    if !keys.iter().any(|key| jws.verify(key).is_ok()) {
        return Err(invalid_client("The client_assertion signature is invalid."));
    }
    let audience_ok = match jws.claims.get("aud") {
        Some(Value::String(audience)) => audience == request.token_url,
        Some(Value::Array(audiences)) => audiences
            .iter()
            .any(|audience| audience.as_str() == Some(request.token_url)),
        _ => false,
    };
    if !audience_ok {
        return Err(invalid_client(
            "The audience ('aud') claim in the client_assertion token is invalid; it must be the token endpoint's URL.",
        ));
    }
    let Some(exp) = jws.claim_seconds("exp") else {
        return Err(invalid_client(
            "The client_assertion token must contain an 'exp' claim.",
        ));
    };
    if exp + SKEW_SECONDS <= request.now {
        return Err(invalid_client("The client_assertion token is expired."));
    }
    if exp > request.now + MAX_ASSERTION_LIFETIME_SECONDS + SKEW_SECONDS {
        return Err(invalid_client(
            "The client_assertion token has an expiration too far into the future.",
        ));
    }
    if jws
        .claim_seconds("iat")
        .is_some_and(|iat| iat > request.now + SKEW_SECONDS)
    {
        return Err(invalid_client(
            "The client_assertion token's 'iat' is in the future.",
        ));
    }
    let jti = match jws.claims.get("jti") {
        None => None,
        Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= 256 => Some(jti.clone()),
        Some(_) => {
            return Err(invalid_client(
                "The 'jti' claim in the client_assertion token is invalid.",
            ));
        }
    };
    Ok((app, Assertion { jti, exp }))
}

/// Where a DPoP proof is presented.
struct ProofContext<'a> {
    method: &'a str,
    /// The request's URL without query or fragment.
    url: &'a str,
    now: i64,
}

/// A DPoP proof whose form, key and signature hold.
struct Proof {
    jws: Jws,
    key: PublicJwk,
    jti: String,
}

/// RFC 9449 section 4.3, steps 1 to 11 but the nonce and the replay (the caller's, which know
/// the org's nonce and which `jti`s it has seen). The error is the `error_description`.
fn check_proof(proofs: &[&str], context: &ProofContext) -> Result<Proof, &'static str> {
    let compact = match proofs {
        [] => return Err("The DPoP proof JWT header is missing."),
        [one] => *one,
        _ => return Err("Only one DPoP proof JWT header may be sent."),
    };
    let jws = Jws::parse(compact).map_err(|_| "The DPoP proof JWT is malformed.")?;
    if jws.header_str("typ") != Some("dpop+jwt") {
        return Err("'typ' header in the DPoP proof JWT is invalid.");
    }
    if jws.algorithm().is_err() {
        return Err("'alg' header in the DPoP proof JWT is invalid.");
    }
    let key = jws
        .header
        .get("jwk")
        .and_then(|jwk| PublicJwk::parse(jwk).ok())
        .ok_or("'jwk' header in the DPoP proof JWT is invalid.")?;
    jws.verify(&key)
        .map_err(|_| "The DPoP proof JWT signature is invalid.")?;
    if jws.claim_str("htm") != Some(context.method) {
        return Err("'htm' claim in the DPoP proof JWT is invalid.");
    }
    if jws.claim_str("htu") != Some(context.url) {
        return Err("'htu' claim in the DPoP proof JWT is invalid.");
    }
    match jws.claim_seconds("iat") {
        Some(iat)
            if iat <= context.now + SKEW_SECONDS && iat >= context.now - PROOF_MAX_AGE_SECONDS => {}
        _ => return Err("'iat' claim in the DPoP proof JWT is invalid."),
    }
    if !jws
        .claim_str("jti")
        .is_some_and(|jti| !jti.is_empty() && jti.len() <= 256)
    {
        return Err("'jti' claim in the DPoP proof JWT is invalid.");
    }
    let jti = jws.claim_str("jti").unwrap_or_default().to_string();
    Ok(Proof { jws, key, jti })
}

/// What an accepted access token grants.
pub struct Granted {
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Whether the token is DPoP-bound (challenges then use the `DPoP` scheme).
    pub dpop: bool,
}

/// The scheme an access token was presented with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// A management API call with an access token, as `app` read it.
pub struct ResourceRequest<'a> {
    pub scheme: Scheme,
    pub token: &'a str,
    pub proofs: &'a [&'a str],
    pub method: &'a str,
    /// The URL the proof's `htu` must name: the org URL and the percent-decoded path, no query.
    pub url: &'a str,
    pub org_url: &'a str,
    pub now: i64,
}

/// Checks an access token presented to the management API: signed here for this org, not
/// expired by the token clock, its app still registered, presented with the scheme its binding
/// calls for and, when DPoP-bound, with a proof by the bound key over this request and token.
pub fn authenticate(
    oauth: &mut OAuth,
    org: &Org,
    key: &[u8],
    request: &ResourceRequest,
) -> Result<Granted, OAuthRefusal> {
    let challenge = |scheme: Scheme, error: &str, description: &str| {
        challenge(scheme, request.org_url, error, description, None, None)
    };
    let invalid = |scheme: Scheme, description: &str| {
        OAuthRefusal::with_envelope(
            &ApiError::InvalidToken,
            challenge(scheme, "invalid_token", description),
        )
    };
    let claims: Map<String, Value> = jose::verify_hs256(request.token, key)
        .ok_or_else(|| invalid(request.scheme, "The access token is invalid."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let bound = claims
        .get("cnf")
        .and_then(|cnf| cnf.get("jkt"))
        .and_then(Value::as_str);
    let scheme = if bound.is_some() {
        Scheme::Dpop
    } else {
        Scheme::Bearer
    };
    if text("iss") != Some(request.org_url) {
        return Err(invalid(scheme, "The access token is invalid."));
    }
    let expires = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if expires <= oauth.token_clock(request.now) {
        return Err(invalid(scheme, "The access token is expired."));
    }
    let client_id = text("cid").unwrap_or("");
    if org.active_client(client_id).is_none() {
        return Err(invalid(scheme, "The access token is invalid."));
    }
    if scheme != request.scheme {
        return Err(invalid(
            scheme,
            match scheme {
                Scheme::Dpop => "A DPoP-bound access token must be sent with the DPoP scheme.",
                Scheme::Bearer => "The access token is not DPoP-bound; send it as a Bearer token.",
            },
        ));
    }
    if let Some(thumbprint) = bound {
        let refuse = |description: &str| {
            OAuthRefusal::challenge_only(
                StatusCode::BAD_REQUEST,
                challenge(Scheme::Dpop, "invalid_dpop_proof", description),
            )
        };
        let proof = check_proof(
            request.proofs,
            &ProofContext {
                method: request.method,
                url: request.url,
                now: request.now,
            },
        )
        .map_err(refuse)?;
        if proof.jws.claim_str("ath")
            != Some(jose::sha256_base64url(request.token.as_bytes()).as_str())
        {
            return Err(refuse("'ath' claim in the DPoP proof JWT is invalid."));
        }
        if proof.key.thumbprint() != thumbprint {
            return Err(refuse(
                "The DPoP proof JWT was not signed with the key the access token is bound to.",
            ));
        }
        let forget_after = request.now + PROOF_MAX_AGE_SECONDS + SKEW_SECONDS;
        if !oauth.first_use(&org.subdomain, &proof.jti, forget_after, request.now) {
            return Err(refuse(
                "'jti' claim in the DPoP proof JWT has already been used.",
            ));
        }
    }
    let scopes = claims
        .get("scp")
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Granted {
        client_id: client_id.to_string(),
        scopes,
        dpop: scheme == Scheme::Dpop,
    })
}

/// 403 for an access token without the endpoint's scope: Okta answers with no body and a
/// challenge naming the scope and the resource.
pub fn insufficient_scope(
    granted: &Granted,
    org_url: &str,
    scope: &str,
    path: &str,
) -> OAuthRefusal {
    let scheme = if granted.dpop {
        Scheme::Dpop
    } else {
        Scheme::Bearer
    };
    OAuthRefusal::challenge_only(
        StatusCode::FORBIDDEN,
        challenge(
            scheme,
            org_url,
            "insufficient_scope",
            "The access token provided does not contain the required scopes.",
            Some(scope),
            Some(path),
        ),
    )
}

/// Okta's `WWW-Authenticate` challenge: `Bearer` or `DPoP algs="..."`, then
/// `authorization_uri`, `realm`, the scope and error, and the resource.
fn challenge(
    scheme: Scheme,
    org_url: &str,
    error: &str,
    description: &str,
    scope: Option<&str>,
    resource: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    let lead = match scheme {
        Scheme::Bearer => "Bearer".to_string(),
        Scheme::Dpop => format!("DPoP algs=\"{DPOP_ALGS}\","),
    };
    parts.push(format!(
        "authorization_uri=\"{org_url}/oauth2/v1/authorize\""
    ));
    parts.push(format!("realm=\"{org_url}\""));
    if let Some(scope) = scope {
        parts.push(format!("scope=\"{scope}\""));
    }
    parts.push(format!("error=\"{error}\""));
    parts.push(format!("error_description=\"{description}\""));
    if let Some(resource) = resource {
        parts.push(format!("resource=\"{}\"", resource.replace('"', "%22")));
    }
    format!("{lead} {}", parts.join(", "))
}
