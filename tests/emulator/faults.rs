use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, STRONG_PASSWORD, assert_error, user_request};

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
    // An unknown kind is a field out of bounds, named in the cause.
    assert_error(&bad, 400, "E0000001");
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

/// The users whose login is exactly `login`, with Okta's `filter` (which includes every status).
async fn users_with_login(emulator: &Emulator, org_url: &str, token: &str, login: &str) -> usize {
    let url = reqwest::Url::parse_with_params(
        &format!("{org_url}/api/v1/users"),
        &[("filter", format!("profile.login eq \"{login}\""))],
    )
    .unwrap();
    let answer = emulator.get(url.as_str(), token).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body.as_array().unwrap().len()
}

/// The System Log events of `event_type` that target `target_id`.
async fn events_for(
    emulator: &Emulator,
    org_url: &str,
    token: &str,
    event_type: &str,
    target_id: &str,
) -> usize {
    let url = reqwest::Url::parse_with_params(
        &format!("{org_url}/api/v1/logs"),
        &[(
            "filter",
            format!("eventType eq \"{event_type}\" and target.id eq \"{target_id}\""),
        )],
    )
    .unwrap();
    let answer = emulator.get(url.as_str(), token).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body.as_array().unwrap().len()
}

#[tokio::test]
async fn emulator_fault_drop_after_commit_closes_the_connection_but_keeps_the_write() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("okta.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("committed").await;
    add_fault(
        &emulator,
        json!({
            "kind": "drop_after_commit", "org": "committed",
            "route": "/api/v1/users", "method": "POST", "times": 1
        }),
    )
    .await;
    let users = format!("{}/api/v1/users", org.url);
    let login = "svc-dropped@committed.example.com";
    let dropped = emulator
        .send(
            Method::POST,
            &users,
            Some(&format!("SSWS {}", org.token)),
            Some(&user_request(login, Some(STRONG_PASSWORD))),
        )
        .await;
    assert!(
        dropped.is_err(),
        "expected a transport error, got {dropped:?}"
    );

    // The create happened although the client never heard of it: exactly one user, and its
    // create event in the System Log.
    assert_eq!(
        users_with_login(&emulator, &org.url, &org.token, login).await,
        1
    );
    let user = emulator.get(&format!("{users}/{login}"), &org.token).await;
    assert_eq!(user.body["status"], "ACTIVE");
    let id = user.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        events_for(
            &emulator,
            &org.url,
            &org.token,
            "user.lifecycle.create",
            &id
        )
        .await,
        1
    );
    // A client that retries blindly meets Okta's duplicate-login error.
    let retried = emulator
        .post(
            &users,
            &org.token,
            user_request(login, Some(STRONG_PASSWORD)),
        )
        .await;
    assert_error(&retried, 400, "E0000001");
    // `times: 1` retired the fault; the method filter kept it off the list (a GET of the route).
    let next = emulator
        .create_user(&org, "svc-answered@committed.example.com", "")
        .await;
    assert_eq!(next.status, 200, "{:?}", next.body);
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["drop_after_commit"], 1);
    assert_eq!(stats.body["faults_injected_total"], 1);

    // The write was saved to --data before the connection was closed.
    emulator.kill();
    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let org_url = format!("{}/committed", restarted.url);
    assert_eq!(
        users_with_login(&restarted, &org_url, &org.token, login).await,
        1
    );
}

#[tokio::test]
async fn emulator_fault_error_after_commit_answers_the_gateway_error_after_the_write() {
    let emulator = Emulator::start();
    let org = emulator.create_org("gateway").await;
    let created = emulator
        .create_user(&org, "svc-gateway@gateway.example.com", "")
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let user = format!("{}/api/v1/users/{id}", org.url);
    add_fault(
        &emulator,
        json!({
            "kind": "error_after_commit", "statuses": [502],
            "route": "/api/v1/users/{userId}/lifecycle/suspend", "times": 1
        }),
    )
    .await;

    let suspend = format!("{user}/lifecycle/suspend");
    let failed = emulator
        .call(Method::POST, &suspend, &org.token, None)
        .await;
    assert_error(&failed, 502, "E0000009");
    assert_eq!(failed.body["errorSummary"], "Internal Server Error");
    assert!(failed.body["errorId"].as_str().unwrap().starts_with("oae"));
    // The suspension was committed despite the 502.
    assert_eq!(
        emulator.get(&user, &org.token).await.body["status"],
        "SUSPENDED"
    );
    assert_eq!(
        events_for(
            &emulator,
            &org.url,
            &org.token,
            "user.lifecycle.suspend",
            &id
        )
        .await,
        1
    );
    // Other routes are not hit, and `times: 1` retired the fault.
    let unsuspend = format!("{user}/lifecycle/unsuspend");
    assert_eq!(
        emulator
            .call(Method::POST, &unsuspend, &org.token, None)
            .await
            .status,
        200
    );
    assert_eq!(
        emulator
            .call(Method::POST, &suspend, &org.token, None)
            .await
            .status,
        200
    );

    // A refused request commits nothing, so it does not use the fault up.
    add_fault(
        &emulator,
        json!({
            "kind": "error_after_commit", "statuses": [504],
            "route": "/api/v1/users/{userId}", "method": "GET", "times": 1
        }),
    )
    .await;
    let unknown = emulator
        .get(&format!("{}/api/v1/users/00uNOBODY", org.url), &org.token)
        .await;
    assert_error(&unknown, 404, "E0000007");
    assert_error(&emulator.get(&user, &org.token).await, 504, "E0000009");
    assert_eq!(emulator.get(&user, &org.token).await.status, 200);

    // 503 keeps Okta's own code for it.
    add_fault(
        &emulator,
        json!({ "kind": "error_after_commit", "statuses": [503], "route": "/api/v1/org", "times": 1 }),
    )
    .await;
    let org_settings = format!("{}/api/v1/org", org.url);
    assert_error(
        &emulator.get(&org_settings, &org.token).await,
        503,
        "E0000010",
    );
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["error_after_commit"], 3);
}

