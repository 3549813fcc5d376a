//! The two org flavours, `--engine oie` (the default) and `--engine classic`: the engine an org
//! reports, what it inherits, and the documented differences each one enforces.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

fn password_policy(name: &str) -> Value {
    json!({
        "type": "PASSWORD", "name": name, "status": "ACTIVE",
        "conditions": {"people": {"groups": {"include": []}}},
        "settings": {"recovery": {"factors": {
            "recovery_question": {"status": "INACTIVE"}, "okta_email": {"status": "INACTIVE"}}}},
    })
}

async fn pipeline(emulator: &Emulator, org: &Org) -> Value {
    // Okta serves the metadata to anyone: no token.
    let answer = emulator
        .send(
            Method::GET,
            &format!("{}/.well-known/okta-organization", org.url),
            None,
            None,
        )
        .await
        .expect("the emulator answers");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("00o"))
    );
    assert_eq!(
        answer.body["_links"]["organization"]["href"],
        org.url.as_str()
    );
    answer.body["pipeline"].clone()
}

#[tokio::test]
async fn orgs_report_their_engine_and_children_inherit_the_partners() {
    let oie = Emulator::start();
    let org = oie.create_org("flavour-oie").await;
    assert_eq!(pipeline(&oie, &org).await, "idx");

    let classic = Emulator::start_with(&["--engine", "classic", "--org", "seeded:seed-token"]);
    let org = classic.create_org("flavour-classic").await;
    assert_eq!(pipeline(&classic, &org).await, "v1");
    let seeded = Org {
        url: format!("{}/seeded", classic.url),
        token: "seed-token".to_owned(),
        admin_id: String::new(),
    };
    assert_eq!(pipeline(&classic, &seeded).await, "v1");
}

#[tokio::test]
async fn identity_engine_refuses_the_classic_only_activate_parameter_of_a_policy_create() {
    let emulator = Emulator::start();
    let org = emulator.create_org("activate-oie").await;
    let policies = format!("{}/api/v1/policies", org.url);
    for query in ["?activate=true", "?activate=false"] {
        let refused = emulator
            .post(
                &format!("{policies}{query}"),
                &org.token,
                password_policy("P"),
            )
            .await;
        assert_error(&refused, 400, "E0000001");
        assert!(
            refused.body.to_string().contains("activate"),
            "{}",
            refused.body
        );
    }
    // Without it, the same create passes (the body's status decides), and a rule create may
    // still carry `activate`, which the reference documents on both engines.
    let created = emulator
        .post(&policies, &org.token, password_policy("P"))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "ACTIVE");
    // The recorded Identity Engine org took the policy's security question off: so does this one.
    assert_eq!(
        created.body["settings"]["recovery"]["factors"]["recovery_question"]["status"],
        "INACTIVE"
    );
    let rules = format!(
        "{policies}/{}/rules?activate=true",
        created.body["id"].as_str().unwrap()
    );
    let rule = emulator
        .post(
            &rules,
            &org.token,
            json!({"type": "PASSWORD", "name": "R", "actions": {
                "selfServicePasswordReset": {"access": "ALLOW", "requirement": {
                    "primary": {"methods": ["email"]}, "stepUp": {"required": false},
                    "accessControl": "LEGACY"}}}}),
        )
        .await;
    assert_eq!(rule.status, 200, "{}", rule.body);
    assert_eq!(
        rule.body["actions"]["selfServicePasswordReset"]["requirement"]["primary"]["methods"],
        json!(["email"])
    );
}

#[tokio::test]
async fn classic_honours_activate_and_refuses_identity_engine_reset_requirements() {
    let emulator = Emulator::start_with(&["--engine", "classic"]);
    let org = emulator.create_org("activate-classic").await;
    let policies = format!("{}/api/v1/policies", org.url);
    let mut inactive = password_policy("Off");
    inactive.as_object_mut().unwrap().remove("status");
    let created = emulator
        .post(&format!("{policies}?activate=false"), &org.token, inactive)
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "INACTIVE");
    let created = emulator
        .post(
            &format!("{policies}?activate=true"),
            &org.token,
            password_policy("On"),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "ACTIVE");

    let rules = format!("{policies}/{}/rules", created.body["id"].as_str().unwrap());
    let with_requirement = json!({"type": "PASSWORD", "name": "R", "actions": {
        "selfServicePasswordReset": {"access": "ALLOW",
            "requirement": {"primary": {"methods": ["email"]}}}}});
    assert_error(
        &emulator.post(&rules, &org.token, with_requirement).await,
        400,
        "E0000001",
    );
    let plain = json!({"type": "PASSWORD", "name": "R", "actions": {
        "selfServicePasswordReset": {"access": "DENY"}, "selfServiceUnlock": {"access": "DENY"}}});
    let rule = emulator.post(&rules, &org.token, plain).await;
    assert_eq!(rule.status, 200, "{}", rule.body);
}

