//! H.264 in FLV: the `AVCDecoderConfigurationRecord` (ISO/IEC 14496-15 §5.2.4.1) and the
//! length-prefixed NAL unit framing of `AVCPacketType` 1 payloads.

use bytes::Bytes;

use crate::{FlvError, Limits};

/// The decoder configuration sent as the AVC sequence header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvcDecoderConfig {
    /// `AVCProfileIndication`: the H.264 `profile_idc` (66 Baseline, 77 Main, 100 High).
    pub profile_indication: u8,
    /// `profile_compatibility`: the SPS's constraint flags.
    pub profile_compatibility: u8,
    /// `AVCLevelIndication`: the `level_idc`, ten times the level (31 for 3.1).
    pub level_indication: u8,
    /// Bytes in each NAL unit length prefix of the frames that follow: 1, 2 or 4.
    pub nalu_length_size: u8,
    /// Sequence parameter sets, without length prefix or start code (NAL header included).
    pub sps: Vec<Bytes>,
    /// Picture parameter sets, likewise.
    pub pps: Vec<Bytes>,
}

impl AvcDecoderConfig {
    /// Parses the record. Trailing bytes (the High-profile chroma/bit-depth extension) are ignored:
    /// the SPS already carries that information in band.
    pub fn parse(data: &[u8], limits: &Limits) -> Result<Self, FlvError> {
        let mut r = Reader { data, pos: 0 };
        let version = r.u8()?;
        if version != 1 {
            return Err(FlvError::BadAvcConfigVersion(version));
        }
        let profile_indication = r.u8()?;
        let profile_compatibility = r.u8()?;
        let level_indication = r.u8()?;
        let nalu_length_size = (r.u8()? & 0x03) + 1;
        // The spec allows lengthSizeMinusOne 0, 1 and 3; 3-byte lengths are not defined.
        if nalu_length_size == 3 {
            return Err(FlvError::BadNaluLengthSize(3));
        }
        let num_sps = usize::from(r.u8()? & 0x1f);
        let sps = r.parameter_sets("SPS", num_sps, limits)?;
        let num_pps = usize::from(r.u8()?);
        let pps = r.parameter_sets("PPS", num_pps, limits)?;
        Ok(Self {
            profile_indication,
            profile_compatibility,
            level_indication,
            nalu_length_size,
            sps,
            pps,
        })
    }

    /// Splits one frame's payload into NAL units using this configuration's length size.
    pub fn split_nal_units(&self, data: &Bytes, limits: &Limits) -> Result<Vec<Bytes>, FlvError> {
        split_nal_units(data, self.nalu_length_size, limits)
    }
}

