//! The Okta management API client: authentication, retries, rate limits, pagination and typed
//! models of the endpoints the provider uses. Knows nothing about Terraform.
//!
//! One `Client` talks to one org (`OrgUrl`) with one API token. Every call is logged at debug
//! level with its method, path template, status, duration and Okta request id; never with the
//! token, a password, or a body.

mod answer;
mod api_tokens;
mod apps;
mod client;
mod error;
mod groups;
mod limiter;
mod link;
mod logs;
pub mod oauth;
mod okta_clock;
mod org_metadata;
mod orgs;
mod policies;
mod retry;
mod roles;
mod url;
mod users;
mod zones;

#[cfg(test)]
mod http_tests;
#[cfg(test)]
pub(crate) mod scripted_server;

pub use api_tokens::ApiToken;
pub use apps::{App, AppKey, ScopeGrant};
pub use client::{Client, ClientOptions, Pages, default_user_agent};
pub use error::{ErrorEnvelope, OktaError, codes, parse_error_envelope};
pub use groups::{Group, GroupProfile};
pub use limiter::{LimiterSettings, Observed, Permit, RateLimiter, Wait, bucket_of};
pub use link::{find_rel, next_link};
pub use logs::{BoundedLog, DatedEvent, LogEntity, LogEvent, LogOutcome, LogQuery};
pub use okta_clock::{DATE_RESOLUTION_MILLIS, OktaTime};
pub use org_metadata::{Engine, OrgMetadata};
pub use orgs::{ChildOrg, NewChildOrg, OrgSettings};
pub use policies::{
    AccessAction, Conditions, IncludeExclude, NetworkCondition, OKTA_SIGN_ON, PASSWORD,
    PasswordAge, PasswordComplexity, PasswordLockout, PasswordSettings, PeopleCondition, Policy,
    PolicyRule, PolicySettings, RecoveryFactor, RecoveryFactors, RecoverySettings, RuleActions,
    SessionSettings, SignOnAction,
};
pub use retry::{RateLimitHeaders, backoff_delay, parse_http_date, rate_limit_wait};
pub use roles::{RoleAssigned, RoleAssignment};
pub use url::{OrgUrl, displayable as url_for_display};
pub use users::{
    CredentialsProvider, Factor, NewUser, User, UserCredentials, UserProfile, UserQuery, UserStatus,
};
pub use zones::{NetworkZone, ZoneAddress};

use crate::secret::Secret;

/// Writes a secret into a request body, the one place besides the Authorization header where
/// its value leaves the process.
fn expose_secret<S: serde::Serializer>(secret: &&Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

/// Reads a secret (a created org's API token) straight into a `Secret`.
fn secret_from_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Secret>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<String>::deserialize(deserializer)?.map(Secret::new))
}
