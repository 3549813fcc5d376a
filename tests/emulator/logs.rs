use serde_json::json;

use super::support::{Emulator, assert_error, assert_fixture};

#[tokio::test]
async fn emulator_system_log_records_mutations_with_actor_and_token() {
    let emulator = Emulator::start();
    let org = emulator.create_org("audit").await;
    let created = emulator
        .create_user(&org, "svc@audit.example.com", "")
        .await;
    let request_id = created.header("x-okta-request-id").unwrap().to_string();
    let user_id = created.body["id"].as_str().unwrap().to_string();
    let token_id = emulator
        .get(&format!("{}/api/v1/api-tokens", org.url), &org.token)
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    emulator
        .post(
            &format!("{}/api/v1/users/{user_id}/roles", org.url),
            &org.token,
            json!({ "type": "SUPER_ADMIN" }),
        )
        .await;

    let logs = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22user.lifecycle.create%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(logs.status, 200);
    assert_eq!(logs.body.as_array().unwrap().len(), 1);
    assert_fixture(
        &logs.body[0],
        "log_event_user_create.json",
        &[
            ("actor_id", &org.admin_id),
            ("actor_login", "msp-integration@audit.example.com"),
            ("request_id", &request_id),
            ("token_id", &token_id),
            ("user_id", &user_id),
            ("login", "svc@audit.example.com"),
        ],
    );
    assert!(
        logs.next_link().is_some(),
        "polling requests always have next"
    );

    let by_target = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=target.id%20eq%20%22{user_id}%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let types: Vec<&str> = by_target
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "user.lifecycle.create",
            "user.lifecycle.activate",
            "user.account.privilege.grant"
        ]
    );

    let by_token = emulator
        .get(&format!("{}/api/v1/logs?filter=transaction.detail.requestApiTokenId%20eq%20%22{token_id}%22", org.url), &org.token)
        .await;
    assert_eq!(by_token.body.as_array().unwrap().len(), 3);

    let keyword = emulator
        .get(&format!("{}/api/v1/logs?q=privilege", org.url), &org.token)
        .await;
    assert_eq!(keyword.body.as_array().unwrap().len(), 1);

    let descending = emulator
        .get(
            &format!("{}/api/v1/logs?sortOrder=DESCENDING&limit=1", org.url),
            &org.token,
        )
        .await;
    assert_eq!(
        descending.body[0]["eventType"],
        "user.account.privilege.grant"
    );

    let published = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=published%20gt%20%222020-01-01T00:00:00.000Z%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_error(&published, 400, "E0000053");
}

#[tokio::test]
async fn emulator_system_log_bounded_queries_end_and_polling_resumes() {
    let emulator = Emulator::start();
    let org = emulator.create_org("polling").await;
    for index in 0..3 {
        emulator
            .create_user(&org, &format!("u{index}@polling.example.com"), "")
            .await;
    }
    // Bounded: six events (create + activate per user), two per page, the last page has no next.
    let mut next = Some(format!(
        "{}/api/v1/logs?since=2000-01-01T00:00:00.000Z&until=2999-01-01T00:00:00.000Z&limit=2",
        org.url
    ));
    let mut count = 0;
    let mut pages = 0;
    while let Some(url) = next {
        let page = emulator.get(&url, &org.token).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        count += page.body.as_array().unwrap().len();
        next = page.next_link();
        pages += 1;
        assert!(pages < 10);
    }
    assert_eq!((count, pages), (6, 3));

    // Polling: read everything, then the next link yields only newer events.
    let all = emulator
        .get(&format!("{}/api/v1/logs?limit=1000", org.url), &org.token)
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), 6);
    let resume = all.next_link().expect("next link");
    let empty = emulator.get(&resume, &org.token).await;
    assert_eq!(empty.body, json!([]));
    let resume = empty.next_link().expect("polling always has next");
    emulator
        .create_user(&org, "late@polling.example.com", "")
        .await;
    let newer = emulator.get(&resume, &org.token).await;
    assert_eq!(newer.body.as_array().unwrap().len(), 2);
    assert_eq!(
        newer.body[0]["target"][0]["alternateId"],
        "late@polling.example.com"
    );

    assert_error(
        &emulator
            .get(&format!("{}/api/v1/logs?after=nope", org.url), &org.token)
            .await,
        400,
        "E0000029",
    );
}
