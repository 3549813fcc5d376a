//! The msgpack encoding of values (go-cty `cty/msgpack`).
//!
//! - null: nil; unknown: extension type 0 (written as fixext1 `d4 00 00`). Read: any extension of
//!   type 0 or 12 (go-cty's refined unknowns; refinements are dropped), and, like go-cty, any other
//!   extension whose payload is at most one byte.
//! - numbers: an integer within `i64` as the most compact msgpack int; otherwise an exact `f64` as
//!   float64; otherwise the decimal text as a string. Read: all msgpack ints (a `u64` beyond `i64`
//!   becomes the canonical [`Number`], i.e. `Float` when exact, else `Big`), float32/float64 (NaN
//!   rejected), and strings holding a number.
//! - lists, sets, tuples: arrays; maps, objects: maps (object attributes sorted; read in any order,
//!   unknown, missing and duplicate attributes rejected).
//! - a known value at a `dynamic` position: `[type JSON as bin, value]`. Read: the type JSON as bin
//!   or str.
//! - Decoding rejects trailing bytes after the value.

use std::collections::BTreeMap;

use super::{MAX_DEPTH, Number, PathStep, Type, Value, ValueError};

/// A step of the path to the value being encoded or decoded, borrowing the attribute or key name
/// from the value or the input: Terraform sends two to four values per request, and an owned
/// path would allocate and free a copy of every attribute name for an error that almost never
/// happens. Made owned only when an error is reported.
#[derive(Clone, Copy)]
enum Step<'a> {
    Attr(&'a str),
    Index(u64),
    Key(&'a str),
}

fn owned_path(steps: &[Step<'_>]) -> Vec<PathStep> {
    steps
        .iter()
        .map(|step| match *step {
            Step::Attr(name) => PathStep::Attr(name.to_owned()),
            Step::Index(index) => PathStep::Index(index),
            Step::Key(key) => PathStep::Key(key.to_owned()),
        })
        .collect()
}

/// go-cty's unknown value: fixext1 of type 0 with a zero payload byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];
/// go-cty's extension type for unknown values with refinements.
const REFINED_UNKNOWN_EXT: i8 = 0x0c;

/// Encodes `value` as `ty`, checking that it conforms.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut enc = Encoder {
        buf: Vec::new(),
        path: Vec::new(),
    };
    enc.value(value, ty)?;
    Ok(enc.buf)
}

/// Decodes msgpack bytes as a value of `ty`. Never panics, whatever the input.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut dec = Decoder {
        b: bytes,
        pos: 0,
        path: Vec::new(),
        depth: 0,
    };
    let v = dec.value(ty)?;
    if dec.pos != bytes.len() {
        return Err(dec.err(format!(
            "{} trailing bytes after the value",
            bytes.len() - dec.pos
        )));
    }
    Ok(v)
}

struct Encoder<'v> {
    buf: Vec<u8>,
    path: Vec<Step<'v>>,
}

impl<'v> Encoder<'v> {
    fn err(&self, message: impl Into<String>) -> ValueError {
        ValueError::Encode {
            path: owned_path(&self.path),
            message: message.into(),
        }
    }

    fn len32(&self, len: usize) -> Result<u32, ValueError> {
        u32::try_from(len).map_err(|_| self.err("too many elements for msgpack"))
    }

