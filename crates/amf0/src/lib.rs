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
    pub const NUMBER: u8 = 0x00;
    pub const BOOLEAN: u8 = 0x01;
    pub const STRING: u8 = 0x02;
    pub const OBJECT: u8 = 0x03;
    pub const MOVIECLIP: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const UNDEFINED: u8 = 0x06;
    pub const REFERENCE: u8 = 0x07;
    pub const ECMA_ARRAY: u8 = 0x08;
    pub const OBJECT_END: u8 = 0x09;
    pub const STRICT_ARRAY: u8 = 0x0A;
    pub const DATE: u8 = 0x0B;
    pub const LONG_STRING: u8 = 0x0C;
    pub const UNSUPPORTED: u8 = 0x0D;
    pub const RECORDSET: u8 = 0x0E;
    pub const XML_DOCUMENT: u8 = 0x0F;
    pub const TYPED_OBJECT: u8 = 0x10;
    pub const AVMPLUS_OBJECT: u8 = 0x11;
}
