//! When a refresh may trust what was last verified (an account's admin roles, the org's
//! securing baseline) instead of reading it, given what the System Log shows.
//!
//! The log is eventually complete, not at once: Okta calls it "near real-time", so an event can
//! be listed some time after it is published. A role change made shortly before a refresh may
//! therefore be missing from the log the refresh reads. Two rules keep such a change from being
//! lost:
//!
//! - a verification younger than the log lag window (`provider_config::LOG_LAG_WINDOW` unless the provider
//!   block sets `log_lag_window_seconds`) is not vouched for by the log yet (the log may
//!   still be missing what happened since), so the roles are read directly;
//! - trusting the log does not move the verification time forward: the next refresh looks for
//!   events since the same verification, and so finds an event that arrived late.
//!
//! Every time compared here is Okta's (its events' `published`, and verifications dated by the
//! `Date` of its answers, `okta::OktaTime`), never this machine's clock. A verification covers
//! what was read from when it was read ([`Verified::read_from`]): anyone else's change after
//! that moment is looked for, even one made while the set-up that verified it was still
//! writing. This provider's own writes of that set-up (its role grants, its baseline repairs)
//! come after its first read and before [`Verified::own_writes_until`]; they are what it
//! verified, so only its changes after that count, and an unchanged account costs no read.
//! A change made with the provider's own credential (a script sharing its token) while a
//! set-up of the same org runs cannot be told from the set-up's own writes; the lag window
//! does not help there either, and the next apply's verification reads it.

use std::time::Duration;

/// How long before a verification's first read a change by anyone else is still looked for.
/// Both sides are Okta's time, but a verification is dated by an answer's `Date`, which has
/// one-second resolution and is written after the read it answers (Okta may cross a second
/// boundary in between): two seconds cover both.
pub const DATE_MARGIN: Duration = Duration::from_secs(2);

/// A verification as the log is compared with it (Okta's time, Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// No later than the earliest read it rests on.
    pub read_from: i64,
    /// No earlier than the last write of the set-up that verified it (`read_from` when it
    /// wrote nothing).
    pub own_writes_until: i64,
}

/// What the log query of this run found for one account (all times Unix milliseconds).
#[derive(Debug, Clone, Copy)]
pub struct LogView {
    /// When the query ran.
    pub queried_at: i64,
    /// The start of the period it covered.
    pub since: i64,
    /// The latest role event for the account by this provider's token, if any.
    pub latest_by_us: Option<i64>,
    /// The latest role event for the account by anyone else, if any.
    pub latest_by_others: Option<i64>,
}

/// What a refresh does about something verified before (an account's roles, the baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadDecision {
    /// What was verified at this time still holds; keep it as the verification time.
    Trust { verified_at: i64 },
    /// Read it from Okta.
    Direct,
}

