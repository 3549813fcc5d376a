//! Okta's default per-credential share of each rate-limit bucket, and
//! `/api/v1/principal-rate-limits` to change it.

use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, Org, assert_error};

/// Calls `GET /api/v1/users` (the users bucket) with `token` until it is refused; returns the
/// limits the answers reported and how many were served.
async fn drain_users_bucket(emulator: &Emulator, org: &Org, token: &str) -> (Vec<String>, usize) {
    let mut limits = Vec::new();
    for served in 0..100 {
        let answer = emulator
            .get(&format!("{}/api/v1/users?limit=1", org.url), token)
            .await;
        limits.push(
            answer
                .header("x-rate-limit-limit")
                .unwrap_or("")
                .to_string(),
        );
        if answer.status == 429 {
            assert_error(&answer, 429, "E0000047");
            assert_eq!(answer.header("x-rate-limit-remaining"), Some("0"));
            return (limits, served);
        }
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    panic!("the users bucket never emptied");
}

async fn console_token(emulator: &Emulator, org: &Org, subdomain: &str) -> String {
    let created = emulator
        .control(
            Method::POST,
            &format!("/orgs/{subdomain}/users/{}/api-tokens", org.admin_id),
            Some(json!({})),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn emulator_each_token_gets_half_of_a_bucket_and_the_org_the_whole() {
    // The users bucket, 600 a minute, is 30 at this scale: 15 for each token.
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0.05"]);
    let org = emulator.create_org("share").await;
    let limits = emulator.control(Method::GET, "/rate-limits", None).await;
    assert_eq!(limits.body["default_share_percent"], 50);

    let (seen, served) = drain_users_bucket(&emulator, &org, &org.token).await;
    assert_eq!(served, 15, "half of the 30");
    assert!(seen.iter().all(|limit| limit == "15"), "{seen:?}");

    // A second token of the same org has a half of its own; then the org's 30 are spent, and
    // a third token is refused although its own share is untouched.
    let second = console_token(&emulator, &org, "share").await;
    let third = console_token(&emulator, &org, "share").await;
    let (_, served) = drain_users_bucket(&emulator, &org, &second).await;
    assert_eq!(served, 15);
    let (_, served) = drain_users_bucket(&emulator, &org, &third).await;
    assert_eq!(served, 0, "the org's bucket is empty");

    // Other buckets are untouched: the token still reads a user by id (its own bucket).
    let me = emulator
        .get(&format!("{}/api/v1/users/me", org.url), &org.token)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.header("x-rate-limit-limit"),
        Some("50"),
        "2,000 x 0.05 / 2"
    );
}

#[tokio::test]
async fn emulator_the_default_share_is_a_flag() {
    let emulator =
        Emulator::start_with(&["--rate-limit-scale", "0.05", "--rate-limit-share", "100"]);
    let org = emulator.create_org("wholeshare").await;
    let (seen, served) = drain_users_bucket(&emulator, &org, &org.token).await;
    assert_eq!(served, 30);
    assert_eq!(seen[0], "30");
}

#[tokio::test]
async fn emulator_principal_rate_limits_change_a_tokens_share() {
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0.05"]);
    let org = emulator.create_org("prl").await;
    let token_id = emulator
        .get(&format!("{}/api/v1/api-tokens", org.url), &org.token)
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let entities = format!("{}/api/v1/principal-rate-limits", org.url);

    let created = emulator
        .post(
            &entities,
            &org.token,
            json!({ "principalId": token_id, "principalType": "SSWS_TOKEN", "defaultPercentage": 80, "defaultConcurrencyPercentage": 75 }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("prl"), "{id}");
    assert_eq!(created.body["principalType"], "SSWS_TOKEN");
    assert_eq!(created.body["defaultPercentage"], 80);
    assert_eq!(created.body["createdBy"], org.admin_id);
    assert!(created.body["orgId"].as_str().unwrap().starts_with("00o"));

    // One entity per principal; principals must exist; percentages are 1 to 100.
    assert_error(
        &emulator
            .post(
                &entities,
                &org.token,
                json!({ "principalId": token_id, "principalType": "SSWS_TOKEN" }),
            )
            .await,
        400,
        "E0000001",
    );
    assert_error(
        &emulator
            .post(
                &entities,
                &org.token,
                json!({ "principalId": "00Tnothere", "principalType": "SSWS_TOKEN" }),
            )
            .await,
        404,
        "E0000007",
    );
    let invalid = emulator
        .post(
            &entities,
            &org.token,
            json!({ "principalId": "x", "principalType": "USER", "defaultPercentage": 0 }),
        )
        .await;
    assert_error(&invalid, 400, "E0000001");
    assert_eq!(invalid.body["errorCauses"].as_array().unwrap().len(), 2);

    // The listing needs its filter.
    assert_error(&emulator.get(&entities, &org.token).await, 400, "E0000028");
    let listed = emulator
        .get(
            &format!("{entities}?filter=principalType%20eq%20%22SSWS_TOKEN%22"),
            &org.token,
        )
        .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body[0]["id"], id);
    let other_type = emulator
        .get(
            &format!("{entities}?filter=principalType%20eq%20%22OAUTH_CLIENT%22"),
            &org.token,
        )
        .await;
    assert_eq!(other_type.body.as_array().unwrap().len(), 0);
    assert_error(
        &emulator
            .get(&format!("{entities}?filter=id%20eq%20%22x%22"), &org.token)
            .await,
        400,
        "E0000031",
    );

    // 80% of the users bucket's 30.
    let answer = emulator
        .get(&format!("{}/api/v1/users?limit=1", org.url), &org.token)
        .await;
    assert_eq!(answer.header("x-rate-limit-limit"), Some("24"));

    let replaced = emulator
        .call(
            Method::PUT,
            &format!("{entities}/{id}"),
            &org.token,
            Some(json!({ "principalId": token_id, "principalType": "SSWS_TOKEN", "defaultPercentage": 20 })),
        )
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["defaultPercentage"], 20);
    assert_eq!(replaced.body["defaultConcurrencyPercentage"], 75);
    let answer = emulator
        .get(&format!("{}/api/v1/users?limit=1", org.url), &org.token)
        .await;
    assert_eq!(answer.header("x-rate-limit-limit"), Some("6"));
    assert_eq!(
        emulator
            .get(&format!("{entities}/{id}"), &org.token)
            .await
            .body["defaultPercentage"],
        20
    );
    assert_error(
        &emulator
            .get(&format!("{entities}/prlnothere"), &org.token)
            .await,
        404,
        "E0000007",
    );

    let logged = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22system.rate_limit.configuration.update%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let events = logged.body.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["debugContext"]["debugData"]["oldRateLimitPercentage"],
        80
    );
    assert_eq!(
        events[1]["debugContext"]["debugData"]["newRateLimitPercentage"],
        20
    );
    assert_eq!(events[1]["target"][0]["id"], token_id);
}
