//! The emulator as a shared CI service: hostile or broken clients (deep filters, half-open
//! connections, huge bodies, malformed requests) get an answer or a closed connection, and
//! everyone else keeps being served. Each test ends by asking `/_emulator/health` on a fresh
//! connection, which must answer within 50 ms (the fastest of a few tries, so that a busy test
//! machine does not decide the outcome; precise timings belong in the bench).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::support::{ADMIN_TOKEN, Emulator, assert_error, user_request};

const HEALTH_WITHIN: Duration = Duration::from_millis(50);

fn address(emulator: &Emulator) -> String {
    emulator.url.trim_start_matches("http://").to_string()
}

/// One health check on a new connection: the time until its complete answer.
async fn health_once(emulator: &Emulator) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address(emulator))
        .await
        .expect("connect");
    let request = format!(
        "GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"ok\""), "{answer}");
    started.elapsed()
}

/// Asserts that health answers within [`HEALTH_WITHIN`] (the fastest of five tries).
async fn assert_serving_health(emulator: &Emulator) {
    let mut fastest = Duration::MAX;
    for _ in 0..5 {
        fastest = fastest.min(health_once(emulator).await);
        if fastest <= HEALTH_WITHIN {
            return;
        }
    }
    panic!("health took {fastest:?}, more than {HEALTH_WITHIN:?}");
}

/// Sends raw bytes on a new connection and reads until the server closes it or `patience`
/// passes; returns what arrived.
async fn raw_exchange(emulator: &Emulator, request: &[u8], patience: Duration) -> String {
    let mut stream = TcpStream::connect(address(emulator))
        .await
        .expect("connect");
    // A server that refuses early stops reading, so the rest of a large request may not go out.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(patience, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// The JSON body of a raw HTTP/1.1 answer.
fn raw_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {answer}"))
}

fn nested_filter(depth: usize) -> String {
    format!(
        "{}status%20eq%20%22ACTIVE%22{}",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

#[tokio::test]
async fn emulator_deep_and_long_filters_are_refused_without_overflowing_the_stack() {
    let emulator = Emulator::start();
    let users = format!("{}/api/v1/users", emulator.partner_url);
    let token = &emulator.partner_token;

    // 3,000 levels in 18 KB, the expression that used to abort the process.
    let deep = emulator
        .get(&format!("{users}?filter={}", nested_filter(3000)), token)
        .await;
    assert_error(&deep, 400, "E0000031");
    // Short but deeper than the parser nests.
    let nested = emulator
        .get(&format!("{users}?search={}", nested_filter(40)), token)
        .await;
    assert_error(&nested, 400, "E0000031");
    let cause = nested.body["errorCauses"][0]["errorSummary"]
        .as_str()
        .unwrap();
    assert!(cause.contains("deeper"), "{cause}");
    // A chain of comparisons as long as the URL allows.
    let chain = vec!["status%20eq%20%22ACTIVE%22"; 1000].join("%20or%20");
    let sprawling = emulator
        .get(&format!("{users}?search={chain}"), token)
        .await;
    assert_error(&sprawling, 400, "E0000031");
    // The System Log answers its own code for a filter it refuses.
    let logs = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter={}",
                emulator.partner_url,
                nested_filter(3000)
            ),
            token,
        )
        .await;
    assert_error(&logs, 400, "E0000053");
    // What nests within the bounds still works.
    let fine = emulator
        .get(&format!("{users}?search={}", nested_filter(30)), token)
        .await;
    assert_eq!(fine.status, 200, "{:?}", fine.body);

    // 100,000 levels: a 200 KB request line, larger than the head buffer hyper is given, so its
    // parser refuses it (431, no body) before any handler runs. The process neither crashes nor
    // stalls.
    let deepest = raw_exchange(
        &emulator,
        format!(
            "GET /partner/api/v1/users?filter={} HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\n\r\n",
            nested_filter(100_000)
        )
        .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(deepest.starts_with("HTTP/1.1 431"), "{deepest:?}");
    assert_serving_health(&emulator).await;
    assert_eq!(emulator.get(&users, token).await.status, 200);
}

#[tokio::test]
async fn emulator_half_open_connections_neither_block_health_nor_stay_forever() {
    let emulator = Emulator::start_with(&["--header-read-timeout", "2"]);
    let address = address(&emulator);
    let mut held = Vec::new();
    for index in 0..2000 {
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        if index % 2 == 0 {
            // Half a request head, never finished.
            stream
                .write_all(b"GET /partner/api/v1/users HTTP/1.1\r\nHost: emulator\r\nX-Half: ")
                .await
                .expect("send");
        }
        held.push(stream);
    }
    assert_serving_health(&emulator).await;
    let users = format!("{}/api/v1/users", emulator.partner_url);
    assert_eq!(
        emulator.get(&users, &emulator.partner_token).await.status,
        200
    );

    // The header read timeout closes them: every held connection reaches end of file.
    let deadline = Instant::now() + Duration::from_secs(20);
    for stream in &mut held {
        let mut byte = [0u8; 1];
        let left = deadline.saturating_duration_since(Instant::now());
        let read = tokio::time::timeout(left, stream.read(&mut byte)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a half-open connection outlived the header read timeout: {read:?}"
        );
    }
    assert_serving_health(&emulator).await;
}

/// Starts the emulator with an open-file limit of `soft` and `hard` descriptors, as some CI
/// runners start processes.
fn start_with_file_limit(soft: u64, hard: u64) -> Emulator {
    use std::os::unix::process::CommandExt as _;
    Emulator::start_configured(&[], move |command| {
        // SAFETY: setrlimit is async-signal-safe, as code between fork and exec must be.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: soft,
                    rlim_max: hard,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    })
}

/// Opens `count` connections that each send half a request head, and keeps them.
async fn hold_half_open(emulator: &Emulator, count: usize) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for _ in 0..count {
        let mut stream = TcpStream::connect(address(emulator))
            .await
            .expect("connect");
        let _ = stream
            .write_all(b"GET /partner/api/v1/org HTTP/1.1\r\nX-Half: ")
            .await;
        held.push(stream);
    }
    held
}

