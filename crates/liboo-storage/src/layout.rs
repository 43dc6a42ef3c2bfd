//! What the bucket holds, and the one place its keys are built.
//!
//! ```text
//! live/{sessionKey}/index.m3u8            the channel's stable live playlist: always the current broadcast
//! live/{sessionKey}/master.m3u8           its master playlist, with a quality ladder
//! live/{sessionKey}/{videoId}/            one broadcast (BroadcastPrefix)
//!     index.m3u8                          live media playlist (ENDLIST once the broadcast ends)
//!     master.m3u8                         master playlist, with a quality ladder
//!     replay.m3u8                         the replay: EVENT while live (every few segments), VOD when ended
//!     seg00000.ts                         classic HLS: MPEG-TS segments
//!     init0.mp4                           LL-HLS: fMP4 init segment, one per codec configuration
//!     seg00000.m4s                        LL-HLS: whole fMP4 segment
//!     seg00000.0.m4s                      LL-HLS: part of a segment (deleted some segments later)
//!     frame.jpg                           the latest frame thumbnail
//!     {height}p/                          a rendition of the ladder: its own index.m3u8, init, segments, parts
//! live/{sessionKey}/{talkVideoId}/replay.m3u8  a talk's replay: its room broadcasts' segments
//!                                         between the talk's cut points (`../{videoId}/seg...`)
//! channels/{sessionKey}/thumb-{digest}.jpg  a channel's uploaded thumbnail
//! ```
//!
//! Keys inside a broadcast's folder are also the URIs its playlists use (relative to the
//! playlist), so the file names come from here too. Nothing else in liboo formats a key.

/// The URI of `name` in the broadcast folder `video_id`, from a sibling folder of the
/// same channel: how a talk's replay playlist names its room broadcast's segments.
pub fn sibling_uri(video_id: &str, name: &str) -> String {
    format!("../{video_id}/{name}")
}

/// A talk's replay id: derived from the talk, so nodes that cut it at once make one
/// (random broadcast ids are 16 hex digits; these start with `t`).
pub fn talk_video_id(talk_id: i64) -> String {
    format!("t{talk_id:015x}")
}

/// Top folder of every channel's media.
const LIVE: &str = "live";

/// The folder of one broadcast, or of one rendition of it: `live/{sessionKey}/{videoId}`
/// or `live/{sessionKey}/{videoId}/{height}p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastPrefix(String);

impl BroadcastPrefix {
    /// A broadcast's folder.
    pub fn new(session_key: &str, video_id: &str) -> Self {
        BroadcastPrefix(format!("{LIVE}/{session_key}/{video_id}"))
    }

    /// A prefix as stored in the database (`broadcasts.media_prefix`).
    pub fn from_stored(prefix: &str) -> Self {
        BroadcastPrefix(prefix.trim_end_matches('/').to_owned())
    }

    /// The folder of one rendition of the ladder (`rung` as `"360p"`).
    pub fn rendition(&self, rung: &str) -> Self {
        BroadcastPrefix(format!("{}/{rung}", self.0))
    }

    /// The prefix itself, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key of `name` (one of this module's file names) in this folder.
    pub fn join(&self, name: &str) -> String {
        format!("{}/{name}", self.0)
    }

    /// The live media playlist.
    pub fn live_playlist(&self) -> String {
        self.join(LIVE_PLAYLIST)
    }

    /// The master playlist (with a quality ladder).
    pub fn master_playlist(&self) -> String {
        self.join(MASTER_PLAYLIST)
    }

    /// The replay playlist.
    pub fn replay_playlist(&self) -> String {
        self.join(REPLAY_PLAYLIST)
    }

    /// The latest frame thumbnail.
    pub fn frame(&self) -> String {
        self.join(FRAME)
    }
}

impl std::fmt::Display for BroadcastPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// File name of a live media playlist.
pub const LIVE_PLAYLIST: &str = "index.m3u8";
/// File name of a master playlist.
pub const MASTER_PLAYLIST: &str = "master.m3u8";
/// File name of a replay playlist.
pub const REPLAY_PLAYLIST: &str = "replay.m3u8";
/// File name of a broadcast's frame thumbnail.
pub const FRAME: &str = "frame.jpg";

