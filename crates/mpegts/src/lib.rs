//! An MPEG-2 transport stream muxer (ISO/IEC 13818-1) for one program with H.264 video and AAC
//! audio, shaped for HLS (RFC 8216 §3.2 and Apple's HLS authoring rules):
//!
//! - PAT and PMT at the start of every segment, so each segment decodes on its own;
//! - H.264 as Annex B byte stream (ISO/IEC 14496-10 Annex B) with an access unit delimiter first
//!   in every access unit and SPS/PPS in front of every IDR picture;
//! - AAC as ADTS frames, several per PES packet;
//! - PCR on the video PID (or the audio PID when there is no video), random_access_indicator on
//!   keyframes, continuity counters per PID and adaptation-field stuffing to 188 bytes.
//!
//! The muxer is sans-IO: it appends whole 188-byte packets to any [`bytes::BufMut`]
//! (`Vec<u8>`, `BytesMut`).

#![warn(missing_docs)]

mod crc;
mod muxer;
pub mod packet;
pub mod pes;
pub mod psi;

pub use crc::crc32_mpeg2;
pub use muxer::{AudioFrame, MuxerConfig, Tracks, TsError, TsMuxer, VideoFrame};

/// Bytes in a transport stream packet.
pub const PACKET_SIZE: usize = 188;
/// PID of the program map table.
pub const PMT_PID: u16 = 0x1000;
/// PID of the H.264 elementary stream.
pub const VIDEO_PID: u16 = 0x100;
/// PID of the AAC elementary stream.
pub const AUDIO_PID: u16 = 0x101;
/// `stream_type` for H.264 video (ISO/IEC 13818-1 Table 2-34).
pub const STREAM_TYPE_H264: u8 = 0x1b;
/// `stream_type` for AAC with ADTS transport syntax.
pub const STREAM_TYPE_AAC_ADTS: u8 = 0x0f;

/// Converts milliseconds to the 90 kHz clock of PTS/DTS, wrapped to 33 bits as the field holds.
pub fn ms_to_90khz(ms: i64) -> u64 {
    (ms * 90).rem_euclid(1 << 33) as u64
}
