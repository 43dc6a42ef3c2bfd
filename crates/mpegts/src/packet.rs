//! Transport stream packets (ISO/IEC 13818-1 §2.4.3.2-2.4.3.5): header, adaptation field with PCR
//! and random_access_indicator, and stuffing so every packet is exactly 188 bytes.

use bytes::BufMut;

use crate::PACKET_SIZE;

/// Per-PID state: the 4-bit continuity counter, incremented on every packet with payload.
#[derive(Debug, Default, Clone, Copy)]
pub struct ContinuityCounter(u8);

impl ContinuityCounter {
    fn next(&mut self) -> u8 {
        let v = self.0;
        self.0 = (self.0 + 1) & 0x0f;
        v
    }
}

/// Adaptation-field content for the first packet of a payload unit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FirstPacketFlags {
    /// Program clock reference in 27 MHz units (base * 300 + extension).
    pub pcr_27mhz: Option<u64>,
    /// Set on the first packet of a keyframe: a decoder may start here.
    pub random_access: bool,
}

/// Splits one payload unit (a PES packet, or a pointer field plus PSI section) into packets on
/// `pid`, setting payload_unit_start_indicator on the first. The last packet is padded with
/// adaptation-field stuffing, which the spec requires for PES (PSI may also pad with 0xFF after
/// the section, but one rule for both keeps this code single).
pub fn write_payload_unit(
    out: &mut impl BufMut,
    pid: u16,
    cc: &mut ContinuityCounter,
    flags: FirstPacketFlags,
    mut payload: &[u8],
) {
    let mut first = true;
    while first || !payload.is_empty() {
        let f = if first {
            flags
        } else {
            FirstPacketFlags::default()
        };
        // Adaptation field bytes we must write: length + flags (+ 6 PCR bytes).
        let af_fixed = match (f.pcr_27mhz, f.random_access) {
            (Some(_), _) => 8,
            (None, true) => 2,
            (None, false) => 0,
        };
        let room = PACKET_SIZE - 4 - af_fixed;
        let take = payload.len().min(room);
        let af_total = af_fixed + (room - take);

        let mut p = [0xffu8; PACKET_SIZE];
        p[0] = 0x47;
        p[1] = (u8::from(first) << 6) | (pid >> 8) as u8 & 0x1f;
        p[2] = pid as u8;
        // adaptation_field_control: 01 payload only, 11 adaptation field then payload.
        p[3] = if af_total > 0 { 0x30 } else { 0x10 } | cc.next();
        if af_total > 0 {
            p[4] = (af_total - 1) as u8;
            if af_total >= 2 {
                p[5] = (u8::from(f.random_access) << 6) | (u8::from(f.pcr_27mhz.is_some()) << 4);
                if let Some(pcr) = f.pcr_27mhz {
                    p[6..12].copy_from_slice(&encode_pcr(pcr));
                }
            }
        }
        let start = 4 + af_total;
        p[start..start + take].copy_from_slice(&payload[..take]);
        out.put_slice(&p);
        payload = &payload[take..];
        first = false;
    }
}

