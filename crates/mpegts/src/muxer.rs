//! The transport stream muxer: turns H.264 access units and ADTS frames into TS packets.

use bytes::{BufMut, Bytes};

use crate::packet::{ContinuityCounter, FirstPacketFlags, write_payload_unit};
use crate::pes::{self, STREAM_ID_AUDIO, STREAM_ID_VIDEO};
use crate::psi::{self, PmtStream};
use crate::{AUDIO_PID, PMT_PID, STREAM_TYPE_AAC_ADTS, STREAM_TYPE_H264, VIDEO_PID, ms_to_90khz};

/// H.264 `nal_unit_type` values the muxer looks at (ISO/IEC 14496-10 Table 7-1).
const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;
const NAL_AUD: u8 = 9;

/// Access unit delimiter with `primary_pic_type` 7 (any slice type) and the RBSP stop bit.
/// HLS authoring rules and some hardware decoders want one at the start of every access unit.
const AUD: [u8; 6] = [0x00, 0x00, 0x00, 0x01, 0x09, 0xf0];
const START_CODE: [u8; 4] = [0x00, 0x00, 0x00, 0x01];

/// The most ES bytes one audio PES may hold: `PES_packet_length` is 16 bits and also counts the
/// 3 flag/length bytes and the 5-byte PTS.
const MAX_AUDIO_PES_PAYLOAD: usize = 0xffff - 3 - 5;

/// Errors from the muxer. They mean the caller fed something inconsistent, not that output is
/// partially written: each call either writes whole packets or nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TsError {
    /// An IDR picture, and no SPS/PPS to put before it.
    #[error("IDR picture without SPS/PPS in band or from a sequence header")]
    NoParameterSets,
    /// A frame of a track the configuration leaves out.
    #[error("{0} frame written but the {0} track is not in the PMT")]
    TrackNotConfigured(&'static str),
    /// Audio that does not start with an ADTS header.
    #[error("audio data is not an ADTS frame (no 0xfff syncword)")]
    NotAdts,
    /// An ADTS frame too large for one PES packet.
    #[error("ADTS frame of {len} bytes exceeds one PES packet ({MAX_AUDIO_PES_PAYLOAD})")]
    AudioFrameTooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// A video frame without NAL units.
    #[error("empty access unit")]
    EmptyAccessUnit,
}

/// Which elementary streams the program has; fixed for the life of the muxer because the PMT
/// written at each segment start must agree with what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracks {
    /// An H.264 stream.
    pub video: bool,
    /// An AAC (ADTS) stream.
    pub audio: bool,
}

/// Muxer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MuxerConfig {
    /// The program's streams.
    pub tracks: Tracks,
    /// ADTS frames grouped into one PES packet. Grouping saves the 14-byte PES header and most of
    /// a packet of stuffing per frame (an AAC frame is ~200-400 bytes); 4 frames at 48 kHz is
    /// 85 ms, well inside what players tolerate for audio/video interleaving.
    pub max_audio_frames_per_pes: usize,
}

impl Default for MuxerConfig {
    fn default() -> Self {
        Self {
            tracks: Tracks {
                video: true,
                audio: true,
            },
            max_audio_frames_per_pes: 4,
        }
    }
}

/// One H.264 access unit.
#[derive(Debug, Clone, Copy)]
pub struct VideoFrame<'a> {
    /// Decode time in milliseconds (the FLV/RTMP timestamp, unwrapped).
    pub dts_ms: i64,
    /// PTS - DTS in milliseconds (the FLV composition time).
    pub composition_time_ms: i32,
    /// The publisher flagged this frame as a keyframe; sets random_access_indicator.
    pub keyframe: bool,
    /// NAL units without start codes or length prefixes.
    pub nal_units: &'a [Bytes],
}

/// One AAC frame, already framed as ADTS (see `flv::AudioSpecificConfig::write_adts`).
#[derive(Debug, Clone, Copy)]
pub struct AudioFrame<'a> {
    /// Presentation time in milliseconds (the FLV/RTMP timestamp, unwrapped).
    pub pts_ms: i64,
    /// The ADTS header and the raw frame.
    pub adts: &'a [u8],
}

