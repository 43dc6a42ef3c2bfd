//! AAC in FLV: the `AudioSpecificConfig` (ISO/IEC 14496-3 §1.6.2.1) from the AAC sequence header,
//! and the ADTS header (§1.A.2.2) that MPEG-TS and HLS need in front of every raw AAC frame.

use crate::FlvError;
use crate::bits::BitReader;
use crate::error::UnsupportedCodec;

/// Bytes in an ADTS header without CRC (`protection_absent` = 1).
pub const ADTS_HEADER_LEN: usize = 7;

/// `samplingFrequencyIndex` 0..=12; 13 and 14 are reserved, 15 escapes to an explicit 24-bit value.
const SAMPLING_FREQUENCIES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// The parts of an `AudioSpecificConfig` a remuxer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioSpecificConfig {
    /// `audioObjectType` as first signalled: 2 for AAC-LC, 5 (SBR) or 29 (PS) for explicitly
    /// signalled HE-AAC v1/v2.
    pub object_type: u8,
    /// The object type of the core coder: equal to `object_type` unless that is 5 or 29, in which
    /// case it is the type that follows the extension sampling frequency (normally 2).
    pub core_object_type: u8,
    /// `samplingFrequencyIndex`, 15 when the frequency was given explicitly.
    pub sampling_frequency_index: u8,
    /// Core sampling frequency in Hz.
    pub sampling_frequency: u32,
    /// Output sampling frequency of SBR when explicitly signalled.
    pub extension_sampling_frequency: Option<u32>,
    /// `channelConfiguration`: 1 = mono, 2 = stereo, ... 7 = 7.1; 0 means a program config element.
    pub channel_configuration: u8,
}

impl AudioSpecificConfig {
    /// Parses the leading fields of an `AudioSpecificConfig`. The rest (GASpecificConfig, backward
    /// compatible extensions) travels in band or is not needed for ADTS.
    pub fn parse(data: &[u8]) -> Result<Self, FlvError> {
        let mut r = BitReader::new(data, "AudioSpecificConfig");
        let object_type = read_object_type(&mut r)?;
        let (sampling_frequency_index, sampling_frequency) = read_frequency(&mut r)?;
        let channel_configuration = r.read(4)? as u8;
        let (core_object_type, extension_sampling_frequency) = if matches!(object_type, 5 | 29) {
            let (_, ext) = read_frequency(&mut r)?;
            (read_object_type(&mut r)?, Some(ext))
        } else {
            (object_type, None)
        };
        Ok(Self {
            object_type,
            core_object_type,
            sampling_frequency_index,
            sampling_frequency,
            extension_sampling_frequency,
            channel_configuration,
        })
    }

    /// The 7-byte ADTS header for a raw AAC frame of `payload_len` bytes.
    ///
    /// Explicit HE-AAC is written as its core (AAC-LC at the core rate); decoders find the SBR
    /// data in band, which is how ADTS always carries HE-AAC (implicit signalling).
    pub fn adts_header(&self, payload_len: usize) -> Result<[u8; ADTS_HEADER_LEN], FlvError> {
        // ADTS `profile` is object type - 1 in two bits: Main, LC, SSR, LTP.
        if !(1..=4).contains(&self.core_object_type) {
            return Err(FlvError::UnsupportedCodec(
                UnsupportedCodec::AudioObjectType(self.core_object_type),
            ));
        }
        let profile = self.core_object_type - 1;
        let sfi = if self.sampling_frequency_index < 13 {
            self.sampling_frequency_index
        } else {
            SAMPLING_FREQUENCIES
                .iter()
                .position(|&f| f == self.sampling_frequency)
                .ok_or(FlvError::NoAdtsFrequencyIndex(self.sampling_frequency))? as u8
        };
        // Channel configuration 0 would need a program_config_element inside every frame.
        if !(1..=7).contains(&self.channel_configuration) {
            return Err(FlvError::UnsupportedChannelConfig(
                self.channel_configuration,
            ));
        }
        let ch = self.channel_configuration;
        let len = payload_len + ADTS_HEADER_LEN;
        if len > 0x1fff {
            return Err(FlvError::AdtsFrameTooLarge { len });
        }
        Ok([
            0xff, // syncword 0xfff ...
            0xf1, // ... ID 0 (MPEG-4), layer 00, protection_absent 1
            (profile << 6) | (sfi << 2) | (ch >> 2),
            ((ch & 3) << 6) | (len >> 11) as u8,
            (len >> 3) as u8,
            ((len as u8 & 7) << 5) | 0x1f, // frame length low bits, buffer fullness 0x7ff (VBR) ...
            0xfc,                          // ... and number_of_raw_data_blocks_in_frame 0
        ])
    }

