//! The limiter's plan as time arithmetic: every test passes its own `Instant`s, so none waits.

use super::*;

const SECOND: Duration = Duration::from_secs(1);
const USERS: &str = "/api/v1/users";

fn settings() -> LimiterSettings {
    LimiterSettings {
        reset_margin: Duration::from_millis(500),
        max_wait: Duration::from_secs(60),
        boundary_guard: Duration::from_millis(1_500),
        unknown_bucket_burst: 2,
        max_in_flight: 100,
    }
}

/// Headers as Okta sends them at Unix second `date`.
fn headers(limit: u32, remaining: u32, reset: u64, date: u64) -> RateLimitHeaders {
    RateLimitHeaders {
        limit: Some(limit),
        remaining: Some(remaining),
        reset_epoch_seconds: Some(reset),
        date: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(date)),
    }
}

/// A limiter that knows `USERS`: `limit` a window, `remaining` left, the reset 30 s after `now`.
fn known(limit: u32, remaining: u32, now: Instant) -> RateLimiter {
    let limiter = RateLimiter::new(settings());
    limiter.try_acquire(USERS, now).unwrap();
    limiter.observe(
        USERS,
        false,
        &headers(limit, remaining, 1_030, 1_000),
        now,
        SystemTime::now(),
    );
    limiter.release(USERS);
    limiter
}

fn reset_of(wait: Result<(), Wait>) -> Instant {
    match wait {
        Err(Wait::Reset { until, .. }) => until,
        other => panic!("expected a wait for the reset, got {other:?}"),
    }
}

#[test]
fn the_bucket_okta_counts_a_request_in_depends_on_path_and_method() {
    let get = Method::GET;
    let post = Method::POST;
    assert_eq!(bucket_of(&get, "/api/v1/users"), "/api/v1/users");
    assert_eq!(bucket_of(&post, "/api/v1/users"), "/api/v1/users");
    assert_eq!(
        bucket_of(&get, "/api/v1/users/{id}"),
        "GET /api/v1/users/{id}"
    );
    assert_eq!(bucket_of(&post, "/api/v1/users/{id}"), "/api/v1/users/{id}");
    assert_eq!(
        bucket_of(&Method::DELETE, "/api/v1/users/{id}"),
        "/api/v1/users/{id}"
    );
    assert_eq!(bucket_of(&get, "/api/v1/users/me"), "/api/v1/users/me");
    for template in [
        "/api/v1/users/{id}/roles",
        "/api/v1/users/{id}/lifecycle/activate",
        "/api/v1/users/{id}/factors/{factorId}",
    ] {
        assert_eq!(bucket_of(&post, template), "/api/v1/users", "{template}");
    }
    assert_eq!(
        bucket_of(&get, "/api/v1/groups/{groupId}"),
        "/api/v1/groups/{id}"
    );
    assert_eq!(
        bucket_of(&Method::PUT, "/api/v1/groups/{groupId}/users/{userId}"),
        "/api/v1/groups"
    );
    for template in [
        "/api/v1/org",
        "/api/v1/policies/{policyId}/rules",
        "/api/v1/zones/{zoneId}",
        "/api/v1/api-tokens",
    ] {
        assert_eq!(bucket_of(&get, template), "/api/v1", "{template}");
    }
    assert_eq!(bucket_of(&post, "/api/v1/orgs"), "/api/v1/orgs");
    assert_eq!(bucket_of(&get, "/api/v1/logs"), "/api/v1/logs");
    assert_eq!(bucket_of(&get, "/api/v2/other"), "/api/v2/other");
}

#[test]
fn a_bucket_with_room_is_used_in_full_and_then_waits_for_its_reset() {
    let now = Instant::now();
    let limiter = known(60, 5, now);
    for _ in 0..5 {
        limiter.try_acquire(USERS, now).unwrap();
    }
    // The reset is 30 s away by the answer's Date, plus the margin.
    let until = reset_of(limiter.try_acquire(USERS, now));
    assert_eq!(until, now + 30 * SECOND + Duration::from_millis(500));
    // Still spent a little before it.
    reset_of(limiter.try_acquire(USERS, until - Duration::from_millis(1)));
    // At the reset the whole next window is there.
    for _ in 0..60 {
        limiter.try_acquire(USERS, until).unwrap();
    }
    let next = reset_of(limiter.try_acquire(USERS, until));
    assert_eq!(next, until + 60 * SECOND + Duration::from_millis(500));
}

#[test]
fn requests_in_flight_count_before_their_answers_return() {
    let now = Instant::now();
    let limiter = known(10, 3, now);
    for _ in 0..3 {
        limiter.try_acquire(USERS, now).unwrap();
    }
    // An answer of the first of them still reports 2 left (Okta had not seen the others):
    // the count stays at what was sent.
    limiter.observe(
        USERS,
        false,
        &headers(10, 2, 1_030, 1_000),
        now,
        SystemTime::now(),
    );
    reset_of(limiter.try_acquire(USERS, now));
}

