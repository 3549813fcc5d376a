//! One request's way through the emulator: wire checks, the route table, rate limits, faults,
//! authentication and authorisation, the handler under the state's lock, the save to `--data`
//! before the answer, and the answer's common headers; plus the control plane's dispatch.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use hyper::body::Incoming;
use serde::Serialize;
use serde_json::Value;

use super::concurrency::Concurrency;
use super::control::{Control, Outcome};
use super::error::OAuthRefusal;
use super::oauth::{self, OAuth, ResourceRequest, Scheme};
use super::persist::{Persister, Save};
use super::ratelimit::{Decision, RateLimiter, Share};
use super::routes::{self, Family, Matched, SSWS_ONLY};
use super::store::{Audit, NewServiceApp, Principal, State};
use super::{ApiError, Engine, Lag, Ready, error, handlers, jose, util, wire};

/// The reason a connection is closed without an answer (the `drop` and `drop_after_commit`
/// faults).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub(super) struct DropConnection;

pub(super) struct App {
    pub(super) base_url: String,
    /// The engine of the partner org a reset recreates.
    pub(super) engine: Engine,
    pub(super) ready: Ready,
    /// The orgs of `--org`, part of the initial state that `reset` returns to.
    pub(super) seed_orgs: Vec<(String, String)>,
    /// The service apps of `--service-app` (by org), also part of the initial state.
    pub(super) seed_service_apps: Vec<(String, NewServiceApp)>,
    pub(super) limits: Limits,
    pub(super) lag: Lag,
    /// `Options::rate_limit_share`, for the principal rate limits a request creates.
    pub(super) rate_limit_share: u32,
    /// The state and the generation of its last change. One lock: requests are short and
    /// in-memory, and a single order of mutations is what the data file records.
    pub(super) shared: Mutex<Shared>,
    /// Separate from the state so that counting a request never waits for a mutation.
    pub(super) limiter: Mutex<RateLimiter>,
    /// Requests in flight per org (Okta's concurrent rate limit).
    pub(super) concurrency: std::sync::Arc<Concurrency>,
    /// Faults and statistics; also separate from the state for the same reason.
    pub(super) control: Mutex<Control>,
    /// DPoP nonces, the `jti`s seen and the token clock: runtime only, never saved. Taken after
    /// `shared` when both are held.
    pub(super) oauth: Mutex<OAuth>,
    pub(super) persister: Option<Persister>,
}

pub(super) struct Shared {
    pub(super) state: State,
    pub(super) generation: u64,
}

/// What bounds a client's request: see the fields of the same names in [`Options`].
pub(super) struct Limits {
    pub(super) max_body_bytes: usize,
    pub(super) header_read_timeout: Duration,
    pub(super) body_read_timeout: Duration,
    pub(super) max_connections: usize,
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Why a management API request is refused: an Okta error, or the OAuth layer's refusal with
/// its own headers and body.
enum Refused {
    Api(ApiError),
    OAuth(OAuthRefusal),
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Refused::Api(error)
    }
}

impl From<OAuthRefusal> for Refused {
    fn from(refusal: OAuthRefusal) -> Self {
        Refused::OAuth(refusal)
    }
}

/// The credential a request carried, read before its body is.
enum Presented {
    Ssws(String),
    Access(Scheme, String),
}

/// A request to the token endpoint, as read before any lock is taken.
struct TokenCall<'a> {
    subdomain: &'a str,
    content_type: Option<&'a HeaderValue>,
    body: &'a [u8],
    proofs: &'a [String],
}

/// How [`App::record_change`] saves a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Record {
    /// What the change touched, appended to the journal (or a snapshot, when one is due).
    Change,
    /// The whole state (at start, and after a reset replaced it).
    Snapshot,
}

/// Headers every answer carries besides the body's.
struct Common<'a> {
    request_id: &'a str,
    rate: Decision,
}

impl App {
    fn snapshot_bytes(&self, shared: &Shared) -> Vec<u8> {
        let snapshot = SnapshotRef {
            partner_token: &self.ready.partner_token,
            admin_token: &self.ready.admin_token,
            state: &shared.state,
        };
        serde_json::to_vec(&snapshot).unwrap_or_default()
    }

