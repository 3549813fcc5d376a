use reqwest::Method;
use serde_json::json;

use super::support::{Emulator, assert_error, assert_fixture};

#[tokio::test]
async fn emulator_ip_network_zones() {
    let emulator = Emulator::start();
    let org = emulator.create_org("zones").await;
    let zones = format!("{}/api/v1/zones", org.url);
    let body = json!({
        "type": "IP",
        "name": "MSP office",
        "gateways": [
            { "type": "CIDR", "value": "203.0.113.0/24" },
            { "type": "RANGE", "value": "198.51.100.1-198.51.100.20" }
        ],
        "proxies": []
    });
    let created = emulator.post(&zones, &org.token, body.clone()).await;
    assert_eq!(created.status, 200);
    assert_fixture(&created.body, "zone_ip.json", &[]);
    let zone = format!("{zones}/{}", created.body["id"].as_str().unwrap());

    let mut bad = body.clone();
    bad["name"] = json!("bad");
    bad["gateways"] = json!([{ "type": "CIDR", "value": "1.2.3.4/24'" }]);
    assert_error(
        &emulator.post(&zones, &org.token, bad).await,
        400,
        "E0000001",
    );
    let mut dynamic = body.clone();
    dynamic["type"] = json!("DYNAMIC");
    assert_error(
        &emulator.post(&zones, &org.token, dynamic).await,
        501,
        "E0000060",
    );

    let listed = emulator
        .get(&format!("{zones}?filter=system%20eq%20false"), &org.token)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    assert_error(
        &emulator.call(Method::DELETE, &zone, &org.token, None).await,
        400,
        "E0000001",
    );
    let deactivated = emulator
        .post(
            &format!("{zone}/lifecycle/deactivate"),
            &org.token,
            json!({}),
        )
        .await;
    assert_eq!(deactivated.body["status"], "INACTIVE");
    assert_eq!(
        emulator
            .call(Method::DELETE, &zone, &org.token, None)
            .await
            .status,
        204
    );
    assert_error(&emulator.get(&zone, &org.token).await, 404, "E0000007");
}

#[tokio::test]
async fn emulator_policies_and_rules_keep_priorities() {
    let emulator = Emulator::start();
    let org = emulator.create_org("policies").await;
    let policies = format!("{}/api/v1/policies", org.url);
    let group = emulator
        .post(
            &format!("{}/api/v1/groups", org.url),
            &org.token,
            json!({ "profile": { "name": "svc" } }),
        )
        .await;
    let group_id = group.body["id"].as_str().unwrap();
    let policy = |name: &str, priority: u32| {
        json!({
            "type": "PASSWORD",
            "name": name,
            "priority": priority,
            "conditions": { "people": { "groups": { "include": [group_id] } } },
            "settings": { "password": { "complexity": { "minLength": 20 }, "age": { "maxAgeDays": 0 } } }
        })
    };
    let first = emulator
        .post(&policies, &org.token, policy("first", 1))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["priority"], 1);
    let second = emulator
        .post(&policies, &org.token, policy("second", 1))
        .await;
    assert_eq!(second.body["priority"], 1);
    let listed = emulator
        .get(&format!("{policies}?type=PASSWORD"), &org.token)
        .await;
    let order: Vec<(&str, u64)> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["priority"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        order,
        vec![("second", 1), ("first", 2), ("Default Policy", 3)]
    );

    assert_error(&emulator.get(&policies, &org.token).await, 400, "E0000028");
    let mut unknown_group = policy("third", 1);
    unknown_group["conditions"]["people"]["groups"]["include"] = json!(["00gnothere0000000000"]);
    assert_error(
        &emulator.post(&policies, &org.token, unknown_group).await,
        400,
        "E0000001",
    );

    let default_id = listed.body[2]["id"].as_str().unwrap();
    assert_error(
        &emulator
            .call(
                Method::DELETE,
                &format!("{policies}/{default_id}"),
                &org.token,
                None,
            )
            .await,
        400,
        "E0000001",
    );

    let rules = format!("{policies}/{}/rules", first.body["id"].as_str().unwrap());
    let rule = emulator
        .post(&rules, &org.token, json!({
            "type": "PASSWORD",
            "name": "no self-service",
            "conditions": { "people": { "users": { "exclude": [] } }, "network": { "connection": "ANYWHERE" } },
            "actions": {
                "passwordChange": { "access": "ALLOW" },
                "selfServicePasswordReset": { "access": "DENY" },
                "selfServiceUnlock": { "access": "DENY" }
            }
        }))
        .await;
    assert_eq!(rule.status, 200, "{:?}", rule.body);
    assert_eq!(rule.body["priority"], 1);
    assert_eq!(rule.body["system"], false);
    let wrong_type = emulator
        .post(
            &rules,
            &org.token,
            json!({ "type": "SIGN_ON", "name": "x", "actions": {} }),
        )
        .await;
    assert_error(&wrong_type, 400, "E0000001");

    let moved = emulator
        .call(
            Method::PUT,
            &format!("{policies}/{}", first.body["id"].as_str().unwrap()),
            &org.token,
            Some(policy("first", 1)),
        )
        .await;
    assert_eq!(moved.body["priority"], 1);
    let deleted = emulator
        .call(
            Method::DELETE,
            &format!("{policies}/{}", second.body["id"].as_str().unwrap()),
            &org.token,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let after = emulator
        .get(&format!("{policies}?type=PASSWORD"), &org.token)
        .await;
    assert_eq!(after.body[1]["priority"], 2);
    assert_eq!(after.body[1]["name"], "Default Policy");
}

