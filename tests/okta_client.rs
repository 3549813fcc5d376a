//! The Okta client against the real emulator, for what the end-to-end tests reach only in small
//! numbers.

use okta_msp::okta::{Client, ClientOptions, OrgUrl};
use okta_msp::secret::Secret;

use crate::support::emulator::{Api, CustomerOrg, Emulator};

fn client_of(org: &CustomerOrg) -> Client {
    Client::new(
        OrgUrl::parse(&org.url).unwrap(),
        Secret::new(org.token.clone()),
        ClientOptions::default(),
    )
    .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// How many `GET /api/v1/users` the org `subdomain` has answered so far.
fn user_listings(emulator: &Emulator, subdomain: &str) -> u64 {
    Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats")["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == subdomain && r["route"] == "/api/v1/users")
        .filter(|r| r["method"] == "GET")
        .map(|r| r["count"].as_u64().unwrap())
        .sum()
}

/// 53 addresses (two unknown, one in another case) take three listing pairs of at most 25
/// addresses each, and find every holder, including two people sharing one mailbox.
#[test]
fn users_are_found_by_email_twenty_five_addresses_per_listing_pair() {
    let emulator = Emulator::start();
    let org = emulator.create_org("mailboxes");
    let api = Api::new(&org.url, &org.token);
    let mut emails: Vec<String> = Vec::new();
    for n in 0..51 {
        let email = format!("svc-{n}@mailboxes.example");
        api.create_person(&email, &email, false);
        emails.push(email);
    }
    api.create_person("desk@mailboxes.example", "SVC-3@mailboxes.example", false);
    emails.push("nobody@mailboxes.example".into());
    emails.push("also-nobody@mailboxes.example".into());

    let client = client_of(&org);
    let stats = || user_listings(&emulator, "mailboxes");
    let before = stats();
    let runtime = runtime();
    let addresses: Vec<&str> = emails.iter().map(String::as_str).collect();
    let found = runtime
        .block_on(client.users_with_emails(&addresses))
        .unwrap();
    assert_eq!(
        stats() - before,
        6,
        "53 addresses, 25 per search and 25 per exact filter"
    );
    let mut logins: Vec<String> = found
        .iter()
        .map(|user| user.profile.login.clone().unwrap())
        .collect();
    logins.sort();
    assert_eq!(logins.len(), 52, "{logins:?}");
    assert!(logins.contains(&"desk@mailboxes.example".to_owned()));
    assert!(logins.contains(&"svc-50@mailboxes.example".to_owned()));
}

/// Logins and mailboxes looked up together say how many listings they took, and that is what
/// the org saw: the count a large org's reading whole is weighed against (one pair per chunk of
/// values, not one pair per lookup).
#[test]
fn a_lookup_by_logins_and_emails_counts_the_listings_it_made() {
    let emulator = Emulator::start();
    let org = emulator.create_org("counted");
    let api = Api::new(&org.url, &org.token);
    let logins: Vec<String> = (0..40)
        .map(|n| format!("svc-{n}@counted.example"))
        .collect();
    api.create_person(&logins[7], &logins[7], false);
    let emails: Vec<String> = (0..20)
        .map(|n| format!("box-{n}@counted.example"))
        .collect();
    let client = client_of(&org);
    let listings_seen = || user_listings(&emulator, "counted");
    let runtime = runtime();
    for (logins, emails) in [(&logins[..3], &emails[..0]), (&logins[..], &emails[..])] {
        let before = listings_seen();
        let logins: Vec<&str> = logins.iter().map(String::as_str).collect();
        let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
        let (found, listings) = runtime
            .block_on(client.users_with_logins_or_emails(&logins, &emails))
            .unwrap();
        assert_eq!(
            u64::from(listings),
            listings_seen() - before,
            "{} values",
            logins.len() + emails.len()
        );
        assert!(listings >= 2 && listings % 2 == 0, "{listings}");
        if logins.len() > 7 {
            assert!(
                listings > 2,
                "60 values take more than one pair: {listings}"
            );
            assert_eq!(found.len(), 1);
        }
    }
}

/// An org's users read whole: every status (a deactivated user too, which a bare listing
/// omits), one call per page of 200, and `None` when more pages are linked than allowed.
#[test]
fn an_orgs_users_are_read_whole_within_a_number_of_pages() {
    let emulator = Emulator::start();
    let org = emulator.create_org("whole");
    let api = Api::new(&org.url, &org.token);
    for n in 0..250 {
        let login = format!("person-{n}@whole.example");
        api.create_person(&login, &login, false);
    }
    let gone = api.create_person("gone@whole.example", "gone@whole.example", true);
    let (status, body) = api.send(
        "POST",
        &format!("/api/v1/users/{gone}/lifecycle/deactivate"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let client = client_of(&org);
    let listings = || user_listings(&emulator, "whole");
    let runtime = runtime();
    let before = listings();
    let users = runtime
        .block_on(client.all_users_within(2))
        .unwrap()
        .expect("251 users fit in two pages");
    assert_eq!(listings() - before, 2);
    assert!(users.len() > 251, "{}", users.len());
    let deactivated = users.iter().find(|user| user.id == gone).expect("listed");
    assert_eq!(deactivated.status.as_str(), "DEPROVISIONED");

    let before = listings();
    assert!(
        runtime
            .block_on(client.all_users_within(1))
            .unwrap()
            .is_none(),
        "more than one page"
    );
    assert_eq!(listings() - before, 1);
}
