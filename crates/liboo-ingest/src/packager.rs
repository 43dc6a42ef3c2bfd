//! The packager: one broadcast's FLV tags -> segmenter -> segments and playlists queued for
//! the uploader. It outlives a publisher's connection during the reconnect grace, so a host who
//! comes back continues the same broadcast.
//!
//! What it makes (segments, parts, init segments) is listed in its playlists only once the
//! uploader reports it stored, in the order it was made; a segment the uploader dropped is
//! left out, and the next one listed starts with `EXT-X-DISCONTINUITY`. Playlist media
//! sequence numbers count listed segments, so after a drop they run behind the numbers in
//! the segments' names.

use bytes::Bytes;
use flv::{AacPacket, AudioSpecificConfig, AudioTag, AvcDecoderConfig, VideoPacket, VideoTag};
use hls::{
    CmafConfig, CmafEvent, CmafSegmenter, Part, Playlist, PlaylistEntry, RenditionReport,
    SEGMENTS_WITH_PARTS, SegmentComplete, Segmenter, SegmenterConfig,
};
use liboo_db::Db;
use liboo_storage::MediaStore;
use liboo_storage::layout::{self, BroadcastPrefix};
use mpegts::{AudioFrame, VideoFrame};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::IngestError;
use crate::frames::{Frames, Input};
use crate::health::HealthMeter;
use crate::ladder::{self, Rendition, Variant};
use crate::playlists::{LivePlaylists, Snapshot};
use crate::uploader::{Kind, Msg, Publish, Report, Upload, Uploader, delete_parts};

/// Stored segments between two writes of the growing replay playlist (fewer with a live
/// window this small), so the window always holds every segment the stored replay lacks.
pub(crate) const REPLAY_EVERY: u64 = 5;

/// Whole segments, counted back from the newest, whose parts stay stored. The live playlist
/// lists the parts of the last [`SEGMENTS_WITH_PARTS`]; a player that read an older version
/// of it may still ask for parts a while longer, so parts go this many segments later.
/// Parts only serve the live edge: the replay and anyone behind it play whole segments.
const PARTS_KEPT_FOR: usize = 2 * SEGMENTS_WITH_PARTS;

/// Who a broadcast belongs to and where its media goes.
#[derive(Debug, Clone)]
pub(crate) struct BroadcastInfo {
    pub id: i64,
    pub session_key: String,
    pub video_id: String,
    /// `live/{sessionKey}/{videoId}` (or a rendition's folder below it).
    pub prefix: BroadcastPrefix,
}

