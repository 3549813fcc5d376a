//! The org's settings under `/api/v1/org`: general settings, contacts, the End-User Dashboard
//! footer, Okta communication e-mails and Okta Support access, as Okta's recordings answer them.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Emulator, Org, assert_error};

const GENERAL_FIELDS: [&str; 9] = [
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
    "country",
    "phoneNumber",
    "endUserSupportHelpURL",
    "supportPhoneNumber",
];

async fn settings(emulator: &Emulator, org: &Org) -> Value {
    let answer = emulator
        .get(&format!("{}/api/v1/org", org.url), &org.token)
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body
}

#[tokio::test]
async fn org_settings_post_changes_only_the_fields_sent_and_put_clears_the_rest() {
    let emulator = Emulator::start();
    let org = emulator.create_org("settings").await;
    let before = settings(&emulator, &org).await;
    // Okta's answer for an org whose settings nobody set: empty phone numbers and support link,
    // null address fields.
    for field in ["phoneNumber", "endUserSupportHelpURL", "supportPhoneNumber"] {
        assert_eq!(before[field], "", "{field}");
    }
    for field in [
        "address1",
        "address2",
        "city",
        "state",
        "postalCode",
        "country",
    ] {
        assert_eq!(before[field], Value::Null, "{field}");
    }

    let url = format!("{}/api/v1/org", org.url);
    let updated = emulator
        .post(
            &url,
            &org.token,
            json!({ "supportPhoneNumber": "1234567890", "city": "Lyon" }),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["supportPhoneNumber"], "1234567890");
    assert_eq!(updated.body["city"], "Lyon");
    assert_eq!(updated.body["companyName"], before["companyName"]);
    assert_eq!(updated.body["website"], before["website"]);
    assert_eq!(updated.body["phoneNumber"], "");
    assert_eq!(settings(&emulator, &org).await, updated.body);

    // What a client sends back from a read: the read-only fields are ignored, the others set.
    let mut sent_back = updated.body.clone();
    sent_back["companyName"] = json!("NewOrgName");
    sent_back["id"] = json!("00oSomeOtherOrg00000");
    sent_back["status"] = json!("INACTIVE");
    sent_back["subdomain"] = json!("elsewhere");
    let replaced = emulator
        .call(Method::PUT, &url, &org.token, Some(sent_back))
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["companyName"], "NewOrgName");
    assert_eq!(replaced.body["id"], before["id"]);
    assert_eq!(replaced.body["status"], "ACTIVE");
    assert_eq!(replaced.body["subdomain"], "settings");
    assert_eq!(replaced.body["city"], "Lyon");

    // A replace clears what it does not send.
    let minimal = emulator
        .call(
            Method::PUT,
            &url,
            &org.token,
            Some(json!({ "companyName": "Only A Name" })),
        )
        .await;
    assert_eq!(minimal.status, 200, "{:?}", minimal.body);
    assert_eq!(minimal.body["companyName"], "Only A Name");
    assert_eq!(minimal.body["website"], Value::Null);
    for field in GENERAL_FIELDS {
        assert_eq!(minimal.body[field], Value::Null, "{field}");
    }
    assert_eq!(settings(&emulator, &org).await, minimal.body);
}