    fn write_str(&mut self, s: &str) -> Result<(), ValueError> {
        let len = self.len32(s.len())?;
        // Writing into a Vec cannot fail.
        let _ = rmp::encode::write_str_len(&mut self.buf, len);
        self.buf.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn write_number(&mut self, n: &Number) -> Result<(), ValueError> {
        let Some(n) = n.canonical() else {
            return Err(self.err(format!("{n:?} is not a number")));
        };
        match n {
            Number::Int(i) => {
                let _ = rmp::encode::write_sint(&mut self.buf, i);
            }
            Number::Float(f) => {
                let _ = rmp::encode::write_f64(&mut self.buf, f);
            }
            Number::Big(s) => self.write_str(&s)?,
        }
        Ok(())
    }

    fn elements(&mut self, items: &'v [Value], ty: &Type) -> Result<(), ValueError> {
        let len = self.len32(items.len())?;
        let _ = rmp::encode::write_array_len(&mut self.buf, len);
        for (i, item) in items.iter().enumerate() {
            self.path.push(Step::Index(i as u64));
            self.value(item, ty)?;
            self.path.pop();
        }
        Ok(())
    }

    /// A known value at a dynamic position: `[type JSON, value]`.
    fn dynamic(&mut self, value: &'v Value, ty: &Type) -> Result<(), ValueError> {
        let _ = rmp::encode::write_array_len(&mut self.buf, 2);
        let type_json = ty.to_json_bytes();
        let len = self.len32(type_json.len())?;
        let _ = rmp::encode::write_bin_len(&mut self.buf, len);
        self.buf.extend_from_slice(&type_json);
        self.value(value, ty)
    }

    fn value(&mut self, value: &'v Value, ty: &Type) -> Result<(), ValueError> {
        match (ty, value) {
            (_, Value::Unknown) => self.buf.extend_from_slice(&UNKNOWN),
            (_, Value::Null) => {
                let _ = rmp::encode::write_nil(&mut self.buf);
            }
            (Type::Dynamic, Value::Dynamic(Type::Dynamic, inner)) => self.value(inner, ty)?,
            (Type::Dynamic, Value::Dynamic(t, inner)) => self.dynamic(inner, t)?,
            (Type::Dynamic, plain) => match plain.implied_type() {
                Some(t) if t != Type::Dynamic => self.dynamic(plain, &t)?,
                _ => {
                    return Err(self.err(format!(
                        "the concrete type of {} at a dynamic position cannot be inferred; wrap it in Value::Dynamic",
                        plain.kind()
                    )));
                }
            },
            (_, Value::Dynamic(t, inner)) if t == ty => self.value(inner, ty)?,
            (Type::Bool, Value::Bool(b)) => {
                let _ = rmp::encode::write_bool(&mut self.buf, *b);
            }
            (Type::Number, Value::Number(n)) => self.write_number(n)?,
            (Type::String, Value::String(s)) => self.write_str(s)?,
            (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
                self.elements(items, et)?
            }
            (Type::Tuple(ts), Value::Tuple(items)) => {
                if ts.len() != items.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        ts.len(),
                        items.len()
                    )));
                }
                let len = self.len32(items.len())?;
                let _ = rmp::encode::write_array_len(&mut self.buf, len);
                for (i, (item, t)) in items.iter().zip(ts).enumerate() {
                    self.path.push(Step::Index(i as u64));
                    self.value(item, t)?;
                    self.path.pop();
                }
            }
            (Type::Map(et), Value::Map(entries)) => {
                let len = self.len32(entries.len())?;
                let _ = rmp::encode::write_map_len(&mut self.buf, len);
                for (k, v) in entries {
                    self.path.push(Step::Key(k));
                    self.write_str(k)?;
                    self.value(v, et)?;
                    self.path.pop();
                }
            }
            (Type::Object(attr_types), Value::Object(attrs)) => {
                check_attributes(attr_types, attrs).map_err(|m| self.err(m))?;
                let len = self.len32(attr_types.len())?;
                let _ = rmp::encode::write_map_len(&mut self.buf, len);
                // check_attributes guarantees the same names; both maps are sorted by name.
                for ((k, v), t) in attrs.iter().zip(attr_types.values()) {
                    self.path.push(Step::Attr(k));
                    self.write_str(k)?;
                    self.value(v, t)?;
                    self.path.pop();
                }
            }
            (ty, value) => {
                return Err(self.err(format!("{ty} is required, found {}", value.kind())));
            }
        }
        Ok(())
    }
}

/// Checks that an object value has exactly the attributes of its type.
pub(super) fn check_attributes(
    types: &BTreeMap<String, Type>,
    attrs: &BTreeMap<String, Value>,
) -> Result<(), String> {
    // Both maps iterate in name order: one pass settles the common case.
    if types.len() == attrs.len() && types.keys().eq(attrs.keys()) {
        return Ok(());
    }
    if let Some(missing) = types.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(format!("attribute {missing:?} is required"));
    }
    if let Some(extra) = attrs.keys().find(|k| !types.contains_key(*k)) {
        return Err(format!("unsupported attribute {extra:?}"));
    }
    Ok(())
}

struct Decoder<'a> {
    b: &'a [u8],
    pos: usize,
    path: Vec<Step<'a>>,
    depth: usize,
}

/// What a msgpack item starts as, for decisions and error messages.
enum Head {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    F32,
    F64,
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(usize),
}

impl Head {
    fn describe(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "a bool",
            Head::Int(_) | Head::Uint(_) => "an integer",
            Head::F32 | Head::F64 => "a float",
            Head::Str(_) => "a string",
            Head::Bin(_) => "binary data",
            Head::Array(_) => "an array",
            Head::Map(_) => "a map",
            Head::Ext(_) => "an extension",
        }
    }
}

