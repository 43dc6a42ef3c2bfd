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
    #[error("{what} truncated: need {need} bytes, have {have}")]
    Truncated {
        what: &'static str,
        need: usize,
        have: usize,
    },
    #[error("unsupported codec: {0}")]
    UnsupportedCodec(UnsupportedCodec),
    #[error("unknown AVC packet type {0}")]
    UnknownAvcPacketType(u8),
    #[error("unsupported enhanced RTMP video packet type {0}")]
    UnsupportedExPacketType(u8),
    #[error("unknown AAC packet type {0}")]
    UnknownAacPacketType(u8),
    #[error("AVCDecoderConfigurationRecord version {0}, expected 1")]
    BadAvcConfigVersion(u8),
    #[error("NAL unit length size {0} bytes; only 1, 2 and 4 are allowed")]
    BadNaluLengthSize(u8),
    #[error("{count} {kind} in decoder configuration, limit {limit}")]
    TooManyParameterSets {
        kind: &'static str,
        count: usize,
        limit: usize,
    },
    #[error("{kind} of {len} bytes, limit {limit}")]
    ParameterSetTooLarge {
        kind: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("more than {limit} NAL units in one frame")]
    TooManyNalUnits { limit: usize },
    #[error("NAL unit of {len} bytes, limit {limit}")]
    NalUnitTooLarge { len: usize, limit: usize },
    #[error("AAC sampling frequency index {0} is reserved")]
    ReservedSamplingFrequencyIndex(u8),
    #[error("AAC sampling frequency {0} Hz has no ADTS index")]
    NoAdtsFrequencyIndex(u32),
    #[error("AAC channel configuration {0} cannot be written in an ADTS header")]
    UnsupportedChannelConfig(u8),
    #[error("ADTS frame of {len} bytes exceeds the 13-bit frame length (8191)")]
    AdtsFrameTooLarge { len: usize },
    #[error("not an FLV file (signature {0:02x?})")]
    BadSignature([u8; 3]),
    #[error("FLV header DataOffset {0} outside 9..=1024")]
    BadDataOffset(u32),
    #[error("FLV tag of {size} bytes, limit {limit}")]
    TagTooLarge { size: usize, limit: usize },
    #[error("PreviousTagSize {found} does not match the tag size {expected}")]
    BadPreviousTagSize { expected: u32, found: u32 },
    #[error("encrypted FLV tags are not supported")]
    EncryptedTag,
    #[error("NAL unit type {0} is not a sequence parameter set (7)")]
    NotSps(u8),
    #[error("{what}: exp-Golomb code with more than 31 leading zeros")]
    ExpGolombTooLong { what: &'static str },
    #[error("SPS {field} is {value}, outside what H.264 allows")]
    SpsValueOutOfRange { field: &'static str, value: i64 },
}
