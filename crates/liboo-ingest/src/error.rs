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
}
