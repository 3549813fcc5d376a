//! The control plane's state: injected faults and request statistics.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::emulator::error::ApiError;
use crate::emulator::util::okta_id;

/// A fault to inject, as posted to `/_emulator/faults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultSpec {
    /// Only requests to this org (subdomain); every org when absent.
    #[serde(default)]
    pub org: Option<String>,
    /// Only requests matching this route template (`/api/v1/users/{userId}`); every route when
    /// absent.
    #[serde(default)]
    pub route: Option<String>,
    /// Only requests with this HTTP method; every method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// The chance (0..=1) that a matching request is hit.
    #[serde(default = "always")]
    pub probability: f64,
    /// How many requests to hit before the fault retires itself; unlimited when absent.
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(flatten)]
    pub kind: FaultKind,
}

fn always() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Adds `latency_ms` plus up to `jitter_ms` before answering.
    Latency {
        latency_ms: u64,
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Answers with one of `statuses` (chosen at random) and Okta's error body for it.
    Error { statuses: Vec<u16> },
    /// Answers 429 E0000047 as if the bucket were empty.
    RateLimit,
    /// Closes the connection without answering.
    Drop,
}

impl FaultKind {
    fn name(&self) -> &'static str {
        match self {
            FaultKind::Latency { .. } => "latency",
            FaultKind::Error { .. } => "error",
            FaultKind::RateLimit => "rate_limit",
            FaultKind::Drop => "drop",
        }
    }
}

struct Fault {
    id: String,
    spec: FaultSpec,
    injected: u64,
}

/// What the faults decided for one request.
#[derive(Debug, Default)]
pub struct Injection {
    pub delay: Option<Duration>,
    pub outcome: Option<Outcome>,
}

#[derive(Debug)]
pub enum Outcome {
    Fail(ApiError),
    RateLimit,
    Drop,
}

#[derive(Default)]
pub struct Control {
    faults: Vec<Fault>,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    requests: BTreeMap<(String, String, String), u64>,
    rate_limited: u64,
    faults_injected: BTreeMap<&'static str, u64>,
}

impl Control {
    pub fn add_fault(&mut self, spec: FaultSpec) -> Result<Value, String> {
        if !(0.0..=1.0).contains(&spec.probability) {
            return Err("probability: must be between 0 and 1".to_string());
        }
        if let FaultKind::Error { statuses } = &spec.kind
            && (statuses.is_empty() || statuses.iter().any(|s| !(400..=599).contains(s)))
        {
            return Err("statuses: must be a non-empty list of 4xx or 5xx codes".to_string());
        }
        let fault = Fault {
            id: okta_id("flt"),
            spec,
            injected: 0,
        };
        let body = fault_json(&fault);
        self.faults.push(fault);
        Ok(body)
    }

    pub fn list_faults(&self) -> Value {
        Value::Array(self.faults.iter().map(fault_json).collect())
    }

    pub fn remove_fault(&mut self, id: &str) -> bool {
        let before = self.faults.len();
        self.faults.retain(|fault| fault.id != id);
        self.faults.len() != before
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    pub fn reset(&mut self) {
        self.faults.clear();
        self.stats = Stats::default();
    }

    /// Counts the request and decides which faults hit it.
    pub fn on_request(&mut self, org: &str, method: &str, route: &str) -> Injection {
        *self
            .stats
            .requests
            .entry((org.to_string(), method.to_string(), route.to_string()))
            .or_default() += 1;
        crate::emulator::util::with_rng(|rng| self.pick(org, method, route, rng))
    }

    fn pick(
        &mut self,
        org: &str,
        method: &str,
        route: &str,
        rng: &mut rand::rngs::StdRng,
    ) -> Injection {
        let mut injection = Injection::default();
        for fault in &mut self.faults {
            let spec = &fault.spec;
            let applies = spec.org.as_deref().is_none_or(|o| o == org)
                && spec.route.as_deref().is_none_or(|r| r == route)
                && spec
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && spec.times.is_none_or(|times| fault.injected < times);
            if !applies || !rng.random_bool(spec.probability) {
                continue;
            }
            match &spec.kind {
                FaultKind::Latency {
                    latency_ms,
                    jitter_ms,
                } => {
                    let jitter = if *jitter_ms > 0 {
                        rng.random_range(0..=*jitter_ms)
                    } else {
                        0
                    };
                    let total = injection.delay.unwrap_or_default()
                        + Duration::from_millis(latency_ms + jitter);
                    injection.delay = Some(total);
                }
                FaultKind::Error { statuses } if injection.outcome.is_none() => {
                    let status = statuses[rng.random_range(0..statuses.len())];
                    injection.outcome = Some(Outcome::Fail(ApiError::for_injected_status(status)));
                }
                FaultKind::RateLimit if injection.outcome.is_none() => {
                    injection.outcome = Some(Outcome::RateLimit);
                }
                FaultKind::Drop if injection.outcome.is_none() => {
                    injection.outcome = Some(Outcome::Drop);
                }
                _ => continue,
            }
            fault.injected += 1;
            *self
                .stats
                .faults_injected
                .entry(spec.kind.name())
                .or_default() += 1;
        }
        injection
    }

    pub fn count_rate_limited(&mut self) {
        self.stats.rate_limited += 1;
    }

    pub fn stats_json(&self) -> Value {
        let mut by_org: BTreeMap<&str, u64> = BTreeMap::new();
        let mut total = 0;
        let requests: Vec<Value> = self
            .stats
            .requests
            .iter()
            .map(|((org, method, route), count)| {
                *by_org.entry(org.as_str()).or_default() += count;
                total += count;
                json!({ "org": org, "method": method, "route": route, "count": count })
            })
            .collect();
        let injected_total: u64 = self.stats.faults_injected.values().sum();
        json!({
            "requests_total": total,
            "requests_by_org": by_org,
            "requests": requests,
            "rate_limited": self.stats.rate_limited,
            "faults_injected": self.stats.faults_injected,
            "faults_injected_total": injected_total,
        })
    }
}

fn fault_json(fault: &Fault) -> Value {
    let mut body = serde_json::to_value(&fault.spec).unwrap_or_else(|_| json!({}));
    body["id"] = json!(fault.id);
    body["injected"] = json!(fault.injected);
    body
}
