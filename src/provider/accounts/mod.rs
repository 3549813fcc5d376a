//! The account pipeline shared by both resources, import and refresh: create or adopt the
//! account, converge it on its desired setup, observe it, verify it against the rules, finalize
//! it. `okta_msp_service_account` sets up the accounts it declares, `okta_msp_org` the
//! integration account of the org it creates; neither resource imports the other, both come
//! here.
//!
//! - [`observe`]: reading the account and the facts the rules assess.
//! - [`converge`]: changing it in Okta (create, converge, mark finalized, delete).
//! - [`set_up`]: the one set-up pipeline (converge, observe, verify, finalize) and the apply's
//!   create-or-adopt decision.

pub mod converge;
pub mod observe;
pub mod set_up;

pub use converge::{Stage, is_finalized_in_okta};
pub use observe::Observed;
