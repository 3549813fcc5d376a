//! The attributes of `okta_msp_service_account`, named here once: [`attr`] for the schema and
//! the plan (which work on values attribute by attribute), and [`ServiceAccount`], the typed
//! value with `from_value` and `into_value`, for everything else. A misspelt name is a
//! compile error; a new attribute is declared in `schema.rs` and carried here.

use crate::rules::account_config::AccountConfig;
use crate::rules::deletion_policy::DeletionPolicy;
use crate::rules::guard::Whereabouts;
use crate::rules::violation::Input;
use tfplugin6::Value;

use crate::provider::typed_value::{
    PlanInput, bool_value, input_bool, input_string, input_strings, list_value, set_value,
    string_value,
};

/// Attribute names.
pub mod attr {
    pub const ORG_URL: &str = "org_url";
    pub const ORG_API_TOKEN: &str = "org_api_token";
    pub const ORG_CLIENT_ID: &str = "org_client_id";
    pub const KIND: &str = "kind";
    pub const LOGIN: &str = "login";
    pub const EMAIL: &str = "email";
    pub const FIRST_NAME: &str = "first_name";
    pub const LAST_NAME: &str = "last_name";
    pub const ADMIN_ROLES: &str = "admin_roles";
    pub const PASSWORD_WO: &str = "password_wo";
    pub const FINALIZE: &str = "finalize";
    pub const CORRECTION_REASON: &str = "correction_reason";
    pub const RETIRE_REASON: &str = "retire_reason";
    pub const DELETION_POLICY: &str = "deletion_policy";
    pub const ID: &str = "id";
    pub const ORG_ID: &str = "org_id";
    pub const STATUS: &str = "status";
    pub const FINALIZED: &str = "finalized";
    pub const FINALIZED_AT: &str = "finalized_at";
    pub const DRIFT: &str = "drift";
}

/// Identity attribute names (`import { identity = {...} }`, list results): the org and the Okta
/// user id, which name one account for good (a login can be renamed in Okta, an id cannot).
pub mod identity_attr {
    pub const ORG_URL: &str = "org_url";
    pub const ID: &str = "id";
}

/// The list resource's `config` attributes (`list "okta_msp_service_account" ... { config {...} }`).
pub mod list_attr {
    pub const ORG_URLS: &str = "org_urls";
    pub const KINDS: &str = "kinds";
}

/// Attributes the configuration manages, in the order the guard reports them.
pub const CONFIGURED: [&str; 8] = [
    attr::ORG_URL,
    attr::KIND,
    attr::LOGIN,
    attr::EMAIL,
    attr::FIRST_NAME,
    attr::LAST_NAME,
    attr::ADMIN_ROLES,
    attr::FINALIZE,
];

/// This resource's plan request, decoded once where it enters the resource.
pub type AccountPlan = PlanInput<ServiceAccount>;

/// One value of the resource (configuration, plan or state), attribute by attribute: null, not
/// known yet, or known.
#[derive(Clone, Debug, Default)]
pub struct ServiceAccount {
    pub org_url: Input<String>,
    pub org_api_token: Input<String>,
    /// The org's service app that trusts the fleet key (not a secret).
    pub org_client_id: Input<String>,
    pub kind: Input<String>,
    pub login: Input<String>,
    pub email: Input<String>,
    pub first_name: Input<String>,
    pub last_name: Input<String>,
    pub admin_roles: Input<Vec<String>>,
    /// Write-only: in the configuration only, always null in what is stored.
    pub password_wo: Input<String>,
    pub finalize: Input<bool>,
    /// Why a finalized account's e-mail, names or roles are being corrected (G21); kept in
    /// state, and a new value is what permits a correction.
    pub correction_reason: Input<String>,
    /// Why the account was retired (G22): while set, the account stays deactivated and is not
    /// set up or finalized again.
    pub retire_reason: Input<String>,
    /// `PREVENT` (unset) or `ABANDON`: whether a destroy forgets the account (G23). Changes
    /// nothing in Okta by itself.
    pub deletion_policy: Input<String>,
    pub id: Input<String>,
    pub org_id: Input<String>,
    pub status: Input<String>,
    pub finalized: Input<bool>,
    pub finalized_at: Input<String>,
    pub drift: Input<Vec<String>>,
}