#[tokio::test]
async fn emulator_sign_on_policy_rule_restricted_to_zone() {
    let emulator = Emulator::start();
    let org = emulator.create_org("signon").await;
    let zone = emulator
        .post(&format!("{}/api/v1/zones", org.url), &org.token, json!({
            "type": "IP", "name": "vault", "gateways": [{ "type": "CIDR", "value": "10.0.0.0/8" }]
        }))
        .await;
    let zone_id = zone.body["id"].as_str().unwrap();
    let policy = emulator
        .post(
            &format!("{}/api/v1/policies", org.url),
            &org.token,
            json!({
                "type": "OKTA_SIGN_ON", "name": "svc session", "priority": 1, "conditions": {}
            }),
        )
        .await;
    assert_eq!(policy.status, 200);
    let rules = format!(
        "{}/api/v1/policies/{}/rules",
        org.url,
        policy.body["id"].as_str().unwrap()
    );
    let rule = emulator
        .post(&rules, &org.token, json!({
            "type": "SIGN_ON", "name": "zone only",
            "conditions": { "network": { "connection": "ZONE", "include": [zone_id] } },
            "actions": { "signon": { "access": "ALLOW", "session": { "usePersistentCookie": false, "maxSessionLifetimeMinutes": 60 } } }
        }))
        .await;
    assert_eq!(rule.status, 200);
    assert_eq!(rule.body["conditions"]["network"]["include"][0], zone_id);
    // A zone in use cannot be deleted, even when inactive.
    let zone_url = format!("{}/api/v1/zones/{zone_id}", org.url);
    emulator
        .post(
            &format!("{zone_url}/lifecycle/deactivate"),
            &org.token,
            json!({}),
        )
        .await;
    assert_error(
        &emulator
            .call(Method::DELETE, &zone_url, &org.token, None)
            .await,
        400,
        "E0000001",
    );
}

#[tokio::test]
async fn emulator_api_token_metadata() {
    let emulator = Emulator::start();
    let org = emulator.create_org("tokens").await;
    let tokens = format!("{}/api/v1/api-tokens", org.url);
    let listed = emulator.get(&tokens, &org.token).await;
    assert_eq!(listed.status, 200);
    let token = &listed.body[0];
    assert_eq!(token["userId"], org.admin_id.as_str());
    assert_eq!(token["tokenWindow"], "P30D");
    assert!(token["id"].as_str().unwrap().starts_with("00T"));
    assert!(
        token.get("token").is_none() && !listed.body.to_string().contains(&org.token),
        "secrets never returned"
    );
    let token_url = format!("{tokens}/{}", token["id"].as_str().unwrap());
    let updated = emulator
        .call(
            Method::PUT,
            &token_url,
            &org.token,
            Some(json!({ "network": { "connection": "ANYWHERE" } })),
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        emulator
            .call(
                Method::DELETE,
                &format!("{tokens}/current"),
                &org.token,
                None
            )
            .await
            .status,
        204
    );
    assert_error(&emulator.get(&tokens, &org.token).await, 401, "E0000011");
}
