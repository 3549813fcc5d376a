//! The integration tests, one binary: the real provider and emulator binaries, the real
//! `terraform` CLI, loopback only.

mod support;

mod adoption_e2e;
mod architecture;
mod baseline_engines_e2e;
mod baseline_owner_e2e;
mod baseline_race_e2e;
mod data_sources;
mod deletion_policy_e2e;
mod docs;
mod effective_privileges_e2e;
mod emulator;
mod every_kind_e2e;
mod examples;
mod faults_e2e;
mod first_month_e2e;
mod fleet_key_e2e;
mod guard_protocol;
mod guard_scenarios;
mod guides;
mod identity_list_protocol;
mod import_e2e;
mod interrupt_e2e;
mod kill_e2e;
mod lag_e2e;
mod login_listing_e2e;
mod module_testing;
mod oauth_client;
mod oauth_e2e;
mod okta_client;
mod okta_facts;
mod org_birth_helper;
mod org_e2e;

mod plugin_protocol;
mod rate_share_e2e;
mod refresh_drift_e2e;
mod refresh_only;
mod release;
mod sdk_tier;
mod service_account_e2e;
mod soak_e2e;
mod terraform_115;
mod terraform_cli;
mod validation;
mod verification_e2e;
