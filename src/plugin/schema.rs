//! A typed builder for Terraform schemas, and their conversion to the wire format and to the value
//! type that configuration, plan and state of the schema have.

use std::collections::BTreeMap;

use super::proto::tfplugin6 as wire;
use super::value::Type;

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
            computed: self.computed,
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
