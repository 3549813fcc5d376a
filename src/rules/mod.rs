//! The domain of okta-msp: service account kinds and their privilege table, the securing
//! baseline, compliance of an observed account, and the finalization guard's decisions.
//!
//! # Invariant: pure
//!
//! Nothing here does I/O, awaits, reads a clock or draws randomness, and nothing here knows
//! Terraform's or Okta's wire types. Callers observe the world, hand the facts over as plain
//! data, and turn the answers (violations, repairs, refusals) into diagnostics and API calls.
//! That keeps every rule testable as a table, and keeps the documentation (built from
//! [`kind::kind_table_markdown`] and [`guard::protection_markdown`]) identical to what is
//! enforced. `tests/architecture.rs` holds the line.
//!
//! # Map
//!
//! - [`kind`]: the five kinds and the table of SPEC section 2, as data.
//! - [`role`]: Okta's standard admin role types.
//! - [`account_config`]: validation of a desired account; [`account_config::effective_roles`].
//! - [`address`]: the shape of logins and e-mail addresses.
//! - [`baseline`] and [`cidr`]: the securing baseline of SPEC section 3 and its settings.
//! - [`compliance`]: an observed account against the rules, with the repairs.
//! - [`guard`] and [`marker`]: the finalization guard of SPEC section 4;
//!   [`deletion_policy`]: what a destroy of a guarded object does (G23).
//! - [`user_type`]: the provider's mark on managed accounts in Okta itself.
//! - [`adoption`]: whether an existing user may be adopted, resumed or must be refused.
//! - [`violation`]: what a broken rule looks like.

pub mod account_config;
pub mod address;
pub mod adoption;
pub mod baseline;
pub mod baseline_owner;
pub mod cidr;
pub mod compliance;
pub mod deletion_policy;
pub mod discovery;
pub mod guard;
pub mod kind;
pub mod marker;
pub mod role;
pub mod user_type;
pub mod violation;
