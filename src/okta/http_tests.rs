//! The client's HTTP behaviour (retries, 429 waits, pagination, headers) against a scripted
//! in-process server on 127.0.0.1:0. The real emulator is exercised by the provider's tests.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::*;
use crate::secret::Secret;

use super::scripted_server::{ScriptedServer as TestServer, answer};

/// Fast, deterministic options: tiny backoffs, a private limiter with a tiny margin.
fn options() -> ClientOptions {
    ClientOptions {
        max_retries: 2,
        request_timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(2),
        backoff_max: Duration::from_millis(10),
        max_rate_limit_retries: 3,
        limiter: Some(Arc::new(RateLimiter::new(LimiterSettings {
            reset_margin: Duration::from_millis(20),
            max_wait: Duration::from_millis(200),
            ..LimiterSettings::default()
        }))),
        ..ClientOptions::default()
    }
}

const USER: &str =
    r#"{"id":"00u1","status":"ACTIVE","profile":{"login":"svc@acme.com","email":"svc@acme.com"}}"#;
const SERVER_ERROR: &str =
    r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorCauses":[]}"#;
const RATE_LIMITED: &str = r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorCauses":[]}"#;

fn epoch_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn http_date(time: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from(time).format(format).unwrap()
}

#[tokio::test]
async fn requests_carry_ssws_auth_user_agent_and_json_headers() {
    let server = TestServer::start(vec![answer(200, USER)]).await;
    let user = server
        .client(options())
        .get_user("svc+x@acme.com")
        .await
        .unwrap();
    assert_eq!(user.id, "00u1");
    let received = server.received();
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].uri, "/acme/api/v1/users/svc%2Bx@acme.com");
    let headers = &received[0].headers;
    assert_eq!(headers["authorization"], "SSWS 00test-ssws-token");
    assert_eq!(headers["accept"], "application/json");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("terraform-provider-okta-msp/")
    );
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_success() {
    let server = TestServer::start(vec![
        answer(500, SERVER_ERROR),
        answer(503, ""),
        answer(200, USER),
    ])
    .await;
    let user = server.client(options()).get_user("00u1").await.unwrap();
    assert_eq!(user.id, "00u1");
    let received = server.received();
    assert_eq!(received.len(), 3);
    assert_eq!(received[1].headers["x-okta-retry-for"], "req-500");
    assert_eq!(received[2].headers["x-okta-retry-count"], "2");
}

#[tokio::test]
async fn server_errors_end_the_call_once_the_retry_budget_is_spent() {
    let server = TestServer::start(vec![answer(500, SERVER_ERROR); 5]).await;
    let error = server.client(options()).get_user("00u1").await.unwrap_err();
    assert_eq!(
        server.received().len(),
        3,
        "one try and max_retries = 2 retries"
    );
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.error_code(), Some("E0000009"));
    assert_eq!(error.request_id(), Some("req-500"));
}

#[tokio::test]
async fn creates_are_not_replayed_after_a_server_error() {
    let server = TestServer::start(vec![answer(500, SERVER_ERROR), answer(200, USER)]).await;
    let new_user = NewUser {
        profile: UserProfile {
            login: Some("svc@acme.com".to_owned()),
            ..UserProfile::default()
        },
        password: Some(Secret::new("a-password-never-logged")),
        group_ids: Vec::new(),
    };
    let error = server
        .client(options())
        .create_user(&new_user, true)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(server.received().len(), 1);
    assert!(!error.to_string().contains("a-password-never-logged"));
}

#[tokio::test]
async fn role_assignment_is_replayed_and_a_duplicate_is_reported_as_already_assigned() {
    let duplicate = r#"{"errorCode":"E0000090","errorSummary":"The role specified is already assigned to the user.","errorCauses":[]}"#;
    let server = TestServer::start(vec![answer(502, ""), answer(409, duplicate)]).await;
    let outcome = server
        .client(options())
        .assign_role("00u1", "SUPER_ADMIN")
        .await
        .unwrap();
    assert_eq!(outcome, RoleAssigned::AlreadyAssigned);
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].uri,
        "/acme/api/v1/users/00u1/roles?disableNotifications=true"
    );
    assert_eq!(received[1].body, br#"{"type":"SUPER_ADMIN"}"#);
}

