//! The attributes of `okta_msp_service_accounts`, named here once: [`attr`] and [`entry_attr`]
//! (one listed account) for the schema, [`Config`] for what the configuration says and
//! [`AccountEntry`] for one listed account, with `into_value`.

use crate::provider::typed_value::input_string;
use crate::rules::violation::Input;
use tfplugin6::Value;

/// Attribute names.
pub mod attr {
    pub const ORG_URL: &str = "org_url";
    pub const ORG_API_TOKEN: &str = "org_api_token";
    pub const ORG_CLIENT_ID: &str = "org_client_id";
    pub const ACCOUNTS: &str = "accounts";
    pub const LICENSE_COUNT: &str = "license_count";
}

/// Attribute names of one listed account.
pub mod entry_attr {
    pub const ID: &str = "id";
    pub const LOGIN: &str = "login";
    pub const EMAIL: &str = "email";
    pub const KIND: &str = "kind";
    pub const MANAGED: &str = "managed";
    pub const STATUS: &str = "status";
    pub const ADMIN_ROLES: &str = "admin_roles";
    pub const IN_GROUP: &str = "in_group";
    pub const FINALIZED: &str = "finalized";
    pub const COMPLIANT: &str = "compliant";
    pub const VIOLATIONS: &str = "violations";
}

/// The arguments.
pub struct Config {
    pub org_url: Input<String>,
    pub org_api_token: Input<String>,
    pub org_client_id: Input<String>,
}

impl Config {
    pub fn from_value(value: &Value) -> Config {
        Config {
            org_url: input_string(value, attr::ORG_URL),
            org_api_token: input_string(value, attr::ORG_API_TOKEN),
            org_client_id: input_string(value, attr::ORG_CLIENT_ID),
        }
    }
}

/// One listed account.
pub struct AccountEntry {
    pub id: String,
    pub login: String,
    pub email: String,
    pub kind: String,
    pub managed: bool,
    pub status: String,
    pub admin_roles: Vec<String>,
    pub in_group: bool,
    pub finalized: bool,
    pub compliant: bool,
    pub violations: Vec<String>,
}

impl AccountEntry {
    pub fn into_value(self) -> Value {
        let strings =
            |items: Vec<String>| Value::List(items.into_iter().map(Value::String).collect());
        Value::object([
            (entry_attr::ID, Value::String(self.id)),
            (entry_attr::LOGIN, Value::String(self.login)),
            (entry_attr::EMAIL, Value::String(self.email)),
            (entry_attr::KIND, Value::String(self.kind)),
            (entry_attr::MANAGED, Value::Bool(self.managed)),
            (entry_attr::STATUS, Value::String(self.status)),
            (entry_attr::ADMIN_ROLES, strings(self.admin_roles)),
            (entry_attr::IN_GROUP, Value::Bool(self.in_group)),
            (entry_attr::FINALIZED, Value::Bool(self.finalized)),
            (entry_attr::COMPLIANT, Value::Bool(self.compliant)),
            (entry_attr::VIOLATIONS, strings(self.violations)),
        ])
    }
}
