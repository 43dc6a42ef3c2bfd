//! Media playlists (RFC 8216 §4.3.3): a live playlist with a sliding window, and a VOD playlist
//! that keeps every segment. One type serves both so the two can never disagree on syntax.

use std::collections::VecDeque;
use std::fmt::Write;

use crate::time::write_program_date_time;

mod parse;
pub use parse::ParseError;

/// One segment as the playlist lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaylistEntry {
    /// Media sequence number; consecutive from one entry to the next.
    pub sequence: u64,
    /// `EXTINF`: its duration in ms.
    pub duration_ms: i64,
    /// Relative URI; the prefix given to [`Playlist::render`] goes in front.
    pub uri: String,
    /// Wall-clock time of the segment's first frame, Unix ms (`EXT-X-PROGRAM-DATE-TIME`).
    pub program_date_time_ms: Option<i64>,
    /// An `EXT-X-DISCONTINUITY` goes before this entry.
    pub discontinuity: bool,
    /// `EXT-X-MAP`: the fMP4 init segment, given on the first entry and wherever it
    /// changes (after a discontinuity); kept by the playlist for entries after it.
    pub map: Option<String>,
    /// The partial segments this segment was published as (LL-HLS); listed only for the
    /// last few segments of a low-latency playlist.
    pub parts: Vec<Part>,
}

/// A partial segment (LL-HLS `EXT-X-PART`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Its duration in ms.
    pub duration_ms: i64,
    /// Relative URI, like a segment's.
    pub uri: String,
    /// Starts with a keyframe.
    pub independent: bool,
}

/// `EXT-X-RENDITION-REPORT`: where another rendition of the same content stands, so
/// a player switching to it can ask for the right part at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenditionReport {
    /// The other rendition's media playlist, relative to this one.
    pub uri: String,
    /// `LAST-MSN`: the last media sequence number it lists.
    pub last_msn: u64,
    /// `LAST-PART`: the last part it lists of the segment after that, if any.
    pub last_part: Option<u64>,
}

/// What makes a live playlist low-latency (Apple's LL-HLS, RFC 8216bis §4.4.3.7-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LowLatency {
    /// `EXT-X-PART-INF:PART-TARGET`: no part is longer.
    pub part_target_ms: i64,
    /// Parts of the segment being made, not yet listed as a whole.
    pending: Vec<Part>,
    /// `EXT-X-PRELOAD-HINT`: the part that comes next.
    preload_hint: Option<String>,
}

/// Segments from the end of a low-latency playlist whose parts are still listed: parts
/// older than three target durations may go (RFC 8216bis §6.2.2).
pub const SEGMENTS_WITH_PARTS: usize = 3;

/// Entries that would break a playlist invariant are refused rather than written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlaylistError {
    /// An entry whose sequence number does not follow the last one's.
    #[error("segment {got} does not follow segment {last}")]
    SequenceGap {
        /// The last entry's sequence number.
        last: u64,
        /// The refused entry's.
        got: u64,
    },
    /// An entry longer than the target duration allows.
    #[error("segment of {duration_ms} ms rounds above EXT-X-TARGETDURATION {target} s")]
    ExceedsTargetDuration {
        /// The refused entry's duration.
        duration_ms: i64,
        /// The playlist's target duration, in seconds.
        target: u32,
    },
    /// An entry pushed to a live playlist after `EXT-X-ENDLIST`.
    #[error("segment added after the playlist ended")]
    Ended,
}

