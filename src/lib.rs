//! okta-msp: a Terraform provider that manages the Okta service accounts of an MSP's customer orgs
//! and refuses, at plan time, every change that would break them. See ARCHITECTURE.md.

pub mod okta;
pub mod provider;
pub mod rules;
pub mod secret;