#[tokio::test]
async fn emulator_raises_a_low_soft_file_limit_so_half_open_connections_cannot_starve_accept() {
    // A soft limit of 256 would run out after about 250 connections; the hard limit allows more.
    let emulator = start_with_file_limit(256, 4096);
    let _held = hold_half_open(&emulator, 1000).await;
    assert_serving_health(&emulator).await;
}

#[tokio::test]
async fn emulator_fits_its_connection_cap_to_a_low_hard_file_limit() {
    // 200 descriptors in all: the cap is lowered below the default 1024, so the oldest waiting
    // connections are closed instead of `accept` failing.
    let emulator = start_with_file_limit(200, 200);
    let _held = hold_half_open(&emulator, 1000).await;
    assert_serving_health(&emulator).await;
}

#[tokio::test]
async fn emulator_connection_cap_closes_the_oldest_waiting_connection() {
    let emulator = Emulator::start_with(&["--max-connections", "20"]);
    let address = address(&emulator);
    let mut held = Vec::new();
    for _ in 0..40 {
        held.push(TcpStream::connect(&address).await.expect("connect"));
    }
    // Health needs a place: an idle one is given up for it.
    assert_serving_health(&emulator).await;
    let mut first = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), held[0].read(&mut first)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the oldest idle connection was evicted: {read:?}"
    );
}