#[tokio::test]
async fn emulator_fault_delay_after_commit_holds_the_answer_of_a_committed_write() {
    let emulator = Emulator::start();
    let org = emulator.create_org("late").await;
    add_fault(
        &emulator,
        json!({
            "kind": "delay_after_commit", "latency_ms": 1500, "jitter_ms": 0,
            "org": "late", "route": "/api/v1/users", "method": "POST", "times": 1
        }),
    )
    .await;
    let login = "svc-late@late.example.com";
    let pending = {
        let client = emulator.client.clone();
        let url = format!("{}/api/v1/users", org.url);
        let token = org.token.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client
                .post(&url)
                .header("Authorization", format!("SSWS {token}"))
                .header("Content-Type", "application/json")
                .body(user_request(login, Some(STRONG_PASSWORD)).to_string())
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), started.elapsed())
        })
    };
    // While the answer is held, the user already exists: the delay comes after the commit.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let meanwhile = emulator
        .get(&format!("{}/api/v1/users/{login}", org.url), &org.token)
        .await;
    assert_eq!(meanwhile.status, 200, "{:?}", meanwhile.body);
    assert!(!pending.is_finished(), "the answer should still be held");
    let (status, elapsed) = pending.await.unwrap();
    assert_eq!(status, 200);
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");

    // `times: 1`: the next create is answered at once (no upper-bound timing, only counts).
    emulator
        .create_user(&org, "svc-prompt@late.example.com", "")
        .await;
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["faults_injected"]["delay_after_commit"], 1);
    let faults = emulator.control(Method::GET, "/faults", None).await;
    assert_eq!(faults.body[0]["kind"], "delay_after_commit");
    assert_eq!(faults.body[0]["injected"], 1);
}