    /// Saves the whole state now, blocking (at start, before anything is served).
    pub(super) fn persist_now(&self) -> Result<(), std::io::Error> {
        let generation = self.record_change(&mut lock(&self.shared), Record::Snapshot);
        match &self.persister {
            Some(persister) => persister.flush(generation),
            None => Ok(()),
        }
    }

    /// Records the change just made to the state, under the state's lock so that changes are
    /// saved in the order they were made, and returns its generation for [`App::save`].
    pub(super) fn record_change(&self, shared: &mut Shared, record: Record) -> u64 {
        shared.generation += 1;
        let generation = shared.generation;
        // The search index reads the same marks of what changed that saving clears.
        shared
            .state
            .index_searches(util::now_millis(), self.lag.search_ms);
        match &self.persister {
            // Nothing is saved: the marks of what changed have no reader.
            None => shared.state.forget_changes(),
            Some(persister) if record == Record::Snapshot || persister.wants_snapshot() => {
                let bytes = self.snapshot_bytes(shared);
                shared.state.forget_changes();
                persister.enqueue(generation, Save::Snapshot(bytes));
            }
            Some(persister) => {
                if let Some(line) = shared.state.take_changes() {
                    persister.enqueue(generation, Save::Change(line));
                }
            }
        }
        generation
    }