impl<'a> Decoder<'a> {
    fn err(&self, message: impl Into<String>) -> ValueError {
        ValueError::Msgpack {
            path: owned_path(&self.path),
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.b.len())
            .ok_or_else(|| self.err("unexpected end of input"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, ValueError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, ValueError> {
        let l = self.be(n)?;
        usize::try_from(l).map_err(|_| self.err("length out of range"))
    }

    fn peek(&self) -> Result<u8, ValueError> {
        self.b
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err("unexpected end of input"))
    }

    /// Reads an item's marker and length/scalar fields (not a str/bin/ext payload or elements).
    fn head(&mut self) -> Result<Head, ValueError> {
        let m = self.peek()?;
        self.pos += 1;
        Ok(match m {
            0x00..=0x7f => Head::Int(i64::from(m)),
            0x80..=0x8f => Head::Map(usize::from(m & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(m & 0x0f)),
            0xa0..=0xbf => Head::Str(usize::from(m & 0x1f)),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => Head::Bin(self.len(1)?),
            0xc5 => Head::Bin(self.len(2)?),
            0xc6 => Head::Bin(self.len(4)?),
            0xc7 => Head::Ext(self.len(1)?),
            0xc8 => Head::Ext(self.len(2)?),
            0xc9 => Head::Ext(self.len(4)?),
            0xca => Head::F32,
            0xcb => Head::F64,
            0xcc => Head::Uint(self.be(1)?),
            0xcd => Head::Uint(self.be(2)?),
            0xce => Head::Uint(self.be(4)?),
            0xcf => Head::Uint(self.be(8)?),
            0xd0 => Head::Int(i64::from(self.be(1)? as u8 as i8)),
            0xd1 => Head::Int(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Head::Int(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Head::Int(self.be(8)? as i64),
            0xd4 => Head::Ext(1),
            0xd5 => Head::Ext(2),
            0xd6 => Head::Ext(4),
            0xd7 => Head::Ext(8),
            0xd8 => Head::Ext(16),
            0xd9 => Head::Str(self.len(1)?),
            0xda => Head::Str(self.len(2)?),
            0xdb => Head::Str(self.len(4)?),
            0xdc => Head::Array(self.len(2)?),
            0xdd => Head::Array(self.len(4)?),
            0xde => Head::Map(self.len(2)?),
            0xdf => Head::Map(self.len(4)?),
            0xe0..=0xff => Head::Int(i64::from(m as i8)),
            0xc1 => {
                self.pos -= 1;
                return Err(self.err("invalid msgpack marker 0xc1"));
            }
        })
    }

    fn utf8(&mut self, len: usize) -> Result<&'a str, ValueError> {
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.err("string is not valid UTF-8"))
    }

    /// A string item (str, or bin holding UTF-8 as go's decoder also accepts).
    fn string(&mut self, what: &str) -> Result<&'a str, ValueError> {
        match self.head()? {
            Head::Str(len) | Head::Bin(len) => self.utf8(len),
            other => Err(self.err(format!("{what} is required, found {}", other.describe()))),
        }
    }

    /// Elements are at least one byte each, so a count beyond the remaining input is truncation.
    fn check_count(&self, count: usize, per_item: usize) -> Result<(), ValueError> {
        let remaining = self.b.len() - self.pos;
        if count.saturating_mul(per_item) > remaining {
            return Err(self.err("unexpected end of input"));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), ValueError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("value is nested too deeply"));
        }
        Ok(())
    }

    fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        self.enter()?;
        let v = self.value_inner(ty);
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self, ty: &Type) -> Result<Value, ValueError> {
        let start = self.pos;
        let head = self.head()?;
        if let Head::Ext(len) = head {
            let ext_type = self.take(1)?[0] as i8;
            self.take(len)?;
            if ext_type == 0 || ext_type == REFINED_UNKNOWN_EXT || len <= 1 {
                return Ok(Value::Unknown);
            }
            self.pos = start;
            return Err(self.err(format!(
                "unsupported msgpack extension type {ext_type} (only unknown values are extensions)"
            )));
        }
        if let Head::Nil = head {
            return Ok(Value::Null);
        }
        let mismatch = |d: &Self, head: &Head| {
            Err(d.err(format!("{ty} is required, found {}", head.describe())))
        };
        match ty {
            Type::Dynamic => {
                let Head::Array(2) = head else {
                    return Err(self.err(format!(
                        "a dynamic value must be a two-element array [type, value], found {}",
                        head.describe()
                    )));
                };
                let type_json = match self.head()? {
                    Head::Bin(len) | Head::Str(len) => self.take(len)?,
                    other => {
                        return Err(self.err(format!(
                            "a dynamic value's type JSON is required, found {}",
                            other.describe()
                        )));
                    }
                };
                let t = Type::from_json_bytes(type_json).map_err(|e| self.err(e.to_string()))?;
                let inner = self.value(&t)?;
                if t == Type::Dynamic {
                    return Ok(inner);
                }
                Ok(Value::Dynamic(t, Box::new(inner)))
            }
            Type::Bool => match head {
                Head::Bool(b) => Ok(Value::Bool(b)),
                other => mismatch(self, &other),
            },
            Type::Number => {
                let n = match head {
                    Head::Int(i) => Number::Int(i),
                    Head::Uint(u) => Number::from(u),
                    Head::F32 => {
                        let bits = self.be(4)? as u32;
                        self.float(f64::from(f32::from_bits(bits)))?
                    }
                    Head::F64 => {
                        let bits = self.be(8)?;
                        self.float(f64::from_bits(bits))?
                    }
                    Head::Str(len) => {
                        let s = self.utf8(len)?;
                        Number::parse(s).ok_or_else(|| {
                            self.err(format!("number is required, found the string {s:?}"))
                        })?
                    }
                    other => return mismatch(self, &other),
                };
                Ok(Value::Number(n))
            }
            Type::String => match head {
                Head::Str(len) | Head::Bin(len) => Ok(Value::String(self.utf8(len)?.to_owned())),
                other => mismatch(self, &other),
            },
            Type::List(et) | Type::Set(et) => {
                let Head::Array(count) = head else {
                    return mismatch(self, &head);
                };
                self.check_count(count, 1)?;
                let mut items = Vec::with_capacity(count);
                for i in 0..count {
                    self.path.push(Step::Index(i as u64));
                    items.push(self.value(et)?);
                    self.path.pop();
                }
                Ok(match ty {
                    Type::List(_) => Value::List(items),
                    _ => Value::Set(items),
                })
            }
            Type::Tuple(ts) => {
                let Head::Array(count) = head else {
                    return mismatch(self, &head);
                };
                if count != ts.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {count}",
                        ts.len()
                    )));
                }
                let mut items = Vec::with_capacity(count);
                for (i, t) in ts.iter().enumerate() {
                    self.path.push(Step::Index(i as u64));
                    items.push(self.value(t)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(et) => {
                let Head::Map(count) = head else {
                    return mismatch(self, &head);
                };
                self.check_count(count, 2)?;
                let mut entries = BTreeMap::new();
                for _ in 0..count {
                    let k = self.string("a string map key")?;
                    if entries.contains_key(k) {
                        return Err(self.err(format!("duplicate map key {k:?}")));
                    }
                    self.path.push(Step::Key(k));
                    let v = self.value(et)?;
                    self.path.pop();
                    entries.insert(k.to_owned(), v);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attr_types) => {
                let Head::Map(count) = head else {
                    return mismatch(self, &head);
                };
                self.check_count(count, 2)?;
                // go-cty writes attributes in name order, the order `attr_types` iterates in: while
                // the input follows it, each name is matched by position, not looked up, and the
                // sorted pairs build the map without a search per insert.
                let mut expected = attr_types.iter();
                let mut in_order = true;
                let mut attrs: Vec<(&'a str, Value)> = Vec::with_capacity(count);
                for _ in 0..count {
                    let k = self.string("a string attribute name")?;
                    let t = match in_order.then(|| expected.next()).flatten() {
                        Some((name, t)) if name == k => t,
                        _ => {
                            in_order = false;
                            attr_types
                                .get(k)
                                .ok_or_else(|| self.err(format!("unsupported attribute {k:?}")))?
                        }
                    };
                    self.path.push(Step::Attr(k));
                    let v = self.value(t)?;
                    self.path.pop();
                    attrs.push((k, v));
                }
                if !in_order {
                    attrs.sort_by(|a, b| a.0.cmp(b.0));
                    if let Some(pair) = attrs.windows(2).find(|pair| pair[0].0 == pair[1].0) {
                        return Err(self.err(format!("duplicate attribute {:?}", pair[0].0)));
                    }
                }
                // Every name is one of the type's and none repeats: as many as the type has
                // means all of them.
                if attrs.len() != attr_types.len()
                    && let Some(missing) = attr_types
                        .keys()
                        .find(|k| attrs.binary_search_by(|(name, _)| (*name).cmp(k)).is_err())
                {
                    return Err(self.err(format!("attribute {missing:?} is required")));
                }
                Ok(Value::Object(
                    attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                ))
            }
        }
    }

    fn float(&self, f: f64) -> Result<Number, ValueError> {
        Number::from_f64(f).ok_or_else(|| self.err("number is required, found NaN"))
    }
}