/// Media state of one broadcast.
#[derive(Debug)]
pub(crate) struct Packager {
    pub info: BroadcastInfo,
    limits: flv::Limits,
    mux: Mux,
    live: Playlist,
    vod: Playlist,
    avc: Option<AvcDecoderConfig>,
    /// The picture size its SPS gives, read once per sequence header.
    size: Option<(u32, u32)>,
    asc: Option<AudioSpecificConfig>,
    adts: Vec<u8>,
    /// Media sequence number of the next listed segment. Ours rather than the segmenter's,
    /// so that a dropped segment leaves no gap in the playlists.
    next_sequence: u64,
    /// Number in the name of the next MPEG-TS segment made.
    next_uri: u64,
    /// A segment was dropped: the next listed one starts a new timeline.
    gap: bool,
    /// Media queued for the uploader and not yet listed, in the order made.
    pending: VecDeque<Pending>,
    /// The uploader's word on queued media.
    upload_reports: mpsc::UnboundedReceiver<Report>,
    /// The disk under the store is full (why): the broadcast must end.
    full: Option<String>,
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
    /// The stream as received, for the host.
    pub(crate) health: HealthMeter,
    /// The source of a broadcast, or one of its renditions.
    role: Role,
    /// The rung's name ("240p"), empty for the source.
    rung: String,
    /// Where every rendition of the broadcast stands, with a ladder in LL-HLS.
    reports: Option<ladder::Reports>,
    /// Lower renditions of the source, with `--transcode`.
    ladder: Option<Box<Ladder>>,
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

/// Media queued for the uploader, waiting for its report.
#[derive(Debug)]
struct Pending {
    key: String,
    state: State,
    made: Made,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Queued,
    Stored,
    Dropped,
}

/// What a queued object becomes in the playlists once stored.
#[derive(Debug)]
enum Made {
    /// A segment: its entry (the sequence number is given when listed), its size, the
    /// init segment its parts need (fMP4) and the part that comes after it (LL-HLS).
    Segment {
        entry: PlaylistEntry,
        bytes: u64,
        init_version: Option<u32>,
        next_part: Option<String>,
    },
    /// A part of the segment being made, and the part after it.
    Part {
        part: Part,
        next: String,
    },
    Init {
        version: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The publisher's own stream: the channel's playlists, the replay in the database.
    Source,
    /// A transcoded rung of the ladder: its own playlists only.
    Rendition,
}

/// The source's side of the quality ladder.
#[derive(Debug)]
struct Ladder {
    /// Heights to make, when ffmpeg is there (else none: the master lists the source).
    heights: Vec<u32>,
    renditions: Vec<Rendition>,
    started: bool,
    settings: crate::IngestConfig,
    media: MediaStore,
    playlists: LivePlaylists,
    /// The latest sequence headers as FLV tags, for renditions that start after them.
    video_header: Option<Bytes>,
    audio_header: Option<Bytes>,
    /// Forwarded timestamps stay monotonic across a publisher's reconnect.
    offset_ms: i64,
    last_ms: i64,
    rebase: bool,
    master_written: bool,
}

impl Ladder {
    /// Hands a source tag to every rendition's ffmpeg, as FLV.
    fn forward(&mut self, kind: flv::TagType, ts_ms: i64, body: &Bytes, sequence_header: bool) {
        if sequence_header {
            match kind {
                flv::TagType::Video => self.video_header = Some(body.clone()),
                _ => self.audio_header = Some(body.clone()),
            }
        }
        if self.rebase {
            // The publisher came back with timestamps from zero: carry on after the last.
            self.offset_ms = self.last_ms + 33 - ts_ms;
            self.rebase = false;
        }
        let ts = (ts_ms + self.offset_ms).max(self.last_ms);
        self.last_ms = ts;
        if self.renditions.is_empty() {
            return;
        }
        let mut tag = Vec::with_capacity(body.len() + 15);
        flv::write_tag(&mut tag, kind, ts as u32, body);
        let tag = Bytes::from(tag);
        for r in &mut self.renditions {
            r.send(tag.clone());
        }
    }
}

/// The segment format.
#[derive(Debug)]
enum Mux {
    /// MPEG-TS segments, classic HLS.
    Ts(Box<Segmenter>),
    /// fMP4 parts and segments, LL-HLS.
    Cmaf(Box<Cmaf>),
}

#[derive(Debug)]
struct Cmaf {
    segmenter: CmafSegmenter,
    /// The init segment in force, its URI and bytes (frames decode parts with it).
    init: Option<(u32, String, Bytes)>,
    /// Init version of the last listed segment: the next entry names its map when it differs.
    listed_init: Option<u32>,
    /// A part of the open segment, or the segment before it, was dropped: list no more
    /// parts until the next whole segment.
    skip_parts: bool,
    /// An init segment that was dropped: segments that need it are not listed.
    missing_init: Option<u32>,
    /// Stored parts of the segment being made.
    stored_parts: Vec<String>,
    /// Stored parts of the latest whole segments, oldest first, to delete once they are
    /// [`PARTS_KEPT_FOR`] segments old.
    parts_by_segment: VecDeque<Vec<String>>,
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
            Box::new(Ladder {
                heights: if settings.transcoder_available {
                    settings.ladder.clone()
                } else {
                    Vec::new()
                },
                renditions: Vec::new(),
                started: false,
                settings: settings.clone(),
                media: media.clone(),
                playlists: playlists.clone(),
                video_header: None,
                audio_header: None,
                offset_ms: 0,
                last_ms: 0,
                rebase: false,
                master_written: false,
            })
        });
        let mut packager = Self::build(
            info,
            media,
            settings,
            frames,
            playlists,
            now_ms,
            Role::Source,
        );
        if ladder.is_some() && settings.part_target.is_some() {
            packager.reports = Some(ladder::Reports::default());
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
        reports: Option<ladder::Reports>,
    ) -> Packager {
        let mut packager = Self::build(
            info,
            media,
            settings,
            None,
            playlists,
            anchor_wall_ms,
            Role::Rendition,
        );
        packager.rung = rung;
        packager.reports = reports;
        packager
    }

