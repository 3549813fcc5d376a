//! The client of one org: authentication, the retry loop, the rate limiter, pagination and
//! logging. The typed endpoints live in the sibling modules, one per Okta resource.

use std::sync::{Arc, Once};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::answer::{
    describe_transport_error, error_from_answer, insufficient_scope, is_certificate_error,
    is_passing_conflict, is_transient, read_capped,
};
use super::error::OktaError;
use super::limiter::{Observed, RateLimiter};
use super::link::next_link;
use super::oauth::{OAuthSession, ServiceApp, TokenRetries, Unauthorized};
use super::okta_clock::{OktaClock, OktaTime};
use super::retry::{RateLimitHeaders, backoff_delay, parse_http_date, rate_limit_wait};
use super::url::OrgUrl;
use crate::secret::Secret;

/// How a client retries and identifies itself.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Retries after a 5xx, a timeout or a connection error (0 = try once). 429s do not count
    /// against this budget; they have their own, `max_rate_limit_retries`.
    pub max_retries: u32,
    /// Per attempt, from sending the request to the end of the answer's body.
    pub request_timeout: Duration,
    pub user_agent: String,
    /// The first retry waits between half of this and this; each further retry doubles it.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How many 429s one call may wait out before it fails with `RateLimited`.
    pub max_rate_limit_retries: u32,
    /// Pages one listing may follow before it fails, so a server that always answers with a
    /// `next` link cannot keep the client busy forever.
    pub max_pages: u32,
    /// The largest answer body read; a longer one fails with `AnswerTooLarge` instead of being
    /// buffered whole (Okta's largest pages, 1,000 System Log events, are a few MB).
    pub max_answer_bytes: usize,
    /// The limiter to use; by default the one shared by every client of the org in the process.
    pub limiter: Option<Arc<RateLimiter>>,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            max_retries: 5,
            request_timeout: Duration::from_secs(60),
            user_agent: default_user_agent(),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_rate_limit_retries: 20,
            max_pages: 1_000,
            max_answer_bytes: 32 * 1024 * 1024,
            limiter: None,
        }
    }
}

/// `terraform-provider-okta-msp/VERSION`.
pub fn default_user_agent() -> String {
    format!("terraform-provider-okta-msp/{}", env!("CARGO_PKG_VERSION"))
}

/// What may be sent again when the first attempt's fate is unknown.
///
/// A request that fails to connect was never sent, and one that got a 429 was refused before
/// Okta did anything, so every request is retried after those. After a 5xx, a timeout or a
/// broken connection the request may have taken effect, and only a request whose replay cannot
/// do anything twice is sent again:
///
/// - GET, PUT and DELETE are idempotent by definition.
/// - Role assignment, user lifecycle transitions and profile updates are POSTs whose replay is
///   harmless: a second assignment of the same role answers E0000090 (already assigned, which
///   `assign_role` reports as such), a second transition answers a wrong-status error and the
///   caller re-reads the user, a second partial profile update writes the same values.
/// - Creates (users, groups, zones, policies, rules, child orgs) are not retried: a replay could
///   make a second object, and a child org's API token is returned only once. Their callers make
///   creates idempotent one level up, by looking the object up by its natural key (login, name)
///   before creating it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    Safe,
    OnlyIfNotSent,
}

/// One API call, described without the host so that logs and errors never depend on it.
#[derive(Debug)]
pub(crate) struct Call {
    pub method: Method,
    /// The path with placeholders (`/api/v1/users/{id}`): what logs show and what the limiter
    /// counts by.
    pub template: &'static str,
    /// The concrete path, its segments already percent-encoded.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, serialized once; it may hold a password, so it is never logged.
    pub body: Option<Vec<u8>>,
    pub replay: Replay,
}

impl Call {
    pub fn new(method: Method, template: &'static str, path: String) -> Call {
        let replay = if method == Method::POST {
            Replay::OnlyIfNotSent
        } else {
            Replay::Safe
        };
        Call {
            method,
            template,
            path,
            query: Vec::new(),
            body: None,
            replay,
        }
    }

