//! Okta's concurrent rate limit: an org handles only so many requests at once; one more is
//! answered 429, its rate-limit headers reporting 0 and 0 as Okta's do, and the org serves
//! normally again once requests finish.

use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error};

#[tokio::test]
async fn requests_beyond_the_concurrent_limit_get_429_with_the_concurrent_headers() {
    let emulator = Emulator::start_with(&["--concurrency-limit", "3"]);
    let org = emulator.create_org("busy").await;
    // Hold every request to the org's users for a while, so that they overlap.
    let fault = emulator
        .control(
            Method::POST,
            "/faults",
            Some(json!({
                "kind": "latency", "latency_ms": 700, "jitter_ms": 0,
                "org": "busy", "route": "/api/v1/users/{userId}", "method": "GET"
            })),
        )
        .await;
    assert_eq!(fault.status, 201, "{:?}", fault.body);
    let url = format!("{}/api/v1/users/me", org.url);
    let answers =
        futures_util::future::join_all((0..5).map(|_| emulator.get(&url, &org.token))).await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let refused: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!((ok, refused.len()), (3, 2), "three in flight, two refused");
    for answer in refused {
        assert_error(answer, 429, "E0000047");
        assert_eq!(answer.header("x-rate-limit-limit"), Some("0"));
        assert_eq!(answer.header("x-rate-limit-remaining"), Some("0"));
        assert!(answer.header("x-rate-limit-reset").is_some());
    }
    // Other orgs count apart, and the org is served again when its requests are done; the
    // headers are the per-minute bucket's again.
    let partner = emulator
        .get(
            &format!("{}/api/v1/org", emulator.partner_url),
            &emulator.partner_token,
        )
        .await;
    assert_eq!(partner.status, 200);
    let after = emulator
        .get(&format!("{}/api/v1/org", org.url), &org.token)
        .await;
    assert_eq!(after.status, 200);
    assert_ne!(after.header("x-rate-limit-limit"), Some("0"));
}

#[tokio::test]
async fn zero_turns_the_concurrent_limit_off() {
    let emulator = Emulator::start_with(&["--concurrency-limit", "0"]);
    let org = emulator.create_org("unbounded").await;
    emulator
        .control(
            Method::POST,
            "/faults",
            Some(json!({
                "kind": "latency", "latency_ms": 300, "jitter_ms": 0,
                "org": "unbounded", "route": "/api/v1/users/{userId}", "method": "GET"
            })),
        )
        .await;
    let url = format!("{}/api/v1/users/me", org.url);
    let answers =
        futures_util::future::join_all((0..100).map(|_| emulator.get(&url, &org.token))).await;
    assert!(answers.iter().all(|a| a.status == 200));
}
