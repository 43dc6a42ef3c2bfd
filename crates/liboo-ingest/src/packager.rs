//! The packager: one broadcast's FLV tags -> segmenter -> segments and playlists queued for
//! the uploader. It outlives a publisher's connection during the reconnect grace, so a host who
//! comes back continues the same broadcast.

use bytes::Bytes;
use flv::{AacPacket, AudioSpecificConfig, AudioTag, AvcDecoderConfig, VideoPacket, VideoTag};
use hls::{Playlist, PlaylistEntry, SegmentComplete, Segmenter, SegmenterConfig};
use liboo_db::Db;
use liboo_storage::MediaStore;
use mpegts::{AudioFrame, VideoFrame};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use std::sync::Arc;

use crate::IngestError;
use crate::frames::Frames;
use crate::uploader::{self, Upload};

/// Stored segments between two writes of the growing replay playlist (fewer with a live
/// window this small), so the window always holds every segment the stored replay lacks.
pub(crate) const REPLAY_EVERY: u64 = 5;

pub(crate) fn replay_key(prefix: &str) -> String {
    format!("{prefix}/replay.m3u8")
}

/// Who a broadcast belongs to and where its media goes.
#[derive(Debug, Clone)]
pub(crate) struct BroadcastInfo {
    pub id: i64,
    pub session_key: String,
    pub video_id: String,
    /// `live/{sessionKey}/{videoId}`.
    pub prefix: String,
}

/// Media state of one broadcast.
#[derive(Debug)]
pub(crate) struct Packager {
    pub info: BroadcastInfo,
    limits: flv::Limits,
    segmenter: Segmenter,
    live: Playlist,
    vod: Playlist,
    avc: Option<AvcDecoderConfig>,
    asc: Option<AudioSpecificConfig>,
    adts: Vec<u8>,
    /// Sequence number of the next stored segment. Ours rather than the segmenter's, so that a
    /// segment dropped on a full upload queue leaves no gap in the playlists.
    next_sequence: u64,
    /// A segment was dropped: the next stored one starts a new timeline.
    gap: bool,
    /// Sum of stored segment durations: the replay's length.
    duration_ms: i64,
    /// Wall clock (Unix ms) of the latest publish, and the output-timeline time of the first
    /// segment after it: `EXT-X-PROGRAM-DATE-TIME` = wall + (segment start - media).
    anchor_wall_ms: i64,
    anchor_media_ms: Option<i64>,
    /// Stored segments between two writes of the growing replay.
    replay_every: u64,
    /// Frame thumbnails, when ffmpeg is there: one per `frame_every_ms` of media.
    frames: Option<Arc<Frames>>,
    frame_every_ms: i64,
    next_frame_ms: Option<i64>,
    uploads: mpsc::Sender<Upload>,
    uploader: JoinHandle<()>,
}

impl Packager {
    pub(crate) fn new(
        info: BroadcastInfo,
        media: MediaStore,
        settings: &crate::IngestConfig,
        frames: Option<Arc<Frames>>,
        now_ms: i64,
    ) -> Packager {
        let segment_target_ms = settings.segment_target.as_millis() as i64;
        let live_window = settings.live_window;
        let queue = settings.upload_queue;
        let config = SegmenterConfig {
            target_duration_ms: segment_target_ms.max(1),
            ..SegmenterConfig::default()
        };
        let target = config.playlist_target_duration();
        let (uploads, rx) = mpsc::channel(queue.max(1));
        let uploader = tokio::spawn(uploader::run(media, rx));
        metrics::gauge!("liboo_ingest_live_streams").increment(1.0);
        Packager {
            info,
            limits: flv::Limits::default(),
            segmenter: Segmenter::new(config),
            live: Playlist::live(target, live_window),
            vod: Playlist::event(target),
            avc: None,
            asc: None,
            adts: Vec::new(),
            next_sequence: 0,
            gap: false,
            duration_ms: 0,
            anchor_wall_ms: now_ms,
            anchor_media_ms: None,
            replay_every: (live_window.max(3) as u64 - 1).min(REPLAY_EVERY),
            frame_every_ms: settings.frame_interval.as_millis() as i64,
            frames: frames.filter(|_| !settings.frame_interval.is_zero()),
            next_frame_ms: None,
            uploads,
            uploader,
        }
    }

