use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error, assert_fixture, user_request};

#[tokio::test]
async fn emulator_user_create_follows_okta_status_table() {
    let emulator = Emulator::start();
    let org = emulator.create_org("users").await;
    let users = format!("{}/api/v1/users", org.url);

    let active = emulator
        .create_user(&org, "svc-active@users.example.com", "")
        .await;
    assert_eq!(active.status, 200, "create answers 200, not 201");
    assert_fixture(
        &active.body,
        "user_active.json",
        &[("login", "svc-active@users.example.com")],
    );

    let staged = emulator
        .post(
            &format!("{users}?activate=false"),
            &org.token,
            user_request("svc-staged@users.example.com", None),
        )
        .await;
    assert_eq!(staged.status, 200);
    assert_fixture(
        &staged.body,
        "user_staged.json",
        &[("login", "svc-staged@users.example.com")],
    );

    let provisioned = emulator
        .post(
            &users,
            &org.token,
            user_request("svc-prov@users.example.com", None),
        )
        .await;
    assert_eq!(provisioned.body["status"], "PROVISIONED");
    assert!(provisioned.body["credentials"].get("password").is_none());

    let duplicate = emulator
        .create_user(&org, "SVC-ACTIVE@users.example.com", "")
        .await;
    assert_error(&duplicate, 400, "E0000001");
    assert_fixture(&duplicate.body, "errors/duplicate_login.json", &[]);

    let invalid = emulator
        .post(
            &users,
            &org.token,
            json!({ "profile": { "login": "not-an-email" } }),
        )
        .await;
    assert_error(&invalid, 400, "E0000001");
    assert!(invalid.body["errorCauses"].as_array().unwrap().len() >= 3);

    let weak = emulator
        .post(
            &users,
            &org.token,
            user_request("weak@users.example.com", Some("abc")),
        )
        .await;
    assert_error(&weak, 403, "E0000080");
}

#[tokio::test]
async fn emulator_user_get_by_id_login_shortname_and_me() {
    let emulator = Emulator::start();
    let org = emulator.create_org("lookup").await;
    let created = emulator
        .create_user(&org, "radius-agent@lookup.example.com", "")
        .await;
    let id = created.body["id"].as_str().unwrap();
    for key in [id, "radius-agent@lookup.example.com", "radius-agent"] {
        let answer = emulator
            .get(&format!("{}/api/v1/users/{key}", org.url), &org.token)
            .await;
        assert_eq!(answer.status, 200, "{key}");
        assert_eq!(answer.body["id"], id);
        assert!(
            answer
                .header("etag")
                .is_some_and(|etag| etag.starts_with("W/\""))
        );
    }
    let me = emulator
        .get(&format!("{}/api/v1/users/me", org.url), &org.token)
        .await;
    assert_eq!(me.body["id"], org.admin_id.as_str());
    let missing = emulator
        .get(
            &format!("{}/api/v1/users/nobody@lookup.example.com", org.url),
            &org.token,
        )
        .await;
    assert_error(&missing, 404, "E0000007");
    assert_fixture(
        &missing.body,
        "errors/user_not_found.json",
        &[("id", "nobody@lookup.example.com")],
    );
}