/// A single-program TS muxer.
#[derive(Debug)]
pub struct TsMuxer {
    config: MuxerConfig,
    sps: Vec<Bytes>,
    pps: Vec<Bytes>,
    cc_pat: ContinuityCounter,
    cc_pmt: ContinuityCounter,
    cc_video: ContinuityCounter,
    cc_audio: ContinuityCounter,
    /// ADTS frames waiting to be written as one PES, and the PTS of the first.
    audio_pending: Vec<u8>,
    audio_pending_frames: usize,
    audio_pending_pts: u64,
    scratch: Vec<u8>,
}

impl TsMuxer {
    /// A muxer that has written nothing yet (its continuity counters at 0).
    pub fn new(config: MuxerConfig) -> Self {
        Self {
            config,
            sps: Vec::new(),
            pps: Vec::new(),
            cc_pat: ContinuityCounter::default(),
            cc_pmt: ContinuityCounter::default(),
            cc_video: ContinuityCounter::default(),
            cc_audio: ContinuityCounter::default(),
            audio_pending: Vec::new(),
            audio_pending_frames: 0,
            audio_pending_pts: 0,
            scratch: Vec::new(),
        }
    }

    /// Its settings.
    pub fn config(&self) -> &MuxerConfig {
        &self.config
    }

    /// Sets the SPS/PPS (from the AVC sequence header) inserted before IDR pictures that do not
    /// carry their own.
    pub fn set_parameter_sets(&mut self, sps: Vec<Bytes>, pps: Vec<Bytes>) {
        self.sps = sps;
        self.pps = pps;
    }

    /// Writes PAT and PMT. Call at the start of the stream and of every segment (after
    /// [`TsMuxer::flush`] has closed the previous one) so each segment is decodable alone.
    pub fn start_segment(&mut self, out: &mut impl BufMut) {
        let no_flags = FirstPacketFlags::default();
        write_payload_unit(out, 0, &mut self.cc_pat, no_flags, &psi::pat(PMT_PID));
        let mut streams = Vec::with_capacity(2);
        if self.config.tracks.video {
            streams.push(PmtStream {
                stream_type: STREAM_TYPE_H264,
                pid: VIDEO_PID,
            });
        }
        if self.config.tracks.audio {
            streams.push(PmtStream {
                stream_type: STREAM_TYPE_AAC_ADTS,
                pid: AUDIO_PID,
            });
        }
        let pmt = psi::pmt(self.pcr_pid(), &streams);
        write_payload_unit(out, PMT_PID, &mut self.cc_pmt, no_flags, &pmt);
    }

    /// Writes any grouped audio. Call before ending a segment.
    pub fn flush(&mut self, out: &mut impl BufMut) {
        if self.audio_pending_frames == 0 {
            return;
        }
        let mut pes = std::mem::take(&mut self.scratch);
        pes.clear();
        pes::write_header(
            &mut pes,
            STREAM_ID_AUDIO,
            self.audio_pending_pts,
            None,
            self.audio_pending.len(),
        );
        pes.extend_from_slice(&self.audio_pending);
        // Without video the audio PID carries the PCR; every PES is at most ~85 ms apart by
        // default, inside the 100 ms the spec requires between PCRs.
        let flags = if self.config.tracks.video {
            FirstPacketFlags::default()
        } else {
            FirstPacketFlags {
                pcr_27mhz: Some(self.audio_pending_pts * 300),
                random_access: true,
            }
        };
        write_payload_unit(out, AUDIO_PID, &mut self.cc_audio, flags, &pes);
        self.scratch = pes;
        self.audio_pending.clear();
        self.audio_pending_frames = 0;
    }

