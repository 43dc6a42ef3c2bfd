/// Everything that can go wrong while decoding AMF0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Amf0Error {
    #[error("AMF0 {what} truncated at byte {offset}: need {need} more bytes")]
    Truncated {
        what: &'static str,
        offset: usize,
        need: usize,
    },
    #[error("AMF0 string at byte {offset} is not valid UTF-8")]
    InvalidUtf8 { offset: usize },
    #[error("AMF0 type marker 0x{marker:02x} at byte {offset} is not supported")]
    UnsupportedMarker { marker: u8, offset: usize },
    #[error("AMF0 object property at byte {offset} has an empty name but no object-end marker")]
    MissingObjectEnd { offset: usize },
    /// The AVM+ marker: everything after it is AMF3, which this crate does not decode.
    #[error("AMF0 stream switches to AMF3 (marker 0x11) at byte {offset}")]
    Amf3Switch { offset: usize },
    #[error("AMF0 values nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("AMF0 string of {len} bytes exceeds the limit of {limit}")]
    StringTooLong { len: usize, limit: usize },
    #[error("AMF0 object or array with more than {limit} items")]
    TooManyItems { limit: usize },
}
