//! The low-latency segmenter: H.264/AAC frames -> fMP4 (CMAF) partial segments of about
//! a third of a second, grouped into segments that start on keyframes, for LL-HLS.
//!
//! A part ends at the last frame boundary that keeps it within the part target, so every
//! part honours `EXT-X-PART-INF:PART-TARGET`; a segment ends at the first keyframe after
//! the segment target, or is cut without one past the forced-cut point so that no segment
//! rounds above the playlist's target duration (as [`crate::Segmenter`] does for TS).
//!
//! A video sample's duration is the step to the next one, so the newest video frame waits
//! in `held` until the next arrives. Audio goes into whichever part is open when it comes.
//! Output timestamps are the publisher's plus an offset that keeps the timeline
//! continuous across a discontinuity (a publisher coming back, a jump in timestamps).

use bytes::Bytes;

use crate::{SegmentEvent, SegmenterConfig};

/// What the fMP4 segmenter makes, in the order it must be stored: the one event type of
/// [`crate::LiveSegmenter`], whose segments here always name the init version they need.
pub type CmafEvent = SegmentEvent;

/// Low-latency segmenter settings.
#[derive(Debug, Clone, Copy)]
pub struct CmafConfig {
    /// Where segments end, as for MPEG-TS.
    pub segments: SegmenterConfig,
    /// No part is longer than this.
    pub part_target_ms: i64,
}

impl Default for CmafConfig {
    fn default() -> Self {
        Self {
            segments: SegmenterConfig::default(),
            part_target_ms: 334,
        }
    }
}

#[derive(Debug, Clone)]
struct VideoConfig {
    avcc: Bytes,
    width: u32,
    height: u32,
}

#[derive(Debug, Clone)]
struct AudioConfig {
    asc: Bytes,
    sample_rate: u32,
    channels: u16,
}

#[derive(Debug)]
struct VideoSample {
    dts_ms: i64,
    cts_ms: i32,
    keyframe: bool,
    data: Bytes,
}

#[derive(Debug)]
struct AudioSample {
    pts_ms: i64,
    data: Bytes,
}

/// The segment being made.
#[derive(Debug)]
struct Open {
    sequence: u64,
    start_ms: i64,
    discontinuity: bool,
    parts: Vec<Bytes>,
    duration_ms: i64,
    init_version: u32,
}

/// The part being made.
#[derive(Debug, Default)]
struct OpenPart {
    start_ms: Option<i64>,
    video: Vec<(VideoSample, i64)>,
    audio: Vec<AudioSample>,
}

#[derive(Debug)]
/// The fMP4 segmenter state machine. Feed it frames in arrival order with the publisher's timestamps.
pub struct CmafSegmenter {
    config: CmafConfig,
    video: Option<VideoConfig>,
    audio: Option<AudioConfig>,
    /// Version of the init segment last emitted; stale when a config changed since.
    init: Option<u32>,
    init_stale: bool,
    /// Where the next audio sample falls on the audio track's timeline, to keep it
    /// seamless across parts despite millisecond timestamps.
    audio_next: Option<u64>,
    /// The tracks the current init segment has.
    init_tracks: (bool, bool),
    held: Option<VideoSample>,
    part: OpenPart,
    segment: Option<Open>,
    next_sequence: u64,
    next_fragment: u32,
    offset_ms: i64,
    rebase: bool,
    end_ms: Option<i64>,
    pending_discontinuity: bool,
    last_input_ms: Option<i64>,
    frame_duration_ms: i64,
}

impl CmafSegmenter {
    /// A segmenter that has seen no configuration or frame yet.
    pub fn new(config: CmafConfig) -> Self {
        Self {
            config,
            video: None,
            audio: None,
            init: None,
            init_stale: true,
            audio_next: None,
            init_tracks: (false, false),
            held: None,
            part: OpenPart::default(),
            segment: None,
            next_sequence: config.segments.first_sequence,
            next_fragment: 1,
            offset_ms: 0,
            rebase: false,
            end_ms: None,
            pending_discontinuity: false,
            last_input_ms: None,
            frame_duration_ms: 33,
        }
    }

    /// Its settings.
    pub fn config(&self) -> &CmafConfig {
        &self.config
    }

