use bytes::BufMut;

use crate::{Value, marker};

/// Appends the AMF0 encoding of `value` to `out`.
///
/// A [`Value::String`] longer than 65535 bytes is written as a long string, since the short form
/// cannot carry its length. Property names are written in the short form; a name longer than
/// 65535 bytes is cut at a character boundary (names come from this program, never that long).
pub fn encode<B: BufMut>(value: &Value, out: &mut B) {
    match value {
        Value::Number(n) => {
            out.put_u8(marker::NUMBER);
            out.put_f64(*n);
        }
        Value::Boolean(b) => {
            out.put_u8(marker::BOOLEAN);
            out.put_u8(u8::from(*b));
        }
        Value::String(s) if s.len() <= u16::MAX as usize => {
            out.put_u8(marker::STRING);
            put_short_string(s, out);
        }
        Value::String(s) | Value::LongString(s) => {
            out.put_u8(marker::LONG_STRING);
            out.put_u32(s.len() as u32);
            out.put_slice(s.as_bytes());
        }
        Value::Object(props) => {
            out.put_u8(marker::OBJECT);
            put_properties(props, out);
        }
        Value::Null => out.put_u8(marker::NULL),
        Value::Undefined => out.put_u8(marker::UNDEFINED),
        Value::EcmaArray(props) => {
            out.put_u8(marker::ECMA_ARRAY);
            out.put_u32(props.len() as u32);
            put_properties(props, out);
        }
        Value::StrictArray(items) => {
            out.put_u8(marker::STRICT_ARRAY);
            out.put_u32(items.len() as u32);
            for v in items {
                encode(v, out);
            }
        }
        Value::Date { millis, time_zone } => {
            out.put_u8(marker::DATE);
            out.put_f64(*millis);
            out.put_i16(*time_zone);
        }
    }
}

/// Appends each value in turn, as in the body of a command or data message.
pub fn encode_all<'a, B: BufMut>(values: impl IntoIterator<Item = &'a Value>, out: &mut B) {
    for v in values {
        encode(v, out);
    }
}

/// The number of bytes [`encode`] writes for `value`.
pub fn encoded_len(value: &Value) -> usize {
    let props_len = |props: &[(String, Value)]| -> usize {
        props
            .iter()
            .map(|(k, v)| 2 + short_key(k).len() + encoded_len(v))
            .sum::<usize>()
            + 3
    };
    match value {
        Value::Number(_) => 9,
        Value::Boolean(_) => 2,
        Value::String(s) if s.len() <= u16::MAX as usize => 3 + s.len(),
        Value::String(s) | Value::LongString(s) => 5 + s.len(),
        Value::Object(p) => 1 + props_len(p),
        Value::Null | Value::Undefined => 1,
        Value::EcmaArray(p) => 5 + props_len(p),
        Value::StrictArray(items) => 5 + items.iter().map(encoded_len).sum::<usize>(),
        Value::Date { .. } => 11,
    }
}

fn short_key(s: &str) -> &str {
    if s.len() <= u16::MAX as usize {
        return s;
    }
    let mut end = u16::MAX as usize;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn put_short_string<B: BufMut>(s: &str, out: &mut B) {
    let s = short_key(s);
    out.put_u16(s.len() as u16);
    out.put_slice(s.as_bytes());
}

fn put_properties<B: BufMut>(props: &[(String, Value)], out: &mut B) {
    for (k, v) in props {
        put_short_string(k, out);
        encode(v, out);
    }
    out.put_u16(0);
    out.put_u8(marker::OBJECT_END);
}
