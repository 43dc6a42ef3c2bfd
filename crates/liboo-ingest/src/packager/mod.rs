//! The packager: one broadcast's FLV tags -> segmenter -> segments and playlists queued for
//! the uploader. It outlives a publisher's connection during the reconnect grace, so a host who
//! comes back continues the same broadcast.
//!
//! It is put together from parts with one job each: [`flv_in`] parses the tags and keeps
//! the codec configuration; [`hls::LiveSegmenter`] cuts MPEG-TS segments or fMP4 parts and
//! segments; `upload` queues what it made for the uploader and takes the uploader's reports
//! back; [`listing`] (sans-IO) decides what the playlists name, given those reports;
//! `publish` renders and queues the playlists; `finish` ends the media. The source's
//! packager also feeds the quality ladder ([`crate::ladder`]), which knows it only as a
//! [`crate::ladder::Sink`] for each rendition's own packager.

mod finish;
mod flv_in;
mod listing;
mod publish;
#[cfg(test)]
pub(crate) mod tests;
mod upload;

use bytes::Bytes;
use hls::{HlsError, LiveSegmenter, SegmenterConfig};
use liboo_storage::MediaStore;
use liboo_storage::layout::BroadcastPrefix;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use std::sync::Arc;
use std::time::Duration;

use crate::IngestError;
use crate::frames::{FrameSchedule, Frames};
use crate::health::HealthMeter;
use crate::ladder::Ladder;
use crate::playlists::LivePlaylists;
use crate::uploader::{Msg, Report, Uploader};
use flv_in::{AudioIn, FlvIn, VideoIn};
use listing::Listing;
pub(crate) use publish::Reports;

/// Who a broadcast belongs to and where its media goes.
#[derive(Debug, Clone)]
pub(crate) struct BroadcastInfo {
    pub id: i64,
    pub session_key: String,
    pub video_id: String,
    /// `live/{sessionKey}/{videoId}` (or a rendition's folder below it).
    pub prefix: BroadcastPrefix,
}

/// Media state of one broadcast (or of one rendition of it).
#[derive(Debug)]
pub(crate) struct Packager {
    pub info: BroadcastInfo,
    input: FlvIn,
    segmenter: LiveSegmenter,
    listing: Listing,
    /// The fMP4 init segment in force: frames decode segments with it.
    init: Option<Bytes>,
    /// The uploader's word on queued media.
    upload_reports: mpsc::UnboundedReceiver<Report>,
    /// The disk under the store is full (why): the broadcast must end.
    full: Option<String>,
    /// Wall clock (Unix ms) of the latest publish, and the output-timeline time of the first
    /// segment after it: `EXT-X-PROGRAM-DATE-TIME` = wall + (segment start - media).
    anchor_wall_ms: i64,
    anchor_media_ms: Option<i64>,
    /// Frame thumbnails, when ffmpeg is there.
    frames: FrameSchedule,
    /// The stream as received, for the host.
    pub(crate) health: HealthMeter,
    /// The source of a broadcast, or one of its renditions.
    role: Role,
    /// The rung's name ("240p"), empty for the source.
    rung: String,
    /// Where every rendition of the broadcast stands, with a ladder in LL-HLS.
    reports: Option<Reports>,
    /// Lower renditions of the source, with `--transcode`.
    ladder: Option<Box<LadderSide>>,
    /// In front of URIs in the channel's playlist: the video id, or an absolute base.
    channel_uri_prefix: String,
    /// Where blocking reloads of low-latency playlists wait (None: classic HLS).
    playlists: Option<LivePlaylists>,
    uploads: mpsc::Sender<Msg>,
    uploader: JoinHandle<()>,
    /// Where old parts are deleted.
    media: MediaStore,
    segment_target: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The publisher's own stream: the channel's playlists, the replay in the database.
    Source,
    /// A transcoded rung of the ladder: its own playlists only.
    Rendition,
}

/// The source's ladder, and what its renditions' packagers are made with.
#[derive(Debug)]
struct LadderSide {
    ladder: Ladder,
    settings: crate::IngestConfig,
    playlists: LivePlaylists,
}

