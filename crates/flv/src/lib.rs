//! FLV tag bodies as carried in RTMP audio (type 8) and video (type 9) messages, and a small reader
//! for FLV files.
//!
//! Follows the Adobe Flash Video File Format Specification v10.1 (tag headers, `AVCVIDEOPACKET`,
//! `AACAUDIODATA`), ISO/IEC 14496-15 §5.2.4 (`AVCDecoderConfigurationRecord`), ISO/IEC 14496-3
//! §1.6.2.1 (`AudioSpecificConfig`) and §1.A.2 (ADTS), ITU-T H.264 (08/2021) §7.3.2.1.1 and
//! Annex E (the sequence parameter set fields a muxer needs), and recognises the Enhanced RTMP
//! v1/v2 extended headers (`ExVideoTagHeader`, `ExAudioTagHeader`) so that a publisher sending
//! HEVC, AV1, VP9 or Opus gets a clear "unsupported codec" error instead of garbage.
//!
//! Everything here is sans-IO: functions take [`bytes::Bytes`] and return parsed values that share
//! the input buffer. Every count or size read from the wire is checked against [`Limits`], each
//! with its own [`FlvError`] variant, so a hostile publisher cannot make the server allocate
//! without bound.

#![warn(missing_docs)]

pub mod aac;
pub mod audio;
pub mod avc;
mod bits;
mod error;
pub mod file;
pub mod sps;
pub mod video;

pub use aac::{ADTS_HEADER_LEN, AudioSpecificConfig};
pub use audio::{AacPacket, AudioTag};
pub use avc::{AvcDecoderConfig, split_nal_units};
pub use error::{FlvError, FourCc, UnsupportedCodec};
pub use file::{FlvHeader, FlvReader, FlvTag, TagType, write_header, write_tag};
pub use sps::{SpsInfo, parse_sps};
pub use video::{FrameType, VideoPacket, VideoTag};

/// Hard caps on what a peer can make the parser accept.
///
/// The defaults are far above what OBS, ffmpeg or hardware encoders send, and low enough that a
/// single malicious tag cannot cost more than a few megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// NAL units in one video frame. x264 with sliced threads writes a few slices plus SEI;
    /// thousands of tiny NAL units would only serve to multiply per-unit work downstream.
    pub max_nal_units_per_frame: usize,
    /// Bytes in one NAL unit. A 4K intra frame at high bitrate stays below a few MiB.
    pub max_nal_unit_size: usize,
    /// SPS entries and PPS entries (each) in a decoder configuration record. The record allows 31
    /// and 255; encoders send one of each.
    pub max_parameter_sets: usize,
    /// Bytes in one SPS or PPS. Real ones are tens of bytes; VUI and scaling lists stay well
    /// under a kilobyte.
    pub max_parameter_set_size: usize,
    /// Bytes in one tag body read from an FLV file. The format allows up to 16 MiB - 1.
    pub max_tag_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nal_units_per_frame: 256,
            max_nal_unit_size: 8 * 1024 * 1024,
            max_parameter_sets: 16,
            max_parameter_set_size: 4096,
            max_tag_size: 8 * 1024 * 1024,
        }
    }
}
