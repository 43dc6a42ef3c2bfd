//! FLV `VIDEODATA` tag bodies: the legacy `VideoTagHeader` with `CodecID` 7 (AVC), and the Enhanced
//! RTMP `ExVideoTagHeader`, of which only the `avc1` FourCC is accepted.

use bytes::Bytes;

use crate::Limits;
use crate::avc::AvcDecoderConfig;
use crate::error::{FlvError, FourCc, UnsupportedCodec};

/// FLV `FrameType` (upper nibble of the first byte; three bits in the enhanced header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// 1: a keyframe (for AVC, a seekable frame, normally an IDR).
    Key,
    /// 2: an inter frame.
    Inter,
    /// 3: a disposable inter frame (H.263 only).
    DisposableInter,
    /// 4: a generated keyframe (reserved for server use).
    GeneratedKey,
    /// 5: a video info / command frame; carries no picture.
    Command,
    /// Any other value; the spec reserves them.
    Reserved(u8),
}

impl FrameType {
    fn from_bits(v: u8) -> Self {
        match v {
            1 => Self::Key,
            2 => Self::Inter,
            3 => Self::DisposableInter,
            4 => Self::GeneratedKey,
            5 => Self::Command,
            v => Self::Reserved(v),
        }
    }

    /// True for frames a decoder can start from.
    pub fn is_keyframe(self) -> bool {
        matches!(self, Self::Key | Self::GeneratedKey)
    }
}

/// What an H.264 video tag carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoPacket {
    /// `AVCPacketType` 0: the decoder configuration (SPS/PPS), sent before the first frame and
    /// again when the encoder restarts.
    SequenceHeader(AvcDecoderConfig),
    /// `AVCPacketType` 1: one access unit as length-prefixed NAL units (split them with
    /// [`crate::AvcDecoderConfig::split_nal_units`]).
    Nalus {
        /// PTS - DTS in milliseconds (signed 24 bits on the wire); non-zero only with B-frames.
        composition_time: i32,
        /// The NAL units, each behind its length.
        data: Bytes,
    },
    /// `AVCPacketType` 2: end of sequence; the publisher is about to stop or reconfigure.
    EndOfSequence,
    /// Frame type 5: a one-byte video command (0 = start of client-side seek, 1 = end).
    Command(u8),
}

/// A parsed video tag body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoTag {
    /// Key, inter or other frame.
    pub frame_type: FrameType,
    /// What the body carries.
    pub packet: VideoPacket,
}

impl VideoTag {
    /// Parses the body of an RTMP video message (message type 9) or FLV video tag.
    pub fn parse(body: Bytes, limits: &Limits) -> Result<Self, FlvError> {
        let Some(&b0) = body.first() else {
            return Err(truncated("video tag header", 1, 0));
        };
        // Enhanced RTMP sets the top bit (IsExHeader); legacy frame types 1..=5 never do.
        if b0 & 0x80 != 0 {
            return parse_enhanced(b0, body, limits);
        }
        let frame_type = FrameType::from_bits(b0 >> 4);
        let codec_id = b0 & 0x0f;
        if frame_type == FrameType::Command {
            return Ok(Self {
                frame_type,
                packet: VideoPacket::Command(command_byte(&body, 1)?),
            });
        }
        if codec_id != 7 {
            return Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoCodecId(
                codec_id,
            )));
        }
        if body.len() < 5 {
            return Err(truncated("AVC video tag header", 5, body.len()));
        }
        let packet_type = body[1];
        // SI24, big-endian: sign-extend by shifting the 24 bits to the top of an i32 and back.
        let composition_time = i32::from_be_bytes([body[2], body[3], body[4], 0]) >> 8;
        let payload = body.slice(5..);
        let packet = match packet_type {
            0 => VideoPacket::SequenceHeader(AvcDecoderConfig::parse(&payload, limits)?),
            1 => VideoPacket::Nalus {
                composition_time,
                data: payload,
            },
            2 => VideoPacket::EndOfSequence,
            t => return Err(FlvError::UnknownAvcPacketType(t)),
        };
        Ok(Self { frame_type, packet })
    }
}

