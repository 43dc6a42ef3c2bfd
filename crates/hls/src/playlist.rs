//! Media playlists (RFC 8216 §4.3.3): a live playlist with a sliding window, and a VOD playlist
//! that keeps every segment. One type serves both so the two can never disagree on syntax.

use std::collections::VecDeque;
use std::fmt::Write;

use crate::time::write_program_date_time;

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
    #[error("segment {got} does not follow segment {last}")]
    /// An entry whose sequence number does not follow the last one's.
    SequenceGap {
        /// The last entry's sequence number.
        last: u64,
        /// The refused entry's.
        got: u64,
    },
    #[error("segment of {duration_ms} ms rounds above EXT-X-TARGETDURATION {target} s")]
    /// An entry longer than the target duration allows.
    ExceedsTargetDuration {
        /// The refused entry's duration.
        duration_ms: i64,
        /// The playlist's target duration, in seconds.
        target: u32,
    },
    #[error("segment added after the playlist ended")]
    /// An entry pushed to a live playlist after `EXT-X-ENDLIST`.
    Ended,
}

/// Inputs [`Playlist::parse`] refuses to read whole.
const MAX_PARSE_BYTES: usize = 16 << 20;
const MAX_PARSE_ENTRIES: usize = 200_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
/// Why [`Playlist::parse`] refused a text.
pub enum ParseError {
    #[error("not a playlist: #EXTM3U must come first")]
    /// The text does not start with `#EXTM3U`.
    NotAPlaylist,
    #[error("playlist too large to read")]
    /// The text is over the size or entry limit.
    TooLarge,
    #[error("bad or missing EXT-X-{0}")]
    /// A tag liboo writes is malformed or missing.
    BadTag(&'static str),
    #[error("a URI without #EXTINF before it")]
    /// A URI line came without its `#EXTINF`.
    UriWithoutExtinf,
    #[error(transparent)]
    /// The entries break a playlist invariant.
    Invalid(PlaylistError),
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

/// `"2.033"` -> 2033; at most millisecond precision, as liboo writes.
fn parse_millis(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || whole.len() > 9 || frac.len() > 3 {
        return None;
    }
    if !whole
        .bytes()
        .chain(frac.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    Some(whole * 1000 + frac)
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

    /// Whether `EXT-X-ENDLIST` is written.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Sequence number the next entry must have, once one has been added.
    pub fn next_sequence(&self) -> Option<u64> {
        self.next_sequence
    }

    /// Reads back a media playlist as [`Playlist::render`] writes it (with no URI
    /// prefix, or with the prefix kept in each URI). A `VOD` or `EVENT` playlist comes
    /// back keeping every segment, any other as a live one with a window of its length.
    /// Unknown tags are skipped; anything that breaks an invariant is an error.
    pub fn parse(text: &str) -> Result<Playlist, ParseError> {
        if text.len() > MAX_PARSE_BYTES {
            return Err(ParseError::TooLarge);
        }
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some("#EXTM3U") {
            return Err(ParseError::NotAPlaylist);
        }
        let mut target = None;
        let mut media_sequence = 0u64;
        let mut discontinuity_sequence = 0u64;
        let mut keep_all = false;
        let mut ended = false;
        let mut entries = Vec::new();
        let mut pending_duration: Option<i64> = None;
        let mut pending_pdt = None;
        let mut pending_discontinuity = false;
        let mut pending_map = None;
        for line in lines {
            if let Some(v) = line.strip_prefix("#EXT-X-TARGETDURATION:") {
                target = Some(
                    v.parse::<u32>()
                        .map_err(|_| ParseError::BadTag("TARGETDURATION"))?,
                );
            } else if let Some(v) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
                media_sequence = v
                    .parse()
                    .map_err(|_| ParseError::BadTag("MEDIA-SEQUENCE"))?;
            } else if let Some(v) = line.strip_prefix("#EXT-X-DISCONTINUITY-SEQUENCE:") {
                discontinuity_sequence = v
                    .parse()
                    .map_err(|_| ParseError::BadTag("DISCONTINUITY-SEQUENCE"))?;
            } else if let Some(v) = line.strip_prefix("#EXT-X-PLAYLIST-TYPE:") {
                keep_all = matches!(v, "VOD" | "EVENT");
            } else if line == "#EXT-X-DISCONTINUITY" {
                pending_discontinuity = true;
            } else if let Some(v) = line.strip_prefix("#EXT-X-MAP:") {
                let uri = v
                    .split_once("URI=\"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(uri, _)| uri)
                    .filter(|uri| !uri.is_empty())
                    .ok_or(ParseError::BadTag("MAP"))?;
                pending_map = Some(uri.to_owned());
            } else if let Some(v) = line.strip_prefix("#EXT-X-PROGRAM-DATE-TIME:") {
                pending_pdt = Some(
                    crate::time::parse_program_date_time(v)
                        .ok_or(ParseError::BadTag("PROGRAM-DATE-TIME"))?,
                );
            } else if let Some(v) = line.strip_prefix("#EXTINF:") {
                let seconds = v.split(',').next().unwrap_or("");
                pending_duration = Some(parse_millis(seconds).ok_or(ParseError::BadTag("EXTINF"))?);
            } else if line == "#EXT-X-ENDLIST" {
                ended = true;
            } else if line.starts_with('#') {
                continue;
            } else {
                let duration_ms = pending_duration
                    .take()
                    .ok_or(ParseError::UriWithoutExtinf)?;
                if entries.len() >= MAX_PARSE_ENTRIES {
                    return Err(ParseError::TooLarge);
                }
                let sequence = media_sequence
                    .checked_add(entries.len() as u64)
                    .ok_or(ParseError::BadTag("MEDIA-SEQUENCE"))?;
                entries.push(PlaylistEntry {
                    sequence,
                    duration_ms,
                    uri: line.to_owned(),
                    program_date_time_ms: pending_pdt.take(),
                    discontinuity: std::mem::take(&mut pending_discontinuity),
                    map: pending_map.take(),
                    parts: Vec::new(),
                });
            }
        }
        let target = target.ok_or(ParseError::BadTag("TARGETDURATION"))?;
        let window = (!keep_all).then_some(entries.len().max(3));
        let mut playlist = Playlist::new(target, window);
        playlist.discontinuity_sequence = discontinuity_sequence;
        if entries.is_empty() {
            playlist.next_sequence = Some(media_sequence);
        }
        for e in entries {
            playlist.push(e).map_err(ParseError::Invalid)?;
        }
        playlist.ended = ended;
        Ok(playlist)
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
mod tests {
    use super::*;

    fn entry(sequence: u64, duration_ms: i64, discontinuity: bool) -> PlaylistEntry {
        PlaylistEntry {
            sequence,
            duration_ms,
            uri: format!("seg{sequence:05}.ts"),
            discontinuity,
            ..PlaylistEntry::default()
        }
    }

    fn part(uri: &str, duration_ms: i64, independent: bool) -> Part {
        Part {
            duration_ms,
            uri: uri.to_owned(),
            independent,
        }
    }

    #[test]
    fn low_latency_lists_recent_parts_and_hints_the_next() {
        let mut p = Playlist::low_latency(2, 4, 334);
        for seq in 0..5u64 {
            for i in 0..2 {
                let uri = format!("s{seq}.{i}.m4s");
                let next = Some(if i == 0 {
                    format!("s{seq}.1.m4s")
                } else {
                    format!("s{}.0.m4s", seq + 1)
                });
                p.push_part(part(&uri, 334, i == 0), next);
            }
            let mut e = entry(seq, 668, false);
            e.uri = format!("s{seq}.m4s");
            if seq == 0 {
                e.map = Some("init0.mp4".to_owned());
            }
            p.push(e).unwrap();
            assert_eq!(p.position(), (Some(seq), 0));
        }
        p.push_part(part("s5.0.m4s", 334, true), Some("s5.1.m4s".to_owned()));
        assert_eq!(p.position(), (Some(4), 1));
        let want = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n\
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002\n\
            #EXT-X-PART-INF:PART-TARGET=0.334\n#EXT-X-MEDIA-SEQUENCE:1\n\
            #EXT-X-MAP:URI=\"v/init0.mp4\"\n#EXTINF:0.668,\nv/s1.m4s\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s2.0.m4s\",INDEPENDENT=YES\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s2.1.m4s\"\n#EXTINF:0.668,\nv/s2.m4s\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s3.0.m4s\",INDEPENDENT=YES\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s3.1.m4s\"\n#EXTINF:0.668,\nv/s3.m4s\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s4.0.m4s\",INDEPENDENT=YES\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s4.1.m4s\"\n#EXTINF:0.668,\nv/s4.m4s\n\
            #EXT-X-PART:DURATION=0.334,URI=\"v/s5.0.m4s\",INDEPENDENT=YES\n\
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"v/s5.1.m4s\"\n";
        assert_eq!(p.render("v/"), want);
        // Read back (as a salvage would), the map and segments survive; parts need not.
        let back = Playlist::parse(&p.render("")).unwrap();
        let first = back.entries().next().unwrap();
        assert_eq!(first.map.as_deref(), Some("init0.mp4"));
        assert_eq!(back.entries().count(), 4);
        assert_eq!(p.last_part(), Some((5, Some(0))));
        let reports = [RenditionReport {
            uri: "../240p/index.m3u8".to_owned(),
            last_msn: 5,
            last_part: Some(0),
        }];
        let with_reports = p.render_with("", &reports);
        assert!(
            with_reports.ends_with(
                "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s5.1.m4s\"\n\
             #EXT-X-RENDITION-REPORT:URI=\"../240p/index.m3u8\",LAST-MSN=5,LAST-PART=0\n"
            ),
            "{with_reports}"
        );
        p.finish();
        assert_eq!(p.last_part(), Some((4, Some(1))));
        assert!(!p.render_with("", &reports).contains("RENDITION-REPORT"));
        let ended = p.render("");
        assert!(ended.ends_with("s4.m4s\n#EXT-X-ENDLIST\n"), "{ended}");
        assert!(!ended.contains("PRELOAD-HINT"));
    }

    #[test]
    fn discarded_parts_are_not_listed_or_given_to_the_next_segment() {
        let mut p = Playlist::low_latency(2, 4, 334);
        p.push_part(part("s0.0.m4s", 334, true), Some("s0.1.m4s".to_owned()));
        p.discard_parts();
        assert_eq!(p.position(), (None, 0));
        let text = p.render("");
        assert!(
            !text.contains("#EXT-X-PART:") && !text.contains("PRELOAD-HINT"),
            "{text}"
        );
        let mut e = entry(0, 668, true);
        e.uri = "s1.m4s".to_owned();
        p.push(e).unwrap();
        assert!(p.entries().next().unwrap().parts.is_empty());
    }

    #[test]
    fn render_table() {
        let with_pdt = |mut e: PlaylistEntry, ms| {
            e.program_date_time_ms = Some(ms);
            e
        };
        type Case = (
            &'static str,
            Playlist,
            Vec<PlaylistEntry>,
            bool,
            &'static str,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "empty live playlist",
                Playlist::live(3, 6),
                vec![],
                false,
                "",
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n",
            ),
            (
                "live, two segments with program date time",
                Playlist::live(3, 6),
                vec![
                    with_pdt(entry(1, 2000, false), 1_764_150_000_000),
                    with_pdt(entry(2, 2033, false), 1_764_150_002_000),
                ],
                false,
                "",
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:1\n\
                 #EXT-X-PROGRAM-DATE-TIME:2025-11-26T09:40:00.000Z\n#EXTINF:2.000,\nseg00001.ts\n\
                 #EXT-X-PROGRAM-DATE-TIME:2025-11-26T09:40:02.000Z\n#EXTINF:2.033,\nseg00002.ts\n",
            ),
            (
                "window of 3 slides; the discontinuity that left is counted, the one inside is tagged",
                Playlist::live(3, 3),
                vec![
                    entry(0, 2000, false),
                    entry(1, 2000, true),
                    entry(2, 2000, false),
                    entry(3, 1500, true),
                    entry(4, 2000, false),
                ],
                false,
                "",
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:2\n\
                 #EXT-X-DISCONTINUITY-SEQUENCE:1\n\
                 #EXTINF:2.000,\nseg00002.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.500,\nseg00003.ts\n\
                 #EXTINF:2.000,\nseg00004.ts\n",
            ),
            (
                "finished live playlist with a URI prefix",
                Playlist::live(3, 6),
                vec![entry(7, 999, false)],
                true,
                "b/42/",
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:7\n\
                 #EXTINF:0.999,\nb/42/seg00007.ts\n#EXT-X-ENDLIST\n",
            ),
            (
                "VOD keeps every segment",
                Playlist::vod(3),
                (0..4).map(|i| entry(i, 2000 + i as i64, i == 2)).collect(),
                false,
                "",
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:3\n\
                 #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\nseg00000.ts\n#EXTINF:2.001,\nseg00001.ts\n\
                 #EXT-X-DISCONTINUITY\n#EXTINF:2.002,\nseg00002.ts\n#EXTINF:2.003,\nseg00003.ts\n\
                 #EXT-X-ENDLIST\n",
            ),
        ];
        for (name, mut playlist, entries, finish, prefix, want) in cases {
            for e in entries {
                playlist.push(e).unwrap();
            }
            if finish {
                playlist.finish();
            }
            assert_eq!(playlist.render(prefix), want, "{name}");
        }
    }

    #[test]
    fn event_grows_then_becomes_vod() {
        let mut p = Playlist::event(3);
        p.push(entry(0, 2000, false)).unwrap();
        assert!(p.render("").contains("#EXT-X-PLAYLIST-TYPE:EVENT\n"));
        assert!(!p.render("").contains("ENDLIST"));
        p.finish();
        p.push(entry(1, 1000, false)).unwrap();
        let text = p.render("");
        assert!(text.contains("#EXT-X-PLAYLIST-TYPE:VOD\n"));
        assert!(text.ends_with("seg00001.ts\n#EXT-X-ENDLIST\n"));
    }

    #[test]
    fn parse_reads_back_what_render_writes() {
        let with_pdt = |mut e: PlaylistEntry, ms| {
            e.program_date_time_ms = Some(ms);
            e
        };
        let mut live = Playlist::live(3, 3);
        let mut event = Playlist::event(2);
        for i in 0..5 {
            let e = with_pdt(
                entry(i, 1900 + i as i64, i == 1 || i == 4),
                1_764_150_000_123 + 2000 * i as i64,
            );
            live.push(e.clone()).unwrap();
            event.push(e).unwrap();
        }
        let mut ended = live.clone();
        ended.finish();
        for (name, p, prefix) in [
            ("live window", live, ""),
            ("event", event.clone(), ""),
            ("ended live, prefixed", ended, "v1/"),
        ] {
            let text = p.render(prefix);
            let back = Playlist::parse(&text).unwrap();
            assert_eq!(back.render(""), text, "{name}");
        }
        let mut vod = event;
        vod.finish();
        let back = Playlist::parse(&vod.render("")).unwrap();
        assert!(back.is_ended());
        assert_eq!(back.next_sequence(), Some(5));
    }

    #[test]
    fn parse_refusals_table() {
        let cases: &[(&str, &str, ParseError)] = &[
            ("empty", "", ParseError::NotAPlaylist),
            (
                "no header",
                "#EXTINF:1.0,\na.ts\n",
                ParseError::NotAPlaylist,
            ),
            (
                "no target",
                "#EXTM3U\n#EXTINF:1.000,\na.ts\n",
                ParseError::BadTag("TARGETDURATION"),
            ),
            (
                "uri alone",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n",
                ParseError::UriWithoutExtinf,
            ),
            (
                "bad extinf",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:x,\na.ts\n",
                ParseError::BadTag("EXTINF"),
            ),
            (
                "negative",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1.0,\na.ts\n",
                ParseError::BadTag("EXTINF"),
            ),
            (
                "bad date",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n",
                ParseError::BadTag("PROGRAM-DATE-TIME"),
            ),
            (
                "over target",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:9.000,\na.ts\n",
                ParseError::Invalid(PlaylistError::ExceedsTargetDuration {
                    duration_ms: 9000,
                    target: 2,
                }),
            ),
            (
                "sequence overflow",
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:18446744073709551615\n#EXTINF:1.0,\na.ts\n#EXTINF:1.0,\nb.ts\n",
                ParseError::BadTag("MEDIA-SEQUENCE"),
            ),
        ];
        for (name, text, want) in cases {
            assert_eq!(Playlist::parse(text).err().as_ref(), Some(want), "{name}");
        }
    }

    #[test]
    fn refusals_table() {
        let mut ended = Playlist::live(3, 6);
        ended.finish();
        let mut started = Playlist::live(3, 6);
        started.push(entry(4, 2000, false)).unwrap();
        let cases: Vec<(&str, Playlist, PlaylistEntry, PlaylistError)> = vec![
            (
                "3.500 s rounds to 4 > 3",
                Playlist::live(3, 6),
                entry(0, 3500, false),
                PlaylistError::ExceedsTargetDuration {
                    duration_ms: 3500,
                    target: 3,
                },
            ),
            (
                "sequence must follow",
                started.clone(),
                entry(6, 2000, false),
                PlaylistError::SequenceGap { last: 4, got: 6 },
            ),
            (
                "sequence never goes back",
                started,
                entry(3, 2000, false),
                PlaylistError::SequenceGap { last: 4, got: 3 },
            ),
            (
                "nothing after ENDLIST",
                ended,
                entry(0, 2000, false),
                PlaylistError::Ended,
            ),
        ];
        for (name, mut playlist, e, want) in cases {
            assert_eq!(playlist.push(e), Err(want), "{name}");
        }
        // 3.499 s still rounds to 3.
        Playlist::live(3, 6).push(entry(0, 3499, false)).unwrap();
    }
}