    /// The AVC sequence header (an AVCDecoderConfigurationRecord) and the picture size.
    pub fn set_video_config(&mut self, avcc: Bytes, width: u32, height: u32) {
        if self.video.as_ref().is_some_and(|v| v.avcc == avcc) {
            return;
        }
        self.video = Some(VideoConfig {
            avcc,
            width,
            height,
        });
        self.init_stale = true;
    }

    /// The AAC AudioSpecificConfig, its sample rate and channel count.
    pub fn set_audio_config(&mut self, asc: Bytes, sample_rate: u32, channels: u16) {
        if self.audio.as_ref().is_some_and(|a| a.asc == asc) {
            return;
        }
        self.audio = Some(AudioConfig {
            asc,
            sample_rate: sample_rate.max(1),
            channels,
        });
        self.init_stale = true;
    }

    /// One access unit: AVCC length-prefixed NAL units as FLV carries them.
    pub fn push_video(
        &mut self,
        dts_ms: i64,
        cts_ms: i32,
        keyframe: bool,
        data: Bytes,
        out: &mut Vec<CmafEvent>,
    ) {
        if self.video.is_none() {
            return;
        }
        if let Some(last) = self.last_input_ms
            && (dts_ms - last).abs() > self.config.segments.discontinuity_threshold_ms
        {
            // The publisher's clock jumped: close what we have and continue the timeline.
            self.close_segment(out);
            self.pending_discontinuity = true;
            self.rebase = true;
        }
        self.last_input_ms = Some(dts_ms);
        if self.rebase {
            if let Some(end) = self.end_ms {
                self.offset_ms = end - dts_ms;
            }
            self.rebase = false;
        }
        let dts_ms = dts_ms + self.offset_ms;
        let sample = VideoSample {
            dts_ms,
            cts_ms,
            keyframe,
            data,
        };
        let Some(held) = self.held.take() else {
            // The first frame: a segment can only start with a keyframe.
            if keyframe {
                self.held = Some(sample);
            }
            return;
        };
        let step = (dts_ms - held.dts_ms).max(1);
        self.frame_duration_ms = step;
        if self.segment.is_none() {
            self.open_segment(held.dts_ms, out);
        }
        self.part.start_ms.get_or_insert(held.dts_ms);
        self.part.video.push((held, step));
        let segment_start = self.segment.as_ref().map_or(dts_ms, |s| s.start_ms);
        let into_segment = dts_ms - segment_start;
        let segments = &self.config.segments;
        let forced = into_segment >= segments.forced_cut_ms();
        if (keyframe && into_segment >= segments.target_duration_ms) || forced {
            self.close_segment(out);
        } else if dts_ms + step - self.part.start_ms.unwrap_or(dts_ms) > self.config.part_target_ms
        {
            self.close_part(out);
        }
        self.held = Some(sample);
    }

    /// One raw AAC frame.
    pub fn push_audio(&mut self, pts_ms: i64, data: Bytes) {
        if self.audio.is_none() || self.held.is_none() && self.segment.is_none() {
            return;
        }
        self.part.audio.push(AudioSample {
            pts_ms: pts_ms + self.offset_ms,
            data,
        });
    }

    /// The publisher came back: close the open segment; the next one is marked
    /// discontinuous and continues the timeline.
    pub fn mark_discontinuity(&mut self, out: &mut Vec<CmafEvent>) {
        self.flush_held(out);
        self.close_segment(out);
        self.pending_discontinuity = true;
        self.rebase = true;
        self.last_input_ms = None;
    }

    /// The stream ended: everything held goes out.
    pub fn finish(&mut self, out: &mut Vec<CmafEvent>) {
        self.flush_held(out);
        self.close_segment(out);
    }

    /// The held frame goes into the part with the last known frame duration.
    fn flush_held(&mut self, out: &mut Vec<CmafEvent>) {
        if let Some(held) = self.held.take() {
            if self.segment.is_none() {
                self.open_segment(held.dts_ms, out);
            }
            self.part.start_ms.get_or_insert(held.dts_ms);
            self.part.video.push((held, self.frame_duration_ms));
        }
    }

