//! The listing: which segments and parts a broadcast's playlists name, given what the
//! uploader reports stored or dropped. Sans-IO: it is told what was made ([`Listing::made`])
//! and what became of it ([`Listing::report`]), and answers with [`Decision`]s, which the
//! packager carries out (store the live playlists, store the growing replay, delete parts).
//!
//! What was made is listed only once stored, in the order it was made; a segment that was
//! dropped is left out, and the next one listed starts with `EXT-X-DISCONTINUITY`. Media
//! sequence numbers count listed segments, so after a drop they run behind the numbers in
//! the segments' names. With fMP4, a part is listed until one of its segment's parts (or the
//! segment before) is lost; a segment whose init segment was lost is not listed; and the
//! parts of each whole segment stay stored [`PARTS_KEPT_FOR`] segments, then are retired.

use std::collections::VecDeque;

use hls::{Part, Playlist, PlaylistEntry, SEGMENTS_WITH_PARTS};
use liboo_storage::layout;

/// Stored segments between two writes of the growing replay playlist (fewer with a live
/// window this small), so the window always holds every segment the stored replay lacks.
pub(crate) const REPLAY_EVERY: u64 = 5;

/// Whole segments, counted back from the newest, whose parts stay stored. The live playlist
/// lists the parts of the last [`SEGMENTS_WITH_PARTS`]; a player that read an older version
/// of it may still ask for parts a while longer, so parts go this many segments later.
/// Parts only serve the live edge: the replay and anyone behind it play whole segments.
pub(crate) const PARTS_KEPT_FOR: usize = 2 * SEGMENTS_WITH_PARTS;

/// What a queued object becomes in the playlists once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Made {
    /// A segment: its entry (the sequence number is given when listed), its size, the
    /// init segment its parts need (fMP4) and the part that comes after it (LL-HLS).
    Segment {
        entry: PlaylistEntry,
        bytes: u64,
        init_version: Option<u32>,
        next_part: Option<String>,
    },
    /// A part of the segment being made, and the part after it.
    Part { part: Part, next: String },
    /// An fMP4 init segment.
    Init { version: u32 },
}

/// What the packager is to do, in this order, once something is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A segment of `bytes` and `duration_ms` was listed (the first one measures the
    /// source for the master playlist).
    Listed { bytes: u64, duration_ms: i64 },
    /// The growing replay playlist is due: store it.
    Replay,
    /// The live playlist changed: store it.
    Live,
    /// A segment or part was lost (for the stream's health report).
    Lost,
    /// Stored parts no playlist lists any more: delete them after the playlists queued
    /// before.
    Retire(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Queued,
    Stored,
    Dropped,
}

/// Media queued for the uploader, waiting for its report.
#[derive(Debug)]
struct Pending {
    key: String,
    state: State,
    made: Made,
}

/// One stream's playlists and what they wait for.
#[derive(Debug)]
pub(crate) struct Listing {
    live: Playlist,
    vod: Playlist,
    /// Media sequence number of the next listed segment. Ours rather than the segmenter's,
    /// so that a dropped segment leaves no gap in the playlists.
    next_sequence: u64,
    /// A segment was dropped: the next listed one starts a new timeline.
    gap: bool,
    /// Media queued for the uploader and not yet listed, in the order made.
    pending: VecDeque<Pending>,
    /// Sum of listed segment durations: the replay's length.
    duration_ms: i64,
    /// Listed segments between two writes of the growing replay.
    replay_every: u64,
    /// Init version of the last listed segment: the next entry names its map when it differs.
    listed_init: Option<u32>,
    /// A part of the open segment, or the segment before it, was lost: list no more parts
    /// until the next whole segment.
    skip_parts: bool,
    /// An init segment that was dropped: segments that need it are not listed.
    missing_init: Option<u32>,
    /// Stored parts of the segment being made.
    stored_parts: Vec<String>,
    /// Stored parts of the latest whole segments, oldest first, to retire once they are
    /// [`PARTS_KEPT_FOR`] segments old.
    parts_by_segment: VecDeque<Vec<String>>,
    /// Whose playlists these are, for logs.
    video_id: String,
}

impl Listing {
    /// Playlists of `target` seconds' segments, a live window of `live_window` segments,
    /// with parts (LL-HLS) of `part_target_ms` if given.
    pub(crate) fn new(
        target: u32,
        live_window: usize,
        part_target_ms: Option<i64>,
        video_id: String,
    ) -> Listing {
        let live = match part_target_ms {
            Some(part) => Playlist::low_latency(target, live_window, part),
            None => Playlist::live(target, live_window),
        };
        Listing {
            live,
            vod: Playlist::event(target),
            next_sequence: 0,
            gap: false,
            pending: VecDeque::new(),
            duration_ms: 0,
            replay_every: (live_window.max(3) as u64 - 1).min(REPLAY_EVERY),
            listed_init: None,
            skip_parts: false,
            missing_init: None,
            stored_parts: Vec::new(),
            parts_by_segment: VecDeque::new(),
            video_id,
        }
    }

    /// The live playlist as listed so far.
    pub(crate) fn live(&self) -> &Playlist {
        &self.live
    }

    /// The replay playlist as listed so far.
    pub(crate) fn vod(&self) -> &Playlist {
        &self.vod
    }

