//! What Terraform should show as "known after apply" in a plan, and what an apply that stopped
//! midway stores for it; shared by the resources.

use tfplugin6::Value;
use tfplugin6::schema::Schema;

/// For a create: every computed attribute the configuration leaves null becomes unknown ("known
/// after apply"), except those with a default, which are planned as that value.
pub fn plan_create(proposed: Value, schema: &Schema, defaults: &[(&str, Value)]) -> Value {
    let Value::Object(mut attributes) = proposed else {
        return proposed;
    };
    for attribute in &schema.block.attributes {
        let Some(slot) = attributes.get_mut(&attribute.name) else {
            continue;
        };
        if !slot.is_null() || !attribute.computed {
            continue;
        }
        *slot = defaults
            .iter()
            .find(|(name, _)| *name == attribute.name)
            .map(|(_, value)| value.clone())
            .unwrap_or(Value::Unknown);
    }
    Value::Object(attributes)
}

/// Terraform refuses unknown values in a new state: a partial state after a failure says "not set"
/// for what the plan had left to the apply.
pub fn unknowns_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::Object(attributes) => Value::Object(
            attributes
                .into_iter()
                .map(|(name, value)| (name, unknowns_to_null(value)))
                .collect(),
        ),
        other => other,
    }
}
