//! Conformance tests for okta-emulator: the real binary over loopback HTTP, with expected bodies
//! in `tests/fixtures/emulator/` written from Okta's documented behaviour.

mod access_policies;
mod apps;
mod authorization_servers;
mod cli;
mod concurrency;
mod credentials;
mod cross_cutting;
mod custom_roles;
mod durability;
mod engines;
mod faults;
mod group_roles;
mod group_rules;
mod hardening;
mod lag;
mod logs;
mod oauth;
mod org_settings;
mod orgs;
mod rate_share;
mod role_targets;
mod roles_groups;
mod security;
mod support;
mod user_credentials;
mod users;
