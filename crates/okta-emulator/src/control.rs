//! The control plane's state: injected faults and request statistics.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::util::okta_id;

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
    /// Adds `latency_ms` plus up to `jitter_ms` before the request is handled.
    Latency {
        latency_ms: u64,
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Answers with one of `statuses` (chosen at random) and Okta's error body for it, without
    /// handling the request.
    Error { statuses: Vec<u16> },
    /// Answers 429 E0000047 as if the bucket were empty.
    RateLimit,
    /// Closes the connection without answering or handling the request.
    Drop,
    /// Handles the request and commits its effects (saved to `--data`), then closes the
    /// connection without answering: the client cannot tell whether its write happened.
    DropAfterCommit,
    /// Handles the request and commits it, then answers one of `statuses` with Okta's error body
    /// instead of the real answer (a gateway timing out on a write that went through).
    ErrorAfterCommit { statuses: Vec<u16> },
    /// Handles the request and commits it, then holds the answer for `latency_ms` plus up to
    /// `jitter_ms`.
    DelayAfterCommit {
        latency_ms: u64,
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Answers `status` with `body` as given, with the common headers (request id, `Date`, rate
    /// limits) but no `Link`, without handling the request: an answer Okta does not give (a
    /// bare `[]`, a page without its links, a malformed event), to test what a client trusts.
    Answer { status: u16, body: Value },
}

/// When a fault acts: before the handler runs, or after a successful handler's effects are
/// committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    BeforeHandler,
    AfterCommit,
}

/// The longest delay a fault may add (latency plus jitter): ten minutes.
const MAX_DELAY_MS: u64 = 10 * 60 * 1000;
/// The most requests one fault may count (`times`); a billion is "unlimited" for any test run.
const MAX_TIMES: u64 = 1_000_000_000;
/// The most statuses one fault may choose from: every status from 400 to 599 once.
const MAX_STATUSES: usize = 200;
/// The longest `org`, `route` or `method` scope, in bytes; longer ones could never match.
const MAX_SCOPE_BYTES: usize = 256;
/// The most faults active at once: each is checked on every request.
const MAX_FAULTS: usize = 1000;
const KINDS: &[&str] = &[
    "latency",
    "error",
    "rate_limit",
    "drop",
    "drop_after_commit",
    "error_after_commit",
    "delay_after_commit",
    "answer",
];

/// Parses a posted fault. Every field is checked for its type and bounds first, so that an
/// absurd value (a negative or huge number, a huge string, an unknown kind) is refused naming
/// the field, which serde alone would report only as "not the expected JSON".
pub fn parse_fault(body: &[u8]) -> Result<FaultSpec, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| ApiError::MalformedBody)?;
    let fields = value.as_object().ok_or(ApiError::MalformedBody)?;
    let present = |name: &str| fields.get(name).filter(|value| !value.is_null());
    match present("kind") {
        Some(Value::String(kind)) if KINDS.contains(&kind.as_str()) => {}
        _ => {
            return Err(ApiError::invalid(format!(
                "kind: must be one of {}",
                KINDS.join(", ")
            )));
        }
    }
    for name in ["org", "route", "method"] {
        match present(name) {
            None => {}
            Some(Value::String(text)) if text.len() <= MAX_SCOPE_BYTES => {}
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "{name}: must be a string of at most {MAX_SCOPE_BYTES} bytes"
                )));
            }
        }
    }
    for (name, maximum) in [
        ("times", MAX_TIMES),
        ("latency_ms", MAX_DELAY_MS),
        ("jitter_ms", MAX_DELAY_MS),
    ] {
        match present(name).map(Value::as_u64) {
            None => {}
            Some(Some(number)) if number <= maximum => {}
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "{name}: must be a whole number from 0 to {maximum}"
                )));
            }
        }
    }
    if let Some(probability) = present("probability")
        && !probability
            .as_f64()
            .is_some_and(|p| (0.0..=1.0).contains(&p))
    {
        return Err(ApiError::invalid("probability: must be between 0 and 1"));
    }
    if let Some(status) = present("status")
        && !status.as_u64().is_some_and(|s| (200..=599).contains(&s))
    {
        return Err(ApiError::invalid("status: must be a code from 200 to 599"));
    }
    if let Some(statuses) = present("statuses") {
        let valid = statuses.as_array().is_some_and(|statuses| {
            !statuses.is_empty()
                && statuses.len() <= MAX_STATUSES
                && statuses
                    .iter()
                    .all(|status| status.as_u64().is_some_and(|s| (400..=599).contains(&s)))
        });
        if !valid {
            return Err(ApiError::invalid(format!(
                "statuses: must be a list of 1 to {MAX_STATUSES} codes from 400 to 599"
            )));
        }
    }
    let spec: FaultSpec = serde_json::from_value(value).map_err(|error| {
        // The types are right by now; what is left is a field the kind requires.
        ApiError::invalid(format!("{error}"))
    })?;
    Ok(spec)
}

