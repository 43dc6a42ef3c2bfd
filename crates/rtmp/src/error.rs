/// Everything that can go wrong on an RTMP connection, from handshake to commands.
///
/// Each hard limit has its own variant so that logs say which one a peer hit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The peer's C0 or S0 asked for an RTMP version other than 3.
    #[error("RTMP version {0} requested in C0/S0; only 3 (plain RTMP) is supported")]
    UnsupportedVersion(u8),
    /// The server's digest handshake (S1 digest or S2 signature) did not verify, as the
    /// client checks when it sent a digest C1.
    #[error("server handshake did not verify: {0}")]
    HandshakeVerification(&'static str),

    /// The peer's Set Chunk Size is above
    /// [`ReaderLimits::max_chunk_size`](crate::chunk::ReaderLimits::max_chunk_size).
    #[error("peer set chunk size {size}, above the limit of {limit}")]
    ChunkSizeTooLarge {
        /// The size the peer set.
        size: u32,
        /// The limit.
        limit: u32,
    },
    /// The peer's Set Chunk Size is 0 or has its top bit set (§5.4.1).
    #[error("peer set invalid chunk size {0} (must be 1 to 2^31-1)")]
    InvalidChunkSize(u32),
    /// A message header announces more than
    /// [`ReaderLimits::max_message_len`](crate::chunk::ReaderLimits::max_message_len).
    #[error("message of {length} bytes on chunk stream {csid} exceeds the limit of {limit}")]
    MessageTooLarge {
        /// The chunk stream it came on.
        csid: u32,
        /// The announced message length.
        length: u32,
        /// The limit.
        limit: u32,
    },
    /// The peer used more than
    /// [`ReaderLimits::max_chunk_streams`](crate::chunk::ReaderLimits::max_chunk_streams)
    /// chunk streams.
    #[error("peer opened more than {limit} chunk streams")]
    TooManyChunkStreams {
        /// The limit.
        limit: usize,
    },
    /// Messages begun but not finished, over all chunk streams, would hold more than
    /// [`ReaderLimits::max_partial_bytes`](crate::chunk::ReaderLimits::max_partial_bytes).
    #[error("partially received messages would hold more than {limit} bytes")]
    PartialBytesExceeded {
        /// The limit.
        limit: usize,
    },
    /// A compressed chunk header (type 1, 2 or 3) on a chunk stream with nothing to
    /// compress against.
    #[error("chunk header type {fmt} on chunk stream {csid}, which has no previous header")]
    NoPreviousHeader {
        /// The chunk stream.
        csid: u32,
        /// The chunk header type (fmt).
        fmt: u8,
    },
    /// A chunk header of type 0, 1 or 2 where only a type 3 may continue the message in
    /// progress (§5.3.1.2.4).
    #[error("chunk header type {fmt} on chunk stream {csid} interrupts an unfinished message")]
    InterruptedMessage {
        /// The chunk stream.
        csid: u32,
        /// The chunk header type (fmt).
        fmt: u8,
    },

    /// A protocol control, user control or command message shorter than its fields.
    #[error("{what} payload too short: {len} bytes")]
    ShortPayload {
        /// The message or field being read.
        what: &'static str,
        /// The payload's length.
        len: usize,
    },
    /// A command or data message body that is not valid AMF0.
    #[error("AMF0: {0}")]
    Amf0(#[from] amf0::Amf0Error),
    /// A command without the name, transaction id or arguments it needs.
    #[error("malformed command: {0}")]
    MalformedCommand(&'static str),
    /// A client called `createStream` more often than the server allows.
    #[error("client created more than {limit} message streams")]
    TooManyStreams {
        /// The limit.
        limit: usize,
    },
    /// A message or command for a message stream id that was never created.
    #[error("no message stream {0} on this connection")]
    UnknownStream(u32),
    /// A call or command that the session's state does not allow, such as a command before
    /// `connect` or sending media when not publishing.
    #[error("{0}")]
    InvalidState(&'static str),
}
