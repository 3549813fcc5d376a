//! Round trips of every value shape through the codecs Terraform uses.
//!
//! Size: over 800 lines on purpose: one round-trip table per value shape and codec
//! (msgpack, JSON, flatmap), so that a new shape is added next to the ones it resembles.

use std::collections::BTreeMap;

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn unhex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

/// Round-trips through msgpack and (when wholly known) JSON, expecting `expected` back.
fn roundtrip_to(value: &Value, ty: &Type, expected: &Value) {
    let mp = encode_msgpack(value, ty).unwrap_or_else(|e| panic!("msgpack encode {value:?}: {e}"));
    let back = decode_msgpack(&mp, ty).unwrap_or_else(|e| panic!("msgpack decode {value:?}: {e}"));
    assert_eq!(&back, expected, "msgpack round trip, bytes {}", hex(&mp));
    // Re-encoding the decoded value gives the same bytes.
    assert_eq!(encode_msgpack(&back, ty).unwrap(), mp);

    if value.is_wholly_known() {
        let js = encode_json(value, ty).unwrap_or_else(|e| panic!("JSON encode {value:?}: {e}"));
        let back = decode_json(&js, ty).unwrap_or_else(|e| {
            panic!(
                "JSON decode {value:?} from {}: {e}",
                String::from_utf8_lossy(&js)
            )
        });
        assert_eq!(
            &back,
            expected,
            "JSON round trip via {}",
            String::from_utf8_lossy(&js)
        );
        assert_eq!(encode_json(&back, ty).unwrap(), js);
    } else {
        assert!(matches!(
            encode_json(value, ty),
            Err(ValueError::Encode { .. })
        ));
    }
}

fn roundtrip(value: &Value, ty: &Type) {
    roundtrip_to(value, ty, value);
}

fn sample_object_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("groups", Type::set(Type::String)),
        (
            "rules",
            Type::list(Type::object([
                ("name", Type::String),
                ("priority", Type::Number),
            ])),
        ),
        ("pair", Type::tuple([Type::String, Type::Number])),
        ("extra", Type::Dynamic),
    ])
}

fn sample_object() -> Value {
    Value::object([
        ("id", Value::string("00u1")),
        ("count", Value::int(3)),
        ("enabled", Value::bool(true)),
        (
            "tags",
            Value::map([("env", Value::string("prod")), ("team", Value::Null)]),
        ),
        (
            "groups",
            Value::set([Value::string("b"), Value::string("a")]),
        ),
        (
            "rules",
            Value::list([
                Value::object([("name", Value::string("r1")), ("priority", Value::int(1))]),
                Value::object([("name", Value::Null), ("priority", Value::Null)]),
            ]),
        ),
        (
            "pair",
            Value::tuple([Value::string("x"), Value::number(1.5)]),
        ),
        (
            "extra",
            Value::Dynamic(
                Type::list(Type::String),
                Box::new(Value::list([Value::string("d")])),
            ),
        ),
    ])
}

#[test]
fn primitives_round_trip() {
    roundtrip(&Value::Null, &Type::String);
    roundtrip(&Value::Unknown, &Type::String);
    roundtrip(&Value::Bool(true), &Type::Bool);
    roundtrip(&Value::Bool(false), &Type::Bool);
    roundtrip(&Value::string(""), &Type::String);
    roundtrip(
        &Value::string("héllo ✓ 🦀 \"q\" \\ \n\t\u{1}"),
        &Type::String,
    );
    roundtrip(&Value::string("x".repeat(70_000)), &Type::String);
    for ty in [
        Type::Bool,
        Type::Number,
        Type::Dynamic,
        Type::list(Type::String),
        Type::set(Type::Number),
        Type::map(Type::Bool),
        Type::tuple([Type::String]),
        sample_object_type(),
    ] {
        roundtrip(&Value::Null, &ty);
        roundtrip(&Value::Unknown, &ty);
    }
}