impl FaultKind {
    fn name(&self) -> &'static str {
        match self {
            FaultKind::Latency { .. } => "latency",
            FaultKind::Error { .. } => "error",
            FaultKind::RateLimit => "rate_limit",
            FaultKind::Drop => "drop",
            FaultKind::DropAfterCommit => "drop_after_commit",
            FaultKind::ErrorAfterCommit { .. } => "error_after_commit",
            FaultKind::DelayAfterCommit { .. } => "delay_after_commit",
            FaultKind::Answer { .. } => "answer",
        }
    }

    fn phase(&self) -> Phase {
        match self {
            FaultKind::Latency { .. }
            | FaultKind::Error { .. }
            | FaultKind::RateLimit
            | FaultKind::Drop
            | FaultKind::Answer { .. } => Phase::BeforeHandler,
            FaultKind::DropAfterCommit
            | FaultKind::ErrorAfterCommit { .. }
            | FaultKind::DelayAfterCommit { .. } => Phase::AfterCommit,
        }
    }

    /// Every numeric input within its bounds; the message names the offending field.
    fn validate(&self) -> Result<(), String> {
        match self {
            FaultKind::Latency {
                latency_ms,
                jitter_ms,
            }
            | FaultKind::DelayAfterCommit {
                latency_ms,
                jitter_ms,
            } => {
                if latency_ms.saturating_add(*jitter_ms) > MAX_DELAY_MS {
                    return Err(format!(
                        "latency_ms: latency_ms plus jitter_ms must be at most {MAX_DELAY_MS} (ten minutes)"
                    ));
                }
            }
            FaultKind::Error { statuses } | FaultKind::ErrorAfterCommit { statuses } => {
                if statuses.is_empty() || statuses.iter().any(|s| !(400..=599).contains(s)) {
                    return Err(
                        "statuses: must be a non-empty list of codes from 400 to 599".to_string(),
                    );
                }
            }
            FaultKind::Answer { status, .. } => {
                if !(200..=599).contains(status) {
                    return Err("status: must be a code from 200 to 599".to_string());
                }
            }
            FaultKind::RateLimit | FaultKind::Drop | FaultKind::DropAfterCommit => {}
        }
        Ok(())
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
    /// A canned answer: status and body.
    Answer(u16, Value),
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
        if self.faults.len() >= MAX_FAULTS {
            return Err(format!(
                "faults: at most {MAX_FAULTS} faults may be active; delete some first"
            ));
        }
        if !(0.0..=1.0).contains(&spec.probability) {
            return Err("probability: must be between 0 and 1".to_string());
        }
        spec.kind.validate()?;
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

    /// Counts the request and decides which faults hit it before it is handled.
    pub fn on_request(&mut self, org: &str, method: &str, route: &str) -> Injection {
        *self
            .stats
            .requests
            .entry((org.to_string(), method.to_string(), route.to_string()))
            .or_default() += 1;
        crate::util::with_rng(|rng| self.pick(Phase::BeforeHandler, org, method, route, rng))
    }

    /// Decides which faults hit a request whose handler succeeded and whose effects are
    /// committed; asked only then, so a refused request never uses up a fault's `times`.
    pub fn after_commit(&mut self, org: &str, method: &str, route: &str) -> Injection {
        crate::util::with_rng(|rng| self.pick(Phase::AfterCommit, org, method, route, rng))
    }

    fn pick(
        &mut self,
        phase: Phase,
        org: &str,
        method: &str,
        route: &str,
        rng: &mut rand::rngs::StdRng,
    ) -> Injection {
        let mut injection = Injection::default();
        for fault in &mut self.faults {
            let spec = &fault.spec;
            let applies = spec.kind.phase() == phase
                && spec.org.as_deref().is_none_or(|o| o == org)
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
                }
                | FaultKind::DelayAfterCommit {
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
                FaultKind::Error { statuses } | FaultKind::ErrorAfterCommit { statuses }
                    if injection.outcome.is_none() =>
                {
                    let Some(status) = statuses.get(rng.random_range(0..statuses.len().max(1)))
                    else {
                        continue;
                    };
                    injection.outcome = Some(Outcome::Fail(ApiError::for_injected_status(*status)));
                }
                FaultKind::RateLimit if injection.outcome.is_none() => {
                    injection.outcome = Some(Outcome::RateLimit);
                }
                FaultKind::Drop | FaultKind::DropAfterCommit if injection.outcome.is_none() => {
                    injection.outcome = Some(Outcome::Drop);
                }
                FaultKind::Answer { status, body } if injection.outcome.is_none() => {
                    injection.outcome = Some(Outcome::Answer(*status, body.clone()));
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