    /// Writes one access unit as a PES packet.
    pub fn write_video(
        &mut self,
        frame: &VideoFrame<'_>,
        out: &mut impl BufMut,
    ) -> Result<(), TsError> {
        if !self.config.tracks.video {
            return Err(TsError::TrackNotConfigured("video"));
        }
        if frame.nal_units.iter().all(|n| n.is_empty()) {
            return Err(TsError::EmptyAccessUnit);
        }
        let nal_type = |n: &Bytes| n.first().map_or(0, |b| b & 0x1f);
        let has_idr = frame.nal_units.iter().any(|n| nal_type(n) == NAL_IDR);
        let has_sps = frame.nal_units.iter().any(|n| nal_type(n) == NAL_SPS);
        let has_pps = frame.nal_units.iter().any(|n| nal_type(n) == NAL_PPS);
        let insert_params = has_idr && !(has_sps && has_pps);
        if insert_params && (self.sps.is_empty() || self.pps.is_empty()) {
            return Err(TsError::NoParameterSets);
        }

        let mut es = std::mem::take(&mut self.scratch);
        es.clear();
        es.extend_from_slice(&AUD);
        if insert_params {
            for ps in self.sps.iter().chain(&self.pps) {
                es.extend_from_slice(&START_CODE);
                es.extend_from_slice(ps);
            }
        }
        for nal in frame.nal_units {
            // Our own AUD is already first; a second one would start a new access unit.
            if nal.is_empty() || nal_type(nal) == NAL_AUD {
                continue;
            }
            es.extend_from_slice(&START_CODE);
            es.extend_from_slice(nal);
        }

        let dts = ms_to_90khz(frame.dts_ms);
        let pts = ms_to_90khz(frame.dts_ms + i64::from(frame.composition_time_ms));
        let mut pes = Vec::with_capacity(es.len() + 19);
        pes::write_header(&mut pes, STREAM_ID_VIDEO, pts, Some(dts), es.len());
        pes.extend_from_slice(&es);
        self.scratch = es;
        // PCR with every access unit: at any frame rate above 10 fps that keeps the 100 ms
        // maximum gap, and it costs 6 bytes that usually fit in stuffing anyway.
        let flags = FirstPacketFlags {
            pcr_27mhz: Some(dts * 300),
            random_access: frame.keyframe,
        };
        write_payload_unit(out, VIDEO_PID, &mut self.cc_video, flags, &pes);
        Ok(())
    }

    /// Queues one ADTS frame; a PES is written when `max_audio_frames_per_pes` are queued.
    pub fn write_audio(
        &mut self,
        frame: &AudioFrame<'_>,
        out: &mut impl BufMut,
    ) -> Result<(), TsError> {
        if !self.config.tracks.audio {
            return Err(TsError::TrackNotConfigured("audio"));
        }
        if frame.adts.len() < 2 || frame.adts[0] != 0xff || frame.adts[1] & 0xf0 != 0xf0 {
            return Err(TsError::NotAdts);
        }
        if frame.adts.len() > MAX_AUDIO_PES_PAYLOAD {
            return Err(TsError::AudioFrameTooLarge {
                len: frame.adts.len(),
            });
        }
        if self.audio_pending.len() + frame.adts.len() > MAX_AUDIO_PES_PAYLOAD {
            self.flush(out);
        }
        if self.audio_pending_frames == 0 {
            self.audio_pending_pts = ms_to_90khz(frame.pts_ms);
        }
        self.audio_pending.extend_from_slice(frame.adts);
        self.audio_pending_frames += 1;
        if self.audio_pending_frames >= self.config.max_audio_frames_per_pes.max(1) {
            self.flush(out);
        }
        Ok(())
    }

    fn pcr_pid(&self) -> u16 {
        if self.config.tracks.video {
            VIDEO_PID
        } else {
            AUDIO_PID
        }
    }
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::PACKET_SIZE;

    /// Reassembles the PES payload of `pid` from TS packets.
    fn pes_of(ts: &[u8], pid: u16) -> Vec<u8> {
        let mut out = Vec::new();
        for p in ts.chunks(PACKET_SIZE) {
            if u16::from(p[1] & 0x1f) << 8 | u16::from(p[2]) != pid {
                continue;
            }
            let start = if p[3] & 0x20 != 0 {
                5 + usize::from(p[4])
            } else {
                4
            };
            out.extend_from_slice(&p[start..]);
        }
        out
    }

    fn b(s: &'static [u8]) -> Bytes {
        Bytes::from_static(s)
    }

