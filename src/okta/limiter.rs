//! The per-org rate limiter: it plans every request against the buckets it will hit, Okta's
//! per-minute bucket of its endpoint and the org's concurrent-request limit, so that an apply
//! runs at the ceiling of its busiest bucket without being throttled.
//!
//! Okta counts requests per org and per bucket in windows of about a minute, and every answer
//! reports its bucket's limit, what is left and when the window resets (`X-Rate-Limit-*`). A
//! bucket's budget is used in full while it lasts: each request is counted against it when it
//! is sent (so concurrent requests see the count fall before their answers come back), and
//! answers only ever lower the count (another client of the org may be spending it too). When
//! the budget is spent, requests wait for the reset, plus a margin for the one-second
//! granularity of the headers, and the next window's budget is used from its start. A bucket
//! not yet answered for allows only a few requests until its first answer says how large it is.
//!
//! Which endpoints share a bucket is Okta's decision, not the path's: [`bucket_of`] is the
//! client's own table of it (see its documentation). Requests in flight per org are capped
//! below Okta's smallest published concurrent limit, and lowered further when Okta answers a
//! concurrency 429.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;

use super::retry::{RateLimitHeaders, rate_limit_wait};
use super::url::OrgUrl;

/// How the limiter plans. The defaults are Okta's; tests shrink the durations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterSettings {
    /// Added to every wait for a reset: `X-Rate-Limit-Reset` and `Date` have one-second
    /// granularity, and a request that arrives just before the reset is throttled again.
    pub reset_margin: Duration,
    /// No wait is longer than this, whatever the headers say (Okta's windows are one minute).
    pub max_wait: Duration,
    /// A request sent this close before a window's reset may arrive after it (the reset is
    /// known to a second, and the request takes a while to travel). Such requests are counted
    /// against the next window as well, so that window's budget is never overdrawn.
    pub boundary_guard: Duration,
    /// Requests in flight to a bucket no answer has described yet.
    pub unknown_bucket_burst: u32,
    /// Requests in flight per org. Okta's smallest published concurrent limit is 15 (the
    /// Integrator Free plan in the rate-limit pages until December 2025; 35 since), and Okta
    /// notes that "even large bulk loads rarely require more than 10 simultaneous
    /// transactions" (developer.okta.com rl-additional-limits), so 10 leaves room for the
    /// org's other clients. A concurrency 429 lowers it for the rest of the run.
    pub max_in_flight: usize,
}

impl Default for LimiterSettings {
    fn default() -> LimiterSettings {
        LimiterSettings {
            reset_margin: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            boundary_guard: Duration::from_millis(1_500),
            unknown_bucket_burst: 4,
            max_in_flight: 10,
        }
    }
}

/// Okta's bucket for a request: the bucket's name as Okta's rate-limit dashboard lists it.
///
/// Okta matches a request to its most specific bucket, exact paths first, then the longest
/// prefix, and the method can matter (developer.okta.com "Rate limits overview", "Match
/// requests"). The table follows the mapping Okta generated from its service and published in
/// okta/terraform-provider-okta (`okta/internal/apimutex/rate_limit_lines.go`): reading a user
/// and writing one are separate buckets, a user's sub-resources (lifecycle, roles, factors,
/// groups) count against `/api/v1/users`, a group's members against `/api/v1/groups`, and
/// policies, zones, the org and API tokens share `/api/v1` ("most other API actions"). A
/// template the table does not know is its own bucket.
pub fn bucket_of(method: &Method, template: &'static str) -> &'static str {
    let segments: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "v1", "users"] => "/api/v1/users",
        ["api", "v1", "users", "me"] => "/api/v1/users/me",
        ["api", "v1", "users", _] if method == Method::GET => "GET /api/v1/users/{id}",
        ["api", "v1", "users", _] => "/api/v1/users/{id}",
        ["api", "v1", "users", ..] => "/api/v1/users",
        ["api", "v1", "groups", _] => "/api/v1/groups/{id}",
        ["api", "v1", "groups", ..] => "/api/v1/groups",
        ["api", "v1", "logs"] => "/api/v1/logs",
        ["api", "v1", "orgs"] if method == Method::POST => "/api/v1/orgs",
        [
            "api",
            "v1",
            "org" | "policies" | "zones" | "api-tokens" | "orgs",
            ..,
        ] => "/api/v1",
        _ => template,
    }
}