    fn build(
        info: BroadcastInfo,
        media: MediaStore,
        settings: &crate::IngestConfig,
        frames: Option<Arc<Frames>>,
        playlists: LivePlaylists,
        now_ms: i64,
        role: Role,
    ) -> Packager {
        let segment_target_ms = settings.segment_target.as_millis() as i64;
        let live_window = settings.live_window;
        let queue = settings.upload_queue;
        let config = SegmenterConfig {
            target_duration_ms: segment_target_ms.max(1),
            ..SegmenterConfig::default()
        };
        let target = config.playlist_target_duration();
        let (mux, live) = match settings.part_target {
            Some(part) => {
                let part_target_ms = (part.as_millis() as i64).max(1);
                let segmenter = CmafSegmenter::new(CmafConfig {
                    segments: config,
                    part_target_ms,
                });
                (
                    Mux::Cmaf(Box::new(Cmaf {
                        segmenter,
                        init: None,
                        listed_init: None,
                        skip_parts: false,
                        missing_init: None,
                        stored_parts: Vec::new(),
                        parts_by_segment: VecDeque::new(),
                    })),
                    Playlist::low_latency(target, live_window, part_target_ms),
                )
            }
            None => (
                Mux::Ts(Box::new(Segmenter::new(config))),
                Playlist::live(target, live_window),
            ),
        };
        let channel_uri_prefix = match &settings.media_uri_base {
            Some(base) => format!("{}/{}/", base.trim_end_matches('/'), info.prefix),
            None => format!("{}/", info.video_id),
        };
        let (uploads, rx) = mpsc::channel(queue.max(1));
        let (reports_tx, upload_reports) = mpsc::unbounded_channel();
        let uploader = Uploader::new(
            media.clone(),
            settings.min_free_bytes,
            info.video_id.clone(),
            reports_tx,
        );
        let uploader = tokio::spawn(uploader.run(rx));
        if role == Role::Source {
            metrics::gauge!("liboo_ingest_live_streams").increment(1.0);
        }
        Packager {
            info,
            limits: flv::Limits::default(),
            channel_uri_prefix,
            health: HealthMeter::default(),
            role,
            rung: String::new(),
            reports: None,
            ladder: None,
            playlists: matches!(mux, Mux::Cmaf(_)).then_some(playlists),
            mux,
            live,
            vod: Playlist::event(target),
            avc: None,
            size: None,
            asc: None,
            adts: Vec::new(),
            next_sequence: 0,
            next_uri: 0,
            gap: false,
            pending: VecDeque::new(),
            upload_reports,
            full: None,
            duration_ms: 0,
            anchor_wall_ms: now_ms,
            anchor_media_ms: None,
            replay_every: (live_window.max(3) as u64 - 1).min(REPLAY_EVERY),
            frame_every_ms: settings.frame_interval.as_millis() as i64,
            // `Ingest::new` makes no frame maker when frames are switched off.
            frames,
            next_frame_ms: None,
            uploads,
            uploader,
            media,
            segment_target: settings.segment_target,
        }
    }

    /// The publisher came back after a drop: close the open segment, and start the next one
    /// with `EXT-X-DISCONTINUITY` and a fresh wall-clock anchor.
    pub(crate) fn resume(&mut self, now_ms: i64) {
        if let Some(ladder) = self.ladder.as_mut() {
            ladder.rebase = true;
        }
        self.close_segment(true);
        self.anchor_wall_ms = now_ms;
        self.anchor_media_ms = None;
        self.avc = None;
        self.asc = None;
    }

    /// The publisher stopped cleanly (`FCUnpublish`, `deleteStream`): closes the open
    /// segment now, so that its last frames are stored and listed at once, while the
    /// broadcast waits out its reconnect grace with its playlists still open. If the
    /// publisher comes back, its first segment follows an `EXT-X-DISCONTINUITY`.
    pub(crate) fn flush(&mut self) {
        self.close_segment(true);
    }

    /// Packages one FLV video tag body; `Ok(true)` when it was a keyframe picture (not a
    /// sequence header), for the connection's read batching.
    pub(crate) fn video(&mut self, ts_ms: i64, body: Bytes) -> Result<bool, IngestError> {
        self.settle()?;
        let tag = VideoTag::parse(body.clone(), &self.limits)?;
        let keyframe = tag.frame_type.is_keyframe();
        let key_picture = keyframe && matches!(tag.packet, VideoPacket::Nalus { .. });
        if let Some(ladder) = self.ladder.as_mut() {
            let header = matches!(tag.packet, VideoPacket::SequenceHeader(_));
            ladder.forward(flv::TagType::Video, ts_ms, &body, header);
        }
        let done = match tag.packet {
            VideoPacket::SequenceHeader(config) => {
                self.size = config
                    .sps
                    .first()
                    .and_then(|sps| flv::parse_sps(sps).ok())
                    .map(|sps| (sps.width, sps.height));
                match &mut self.mux {
                    Mux::Ts(segmenter) => {
                        segmenter.set_parameter_sets(config.sps.clone(), config.pps.clone());
                    }
                    Mux::Cmaf(cmaf) => {
                        let (width, height) = self.size.unwrap_or((0, 0));
                        // The record itself follows the 5-byte AVC video tag header.
                        cmaf.segmenter
                            .set_video_config(body.slice(5..), width, height);
                    }
                }
                self.health.video_config(&config, self.size);
                self.avc = Some(config);
                self.start_ladder();
                None
            }
            VideoPacket::Nalus {
                composition_time,
                data,
            } => {
                let avc = self.avc.as_ref().ok_or(IngestError::NoSequenceHeader)?;
                self.health.video_frame(ts_ms, data.len(), keyframe);
                match &mut self.mux {
                    Mux::Ts(segmenter) => {
                        let nal_units = avc.split_nal_units(&data, &self.limits)?;
                        segmenter.push_video(&VideoFrame {
                            dts_ms: ts_ms,
                            composition_time_ms: composition_time,
                            keyframe,
                            nal_units: &nal_units,
                        })?
                    }
                    Mux::Cmaf(cmaf) => {
                        let mut out = Vec::new();
                        cmaf.segmenter.push_video(
                            ts_ms,
                            composition_time,
                            keyframe,
                            data,
                            &mut out,
                        );
                        self.handle(out);
                        None
                    }
                }
            }
            VideoPacket::EndOfSequence | VideoPacket::Command(_) => None,
        };
        if let Some(seg) = done {
            self.store(seg);
        }
        Ok(key_picture)
    }

