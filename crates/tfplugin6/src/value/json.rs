//! The JSON encoding of values (go-cty `cty/json`): stored state (`RawState.json`) and
//! `DynamicValue.json`.
//!
//! - null: `null`; unknown values cannot be written (error).
//! - numbers: JSON numbers in plain decimal: `Int` exactly, `Float` in its shortest round-trip
//!   digits without exponent (as go-cty writes a float), `Big` as stored; ±infinity is an error.
//!   Decoding keeps the literal's digits (no `f64` rounding) and canonicalizes ([`Number::parse`]),
//!   so a float whose shortest digits are not its exact value (`0.1`) reads back as `Big("0.1")`,
//!   the same number go-cty reads from that text.
//! - lists, sets, tuples: arrays; maps, objects: JSON objects (object attributes all written, sorted).
//! - a known value at a `dynamic` position: `{"value":…,"type":…}`.
//! - Decoding, like go-cty: a missing object attribute is null; an unknown attribute is an error
//!   (unless [`JsonDecodeOptions::ignore_unknown_attributes`]); a duplicate key keeps the last; a
//!   number accepts a string holding a number, a bool accepts `"true"`/`"false"`, a string accepts a
//!   number or a bool (their JSON text).
//!
//! The parser is our own so that numbers keep their exact text; it limits nesting depth and never
//! panics.

use std::collections::BTreeMap;

use super::msgpack::check_attributes;
use super::{MAX_DEPTH, Number, PathStep, Type, Value, ValueError};

/// Options for [`decode_json_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonDecodeOptions {
    /// Drop object attributes the type does not have instead of failing (e.g. stored state written
    /// by an older schema, in UpgradeResourceState).
    pub ignore_unknown_attributes: bool,
}

/// Encodes `value` as `ty` in JSON (error on Unknown), checking that it conforms.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut enc = Encoder {
        out: String::new(),
        path: Vec::new(),
    };
    enc.value(value, ty)?;
    Ok(enc.out.into_bytes())
}

/// Decodes JSON bytes as a value of `ty`. Never panics, whatever the input.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_with(bytes, ty, JsonDecodeOptions::default())
}

/// [`decode_json`] with options.
pub fn decode_json_with(
    bytes: &[u8],
    ty: &Type,
    options: JsonDecodeOptions,
) -> Result<Value, ValueError> {
    let j = parse(bytes)?;
    let mut conv = Converter {
        path: Vec::new(),
        options,
        depth: 0,
    };
    conv.value(&j, ty)
}

/// Appends `s` as a JSON string literal.
pub(super) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Encoder {
    out: String,
    path: Vec<PathStep>,
}

impl Encoder {
    fn err(&self, message: impl Into<String>) -> ValueError {
        ValueError::Encode {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), ValueError> {
        match (ty, value) {
            (_, Value::Unknown) => {
                return Err(self.err("the value is unknown, which JSON cannot carry"));
            }
            (_, Value::Null) => self.out.push_str("null"),
            (Type::Dynamic, Value::Dynamic(Type::Dynamic, inner)) => self.value(inner, ty)?,
            (Type::Dynamic, Value::Dynamic(t, inner)) => {
                self.out.push_str("{\"value\":");
                self.value(inner, t)?;
                self.out.push_str(",\"type\":");
                self.out.push_str(&t.to_json_string());
                self.out.push('}');
            }
            (Type::Dynamic, plain) => match plain.implied_type() {
                Some(t) if t != Type::Dynamic => {
                    self.value(&Value::Dynamic(t, Box::new(plain.clone())), ty)?
                }
                _ => {
                    return Err(self.err(format!(
                        "the concrete type of {} at a dynamic position cannot be inferred; wrap it in Value::Dynamic",
                        plain.kind()
                    )));
                }
            },
            (_, Value::Dynamic(t, inner)) if t == ty => self.value(inner, ty)?,
            (Type::Bool, Value::Bool(b)) => self.out.push_str(if *b { "true" } else { "false" }),
            (Type::Number, Value::Number(n)) => match n.canonical() {
                Some(Number::Float(f)) if !f.is_finite() => {
                    return Err(self.err("an infinite number cannot be written as JSON"));
                }
                Some(n) => self.out.push_str(&n.to_string()),
                None => return Err(self.err(format!("{n:?} is not a number"))),
            },
            (Type::String, Value::String(s)) => write_json_string(&mut self.out, s),
            (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Index(i as u64));
                    self.value(item, et)?;
                    self.path.pop();
                }
                self.out.push(']');
            }
            (Type::Tuple(ts), Value::Tuple(items)) => {
                if ts.len() != items.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        ts.len(),
                        items.len()
                    )));
                }
                self.out.push('[');
                for (i, (item, t)) in items.iter().zip(ts).enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Index(i as u64));
                    self.value(item, t)?;
                    self.path.pop();
                }
                self.out.push(']');
            }
            (Type::Map(et), Value::Map(entries)) => {
                self.out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Key(k.clone()));
                    write_json_string(&mut self.out, k);
                    self.out.push(':');
                    self.value(v, et)?;
                    self.path.pop();
                }
                self.out.push('}');
            }
            (Type::Object(attr_types), Value::Object(attrs)) => {
                check_attributes(attr_types, attrs).map_err(|m| self.err(m))?;
                self.out.push('{');
                for (i, (k, t)) in attr_types.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Attr(k.clone()));
                    write_json_string(&mut self.out, k);
                    self.out.push(':');
                    self.value(attrs.get(k).unwrap_or(&Value::Null), t)?;
                    self.path.pop();
                }
                self.out.push('}');
            }
            (ty, value) => {
                return Err(self.err(format!("{ty} is required, found {}", value.kind())));
            }
        }
        Ok(())
    }
}