/// Milliseconds as decimal seconds, `2033` -> `2.033`.
fn seconds(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn write_parts(s: &mut String, parts: &[Part], uri_prefix: &str) {
    for p in parts {
        let _ = writeln!(
            s,
            "#EXT-X-PART:DURATION={},URI=\"{uri_prefix}{}\"{}",
            seconds(p.duration_ms),
            p.uri,
            if p.independent {
                ",INDEPENDENT=YES"
            } else {
                ""
            }
        );
    }
}

/// A media playlist. Live when built with [`Playlist::live`], VOD with [`Playlist::vod`].
#[derive(Debug, Clone)]
pub struct Playlist {
    target_duration: u32,
    /// `None` for VOD: keep everything.
    window: Option<usize>,
    entries: VecDeque<PlaylistEntry>,
    /// Sequence number of the next entry; the first entry's is the media sequence.
    next_sequence: Option<u64>,
    /// `EXT-X-DISCONTINUITY` tags that have left the window.
    discontinuity_sequence: u64,
    ended: bool,
    low_latency: Option<LowLatency>,
    /// `EXT-X-START:TIME-OFFSET`: where playback begins, ms from the first segment.
    start_offset_ms: Option<i64>,
}

impl Playlist {
    /// A live playlist listing the last `window` segments (at least 3, as RFC 8216 §6.2.2 wants
    /// the playlist to span three target durations).
    pub fn live(target_duration_secs: u32, window: usize) -> Self {
        Self::new(target_duration_secs, Some(window.max(3)))
    }

    /// A VOD playlist (`EXT-X-PLAYLIST-TYPE:VOD`) that lists every segment and always ends.
    pub fn vod(target_duration_secs: u32) -> Self {
        Self {
            ended: true,
            ..Self::new(target_duration_secs, None)
        }
    }

    /// A playlist that keeps every segment and grows while the broadcast runs
    /// (`EXT-X-PLAYLIST-TYPE:EVENT`); [`Playlist::finish`] turns it into VOD. Stored as it
    /// grows, it makes a broadcast whose ingest node died replayable up to that point.
    pub fn event(target_duration_secs: u32) -> Self {
        Self::new(target_duration_secs, None)
    }

    fn new(target_duration: u32, window: Option<usize>) -> Self {
        Self {
            target_duration: target_duration.max(1),
            window,
            entries: VecDeque::new(),
            next_sequence: None,
            discontinuity_sequence: 0,
            ended: false,
            low_latency: None,
            start_offset_ms: None,
        }
    }

    /// A live playlist that also lists partial segments, blocks on reload
    /// (`CAN-BLOCK-RELOAD`) and hints the next part.
    pub fn low_latency(target_duration_secs: u32, window: usize, part_target_ms: i64) -> Self {
        Self {
            low_latency: Some(LowLatency {
                part_target_ms: part_target_ms.max(1),
                pending: Vec::new(),
                preload_hint: None,
            }),
            ..Self::live(target_duration_secs, window)
        }
    }

    /// Lists a part of the segment being made; `next` is the part after it, hinted to
    /// players so they can ask for it before it exists.
    pub fn push_part(&mut self, part: Part, next: Option<String>) {
        if let Some(ll) = &mut self.low_latency {
            ll.pending.push(part);
            ll.preload_hint = next;
        }
    }

    /// Forgets the parts listed of the segment being made, and the hint after them: that
    /// segment will not be listed (it was lost), so its parts may not stay either.
    pub fn discard_parts(&mut self) {
        if let Some(ll) = &mut self.low_latency {
            ll.pending.clear();
            ll.preload_hint = None;
        }
    }

    /// Replaces the hinted next part (a segment just ended: its next part is the
    /// following segment's first).
    pub fn set_preload_hint(&mut self, next: Option<String>) {
        if let Some(ll) = &mut self.low_latency {
            ll.preload_hint = next;
        }
    }

    /// Where the playlist stands, for answering blocking reloads: the last whole
    /// segment's sequence number, and how many parts of the next one are listed.
    pub fn position(&self) -> (Option<u64>, usize) {
        let last = self.next_sequence.and_then(|n| n.checked_sub(1));
        let parts = self.low_latency.as_ref().map_or(0, |ll| ll.pending.len());
        (last, parts)
    }

    /// `EXT-X-TARGETDURATION`, in seconds.
    pub fn target_duration(&self) -> u32 {
        self.target_duration
    }

    /// `EXT-X-MEDIA-SEQUENCE`: the first listed entry's sequence number.
    pub fn media_sequence(&self) -> u64 {
        self.entries
            .front()
            .map_or(self.next_sequence.unwrap_or(0), |e| e.sequence)
    }

    /// The listed segments, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &PlaylistEntry> {
        self.entries.iter()
    }

    /// Adds a segment, dropping the oldest when the live window is full.
    pub fn push(&mut self, entry: PlaylistEntry) -> Result<(), PlaylistError> {
        if self.ended && self.window.is_some() {
            return Err(PlaylistError::Ended);
        }
        if let Some(next) = self.next_sequence
            && entry.sequence != next
        {
            return Err(PlaylistError::SequenceGap {
                last: next - 1,
                got: entry.sequence,
            });
        }
        // RFC 8216 §4.3.3.1: the EXTINF duration, rounded to the nearest integer, MUST be less
        // than or equal to the target duration.
        if (entry.duration_ms + 500) / 1000 > i64::from(self.target_duration) {
            return Err(PlaylistError::ExceedsTargetDuration {
                duration_ms: entry.duration_ms,
                target: self.target_duration,
            });
        }
        self.next_sequence = Some(entry.sequence + 1);
        let mut entry = entry;
        if let Some(ll) = &mut self.low_latency
            && entry.parts.is_empty()
        {
            entry.parts = std::mem::take(&mut ll.pending);
        }
        self.entries.push_back(entry);
        if let Some(window) = self.window {
            while self.entries.len() > window {
                let gone = self.entries.pop_front().expect("window is at least 3");
                // The init segment stays in force for the entries after it.
                if let Some(front) = self.entries.front_mut()
                    && front.map.is_none()
                {
                    front.map = gone.map.clone();
                }
                // §6.2.2: removing a segment that carried EXT-X-DISCONTINUITY increments
                // EXT-X-DISCONTINUITY-SEQUENCE so clients keep their timelines in step.
                if gone.discontinuity {
                    self.discontinuity_sequence += 1;
                }
            }
        }
        Ok(())
    }

    /// Makes players start `offset_ms` into the first segment (`EXT-X-START` with
    /// `PRECISE=YES`, RFC 8216 §4.3.5.2): a cut that must begin on a keyframe still
    /// plays from its first second.
    pub fn set_start_offset(&mut self, offset_ms: i64) {
        self.start_offset_ms = (offset_ms > 0).then_some(offset_ms);
    }

    /// Whether `EXT-X-ENDLIST` is written.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Sequence number the next entry must have, once one has been added.
    pub fn next_sequence(&self) -> Option<u64> {
        self.next_sequence
    }

    /// Ends a live playlist (`EXT-X-ENDLIST`); no segments may follow.
    pub fn finish(&mut self) {
        self.ended = true;
        if let Some(ll) = &mut self.low_latency {
            ll.pending.clear();
            ll.preload_hint = None;
        }
    }

    /// The playlist text, each URI prefixed with `uri_prefix` (e.g. `""` in the broadcast's own
    /// folder, or `"b/42/"` for a channel playlist pointing into it).
    pub fn render(&self, uri_prefix: &str) -> String {
        self.render_with(uri_prefix, &[])
    }

    /// The last segment or part listed: `(media sequence number, part index)`, as a
    /// rendition report gives it; `None` before the first.
    pub fn last_part(&self) -> Option<(u64, Option<u64>)> {
        let ll = self.low_latency.as_ref();
        let next = self.next_sequence.unwrap_or(0);
        if let Some(ll) = ll
            && !ll.pending.is_empty()
        {
            return Some((next, Some(ll.pending.len() as u64 - 1)));
        }
        let last = self.entries.back()?;
        Some((
            last.sequence,
            last.parts.len().checked_sub(1).map(|p| p as u64),
        ))
    }

    /// [`Playlist::render`], with rendition reports for the other renditions (written
    /// only while a low-latency playlist is live).
    pub fn render_with(&self, uri_prefix: &str, reports: &[RenditionReport]) -> String {
        let mut s = String::with_capacity(256 + self.entries.len() * 96);
        // EXT-X-MAP outside I-frame playlists needs version 6 (RFC 8216 §7).
        let fmp4 = self.low_latency.is_some() || self.entries.iter().any(|e| e.map.is_some());
        s.push_str(if fmp4 {
            "#EXTM3U\n#EXT-X-VERSION:6\n"
        } else {
            "#EXTM3U\n#EXT-X-VERSION:3\n"
        });
        if self.window.is_none() {
            s.push_str(if self.ended {
                "#EXT-X-PLAYLIST-TYPE:VOD\n"
            } else {
                "#EXT-X-PLAYLIST-TYPE:EVENT\n"
            });
        }
        let _ = writeln!(s, "#EXT-X-TARGETDURATION:{}", self.target_duration);
        if let Some(offset) = self.start_offset_ms {
            let _ = writeln!(
                s,
                "#EXT-X-START:TIME-OFFSET={},PRECISE=YES",
                seconds(offset)
            );
        }
        if let Some(ll) = &self.low_latency {
            // PART-HOLD-BACK at least three part targets (§4.4.3.8).
            let _ = writeln!(
                s,
                "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={}",
                seconds(3 * ll.part_target_ms)
            );
            let _ = writeln!(
                s,
                "#EXT-X-PART-INF:PART-TARGET={}",
                seconds(ll.part_target_ms)
            );
        }
        let _ = writeln!(s, "#EXT-X-MEDIA-SEQUENCE:{}", self.media_sequence());
        if self.discontinuity_sequence > 0 {
            let _ = writeln!(
                s,
                "#EXT-X-DISCONTINUITY-SEQUENCE:{}",
                self.discontinuity_sequence
            );
        }
        let parts_from = self.entries.len().saturating_sub(SEGMENTS_WITH_PARTS);
        for (i, e) in self.entries.iter().enumerate() {
            if e.discontinuity {
                s.push_str("#EXT-X-DISCONTINUITY\n");
            }
            if let Some(m) = &e.map {
                let _ = writeln!(s, "#EXT-X-MAP:URI=\"{uri_prefix}{m}\"");
            }

            if let Some(pdt) = e.program_date_time_ms {
                s.push_str("#EXT-X-PROGRAM-DATE-TIME:");
                write_program_date_time(&mut s, pdt);
                s.push('\n');
            }
            if self.low_latency.is_some() && i >= parts_from {
                write_parts(&mut s, &e.parts, uri_prefix);
            }
            let d = e.duration_ms.max(0);
            let _ = writeln!(
                s,
                "#EXTINF:{}.{:03},\n{uri_prefix}{}",
                d / 1000,
                d % 1000,
                e.uri
            );
        }
        if let Some(ll) = &self.low_latency
            && !self.ended
        {
            write_parts(&mut s, &ll.pending, uri_prefix);
            if let Some(hint) = &ll.preload_hint {
                let _ = writeln!(
                    s,
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{uri_prefix}{hint}\""
                );
            }
            for r in reports {
                let _ = write!(
                    s,
                    "#EXT-X-RENDITION-REPORT:URI=\"{}\",LAST-MSN={}",
                    r.uri, r.last_msn
                );
                if let Some(part) = r.last_part {
                    let _ = write!(s, ",LAST-PART={part}");
                }
                s.push('\n');
            }
        }
        if self.ended {
            s.push_str("#EXT-X-ENDLIST\n");
        }
        s
    }
}

#[cfg(test)]
mod tests;
