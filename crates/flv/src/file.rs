//! FLV files (Flash Video File Format v10.1, §E.2-E.3): the 9-byte header and the tag stream.
//!
//! liboo itself receives tags over RTMP; this reader exists for fixtures and for a test publisher,
//! and it is sans-IO like the rest: push bytes in, pull complete tags out.

use bytes::{Buf, Bytes, BytesMut};

use crate::{FlvError, Limits};

const HEADER_LEN: usize = 9;
const TAG_HEADER_LEN: usize = 11;
const PREVIOUS_TAG_SIZE_LEN: usize = 4;

/// The FLV file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlvHeader {
    /// The file format version (1).
    pub version: u8,
    /// `TypeFlagsAudio`: the file has audio tags.
    pub has_audio: bool,
    /// `TypeFlagsVideo`: the file has video tags.
    pub has_video: bool,
}

/// FLV `TagType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagType {
    /// 8: audio.
    Audio,
    /// 9: video.
    Video,
    /// Script data (AMF0 `onMetaData`).
    Script,
    /// Anything else, by its number.
    Other(u8),
}

/// One tag: its header fields and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlvTag {
    /// What the tag carries.
    pub tag_type: TagType,
    /// Milliseconds, with `TimestampExtended` as the upper 8 bits.
    pub timestamp: u32,
    /// `StreamID` (always 0 in files).
    pub stream_id: u32,
    /// The tag body: a video, audio or script data tag.
    pub body: Bytes,
}

/// Incremental FLV file reader.
#[derive(Debug)]
pub struct FlvReader {
    buf: BytesMut,
    header: Option<FlvHeader>,
    limits: Limits,
}

impl FlvReader {
    /// A reader that has read nothing yet, refusing tags over `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            buf: BytesMut::new(),
            header: None,
            limits,
        }
    }

    /// Reads a whole file held in memory. Trailing bytes that do not form a whole tag are an error.
    pub fn read_all(data: &[u8], limits: Limits) -> Result<(FlvHeader, Vec<FlvTag>), FlvError> {
        let mut reader = Self::new(limits);
        reader.push(data);
        let mut tags = Vec::new();
        while let Some(tag) = reader.next_tag()? {
            tags.push(tag);
        }
        let Some(header) = reader.header else {
            return Err(FlvError::Truncated {
                what: "FLV header",
                need: HEADER_LEN,
                have: data.len(),
            });
        };
        if !reader.buf.is_empty() {
            return Err(FlvError::Truncated {
                what: "FLV tag",
                need: TAG_HEADER_LEN,
                have: reader.buf.len(),
            });
        }
        Ok((header, tags))
    }

    /// Appends bytes read from the file.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The file header, once it has been read.
    pub fn header(&self) -> Option<FlvHeader> {
        self.header
    }

    /// Returns the next complete tag, or `Ok(None)` if more bytes are needed.
    pub fn next_tag(&mut self) -> Result<Option<FlvTag>, FlvError> {
        if self.header.is_none() && !self.read_header()? {
            return Ok(None);
        }
        if self.buf.len() < TAG_HEADER_LEN {
            return Ok(None);
        }
        let h = &self.buf[..TAG_HEADER_LEN];
        // Bit 5 of the type byte is the Filter flag: the body is encrypted and we cannot read it.
        if h[0] & 0x20 != 0 {
            return Err(FlvError::EncryptedTag);
        }
        let tag_type = match h[0] & 0x1f {
            8 => TagType::Audio,
            9 => TagType::Video,
            18 => TagType::Script,
            t => TagType::Other(t),
        };
        let size = u32_be(0, h[1], h[2], h[3]) as usize;
        if size > self.limits.max_tag_size {
            return Err(FlvError::TagTooLarge {
                size,
                limit: self.limits.max_tag_size,
            });
        }
        let timestamp = u32_be(h[7], h[4], h[5], h[6]);
        let stream_id = u32_be(0, h[8], h[9], h[10]);
        let total = TAG_HEADER_LEN + size + PREVIOUS_TAG_SIZE_LEN;
        if self.buf.len() < total {
            return Ok(None);
        }
        let mut tag = self.buf.split_to(total);
        tag.advance(TAG_HEADER_LEN);
        let body = tag.split_to(size).freeze();
        let found = tag.get_u32();
        let expected = (TAG_HEADER_LEN + size) as u32;
        if found != expected {
            return Err(FlvError::BadPreviousTagSize { expected, found });
        }
        Ok(Some(FlvTag {
            tag_type,
            timestamp,
            stream_id,
            body,
        }))
    }

    /// Reads the header and `PreviousTagSize0`; false if more bytes are needed.
    fn read_header(&mut self) -> Result<bool, FlvError> {
        if self.buf.len() < 3 {
            return Ok(false);
        }
        if &self.buf[..3] != b"FLV" {
            return Err(FlvError::BadSignature([
                self.buf[0],
                self.buf[1],
                self.buf[2],
            ]));
        }
        if self.buf.len() < HEADER_LEN {
            return Ok(false);
        }
        // DataOffset is 9 for version 1; later versions may grow the header, so honour it.
        let offset = u32_be(self.buf[5], self.buf[6], self.buf[7], self.buf[8]) as usize;
        // A header larger than a kilobyte is not a real FLV variant, just a way to make us buffer.
        if !(HEADER_LEN..=1024).contains(&offset) {
            return Err(FlvError::BadDataOffset(offset as u32));
        }
        if self.buf.len() < offset + PREVIOUS_TAG_SIZE_LEN {
            return Ok(false);
        }
        let header = FlvHeader {
            version: self.buf[3],
            has_audio: self.buf[4] & 0x04 != 0,
            has_video: self.buf[4] & 0x01 != 0,
        };
        self.buf.advance(offset + PREVIOUS_TAG_SIZE_LEN);
        self.header = Some(header);
        Ok(true)
    }
}

