//! The provider's limiter plans against the share of each bucket Okta gives its one credential
//! (half of it by default, as okta-emulator now serves), not against the whole bucket: it
//! learns each bucket's limit from the `X-Rate-Limit-*` headers of the first answers.

use serde_json::Value;

use crate::support::emulator::{Api, Emulator};
use crate::support::terraform::{Workspace, terraform_available};

const ORG_TOKEN: &str = "share-test-token";
const ACCOUNTS: usize = 5;
/// The users bucket (600 a minute) is 24 at this scale, 12 for one token: five `radius`
/// accounts need more of it than 12 (a create and two role grants each, besides the org's own
/// reads) and fewer than 24, so the halved bucket binds where the whole one would not.
const SCALE: &str = "0.04";
/// `LimiterSettings::unknown_bucket_burst`: requests sent to a bucket before its first answer
/// says how large it is.
const UNKNOWN_BUCKET_BURST: u64 = 4;

/// Calls per bucket from the emulator's statistics, with the bucket's whole limit and one
/// credential's share of it (`/_emulator/rate-limits`).
fn calls_by_bucket(emulator: &Emulator) -> Vec<(String, u64, u64, u64)> {
    let (_, limits) = emulator.control("GET", "/rate-limits", None);
    let (_, stats) = emulator.control("GET", "/stats", None);
    let requests = stats["requests"].as_array().cloned().unwrap_or_default();
    limits["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| {
            let routes: Vec<(&str, &str)> = bucket["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["method"].as_str().unwrap(),
                        r["template"].as_str().unwrap(),
                    )
                })
                .collect();
            let calls: u64 = requests
                .iter()
                .filter(|request: &&Value| {
                    routes.contains(&(
                        request["method"].as_str().unwrap_or(""),
                        request["route"].as_str().unwrap_or(""),
                    ))
                })
                .map(|request| request["count"].as_u64().unwrap_or(0))
                .sum();
            (
                bucket["bucket"].as_str().unwrap().to_string(),
                calls,
                bucket["limit_per_minute"].as_u64().unwrap(),
                bucket["share_per_minute"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_limiter_plans_against_the_tokens_half_of_each_bucket() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&[
        "--org",
        &format!("acme:{ORG_TOKEN}"),
        "--rate-limit-scale",
        SCALE,
    ]);
    let org_url = format!("{}/acme", emulator.url);
    let workspace = Workspace::new();
    let mut config = format!(
        "terraform {{\n  required_providers {{\n    okta = {{ source = \"zerotek/okta-msp\" }}\n  }}\n}}\nprovider \"okta\" {{\n  org_tokens = {{ \"{org_url}\" = \"{ORG_TOKEN}\" }}\n}}\n"
    );
    for index in 0..ACCOUNTS {
        config.push_str(&format!(
            "resource \"okta_msp_service_account\" \"r{index}\" {{\n  org_url = \"{org_url}\"\n  kind    = \"radius\"\n  login   = \"radius-{index}@msp.example\"\n  email   = \"radius-{index}@msp.example\"\n}}\n"
        ));
    }
    workspace.write("main.tf", &config);
    workspace.init();
    workspace
        .apply()
        .assert_success("an apply at the token's share");

    let buckets = calls_by_bucket(&emulator);
    let users = buckets
        .iter()
        .find(|(name, ..)| name == "/api/v1/users")
        .expect("the users bucket");
    let (_, calls, limit, share) = users;
    assert_eq!(*share, limit / 2, "Okta's default share is half");
    assert!(
        calls > share && calls <= limit,
        "the halved bucket binds and the whole one would not: {buckets:?}"
    );
    // What the limiter's design allows: a bucket's first requests go out before any answer
    // says how large it is, at most `UNKNOWN_BUCKET_BURST`, so a share smaller than that may
    // see the excess refused once; after that, none. Every share touched here holds the burst.
    let allowed: u64 = buckets
        .iter()
        .filter(|(_, calls, ..)| *calls > 0)
        .map(|(_, _, _, share)| UNKNOWN_BUCKET_BURST.saturating_sub(*share))
        .sum();
    let (_, stats) = emulator.control("GET", "/stats", None);
    let refused = stats["rate_limited"].as_u64().unwrap_or(0);
    assert!(
        refused <= allowed,
        "{refused} 429s served, the design allows {allowed}: {buckets:?}"
    );

    // The provider's token has spent its share of the users bucket; the org gives it the
    // whole bucket (a principal rate limit) to check the accounts with.
    let api = Api::new(&org_url, ORG_TOKEN);
    let token_id = api.get("/api/v1/api-tokens")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, entity) = api.send(
        "POST",
        "/api/v1/principal-rate-limits",
        Some(serde_json::json!({ "principalId": token_id, "principalType": "SSWS_TOKEN", "defaultPercentage": 100 })),
    );
    assert_eq!(status, 201, "{entity}");
    for index in 0..ACCOUNTS {
        let login = format!("radius-{index}%40msp.example");
        let user = api.get(&format!("/api/v1/users/{login}"));
        assert_eq!(user["status"], "ACTIVE", "{user}");
        assert_eq!(
            api.role_types(user["id"].as_str().unwrap()),
            vec!["APP_ADMIN", "READ_ONLY_ADMIN"]
        );
    }
}