    /// The publisher came back after a drop: close the open segment, and start the next one
    /// with `EXT-X-DISCONTINUITY` and a fresh wall-clock anchor.
    pub(crate) fn resume(&mut self, now_ms: i64) {
        if let Some(seg) = self.segmenter.mark_discontinuity() {
            self.store(seg);
        }
        self.anchor_wall_ms = now_ms;
        self.anchor_media_ms = None;
        self.avc = None;
        self.asc = None;
    }

    pub(crate) fn video(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        let tag = VideoTag::parse(body, &self.limits)?;
        let done = match tag.packet {
            VideoPacket::SequenceHeader(config) => {
                self.segmenter
                    .set_parameter_sets(config.sps.clone(), config.pps.clone());
                self.avc = Some(config);
                None
            }
            VideoPacket::Nalus {
                composition_time,
                data,
            } => {
                let avc = self.avc.as_ref().ok_or(IngestError::NoSequenceHeader)?;
                let nal_units = avc.split_nal_units(&data, &self.limits)?;
                self.segmenter.push_video(&VideoFrame {
                    dts_ms: ts_ms,
                    composition_time_ms: composition_time,
                    keyframe: tag.frame_type.is_keyframe(),
                    nal_units: &nal_units,
                })?
            }
            VideoPacket::EndOfSequence | VideoPacket::Command(_) => None,
        };
        if let Some(seg) = done {
            self.store(seg);
        }
        Ok(())
    }

    pub(crate) fn audio(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        let done = match AudioTag::parse(body)?.packet {
            AacPacket::SequenceHeader(asc) => {
                self.asc = Some(asc);
                None
            }
            AacPacket::Raw(raw) => {
                // Raw AAC before its AudioSpecificConfig cannot be framed; drop it.
                let Some(asc) = self.asc else {
                    return Ok(());
                };
                self.adts.clear();
                asc.write_adts(&raw, &mut self.adts)?;
                self.segmenter.push_audio(&AudioFrame {
                    pts_ms: ts_ms,
                    adts: &self.adts,
                })?
            }
        };
        if let Some(seg) = done {
            self.store(seg);
        }
        Ok(())
    }

    /// Queues a finished segment and the playlists that now name it. Never waits: on a full
    /// queue the segment is dropped and counted, and the next one is marked discontinuous.
    fn store(&mut self, seg: SegmentComplete) {
        let sequence = self.next_sequence;
        let uri = format!("seg{sequence:05}.ts");
        let key = format!("{}/{uri}", self.info.prefix);
        let len = seg.data.len() as u64;
        if let Some(frames) = &self.frames
            && self.next_frame_ms.is_none_or(|next| seg.start_ms >= next)
        {
            frames.capture(self.info.id, &self.info.prefix, seg.data.clone());
            self.next_frame_ms = Some(seg.start_ms + self.frame_every_ms);
        }
        if let Err(e) = self.uploads.try_send(Upload {
            key,
            data: seg.data,
        }) {
            metrics::counter!("liboo_ingest_dropped_segments_total").increment(1);
            tracing::warn!(
                session_key = %self.info.session_key,
                video_id = %self.info.video_id,
                error = %e,
                "upload queue full: dropped a segment"
            );
            self.gap = true;
            return;
        }
        metrics::counter!("liboo_ingest_segments_total").increment(1);
        metrics::counter!("liboo_ingest_bytes_total").increment(len);
        let media_anchor = *self.anchor_media_ms.get_or_insert(seg.start_ms);
        let entry = PlaylistEntry {
            sequence,
            duration_ms: seg.duration_ms,
            uri,
            program_date_time_ms: Some(self.anchor_wall_ms + seg.start_ms - media_anchor),
            discontinuity: seg.discontinuity || std::mem::take(&mut self.gap),
        };
        if let Err(e) = self.live.push(entry.clone()) {
            tracing::error!(video_id = %self.info.video_id, error = %e, "live playlist refused a segment");
        }
        if let Err(e) = self.vod.push(entry) {
            tracing::error!(video_id = %self.info.video_id, error = %e, "replay playlist refused a segment");
        }
        self.next_sequence += 1;
        self.duration_ms += seg.duration_ms;
        // Playlists are superseded by the next one, so a full queue just skips this version.
        for (key, body) in self.live_playlists() {
            let _ = self.uploads.try_send(Upload { key, data: body });
        }
        // The growing replay, every few segments: if this node dies, it and the live
        // window (which holds more than the segments since) make the replay whole.
        if self.next_sequence.is_multiple_of(self.replay_every) {
            let _ = self.uploads.try_send(Upload {
                key: replay_key(&self.info.prefix),
                data: Bytes::from(self.vod.render("")),
            });
        }
    }