#[tokio::test]
async fn org_settings_refuse_bad_values_and_change_nothing() {
    let emulator = Emulator::start();
    let org = emulator.create_org("badsettings").await;
    let before = settings(&emulator, &org).await;
    let url = format!("{}/api/v1/org", org.url);

    let wrong_type = emulator
        .post(
            &url,
            &org.token,
            json!({ "city": "Lyon", "phoneNumber": 12345, "companyName": "  " }),
        )
        .await;
    assert_error(&wrong_type, 400, "E0000001");
    let causes: Vec<&str> = wrong_type.body["errorCauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|cause| cause["errorSummary"].as_str())
        .collect();
    assert_eq!(
        causes,
        vec![
            "companyName: The field cannot be left blank",
            "phoneNumber: The field must be a string",
        ]
    );
    let no_name = emulator
        .call(
            Method::PUT,
            &url,
            &org.token,
            Some(json!({ "city": "Lyon" })),
        )
        .await;
    assert_error(&no_name, 400, "E0000001");
    let not_an_object = emulator.post(&url, &org.token, json!(["city"])).await;
    assert_error(&not_an_object, 400, "E0000003");
    assert_eq!(settings(&emulator, &org).await, before);
}

#[tokio::test]
async fn org_contacts_start_as_the_first_super_admin_and_can_be_replaced() {
    let emulator = Emulator::start();
    let org = emulator.create_org("contacts").await;
    let contacts = emulator
        .get(&format!("{}/api/v1/org/contacts", org.url), &org.token)
        .await;
    assert_eq!(contacts.status, 200);
    assert_eq!(
        contacts.body,
        json!([
            { "contactType": "BILLING", "_links": { "billing": { "href": format!("{}/api/v1/org/contacts/billing", org.url) } } },
            { "contactType": "TECHNICAL", "_links": { "technical": { "href": format!("{}/api/v1/org/contacts/technical", org.url) } } },
        ])
    );

    // Both contact types name the admin Okta created with the org, in either case of the path.
    for path in ["BILLING", "billing", "TECHNICAL", "technical"] {
        let contact = emulator
            .get(
                &format!("{}/api/v1/org/contacts/{path}", org.url),
                &org.token,
            )
            .await;
        assert_eq!(contact.status, 200, "{path}");
        assert_eq!(
            contact.body,
            json!({
                "userId": org.admin_id,
                "_links": { "user": { "href": format!("{}/api/v1/users/{}", org.url, org.admin_id) } },
            })
        );
    }

    let person = emulator
        .create_user(&org, "tech.lead@contacts.example.com", "?activate=true")
        .await;
    let person_id = person.body["id"].as_str().unwrap().to_string();
    let technical = format!("{}/api/v1/org/contacts/TECHNICAL", org.url);
    let replaced = emulator
        .call(
            Method::PUT,
            &technical,
            &org.token,
            Some(json!({ "userId": person_id })),
        )
        .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["userId"], person_id.as_str());
    assert_eq!(
        emulator.get(&technical, &org.token).await.body["userId"],
        person_id.as_str()
    );
    let billing = emulator
        .get(
            &format!("{}/api/v1/org/contacts/billing", org.url),
            &org.token,
        )
        .await;
    assert_eq!(billing.body["userId"], org.admin_id.as_str());

    let unknown_user = emulator
        .call(
            Method::PUT,
            &technical,
            &org.token,
            Some(json!({ "userId": "00unobody00000000000" })),
        )
        .await;
    assert_error(&unknown_user, 404, "E0000007");
    let no_user = emulator
        .call(Method::PUT, &technical, &org.token, Some(json!({})))
        .await;
    assert_error(&no_user, 400, "E0000001");
    let unknown_type = emulator
        .get(
            &format!("{}/api/v1/org/contacts/SECURITY", org.url),
            &org.token,
        )
        .await;
    assert_error(&unknown_type, 404, "E0000007");
    assert_eq!(
        emulator.get(&technical, &org.token).await.body["userId"],
        person_id.as_str()
    );
}