/// Splits length-prefixed NAL units (`length_size` of 1, 2 or 4 bytes, big-endian) into slices
/// of `data`. Zero-length units are skipped; they carry nothing and some muxers pad with them.
pub fn split_nal_units(
    data: &Bytes,
    length_size: u8,
    limits: &Limits,
) -> Result<Vec<Bytes>, FlvError> {
    if !matches!(length_size, 1 | 2 | 4) {
        return Err(FlvError::BadNaluLengthSize(length_size));
    }
    let ls = usize::from(length_size);
    let mut units = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        if data.len() - pos < ls {
            return Err(FlvError::Truncated {
                what: "NAL unit length",
                need: ls,
                have: data.len() - pos,
            });
        }
        let len = data[pos..pos + ls]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        pos += ls;
        if len > limits.max_nal_unit_size {
            return Err(FlvError::NalUnitTooLarge {
                len,
                limit: limits.max_nal_unit_size,
            });
        }
        if data.len() - pos < len {
            return Err(FlvError::Truncated {
                what: "NAL unit",
                need: len,
                have: data.len() - pos,
            });
        }
        if len > 0 {
            if units.len() == limits.max_nal_units_per_frame {
                return Err(FlvError::TooManyNalUnits {
                    limit: limits.max_nal_units_per_frame,
                });
            }
            units.push(data.slice(pos..pos + len));
        }
        pos += len;
    }
    Ok(units)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&[u8], FlvError> {
        let have = self.data.len() - self.pos;
        if have < n {
            return Err(FlvError::Truncated {
                what,
                need: n,
                have,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, FlvError> {
        Ok(self.take(1, "AVCDecoderConfigurationRecord")?[0])
    }

    fn parameter_sets(
        &mut self,
        kind: &'static str,
        count: usize,
        limits: &Limits,
    ) -> Result<Vec<Bytes>, FlvError> {
        if count > limits.max_parameter_sets {
            return Err(FlvError::TooManyParameterSets {
                kind,
                count,
                limit: limits.max_parameter_sets,
            });
        }
        let mut sets = Vec::with_capacity(count);
        for _ in 0..count {
            let len_bytes = self.take(2, kind)?;
            let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
            if len > limits.max_parameter_set_size {
                return Err(FlvError::ParameterSetTooLarge {
                    kind,
                    len,
                    limit: limits.max_parameter_set_size,
                });
            }
            sets.push(Bytes::copy_from_slice(self.take(len, kind)?));
        }
        Ok(sets)
    }
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static [u8]) -> Bytes {
        Bytes::from_static(s)
    }

    #[test]
    fn config_table() {
        let small = Limits {
            max_parameter_sets: 2,
            max_parameter_set_size: 3,
            ..Limits::default()
        };
        let cases: Vec<(&str, Vec<u8>, Limits, Result<AvcDecoderConfig, FlvError>)> = vec![
            (
                "baseline, 2-byte lengths, one SPS, one PPS",
                vec![
                    0x01, 0x42, 0xc0,
                    0x1e, // version 1, Baseline, constraint flags, level 3.0
                    0xfd, // lengthSizeMinusOne 1 -> 2-byte NAL lengths
                    0xe1, 0x00, 0x03, 0x67, 0x42, 0xc0, // 1 SPS of 3 bytes
                    0x01, 0x00, 0x02, 0x68, 0xce, // 1 PPS of 2 bytes
                ],
                Limits::default(),
                Ok(AvcDecoderConfig {
                    profile_indication: 0x42,
                    profile_compatibility: 0xc0,
                    level_indication: 0x1e,
                    nalu_length_size: 2,
                    sps: vec![b(&[0x67, 0x42, 0xc0])],
                    pps: vec![b(&[0x68, 0xce])],
                }),
            ),
            (
                "high profile with trailing chroma extension ignored, two PPS",
                vec![
                    0x01, 0x64, 0x00, 0x28, 0xff, // High, level 4.0, 4-byte lengths
                    0xe1, 0x00, 0x01, 0x67, // 1 SPS
                    0x02, 0x00, 0x01, 0x68, 0x00, 0x01, 0x68, // 2 PPS
                    0xfd, 0xf8, 0xf8,
                    0x00, // chroma_format, bit depths, numOfSequenceParameterSetExt
                ],
                Limits::default(),
                Ok(AvcDecoderConfig {
                    profile_indication: 0x64,
                    profile_compatibility: 0x00,
                    level_indication: 0x28,
                    nalu_length_size: 4,
                    sps: vec![b(&[0x67])],
                    pps: vec![b(&[0x68]), b(&[0x68])],
                }),
            ),
            (
                "version 0",
                vec![0x00, 0x64, 0, 0x1f, 0xff, 0xe0, 0x00],
                Limits::default(),
                Err(FlvError::BadAvcConfigVersion(0)),
            ),
            (
                "3-byte NAL lengths",
                vec![0x01, 0x64, 0, 0x1f, 0xfe, 0xe0, 0x00],
                Limits::default(),
                Err(FlvError::BadNaluLengthSize(3)),
            ),
            (
                "SPS count over the limit (3 > 2)",
                vec![0x01, 0x64, 0, 0x1f, 0xff, 0xe3],
                small,
                Err(FlvError::TooManyParameterSets {
                    kind: "SPS",
                    count: 3,
                    limit: 2,
                }),
            ),
            (
                "PPS count over the limit (255 > 2)",
                vec![0x01, 0x64, 0, 0x1f, 0xff, 0xe0, 0xff],
                small,
                Err(FlvError::TooManyParameterSets {
                    kind: "PPS",
                    count: 255,
                    limit: 2,
                }),
            ),
            (
                "SPS larger than the limit (4 > 3)",
                vec![0x01, 0x64, 0, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0, 0, 0],
                small,
                Err(FlvError::ParameterSetTooLarge {
                    kind: "SPS",
                    len: 4,
                    limit: 3,
                }),
            ),
            (
                "SPS body cut short",
                vec![0x01, 0x64, 0, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67],
                Limits::default(),
                Err(FlvError::Truncated {
                    what: "SPS",
                    need: 4,
                    have: 1,
                }),
            ),
            (
                "missing PPS count",
                vec![0x01, 0x64, 0, 0x1f, 0xff, 0xe0],
                Limits::default(),
                Err(FlvError::Truncated {
                    what: "AVCDecoderConfigurationRecord",
                    need: 1,
                    have: 0,
                }),
            ),
        ];
        for (name, bytes, limits, want) in cases {
            assert_eq!(AvcDecoderConfig::parse(&bytes, &limits), want, "{name}");
        }
    }

    #[test]
    fn split_table() {
        let limits = Limits {
            max_nal_units_per_frame: 3,
            max_nal_unit_size: 4,
            ..Limits::default()
        };
        let cases: Vec<(&str, &'static [u8], u8, Result<Vec<Bytes>, FlvError>)> = vec![
            (
                "two units, 4-byte lengths",
                &[0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 1, 0x65],
                4,
                Ok(vec![b(&[0x09, 0xf0]), b(&[0x65])]),
            ),
            (
                "1-byte lengths, zero-length unit skipped",
                &[1, 0x41, 0, 1, 0x41],
                1,
                Ok(vec![b(&[0x41]), b(&[0x41])]),
            ),
            (
                "2-byte lengths",
                &[0, 3, 0x06, 0x05, 0x80],
                2,
                Ok(vec![b(&[0x06, 0x05, 0x80])]),
            ),
            ("empty payload", &[], 4, Ok(vec![])),
            (
                "length cut short",
                &[0, 0, 0],
                4,
                Err(FlvError::Truncated {
                    what: "NAL unit length",
                    need: 4,
                    have: 3,
                }),
            ),
            (
                "unit cut short",
                &[0, 0, 0, 3, 0x65],
                4,
                Err(FlvError::Truncated {
                    what: "NAL unit",
                    need: 3,
                    have: 1,
                }),
            ),
            (
                "unit over the size limit",
                &[0, 0, 0, 5, 1, 2, 3, 4, 5],
                4,
                Err(FlvError::NalUnitTooLarge { len: 5, limit: 4 }),
            ),
            (
                "four units over the count limit of 3",
                &[1, 1, 1, 1, 1, 1, 1, 1],
                1,
                Err(FlvError::TooManyNalUnits { limit: 3 }),
            ),
            (
                "length size 3 rejected",
                &[0, 0, 1, 0x65],
                3,
                Err(FlvError::BadNaluLengthSize(3)),
            ),
        ];
        for (name, bytes, ls, want) in cases {
            assert_eq!(
                split_nal_units(&Bytes::from_static(bytes), ls, &limits),
                want,
                "{name}"
            );
        }
    }
}