    /// Appends one ADTS frame (header + `raw`) to `out`.
    pub fn write_adts(&self, raw: &[u8], out: &mut Vec<u8>) -> Result<(), FlvError> {
        out.extend_from_slice(&self.adts_header(raw.len())?);
        out.extend_from_slice(raw);
        Ok(())
    }

    /// Samples per channel in one AAC frame of this configuration (1024 for AAC-LC; 2048 output
    /// samples for explicit SBR, at twice the core rate, which lasts the same time).
    pub fn frame_duration_secs(&self) -> f64 {
        1024.0 / f64::from(self.sampling_frequency)
    }
}

fn read_object_type(r: &mut BitReader<'_>) -> Result<u8, FlvError> {
    let t = r.read(5)? as u8;
    // 31 escapes to 32 + 6 more bits (USAC is 42, for instance).
    if t == 31 {
        Ok(32 + r.read(6)? as u8)
    } else {
        Ok(t)
    }
}

fn read_frequency(r: &mut BitReader<'_>) -> Result<(u8, u32), FlvError> {
    let index = r.read(4)? as u8;
    match index {
        0..=12 => Ok((index, SAMPLING_FREQUENCIES[usize::from(index)])),
        15 => Ok((15, r.read(24)?)),
        _ => Err(FlvError::ReservedSamplingFrequencyIndex(index)),
    }
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
#[cfg(test)]
mod tests {
    use super::*;

    fn lc(sfi: u8, freq: u32, ch: u8) -> AudioSpecificConfig {
        AudioSpecificConfig {
            object_type: 2,
            core_object_type: 2,
            sampling_frequency_index: sfi,
            sampling_frequency: freq,
            extension_sampling_frequency: None,
            channel_configuration: ch,
        }
    }

    #[test]
    fn audio_specific_config_table() {
        let cases: Vec<(&str, &[u8], Result<AudioSpecificConfig, FlvError>)> = vec![
            // 00010 0011 0010 000: AOT 2, index 3, 2 channels, GASpecificConfig zeros
            ("AAC-LC 48 kHz stereo", &[0x11, 0x90], Ok(lc(3, 48000, 2))),
            // 00010 0100 0001 000
            ("AAC-LC 44.1 kHz mono", &[0x12, 0x08], Ok(lc(4, 44100, 1))),
            // 00010 1111 <24 bits 48000 = 0x00bb80> 0010
            (
                "explicit 24-bit 48000 Hz",
                &[0x17, 0x80, 0x5d, 0xc0, 0x10],
                Ok(lc(15, 48000, 2)),
            ),
            (
                "explicit 24-bit 50000 Hz",
                &[0x17, 0x80, 0x61, 0xa8, 0x10],
                Ok(lc(15, 50000, 2)),
            ),
            (
                // 00101 0110 0010 0011 00010: SBR, core 24 kHz, stereo, extension 48 kHz, core AOT 2
                "explicit HE-AAC v1",
                &[0x2b, 0x11, 0x88],
                Ok(AudioSpecificConfig {
                    object_type: 5,
                    core_object_type: 2,
                    sampling_frequency_index: 6,
                    sampling_frequency: 24000,
                    extension_sampling_frequency: Some(48000),
                    channel_configuration: 2,
                }),
            ),
            (
                // 11111 001010 0011 0010: escaped AOT 32 + 10 = 42 (USAC)
                "escaped object type 42",
                &[0xf9, 0x46, 0x40],
                Ok(AudioSpecificConfig {
                    object_type: 42,
                    core_object_type: 42,
                    ..lc(3, 48000, 2)
                }),
            ),
            (
                "reserved frequency index 13",
                &[0x16, 0x90],
                Err(FlvError::ReservedSamplingFrequencyIndex(13)),
            ),
            (
                "one byte only",
                &[0x11],
                Err(FlvError::Truncated {
                    what: "AudioSpecificConfig",
                    need: 2,
                    have: 1,
                }),
            ),
            (
                "explicit frequency cut short",
                &[0x17, 0x80, 0x5d],
                Err(FlvError::Truncated {
                    what: "AudioSpecificConfig",
                    need: 5,
                    have: 3,
                }),
            ),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(AudioSpecificConfig::parse(bytes), want, "{name}");
        }
    }

    #[test]
    fn adts_header_table() {
        let he = AudioSpecificConfig::parse(&[0x2b, 0x11, 0x88]).unwrap();
        let cases: Vec<(&str, AudioSpecificConfig, usize, Result<[u8; 7], FlvError>)> = vec![
            (
                // profile 01 (LC), index 0011, private 0, channels 010, frame length 107 = 0x06b
                "LC 48 kHz stereo, 100-byte frame",
                lc(3, 48000, 2),
                100,
                Ok([0xff, 0xf1, 0x4c, 0x80, 0x0d, 0x7f, 0xfc]),
            ),
            (
                "LC 44.1 kHz mono, 0-byte frame",
                lc(4, 44100, 1),
                0,
                Ok([0xff, 0xf1, 0x50, 0x40, 0x00, 0xff, 0xfc]),
            ),
            (
                "explicit 48000 maps back to index 3",
                lc(15, 48000, 2),
                100,
                Ok([0xff, 0xf1, 0x4c, 0x80, 0x0d, 0x7f, 0xfc]),
            ),
            // HE-AAC as its core: LC at 24 kHz (index 6): 01 0110 0 010 -> 0x58, 0x80
            (
                "explicit HE-AAC written as core LC 24 kHz",
                he,
                100,
                Ok([0xff, 0xf1, 0x58, 0x80, 0x0d, 0x7f, 0xfc]),
            ),
            (
                "largest frame: 8184 + 7 = 8191",
                lc(3, 48000, 2),
                8184,
                Ok([0xff, 0xf1, 0x4c, 0x83, 0xff, 0xff, 0xfc]),
            ),
            (
                "frame too large for 13 bits",
                lc(3, 48000, 2),
                8185,
                Err(FlvError::AdtsFrameTooLarge { len: 8192 }),
            ),
            (
                "explicit 50000 Hz has no index",
                lc(15, 50000, 2),
                10,
                Err(FlvError::NoAdtsFrequencyIndex(50000)),
            ),
            (
                "channel config 0 (PCE)",
                lc(3, 48000, 0),
                10,
                Err(FlvError::UnsupportedChannelConfig(0)),
            ),
            (
                "USAC cannot be ADTS",
                AudioSpecificConfig {
                    object_type: 42,
                    core_object_type: 42,
                    ..lc(3, 48000, 2)
                },
                10,
                Err(FlvError::UnsupportedCodec(
                    UnsupportedCodec::AudioObjectType(42),
                )),
            ),
        ];
        for (name, asc, len, want) in cases {
            assert_eq!(asc.adts_header(len), want, "{name}");
        }
    }

    #[test]
    fn write_adts_appends_header_and_payload() {
        let mut out = vec![0xaa];
        lc(3, 48000, 2).write_adts(&[1, 2, 3], &mut out).unwrap();
        assert_eq!(
            out,
            [0xaa, 0xff, 0xf1, 0x4c, 0x80, 0x01, 0x5f, 0xfc, 1, 2, 3]
        );
    }
}
