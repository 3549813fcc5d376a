//! Progress of an apply per org, for the CI user who watches a long apply: Terraform applies
//! one account per `ApplyResourceChange`, so the provider learns of the accounts one by one,
//! and counts per org how many it has started and how many are set up. An info line per
//! finished account says where the org stands ("https://acme.okta.com: 12 of 25 accounts set
//! up", 25 being the accounts started so far in this process, as the provider is not told the
//! plan's total).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Started and finished accounts of one org.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub started: usize,
    pub set_up: usize,
    pub failed: usize,
}

/// The counts of every org this process applied to. A std mutex: held only to change numbers.
fn registry() -> &'static Mutex<HashMap<String, Counts>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Counts>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn update(org: &str, change: impl FnOnce(&mut Counts)) -> Counts {
    let mut registry = registry()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let counts = registry.entry(org.to_owned()).or_default();
    change(counts);
    *counts
}

/// One account being set up in `org`; counted as failed if dropped before [`Self::finished`]
/// (an error returned early).
#[derive(Debug)]
pub struct AccountProgress {
    /// The org's URL (no secret in it); empty when the configuration did not say.
    org: String,
    finished: bool,
}

impl AccountProgress {
    pub fn start(org_url: Option<&str>) -> AccountProgress {
        let org = org_url.unwrap_or_default().trim_end_matches('/').to_owned();
        update(&org, |counts| counts.started += 1);
        AccountProgress {
            org,
            finished: false,
        }
    }

    /// The account is set up: one info line with the org's progress.
    pub fn finished(mut self) {
        self.finished = true;
        let counts = update(&self.org, |counts| counts.set_up += 1);
        tracing::info!(
            org = %self.org,
            set_up = counts.set_up,
            started = counts.started,
            "{}",
            progress_line(&self.org, counts)
        );
    }
}

impl Drop for AccountProgress {
    fn drop(&mut self) {
        if !self.finished {
            let counts = update(&self.org, |counts| counts.failed += 1);
            tracing::info!(
                org = %self.org,
                set_up = counts.set_up,
                started = counts.started,
                failed = counts.failed,
                "{}",
                progress_line(&self.org, counts)
            );
        }
    }
}

/// "https://acme.okta.com: 12 of 25 accounts set up", and how many ended otherwise (an error, a
/// retirement).
pub fn progress_line(org: &str, counts: Counts) -> String {
    let mut line = format!(
        "{org}: {} of {} accounts set up",
        counts.set_up, counts.started
    );
    if counts.failed > 0 {
        line.push_str(&format!(", {} ended without being set up", counts.failed));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts_of(org: &str) -> Counts {
        registry()
            .lock()
            .unwrap()
            .get(org)
            .copied()
            .unwrap_or_default()
    }

    #[test]
    fn accounts_are_counted_per_org_as_they_start_and_finish() {
        let first = AccountProgress::start(Some("https://progress-a.example/"));
        let second = AccountProgress::start(Some("https://progress-a.example"));
        let elsewhere = AccountProgress::start(Some("https://progress-b.example"));
        first.finished();
        assert_eq!(
            counts_of("https://progress-a.example"),
            Counts {
                started: 2,
                set_up: 1,
                failed: 0
            }
        );
        drop(second);
        assert_eq!(counts_of("https://progress-a.example").failed, 1);
        elsewhere.finished();
        assert_eq!(counts_of("https://progress-b.example").set_up, 1);
    }

    #[test]
    fn the_line_names_the_org_and_the_counts() {
        let counts = Counts {
            started: 25,
            set_up: 12,
            failed: 0,
        };
        assert_eq!(
            progress_line("https://x.okta.com", counts),
            "https://x.okta.com: 12 of 25 accounts set up"
        );
        assert_eq!(
            progress_line(
                "https://x.okta.com",
                Counts {
                    failed: 2,
                    ..counts
                }
            ),
            "https://x.okta.com: 12 of 25 accounts set up, 2 ended without being set up"
        );
    }
}
