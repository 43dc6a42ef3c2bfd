//! FLV in: a publisher's video and audio tag bodies parsed, and the codec configuration
//! they carry kept (the AVC decoder configuration and the picture size its SPS gives, the
//! AAC AudioSpecificConfig), so that frames can be checked against it and the master
//! playlist, the health report and the ladder can read it.

use bytes::Bytes;
use flv::{
    AacPacket, AudioSpecificConfig, AudioTag, AvcDecoderConfig, FlvError, VideoPacket, VideoTag,
};

/// A video tag, parsed.
#[derive(Debug)]
pub(crate) struct Video {
    /// A keyframe picture (not a sequence header), for the connection's read batching.
    pub key_picture: bool,
    pub packet: VideoIn,
}

/// What a video tag carries.
#[derive(Debug)]
pub(crate) enum VideoIn {
    /// A sequence header, now in force: its AVCDecoderConfigurationRecord.
    Config { record: Bytes },
    /// An access unit (AVCC length-prefixed NAL units).
    Frame {
        composition_time: i32,
        keyframe: bool,
        data: Bytes,
    },
    /// An access unit before any sequence header: it cannot be decoded.
    Unconfigured,
    /// End of sequence, or a command: nothing to package.
    Other,
}

/// What an audio tag carries.
#[derive(Debug)]
pub(crate) enum AudioIn {
    /// A sequence header, now in force: its AudioSpecificConfig.
    Config { record: Bytes },
    /// A raw AAC frame, framed or not (before any AudioSpecificConfig it cannot be).
    Frame { raw: Bytes, configured: bool },
}

/// The codec configuration of one stream, as its sequence headers gave it.
#[derive(Debug, Default)]
pub(crate) struct FlvIn {
    limits: flv::Limits,
    avc: Option<AvcDecoderConfig>,
    /// The picture size its SPS gives, read once per sequence header.
    size: Option<(u32, u32)>,
    asc: Option<AudioSpecificConfig>,
}

impl FlvIn {
    /// The AVC configuration in force.
    pub(crate) fn avc(&self) -> Option<&AvcDecoderConfig> {
        self.avc.as_ref()
    }

    /// The picture size of the latest sequence header, if its SPS parsed.
    pub(crate) fn size(&self) -> Option<(u32, u32)> {
        self.size
    }

    /// The AAC configuration in force.
    pub(crate) fn asc(&self) -> Option<&AudioSpecificConfig> {
        self.asc.as_ref()
    }

    /// The caps on what a publisher's tags may hold.
    pub(crate) fn limits(&self) -> flv::Limits {
        self.limits
    }

    /// The publisher came back: its frames need sequence headers again.
    pub(crate) fn reset(&mut self) {
        self.avc = None;
        self.asc = None;
    }

    /// Parses a video tag body, keeping a sequence header's configuration.
    pub(crate) fn video(&mut self, body: &Bytes) -> Result<Video, FlvError> {
        let tag = VideoTag::parse(body.clone(), &self.limits)?;
        let keyframe = tag.frame_type.is_keyframe();
        let key_picture = keyframe && matches!(tag.packet, VideoPacket::Nalus { .. });
        let packet = match tag.packet {
            VideoPacket::SequenceHeader(config) => {
                self.size = config
                    .sps
                    .first()
                    .and_then(|sps| flv::parse_sps(sps).ok())
                    .map(|sps| (sps.width, sps.height));
                self.avc = Some(config);
                // The record itself follows the 5-byte AVC video tag header.
                VideoIn::Config {
                    record: body.slice(5..),
                }
            }
            VideoPacket::Nalus { .. } if self.avc.is_none() => VideoIn::Unconfigured,
            VideoPacket::Nalus {
                composition_time,
                data,
            } => VideoIn::Frame {
                composition_time,
                keyframe,
                data,
            },
            VideoPacket::EndOfSequence | VideoPacket::Command(_) => VideoIn::Other,
        };
        Ok(Video {
            key_picture,
            packet,
        })
    }

    /// Parses an audio tag body, keeping a sequence header's configuration.
    pub(crate) fn audio(&mut self, body: &Bytes) -> Result<AudioIn, FlvError> {
        let tag = AudioTag::parse(body.clone())?;
        Ok(match tag.packet {
            AacPacket::SequenceHeader(asc) => {
                self.asc = Some(asc);
                // The AudioSpecificConfig follows the 2-byte AAC audio tag header.
                AudioIn::Config {
                    record: body.slice(2..),
                }
            }
            AacPacket::Raw(raw) => AudioIn::Frame {
                raw,
                configured: self.asc.is_some(),
            },
        })
    }
}