    /// Waits until change `generation` is durable in the data file (at once without one).
    pub(super) async fn save(self: &Arc<Self>, generation: u64) -> Result<(), ApiError> {
        if self.persister.is_none() {
            return Ok(());
        }
        let app = self.clone();
        let saved = tokio::task::spawn_blocking(move || {
            app.persister
                .as_ref()
                .map_or(Ok(()), |persister| persister.flush(generation))
        })
        .await;
        match saved {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot save the data file; answering 500");
                Err(ApiError::Internal)
            }
            Err(_) => Err(ApiError::Internal),
        }
    }

    pub(super) async fn handle(
        self: Arc<Self>,
        request: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Body>, DropConnection> {
        let request_id = util::request_id();
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let query_string = request.uri().query().unwrap_or("").to_string();
        let now_seconds = (util::now_millis() / 1000) as u64;
        let unlimited = Decision {
            allowed: true,
            limit: Family::Other.default_limit(),
            remaining: Family::Other.default_limit(),
            reset: now_seconds + 60,
        };
        let uri_length = request
            .uri()
            .path_and_query()
            .map_or(0, |target| target.as_str().len());
        if let Err(error) = wire::check_head(uri_length, request.headers()) {
            let common = Common {
                request_id: &request_id,
                rate: unlimited,
            };
            return Ok(error_response(&error, &common));
        }

        if let Some(control_path) = path.strip_prefix("/_emulator") {
            let common = Common {
                request_id: &request_id,
                rate: unlimited,
            };
            let (status, body) = match self.control(&method, control_path, request).await {
                Ok((status, body)) => (status, body),
                Err(error) => {
                    let (status, body) = error::envelope(&error);
                    (status, Some(body))
                }
            };
            return Ok(respond(status, body, &common, &[], None));
        }

        let (subdomain, api_path) = match path[1.min(path.len())..].split_once('/') {
            Some((subdomain, rest)) => (subdomain.to_string(), format!("/{rest}")),
            None => (path.trim_start_matches('/').to_string(), "/".to_string()),
        };
        let matched = routes::match_route(&method, &api_path);
        let (template, family) = match &matched {
            Matched::Route(route, _) => (route.template, route.family),
            Matched::WrongMethod(template) => (*template, Family::Other),
            Matched::Unimplemented | Matched::NotFound => ("(unmatched)", Family::Other),
        };
        // Held until the answer is made, through any injected latency: that is what "in
        // flight" means to Okta.
        let Some(_in_flight) = self.concurrency.enter(&subdomain) else {
            lock(&self.control).count_rate_limited();
            // While the concurrent limit is exceeded, Okta's headers report it instead of the
            // per-minute bucket: "the first two header values are always 0 for concurrent rate
            // limit errors" (developer.okta.com rl2-monitor); the reset is an estimate, and
            // requests are short.
            let common = Common {
                request_id: &request_id,
                rate: Decision {
                    allowed: false,
                    limit: 0,
                    remaining: 0,
                    reset: now_seconds + 1,
                },
            };
            return Ok(error_response(&ApiError::RateLimited, &common));
        };
        let injection = lock(&self.control).on_request(&subdomain, method.as_str(), template);
        if let Some(delay) = injection.delay {
            tokio::time::sleep(delay).await;
        }
        let share = self.principal_share(&subdomain, request.headers());
        let share = share.as_ref().map(|(principal, percent)| Share {
            principal,
            percent: *percent,
        });
        let rate = lock(&self.limiter).check(&subdomain, family, share, now_seconds);
        let mut common = Common {
            request_id: &request_id,
            rate,
        };
        match injection.outcome {
            Some(Outcome::Drop) => return Err(DropConnection),
            Some(Outcome::RateLimit) => {
                common.rate.remaining = 0;
                // Injected pressure: the bucket is empty but refills a second later, so a client
                // that waits for X-Rate-Limit-Reset (as Okta asks) recovers quickly and tests
                // stay fast; the real limiter still reports its real window.
                common.rate.reset = now_seconds + 1;
                lock(&self.control).count_rate_limited();
                return Ok(error_response(&ApiError::RateLimited, &common));
            }
            Some(Outcome::Answer(status, body)) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                return Ok(respond(status, Some(body), &common, &[], None));
            }
            Some(Outcome::Fail(error)) => {
                if error == ApiError::RateLimited {
                    common.rate.remaining = 0;
                    lock(&self.control).count_rate_limited();
                }
                return Ok(error_response(&error, &common));
            }
            None => {}
        }
        if !rate.allowed {
            lock(&self.control).count_rate_limited();
            return Ok(error_response(&ApiError::RateLimited, &common));
        }
        let (route, params) = match matched {
            Matched::Route(route, params) => (route, params),
            Matched::WrongMethod(_) => {
                return Ok(error_response(&ApiError::MethodNotAllowed, &common));
            }
            Matched::Unimplemented => {
                let what = format!("{method} {api_path}");
                return Ok(error_response(&ApiError::Unsupported { what }, &common));
            }
            Matched::NotFound => return Ok(error_response(&ApiError::PathNotFound, &common)),
        };
        let params = match routes::decode_params(route, &params) {
            Ok(params) => params,
            Err(error) => return Ok(error_response(&error, &common)),
        };
        let presented = wire::credential(request.headers()).map(|credential| match credential {
            wire::Credential::Ssws(token) => Presented::Ssws(token.to_owned()),
            wire::Credential::Bearer(token) => Presented::Access(Scheme::Bearer, token.to_owned()),
            wire::Credential::Dpop(token) => Presented::Access(Scheme::Dpop, token.to_owned()),
        });
        let proofs = wire::dpop_proofs(request.headers());
        let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
        let user_agent = request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = match self.read_body(request).await {
            Ok(body) => body,
            Err(error) => return Ok(error_response(&error, &common)),
        };
        if let handlers::Handler::Token = route.handler {
            let request = TokenCall {
                subdomain: &subdomain,
                content_type: content_type.as_ref(),
                body: &body,
                proofs: &proofs,
            };
            return Ok(self.token_endpoint(&request, &common));
        }
        let org_url = format!("{}/{subdomain}", self.base_url);
        // The URL a DPoP proof's `htu` names: Okta compares it with the path percent-decoded
        // (okta-sdk-python #541), without the query.
        let proof_url = format!("{org_url}{}", decoded_path(&api_path));
        // The token is checked before the media type: in a servlet stack such as Okta's,
        // authentication runs before the request reaches the API (an inference; Okta does not
        // document the order). So the result waits for the authorisation below.
        let media_type = wire::check_json_body(content_type.as_ref(), &body);
        let query = util::parse_query(&query_string);
        let mutates = route.method != Method::GET;

        let outcome = {
            let mut shared = lock(&self.shared);
            let result = (|| -> Result<handlers::Reply, Refused> {
                let org = shared.state.org(&subdomain).ok_or(ApiError::PathNotFound)?;
                if let handlers::Handler::Public(serve) = route.handler {
                    // Public metadata: no token, so no principal to audit either.
                    return Ok(serve(&org_url, org));
                }
                let principal = match &presented {
                    None => return Err(ApiError::InvalidToken.into()),
                    Some(Presented::Ssws(secret)) => {
                        org.authenticate(secret, util::now_millis())?
                    }
                    Some(Presented::Access(scheme, token)) => {
                        let proofs: Vec<&str> = proofs.iter().map(String::as_str).collect();
                        let call = ResourceRequest {
                            scheme: *scheme,
                            token,
                            proofs: &proofs,
                            method: method.as_str(),
                            url: &proof_url,
                            org_url: &org_url,
                            now: now_seconds as i64,
                        };
                        let key = shared.state.token_key.as_bytes();
                        let granted = oauth::authenticate(&mut lock(&self.oauth), org, key, &call)?;
                        if route.scope == SSWS_ONLY {
                            // Okta's reference lists no OAuth scope for it: only an API token
                            // may call it.
                            return Err(ApiError::InvalidToken.into());
                        }
                        if !granted.scopes.iter().any(|scope| scope == route.scope) {
                            return Err(oauth::insufficient_scope(
                                &granted,
                                &org_url,
                                route.scope,
                                &api_path,
                            )
                            .into());
                        }
                        Principal {
                            user_id: String::new(),
                            token_id: String::new(),
                            client_id: Some(granted.client_id),
                        }
                    }
                };
                org.authorize(&principal, route.need)?;
                media_type.clone()?;
                let audit = Audit {
                    org: subdomain.clone(),
                    user_id: principal.user_id.clone(),
                    client_id: principal.client_id.clone(),
                    token_id: principal.token_id.clone(),
                    request_id: request_id.clone(),
                    ip_address: peer.ip().to_string(),
                    user_agent,
                    now: util::now_millis(),
                };
                if !principal.token_id.is_empty()
                    && let Some(org) = shared.state.org_mut(&subdomain)
                {
                    org.note_token_use(&principal.token_id, audit.now);
                }
                let request = handlers::Request {
                    base_url: &self.base_url,
                    subdomain: &subdomain,
                    path: &api_path,
                    params: &params,
                    query: &query,
                    body: &body,
                    principal: &principal,
                    audit: &audit,
                    lag: self.lag,
                    default_rate_limit_share: self.rate_limit_share,
                };
                Ok(handlers::handle(
                    route.handler,
                    &mut shared.state,
                    &request,
                )?)
            })();
            let generation = match &result {
                Ok(_) if mutates => Some(self.record_change(&mut shared, Record::Change)),
                _ => None,
            };
            (result, generation)
        };
        let (result, generation) = outcome;
        if let Some(generation) = generation
            && let Err(error) = self.save(generation).await
        {
            return Ok(error_response(&error, &common));
        }
        let reply = match result {
            Ok(reply) => reply,
            Err(Refused::Api(error)) => return Ok(error_response(&error, &common)),
            Err(Refused::OAuth(refusal)) => return Ok(refusal_response(refusal, &common)),
        };
        // Handled and committed (and saved under --data): the faults that act after the commit
        // decide only now, so a refused request never uses one up.
        let injection = lock(&self.control).after_commit(&subdomain, method.as_str(), template);
        if let Some(delay) = injection.delay {
            tokio::time::sleep(delay).await;
        }
        match injection.outcome {
            Some(Outcome::Drop) => return Err(DropConnection),
            Some(Outcome::Fail(error)) => {
                if error == ApiError::RateLimited {
                    common.rate.remaining = 0;
                    lock(&self.control).count_rate_limited();
                }
                return Ok(error_response(&error, &common));
            }
            // The canned answer acts before the handler only (its phase).
            Some(Outcome::RateLimit) | Some(Outcome::Answer(..)) | None => {}
        }
        Ok(respond(
            reply.status,
            reply.body,
            &common,
            &reply.links,
            reply.etag.as_deref(),
        ))
    }

    /// The credential a request presents, as the rate limits count it (the API token's id, or
    /// the service app's client id from a token this emulator signed), with its share of
    /// every bucket. `None` for a request without a credential of this org: it is refused
    /// anyway, and counts only against the org's bucket.
    fn principal_share(&self, subdomain: &str, headers: &HeaderMap) -> Option<(String, u32)> {
        let credential = wire::credential(headers)?;
        let default_share = lock(&self.limiter).default_share();
        let shared = lock(&self.shared);
        let org = shared.state.org(subdomain)?;
        let principal = match credential {
            wire::Credential::Ssws(secret) => org.token_id_of(secret)?.to_string(),
            wire::Credential::Bearer(token) | wire::Credential::Dpop(token) => {
                let claims = jose::verify_hs256(token, shared.state.token_key.as_bytes())?;
                claims.get("cid")?.as_str()?.to_string()
            }
        };
        let percent = org.rate_limit_share(&principal, default_share);
        Some((principal, percent))
    }

    /// `POST {org}/oauth2/v1/token`: reads the form and lets `oauth` decide. Nothing is saved:
    /// access tokens are signed, not stored, and the nonces and `jti`s seen are runtime state.
    fn token_endpoint(&self, call: &TokenCall, common: &Common) -> Response<Body> {
        let form_encoded = call
            .content_type
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|media| {
                media
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form_encoded {
            let refusal = OAuthRefusal::token_endpoint(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The token request must be sent as application/x-www-form-urlencoded.",
            );
            return refusal_response(refusal, common);
        }
        let form = util::parse_query(&String::from_utf8_lossy(call.body));
        let org_url = format!("{}/{}", self.base_url, call.subdomain);
        let token_url = format!("{org_url}/oauth2/v1/token");
        let proofs: Vec<&str> = call.proofs.iter().map(String::as_str).collect();
        let shared = lock(&self.shared);
        let Some(org) = shared.state.org(call.subdomain) else {
            return error_response(&ApiError::PathNotFound, common);
        };
        let request = oauth::TokenRequest {
            form: &form,
            proofs: &proofs,
            token_url: &token_url,
            org_url: &org_url,
            now: util::now_millis() / 1000,
        };
        let minted = oauth::token(
            &mut lock(&self.oauth),
            org,
            shared.state.token_key.as_bytes(),
            &request,
        );
        match minted {
            Ok(minted) => {
                let mut response = respond(StatusCode::OK, Some(minted.body), common, &[], None);
                append_headers(&mut response, &minted.headers);
                response
            }
            Err(refusal) => refusal_response(refusal, common),
        }
    }

    pub(super) async fn read_body(
        &self,
        request: hyper::Request<Incoming>,
    ) -> Result<Bytes, ApiError> {
        wire::read_body(
            request,
            self.limits.max_body_bytes,
            self.limits.body_read_timeout,
        )
        .await
    }
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    partner_token: &'a str,
    admin_token: &'a str,
    state: &'a State,
}

