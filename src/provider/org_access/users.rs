//! Every user of a small org, read whole once and shared by the plans of its new accounts.
//!
//! Planning a create asks who holds the login (and who else reads the mailbox). Terraform asks
//! resource by resource, in waves of its parallelism in the plan walk and one by one as
//! earlier applies finish in the apply walk, so a listing per question, or per question
//! gathered with others in a short pause (`coalesce`), costs about a listing per account at
//! low parallelism and in the apply walk. An org whose users fit in two pages is cheaper read
//! whole: one call answers every question of the run, however Terraform orders them, and the
//! comparison without regard to case is made here, on users read exactly (a `filter`, not
//! search's lagging index). A larger org is remembered as such for the run, and its questions
//! go to the batched listings, until those have cost as many listings as the last attempt to
//! read it whole: then it is tried again with twice the pages (up to [`MAX_WHOLE_PAGES`]). A
//! one-account plan in a large org so costs what it did, and a bulk apply in an org of a few
//! thousand users stops paying a listing pair per account after a few accounts, at most about
//! twice what the listings by value would have cost however large the org.
//!
//! A reading serves for [`FRESH_FOR`]; a question asked later reads the org again. Nothing
//! relies on it being current: the create is refused by Okta for a taken login and then looks
//! it up exactly, and the accounts this process creates are counted by the mailbox check.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::okta::{Client, OktaError, User};

/// Pages of 200 read before an org counts as large: the cost of one batched listing pair.
const MAX_PAGES: u32 = 2;

/// The most pages ever read whole (5,000 users); a larger org is always listed by value.
const MAX_WHOLE_PAGES: u32 = 25;

/// How long a reading answers questions: about one rate-limit window, so that an apply at
/// Okta's ceiling, whose re-plans trickle in as earlier accounts finish, reads the org about
/// once a minute rather than once per account.
const FRESH_FOR: Duration = Duration::from_secs(60);

enum Reading {
    Unread,
    Read {
        users: Arc<Vec<User>>,
        at: Instant,
        /// The pages allowed to the reading that succeeded, allowed again when it goes stale.
        pages: u32,
    },
    /// More than `pages` pages: the next attempt waits until the listings by value since
    /// (`OrgUsers::spent_by_value`) cost as much as this one did.
    Large {
        pages: u32,
    },
}

/// The org's users as last read whole, or that the org is too large for it.
pub struct OrgUsers {
    reading: tokio::sync::Mutex<Reading>,
    /// Listings made by value since the last attempt to read the org whole. Outside the lock,
    /// so that counting never waits for a reading in progress.
    spent_by_value: AtomicU32,
}

impl Default for OrgUsers {
    fn default() -> Self {
        OrgUsers {
            reading: tokio::sync::Mutex::new(Reading::Unread),
            spent_by_value: AtomicU32::new(0),
        }
    }
}

impl OrgUsers {
    /// Every user of the org, read at most [`FRESH_FOR`] ago; `None` for a large org. Those
    /// who ask while it is read wait for that one reading.
    pub async fn all(&self, client: &Client) -> Result<Option<Arc<Vec<User>>>, OktaError> {
        let mut reading = self.reading.lock().await;
        let pages = match &*reading {
            Reading::Unread => MAX_PAGES,
            Reading::Read { users, at, .. } if at.elapsed() < FRESH_FOR => {
                return Ok(Some(users.clone()));
            }
            Reading::Read { pages, .. } => *pages,
            Reading::Large { pages }
                if *pages >= MAX_WHOLE_PAGES
                    || self.spent_by_value.load(Ordering::Relaxed) < *pages =>
            {
                return Ok(None);
            }
            Reading::Large { pages } => (pages * 2).min(MAX_WHOLE_PAGES),
        };
        match client.all_users_within(pages).await? {
            Some(users) => {
                let users = Arc::new(users);
                tracing::debug!(users = users.len(), pages, "read the org's users whole");
                *reading = Reading::Read {
                    users: users.clone(),
                    at: Instant::now(),
                    pages,
                };
                Ok(Some(users))
            }
            None => {
                tracing::debug!(
                    pages,
                    "the org has more users than these pages; listing by value"
                );
                self.spent_by_value.store(0, Ordering::Relaxed);
                *reading = Reading::Large { pages };
                Ok(None)
            }
        }
    }

    /// Counts `listings` made by value for a large org: what earns the next attempt to read it
    /// whole.
    pub fn listed_by_value(&self, listings: u32) {
        self.spent_by_value.fetch_add(listings, Ordering::Relaxed);
    }
}

/// The user of `users` holding `login`, without regard to case.
pub fn holder<'a>(users: &'a [User], login: &str) -> Option<&'a User> {
    let login = login.to_lowercase();
    users.iter().find(|user| {
        user.profile
            .login
            .as_deref()
            .is_some_and(|held| held.to_lowercase() == login)
    })
}