/// The rate limiter of one org, shared by every client of that org in the process.
#[derive(Debug)]
pub struct RateLimiter {
    /// The org's URL, for the progress lines (an org URL carries no secret).
    org: String,
    settings: LimiterSettings,
    /// A std mutex: it is held only to read and update numbers, never across an await.
    state: Mutex<State>,
    /// Woken whenever a request ends or an answer changes a budget, for the requests that
    /// wait for a place in flight or for a bucket's first answer.
    changed: tokio::sync::Notify,
}

#[derive(Debug)]
struct State {
    buckets: HashMap<&'static str, Bucket>,
    /// Requests of this org sent and not yet answered.
    in_flight: usize,
    /// The cap on `in_flight`: the settings' until a concurrency 429 lowers it.
    max_in_flight: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// `None` until an answer of this bucket reported it.
    limit: Option<u32>,
    /// What the window tracked has left: the latest count, lowered by every request sent
    /// since.
    remaining: u32,
    /// The window's reset as Okta reports it (Unix seconds); `None` in a window this limiter
    /// has moved to at the reset but whose first answer has not arrived.
    server_reset: Option<u64>,
    /// The reset of the window before, so that its late answers are not taken for the new one.
    previous_reset: Option<u64>,
    /// When the window tracked may be taken as over here: the reset plus the margin.
    reset_at: Instant,
    /// Requests sent within `boundary_guard` of the reset, charged to the next window too.
    sent_near_reset: u32,
    /// Nothing goes out before this (after a 429).
    held_until: Option<Instant>,
    /// Requests of this bucket sent and not yet answered.
    in_flight: u32,
    /// The `reset_at` of the last wait announced at info level: one line per window.
    announced: Option<Instant>,
}

impl Bucket {
    fn unknown(now: Instant) -> Bucket {
        Bucket {
            limit: None,
            remaining: 0,
            server_reset: None,
            previous_reset: None,
            reset_at: now,
            sent_near_reset: 0,
            held_until: None,
            in_flight: 0,
            announced: None,
        }
    }
}

/// Why a request may not go yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The bucket's budget is spent (or held after a 429) until then.
    Reset {
        until: Instant,
        limit: Option<u32>,
        /// Whether this wait should be announced: the first of its window.
        announce: bool,
    },
    /// The org has as many requests in flight as it may, or the bucket is not known yet and
    /// has its few requests out: a request ending makes room.
    Slot,
}

/// What an answer's rate-limit headers meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// The bucket's numbers (or nothing usable).
    Bucket,
    /// A 429 of the concurrent limit: the per-minute bucket was not charged.
    Concurrency,
}

/// A request's place in its org's and bucket's counts, given back when dropped.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<RateLimiter>,
    bucket: &'static str,
}

impl Permit {
    pub fn bucket(&self) -> &'static str {
        self.bucket
    }

    /// Records the rate-limit headers of this request's answer.
    pub fn observe(&self, too_many_requests: bool, headers: &RateLimitHeaders) -> Observed {
        self.limiter.observe(
            self.bucket,
            too_many_requests,
            headers,
            Instant::now(),
            SystemTime::now(),
        )
    }

    /// After a 429 of the bucket: nothing goes to it until `until`.
    pub fn hold(&self, until: Instant) {
        self.limiter.hold(self.bucket, until);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.release(self.bucket);
    }
}

impl RateLimiter {
    pub fn new(settings: LimiterSettings) -> RateLimiter {
        RateLimiter::named("", settings)
    }

