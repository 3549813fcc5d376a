//! Credentials set by an admin through "Update a user" (`POST /api/v1/users/{id}`): the password
//! and the recovery question.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, STRONG_PASSWORD, assert_error, user_request};

/// The System Log events of `event_type` that target `target_id`.
async fn events_for(emulator: &Emulator, org: &Org, event_type: &str, target_id: &str) -> usize {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api/v1/logs", org.url),
        &[(
            "filter",
            format!("eventType eq \"{event_type}\" and target.id eq \"{target_id}\""),
        )],
    )
    .unwrap();
    let answer = emulator.get(url.as_str(), &org.token).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body.as_array().unwrap().len()
}

/// Creates a user (`query` as for `POST /api/v1/users`) and returns its URL.
async fn new_user(
    emulator: &Emulator,
    org: &Org,
    login: &str,
    password: bool,
    query: &str,
) -> String {
    let password = password.then_some(STRONG_PASSWORD);
    let created = emulator
        .post(
            &format!("{}/api/v1/users{query}", org.url),
            &org.token,
            user_request(login, password),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    format!(
        "{}/api/v1/users/{}",
        org.url,
        created.body["id"].as_str().unwrap()
    )
}

async fn lifecycle(emulator: &Emulator, org: &Org, user: &str, operation: &str) {
    let answer = emulator
        .call(
            Method::POST,
            &format!("{user}/lifecycle/{operation}"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(answer.status, 200, "{operation}: {:?}", answer.body);
}

fn set_password(password: &str) -> Value {
    json!({ "credentials": { "password": { "value": password } } })
}

async fn status(emulator: &Emulator, org: &Org, user: &str) -> Value {
    emulator.get(user, &org.token).await.body["status"].clone()
}

fn id_of(user: &str) -> &str {
    user.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn emulator_admin_password_set_activates_users_who_cannot_sign_in() {
    let emulator = Emulator::start();
    let org = emulator.create_org("creds").await;

    // PROVISIONED (activated without a password): the password completes the activation.
    let provisioned = new_user(&emulator, &org, "svc-prov@creds.example.com", false, "").await;
    assert_eq!(status(&emulator, &org, &provisioned).await, "PROVISIONED");
    let weak = emulator
        .post(&provisioned, &org.token, set_password("short"))
        .await;
    assert_error(&weak, 403, "E0000080");
    assert_eq!(status(&emulator, &org, &provisioned).await, "PROVISIONED");
    let updated = emulator
        .post(&provisioned, &org.token, set_password(STRONG_PASSWORD))
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["status"], "ACTIVE");
    assert_eq!(updated.body["credentials"]["password"], json!({}));
    assert!(updated.body["passwordChanged"].is_string());
    assert_eq!(status(&emulator, &org, &provisioned).await, "ACTIVE");
    let id = id_of(&provisioned);
    assert_eq!(
        events_for(&emulator, &org, "user.account.update_password", id).await,
        1
    );
    // No lifecycle event is invented for it: the only activation event is the create's.
    assert_eq!(
        events_for(&emulator, &org, "user.lifecycle.activate", id).await,
        1
    );

    // PASSWORD_EXPIRED and RECOVERY become ACTIVE too.
    let expired = new_user(&emulator, &org, "svc-expired@creds.example.com", true, "").await;
    lifecycle(&emulator, &org, &expired, "expire_password").await;
    assert_eq!(status(&emulator, &org, &expired).await, "PASSWORD_EXPIRED");
    let answer = emulator
        .post(&expired, &org.token, set_password(STRONG_PASSWORD))
        .await;
    assert_eq!(answer.body["status"], "ACTIVE", "{:?}", answer.body);
    assert_eq!(status(&emulator, &org, &expired).await, "ACTIVE");

    let recovering = new_user(&emulator, &org, "svc-recovery@creds.example.com", true, "").await;
    lifecycle(
        &emulator,
        &org,
        &recovering,
        "reset_password?sendEmail=false",
    )
    .await;
    assert_eq!(status(&emulator, &org, &recovering).await, "RECOVERY");
    let answer = emulator
        .post(&recovering, &org.token, set_password(STRONG_PASSWORD))
        .await;
    assert_eq!(answer.body["status"], "ACTIVE", "{:?}", answer.body);
    assert_eq!(answer.body["credentials"]["password"], json!({}));
    assert_eq!(status(&emulator, &org, &recovering).await, "ACTIVE");

    // STAGED keeps its status and the password; activating it later gives ACTIVE, not
    // PROVISIONED.
    let staged = new_user(
        &emulator,
        &org,
        "svc-staged@creds.example.com",
        false,
        "?activate=false",
    )
    .await;
    let answer = emulator
        .post(&staged, &org.token, set_password(STRONG_PASSWORD))
        .await;
    assert_eq!(answer.body["status"], "STAGED", "{:?}", answer.body);
    assert_eq!(answer.body["credentials"]["password"], json!({}));
    assert_eq!(
        events_for(
            &emulator,
            &org,
            "user.account.update_password",
            id_of(&staged)
        )
        .await,
        1
    );
    lifecycle(&emulator, &org, &staged, "activate?sendEmail=false").await;
    assert_eq!(status(&emulator, &org, &staged).await, "ACTIVE");

    // DEPROVISIONED users are not updated.
    let gone = new_user(&emulator, &org, "svc-gone@creds.example.com", false, "").await;
    lifecycle(&emulator, &org, &gone, "deactivate").await;
    let refused = emulator
        .post(&gone, &org.token, set_password(STRONG_PASSWORD))
        .await;
    assert_error(&refused, 403, "E0000038");
    assert_eq!(status(&emulator, &org, &gone).await, "DEPROVISIONED");
    assert_eq!(
        events_for(
            &emulator,
            &org,
            "user.account.update_password",
            id_of(&gone)
        )
        .await,
        0
    );
}

#[tokio::test]
async fn emulator_recovery_question_is_set_on_an_existing_user_and_shown_without_its_answer() {
    let emulator = Emulator::start();
    let org = emulator.create_org("question").await;
    let user = new_user(&emulator, &org, "svc-rq@question.example.com", true, "").await;
    let question = "How many roads must a man walk down?";
    let updated = emulator
        .post(
            &user,
            &org.token,
            json!({ "credentials": { "recovery_question": { "question": question, "answer": "forty two" } } }),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let expected = json!({ "question": question });
    assert_eq!(updated.body["credentials"]["recovery_question"], expected);
    let read = emulator.get(&user, &org.token).await;
    assert_eq!(read.body["credentials"]["recovery_question"], expected);
    // Only the question changed: the password and the status stay.
    assert_eq!(read.body["credentials"]["password"], json!({}));
    assert_eq!(read.body["status"], "ACTIVE");

    // A question given at creation is shown the same way.
    let mut body = user_request("svc-rq2@question.example.com", None);
    body["credentials"] =
        json!({ "recovery_question": { "question": "First pet?", "answer": "a cat called Okta" } });
    let created = emulator
        .post(&format!("{}/api/v1/users", org.url), &org.token, body)
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(
        created.body["credentials"]["recovery_question"],
        json!({ "question": "First pet?" })
    );

    // Okta's bounds: question and answer of 1 to 100 characters; a non-object is malformed.
    let blank = emulator
        .post(
            &user,
            &org.token,
            json!({ "credentials": { "recovery_question": { "question": question } } }),
        )
        .await;
    assert_error(&blank, 400, "E0000001");
    assert_eq!(
        blank.body["errorCauses"][0]["errorSummary"],
        "credentials.recovery_question.answer: The field cannot be left blank"
    );
    let long = emulator
        .post(
            &user,
            &org.token,
            json!({ "credentials": { "recovery_question": { "question": "q".repeat(101), "answer": "forty two" } } }),
        )
        .await;
    assert_error(&long, 400, "E0000001");
    let malformed = emulator
        .post(
            &user,
            &org.token,
            json!({ "credentials": { "recovery_question": "forty two" } }),
        )
        .await;
    assert_error(&malformed, 400, "E0000003");
    assert_eq!(
        emulator.get(&user, &org.token).await.body["credentials"]["recovery_question"],
        expected,
        "refused updates change nothing"
    );
}

/// The recovery question is the `question` factor in the Factors API: listed while it is set,
/// and unenrolling it removes the question (the only way Okta's API offers), with a System Log
/// event; an unknown factor id answers 404.
#[tokio::test]
async fn emulator_the_recovery_question_is_a_factor_that_can_be_unenrolled() {
    let emulator = Emulator::start();
    let org = emulator.create_org("factors").await;
    let user = new_user(&emulator, &org, "svc-f@factors.example.com", true, "").await;
    let none = emulator.get(&format!("{user}/factors"), &org.token).await;
    assert_eq!(none.status, 200, "{:?}", none.body);
    assert_eq!(none.body, json!([]));
    let set = emulator
        .post(
            &user,
            &org.token,
            json!({ "credentials": { "recovery_question": { "question": "First pet?", "answer": "a cat called Okta" } } }),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    let listed = emulator.get(&format!("{user}/factors"), &org.token).await;
    let factors = listed.body.as_array().unwrap();
    assert_eq!(factors.len(), 1, "{:?}", listed.body);
    assert_eq!(factors[0]["factorType"], "question");
    assert_eq!(factors[0]["profile"]["questionText"], "First pet?");
    let factor_id = factors[0]["id"].as_str().unwrap().to_owned();
    assert!(factor_id.starts_with("ufs"), "{factor_id}");

    let unknown = emulator
        .call(
            Method::DELETE,
            &format!("{user}/factors/ufsNoSuchFactor"),
            &org.token,
            None,
        )
        .await;
    assert_error(&unknown, 404, "E0000007");
    let removed = emulator
        .call(
            Method::DELETE,
            &format!("{user}/factors/{factor_id}"),
            &org.token,
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{:?}", removed.body);
    let read = emulator.get(&user, &org.token).await;
    assert!(
        read.body["credentials"]["recovery_question"].is_null(),
        "{:?}",
        read.body
    );
    assert_eq!(
        read.body["credentials"]["password"],
        json!({}),
        "the password stays"
    );
    let user_id = user.rsplit('/').next().unwrap();
    assert_eq!(
        events_for(&emulator, &org, "user.mfa.factor.deactivate", user_id).await,
        1
    );
}

/// The control plane's stand-in for the Admin Console's "Create token": the secret works as an
/// API token of that admin, appears once, and the creation is logged; a user who is no admin
/// cannot have one.
#[tokio::test]
async fn an_admin_console_token_authenticates_as_its_admin() {
    let emulator = Emulator::start();
    let org = emulator.create_org("console").await;
    let created = emulator
        .control(
            Method::POST,
            &format!("/orgs/console/users/{}/api-tokens", org.admin_id),
            Some(json!({ "name": "recovered integration token" })),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    assert_ne!(secret, org.token);
    let me = emulator
        .get(&format!("{}/api/v1/users/me", org.url), &secret)
        .await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["id"], org.admin_id);
    let listed = emulator
        .get(&format!("{}/api/v1/api-tokens", org.url), &secret)
        .await;
    let names: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|token| token["name"].as_str())
        .collect();
    assert!(names.contains(&"recovered integration token"), "{names:?}");
    assert!(
        !listed.body.to_string().contains(&secret),
        "secrets are never listed"
    );
    assert_eq!(
        events_for(
            &emulator,
            &org,
            "system.api_token.create",
            created.body["id"].as_str().unwrap()
        )
        .await,
        1
    );

    let person = emulator
        .create_user(&org, "someone@console.example", "")
        .await;
    let person_id = person.body["id"].as_str().unwrap();
    let refused = emulator
        .control(
            Method::POST,
            &format!("/orgs/console/users/{person_id}/api-tokens"),
            None,
        )
        .await;
    assert_error(&refused, 400, "E0000001");
    let unknown = emulator
        .control(Method::POST, "/orgs/nowhere/users/x/api-tokens", None)
        .await;
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
}
