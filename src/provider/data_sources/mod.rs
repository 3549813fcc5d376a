//! The data sources, one folder each with the same files as a resource's where they apply:
//! `schema.rs`, `model.rs` (the attributes, named once), and `mod.rs` (validate and read; a data
//! source has no plan or apply).

pub mod audit_events;
pub mod service_accounts;
