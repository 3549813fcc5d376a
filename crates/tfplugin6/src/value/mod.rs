//! Terraform's value and type model and its two wire encodings.
//!
//! Terraform (through go-cty) exchanges values as MessagePack (`DynamicValue.msgpack`, the usual
//! case) or JSON (`DynamicValue.json`, stored state in `RawState.json`), and types as "type JSON"
//! (`Schema.Attribute.type`). Neither encoding is self-describing, so every codec here takes the
//! [`Type`] the value is read or written as.
//!
//! Conventions this module keeps, all following go-cty:
//!
//! - [`Value::Null`] and [`Value::Unknown`] are valid for every type.
//! - Object attributes are written in sorted order (the order of the type's `BTreeMap`); map
//!   entries likewise.
//! - Sets are plain sequences: decoding keeps the order on the wire, encoding keeps the given order.
//! - At a position whose type is `dynamic`, a known value carries its concrete type as
//!   [`Value::Dynamic`]. Decoding always produces that wrapper there (a null or unknown dynamic value
//!   is plain `Null` / `Unknown`). Encoding also accepts a plain value there when its type can be
//!   inferred ([`Value::implied_type`]).
//! - Numbers are canonical as [`Number`] documents: decoders and [`Number::parse`] pick the same
//!   variant go-cty's msgpack encoder would pick for the same number, so equal numbers compare equal.

mod json;
mod msgpack;
mod types;

#[cfg(test)]
mod tests;

pub use json::{JsonDecodeOptions, decode_json, decode_json_with, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use types::Type;

use std::collections::BTreeMap;
use std::fmt;

/// How deeply decoders nest before refusing the input (stack safety on hostile input). Types deeper
/// than this do not occur in Terraform configurations.
pub(crate) const MAX_DEPTH: usize = 200;

/// A Terraform number.
///
/// Canonical forms (what decoders and [`Number::parse`] produce, and what go-cty's msgpack encoder
/// picks): `Int` for every integer that fits an `i64`; otherwise `Float` when the number is exactly a
/// finite `f64` (or is ±infinity); otherwise `Big` with its decimal text (e.g. `"0.1"`, which no
/// `f64` equals exactly, or `"18446744073709551615"`). Encoders accept non-canonical forms too (e.g.
/// `Float(2.0)` or `Big("12")`) and write them canonically, so such values do not round-trip to the
/// identical variant.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text (JSON number syntax) of a number that fits neither an `i64` nor exactly an `f64`.
    Big(String),
}

impl Number {
    /// The canonical number for decimal text in JSON number syntax (a leading `+` is accepted too);
    /// `None` when the text is not a number.
    pub fn parse(text: &str) -> Option<Number> {
        let d = Decimal::parse(text)?;
        if d.digits.is_empty() {
            return Some(Number::Int(0));
        }
        if d.exp >= 0 && (d.digits.len() as i64).saturating_add(d.exp) <= 19 {
            let mut v: i128 = d.digits.parse().ok()?;
            for _ in 0..d.exp {
                v *= 10;
            }
            if d.negative {
                v = -v;
            }
            if let Ok(i) = i64::try_from(v) {
                return Some(Number::Int(i));
            }
        }
        let body = text.strip_prefix('+').unwrap_or(text);
        // When the value is exactly representable, Rust's correctly rounded parser finds it.
        if d.exactly_f64()
            && let Ok(f) = body.parse::<f64>()
            && f.is_finite()
        {
            return Some(Number::Float(f));
        }
        Some(Number::Big(body.to_string()))
    }

    /// The canonical number for an `f64`: `Int` when it is an integer within `i64`; `None` for NaN.
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            return None;
        }
        // -2^63 ..= 2^63 - 1; 2^63 itself is not an i64.
        if f.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
        {
            return Some(Number::Int(f as i64));
        }
        Some(Number::Float(f))
    }

    /// The canonical form of this number; `None` for NaN or text that is not a number.
    pub fn canonical(&self) -> Option<Number> {
        match self {
            Number::Int(i) => Some(Number::Int(*i)),
            Number::Float(f) => Number::from_f64(*f),
            Number::Big(s) => Number::parse(s),
        }
    }

    /// The number as an `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.canonical()? {
            Number::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The number as the nearest `f64` (lossy for `Big`; NaN for invalid `Big` text).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }
}

impl fmt::Display for Number {
    /// Decimal text without exponent for `Int` and `Float` (Rust's shortest round-trip digits);
    /// `Big` as stored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Self {
        Number::Int(i.into())
    }
}

impl From<u32> for Number {
    fn from(i: u32) -> Self {
        Number::Int(i.into())
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        match i64::try_from(u) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::parse(&u.to_string()).unwrap_or(Number::Big(u.to_string())),
        }
    }
}