#[tokio::test]
async fn emulator_user_lifecycle_enforces_status_rules() {
    let emulator = Emulator::start();
    let org = emulator.create_org("lifecycle").await;
    let created = emulator
        .create_user(&org, "svc@lifecycle.example.com", "")
        .await;
    let user = format!(
        "{}/api/v1/users/{}",
        org.url,
        created.body["id"].as_str().unwrap()
    );
    let op = |name: &str| format!("{user}/lifecycle/{name}");
    assert_error(
        &emulator.post(&op("activate"), &org.token, json!({})).await,
        403,
        "E0000016",
    );
    assert_error(
        &emulator.post(&op("unlock"), &org.token, json!({})).await,
        403,
        "E0000032",
    );
    assert_error(
        &emulator.post(&op("unsuspend"), &org.token, json!({})).await,
        400,
        "E0000001",
    );
    assert_error(
        &emulator
            .post(&op("reactivate"), &org.token, json!({}))
            .await,
        403,
        "E0000038",
    );

    let suspended = emulator.post(&op("suspend"), &org.token, json!({})).await;
    assert_eq!((suspended.status, suspended.body.clone()), (200, json!({})));
    assert_eq!(status_of(&emulator, &user, &org.token).await, "SUSPENDED");
    assert_error(
        &emulator.post(&op("suspend"), &org.token, json!({})).await,
        400,
        "E0000001",
    );
    assert_eq!(
        emulator
            .post(&op("unsuspend"), &org.token, json!({}))
            .await
            .status,
        200
    );
    assert_eq!(status_of(&emulator, &user, &org.token).await, "ACTIVE");

    let expired = emulator
        .post(&op("expire_password"), &org.token, json!({}))
        .await;
    assert_eq!(expired.status, 200);
    assert_eq!(expired.body["status"], "PASSWORD_EXPIRED");

    let reset = emulator
        .post(
            &format!("{}?sendEmail=false", op("reset_password")),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(reset.status, 200);
    assert!(reset.body["resetPasswordUrl"].is_string());
    assert_eq!(status_of(&emulator, &user, &org.token).await, "RECOVERY");

    let deactivated = emulator
        .post(&op("deactivate"), &org.token, json!({}))
        .await;
    assert_eq!(
        (deactivated.status, deactivated.body.clone()),
        (200, json!({}))
    );
    assert_eq!(
        status_of(&emulator, &user, &org.token).await,
        "DEPROVISIONED"
    );
    assert_error(
        &emulator
            .post(&op("deactivate"), &org.token, json!({}))
            .await,
        403,
        "E0000038",
    );

    let activated = emulator
        .post(
            &format!("{}?sendEmail=false", op("activate")),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(activated.status, 200);
    assert!(activated.body["activationToken"].is_string());
    assert!(activated.body["activationUrl"].is_string());
    assert_eq!(
        status_of(&emulator, &user, &org.token).await,
        "PROVISIONED",
        "reset cleared the password"
    );
}

#[tokio::test]
async fn emulator_user_delete_is_two_step() {
    let emulator = Emulator::start();
    let org = emulator.create_org("deletes").await;
    let created = emulator
        .create_user(&org, "gone@deletes.example.com", "")
        .await;
    let user = format!(
        "{}/api/v1/users/{}",
        org.url,
        created.body["id"].as_str().unwrap()
    );
    let first = emulator.call(Method::DELETE, &user, &org.token, None).await;
    assert_eq!(first.status, 204);
    assert_eq!(
        emulator.get(&user, &org.token).await.body["status"],
        "DEPROVISIONED"
    );
    let second = emulator.call(Method::DELETE, &user, &org.token, None).await;
    assert_eq!(second.status, 204);
    assert_error(&emulator.get(&user, &org.token).await, 404, "E0000007");
    assert_error(
        &emulator.call(Method::DELETE, &user, &org.token, None).await,
        404,
        "E0000007",
    );
    // The login is free again.
    assert_eq!(
        emulator
            .create_user(&org, "gone@deletes.example.com", "")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn emulator_user_partial_and_full_update() {
    let emulator = Emulator::start();
    let org = emulator.create_org("updates").await;
    let created = emulator
        .create_user(&org, "svc@updates.example.com", "")
        .await;
    let user = format!(
        "{}/api/v1/users/{}",
        org.url,
        created.body["id"].as_str().unwrap()
    );

    let partial = emulator
        .post(
            &user,
            &org.token,
            json!({ "profile": { "userType": "service_account" } }),
        )
        .await;
    assert_eq!(partial.status, 200);
    assert_eq!(partial.body["profile"]["userType"], "service_account");
    assert_eq!(partial.body["profile"]["firstName"], "Service");

    let incomplete = emulator
        .call(
            Method::PUT,
            &user,
            &org.token,
            Some(json!({ "profile": { "login": "svc@updates.example.com" } })),
        )
        .await;
    assert_error(&incomplete, 400, "E0000001");

    let full = emulator
        .call(
            Method::PUT,
            &user,
            &org.token,
            Some(json!({ "profile": {
                "firstName": "Renamed", "lastName": "Account",
                "login": "svc@updates.example.com", "email": "svc@updates.example.com"
            } })),
        )
        .await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body["profile"]["firstName"], "Renamed");
    assert!(
        full.body["profile"].get("userType").is_none(),
        "PUT replaces the profile"
    );

    emulator
        .create_user(&org, "other@updates.example.com", "")
        .await;
    let clash = emulator
        .post(
            &user,
            &org.token,
            json!({ "profile": { "login": "other@updates.example.com" } }),
        )
        .await;
    assert_error(&clash, 400, "E0000001");
}

#[tokio::test]
async fn emulator_user_list_pages_filters_and_searches() {
    let emulator = Emulator::start();
    let org = emulator.create_org("lists").await;
    for index in 0..5 {
        emulator
            .create_user(&org, &format!("user{index}@lists.example.com"), "")
            .await;
    }
    let staged = emulator
        .post(
            &format!("{}/api/v1/users?activate=false", org.url),
            &org.token,
            user_request("staged@lists.example.com", None),
        )
        .await;
    let staged_id = staged.body["id"].as_str().unwrap().to_string();

    // Seven users (admin, five, staged), two per page.
    let mut next = Some(format!("{}/api/v1/users?limit=2", org.url));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next {
        let page = emulator.get(&url, &org.token).await;
        assert_eq!(page.status, 200);
        assert!(page.body.as_array().unwrap().len() <= 2);
        for user in page.body.as_array().unwrap() {
            seen.push(user["id"].as_str().unwrap().to_string());
            assert_eq!(
                user["_links"].as_object().unwrap().len(),
                1,
                "lists carry only self"
            );
        }
        next = page.next_link();
        pages += 1;
    }
    assert_eq!((seen.len(), pages), (7, 4));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7);

    let bad = emulator
        .get(
            &format!("{}/api/v1/users?after=garbage", org.url),
            &org.token,
        )
        .await;
    assert_error(&bad, 400, "E0000029");
    assert_fixture(&bad.body, "errors/invalid_paging.json", &[]);

    let filtered = emulator
        .get(
            &format!("{}/api/v1/users?filter=status%20eq%20%22STAGED%22", org.url),
            &org.token,
        )
        .await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 1);
    assert_eq!(filtered.body[0]["id"], staged_id.as_str());

    let bad_filter = emulator
        .get(
            &format!(
                "{}/api/v1/users?filter=profile.nickName%20eq%20%22x%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_error(&bad_filter, 400, "E0000031");

    let search = emulator
        .get(
            &format!(
                "{}/api/v1/users?search=profile.login%20sw%20%22user1%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(search.body.as_array().unwrap().len(), 1);

    // Okta: `filter` compares values exactly, `search` without regard to case.
    let exact = |parameter: &str, value: &str| {
        format!(
            "{}/api/v1/users?{parameter}=profile.email%20eq%20%22{value}%22",
            org.url
        )
    };
    let by_filter = emulator
        .get(&exact("filter", "USER2%40lists.example.com"), &org.token)
        .await;
    assert_eq!(by_filter.status, 200);
    assert_eq!(
        by_filter.body.as_array().unwrap().len(),
        0,
        "filter is exact"
    );
    let by_filter = emulator
        .get(&exact("filter", "user2%40lists.example.com"), &org.token)
        .await;
    assert_eq!(by_filter.body.as_array().unwrap().len(), 1);
    let by_search = emulator
        .get(&exact("search", "USER2%40lists.example.com"), &org.token)
        .await;
    assert_eq!(
        by_search.body.as_array().unwrap().len(),
        1,
        "search folds case"
    );

    // Deprovisioned users leave the default listing but not filters.
    let user = format!("{}/api/v1/users/{staged_id}", org.url);
    emulator.call(Method::DELETE, &user, &org.token, None).await;
    let listed = emulator
        .get(&format!("{}/api/v1/users", org.url), &org.token)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 6);
    let deprovisioned = emulator
        .get(
            &format!(
                "{}/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22",
                org.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(deprovisioned.body.as_array().unwrap().len(), 1);

    let q = emulator
        .get(&format!("{}/api/v1/users?q=MSP", org.url), &org.token)
        .await;
    assert_eq!(q.body.as_array().unwrap().len(), 1);
    assert!(q.next_link().is_none());
}

#[tokio::test]
async fn emulator_refuses_malformed_and_oversized_bodies() {
    let emulator = Emulator::start_with(&["--max-body-bytes", "4096"]);
    let org = emulator.create_org("bodies").await;
    let url = format!("{}/api/v1/users", org.url);
    let authorization = format!("SSWS {}", org.token);
    let malformed = emulator
        .client
        .post(&url)
        .header("Authorization", &authorization)
        .header("Content-Type", "application/json")
        .body("{\"profile\": {")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_fixture(&body, "errors/malformed_body.json", &[]);

    let huge =
        json!({ "profile": { "login": "big@bodies.example.com", "blob": "x".repeat(8192) } });
    let oversized = emulator.post(&url, &org.token, huge).await;
    assert_error(&oversized, 413, "E0000001");
}

async fn status_of(emulator: &Emulator, user: &str, token: &str) -> serde_json::Value {
    emulator.get(user, token).await.body["status"].clone()
}

#[tokio::test]
async fn emulator_lockout_is_simulated_through_the_control_plane_and_unlocked_through_the_api() {
    let emulator = Emulator::start();
    let org = emulator.create_org("lockout").await;
    let active = emulator
        .create_user(&org, "svc-lock@lockout.example.com", "")
        .await;
    let id = active.body["id"].as_str().unwrap().to_owned();
    let lock_path = format!("/orgs/lockout/users/{id}/lock");

    let locked = emulator.control(Method::POST, &lock_path, None).await;
    assert_eq!(locked.status, 200, "{:?}", locked.body);
    assert_eq!(locked.body["status"], "LOCKED_OUT");
    let user = format!("{}/api/v1/users/{id}", org.url);
    assert_eq!(
        emulator.get(&user, &org.token).await.body["status"],
        "LOCKED_OUT"
    );
    // The System Log shows the lockout, with the user as its actor, as failed sign-ins would.
    let logs = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType%20eq%20%22user.account.lock%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let events = logs.body.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["actor"]["id"], id.as_str());
    assert_eq!(events[0]["target"][0]["id"], id.as_str());

    // Locking twice, or a user who cannot sign in, is refused; so are strangers and unknowns.
    let again = emulator.control(Method::POST, &lock_path, None).await;
    assert_eq!(again.status, 400, "{:?}", again.body);
    let unknown_org = emulator
        .control(
            Method::POST,
            &format!("/orgs/nowhere/users/{id}/lock"),
            None,
        )
        .await;
    assert_eq!(unknown_org.status, 404);
    let unknown_user = emulator
        .control(Method::POST, "/orgs/lockout/users/00uNOPE/lock", None)
        .await;
    assert_eq!(unknown_user.status, 404);
    let stranger = emulator
        .send(
            Method::POST,
            &format!("{}/_emulator{lock_path}", emulator.url),
            Some(&format!("SSWS {}", org.token)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        stranger.status, 401,
        "an org token cannot drive the control plane"
    );

    // The admin unlocks through Okta's API.
    let unlocked = emulator
        .call(
            Method::POST,
            &format!("{user}/lifecycle/unlock"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(unlocked.status, 200, "{:?}", unlocked.body);
    assert_eq!(
        emulator.get(&user, &org.token).await.body["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn emulator_user_path_parameters_are_percent_decoded_once() {
    let emulator = Emulator::start();
    let org = emulator.create_org("encoded").await;
    let login = "okta-radius+acme@msp.example";
    let created = emulator.create_user(&org, login, "").await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let users = format!("{}/api/v1/users", org.url);

    // `%2B` is a `+` and `%40` an `@`, as Okta decodes them.
    let encoded = format!("{users}/okta-radius%2Bacme%40msp.example");
    let found = emulator.get(&encoded, &org.token).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(found.body["id"], id.as_str());
    assert_eq!(found.body["profile"]["login"], login);
    // A literal `+` in a path is a plus, not a space (that is only a query-string rule).
    let literal = emulator.get(&format!("{users}/{login}"), &org.token).await;
    assert_eq!(literal.body["id"], id.as_str());

    // The encoded login works for a lifecycle operation too.
    let suspended = emulator
        .call(
            Method::POST,
            &format!("{encoded}/lifecycle/suspend"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(suspended.status, 200, "{:?}", suspended.body);
    assert_eq!(
        status_of(&emulator, &format!("{users}/{id}"), &org.token).await,
        "SUSPENDED"
    );

    // An encoded `/` stays inside its parameter: the route still matches, the user is unknown.
    let slash = emulator.get(&format!("{users}/a%2Fb"), &org.token).await;
    assert_error(&slash, 404, "E0000007");
    let slash_lifecycle = emulator
        .call(
            Method::POST,
            &format!("{users}/a%2Fb/lifecycle/suspend"),
            &org.token,
            None,
        )
        .await;
    assert_error(&slash_lifecycle, 404, "E0000007");

    // Broken escapes and bytes that are not UTF-8 are refused in Okta's envelope, not guessed.
    for broken in ["%ZZ", "abc%4", "%E0%A4"] {
        let answer = emulator.get(&format!("{users}/{broken}"), &org.token).await;
        assert_error(&answer, 400, "E0000001");
        assert_eq!(
            answer.body["errorCauses"][0]["errorSummary"],
            "userId: is not a valid percent-encoded path segment"
        );
    }

    // The control plane's lock decodes its user the same way.
    let locked_target = emulator
        .create_user(&org, "okta-ad+agent@msp.example", "")
        .await;
    let locked = emulator
        .control(
            Method::POST,
            "/orgs/encoded/users/okta-ad%2Bagent%40msp.example/lock",
            None,
        )
        .await;
    assert_eq!(locked.status, 200, "{:?}", locked.body);
    assert_eq!(locked.body["id"], locked_target.body["id"]);
}

#[tokio::test]
async fn emulator_user_resets_answer_as_okta_recorded() {
    let emulator = Emulator::start();
    let org = emulator.create_org("resets").await;
    let mut body = user_request("reset@resets.example.com", Some("Str0ng!Passw0rd"));
    body["credentials"]["recovery_question"] =
        json!({ "question": "First pet?", "answer": "Rex the dog" });
    let created = emulator
        .post(&format!("{}/api/v1/users", org.url), &org.token, body)
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let user = format!(
        "{}/api/v1/users/{}",
        org.url,
        created.body["id"].as_str().unwrap()
    );

    let expired = emulator
        .call(
            Method::POST,
            &format!("{user}/lifecycle/expire_password_with_temp_password"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(expired.status, 200, "{:?}", expired.body);
    let temp = expired.body["tempPassword"].as_str().unwrap();
    assert_eq!(temp.len(), 12);
    assert_eq!(
        expired.body.as_object().unwrap().len(),
        1,
        "only the password"
    );
    assert_eq!(
        emulator.get(&user, &org.token).await.body["status"],
        "PASSWORD_EXPIRED"
    );

    let factors = format!("{user}/factors");
    assert_eq!(
        emulator
            .get(&factors, &org.token)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let reset = emulator
        .call(
            Method::POST,
            &format!("{user}/lifecycle/reset_factors"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(reset.status, 200);
    assert_eq!(reset.body, json!({}));
    assert_eq!(emulator.get(&factors, &org.token).await.body, json!([]));

    let sessions = emulator
        .call(
            Method::DELETE,
            &format!("{user}/sessions"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(sessions.status, 204);
    for list in ["grants", "appLinks"] {
        let answer = emulator.get(&format!("{user}/{list}"), &org.token).await;
        assert_eq!(answer.status, 200, "{list}");
        assert_eq!(answer.body, json!([]), "{list}");
    }
    let logged = emulator
        .get(&format!("{}/api/v1/logs", org.url), &org.token)
        .await;
    let types: Vec<&str> = logged
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["eventType"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"user.mfa.factor.reset_all"), "{types:?}");
    assert!(types.contains(&"user.session.clear"), "{types:?}");

    let missing = format!("{}/api/v1/users/00umissing", org.url);
    assert_error(
        &emulator
            .call(
                Method::DELETE,
                &format!("{missing}/sessions"),
                &org.token,
                None,
            )
            .await,
        404,
        "E0000007",
    );
    assert_error(
        &emulator.get(&format!("{missing}/grants"), &org.token).await,
        404,
        "E0000007",
    );
}
