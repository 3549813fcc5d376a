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
use serde_json::{Value, json};

use super::concurrency::Concurrency;
use super::control::{Control, Outcome};
use super::persist::{Persister, Save};
use super::ratelimit::{Decision, RateLimiter};
use super::routes::{self, Family, Matched};
use super::store::{self, Audit, State};
use super::{ApiError, Engine, Lag, Ready, control, error, handlers, util, wire};

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
    pub(super) limits: Limits,
    pub(super) lag: Lag,
    /// The state and the generation of its last change. One lock: requests are short and
    /// in-memory, and a single order of mutations is what the data file records.
    pub(super) shared: Mutex<Shared>,
    /// Separate from the state so that counting a request never waits for a mutation.
    pub(super) limiter: Mutex<RateLimiter>,
    /// Requests in flight per org (Okta's concurrent rate limit).
    pub(super) concurrency: std::sync::Arc<Concurrency>,
    /// Faults and statistics; also separate from the state for the same reason.
    pub(super) control: Mutex<Control>,
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

/// How [`App::record_change`] saves a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
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
    fn record_change(&self, shared: &mut Shared, record: Record) -> u64 {
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
    async fn save(self: &Arc<Self>, generation: u64) -> Result<(), ApiError> {
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
            let limit = self.concurrency.limit() as u64;
            // While the concurrent limit is exceeded, Okta's headers report it instead of the
            // per-minute bucket; its reset is an estimate, and requests are short.
            let common = Common {
                request_id: &request_id,
                rate: Decision {
                    allowed: false,
                    limit,
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
        let rate = lock(&self.limiter).check(&subdomain, family, now_seconds);
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
        let secret = wire::ssws_token(request.headers()).map(str::to_owned);
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
        // The token is checked before the media type: in a servlet stack such as Okta's,
        // authentication runs before the request reaches the API (an inference; Okta does not
        // document the order). So the result waits for the authorisation below.
        let media_type = wire::check_json_body(content_type.as_ref(), &body);
        let query = util::parse_query(&query_string);
        let mutates = route.method != Method::GET;

        let outcome = {
            let mut shared = lock(&self.shared);
            let result = (|| {
                let org = shared.state.org(&subdomain).ok_or(ApiError::PathNotFound)?;
                if let handlers::Handler::Public(serve) = route.handler {
                    // Public metadata: no token, so no principal to audit either.
                    let org_url = format!("{}/{subdomain}", self.base_url);
                    return Ok(serve(&org_url, org));
                }
                let secret = secret.ok_or(ApiError::InvalidToken)?;
                let principal = org.authenticate(&secret)?;
                org.authorize(&principal, route.need)?;
                media_type.clone()?;
                let audit = Audit {
                    org: subdomain.clone(),
                    user_id: principal.user_id.clone(),
                    token_id: principal.token_id.clone(),
                    request_id: request_id.clone(),
                    ip_address: peer.ip().to_string(),
                    user_agent,
                    now: util::now_millis(),
                };
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
                };
                handlers::handle(route.handler, &mut shared.state, &request)
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
            Err(error) => return Ok(error_response(&error, &common)),
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
            Some(Outcome::RateLimit) | None => {}
        }
        Ok(respond(
            reply.status,
            reply.body,
            &common,
            &reply.links,
            reply.etag.as_deref(),
        ))
    }

    async fn read_body(&self, request: hyper::Request<Incoming>) -> Result<Bytes, ApiError> {
        wire::read_body(
            request,
            self.limits.max_body_bytes,
            self.limits.body_read_timeout,
        )
        .await
    }

    /// `POST /_emulator/orgs/{subdomain}/users/{id or login}/lock`: the user is locked out as if
    /// it had exceeded its sign-in attempts.
    async fn lock_out(
        self: &Arc<Self>,
        path: &str,
    ) -> Result<(StatusCode, Option<Value>), ApiError> {
        self.act_on_user(path, "lock", |org, user, audit| {
            let locked = org.lock_out(user, audit)?;
            Ok(json!({ "id": locked.id, "status": locked.status.as_str() }))
        })
        .await
        .map(|answer| (StatusCode::OK, Some(answer)))
    }

    /// `POST /_emulator/orgs/{subdomain}/users/{id or login}/api-tokens` (`{"name": …}`,
    /// optional): an API token created as that admin would in the Admin Console; the answer
    /// carries the secret, as the console shows it once.
    async fn create_token(
        self: &Arc<Self>,
        path: &str,
        body: &[u8],
    ) -> Result<(StatusCode, Option<Value>), ApiError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Request {
            #[serde(default)]
            name: Option<String>,
        }
        let request: Request = if body.is_empty() {
            Request { name: None }
        } else {
            serde_json::from_slice(body).map_err(|_| ApiError::MalformedBody)?
        };
        let name = request
            .name
            .unwrap_or_else(|| "Admin Console token".to_owned());
        if name.trim().is_empty() || name.chars().count() > 255 {
            return Err(ApiError::invalid("name: 1 to 255 characters"));
        }
        self.act_on_user(path, "api-tokens", |org, user, audit| {
            let token = org.create_token_as_admin(user, &name, audit)?;
            Ok(json!({ "id": token.id, "name": token.name, "userId": token.user_id, "token": token.secret }))
        })
        .await
        .map(|answer| (StatusCode::CREATED, Some(answer)))
    }

    /// A control-plane action on one user of one org,
    /// `/orgs/{subdomain}/users/{id or login}/{action}`: parses the path, runs `act` under the
    /// state lock with the control plane as the audit's client, records the change and saves it
    /// before answering.
    async fn act_on_user(
        self: &Arc<Self>,
        path: &str,
        action: &str,
        act: impl FnOnce(&mut store::Org, &str, &Audit) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let ["orgs", subdomain, "users", user, last] = segments.as_slice() else {
            return Err(ApiError::PathNotFound);
        };
        if *last != action {
            return Err(ApiError::PathNotFound);
        }
        let user =
            util::percent_decode_segment(user).ok_or_else(|| ApiError::InvalidPathParameter {
                name: "user".to_string(),
            })?;
        let audit = Audit {
            org: (*subdomain).to_owned(),
            user_id: String::new(),
            token_id: String::new(),
            request_id: util::request_id(),
            ip_address: "127.0.0.1".to_owned(),
            user_agent: "okta-emulator control plane".to_owned(),
            now: util::now_millis(),
        };
        let (answer, generation) = {
            let mut shared = lock(&self.shared);
            let org = shared
                .state
                .org_mut(subdomain)
                .ok_or_else(|| ApiError::not_found(*subdomain, "Org"))?;
            let answer = act(org, &user, &audit)?;
            (answer, self.record_change(&mut shared, Record::Change))
        };
        self.save(generation).await?;
        Ok(answer)
    }

    /// The control plane: `health`, `reset`, `faults`, `stats`, authorised by the admin token
    /// (`Authorization: Bearer <admin_token>`; `SSWS <admin_token>` works too).
    async fn control(
        self: &Arc<Self>,
        method: &Method,
        path: &str,
        request: hyper::Request<Incoming>,
    ) -> Result<(StatusCode, Option<Value>), ApiError> {
        let authorised = wire::control_token(request.headers())
            .is_some_and(|token| token == self.ready.admin_token);
        if !authorised {
            return Err(ApiError::InvalidToken);
        }
        let body = self.read_body(request).await?;
        let path = path.trim_end_matches('/');
        match (method.as_str(), path) {
            ("GET", "/health") => {
                let orgs = lock(&self.shared).state.orgs.len();
                Ok((
                    StatusCode::OK,
                    Some(json!({ "status": "ok", "orgs": orgs })),
                ))
            }
            ("POST", "/reset") => {
                let generation = {
                    let mut state = State::new(&self.ready.partner_token, self.engine);
                    for (subdomain, token) in &self.seed_orgs {
                        // Validated at start; a failure here would be a bug, not bad input.
                        state
                            .seed_org(subdomain, token, self.engine)
                            .map_err(|_| ApiError::Internal)?;
                    }
                    let mut shared = lock(&self.shared);
                    shared.state = state;
                    self.record_change(&mut shared, Record::Snapshot)
                };
                lock(&self.control).reset();
                lock(&self.limiter).clear();
                self.save(generation).await?;
                Ok((StatusCode::OK, Some(json!({ "status": "reset" }))))
            }
            ("GET", "/faults") => Ok((StatusCode::OK, Some(lock(&self.control).list_faults()))),
            ("POST", "/faults") => {
                let spec = control::parse_fault(&body)?;
                let created = lock(&self.control)
                    .add_fault(spec)
                    .map_err(ApiError::invalid)?;
                Ok((StatusCode::CREATED, Some(created)))
            }
            ("DELETE", "/faults") => {
                lock(&self.control).clear_faults();
                Ok((StatusCode::NO_CONTENT, None))
            }
            ("DELETE", fault_path) if fault_path.starts_with("/faults/") => {
                let id = &fault_path["/faults/".len()..];
                if lock(&self.control).remove_fault(id) {
                    Ok((StatusCode::NO_CONTENT, None))
                } else {
                    Err(ApiError::not_found(id, "Fault"))
                }
            }
            ("GET", "/stats") => Ok((StatusCode::OK, Some(lock(&self.control).stats_json()))),
            ("POST", lock_path)
                if lock_path.starts_with("/orgs/") && lock_path.ends_with("/lock") =>
            {
                self.lock_out(lock_path).await
            }
            ("POST", token_path)
                if token_path.starts_with("/orgs/") && token_path.ends_with("/api-tokens") =>
            {
                self.create_token(token_path, &body).await
            }
            (_, "/health" | "/reset" | "/faults" | "/stats") => Err(ApiError::MethodNotAllowed),
            _ => Err(ApiError::PathNotFound),
        }
    }
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    partner_token: &'a str,
    admin_token: &'a str,
    state: &'a State,
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

/// The `Date` header's format (RFC 9110 IMF-fixdate).
fn http_date() -> String {
    let now = time::OffsetDateTime::now_utc();
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
