//! Two first applies on one org at the same moment (two workspaces, one org): both succeed and
//! leave exactly one of each baseline object. The emulator, like Okta, refuses a second group,
//! zone or policy rule of the same name, and accepts a second policy of the same name; the
//! provider meets the first by finding the other run's object, the second by keeping the
//! policy Okta made first.

use std::collections::BTreeMap;

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::scenario::account;
use crate::support::terraform::{Workspace, terraform_available};

const RACES: usize = 10;
const GROUP: &str = "MSP Service Accounts";

/// A configuration of `org` with the network zone (so that every kind of baseline object is
/// raced for) and one account.
fn racer(org: &CustomerOrg, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens            = {{ "{url}" = "{token}" }}
  allowed_network_cidrs = ["198.51.100.0/24"]
}}
locals {{
  org_url = "{url}"
}}
{body}
"#,
        url = org.url,
        token = org.token
    )
}

/// How many objects of each baseline name the org holds: the group, the zone, each policy and
/// each policy's rules.
fn baseline_census(api: &Api) -> BTreeMap<String, usize> {
    let mut census = BTreeMap::new();
    let mut count = |name: String| *census.entry(name).or_default() += 1;
    for group in api.get("/api/v1/groups").as_array().unwrap() {
        let name = group["profile"]["name"].as_str().unwrap();
        if name.starts_with(GROUP) {
            count(format!("group {name}"));
        }
    }
    for zone in api.get("/api/v1/zones").as_array().unwrap() {
        let name = zone["name"].as_str().unwrap();
        if name.starts_with(GROUP) {
            count(format!("zone {name}"));
        }
    }
    for policy_type in ["PASSWORD", "OKTA_SIGN_ON"] {
        let policies = api.get(&format!("/api/v1/policies?type={policy_type}"));
        for policy in policies.as_array().unwrap() {
            let name = policy["name"].as_str().unwrap();
            if !name.starts_with(GROUP) {
                continue;
            }
            count(format!("policy {name}"));
            let id = policy["id"].as_str().unwrap();
            for rule in api
                .get(&format!("/api/v1/policies/{id}/rules"))
                .as_array()
                .unwrap()
            {
                count(format!("rule {} of {name}", rule["name"].as_str().unwrap()));
            }
        }
    }
    census
}

#[test]
fn two_first_applies_on_one_org_both_succeed_and_leave_one_of_each_baseline_object() {
    if !terraform_available() {
        return;
    }
    // Seeded orgs: ten creations through the partner org would pass the Org Creator bucket's
    // per-credential share (5 a minute).
    let seeds: Vec<String> = (0..RACES)
        .flat_map(|race| ["--org".to_owned(), format!("race{race}:race{race}-token")])
        .collect();
    let mut args: Vec<&str> = vec!["--search-lag-ms", "0", "--log-lag-ms", "0"];
    args.extend(seeds.iter().map(String::as_str));
    let emulator = Emulator::start_with(&args);
    for race in 0..RACES {
        let org = CustomerOrg {
            url: format!("{}/race{race}", emulator.url),
            token: format!("race{race}-token"),
        };
        let first = Workspace::new();
        first.write(
            "main.tf",
            &racer(
                &org,
                &account("ad", "ad_agent", &format!("ad{race}@race.example"), ""),
            ),
        );
        let second = Workspace::new();
        second.write(
            "main.tf",
            &racer(
                &org,
                &account(
                    "radius",
                    "radius",
                    &format!("radius{race}@race.example"),
                    "",
                ),
            ),
        );
        first.init();
        second.init();
        let (one, two) = std::thread::scope(|scope| {
            let one = scope.spawn(|| first.apply());
            let two = scope.spawn(|| second.apply());
            (one.join().unwrap(), two.join().unwrap())
        });
        one.assert_success(&format!("race {race}: the first workspace's apply"));
        two.assert_success(&format!("race {race}: the second workspace's apply"));

        let census = baseline_census(&Api::new(&org.url, &org.token));
        assert!(
            census.len() >= 7,
            "race {race}: every object exists: {census:#?}"
        );
        for (name, count) in &census {
            assert_eq!(
                *count, 1,
                "race {race}: {name} exists {count} times: {census:#?}"
            );
        }
        first.assert_no_changes(&format!("race {race}: the first workspace after the race"));
        second.assert_no_changes(&format!("race {race}: the second workspace after the race"));
    }
}