fn u32_be(a: u8, b: u8, c: u8, d: u8) -> u32 {
    u32::from_be_bytes([a, b, c, d])
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
/// The 9-byte file header and the first (zero) `PreviousTagSize`: what a stream of
/// tags written with [`write_tag`] starts with.
pub fn write_header(has_audio: bool, has_video: bool) -> [u8; HEADER_LEN + PREVIOUS_TAG_SIZE_LEN] {
    let flags = (u8::from(has_audio) << 2) | u8::from(has_video);
    [b'F', b'L', b'V', 1, flags, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// Appends one tag and its `PreviousTagSize` to `out`. A body longer than the 24-bit
/// size field allows is a caller error: RTMP messages are far smaller.
pub fn write_tag(out: &mut Vec<u8>, tag_type: TagType, timestamp: u32, body: &[u8]) {
    let kind = match tag_type {
        TagType::Audio => 8,
        TagType::Video => 9,
        TagType::Script => 18,
        TagType::Other(t) => t,
    };
    let size = body.len().min(0xFF_FFFF) as u32;
    out.push(kind);
    out.extend_from_slice(&size.to_be_bytes()[1..]);
    out.extend_from_slice(&timestamp.to_be_bytes()[1..]);
    out.push((timestamp >> 24) as u8);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&body[..size as usize]);
    out.extend_from_slice(&(size + TAG_HEADER_LEN as u32).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = &[
        b'F', b'L', b'V', 0x01, // signature, version 1
        0x05, // TypeFlags: audio (0x04) | video (0x01)
        0x00, 0x00, 0x00, 0x09, // DataOffset 9
        0x00, 0x00, 0x00, 0x00, // PreviousTagSize0
    ];

    #[test]
    fn reads_tags_table() {
        let video_tag: &[u8] = &[
            0x09, // TagType video
            0x00, 0x00, 0x02, // DataSize 2
            0x12, 0x34, 0x56, 0x01, // Timestamp 0x123456 | extended 0x01 -> 0x01123456
            0x00, 0x00, 0x00, // StreamID
            0x17, 0x02, // body
            0x00, 0x00, 0x00, 0x0d, // PreviousTagSize 13
        ];
        type Case = (&'static str, Vec<u8>, Limits, Result<Vec<FlvTag>, FlvError>);
        let cases: Vec<Case> = vec![
            (
                "one video tag with extended timestamp",
                [HEADER, video_tag].concat(),
                Limits::default(),
                Ok(vec![FlvTag {
                    tag_type: TagType::Video,
                    timestamp: 0x0112_3456,
                    stream_id: 0,
                    body: Bytes::from_static(&[0x17, 0x02]),
                }]),
            ),
            (
                "header only",
                HEADER.to_vec(),
                Limits::default(),
                Ok(vec![]),
            ),
            (
                "tag over the size limit of 1",
                [HEADER, video_tag].concat(),
                Limits {
                    max_tag_size: 1,
                    ..Limits::default()
                },
                Err(FlvError::TagTooLarge { size: 2, limit: 1 }),
            ),
            (
                "PreviousTagSize wrong",
                [HEADER, &video_tag[..13], &[0, 0, 0, 0x0c]].concat(),
                Limits::default(),
                Err(FlvError::BadPreviousTagSize {
                    expected: 13,
                    found: 12,
                }),
            ),
            (
                "encrypted (Filter bit)",
                [HEADER, &[0x29], &video_tag[1..]].concat(),
                Limits::default(),
                Err(FlvError::EncryptedTag),
            ),
            (
                "not FLV",
                b"RIFF0000".to_vec(),
                Limits::default(),
                Err(FlvError::BadSignature(*b"RIF")),
            ),
            (
                "tag cut short",
                [HEADER, &video_tag[..12]].concat(),
                Limits::default(),
                Err(FlvError::Truncated {
                    what: "FLV tag",
                    need: 11,
                    have: 12,
                }),
            ),
        ];
        for (name, bytes, limits, want) in cases {
            let got = FlvReader::read_all(&bytes, limits).map(|(_, tags)| tags);
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn byte_at_a_time_matches_whole() {
        let data = [
            HEADER,
            &[0x08, 0, 0, 1, 0, 0, 5, 0, 0, 0, 0, 0xaf, 0, 0, 0, 12],
        ]
        .concat();
        let mut r = FlvReader::new(Limits::default());
        let mut tags = Vec::new();
        for b in &data {
            r.push(std::slice::from_ref(b));
            while let Some(t) = r.next_tag().unwrap() {
                tags.push(t);
            }
        }
        assert_eq!(
            r.header(),
            Some(FlvHeader {
                version: 1,
                has_audio: true,
                has_video: true
            })
        );
        assert_eq!(tags.len(), 1);
        assert_eq!(
            (tags[0].tag_type, tags[0].timestamp, &tags[0].body[..]),
            (TagType::Audio, 5, &[0xaf][..])
        );
    }

    #[test]
    fn written_tags_read_back() {
        let mut out = write_header(true, true).to_vec();
        let tags = [
            (TagType::Video, 0, vec![0x17, 0, 0, 0, 0, 1, 2]),
            (TagType::Audio, 21, vec![0xAF, 1, 9]),
            (TagType::Video, 0x0123_4567, vec![0x27, 1, 0, 0, 0]),
        ];
        for (t, ts, body) in &tags {
            write_tag(&mut out, *t, *ts, body);
        }
        let (header, read) = FlvReader::read_all(&out, Limits::default()).unwrap();
        assert!(header.has_audio && header.has_video);
        assert_eq!(read.len(), 3);
        for ((t, ts, body), tag) in tags.iter().zip(read) {
            assert_eq!(
                (tag.tag_type, tag.timestamp, tag.body.as_ref()),
                (*t, *ts, body.as_slice())
            );
        }
    }
}
