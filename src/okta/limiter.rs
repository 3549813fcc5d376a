//! The per-org rate limiter: it reads Okta's `X-Rate-Limit-*` headers from every answer and, once
//! a bucket runs low, spaces requests out over what is left of the window, so a large apply slows
//! down before Okta throttles it instead of after.
//!
//! Okta counts requests per org and per endpoint bucket (users, a single user, logs, ...), and
//! every answer reports its bucket's numbers. The limiter keeps one record per path template,
//! which is at least as fine as Okta's buckets: when Okta counts several templates together,
//! each template's answers carry the shared numbers and all of them slow down together.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use super::retry::{RateLimitHeaders, rate_limit_wait};
use super::url::OrgUrl;

/// When spacing starts and how long a wait may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterSettings {
    /// Requests are spaced out once `remaining` falls below this fraction of `limit`.
    pub threshold: f64,
    /// Added to every wait for a reset: both `X-Rate-Limit-Reset` and `Date` have one-second
    /// granularity, and a request that arrives just before the reset is throttled again.
    pub reset_margin: Duration,
    /// No wait is longer than this, whatever the headers say (Okta's windows are one minute).
    pub max_wait: Duration,
}

impl Default for LimiterSettings {
    fn default() -> LimiterSettings {
        LimiterSettings {
            threshold: 0.10,
            reset_margin: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// The rate limiter of one org, shared by every client of that org in the process.
#[derive(Debug)]
pub struct RateLimiter {
    settings: LimiterSettings,
    /// What the latest answers of each bucket said. A std mutex: it is held only to read and
    /// update the numbers, never across an await.
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    limit: u32,
    /// The latest known count, lowered by one for every request sent since, so that concurrent
    /// requests see the count fall before their answers come back.
    remaining: u32,
    reset_at: Instant,
    /// The earliest moment the next spaced request may go out.
    next_slot: Instant,
}

impl RateLimiter {
    pub fn new(settings: LimiterSettings) -> RateLimiter {
        RateLimiter {
            settings,
            buckets: Mutex::new(HashMap::new()),
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
            .or_insert_with(|| Arc::new(RateLimiter::new(LimiterSettings::default())))
            .clone()
    }

    pub fn settings(&self) -> LimiterSettings {
        self.settings
    }

    /// Waits until a request to `bucket` may go out.
    pub async fn acquire(&self, bucket: &'static str) {
        let wait = self.reserve(bucket, Instant::now());
        if !wait.is_zero() {
            tracing::debug!(
                path = bucket,
                wait_ms = wait.as_millis() as u64,
                "okta: pacing request to stay under the rate limit"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Reserves the next slot of `bucket` at `now` and says how long to wait for it.
    pub fn reserve(&self, bucket: &'static str, now: Instant) -> Duration {
        let mut buckets = self.lock();
        let Some(state) = buckets.get_mut(bucket) else {
            return Duration::ZERO;
        };
        if now >= state.reset_at {
            // A new window has begun; its numbers arrive with the next answer.
            return Duration::ZERO;
        }
        if state.remaining == 0 {
            // Exhausted: everyone waits for the reset, which replenishes the whole window.
            return state.reset_at - now;
        }
        let interval = spacing(
            state.remaining,
            state.limit,
            state.reset_at - now,
            self.settings.threshold,
        );
        state.remaining -= 1;
        if interval.is_zero() {
            return Duration::ZERO;
        }
        let slot = state.next_slot.max(now);
        state.next_slot = slot + interval;
        slot - now
    }

    /// Records the rate-limit headers of an answer from `bucket`, received at `now` (local
    /// clock `now_system`).
    pub fn observe(
        &self,
        bucket: &'static str,
        headers: &RateLimitHeaders,
        now: Instant,
        now_system: SystemTime,
    ) {
        let (Some(limit), Some(remaining), Some(reset)) = (
            headers.limit,
            headers.remaining,
            headers.reset_epoch_seconds,
        ) else {
            return;
        };
        if limit == 0 {
            // Okta reports 0/0 for concurrency violations; those come with a 429, which the
            // client handles through `hold`.
            return;
        }
        let Some(until_reset) = rate_limit_wait(
            Some(reset),
            headers.date,
            now_system,
            self.settings.reset_margin,
            self.settings.max_wait,
        ) else {
            return;
        };
        let reset_at = now + until_reset;
        let mut buckets = self.lock();
        let state = buckets.entry(bucket).or_insert(Bucket {
            limit,
            remaining,
            reset_at,
            next_slot: now,
        });
        // Within one window the count only falls, and answers arrive out of order: keep the
        // lower. A later reset is a new window, whose count replaces the old one.
        let same_window =
            state.reset_at.max(reset_at) - state.reset_at.min(reset_at) < Duration::from_secs(1);
        if same_window && now < state.reset_at {
            state.remaining = state.remaining.min(remaining);
        } else {
            state.remaining = remaining;
            state.reset_at = reset_at;
        }
        state.limit = limit;
    }

    /// After a 429: nothing goes to `bucket` until `until`.
    pub fn hold(&self, bucket: &'static str, until: Instant) {
        let mut buckets = self.lock();
        let state = buckets.entry(bucket).or_insert(Bucket {
            limit: 0,
            remaining: 0,
            reset_at: until,
            next_slot: until,
        });
        state.remaining = 0;
        state.reset_at = state.reset_at.max(until);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Bucket>> {
        // The map holds plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The interval between requests that makes `remaining` requests last until the reset, once
/// `remaining` is below `threshold * limit`; zero above it. With nothing remaining, the whole
/// time to the reset.
pub fn spacing(remaining: u32, limit: u32, until_reset: Duration, threshold: f64) -> Duration {
    if limit == 0 || f64::from(remaining) >= f64::from(limit) * threshold {
        return Duration::ZERO;
    }
    if remaining == 0 {
        return until_reset;
    }
    until_reset / remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn no_spacing_above_the_threshold() {
        assert_eq!(spacing(600, 600, MINUTE, 0.1), Duration::ZERO);
        assert_eq!(spacing(60, 600, MINUTE, 0.1), Duration::ZERO);
        assert_eq!(spacing(5, 0, MINUTE, 0.1), Duration::ZERO);
    }

    #[test]
    fn below_the_threshold_the_remaining_requests_are_spread_until_the_reset() {
        assert_eq!(spacing(59, 600, MINUTE, 0.1), MINUTE / 59);
        assert_eq!(
            spacing(10, 600, Duration::from_secs(20), 0.1),
            Duration::from_secs(2)
        );
        assert_eq!(
            spacing(1, 600, Duration::from_secs(20), 0.1),
            Duration::from_secs(20)
        );
        assert_eq!(
            spacing(0, 600, Duration::from_secs(20), 0.1),
            Duration::from_secs(20)
        );
    }

    fn limiter() -> RateLimiter {
        RateLimiter::new(LimiterSettings {
            threshold: 0.1,
            reset_margin: Duration::ZERO,
            max_wait: MINUTE,
        })
    }

    fn headers(limit: u32, remaining: u32, reset: u64, date: u64) -> RateLimitHeaders {
        RateLimitHeaders {
            limit: Some(limit),
            remaining: Some(remaining),
            reset_epoch_seconds: Some(reset),
            date: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(date)),
        }
    }

    #[test]
    fn an_unknown_bucket_is_not_limited() {
        assert_eq!(
            limiter().reserve("/api/v1/users", Instant::now()),
            Duration::ZERO
        );
    }

    #[test]
    fn a_healthy_bucket_is_not_limited() {
        let limiter = limiter();
        let now = Instant::now();
        limiter.observe(
            "/u",
            &headers(600, 500, 1_060, 1_000),
            now,
            SystemTime::now(),
        );
        for _ in 0..10 {
            assert_eq!(limiter.reserve("/u", now), Duration::ZERO);
        }
    }

    #[test]
    fn concurrent_requests_get_successive_slots_once_the_bucket_runs_low() {
        let limiter = limiter();
        let now = Instant::now();
        // 10 left of 600, 20 s to the reset: one request every 2 s or so.
        limiter.observe(
            "/u",
            &headers(600, 10, 1_020, 1_000),
            now,
            SystemTime::now(),
        );
        let waits: Vec<Duration> = (0..4).map(|_| limiter.reserve("/u", now)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert_eq!(waits[1], Duration::from_secs(2));
        // Each reservation lowers the local count, so the spacing widens as it runs out.
        assert!(waits[2] > waits[1] + Duration::from_secs(2) - Duration::from_millis(1));
        assert!(waits[3] > waits[2]);
        // Another bucket is unaffected.
        assert_eq!(limiter.reserve("/logs", now), Duration::ZERO);
    }

    #[test]
    fn an_exhausted_bucket_waits_for_the_reset_and_then_resumes() {
        let limiter = limiter();
        let now = Instant::now();
        limiter.observe("/u", &headers(600, 0, 1_030, 1_000), now, SystemTime::now());
        assert_eq!(limiter.reserve("/u", now), Duration::from_secs(30));
        assert_eq!(
            limiter.reserve("/u", now + Duration::from_secs(10)),
            Duration::from_secs(20)
        );
        assert_eq!(
            limiter.reserve("/u", now + Duration::from_secs(30)),
            Duration::ZERO
        );
    }

    #[test]
    fn out_of_order_answers_within_a_window_keep_the_lower_count() {
        let limiter = limiter();
        let now = Instant::now();
        limiter.observe("/u", &headers(600, 0, 1_030, 1_000), now, SystemTime::now());
        limiter.observe(
            "/u",
            &headers(600, 300, 1_030, 1_000),
            now,
            SystemTime::now(),
        );
        assert_eq!(limiter.reserve("/u", now), Duration::from_secs(30));
        // A new window replaces the count.
        let later = now + Duration::from_secs(31);
        limiter.observe(
            "/u",
            &headers(600, 599, 1_091, 1_031),
            later,
            SystemTime::now(),
        );
        assert_eq!(limiter.reserve("/u", later), Duration::ZERO);
    }

    #[test]
    fn waits_are_capped() {
        let limiter = limiter();
        let now = Instant::now();
        limiter.observe(
            "/u",
            &headers(600, 0, 1_000_000, 1_000),
            now,
            SystemTime::now(),
        );
        assert_eq!(limiter.reserve("/u", now), MINUTE);
    }

    #[test]
    fn a_hold_stops_the_bucket_until_it_ends() {
        let limiter = limiter();
        let now = Instant::now();
        limiter.hold("/u", now + Duration::from_secs(3));
        assert_eq!(limiter.reserve("/u", now), Duration::from_secs(3));
        assert_eq!(
            limiter.reserve("/u", now + Duration::from_secs(3)),
            Duration::ZERO
        );
    }

    #[test]
    fn answers_without_headers_change_nothing() {
        let limiter = limiter();
        let now = Instant::now();
        let empty = RateLimitHeaders {
            limit: None,
            remaining: None,
            reset_epoch_seconds: None,
            date: None,
        };
        limiter.observe("/u", &empty, now, SystemTime::now());
        limiter.observe("/u", &headers(0, 0, 1_030, 1_000), now, SystemTime::now());
        assert_eq!(limiter.reserve("/u", now), Duration::ZERO);
    }

    #[test]
    fn clients_of_one_org_share_a_limiter() {
        let acme = OrgUrl::parse("https://acme.okta.com").unwrap();
        let same = OrgUrl::parse("https://ACME.okta.com/").unwrap();
        let other = OrgUrl::parse("https://other.okta.com").unwrap();
        assert!(Arc::ptr_eq(
            &RateLimiter::for_org(&acme),
            &RateLimiter::for_org(&same)
        ));
        assert!(!Arc::ptr_eq(
            &RateLimiter::for_org(&acme),
            &RateLimiter::for_org(&other)
        ));
    }
}
