//! MSB-first bit reader for the few bit-packed structures in this crate (AudioSpecificConfig).

use crate::FlvError;

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
}