#[tokio::test]
async fn a_429_waits_for_the_reset_without_spending_the_retry_budget() {
    let now = SystemTime::now();
    let server = TestServer::start(vec![
        answer(429, RATE_LIMITED)
            .header("x-rate-limit-limit", "10")
            .header("x-rate-limit-remaining", "0")
            .header("x-rate-limit-reset", epoch_seconds(now).to_string())
            .header("date", http_date(now)),
        answer(429, RATE_LIMITED)
            .header("x-rate-limit-limit", "10")
            .header("x-rate-limit-remaining", "0")
            // Far ahead: the wait is capped at max_wait (200 ms).
            .header(
                "x-rate-limit-reset",
                (epoch_seconds(now) + 3_600).to_string(),
            )
            .header("date", http_date(now)),
        answer(200, USER),
    ])
    .await;
    let client = server.client(ClientOptions {
        max_retries: 0,
        ..options()
    });
    let started = Instant::now();
    client.get_user("00u1").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(server.received().len(), 3);
    assert!(elapsed >= Duration::from_millis(220), "waited {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "waited {elapsed:?}");
}

#[tokio::test]
async fn creates_are_retried_after_a_429_because_okta_did_nothing() {
    let server = TestServer::start(vec![answer(429, RATE_LIMITED), answer(200, USER)]).await;
    let new_user = NewUser::default();
    server
        .client(options())
        .create_user(&new_user, false)
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].uri, "/acme/api/v1/users?activate=false");
}

#[tokio::test]
async fn endless_429s_end_in_rate_limited() {
    let server = TestServer::start(vec![answer(429, RATE_LIMITED); 10]).await;
    let error = server.client(options()).get_org().await.unwrap_err();
    assert!(
        matches!(error, OktaError::RateLimited { attempts: 4, .. }),
        "{error:?}"
    );
    assert_eq!(server.received().len(), 4);
    assert!(error.to_string().contains("/api/v1/org"), "{error}");
}

