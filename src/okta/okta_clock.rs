//! Okta's time, as its answers tell it: every answer carries a `Date` header (RFC 9110), and a
//! client that compares Okta's event times must compare them with Okta's clock, not with the
//! machine's, which may be seconds or minutes off (a CI runner's clock drifts; a laptop's is
//! set by hand).
//!
//! `Date` has one-second resolution: Okta wrote it at some moment of the second it names, so
//! the true time of an answer lies in `[date, date + 1 s)`. Between answers the time runs on by
//! this machine's monotonic clock (`Instant`), which measures intervals truthfully whatever its
//! wall clock says. [`OktaTime`] therefore gives bounds, and each caller picks the one on the
//! safe side: a verification is dated no later than the reads it rests on (the first answer's
//! `Date`), the end of the provider's own writes no earlier than they happened and the end of a
//! System Log query no earlier than the events published by then (the upper bound), the time
//! a lag window is counted to no later than it is (the lower bound).

use std::sync::Mutex;
use std::time::{Instant, SystemTime};

/// One second, the resolution of `Date`, in milliseconds.
pub const DATE_RESOLUTION_MILLIS: i64 = 1_000;

/// What the answers of one client have said of Okta's time.
#[derive(Debug, Default)]
pub struct OktaClock {
    seen: Mutex<Seen>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    /// The `Date` of the first answer (Unix milliseconds, whole seconds).
    first: Option<i64>,
    /// The `Date` of the latest answer, and when this machine received it.
    latest: Option<(i64, Instant)>,
}

/// Okta's time now, as bounds (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OktaTime {
    /// Okta's time was at least this when the client's first answer was written: no read of
    /// this client happened before it.
    pub first_answer: i64,
    /// Okta's time now is at least this.
    pub now_at_least: i64,
    /// Okta's time now is less than this.
    pub now_before: i64,
}

impl OktaClock {
    /// Records an answer's `Date`, received at `received`.
    pub fn observe(&self, date: SystemTime, received: Instant) {
        let Some(millis) = unix_millis(date) else {
            return;
        };
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.first.get_or_insert(millis);
        // Answers may arrive out of order; the latest is the one that says the latest time.
        let newer = seen
            .latest
            .is_none_or(|(date, at)| estimate(date, at, received) <= millis);
        if newer {
            seen.latest = Some((millis, received));
        }
    }

    /// Okta's time now, or `None` before any answer with a `Date`.
    pub fn now(&self) -> Option<OktaTime> {
        let seen = *self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = seen.first?;
        let (date, received) = seen.latest?;
        let now_at_least = estimate(date, received, Instant::now());
        Some(OktaTime {
            first_answer: first,
            now_at_least,
            now_before: now_at_least + DATE_RESOLUTION_MILLIS,
        })
    }
}

/// `date` (received at `received`) moved on to `at` by the monotonic clock.
fn estimate(date: i64, received: Instant, at: Instant) -> i64 {
    let elapsed = at.saturating_duration_since(received).as_millis() as i64;
    date.saturating_add(elapsed)
}

fn unix_millis(moment: SystemTime) -> Option<i64> {
    let since = moment.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn okta_time_runs_on_from_the_latest_date_by_the_monotonic_clock() {
        let clock = OktaClock::default();
        assert_eq!(clock.now(), None, "no answer yet: no time");
        let received = Instant::now() - Duration::from_millis(1_500);
        clock.observe(at(1_000), received);
        clock.observe(at(1_001), received + Duration::from_millis(1_000));
        let now = clock.now().unwrap();
        assert_eq!(now.first_answer, 1_000_000);
        // 1,001 s plus the 500 ms since the second answer (and a little for this test).
        assert!(
            (1_001_500..1_002_500).contains(&now.now_at_least),
            "{now:?}"
        );
        assert_eq!(now.now_before, now.now_at_least + DATE_RESOLUTION_MILLIS);
    }

    #[test]
    fn an_older_answer_arriving_late_does_not_turn_the_clock_back() {
        let clock = OktaClock::default();
        let received = Instant::now();
        clock.observe(at(2_000), received);
        clock.observe(at(1_990), received);
        assert!(clock.now().unwrap().now_at_least >= 2_000_000);
        assert_eq!(clock.now().unwrap().first_answer, 2_000_000);
    }
}
