use std::fmt;

/// A four-character code as used by Enhanced RTMP (`hvc1`, `av01`, `vp09`, `Opus`, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub [u8; 4]);

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc(\"{self}\")")
    }
}

/// Which codec a publisher tried to send that liboo does not remux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedCodec {
    /// A legacy FLV `CodecID` other than 7 (AVC), e.g. 2 (Sorenson H.263) or 12 (the unofficial HEVC).
    VideoCodecId(u8),
    /// An Enhanced RTMP `ExVideoTagHeader` FourCC other than `avc1`.
    VideoFourCc(FourCc),
    /// A legacy FLV `SoundFormat` other than 10 (AAC), e.g. 2 (MP3).
    SoundFormat(u8),
    /// An Enhanced RTMP `ExAudioTagHeader` FourCC, e.g. `Opus`, `fLaC`, `ac-3`.
    AudioFourCc(FourCc),
    /// An AAC audio object type that ADTS cannot carry (ADTS has 2 bits for the profile).
    AudioObjectType(u8),
}

impl fmt::Display for UnsupportedCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VideoCodecId(id) => {
                write!(f, "FLV video codec id {id} (only 7, H.264, is supported)")
            }
            Self::VideoFourCc(cc) => write!(
                f,
                "enhanced RTMP video codec {cc} (only H.264 is supported)"
            ),
            Self::SoundFormat(id) => {
                write!(f, "FLV sound format {id} (only 10, AAC, is supported)")
            }
            Self::AudioFourCc(cc) => {
                write!(f, "enhanced RTMP audio codec {cc} (only AAC is supported)")
            }
            Self::AudioObjectType(aot) => {
                write!(f, "AAC audio object type {aot} (ADTS carries types 1 to 4)")
            }
        }
    }
}

/// Everything that can go wrong while reading FLV tag bodies or files.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlvError {
    /// A structure ended before its fields did.
    #[error("{what} truncated: need {need} bytes, have {have}")]
    Truncated {
        /// The structure.
        what: &'static str,
        /// Bytes it needs.
        need: usize,
        /// Bytes there were.
        have: usize,
    },
    /// A codec liboo does not remux (only H.264 and AAC).
    #[error("unsupported codec: {0}")]
    UnsupportedCodec(UnsupportedCodec),
    /// An `AVCPacketType` other than 0, 1 or 2.
    #[error("unknown AVC packet type {0}")]
    UnknownAvcPacketType(u8),
    /// An enhanced RTMP video packet type liboo does not read.
    #[error("unsupported enhanced RTMP video packet type {0}")]
    UnsupportedExPacketType(u8),
    /// An `AACPacketType` other than 0 or 1.
    #[error("unknown AAC packet type {0}")]
    UnknownAacPacketType(u8),
    /// An AVCDecoderConfigurationRecord of a version other than 1.
    #[error("AVCDecoderConfigurationRecord version {0}, expected 1")]
    BadAvcConfigVersion(u8),
    /// A NAL unit length prefix of other than 1, 2 or 4 bytes.
    #[error("NAL unit length size {0} bytes; only 1, 2 and 4 are allowed")]
    BadNaluLengthSize(u8),
    /// More SPS or PPS than [`crate::Limits::max_parameter_sets`].
    #[error("{count} {kind} in decoder configuration, limit {limit}")]
    TooManyParameterSets {
        /// `"SPS"` or `"PPS"`.
        kind: &'static str,
        /// How many the record holds.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An SPS or PPS over [`crate::Limits::max_parameter_set_size`].
    #[error("{kind} of {len} bytes, limit {limit}")]
    ParameterSetTooLarge {
        /// `"SPS"` or `"PPS"`.
        kind: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// More NAL units in a frame than [`crate::Limits::max_nal_units_per_frame`].
    #[error("more than {limit} NAL units in one frame")]
    TooManyNalUnits {
        /// The limit.
        limit: usize,
    },
    /// A NAL unit over [`crate::Limits::max_nal_unit_size`].
    #[error("NAL unit of {len} bytes, limit {limit}")]
    NalUnitTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A `samplingFrequencyIndex` of 13 or 14.
    #[error("AAC sampling frequency index {0} is reserved")]
    ReservedSamplingFrequencyIndex(u8),
    /// An explicit sampling frequency that ADTS cannot signal.
    #[error("AAC sampling frequency {0} Hz has no ADTS index")]
    NoAdtsFrequencyIndex(u32),
    /// A `channelConfiguration` that ADTS cannot signal.
    #[error("AAC channel configuration {0} cannot be written in an ADTS header")]
    UnsupportedChannelConfig(u8),
    /// An AAC frame too long for ADTS's 13-bit length.
    #[error("ADTS frame of {len} bytes exceeds the 13-bit frame length (8191)")]
    AdtsFrameTooLarge {
        /// The raw frame's length in bytes.
        len: usize,
    },
    /// A file that does not start with `FLV`.
    #[error("not an FLV file (signature {0:02x?})")]
    BadSignature([u8; 3]),
    /// A header size outside what FLV files use.
    #[error("FLV header DataOffset {0} outside 9..=1024")]
    BadDataOffset(u32),
    /// A tag over [`crate::Limits::max_tag_size`].
    #[error("FLV tag of {size} bytes, limit {limit}")]
    TagTooLarge {
        /// The tag's `DataSize`.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A `PreviousTagSize` that does not match the tag before it.
    #[error("PreviousTagSize {found} does not match the tag size {expected}")]
    BadPreviousTagSize {
        /// The size of the tag before it.
        expected: u32,
        /// What the file says.
        found: u32,
    },
    /// A tag with the `Filter` bit set (encrypted).
    #[error("encrypted FLV tags are not supported")]
    EncryptedTag,
    /// A NAL unit given as an SPS that is not one.
    #[error("NAL unit type {0} is not a sequence parameter set (7)")]
    NotSps(u8),
    /// An exp-Golomb code longer than 32 bits.
    #[error("{what}: exp-Golomb code with more than 31 leading zeros")]
    ExpGolombTooLong {
        /// The field being read.
        what: &'static str,
    },
    /// An SPS field outside the range H.264 allows.
    #[error("SPS {field} is {value}, outside what H.264 allows")]
    SpsValueOutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: i64,
    },
}
