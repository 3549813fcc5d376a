use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error, assert_fixture, org_request};

#[tokio::test]
async fn emulator_org_creator_returns_201_with_ssws_token_for_new_super_admin() {
    let emulator = Emulator::start();
    let answer = emulator
        .post(
            &format!("{}/api/v1/orgs", emulator.partner_url),
            &emulator.partner_token,
            org_request("acme"),
        )
        .await;
    assert_eq!(answer.status, 201);
    let org_url = format!("{}/acme", emulator.url);
    let admin_id = answer.body["_links"]["administrator"]["href"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let org_id = answer.body["id"].as_str().unwrap().to_string();
    assert_fixture(
        &answer.body,
        "child_org_created.json",
        &[
            ("org_url", &org_url),
            ("admin_id", &admin_id),
            ("org_id", &org_id),
        ],
    );
    let token = answer.body["token"].as_str().unwrap();

    // The token works in the new org, and belongs to its first super admin.
    let me = emulator
        .get(&format!("{org_url}/api/v1/users/me"), token)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], admin_id.as_str());
    assert_eq!(me.body["status"], "ACTIVE");
    assert_eq!(
        me.body["profile"]["login"],
        "msp-integration@acme.example.com"
    );
    let roles = emulator
        .get(&format!("{org_url}/api/v1/users/me/roles"), token)
        .await;
    assert_eq!(roles.body.as_array().unwrap().len(), 1);
    assert_eq!(roles.body[0]["type"], "SUPER_ADMIN");

    let org = emulator.get(&format!("{org_url}/api/v1/org"), token).await;
    assert_eq!(org.status, 200);
    assert_fixture(
        &org.body,
        "org_settings.json",
        &[("org_url", &org_url), ("org_id", &org_id)],
    );

    // The token is valid only in its own org.
    let elsewhere = emulator
        .get(&format!("{}/api/v1/org", emulator.partner_url), token)
        .await;
    assert_error(&elsewhere, 401, "E0000011");
}

#[tokio::test]
async fn emulator_new_org_starts_with_okta_default_policies() {
    let emulator = Emulator::start();
    let org = emulator.create_org("defaults").await;
    for (policy_type, rule_type) in [("PASSWORD", "PASSWORD"), ("OKTA_SIGN_ON", "SIGN_ON")] {
        let policies = emulator
            .get(
                &format!("{}/api/v1/policies?type={policy_type}", org.url),
                &org.token,
            )
            .await;
        assert_eq!(policies.status, 200);
        let list = policies.body.as_array().unwrap();
        assert_eq!(list.len(), 1, "{policy_type}");
        assert_eq!(list[0]["name"], "Default Policy");
        assert_eq!(list[0]["system"], true);
        assert_eq!(list[0]["priority"], 1);
        assert_eq!(list[0]["status"], "ACTIVE");
        let rules = emulator
            .get(
                &format!(
                    "{}/api/v1/policies/{}/rules",
                    org.url,
                    list[0]["id"].as_str().unwrap()
                ),
                &org.token,
            )
            .await;
        assert_eq!(rules.body[0]["name"], "Default Rule");
        assert_eq!(rules.body[0]["type"], rule_type);
    }
    let groups = emulator
        .get(&format!("{}/api/v1/groups", org.url), &org.token)
        .await;
    assert_eq!(groups.body[0]["profile"]["name"], "Everyone");
    assert_eq!(groups.body[0]["type"], "BUILT_IN");
}

#[tokio::test]
async fn emulator_org_creator_validates_request() {
    let emulator = Emulator::start();
    let url = format!("{}/api/v1/orgs", emulator.partner_url);
    emulator.create_org("taken").await;
    let duplicate = emulator
        .post(&url, &emulator.partner_token, org_request("taken"))
        .await;
    assert_error(&duplicate, 400, "E0000001");
    assert_fixture(&duplicate.body, "errors/duplicate_subdomain.json", &[]);

    let mut bad = org_request("Bad Subdomain");
    bad["edition"] = json!("ENTERPRISE");
    bad["admin"]["profile"]["login"] = json!("");
    let invalid = emulator.post(&url, &emulator.partner_token, bad).await;
    assert_error(&invalid, 400, "E0000001");
    let causes: Vec<&str> = invalid.body["errorCauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cause| cause["errorSummary"].as_str().unwrap())
        .collect();
    assert!(
        causes.iter().any(|c| c.starts_with("subdomain:")),
        "{causes:?}"
    );
    assert!(
        causes.iter().any(|c| c.starts_with("edition:")),
        "{causes:?}"
    );
    assert!(causes.iter().any(|c| c.starts_with("login:")), "{causes:?}");

    let weak = {
        let mut body = org_request("weak");
        body["admin"]["credentials"]["password"]["value"] = json!("short");
        body
    };
    let refused = emulator.post(&url, &emulator.partner_token, weak).await;
    assert_error(&refused, 403, "E0000080");
    // Nothing was created by the refused requests.
    let missing = emulator
        .get(
            &format!("{}/weak/api/v1/org", emulator.url),
            &emulator.partner_token,
        )
        .await;
    assert_error(&missing, 404, "E0000008");
}

#[tokio::test]
async fn emulator_org_creator_is_a_partner_org_feature() {
    let emulator = Emulator::start();
    let child = emulator.create_org("child").await;
    let answer = emulator
        .call(
            Method::POST,
            &format!("{}/api/v1/orgs", child.url),
            &child.token,
            Some(org_request("grandchild")),
        )
        .await;
    assert_error(&answer, 401, "E0000015");
}
