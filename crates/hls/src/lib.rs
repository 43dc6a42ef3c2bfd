//! HLS for liboo: a segmenter that cuts a live H.264/AAC stream into MPEG-TS segments on
//! keyframes, and a writer for live (sliding window) and VOD media playlists.
//!
//! Follows RFC 8216 (HTTP Live Streaming, protocol version 3: decimal `EXTINF`) and the parts of
//! Apple's HLS authoring specification that players enforce: every segment starts with PAT/PMT
//! and, whenever the encoder's GOP allows, with a keyframe; `EXT-X-TARGETDURATION` never changes
//! and no rounded `EXTINF` exceeds it; the media sequence never goes back.
//!
//! Sans-IO: the segmenter returns finished segments as bytes and the playlist renders to a
//! `String`; the caller stores them.

mod cmaf;
mod playlist;
mod segmenter;
mod time;

pub use cmaf::{CmafConfig, CmafEvent, CmafSegmenter};
pub use playlist::{
    ParseError, Part, Playlist, PlaylistEntry, PlaylistError, RenditionReport, SEGMENTS_WITH_PARTS,
};
pub use segmenter::{HlsError, SegmentComplete, Segmenter, SegmenterConfig};
pub use time::format_program_date_time;