    pub(crate) fn audio(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError> {
        self.settle()?;
        let tag = AudioTag::parse(body.clone())?;
        if let Some(ladder) = self.ladder.as_mut() {
            let header = matches!(tag.packet, AacPacket::SequenceHeader(_));
            ladder.forward(flv::TagType::Audio, ts_ms, &body, header);
        }
        let done = match tag.packet {
            AacPacket::SequenceHeader(asc) => {
                if let Mux::Cmaf(cmaf) = &mut self.mux {
                    // The AudioSpecificConfig follows the 2-byte AAC audio tag header.
                    cmaf.segmenter.set_audio_config(
                        body.slice(2..),
                        asc.sampling_frequency,
                        u16::from(asc.channel_configuration.max(1)),
                    );
                }
                self.health.audio_config(&asc);
                self.asc = Some(asc);
                None
            }
            AacPacket::Raw(raw) => {
                self.health.audio_frame(ts_ms, raw.len());
                // Raw AAC before its AudioSpecificConfig cannot be framed; drop it.
                let Some(asc) = self.asc else {
                    return Ok(());
                };
                match &mut self.mux {
                    Mux::Ts(segmenter) => {
                        self.adts.clear();
                        asc.write_adts(&raw, &mut self.adts)?;
                        segmenter.push_audio(&AudioFrame {
                            pts_ms: ts_ms,
                            adts: &self.adts,
                        })?
                    }
                    Mux::Cmaf(cmaf) => {
                        cmaf.segmenter.push_audio(ts_ms, raw);
                        None
                    }
                }
            }
        };
        if let Some(seg) = done {
            self.store(seg);
        }
        Ok(())
    }

    /// Closes the open segment and stores it: when the publisher comes back (the next
    /// segment is marked discontinuous), or at the end of the stream.
    fn close_segment(&mut self, discontinuity: bool) {
        match &mut self.mux {
            Mux::Ts(segmenter) => {
                let seg = if discontinuity {
                    segmenter.mark_discontinuity()
                } else {
                    segmenter.finish()
                };
                if let Some(seg) = seg {
                    self.store(seg);
                }
            }
            Mux::Cmaf(cmaf) => {
                let mut out = Vec::new();
                if discontinuity {
                    cmaf.segmenter.mark_discontinuity(&mut out);
                } else {
                    cmaf.segmenter.finish(&mut out);
                }
                self.handle(out);
            }
        }
    }

    /// Queues what the low-latency segmenter made: init segments, parts and whole
    /// segments, each listed once stored. Never waits: an object that finds the queue
    /// full is dropped and counted.
    fn handle(&mut self, events: Vec<CmafEvent>) {
        for event in events {
            let Mux::Cmaf(cmaf) = &mut self.mux else {
                return;
            };
            match event {
                CmafEvent::Init { version, data } => {
                    let uri = layout::init_segment(version);
                    let key = self.info.prefix.join(&uri);
                    cmaf.init = Some((version, uri, data.clone()));
                    self.queue(Kind::Init, key, data, Made::Init { version });
                }
                CmafEvent::Part {
                    segment,
                    index,
                    duration_ms,
                    independent,
                    data,
                } => {
                    let uri = layout::part(segment, index);
                    let key = self.info.prefix.join(&uri);
                    let next = layout::part(segment, index + 1);
                    let part = Part {
                        duration_ms,
                        uri,
                        independent,
                    };
                    self.queue(Kind::Part, key, data, Made::Part { part, next });
                }
                CmafEvent::Segment {
                    sequence,
                    start_ms,
                    duration_ms,
                    discontinuity,
                    init_version,
                    data,
                } => {
                    let uri = layout::cmaf_segment(sequence);
                    let key = self.info.prefix.join(&uri);
                    if let (Some(frames), Some((_, _, init))) = (&self.frames, &cmaf.init)
                        && self.next_frame_ms.is_none_or(|next| start_ms >= next)
                    {
                        let input = Bytes::from([init.as_ref(), data.as_ref()].concat());
                        frames.capture(self.info.id, &self.info.prefix, input, Input::Mp4);
                        self.next_frame_ms = Some(start_ms + self.frame_every_ms);
                    }
                    let media_anchor = *self.anchor_media_ms.get_or_insert(start_ms);
                    let entry = PlaylistEntry {
                        duration_ms,
                        uri,
                        program_date_time_ms: Some(self.anchor_wall_ms + start_ms - media_anchor),
                        discontinuity,
                        ..PlaylistEntry::default()
                    };
                    let made = Made::Segment {
                        bytes: data.len() as u64,
                        entry,
                        init_version: Some(init_version),
                        next_part: Some(layout::part(sequence + 1, 0)),
                    };
                    self.queue(Kind::Segment, key, data, made);
                }
            }
        }
    }

    /// Hands media to the uploader, to be listed once it is stored. A full queue drops it
    /// (counted; the uploader takes everything as it comes, so only a stuck uploader task
    /// fills it).
    fn queue(&mut self, kind: Kind, key: String, data: Bytes, made: Made) {
        let state = match self
            .uploads
            .try_send(Msg::Store(Upload::new(kind, key.clone(), data)))
        {
            Ok(()) => State::Queued,
            Err(_) => {
                let what = match kind {
                    Kind::Segment => "segment",
                    Kind::Part => "part",
                    _ => "init segment",
                };
                metrics::counter!(match kind {
                    Kind::Segment => "liboo_ingest_dropped_segments_total",
                    Kind::Part => "liboo_ingest_dropped_parts_total",
                    _ => "liboo_ingest_failed_uploads_total",
                })
                .increment(1);
                tracing::warn!(video_id = %self.info.video_id, what, "upload queue full: dropped");
                State::Dropped
            }
        };
        self.pending.push_back(Pending { key, state, made });
    }

    /// The uploader's next report, for the connection to wait on beside its socket, so
    /// that what was stored is listed at once, not with the publisher's next message
    /// (which may be a read batch away). Pending for good once the uploader is gone.
    pub(crate) async fn next_report(&mut self) -> Report {
        match self.upload_reports.recv().await {
            Some(report) => report,
            None => std::future::pending().await,
        }
    }

    /// Applies a report from [`next_report`](Self::next_report) and lists what it settled.
    pub(crate) fn on_report(&mut self, report: Report) -> Result<(), IngestError> {
        self.apply(report);
        self.settle()
    }

    /// Takes the uploader's reports and lists what they settle. Fails once the disk under
    /// the store is full: the broadcast cannot go on.
    fn settle(&mut self) -> Result<(), IngestError> {
        while let Ok(report) = self.upload_reports.try_recv() {
            self.apply(report);
        }
        self.list_settled();
        match &self.full {
            Some(why) => Err(IngestError::StorageFull(why.clone())),
            None => Ok(()),
        }
    }

    fn apply(&mut self, report: Report) {
        let (key, state) = match report {
            Report::Stored(key) => (key, State::Stored),
            Report::Dropped(key) => (key, State::Dropped),
            Report::Full(why) => {
                self.full = Some(why);
                return;
            }
        };
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.key == key && p.state == State::Queued)
        {
            p.state = state;
        }
    }

