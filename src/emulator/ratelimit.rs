//! Okta's rate limits: a fixed one-minute window per org and endpoint family, whose state every
//! answer reports in `X-Rate-Limit-Limit`, `-Remaining` and `-Reset`.

use std::collections::HashMap;

use crate::emulator::routes::Family;

/// What a request learns about its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u64,
    pub remaining: u64,
    /// When the window resets, in Unix seconds.
    pub reset: u64,
}

/// The buckets of every org. `scale` multiplies the default limits; 0 turns limiting off
/// (the headers are still sent).
pub struct RateLimiter {
    scale: f64,
    buckets: HashMap<(String, Family), Window>,
}

struct Window {
    started: u64,
    used: u64,
}

const WINDOW_SECONDS: u64 = 60;

impl RateLimiter {
    pub fn new(scale: f64) -> RateLimiter {
        RateLimiter {
            scale,
            buckets: HashMap::new(),
        }
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    pub fn limit_of(&self, family: Family) -> u64 {
        if self.scale <= 0.0 {
            return family.default_limit();
        }
        ((family.default_limit() as f64 * self.scale).round() as u64).max(1)
    }

    /// Counts one request against the bucket if it has room.
    pub fn check(&mut self, org: &str, family: Family, now_seconds: u64) -> Decision {
        let limit = self.limit_of(family);
        let unlimited = self.scale <= 0.0;
        let window = self
            .buckets
            .entry((org.to_string(), family))
            .or_insert(Window {
                started: now_seconds,
                used: 0,
            });
        if now_seconds >= window.started + WINDOW_SECONDS {
            window.started = now_seconds;
            window.used = 0;
        }
        let reset = window.started + WINDOW_SECONDS;
        if unlimited {
            return Decision {
                allowed: true,
                limit,
                remaining: limit,
                reset,
            };
        }
        if window.used >= limit {
            return Decision {
                allowed: false,
                limit,
                remaining: 0,
                reset,
            };
        }
        window.used += 1;
        Decision {
            allowed: true,
            limit,
            remaining: limit - window.used,
            reset,
        }
    }

    pub fn clear(&mut self) {
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_then_refills_after_the_window() {
        // The System Log's bucket, 120 a minute, holds one request at this scale.
        let mut limiter = RateLimiter::new(0.0025);
        assert_eq!(limiter.limit_of(Family::Logs), 1);
        let first = limiter.check("acme", Family::Logs, 1000);
        assert!(first.allowed);
        assert_eq!(first.remaining, 0);
        assert_eq!(first.reset, 1060);
        assert!(!limiter.check("acme", Family::Logs, 1030).allowed);
        assert!(limiter.check("other", Family::Logs, 1030).allowed);
        assert!(limiter.check("acme", Family::Users, 1030).allowed);
        assert!(limiter.check("acme", Family::Logs, 1060).allowed);
    }
}
