//! OAuth 2.0 for Okta's management API: a service app authenticates with `private_key_jwt`
//! (client credentials, RFC 7523) at the org authorization server, gets a scoped access token,
//! and, when the org demands it, binds every call to its key with DPoP proofs (RFC 9449).
//!
//! One [`OAuthSession`] per org keeps the access token (refreshed a minute before it expires)
//! and the DPoP nonces each server handed out. The client asks it for the headers of every
//! request and tells it about 401s that a new nonce or a new token can fix.
//!
//! Whether to use DPoP is learnt: the first token request goes without a proof; an org whose app
//! requires DPoP answers `invalid_dpop_proof`, and every later request of the session carries
//! proofs. `use_dpop = true` skips that round trip.

mod jws;
mod key;

pub use key::{KeyError, SigningKey, jwk_thumbprint};

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Deserialize;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::answer::is_transient;
use super::error::OktaError;
use super::retry::{RateLimitHeaders, backoff_delay, rate_limit_wait};
use crate::secret::Secret;

/// The token is renewed this long before Okta says it expires, so that no request leaves with
/// a token that dies on the way.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// The token endpoint's answer is small; anything bigger is not Okta's.
const MAX_TOKEN_ANSWER_BYTES: usize = 64 * 1024;

/// How the token endpoint is retried: as every other call (SPEC section 7), since a token
/// request that fails fails the call that needed it. Asking again is always safe: the grant
/// changes nothing, and each attempt signs a new client assertion (Okta consumes its `jti`).
#[derive(Debug, Clone, Copy)]
pub struct TokenRetries {
    /// Retries after a 5xx, a timeout or a dropped connection.
    pub max_retries: u32,
    /// 429s waited out, each until `X-Rate-Limit-Reset`.
    pub max_rate_limit_retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Added to the reset time (second granularity), and the longest one wait.
    pub reset_margin: Duration,
    pub max_wait: Duration,
}

impl Default for TokenRetries {
    fn default() -> TokenRetries {
        TokenRetries {
            max_retries: 5,
            max_rate_limit_retries: 20,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            reset_margin: Duration::from_secs(1),
            max_wait: Duration::from_secs(120),
        }
    }
}

/// An OAuth 2.0 service app of one org (an "API Services" app in Okta).
#[derive(Debug)]
pub struct ServiceApp {
    pub client_id: String,
    /// Shared: one key may serve several clients of the same org (one per token scope set).
    pub key: Arc<SigningKey>,
    /// The scopes to request, e.g. `okta.users.manage`; each must be granted to the app.
    pub scopes: Vec<String>,
    /// Send DPoP proofs from the first request instead of learning that the org requires them.
    pub use_dpop: bool,
}

/// A live access token. Never printed.
struct AccessToken {
    value: Secret,
    /// `token_type` `DPoP`: every use needs a proof made with the app's key.
    dpop_bound: bool,
    renew_at: Instant,
    /// What Okta said (`expires_in`), counted from when the request left.
    lifetime: Duration,
}

/// An access token issued for someone else to use (okta-msp's ephemeral token), never cached
/// by the session. Never printed.
pub struct IssuedToken {
    pub value: Secret,
    /// A DPoP-bound token is useless without proofs signed by the app's key.
    pub dpop_bound: bool,
    /// How long it lives from when it was requested.
    pub lifetime: Duration,
}

#[derive(Default)]
struct SessionState {
    token: Option<AccessToken>,
    use_dpop: bool,
    /// The last `DPoP-Nonce` of the authorization server (token endpoint).
    token_nonce: Option<String>,
    /// The last `DPoP-Nonce` of the resource server (the management API).
    resource_nonce: Option<String>,
}

/// The headers that authorize one request.
pub struct RequestAuthorization {
    pub authorization: HeaderValue,
    pub dpop: Option<HeaderValue>,
}

