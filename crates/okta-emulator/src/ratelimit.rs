//! Okta's rate limits: a fixed one-minute window per org and endpoint family, whose state every
//! answer reports in `X-Rate-Limit-Limit`, `-Remaining` and `-Reset`.
//!
//! Each credential (an API token, an OAuth 2.0 service app) may use only its share of a bucket,
//! 50% unless `/api/v1/principal-rate-limits` says otherwise (developer.okta.com rl2, "API
//! token and OAuth 2.0 app rate limits"): it has a window of its own at that share, and the
//! org's window counts every credential's requests. The headers report the credential's share,
//! as Okta's recorded answers do (`X-Rate-Limit-Limit: 300` for `POST /api/v1/users`, whose
//! bucket is 600), with what is left of the smaller of the two.

use std::collections::HashMap;

use crate::routes::Family;

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
    /// A credential's share of each bucket, in percent, where the org sets none for it.
    default_share: u32,
    buckets: HashMap<(String, Family), Window>,
    /// Each credential's own window per bucket: (org, bucket, principal id).
    shares: HashMap<(String, Family, String), Window>,
}

/// The credential a request is counted for, and its share of every bucket in percent.
#[derive(Debug, Clone, Copy)]
pub struct Share<'a> {
    pub principal: &'a str,
    pub percent: u32,
}

struct Window {
    started: u64,
    used: u64,
}

const WINDOW_SECONDS: u64 = 60;

impl Window {
    /// Starts a new window when the last one is over; returns when this one resets.
    fn roll(&mut self, now_seconds: u64) -> u64 {
        if now_seconds >= self.started + WINDOW_SECONDS {
            self.started = now_seconds;
            self.used = 0;
        }
        self.started + WINDOW_SECONDS
    }
}

impl RateLimiter {
    pub fn new(scale: f64, default_share: u32) -> RateLimiter {
        RateLimiter {
            scale,
            default_share,
            buckets: HashMap::new(),
            shares: HashMap::new(),
        }
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    pub fn default_share(&self) -> u32 {
        self.default_share
    }

    /// A credential's part of a bucket: `percent` of it, rounded down, at least one request.
    pub fn share_limit(&self, family: Family, percent: u32) -> u64 {
        (self.limit_of(family) * u64::from(percent.min(100)) / 100).max(1)
    }

    pub fn limit_of(&self, family: Family) -> u64 {
        if self.scale <= 0.0 {
            return family.default_limit();
        }
        ((family.default_limit() as f64 * self.scale).round() as u64).max(1)
    }

    /// Counts one request of a credential against its share and the org's bucket, if both
    /// have room; a request of no known credential (it will be refused) counts for the org.
    pub fn check(
        &mut self,
        org: &str,
        family: Family,
        share: Option<Share>,
        now_seconds: u64,
    ) -> Decision {
        let Some(share) = share else {
            return self.check_org(org, family, now_seconds);
        };
        let org_limit = self.limit_of(family);
        let limit = self.share_limit(family, share.percent);
        let unlimited = self.scale <= 0.0;
        let own = self
            .shares
            .entry((org.to_string(), family, share.principal.to_string()))
            .or_insert(Window {
                started: now_seconds,
                used: 0,
            });
        let own_reset = own.roll(now_seconds);
        let whole = self
            .buckets
            .entry((org.to_string(), family))
            .or_insert(Window {
                started: now_seconds,
                used: 0,
            });
        let org_reset = whole.roll(now_seconds);
        if unlimited {
            return Decision {
                allowed: true,
                limit,
                remaining: limit,
                reset: own_reset,
            };
        }
        let refused = |reset| Decision {
            allowed: false,
            limit,
            remaining: 0,
            reset,
        };
        if own.used >= limit {
            return refused(own_reset);
        }
        if whole.used >= org_limit {
            return refused(org_reset);
        }
        own.used += 1;
        whole.used += 1;
        let own_left = limit - own.used;
        let org_left = org_limit - whole.used;
        Decision {
            allowed: true,
            limit,
            remaining: own_left.min(org_left),
            reset: if own_left <= org_left {
                own_reset
            } else {
                org_reset
            },
        }
    }

    /// The org's bucket alone.
    fn check_org(&mut self, org: &str, family: Family, now_seconds: u64) -> Decision {
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
        self.shares.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_then_refills_after_the_window() {
        // The System Log's bucket, 120 a minute, holds one request at this scale.
        let mut limiter = RateLimiter::new(0.0025, 50);
        assert_eq!(limiter.limit_of(Family::Logs), 1);
        let first = limiter.check("acme", Family::Logs, None, 1000);
        assert!(first.allowed);
        assert_eq!(first.remaining, 0);
        assert_eq!(first.reset, 1060);
        assert!(!limiter.check("acme", Family::Logs, None, 1030).allowed);
        assert!(limiter.check("other", Family::Logs, None, 1030).allowed);
        assert!(limiter.check("acme", Family::Users, None, 1030).allowed);
        assert!(limiter.check("acme", Family::Logs, None, 1060).allowed);
    }

    #[test]
    fn each_credential_gets_its_share_and_the_org_bucket_holds_them_all() {
        // Users: 600 a minute; at a hundredth, 6, of which each credential may use half.
        let mut limiter = RateLimiter::new(0.01, 50);
        let a = Share {
            principal: "00Ta",
            percent: 50,
        };
        let b = Share {
            principal: "00Tb",
            percent: 50,
        };
        let c = Share {
            principal: "00Tc",
            percent: 100,
        };
        for expected_left in [2, 1, 0] {
            let decision = limiter.check("acme", Family::Users, Some(a), 1000);
            assert!(decision.allowed);
            assert_eq!(decision.limit, 3, "the header reports the share");
            assert_eq!(decision.remaining, expected_left);
        }
        let over = limiter.check("acme", Family::Users, Some(a), 1001);
        assert!(!over.allowed);
        assert_eq!((over.limit, over.remaining, over.reset), (3, 0, 1060));
        // Another credential has its own half, and the bucket is then full for everyone.
        for _ in 0..3 {
            assert!(limiter.check("acme", Family::Users, Some(b), 1002).allowed);
        }
        let whole = limiter.check("acme", Family::Users, Some(c), 1003);
        assert!(!whole.allowed, "the org's 6 are spent");
        assert_eq!(whole.limit, 6);
        // A new window serves the share again.
        assert!(limiter.check("acme", Family::Users, Some(a), 1060).allowed);
        assert_eq!(limiter.share_limit(Family::Users, 50), 3);
        assert_eq!(limiter.share_limit(Family::Logs, 1), 1, "at least one");
    }
}
