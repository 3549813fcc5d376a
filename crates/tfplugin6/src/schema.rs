//! A typed builder for Terraform schemas, and their conversion to the wire format and to the value
//! type that configuration, plan and state of the schema have.

use std::collections::BTreeMap;

use super::proto::tfplugin6 as wire;
use super::value::{Type, Value};

/// A resource, data source or provider schema. `version` is the state schema version that
/// `UpgradeResourceState` compares with what is stored.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Markdown.
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub deprecated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug)]
pub enum AttributeType {
    Plain(Type),
    /// Nested attributes (protocol 6): an object, or a collection of objects.
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeType,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Only in configuration; Terraform never stores it in plan or state (Terraform >= 1.11).
    pub write_only: bool,
    pub deprecated: bool,
    /// Optional, and left out of generated configuration while null: see
    /// [`Attribute::generated_only_when_set`].
    pub generated_only_when_set: bool,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl Schema {
    pub fn new(version: i64, description: impl Into<String>, attributes: Vec<Attribute>) -> Schema {
        Schema {
            version,
            block: Block {
                description: description.into(),
                attributes,
                blocks: Vec::new(),
                deprecated: false,
            },
        }
    }

    /// The object type of this schema's values.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.attributes.iter().find(|a| a.name == name)
    }

    /// Names of the top-level write-only attributes.
    pub fn write_only_attributes(&self) -> impl Iterator<Item = &str> {
        self.block
            .attributes
            .iter()
            .filter(|a| a.write_only)
            .map(|a| a.name.as_str())
    }

    /// Names of the top-level attributes declared with
    /// [`generated_only_when_set`](Attribute::generated_only_when_set).
    pub fn generated_only_when_set_attributes(&self) -> impl Iterator<Item = &str> {
        self.block
            .attributes
            .iter()
            .filter(|a| a.generated_only_when_set)
            .map(|a| a.name.as_str())
    }

    pub fn into_proto(self) -> wire::Schema {
        wire::Schema {
            version: self.version,
            block: Some(self.block.into_proto()),
        }
    }
}

impl Block {
    pub fn value_type(&self) -> Type {
        let mut attributes: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for nested in &self.blocks {
            let object = nested.block.value_type();
            let ty = match nested.nesting {
                Nesting::Single => object,
                Nesting::List => Type::List(Box::new(object)),
                Nesting::Set => Type::Set(Box::new(object)),
                Nesting::Map => Type::Map(Box::new(object)),
            };
            attributes.insert(nested.type_name.clone(), ty);
        }
        Type::Object(attributes)
    }

    fn into_proto(self) -> wire::schema::Block {
        wire::schema::Block {
            version: 0,
            attributes: self
                .attributes
                .into_iter()
                .map(Attribute::into_proto)
                .collect(),
            block_types: self
                .blocks
                .into_iter()
                .map(NestedBlock::into_proto)
                .collect(),
            description: self.description,
            description_kind: wire::StringKind::Markdown as i32,
            deprecated: self.deprecated,
        }
    }
}