/// What a 401 told the session, and whether the request is worth sending again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    /// The resource server wants a (new) nonce in the proof: it is stored; send again.
    NewNonce,
    /// The token expired or was revoked: it is dropped; send again with a new one.
    NewToken,
    /// Nothing a retry can fix.
    Final,
}

/// The OAuth state of one org.
pub struct OAuthSession {
    app: ServiceApp,
    org: String,
    token_url: String,
    retries: TokenRetries,
    state: Mutex<SessionState>,
}

impl std::fmt::Debug for OAuthSession {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OAuthSession")
            .field("org", &self.org)
            .field("client_id", &self.app.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl OAuthSession {
    /// A session for the org at `org_url` (no trailing slash), whose token endpoint is the org
    /// authorization server's: `{org_url}/oauth2/v1/token`.
    pub fn new(org_url: &str, app: ServiceApp) -> OAuthSession {
        let use_dpop = app.use_dpop;
        OAuthSession {
            token_url: format!("{org_url}/oauth2/v1/token"),
            org: org_url.to_owned(),
            app,
            retries: TokenRetries::default(),
            state: Mutex::new(SessionState {
                use_dpop,
                ..SessionState::default()
            }),
        }
    }

    /// The same session, retrying the token endpoint as `retries` says.
    pub fn with_retries(mut self, retries: TokenRetries) -> OAuthSession {
        self.retries = retries;
        self
    }

    pub fn client_id(&self) -> &str {
        &self.app.client_id
    }

    /// The headers for `method url`, getting a token first when there is none or it is about
    /// to expire.
    pub async fn authorize(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &str,
    ) -> Result<RequestAuthorization, OktaError> {
        let mut state = self.state.lock().await;
        let fresh = state
            .token
            .as_ref()
            .is_some_and(|token| Instant::now() < token.renew_at);
        if !fresh {
            state.token = None;
            let token = self.request_token(http, &mut state).await?;
            state.token = Some(token);
        }
        let token = state.token.as_ref().expect("a token was just stored");
        let scheme = if token.dpop_bound { "DPoP" } else { "Bearer" };
        let authorization = sensitive(&format!("{scheme} {}", token.value.expose()))?;
        let dpop = if token.dpop_bound {
            let proof = jws::dpop_proof(
                &self.app.key,
                method.as_str(),
                url,
                state.resource_nonce.as_deref(),
                Some(&token.value),
                OffsetDateTime::now_utc(),
            )
            .map_err(|error| self.key_error(error))?;
            Some(sensitive(proof.expose())?)
        } else {
            None
        };
        Ok(RequestAuthorization {
            authorization,
            dpop,
        })
    }

    /// A new token, for a caller other than this session's requests: never the cached one (whose
    /// remaining life is unknown to the caller), and not cached either. DPoP is learnt as for
    /// the session's own token.
    pub async fn issue_token(&self, http: &reqwest::Client) -> Result<IssuedToken, OktaError> {
        let mut state = self.state.lock().await;
        let token = self.request_token(http, &mut state).await?;
        Ok(IssuedToken {
            value: token.value,
            dpop_bound: token.dpop_bound,
            lifetime: token.lifetime,
        })
    }

    /// Learns from a 401 of the management API what a retry needs.
    pub async fn unauthorized(&self, headers: &HeaderMap) -> Unauthorized {
        let challenge = www_authenticate_error(headers);
        let mut state = self.state.lock().await;
        match challenge.as_deref() {
            Some("use_dpop_nonce") => match dpop_nonce(headers) {
                Some(nonce) if state.resource_nonce.as_deref() != Some(nonce.as_str()) => {
                    state.resource_nonce = Some(nonce);
                    Unauthorized::NewNonce
                }
                _ => Unauthorized::Final,
            },
            Some("invalid_token") if state.token.is_some() => {
                state.token = None;
                Unauthorized::NewToken
            }
            _ => Unauthorized::Final,
        }
    }

    /// Notes a `DPoP-Nonce` the resource server sent on any answer (servers rotate nonces on
    /// successful answers too).
    pub async fn note_answer(&self, headers: &HeaderMap) {
        if let Some(nonce) = dpop_nonce(headers) {
            self.state.lock().await.resource_nonce = Some(nonce);
        }
    }

    /// Runs the client credentials grant, learning DPoP and the server's nonce on the way (at
    /// most one extra round trip for each).
    async fn request_token(
        &self,
        http: &reqwest::Client,
        state: &mut SessionState,
    ) -> Result<AccessToken, OktaError> {
        // Each counted on its own, so that retries of a flaky endpoint do not use up the round
        // trips that learn DPoP and the server's nonce.
        let mut learning_steps = 0u32;
        let mut transient_retries = 0u32;
        let mut rate_limit_retries = 0u32;
        loop {
            let now = OffsetDateTime::now_utc();
            let assertion =
                jws::client_assertion(&self.app.key, &self.app.client_id, &self.token_url, now)
                    .map_err(|error| self.key_error(error))?;
            let body = form_encode(&[
                ("grant_type", "client_credentials"),
                ("scope", &self.app.scopes.join(" ")),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.expose()),
            ]);
            let mut request = http
                .post(&self.token_url)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body);
            if state.use_dpop {
                let proof = jws::dpop_proof(
                    &self.app.key,
                    "POST",
                    &self.token_url,
                    state.token_nonce.as_deref(),
                    None,
                    now,
                )
                .map_err(|error| self.key_error(error))?;
                request = request.header("DPoP", sensitive(proof.expose())?);
            }
            let started = Instant::now();
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    read_small(response, &self.org)
                        .await
                        .map(|body| (status, headers, body))
                }
                Err(error) => Err(OktaError::Transport {
                    method: "POST".into(),
                    path: "/oauth2/v1/token",
                    org: self.org.clone(),
                    detail: error.without_url().to_string(),
                }),
            };
            let (status, headers, body) = match answer {
                Ok(answer) => answer,
                Err(failure) if transient_retries < self.retries.max_retries => {
                    transient_retries += 1;
                    tracing::debug!(org = %self.org, error = %failure, retry = transient_retries, "token request failed; retrying");
                    tokio::time::sleep(self.backoff(transient_retries)).await;
                    continue;
                }
                Err(failure) => return Err(failure),
            };
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS
                && rate_limit_retries < self.retries.max_rate_limit_retries
            {
                rate_limit_retries += 1;
                let limits = RateLimitHeaders::from_headers(&headers);
                let wait = rate_limit_wait(
                    limits.reset_epoch_seconds,
                    limits.date,
                    std::time::SystemTime::now(),
                    self.retries.reset_margin,
                    self.retries.max_wait,
                )
                .unwrap_or_else(|| self.backoff(rate_limit_retries));
                tracing::debug!(org = %self.org, wait_ms = wait.as_millis() as u64, "token endpoint rate limited; waiting for the reset");
                tokio::time::sleep(wait).await;
                continue;
            }
            if is_transient(status) && transient_retries < self.retries.max_retries {
                transient_retries += 1;
                tracing::debug!(org = %self.org, status = status.as_u16(), retry = transient_retries, "token endpoint failed; retrying");
                tokio::time::sleep(self.backoff(transient_retries)).await;
                continue;
            }
            if status.is_success() {
                let answer: TokenAnswer =
                    serde_json::from_slice(&body).map_err(|error| OktaError::Decode {
                        what: "the token endpoint's answer".into(),
                        detail: error.to_string(),
                    })?;
                let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
                let dpop_bound = answer.token_type.eq_ignore_ascii_case("DPoP");
                tracing::debug!(org = %self.org, client_id = %self.app.client_id, dpop = dpop_bound, lifetime_s = lifetime.as_secs(), "access token issued");
                return Ok(AccessToken {
                    value: Secret::new(answer.access_token),
                    dpop_bound,
                    renew_at: started + lifetime.saturating_sub(RENEW_BEFORE_EXPIRY),
                    lifetime,
                });
            }
            let refusal: Option<OAuthErrorAnswer> = serde_json::from_slice(&body).ok();
            let error = refusal.as_ref().map(|r| r.error.as_str()).unwrap_or("");
            match error {
                // The app requires DPoP: prove possession from now on.
                "invalid_dpop_proof" if !state.use_dpop && learning_steps < 3 => {
                    learning_steps += 1;
                    state.use_dpop = true;
                    continue;
                }
                "use_dpop_nonce" if learning_steps < 3 => {
                    if let Some(nonce) = dpop_nonce(&headers)
                        && state.token_nonce.as_deref() != Some(nonce.as_str())
                    {
                        learning_steps += 1;
                        state.use_dpop = true;
                        state.token_nonce = Some(nonce);
                        continue;
                    }
                }
                _ => {}
            }
            return Err(match refusal {
                Some(refusal) => OktaError::TokenRefused {
                    org: self.org.clone(),
                    client_id: self.app.client_id.clone(),
                    error: refusal.error,
                    description: refusal.error_description,
                },
                None => OktaError::UnexpectedStatus {
                    method: "POST".into(),
                    path: "/oauth2/v1/token",
                    status: status.as_u16(),
                    detail: "the token endpoint answered without an OAuth error".into(),
                    request_id: None,
                },
            });
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        backoff_delay(
            retry,
            self.retries.backoff_base,
            self.retries.backoff_max,
            rand::random::<f64>(),
        )
    }

    fn key_error(&self, error: KeyError) -> OktaError {
        OktaError::ServiceAppKey {
            client_id: self.app.client_id.clone(),
            detail: error.to_string(),
        }
    }
}

