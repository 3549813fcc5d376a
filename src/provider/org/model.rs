//! The attributes of `okta_msp_org`, named here once: [`attr`] for the schema and the plan
//! (which work on values attribute by attribute), and [`Org`], the typed value with
//! `from_value` and `into_value`, for everything else. A misspelt name is a compile error; a new
//! attribute is declared in `schema.rs` and carried here.

use crate::provider::typed_value::{
    PlanInput, bool_value, input_bool, input_string, input_strings, list_value, string_value,
};
use crate::rules::deletion_policy::DeletionPolicy;
use crate::rules::guard::Whereabouts;
use crate::rules::violation::Input;
use tfplugin6::Value;

/// Attribute names.
pub mod attr {
    pub const NAME: &str = "name";
    pub const SUBDOMAIN: &str = "subdomain";
    pub const WEBSITE: &str = "website";
    pub const INTEGRATION_LOGIN: &str = "integration_login";
    pub const INTEGRATION_EMAIL: &str = "integration_email";
    pub const FINALIZE: &str = "finalize";
    pub const DELETION_POLICY: &str = "deletion_policy";
    pub const ID: &str = "id";
    pub const URL: &str = "url";
    pub const STATUS: &str = "status";
    pub const API_TOKEN: &str = "api_token";
    pub const INTEGRATION_ACCOUNT_ID: &str = "integration_account_id";
    pub const FINALIZED: &str = "finalized";
    pub const SERVICE_APP: &str = "service_app";
    pub const SERVICE_APP_CLIENT_ID: &str = "service_app_client_id";
    pub const SERVICE_APP_KEY_IDS: &str = "service_app_key_ids";
    pub const DRIFT: &str = "drift";
}

/// Identity attribute names: an org is its URL.
pub mod identity_attr {
    pub const URL: &str = "url";
}

/// The URL an `import { identity = {...} }` names, if any.
pub fn identity_url(identity: &Value) -> Option<String> {
    identity
        .get(identity_attr::URL)
        .and_then(Value::as_str)
        .filter(|url| !url.is_empty())
        .map(str::to_owned)
}

/// Attributes the configuration manages and the guard compares, in the order it reports them.
pub const CONFIGURED: [&str; 5] = [
    attr::NAME,
    attr::SUBDOMAIN,
    attr::WEBSITE,
    attr::INTEGRATION_LOGIN,
    attr::INTEGRATION_EMAIL,
];

/// This resource's plan request, decoded once where it enters the resource.
pub type OrgPlan = PlanInput<Org>;

/// One value of the resource (configuration, plan or state), attribute by attribute: null, not
/// known yet, or known.
#[derive(Clone, Debug, Default)]
pub struct Org {
    pub name: Input<String>,
    pub subdomain: Input<String>,
    pub website: Input<String>,
    pub integration_login: Input<String>,
    pub integration_email: Input<String>,
    pub finalize: Input<bool>,
    /// `PREVENT` (unset) or `ABANDON`: whether a destroy forgets the org (G23).
    pub deletion_policy: Input<String>,
    pub id: Input<String>,
    pub url: Input<String>,
    pub status: Input<String>,
    /// Okta returns it once, when the org is created: state keeps the only copy.
    pub api_token: Input<String>,
    pub integration_account_id: Input<String>,
    pub finalized: Input<bool>,
    /// Whether the org is reached through its fleet service app (issue 26).
    pub service_app: Input<bool>,
    /// The fleet service app's client id: not a secret, what reaches the org with the fleet key.
    pub service_app_client_id: Input<String>,
    /// The `kid`s the app trusts, as okta-msp last made it (fleet key rotation).
    pub service_app_key_ids: Input<Vec<String>>,
    /// What the last refresh found changed in Okta on a finalized org (its integration
    /// account's finalized mark), which the next apply repairs.
    pub drift: Input<Vec<String>>,
}

impl Org {
    pub fn from_value(value: &Value) -> Org {
        Org {
            name: input_string(value, attr::NAME),
            subdomain: input_string(value, attr::SUBDOMAIN),
            website: input_string(value, attr::WEBSITE),
            integration_login: input_string(value, attr::INTEGRATION_LOGIN),
            integration_email: input_string(value, attr::INTEGRATION_EMAIL),
            finalize: input_bool(value, attr::FINALIZE),
            deletion_policy: input_string(value, attr::DELETION_POLICY),
            id: input_string(value, attr::ID),
            url: input_string(value, attr::URL),
            status: input_string(value, attr::STATUS),
            api_token: input_string(value, attr::API_TOKEN),
            integration_account_id: input_string(value, attr::INTEGRATION_ACCOUNT_ID),
            finalized: input_bool(value, attr::FINALIZED),
            service_app: input_bool(value, attr::SERVICE_APP),
            service_app_client_id: input_string(value, attr::SERVICE_APP_CLIENT_ID),
            service_app_key_ids: input_strings(value, attr::SERVICE_APP_KEY_IDS),
            drift: input_strings(value, attr::DRIFT),
        }
    }

