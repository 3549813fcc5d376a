use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error};

async fn add_fault(emulator: &Emulator, fault: serde_json::Value) -> String {
    let answer = emulator.control(Method::POST, "/faults", Some(fault)).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn emulator_control_api_requires_admin_token() {
    let emulator = Emulator::start();
    let url = format!("{}/_emulator/stats", emulator.url);
    let anonymous = emulator.send(Method::GET, &url, None, None).await.unwrap();
    assert_error(&anonymous, 401, "E0000011");
    let partner = emulator
        .send(
            Method::GET,
            &url,
            Some(&format!("SSWS {}", emulator.partner_token)),
            None,
        )
        .await
        .unwrap();
    assert_error(&partner, 401, "E0000011");
    let health = emulator.control(Method::GET, "/health", None).await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let bad = emulator
        .control(Method::POST, "/faults", Some(json!({ "kind": "meteor" })))
        .await;
    assert_error(&bad, 400, "E0000003");
}

#[tokio::test]
async fn emulator_fault_latency_delays_only_its_scope() {
    let emulator = Emulator::start();
    let org = emulator.create_org("slow").await;
    add_fault(
        &emulator,
        json!({
            "kind": "latency", "latency_ms": 400, "jitter_ms": 50,
            "org": "slow", "route": "/api/v1/users/{userId}", "method": "GET"
        }),
    )
    .await;
    let started = Instant::now();
    let answer = emulator
        .get(&format!("{}/api/v1/users/me", org.url), &org.token)
        .await;
    assert_eq!(answer.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    // Other routes and orgs are not delayed (no upper-bound timing assertion: only counts).
    emulator
        .get(&format!("{}/api/v1/org", org.url), &org.token)
        .await;
    emulator
        .get(
            &format!("{}/api/v1/users/me", emulator.partner_url),
            &emulator.partner_token,
        )
        .await;
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["latency"], 1);
    let faults = emulator.control(Method::GET, "/faults", None).await;
    assert_eq!(faults.body[0]["injected"], 1);
}

#[tokio::test]
async fn emulator_fault_error_rate_answers_chosen_status_then_retires() {
    let emulator = Emulator::start();
    let org = emulator.create_org("flaky").await;
    add_fault(
        &emulator,
        json!({ "kind": "error", "statuses": [503], "org": "flaky", "times": 2 }),
    )
    .await;
    let url = format!("{}/api/v1/org", org.url);
    assert_error(&emulator.get(&url, &org.token).await, 503, "E0000010");
    assert_error(&emulator.get(&url, &org.token).await, 503, "E0000010");
    assert_eq!(emulator.get(&url, &org.token).await.status, 200);
    add_fault(
        &emulator,
        json!({ "kind": "error", "statuses": [500], "org": "flaky", "route": "/api/v1/org" }),
    )
    .await;
    assert_error(&emulator.get(&url, &org.token).await, 500, "E0000009");
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["error"], 3);
    assert_eq!(
        emulator
            .control(Method::DELETE, "/faults", None)
            .await
            .status,
        204
    );
    assert_eq!(emulator.get(&url, &org.token).await.status, 200);
}

#[tokio::test]
async fn emulator_fault_rate_limit_pressure_serves_429() {
    let emulator = Emulator::start();
    let id = add_fault(&emulator, json!({ "kind": "rate_limit", "org": "partner" })).await;
    let url = format!("{}/api/v1/users/me", emulator.partner_url);
    let limited = emulator.get(&url, &emulator.partner_token).await;
    assert_error(&limited, 429, "E0000047");
    assert_eq!(limited.header("x-rate-limit-remaining"), Some("0"));
    assert_eq!(
        emulator
            .control(Method::DELETE, &format!("/faults/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        emulator.get(&url, &emulator.partner_token).await.status,
        200
    );
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["rate_limit"], 1);
    assert_eq!(stats.body["rate_limited"], 1);
}

#[tokio::test]
async fn emulator_fault_drop_closes_connection_without_answer() {
    let emulator = Emulator::start();
    add_fault(
        &emulator,
        json!({ "kind": "drop", "route": "/api/v1/users/{userId}", "times": 1 }),
    )
    .await;
    let url = format!("{}/api/v1/users/me", emulator.partner_url);
    let dropped = emulator
        .send(
            Method::GET,
            &url,
            Some(&format!("SSWS {}", emulator.partner_token)),
            None,
        )
        .await;
    assert!(
        dropped.is_err(),
        "expected a transport error, got {dropped:?}"
    );
    assert_eq!(
        emulator.get(&url, &emulator.partner_token).await.status,
        200
    );
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["drop"], 1);
    assert_eq!(stats.body["faults_injected_total"], 1);
    let counted = stats.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["org"] == "partner" && r["route"] == "/api/v1/users/{userId}" && r["method"] == "GET"
        })
        .expect("stats by org, method and route template")["count"]
        .clone();
    assert_eq!(counted, 2);
    assert_eq!(stats.body["requests_by_org"]["partner"], 2);
}
