//! Okta's eventual consistency as the emulator models it: `search` on users and the System Log
//! trail the writes by their lag; `filter` and lookups by id or login do not.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org};

/// Far longer than a loopback round trip, so "not visible yet" right after a write is never a
/// race, and short enough to wait out.
const LAG_MS: &str = "3000";

/// How long a test waits for the lag to pass before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

fn encode(expression: &str) -> String {
    expression
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

async fn logins(emulator: &Emulator, org: &Org, parameter: &str, expression: &str) -> Vec<String> {
    let url = format!(
        "{}/api/v1/users?{parameter}={}",
        org.url,
        encode(expression)
    );
    let answer = emulator.get(&url, &org.token).await;
    assert_eq!(answer.status, 200, "{url}: {:?}", answer.body);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["profile"]["login"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls `probe` until it holds; fails after [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !probe().await {
        assert!(started.elapsed() < PATIENCE, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn emulator_search_trails_writes_by_the_search_lag_while_filter_and_lookups_do_not() {
    let emulator = Emulator::start_with(&["--search-lag-ms", LAG_MS, "--log-lag-ms", "0"]);
    let org = emulator.create_org("searchlag").await;
    let login = "fresh@searchlag.example.com";
    let created = emulator.create_user(&org, login, "").await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let by_login = format!("profile.login eq \"{login}\"");
    assert!(
        logins(&emulator, &org, "search", &by_login)
            .await
            .is_empty(),
        "a user created a moment ago is not in the search index yet"
    );
    assert_eq!(
        logins(&emulator, &org, "filter", &by_login).await,
        vec![login]
    );
    let fetched = emulator
        .get(&format!("{}/api/v1/users/{login}", org.url), &org.token)
        .await;
    assert_eq!(fetched.status, 200);
    eventually("the new user reaching search", || async {
        logins(&emulator, &org, "search", &by_login).await == vec![login]
    })
    .await;

    // An update: search still matches the old e-mail address until the index catches up.
    let updated = emulator
        .call(
            Method::POST,
            &format!("{}/api/v1/users/{id}", org.url),
            &org.token,
            Some(json!({ "profile": { "email": "moved@searchlag.example.com" } })),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let old_email = format!("profile.email eq \"{login}\"");
    let new_email = "profile.email eq \"moved@searchlag.example.com\"";
    assert_eq!(
        logins(&emulator, &org, "search", &old_email).await,
        vec![login]
    );
    assert!(
        logins(&emulator, &org, "search", new_email)
            .await
            .is_empty()
    );
    assert_eq!(
        logins(&emulator, &org, "filter", new_email).await,
        vec![login]
    );
    eventually("the update reaching search", || async {
        logins(&emulator, &org, "search", new_email).await == vec![login]
            && logins(&emulator, &org, "search", &old_email)
                .await
                .is_empty()
    })
    .await;
}

async fn log_events(emulator: &Emulator, url: &str, token: &str) -> (Vec<Value>, Option<String>) {
    let answer = emulator.get(url, token).await;
    assert_eq!(answer.status, 200, "{url}: {:?}", answer.body);
    (answer.body.as_array().unwrap().clone(), answer.next_link())
}

fn has_event(events: &[Value], event_type: &str, user_id: &str) -> bool {
    events.iter().any(|event| {
        event["eventType"] == event_type
            && event["target"]
                .as_array()
                .is_some_and(|targets| targets.iter().any(|t| t["id"] == user_id))
    })
}

#[tokio::test]
async fn emulator_system_log_lists_an_event_only_after_the_log_lag() {
    let emulator = Emulator::start_with(&["--log-lag-ms", LAG_MS, "--search-lag-ms", "0"]);
    let org = emulator.create_org("loglag").await;
    let created = emulator
        .create_user(&org, "svc@loglag.example.com", "")
        .await;
    let user_id = created.body["id"].as_str().unwrap().to_owned();
    let granted = emulator
        .post(
            &format!("{}/api/v1/users/{user_id}/roles", org.url),
            &org.token,
            json!({ "type": "ORG_ADMIN" }),
        )
        .await;
    assert_eq!(granted.status, 201, "{:?}", granted.body);

    // A polling request (no `until`) made at once: the grant is published but not listed, and
    // the next link resumes before it, so the poll that follows the lag lists it.
    let since = format!("{}/api/v1/logs?since=2000-01-01T00:00:00.000Z", org.url);
    let (events, next) = log_events(&emulator, &since, &org.token).await;
    assert!(
        !has_event(&events, "user.account.privilege.grant", &user_id),
        "{events:#?}"
    );
    let next = next.expect("polling requests always have a next link");
    eventually("the grant reaching the System Log", || async {
        let (events, _) = log_events(&emulator, &next, &org.token).await;
        has_event(&events, "user.account.privilege.grant", &user_id)
    })
    .await;
}

#[tokio::test]
async fn emulator_logs_removing_one_of_two_roles_as_a_grant_and_the_last_as_a_revoke() {
    let emulator = Emulator::start();
    let org = emulator.create_org("partial").await;
    let created = emulator
        .create_user(&org, "svc@partial.example.com", "")
        .await;
    let user_id = created.body["id"].as_str().unwrap().to_owned();
    let roles_url = format!("{}/api/v1/users/{user_id}/roles", org.url);
    let mut assignments = Vec::new();
    for role in ["ORG_ADMIN", "HELP_DESK_ADMIN"] {
        let granted = emulator
            .post(&roles_url, &org.token, json!({ "type": role }))
            .await;
        assert_eq!(granted.status, 201, "{:?}", granted.body);
        assignments.push(granted.body["id"].as_str().unwrap().to_owned());
    }

    let latest = || async {
        let url = format!(
            "{}/api/v1/logs?sortOrder=DESCENDING&limit=1&filter={}",
            org.url,
            encode(&format!("target.id eq \"{user_id}\""))
        );
        emulator.get(&url, &org.token).await.body[0].clone()
    };
    let target_types = |event: &Value| -> Vec<String> {
        event["target"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["type"].as_str().unwrap().to_owned())
            .collect()
    };

    let granted = latest().await;
    assert_eq!(granted["eventType"], "user.account.privilege.grant");
    assert_eq!(target_types(&granted), ["User", "ROLE_ASSIGNED", "ROLE"]);

    let removed = emulator
        .call(
            Method::DELETE,
            &format!("{roles_url}/{}", assignments[0]),
            &org.token,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let partial = latest().await;
    assert_eq!(
        partial["eventType"], "user.account.privilege.grant",
        "one role remains, so the user's privileges changed rather than ended: {partial:#}"
    );
    assert_eq!(target_types(&partial), ["User", "ROLE_UNASSIGNED", "ROLE"]);
    assert_eq!(
        partial["target"][2]["displayName"],
        "Organizational Administrator"
    );

    let removed = emulator
        .call(
            Method::DELETE,
            &format!("{roles_url}/{}", assignments[1]),
            &org.token,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let last = latest().await;
    assert_eq!(last["eventType"], "user.account.privilege.revoke");
    assert_eq!(
        target_types(&last),
        ["User", "ROLE_UNASSIGNED_ALL_PRIVILEGES_REVOKED", "ROLE"]
    );
}
