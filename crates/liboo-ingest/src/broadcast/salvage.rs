//! Replays of broadcasts whose ingest node died: the growing replay playlist that the
//! packager stores every few segments, completed from the live window stored after it,
//! then ended, so the broadcast plays to the last segment that reached storage.

use bytes::Bytes;
use hls::Playlist;
use liboo_db::Db;
use liboo_storage::layout::{self, BroadcastPrefix};
use liboo_storage::{MediaStore, StorageError};

use crate::IngestError;
use crate::uploader::delete_stored_parts;

/// Ends the channel's live broadcast if its node has not reported since `before_ms`,
/// and makes its replay from what reached storage. Returns the ended broadcast's id.
/// Every node's sweeper and a host publishing again both come here.
pub async fn end_abandoned(
    db: &Db,
    media: &MediaStore,
    channel_id: i64,
    session_key: &str,
    before_ms: i64,
) -> Result<Option<i64>, IngestError> {
    let Some((id, video_id)) = db.end_abandoned_broadcast(channel_id, before_ms).await? else {
        return Ok(None);
    };
    tracing::warn!(
        session_key,
        video_id,
        "ended a broadcast whose ingest node stopped reporting"
    );
    match salvage_replay(media, session_key, &video_id).await {
        Ok(Some(duration_ms)) => {
            tracing::info!(video_id, duration_ms, "replay salvaged");
            db.set_broadcast_duration(id, duration_ms).await?;
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(
            video_id,
            error = %e,
            "could not salvage the replay; it ends where its stored playlist does"
        ),
    }
    delete_parts(
        media,
        &video_id,
        &BroadcastPrefix::new(session_key, &video_id),
    )
    .await;
    Ok(Some(id))
}

/// Deletes the LL-HLS parts a dead node left under `prefix`: they only served the live
/// edge, and the replay plays whole segments. Best effort: a part that stays only costs
/// space.
async fn delete_parts(media: &MediaStore, video_id: &str, prefix: &BroadcastPrefix) {
    let keys = match media.list(prefix.as_str()).await {
        Ok(keys) => keys,
        Err(e) => {
            tracing::warn!(%prefix, error = %e, "could not list a dead broadcast's parts to delete them");
            return;
        }
    };
    let parts: Vec<String> = keys.into_iter().filter(|k| layout::is_part(k)).collect();
    delete_stored_parts(media, video_id, &parts).await;
}

/// Ends the replay (and the channel's live playlist, if it still names this broadcast)
/// of a broadcast that was not finished by its ingest node. Returns the replay's length
/// in ms, or `None` when there is nothing to do (already ended, or no segment stored).
pub async fn salvage_replay(
    media: &MediaStore,
    session_key: &str,
    video_id: &str,
) -> Result<Option<i64>, IngestError> {
    let prefix = BroadcastPrefix::new(session_key, video_id);
    let replay = read(media, &prefix.replay_playlist()).await?;
    if replay.as_ref().is_some_and(Playlist::is_ended) {
        return Ok(None);
    }
    let live = read(media, &prefix.live_playlist()).await?;
    let mut vod = match (replay, &live) {
        (Some(replay), _) => replay,
        (None, Some(live)) => Playlist::event(live.target_duration()),
        (None, None) => return Ok(None),
    };
    if let Some(live) = &live {
        for entry in live.entries() {
            if vod
                .next_sequence()
                .is_some_and(|next| entry.sequence < next)
            {
                continue;
            }
            if let Err(e) = vod.push(entry.clone()) {
                tracing::warn!(video_id, error = %e, "salvaged replay stops short of the live window");
                break;
            }
        }
    }
    vod.finish();
    media
        .put(&prefix.replay_playlist(), Bytes::from(vod.render("")))
        .await?;
    let channel_key = layout::channel_playlist(session_key);
    if let Some(mut channel) = read(media, &channel_key).await?
        && !channel.is_ended()
        && channel
            .entries()
            .all(|e| e.uri.contains(&format!("{video_id}/")))
    {
        channel.finish();
        media
            .put(&channel_key, Bytes::from(channel.render("")))
            .await?;
    }
    Ok(Some(vod.entries().map(|e| e.duration_ms).sum()))
}

async fn read(media: &MediaStore, key: &str) -> Result<Option<Playlist>, IngestError> {
    match media.get_bytes(key).await {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            match Playlist::parse(&text) {
                Ok(p) => Ok(Some(p)),
                Err(e) => {
                    tracing::warn!(key, error = %e, "unreadable playlist left by a dead node");
                    Ok(None)
                }
            }
        }
        Err(StorageError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
