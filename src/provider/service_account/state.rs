//! Typed access to the attributes of `okta_msp_service_account` values.

use std::collections::BTreeMap;

use crate::plugin::Value;
use crate::rules::account_config::AccountConfig;
use crate::rules::violation::Input;

pub fn input_string(value: &Value, attribute: &str) -> Input<String> {
    match value.get(attribute) {
        None | Some(Value::Null) => Input::Null,
        Some(Value::Unknown) => Input::Unknown,
        Some(other) => match other.as_str() {
            Some(text) => Input::Known(text.to_owned()),
            None => Input::Unknown,
        },
    }
}

pub fn input_bool(value: &Value, attribute: &str) -> Input<bool> {
    match value.get(attribute) {
        None | Some(Value::Null) => Input::Null,
        Some(Value::Bool(flag)) => Input::Known(*flag),
        Some(_) => Input::Unknown,
    }
}

/// A set or list of strings; unknown if it or any element is unknown.
pub fn input_strings(value: &Value, attribute: &str) -> Input<Vec<String>> {
    match value.get(attribute) {
        None | Some(Value::Null) => Input::Null,
        Some(Value::Set(items)) | Some(Value::List(items)) => {
            let mut strings = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(text) => strings.push(text.to_owned()),
                    None => return Input::Unknown,
                }
            }
            Input::Known(strings)
        }
        Some(_) => Input::Unknown,
    }
}

/// The configuration as the rules read it.
pub fn account_config(config: &Value) -> AccountConfig {
    AccountConfig {
        kind: input_string(config, "kind"),
        login: input_string(config, "login"),
        email: input_string(config, "email"),
        first_name: input_string(config, "first_name"),
        last_name: input_string(config, "last_name"),
        admin_roles: input_strings(config, "admin_roles"),
        finalize: input_bool(config, "finalize"),
    }
}

pub fn attributes(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Object(attributes) => attributes,
        _ => BTreeMap::new(),
    }
}

pub fn is_finalized(state: &Value) -> bool {
    state.get("finalized").and_then(Value::as_bool) == Some(true)
}

/// `login (id)`, how messages name an account.
pub fn subject(state: &Value) -> String {
    let login = state.get("login").and_then(Value::as_str).unwrap_or("?");
    match state.get("id").and_then(Value::as_str) {
        Some(id) => format!("{login} ({id})"),
        None => login.to_owned(),
    }
}

pub fn string_set(values: impl IntoIterator<Item = String>) -> Value {
    let mut items: Vec<String> = values.into_iter().collect();
    items.sort();
    items.dedup();
    Value::Set(items.into_iter().map(Value::String).collect())
}
