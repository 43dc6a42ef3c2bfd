//! One segmenter for both of liboo's outputs: MPEG-TS segments (classic HLS, through
//! [`Segmenter`]) or fMP4 parts and segments (LL-HLS, through [`CmafSegmenter`]). It takes
//! what FLV carries (the AVC and AAC configuration records, AVCC access units and raw AAC
//! frames), frames them as the output needs (Annex B NAL units and ADTS for TS, the records
//! as they are for fMP4), and reports what it made as one event type, so that its caller
//! never asks which output it has.

use bytes::Bytes;
use flv::{AudioSpecificConfig, AvcDecoderConfig, Limits};
use mpegts::{AudioFrame, VideoFrame};

use crate::{CmafConfig, CmafSegmenter, HlsError, SegmentComplete, Segmenter, SegmenterConfig};

/// What the segmenter made, in the order it must be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentEvent {
    /// A new fMP4 init segment (`EXT-X-MAP`), before the first part that needs it.
    /// `version` counts init segments of this stream from 0, to name them apart.
    Init {
        /// Which init segment of the stream this is.
        version: u32,
        /// The `ftyp` and `moov` boxes.
        data: Bytes,
    },
    /// A part (LL-HLS `EXT-X-PART`) of segment `segment`, the `index`-th (from 0).
    Part {
        /// Sequence number of the segment it belongs to.
        segment: u64,
        /// Its place in that segment, from 0.
        index: u32,
        /// Its duration in ms.
        duration_ms: i64,
        /// It starts with a keyframe.
        independent: bool,
        /// The `moof` and `mdat` boxes.
        data: Bytes,
    },
    /// Segment `sequence` is whole.
    Segment {
        /// The segmenter's sequence number for it (in its name; playlists number their own).
        sequence: u64,
        /// Output-timeline time of its first frame, in ms.
        start_ms: i64,
        /// Its duration in ms.
        duration_ms: i64,
        /// Timestamps jumped, or the publisher came back, before it.
        discontinuity: bool,
        /// The init segment it needs (fMP4), `None` for MPEG-TS.
        init_version: Option<u32>,
        /// The whole segment: TS packets, or its fMP4 parts concatenated.
        data: Bytes,
    },
}

impl From<SegmentComplete> for SegmentEvent {
    fn from(seg: SegmentComplete) -> Self {
        SegmentEvent::Segment {
            sequence: seg.sequence,
            start_ms: seg.start_ms,
            duration_ms: seg.duration_ms,
            discontinuity: seg.discontinuity,
            init_version: None,
            data: seg.data,
        }
    }
}

/// The MPEG-TS side: the segmenter and what it needs to frame FLV's payloads.
#[derive(Debug)]
struct Ts {
    segmenter: Segmenter,
    /// From the latest AVC sequence header: how long the NAL unit length prefixes are.
    nalu_length_size: u8,
    asc: Option<AudioSpecificConfig>,
    /// The ADTS frame being handed to the muxer, reused from one frame to the next.
    adts: Vec<u8>,
}

#[derive(Debug)]
enum Output {
    Ts(Box<Ts>),
    Cmaf(Box<CmafSegmenter>),
}

/// A live stream's segmenter, MPEG-TS or fMP4 (LL-HLS) as configured.
#[derive(Debug)]
pub struct LiveSegmenter {
    output: Output,
    limits: Limits,
}

impl LiveSegmenter {
    /// MPEG-TS segments when `part_target_ms` is `None`; else fMP4 parts of at most that
    /// long, grouped into segments. `limits` caps the NAL units of one frame.
    pub fn new(segments: SegmenterConfig, part_target_ms: Option<i64>, limits: Limits) -> Self {
        let output = match part_target_ms {
            Some(part_target_ms) => Output::Cmaf(Box::new(CmafSegmenter::new(CmafConfig {
                segments,
                part_target_ms,
            }))),
            None => Output::Ts(Box::new(Ts {
                segmenter: Segmenter::new(segments),
                nalu_length_size: 4,
                asc: None,
                adts: Vec::new(),
            })),
        };
        Self { output, limits }
    }

