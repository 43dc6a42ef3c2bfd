//! HLS for liboo: segmenters that cut a live H.264/AAC stream into segments on keyframes,
//! and writers for media playlists (live with a sliding window, event, VOD) and master
//! playlists.
//!
//! Two outputs, behind one [`LiveSegmenter`]: low-latency HLS, liboo's default, with
//! fMP4 (CMAF) parts of about a third of a second grouped into segments ([`CmafSegmenter`];
//! playlists with `EXT-X-PART`, `EXT-X-PRELOAD-HINT`, blocking reloads and rendition
//! reports), and classic HLS with MPEG-TS segments ([`Segmenter`]).
//!
//! Follows RFC 8216 (HTTP Live Streaming: protocol version 3 for TS playlists, 6 for fMP4
//! with `EXT-X-MAP`), its second edition's low-latency extensions (draft-pantos-hls-rfc8216bis:
//! `EXT-X-PART-INF`, `EXT-X-SERVER-CONTROL`, `EXT-X-PART`, `EXT-X-PRELOAD-HINT`,
//! `EXT-X-RENDITION-REPORT`) and the parts of Apple's HLS authoring specification that
//! players enforce: every segment starts, whenever the encoder's GOP allows, with a
//! keyframe (and a TS segment with PAT/PMT); `EXT-X-TARGETDURATION` never changes and no
//! rounded `EXTINF` exceeds it; no part is longer than the part target; the media sequence
//! never goes back.
//!
//! Sans-IO: the segmenters return what they made as bytes and the playlists render to a
//! `String`; the caller stores them.

#![warn(missing_docs)]

mod cmaf;
mod live;
mod master;
mod playlist;
mod segmenter;
mod time;

pub use cmaf::{CmafConfig, CmafEvent, CmafSegmenter};
pub use live::{LiveSegmenter, SegmentEvent};
pub use master::{Variant, avc_codec, master_playlist, mp4a_codec};
pub use playlist::{
    ParseError, Part, Playlist, PlaylistEntry, PlaylistError, RenditionReport, SEGMENTS_WITH_PARTS,
};
pub use segmenter::{HlsError, SegmentComplete, Segmenter, SegmenterConfig};
pub use time::format_program_date_time;