    /// Lists, in the order made, everything the uploader has settled.
    fn list_settled(&mut self) {
        while self
            .pending
            .front()
            .is_some_and(|p| p.state != State::Queued)
        {
            let Pending { key, state, made } = self.pending.pop_front().expect("checked");
            let stored = state == State::Stored;
            match made {
                Made::Segment {
                    entry,
                    bytes,
                    init_version,
                    next_part,
                } => {
                    let missing_init = match &self.mux {
                        Mux::Cmaf(cmaf) => {
                            init_version.is_some() && cmaf.missing_init == init_version
                        }
                        Mux::Ts(_) => false,
                    };
                    if stored && !missing_init {
                        self.list_segment(entry, bytes, init_version, next_part);
                    } else {
                        self.lost_segment();
                    }
                    self.retire_parts();
                }
                Made::Part { part, next } => {
                    let Mux::Cmaf(cmaf) = &mut self.mux else {
                        continue;
                    };
                    if stored {
                        cmaf.stored_parts.push(key);
                    }
                    if !stored {
                        self.health.dropped += 1;
                        cmaf.skip_parts = true;
                    } else if !cmaf.skip_parts {
                        self.live.push_part(part, Some(next));
                        self.queue_live_playlists();
                    }
                }
                Made::Init { version } => {
                    if let Mux::Cmaf(cmaf) = &mut self.mux
                        && !stored
                    {
                        cmaf.missing_init = Some(version);
                    }
                }
            }
        }
    }