#[tokio::test]
async fn emulator_fifty_megabyte_bodies_are_refused_before_they_are_read() {
    let emulator = Emulator::start();
    let token = emulator.partner_token.clone();
    let fifty_megabytes: usize = 50 * 1024 * 1024;

    // Declared: refused on the headers alone, while the client is still sending.
    let mut stream = TcpStream::connect(address(&emulator))
        .await
        .expect("connect");
    let head = format!(
        "POST /partner/api/v1/users HTTP/1.1\r\nHost: emulator\r\nAuthorization: SSWS {token}\r\nContent-Type: application/json\r\nContent-Length: {fifty_megabytes}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < fifty_megabytes {
            if writer.write_all(&chunk).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(raw_body(&answer)["errorCode"], "E0000001");
    let sent = sender.await.unwrap();
    assert!(
        sent < fifty_megabytes,
        "the server stopped reading ({sent} bytes sent)"
    );
    assert_serving_health(&emulator).await;

    // Undeclared (chunked): refused once it passes the limit, not buffered to the end.
    let mut stream = TcpStream::connect(address(&emulator))
        .await
        .expect("connect");
    let head = format!(
        "POST /partner/api/v1/users HTTP/1.1\r\nHost: emulator\r\nAuthorization: SSWS {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        let framed_head = format!("{:x}\r\n", chunk.len());
        let mut sent = 0;
        while sent < fifty_megabytes {
            let framed = [framed_head.as_bytes(), &chunk, b"\r\n"].concat();
            if writer.write_all(&framed).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let sent = sender.await.unwrap();
    assert!(
        sent < fifty_megabytes,
        "the server stopped reading ({sent} bytes sent)"
    );
    assert_serving_health(&emulator).await;
}

#[tokio::test]
async fn emulator_malformed_requests_get_answers_and_leave_it_serving() {
    let emulator = Emulator::start();
    let token = emulator.partner_token.clone();
    let partner = emulator.partner_url.clone();

    // Not HTTP at all: hyper's parser answers 400 and closes; nothing reaches a handler.
    let garbage = raw_exchange(
        &emulator,
        b"\x16\x03\x01 not a request\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage:?}");
    assert_serving_health(&emulator).await;

    // A body that is not JSON: Okta's reader error.
    let answer = raw_exchange(
        &emulator,
        format!(
            "POST /partner/api/v1/users HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{{\"profile\": "
        )
        .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(raw_body(&answer)["errorCode"], "E0000003");

    // Bodies nested deeper than the emulator stores (a profile attribute 100 levels deep, and
    // 100,000 levels in under 1 MB): refused before anything recursive parses them.
    let mut deep_profile = user_request("deep@example.com", None);
    deep_profile["profile"]["nested"] =
        serde_json::from_str(&format!("{}1{}", "[".repeat(100), "]".repeat(100))).unwrap();
    assert_error(
        &emulator
            .post(&format!("{partner}/api/v1/users"), &token, deep_profile)
            .await,
        400,
        "E0000003",
    );
    let deepest = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let answer = emulator
        .client
        .post(format!("{partner}/api/v1/users"))
        .header("Authorization", format!("SSWS {token}"))
        .header("Content-Type", "application/json")
        .body(deepest)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(
        answer.json::<Value>().await.unwrap()["errorCode"],
        "E0000003"
    );
    assert_serving_health(&emulator).await;

    // Too many header fields, and too many header bytes: 431 in the envelope.
    let many: String = (0..150).map(|n| format!("X-Field-{n}: {n}\r\n")).collect();
    let answer = raw_exchange(
        &emulator,
        format!("GET /partner/api/v1/org HTTP/1.1\r\nHost: e\r\n{many}Connection: close\r\n\r\n")
            .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert_eq!(raw_body(&answer)["errorCode"], "E0000001");
    let big = "v".repeat(70 * 1024);
    let answer = raw_exchange(
        &emulator,
        format!("GET /partner/api/v1/org HTTP/1.1\r\nHost: e\r\nX-Big: {big}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert_eq!(raw_body(&answer)["errorCode"], "E0000001");

    // A long request target below hyper's own limit: 414 in the envelope.
    let long = emulator
        .get(
            &format!("{partner}/api/v1/users?q={}", "a".repeat(50 * 1024)),
            &token,
        )
        .await;
    assert_error(&long, 414, "E0000001");

    // Unknown paths, wrong methods, broken escapes: Okta's codes.
    assert_error(
        &emulator
            .get(&format!("{}/favicon.ico", emulator.url), &token)
            .await,
        404,
        "E0000008",
    );
    assert_error(
        &emulator
            .call(
                Method::PATCH,
                &format!("{partner}/api/v1/org"),
                &token,
                None,
            )
            .await,
        405,
        "E0000022",
    );
    assert_error(
        &emulator
            .get(&format!("{partner}/api/v1/users/%ZZ"), &token)
            .await,
        400,
        "E0000001",
    );
    assert_serving_health(&emulator).await;
}

#[tokio::test]
async fn emulator_stalled_body_answers_408_after_the_body_read_timeout() {
    let emulator = Emulator::start_with(&["--body-read-timeout", "1"]);
    let token = emulator.partner_token.clone();
    let started = Instant::now();
    let answer = raw_exchange(
        &emulator,
        format!(
            "POST /partner/api/v1/users HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"profile\":"
        )
        .as_bytes(),
        Duration::from_secs(10),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(raw_body(&answer)["errorCode"], "E0000003");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_serving_health(&emulator).await;
}

#[tokio::test]
async fn emulator_json_writes_need_a_json_content_type() {
    let emulator = Emulator::start();
    let users = format!("{}/api/v1/users", emulator.partner_url);
    let authorization = format!("SSWS {}", emulator.partner_token);
    let post = |content_type: Option<&'static str>, login: &str| {
        let mut request = emulator
            .client
            .post(&users)
            .header("Authorization", &authorization)
            .body(user_request(login, None).to_string());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        request.send()
    };
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("application/jsonx"),
        None,
    ] {
        let answer = post(content_type, "refused@example.com").await.unwrap();
        assert_eq!(answer.status(), 400, "{content_type:?}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["errorCode"], "E0000021", "{content_type:?}");
        assert_eq!(body["errorLink"], "E0000021");
    }
    let refused = emulator
        .get(
            &format!("{users}/refused@example.com"),
            &emulator.partner_token,
        )
        .await;
    assert_eq!(refused.status, 404, "nothing was created");

    let accepted = post(Some("application/json; charset=UTF-8"), "json@example.com")
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    // A bodiless POST declares nothing and needs nothing.
    let user_id = accepted.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reactivate = emulator
        .client
        .post(format!(
            "{users}/{user_id}/lifecycle/reactivate?sendEmail=false"
        ))
        .header("Authorization", &authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(reactivate.status(), 200);
    // The token is checked first, as Okta's authentication runs before its API.
    let anonymous = emulator
        .client
        .post(&users)
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn emulator_ssws_token_matches_exactly_with_or_without_the_space() {
    let emulator = Emulator::start();
    let url = format!("{}/api/v1/users/me", emulator.partner_url);
    let token = emulator.partner_token.clone();
    let status = |authorization: String| {
        let request = emulator
            .client
            .get(&url)
            .header("Authorization", authorization);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("SSWS {token}")).await, 200);
    // Okta's Python SDK 3.4.6 sends no space, and real Okta answers it.
    assert_eq!(status(format!("SSWS{token}")).await, 200);
    // Labelled, so that a failure never prints the token.
    for (label, refused) in [
        ("two spaces", format!("SSWS  {token}")),
        ("a tab", format!("SSWS\t{token}")),
        ("a second token", format!("SSWS {token} {token}")),
        ("a trailing comma", format!("SSWS {token},")),
        ("a tab and a word", format!("SSWS {token}\tx")),
        ("a longer token", format!("SSWS {token}x")),
        ("a lower-case scheme", format!("ssws {token}")),
        ("another scheme", format!("Bearer {token}")),
    ] {
        assert_eq!(status(refused).await, 401, "{label}");
    }
    let garbage = emulator
        .send(Method::GET, &url, Some(&format!("SSWS {token} x")), None)
        .await
        .unwrap();
    assert_error(&garbage, 401, "E0000011");
    // Whitespace at the end of the header line is not part of the field value in HTTP: the
    // parser drops it, so the token is the same token.
    let raw = raw_exchange(
        &emulator,
        format!(
            "GET /partner/api/v1/users/me HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}   \r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");

    let control = format!("{}/_emulator/health", emulator.url);
    for refused in [
        format!("Bearer  {}", emulator.admin_token),
        format!("Bearer {} x", emulator.admin_token),
    ] {
        let answer = emulator
            .send(Method::GET, &control, Some(&refused), None)
            .await
            .unwrap();
        assert_error(&answer, 401, "E0000011");
    }
}

#[tokio::test]
async fn emulator_no_content_answers_carry_no_content_type() {
    let emulator = Emulator::start();
    let org = emulator.create_org("quiet").await;
    let token = &org.token;
    let api = format!("{}/api/v1", org.url);
    let user = emulator
        .create_user(&org, "svc@quiet.example.com", "")
        .await;
    let user_id = user.body["id"].as_str().unwrap().to_string();
    let group = emulator
        .post(
            &format!("{api}/groups"),
            token,
            json!({ "profile": { "name": "svc" } }),
        )
        .await;
    let group_id = group.body["id"].as_str().unwrap().to_string();
    let member = format!("{api}/groups/{group_id}/users/{user_id}");
    let policy = emulator
        .post(
            &format!("{api}/policies"),
            token,
            json!({ "type": "OKTA_SIGN_ON", "name": "p", "priority": 1, "conditions": {} }),
        )
        .await;
    let policy_id = policy.body["id"].as_str().unwrap().to_string();
    let role = emulator
        .post(
            &format!("{api}/users/{user_id}/roles"),
            token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    assert_eq!(role.status, 201, "{:?}", role.body);
    let role_id = role.body["id"].as_str().unwrap().to_string();

    let mut no_content = vec![
        emulator.call(Method::PUT, &member, token, None).await,
        emulator.call(Method::DELETE, &member, token, None).await,
        emulator
            .call(
                Method::POST,
                &format!("{api}/policies/{policy_id}/lifecycle/deactivate"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::POST,
                &format!("{api}/policies/{policy_id}/lifecycle/activate"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::DELETE,
                &format!("{api}/users/{user_id}/roles/{role_id}"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::DELETE,
                &format!("{api}/policies/{policy_id}"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::DELETE,
                &format!("{api}/groups/{group_id}"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::DELETE,
                &format!("{api}/users/{user_id}"),
                token,
                None,
            )
            .await,
        emulator
            .call(
                Method::DELETE,
                &format!("{api}/users/{user_id}"),
                token,
                None,
            )
            .await,
    ];
    no_content.push(emulator.control(Method::DELETE, "/faults", None).await);
    for (index, answer) in no_content.iter().enumerate() {
        assert_eq!(answer.status, 204, "answer {index}: {:?}", answer.body);
        assert_eq!(answer.header("content-type"), None, "answer {index}");
        assert_eq!(answer.body, Value::Null, "answer {index} has no body");
        assert!(answer.header("x-okta-request-id").is_some());
    }
    // Answers with a body still say what it is.
    let listed = emulator.get(&format!("{api}/users"), token).await;
    assert_eq!(listed.header("content-type"), Some("application/json"));
}