#[test]
fn numbers_round_trip() {
    for i in [
        0,
        1,
        -1,
        -32,
        -33,
        127,
        128,
        255,
        256,
        65_535,
        65_536,
        -129,
        -32_769,
        4_294_967_296,
        i64::MAX,
        i64::MIN,
    ] {
        roundtrip(&Value::int(i), &Type::Number);
    }
    // Floats whose shortest decimal form is exact round-trip through both encodings.
    for f in [1.5, -0.25, 0.375, 1e20, -1e22, 0.5] {
        roundtrip(&Value::number(f), &Type::Number);
    }
    // Other floats are exact in msgpack; JSON writes their shortest decimal form (as go-cty does),
    // which reads back as that decimal.
    for (f, text) in [
        (123.456, "123.456"),
        (1e-7, "0.0000001"),
        (0.1, "0.1"),
        (-1e300, &format!("-1{}", "0".repeat(300))),
    ] {
        let v = Value::number(f);
        let mp = encode_msgpack(&v, &Type::Number).unwrap();
        assert_eq!(decode_msgpack(&mp, &Type::Number).unwrap(), v);
        let js = encode_json(&v, &Type::Number).unwrap();
        assert_eq!(String::from_utf8(js.clone()).unwrap(), text);
        assert_eq!(
            decode_json(&js, &Type::Number).unwrap(),
            Value::Number(Number::Big(text.to_string()))
        );
    }
    let tiny = Value::number(f64::MIN_POSITIVE);
    let mp = encode_msgpack(&tiny, &Type::Number).unwrap();
    assert_eq!(decode_msgpack(&mp, &Type::Number).unwrap(), tiny);
    // ±infinity exist in msgpack (as float64) but not in JSON.
    let inf = Value::Number(Number::Float(f64::INFINITY));
    let mp = encode_msgpack(&inf, &Type::Number).unwrap();
    assert_eq!(hex(&mp), "cb 7f f0 00 00 00 00 00 00");
    assert_eq!(decode_msgpack(&mp, &Type::Number).unwrap(), inf);
    assert!(encode_json(&inf, &Type::Number).is_err());
    for big in [
        "0.1",
        "18446744073709551615",
        "-123456789012345678901234567890",
        "3.14159265358979323846264338327950288",
        "1e400",
    ] {
        roundtrip(&Value::Number(Number::Big(big.into())), &Type::Number);
    }
}

