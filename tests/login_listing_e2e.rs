//! What planning new accounts costs in listings of users (issue 29): who holds each login, and
//! who else reads each mailbox, asked by every create in the plan walk and again in the apply
//! walk's re-plan. Counted through the emulator's statistics over a whole `terraform apply`.

use crate::support::emulator::{Api, CustomerOrg, Emulator};
use crate::support::scenario::config;
use crate::support::terraform::{Workspace, terraform_available};

/// The bound of issue 29: listings of users per new account over a whole apply.
const MAX_LISTINGS_PER_NEW_ACCOUNT: f64 = 0.5;

fn accounts(count: usize, login_case: impl Fn(usize) -> String) -> String {
    (0..count)
        .map(|n| {
            let login = login_case(n);
            format!(
                r#"
resource "okta_msp_service_account" "agent_{n}" {{
  org_url = local.org_url
  kind    = "ad_agent"
  login   = "{login}"
  email   = "{login}"
}}
"#
            )
        })
        .collect()
}

/// `GET /api/v1/users` answered for `org` so far (the listings; a user read by id is another
/// route).
fn listings(emulator: &Emulator, org: &str) -> u64 {
    Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == org && r["method"] == "GET" && r["route"] == "/api/v1/users")
        .map(|r| r["count"].as_u64().unwrap())
        .sum()
}

fn apply_counting(emulator: &Emulator, org: &CustomerOrg, name: &str, parallelism: u32) -> u64 {
    const ACCOUNTS: usize = 12;
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(
            org,
            &accounts(ACCOUNTS, |n| format!("agent-{n}@msp.example")),
        ),
    );
    workspace.init();
    let before = listings(emulator, name);
    workspace
        .run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            &format!("-parallelism={parallelism}"),
        ])
        .assert_success("apply of twelve new accounts");
    let made = listings(emulator, name) - before;
    assert!(
        made as f64 <= MAX_LISTINGS_PER_NEW_ACCOUNT * ACCOUNTS as f64,
        "{made} listings of users for {ACCOUNTS} new accounts at parallelism {parallelism}"
    );
    workspace.assert_no_changes("after the apply");
    made
}

/// A whole apply of twelve new accounts (its plan walk and the apply walk's re-plans) lists
/// the org's users at most six times, whether Terraform plans one resource at a time or ten:
/// a small org is read whole once per walk, not once per wave of plans.
#[test]
fn a_whole_apply_lists_users_at_most_once_per_two_new_accounts_at_any_parallelism() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start();
    for (name, parallelism) in [("serial", 1), ("parallel", 10)] {
        let org = emulator.create_org(name);
        let made = apply_counting(&emulator, &org, name, parallelism);
        // One reading of the org per walk: the plan walk's and the apply walk's.
        assert_eq!(made, 2, "parallelism {parallelism}");
    }
}

/// An org too large to read whole (more than two pages of 200 users) is asked by value: the
/// lookups of accounts planned together share a listing pair (an exact filter and a search,
/// which finds a login held in another case), and a person holding one of the logins in
/// other capitals is found, so the plan refuses to take the login over (G17).
#[test]
fn a_large_org_is_listed_by_value_and_a_login_held_in_other_capitals_is_found() {
    if !terraform_available() {
        return;
    }
    // Rate limiting off: four hundred people are created through the API first.
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0"]);
    let org = emulator.create_org("large");
    let api = Api::new(&org.url, &org.token);
    for n in 0..400 {
        let login = format!("person-{n}@large.example");
        api.create_person(&login, &login, false);
    }
    let person = api.create_person("Agent-3@MSP.example", "desk@large.example", true);
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(&org, &accounts(6, |n| format!("agent-{n}@msp.example"))),
    );
    workspace.init();
    let before = listings(&emulator, "large");
    let plan = workspace.run(&["plan", "-no-color", "-input=false"]);
    plan.assert_failure("a create over a person holding the login in other capitals");
    let output = plan.combined();
    assert!(
        output.contains("(G17)") && output.contains(&person),
        "{output}"
    );
    let made = listings(&emulator, "large") - before;
    // Two pages read before the org counts as large, then a listing pair when the six lookups
    // gather. When a loaded machine splits them, the pairs made earn one more attempt at four
    // pages, which reads the org's three whole (a pair may already be under way).
    assert!(made == 4 || (7..=9).contains(&made), "{made} listings");
}

/// Twelve new accounts applied one at a time in an org of 401 users: listed by value, every
/// account would cost a listing pair in each walk (52 listings were measured before); once the
/// pairs have cost as much as the first attempt to read the org whole, it is read whole again
/// with twice the pages, and the rest of each walk is answered from that reading.
#[test]
fn a_bulk_apply_in_a_large_org_reads_it_whole_once_listing_by_value_has_cost_as_much() {
    if !terraform_available() {
        return;
    }
    const ACCOUNTS: usize = 12;
    let emulator = Emulator::start_with(&["--rate-limit-scale", "0"]);
    let org = emulator.create_org("bulk");
    let api = Api::new(&org.url, &org.token);
    for n in 0..400 {
        let login = format!("person-{n}@bulk.example");
        api.create_person(&login, &login, false);
    }
    let workspace = Workspace::new();
    workspace.write(
        "main.tf",
        &config(
            &org,
            &accounts(ACCOUNTS, |n| format!("agent-{n}@msp.example")),
        ),
    );
    workspace.init();
    let before = listings(&emulator, "bulk");
    workspace
        .run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=1",
        ])
        .assert_success("apply of twelve new accounts in a large org");
    let made = listings(&emulator, "bulk") - before;
    // Per walk: two pages (too few), one pair, three pages (the whole org), and a reading
    // again should the walk outlast a minute. Listing by value alone costs 2 per account
    // per walk.
    assert!(
        made <= 2 * (2 + 2 + 3) + 3,
        "{made} listings of users for {ACCOUNTS} new accounts at parallelism 1"
    );
    workspace.assert_no_changes("after the apply");
}