impl ServiceAccount {
    /// Whether the credential that reaches the org is not known yet (an org made in the same
    /// apply): its token or its app's client id.
    pub fn org_credential_unknown(&self) -> bool {
        self.org_api_token.is_unknown() || self.org_client_id.is_unknown()
    }

    pub fn from_value(value: &Value) -> ServiceAccount {
        ServiceAccount {
            org_url: input_string(value, attr::ORG_URL),
            org_api_token: input_string(value, attr::ORG_API_TOKEN),
            org_client_id: input_string(value, attr::ORG_CLIENT_ID),
            kind: input_string(value, attr::KIND),
            login: input_string(value, attr::LOGIN),
            email: input_string(value, attr::EMAIL),
            first_name: input_string(value, attr::FIRST_NAME),
            last_name: input_string(value, attr::LAST_NAME),
            admin_roles: input_strings(value, attr::ADMIN_ROLES),
            password_wo: input_string(value, attr::PASSWORD_WO),
            finalize: input_bool(value, attr::FINALIZE),
            correction_reason: input_string(value, attr::CORRECTION_REASON),
            retire_reason: input_string(value, attr::RETIRE_REASON),
            deletion_policy: input_string(value, attr::DELETION_POLICY),
            id: input_string(value, attr::ID),
            org_id: input_string(value, attr::ORG_ID),
            status: input_string(value, attr::STATUS),
            finalized: input_bool(value, attr::FINALIZED),
            finalized_at: input_string(value, attr::FINALIZED_AT),
            drift: input_strings(value, attr::DRIFT),
        }
    }

    /// The value Terraform stores: roles as a sorted set, drift as a list in order.
    pub fn into_value(self) -> Value {
        Value::object([
            (attr::ORG_URL, string_value(self.org_url)),
            (attr::ORG_API_TOKEN, string_value(self.org_api_token)),
            (attr::ORG_CLIENT_ID, string_value(self.org_client_id)),
            (attr::KIND, string_value(self.kind)),
            (attr::LOGIN, string_value(self.login)),
            (attr::EMAIL, string_value(self.email)),
            (attr::FIRST_NAME, string_value(self.first_name)),
            (attr::LAST_NAME, string_value(self.last_name)),
            (attr::ADMIN_ROLES, set_value(self.admin_roles)),
            (attr::PASSWORD_WO, string_value(self.password_wo)),
            (attr::FINALIZE, bool_value(self.finalize)),
            (
                attr::CORRECTION_REASON,
                string_value(self.correction_reason),
            ),
            (attr::RETIRE_REASON, string_value(self.retire_reason)),
            (attr::DELETION_POLICY, string_value(self.deletion_policy)),
            (attr::ID, string_value(self.id)),
            (attr::ORG_ID, string_value(self.org_id)),
            (attr::STATUS, string_value(self.status)),
            (attr::FINALIZED, bool_value(self.finalized)),
            (attr::FINALIZED_AT, string_value(self.finalized_at)),
            (attr::DRIFT, list_value(self.drift)),
        ])
    }

    /// The configuration as the rules read it.
    pub fn account_config(&self) -> AccountConfig {
        AccountConfig {
            kind: self.kind.clone(),
            login: self.login.clone(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            admin_roles: self.admin_roles.clone(),
            finalize: self.finalize.clone(),
        }
    }

    /// The identity of the account this value describes: its `org_url` and `id` as they are
    /// (the id is unknown in a create plan, the one place Terraform accepts that).
    pub fn identity(&self) -> Value {
        Value::object([
            (identity_attr::ORG_URL, string_value(self.org_url.clone())),
            (identity_attr::ID, string_value(self.id.clone())),
        ])
    }

    /// Whether the configuration or state says the account is retired (G22).
    pub fn is_retired(&self) -> bool {
        self.retire_reason
            .known()
            .is_some_and(|reason| !reason.trim().is_empty())
    }

    pub fn is_finalized(&self) -> bool {
        self.finalized.known() == Some(&true)
    }

    /// What a destroy of this state does (G23): `ABANDON` only when the state says so.
    pub fn deletion_policy(&self) -> DeletionPolicy {
        DeletionPolicy::of(self.deletion_policy.known_str())
    }

    /// The org and id, for messages about an account whose block may be gone.
    pub fn whereabouts(&self) -> Whereabouts {
        Whereabouts {
            org: self.org_url.known_str().map(str::to_owned),
            id: self.id.known_str().map(str::to_owned),
        }
    }

    /// `login (id)`, how messages name an account.
    pub fn subject(&self) -> String {
        let login = self.login.known().map(String::as_str).unwrap_or("?");
        match self.id.known() {
            Some(id) => format!("{login} ({id})"),
            None => login.to_owned(),
        }
    }
}

/// An identity as Terraform sends it with `import { identity = {...} }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccountIdentity {
    pub org_url: Option<String>,
    pub id: Option<String>,
}