    /// Lists a stored segment: it gets the next media sequence number, and marks the gap
    /// if one before it was lost.
    fn list_segment(
        &mut self,
        mut entry: PlaylistEntry,
        bytes: u64,
        init_version: Option<u32>,
        next_part: Option<String>,
    ) {
        entry.sequence = self.next_sequence;
        entry.discontinuity |= std::mem::take(&mut self.gap);
        if let (Mux::Cmaf(cmaf), Some(version)) = (&mut self.mux, init_version) {
            if cmaf.listed_init != Some(version) {
                entry.map = Some(layout::init_segment(version));
            }
            cmaf.listed_init = Some(version);
            cmaf.skip_parts = false;
        }
        self.list(entry, bytes);
        if next_part.is_some() {
            self.live.set_preload_hint(next_part);
        }
        self.queue_live_playlists();
    }

    /// A segment that was not stored: its parts already listed go (the whole segment
    /// will never follow them), the parts after it are not listed, and the next listed
    /// segment starts a new timeline.
    fn lost_segment(&mut self) {
        self.health.dropped += 1;
        self.gap = true;
        if let Mux::Cmaf(cmaf) = &mut self.mux {
            cmaf.skip_parts = true;
            self.live.discard_parts();
        }
    }

    /// A whole segment is settled: its parts join the kept ones, and the parts of the
    /// segment [`PARTS_KEPT_FOR`] back are deleted.
    fn retire_parts(&mut self) {
        let Mux::Cmaf(cmaf) = &mut self.mux else {
            return;
        };
        let parts = std::mem::take(&mut cmaf.stored_parts);
        cmaf.parts_by_segment.push_back(parts);
        let mut old = Vec::new();
        while cmaf.parts_by_segment.len() > PARTS_KEPT_FOR {
            old.extend(cmaf.parts_by_segment.pop_front().expect("checked"));
        }
        // After the playlists just queued, which no longer list them: the uploader deletes
        // them once those are stored (a stored playlist never names a missing object).
        if !old.is_empty() && self.uploads.try_send(Msg::DeleteParts(old)).is_err() {
            metrics::counter!("liboo_ingest_failed_part_deletes_total").increment(1);
        }
    }

    /// Adds a stored segment to the live and replay playlists.
    fn list(&mut self, entry: PlaylistEntry, bytes: u64) {
        let duration_ms = entry.duration_ms;
        if self
            .ladder
            .as_ref()
            .is_some_and(|l| !l.master_written && duration_ms > 0)
        {
            self.write_master(bytes * 8 * 1000 / duration_ms.max(1) as u64);
        }
        if let Err(e) = self.live.push(entry.clone()) {
            tracing::error!(video_id = %self.info.video_id, error = %e, "live playlist refused a segment");
        }
        if let Err(e) = self.vod.push(entry) {
            tracing::error!(video_id = %self.info.video_id, error = %e, "replay playlist refused a segment");
        }
        self.next_sequence += 1;
        self.duration_ms += duration_ms;
        // The growing replay, every few segments: if this node dies, it and the live
        // window (which holds more than the segments since) make the replay whole.
        if self.next_sequence.is_multiple_of(self.replay_every) {
            let _ = self.uploads.try_send(Msg::Store(Upload::playlist(
                self.info.prefix.replay_playlist(),
                Bytes::from(self.vod.render("")),
                None,
            )));
        }
    }

