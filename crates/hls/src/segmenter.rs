//! The segmenter: decides where segments begin and end, keeps the output timeline continuous
//! across publisher restarts and timestamp jumps, and drives the TS muxer.

use bytes::Bytes;
use mpegts::{AudioFrame, MuxerConfig, TsError, TsMuxer, VideoFrame};

/// Errors from the segmenter.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HlsError {
    /// The MPEG-TS muxer refused a frame.
    #[error("muxer: {0}")]
    Mux(#[from] TsError),
    /// A frame could not be framed for the output (its NAL unit lengths, its ADTS header).
    #[error("FLV: {0}")]
    Flv(#[from] flv::FlvError),
}

/// Segmenter settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmenterConfig {
    /// A segment ends at the first keyframe at least this long after its start.
    pub target_duration_ms: i64,
    /// A step in a track's timestamps larger than this, either way, is a discontinuity (a
    /// restarted encoder or a stalled network), not a frame interval.
    pub discontinuity_threshold_ms: i64,
    /// Sequence number of the first segment (to continue a broadcast's numbering).
    pub first_sequence: u64,
    /// The MPEG-TS muxer's settings (tracks, PIDs).
    pub muxer: MuxerConfig,
}

impl Default for SegmenterConfig {
    fn default() -> Self {
        Self {
            target_duration_ms: 2000,
            discontinuity_threshold_ms: 1000,
            first_sequence: 0,
            muxer: MuxerConfig::default(),
        }
    }
}

impl SegmenterConfig {
    /// The `EXT-X-TARGETDURATION` to give the playlist, fixed for the stream: the target plus
    /// half again, rounded up (3 s for 2 s segments). The headroom absorbs keyframe intervals
    /// a little longer than the target without making hls.js, which holds back a multiple of
    /// the target duration from the live edge, add more latency than needed.
    pub fn playlist_target_duration(&self) -> u32 {
        ((self.target_duration_ms.max(1) * 3 / 2 + 999) / 1000) as u32
    }

    /// Past this much media since its start, a segment is cut even without a keyframe, so that
    /// no segment can round above the playlist target duration: the cut frame is at most one
    /// non-discontinuous step (`discontinuity_threshold_ms`) beyond this point.
    pub(crate) fn forced_cut_ms(&self) -> i64 {
        let bound = i64::from(self.playlist_target_duration()) * 1000 + 499
            - self.discontinuity_threshold_ms;
        bound.max(self.target_duration_ms)
    }
}

/// A finished segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentComplete {
    /// Its sequence number, from [`SegmenterConfig::first_sequence`] on, one per segment.
    pub sequence: u64,
    /// Output-timeline time of the first frame, in ms. Continuous from one segment to the next,
    /// across discontinuities too.
    pub start_ms: i64,
    /// Span of the primary track (video if any): up to the next segment's first frame, or to
    /// the last frame plus one frame duration when the stream stops or jumps.
    pub duration_ms: i64,
    /// The whole MPEG-TS segment; `data.len()` is its size.
    pub data: Bytes,
    /// Timestamps jumped, or the publisher came back, before this segment.
    pub discontinuity: bool,
    /// False only for segments cut without a keyframe to honour the target duration.
    pub starts_with_keyframe: bool,
}

#[derive(Debug)]
struct OpenSegment {
    sequence: u64,
    start_ms: i64,
    data: Vec<u8>,
    discontinuity: bool,
    starts_with_keyframe: bool,
    last_primary_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Track {
    Video,
    Audio,
}

/// Segmenter state machine. Feed it frames in arrival order with the publisher's timestamps.
#[derive(Debug)]
pub struct Segmenter {
    config: SegmenterConfig,
    muxer: TsMuxer,
    current: Option<OpenSegment>,
    /// Size of the last finished segment: the next one is about as large.
    last_segment_len: usize,
    next_sequence: u64,
    /// Added to input timestamps to get output timestamps.
    offset_ms: i64,
    /// After a discontinuity, the next segment's first frame resets `offset_ms` to continue at
    /// `end_ms`.
    rebase: bool,
    /// End of the last closed segment on the output timeline.
    end_ms: Option<i64>,
    pending_discontinuity: bool,
    last_input: [Option<i64>; 2],
    frame_duration_ms: i64,
    dropped: u64,
}

impl Segmenter {
    /// A segmenter that has seen no frame yet.
    pub fn new(config: SegmenterConfig) -> Self {
        Self {
            config,
            muxer: TsMuxer::new(config.muxer),
            current: None,
            last_segment_len: 0,
            next_sequence: config.first_sequence,
            offset_ms: 0,
            rebase: false,
            end_ms: None,
            pending_discontinuity: false,
            last_input: [None, None],
            frame_duration_ms: if config.muxer.tracks.video { 33 } else { 21 },
            dropped: 0,
        }
    }

    /// Its settings.
    pub fn config(&self) -> &SegmenterConfig {
        &self.config
    }

    /// SPS/PPS from the latest AVC sequence header.
    pub fn set_parameter_sets(&mut self, sps: Vec<Bytes>, pps: Vec<Bytes>) {
        self.muxer.set_parameter_sets(sps, pps);
    }

    /// Frames dropped while waiting for a keyframe to start a segment.
    pub fn dropped_frames(&self) -> u64 {
        self.dropped
    }

