//! Terraform types and their "type JSON" form (go-cty's `Type.MarshalJSON`).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

use super::{MAX_DEPTH, ValueError};

/// A Terraform (cty) type.
///
/// Object types carry no optional-attribute markers: [`Type::from_json`] accepts the third element
/// of `["object",{...},["optional",...]]` and drops it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Number,
    String,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    pub fn object<I: IntoIterator<Item = (K, Type)>, K: Into<String>>(attrs: I) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The attribute types of an object type.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object(attrs) => Some(attrs),
            _ => None,
        }
    }

    /// cty type JSON (what Schema.Attribute.type carries, as bytes); see [`Type::to_json_bytes`].
    pub fn to_json(&self) -> Json {
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::Array(vec![Json::from("list"), t.to_json()]),
            Type::Set(t) => Json::Array(vec![Json::from("set"), t.to_json()]),
            Type::Map(t) => Json::Array(vec![Json::from("map"), t.to_json()]),
            Type::Tuple(ts) => Json::Array(vec![
                Json::from("tuple"),
                Json::Array(ts.iter().map(Type::to_json).collect()),
            ]),
            Type::Object(attrs) => Json::Array(vec![
                Json::from("object"),
                Json::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ]),
        }
    }

    /// The type JSON as compact bytes, byte-for-byte what go-cty writes (attributes sorted, no
    /// whitespace), e.g. `["object",{"a":"string","b":["list","number"]}]`.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json_string().into_bytes()
    }

    /// [`Type::to_json_bytes`] as a string.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => out.push_str("\"bool\""),
            Type::Number => out.push_str("\"number\""),
            Type::String => out.push_str("\"string\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(t) | Type::Set(t) | Type::Map(t) => {
                out.push_str(match self {
                    Type::List(_) => "[\"list\",",
                    Type::Set(_) => "[\"set\",",
                    _ => "[\"map\",",
                });
                t.write_json(out);
                out.push(']');
            }
            Type::Tuple(ts) => {
                out.push_str("[\"tuple\",[");
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.write_json(out);
                }
                out.push_str("]]");
            }
            Type::Object(attrs) => {
                out.push_str("[\"object\",{");
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    super::json::write_json_string(out, k);
                    out.push(':');
                    t.write_json(out);
                }
                out.push_str("}]");
            }
        }
    }

    /// Parses type JSON; accepts the optional-attributes third element of object types.
    pub fn from_json(v: &Json) -> Result<Type, ValueError> {
        Self::from_json_at(v, 0)
    }

    /// Parses type JSON from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, ValueError> {
        let v: Json = serde_json::from_slice(bytes).map_err(|e| type_err(e.to_string()))?;
        Self::from_json(&v)
    }

    fn from_json_at(v: &Json, depth: usize) -> Result<Type, ValueError> {
        if depth > MAX_DEPTH {
            return Err(type_err("type is nested too deeply"));
        }
        match v {
            Json::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(type_err(format!("invalid primitive type name {other:?}"))),
            },
            Json::Array(items) => {
                let Some(Json::String(kind)) = items.first() else {
                    return Err(type_err(
                        "a complex type must be an array starting with its kind name",
                    ));
                };
                let kind = kind.as_str();
                let arity_ok = match kind {
                    "object" => items.len() == 2 || items.len() == 3,
                    _ => items.len() == 2,
                };
                if !arity_ok {
                    return Err(type_err(format!(
                        "unexpected number of elements in {kind:?} type description"
                    )));
                }
                let arg = &items[1];
                match kind {
                    "list" => Ok(Type::list(Self::from_json_at(arg, depth + 1)?)),
                    "set" => Ok(Type::set(Self::from_json_at(arg, depth + 1)?)),
                    "map" => Ok(Type::map(Self::from_json_at(arg, depth + 1)?)),
                    "tuple" => {
                        let Json::Array(elements) = arg else {
                            return Err(type_err("tuple element types must be an array"));
                        };
                        elements
                            .iter()
                            .map(|e| Self::from_json_at(e, depth + 1))
                            .collect::<Result<_, _>>()
                            .map(Type::Tuple)
                    }
                    "object" => {
                        let Json::Object(attrs) = arg else {
                            return Err(type_err("object attribute types must be an object"));
                        };
                        let attrs = attrs
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Self::from_json_at(t, depth + 1)?)))
                            .collect::<Result<BTreeMap<_, _>, ValueError>>()?;
                        if let Some(optional) = items.get(2) {
                            let Json::Array(names) = optional else {
                                return Err(type_err(
                                    "optional attribute names must be an array of strings",
                                ));
                            };
                            for name in names {
                                let Json::String(name) = name else {
                                    return Err(type_err(
                                        "optional attribute names must be an array of strings",
                                    ));
                                };
                                if !attrs.contains_key(name) {
                                    return Err(type_err(format!(
                                        "optional attribute {name:?} is not an attribute of the object"
                                    )));
                                }
                            }
                        }
                        Ok(Type::Object(attrs))
                    }
                    other => Err(type_err(format!("invalid complex type kind {other:?}"))),
                }
            }
            _ => Err(type_err("a type must be a string or an array")),
        }
    }

    /// Whether the type is `dynamic` or contains it.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
            Type::Object(attrs) => attrs.values().any(Type::has_dynamic),
        }
    }
}

impl fmt::Display for Type {
    /// A readable name: `string`, `list of string`, `object`, `tuple`…
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Set(t) => write!(f, "set of {t}"),
            Type::Map(t) => write!(f, "map of {t}"),
            Type::Tuple(_) => f.write_str("tuple"),
            Type::Object(_) => f.write_str("object"),
        }
    }
}

fn type_err(message: impl Into<String>) -> ValueError {
    ValueError::TypeJson {
        message: message.into(),
    }
}