impl ServiceAccountIdentity {
    pub fn from_value(value: &Value) -> ServiceAccountIdentity {
        let text = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .filter(|text| !text.is_empty())
        };
        ServiceAccountIdentity {
            org_url: text(identity_attr::ORG_URL),
            id: text(identity_attr::ID),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The schema and the model name the same attributes: one added to the schema alone fails
    /// here, not in a plan.
    #[test]
    fn the_model_carries_every_attribute_of_the_schema() {
        let in_schema: BTreeSet<String> = super::super::schema()
            .block
            .attributes
            .iter()
            .map(|attribute| attribute.name.clone())
            .collect();
        let Value::Object(value) = ServiceAccount::default().into_value() else {
            panic!("a model's value is an object");
        };
        let in_model: BTreeSet<String> = value.into_keys().collect();
        assert_eq!(in_model, in_schema);
    }

    /// The identity schema and the identity a state yields name the same attributes.
    #[test]
    fn the_identity_carries_every_attribute_of_the_identity_schema() {
        let in_schema: BTreeSet<String> = super::super::schema::identity_schema()
            .attributes
            .iter()
            .map(|attribute| attribute.name.clone())
            .collect();
        let Value::Object(identity) = ServiceAccount::default().identity() else {
            panic!("an identity is an object");
        };
        let in_model: BTreeSet<String> = identity.into_keys().collect();
        assert_eq!(in_model, in_schema);
        let state = ServiceAccount {
            org_url: Input::Known("https://acme.okta.com".into()),
            id: Input::Known("00u1".into()),
            ..ServiceAccount::default()
        };
        assert_eq!(
            ServiceAccountIdentity::from_value(&state.identity()),
            ServiceAccountIdentity {
                org_url: Some("https://acme.okta.com".into()),
                id: Some("00u1".into()),
            }
        );
    }

    #[test]
    fn a_state_reads_and_writes_back_unchanged() {
        let state = ServiceAccount {
            org_url: Input::Known("https://acme.okta.com".into()),
            org_api_token: Input::Null,
            org_client_id: Input::Known("0oa1".into()),
            kind: Input::Known("radius".into()),
            login: Input::Known("okta-radius@acme.example".into()),
            email: Input::Known("radius@acme.example".into()),
            first_name: Input::Known("Okta".into()),
            last_name: Input::Known("RADIUS".into()),
            admin_roles: Input::Known(vec!["HELP_DESK_ADMIN".into(), "READ_ONLY_ADMIN".into()]),
            password_wo: Input::Null,
            finalize: Input::Known(true),
            correction_reason: Input::Known("MSP-1: typo".into()),
            retire_reason: Input::Null,
            deletion_policy: Input::Known("ABANDON".into()),
            id: Input::Known("00u1".into()),
            org_id: Input::Known("00o1".into()),
            status: Input::Known("ACTIVE".into()),
            finalized: Input::Known(true),
            finalized_at: Input::Known("2025-03-01T00:00:00Z".into()),
            drift: Input::Known(vec!["b".into(), "a".into()]),
        }
        .into_value();
        assert_eq!(ServiceAccount::from_value(&state).into_value(), state);
        let unknown = ServiceAccount {
            id: Input::Unknown,
            ..ServiceAccount::default()
        };
        assert_eq!(
            ServiceAccount::from_value(&unknown.into_value()).id,
            Input::Unknown
        );
    }
}