/// A parsed JSON document with numbers kept as their literal text.
#[derive(Debug)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn describe(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "a bool",
            J::Num(_) => "a number",
            J::Str(_) => "a string",
            J::Arr(_) => "an array",
            J::Obj(_) => "an object",
        }
    }

    /// For type JSON, which holds only strings, arrays and objects.
    fn to_serde(&self) -> serde_json::Value {
        match self {
            J::Null | J::Num(_) => serde_json::Value::Null,
            J::Bool(b) => serde_json::Value::Bool(*b),
            J::Str(s) => serde_json::Value::String(s.clone()),
            J::Arr(items) => serde_json::Value::Array(items.iter().map(J::to_serde).collect()),
            J::Obj(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

fn parse(bytes: &[u8]) -> Result<J, ValueError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ValueError::Json {
        path: Vec::new(),
        message: format!("not UTF-8: {e}"),
    })?;
    let mut p = Parser {
        s: text,
        b: bytes,
        pos: 0,
        depth: 0,
    };
    p.ws();
    let j = p.value()?;
    p.ws();
    if p.pos != bytes.len() {
        return Err(p.err("unexpected data after the value"));
    }
    Ok(j)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> ValueError {
        ValueError::Json {
            path: Vec::new(),
            message: format!("syntax error at byte {}: {message}", self.pos),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.b[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<J, ValueError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let v = self.value_inner();
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self) -> Result<J, ValueError> {
        match self.b.get(self.pos) {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') if self.eat("null") => Ok(J::Null),
            Some(b't') if self.eat("true") => Ok(J::Bool(true)),
            Some(b'f') if self.eat("false") => Ok(J::Bool(false)),
            Some(b'"') => Ok(J::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') =
                    self.b.get(self.pos)
                {
                    self.pos += 1;
                }
                let text = &self.s[start..self.pos];
                if text.starts_with('+') || Number::parse(text).is_none() {
                    self.pos = start;
                    return Err(self.err("invalid number"));
                }
                Ok(J::Num(text.to_string()))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Ok(J::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value()?);
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        return Ok(J::Arr(items));
                    }
                    return Err(self.err("expected ',' or ']'"));
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Ok(J::Obj(entries));
                }
                loop {
                    self.ws();
                    if self.b.get(self.pos) != Some(&b'"') {
                        return Err(self.err("expected an object key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return Err(self.err("expected ':'"));
                    }
                    self.ws();
                    let v = self.value()?;
                    entries.push((k, v));
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("}") {
                        return Ok(J::Obj(entries));
                    }
                    return Err(self.err("expected ',' or '}'"));
                }
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, ValueError> {
        let Some(digits) = self.s.get(self.pos..self.pos + 4) else {
            return Err(self.err("truncated \\u escape"));
        };
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err("invalid \\u escape"));
        }
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    /// A string literal starting at the opening quote.
    fn string(&mut self) -> Result<String, ValueError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Stops only at ASCII bytes, so both ends are char boundaries.
            out.push_str(&self.s[start..self.pos]);
            match self.b.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(&e) = self.b.get(self.pos) else {
                        return Err(self.err("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xd800..0xdc00).contains(&hi) {
                                if !self.eat("\\u") {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            let Some(c) = char::from_u32(c) else {
                                return Err(self.err("unpaired surrogate in \\u escape"));
                            };
                            out.push(c);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}

struct Converter {
    path: Vec<PathStep>,
    options: JsonDecodeOptions,
    depth: usize,
}

impl Converter {
    fn err(&self, message: impl Into<String>) -> ValueError {
        ValueError::Json {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn value(&mut self, j: &J, ty: &Type) -> Result<Value, ValueError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("value is nested too deeply"));
        }
        let v = self.value_inner(j, ty);
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self, j: &J, ty: &Type) -> Result<Value, ValueError> {
        if let J::Null = j {
            return Ok(Value::Null);
        }
        let mismatch = |c: &Self| Err(c.err(format!("{ty} is required, found {}", j.describe())));
        match ty {
            Type::Dynamic => {
                let J::Obj(entries) = j else {
                    return Err(self.err(format!(
                        "a dynamic value must be an object {{\"value\":…,\"type\":…}}, found {}",
                        j.describe()
                    )));
                };
                let mut type_j = None;
                let mut value_j = None;
                for (k, v) in entries {
                    match k.as_str() {
                        "type" => type_j = Some(v),
                        "value" => value_j = Some(v),
                        other => {
                            return Err(self.err(format!(
                                "invalid key {other:?} in a dynamic value (only \"value\" and \"type\")"
                            )));
                        }
                    }
                }
                let Some(type_j) = type_j else {
                    return Err(self.err("a dynamic value needs its \"type\""));
                };
                let Some(value_j) = value_j else {
                    return Err(self.err("a dynamic value needs its \"value\""));
                };
                let t = Type::from_json(&type_j.to_serde()).map_err(|e| self.err(e.to_string()))?;
                let inner = self.value(value_j, &t)?;
                if t == Type::Dynamic {
                    return Ok(inner);
                }
                Ok(Value::Dynamic(t, Box::new(inner)))
            }
            Type::Bool => match j {
                J::Bool(b) => Ok(Value::Bool(*b)),
                J::Str(s) if s == "true" => Ok(Value::Bool(true)),
                J::Str(s) if s == "false" => Ok(Value::Bool(false)),
                _ => mismatch(self),
            },
            Type::Number => match j {
                J::Num(text) => Number::parse(text)
                    .map(Value::Number)
                    .ok_or_else(|| self.err("invalid number")),
                J::Str(s) => Number::parse(s)
                    .map(Value::Number)
                    .ok_or_else(|| self.err(format!("number is required, found the string {s:?}"))),
                _ => mismatch(self),
            },
            Type::String => match j {
                J::Str(s) => Ok(Value::String(s.clone())),
                J::Num(text) => Ok(Value::String(text.clone())),
                J::Bool(b) => Ok(Value::String(b.to_string())),
                _ => mismatch(self),
            },
            Type::List(et) | Type::Set(et) => {
                let J::Arr(items) = j else {
                    return mismatch(self);
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(PathStep::Index(i as u64));
                    out.push(self.value(item, et)?);
                    self.path.pop();
                }
                Ok(match ty {
                    Type::List(_) => Value::List(out),
                    _ => Value::Set(out),
                })
            }
            Type::Tuple(ts) => {
                let J::Arr(items) = j else {
                    return mismatch(self);
                };
                if items.len() != ts.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        ts.len(),
                        items.len()
                    )));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, t)) in items.iter().zip(ts).enumerate() {
                    self.path.push(PathStep::Index(i as u64));
                    out.push(self.value(item, t)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(et) => {
                let J::Obj(entries) = j else {
                    return mismatch(self);
                };
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    self.path.push(PathStep::Key(k.clone()));
                    let v = self.value(v, et)?;
                    self.path.pop();
                    out.insert(k.clone(), v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attr_types) => {
                let J::Obj(entries) = j else {
                    return mismatch(self);
                };
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let Some(t) = attr_types.get(k) else {
                        if self.options.ignore_unknown_attributes {
                            continue;
                        }
                        return Err(self.err(format!("unsupported attribute {k:?}")));
                    };
                    self.path.push(PathStep::Attr(k.clone()));
                    let v = self.value(v, t)?;
                    self.path.pop();
                    out.insert(k.clone(), v);
                }
                for k in attr_types.keys() {
                    if !out.contains_key(k) {
                        out.insert(k.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(out))
            }
        }
    }
}