    /// Starts the renditions once the source's picture size is known.
    fn start_ladder(&mut self) {
        let (Some(ladder), Some((width, height))) = (self.ladder.as_mut(), self.size) else {
            return;
        };
        if ladder.started {
            return;
        }
        ladder.started = true;
        let mut start = flv::write_header(true, true).to_vec();
        for (kind, header) in [
            (flv::TagType::Video, &ladder.video_header),
            (flv::TagType::Audio, &ladder.audio_header),
        ] {
            if let Some(body) = header {
                flv::write_tag(&mut start, kind, 0, body);
            }
        }
        let start = Bytes::from(start);
        for rung in ladder::rungs(&ladder.heights, width, height) {
            let info = BroadcastInfo {
                prefix: self.info.prefix.rendition(&rung.name()),
                ..self.info.clone()
            };
            let name = rung.name();
            let shared = ladder::Shared {
                media: ladder.media.clone(),
                settings: ladder.settings.clone(),
                playlists: ladder.playlists.clone(),
                anchor_wall_ms: self.anchor_wall_ms,
                reports: self.reports.clone(),
            };
            match Rendition::start(rung, info, shared, start.clone()) {
                Ok(r) => ladder.renditions.push(r),
                Err(e) => {
                    tracing::warn!(rendition = %name, error = %e, "could not start ffmpeg for a rendition")
                }
            }
        }
        tracing::info!(
            video_id = %self.info.video_id,
            renditions = ?ladder.renditions.iter().map(|r| r.rung.name()).collect::<Vec<_>>(),
            "quality ladder started"
        );
    }

    /// The master playlists (the broadcast's and the channel's): the source, measured
    /// on its first segment, and each rendition.
    fn write_master(&mut self, source_bits_per_second: u64) {
        let Some(ladder) = self.ladder.as_mut() else {
            return;
        };
        ladder.master_written = true;
        let audio = self
            .asc
            .map(|asc| format!(",mp4a.40.{}", asc.object_type))
            .unwrap_or_default();
        let audio_bits = if self.asc.is_some() { 160_000 } else { 0 };
        let (width, height) = self.size.unwrap_or((0, 0));
        let source_codec = self.avc.as_ref().map_or("avc1.640028".to_owned(), |avc| {
            ladder::avc_codec(
                avc.profile_indication,
                avc.profile_compatibility,
                avc.level_indication,
            )
        });
        let mut variants = vec![Variant {
            uri: layout::LIVE_PLAYLIST.to_owned(),
            // Peaks run above the first segment's average.
            bandwidth: source_bits_per_second * 5 / 4,
            width,
            height,
            codecs: format!("{source_codec}{audio}"),
        }];
        for r in &ladder.renditions {
            variants.push(Variant {
                uri: format!("{}/{}", r.rung.name(), layout::LIVE_PLAYLIST),
                bandwidth: u64::from(r.rung.bitrate) * 5 / 4 + audio_bits,
                width: r.rung.width,
                height: r.rung.height,
                // x264's Main profile at level 3.1 or below for these sizes.
                codecs: format!("avc1.4d401f{audio}"),
            });
        }
        let own = ladder::master_playlist(&variants);
        for v in &mut variants {
            v.uri = format!("{}{}", self.channel_uri_prefix, v.uri);
        }
        let channel = ladder::master_playlist(&variants);
        for (key, body) in [
            (self.info.prefix.master_playlist(), own),
            (
                layout::channel_master_playlist(&self.info.session_key),
                channel,
            ),
        ] {
            let upload = Upload::playlist(key, Bytes::from(body), None);
            let _ = self.uploads.try_send(Msg::Store(upload));
        }
    }

    /// Queues both live playlists; superseded by the next version, so a full queue just
    /// skips this one.
    fn queue_live_playlists(&mut self) {
        if let (Some(reports), Some(last)) = (&self.reports, self.live.last_part()) {
            reports
                .lock()
                .expect("not poisoned")
                .insert(self.rung.clone(), last);
        }
        for (key, body) in self.live_playlists() {
            let upload = Upload::playlist(key, body, self.publish());
            let _ = self.uploads.try_send(Msg::Store(upload));
        }
    }

    /// What a blocking reload needs to know of the live playlist as it is now.
    fn publish(&self) -> Option<Publish> {
        let playlists = self.playlists.clone()?;
        let (last_segment, parts) = self.live.position();
        Some(Publish {
            playlists,
            snapshot: Snapshot {
                text: Bytes::new(),
                last_segment,
                parts,
                ended: self.live.is_ended(),
            },
        })
    }

    /// Queues a finished MPEG-TS segment, to be listed once stored.
    fn store(&mut self, seg: SegmentComplete) {
        let uri = layout::ts_segment(self.next_uri);
        self.next_uri += 1;
        let key = self.info.prefix.join(&uri);
        if let Some(frames) = &self.frames
            && self.next_frame_ms.is_none_or(|next| seg.start_ms >= next)
        {
            frames.capture(self.info.id, &self.info.prefix, seg.data.clone(), Input::Ts);
            self.next_frame_ms = Some(seg.start_ms + self.frame_every_ms);
        }
        let media_anchor = *self.anchor_media_ms.get_or_insert(seg.start_ms);
        let entry = PlaylistEntry {
            duration_ms: seg.duration_ms,
            uri,
            program_date_time_ms: Some(self.anchor_wall_ms + seg.start_ms - media_anchor),
            discontinuity: seg.discontinuity,
            ..PlaylistEntry::default()
        };
        let made = Made::Segment {
            entry,
            bytes: seg.data.len() as u64,
            init_version: None,
            next_part: None,
        };
        self.queue(Kind::Segment, key, seg.data, made);
    }