#[test]
fn answers_lower_the_count_when_other_clients_spend_it() {
    let now = Instant::now();
    let limiter = known(600, 500, now);
    limiter.observe(
        USERS,
        false,
        &headers(600, 1, 1_030, 1_000),
        now,
        SystemTime::now(),
    );
    limiter.try_acquire(USERS, now).unwrap();
    reset_of(limiter.try_acquire(USERS, now));
}

#[test]
fn buckets_are_apart() {
    let now = Instant::now();
    let limiter = known(1, 0, now);
    reset_of(limiter.try_acquire(USERS, now));
    limiter.try_acquire("/api/v1/logs", now).unwrap();
}

#[test]
fn an_unknown_bucket_sends_only_a_few_requests_until_its_first_answer() {
    let now = Instant::now();
    let limiter = RateLimiter::new(settings());
    limiter.try_acquire(USERS, now).unwrap();
    limiter.try_acquire(USERS, now).unwrap();
    assert_eq!(limiter.try_acquire(USERS, now), Err(Wait::Slot));
    // The first answer: 10 left, and the other request out may not be in that count yet.
    limiter.observe(
        USERS,
        false,
        &headers(600, 10, 1_030, 1_000),
        now,
        SystemTime::now(),
    );
    limiter.release(USERS);
    for _ in 0..9 {
        limiter.try_acquire(USERS, now).unwrap();
    }
    reset_of(limiter.try_acquire(USERS, now));
}

#[test]
fn requests_in_flight_per_org_are_capped_and_a_concurrency_429_lowers_the_cap() {
    let now = Instant::now();
    let limiter = RateLimiter::new(LimiterSettings {
        max_in_flight: 3,
        unknown_bucket_burst: 10,
        ..settings()
    });
    for _ in 0..3 {
        limiter.try_acquire(USERS, now).unwrap();
    }
    assert_eq!(limiter.try_acquire("/api/v1/logs", now), Err(Wait::Slot));
    limiter.release(USERS);
    limiter.try_acquire("/api/v1/logs", now).unwrap();
    // Okta's concurrency 429 reports 0 and 0: three were out, so two from now on, and the
    // per-minute bucket learns nothing from it.
    let observed = limiter.observe(
        USERS,
        true,
        &headers(0, 0, 1_001, 1_000),
        now,
        SystemTime::now(),
    );
    assert_eq!(observed, Observed::Concurrency);
    assert_eq!(limiter.max_in_flight(), 2);
    limiter.release(USERS);
    limiter.release(USERS);
    limiter.release("/api/v1/logs");
    limiter.try_acquire(USERS, now).unwrap();
    limiter.try_acquire(USERS, now).unwrap();
    assert_eq!(limiter.try_acquire(USERS, now), Err(Wait::Slot));
}

#[test]
fn a_429_with_another_limit_than_the_buckets_is_the_concurrent_limit() {
    let now = Instant::now();
    let limiter = known(600, 3, now);
    limiter.try_acquire(USERS, now).unwrap();
    limiter.try_acquire(USERS, now).unwrap();
    // A concurrency 429 that reports the concurrent limit (75) rather than Okta's 0.
    let observed = limiter.observe(
        USERS,
        true,
        &headers(75, 0, 1_001, 1_000),
        now,
        SystemTime::now(),
    );
    assert_eq!(observed, Observed::Concurrency);
    limiter.release(USERS);
    limiter.release(USERS);
    // The bucket's last request of the window is still there (one at a time now: two were
    // out when the 429 came).
    assert_eq!(limiter.max_in_flight(), 1);
    limiter.try_acquire(USERS, now).unwrap();
    limiter.release(USERS);
    reset_of(limiter.try_acquire(USERS, now));
}

#[test]
fn requests_sent_just_before_the_reset_are_charged_to_the_next_window_too() {
    let now = Instant::now();
    let limiter = known(10, 9, now);
    let reset = now + 30 * SECOND + Duration::from_millis(500);
    // Two requests a second before Okta's reset: they may land in the next window.
    let late = reset - Duration::from_millis(1_500);
    limiter.try_acquire(USERS, late).unwrap();
    limiter.try_acquire(USERS, late).unwrap();
    limiter.release(USERS);
    limiter.release(USERS);
    for _ in 0..8 {
        limiter.try_acquire(USERS, reset).unwrap();
    }
    reset_of(limiter.try_acquire(USERS, reset));
}

#[test]
fn late_answers_of_a_window_that_is_over_change_nothing() {
    let now = Instant::now();
    let limiter = known(10, 9, now);
    let reset = now + 30 * SECOND + Duration::from_millis(500);
    limiter.try_acquire(USERS, reset).unwrap();
    // An answer of the old window (reset 1_030) arrives after the turn.
    limiter.observe(
        USERS,
        false,
        &headers(10, 0, 1_030, 1_030),
        reset,
        SystemTime::now(),
    );
    limiter.try_acquire(USERS, reset).unwrap();
    // The new window's first answer: its own reset, 60 s on.
    limiter.observe(
        USERS,
        false,
        &headers(10, 9, 1_091, 1_031),
        reset,
        SystemTime::now(),
    );
    for _ in 0..8 {
        limiter.try_acquire(USERS, reset).unwrap();
    }
    let until = reset_of(limiter.try_acquire(USERS, reset));
    assert_eq!(until, reset + 60 * SECOND + Duration::from_millis(500));
}