impl Attribute {
    /// An attribute of a plain type; chain `.required()`, `.optional()`, `.computed()` and so on.
    pub fn new(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            name: name.into(),
            kind: AttributeType::Plain(ty),
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            generated_only_when_set: false,
        }
    }

    pub fn string(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::String)
    }

    pub fn bool(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    pub fn number(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    pub fn nested(
        name: impl Into<String>,
        nesting: Nesting,
        attributes: Vec<Attribute>,
    ) -> Attribute {
        Attribute {
            kind: AttributeType::Nested {
                nesting,
                attributes,
            },
            ..Attribute::new(name, Type::Dynamic)
        }
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Attribute {
        self.description = markdown.into();
        self
    }

    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    pub fn deprecated(mut self) -> Attribute {
        self.deprecated = true;
        self
    }

    /// An optional attribute that configuration generated by Terraform 1.14 and later leaves out
    /// while it is null, instead of writing `name = null`. Those versions write every attribute
    /// of the configuration a provider generates except a computed one that is null (Terraform's
    /// `internal/genconfig/generate_config.go`, `writeConfigAttributesFromExisting`), so the
    /// attribute is declared computed to Terraform, and nowhere else: this schema, the docs and
    /// the handlers still see a plain optional attribute. What computed would change, the server
    /// undoes: Terraform proposes the prior state's value for a computed attribute the
    /// configuration leaves null, and accepts any planned value for it; the server proposes the
    /// configuration's value instead, as for an attribute that is not computed, and refuses a
    /// planned value other than the configuration's ([`propose_configured_values`],
    /// [`departure_from_configuration`]). Terraform 1.11 to 1.13 write every optional attribute
    /// of the state, computed or not, and still write `null`.
    pub fn generated_only_when_set(mut self) -> Attribute {
        self.generated_only_when_set = true;
        self
    }

    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeType::Plain(ty) => ty.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let object = Type::Object(
                    attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                );
                match nesting {
                    Nesting::Single => object,
                    Nesting::List => Type::List(Box::new(object)),
                    Nesting::Set => Type::Set(Box::new(object)),
                    Nesting::Map => Type::Map(Box::new(object)),
                }
            }
        }
    }

    fn into_proto(self) -> wire::schema::Attribute {
        let (ty, nested_type) = match self.kind {
            AttributeType::Plain(ty) => (ty.to_json_bytes(), None),
            AttributeType::Nested {
                nesting,
                attributes,
            } => (
                Vec::new(),
                Some(wire::schema::Object {
                    attributes: attributes.into_iter().map(Attribute::into_proto).collect(),
                    nesting: match nesting {
                        Nesting::Single => wire::schema::object::NestingMode::Single,
                        Nesting::List => wire::schema::object::NestingMode::List,
                        Nesting::Set => wire::schema::object::NestingMode::Set,
                        Nesting::Map => wire::schema::object::NestingMode::Map,
                    } as i32,
                    ..Default::default()
                }),
            ),
        };
        wire::schema::Attribute {
            name: self.name,
            r#type: ty,
            nested_type,
            description: self.description,
            required: self.required,
            optional: self.optional,
            computed: self.computed || self.generated_only_when_set,
            sensitive: self.sensitive,
            description_kind: wire::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            write_only: self.write_only,
        }
    }
}

impl NestedBlock {
    fn into_proto(self) -> wire::schema::NestedBlock {
        wire::schema::NestedBlock {
            type_name: self.type_name,
            block: Some(self.block.into_proto()),
            nesting: match self.nesting {
                Nesting::Single => wire::schema::nested_block::NestingMode::Single,
                Nesting::List => wire::schema::nested_block::NestingMode::List,
                Nesting::Set => wire::schema::nested_block::NestingMode::Set,
                Nesting::Map => wire::schema::nested_block::NestingMode::Map,
            } as i32,
            min_items: self.min_items,
            max_items: self.max_items,
        }
    }
}

/// The identity of a managed resource type (protocol 6.9): the few attributes that name one object
/// for good, so that `import { identity = {...} }` and list resources need no provider-specific id
/// string. `version` is separate from the resource schema's version: it changes only when these
/// attributes do, and `UpgradeResourceIdentity` compares it with what is stored.
#[derive(Clone, Debug, Default)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// Markdown.
    pub description: String,
    /// An import by identity must set it.
    pub required_for_import: bool,
    /// An import by identity may leave it out; the resource then supplies it.
    pub optional_for_import: bool,
}

impl IdentitySchema {
    pub fn new(version: i64, attributes: Vec<IdentityAttribute>) -> IdentitySchema {
        IdentitySchema {
            version,
            attributes,
        }
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    pub fn into_proto(self) -> wire::ResourceIdentitySchema {
        wire::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .into_iter()
                .map(|a| wire::resource_identity_schema::IdentityAttribute {
                    name: a.name,
                    r#type: a.ty.to_json_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description,
                })
                .collect(),
        }
    }
}

