//! The control API under `/_emulator/`: health, reset, faults and statistics, the Admin
//! Console's actions that Okta's API lacks (locking a user out, creating an API token as an
//! admin), service apps, DPoP nonces, the OAuth clock and the emulator's clock. Every input is bounded; every change to
//! the state is recorded and saved before the answer, like the API's (nonces and the clock are
//! runtime only, as in `oauth`).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use hyper::body::Incoming;
use serde_json::{Value, json};

use super::app::{App, Record, lock};
use super::store::{self, Audit, NewServiceApp, State};
use super::{ApiError, control, routes, util, wire};

/// How far `POST /_emulator/clock` moves the emulator's clock at most, either way: 366 days.
const MAX_CLOCK_OFFSET_SECONDS: i64 = 366 * 86_400;

impl App {
    /// `GET /_emulator/rate-limits`: every bucket with its per-minute limit as served (scaled),
    /// the concurrent limit, and the routes (method and template, as `stats` names them) that
    /// count against each bucket, so a client can do the bucket arithmetic of its own traffic.
    fn rate_limits_json(&self) -> Value {
        let limiter = lock(&self.limiter);
        let buckets: Vec<Value> = routes::Family::ALL
            .iter()
            .map(|family| {
                let members: Vec<Value> = routes::all_routes()
                    .filter(|route| route.family == *family)
                    .map(|route| json!({ "method": route.method.as_str(), "template": route.template }))
                    .collect();
                json!({
                    "bucket": family.bucket(),
                    "limit_per_minute": limiter.limit_of(*family),
                    "default_limit_per_minute": family.default_limit(),
                    "share_per_minute": limiter.share_limit(*family, limiter.default_share()),
                    "routes": members,
                })
            })
            .collect();
        json!({
            "scale": limiter.scale(),
            "default_share_percent": limiter.default_share(),
            "concurrency_limit": self.concurrency.limit(),
            "buckets": buckets,
        })
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
            client_id: None,
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

    /// `/orgs/{subdomain}/service-apps` (`POST` registers or replaces one, `GET` lists them),
    /// `/orgs/{subdomain}/service-apps/{client_id}` (`DELETE`), and
    /// `/orgs/{subdomain}/dpop-nonce/rotate` (`POST`: the nonce clients hold becomes stale).
    async fn service_apps(
        self: &Arc<Self>,
        method: &Method,
        path: &str,
        body: &[u8],
    ) -> Result<(StatusCode, Option<Value>), ApiError> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (subdomain, rest) = match segments.as_slice() {
            ["orgs", subdomain, rest @ ..] => (*subdomain, rest),
            _ => return Err(ApiError::PathNotFound),
        };
        match (method.as_str(), rest) {
            ("POST", ["dpop-nonce", "rotate"]) => {
                if lock(&self.shared).state.org(subdomain).is_none() {
                    return Err(ApiError::not_found(subdomain, "Org"));
                }
                lock(&self.oauth).rotate_nonce(subdomain, util::now_millis() / 1000);
                Ok((StatusCode::NO_CONTENT, None))
            }
            ("GET", ["service-apps"]) => {
                let shared = lock(&self.shared);
                let org = shared
                    .state
                    .org(subdomain)
                    .ok_or_else(|| ApiError::not_found(subdomain, "Org"))?;
                let apps: Vec<Value> = org
                    .service_apps
                    .values()
                    .filter(|app| app.is_service())
                    .map(service_app_json)
                    .collect();
                Ok((StatusCode::OK, Some(Value::Array(apps))))
            }
            ("POST", ["service-apps"]) => {
                let new: NewServiceApp = serde_json::from_slice(body)
                    .map_err(|error| ApiError::invalid(format!("service app: {error}")))?;
                let answer = self
                    .change_org(subdomain, |org, now| {
                        org.put_service_app(new, now).map(service_app_json)
                    })
                    .await?;
                Ok((StatusCode::CREATED, Some(answer)))
            }
            ("DELETE", ["service-apps", client_id]) => {
                let client_id = util::percent_decode_segment(client_id).ok_or_else(|| {
                    ApiError::InvalidPathParameter {
                        name: "client_id".to_string(),
                    }
                })?;
                self.change_org(subdomain, |org, _| {
                    org.delete_service_app(&client_id).map(|()| Value::Null)
                })
                .await?;
                Ok((StatusCode::NO_CONTENT, None))
            }
            (_, ["service-apps"] | ["service-apps", _] | ["dpop-nonce", "rotate"]) => {
                Err(ApiError::MethodNotAllowed)
            }
            _ => Err(ApiError::PathNotFound),
        }
    }

