//! A user's credential operations, sessions and grants, over HTTP: a password changes only with
//! the old one, a recovery question only with the password, a new password with the recovery
//! answer; a temporary password expires the old one; factors reset; sessions cleared; grants.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, STRONG_PASSWORD, assert_error, user_request};

const NEW_PASSWORD: &str = "Zt5!qWn8#rMv2$pLk7&";

async fn active_user(emulator: &Emulator, org: &Org, login: &str) -> String {
    let created = emulator.create_user(org, login, "?activate=true").await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

async fn change_password(
    emulator: &Emulator,
    org: &Org,
    user: &str,
    old: &str,
    new: &str,
) -> super::support::Answer {
    emulator
        .post(
            &format!(
                "{}/api/v1/users/{user}/credentials/change_password",
                org.url
            ),
            &org.token,
            json!({ "oldPassword": { "value": old }, "newPassword": { "value": new } }),
        )
        .await
}

fn cause(answer: &super::support::Answer) -> &str {
    answer.body["errorCauses"][0]["errorSummary"]
        .as_str()
        .unwrap_or("")
}

async fn event_types(emulator: &Emulator, org: &Org, user: &str) -> Vec<String> {
    let logs = emulator
        .get(
            &format!("{}/api/v1/logs?filter=target.id+eq+%22{user}%22", org.url),
            &org.token,
        )
        .await;
    logs.body
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["eventType"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_password_changes_only_with_the_old_one_and_not_to_itself_or_a_weak_one() {
    let emulator = Emulator::start_with(&["--log-lag-ms", "0"]);
    let org = emulator.create_org("pwchange").await;
    let user = active_user(&emulator, &org, "changer@pwchange.example.com").await;
    let before = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;

    let wrong = change_password(&emulator, &org, &user, "not-my-password", NEW_PASSWORD).await;
    assert_error(&wrong, 403, "E0000014");
    assert_eq!(wrong.body["errorSummary"], "Update of credentials failed");
    assert_eq!(
        cause(&wrong),
        "oldPassword: The credentials provided were incorrect."
    );
    let same = change_password(&emulator, &org, &user, STRONG_PASSWORD, STRONG_PASSWORD).await;
    assert_error(&same, 403, "E0000014");
    let weak = change_password(&emulator, &org, &user, STRONG_PASSWORD, "abc").await;
    assert_error(&weak, 403, "E0000014");
    let blank = change_password(&emulator, &org, &user, "", NEW_PASSWORD).await;
    assert_error(&blank, 400, "E0000001");

    // Okta's whole seconds: move the clock on so that the change is visibly later.
    emulator
        .control(Method::POST, "/clock", Some(json!({ "offset_seconds": 5 })))
        .await;
    let changed = change_password(&emulator, &org, &user, STRONG_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        changed.body,
        json!({ "password": {}, "provider": { "type": "OKTA", "name": "OKTA" } })
    );
    let after = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;
    assert!(
        after.body["passwordChanged"].as_str().unwrap()
            > before.body["passwordChanged"].as_str().unwrap()
    );
    assert_eq!(after.body["status"], "ACTIVE");

    // The old password is gone: it no longer proves anything; the new one does.
    let stale = change_password(&emulator, &org, &user, STRONG_PASSWORD, "Qp3#Lx9!Vr6$Tn2&").await;
    assert_error(&stale, 403, "E0000014");
    let again = change_password(&emulator, &org, &user, NEW_PASSWORD, STRONG_PASSWORD).await;
    assert_eq!(again.status, 200);
    let events = event_types(&emulator, &org, &user).await;
    assert_eq!(
        events
            .iter()
            .filter(|event| *event == "user.account.update_password")
            .count(),
        2,
        "{events:?}"
    );

    let missing = change_password(
        &emulator,
        &org,
        "00unobody00000000000",
        STRONG_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_error(&missing, 404, "E0000007");
}

#[tokio::test]
async fn expiring_with_a_temporary_password_makes_it_the_one_to_change_from() {
    let emulator = Emulator::start_with(&["--log-lag-ms", "0"]);
    let org = emulator.create_org("temppw").await;
    let user = active_user(&emulator, &org, "expiring@temppw.example.com").await;
    let url = format!(
        "{}/api/v1/users/{user}/lifecycle/expire_password_with_temp_password",
        org.url
    );
    let expired = emulator.post(&url, &org.token, json!({})).await;
    assert_eq!(expired.status, 200);
    let fields: Vec<&String> = expired.body.as_object().unwrap().keys().collect();
    assert_eq!(fields, vec!["tempPassword"]);
    let temporary = expired.body["tempPassword"].as_str().unwrap().to_string();
    assert_eq!(temporary.chars().count(), 12);
    assert!(temporary.chars().all(|c| c.is_ascii_alphanumeric()));
    let read = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;
    assert_eq!(read.body["status"], "PASSWORD_EXPIRED");

    // The old password no longer works; the temporary one does, and the user is active again.
    let old = change_password(&emulator, &org, &user, STRONG_PASSWORD, NEW_PASSWORD).await;
    assert_error(&old, 403, "E0000014");
    let changed = change_password(&emulator, &org, &user, &temporary, NEW_PASSWORD).await;
    assert_eq!(changed.status, 200);
    let read = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;
    assert_eq!(read.body["status"], "ACTIVE");
    assert!(
        event_types(&emulator, &org, &user)
            .await
            .contains(&"user.account.expire_password".to_string())
    );

    // A staged user has no password to expire.
    let staged = emulator
        .create_user(&org, "staged@temppw.example.com", "?activate=false")
        .await;
    let staged_id = staged.body["id"].as_str().unwrap();
    let refused = emulator
        .post(
            &format!(
                "{}/api/v1/users/{staged_id}/lifecycle/expire_password_with_temp_password",
                org.url
            ),
            &org.token,
            json!({}),
        )
        .await;
    assert_error(&refused, 403, "E0000038");
    let bad_flag = emulator
        .post(
            &format!("{url}?revokeSessions=perhaps"),
            &org.token,
            json!({}),
        )
        .await;
    assert_error(&bad_flag, 400, "E0000001");
}

#[tokio::test]
async fn the_recovery_question_changes_with_the_password_and_its_answer_sets_a_new_password() {
    let emulator = Emulator::start();
    let org = emulator.create_org("recovery").await;
    let user = active_user(&emulator, &org, "forgetful@recovery.example.com").await;
    let change = format!(
        "{}/api/v1/users/{user}/credentials/change_recovery_question",
        org.url
    );
    let question = json!({ "question": "Which river runs through the town?", "answer": "Saone" });

    let wrong = emulator
        .post(
            &change,
            &org.token,
            json!({ "password": { "value": "not-my-password" }, "recovery_question": question }),
        )
        .await;
    assert_error(&wrong, 403, "E0000014");
    let no_question = emulator
        .post(
            &change,
            &org.token,
            json!({ "password": { "value": STRONG_PASSWORD } }),
        )
        .await;
    assert_error(&no_question, 400, "E0000001");
    assert_eq!(
        cause(&no_question),
        "recovery_question: The field cannot be left blank"
    );
    let changed = emulator
        .post(
            &change,
            &org.token,
            json!({ "password": { "value": STRONG_PASSWORD }, "recovery_question": question }),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        changed.body,
        json!({
            "password": {},
            "recovery_question": { "question": "Which river runs through the town?" },
            "provider": { "type": "OKTA", "name": "OKTA" },
        })
    );
    let read = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;
    assert_eq!(
        read.body["credentials"]["recovery_question"]["question"],
        "Which river runs through the town?"
    );

    let forgot = format!(
        "{}/api/v1/users/{user}/credentials/forgot_password_recovery_question",
        org.url
    );
    let wrong_answer = emulator
        .post(
            &forgot,
            &org.token,
            json!({ "password": { "value": NEW_PASSWORD }, "recovery_question": { "answer": "Rhone" } }),
        )
        .await;
    assert_error(&wrong_answer, 403, "E0000087");
    assert_eq!(
        wrong_answer.body["errorSummary"],
        "The recovery question answer did not match our records."
    );
    let reset = emulator
        .post(
            &forgot,
            &org.token,
            json!({ "password": { "value": NEW_PASSWORD }, "recovery_question": { "answer": "Saone" } }),
        )
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(
        reset.body["recovery_question"]["question"],
        "Which river runs through the town?"
    );
    // The answer set the password: it is now the one a change needs.
    let old = change_password(&emulator, &org, &user, STRONG_PASSWORD, "Qp3#Lx9!Vr6$Tn2&").await;
    assert_error(&old, 403, "E0000014");
    let new = change_password(&emulator, &org, &user, NEW_PASSWORD, "Qp3#Lx9!Vr6$Tn2&").await;
    assert_eq!(new.status, 200);

    // Without a recovery question there is no answer to match.
    let plain = active_user(&emulator, &org, "plain@recovery.example.com").await;
    let refused = emulator
        .post(
            &format!(
                "{}/api/v1/users/{plain}/credentials/forgot_password_recovery_question",
                org.url
            ),
            &org.token,
            json!({ "password": { "value": NEW_PASSWORD }, "recovery_question": { "answer": "Saone" } }),
        )
        .await;
    assert_error(&refused, 403, "E0000087");
}

#[tokio::test]
async fn resetting_factors_unenrolls_the_security_question() {
    let emulator = Emulator::start_with(&["--log-lag-ms", "0"]);
    let org = emulator.create_org("factors").await;
    let mut body = user_request("enrolled@factors.example.com", Some(STRONG_PASSWORD));
    body["credentials"]["recovery_question"] = json!({ "question": "First pet?", "answer": "Rex" });
    let created = emulator
        .post(&format!("{}/api/v1/users", org.url), &org.token, body)
        .await;
    let user = created.body["id"].as_str().unwrap().to_string();
    let factors = format!("{}/api/v1/users/{user}/factors", org.url);
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
        .post(
            &format!("{}/api/v1/users/{user}/lifecycle/reset_factors", org.url),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(reset.status, 200);
    assert_eq!(reset.body, json!({}));
    assert_eq!(emulator.get(&factors, &org.token).await.body, json!([]));
    let read = emulator
        .get(&format!("{}/api/v1/users/{user}", org.url), &org.token)
        .await;
    assert_eq!(read.body["credentials"].get("recovery_question"), None);
    assert!(
        event_types(&emulator, &org, &user)
            .await
            .contains(&"user.mfa.factor.reset_all".to_string())
    );

    emulator
        .post(
            &format!("{}/api/v1/users/{user}/lifecycle/deactivate", org.url),
            &org.token,
            json!({}),
        )
        .await;
    let deprovisioned = emulator
        .post(
            &format!("{}/api/v1/users/{user}/lifecycle/reset_factors", org.url),
            &org.token,
            json!({}),
        )
        .await;
    assert_error(&deprovisioned, 403, "E0000038");
}

#[tokio::test]
async fn sessions_are_cleared_and_grants_clients_and_idps_listed_empty_with_the_privileges_okta_asks()
 {
    let emulator = Emulator::start_with(&["--log-lag-ms", "0"]);
    let org = emulator.create_org("sessions").await;
    let user = active_user(&emulator, &org, "signedin@sessions.example.com").await;
    let sessions = format!("{}/api/v1/users/{user}/sessions", org.url);
    let cleared = emulator
        .call(Method::DELETE, &sessions, &org.token, None)
        .await;
    assert_eq!(cleared.status, 204);
    assert_eq!(cleared.body, Value::Null);
    assert!(
        event_types(&emulator, &org, &user)
            .await
            .contains(&"user.session.clear".to_string())
    );
    let with_tokens = emulator
        .call(
            Method::DELETE,
            &format!("{sessions}?oauthTokens=true&forgetDevices=false"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(with_tokens.status, 204);
    let bad_flag = emulator
        .call(
            Method::DELETE,
            &format!("{sessions}?oauthTokens=sometimes"),
            &org.token,
            None,
        )
        .await;
    assert_error(&bad_flag, 400, "E0000001");
    let nobody = emulator
        .call(
            Method::DELETE,
            &format!("{}/api/v1/users/00unobody00000000000/sessions", org.url),
            &org.token,
            None,
        )
        .await;
    assert_error(&nobody, 404, "E0000007");

    let grants = format!("{}/api/v1/users/{user}/grants", org.url);
    let listed = emulator.get(&grants, &org.token).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!([]));
    let revoked = emulator
        .call(Method::DELETE, &grants, &org.token, None)
        .await;
    assert_eq!(revoked.status, 204);
    let one = emulator
        .get(&format!("{grants}/oag0000000000000000"), &org.token)
        .await;
    assert_error(&one, 404, "E0000007");
    let revoke_one = emulator
        .call(
            Method::DELETE,
            &format!("{grants}/oag0000000000000000"),
            &org.token,
            None,
        )
        .await;
    assert_error(&revoke_one, 404, "E0000007");

    // No OAuth client holds a grant or token for the user, and no identity provider exists.
    for listing in ["clients", "idps"] {
        let listed = emulator
            .get(
                &format!("{}/api/v1/users/{user}/{listing}", org.url),
                &org.token,
            )
            .await;
        assert_eq!(listed.status, 200, "{listing}");
        assert_eq!(listed.body, json!([]), "{listing}");
        let nobody = emulator
            .get(
                &format!("{}/api/v1/users/00unobody00000000000/{listing}", org.url),
                &org.token,
            )
            .await;
        assert_error(&nobody, 404, "E0000007");
    }

    // A read-only admin lists grants and clears nobody's sessions.
    let reader = active_user(&emulator, &org, "reader@sessions.example.com").await;
    emulator
        .post(
            &format!("{}/api/v1/users/{reader}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    let token = emulator
        .control(
            Method::POST,
            &format!("/orgs/sessions/users/{reader}/api-tokens"),
            Some(json!({})),
        )
        .await;
    let reader_token = token.body["token"].as_str().unwrap().to_string();
    assert_eq!(emulator.get(&grants, &reader_token).await.status, 200);
    let refused = emulator
        .call(Method::DELETE, &sessions, &reader_token, None)
        .await;
    assert_error(&refused, 403, "E0000006");
    let refused = change_password(
        &emulator,
        &org_with(&org, &reader_token),
        &user,
        STRONG_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_error(&refused, 403, "E0000006");
}

fn org_with(org: &Org, token: &str) -> Org {
    Org {
        url: org.url.clone(),
        token: token.to_string(),
        admin_id: org.admin_id.clone(),
    }
}