impl IdentityAttribute {
    /// An attribute an import by identity must set; chain `.optional_for_import()` to relax it.
    pub fn new(name: impl Into<String>, ty: Type) -> IdentityAttribute {
        IdentityAttribute {
            name: name.into(),
            ty,
            description: String::new(),
            required_for_import: true,
            optional_for_import: false,
        }
    }

    pub fn string(name: impl Into<String>) -> IdentityAttribute {
        IdentityAttribute::new(name, Type::String)
    }

    pub fn description(mut self, markdown: impl Into<String>) -> IdentityAttribute {
        self.description = markdown.into();
        self
    }

    pub fn optional_for_import(mut self) -> IdentityAttribute {
        self.required_for_import = false;
        self.optional_for_import = true;
        self
    }
}

/// The configuration Terraform itself would generate from `state` (its fallback when a provider
/// does not advertise `generate_resource_config`): configurable attributes keep their values;
/// read-only (computed and not optional), deprecated and write-only attributes are left out. It is
/// what a resource that does not generate its own configuration answers once the provider
/// advertises the capability for another resource, so advertising it changes nothing for them.
pub fn config_from_state(schema: &Schema, state: &Value) -> Value {
    block_config(&schema.block, state)
}

fn block_config(block: &Block, state: &Value) -> Value {
    let Value::Object(values) = state else {
        return state.clone();
    };
    let mut config = values.clone();
    for attribute in &block.attributes {
        if let Some(slot) = config.get_mut(&attribute.name) {
            let configurable = attribute.required || attribute.optional;
            if !configurable || attribute.deprecated || attribute.write_only {
                *slot = Value::Null;
            }
        }
    }
    for nested in &block.blocks {
        let Some(slot) = config.get_mut(&nested.type_name) else {
            continue;
        };
        if nested.block.deprecated {
            *slot = Value::Null;
            continue;
        }
        *slot = match &*slot {
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| block_config(&nested.block, v))
                    .collect(),
            ),
            Value::Set(items) => Value::Set(
                items
                    .iter()
                    .map(|v| block_config(&nested.block, v))
                    .collect(),
            ),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), block_config(&nested.block, v)))
                    .collect(),
            ),
            single => block_config(&nested.block, single),
        };
    }
    Value::Object(config)
}

/// `proposed` with the configuration's value for each attribute declared
/// [`generated_only_when_set`](Attribute::generated_only_when_set): what Terraform proposes for an
/// attribute that is not computed, where for a computed one it proposes the prior state's value.
/// A null `proposed` (a destroy) stays null.
pub fn propose_configured_values(schema: &Schema, proposed: Value, config: &Value) -> Value {
    let Value::Object(mut attributes) = proposed else {
        return proposed;
    };
    for name in schema.generated_only_when_set_attributes() {
        if let Some(slot) = attributes.get_mut(name) {
            *slot = config.get(name).cloned().unwrap_or(Value::Null);
        }
    }
    Value::Object(attributes)
}