impl From<f64> for Number {
    /// Canonicalizes (`2.0` becomes `Int(2)`); NaN stays `Float(NaN)`, which encoders reject.
    fn from(f: f64) -> Self {
        Number::from_f64(f).unwrap_or(Number::Float(f))
    }
}

/// A number in JSON syntax split into sign, significant digits and a power of ten:
/// value = ±digits × 10^exp, with no leading or trailing zeros in `digits` (empty for zero).
struct Decimal {
    negative: bool,
    digits: String,
    exp: i64,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        match b.first() {
            Some(b'-') => {
                negative = true;
                i = 1;
            }
            Some(b'+') => i = 1,
            _ => {}
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &text[int_start..i];
        if int_part.is_empty() || (int_part.len() > 1 && int_part.starts_with('0')) {
            return None;
        }
        let mut frac_part = "";
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &text[start..i];
            if frac_part.is_empty() {
                return None;
            }
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut exp_negative = false;
            match b.get(i) {
                Some(b'-') => {
                    exp_negative = true;
                    i += 1;
                }
                Some(b'+') => i += 1,
                _ => {}
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                // Saturate: such exponents are far outside anything representable anyway.
                exp = exp
                    .saturating_mul(10)
                    .saturating_add(i64::from(b[i] - b'0'));
                i += 1;
            }
            if i == start {
                return None;
            }
            if exp_negative {
                exp = -exp;
            }
        }
        if i != b.len() {
            return None;
        }
        let mut digits = String::with_capacity(int_part.len() + frac_part.len());
        digits.push_str(int_part);
        digits.push_str(frac_part);
        exp = exp.saturating_sub(frac_part.len() as i64);
        let trimmed_end = digits.trim_end_matches('0').len();
        exp = exp.saturating_add((digits.len() - trimmed_end) as i64);
        digits.truncate(trimmed_end);
        let leading = digits.len() - digits.trim_start_matches('0').len();
        digits.drain(..leading);
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }

    /// Whether the value is exactly some finite `f64`. Conservative: significands of more than 38
    /// digits are reported as not exact (go-cty would then write a decimal string, which is still
    /// the same number).
    fn exactly_f64(&self) -> bool {
        const LIMIT: u128 = 1 << 53;
        if self.digits.len() > 38 {
            return false;
        }
        let Ok(d) = self.digits.parse::<u128>() else {
            return false;
        };
        if d == 0 {
            return true;
        }
        if self.exp >= 0 {
            // d × 5^exp × 2^exp: the odd part must fit 53 bits.
            let mut odd = d >> d.trailing_zeros();
            for _ in 0..self.exp {
                odd *= 5;
                if odd >= LIMIT {
                    return false;
                }
            }
            odd < LIMIT
        } else {
            // d / 5^k × 2^-k: 5^k must divide d and the quotient's odd part must fit 53 bits.
            let k = self.exp.unsigned_abs();
            if k > 54 {
                return false;
            }
            let Some(pow5) = 5u128.checked_pow(k as u32) else {
                return false;
            };
            if d % pow5 != 0 {
                return false;
            }
            let q = d / pow5;
            (q >> q.trailing_zeros()) < LIMIT
        }
    }
}

/// One step of a path into a value, for error messages and diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute.
    Attr(String),
    /// A list, set or tuple element by position (sets: position in the encoded order).
    Index(u64),
    /// A map element.
    Key(String),
}

/// Displays a path the way Terraform writes one: `.a[0]["k"]`, or `(root)` for the empty path.
pub struct PathDisplay<'a>(pub &'a [PathStep]);

impl fmt::Display for PathDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for step in self.0 {
            match step {
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Index(i) => write!(f, "[{i}]")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

/// Errors of the codecs. Each names where in the value it happened ([`ValueError::path`]).
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// The value does not conform to the type it is encoded as (or cannot be carried by the
    /// encoding, like an unknown value in JSON).
    #[error("cannot encode the value at {}: {message}", PathDisplay(path))]
    Encode {
        path: Vec<PathStep>,
        message: String,
    },
    /// The msgpack input is malformed or does not match the expected type.
    #[error("invalid msgpack value at {}: {message}", PathDisplay(path))]
    Msgpack {
        path: Vec<PathStep>,
        message: String,
    },
    /// The JSON input is malformed or does not match the expected type.
    #[error("invalid JSON value at {}: {message}", PathDisplay(path))]
    Json {
        path: Vec<PathStep>,
        message: String,
    },
    /// A type description (type JSON) is malformed.
    #[error("invalid type JSON: {message}")]
    TypeJson { message: String },
}

impl ValueError {
    /// Where in the value the error happened (empty for the root and for type JSON errors).
    pub fn path(&self) -> &[PathStep] {
        match self {
            ValueError::Encode { path, .. }
            | ValueError::Msgpack { path, .. }
            | ValueError::Json { path, .. } => path,
            ValueError::TypeJson { .. } => &[],
        }
    }
}

/// A Terraform value. Which variants are valid depends on the [`Type`] it is encoded as.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Tuple(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value whose schema type is `dynamic`: carries its concrete type.
    Dynamic(Type, Box<Value>),
}

