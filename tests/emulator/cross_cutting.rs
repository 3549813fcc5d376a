use reqwest::Method;

use super::support::{Emulator, assert_common_headers, assert_error, assert_fixture};

#[tokio::test]
async fn emulator_auth_refuses_missing_unknown_and_other_org_tokens() {
    let emulator = Emulator::start();
    let org = emulator.create_org("auth").await;
    let url = format!("{}/api/v1/users/me", org.url);
    let missing = emulator.send(Method::GET, &url, None, None).await.unwrap();
    assert_error(&missing, 401, "E0000011");
    assert_fixture(&missing.body, "errors/invalid_token.json", &[]);
    let bearer = emulator
        .send(
            Method::GET,
            &url,
            Some(&format!("Bearer {}", org.token)),
            None,
        )
        .await
        .unwrap();
    assert_error(&bearer, 401, "E0000011");
    assert_error(
        &emulator.get(&url, "00unknownTokenValue").await,
        401,
        "E0000011",
    );
    assert_error(
        &emulator.get(&url, &emulator.partner_token).await,
        401,
        "E0000011",
    );
    assert_eq!(emulator.get(&url, &org.token).await.status, 200);
}

#[tokio::test]
async fn emulator_every_answer_carries_okta_headers() {
    let emulator = Emulator::start();
    let partner = &emulator.partner_url;
    let token = &emulator.partner_token;
    let answers = vec![
        emulator.get(&format!("{partner}/api/v1/org"), token).await,
        emulator
            .get(&format!("{partner}/api/v1/users/nobody"), token)
            .await,
        emulator
            .get(&format!("{partner}/api/v1/apps/0oa1/features"), token)
            .await,
        emulator
            .call(
                Method::PATCH,
                &format!("{partner}/api/v1/users/me"),
                token,
                None,
            )
            .await,
        emulator
            .get(&format!("{}/nosuchorg/api/v1/org", emulator.url), token)
            .await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![200, 404, 501, 405, 404]);
    for answer in &answers {
        assert_common_headers(answer);
    }
    assert_error(&answers[2], 501, "E0000060");
    assert_error(&answers[3], 405, "E0000022");
    assert_error(&answers[4], 404, "E0000008");
    let first: u64 = answers[0]
        .header("x-rate-limit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    let limit: u64 = answers[0]
        .header("x-rate-limit-limit")
        .unwrap()
        .parse()
        .unwrap();
    assert!(first < limit);
    let ids: std::collections::HashSet<&str> = answers
        .iter()
        .map(|a| a.header("x-okta-request-id").unwrap())
        .collect();
    assert_eq!(ids.len(), answers.len(), "request ids are unique");
}

#[tokio::test]
async fn emulator_rate_limit_bucket_empties_with_429_e0000047() {
    // A tenth of a percent of the defaults: the System Log bucket (120/min) holds one request.
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0.001"]);
    let logs = format!("{}/api/v1/logs", emulator.partner_url);
    let first = emulator.get(&logs, &emulator.partner_token).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-rate-limit-limit"), Some("1"));
    assert_eq!(first.header("x-rate-limit-remaining"), Some("0"));
    let limited = emulator.get(&logs, &emulator.partner_token).await;
    assert_error(&limited, 429, "E0000047");
    assert_fixture(&limited.body, "errors/rate_limited.json", &[]);
    assert_eq!(limited.header("x-rate-limit-remaining"), Some("0"));
    assert!(
        limited.header("retry-after").is_none(),
        "Okta sends no Retry-After"
    );
    // Buckets are per endpoint family: another family still answers.
    assert_eq!(
        emulator
            .get(
                &format!("{}/api/v1/org", emulator.partner_url),
                &emulator.partner_token
            )
            .await
            .status,
        200
    );
    let stats = emulator.control(Method::GET, "/stats", None).await;
    assert_eq!(stats.body["rate_limited"], 1);
}