#[tokio::test]
async fn new_policies_get_no_default_rule_on_either_engine() {
    for engine in ["oie", "classic"] {
        let emulator = Emulator::start_with(&["--engine", engine]);
        let org = emulator.create_org("fresh").await;
        let policies = format!("{}/api/v1/policies", org.url);
        for body in [
            password_policy("P"),
            json!({"type": "OKTA_SIGN_ON", "name": "S", "status": "ACTIVE",
                   "conditions": {"people": {"groups": {"include": []}}}}),
        ] {
            let created = emulator.post(&policies, &org.token, body).await;
            assert_eq!(created.status, 200, "{engine}: {}", created.body);
            let rules = emulator
                .get(
                    &format!("{policies}/{}/rules", created.body["id"].as_str().unwrap()),
                    &org.token,
                )
                .await;
            assert_eq!(rules.body, json!([]), "{engine}");
        }
    }
}

#[tokio::test]
async fn an_org_keeps_its_engine_across_a_restart_whatever_engine_the_restart_names() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--engine", "classic", "--data", &data_arg]);
    // Created after the start, so the org reaches the file as a journal line, not a snapshot.
    let kept = emulator.create_org("kept-classic").await;
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let kept = Org {
        url: kept.url.replace(&emulator.url, &restarted.url),
        ..kept
    };
    assert_eq!(pipeline(&restarted, &kept).await, "v1");
    // The partner loaded from the file is Classic too, so its new children are.
    let child = restarted.create_org("later-child").await;
    assert_eq!(pipeline(&restarted, &child).await, "v1");
}

/// What Okta's recordings show for requests that leave things out (PYSDK test_policies_it):
/// a password or sign-on policy created without a people condition applies to the built-in
/// Everyone group, and says so; a rule sent without `type` takes its policy's; a sign-on rule's
/// default primary factor is `PASSWORD_IDP` on Classic Engine (recorded in 2020) and
/// `PASSWORD_IDP_ANY_FACTOR` on Identity Engine.
#[tokio::test]
async fn policies_and_rules_that_leave_things_out_get_what_okta_recorded() {
    for (engine, primary_factor) in [
        ("oie", "PASSWORD_IDP_ANY_FACTOR"),
        ("classic", "PASSWORD_IDP"),
    ] {
        let emulator = Emulator::start_with(&["--engine", engine]);
        let org = emulator.create_org(&format!("omitted-{engine}")).await;
        let groups = emulator
            .get(&format!("{}/api/v1/groups", org.url), &org.token)
            .await;
        let everyone = groups
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["type"] == "BUILT_IN")
            .unwrap()["id"]
            .clone();
        for policy_type in ["PASSWORD", "OKTA_SIGN_ON"] {
            let created = emulator
                .post(
                    &format!("{}/api/v1/policies", org.url),
                    &org.token,
                    json!({"type": policy_type, "name": format!("No people {policy_type}"),
                           "status": "ACTIVE"}),
                )
                .await;
            assert_eq!(created.status, 200, "{engine}: {}", created.body);
            assert_eq!(
                created.body["conditions"]["people"]["groups"]["include"],
                json!([everyone]),
                "{engine} {policy_type}: {}",
                created.body
            );
            if policy_type != "OKTA_SIGN_ON" {
                continue;
            }
            let policy_id = created.body["id"].as_str().unwrap();
            let rule = emulator
                .post(
                    &format!("{}/api/v1/policies/{policy_id}/rules", org.url),
                    &org.token,
                    json!({"name": "Untyped rule", "actions": {"signon": {"access": "ALLOW"}}}),
                )
                .await;
            assert_eq!(rule.status, 200, "{engine}: {}", rule.body);
            assert_eq!(rule.body["type"], "SIGN_ON");
            assert_eq!(
                rule.body["actions"]["signon"]["primaryFactor"], primary_factor,
                "{engine}"
            );
        }
        // A policy still needs its own type.
        let untyped = emulator
            .post(
                &format!("{}/api/v1/policies", org.url),
                &org.token,
                json!({"name": "Untyped policy"}),
            )
            .await;
        assert_error(&untyped, 400, "E0000001");
    }
}