#[tokio::test]
async fn a_low_remaining_count_slows_the_next_request_down() {
    let now = SystemTime::now();
    let server = TestServer::start(vec![
        answer(200, USER)
            .header("x-rate-limit-limit", "100")
            .header("x-rate-limit-remaining", "0")
            .header("x-rate-limit-reset", epoch_seconds(now).to_string())
            .header("date", http_date(now)),
        answer(200, USER),
    ])
    .await;
    let client = server.client(options());
    client.get_user("00u1").await.unwrap();
    let started = Instant::now();
    client.get_user("00u1").await.unwrap();
    // Nothing remained, so the second call waited for the reset (here: the margin).
    assert!(
        started.elapsed() >= Duration::from_millis(15),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn pagination_follows_next_links_to_the_end() {
    let server = TestServer::start(Vec::new()).await;
    let org = server.org_url();
    let page = |ids: &[&str]| {
        let users: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"id":"{id}","status":"ACTIVE","profile":{{}}}}"#))
            .collect();
        format!("[{}]", users.join(","))
    };
    server.script([
        answer(200, &page(&["00u1", "00u2"])).header(
            "link",
            format!("<{org}/api/v1/users?limit=2>; rel=\"self\", <{org}/api/v1/users?after=00u2&limit=2>; rel=\"next\""),
        ),
        answer(200, &page(&["00u3", "00u4"]))
            .header("link", format!("<{org}/api/v1/users?after=00u4&limit=2>; rel=\"next\"")),
        answer(200, &page(&["00u5"])).header("link", format!("<{org}/api/v1/users?after=00u5&limit=2>; rel=\"self\"")),
    ]);
    let users = server
        .client(options())
        .list_users(&UserQuery {
            limit: Some(2),
            ..UserQuery::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = users.iter().map(|user| user.id.as_str()).collect();
    assert_eq!(ids, ["00u1", "00u2", "00u3", "00u4", "00u5"]);
    let uris: Vec<String> = server
        .received()
        .into_iter()
        .map(|received| received.uri)
        .collect();
    assert_eq!(
        uris,
        [
            "/acme/api/v1/users?limit=2",
            "/acme/api/v1/users?after=00u2&limit=2",
            "/acme/api/v1/users?after=00u4&limit=2",
        ]
    );
}

#[tokio::test]
async fn pagination_follows_a_link_on_another_host_on_the_org_url_only() {
    // Behind a custom domain Okta may link to the org's canonical host: the path and query are
    // followed on the URL the token was given for, and nothing is sent to the other host.
    let server = TestServer::start(vec![
        answer(200, r#"[{"id":"nzo1","type":"IP","name":"a"}]"#).header(
            "link",
            "<https://elsewhere.example/api/v1/zones?after=nzo1&limit=1>; rel=\"next\"",
        ),
        answer(200, r#"[{"id":"nzo2","type":"IP","name":"b"}]"#),
    ])
    .await;
    let zones = server.client(options()).list_zones().await.unwrap();
    assert_eq!(zones.len(), 2);
    let uris: Vec<String> = server.received().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        uris,
        [
            "/acme/api/v1/zones",
            "/acme/api/v1/zones?after=nzo1&limit=1"
        ]
    );

    // An empty page ends a listing whatever its links say.
    let server = TestServer::start(vec![answer(200, "[]").header(
        "link",
        "<https://elsewhere.example/api/v1/zones?after=x>; rel=\"next\"",
    )])
    .await;
    assert!(
        server
            .client(options())
            .list_zones()
            .await
            .unwrap()
            .is_empty()
    );

    // A link that is not an Okta API URL is refused.
    let server = TestServer::start(vec![
        answer(200, r#"[{"id":"nzo1","type":"IP","name":"z"}]"#).header(
            "link",
            "<https://elsewhere.example/login?next=x>; rel=\"next\"",
        ),
    ])
    .await;
    let error = server.client(options()).list_zones().await.unwrap_err();
    assert!(matches!(error, OktaError::Pagination { .. }), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn passing_conflicts_are_retried_and_others_are_not() {
    let still_activating = r#"{"errorCode":"E0000112","errorSummary":"Unable to update the user: the user is still being activated.","errorCauses":[]}"#;
    let role_change = r#"{"errorCode":"E0000268","errorSummary":"Another request is making changes to the role assignments.","errorCauses":[]}"#;
    let server = TestServer::start(vec![
        answer(409, still_activating),
        answer(409, role_change),
        answer(200, USER),
    ])
    .await;
    let user = server.client(options()).get_user("00u1").await.unwrap();
    assert_eq!(user.id, "00u1");
    assert_eq!(server.received().len(), 3);

    // A create is replayed too: Okta refused it, nothing was made.
    let server = TestServer::start(vec![answer(409, still_activating), answer(200, USER)]).await;
    let new_user = NewUser {
        profile: UserProfile::default(),
        password: None,
        group_ids: Vec::new(),
    };
    server
        .client(options())
        .create_user(&new_user, false)
        .await
        .unwrap();
    assert_eq!(server.received().len(), 2);

    let duplicate = r#"{"errorCode":"E0000090","errorSummary":"The role is already assigned.","errorCauses":[]}"#;
    let server = TestServer::start(vec![answer(409, duplicate), answer(200, USER)]).await;
    let error = server.client(options()).get_user("00u1").await.unwrap_err();
    assert_eq!(error.error_code(), Some("E0000090"));
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn pagination_is_bounded() {
    let server = TestServer::start(Vec::new()).await;
    let org = server.org_url();
    let looping = answer(200, r#"[{"id":"00g1","profile":{"name":"x"}}]"#).header(
        "link",
        format!("<{org}/api/v1/groups?after=again>; rel=\"next\""),
    );
    server.script(vec![looping; 10]);
    let client = server.client(ClientOptions {
        max_pages: 3,
        ..options()
    });
    let error = client.find_group_by_name("x").await.unwrap_err();
    assert!(matches!(error, OktaError::Pagination { .. }), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn okta_error_envelopes_are_surfaced_with_the_request_id() {
    let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed","errorLink":"E0000001",
        "errorId":"oae1","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}"#;
    let server = TestServer::start(vec![answer(400, body)]).await;
    let error = server
        .client(options())
        .create_group(&GroupProfile::default())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert_eq!(error.error_code(), Some("E0000001"));
    assert!(
        message.contains("login: An object with this field already exists"),
        "{message}"
    );
    assert!(message.contains("req-400"), "{message}");
    assert!(!message.contains("00test-ssws-token"), "{message}");
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error() {
    let server = TestServer::start(vec![answer(200, "{\"id\": ")]).await;
    let error = server.client(options()).get_me().await.unwrap_err();
    assert!(
        matches!(&error, OktaError::Decode { what, .. } if what == "user"),
        "{error:?}"
    );
}

#[tokio::test]
async fn bodiless_posts_send_content_length_zero_and_ignore_the_answer() {
    let server = TestServer::start(vec![
        answer(200, "{}"),
        answer(204, ""),
        answer(200, r#"{"activationUrl":"x","activationToken":"secret"}"#),
    ])
    .await;
    let client = server.client(options());
    client.suspend_user("00u1").await.unwrap();
    client.deactivate_user("00u1").await.unwrap();
    client.activate_user("00u1").await.unwrap();
    let received = server.received();
    assert_eq!(received[0].uri, "/acme/api/v1/users/00u1/lifecycle/suspend");
    assert_eq!(received[0].headers["content-length"], "0");
    assert_eq!(
        received[1].uri,
        "/acme/api/v1/users/00u1/lifecycle/deactivate?sendEmail=false"
    );
    assert_eq!(
        received[2].uri,
        "/acme/api/v1/users/00u1/lifecycle/activate?sendEmail=false"
    );
}

#[tokio::test]
async fn timeouts_are_retried_for_reads_but_not_for_creates() {
    let slow = |body: &str| answer(200, body).delayed(Duration::from_millis(400));
    let fast_timeout = ClientOptions {
        max_retries: 1,
        request_timeout: Duration::from_millis(100),
        ..options()
    };

    let server = TestServer::start(vec![slow(USER), answer(200, USER)]).await;
    server
        .client(fast_timeout.clone())
        .get_user("00u1")
        .await
        .unwrap();
    assert_eq!(server.received().len(), 2);

    let server = TestServer::start(vec![slow("{}"), answer(200, "{}")]).await;
    let error = server
        .client(fast_timeout)
        .create_ip_zone("svc", &["10.0.0.0/8".to_owned()])
        .await
        .unwrap_err();
    assert!(matches!(error, OktaError::Timeout { .. }), "{error:?}");
    assert_eq!(server.received().len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&server.received()[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"type": "IP", "name": "svc", "gateways": [{"type": "CIDR", "value": "10.0.0.0/8"}]})
    );
}

#[tokio::test]
async fn connection_failures_are_retried_and_then_reported() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let org = OrgUrl::parse(&format!("http://{address}/acme")).unwrap();
    let client = Client::new(org, Secret::new("00test-ssws-token"), options()).unwrap();
    // Creates too: a refused connection never sent the request.
    let error = client
        .create_group(&GroupProfile::default())
        .await
        .unwrap_err();
    assert!(matches!(error, OktaError::Transport { .. }), "{error:?}");
    assert!(!error.to_string().contains("00test-ssws-token"));
    // In a fleet, the message says which org cannot be reached.
    assert!(
        error
            .to_string()
            .contains(&format!("could not reach http://{address}/acme")),
        "{error}"
    );
}

#[tokio::test]
async fn find_user_by_login_checks_the_login_and_falls_back_to_the_filter() {
    let shortname = r#"{"id":"00u9","status":"ACTIVE","profile":{"login":"svc@other.com"}}"#;
    let server = TestServer::start(vec![
        answer(200, shortname),
        answer(200, &format!("[{USER}]")),
        answer(
            404,
            r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: x (User)"}"#,
        ),
    ])
    .await;
    let client = server.client(options());
    let found = client
        .find_user_by_login("SVC@acme.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, "00u1");
    assert!(
        client
            .find_user_by_login("nobody@acme.com")
            .await
            .unwrap()
            .is_none()
    );
    let received = server.received();
    assert_eq!(
        received[1].uri,
        "/acme/api/v1/users?filter=profile.login+eq+%22SVC%40acme.com%22"
    );
}

#[tokio::test]
async fn created_child_orgs_return_their_token() {
    let body = r#"{"id":"00o1","subdomain":"child","name":"Child","status":"ACTIVE","token":"00child-token","tokenType":"SSWS",
        "_links":{"administrator":{"href":"http://127.0.0.1:1/child/api/v1/users/00u7"}}}"#;
    let server = TestServer::start(vec![answer(201, body)]).await;
    let org = server
        .client(options())
        .create_child_org(&NewChildOrg {
            subdomain: "child".to_owned(),
            name: "Child".to_owned(),
            website: None,
            admin_profile: UserProfile {
                login: Some("svc@child.com".to_owned()),
                email: Some("svc@child.com".to_owned()),
                first_name: Some("MSP".to_owned()),
                last_name: Some("Integration".to_owned()),
                ..UserProfile::default()
            },
            admin_password: Some(Secret::new("pw")),
        })
        .await
        .unwrap();
    assert_eq!(org.token.expose(), "00child-token");
    assert_eq!(org.admin_user_id.as_deref(), Some("00u7"));
    assert_eq!(org.org_url.unwrap().as_str(), "http://127.0.0.1:1/child");
    let sent: serde_json::Value = serde_json::from_slice(&server.received()[0].body).unwrap();
    assert_eq!(sent["edition"], "SKU");
    assert_eq!(sent["admin"]["credentials"]["password"]["value"], "pw");
    assert!(
        sent["admin"]["credentials"]
            .get("recovery_question")
            .is_none()
    );
}

#[tokio::test]
async fn log_queries_are_always_bounded() {
    let server = TestServer::start(vec![answer(
        200,
        r#"[{"uuid":"1","eventType":"user.lifecycle.create"}]"#,
    )])
    .await;
    let since = time::macros::datetime!(2025-01-01 00:00 UTC);
    let events = server
        .client(options())
        .list_log_events(&LogQuery {
            since: Some(since),
            filter: Some("actor.id eq \"00u1\"".to_owned()),
            limit: Some(1000),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let uri = &server.received()[0].uri;
    assert!(uri.contains("since=2025-01-01T00%3A00%3A00.000Z"), "{uri}");
    // Milliseconds, as Okta documents: `until=YYYY-MM-DDTHH:MM:SS.mmmZ`.
    let until = uri
        .split("until=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert_eq!(until.len(), "2025-01-01T00%3A00%3A00.000Z".len(), "{uri}");
    assert!(
        until.ends_with('Z') && until.as_bytes()[until.len() - 5] == b'.',
        "{uri}"
    );
    assert!(uri.contains("until="), "{uri}");
    assert!(uri.contains("filter=actor.id+eq+%2200u1%22"), "{uri}");
}

#[tokio::test]
async fn a_token_reflected_into_an_error_answer_is_cut_out() {
    let reflected = r#"{"errorCode":"E0000001","errorSummary":"Bad header SSWS 00test-ssws-token","errorCauses":[{"errorSummary":"Authorization: SSWS 00test-ssws-token"}]}"#;
    let server = TestServer::start(vec![
        answer(400, reflected),
        answer(403, "<html>Forbidden: SSWS 00test-ssws-token</html>"),
    ])
    .await;
    let client = server.client(options());
    for _ in 0..2 {
        let error = client.get_user("00u1").await.unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("00test-ssws-token"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}

/// An intermediary that reflects the token in another form (base64, split in two, spaced out)
/// cannot make the error show it: such an answer text is withheld whole.
#[tokio::test]
async fn a_token_reflected_in_another_form_is_withheld() {
    use base64::Engine as _;
    let token = "00test-ssws-token";
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("SSWS {token}"));
    let spaced: String = token.chars().flat_map(|c| [c, ' ']).collect();
    let server = TestServer::start(vec![
        answer(
            400,
            &format!(r#"{{"errorCode":"E0000001","errorSummary":"Bad header {encoded}"}}"#),
        ),
        answer(403, "<html>Forbidden: SSWS 00test-s ... sws-token</html>"),
        answer(
            400,
            &format!(r#"{{"errorCode":"E0000001","errorSummary":"Bad header {spaced}"}}"#),
        ),
    ])
    .await;
    let client = server.client(options());
    for _ in 0..3 {
        let error = client.get_user("00u1").await.unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains(crate::secret::WITHHELD), "{text}");
        assert!(
            !text.contains(&encoded) && !text.contains("sws-token"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_unread() {
    let huge = format!("[{}]", vec![USER; 200].join(","));
    let server = TestServer::start(vec![answer(200, &huge)]).await;
    let error = server
        .client(ClientOptions {
            max_answer_bytes: 4096,
            ..options()
        })
        .list_zones()
        .await
        .unwrap_err();
    assert!(
        matches!(error, OktaError::AnswerTooLarge { limit: 4096, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("larger than 4096 bytes"),
        "{error}"
    );
}

/// A TLS server on loopback whose self-signed certificate no client trusts; counts the
/// connections it accepts.
async fn untrusted_tls_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let certificate = params.self_signed(&key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![certificate.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    (format!("https://localhost:{port}/acme"), accepted)
}

#[tokio::test]
async fn an_untrusted_certificate_fails_at_once_without_retries() {
    let (url, accepted) = untrusted_tls_server().await;
    let client = Client::new(
        OrgUrl::parse(&url).unwrap(),
        Secret::new("00test-ssws-token"),
        ClientOptions {
            max_retries: 3,
            backoff_base: Duration::from_secs(2),
            ..options()
        },
    )
    .unwrap();
    let started = Instant::now();
    let error = client.get_user("00u1").await.unwrap_err();
    assert!(matches!(error, OktaError::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("certificate"), "{error}");
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "no retry"
    );
    assert!(started.elapsed() < Duration::from_secs(1), "no backoff");
}