    /// The AVC sequence header: its parsed `config`, the AVCDecoderConfigurationRecord
    /// itself (`record`) and the picture size its SPS gives.
    pub fn set_video_config(
        &mut self,
        config: &AvcDecoderConfig,
        record: Bytes,
        size: Option<(u32, u32)>,
    ) {
        match &mut self.output {
            Output::Ts(ts) => {
                ts.segmenter
                    .set_parameter_sets(config.sps.clone(), config.pps.clone());
                ts.nalu_length_size = config.nalu_length_size;
            }
            Output::Cmaf(cmaf) => {
                let (width, height) = size.unwrap_or((0, 0));
                cmaf.set_video_config(record, width, height);
            }
        }
    }

    /// The AAC sequence header: its parsed `asc` and the AudioSpecificConfig itself.
    pub fn set_audio_config(&mut self, asc: &AudioSpecificConfig, record: Bytes) {
        match &mut self.output {
            Output::Ts(ts) => ts.asc = Some(*asc),
            Output::Cmaf(cmaf) => cmaf.set_audio_config(
                record,
                asc.sampling_frequency,
                u16::from(asc.channel_configuration.max(1)),
            ),
        }
    }

    /// One access unit of AVCC length-prefixed NAL units, as FLV carries them; `dts_ms` is
    /// the publisher's (unwrapped) timestamp and `cts_ms` its composition offset.
    pub fn push_video(
        &mut self,
        dts_ms: i64,
        cts_ms: i32,
        keyframe: bool,
        data: Bytes,
    ) -> Result<Vec<SegmentEvent>, HlsError> {
        match &mut self.output {
            Output::Ts(ts) => {
                let nal_units = flv::split_nal_units(&data, ts.nalu_length_size, &self.limits)?;
                let done = ts.segmenter.push_video(&VideoFrame {
                    dts_ms,
                    composition_time_ms: cts_ms,
                    keyframe,
                    nal_units: &nal_units,
                })?;
                Ok(done.into_iter().map(SegmentEvent::from).collect())
            }
            Output::Cmaf(cmaf) => {
                let mut out = Vec::new();
                cmaf.push_video(dts_ms, cts_ms, keyframe, data, &mut out);
                Ok(out)
            }
        }
    }

    /// One raw AAC frame; dropped before the first AAC sequence header.
    pub fn push_audio(&mut self, pts_ms: i64, raw: Bytes) -> Result<Vec<SegmentEvent>, HlsError> {
        match &mut self.output {
            Output::Ts(ts) => {
                let Some(asc) = ts.asc else {
                    return Ok(Vec::new());
                };
                ts.adts.clear();
                asc.write_adts(&raw, &mut ts.adts)?;
                let done = ts.segmenter.push_audio(&AudioFrame {
                    pts_ms,
                    adts: &ts.adts,
                })?;
                Ok(done.into_iter().map(SegmentEvent::from).collect())
            }
            Output::Cmaf(cmaf) => {
                cmaf.push_audio(pts_ms, raw);
                Ok(Vec::new())
            }
        }
    }

    /// The publisher came back (or the timeline otherwise broke): closes the open segment;
    /// the next one is marked discontinuous and continues the timeline.
    pub fn mark_discontinuity(&mut self) -> Vec<SegmentEvent> {
        match &mut self.output {
            Output::Ts(ts) => ts
                .segmenter
                .mark_discontinuity()
                .into_iter()
                .map(Into::into)
                .collect(),
            Output::Cmaf(cmaf) => {
                let mut out = Vec::new();
                cmaf.mark_discontinuity(&mut out);
                out
            }
        }
    }

    /// End of stream: everything held goes out, the partial segment last.
    pub fn finish(&mut self) -> Vec<SegmentEvent> {
        match &mut self.output {
            Output::Ts(ts) => ts.segmenter.finish().into_iter().map(Into::into).collect(),
            Output::Cmaf(cmaf) => {
                let mut out = Vec::new();
                cmaf.finish(&mut out);
                out
            }
        }
    }
}