/// The first attribute declared [`generated_only_when_set`](Attribute::generated_only_when_set)
/// whose planned value is not the configuration's: the check Terraform makes for an attribute
/// that is not computed, and no longer makes once it is declared computed. Write-only attributes
/// are left out: the server nulls them in every planned state.
pub fn departure_from_configuration<'a>(
    schema: &'a Schema,
    planned: &Value,
    config: &Value,
) -> Option<&'a str> {
    if planned.is_null() {
        return None;
    }
    schema
        .block
        .attributes
        .iter()
        .filter(|a| a.generated_only_when_set && !a.write_only)
        .map(|a| a.name.as_str())
        .find(|name| {
            planned.get(name).unwrap_or(&Value::Null) != config.get(name).unwrap_or(&Value::Null)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_config_keeps_configurable_attributes_only() {
        let schema = Schema::new(
            0,
            "",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("name").required(),
                Attribute::string("note").optional().computed(),
                Attribute::string("old").optional().deprecated(),
                Attribute::string("secret_wo").optional().write_only(),
            ],
        );
        let state = Value::object([
            ("id", Value::string("00u1")),
            ("name", Value::string("agent")),
            ("note", Value::string("kept")),
            ("old", Value::string("dropped")),
            ("secret_wo", Value::Null),
        ]);
        assert_eq!(
            config_from_state(&schema, &state),
            Value::object([
                ("id", Value::Null),
                ("name", Value::string("agent")),
                ("note", Value::string("kept")),
                ("old", Value::Null),
                ("secret_wo", Value::Null),
            ])
        );
    }

    fn reason_schema() -> Schema {
        Schema::new(
            0,
            "",
            vec![
                Attribute::string("name").required(),
                Attribute::string("reason")
                    .optional()
                    .generated_only_when_set(),
                Attribute::string("password_wo")
                    .optional()
                    .write_only()
                    .generated_only_when_set(),
            ],
        )
    }

    #[test]
    fn an_attribute_generated_only_when_set_is_computed_on_the_wire_only() {
        let schema = reason_schema();
        let reason = &schema.block.attributes[1];
        assert!(reason.optional && !reason.computed);
        let wire = schema.into_proto().block.unwrap();
        let flags: Vec<(bool, bool)> = wire
            .attributes
            .iter()
            .map(|a| (a.optional, a.computed))
            .collect();
        assert_eq!(flags, vec![(false, false), (true, true), (true, true)]);
    }

    #[test]
    fn the_configured_value_is_proposed_not_the_prior_one() {
        let schema = reason_schema();
        // Terraform proposes the prior reason for a computed attribute the configuration leaves
        // null; the resource must see what it saw before: null, as configured.
        let proposed = Value::object([
            ("name", Value::string("agent")),
            ("reason", Value::string("ticket 1")),
            ("password_wo", Value::Null),
        ]);
        let config = Value::object([
            ("name", Value::string("agent")),
            ("reason", Value::Null),
            ("password_wo", Value::string("not-a-real-secret")),
        ]);
        assert_eq!(
            propose_configured_values(&schema, proposed, &config),
            config
        );
        assert_eq!(
            propose_configured_values(&schema, Value::Null, &config),
            Value::Null
        );
    }

    #[test]
    fn a_planned_value_other_than_the_configured_one_is_named() {
        let schema = reason_schema();
        let config = Value::object([
            ("name", Value::string("agent")),
            ("reason", Value::Null),
            ("password_wo", Value::string("not-a-real-secret")),
        ]);
        let planned = |reason: Value| {
            Value::object([
                ("name", Value::string("agent")),
                ("reason", reason),
                ("password_wo", Value::Null),
            ])
        };
        assert_eq!(
            departure_from_configuration(&schema, &planned(Value::Null), &config),
            None
        );
        assert_eq!(
            departure_from_configuration(&schema, &planned(Value::string("kept")), &config),
            Some("reason")
        );
        assert_eq!(
            departure_from_configuration(&schema, &Value::Null, &config),
            None
        );
    }

    #[test]
    fn identity_schema_encodes_cty_types_terraform_can_parse() {
        let schema = IdentitySchema::new(
            1,
            vec![
                IdentityAttribute::string("org_url"),
                IdentityAttribute::string("id").optional_for_import(),
            ],
        );
        assert_eq!(
            schema.value_type(),
            Type::object([("org_url", Type::String), ("id", Type::String)])
        );
        let wire = schema.into_proto();
        assert_eq!(wire.version, 1);
        assert_eq!(wire.identity_attributes[0].r#type, b"\"string\"");
        assert!(wire.identity_attributes[0].required_for_import);
        assert!(wire.identity_attributes[1].optional_for_import);
        assert!(!wire.identity_attributes[1].required_for_import);
    }
}