#[tokio::test]
async fn org_footer_preference_and_communication_emails_toggle_with_the_link_that_undoes_them() {
    let emulator = Emulator::start();
    let org = emulator.create_org("prefs").await;
    let preferences = format!("{}/api/v1/org/preferences", org.url);
    let shown = emulator.get(&preferences, &org.token).await;
    assert_eq!(
        shown.body,
        json!({
            "showEndUserFooter": true,
            "_links": { "hideEndUserFooter": { "href": format!("{preferences}/hideEndUserFooter"), "hints": { "allow": ["POST"] } } },
        })
    );
    let hidden = emulator
        .post(
            &format!("{preferences}/hideEndUserFooter"),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(
        hidden.body,
        json!({
            "showEndUserFooter": false,
            "_links": { "showEndUserFooter": { "href": format!("{preferences}/showEndUserFooter"), "hints": { "allow": ["POST"] } } },
        })
    );
    assert_eq!(
        emulator.get(&preferences, &org.token).await.body,
        hidden.body
    );
    let again = emulator
        .post(
            &format!("{preferences}/showEndUserFooter"),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(again.body, shown.body);

    let communication = format!("{}/api/v1/org/privacy/oktaCommunication", org.url);
    let opted_out = emulator.get(&communication, &org.token).await;
    assert_eq!(
        opted_out.body,
        json!({
            "optOutEmailUsers": true,
            "_links": { "optIn": { "href": format!("{communication}/optIn"), "hints": { "allow": ["POST"] } } },
        })
    );
    let opted_in = emulator
        .post(&format!("{communication}/optIn"), &org.token, json!({}))
        .await;
    assert_eq!(
        opted_in.body,
        json!({
            "optOutEmailUsers": false,
            "_links": { "optOut": { "href": format!("{communication}/optOut"), "hints": { "allow": ["POST"] } } },
        })
    );
    assert_eq!(
        emulator.get(&communication, &org.token).await.body,
        opted_in.body
    );
    let out_again = emulator
        .post(&format!("{communication}/optOut"), &org.token, json!({}))
        .await;
    assert_eq!(out_again.body, opted_out.body);
}

fn parse_time(text: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(
        text.as_str().expect("a date-time"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339")
}

#[tokio::test]
async fn okta_support_access_is_granted_for_eight_hours_extended_by_a_day_and_revoked() {
    let emulator = Emulator::start_with(&["--log-lag-ms", "0"]);
    let org = emulator.create_org("support").await;
    let support = format!("{}/api/v1/org/privacy/oktaSupport", org.url);
    let disabled = json!({
        "support": "DISABLED",
        "expiration": null,
        "_links": { "grant": { "href": format!("{support}/grant"), "hints": { "allow": ["POST"] } } },
    });
    assert_eq!(emulator.get(&support, &org.token).await.body, disabled);
    let nothing_to_extend = emulator
        .post(&format!("{support}/extend"), &org.token, json!({}))
        .await;
    assert_error(&nothing_to_extend, 400, "E0000001");

    let granted = emulator
        .post(&format!("{support}/grant"), &org.token, json!({}))
        .await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    assert_eq!(granted.body["support"], "ENABLED");
    assert_eq!(
        granted.body["_links"],
        json!({
            "extend": { "href": format!("{support}/extend"), "hints": { "allow": ["POST"] } },
            "revoke": { "href": format!("{support}/revoke"), "hints": { "allow": ["POST"] } },
        })
    );
    // Eight hours from the emulator's clock, as its `Date` header tells it (whole seconds).
    let date = time::OffsetDateTime::parse(
        granted.header("date").unwrap(),
        &time::format_description::well_known::Rfc2822,
    )
    .unwrap();
    let until = parse_time(&granted.body["expiration"]);
    let ahead = (until - date).whole_seconds();
    assert!((8 * 3600..=8 * 3600 + 1).contains(&ahead), "{ahead} s");
    assert_eq!(emulator.get(&support, &org.token).await.body, granted.body);

    let extended = emulator
        .post(&format!("{support}/extend"), &org.token, json!({}))
        .await;
    assert_eq!(extended.body["support"], "ENABLED");
    assert_eq!(
        (parse_time(&extended.body["expiration"]) - until).whole_seconds(),
        24 * 3600
    );

    let revoked = emulator
        .post(&format!("{support}/revoke"), &org.token, json!({}))
        .await;
    assert_eq!(revoked.body, disabled);
    assert_eq!(emulator.get(&support, &org.token).await.body, disabled);

    let logs = emulator
        .get(
            &format!(
                "{}/api/v1/logs?filter=eventType+sw+%22user.session.impersonation%22",
                org.url
            ),
            &org.token,
        )
        .await;
    let events: Vec<(&str, &str)> = logs
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["eventType"].as_str().unwrap(),
                event["target"][0]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            ("user.session.impersonation.grant", "Org"),
            ("user.session.impersonation.extend", "Org"),
            ("user.session.impersonation.revoke", "Org"),
        ]
    );
}

#[tokio::test]
async fn org_settings_writes_need_an_org_admin_and_survive_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("kept").await;

    // A read-only admin reads the settings and changes none of them.
    let reader = emulator
        .create_user(&org, "reader@kept.example.com", "?activate=true")
        .await;
    let reader_id = reader.body["id"].as_str().unwrap();
    let role = emulator
        .post(
            &format!("{}/api/v1/users/{reader_id}/roles", org.url),
            &org.token,
            json!({ "type": "READ_ONLY_ADMIN" }),
        )
        .await;
    assert_eq!(role.status, 201, "{:?}", role.body);
    let token = emulator
        .control(
            Method::POST,
            &format!("/orgs/kept/users/{reader_id}/api-tokens"),
            Some(json!({})),
        )
        .await;
    let reader_token = token.body["token"].as_str().unwrap().to_string();
    for path in [
        "/api/v1/org",
        "/api/v1/org/contacts/billing",
        "/api/v1/org/preferences",
        "/api/v1/org/privacy/oktaSupport",
    ] {
        let read = emulator
            .get(&format!("{}{path}", org.url), &reader_token)
            .await;
        assert_eq!(read.status, 200, "{path}");
    }
    let refused = emulator
        .post(
            &format!("{}/api/v1/org", org.url),
            &reader_token,
            json!({ "city": "Lyon" }),
        )
        .await;
    assert_error(&refused, 403, "E0000006");
    let refused = emulator
        .post(
            &format!("{}/api/v1/org/preferences/hideEndUserFooter", org.url),
            &reader_token,
            json!({}),
        )
        .await;
    assert_error(&refused, 403, "E0000006");

    // The super admin's changes are saved before they are answered.
    emulator
        .post(
            &format!("{}/api/v1/org", org.url),
            &org.token,
            json!({ "city": "Lyon", "companyName": "Kept Corp" }),
        )
        .await;
    emulator
        .post(
            &format!("{}/api/v1/org/preferences/hideEndUserFooter", org.url),
            &org.token,
            json!({}),
        )
        .await;
    emulator
        .call(
            Method::PUT,
            &format!("{}/api/v1/org/contacts/technical", org.url),
            &org.token,
            Some(json!({ "userId": reader_id })),
        )
        .await;
    let before = settings(&emulator, &org).await;
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let org = Org {
        url: format!("{}/kept", restarted.url),
        ..org
    };
    let after = settings(&restarted, &org).await;
    assert_eq!(after["city"], "Lyon");
    assert_eq!(after["companyName"], "Kept Corp");
    assert_eq!(after["lastUpdated"], before["lastUpdated"]);
    let preferences = restarted
        .get(&format!("{}/api/v1/org/preferences", org.url), &org.token)
        .await;
    assert_eq!(preferences.body["showEndUserFooter"], false);
    let technical = restarted
        .get(
            &format!("{}/api/v1/org/contacts/technical", org.url),
            &org.token,
        )
        .await;
    assert_eq!(technical.body["userId"], reader_id);
}
