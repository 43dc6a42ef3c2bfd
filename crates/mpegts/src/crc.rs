//! CRC-32/MPEG-2 as used by PSI sections (ISO/IEC 13818-1 Annex B): polynomial 0x04C11DB7,
//! initial value 0xFFFFFFFF, no reflection, no final XOR.

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC-32/MPEG-2 of `data`.
pub fn crc32_mpeg2(data: &[u8]) -> u32 {
    data.iter().fold(0xffff_ffff, |crc, &b| {
        (crc << 8) ^ TABLE[((crc >> 24) as u8 ^ b) as usize]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_table() {
        let cases: &[(&str, &[u8], u32)] = &[
            // The catalogue check value of CRC-32/MPEG-2.
            ("check string 123456789", b"123456789", 0x0376_e6e7),
            ("empty input is the initial value", b"", 0xffff_ffff),
            // A PAT section (program 1 -> PMT 0x1000) as ffmpeg writes it, CRC 2ab104b2.
            (
                "ffmpeg PAT section",
                &[
                    0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00,
                ],
                0x2ab1_04b2,
            ),
        ];
        for (name, data, want) in cases {
            assert_eq!(crc32_mpeg2(data), *want, "{name}");
        }
    }

    #[test]
    fn section_with_its_crc_checks_to_zero() {
        let mut s = vec![
            0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00,
        ];
        let crc = crc32_mpeg2(&s);
        s.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(crc32_mpeg2(&s), 0);
    }
}