#[tokio::test]
async fn emulator_fault_control_api_bounds_every_numeric_input() {
    let emulator = Emulator::start();
    let refused = [
        json!({ "kind": "latency", "latency_ms": 600_001 }),
        json!({ "kind": "latency", "latency_ms": 600_000, "jitter_ms": 1 }),
        json!({ "kind": "delay_after_commit", "latency_ms": 3_600_000 }),
        json!({ "kind": "delay_after_commit", "latency_ms": 1, "jitter_ms": 600_000 }),
        json!({ "kind": "error", "statuses": [399] }),
        json!({ "kind": "error_after_commit", "statuses": [502, 600] }),
        json!({ "kind": "error_after_commit", "statuses": [] }),
        json!({ "kind": "drop_after_commit", "probability": 1.5 }),
        json!({ "kind": "drop_after_commit", "probability": -0.1 }),
        // Absurd numbers and strings are refused naming the field, not as unreadable JSON.
        json!({ "kind": "delay_after_commit", "latency_ms": -1 }),
        json!({ "kind": "latency", "latency_ms": u64::MAX }),
        json!({ "kind": "latency", "latency_ms": 1, "jitter_ms": u64::MAX }),
        json!({ "kind": "drop", "times": u64::MAX }),
        json!({ "kind": "drop", "times": -1 }),
        json!({ "kind": "drop", "times": 1.5 }),
        json!({ "kind": "error_after_commit", "statuses": [70000] }),
        json!({ "kind": "error", "statuses": [-500] }),
        json!({ "kind": "error", "statuses": "500" }),
        json!({ "kind": "error_after_commit" }),
        json!({ "kind": "drop", "org": "a".repeat(100_000) }),
        json!({ "kind": "drop", "route": 42 }),
        json!({ "kind": "drop", "probability": "high" }),
        json!({ "kind": "explode" }),
        json!({ "org": "acme" }),
    ];
    for fault in refused {
        let answer = emulator
            .control(Method::POST, "/faults", Some(fault.clone()))
            .await;
        assert_error(&answer, 400, "E0000001");
        assert!(
            !answer.body["errorCauses"].as_array().unwrap().is_empty(),
            "{fault}: {:?}",
            answer.body
        );
    }
    // A body that is not a JSON object is not the JSON the API expects.
    for body in [json!([1]), json!("drop"), json!(null)] {
        let answer = emulator.control(Method::POST, "/faults", Some(body)).await;
        assert_error(&answer, 400, "E0000003");
    }
    // The cause names the field.
    for (fault, field) in [
        (
            json!({ "kind": "latency", "latency_ms": u64::MAX }),
            "latency_ms",
        ),
        (json!({ "kind": "drop", "times": -1 }), "times"),
        (json!({ "kind": "drop", "org": "a".repeat(100_000) }), "org"),
        (json!({ "kind": "error", "statuses": [-500] }), "statuses"),
    ] {
        let answer = emulator.control(Method::POST, "/faults", Some(fault)).await;
        let cause = answer.body["errorCauses"][0]["errorSummary"]
            .as_str()
            .unwrap_or_default();
        assert!(cause.starts_with(&format!("{field}:")), "{cause}");
    }
    let faults = emulator.control(Method::GET, "/faults", None).await;
    assert_eq!(faults.body, json!([]), "nothing refused was added");

    // The bounds themselves are accepted.
    for fault in [
        json!({ "kind": "delay_after_commit", "latency_ms": 599_000, "jitter_ms": 1000 }),
        json!({ "kind": "error_after_commit", "statuses": [400, 599], "probability": 0 }),
        json!({ "kind": "drop_after_commit", "probability": 1, "times": 0 }),
    ] {
        add_fault(&emulator, fault).await;
    }
    let faults = emulator.control(Method::GET, "/faults", None).await;
    assert_eq!(faults.body.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn emulator_fault_answer_serves_its_canned_body_without_links_or_handling() {
    let emulator = Emulator::start();
    let org = emulator.create_org("canned").await;
    add_fault(
        &emulator,
        json!({
            "kind": "answer", "route": "/api/v1/logs", "method": "GET",
            "status": 200, "body": [], "times": 1
        }),
    )
    .await;
    let logs = format!("{}/api/v1/logs?since=2000-01-01T00:00:00.000Z", org.url);
    let canned = emulator.get(&logs, &org.token).await;
    assert_eq!((canned.status, &canned.body), (200, &json!([])));
    assert!(canned.headers.get("link").is_none(), "no Link header");
    assert!(canned.header("date").is_some() && canned.header("x-okta-request-id").is_some());
    // Retired after one answer: the real listing, which links to itself, is back.
    let real = emulator.get(&logs, &org.token).await;
    assert!(real.body.is_array());
    assert!(
        real.header("link")
            .is_some_and(|link| link.contains("rel=\"self\""))
    );
    for status in [199, 600] {
        let refused = emulator
            .control(
                Method::POST,
                "/faults",
                Some(json!({"kind": "answer", "status": status, "body": []})),
            )
            .await;
        assert_error(&refused, 400, "E0000001");
    }
}

#[tokio::test]
async fn emulator_clock_shift_moves_every_time_okta_gives() {
    let emulator = Emulator::start();
    let org = emulator.create_org("shifted").await;
    let local_now = time::OffsetDateTime::now_utc().unix_timestamp();
    let shifted = emulator
        .control(
            Method::POST,
            "/clock",
            Some(json!({"offset_seconds": -3600})),
        )
        .await;
    assert_eq!(shifted.status, 200, "{:?}", shifted.body);
    assert_eq!(shifted.body["offset_seconds"], -3600);
    let created = emulator
        .send(
            Method::POST,
            &format!("{}/api/v1/users?activate=false", org.url),
            Some(&format!("SSWS {}", org.token)),
            Some(&user_request("clocked@shifted.example", None)),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 200, "{:?}", created.body);
    let seconds = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    };
    let date = okta_msp::okta::parse_http_date(created.header("date").unwrap()).unwrap();
    let date = date
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let an_hour_ago = local_now - 3600;
    for (what, at) in [
        ("Date", date),
        (
            "created",
            seconds(created.body["created"].as_str().unwrap()),
        ),
    ] {
        assert!(
            (an_hour_ago - 5..an_hour_ago + 60).contains(&at),
            "{what} is an hour behind this machine's clock: {at} against {local_now}"
        );
    }
    let events = emulator
        .get(
            &format!(
                "{}/api/v1/logs?since=2000-01-01T00:00:00.000Z&filter=eventType%20eq%20%22user.lifecycle.create%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let published = events.body.as_array().unwrap().last().unwrap()["published"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!((an_hour_ago - 5..an_hour_ago + 60).contains(&seconds(&published)));
    let refused = emulator
        .control(
            Method::POST,
            "/clock",
            Some(json!({"offset_seconds": 366 * 86_400 + 1})),
        )
        .await;
    assert_error(&refused, 400, "E0000001");
    let reset = emulator.control(Method::POST, "/reset", None).await;
    assert_eq!(reset.status, 200);
    let clock = emulator.control(Method::GET, "/clock", None).await;
    assert_eq!(clock.body["offset_seconds"], 0);
}