/// A header value marked sensitive, so that hyper's debug output never shows it.
fn sensitive(text: &str) -> Result<HeaderValue, OktaError> {
    let mut value = HeaderValue::from_str(text).map_err(|_| OktaError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

async fn read_small(response: reqwest::Response, org: &str) -> Result<Vec<u8>, OktaError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_TOKEN_ANSWER_BYTES as u64)
    {
        return Err(OktaError::AnswerTooLarge {
            method: "POST".into(),
            path: "/oauth2/v1/token",
            limit: MAX_TOKEN_ANSWER_BYTES,
        });
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|error| OktaError::Transport {
            method: "POST".into(),
            path: "/oauth2/v1/token",
            org: org.to_owned(),
            detail: error.without_url().to_string(),
        })?;
    if bytes.len() > MAX_TOKEN_ANSWER_BYTES {
        return Err(OktaError::AnswerTooLarge {
            method: "POST".into(),
            path: "/oauth2/v1/token",
            limit: MAX_TOKEN_ANSWER_BYTES,
        });
    }
    Ok(bytes.to_vec())
}

/// `application/x-www-form-urlencoded`: unreserved characters as they are, everything else
/// percent-encoded (spaces too, as `%20`, which every server accepts).
fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn encode(text: &str, out: &mut String) {
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    let mut out = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        encode(name, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

fn dpop_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get("DPoP-Nonce")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The `error` parameter of a `WWW-Authenticate` challenge (`Bearer` or `DPoP`).
fn www_authenticate_error(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("WWW-Authenticate")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|challenge| challenge_parameter(challenge, "error"))
}

/// One parameter of an HTTP authentication challenge: `name="value"` or `name=value`.
pub(crate) fn challenge_parameter(challenge: &str, name: &str) -> Option<String> {
    let mut rest = challenge;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || matches!(rest.as_bytes()[at - 1], b' ' | b',' | b'\t');
        let after = &rest[at + name.len()..];
        if before_ok && let Some(value) = after.trim_start().strip_prefix('=') {
            let value = value.trim_start();
            return Some(if let Some(quoted) = value.strip_prefix('"') {
                quoted.split('"').next().unwrap_or_default().to_owned()
            } else {
                value
                    .split([',', ' '])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            });
        }
        rest = &rest[at + name.len()..];
    }
    None
}

#[cfg(test)]
mod tests;