    #[test]
    fn access_unit_table() {
        let sps = b(&[0x67, 0x64]);
        let pps = b(&[0x68, 0xee]);
        let cases: Vec<(&str, Vec<Bytes>, bool, Result<Vec<u8>, TsError>)> = vec![
            (
                "IDR gets AUD, then SPS and PPS from the sequence header",
                vec![b(&[0x65, 0x88])],
                true,
                Ok(vec![
                    0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x64, 0, 0, 0, 1, 0x68, 0xee, 0, 0,
                    0, 1, 0x65, 0x88,
                ]),
            ),
            (
                "IDR with in-band SPS/PPS is not given a second copy",
                vec![b(&[0x67, 0x01]), b(&[0x68, 0x02]), b(&[0x65, 0x88])],
                true,
                Ok(vec![
                    0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x01, 0, 0, 0, 1, 0x68, 0x02, 0, 0,
                    0, 1, 0x65, 0x88,
                ]),
            ),
            (
                "non-IDR: AUD only; the encoder's own AUD is dropped",
                vec![b(&[0x09, 0x30]), b(&[0x41, 0x9a])],
                false,
                Ok(vec![0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a]),
            ),
            (
                "empty access unit",
                vec![],
                false,
                Err(TsError::EmptyAccessUnit),
            ),
        ];
        for (name, nals, with_config, want) in cases {
            let mut mux = TsMuxer::new(MuxerConfig::default());
            if with_config {
                mux.set_parameter_sets(vec![sps.clone()], vec![pps.clone()]);
            }
            let mut ts = Vec::new();
            let frame = VideoFrame {
                dts_ms: 0,
                composition_time_ms: 0,
                keyframe: true,
                nal_units: &nals,
            };
            let got = mux.write_video(&frame, &mut ts).map(|()| {
                let pes = pes_of(&ts, VIDEO_PID);
                // Skip the 14-byte PES header (PTS only, since PTS = DTS); drop stuffing after.
                pes[14..].to_vec()
            });
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn idr_without_parameter_sets_is_an_error() {
        let mut mux = TsMuxer::new(MuxerConfig::default());
        let nals = [b(&[0x65, 0x88])];
        let frame = VideoFrame {
            dts_ms: 0,
            composition_time_ms: 0,
            keyframe: true,
            nal_units: &nals,
        };
        let mut ts = Vec::new();
        assert_eq!(
            mux.write_video(&frame, &mut ts),
            Err(TsError::NoParameterSets)
        );
        assert!(ts.is_empty());
    }

    #[test]
    fn keyframe_packet_has_pcr_and_random_access() {
        let mut mux = TsMuxer::new(MuxerConfig::default());
        let nals = [b(&[0x67]), b(&[0x68]), b(&[0x65])];
        let mut ts = Vec::new();
        let frame = VideoFrame {
            dts_ms: 1000,
            composition_time_ms: 0,
            keyframe: true,
            nal_units: &nals,
        };
        mux.write_video(&frame, &mut ts).unwrap();
        // Adaptation field of 149 bytes (PCR + 141 stuffing for a 35-byte PES), flags 0x50
        // (random_access | PCR), PCR base 90000.
        assert_eq!(
            &ts[3..12],
            &[0x30, 0x94, 0x50, 0x00, 0x00, 0xaf, 0xc8, 0x7e, 0x00]
        );
    }

    #[test]
    fn audio_frames_are_grouped_and_checked() {
        let config = MuxerConfig {
            tracks: Tracks {
                video: true,
                audio: true,
            },
            max_audio_frames_per_pes: 2,
        };
        let mut mux = TsMuxer::new(config);
        let adts = [0xff, 0xf1, 0x4c, 0x80, 0x01, 0x5f, 0xfc, 1, 2, 3];
        let mut ts = Vec::new();
        mux.write_audio(
            &AudioFrame {
                pts_ms: 0,
                adts: &adts,
            },
            &mut ts,
        )
        .unwrap();
        assert!(ts.is_empty(), "first frame waits for a second");
        mux.write_audio(
            &AudioFrame {
                pts_ms: 21,
                adts: &adts,
            },
            &mut ts,
        )
        .unwrap();
        assert_eq!(ts.len(), PACKET_SIZE);
        let pes = pes_of(&ts, AUDIO_PID);
        // PES_packet_length = 3 + 5 + 20, then both ADTS frames back to back.
        assert_eq!(&pes[4..6], &[0x00, 28]);
        assert_eq!(&pes[14..34], &[adts, adts].concat()[..]);
        assert_eq!(
            mux.write_audio(
                &AudioFrame {
                    pts_ms: 0,
                    adts: &[1, 2, 3]
                },
                &mut ts
            ),
            Err(TsError::NotAdts)
        );
        let mut video_only = TsMuxer::new(MuxerConfig {
            tracks: Tracks {
                video: true,
                audio: false,
            },
            ..config
        });
        assert_eq!(
            video_only.write_audio(
                &AudioFrame {
                    pts_ms: 0,
                    adts: &adts
                },
                &mut ts
            ),
            Err(TsError::TrackNotConfigured("audio"))
        );
    }
}
