//! Program-specific information (ISO/IEC 13818-1 §2.4.4): the program association table and the
//! program map table for the single program liboo writes.

use crate::crc32_mpeg2;

/// `transport_stream_id` and `program_number`: one program, numbered 1 as ffmpeg does.
const TRANSPORT_STREAM_ID: u16 = 1;
const PROGRAM_NUMBER: u16 = 1;

/// One elementary stream entry of the PMT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PmtStream {
    /// `stream_type` (0x1b H.264, 0x0f AAC in ADTS).
    pub stream_type: u8,
    /// The `elementary_PID` that carries it.
    pub pid: u16,
}

/// A PAT section with its pointer field (the payload of the PID 0 packet).
pub fn pat(pmt_pid: u16) -> Vec<u8> {
    let mut s = vec![0x00]; // pointer_field
    let body_start = s.len();
    s.push(0x00); // table_id: program_association_section
    // section_syntax_indicator 1, '0', reserved 11, section_length (12 bits) filled below
    s.extend_from_slice(&[0xb0, 0x00]);
    s.extend_from_slice(&TRANSPORT_STREAM_ID.to_be_bytes());
    s.push(0xc1); // reserved 11, version_number 0, current_next_indicator 1
    s.extend_from_slice(&[0x00, 0x00]); // section_number, last_section_number
    s.extend_from_slice(&PROGRAM_NUMBER.to_be_bytes());
    s.extend_from_slice(&(0xe000 | pmt_pid).to_be_bytes()); // reserved 111, program_map_PID
    finish_section(&mut s, body_start);
    s
}

/// A PMT section with its pointer field.
pub fn pmt(pcr_pid: u16, streams: &[PmtStream]) -> Vec<u8> {
    let mut s = vec![0x00]; // pointer_field
    let body_start = s.len();
    s.push(0x02); // table_id: TS_program_map_section
    s.extend_from_slice(&[0xb0, 0x00]);
    s.extend_from_slice(&PROGRAM_NUMBER.to_be_bytes());
    s.push(0xc1);
    s.extend_from_slice(&[0x00, 0x00]);
    s.extend_from_slice(&(0xe000 | pcr_pid).to_be_bytes()); // reserved 111, PCR_PID
    s.extend_from_slice(&[0xf0, 0x00]); // reserved 1111, program_info_length 0
    for st in streams {
        s.push(st.stream_type);
        s.extend_from_slice(&(0xe000 | st.pid).to_be_bytes()); // reserved 111, elementary_PID
        s.extend_from_slice(&[0xf0, 0x00]); // reserved 1111, ES_info_length 0
    }
    finish_section(&mut s, body_start);
    s
}

/// Fills section_length (bytes after the length field, CRC included) and appends the CRC.
fn finish_section(s: &mut Vec<u8>, body_start: usize) {
    let len = s.len() - body_start - 3 + 4;
    s[body_start + 1] = 0xb0 | (len >> 8) as u8;
    s[body_start + 2] = len as u8;
    let crc = crc32_mpeg2(&s[body_start..]);
    s.extend_from_slice(&crc.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AUDIO_PID, PMT_PID, STREAM_TYPE_AAC_ADTS, STREAM_TYPE_H264, VIDEO_PID};

    #[test]
    fn psi_table() {
        let video = PmtStream {
            stream_type: STREAM_TYPE_H264,
            pid: VIDEO_PID,
        };
        let audio = PmtStream {
            stream_type: STREAM_TYPE_AAC_ADTS,
            pid: AUDIO_PID,
        };
        let cases: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
            (
                "PAT: program 1 on PMT PID 0x1000 (byte-identical to ffmpeg's)",
                pat(PMT_PID),
                vec![
                    0x00, // pointer_field
                    0x00, 0xb0, 0x0d, // table_id 0, section_length 13
                    0x00, 0x01, 0xc1, 0x00, 0x00, // tsid 1, version 0 current, section 0 of 0
                    0x00, 0x01, 0xf0, 0x00, // program 1 -> PID 0x1000
                    0x2a, 0xb1, 0x04, 0xb2, // CRC
                ],
            ),
            (
                "PMT: H.264 on 0x100 (PCR), AAC on 0x101 (byte-identical to ffmpeg's)",
                pmt(VIDEO_PID, &[video, audio]),
                vec![
                    0x00, // pointer_field
                    0x02, 0xb0, 0x17, // table_id 2, section_length 23
                    0x00, 0x01, 0xc1, 0x00,
                    0x00, // program 1, version 0 current, section 0 of 0
                    0xe1, 0x00, 0xf0, 0x00, // PCR_PID 0x100, program_info_length 0
                    0x1b, 0xe1, 0x00, 0xf0, 0x00, // H.264, PID 0x100
                    0x0f, 0xe1, 0x01, 0xf0, 0x00, // AAC ADTS, PID 0x101
                    0x2f, 0x44, 0xb9, 0x9b, // CRC
                ],
            ),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
        let audio_only = pmt(AUDIO_PID, &[audio]);
        assert_eq!(
            &audio_only[1..14],
            &[
                0x02, 0xb0, 0x12, 0x00, 0x01, 0xc1, 0x00, 0x00, 0xe1, 0x01, 0xf0, 0x00, 0x0f
            ]
        );
        assert_eq!(crc32_mpeg2(&audio_only[1..]), 0);
    }
}