    pub fn into_value(self) -> Value {
        Value::object([
            (attr::NAME, string_value(self.name)),
            (attr::SUBDOMAIN, string_value(self.subdomain)),
            (attr::WEBSITE, string_value(self.website)),
            (
                attr::INTEGRATION_LOGIN,
                string_value(self.integration_login),
            ),
            (
                attr::INTEGRATION_EMAIL,
                string_value(self.integration_email),
            ),
            (attr::FINALIZE, bool_value(self.finalize)),
            (attr::DELETION_POLICY, string_value(self.deletion_policy)),
            (attr::ID, string_value(self.id)),
            (attr::URL, string_value(self.url)),
            (attr::STATUS, string_value(self.status)),
            (attr::API_TOKEN, string_value(self.api_token)),
            (
                attr::INTEGRATION_ACCOUNT_ID,
                string_value(self.integration_account_id),
            ),
            (attr::FINALIZED, bool_value(self.finalized)),
            (attr::SERVICE_APP, bool_value(self.service_app)),
            (
                attr::SERVICE_APP_CLIENT_ID,
                string_value(self.service_app_client_id),
            ),
            (
                attr::SERVICE_APP_KEY_IDS,
                list_value(self.service_app_key_ids),
            ),
            (attr::DRIFT, list_value(self.drift)),
        ])
    }

    /// The identity of the org this value describes: its URL (unknown in a create plan).
    pub fn identity(&self) -> Value {
        Value::object([(identity_attr::URL, string_value(self.url.clone()))])
    }

    pub fn is_finalized(&self) -> bool {
        self.finalized.known() == Some(&true)
    }

    /// Whether the plan asks to finalize the org (`finalize`, default true).
    pub fn wants_finalize(&self) -> bool {
        self.finalize.known().copied().unwrap_or(true)
    }

    /// What a destroy of this state does (G23): `ABANDON` only when the state says so.
    pub fn deletion_policy(&self) -> DeletionPolicy {
        DeletionPolicy::of(self.deletion_policy.known_str())
    }

    /// The org's URL and id, for messages about an org whose block may be gone.
    pub fn whereabouts(&self) -> Whereabouts {
        Whereabouts {
            org: self.url.known_str().map(str::to_owned),
            id: self.id.known_str().map(str::to_owned),
        }
    }

    /// The repairs the last refresh found needed (empty when none, or not checked).
    pub fn drift_repairs(&self) -> Vec<String> {
        self.drift.known().cloned().unwrap_or_default()
    }

    /// `subdomain (id)`, how messages name an org.
    pub fn subject(&self) -> String {
        format!(
            "{} ({})",
            self.subdomain.known_str().unwrap_or("?"),
            self.id.known_str().unwrap_or("?")
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The schema and the model name the same attributes: one added to the schema alone fails
    /// here, not in a plan.
    #[test]
    fn the_identity_carries_every_attribute_of_the_identity_schema() {
        let in_schema: BTreeSet<String> = super::super::schema::identity_schema()
            .attributes
            .iter()
            .map(|attribute| attribute.name.clone())
            .collect();
        let org = Org {
            url: Input::Known("https://acme.okta.com".into()),
            ..Org::default()
        };
        let Value::Object(identity) = org.identity() else {
            panic!("an identity is an object");
        };
        assert_eq!(identity.keys().cloned().collect::<BTreeSet<_>>(), in_schema);
        assert_eq!(
            identity_url(&org.identity()).as_deref(),
            Some("https://acme.okta.com")
        );
    }

    #[test]
    fn the_model_carries_every_attribute_of_the_schema() {
        let in_schema: BTreeSet<String> = super::super::schema()
            .block
            .attributes
            .iter()
            .map(|attribute| attribute.name.clone())
            .collect();
        let Value::Object(value) = Org::default().into_value() else {
            panic!("a model's value is an object");
        };
        let in_model: BTreeSet<String> = value.into_keys().collect();
        assert_eq!(in_model, in_schema);
    }

    #[test]
    fn a_state_reads_and_writes_back_unchanged() {
        let state = Org {
            name: Input::Known("Acme".into()),
            subdomain: Input::Known("acme".into()),
            website: Input::Null,
            integration_login: Input::Known("msp@acme.example".into()),
            integration_email: Input::Known("msp-box@acme.example".into()),
            finalize: Input::Known(true),
            deletion_policy: Input::Known("ABANDON".into()),
            id: Input::Known("00o1".into()),
            url: Input::Known("https://acme.okta.com".into()),
            status: Input::Unknown,
            api_token: Input::Known("token".into()),
            integration_account_id: Input::Known("00u1".into()),
            finalized: Input::Known(false),
            service_app: Input::Known(true),
            service_app_client_id: Input::Known("0oa1".into()),
            service_app_key_ids: Input::Known(vec!["kid1".into(), "kid2".into()]),
            drift: Input::Known(vec!["restore the mark".into()]),
        }
        .into_value();
        assert_eq!(Org::from_value(&state).into_value(), state);
    }
}
