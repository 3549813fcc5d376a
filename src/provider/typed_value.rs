//! Reading and writing Terraform values as typed inputs, for the resources' models: each model
//! names its attributes once and converts with these, so the rest of the provider never spells
//! an attribute name.

use std::collections::BTreeMap;

use crate::rules::violation::Input;
use tfplugin6::{PlanRequest, Value};

/// A plan request decoded once, where it enters a resource: the typed prior state and
/// configuration travel from there to every step of the plan, and the raw request stays beside
/// them for what the plan edits or passes on as it is (the proposed state, the private data).
#[derive(Clone, Debug)]
pub struct PlanInput<T> {
    pub request: PlanRequest,
    /// Every attribute null when there is no prior object (a create).
    pub prior: T,
    /// Every attribute null for a destroy (Terraform plans it from state alone).
    pub config: T,
}

impl<T> PlanInput<T> {
    /// `decode` is the resource model's `from_value`.
    pub fn decode(request: PlanRequest, decode: impl Fn(&Value) -> T) -> PlanInput<T> {
        PlanInput {
            prior: decode(&request.prior_state),
            config: decode(&request.config),
            request,
        }
    }
}

/// A string attribute: null, not known yet, or known. A value of another type reads as unknown
/// (the schema makes it impossible; the rules then skip it rather than guess).
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

pub fn string_value(input: Input<String>) -> Value {
    match input {
        Input::Null => Value::Null,
        Input::Unknown => Value::Unknown,
        Input::Known(text) => Value::String(text),
    }
}

pub fn bool_value(input: Input<bool>) -> Value {
    match input {
        Input::Null => Value::Null,
        Input::Unknown => Value::Unknown,
        Input::Known(flag) => Value::Bool(flag),
    }
}

/// A list of strings, in order.
pub fn list_value(input: Input<Vec<String>>) -> Value {
    match input {
        Input::Null => Value::Null,
        Input::Unknown => Value::Unknown,
        Input::Known(items) => Value::List(items.into_iter().map(Value::String).collect()),
    }
}

/// A set of strings, sorted and without repeats (how sets are recorded in state).
pub fn set_value(input: Input<Vec<String>>) -> Value {
    match input {
        Input::Null => Value::Null,
        Input::Unknown => Value::Unknown,
        Input::Known(items) => string_set(items),
    }
}

pub fn string_set(values: impl IntoIterator<Item = String>) -> Value {
    let mut items: Vec<String> = values.into_iter().collect();
    items.sort();
    items.dedup();
    Value::Set(items.into_iter().map(Value::String).collect())
}

/// The attributes of an object value (none for anything else, such as a null state).
pub fn attributes(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Object(attributes) => attributes,
        _ => BTreeMap::new(),
    }
}
