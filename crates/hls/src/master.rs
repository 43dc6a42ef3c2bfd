//! Master playlists (RFC 8216 §4.3.4.2) and the `CODECS` strings their variants carry
//! (RFC 6381 §3.3 for H.264, ISO/IEC 14496-3 object types for AAC).

use std::fmt::Write as _;

/// One variant stream of a master playlist (`EXT-X-STREAM-INF` and its URI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The variant's media playlist, relative to the master playlist.
    pub uri: String,
    /// `BANDWIDTH`: peak bits per second.
    pub bandwidth: u64,
    /// `RESOLUTION` width in pixels.
    pub width: u32,
    /// `RESOLUTION` height in pixels.
    pub height: u32,
    /// `CODECS`, e.g. `avc1.64001f,mp4a.40.2`.
    pub codecs: String,
}

/// `avc1.PPCCLL` from an AVCDecoderConfigurationRecord's profile, compatibility and
/// level bytes (RFC 6381 §3.3).
pub fn avc_codec(profile: u8, compatibility: u8, level: u8) -> String {
    format!("avc1.{profile:02x}{compatibility:02x}{level:02x}")
}

/// `mp4a.40.N` for AAC of `audioObjectType` N (2 for AAC-LC, 5 for HE-AAC).
pub fn mp4a_codec(object_type: u8) -> String {
    format!("mp4a.40.{object_type}")
}

/// A master playlist listing `variants`, best first.
pub fn master_playlist(variants: &[Variant]) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for v in variants {
        let _ = write!(
            s,
            "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={}x{},CODECS=\"{}\"\n{}\n",
            v.bandwidth, v.width, v.height, v.codecs, v.uri
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_lists_each_variant() {
        let text = master_playlist(&[
            Variant {
                uri: "v/index.m3u8".into(),
                bandwidth: 1_200_000,
                width: 640,
                height: 360,
                codecs: format!("{},{}", avc_codec(0x64, 0, 0x1e), mp4a_codec(2)),
            },
            Variant {
                uri: "v/240p/index.m3u8".into(),
                bandwidth: 500_000,
                width: 426,
                height: 240,
                codecs: "avc1.4d401f,mp4a.40.2".into(),
            },
        ]);
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n\
             #EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"\nv/index.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=426x240,CODECS=\"avc1.4d401f,mp4a.40.2\"\nv/240p/index.m3u8\n"
        );
    }
}
