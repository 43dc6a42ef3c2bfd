//! How a packager ends: its renditions first, then its partial segment, every report
//! awaited, the final playlists and the replay, and the broadcast ended in the database.

use bytes::Bytes;
use liboo_db::Db;

use super::listing::PARTS_KEPT_FOR;
use super::{BroadcastInfo, Packager};
use crate::IngestError;
use crate::ladder;
use crate::uploader::{Msg, delete_parts};

impl Packager {
    /// Ends the broadcast: its renditions first, then the source's partial segment, final
    /// playlists and replay; waits for storage, then marks the broadcast ended in the
    /// database.
    pub(crate) async fn finish(mut self, db: &Db, now_ms: i64) -> Result<(), IngestError> {
        if let Some(side) = self.ladder.as_mut() {
            side.ladder.finish().await;
        }
        let (info, duration_ms) = self.finish_media().await;
        metrics::gauge!("liboo_ingest_live_streams").decrement(1.0);
        db.end_broadcast(info.id, now_ms, duration_ms).await?;
        tracing::info!(
            session_key = %info.session_key,
            video_id = %info.video_id,
            duration_ms,
            "broadcast ended"
        );
        Ok(())
    }

    /// Flushes the partial segment, writes the final playlists and the replay, and waits
    /// for storage. Returns who the media was and how long it lasted.
    pub(crate) async fn finish_media(mut self) -> (BroadcastInfo, i64) {
        // The last segment may not be dropped: wait for room this once. The packager is
        // the queue's only sender, so the room is still there when it queues.
        if self.uploads.max_capacity() >= 4 {
            drop(self.uploads.reserve_many(4).await);
        }
        let made = self.segmenter.finish();
        self.queue_made(made);
        // Every segment is listed or known lost before the final playlists: the uploader
        // answers for each, giving up on a failing store after a while.
        let _ = self.uploads.send(Msg::Finish).await;
        loop {
            while let Ok(report) = self.upload_reports.try_recv() {
                self.apply(report);
            }
            self.list_settled();
            if self.listing.is_settled() {
                break;
            }
            match self.upload_reports.recv().await {
                Some(report) => self.apply(report),
                // The uploader is gone: nothing more will be stored.
                None => self.listing.drop_all(),
            }
        }
        let parts = self.listing.finish();
        let keys = self.queue_final_playlists().await;
        // The final live playlist still lists the last segments' parts, for players at
        // the live edge: they go as late as they would have gone had the broadcast run on.
        let linger = self.segment_target * PARTS_KEPT_FOR as u32;
        delete_parts(
            self.media.clone(),
            self.info.video_id.clone(),
            parts,
            linger,
        );
        let duration_ms = self.listing.duration_ms();
        let Packager {
            uploads,
            uploader,
            info,
            playlists,
            ..
        } = self;
        drop(uploads);
        let _ = uploader.await;
        if let Some(playlists) = &playlists {
            for key in &keys {
                playlists.remove_if_ended(key);
            }
        }
        (info, duration_ms)
    }
}

/// A rendition's packager takes ffmpeg's output.
impl ladder::Sink for Packager {
    fn video(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        Packager::video(self, ts_ms, body).map(drop)
    }

    fn audio(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        Packager::audio(self, ts_ms, body)
    }

    async fn finish(self) {
        self.finish_media().await;
    }
}
