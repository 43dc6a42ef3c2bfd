//! MSB-first bit reader for the bit-packed structures in this crate: the AudioSpecificConfig and
//! the H.264 sequence parameter set (which adds exp-Golomb codes, H.264 §9.1).

use crate::FlvError;

/// Leading zero bits an exp-Golomb code may have before its value no longer fits in a `u32`.
/// H.264 never needs more: its largest `ue(v)` values are 2^32 - 2 (§7.4.2.1.1 and Annex E).
const MAX_EXP_GOLOMB_ZEROS: u32 = 31;

pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8], what: &'static str) -> Self {
        Self { data, pos: 0, what }
    }

    /// Reads `n` (at most 32) bits.
    pub(crate) fn read(&mut self, n: u32) -> Result<u32, FlvError> {
        debug_assert!(n <= 32);
        let end = self.pos + n as usize;
        if end > self.data.len() * 8 {
            return Err(FlvError::Truncated {
                what: self.what,
                need: end.div_ceil(8),
                have: self.data.len(),
            });
        }
        let mut v: u32 = 0;
        for _ in 0..n {
            let bit = (self.data[self.pos / 8] >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | u32::from(bit);
            self.pos += 1;
        }
        Ok(v)
    }

    /// Reads one bit as a flag.
    pub(crate) fn flag(&mut self) -> Result<bool, FlvError> {
        Ok(self.read(1)? == 1)
    }

    /// Reads an unsigned exp-Golomb code, `ue(v)` (H.264 §9.1). The count of leading zeros is
    /// capped so that a run of zero bytes ends in an error instead of a value that overflows.
    pub(crate) fn ue(&mut self) -> Result<u32, FlvError> {
        let mut zeros = 0;
        while !self.flag()? {
            zeros += 1;
            if zeros > MAX_EXP_GOLOMB_ZEROS {
                return Err(FlvError::ExpGolombTooLong { what: self.what });
            }
        }
        // 2^zeros - 1 + the next `zeros` bits; at most 2^32 - 2 with 31 zeros.
        Ok(((1u64 << zeros) - 1 + u64::from(self.read(zeros)?)) as u32)
    }

    /// Reads a signed exp-Golomb code, `se(v)` (H.264 §9.1.1): 1, 2, 3, 4 ... map to 1, -1, 2, -2.
    pub(crate) fn se(&mut self) -> Result<i64, FlvError> {
        let k = i64::from(self.ue()?);
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_table() {
        // (name, bytes, ue values expected in order)
        let cases: Vec<(&str, &[u8], Vec<u32>)> = vec![
            // 1 | 010 | 011 | 00100 | 00101 | 0001000 (+ padding)
            (
                "0, 1, 2, 3, 4, 7",
                &[0b1010_0110, 0b0100_0010, 0b1000_1000],
                vec![0, 1, 2, 3, 4, 7],
            ),
            // 31 zeros, a one, 31 ones: the largest value, 2^32 - 2.
            (
                "largest ue",
                &[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe],
                vec![u32::MAX - 1],
            ),
        ];
        for (name, bytes, want) in cases {
            let mut r = BitReader::new(bytes, "test");
            let got: Vec<u32> = want.iter().map(|_| r.ue().unwrap()).collect();
            assert_eq!(got, want, "{name}");
        }
        let mut r = BitReader::new(&[0b0010_0011, 0b0000_0000], "test");
        // 00100 -> 3 -> +2, 011 -> 2 -> -1
        assert_eq!((r.se().unwrap(), r.se().unwrap()), (2, -1));
    }

    #[test]
    fn exp_golomb_errors() {
        assert_eq!(
            BitReader::new(&[0, 0, 0, 0, 0x80], "test").ue(),
            Err(FlvError::ExpGolombTooLong { what: "test" })
        );
        assert_eq!(
            BitReader::new(&[0, 0x80], "test").ue(),
            Err(FlvError::Truncated {
                what: "test",
                need: 3,
                have: 2
            })
        );
    }
}
