//! The attributes of `okta_msp_audit_events`, named here once: [`attr`] and [`entry_attr`] (one
//! event) for the schema and the checks, [`AuditEventsConfig`] for the account the
//! configuration names, and [`EventEntry`] for one event, with `into_value`.

use crate::provider::typed_value::input_string;
use crate::rules::violation::Input;
use tfplugin6::Value;

/// Attribute names.
pub mod attr {
    pub const ORG_URL: &str = "org_url";
    pub const ORG_API_TOKEN: &str = "org_api_token";
    pub const ORG_CLIENT_ID: &str = "org_client_id";
    pub const ACCOUNT_ID: &str = "account_id";
    pub const SINCE: &str = "since";
    pub const UNTIL: &str = "until";
    pub const EVENT_TYPES: &str = "event_types";
    pub const EVENTS: &str = "events";
}

/// Attribute names of one event.
pub mod entry_attr {
    pub const UUID: &str = "uuid";
    pub const PUBLISHED: &str = "published";
    pub const EVENT_TYPE: &str = "event_type";
    pub const SEVERITY: &str = "severity";
    pub const ACTOR_ID: &str = "actor_id";
    pub const ACTOR_LOGIN: &str = "actor_login";
    pub const TARGET_IDS: &str = "target_ids";
    pub const OUTCOME: &str = "outcome";
    pub const OUTCOME_REASON: &str = "outcome_reason";
    pub const DISPLAY_MESSAGE: &str = "display_message";
    pub const ROLES: &str = "roles";
    pub const PRIVILEGES_AFTER: &str = "privileges_after";
}

/// The org and account the configuration names. (The window and event types are read where
/// they are checked, since an unparsable bound is a diagnostic at its attribute.)
pub struct AuditEventsConfig {
    pub org_url: Input<String>,
    pub org_api_token: Input<String>,
    pub org_client_id: Input<String>,
    pub account_id: Input<String>,
}

impl AuditEventsConfig {
    pub fn from_value(value: &Value) -> AuditEventsConfig {
        AuditEventsConfig {
            org_url: input_string(value, attr::ORG_URL),
            org_api_token: input_string(value, attr::ORG_API_TOKEN),
            org_client_id: input_string(value, attr::ORG_CLIENT_ID),
            account_id: input_string(value, attr::ACCOUNT_ID),
        }
    }
}

/// One event; what Okta leaves out is null.
pub struct EventEntry {
    pub uuid: String,
    pub published: Option<String>,
    pub event_type: Option<String>,
    pub severity: Option<String>,
    pub actor_id: Option<String>,
    pub actor_login: Option<String>,
    pub target_ids: Vec<String>,
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
    pub display_message: Option<String>,
    /// The roles a privilege event granted or removed, by Okta's display name.
    pub roles: Vec<String>,
    /// What the account held after a privilege event, as Okta lists it.
    pub privileges_after: Option<String>,
}

impl EventEntry {
    pub fn into_value(self) -> Value {
        let optional = |text: Option<String>| text.map(Value::String).unwrap_or(Value::Null);
        Value::object([
            (entry_attr::UUID, Value::String(self.uuid)),
            (entry_attr::PUBLISHED, optional(self.published)),
            (entry_attr::EVENT_TYPE, optional(self.event_type)),
            (entry_attr::SEVERITY, optional(self.severity)),
            (entry_attr::ACTOR_ID, optional(self.actor_id)),
            (entry_attr::ACTOR_LOGIN, optional(self.actor_login)),
            (
                entry_attr::TARGET_IDS,
                Value::List(self.target_ids.into_iter().map(Value::String).collect()),
            ),
            (entry_attr::OUTCOME, optional(self.outcome)),
            (entry_attr::OUTCOME_REASON, optional(self.outcome_reason)),
            (entry_attr::DISPLAY_MESSAGE, optional(self.display_message)),
            (
                entry_attr::ROLES,
                Value::List(self.roles.into_iter().map(Value::String).collect()),
            ),
            (
                entry_attr::PRIVILEGES_AFTER,
                optional(self.privileges_after),
            ),
        ])
    }
}