impl Packager {
    /// The packager of a broadcast's source (the publisher's stream).
    pub(crate) fn new(
        info: BroadcastInfo,
        media: MediaStore,
        settings: &crate::IngestConfig,
        frames: Option<Arc<Frames>>,
        playlists: LivePlaylists,
        now_ms: i64,
    ) -> Packager {
        let ladder = (!settings.ladder.is_empty()).then(|| {
            Box::new(LadderSide {
                ladder: Ladder::new(if settings.transcoder_available {
                    settings.ladder.clone()
                } else {
                    Vec::new()
                }),
                settings: settings.clone(),
                playlists: playlists.clone(),
            })
        });
        let mut packager = Self::build(info, media, settings, playlists, now_ms);
        packager.role = Role::Source;
        metrics::gauge!("liboo_ingest_live_streams").increment(1.0);
        // `Ingest::new` makes no frame maker when frames are switched off.
        packager.frames = FrameSchedule::new(frames, settings.frame_interval);
        if ladder.is_some() && settings.part_target.is_some() {
            packager.reports = Some(Reports::default());
        }
        packager.ladder = ladder;
        packager
    }

    /// The packager of one rendition, into `info.prefix`; its program date times
    /// follow the source's wall clock.
    pub(crate) fn rendition(
        info: BroadcastInfo,
        media: MediaStore,
        settings: &crate::IngestConfig,
        playlists: LivePlaylists,
        anchor_wall_ms: i64,
        rung: String,
        reports: Option<Reports>,
    ) -> Packager {
        let mut packager = Self::build(info, media, settings, playlists, anchor_wall_ms);
        packager.rung = rung;
        packager.reports = reports;
        packager
    }

    /// What every packager has: a rendition's, without frames, rendition reports or a
    /// ladder, its program date times anchored at `now_ms`.
    fn build(
        info: BroadcastInfo,
        media: MediaStore,
        settings: &crate::IngestConfig,
        playlists: LivePlaylists,
        now_ms: i64,
    ) -> Packager {
        let config = SegmenterConfig {
            target_duration_ms: (settings.segment_target.as_millis() as i64).max(1),
            ..SegmenterConfig::default()
        };
        let part_target_ms = settings
            .part_target
            .map(|part| (part.as_millis() as i64).max(1));
        let input = FlvIn::default();
        let segmenter = LiveSegmenter::new(config, part_target_ms, input.limits());
        let listing = Listing::new(
            config.playlist_target_duration(),
            settings.live_window,
            part_target_ms,
            info.video_id.clone(),
        );
        let channel_uri_prefix = match &settings.media_uri_base {
            Some(base) => format!("{}/{}/", base.trim_end_matches('/'), info.prefix),
            None => format!("{}/", info.video_id),
        };
        let (uploads, rx) = mpsc::channel(settings.upload_queue.max(1));
        let (reports_tx, upload_reports) = mpsc::unbounded_channel();
        let uploader = Uploader::new(
            media.clone(),
            settings.min_free_bytes,
            info.video_id.clone(),
            reports_tx,
        );
        let uploader = tokio::spawn(uploader.run(rx));
        Packager {
            info,
            input,
            segmenter,
            listing,
            init: None,
            upload_reports,
            full: None,
            anchor_wall_ms: now_ms,
            anchor_media_ms: None,
            frames: FrameSchedule::new(None, settings.frame_interval),
            health: HealthMeter::default(),
            role: Role::Rendition,
            rung: String::new(),
            reports: None,
            ladder: None,
            channel_uri_prefix,
            playlists: part_target_ms.is_some().then_some(playlists),
            uploads,
            uploader,
            media,
            segment_target: settings.segment_target,
        }
    }

    /// The publisher came back after a drop: close the open segment, and start the next one
    /// with `EXT-X-DISCONTINUITY` and a fresh wall-clock anchor.
    pub(crate) fn resume(&mut self, now_ms: i64) {
        if let Some(side) = self.ladder.as_mut() {
            side.ladder.rebase();
        }
        let made = self.segmenter.mark_discontinuity();
        self.queue_made(made);
        self.anchor_wall_ms = now_ms;
        self.anchor_media_ms = None;
        self.input.reset();
    }