/// Enhanced RTMP `ExVideoTagHeader`: `IsExHeader:1 FrameType:3 PacketType:4 FourCC:32`.
fn parse_enhanced(b0: u8, body: Bytes, limits: &Limits) -> Result<VideoTag, FlvError> {
    let frame_type = FrameType::from_bits((b0 >> 4) & 0x07);
    let packet_type = b0 & 0x0f;
    if body.len() < 5 {
        return Err(truncated("enhanced video tag header", 5, body.len()));
    }
    let fourcc = FourCc([body[1], body[2], body[3], body[4]]);
    // The spec puts the command byte right after the FourCC, unless the packet is Metadata (4).
    if frame_type == FrameType::Command && packet_type != 4 {
        return Ok(VideoTag {
            frame_type,
            packet: VideoPacket::Command(command_byte(&body, 5)?),
        });
    }
    if &fourcc.0 != b"avc1" {
        return Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoFourCc(
            fourcc,
        )));
    }
    let packet = match packet_type {
        // SequenceStart
        0 => VideoPacket::SequenceHeader(AvcDecoderConfig::parse(&body[5..], limits)?),
        // CodedFrames: SI24 composition time, then NAL units.
        1 => {
            if body.len() < 8 {
                return Err(truncated("enhanced AVC coded frames", 8, body.len()));
            }
            let composition_time = i32::from_be_bytes([body[5], body[6], body[7], 0]) >> 8;
            VideoPacket::Nalus {
                composition_time,
                data: body.slice(8..),
            }
        }
        // SequenceEnd
        2 => VideoPacket::EndOfSequence,
        // CodedFramesX: composition time is implicitly zero.
        3 => VideoPacket::Nalus {
            composition_time: 0,
            data: body.slice(5..),
        },
        // Metadata, MPEG2TSSequenceStart, Multitrack, ModEx: not produced by the encoders liboo
        // serves for AVC; refuse rather than guess at their layout.
        t => return Err(FlvError::UnsupportedExPacketType(t)),
    };
    Ok(VideoTag { frame_type, packet })
}

fn command_byte(body: &[u8], at: usize) -> Result<u8, FlvError> {
    body.get(at)
        .copied()
        .ok_or(truncated("video command frame", at + 1, body.len()))
}

