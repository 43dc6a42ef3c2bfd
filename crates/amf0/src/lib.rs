//! AMF0 values as carried in RTMP command messages (`connect`, `publish`, `onStatus`, ...) and
//! data messages (`@setDataFrame` / `onMetaData`).
//!
//! Follows the Adobe *Action Message Format -- AMF 0* specification (December 2007). The AVM+
//! marker (0x11), which switches the rest of a stream to AMF3, is reported as its own error,
//! [`Amf0Error::Amf3Switch`], so that the RTMP session can keep the values decoded before it.
//!
//! Everything here is sans-IO: [`decode`] and [`Decoder`] read from a `&[u8]` and say how many
//! bytes they consumed, [`encode`] appends to any [`bytes::BufMut`] (`Vec<u8>`, `BytesMut`).
//! Every count, length and nesting level read from the wire is checked against [`Limits`], each
//! with its own error variant, so a hostile peer cannot make the decoder allocate or recurse
//! without bound.

#![warn(missing_docs)]

mod decode;
mod encode;
mod error;
mod value;

pub use decode::{Decoder, Limits, decode, decode_all};
pub use encode::{encode, encode_all, encoded_len};
pub use error::Amf0Error;
pub use value::Value;

/// AMF0 type markers (AMF 0 specification §2.1).
pub mod marker {
    /// Number: an 8-byte big-endian IEEE 754 double.
    pub const NUMBER: u8 = 0x00;
    /// Boolean: one byte, zero for false.
    pub const BOOLEAN: u8 = 0x01;
    /// String: a 16-bit length, then that many UTF-8 bytes.
    pub const STRING: u8 = 0x02;
    /// Anonymous object: name/value pairs up to an empty name and [`OBJECT_END`].
    pub const OBJECT: u8 = 0x03;
    /// Movie clip: reserved, not supported by the specification.
    pub const MOVIECLIP: u8 = 0x04;
    /// Null: no payload.
    pub const NULL: u8 = 0x05;
    /// Undefined: no payload.
    pub const UNDEFINED: u8 = 0x06;
    /// Reference to an earlier complex value by a 16-bit index (not decoded here).
    pub const REFERENCE: u8 = 0x07;
    /// ECMA (associative) array: a 32-bit count hint, then pairs as in an object.
    pub const ECMA_ARRAY: u8 = 0x08;
    /// Ends an object or ECMA array, after an empty property name.
    pub const OBJECT_END: u8 = 0x09;
    /// Strict array: a 32-bit count, then that many values.
    pub const STRICT_ARRAY: u8 = 0x0A;
    /// Date: a double of milliseconds since the epoch, then a 16-bit time zone.
    pub const DATE: u8 = 0x0B;
    /// Long string: a 32-bit length, then that many UTF-8 bytes.
    pub const LONG_STRING: u8 = 0x0C;
    /// Unsupported: a value the sender could not serialize (not decoded here).
    pub const UNSUPPORTED: u8 = 0x0D;
    /// Record set: reserved, not supported by the specification.
    pub const RECORDSET: u8 = 0x0E;
    /// XML document: a 32-bit length and UTF-8 text (not decoded here).
    pub const XML_DOCUMENT: u8 = 0x0F;
    /// Typed object: a class name, then pairs as in an object (not decoded here).
    pub const TYPED_OBJECT: u8 = 0x10;
    /// AVM+ object: the rest of the stream is AMF3 ([`Amf0Error::Amf3Switch`](crate::Amf0Error::Amf3Switch)).
    pub const AVMPLUS_OBJECT: u8 = 0x11;
}
