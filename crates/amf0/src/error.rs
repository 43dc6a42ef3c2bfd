/// Everything that can go wrong while decoding AMF0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Amf0Error {
    /// The input ended inside a value.
    #[error("AMF0 {what} truncated at byte {offset}: need {need} more bytes")]
    Truncated {
        /// The part being read, such as `"type marker"` or `"long string"`.
        what: &'static str,
        /// Where the missing bytes should have started.
        offset: usize,
        /// How many more bytes that part needed.
        need: usize,
    },
    /// A string or property name whose bytes are not UTF-8, as AMF0 requires.
    #[error("AMF0 string at byte {offset} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the string's bytes start.
        offset: usize,
    },
    /// A type marker this crate does not decode: movie clip, reference, unsupported, record
    /// set, XML document, typed object, or one the specification does not define.
    #[error("AMF0 type marker 0x{marker:02x} at byte {offset} is not supported")]
    UnsupportedMarker {
        /// The marker byte.
        marker: u8,
        /// Where the marker is.
        offset: usize,
    },
    /// An empty property name (which ends an object or ECMA array) not followed by the
    /// object-end marker (0x09).
    #[error("AMF0 object property at byte {offset} has an empty name but no object-end marker")]
    MissingObjectEnd {
        /// Where the empty name starts.
        offset: usize,
    },
    /// The AVM+ marker: everything after it is AMF3, which this crate does not decode.
    #[error("AMF0 stream switches to AMF3 (marker 0x11) at byte {offset}")]
    Amf3Switch {
        /// Where the marker is; the values before it were decoded.
        offset: usize,
    },
    /// Objects and arrays nested deeper than [`Limits::max_depth`](crate::Limits::max_depth).
    #[error("AMF0 values nested deeper than {limit} levels")]
    TooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A string longer than [`Limits::max_string_len`](crate::Limits::max_string_len),
    /// refused before its bytes are read.
    #[error("AMF0 string of {len} bytes exceeds the limit of {limit}")]
    StringTooLong {
        /// The length the string announced.
        len: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// An object, ECMA array or strict array with more items than
    /// [`Limits::max_items`](crate::Limits::max_items).
    #[error("AMF0 object or array with more than {limit} items")]
    TooManyItems {
        /// The limit that was exceeded.
        limit: usize,
    },
}