    /// The publisher stopped cleanly (`FCUnpublish`, `deleteStream`): closes the open
    /// segment now, so that its last frames are stored and listed at once, while the
    /// broadcast waits out its reconnect grace with its playlists still open. If the
    /// publisher comes back, its first segment follows an `EXT-X-DISCONTINUITY`.
    pub(crate) fn flush(&mut self) {
        let made = self.segmenter.mark_discontinuity();
        self.queue_made(made);
    }

    /// Packages one FLV video tag body; `Ok(true)` when it was a keyframe picture (not a
    /// sequence header), for the connection's read batching.
    pub(crate) fn video(&mut self, ts_ms: i64, body: Bytes) -> Result<bool, IngestError> {
        self.settle()?;
        let video = self.input.video(&body)?;
        if let Some(side) = self.ladder.as_mut() {
            let header = matches!(video.packet, VideoIn::Config { .. });
            side.ladder
                .forward(flv::TagType::Video, ts_ms, &body, header);
        }
        match video.packet {
            VideoIn::Config { record } => {
                let avc = self.input.avc().expect("a sequence header was just read");
                let size = self.input.size();
                self.segmenter.set_video_config(avc, record, size);
                self.health.video_config(avc, size);
                self.start_ladder();
            }
            VideoIn::Frame {
                composition_time,
                keyframe,
                data,
            } => {
                self.health.video_frame(ts_ms, data.len(), keyframe);
                let made = self
                    .segmenter
                    .push_video(ts_ms, composition_time, keyframe, data)
                    .map_err(segmenter_error)?;
                self.queue_made(made);
            }
            VideoIn::Unconfigured => return Err(IngestError::NoSequenceHeader),
            VideoIn::Other => {}
        }
        Ok(video.key_picture)
    }

    /// Packages one FLV audio tag body.
    pub(crate) fn audio(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        self.settle()?;
        let audio = self.input.audio(&body)?;
        if let Some(side) = self.ladder.as_mut() {
            let header = matches!(audio, AudioIn::Config { .. });
            side.ladder
                .forward(flv::TagType::Audio, ts_ms, &body, header);
        }
        match audio {
            AudioIn::Config { record } => {
                let asc = self.input.asc().expect("a sequence header was just read");
                self.segmenter.set_audio_config(asc, record);
                self.health.audio_config(asc);
            }
            AudioIn::Frame { raw, configured } => {
                self.health.audio_frame(ts_ms, raw.len());
                // Raw AAC before its AudioSpecificConfig cannot be framed; drop it.
                if configured {
                    let made = self
                        .segmenter
                        .push_audio(ts_ms, raw)
                        .map_err(segmenter_error)?;
                    self.queue_made(made);
                }
            }
        }
        Ok(())
    }

    /// Starts the renditions once the source's picture size is known.
    fn start_ladder(&mut self) {
        let (Some(side), Some(size)) = (self.ladder.as_mut(), self.input.size()) else {
            return;
        };
        let LadderSide {
            ladder,
            settings,
            playlists,
        } = &mut **side;
        let (info, media, reports) = (&self.info, &self.media, &self.reports);
        let anchor_wall_ms = self.anchor_wall_ms;
        ladder.start(size, &info.video_id, |rung| {
            Packager::rendition(
                BroadcastInfo {
                    prefix: info.prefix.rendition(&rung.name()),
                    ..info.clone()
                },
                media.clone(),
                settings,
                playlists.clone(),
                anchor_wall_ms,
                rung.name(),
                reports.clone(),
            )
        });
    }
}

/// A frame the segmenter could not frame is the publisher's fault, like a tag that does
/// not parse: said as FLV, as before the segmenter did the framing.
fn segmenter_error(e: HlsError) -> IngestError {
    match e {
        HlsError::Flv(e) => IngestError::Flv(e),
        e => IngestError::Hls(e),
    }
}
