//! One table of AMF0 wire encodings drives decode, encode and length checks.

use amf0::{Amf0Error, Decoder, Limits, Value, decode, decode_all, encode, encoded_len};

struct Case {
    name: &'static str,
    /// Wire bytes, built from annotated pieces.
    bytes: Vec<u8>,
    value: Value,
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "number 1.0",
            bytes: cat(&[&[0x00], &1.0f64.to_be_bytes()]),
            value: Value::Number(1.0),
        },
        Case {
            name: "number transaction id 4",
            bytes: cat(&[&[0x00], &[0x40, 0x10, 0, 0, 0, 0, 0, 0]]),
            value: Value::Number(4.0),
        },
        Case {
            name: "boolean true",
            bytes: vec![0x01, 0x01],
            value: Value::Boolean(true),
        },
        Case {
            name: "boolean false",
            bytes: vec![0x01, 0x00],
            value: Value::Boolean(false),
        },
        Case {
            name: "string connect",
            bytes: cat(&[&[0x02], &[0x00, 0x07], b"connect"]),
            value: Value::string("connect"),
        },
        Case {
            name: "empty string",
            bytes: vec![0x02, 0x00, 0x00],
            value: Value::string(""),
        },
        Case {
            name: "utf-8 string",
            bytes: cat(&[&[0x02], &[0x00, 0x03], "é!".as_bytes()]),
            value: Value::string("é!"),
        },
        Case {
            name: "null",
            bytes: vec![0x05],
            value: Value::Null,
        },
        Case {
            name: "undefined",
            bytes: vec![0x06],
            value: Value::Undefined,
        },
        Case {
            name: "object {app: live}",
            bytes: cat(&[
                &[0x03],
                &[0x00, 0x03],
                b"app",
                &[0x02, 0x00, 0x04],
                b"live",
                &[0x00, 0x00, 0x09], // empty name + object-end marker
            ]),
            value: Value::object([("app", Value::string("live"))]),
        },
        Case {
            name: "empty object",
            bytes: vec![0x03, 0x00, 0x00, 0x09],
            value: Value::Object(vec![]),
        },
        Case {
            name: "nested object keeps order",
            bytes: cat(&[
                &[0x03],
                &[0x00, 0x01],
                b"z",
                &[0x03, 0x00, 0x01],
                b"a",
                &[0x05],
                &[0x00, 0x00, 0x09],
                &[0x00, 0x01],
                b"b",
                &[0x01, 0x01],
                &[0x00, 0x00, 0x09],
            ]),
            value: Value::object([
                ("z", Value::object([("a", Value::Null)])),
                ("b", Value::Boolean(true)),
            ]),
        },
        Case {
            name: "ecma array onMetaData",
            bytes: cat(&[
                &[0x08],
                &[0x00, 0x00, 0x00, 0x01], // associative count
                &[0x00, 0x05],
                b"width",
                &[0x00],
                &1280.0f64.to_be_bytes(),
                &[0x00, 0x00, 0x09],
            ]),
            value: Value::EcmaArray(vec![("width".into(), Value::Number(1280.0))]),
        },
        Case {
            name: "strict array",
            bytes: cat(&[&[0x0A], &[0, 0, 0, 2], &[0x05], &[0x01, 0x00]]),
            value: Value::StrictArray(vec![Value::Null, Value::Boolean(false)]),
        },
        Case {
            name: "date",
            bytes: cat(&[&[0x0B], &1.5e12f64.to_be_bytes(), &[0x00, 0x00]]),
            value: Value::Date {
                millis: 1.5e12,
                time_zone: 0,
            },
        },
        Case {
            name: "long string",
            bytes: cat(&[&[0x0C], &[0, 0, 0, 3], b"abc"]),
            value: Value::LongString("abc".into()),
        },
    ]
}

#[test]
fn table_decodes() {
    for c in cases() {
        let (v, used) = decode(&c.bytes).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(v, c.value, "{}", c.name);
        assert_eq!(used, c.bytes.len(), "{}: consumed", c.name);
    }
}

#[test]
fn table_encodes() {
    for c in cases() {
        let mut out = Vec::new();
        encode(&c.value, &mut out);
        assert_eq!(out, c.bytes, "{}", c.name);
        assert_eq!(
            encoded_len(&c.value),
            c.bytes.len(),
            "{}: encoded_len",
            c.name
        );
        let mut bm = bytes::BytesMut::new();
        encode(&c.value, &mut bm);
        assert_eq!(&bm[..], &c.bytes[..], "{}: BytesMut", c.name);
    }
}

#[test]
fn table_truncations_are_errors() {
    for c in cases() {
        for cut in 0..c.bytes.len() {
            match decode(&c.bytes[..cut]) {
                Err(Amf0Error::Truncated { .. }) => {}
                other => panic!("{} cut at {cut}: {other:?}", c.name),
            }
        }
    }
}

#[test]
fn decode_all_reads_a_command_body() {
    let mut body = Vec::new();
    for v in [
        Value::string("createStream"),
        Value::Number(2.0),
        Value::Null,
    ] {
        encode(&v, &mut body);
    }
    let vals = decode_all(&body).unwrap();
    assert_eq!(
        vals,
        vec![
            Value::string("createStream"),
            Value::Number(2.0),
            Value::Null
        ]
    );
}

