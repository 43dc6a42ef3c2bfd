//! The crate's one error type.

use std::io;

/// Everything that can end a connection or fail a broadcast.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("socket: {0}")]
    Io(#[from] io::Error),
    #[error("RTMP: {0}")]
    Rtmp(#[from] rtmp::Error),
    #[error("FLV: {0}")]
    Flv(#[from] flv::FlvError),
    #[error("HLS: {0}")]
    Hls(#[from] hls::HlsError),
    #[error("database: {0}")]
    Db(#[from] liboo_db::DbError),
    #[error("storage: {0}")]
    Storage(#[from] liboo_storage::StorageError),
    #[error("no data from the peer for {0:?}")]
    Timeout(std::time::Duration),
    #[error("no complete RTMP handshake within {0:?}")]
    HandshakeTimeout(std::time::Duration),
    #[error("no publish within {0:?} of the handshake or the last publish")]
    IdleTimeout(std::time::Duration),
    #[error("H.264 frame before its sequence header")]
    NoSequenceHeader,
    #[error("media storage is full: {0}")]
    StorageFull(String),
}

impl IngestError {
    /// The peer went away (a normal hang-up), as opposed to a fault on either side.
    pub fn is_disconnect(&self) -> bool {
        match self {
            IngestError::Io(e) => matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            ),
            _ => false,
        }
    }

    /// The configurable limit that ended a connection, if one did: its name (the `limit`
    /// label of `liboo_limit_hits_total`) and the `liboo serve` flag that raises it.
    pub fn limit(&self) -> Option<(&'static str, &'static str)> {
        match self {
            IngestError::HandshakeTimeout(_) => {
                Some(("rtmp_handshake_timeout", "--rtmp-handshake-timeout"))
            }
            IngestError::IdleTimeout(_) => Some(("rtmp_idle_timeout", "--rtmp-idle-timeout")),
            IngestError::Rtmp(rtmp::Error::MessageTooLarge { .. }) => {
                Some(("rtmp_max_message_bytes", "--rtmp-max-message-bytes"))
            }
            IngestError::Rtmp(rtmp::Error::TooManyChunkStreams { .. }) => {
                Some(("rtmp_max_chunk_streams", "--rtmp-max-chunk-streams"))
            }
            _ => None,
        }
    }
}