fn refusal_response(refusal: OAuthRefusal, common: &Common) -> Response<Body> {
    let mut response = respond(refusal.status, refusal.body, common, &[], None);
    append_headers(&mut response, &refusal.headers);
    response
}

fn append_headers(response: &mut Response<Body>, headers: &[(&'static str, String)]) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(*name, value);
        }
    }
}

/// The path with each segment percent-decoded (a segment that does not decode stays as sent).
fn decoded_path(path: &str) -> String {
    path.split('/')
        .map(|segment| util::percent_decode_segment(segment).unwrap_or_else(|| segment.to_string()))
        .collect::<Vec<_>>()
        .join("/")
}

fn error_response(error: &ApiError, common: &Common) -> Response<Body> {
    let (status, body) = error::envelope(error);
    respond(status, Some(body), common, &[], None)
}

fn respond(
    status: StatusCode,
    body: Option<Value>,
    common: &Common,
    links: &[String],
    etag: Option<&str>,
) -> Response<Body> {
    let bytes = match body {
        Some(body) => serde_json::to_vec(&body).unwrap_or_default(),
        None => Vec::new(),
    };
    let has_body = !bytes.is_empty();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers: &mut HeaderMap = response.headers_mut();
    let mut put = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(name, value);
        }
    };
    // Okta's 204s carry no Content-Type (none of the thousands recorded from real orgs does), and
    // clients that see one try to parse the empty body as JSON.
    if has_body {
        put("content-type", "application/json".to_string());
    }
    put("x-okta-request-id", common.request_id.to_string());
    put("date", http_date());
    put("x-rate-limit-limit", common.rate.limit.to_string());
    put("x-rate-limit-remaining", common.rate.remaining.to_string());
    put("x-rate-limit-reset", common.rate.reset.to_string());
    for link in links {
        put("link", link.clone());
    }
    if let Some(etag) = etag {
        put("etag", etag.to_string());
    }
    response
}

/// The `Date` header's format (RFC 9110 IMF-fixdate), by the emulator's clock.
fn http_date() -> String {
    let now =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(util::now_millis()) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[now.weekday().number_days_from_monday() as usize],
        now.day(),
        MONTHS[now.month() as usize - 1],
        now.year(),
        now.hour(),
        now.minute(),
        now.second()
    )
}