/// PCR field: 33-bit base (90 kHz), 6 reserved bits, 9-bit extension (27 MHz remainder).
pub fn encode_pcr(pcr_27mhz: u64) -> [u8; 6] {
    let base = (pcr_27mhz / 300) & ((1 << 33) - 1);
    let ext = pcr_27mhz % 300;
    [
        (base >> 25) as u8,
        (base >> 17) as u8,
        (base >> 9) as u8,
        (base >> 1) as u8,
        ((base & 1) << 7) as u8 | 0x7e | (ext >> 8) as u8,
        ext as u8,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcr_table() {
        let cases: &[(&str, u64, [u8; 6])] = &[
            ("zero: reserved bits only", 0, [0, 0, 0, 0, 0x7e, 0]),
            // 1 s = 90000 = 0x15f90 base: 0x00 0x00 0xaf 0xc8 then low bit 0
            (
                "one second",
                27_000_000,
                [0x00, 0x00, 0xaf, 0xc8, 0x7e, 0x00],
            ),
            (
                "base 1, extension 299",
                599,
                [0x00, 0x00, 0x00, 0x00, 0xff, 0x2b],
            ),
            (
                "extension high bit",
                300 + 256,
                [0x00, 0x00, 0x00, 0x00, 0xff, 0x00],
            ),
        ];
        for (name, pcr, want) in cases {
            assert_eq!(encode_pcr(*pcr), *want, "{name}");
        }
    }

    /// (name, payload length, flags) -> the first packet's header+adaptation field bytes, and
    /// the packet count.
    #[test]
    fn packetization_table() {
        let rai = FirstPacketFlags {
            pcr_27mhz: None,
            random_access: true,
        };
        let pcr = FirstPacketFlags {
            pcr_27mhz: Some(0),
            random_access: true,
        };
        let none = FirstPacketFlags::default();
        let cases: Vec<(&str, usize, FirstPacketFlags, Vec<u8>, usize)> = vec![
            (
                "exactly 184 bytes: no adaptation field",
                184,
                none,
                vec![0x47, 0x41, 0x00, 0x10],
                1,
            ),
            (
                "183 bytes: one stuffing byte, AF length 0",
                183,
                none,
                vec![0x47, 0x41, 0x00, 0x30, 0x00],
                1,
            ),
            (
                "182 bytes: AF length 1, flags 0",
                182,
                none,
                vec![0x47, 0x41, 0x00, 0x30, 0x01, 0x00],
                1,
            ),
            (
                "10 bytes: AF length 173, flags 0, 172 x 0xff",
                10,
                none,
                vec![0x47, 0x41, 0x00, 0x30, 0xad, 0x00, 0xff],
                1,
            ),
            (
                "185 bytes: two packets",
                185,
                none,
                vec![0x47, 0x41, 0x00, 0x10],
                2,
            ),
            (
                "random access, 182 bytes fit",
                182,
                rai,
                vec![0x47, 0x41, 0x00, 0x30, 0x01, 0x40],
                1,
            ),
            (
                "PCR + random access, 176 bytes fit",
                176,
                pcr,
                vec![0x47, 0x41, 0x00, 0x30, 0x07, 0x50, 0, 0, 0, 0, 0x7e, 0],
                1,
            ),
            (
                "PCR + random access, 177 bytes need two",
                177,
                pcr,
                vec![0x47, 0x41, 0x00, 0x30, 0x07, 0x50],
                2,
            ),
        ];
        for (name, len, flags, head, count) in cases {
            let payload: Vec<u8> = (0..len).map(|i| (i % 0xfe) as u8).collect();
            let mut out = Vec::new();
            let mut cc = ContinuityCounter::default();
            write_payload_unit(&mut out, 0x100, &mut cc, flags, &payload);
            assert_eq!(out.len(), count * PACKET_SIZE, "{name}");
            assert_eq!(&out[..head.len()], &head[..], "{name}");
            // Reassemble the payload from all packets.
            let mut back = Vec::new();
            for (i, p) in out.chunks(PACKET_SIZE).enumerate() {
                assert_eq!(p[3] & 0x0f, i as u8, "{name}: continuity counter");
                let start = if p[3] & 0x20 != 0 {
                    5 + usize::from(p[4])
                } else {
                    4
                };
                back.extend_from_slice(&p[start..]);
            }
            assert_eq!(back, payload, "{name}");
        }
    }

    #[test]
    fn continuity_counter_wraps_at_16() {
        let mut cc = ContinuityCounter::default();
        let mut out = Vec::new();
        for _ in 0..17 {
            write_payload_unit(&mut out, 0x101, &mut cc, FirstPacketFlags::default(), &[0]);
        }
        let ccs: Vec<u8> = out.chunks(PACKET_SIZE).map(|p| p[3] & 0x0f).collect();
        assert_eq!(ccs[15..], [15, 0]);
    }
}
