//! Durations as the frab family writes them, and as liboo writes them back.
//!
//! pentabarf and frab write `H:MM` or `HH:MM:SS`; pretalx writes `00:MM`, `HH:MM`, and for
//! 24 hours or more `D:HH:MM` (pretalx `common/text/serialize.py`), so a three-part value
//! means different things by generator. C3VOC's streaming site reads only hours and
//! minutes; here every form is read in full.

const MINUTE_MS: i64 = 60_000;

/// Reads a duration in milliseconds: `H:MM`, `HH:MM`, `H:MM:SS`, or with `pretalx` a
/// three-part value as `D:HH:MM`. Minutes and seconds (and pretalx hours) must be below
/// 60 (24); the leading part has at most three digits, which keeps every result far from
/// overflow. Zero is returned as `Some(0)`: whether a talk may last nothing is the
/// importer's decision.
pub fn parse_duration(text: &str, pretalx: bool) -> Option<i64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let num = |s: &str, max_digits: usize| -> Option<i64> {
        if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let below = |v: i64, limit: i64| (v < limit).then_some(v);
    let minutes = match parts.as_slice() {
        [h, m] => num(h, 3)? * 60 + below(num(m, 2)?, 60)?,
        [d, h, m] if pretalx => {
            num(d, 3)? * 24 * 60 + below(num(h, 2)?, 24)? * 60 + below(num(m, 2)?, 60)?
        }
        [h, m, s] => {
            let secs = num(h, 3)? * 3600 + below(num(m, 2)?, 60)? * 60 + below(num(s, 2)?, 60)?;
            return Some(secs * 1000);
        }
        _ => return None,
    };
    Some(minutes * MINUTE_MS)
}

/// Writes a duration as `HH:MM`, or `HH:MM:SS` when it has seconds (rounded up, so a
/// positive duration never writes as zero). Hours are not folded into days: liboo's own
/// exports carry no pretalx generator, so a reader takes three parts as `H:MM:SS`.
pub(crate) fn format_duration(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}
