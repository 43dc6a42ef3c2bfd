//! FLV `AUDIODATA` tag bodies. Only `SoundFormat` 10 (AAC) is remuxed; everything else, including
//! Enhanced RTMP v2 `ExAudioTagHeader` codecs, is refused with the codec it names.

use bytes::Bytes;

use crate::aac::AudioSpecificConfig;
use crate::error::{FlvError, FourCc, UnsupportedCodec};

/// What an AAC audio tag carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AacPacket {
    /// `AACPacketType` 0: the AudioSpecificConfig.
    SequenceHeader(AudioSpecificConfig),
    /// `AACPacketType` 1: one raw AAC frame (no ADTS header).
    Raw(Bytes),
}

/// A parsed audio tag body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioTag {
    /// What the body carries.
    pub packet: AacPacket,
}

impl AudioTag {
    /// Parses the body of an RTMP audio message (message type 8) or FLV audio tag.
    ///
    /// The rate/size/type bits of the first byte are ignored for AAC: the spec says they are
    /// always 3/1/1 and the AudioSpecificConfig is authoritative.
    pub fn parse(body: Bytes) -> Result<Self, FlvError> {
        let Some(&b0) = body.first() else {
            return Err(FlvError::Truncated {
                what: "audio tag header",
                need: 1,
                have: 0,
            });
        };
        let sound_format = b0 >> 4;
        match sound_format {
            10 => {}
            // Enhanced RTMP v2: SoundFormat 9 is ExHeader, followed by a FourCC.
            9 => {
                if body.len() < 5 {
                    return Err(FlvError::Truncated {
                        what: "enhanced audio tag header",
                        need: 5,
                        have: body.len(),
                    });
                }
                let cc = FourCc([body[1], body[2], body[3], body[4]]);
                return Err(FlvError::UnsupportedCodec(UnsupportedCodec::AudioFourCc(
                    cc,
                )));
            }
            f => return Err(FlvError::UnsupportedCodec(UnsupportedCodec::SoundFormat(f))),
        }
        if body.len() < 2 {
            return Err(FlvError::Truncated {
                what: "AAC audio tag header",
                need: 2,
                have: body.len(),
            });
        }
        let packet = match body[1] {
            0 => AacPacket::SequenceHeader(AudioSpecificConfig::parse(&body[2..])?),
            1 => AacPacket::Raw(body.slice(2..)),
            t => return Err(FlvError::UnknownAacPacketType(t)),
        };
        Ok(Self { packet })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let asc = AudioSpecificConfig::parse(&[0x11, 0x90]).unwrap();
        let cases: Vec<(&str, &'static [u8], Result<AudioTag, FlvError>)> = vec![
            (
                "AAC 44 kHz 16-bit stereo flags, sequence header, ASC LC 48k stereo",
                &[0xaf, 0x00, 0x11, 0x90],
                Ok(AudioTag {
                    packet: AacPacket::SequenceHeader(asc),
                }),
            ),
            (
                "AAC raw frame",
                &[0xaf, 0x01, 0x21, 0x10, 0x04],
                Ok(AudioTag {
                    packet: AacPacket::Raw(Bytes::from_static(&[0x21, 0x10, 0x04])),
                }),
            ),
            (
                "AAC unknown packet type 2",
                &[0xaf, 0x02],
                Err(FlvError::UnknownAacPacketType(2)),
            ),
            (
                "MP3 (sound format 2)",
                &[0x2f, 0xff, 0xfb],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::SoundFormat(2))),
            ),
            (
                "Speex (sound format 11)",
                &[0xb6],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::SoundFormat(
                    11,
                ))),
            ),
            (
                "enhanced audio Opus",
                &[0x90, b'O', b'p', b'u', b's'],
                Err(FlvError::UnsupportedCodec(UnsupportedCodec::AudioFourCc(
                    FourCc(*b"Opus"),
                ))),
            ),
            (
                "empty body",
                &[],
                Err(FlvError::Truncated {
                    what: "audio tag header",
                    need: 1,
                    have: 0,
                }),
            ),
            (
                "AAC without packet type",
                &[0xaf],
                Err(FlvError::Truncated {
                    what: "AAC audio tag header",
                    need: 2,
                    have: 1,
                }),
            ),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(AudioTag::parse(Bytes::from_static(bytes)), want, "{name}");
        }
    }
}