    fn named(org: &str, settings: LimiterSettings) -> RateLimiter {
        RateLimiter {
            org: org.to_owned(),
            settings,
            state: Mutex::new(State {
                buckets: HashMap::new(),
                in_flight: 0,
                max_in_flight: settings.max_in_flight.max(1),
            }),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// The limiter shared by all clients of `org` in this process (default settings).
    pub fn for_org(org: &OrgUrl) -> Arc<RateLimiter> {
        /// One limiter per org URL for the life of the process: the provider may build several
        /// clients for one org (a resource's token and the provider's), and Okta counts them
        /// together.
        static REGISTRY: OnceLock<Mutex<HashMap<OrgUrl, Arc<RateLimiter>>>> = OnceLock::new();
        let registry = REGISTRY.get_or_init(Default::default);
        let mut registry = registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        registry
            .entry(org.clone())
            .or_insert_with(|| {
                let name = org.as_str().trim_end_matches('/');
                Arc::new(RateLimiter::named(name, LimiterSettings::default()))
            })
            .clone()
    }

    pub fn settings(&self) -> LimiterSettings {
        self.settings
    }

    /// The current cap on requests in flight.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// Waits until a request to `template` may go out, and counts it.
    pub async fn acquire(self: &Arc<Self>, method: &Method, template: &'static str) -> Permit {
        let bucket = bucket_of(method, template);
        loop {
            // Created before the check, so a release between the check and the await still
            // wakes this request.
            let changed = self.changed.notified();
            let now = Instant::now();
            match self.try_acquire(bucket, now) {
                Ok(()) => {
                    return Permit {
                        limiter: Arc::clone(self),
                        bucket,
                    };
                }
                Err(Wait::Reset {
                    until,
                    limit,
                    announce,
                }) => {
                    let wait = until.saturating_duration_since(now);
                    if announce {
                        let why = match limit {
                            Some(limit) => format!("0 of {limit} left"),
                            None => "throttled".to_owned(),
                        };
                        tracing::info!(
                            org = %self.org,
                            bucket,
                            wait_s = wait.as_secs_f64().ceil() as u64,
                            "okta: {}: {bucket}: {why}, resets in {} s; waiting",
                            self.org,
                            wait.as_secs_f64().ceil() as u64,
                        );
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(Wait::Slot) => {
                    // A release wakes this; the timeout is a safety net only.
                    let _ = tokio::time::timeout(Duration::from_secs(1), changed).await;
                }
            }
        }
    }

    /// Counts a request to `bucket` at `now` if the org and the bucket have room; otherwise
    /// says what it waits for.
    pub fn try_acquire(&self, bucket: &'static str, now: Instant) -> Result<(), Wait> {
        let settings = self.settings;
        let mut state = self.lock();
        if state.in_flight >= state.max_in_flight {
            return Err(Wait::Slot);
        }
        let entry = state
            .buckets
            .entry(bucket)
            .or_insert_with(|| Bucket::unknown(now));
        if let Some(held) = entry.held_until {
            if now < held {
                let announce = entry.announced != Some(held);
                entry.announced = Some(held);
                return Err(Wait::Reset {
                    until: held,
                    limit: entry.limit,
                    announce,
                });
            }
            entry.held_until = None;
        }
        match entry.limit {
            None => {
                if entry.in_flight >= settings.unknown_bucket_burst.max(1) {
                    return Err(Wait::Slot);
                }
            }
            Some(limit) => {
                if now >= entry.reset_at {
                    // The window is over: the next one's budget is whole, less what was sent
                    // so close to the reset that Okta may count it there.
                    entry.remaining = limit.saturating_sub(entry.sent_near_reset);
                    entry.sent_near_reset = 0;
                    entry.previous_reset = entry.server_reset.or(entry.previous_reset);
                    entry.server_reset = None;
                    // Until its first answer says otherwise, the window ends a minute after
                    // its first request at the latest.
                    entry.reset_at = now + Duration::from_secs(60) + settings.reset_margin;
                }
                if entry.remaining == 0 {
                    let announce = entry.announced != Some(entry.reset_at);
                    entry.announced = Some(entry.reset_at);
                    return Err(Wait::Reset {
                        until: entry.reset_at,
                        limit: Some(limit),
                        announce,
                    });
                }
                entry.remaining -= 1;
                let near_reset =
                    now + settings.boundary_guard + settings.reset_margin >= entry.reset_at;
                if entry.server_reset.is_some() && near_reset {
                    entry.sent_near_reset += 1;
                }
            }
        }
        entry.in_flight += 1;
        state.in_flight += 1;
        Ok(())
    }

    /// Records the rate-limit headers of an answer from `bucket`, received at `now` (local
    /// clock `now_system`). `too_many_requests`: the answer was a 429.
    pub fn observe(
        &self,
        bucket: &'static str,
        too_many_requests: bool,
        headers: &RateLimitHeaders,
        now: Instant,
        now_system: SystemTime,
    ) -> Observed {
        let (Some(limit), Some(remaining), Some(reset)) = (
            headers.limit,
            headers.remaining,
            headers.reset_epoch_seconds,
        ) else {
            return Observed::Bucket;
        };
        let mut state = self.lock();
        let entry = state
            .buckets
            .entry(bucket)
            .or_insert_with(|| Bucket::unknown(now));
        // Okta reports 0 and 0 on a concurrency 429 (developer.okta.com rl2-monitor); a 429
        // reporting another limit than the bucket's is not the bucket's either.
        let concurrency =
            limit == 0 || (too_many_requests && entry.limit.is_some_and(|known| known != limit));
        if concurrency {
            if too_many_requests {
                drop(state);
                self.lower_in_flight();
                return Observed::Concurrency;
            }
            return Observed::Bucket;
        }
        let Some(until_reset) = rate_limit_wait(
            Some(reset),
            headers.date,
            now_system,
            Duration::ZERO,
            self.settings.max_wait,
        ) else {
            return Observed::Bucket;
        };
        let margin = self.settings.reset_margin;
        // Requests of this bucket in flight besides this one: Okta may or may not have counted
        // them in `remaining` yet.
        let others = entry.in_flight.saturating_sub(1);
        let adopt = |entry: &mut Bucket, remaining: u32| {
            entry.remaining = remaining;
            entry.server_reset = Some(reset);
            entry.reset_at = now + until_reset + margin;
        };
        let same = |a: u64, b: u64| a.abs_diff(b) <= 1;
        if too_many_requests {
            // Okta's word that the bucket is empty until this reset, whatever window this
            // limiter thought it was in.
            if entry.server_reset != Some(reset) {
                entry.previous_reset = entry.server_reset.or(entry.previous_reset);
            }
            entry.sent_near_reset = 0;
            adopt(entry, 0);
            entry.limit = Some(limit);
            drop(state);
            self.changed.notify_waiters();
            return Observed::Bucket;
        }
        match (entry.limit, entry.server_reset) {
            // The first answer: what it reports, less what else is out, as it may not count it.
            (None, _) => adopt(entry, remaining.saturating_sub(others)),
            // The same window: the count only falls (answers arrive out of order, and other
            // clients spend the budget too).
            (Some(_), Some(tracked)) if same(reset, tracked) => {
                entry.remaining = entry.remaining.min(remaining);
            }
            // A late answer from a window already over.
            (Some(_), Some(tracked)) if reset < tracked => {}
            // Okta's window turned before this limiter's (its reset came early): take the new
            // one's count, less what else is out.
            (Some(_), Some(tracked)) => {
                entry.previous_reset = Some(tracked);
                entry.sent_near_reset = 0;
                adopt(entry, remaining.saturating_sub(others));
            }
            // The first answer of a window this limiter moved to at the reset, unless it is a
            // late one of the window before.
            (Some(_), None) => {
                let late = entry
                    .previous_reset
                    .is_some_and(|previous| reset <= previous + 1);
                if !late {
                    let counted = entry.remaining.min(remaining);
                    adopt(entry, counted);
                }
            }
        }
        entry.limit = Some(limit);
        drop(state);
        self.changed.notify_waiters();
        Observed::Bucket
    }

    /// After a 429: nothing goes to `bucket` until `until`.
    pub fn hold(&self, bucket: &'static str, until: Instant) {
        let mut state = self.lock();
        let entry = state
            .buckets
            .entry(bucket)
            .or_insert_with(|| Bucket::unknown(until));
        entry.held_until = Some(entry.held_until.map_or(until, |held| held.max(until)));
        entry.remaining = 0;
    }

    /// A concurrency 429: Okta had more requests of this org in flight than it allows (other
    /// clients of the org count too). From now on one fewer than were out when it answered.
    fn lower_in_flight(&self) {
        let mut state = self.lock();
        let lowered = state.in_flight.saturating_sub(1).max(1);
        if lowered < state.max_in_flight {
            state.max_in_flight = lowered;
            tracing::info!(
                org = %self.org,
                max_in_flight = lowered,
                "okta: {}: Okta's concurrent-request limit was reached; at most {lowered} requests in flight from now on",
                self.org
            );
        }
    }

    fn release(&self, bucket: &'static str) {
        {
            let mut state = self.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
            if let Some(entry) = state.buckets.get_mut(bucket) {
                entry.in_flight = entry.in_flight.saturating_sub(1);
            }
        }
        self.changed.notify_waiters();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The map holds plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;
