//! How long to wait before trying again: pure functions of the attempt, the clock and Okta's
//! rate-limit headers, so the policy is testable without a server or a real clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The delay before retry number `retry` (1 for the first retry) after a 5xx, a timeout or a
/// connection error: exponential from `base`, capped at `max`, with "equal jitter" (half fixed,
/// half random) so that many clients failing together do not retry together, yet never retry
/// immediately. `jitter` is a random number in `[0, 1)`.
pub fn backoff_delay(retry: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exponent = retry.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1u32 << exponent).min(max);
    let half = ceiling / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// How long to wait after a 429 before the limit resets. Okta sends no `Retry-After`; it sends
/// `X-Rate-Limit-Reset` (epoch seconds) and `Date`. The wait is measured against the response's
/// `Date` when there is one, so a skewed local clock does not matter, else against the local
/// clock. `margin` covers the second granularity of both headers; `cap` bounds a nonsensical
/// reset. `None` when there is no reset header (the caller falls back to exponential backoff).
pub fn rate_limit_wait(
    reset_epoch_seconds: Option<u64>,
    server_date: Option<SystemTime>,
    local_now: SystemTime,
    margin: Duration,
    cap: Duration,
) -> Option<Duration> {
    let reset = UNIX_EPOCH + Duration::from_secs(reset_epoch_seconds?);
    let reference = server_date.unwrap_or(local_now);
    let until_reset = reset.duration_since(reference).unwrap_or(Duration::ZERO);
    Some((until_reset + margin).min(cap))
}

/// The rate-limit headers of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_epoch_seconds: Option<u64>,
    pub date: Option<SystemTime>,
}

impl RateLimitHeaders {
    pub fn from_headers(headers: &HeaderMap) -> RateLimitHeaders {
        fn number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        }
        RateLimitHeaders {
            limit: number(headers, "x-rate-limit-limit"),
            remaining: number(headers, "x-rate-limit-remaining"),
            reset_epoch_seconds: number(headers, "x-rate-limit-reset"),
            date: headers
                .get(reqwest::header::DATE)
                .and_then(|value| value.to_str().ok())
                .and_then(parse_http_date),
        }
    }
}

/// Parses an HTTP `Date` (IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`), the only form a
/// server may send (RFC 9110 section 5.6.7).
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let parsed = time::PrimitiveDateTime::parse(value.trim(), format).ok()?;
    Some(parsed.assume_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(5);

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        assert_eq!(backoff_delay(1, BASE, MAX, 1.0), Duration::from_millis(100));
        assert_eq!(backoff_delay(2, BASE, MAX, 1.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(3, BASE, MAX, 1.0), Duration::from_millis(400));
        assert_eq!(backoff_delay(10, BASE, MAX, 1.0), MAX);
        assert_eq!(backoff_delay(u32::MAX, BASE, MAX, 1.0), MAX);
    }

    #[test]
    fn backoff_jitter_spans_the_upper_half() {
        assert_eq!(backoff_delay(3, BASE, MAX, 0.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(3, BASE, MAX, 0.5), Duration::from_millis(300));
        // Out-of-range jitter is clamped rather than producing a longer or negative wait.
        assert_eq!(backoff_delay(3, BASE, MAX, 7.0), Duration::from_millis(400));
        assert_eq!(
            backoff_delay(3, BASE, MAX, -1.0),
            Duration::from_millis(200)
        );
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    const MARGIN: Duration = Duration::from_millis(500);
    const CAP: Duration = Duration::from_secs(60);

    #[test]
    fn rate_limit_wait_is_measured_from_the_server_date() {
        // The local clock is 100 s fast; the server's Date decides.
        let wait = rate_limit_wait(
            Some(1_000_010),
            Some(at(1_000_000)),
            at(1_000_100),
            MARGIN,
            CAP,
        );
        assert_eq!(wait, Some(Duration::from_secs(10) + MARGIN));
    }

    #[test]
    fn rate_limit_wait_falls_back_to_the_local_clock() {
        let wait = rate_limit_wait(Some(1_000_010), None, at(1_000_004), MARGIN, CAP);
        assert_eq!(wait, Some(Duration::from_secs(6) + MARGIN));
    }

    #[test]
    fn rate_limit_wait_for_a_past_reset_is_the_margin() {
        let wait = rate_limit_wait(Some(1_000_000), Some(at(1_000_005)), at(0), MARGIN, CAP);
        assert_eq!(wait, Some(MARGIN));
    }

    #[test]
    fn rate_limit_wait_is_capped() {
        let wait = rate_limit_wait(Some(u64::MAX / 4), Some(at(1)), at(1), MARGIN, CAP);
        assert_eq!(wait, Some(CAP));
    }

    #[test]
    fn rate_limit_wait_without_reset_is_unknown() {
        assert_eq!(rate_limit_wait(None, Some(at(1)), at(1), MARGIN, CAP), None);
    }

    #[test]
    fn http_dates_are_parsed() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(at(784_111_777))
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }

    #[test]
    fn rate_limit_headers_are_read_leniently() {
        let mut headers = HeaderMap::new();
        headers.insert("X-Rate-Limit-Limit", "600".parse().unwrap());
        headers.insert("X-Rate-Limit-Remaining", " 12 ".parse().unwrap());
        headers.insert("X-Rate-Limit-Reset", "not-a-number".parse().unwrap());
        headers.insert("Date", "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
        let parsed = RateLimitHeaders::from_headers(&headers);
        assert_eq!(parsed.limit, Some(600));
        assert_eq!(parsed.remaining, Some(12));
        assert_eq!(parsed.reset_epoch_seconds, None);
        assert_eq!(parsed.date, Some(at(784_111_777)));
    }
}