    pub fn get(template: &'static str, path: String) -> Call {
        Call::new(Method::GET, template, path)
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Call {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Call {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Call, OktaError> {
        let bytes = serde_json::to_vec(body).map_err(|error| OktaError::Decode {
            what: format!("request body of {}", self.template),
            detail: error.to_string(),
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Marks a POST whose replay is harmless (see `Replay`).
    pub fn replay_safe(mut self) -> Call {
        self.replay = Replay::Safe;
        self
    }
}

/// An answer with a success status, its body read.
#[derive(Debug)]
pub(crate) struct Answer {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, OktaError> {
        decode(&self.body, what)
    }
}

pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, OktaError> {
    serde_json::from_slice(body).map_err(|error| OktaError::Decode {
        what: what.to_owned(),
        detail: error.to_string(),
    })
}

/// A client for one org's management API. Cheap to clone; clones share connections and the
/// org's rate limiter.
#[derive(Clone)]
pub struct Client {
    org_url: OrgUrl,
    http: reqwest::Client,
    credentials: Credentials,
    options: ClientOptions,
    limiter: Arc<RateLimiter>,
    /// Okta's time, from the `Date` of every answer (shared by clones, as the org is).
    clock: Arc<OktaClock>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Client")
            .field("org_url", &self.org_url)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// How a client proves who it is: an SSWS API token, or an OAuth 2.0 service app.
#[derive(Clone)]
enum Credentials {
    Ssws {
        /// `SSWS {token}`, marked sensitive so that hyper never prints it.
        authorization: HeaderValue,
        /// The token itself, only to cut it out of error texts that a server or proxy
        /// reflected it into.
        token: Secret,
    },
    OAuth(Arc<OAuthSession>),
}

impl Client {
    /// A client that sends an SSWS API token.
    pub fn new(
        org_url: OrgUrl,
        token: Secret,
        options: ClientOptions,
    ) -> Result<Client, OktaError> {
        if token.is_empty() {
            return Err(OktaError::InvalidToken);
        }
        let mut authorization = HeaderValue::from_str(&format!("SSWS {}", token.expose()))
            .map_err(|_| OktaError::InvalidToken)?;
        authorization.set_sensitive(true);
        Client::with_credentials(
            org_url,
            Credentials::Ssws {
                authorization,
                token,
            },
            options,
        )
    }

    /// A client that authenticates as an OAuth 2.0 service app (`private_key_jwt`, DPoP when
    /// the org requires it).
    pub fn with_service_app(
        org_url: OrgUrl,
        app: ServiceApp,
        options: ClientOptions,
    ) -> Result<Client, OktaError> {
        let settings = options
            .limiter
            .as_ref()
            .map(|limiter| limiter.settings())
            .unwrap_or_default();
        let session = OAuthSession::new(org_url.as_str().trim_end_matches('/'), app).with_retries(
            TokenRetries {
                max_retries: options.max_retries,
                max_rate_limit_retries: options.max_rate_limit_retries,
                backoff_base: options.backoff_base,
                backoff_max: options.backoff_max,
                reset_margin: settings.reset_margin,
                max_wait: settings.max_wait,
            },
        );
        Client::with_credentials(org_url, Credentials::OAuth(Arc::new(session)), options)
    }

    fn with_credentials(
        org_url: OrgUrl,
        credentials: Credentials,
        options: ClientOptions,
    ) -> Result<Client, OktaError> {
        let http = shared_http(HttpSettings {
            user_agent: options.user_agent.clone(),
            request_timeout: options.request_timeout,
            loopback: org_url.is_loopback(),
        })?;
        let limiter = options
            .limiter
            .clone()
            .unwrap_or_else(|| RateLimiter::for_org(&org_url));
        Ok(Client {
            org_url,
            http,
            credentials,
            options,
            limiter,
            clock: Arc::default(),
        })
    }

    pub fn org_url(&self) -> &OrgUrl {
        &self.org_url
    }

    /// Okta's time by the `Date` of this client's answers; `None` before the first answer
    /// that had one.
    pub fn okta_time(&self) -> Option<OktaTime> {
        self.clock.now()
    }

    /// A new access token of the client's service app, for another client to use; `None` when
    /// this client sends an API token (which is never handed out).
    pub async fn issue_access_token(&self) -> Option<Result<super::oauth::IssuedToken, OktaError>> {
        match &self.credentials {
            Credentials::OAuth(session) => Some(session.issue_token(&self.http).await),
            Credentials::Ssws { .. } => None,
        }
    }

    /// Sends `call`, retrying as `Replay` and the options allow, and returns a success answer
    /// or the error that ended the attempts.
    pub(crate) async fn send(&self, call: &Call) -> Result<Answer, OktaError> {
        let url = self.org_url.join(&call.path);
        self.send_to(call, &url).await
    }

    pub(crate) async fn send_to(&self, call: &Call, url: &str) -> Result<Answer, OktaError> {
        let method_name = call.method.as_str().to_owned();
        let mut retries = 0u32;
        let mut rate_limit_retries = 0u32;
        let mut rate_limited_for = Duration::ZERO;
        let mut previous_request_id: Option<String> = None;
        let mut oauth_retries = 0u32;
        // The access token and DPoP proof of the last attempt, only to cut them out of an error
        // answer that a server or proxy reflected them into.
        // (Header values: a clone shares their bytes, so a request that succeeds costs nothing.)
        let mut sent_credentials: Vec<HeaderValue> = Vec::new();
        loop {
            // Held until this attempt ends: the org's count of requests in flight, and the
            // bucket's.
            let permit = self.limiter.acquire(&call.method, call.template).await;
            let attempt = retries + rate_limit_retries + 1;
            let started = Instant::now();
            let mut request = self
                .http
                .request(call.method.clone(), url)
                .header(ACCEPT, "application/json");
            match &self.credentials {
                Credentials::Ssws { authorization, .. } => {
                    request = request.header(AUTHORIZATION, authorization.clone());
                }
                Credentials::OAuth(session) => {
                    let granted = session.authorize(&self.http, &call.method, url).await?;
                    sent_credentials = std::iter::once(&granted.authorization)
                        .chain(granted.dpop.as_ref())
                        .cloned()
                        .collect();
                    request = request.header(AUTHORIZATION, granted.authorization);
                    if let Some(proof) = granted.dpop {
                        request = request.header("DPoP", proof);
                    }
                }
            }
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            match &call.body {
                Some(body) => {
                    request = request
                        .header(CONTENT_TYPE, "application/json")
                        .body(body.clone());
                }
                // Okta answers 411 to a bodiless POST or PUT without `Content-Length: 0`.
                None if call.method == Method::POST || call.method == Method::PUT => {
                    request = request.header(CONTENT_LENGTH, "0").body(Vec::<u8>::new());
                }
                None => {}
            }
            if let Some(request_id) = &previous_request_id {
                // Okta's SDKs tag retries so that Okta's logs can tie them to the first attempt.
                request = request
                    .header("X-Okta-Retry-For", request_id.as_str())
                    .header("X-Okta-Retry-Count", (attempt - 1).to_string());
            }

            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    if let Some(date) = headers
                        .get(reqwest::header::DATE)
                        .and_then(|value| value.to_str().ok())
                        .and_then(parse_http_date)
                    {
                        self.clock.observe(date, Instant::now());
                    }
                    match read_capped(response, self.options.max_answer_bytes).await {
                        Ok(Some(body)) => Ok((status, headers, body)),
                        Ok(None) => {
                            return Err(OktaError::AnswerTooLarge {
                                method: method_name,
                                path: call.template,
                                limit: self.options.max_answer_bytes,
                            });
                        }
                        Err(error) => Err(error),
                    }
                }
                Err(error) => Err(error),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;

            let (status, headers, body) = match outcome {
                Ok(answer) => answer,
                Err(error) => {
                    // A failed connect never sent the request; anything later may have.
                    let sent = !error.is_connect();
                    let untrusted_certificate = is_certificate_error(&error);
                    let failure = if error.is_timeout() {
                        OktaError::Timeout {
                            method: method_name.clone(),
                            path: call.template,
                            org: self.org_url.to_string(),
                            timeout: self.options.request_timeout,
                        }
                    } else {
                        OktaError::Transport {
                            method: method_name.clone(),
                            path: call.template,
                            org: self.org_url.to_string(),
                            detail: describe_transport_error(error),
                        }
                    };
                    tracing::debug!(method = %call.method, path = call.template, attempt, elapsed_ms, error = %failure, "okta request failed");
                    // A certificate Okta's host cannot prove will not become valid in a few
                    // seconds: report it at once instead of after every backoff.
                    if untrusted_certificate {
                        return Err(failure);
                    }
                    let may_retry = !sent || call.replay == Replay::Safe;
                    if may_retry && retries < self.options.max_retries {
                        retries += 1;
                        drop(permit);
                        tokio::time::sleep(self.backoff(retries)).await;
                        continue;
                    }
                    return Err(failure);
                }
            };

            let request_id = headers
                .get("x-okta-request-id")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let rate_limit = RateLimitHeaders::from_headers(&headers);
            let observed = permit.observe(status == StatusCode::TOO_MANY_REQUESTS, &rate_limit);
            tracing::debug!(
                method = %call.method,
                path = call.template,
                status = status.as_u16(),
                elapsed_ms,
                request_id = request_id.as_deref().unwrap_or(""),
                attempt,
                "okta request"
            );

            if let Credentials::OAuth(session) = &self.credentials {
                session.note_answer(&headers).await;
                if status == StatusCode::UNAUTHORIZED && oauth_retries < MAX_OAUTH_RETRIES {
                    // A new DPoP nonce or a new access token: nothing happened, send again.
                    if session.unauthorized(&headers).await != Unauthorized::Final {
                        oauth_retries += 1;
                        continue;
                    }
                }
                if status == StatusCode::FORBIDDEN
                    && let Some(scope) = insufficient_scope(&headers)
                {
                    return Err(OktaError::InsufficientScope {
                        method: method_name,
                        path: call.template,
                        org: self.org_url.to_string(),
                        scope,
                    });
                }
            }

            if status == StatusCode::TOO_MANY_REQUESTS {
                if rate_limit_retries >= self.options.max_rate_limit_retries {
                    return Err(OktaError::RateLimited {
                        method: method_name,
                        path: call.template,
                        attempts: attempt,
                        waited: rate_limited_for,
                        request_id,
                    });
                }
                rate_limit_retries += 1;
                let settings = self.limiter.settings();
                let wait = rate_limit_wait(
                    rate_limit.reset_epoch_seconds,
                    rate_limit.date,
                    SystemTime::now(),
                    settings.reset_margin,
                    settings.max_wait,
                )
                .unwrap_or_else(|| self.backoff(rate_limit_retries));
                rate_limited_for += wait;
                previous_request_id = request_id;
                if observed == Observed::Concurrency {
                    // Too many requests of the org at once (the limiter now sends fewer): this
                    // one waits alone, as the per-minute bucket is not spent.
                    tracing::debug!(
                        path = call.template,
                        wait_ms = wait.as_millis() as u64,
                        "okta: concurrent-request limit, waiting"
                    );
                    drop(permit);
                    tokio::time::sleep(wait).await;
                    continue;
                }
                tracing::debug!(
                    path = call.template,
                    wait_ms = wait.as_millis() as u64,
                    "okta: rate limited, waiting for the reset"
                );
                // Every request of this bucket waits, not just this one; `acquire` at the top of
                // the loop does the waiting.
                permit.hold(Instant::now() + wait);
                continue;
            }

            // Okta refused the request because of a state that passes (a user still being
            // activated, another change to the same role assignments): nothing happened, so any
            // request may be sent again, after a backoff.
            if status == StatusCode::CONFLICT
                && is_passing_conflict(&body)
                && retries < self.options.max_retries
            {
                retries += 1;
                previous_request_id = request_id;
                drop(permit);
                tokio::time::sleep(self.backoff(retries)).await;
                continue;
            }

            if status.is_server_error()
                && is_transient(status)
                && call.replay == Replay::Safe
                && retries < self.options.max_retries
            {
                retries += 1;
                previous_request_id = request_id;
                drop(permit);
                tokio::time::sleep(self.backoff(retries)).await;
                continue;
            }

            if status.is_success() {
                return Ok(Answer { headers, body });
            }
            let error = error_from_answer(&method_name, call.template, status, &body, request_id);
            return Err(match &self.credentials {
                Credentials::Ssws { token, .. } => error.redacted(token.expose()),
                // Okta never echoes access tokens or proofs; a reflecting proxy might.
                Credentials::OAuth(_) => sent_credentials
                    .iter()
                    .filter_map(|value| value.to_str().ok())
                    // `DPoP <token>` or `Bearer <token>`: the token; a proof has no scheme.
                    .map(|value| value.split_once(' ').map_or(value, |(_, rest)| rest))
                    .fold(error, |error, sent| error.redacted(sent)),
            });
        }
    }

    /// Whether this client authenticates as an OAuth service app.
    pub fn uses_service_app(&self) -> bool {
        matches!(self.credentials, Credentials::OAuth(_))
    }

    /// The id the System Log gives this client as actor: the token owner's user id for an API
    /// token (`GET /api/v1/users/me`), the app's client id for a service app (Okta logs the app
    /// itself as a `PublicClientApp` actor; it has no user behind it).
    pub async fn actor_id(&self) -> Result<String, OktaError> {
        match &self.credentials {
            Credentials::Ssws { .. } => Ok(self.get_me().await?.id),
            Credentials::OAuth(session) => Ok(session.client_id().to_owned()),
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        backoff_delay(
            retry,
            self.options.backoff_base,
            self.options.backoff_max,
            rand::random::<f64>(),
        )
    }

    /// Sends `call` and decodes the JSON answer.
    pub(crate) async fn fetch<T: DeserializeOwned>(
        &self,
        call: Call,
        what: &str,
    ) -> Result<T, OktaError> {
        self.send(&call).await?.json(what)
    }

    /// Sends `call` and ignores the answer's body (lifecycle operations answer `{}`, nothing, or
    /// data the provider does not want, such as an activation token).
    pub(crate) async fn execute(&self, call: Call) -> Result<(), OktaError> {
        self.send(&call).await.map(drop)
    }

    /// The first page of a GET listing; [`Pages::next`] fetches one page per call, so a caller
    /// that has seen enough (a list resource at Terraform's limit) stops asking Okta.
    pub(crate) fn pages<T: DeserializeOwned>(
        &self,
        call: Call,
        what: &'static str,
    ) -> Pages<'_, T> {
        let url = self.org_url.join(&call.path);
        Pages {
            client: self,
            call,
            url: Some(url),
            what,
            fetched: 0,
            item: std::marker::PhantomData,
        }
    }

    /// Sends a GET and follows `Link: rel="next"` until there is none, collecting every page.
    pub(crate) async fn fetch_all<T: DeserializeOwned>(
        &self,
        call: Call,
        what: &str,
    ) -> Result<Vec<T>, OktaError> {
        let mut items = Vec::new();
        let mut url = self.org_url.join(&call.path);
        let mut call = call;
        for page in 1..=self.options.max_pages.max(1) {
            let answer = self.send_to(&call, &url).await?;
            let mut page_items: Vec<T> = answer.json(what)?;
            let page_was_empty = page_items.is_empty();
            items.append(&mut page_items);
            let Some(next) = next_link(&answer.headers) else {
                return Ok(items);
            };
            if page_was_empty {
                // A polling listing (the System Log without `until`) always has a next link;
                // an empty page means there is nothing more now.
                return Ok(items);
            }
            url = match self.org_url.rebase_api_link(&next) {
                Some(url) => url,
                None => {
                    return Err(OktaError::Pagination {
                        path: call.template,
                        detail: format!(
                            "page {page} links to {next:?}, which is not an API URL of this org"
                        ),
                    });
                }
            };
            // The next link carries the whole query (cursor, limit, filters).
            call.query.clear();
        }
        Err(OktaError::Pagination {
            path: call.template,
            detail: format!(
                "more than {} pages; narrow the query",
                self.options.max_pages
            ),
        })
    }
}

/// What an HTTP client is built from; clients built from equal settings are one.
#[derive(Clone, PartialEq, Eq, Hash)]
struct HttpSettings {
    user_agent: String,
    request_timeout: Duration,
    loopback: bool,
}

/// The HTTP client for `settings`, built once per process and shared by every org's `Client`
/// (a clone shares its connection pool, which keys connections by host). Each built client
/// carries its own TLS configuration and root certificates: a workspace of a thousand orgs
/// paid for a thousand of them (issue 29).
fn shared_http(settings: HttpSettings) -> Result<reqwest::Client, OktaError> {
    static BUILT: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<HttpSettings, reqwest::Client>>,
    > = std::sync::OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(http) = built.get(&settings) {
        return Ok(http.clone());
    }
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .timeout(settings.request_timeout)
        .connect_timeout(settings.request_timeout.min(Duration::from_secs(15)))
        // Okta's API does not redirect; following one could only send the token elsewhere.
        .redirect(reqwest::redirect::Policy::none());
    if settings.loopback {
        // The emulator is on this machine; a proxy from the environment cannot reach it.
        builder = builder.no_proxy();
    }
    let http = builder.build().map_err(|error| OktaError::ClientSetup {
        detail: error.without_url().to_string(),
    })?;
    built.insert(settings, http.clone());
    Ok(http)
}

/// A listing read one page at a time (see [`Client::pages`]).
pub struct Pages<'a, T> {
    client: &'a Client,
    call: Call,
    /// The next page's URL; `None` once the last page was read.
    url: Option<String>,
    what: &'static str,
    fetched: u32,
    item: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned> Pages<'_, T> {
    /// Whether a next page is linked (known once a page was read).
    pub fn has_more(&self) -> bool {
        self.url.is_some()
    }

    /// The next page, or `None` after the last one. An empty page ends the listing, as in
    /// `fetch_all`.
    pub async fn next(&mut self) -> Result<Option<Vec<T>>, OktaError> {
        let Some(url) = self.url.take() else {
            return Ok(None);
        };
        if self.fetched >= self.client.options.max_pages.max(1) {
            return Err(OktaError::Pagination {
                path: self.call.template,
                detail: format!(
                    "more than {} pages; narrow the query",
                    self.client.options.max_pages
                ),
            });
        }
        let answer = self.client.send_to(&self.call, &url).await?;
        self.fetched += 1;
        let items: Vec<T> = answer.json(self.what)?;
        if let Some(next) = next_link(&answer.headers)
            && !items.is_empty()
        {
            self.url = Some(self.client.org_url.rebase_api_link(&next).ok_or_else(|| {
                OktaError::Pagination {
                    path: self.call.template,
                    detail: format!(
                        "page {} links to {next:?}, which is not an API URL of this org",
                        self.fetched
                    ),
                }
            })?);
            // The next link carries the whole query (cursor, limit, filters).
            self.call.query.clear();
        }
        Ok(Some(items))
    }
}

/// How often one request is sent again for a new DPoP nonce or a new access token.
const MAX_OAUTH_RETRIES: u32 = 2;

/// reqwest is built without a default crypto provider; this installs ring once per process.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another part of the process may have installed one already, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Percent-encodes one path segment (an id or a login such as `svc+radius@acme.com`).
pub(crate) fn segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// A string literal in an Okta (SCIM) filter expression: `"` and `\` escaped.
pub(crate) fn filter_literal(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for character in value.chars() {
        if character == '"' || character == '\\' {
            quoted.push('\\');
        }
        quoted.push(character);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
