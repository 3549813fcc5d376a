//! The Okta client against the real emulator, for what the end-to-end tests reach only in small
//! numbers.

use okta_msp::okta::{Client, ClientOptions, OrgUrl};
use okta_msp::secret::Secret;

use crate::support::emulator::{Api, Emulator};

/// 23 addresses (two unknown, one in another case) take three filtered calls of at most ten
/// addresses each, and find every holder, including two people sharing one mailbox.
#[test]
fn users_are_found_by_email_ten_addresses_per_call() {
    let emulator = Emulator::start();
    let org = emulator.create_org("mailboxes");
    let api = Api::new(&org.url, &org.token);
    let mut emails: Vec<String> = Vec::new();
    for n in 0..21 {
        let email = format!("svc-{n}@mailboxes.example");
        api.create_person(&email, &email, false);
        emails.push(email);
    }
    api.create_person("desk@mailboxes.example", "SVC-3@mailboxes.example", false);
    emails.push("nobody@mailboxes.example".into());
    emails.push("also-nobody@mailboxes.example".into());

    let client = Client::new(
        OrgUrl::parse(&org.url).unwrap(),
        Secret::new(org.token.clone()),
        ClientOptions::default(),
    )
    .unwrap();
    let stats = || {
        Api::new(&emulator.url, &emulator.admin_token).get("/_emulator/stats")["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["org"] == "mailboxes" && r["route"] == "/api/v1/users")
            .filter(|r| r["method"] == "GET")
            .map(|r| r["count"].as_u64().unwrap())
            .sum::<u64>()
    };
    let before = stats();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addresses: Vec<&str> = emails.iter().map(String::as_str).collect();
    let found = runtime
        .block_on(client.users_with_emails(&addresses))
        .unwrap();
    assert_eq!(
        stats() - before,
        6,
        "23 addresses, ten per search and ten per exact filter"
    );
    let mut logins: Vec<String> = found
        .iter()
        .map(|user| user.profile.login.clone().unwrap())
        .collect();
    logins.sort();
    assert_eq!(logins.len(), 22, "{logins:?}");
    assert!(logins.contains(&"desk@mailboxes.example".to_owned()));
    assert!(logins.contains(&"svc-20@mailboxes.example".to_owned()));
}