    /// A control-plane change to one org's own configuration, recorded and saved before the
    /// answer.
    async fn change_org(
        self: &Arc<Self>,
        subdomain: &str,
        change: impl FnOnce(&mut store::Org, i64) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let (answer, generation) = {
            let mut shared = lock(&self.shared);
            let org = shared
                .state
                .org_mut(subdomain)
                .ok_or_else(|| ApiError::not_found(subdomain, "Org"))?;
            let answer = change(org, util::now_millis())?;
            (answer, self.record_change(&mut shared, Record::Change))
        };
        self.save(generation).await?;
        Ok(answer)
    }

    /// The control plane: `health`, `reset`, `faults`, `stats`, authorised by the admin token
    /// (`Authorization: Bearer <admin_token>`; `SSWS <admin_token>` works too).
    pub(super) async fn control(
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
                    for (subdomain, app) in &self.seed_service_apps {
                        state
                            .org_mut(subdomain)
                            .ok_or(ApiError::Internal)?
                            .put_service_app(app.clone(), util::now_millis())?;
                    }
                    let mut shared = lock(&self.shared);
                    shared.state = state;
                    self.record_change(&mut shared, Record::Snapshot)
                };
                lock(&self.control).reset();
                lock(&self.limiter).clear();
                lock(&self.oauth).reset();
                util::set_clock_offset(0);
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
            ("GET", "/rate-limits") => Ok((StatusCode::OK, Some(self.rate_limits_json()))),
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
            ("POST", "/oauth/clock") => {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Advance {
                    advance_seconds: i64,
                }
                let advance: Advance =
                    serde_json::from_slice(&body).map_err(|_| ApiError::MalformedBody)?;
                // Ten years at most: enough to expire anything, far from overflowing.
                if !(0..=10 * 366 * 86_400).contains(&advance.advance_seconds) {
                    return Err(ApiError::invalid(
                        "advance_seconds: a whole number from 0 to 316224000 (ten years)",
                    ));
                }
                let offset = lock(&self.oauth).advance(advance.advance_seconds);
                Ok((StatusCode::OK, Some(json!({ "offset_seconds": offset }))))
            }
            ("GET", "/clock") => Ok((StatusCode::OK, Some(clock_json()))),
            ("POST", "/clock") => {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Shift {
                    offset_seconds: i64,
                }
                let shift: Shift =
                    serde_json::from_slice(&body).map_err(|_| ApiError::MalformedBody)?;
                // A year either way: beyond any clock a machine keeps, enough to let an API token
                // go unused past its 30 days, far from overflowing.
                if !(-MAX_CLOCK_OFFSET_SECONDS..=MAX_CLOCK_OFFSET_SECONDS)
                    .contains(&shift.offset_seconds)
                {
                    return Err(ApiError::invalid(format!(
                        "offset_seconds: a whole number from -{MAX_CLOCK_OFFSET_SECONDS} to {MAX_CLOCK_OFFSET_SECONDS} (a year)"
                    )));
                }
                util::set_clock_offset(shift.offset_seconds);
                Ok((StatusCode::OK, Some(clock_json())))
            }
            (_, org_path)
                if org_path.starts_with("/orgs/")
                    && (org_path.contains("/service-apps")
                        || org_path.ends_with("/dpop-nonce/rotate")) =>
            {
                self.service_apps(method, org_path, &body).await
            }
            (
                _,
                "/health" | "/reset" | "/faults" | "/stats" | "/rate-limits" | "/oauth/clock"
                | "/clock",
            ) => Err(ApiError::MethodNotAllowed),
            _ => Err(ApiError::PathNotFound),
        }
    }
}

/// The emulator's clock: its offset from this machine's and its time now.
fn clock_json() -> Value {
    let now = util::now_millis();
    json!({
        "offset_seconds": util::clock_offset_seconds(),
        "now": util::format_millis(now),
    })
}

/// A service app as the control plane shows it: everything but nothing secret (its keys are
/// public).
fn service_app_json(app: &store::App) -> Value {
    let keys: Vec<Value> = app
        .keys
        .iter()
        .map(|key| Value::Object(key.jwk.clone()))
        .collect();
    json!({
        "client_id": app.client_id,
        "name": app.label,
        "jwks": { "keys": keys },
        "scopes": app.scopes().collect::<Vec<_>>(),
        "dpop_required": app.dpop_required,
        "roles": app.role_types(),
    })
}