    fn open_segment(&mut self, start_ms: i64, out: &mut Vec<CmafEvent>) {
        if self.init_stale || self.init.is_none() {
            let version = self.init.map_or(0, |v| v + 1);
            let video = self.video.as_ref().map(|v| fmp4::AvcTrack {
                width: v.width,
                height: v.height,
                avcc: &v.avcc,
            });
            let audio = self.audio.as_ref().map(|a| fmp4::AacTrack {
                sample_rate: a.sample_rate,
                channels: a.channels,
                asc: &a.asc,
            });
            let data = fmp4::init_segment(video.as_ref(), audio.as_ref());
            self.init_tracks = (video.is_some(), audio.is_some());
            self.init = Some(version);
            self.init_stale = false;
            out.push(CmafEvent::Init {
                version,
                data: Bytes::from(data),
            });
        }
        self.segment = Some(Open {
            sequence: self.next_sequence,
            start_ms,
            discontinuity: std::mem::take(&mut self.pending_discontinuity),
            parts: Vec::new(),
            duration_ms: 0,
            init_version: self.init.unwrap_or(0),
        });
        self.next_sequence += 1;
    }

    fn close_part(&mut self, out: &mut Vec<CmafEvent>) {
        let part = std::mem::take(&mut self.part);
        let Some(segment) = self.segment.as_mut() else {
            return;
        };
        if part.video.is_empty() {
            // Audio with no video to carry it is left out: parts are cut on video.
            return;
        }
        let duration_ms: i64 = part.video.iter().map(|(_, d)| d).sum();
        let independent = part.video[0].0.keyframe;
        let video_samples: Vec<fmp4::Sample> = part
            .video
            .iter()
            .map(|(v, d)| fmp4::Sample {
                duration: (d * 90) as u32,
                composition_offset: v.cts_ms * 90,
                keyframe: v.keyframe,
                data: &v.data,
            })
            .collect();
        let mut runs = vec![fmp4::Run {
            track_id: fmp4::VIDEO_TRACK_ID,
            base_decode_time: (part.video[0].0.dts_ms.max(0) as u64) * 90,
            samples: &video_samples,
        }];
        let audio_samples: Vec<fmp4::Sample>;
        if let (Some(audio), true, Some(first)) =
            (&self.audio, self.init_tracks.1, part.audio.first())
        {
            audio_samples = part
                .audio
                .iter()
                .map(|a| fmp4::Sample {
                    duration: AAC_FRAME,
                    composition_offset: 0,
                    keyframe: true,
                    data: &a.data,
                })
                .collect();
            let rate = u64::from(audio.sample_rate);
            let stamped = first.pts_ms.max(0) as u64 * rate / 1000;
            // Within half a frame of where the last part left off: carry on from there.
            let base = match self.audio_next {
                Some(next) if next.abs_diff(stamped) <= u64::from(AAC_FRAME) / 2 => next,
                _ => stamped,
            };
            self.audio_next = Some(base + u64::from(AAC_FRAME) * audio_samples.len() as u64);
            runs.push(fmp4::Run {
                track_id: fmp4::AUDIO_TRACK_ID,
                base_decode_time: base,
                samples: &audio_samples,
            });
        }
        let data = Bytes::from(fmp4::fragment(self.next_fragment, &runs));
        self.next_fragment = self.next_fragment.wrapping_add(1).max(1);
        out.push(CmafEvent::Part {
            segment: segment.sequence,
            index: segment.parts.len() as u32,
            duration_ms,
            independent,
            data: data.clone(),
        });
        segment.parts.push(data);
        segment.duration_ms += duration_ms;
    }

    fn close_segment(&mut self, out: &mut Vec<CmafEvent>) {
        self.close_part(out);
        let Some(segment) = self.segment.take() else {
            return;
        };
        if segment.parts.is_empty() {
            return;
        }
        self.end_ms = Some(segment.start_ms + segment.duration_ms);
        out.push(CmafEvent::Segment {
            sequence: segment.sequence,
            start_ms: segment.start_ms,
            duration_ms: segment.duration_ms,
            discontinuity: segment.discontinuity,
            init_version: Some(segment.init_version),
            data: Bytes::from(segment.parts.concat()),
        });
    }
}

/// Samples per AAC frame.
const AAC_FRAME: u32 = 1024;