#[test]
fn long_value_string_encodes_as_long_string() {
    let s = "x".repeat(70_000);
    let mut out = Vec::new();
    encode(&Value::String(s.clone()), &mut out);
    assert_eq!(out[0], 0x0C);
    assert_eq!(decode(&out).unwrap().0, Value::LongString(s));
}

fn nested_objects(levels: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for _ in 0..levels - 1 {
        b.extend_from_slice(&[0x03, 0x00, 0x01, b'k']);
    }
    b.extend_from_slice(&[0x03, 0x00, 0x00, 0x09]);
    for _ in 0..levels - 1 {
        b.extend_from_slice(&[0x00, 0x00, 0x09]);
    }
    b
}

/// Each limit and each malformed-input rule has its own error variant.
#[test]
fn error_table() {
    let small = Limits {
        max_depth: 3,
        max_string_len: 4,
        max_items: 2,
    };
    let cases: Vec<(&str, Vec<u8>, Limits, Amf0Error)> = vec![
        (
            "depth at limit is fine, one more is not",
            nested_objects(4),
            small,
            Amf0Error::TooDeep { limit: 3 },
        ),
        (
            "default depth limit",
            nested_objects(33),
            Limits::default(),
            Amf0Error::TooDeep { limit: 32 },
        ),
        (
            "short string over limit",
            cat(&[&[0x02, 0x00, 0x05], b"hello"]),
            small,
            Amf0Error::StringTooLong { len: 5, limit: 4 },
        ),
        (
            "long string announcing 4 GiB is refused before allocation",
            vec![0x0C, 0xFF, 0xFF, 0xFF, 0xFF],
            Limits::default(),
            Amf0Error::StringTooLong {
                len: u32::MAX as usize,
                limit: 1 << 20,
            },
        ),
        (
            "object with too many properties",
            cat(&[
                &[0x03],
                &[0, 1, b'a', 0x05],
                &[0, 1, b'b', 0x05],
                &[0, 1, b'c', 0x05],
                &[0, 0, 9],
            ]),
            small,
            Amf0Error::TooManyItems { limit: 2 },
        ),
        (
            "strict array count over limit",
            vec![0x0A, 0x00, 0x00, 0x00, 0x03, 0x05, 0x05, 0x05],
            small,
            Amf0Error::TooManyItems { limit: 2 },
        ),
        (
            "strict array announcing 4 billion items",
            vec![0x0A, 0xFF, 0xFF, 0xFF, 0xFF],
            Limits::default(),
            Amf0Error::TooManyItems { limit: 8192 },
        ),
        (
            "AMF3 switch marker",
            vec![0x11, 0x06, 0x03, b'a'],
            Limits::default(),
            Amf0Error::Amf3Switch { offset: 0 },
        ),
        (
            "reference marker unsupported",
            vec![0x07, 0x00, 0x01],
            Limits::default(),
            Amf0Error::UnsupportedMarker {
                marker: 0x07,
                offset: 0,
            },
        ),
        (
            "unknown marker",
            vec![0x42],
            Limits::default(),
            Amf0Error::UnsupportedMarker {
                marker: 0x42,
                offset: 0,
            },
        ),
        (
            "invalid utf-8",
            vec![0x02, 0x00, 0x02, 0xC3, 0x28],
            Limits::default(),
            Amf0Error::InvalidUtf8 { offset: 3 },
        ),
        (
            "empty name without object end",
            vec![0x03, 0x00, 0x00, 0x05],
            Limits::default(),
            Amf0Error::MissingObjectEnd { offset: 1 },
        ),
        (
            "empty input",
            vec![],
            Limits::default(),
            Amf0Error::Truncated {
                what: "type marker",
                offset: 0,
                need: 1,
            },
        ),
    ];
    for (name, bytes, limits, want) in cases {
        let got = Decoder::with_limits(&bytes, limits).decode_value();
        assert_eq!(got, Err(want), "{name}");
    }
    // The depth limit is inclusive: exactly max_depth levels decode.
    assert!(
        Decoder::with_limits(&nested_objects(3), small)
            .decode_value()
            .is_ok()
    );
    assert!(decode(&nested_objects(32)).is_ok());
}

#[test]
fn amf3_switch_keeps_earlier_values() {
    // An AMF3 command body as some clients send it: AMF0 name and id, then a switch.
    let bytes = cat(&[
        &[0x02, 0x00, 0x04],
        b"play",
        &[0x00],
        &0.0f64.to_be_bytes(),
        &[0x11, 0x01],
    ]);
    let mut d = Decoder::new(&bytes);
    assert_eq!(d.decode_value().unwrap(), Value::string("play"));
    assert_eq!(d.decode_value().unwrap(), Value::Number(0.0));
    assert_eq!(d.decode_value(), Err(Amf0Error::Amf3Switch { offset: 16 }));
}

#[test]
fn garbage_never_panics() {
    // A small deterministic generator: no dependency, same bytes every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2000 {
        let mut buf = Vec::new();
        for _ in 0..(x % 64) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.push((x % 18) as u8 | if x & 0x100 != 0 { 0 } else { (x >> 8) as u8 });
        }
        let _ = decode_all(&buf);
    }
}
