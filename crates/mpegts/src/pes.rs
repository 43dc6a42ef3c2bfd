//! PES packet headers (ISO/IEC 13818-1 §2.4.3.6) with PTS and, when it differs, DTS.

/// `stream_id` for the first video stream.
pub const STREAM_ID_VIDEO: u8 = 0xe0;
/// `stream_id` for the first audio stream.
pub const STREAM_ID_AUDIO: u8 = 0xc0;

/// Appends a PES header for `payload_len` bytes of elementary stream data.
///
/// `PES_packet_length` is written as 0 ("unbounded") for video, which the spec allows only for
/// video in transport streams and which every demuxer accepts; an access unit can exceed the
/// 16-bit field. Audio always gets its real length (the caller keeps it under 65536).
pub fn write_header(
    out: &mut Vec<u8>,
    stream_id: u8,
    pts: u64,
    dts: Option<u64>,
    payload_len: usize,
) {
    // A DTS equal to the PTS must be left out (PTS_DTS_flags '10').
    let dts = dts.filter(|&d| d != pts);
    let header_data_len: u8 = if dts.is_some() { 10 } else { 5 };
    out.extend_from_slice(&[0x00, 0x00, 0x01, stream_id]);
    let after_length = 3 + usize::from(header_data_len) + payload_len;
    let pes_len = if stream_id == STREAM_ID_VIDEO || after_length > 0xffff {
        0
    } else {
        after_length as u16
    };
    out.extend_from_slice(&pes_len.to_be_bytes());
    out.push(0x80); // '10', not scrambled, no priority, no alignment flag, no copyright, copy
    out.push(if dts.is_some() { 0xc0 } else { 0x80 }); // PTS_DTS_flags, no other optional fields
    out.push(header_data_len);
    match dts {
        Some(dts) => {
            out.extend_from_slice(&encode_timestamp(0b0011, pts));
            out.extend_from_slice(&encode_timestamp(0b0001, dts));
        }
        None => out.extend_from_slice(&encode_timestamp(0b0010, pts)),
    }
}

/// A 33-bit timestamp in the PES layout: `prefix:4 ts[32..30]:3 1 ts[29..15]:15 1 ts[14..0]:15 1`.
pub fn encode_timestamp(prefix: u8, ts: u64) -> [u8; 5] {
    [
        (prefix << 4) | (((ts >> 30) & 0x07) as u8) << 1 | 1,
        (ts >> 22) as u8,
        (((ts >> 15) & 0x7f) as u8) << 1 | 1,
        (ts >> 7) as u8,
        ((ts & 0x7f) as u8) << 1 | 1,
    ]
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_table() {
        let cases: Vec<(&str, u8, u64, Option<u64>, usize, Vec<u8>)> = vec![
            (
                "video, PTS 0 = DTS 0: DTS left out, length 0",
                STREAM_ID_VIDEO,
                0,
                Some(0),
                1000,
                vec![
                    0, 0, 1, 0xe0, 0x00, 0x00, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01,
                ],
            ),
            (
                // PTS 3003 = 0xbbb, DTS 0
                "video with B-frame reordering: PTS 3003, DTS 0",
                STREAM_ID_VIDEO,
                3003,
                Some(0),
                10,
                vec![
                    0, 0, 1, 0xe0, 0x00, 0x00, 0x80, 0xc0, 0x0a, //
                    0x31, 0x00, 0x01, 0x17, 0x77, // '0011' PTS 0xbbb
                    0x11, 0x00, 0x01, 0x00, 0x01, // '0001' DTS 0
                ],
            ),
            (
                "audio, 100-byte payload: PES_packet_length 3 + 5 + 100 = 108",
                STREAM_ID_AUDIO,
                90_000,
                None,
                100,
                vec![
                    0, 0, 1, 0xc0, 0x00, 0x6c, 0x80, 0x80, 0x05, 0x21, 0x00, 0x05, 0xbf, 0x21,
                ],
            ),
            (
                "largest 33-bit PTS",
                STREAM_ID_AUDIO,
                (1 << 33) - 1,
                None,
                0,
                vec![
                    0, 0, 1, 0xc0, 0x00, 0x08, 0x80, 0x80, 0x05, 0x2f, 0xff, 0xff, 0xff, 0xff,
                ],
            ),
        ];
        for (name, sid, pts, dts, len, want) in cases {
            let mut out = Vec::new();
            write_header(&mut out, sid, pts, dts, len);
            assert_eq!(out, want, "{name}");
        }
    }
}
