//! Reading back media playlists as liboo writes them (for salvaging a crashed node's
//! replay), with caps on what a stored text may make it hold.

use super::{Playlist, PlaylistEntry, PlaylistError};

/// Inputs [`Playlist::parse`] refuses to read whole.
const MAX_PARSE_BYTES: usize = 16 << 20;
const MAX_PARSE_ENTRIES: usize = 200_000;

/// Why [`Playlist::parse`] refused a text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// The text does not start with `#EXTM3U`.
    #[error("not a playlist: #EXTM3U must come first")]
    NotAPlaylist,
    /// The text is over the size or entry limit.
    #[error("playlist too large to read")]
    TooLarge,
    /// A tag liboo writes is malformed or missing.
    #[error("bad or missing EXT-X-{0}")]
    BadTag(&'static str),
    /// A URI line came without its `#EXTINF`.
    #[error("a URI without #EXTINF before it")]
    UriWithoutExtinf,
    /// The entries break a playlist invariant.
    #[error(transparent)]
    Invalid(PlaylistError),
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

impl Playlist {
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
}