    /// Feeds one access unit; `dts_ms` is the publisher's (unwrapped) timestamp.
    pub fn push_video(
        &mut self,
        frame: &VideoFrame<'_>,
    ) -> Result<Option<SegmentComplete>, HlsError> {
        let (done, out_ms) = self.route(Track::Video, frame.dts_ms, frame.keyframe);
        if let (Some(out_ms), Some(seg)) = (out_ms, self.current.as_mut()) {
            self.muxer.write_video(
                &VideoFrame {
                    dts_ms: out_ms,
                    ..*frame
                },
                &mut seg.data,
            )?;
        }
        Ok(done)
    }

    /// Feeds one ADTS frame.
    pub fn push_audio(
        &mut self,
        frame: &AudioFrame<'_>,
    ) -> Result<Option<SegmentComplete>, HlsError> {
        // Audio starts segments only in an audio-only stream; every AAC frame is independent.
        let starts = !self.config.muxer.tracks.video;
        let (done, out_ms) = self.route(Track::Audio, frame.pts_ms, starts);
        if let (Some(out_ms), Some(seg)) = (out_ms, self.current.as_mut()) {
            self.muxer.write_audio(
                &AudioFrame {
                    pts_ms: out_ms,
                    ..*frame
                },
                &mut seg.data,
            )?;
        }
        Ok(done)
    }

    /// The publisher reconnected (or the caller otherwise knows the timeline broke): closes the
    /// open segment and marks the next one with a discontinuity.
    pub fn mark_discontinuity(&mut self) -> Option<SegmentComplete> {
        let done = self.close_at_last_frame();
        self.pending_discontinuity = true;
        self.rebase = self.end_ms.is_some();
        self.last_input = [None, None];
        done
    }

    /// End of stream: flushes the partial segment.
    pub fn finish(&mut self) -> Option<SegmentComplete> {
        self.close_at_last_frame()
    }

    /// Timestamp bookkeeping and cut decisions for one frame. Returns the segment this frame
    /// closed, if any, and the frame's output timestamp, or `None` when the frame is dropped.
    fn route(
        &mut self,
        track: Track,
        ts: i64,
        can_start: bool,
    ) -> (Option<SegmentComplete>, Option<i64>) {
        let primary = (track == Track::Video) == self.config.muxer.tracks.video;
        let slot = track as usize;
        let mut done = None;
        if let Some(last) = self.last_input[slot]
            && (ts - last).abs() > self.config.discontinuity_threshold_ms
        {
            done = self.mark_discontinuity();
        }
        self.last_input[slot] = Some(ts);

        let Some(seg) = self.current.as_mut() else {
            // A segment must open on a random access point; anything before it would be
            // undecodable for a player that starts with this segment.
            if !(primary && can_start) {
                self.dropped += 1;
                return (done, None);
            }
            if self.rebase {
                self.offset_ms = self.end_ms.unwrap_or(0) - ts;
                self.rebase = false;
            }
            let out = ts + self.offset_ms;
            self.open(out, true);
            return (done, Some(out));
        };
        let out = ts + self.offset_ms;
        if !primary {
            return (done, Some(out));
        }
        let step = out - seg.last_primary_ms;
        if step > 0 && step <= self.config.discontinuity_threshold_ms.min(500) {
            self.frame_duration_ms = step;
        }
        let elapsed = out - seg.start_ms;
        if (can_start && elapsed >= self.config.target_duration_ms)
            || elapsed >= self.config.forced_cut_ms()
        {
            let closed = self.close(out);
            self.open(out, can_start);
            return (done.or(closed), Some(out));
        }
        seg.last_primary_ms = seg.last_primary_ms.max(out);
        (done, Some(out))
    }

    fn open(&mut self, start_ms: i64, starts_with_keyframe: bool) {
        // Sized like the last segment plus an eighth, so a steady stream never grows (and
        // doubles) the buffer; a finished segment is held until stored, so waste here is
        // memory per stream.
        let capacity = (self.last_segment_len + self.last_segment_len / 8).max(64 * 1024);
        let mut data = Vec::with_capacity(capacity);
        self.muxer.start_segment(&mut data);
        self.current = Some(OpenSegment {
            sequence: self.next_sequence,
            start_ms,
            data,
            discontinuity: std::mem::take(&mut self.pending_discontinuity),
            starts_with_keyframe,
            last_primary_ms: start_ms,
        });
        self.next_sequence += 1;
    }

    fn close_at_last_frame(&mut self) -> Option<SegmentComplete> {
        let end = self.current.as_ref()?.last_primary_ms + self.frame_duration_ms;
        self.close(end)
    }

    fn close(&mut self, end_ms: i64) -> Option<SegmentComplete> {
        let mut seg = self.current.take()?;
        self.muxer.flush(&mut seg.data);
        self.last_segment_len = seg.data.len();
        if seg.data.capacity() > seg.data.len() + seg.data.len() / 4 {
            seg.data.shrink_to_fit();
        }
        let end_ms = end_ms.max(seg.start_ms + 1);
        self.end_ms = Some(end_ms);
        Some(SegmentComplete {
            sequence: seg.sequence,
            start_ms: seg.start_ms,
            duration_ms: end_ms - seg.start_ms,
            data: Bytes::from(seg.data),
            discontinuity: seg.discontinuity,
            starts_with_keyframe: seg.starts_with_keyframe,
        })
    }
}
