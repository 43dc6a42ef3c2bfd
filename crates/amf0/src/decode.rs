use crate::{Amf0Error, Value, marker};

/// Hard caps on what a peer can make the decoder accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Levels of nested objects and arrays; the top-level value is level 1. Decoding recurses
    /// once per level, so this bounds stack use. Real `connect` and `onMetaData` bodies nest two
    /// or three levels.
    pub max_depth: usize,
    /// Bytes in one string or long string. Long strings announce up to 4 GiB; the check happens
    /// before anything is allocated.
    pub max_string_len: usize,
    /// Properties in one object or ECMA array, or elements in one strict array. `onMetaData`
    /// from encoders has a few dozen; a strict array count is checked before reading elements.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 32,
            max_string_len: 1 << 20,
            max_items: 8192,
        }
    }
}

/// Decodes AMF0 values one after another from a byte slice.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    limits: Limits,
}

/// Decodes one value from the start of `buf` with default [`Limits`], returning it and the
/// number of bytes it took.
pub fn decode(buf: &[u8]) -> Result<(Value, usize), Amf0Error> {
    let mut d = Decoder::new(buf);
    let v = d.decode_value()?;
    Ok((v, d.position()))
}

/// Decodes values until `buf` is used up, with default [`Limits`].
pub fn decode_all(buf: &[u8]) -> Result<Vec<Value>, Amf0Error> {
    let mut d = Decoder::new(buf);
    let mut out = Vec::new();
    while !d.is_empty() {
        out.push(d.decode_value()?);
    }
    Ok(out)
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `buf` with default [`Limits`].
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_limits(buf, Limits::default())
    }

    /// A decoder at the start of `buf` with the given limits.
    pub fn with_limits(buf: &'a [u8], limits: Limits) -> Self {
        Self {
            buf,
            pos: 0,
            limits,
        }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Decodes the next value. On error the position is left where the bad value started or
    /// somewhere inside it; the decoder should then be dropped.
    pub fn decode_value(&mut self) -> Result<Value, Amf0Error> {
        self.value(1)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Amf0Error> {
        let have = self.buf.len() - self.pos;
        if have < n {
            return Err(Amf0Error::Truncated {
                what,
                offset: self.pos,
                need: n - have,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Amf0Error> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, Amf0Error> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Amf0Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f64(&mut self, what: &'static str) -> Result<f64, Amf0Error> {
        let b = self.take(8, what)?;
        Ok(f64::from_be_bytes(
            b.try_into().expect("take returned 8 bytes"),
        ))
    }

    fn utf8(&mut self, len: usize, what: &'static str) -> Result<String, Amf0Error> {
        if len > self.limits.max_string_len {
            return Err(Amf0Error::StringTooLong {
                len,
                limit: self.limits.max_string_len,
            });
        }
        let offset = self.pos;
        let b = self.take(len, what)?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| Amf0Error::InvalidUtf8 { offset })
    }

    fn short_string(&mut self, what: &'static str) -> Result<String, Amf0Error> {
        let len = self.u16(what)? as usize;
        self.utf8(len, what)
    }

    fn value(&mut self, depth: usize) -> Result<Value, Amf0Error> {
        let offset = self.pos;
        let m = self.u8("type marker")?;
        Ok(match m {
            marker::NUMBER => Value::Number(self.f64("number")?),
            marker::BOOLEAN => Value::Boolean(self.u8("boolean")? != 0),
            marker::STRING => Value::String(self.short_string("string")?),
            marker::OBJECT => {
                self.check_depth(depth)?;
                Value::Object(self.properties(depth)?)
            }
            marker::NULL => Value::Null,
            marker::UNDEFINED => Value::Undefined,
            marker::ECMA_ARRAY => {
                self.check_depth(depth)?;
                // The associative count is advisory (encoders get it wrong); the object-end
                // marker is what terminates the array.
                let _count = self.u32("ECMA array count")?;
                Value::EcmaArray(self.properties(depth)?)
            }
            marker::STRICT_ARRAY => {
                self.check_depth(depth)?;
                let count = self.u32("strict array count")? as usize;
                if count > self.limits.max_items {
                    return Err(Amf0Error::TooManyItems {
                        limit: self.limits.max_items,
                    });
                }
                // Every element takes at least one byte, so a count beyond the input is
                // truncated; capping the reservation keeps a lying count from allocating.
                let mut items = Vec::with_capacity(count.min(self.buf.len() - self.pos));
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                Value::StrictArray(items)
            }
            marker::DATE => {
                let millis = self.f64("date")?;
                let time_zone = self.u16("date time zone")? as i16;
                Value::Date { millis, time_zone }
            }
            marker::LONG_STRING => {
                let len = self.u32("long string")? as usize;
                Value::LongString(self.utf8(len, "long string")?)
            }
            marker::AVMPLUS_OBJECT => return Err(Amf0Error::Amf3Switch { offset }),
            other => {
                return Err(Amf0Error::UnsupportedMarker {
                    marker: other,
                    offset,
                });
            }
        })
    }

    fn check_depth(&self, depth: usize) -> Result<(), Amf0Error> {
        if depth > self.limits.max_depth {
            return Err(Amf0Error::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        Ok(())
    }

    /// Reads `name value` pairs up to the empty name followed by the object-end marker.
    fn properties(&mut self, depth: usize) -> Result<Vec<(String, Value)>, Amf0Error> {
        let mut props = Vec::new();
        loop {
            let offset = self.pos;
            let key = self.short_string("property name")?;
            if key.is_empty() {
                if self.u8("object end")? != marker::OBJECT_END {
                    return Err(Amf0Error::MissingObjectEnd { offset });
                }
                return Ok(props);
            }
            if props.len() >= self.limits.max_items {
                return Err(Amf0Error::TooManyItems {
                    limit: self.limits.max_items,
                });
            }
            let v = self.value(depth + 1)?;
            props.push((key, v));
        }
    }
}
