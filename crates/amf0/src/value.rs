/// One AMF0 value.
///
/// Objects and ECMA arrays keep their properties in wire order in a `Vec`, not a map: RTMP peers
/// read `connect` replies and `onMetaData` in order, and duplicate keys must survive a round trip.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (marker 0x00): an IEEE 754 double, as every AMF0 number is.
    Number(f64),
    /// A boolean (marker 0x01).
    Boolean(bool),
    /// A string of at most 65535 UTF-8 bytes. Longer strings are encoded as a long string.
    String(String),
    /// An anonymous object (marker 0x03): named properties in wire order.
    Object(Vec<(String, Value)>),
    /// Null (marker 0x05), as in the command object slot of `publish`.
    Null,
    /// Undefined (marker 0x06).
    Undefined,
    /// An associative array; the count announced on the wire is only a hint and is recomputed
    /// on encode.
    EcmaArray(Vec<(String, Value)>),
    /// An array of values without names (marker 0x0A).
    StrictArray(Vec<Value>),
    /// Milliseconds since the Unix epoch; the time zone field is reserved and should be 0.
    Date {
        /// Milliseconds since 1970-01-01T00:00:00Z.
        millis: f64,
        /// The reserved time zone field, kept as read.
        time_zone: i16,
    },
    /// A string of more than 65535 UTF-8 bytes (marker 0x0C).
    LongString(String),
}

impl Value {
    /// Builds an object from `(&str, Value)` pairs, keeping their order.
    pub fn object<'a>(props: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
        Value::Object(props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Builds a string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// The text of a string or long string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::LongString(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a number.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The properties of an object or ECMA array, in wire order.
    pub fn properties(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(p) | Value::EcmaArray(p) => Some(p),
            _ => None,
        }
    }

    /// The first property named `key` of an object or ECMA array.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Boolean(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