/// Decides for an account last verified as `verified` (`None`: never, or not since its roles
/// drifted), when the log may list an event up to `lag_window` late.
pub fn decide(verified: Option<Verified>, log: &LogView, lag_window: Duration) -> ReadDecision {
    let Some(verified) = verified.filter(|verified| verified.read_from > 0) else {
        return ReadDecision::Direct;
    };
    let read_from = verified.read_from;
    let settled = verified.own_writes_until.max(read_from);
    if read_from < log.since {
        return ReadDecision::Direct;
    }
    let window = lag_window.as_millis() as i64;
    if log.queried_at.saturating_sub(settled) < window {
        return ReadDecision::Direct;
    }
    // The provider's own changes before `settled` are the set-up's, which it verified; anyone
    // else's count from its first read (less the margin of `Date`'s resolution).
    let margin = DATE_MARGIN.as_millis() as i64;
    let by_others = log
        .latest_by_others
        .is_some_and(|at| at >= read_from - margin);
    let by_us = log.latest_by_us.is_some_and(|at| at > settled);
    if by_others || by_us {
        ReadDecision::Direct
    } else {
        ReadDecision::Trust {
            verified_at: read_from,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::provider_config::LOG_LAG_WINDOW;

    const MINUTE: i64 = 60_000;

    /// Verified by reads only, from `read_from`.
    fn read(read_from: i64) -> Option<Verified> {
        Some(Verified {
            read_from,
            own_writes_until: read_from,
        })
    }

    fn log(queried_at: i64, by_others: Option<i64>) -> LogView {
        LogView {
            queried_at,
            since: 0,
            latest_by_us: None,
            latest_by_others: by_others,
        }
    }

    #[test]
    fn a_verification_within_the_lag_window_is_read_again() {
        let verified = 100 * MINUTE;
        assert_eq!(
            decide(
                read(verified),
                &log(verified + MINUTE, None),
                LOG_LAG_WINDOW
            ),
            ReadDecision::Direct
        );
    }

    #[test]
    fn an_old_verification_with_no_event_is_trusted_and_keeps_its_time() {
        let verified = 100 * MINUTE;
        assert_eq!(
            decide(
                read(verified),
                &log(verified + 10 * MINUTE, None),
                LOG_LAG_WINDOW
            ),
            ReadDecision::Trust {
                verified_at: verified
            }
        );
    }

    #[test]
    fn an_event_listed_late_is_still_seen_by_a_later_refresh() {
        // The change happens after the verification; the first refresh's log lacks it (lag),
        // so the roles are trusted without moving the verification time; the next refresh's
        // log has it, and it is newer than the unchanged verification time.
        let verified = 100 * MINUTE;
        let changed = verified + 20 * MINUTE;
        let first = decide(read(verified), &log(changed + 1_000, None), LOG_LAG_WINDOW);
        let ReadDecision::Trust { verified_at } = first else {
            panic!("expected trust, got {first:?}");
        };
        assert_eq!(verified_at, verified);
        assert_eq!(
            decide(
                read(verified_at),
                &log(changed + MINUTE, Some(changed)),
                LOG_LAG_WINDOW
            ),
            ReadDecision::Direct
        );
    }

    #[test]
    fn own_changes_count_only_after_the_verification() {
        let verified = 100 * MINUTE;
        let mut view = log(verified + 10 * MINUTE, None);
        view.latest_by_us = Some(verified - 500);
        assert_eq!(
            decide(read(verified), &view, LOG_LAG_WINDOW),
            ReadDecision::Trust {
                verified_at: verified
            }
        );
        view.latest_by_us = Some(verified + 500);
        assert_eq!(
            decide(read(verified), &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
    }

    #[test]
    fn unknown_or_out_of_window_verifications_are_read() {
        let mut view = log(100 * MINUTE, None);
        assert_eq!(decide(None, &view, LOG_LAG_WINDOW), ReadDecision::Direct);
        assert_eq!(decide(read(0), &view, LOG_LAG_WINDOW), ReadDecision::Direct);
        view.since = 50 * MINUTE;
        assert_eq!(
            decide(read(10 * MINUTE), &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
    }

    #[test]
    fn anyone_else_s_change_during_the_set_up_is_looked_for_but_not_the_set_up_s_own_writes() {
        // The set-up read at 100 min and wrote until 100 min 30 s (a slow finalization).
        let verified = Some(Verified {
            read_from: 100 * MINUTE,
            own_writes_until: 100 * MINUTE + 30_000,
        });
        let queried = 200 * MINUTE;
        // Its own grants in between: trusted, and dated from the first read.
        let mut view = log(queried, None);
        view.latest_by_us = Some(100 * MINUTE + 10_000);
        assert_eq!(
            decide(verified, &view, LOG_LAG_WINDOW),
            ReadDecision::Trust {
                verified_at: 100 * MINUTE
            }
        );
        // Its own change after the set-up ended: read.
        view.latest_by_us = Some(100 * MINUTE + 31_000);
        assert_eq!(
            decide(verified, &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
        // Someone else's change while the set-up was writing: read.
        let view = log(queried, Some(100 * MINUTE + 10_000));
        assert_eq!(
            decide(verified, &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
        // The lag window runs from the end of the set-up's writes.
        let view = log(
            100 * MINUTE + 30_000 + LOG_LAG_WINDOW.as_millis() as i64 - 1,
            None,
        );
        assert_eq!(
            decide(verified, &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
    }
}