/// The channel's folder, `live/{sessionKey}`: its stable playlists and every broadcast.
pub fn channel_prefix(session_key: &str) -> String {
    format!("{LIVE}/{session_key}")
}

/// The channel's stable live playlist, which always plays the current broadcast.
pub fn channel_playlist(session_key: &str) -> String {
    format!("{LIVE}/{session_key}/{LIVE_PLAYLIST}")
}

/// The channel's stable master playlist (with a quality ladder).
pub fn channel_master_playlist(session_key: &str) -> String {
    format!("{LIVE}/{session_key}/{MASTER_PLAYLIST}")
}

/// Where a channel's uploaded thumbnail is stored; `digest` names its content, so a new
/// image gets a new key and caches never serve an old one.
pub fn channel_thumbnail(session_key: &str, digest: &str) -> String {
    format!("channels/{session_key}/thumb-{digest}.jpg")
}

/// File name of the `n`th MPEG-TS segment.
pub fn ts_segment(n: u64) -> String {
    format!("seg{n:05}.ts")
}

/// File name of the `n`th whole fMP4 segment.
pub fn cmaf_segment(n: u64) -> String {
    format!("seg{n:05}.m4s")
}

/// File name of part `index` of fMP4 segment `segment`.
pub fn part(segment: u64, index: u32) -> String {
    format!("seg{segment:05}.{index}.m4s")
}

/// File name of an fMP4 init segment.
pub fn init_segment(version: u32) -> String {
    format!("init{version}.mp4")
}

/// Whether `key` names a part (`seg00012.3.m4s`) rather than a whole segment
/// (`seg00012.m4s`), an init segment or a playlist.
pub fn is_part(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    name.strip_prefix("seg")
        .and_then(|rest| rest.strip_suffix(".m4s"))
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(segment, part)| {
            !segment.is_empty()
                && !part.is_empty()
                && segment
                    .bytes()
                    .chain(part.bytes())
                    .all(|b| b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_broadcast() {
        let b = BroadcastPrefix::new("s", "v");
        assert_eq!(b.as_str(), "live/s/v");
        assert_eq!(b.live_playlist(), "live/s/v/index.m3u8");
        assert_eq!(b.master_playlist(), "live/s/v/master.m3u8");
        assert_eq!(b.replay_playlist(), "live/s/v/replay.m3u8");
        assert_eq!(b.frame(), "live/s/v/frame.jpg");
        assert_eq!(
            b.rendition("360p").live_playlist(),
            "live/s/v/360p/index.m3u8"
        );
        assert_eq!(b.join(&ts_segment(3)), "live/s/v/seg00003.ts");
        assert_eq!(b.join(&cmaf_segment(3)), "live/s/v/seg00003.m4s");
        assert_eq!(b.join(&part(3, 2)), "live/s/v/seg00003.2.m4s");
        assert_eq!(b.join(&init_segment(1)), "live/s/v/init1.mp4");
        assert_eq!(BroadcastPrefix::from_stored("live/s/v/"), b);
        assert_eq!(channel_prefix("s"), "live/s");
        assert_eq!(channel_playlist("s"), "live/s/index.m3u8");
        assert_eq!(channel_master_playlist("s"), "live/s/master.m3u8");
        assert_eq!(channel_thumbnail("s", "ab"), "channels/s/thumb-ab.jpg");
    }

    #[test]
    fn part_keys_are_told_from_other_objects() {
        for (key, part) in [
            ("live/s/v/seg00012.3.m4s", true),
            ("live/s/v/360p/seg00000.0.m4s", true),
            ("seg1.10.m4s", true),
            ("live/s/v/seg00012.m4s", false),
            ("live/s/v/init0.mp4", false),
            ("live/s/v/index.m3u8", false),
            ("live/s/v/seg00012.ts", false),
            ("live/s/v/seg.3.m4s", false),
            ("live/s/v/seg00012..m4s", false),
            ("live/s/v/seg0001a.3.m4s", false),
            ("live/s/v/seg00012.3.4.m4s", false),
            ("live/s/v/frame.jpg", false),
        ] {
            assert_eq!(is_part(key), part, "{key}");
        }
        assert!(is_part(&part(12, 3)));
        assert!(!is_part(&cmaf_segment(12)));
    }
}
