//! Waiting out the provider's `log_lag_window_seconds`, so that the next refresh may lean on
//! the System Log for what the last apply verified.

use std::time::Duration;

/// How far the window the provider sees may fall short of the time that passed. The provider
/// measures it from the upper bound of Okta's time at the end of the apply's own writes to the
/// lower bound of Okta's time at the refresh's log query. Both come from `Date`, which is whole
/// seconds, so each bound may be up to a second off the real moment.
const DATE_BOUNDS: Duration = Duration::from_secs(2);

/// Room for a loaded machine: CI once saw a refresh read every account directly when a test
/// waited the window plus one and a half seconds.
const MARGIN: Duration = Duration::from_secs(1);

/// Waits until a verification made just now is older than a window of `window_seconds` as
/// the provider measures it.
pub fn outlive_lag_window(window_seconds: u64) {
    std::thread::sleep(Duration::from_secs(window_seconds) + DATE_BOUNDS + MARGIN);
}