fn truncated(what: &'static str, need: usize, have: usize) -> FlvError {
    FlvError::Truncated { what, need, have }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal but real AVCDecoderConfigurationRecord: one 4-byte SPS, one 2-byte PPS.
    const AVCC: &[u8] = &[
        0x01, // configurationVersion
        0x64, 0x00, 0x1f, // profile High, compatibility, level 3.1
        0xff, // reserved 111111, lengthSizeMinusOne 3
        0xe1, // reserved 111, numOfSequenceParameterSets 1
        0x00, 0x04, 0x67, 0x64, 0x00, 0x1f, // SPS length 4, SPS (NAL type 7)
        0x01, // numOfPictureParameterSets
        0x00, 0x02, 0x68, 0xee, // PPS length 2, PPS (NAL type 8)
    ];

    fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
        [a, b].concat()
    }

    #[test]
    fn decode_table() {
        let seq = cat(&[0x17, 0x00, 0x00, 0x00, 0x00], AVCC);
        let ex_seq = cat(&[0x90, b'a', b'v', b'c', b'1'], AVCC);
        let config = AvcDecoderConfig::parse(AVCC, &Limits::default()).unwrap();
        let cases: Vec<(&str, Vec<u8>, Result<VideoTag, FlvError>)> = vec![
            (
                "legacy sequence header: keyframe|AVC, packet type 0, cts 0, record",
                seq,
                Ok(VideoTag {
                    frame_type: FrameType::Key,
                    packet: VideoPacket::SequenceHeader(config.clone()),
                }),
            ),
            (
                "keyframe NALU, cts +66 ms",
                vec![0x17, 0x01, 0x00, 0x00, 0x42, 0x00, 0x00, 0x00, 0x01, 0x65],
                Ok(VideoTag {
                    frame_type: FrameType::Key,
                    packet: VideoPacket::Nalus {
                        composition_time: 66,
                        data: Bytes::from_static(&[0x00, 0x00, 0x00, 0x01, 0x65]),
                    },
                }),
            ),
            (
                "inter NALU, cts -33 ms (SI24 0xffffdf)",
                vec![0x27, 0x01, 0xff, 0xff, 0xdf, 0x00, 0x00, 0x00, 0x01, 0x41],
                Ok(VideoTag {
                    frame_type: FrameType::Inter,
                    packet: VideoPacket::Nalus {
                        composition_time: -33,
                        data: Bytes::from_static(&[0x00, 0x00, 0x00, 0x01, 0x41]),
                    },
                }),
            ),
            (
                "end of sequence",
                vec![0x17, 0x02, 0x00, 0x00, 0x00],
                Ok(VideoTag {
                    frame_type: FrameType::Key,
                    packet: VideoPacket::EndOfSequence,
                }),
            ),
            (
                "command frame 5, seek start",
                vec![0x57, 0x00],
                Ok(VideoTag {
                    frame_type: FrameType::Command,
                    packet: VideoPacket::Command(0),
                }),
            ),
            (
                "enhanced avc1 SequenceStart: IsExHeader|key|0, FourCC, record",
                ex_seq,
                Ok(VideoTag {
                    frame_type: FrameType::Key,
                    packet: VideoPacket::SequenceHeader(config),
                }),
            ),
            (
                "enhanced avc1 CodedFrames with cts 33",
                vec![
                    0xa1, b'a', b'v', b'c', b'1', 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x01, 0x41,
                ],
                Ok(VideoTag {
                    frame_type: FrameType::Inter,
                    packet: VideoPacket::Nalus {
                        composition_time: 33,
                        data: Bytes::from_static(&[0x00, 0x00, 0x00, 0x01, 0x41]),
                    },
                }),
            ),
            (
                "enhanced avc1 CodedFramesX, cts implied 0",
                vec![0x93, b'a', b'v', b'c', b'1', 0x00, 0x00, 0x00, 0x01, 0x65],
                Ok(VideoTag {
                    frame_type: FrameType::Key,
                    packet: VideoPacket::Nalus {
                        composition_time: 0,
                        data: Bytes::from_static(&[0x00, 0x00, 0x00, 0x01, 0x65]),
                    },
                }),
            ),
            (
                "enhanced HEVC is refused with its FourCC",
                vec![0x90, b'h', b'v', b'c', b'1', 0x01],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoFourCc(
                    FourCc(*b"hvc1"),
                ))),
            ),
            (
                "enhanced AV1",
                vec![0x91, b'a', b'v', b'0', b'1'],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoFourCc(
                    FourCc(*b"av01"),
                ))),
            ),
            (
                "enhanced VP9",
                vec![0xa1, b'v', b'p', b'0', b'9'],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoFourCc(
                    FourCc(*b"vp09"),
                ))),
            ),
            (
                "enhanced avc1 Multitrack packet type 6",
                vec![0x96, b'a', b'v', b'c', b'1'],
                Err(FlvError::UnsupportedExPacketType(6)),
            ),
            (
                "legacy Sorenson H.263 (codec id 2)",
                vec![0x12, 0x00],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoCodecId(
                    2,
                ))),
            ),
            (
                "legacy VP6 (codec id 4)",
                vec![0x24, 0x00],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoCodecId(
                    4,
                ))),
            ),
            (
                "unofficial FLV HEVC (codec id 12)",
                vec![0x1c, 0x00, 0x00, 0x00, 0x00],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::VideoCodecId(
                    12,
                ))),
            ),
            (
                "unknown AVC packet type 3",
                vec![0x17, 0x03, 0, 0, 0],
                Err(FlvError::UnknownAvcPacketType(3)),
            ),
            (
                "empty body",
                vec![],
                Err(truncated("video tag header", 1, 0)),
            ),
            (
                "AVC header cut after cts byte 1",
                vec![0x17, 0x01, 0x00],
                Err(truncated("AVC video tag header", 5, 3)),
            ),
            (
                "enhanced header cut inside FourCC",
                vec![0x90, b'a', b'v'],
                Err(truncated("enhanced video tag header", 5, 3)),
            ),
        ];
        for (name, bytes, want) in cases {
            let got = VideoTag::parse(Bytes::from(bytes), &Limits::default());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn keyframe_flags() {
        assert!(FrameType::Key.is_keyframe());
        assert!(FrameType::GeneratedKey.is_keyframe());
        assert!(!FrameType::Inter.is_keyframe());
        assert!(!FrameType::Command.is_keyframe());
    }
}
