//! Okta's concurrent-request limit: besides the per-minute buckets, an org accepts only so many
//! requests in flight at once (75 for Workforce and Customer Identity orgs, 35 on the Integrator
//! Free plan). The first request over the limit is answered 429, and while it is exceeded the
//! rate-limit headers report the concurrent values instead of the per-minute ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The default: Okta's limit for Workforce Identity and Customer Identity orgs.
pub const DEFAULT_CONCURRENCY_LIMIT: usize = 75;

/// Requests in flight per org. `limit` 0 turns the limit off.
pub struct Concurrency {
    limit: usize,
    in_flight: Mutex<HashMap<String, usize>>,
}

/// One request's place in its org's count, given back when dropped (whatever way the request
/// ends).
pub struct Slot {
    owner: Arc<Concurrency>,
    org: String,
}

impl Concurrency {
    pub fn new(limit: usize) -> Arc<Concurrency> {
        Arc::new(Concurrency {
            limit,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Takes a place for a request to `org`, or `None` when the org already has `limit`
    /// requests in flight.
    pub fn enter(self: &Arc<Self>, org: &str) -> Option<Slot> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = in_flight.entry(org.to_owned()).or_insert(0);
        if self.limit > 0 && *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            owner: Arc::clone(self),
            org: org.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = self
            .owner
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = in_flight.get_mut(&self.org) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                in_flight.remove(&self.org);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_requests_in_flight_per_org() {
        let limit = Concurrency::new(2);
        let first = limit.enter("acme").expect("room");
        let second = limit.enter("acme").expect("room");
        assert!(limit.enter("acme").is_none(), "a third is over the limit");
        assert!(limit.enter("globex").is_some(), "other orgs count apart");
        drop(first);
        let third = limit.enter("acme").expect("room again");
        drop((second, third));
        assert!(limit.in_flight.lock().unwrap().is_empty());
    }

    #[test]
    fn zero_turns_it_off() {
        let limit = Concurrency::new(0);
        let slots: Vec<Slot> = (0..500).map(|_| limit.enter("acme").unwrap()).collect();
        assert_eq!(slots.len(), 500);
    }
}