impl Value {
    /// The value itself, or the value inside a [`Value::Dynamic`] (recursively).
    pub fn unwrap_dynamic(&self) -> &Value {
        let mut v = self;
        while let Value::Dynamic(_, inner) = v {
            v = inner;
        }
        v
    }

    /// Whether the value is null (also a null inside [`Value::Dynamic`]).
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Null)
    }

    /// Whether the value is unknown (also an unknown inside [`Value::Dynamic`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Unknown)
    }

    /// true when no Unknown appears anywhere inside
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, inner) => inner.is_wholly_known(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.unwrap_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Object attribute (None if not an object)
    pub fn get(&self, attribute: &str) -> Option<&Value> {
        match self.unwrap_dynamic() {
            Value::Object(attrs) => attrs.get(attribute),
            _ => None,
        }
    }

    /// Mutable object attribute (None if not an object).
    pub fn get_mut(&mut self, attribute: &str) -> Option<&mut Value> {
        match self {
            Value::Object(attrs) => attrs.get_mut(attribute),
            Value::Dynamic(_, inner) => inner.get_mut(attribute),
            _ => None,
        }
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(items.into_iter().collect())
    }

    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    pub fn map<I: IntoIterator<Item = (K, Value)>, K: Into<String>>(entries: I) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn object<I: IntoIterator<Item = (K, Value)>, K: Into<String>>(attrs: I) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Null for everything (kept so callers read well).
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// An object of the given type with every attribute null (plain `Null` for a non-object type).
    pub fn null_object(ty: &Type) -> Value {
        match ty {
            Type::Object(attrs) => {
                Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
            }
            _ => Value::Null,
        }
    }

    /// The type a value evidently has, as used when a plain value sits at a `dynamic` position.
    ///
    /// Null and unknown imply `dynamic`; a collection's element type is the one type its elements
    /// agree on, where `dynamic` (nulls, unknowns, empty collections) matches anything. `None` when
    /// elements disagree.
    pub fn implied_type(&self) -> Option<Type> {
        Some(match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::Dynamic(t, _) => t.clone(),
            Value::List(items) => Type::List(Box::new(common_type(items.iter())?)),
            Value::Set(items) => Type::Set(Box::new(common_type(items.iter())?)),
            Value::Map(m) => Type::Map(Box::new(common_type(m.values())?)),
            Value::Tuple(items) => Type::Tuple(
                items
                    .iter()
                    .map(Value::implied_type)
                    .collect::<Option<_>>()?,
            ),
            Value::Object(attrs) => Type::Object(
                attrs
                    .iter()
                    .map(|(k, v)| Some((k.clone(), v.implied_type()?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// A short description of the value's shape for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "an unknown value",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Tuple(_) => "a tuple",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Dynamic(..) => "a dynamic value",
        }
    }
}

fn common_type<'a>(items: impl Iterator<Item = &'a Value>) -> Option<Type> {
    let mut found = Type::Dynamic;
    for item in items {
        found = unify(found, item.implied_type()?)?;
    }
    Some(found)
}

/// The one type two implied types agree on, `dynamic` (from nulls and unknowns) matching anything.
fn unify(a: Type, b: Type) -> Option<Type> {
    Some(match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => t,
        (Type::List(a), Type::List(b)) => Type::list(unify(*a, *b)?),
        (Type::Set(a), Type::Set(b)) => Type::set(unify(*a, *b)?),
        (Type::Map(a), Type::Map(b)) => Type::map(unify(*a, *b)?),
        (Type::Tuple(a), Type::Tuple(b)) if a.len() == b.len() => Type::Tuple(
            a.into_iter()
                .zip(b)
                .map(|(a, b)| unify(a, b))
                .collect::<Option<_>>()?,
        ),
        (Type::Object(a), Type::Object(b)) if a.len() == b.len() => {
            let mut b = b;
            let mut out = BTreeMap::new();
            for (k, at) in a {
                let bt = b.remove(&k)?;
                out.insert(k, unify(at, bt)?);
            }
            Type::Object(out)
        }
        (a, b) if a == b => a,
        _ => return None,
    })
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is null.
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