    /// The broadcast's own live playlist and the channel's stable one.
    fn live_playlists(&self) -> Vec<(String, Bytes)> {
        // Where the other renditions stand, named from this playlist's folder (`base`).
        let reports = |base: &str| -> Vec<RenditionReport> {
            let Some(reports) = &self.reports else {
                return Vec::new();
            };
            let all = reports.lock().expect("not poisoned");
            all.iter()
                .filter(|(name, _)| **name != self.rung)
                .map(|(name, (msn, part))| RenditionReport {
                    uri: match name.as_str() {
                        "" => format!("{base}{}", layout::LIVE_PLAYLIST),
                        rung => format!("{base}{rung}/{}", layout::LIVE_PLAYLIST),
                    },
                    last_msn: *msn,
                    last_part: *part,
                })
                .collect()
        };
        let up = if self.role == Role::Rendition {
            "../"
        } else {
            ""
        };
        let own = (
            self.info.prefix.live_playlist(),
            Bytes::from(self.live.render_with("", &reports(up))),
        );
        if self.role == Role::Rendition {
            return vec![own];
        }
        vec![
            own,
            (
                layout::channel_playlist(&self.info.session_key),
                Bytes::from(
                    self.live
                        .render_with(&self.channel_uri_prefix, &reports(&self.channel_uri_prefix)),
                ),
            ),
        ]
    }

    /// Ends the broadcast: its renditions first, then the source's partial segment, final
    /// playlists and replay; waits for storage, then marks the broadcast ended in the
    /// database.
    pub(crate) async fn finish(mut self, db: &Db, now_ms: i64) -> Result<(), IngestError> {
        if let Some(ladder) = self.ladder.as_mut() {
            for rendition in std::mem::take(&mut ladder.renditions) {
                rendition.finish().await;
            }
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
        // The last segment may not be dropped: wait for room this once.
        while self.uploads.capacity() < 4 && self.uploads.max_capacity() >= 4 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.close_segment(false);
        // Every segment is listed or known lost before the final playlists: the uploader
        // answers for each, giving up on a failing store after a while.
        let _ = self.uploads.send(Msg::Finish).await;
        loop {
            while let Ok(report) = self.upload_reports.try_recv() {
                self.apply(report);
            }
            self.list_settled();
            if self.pending.is_empty() {
                break;
            }
            match self.upload_reports.recv().await {
                Some(report) => self.apply(report),
                // The uploader is gone: nothing more will be stored.
                None => {
                    for p in &mut self.pending {
                        p.state = State::Dropped;
                    }
                }
            }
        }
        self.live.finish();
        self.vod.finish();
        let mut finals: Vec<Upload> = self
            .live_playlists()
            .into_iter()
            .map(|(key, body)| Upload::playlist(key, body, self.publish()))
            .collect();
        finals.push(Upload::playlist(
            self.info.prefix.replay_playlist(),
            Bytes::from(self.vod.render("")),
            None,
        ));
        let keys: Vec<String> = finals.iter().map(|u| u.key.clone()).collect();
        for upload in finals {
            // The uploader only stops when the sender is dropped, so this cannot fail.
            let _ = self.uploads.send(Msg::Store(upload)).await;
        }
        // The final live playlist still lists the last segments' parts, for players at
        // the live edge: they go as late as they would have gone had the broadcast run on.
        if let Mux::Cmaf(cmaf) = &mut self.mux {
            let mut parts: Vec<String> = cmaf.parts_by_segment.drain(..).flatten().collect();
            parts.append(&mut cmaf.stored_parts);
            let linger = self.segment_target * PARTS_KEPT_FOR as u32;
            delete_parts(
                self.media.clone(),
                self.info.video_id.clone(),
                parts,
                linger,
            );
        }
        let Packager {
            uploads,
            uploader,
            duration_ms,
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
            prefix: BroadcastPrefix::new("s", "v"),
        };
        let mut packager = Packager::new(
            info,
            media.clone(),
            &crate::IngestConfig {
                part_target: None,
                ..crate::IngestConfig::default()
            },
            None,
            Default::default(),
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
                flv::TagType::Video => {
                    packager.video(ts, tag.body).unwrap();
                }
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
