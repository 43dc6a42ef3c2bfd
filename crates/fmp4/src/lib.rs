//! Fragmented MP4 for low-latency HLS: an initialization segment describing an H.264 and an AAC
//! track, and CMAF chunks (`moof` + `mdat`) carrying their samples.
//!
//! Follows ISO/IEC 14496-12:2022 (ISO base media file format: boxes, movie fragments), ISO/IEC
//! 14496-15 §5.4 (`avc1`/`avcC`), ISO/IEC 14496-14 (`mp4a`/`esds`) and the CMAF structure of
//! ISO/IEC 23000-19 (a `tfdt` in every fragment, offsets relative to the `moof`). Only what a
//! live H.264 + AAC stream from RTMP needs is written: no edit lists, no sample groups, no
//! encryption.
//!
//! Sans-IO like the other codec crates: both functions take the media as borrowed bytes and
//! return the finished bytes. The H.264 access units and the AAC configuration go in exactly as
//! FLV carries them (AVCC length-prefixed NAL units, the `AVCDecoderConfigurationRecord`, the
//! `AudioSpecificConfig`), because MP4 stores them the same way.

#![warn(missing_docs)]

mod boxes;
mod fragment;
mod init;

pub use fragment::{NON_SYNC_SAMPLE_FLAGS, SYNC_SAMPLE_FLAGS, fragment};
pub use init::init_segment;

/// Track ID of the H.264 track in the init segment and in fragments.
pub const VIDEO_TRACK_ID: u32 = 1;
/// Track ID of the AAC track.
pub const AUDIO_TRACK_ID: u32 = 2;
/// Video timescale; the audio track's timescale is its sample rate.
///
/// 90 kHz is the MPEG-TS clock, so times converted for the TS segments carry over unchanged,
/// and it divides every common frame rate (24, 25, 30, 50, 60 and their /1.001 variants).
pub const VIDEO_TIMESCALE: u32 = 90_000;

/// The H.264 track of an init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvcTrack<'a> {
    /// Display width in pixels (from the SPS, see `flv::parse_sps`).
    pub width: u32,
    /// Display height in pixels.
    pub height: u32,
    /// AVCDecoderConfigurationRecord, exactly as the FLV AVC sequence header carries it (goes
    /// into avcC as is).
    pub avcc: &'a [u8],
}

/// The AAC track of an init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AacTrack<'a> {
    /// Sampling frequency in Hz; also the track's timescale.
    pub sample_rate: u32,
    /// Channel count (the AudioSampleEntry's `channelcount`).
    pub channels: u16,
    /// AudioSpecificConfig bytes as the FLV AAC sequence header carries them (goes into esds's
    /// DecoderSpecificInfo).
    pub asc: &'a [u8],
}

/// One sample (a video access unit or an AAC frame) of a [`Run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample<'a> {
    /// In the track's timescale.
    pub duration: u32,
    /// PTS - DTS in the track's timescale (signed; trun version 1).
    pub composition_offset: i32,
    /// A sync sample (IDR); audio samples are always sync.
    pub keyframe: bool,
    /// Video: the access unit as AVCC length-prefixed NAL units, exactly as FLV carries them
    /// (same length size as the avcC). Audio: one raw AAC frame (no ADTS).
    pub data: &'a [u8],
}

/// Consecutive samples of one track within a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run<'a> {
    /// The track the samples belong to ([`VIDEO_TRACK_ID`] or [`AUDIO_TRACK_ID`]).
    pub track_id: u32,
    /// tfdt baseMediaDecodeTime (version 1, 64-bit) in the track's timescale: the decode time
    /// of the first sample.
    pub base_decode_time: u64,
    /// The samples, in decode order.
    pub samples: &'a [Sample<'a>],
}
