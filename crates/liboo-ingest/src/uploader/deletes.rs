//! Deleting LL-HLS parts no playlist lists any more: they only serve the live edge. The
//! uploader deletes them when idle while the broadcast runs, an ending broadcast's last
//! ones go after a delay, and salvage removes a crashed node's. Best effort, because a
//! part left behind only costs space.

use std::time::Duration;

use liboo_storage::MediaStore;

/// Deletes stored LL-HLS parts after `delay`, in the background and best effort: a part
/// left behind only costs space.
pub(crate) fn delete_parts(
    media: MediaStore,
    video_id: String,
    keys: Vec<String>,
    delay: Duration,
) {
    if keys.is_empty() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        delete_stored_parts(&media, &video_id, &keys).await;
    });
}

/// Deletes stored LL-HLS parts of broadcast `video_id` now, best effort, counting in
/// `/metrics` what was deleted and what was not.
pub(crate) async fn delete_stored_parts(media: &MediaStore, video_id: &str, keys: &[String]) {
    let mut deleted = 0u64;
    for key in keys {
        match media.delete(key).await {
            Ok(()) => deleted += 1,
            Err(e) => {
                metrics::counter!("liboo_ingest_failed_part_deletes_total").increment(1);
                tracing::debug!(%video_id, key, error = %e, "a part was not deleted");
            }
        }
    }
    metrics::counter!("liboo_ingest_deleted_parts_total").increment(deleted);
}