#[test]
fn an_early_turn_of_okta_s_window_is_followed() {
    let now = Instant::now();
    let limiter = known(10, 0, now);
    reset_of(limiter.try_acquire(USERS, now));
    // Another client's answer, or Okta's early reset: a newer window with 7 left.
    limiter.observe(
        USERS,
        false,
        &headers(10, 7, 1_090, 1_030),
        now,
        SystemTime::now(),
    );
    for _ in 0..7 {
        limiter.try_acquire(USERS, now).unwrap();
    }
    reset_of(limiter.try_acquire(USERS, now));
}

#[test]
fn a_429_empties_the_bucket_until_its_reset_whatever_window_was_tracked() {
    let now = Instant::now();
    let limiter = known(10, 5, now);
    // A 429 that says the bucket is empty for one more second (the emulator's injected
    // pressure does this mid-window).
    limiter.observe(
        USERS,
        true,
        &headers(10, 0, 1_001, 1_000),
        now,
        SystemTime::now(),
    );
    let until = reset_of(limiter.try_acquire(USERS, now));
    assert_eq!(until, now + SECOND + Duration::from_millis(500));
    // Then a whole window, and its first answer is not taken for a late one.
    limiter.try_acquire(USERS, until).unwrap();
    limiter.observe(
        USERS,
        false,
        &headers(10, 8, 1_061, 1_001),
        until,
        SystemTime::now(),
    );
    limiter.release(USERS);
    for _ in 0..8 {
        limiter.try_acquire(USERS, until).unwrap();
    }
    let next = reset_of(limiter.try_acquire(USERS, until));
    assert_eq!(next, until + 60 * SECOND + Duration::from_millis(500));
}

#[test]
fn waits_are_capped() {
    let now = Instant::now();
    let limiter = RateLimiter::new(settings());
    limiter.try_acquire(USERS, now).unwrap();
    limiter.observe(
        USERS,
        false,
        &headers(600, 0, 1_000_000, 1_000),
        now,
        SystemTime::now(),
    );
    let until = reset_of(limiter.try_acquire(USERS, now));
    assert_eq!(until, now + 60 * SECOND + Duration::from_millis(500));
}

#[test]
fn a_hold_stops_the_bucket_until_it_ends_and_is_announced_once() {
    let now = Instant::now();
    let limiter = RateLimiter::new(settings());
    limiter.hold(USERS, now + 3 * SECOND);
    let first = limiter.try_acquire(USERS, now);
    let second = limiter.try_acquire(USERS, now + SECOND);
    assert!(
        matches!(first, Err(Wait::Reset { announce: true, .. })),
        "{first:?}"
    );
    assert!(
        matches!(
            second,
            Err(Wait::Reset {
                announce: false,
                ..
            })
        ),
        "{second:?}"
    );
    limiter.try_acquire(USERS, now + 3 * SECOND).unwrap();
}

#[test]
fn a_spent_bucket_is_announced_once_per_window() {
    let now = Instant::now();
    let limiter = known(60, 0, now);
    let announced =
        |wait: Result<(), Wait>| matches!(wait, Err(Wait::Reset { announce: true, .. }));
    assert!(announced(limiter.try_acquire(USERS, now)));
    assert!(!announced(limiter.try_acquire(USERS, now + SECOND)));
    let reset = now + 30 * SECOND + Duration::from_millis(500);
    for _ in 0..60 {
        limiter.try_acquire(USERS, reset).unwrap();
    }
    assert!(announced(limiter.try_acquire(USERS, reset)));
}

#[test]
fn answers_without_headers_change_nothing() {
    let now = Instant::now();
    let limiter = known(60, 0, now);
    let empty = RateLimitHeaders {
        limit: None,
        remaining: None,
        reset_epoch_seconds: None,
        date: None,
    };
    limiter.observe(USERS, false, &empty, now, SystemTime::now());
    reset_of(limiter.try_acquire(USERS, now));
}

#[tokio::test]
async fn orgs_wait_apart() {
    let settings = LimiterSettings {
        unknown_bucket_burst: 1,
        ..settings()
    };
    let busy = Arc::new(RateLimiter::new(settings));
    let idle = Arc::new(RateLimiter::new(settings));
    // The busy org's only request to an unknown bucket is out and unanswered.
    let _out = busy.acquire(&Method::GET, "/api/v1/logs").await;
    let waiting = tokio::spawn({
        let busy = Arc::clone(&busy);
        async move { busy.acquire(&Method::GET, "/api/v1/logs").await }
    });
    // The other org goes on at once.
    let _other = idle.acquire(&Method::GET, "/api/v1/logs").await;
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    drop(_out);
    let permit = waiting.await.unwrap();
    assert_eq!(permit.bucket(), "/api/v1/logs");
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
