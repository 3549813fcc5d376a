//! When a refresh may trust what was last verified (an account's admin roles, the org's
//! securing baseline) instead of reading it, given what the System Log shows.
//!
//! The log is eventually complete, not at once: Okta calls it "near real-time", so an event can
//! be listed some time after it is published. A role change made shortly before a refresh may
//! therefore be missing from the log the refresh reads. Two rules keep such a change from being
//! lost:
//!
//! - a verification younger than the log lag window ([`LOG_LAG_WINDOW`] unless the provider
//!   block sets `log_lag_window_seconds`) is not vouched for by the log yet (the log may
//!   still be missing what happened since), so the roles are read directly;
//! - trusting the log does not move the verification time forward: the next refresh looks for
//!   events since the same verification, and so finds an event that arrived late.

use std::time::Duration;

/// How long after it is published a System Log event may take to be listed, by default. Okta gives no
/// bound ("near real-time"); five minutes is far beyond the seconds usually seen, and its cost
/// is small: a refresh within five minutes of an account's last verification reads its roles
/// (one call) and the org's baseline (once per org) directly, as it would without the log.
pub const LOG_LAG_WINDOW: Duration = Duration::from_secs(5 * 60);

/// How far apart Okta's clock (event times) and this machine's (verification times) may be;
/// changes by anyone but this provider's own token are looked for this far before a
/// verification.
pub const CLOCK_SKEW_MARGIN: Duration = Duration::from_secs(2);

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

/// Decides for an account last verified at `verified_at` (`None`: never, or not since its
/// roles drifted), when the log may list an event up to `lag_window` late.
pub fn decide(verified_at: Option<i64>, log: &LogView, lag_window: Duration) -> ReadDecision {
    let Some(verified_at) = verified_at.filter(|at| *at > 0) else {
        return ReadDecision::Direct;
    };
    if verified_at < log.since {
        return ReadDecision::Direct;
    }
    let window = lag_window.as_millis() as i64;
    if log.queried_at.saturating_sub(verified_at) < window {
        return ReadDecision::Direct;
    }
    // Changes by this provider's own token happen just before it verifies (it grants, then
    // reads the roles back), so only those after the verification count. Anyone else's count
    // from a little before it too, in case the clocks of Okta and this machine differ.
    let margin = CLOCK_SKEW_MARGIN.as_millis() as i64;
    let by_others = log
        .latest_by_others
        .is_some_and(|at| at >= verified_at - margin);
    let by_us = log.latest_by_us.is_some_and(|at| at > verified_at);
    if by_others || by_us {
        ReadDecision::Direct
    } else {
        ReadDecision::Trust { verified_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

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
                Some(verified),
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
                Some(verified),
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
        let first = decide(Some(verified), &log(changed + 1_000, None), LOG_LAG_WINDOW);
        let ReadDecision::Trust { verified_at } = first else {
            panic!("expected trust, got {first:?}");
        };
        assert_eq!(verified_at, verified);
        assert_eq!(
            decide(
                Some(verified_at),
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
            decide(Some(verified), &view, LOG_LAG_WINDOW),
            ReadDecision::Trust {
                verified_at: verified
            }
        );
        view.latest_by_us = Some(verified + 500);
        assert_eq!(
            decide(Some(verified), &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
    }

    #[test]
    fn unknown_or_out_of_window_verifications_are_read() {
        let mut view = log(100 * MINUTE, None);
        assert_eq!(decide(None, &view, LOG_LAG_WINDOW), ReadDecision::Direct);
        assert_eq!(decide(Some(0), &view, LOG_LAG_WINDOW), ReadDecision::Direct);
        view.since = 50 * MINUTE;
        assert_eq!(
            decide(Some(10 * MINUTE), &view, LOG_LAG_WINDOW),
            ReadDecision::Direct
        );
    }
}
