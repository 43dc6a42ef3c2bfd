//! The chunk stream (RTMP 1.0 specification §5.3): messages are cut into chunks of at most the
//! negotiated chunk size, each with a basic header (format and chunk stream id) and a message
//! header that is compressed against the previous chunk of the same chunk stream.

pub mod reader;
pub mod writer;

use bytes::Bytes;

pub use reader::{ChunkReader, Incomplete, ReaderLimits};
pub use writer::ChunkWriter;

/// Chunk size every connection starts with (§5.4.1).
pub const DEFAULT_CHUNK_SIZE: u32 = 128;
/// A timestamp field of this value means "look in the extended timestamp" (§5.3.1.3).
pub const EXTENDED_TIMESTAMP: u32 = 0x00FF_FFFF;
/// Largest message length the 24-bit length field can express.
pub const MAX_MESSAGE_LENGTH_FIELD: u32 = 0x00FF_FFFF;

/// Chunk stream ids this crate uses when sending. Protocol control messages must use 2
/// (§5.4); the others follow what ffmpeg and OBS use so captures look familiar.
pub mod csid {
    /// Protocol control and user control messages.
    pub const PROTOCOL_CONTROL: u32 = 2;
    /// Command messages.
    pub const COMMAND: u32 = 3;
    /// Audio messages.
    pub const AUDIO: u32 = 4;
    /// Data messages (`@setDataFrame`).
    pub const DATA: u32 = 5;
    /// Video messages.
    pub const VIDEO: u32 = 6;
}

/// One complete message as reassembled from chunks, before its payload is interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// The chunk stream it arrived on (or is to be sent on).
    pub csid: u32,
    /// Absolute timestamp in milliseconds, wrapped to 32 bits.
    pub timestamp: u32,
    /// Message type id (§5.4, §7.1), such as 8 for audio or 20 for an AMF0 command; see
    /// [`crate::message::type_id`].
    pub type_id: u8,
    /// Message stream id; 0 for protocol control and NetConnection commands.
    pub stream_id: u32,
    /// The message body, uninterpreted.
    pub payload: Bytes,
}
