//! The uploader: one task per broadcast that writes segments and playlists to media storage in
//! the order they were queued, so a segment is always stored before any playlist naming it.

use std::time::Duration;

use bytes::Bytes;
use liboo_storage::MediaStore;
use tokio::sync::mpsc;

use crate::playlists::{LivePlaylists, Snapshot};

/// One object to store.
#[derive(Debug)]
pub(crate) struct Upload {
    pub key: String,
    pub data: Bytes,
    /// A live playlist to offer to blocking reloads once stored.
    pub publish: Option<Publish>,
}

impl Upload {
    pub(crate) fn new(key: String, data: Bytes) -> Upload {
        Upload {
            key,
            data,
            publish: None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Publish {
    pub playlists: LivePlaylists,
    /// Where the playlist stands; its text is the upload's data.
    pub snapshot: Snapshot,
}

/// Attempts per object before giving up on it. With the backoff below that is about 6 s of
/// retrying, longer than a typical S3 hiccup and shorter than the live window.
const ATTEMPTS: u32 = 6;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(3);

/// Stores queued objects until every sender is dropped.
pub(crate) async fn run(media: MediaStore, mut rx: mpsc::Receiver<Upload>) {
    while let Some(upload) = rx.recv().await {
        if put_with_retry(&media, &upload).await
            && let Some(Publish {
                playlists,
                snapshot,
            }) = upload.publish
        {
            playlists.publish(
                &upload.key,
                Snapshot {
                    text: upload.data,
                    ..snapshot
                },
            );
        }
    }
}

/// Whether the object was stored.
async fn put_with_retry(media: &MediaStore, upload: &Upload) -> bool {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match media.put(&upload.key, upload.data.clone()).await {
            Ok(()) => return true,
            Err(e) if attempt < ATTEMPTS => {
                tracing::warn!(key = %upload.key, attempt, error = %e, "upload failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Err(e) => {
                metrics::counter!("liboo_ingest_failed_uploads_total").increment(1);
                tracing::error!(key = %upload.key, error = %e, "upload failed; giving up");
            }
        }
    }
    false
}
