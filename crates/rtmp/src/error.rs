/// Everything that can go wrong on an RTMP connection, from handshake to commands.
///
/// Each hard limit has its own variant so that logs say which one a peer hit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("RTMP version {0} requested in C0/S0; only 3 (plain RTMP) is supported")]
    UnsupportedVersion(u8),
    #[error("server handshake did not verify: {0}")]
    HandshakeVerification(&'static str),

    #[error("peer set chunk size {size}, above the limit of {limit}")]
    ChunkSizeTooLarge { size: u32, limit: u32 },
    #[error("peer set invalid chunk size {0} (must be 1 to 2^31-1)")]
    InvalidChunkSize(u32),
    #[error("message of {length} bytes on chunk stream {csid} exceeds the limit of {limit}")]
    MessageTooLarge { csid: u32, length: u32, limit: u32 },
    #[error("peer opened more than {limit} chunk streams")]
    TooManyChunkStreams { limit: usize },
    #[error("partially received messages would hold more than {limit} bytes")]
    PartialBytesExceeded { limit: usize },
    #[error("chunk header type {fmt} on chunk stream {csid}, which has no previous header")]
    NoPreviousHeader { csid: u32, fmt: u8 },
    #[error("chunk header type {fmt} on chunk stream {csid} interrupts an unfinished message")]
    InterruptedMessage { csid: u32, fmt: u8 },

    #[error("{what} payload too short: {len} bytes")]
    ShortPayload { what: &'static str, len: usize },
    #[error("AMF0: {0}")]
    Amf0(#[from] amf0::Amf0Error),
    #[error("malformed command: {0}")]
    MalformedCommand(&'static str),
    #[error("client created more than {limit} message streams")]
    TooManyStreams { limit: usize },
    #[error("no message stream {0} on this connection")]
    UnknownStream(u32),
    #[error("{0}")]
    InvalidState(&'static str),
    #[error("server refused: {code} ({description})")]
    Refused { code: String, description: String },
}
