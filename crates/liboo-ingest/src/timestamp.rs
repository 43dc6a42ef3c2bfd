//! RTMP timestamps are 32-bit milliseconds that wrap after about 49.7 days; the segmenter
//! wants a monotonic 64-bit timeline.

/// Extends wrapped 32-bit timestamps to `i64`. Each timestamp is read as a signed step from
/// the previous one, so a wrap past `u32::MAX` moves forward and audio slightly behind video
/// (interleaving) moves back a little instead of jumping 49 days ahead.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TimestampExtender {
    last: Option<(u32, i64)>,
}

impl TimestampExtender {
    pub(crate) fn extend(&mut self, ts: u32) -> i64 {
        let ext = match self.last {
            None => i64::from(ts),
            Some((raw, ext)) => ext + i64::from(ts.wrapping_sub(raw) as i32),
        };
        self.last = Some((ts, ext));
        ext
    }
}

#[cfg(test)]
mod tests {
    use super::TimestampExtender;

    #[test]
    fn extends_across_the_wrap() {
        let cases: &[(&str, &[u32], &[i64])] = &[
            ("forward", &[0, 33, 66], &[0, 33, 66]),
            ("small step back", &[1000, 990, 1033], &[1000, 990, 1033]),
            (
                "wrap",
                &[u32::MAX - 10, 5, 40],
                &[
                    u32::MAX as i64 - 10,
                    u32::MAX as i64 + 6,
                    u32::MAX as i64 + 41,
                ],
            ),
        ];
        for (name, input, want) in cases {
            let mut x = TimestampExtender::default();
            let got: Vec<i64> = input.iter().map(|&t| x.extend(t)).collect();
            assert_eq!(&got, want, "{name}");
        }
    }
}
