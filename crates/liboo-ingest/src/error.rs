//! The crate's one error type.

use std::io;

/// Everything that can end a connection or fail a broadcast.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Reading or writing the publisher's socket failed.
    #[error("socket: {0}")]
    Io(#[from] io::Error),
    /// The peer broke the RTMP protocol or one of its limits.
    #[error("RTMP: {0}")]
    Rtmp(#[from] rtmp::Error),
    /// An audio or video tag body that `flv` refuses: malformed, or of a codec or profile
    /// that cannot be packaged (only H.264 and AAC can).
    #[error("FLV: {0}")]
    Flv(#[from] flv::FlvError),
    /// The segmenter refused the media.
    #[error("HLS: {0}")]
    Hls(#[from] hls::HlsError),
    /// A database call failed.
    #[error("database: {0}")]
    Db(#[from] liboo_db::DbError),
    /// The media store failed.
    #[error("storage: {0}")]
    Storage(#[from] liboo_storage::StorageError),
    /// A publishing connection sent no media, or a write to it could not finish, within
    /// [`IngestConfig::media_timeout`](crate::IngestConfig::media_timeout).
    #[error("no data from the peer for {0:?}")]
    Timeout(std::time::Duration),
    /// No complete handshake within
    /// [`IngestConfig::handshake_timeout`](crate::IngestConfig::handshake_timeout).
    #[error("no complete RTMP handshake within {0:?}")]
    HandshakeTimeout(std::time::Duration),
    /// No publish within [`IngestConfig::idle_timeout`](crate::IngestConfig::idle_timeout)
    /// of the handshake or the end of the last publish.
    #[error("no publish within {0:?} of the handshake or the last publish")]
    IdleTimeout(std::time::Duration),
    /// A video frame came before the AVC decoder configuration needed to package it.
    #[error("H.264 frame before its sequence header")]
    NoSequenceHeader,
    /// The disk under the local media store is full (or below its reserve), so the
    /// broadcast ends; the uploader's reason.
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