#[test]
fn numbers_are_canonical() {
    assert_eq!(Number::parse("12"), Some(Number::Int(12)));
    assert_eq!(Number::parse("-0"), Some(Number::Int(0)));
    assert_eq!(Number::parse("1.0"), Some(Number::Int(1)));
    assert_eq!(Number::parse("1.5e1"), Some(Number::Int(15)));
    assert_eq!(Number::parse("+7"), Some(Number::Int(7)));
    assert_eq!(
        Number::parse("-9223372036854775808"),
        Some(Number::Int(i64::MIN))
    );
    assert_eq!(Number::parse("1.5"), Some(Number::Float(1.5)));
    assert_eq!(Number::parse("0.375"), Some(Number::Float(0.375)));
    assert_eq!(Number::parse("1e20"), Some(Number::Float(1e20)));
    // 2^63: not an i64, exactly an f64 (go-cty writes it as float64).
    assert_eq!(
        Number::parse("9223372036854775808"),
        Some(Number::Float(9_223_372_036_854_775_808.0))
    );
    assert_eq!(Number::parse("0.1"), Some(Number::Big("0.1".into())));
    assert_eq!(
        Number::parse("9007199254740993"),
        Some(Number::Int(9_007_199_254_740_993))
    );
    assert_eq!(
        Number::parse("9007199254740993.5"),
        Some(Number::Big("9007199254740993.5".into()))
    );
    for bad in [
        "", "-", "01", "1.", ".5", "1e", "1e+", "abc", "1 ", " 1", "--1", "0x10", "NaN", "Infinity",
    ] {
        assert_eq!(Number::parse(bad), None, "{bad:?}");
    }
    assert_eq!(Number::from_f64(2.0), Some(Number::Int(2)));
    assert_eq!(Number::from_f64(f64::NAN), None);
    assert_eq!(
        Number::from(u64::MAX),
        Number::Big("18446744073709551615".into())
    );
    assert_eq!(Value::number(3.0).as_i64(), Some(3));

    // Non-canonical inputs are written canonically.
    assert_eq!(
        hex(&encode_msgpack(&Value::Number(Number::Float(2.0)), &Type::Number).unwrap()),
        "02"
    );
    assert_eq!(
        hex(&encode_msgpack(&Value::Number(Number::Big("300".into())), &Type::Number).unwrap()),
        "cd 01 2c"
    );
    assert_eq!(
        encode_json(&Value::Number(Number::Big("1.50".into())), &Type::Number).unwrap(),
        b"1.5"
    );
    assert!(encode_msgpack(&Value::Number(Number::Big("x".into())), &Type::Number).is_err());
    assert!(encode_msgpack(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
    assert!(encode_json(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
}

#[test]
fn msgpack_number_forms_decode() {
    let n = |s: &str| decode_msgpack(&unhex(s), &Type::Number).unwrap();
    // u64 beyond i64: canonical Float when exact, Big otherwise (never an error).
    assert_eq!(
        n("cf 80 00 00 00 00 00 00 00"),
        Value::number(9_223_372_036_854_775_808.0)
    );
    assert_eq!(
        n("cf ff ff ff ff ff ff ff ff"),
        Value::Number(Number::Big("18446744073709551615".into()))
    );
    assert_eq!(n("d0 80"), Value::int(-128));
    assert_eq!(n("d1 80 00"), Value::int(-32768));
    assert_eq!(n("d3 80 00 00 00 00 00 00 00"), Value::int(i64::MIN));
    assert_eq!(n("cc ff"), Value::int(255));
    assert_eq!(n("ca 3f c0 00 00"), Value::number(1.5));
    // An integral float64 is canonically an Int.
    assert_eq!(n("cb 40 00 00 00 00 00 00 00"), Value::int(2));
    // Decimal text (what go-cty writes for numbers that fit neither).
    assert_eq!(n("a3 30 2e 31"), Value::Number(Number::Big("0.1".into())));
    assert_eq!(n("a2 31 32"), Value::int(12));
    assert!(decode_msgpack(&unhex("a3 61 62 63"), &Type::Number).is_err());
    // NaN is no number.
    assert!(decode_msgpack(&unhex("cb 7f f8 00 00 00 00 00 00"), &Type::Number).is_err());
}

#[test]
fn collections_round_trip() {
    let strings = Type::list(Type::String);
    roundtrip(&Value::list([]), &strings);
    roundtrip(
        &Value::list([Value::string("a"), Value::Null, Value::string("")]),
        &strings,
    );
    roundtrip(&Value::list([Value::Unknown, Value::string("a")]), &strings);
    // Sets keep the given order both ways.
    let set = Value::set([Value::int(3), Value::int(1), Value::int(2)]);
    roundtrip(&set, &Type::set(Type::Number));
    assert_eq!(
        hex(&encode_msgpack(&set, &Type::set(Type::Number)).unwrap()),
        "93 03 01 02"
    );
    roundtrip(&Value::set([]), &Type::set(Type::Number));
    roundtrip(
        &Value::map([] as [(&str, Value); 0]),
        &Type::map(Type::String),
    );
    roundtrip(
        &Value::map([("b", Value::string("2")), ("a", Value::string("1"))]),
        &Type::map(Type::String),
    );
    roundtrip(
        &Value::map([("k", Value::Unknown)]),
        &Type::map(Type::String),
    );
    roundtrip(
        &Value::tuple([Value::string("a"), Value::int(1), Value::Bool(false)]),
        &Type::tuple([Type::String, Type::Number, Type::Bool]),
    );
    roundtrip(&Value::tuple([]), &Type::tuple([]));
    roundtrip(
        &Value::list([Value::list([Value::int(1)]), Value::list([])]),
        &Type::list(Type::list(Type::Number)),
    );
}

#[test]
fn objects_round_trip() {
    let ty = sample_object_type();
    roundtrip(&sample_object(), &ty);
    roundtrip(&Value::null_object(&ty), &ty);
    let mut partly_unknown = sample_object();
    *partly_unknown.get_mut("id").unwrap() = Value::Unknown;
    roundtrip(&partly_unknown, &ty);
    assert!(!partly_unknown.is_wholly_known());
    assert!(sample_object().is_wholly_known());
    let empty = Type::object([] as [(&str, Type); 0]);
    roundtrip(&Value::object([] as [(&str, Value); 0]), &empty);
    let nested = Type::object([(
        "a",
        Type::object([("b", Type::object([("c", Type::String)]))]),
    )]);
    roundtrip(
        &Value::object([(
            "a",
            Value::object([("b", Value::object([("c", Value::string("deep"))]))]),
        )]),
        &nested,
    );
    roundtrip(
        &Value::object([("a", Value::object([("b", Value::Null)]))]),
        &nested,
    );
}

#[test]
fn dynamic_values_round_trip() {
    let d = |t: Type, v: Value| Value::Dynamic(t, Box::new(v));
    roundtrip(&d(Type::String, Value::string("x")), &Type::Dynamic);
    roundtrip(&d(Type::String, Value::Null), &Type::Dynamic);
    roundtrip(&d(Type::String, Value::Unknown), &Type::Dynamic);
    let obj_ty = Type::object([("a", Type::String), ("n", Type::Number)]);
    roundtrip(
        &d(
            obj_ty.clone(),
            Value::object([("a", Value::string("b")), ("n", Value::Null)]),
        ),
        &Type::Dynamic,
    );
    roundtrip(
        &d(
            Type::list(Type::Number),
            Value::list([Value::int(1), Value::int(2)]),
        ),
        &Type::Dynamic,
    );
    // A dynamic inside a dynamic's type.
    roundtrip(
        &d(
            Type::list(Type::Dynamic),
            Value::list([d(Type::Bool, Value::Bool(true)), Value::Null]),
        ),
        &Type::Dynamic,
    );
    // Plain values at dynamic positions get their implied type.
    roundtrip_to(
        &Value::object([("a", Value::string("b")), ("n", Value::int(1))]),
        &Type::Dynamic,
        &d(
            obj_ty,
            Value::object([("a", Value::string("b")), ("n", Value::int(1))]),
        ),
    );
    roundtrip_to(
        &Value::list([Value::Null, Value::string("s")]),
        &Type::Dynamic,
        &d(
            Type::list(Type::String),
            Value::list([Value::Null, Value::string("s")]),
        ),
    );
    assert!(
        encode_msgpack(
            &Value::list([Value::string("s"), Value::int(1)]),
            &Type::Dynamic
        )
        .is_err()
    );
    // A Dynamic whose type is the position's type is accepted there.
    roundtrip_to(
        &d(Type::String, Value::string("x")),
        &Type::String,
        &Value::string("x"),
    );
    // Accessors see through Dynamic.
    let v = d(Type::String, Value::string("x"));
    assert_eq!(v.as_str(), Some("x"));
    assert!(d(Type::String, Value::Null).is_null());
    assert!(d(Type::String, Value::Unknown).is_unknown());
    assert!(!d(Type::String, Value::Unknown).is_wholly_known());
}

#[test]
fn pinned_go_cty_bytes() {
    let mp = |v: &Value, t: &Type| hex(&encode_msgpack(v, t).unwrap());
    assert_eq!(mp(&Value::Unknown, &Type::String), "d4 00 00");
    assert_eq!(mp(&Value::Null, &Type::String), "c0");
    assert_eq!(
        mp(
            &Value::object([("a", Value::string("b"))]),
            &Type::object([("a", Type::String)])
        ),
        "81 a1 61 a1 62"
    );
    // Attributes sorted whatever the insertion order.
    assert_eq!(
        mp(
            &Value::object([("b", Value::Bool(true)), ("a", Value::int(-1))]),
            &Type::object([("b", Type::Bool), ("a", Type::Number)])
        ),
        "82 a1 61 ff a1 62 c3"
    );
    // go-cty writes a dynamic value's type JSON with EncodeBytes, i.e. as msgpack bin.
    assert_eq!(
        mp(
            &Value::Dynamic(Type::String, Box::new(Value::string("x"))),
            &Type::Dynamic
        ),
        "92 c4 08 22 73 74 72 69 6e 67 22 a1 78"
    );
    assert_eq!(
        mp(&Value::number(1.5), &Type::Number),
        "cb 3f f8 00 00 00 00 00 00"
    );
    assert_eq!(mp(&Value::int(-33), &Type::Number), "d0 df");
    assert_eq!(mp(&Value::int(200), &Type::Number), "cc c8");
    assert_eq!(
        mp(&Value::Number(Number::Big("0.1".into())), &Type::Number),
        "a3 30 2e 31"
    );
    assert!(mp(&Value::string("x".repeat(32)), &Type::String).starts_with("d9 20 78"));

    let js = |v: &Value, t: &Type| String::from_utf8(encode_json(v, t).unwrap()).unwrap();
    assert_eq!(
        js(
            &Value::Dynamic(Type::String, Box::new(Value::string("x"))),
            &Type::Dynamic
        ),
        r#"{"value":"x","type":"string"}"#
    );
    assert_eq!(
        js(&sample_object(), &sample_object_type()),
        r#"{"count":3,"enabled":true,"extra":{"value":["d"],"type":["list","string"]},"groups":["b","a"],"id":"00u1","pair":["x",1.5],"rules":[{"name":"r1","priority":1},{"name":null,"priority":null}],"tags":{"env":"prod","team":null}}"#
    );
    assert_eq!(
        js(&Value::number(1e20), &Type::Number),
        "100000000000000000000"
    );
    assert_eq!(js(&Value::number(1e-7), &Type::Number), "0.0000001");
}

#[test]
fn unknown_extensions_decode() {
    let s = |h: &str| decode_msgpack(&unhex(h), &Type::String);
    assert_eq!(s("d4 00 00").unwrap(), Value::Unknown);
    // Refined unknown (ext 0x0c) with a refinement map {1: false} (not null) and a string prefix.
    assert_eq!(s("c7 03 0c 81 01 c2").unwrap(), Value::Unknown);
    assert_eq!(s("c7 06 0c 82 01 c2 02 a1 61").unwrap(), Value::Unknown);
    // Any type-0 extension, whatever its length; any one-byte extension (as go-cty).
    assert_eq!(s("d5 00 00 00").unwrap(), Value::Unknown);
    assert_eq!(s("c7 00 00").unwrap(), Value::Unknown);
    assert_eq!(s("d4 05 00").unwrap(), Value::Unknown);
    assert!(s("d5 05 00 00").is_err());
    // Unknown nested and at dynamic positions.
    let ty = Type::object([("a", Type::list(Type::String)), ("d", Type::Dynamic)]);
    assert_eq!(
        decode_msgpack(&unhex("82 a1 61 91 c7 03 0c 81 01 c2 a1 64 d4 00 00"), &ty).unwrap(),
        Value::object([("a", Value::list([Value::Unknown])), ("d", Value::Unknown)])
    );
}

#[test]
fn msgpack_decoding_accepts_any_attribute_order_and_str_type_json() {
    let ty = Type::object([("a", Type::String), ("b", Type::Bool)]);
    assert_eq!(
        decode_msgpack(&unhex("82 a1 62 c2 a1 61 a1 78"), &ty).unwrap(),
        Value::object([("a", Value::string("x")), ("b", Value::Bool(false))])
    );
    assert_eq!(
        decode_msgpack(
            &unhex("92 a8 22 73 74 72 69 6e 67 22 a1 78"),
            &Type::Dynamic
        )
        .unwrap(),
        Value::Dynamic(Type::String, Box::new(Value::string("x")))
    );
}

#[test]
fn msgpack_decoding_errors_name_the_path() {
    let ty = Type::object([("a", Type::list(Type::String)), ("b", Type::Bool)]);
    let err = |h: &str| decode_msgpack(&unhex(h), &ty).unwrap_err().to_string();
    assert_eq!(
        err("82 a1 61 91 c3 a1 62 c2"),
        "invalid msgpack value at .a[0]: string is required, found a bool"
    );
    assert_eq!(
        err("81 a1 61 90"),
        "invalid msgpack value at (root): attribute \"b\" is required"
    );
    assert_eq!(
        err("83 a1 61 90 a1 62 c2 a1 7a c0"),
        "invalid msgpack value at (root): unsupported attribute \"z\""
    );
    assert_eq!(
        err("82 a1 61 90 a1 61 90"),
        "invalid msgpack value at (root): duplicate attribute \"a\""
    );
    // Out of name order: the same checks hold when names are looked up rather than matched.
    assert_eq!(
        err("82 a1 62 c2 a1 62 c2"),
        "invalid msgpack value at (root): duplicate attribute \"b\""
    );
    assert_eq!(
        err("81 a1 62 c2"),
        "invalid msgpack value at (root): attribute \"a\" is required"
    );
    assert_eq!(
        err("82 a1 62 c2 a1 7a c0"),
        "invalid msgpack value at (root): unsupported attribute \"z\""
    );
    assert_eq!(
        err("82 a1 62 c2 a1 61 91 c3"),
        "invalid msgpack value at .a[0]: string is required, found a bool"
    );
    assert!(err("82 a1 61 90 a1 62 c2 00").contains("trailing bytes"));
    assert!(err("82 a1 61 91").contains("end of input"));
    assert_eq!(
        decode_msgpack(&unhex("81 a1 6b c3"), &Type::map(Type::String))
            .unwrap_err()
            .path(),
        &[PathStep::Key("k".into())]
    );
    assert!(decode_msgpack(&[], &Type::String).is_err());
    assert!(decode_msgpack(&[], &Type::Dynamic).is_err());
    assert!(decode_msgpack(&unhex("c1"), &Type::String).is_err());
    assert!(decode_msgpack(&unhex("93 a0 a0"), &Type::tuple([Type::String])).is_err());
    assert!(decode_msgpack(&unhex("a2 ff fe"), &Type::String).is_err());
    assert!(decode_msgpack(&unhex("93 c4 01 22 c0 c0"), &Type::Dynamic).is_err());
    assert!(decode_msgpack(&unhex("92 c4 03 22 78 22 c0"), &Type::Dynamic).is_err());
    // A huge declared length does not allocate or panic.
    assert!(decode_msgpack(&unhex("dd ff ff ff ff c0"), &Type::list(Type::String)).is_err());
    assert!(decode_msgpack(&unhex("df ff ff ff ff"), &Type::map(Type::String)).is_err());
    assert!(decode_msgpack(&unhex("db ff ff ff ff"), &Type::String).is_err());
}

#[test]
fn deep_dynamic_nesting_is_refused() {
    // Each level: a dynamic value of type list(dynamic) holding one element, the next level.
    let level = unhex("92 c4 12 5b 22 6c 69 73 74 22 2c 22 64 79 6e 61 6d 69 63 22 5d 91");
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&level);
    }
    bytes.push(0xc0);
    let err = decode_msgpack(&bytes, &Type::Dynamic).unwrap_err();
    assert!(err.to_string().contains("nested too deeply"), "{err}");
    // A few levels are fine.
    let mut few = Vec::new();
    for _ in 0..3 {
        few.extend_from_slice(&level);
    }
    few.push(0xc0);
    let v = decode_msgpack(&few, &Type::Dynamic).unwrap();
    assert_eq!(encode_msgpack(&v, &Type::Dynamic).unwrap(), few);

    let deep_json = "[".repeat(100_000);
    assert!(decode_json(deep_json.as_bytes(), &Type::list(Type::Dynamic)).is_err());
}

#[test]
fn encoding_checks_the_type() {
    let ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
    let err = |v: Value| encode_msgpack(&v, &ty).unwrap_err().to_string();
    assert_eq!(
        err(Value::object([("a", Value::string("x"))])),
        "cannot encode the value at (root): attribute \"b\" is required"
    );
    assert_eq!(
        err(Value::object([
            ("a", Value::string("x")),
            ("b", Value::Null),
            ("c", Value::Null)
        ])),
        "cannot encode the value at (root): unsupported attribute \"c\""
    );
    assert_eq!(
        err(Value::object([
            ("a", Value::string("x")),
            ("b", Value::list([Value::int(1), Value::string("2")]))
        ])),
        "cannot encode the value at .b[1]: number is required, found a string"
    );
    assert_eq!(
        err(Value::string("x")),
        "cannot encode the value at (root): object is required, found a string"
    );
    assert!(encode_msgpack(&Value::set([]), &Type::list(Type::String)).is_err());
    assert!(encode_msgpack(&Value::tuple([Value::Null]), &Type::tuple([])).is_err());
    assert!(
        encode_msgpack(
            &Value::Dynamic(Type::Bool, Box::new(Value::Bool(true))),
            &Type::String
        )
        .is_err()
    );
    assert!(
        encode_json(
            &Value::object([("a", Value::Unknown), ("b", Value::Null)]),
            &ty
        )
        .unwrap_err()
        .to_string()
        .starts_with("cannot encode the value at .a: the value is unknown")
    );
    assert!(encode_json(&Value::Unknown, &Type::Dynamic).is_err());
}

#[test]
fn json_decoding_follows_go_cty() {
    let ty = Type::object([("a", Type::String), ("n", Type::Number), ("b", Type::Bool)]);
    // Missing attributes are null; whitespace and any order are fine.
    assert_eq!(
        decode_json(b" { \"n\" : 2 } ", &ty).unwrap(),
        Value::object([("a", Value::Null), ("n", Value::int(2)), ("b", Value::Null)])
    );
    // Lenient primitive conversions.
    assert_eq!(
        decode_json(br#"{"a":12,"n":"0.1","b":"true"}"#, &ty).unwrap(),
        Value::object([
            ("a", Value::string("12")),
            ("n", Value::Number(Number::Big("0.1".into()))),
            ("b", Value::Bool(true))
        ])
    );
    assert_eq!(
        decode_json(b"true", &Type::String).unwrap(),
        Value::string("true")
    );
    // Numbers keep their exact digits.
    assert_eq!(
        decode_json(b"123456789012345678901234567890.5", &Type::Number).unwrap(),
        Value::Number(Number::Big("123456789012345678901234567890.5".into()))
    );
    assert_eq!(decode_json(b"1e2", &Type::Number).unwrap(), Value::int(100));
    // Unknown attributes: an error, or dropped on request.
    let err = decode_json(br#"{"z":1}"#, &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid JSON value at (root): unsupported attribute \"z\""
    );
    assert_eq!(
        decode_json_with(
            br#"{"z":{"deep":[1]},"a":"x"}"#,
            &ty,
            JsonDecodeOptions {
                ignore_unknown_attributes: true
            }
        )
        .unwrap(),
        Value::object([
            ("a", Value::string("x")),
            ("n", Value::Null),
            ("b", Value::Null)
        ])
    );
    assert_eq!(
        decode_json(br#"{"a":"x","n":"y"}"#, &ty)
            .unwrap_err()
            .path(),
        &[PathStep::Attr("n".into())]
    );
    // Escapes, including a surrogate pair.
    assert_eq!(
        decode_json(br#""a\"\\\/\b\f\n\r\t\u00e9\ud83e\udd80""#, &Type::String).unwrap(),
        Value::string("a\"\\/\u{8}\u{c}\n\r\t\u{e9}🦀")
    );
    // Dynamic: either key order; a null value; "dynamic" type flattens.
    assert_eq!(
        decode_json(
            br#"{"type":["list","bool"],"value":[true]}"#,
            &Type::Dynamic
        )
        .unwrap(),
        Value::Dynamic(
            Type::list(Type::Bool),
            Box::new(Value::list([Value::Bool(true)]))
        )
    );
    assert_eq!(decode_json(b"null", &Type::Dynamic).unwrap(), Value::Null);
    for bad in [
        &b""[..],
        b"{",
        b"[1,]",
        b"{\"a\" 1}",
        b"\"abc",
        b"\"\\ud800\"",
        b"\"\\x\"",
        b"01",
        b"1 2",
        b"nul",
        b"\"\x01\"",
        b"\xff",
    ] {
        assert!(
            decode_json(bad, &Type::list(Type::Number)).is_err()
                && decode_json(bad, &Type::String).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(decode_json(br#"{"value":1}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#"{"type":"number"}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#"{"type":"number","value":1,"x":2}"#, &Type::Dynamic).is_err());
    assert!(decode_json(b"[1,2]", &Type::tuple([Type::Number])).is_err());
}

#[test]
fn type_json_round_trips() {
    let types = [
        (Type::Bool, r#""bool""#),
        (Type::Number, r#""number""#),
        (Type::String, r#""string""#),
        (Type::Dynamic, r#""dynamic""#),
        (Type::list(Type::String), r#"["list","string"]"#),
        (Type::set(Type::Number), r#"["set","number"]"#),
        (Type::map(Type::Bool), r#"["map","bool"]"#),
        (
            Type::tuple([Type::String, Type::list(Type::Dynamic)]),
            r#"["tuple",["string",["list","dynamic"]]]"#,
        ),
        (Type::tuple([]), r#"["tuple",[]]"#),
        (
            Type::object([("b", Type::Number), ("a", Type::set(Type::String))]),
            r#"["object",{"a":["set","string"],"b":"number"}]"#,
        ),
        (Type::object([] as [(&str, Type); 0]), r#"["object",{}]"#),
    ];
    for (ty, json) in &types {
        assert_eq!(String::from_utf8(ty.to_json_bytes()).unwrap(), *json);
        assert_eq!(serde_json::to_string(&ty.to_json()).unwrap(), *json);
        assert_eq!(&Type::from_json_bytes(json.as_bytes()).unwrap(), ty);
        assert_eq!(&Type::from_json(&ty.to_json()).unwrap(), ty);
    }
    assert_eq!(
        String::from_utf8(sample_object_type().to_json_bytes()).unwrap(),
        serde_json::to_string(&sample_object_type().to_json()).unwrap()
    );
    assert_eq!(
        Type::from_json_bytes(br#"["object",{"a":"string","b":"bool"},["b"]]"#).unwrap(),
        Type::object([("a", Type::String), ("b", Type::Bool)])
    );
    for bad in [
        &br#""strin""#[..],
        br#"["list"]"#,
        br#"["list","string","x"]"#,
        br#"["object",{"a":"string"},["z"]]"#,
        br#"["object",["a"]]"#,
        br#"["tuple","string"]"#,
        br#"["frob","string"]"#,
        b"3",
        b"[]",
        b"",
    ] {
        assert!(
            matches!(Type::from_json_bytes(bad), Err(ValueError::TypeJson { .. })),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn value_helpers() {
    let ty = sample_object_type();
    let v = sample_object();
    assert_eq!(v.get("id").and_then(Value::as_str), Some("00u1"));
    assert_eq!(v.get("count").and_then(Value::as_i64), Some(3));
    assert_eq!(v.get("enabled").and_then(Value::as_bool), Some(true));
    assert_eq!(v.get("missing"), None);
    assert_eq!(Value::string("x").get("id"), None);
    assert!(Value::Null.is_null() && !Value::Null.is_unknown());
    assert!(Value::Unknown.is_unknown() && !Value::Unknown.is_null());
    assert_eq!(Value::null_of(&ty), Value::Null);
    let nulls = Value::null_object(&ty);
    assert_eq!(nulls.as_entries().unwrap().len(), 8);
    assert!(nulls.as_entries().unwrap().values().all(Value::is_null));
    assert_eq!(Value::null_object(&Type::String), Value::Null);
    assert_eq!(Value::from(Some("a")), Value::string("a"));
    assert_eq!(Value::from(None::<&str>), Value::Null);
    assert_eq!(
        sample_object().implied_type(),
        Some({
            let mut attrs = match ty {
                Type::Object(a) => a,
                _ => unreachable!(),
            };
            // The schema's dynamic attribute holds a list of strings.
            attrs.insert("extra".into(), Type::list(Type::String));
            Type::Object(attrs)
        })
    );
    let mut m = BTreeMap::new();
    m.insert("k".to_string(), Value::Unknown);
    assert!(!Value::Map(m).is_wholly_known());
}

/// Mutates valid encodings deterministically and checks that decoding never panics.
#[test]
fn fuzzed_inputs_never_panic() {
    let ty = sample_object_type();
    // Alternating msgpack and JSON encodings.
    let mut seeds: Vec<(Vec<u8>, Type)> = vec![
        (encode_msgpack(&sample_object(), &ty).unwrap(), ty.clone()),
        (encode_json(&sample_object(), &ty).unwrap(), ty.clone()),
    ];
    let dynamic = Value::Dynamic(
        Type::object([("l", Type::list(Type::Number)), ("s", Type::String)]),
        Box::new(Value::object([
            (
                "l",
                Value::list([Value::int(1), Value::Number(Number::Big("0.1".into()))]),
            ),
            ("s", Value::string("x")),
        ])),
    );
    seeds.push((
        encode_msgpack(&dynamic, &Type::Dynamic).unwrap(),
        Type::Dynamic,
    ));
    seeds.push((
        encode_json(&dynamic, &Type::Dynamic).unwrap(),
        Type::Dynamic,
    ));

    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let start = std::time::Instant::now();
    let mut decoded_ok = 0;
    for round in 0..20_000 {
        let (seed, ty) = &seeds[round % seeds.len()];
        let mut bytes = seed.clone();
        for _ in 0..(1 + next() % 4) {
            let r = next();
            let at = (r >> 8) as usize % bytes.len().max(1);
            match r % 5 {
                0 => {
                    if !bytes.is_empty() {
                        bytes[at] = (r >> 40) as u8;
                    }
                }
                1 => {
                    if !bytes.is_empty() {
                        bytes[at] ^= 1 << ((r >> 32) % 8);
                    }
                }
                2 => bytes.truncate(at),
                3 => bytes.insert(at.min(bytes.len()), (r >> 40) as u8),
                _ => {
                    if at < bytes.len() {
                        bytes.remove(at);
                    }
                }
            }
        }
        for t in [ty, &Type::Dynamic, &Type::String] {
            if decode_msgpack(&bytes, t).is_ok() {
                decoded_ok += 1;
            }
            if decode_json(&bytes, t).is_ok() {
                decoded_ok += 1;
            }
        }
    }
    // Every truncation of every seed.
    for (i, (seed, ty)) in seeds.iter().enumerate() {
        for cut in 0..seed.len() {
            let is_json = i % 2 == 1;
            if is_json {
                assert!(decode_json(&seed[..cut], ty).is_err());
                let _ = decode_msgpack(&seed[..cut], ty);
            } else {
                assert!(decode_msgpack(&seed[..cut], ty).is_err());
                let _ = decode_json(&seed[..cut], ty);
            }
        }
    }
    assert!(decoded_ok > 0);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