    /// The broadcast's own live playlist and the channel's stable one.
    fn live_playlists(&self) -> [(String, Bytes); 2] {
        [
            (
                format!("{}/index.m3u8", self.info.prefix),
                Bytes::from(self.live.render("")),
            ),
            (
                format!("live/{}/index.m3u8", self.info.session_key),
                Bytes::from(self.live.render(&format!("{}/", self.info.video_id))),
            ),
        ]
    }

    /// Ends the broadcast: flushes the partial segment, writes the final playlists and the
    /// replay, waits for storage, then marks the broadcast ended in the database.
    pub(crate) async fn finish(mut self, db: &Db, now_ms: i64) -> Result<(), IngestError> {
        if let Some(seg) = self.segmenter.finish() {
            // The last segment may not be dropped: wait for room this once.
            while self.uploads.capacity() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            self.store(seg);
        }
        self.live.finish();
        self.vod.finish();
        let mut finals: Vec<(String, Bytes)> = self.live_playlists().into();
        finals.push((
            replay_key(&self.info.prefix),
            Bytes::from(self.vod.render("")),
        ));
        for (key, data) in finals {
            // The uploader only stops when the sender is dropped, so this cannot fail.
            let _ = self.uploads.send(Upload { key, data }).await;
        }
        let Packager {
            uploads,
            uploader,
            duration_ms,
            info,
            ..
        } = self;
        drop(uploads);
        let _ = uploader.await;
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The first segment the packager makes of the committed fixture, as stored.
    pub(crate) async fn first_segment_of_fixture() -> Bytes {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let media = MediaStore::open(&url, &Default::default()).unwrap();
        let info = BroadcastInfo {
            id: 1,
            session_key: "s".to_owned(),
            video_id: "v".to_owned(),
            prefix: "live/s/v".to_owned(),
        };
        let mut packager = Packager::new(
            info,
            media.clone(),
            &crate::IngestConfig::default(),
            None,
            0,
        );
        let flv = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/testsrc.flv"
        ))
        .unwrap();
        let (_, tags) = flv::FlvReader::read_all(&flv, flv::Limits::default()).unwrap();
        for tag in tags {
            let ts = i64::from(tag.timestamp);
            match tag.tag_type {
                flv::TagType::Video => packager.video(ts, tag.body).unwrap(),
                flv::TagType::Audio => packager.audio(ts, tag.body).unwrap(),
                _ => {}
            }
        }
        for _ in 0..100 {
            if let Ok(bytes) = media.get_bytes("live/s/v/seg00000.ts").await {
                return bytes;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the packager stored no segment");
    }
}
