//! Whether an account's e-mail address is also another user's (securing rule 5: a dedicated
//! mailbox), for the accounts an apply creates, at a fraction of a call per account.
//!
//! The check itself is `Client::users_with_emails`: two listings per 25 addresses, exact and
//! without regard to case. The accounts of one org reach it at about the same time, so their
//! questions are answered together (`provider::coalesce`): one apply of 60 accounts in one org
//! makes a handful of listings, not 120.
//!
//! The accounts this process creates are remembered and counted too: two of them given one
//! address (one typo in a `for_each` map) are found however their checks interleave.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::okta::{Client, OktaError, User};

use super::coalesce::Coalesced;

/// The mailbox checks of one org during one run.
#[derive(Default)]
pub struct MailboxChecks {
    /// Lower-case address to the ids of the users holding it.
    holders: Coalesced<Vec<String>>,
    /// The accounts this process created or set up in the org: lower-case address to ids.
    known: Mutex<HashMap<String, HashSet<String>>>,
    /// Holders found by the plan's listing of this run (`OrgSession::holder_of_login`),
    /// moments before the apply of each account: lower-case address to ids.
    listed: Mutex<HashMap<String, Vec<String>>>,
}

impl MailboxChecks {
    /// Records that `user` is an account of this run, so that later checks count it.
    pub fn remember(&self, user: &User) {
        if let Some(email) = address(user) {
            self.known
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(email)
                .or_default()
                .insert(user.id.clone());
        }
    }

    /// Records who holds each of `emails` (asked for by a listing of this run): `users` is
    /// everything that listing found.
    pub fn record_listing(&self, emails: &[&str], users: &[User]) {
        let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        for email in emails {
            let email = email.to_lowercase();
            let holders = users
                .iter()
                .filter(|user| address(user).as_deref() == Some(email.as_str()))
                .map(|user| user.id.clone())
                .collect();
            listed.insert(email, holders);
        }
    }

    /// Whether another user of the org holds `user`'s e-mail address, in any case.
    pub async fn shared(&self, client: &Client, user: &User) -> Result<bool, OktaError> {
        let Some(email) = address(user) else {
            return Ok(false);
        };
        let listed = self
            .listed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&email)
            .cloned();
        let holders = match listed {
            Some(holders) => holders,
            None => self.ask(client, &email).await?,
        };
        let known_others = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&email)
            .is_some_and(|ids| ids.iter().any(|id| *id != user.id));
        Ok(known_others || holders.iter().any(|id| *id != user.id))
    }

    /// The holders of `email`, from a listing shared with the org's other pending checks.
    async fn ask(&self, client: &Client, email: &str) -> Result<Vec<String>, OktaError> {
        self.holders
            .ask(
                email,
                |_| false,
                |emails: Vec<String>| async move {
                    let wanted: Vec<&str> = emails.iter().map(String::as_str).collect();
                    let users = client.users_with_emails(&wanted).await?;
                    let mut by_email: HashMap<String, Vec<String>> = HashMap::new();
                    for holder in &users {
                        if let Some(email) = address(holder) {
                            by_email.entry(email).or_default().push(holder.id.clone());
                        }
                    }
                    Ok::<_, OktaError>(by_email)
                },
            )
            .await
    }
}

fn address(user: &User) -> Option<String> {
    user.profile
        .email
        .as_deref()
        .filter(|email| !email.is_empty())
        .map(str::to_lowercase)
}