    /// How long the listed segments last: the replay's length.
    pub(crate) fn duration_ms(&self) -> i64 {
        self.duration_ms
    }

    /// Media was made under `key`: `queued` for the uploader, or dropped at once (its
    /// queue was full).
    pub(crate) fn made(&mut self, key: String, made: Made, queued: bool) {
        let state = if queued {
            State::Queued
        } else {
            State::Dropped
        };
        self.pending.push_back(Pending { key, state, made });
    }

    /// The uploader stored (or dropped) `key`.
    pub(crate) fn report(&mut self, key: &str, stored: bool) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.key == key && p.state == State::Queued)
        {
            p.state = if stored {
                State::Stored
            } else {
                State::Dropped
            };
        }
    }

    /// The uploader is gone: nothing still queued will be stored.
    pub(crate) fn drop_all(&mut self) {
        for p in &mut self.pending {
            p.state = State::Dropped;
        }
    }

    /// Whether everything made is listed or known lost.
    pub(crate) fn is_settled(&self) -> bool {
        self.pending.is_empty()
    }

    /// Lists the oldest made object if it is settled, and says what to do about it; `None`
    /// while it waits for the uploader. One at a time, so that each playlist stored shows
    /// the listing just after the object it adds.
    pub(crate) fn settle_next(&mut self) -> Option<Vec<Decision>> {
        if self.pending.front()?.state == State::Queued {
            return None;
        }
        let Pending { key, state, made } = self.pending.pop_front().expect("checked");
        let stored = state == State::Stored;
        let mut out = Vec::new();
        match made {
            Made::Segment {
                entry,
                bytes,
                init_version,
                next_part,
            } => {
                let missing_init = init_version.is_some() && self.missing_init == init_version;
                if stored && !missing_init {
                    self.list_segment(entry, bytes, init_version, next_part, &mut out);
                } else {
                    self.lost_segment(&mut out);
                }
                self.retire_parts(&mut out);
            }
            Made::Part { part, next } => {
                if !stored {
                    out.push(Decision::Lost);
                    self.skip_parts = true;
                } else {
                    self.stored_parts.push(key);
                    if !self.skip_parts {
                        self.live.push_part(part, Some(next));
                        out.push(Decision::Live);
                    }
                }
            }
            Made::Init { version } => {
                if !stored {
                    self.missing_init = Some(version);
                }
            }
        }
        Some(out)
    }

    /// Ends both playlists (`EXT-X-ENDLIST`) and returns every part still stored: the final
    /// live playlist lists the last segments' parts, for players at the live edge, so they
    /// go as late as they would have gone had the broadcast run on.
    pub(crate) fn finish(&mut self) -> Vec<String> {
        self.live.finish();
        self.vod.finish();
        let mut parts: Vec<String> = self.parts_by_segment.drain(..).flatten().collect();
        parts.append(&mut self.stored_parts);
        parts
    }

    /// Lists a stored segment: it gets the next media sequence number, and marks the gap
    /// if one before it was lost.
    fn list_segment(
        &mut self,
        mut entry: PlaylistEntry,
        bytes: u64,
        init_version: Option<u32>,
        next_part: Option<String>,
        out: &mut Vec<Decision>,
    ) {
        entry.sequence = self.next_sequence;
        entry.discontinuity |= std::mem::take(&mut self.gap);
        if let Some(version) = init_version {
            if self.listed_init != Some(version) {
                entry.map = Some(layout::init_segment(version));
            }
            self.listed_init = Some(version);
            self.skip_parts = false;
        }
        let duration_ms = entry.duration_ms;
        out.push(Decision::Listed { bytes, duration_ms });
        if let Err(e) = self.live.push(entry.clone()) {
            tracing::error!(video_id = %self.video_id, error = %e, "live playlist refused a segment");
        }
        if let Err(e) = self.vod.push(entry) {
            tracing::error!(video_id = %self.video_id, error = %e, "replay playlist refused a segment");
        }
        self.next_sequence += 1;
        self.duration_ms += duration_ms;
        // The growing replay, every few segments: if this node dies, it and the live
        // window (which holds more than the segments since) make the replay whole.
        if self.next_sequence.is_multiple_of(self.replay_every) {
            out.push(Decision::Replay);
        }
        if next_part.is_some() {
            self.live.set_preload_hint(next_part);
        }
        out.push(Decision::Live);
    }

    /// A segment that was not stored: its parts already listed go (the whole segment
    /// will never follow them), the parts after it are not listed, and the next listed
    /// segment starts a new timeline.
    fn lost_segment(&mut self, out: &mut Vec<Decision>) {
        out.push(Decision::Lost);
        self.gap = true;
        self.skip_parts = true;
        self.live.discard_parts();
    }

    /// A whole segment is settled: its parts join the kept ones, and the parts of the
    /// segment [`PARTS_KEPT_FOR`] back are retired.
    fn retire_parts(&mut self, out: &mut Vec<Decision>) {
        let parts = std::mem::take(&mut self.stored_parts);
        self.parts_by_segment.push_back(parts);
        let mut old = Vec::new();
        while self.parts_by_segment.len() > PARTS_KEPT_FOR {
            old.extend(self.parts_by_segment.pop_front().expect("checked"));
        }
        if !old.is_empty() {
            out.push(Decision::Retire(old));
        }
    }
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
