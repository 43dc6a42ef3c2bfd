//! ISO 8601 / RFC 3339 timestamps for `EXT-X-PROGRAM-DATE-TIME` (RFC 8216 §4.3.2.6).

use std::fmt::Write;

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form hls.js and Safari parse.
pub fn format_program_date_time(unix_ms: i64) -> String {
    let mut s = String::with_capacity(24);
    write_program_date_time(&mut s, unix_ms);
    s
}

pub(crate) fn write_program_date_time(out: &mut String, unix_ms: i64) {
    let days = unix_ms.div_euclid(86_400_000);
    let ms_of_day = unix_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, sec, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{sec:02}.{ms:03}Z"
    );
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (the form written above) back to Unix ms.
pub(crate) fn parse_program_date_time(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let (hms, ms) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.splitn(3, ':');
    // Unsigned, so that a negative hour cannot pass the range checks below and overflow
    // the sum (found by the `hls_playlist` fuzz target).
    let (h, min, sec): (u32, u32, u32) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let (h, min, sec) = (i64::from(h), i64::from(min), i64::from(sec));
    if ms.is_empty() || ms.len() > 3 || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !(0..=9999).contains(&y) {
        return None;
    }
    let ms: i64 = format!("{ms:0<3}").parse().ok()?;
    let days = days_from_civil(y, m, day);
    Some(days * 86_400_000 + ((h * 60 + min) * 60 + sec) * 1000 + ms)
}

/// The inverse of `civil_from_days` (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`):
/// shift the epoch to 0000-03-01 so leap days fall at the end of each 400-year era.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_date_time_table() {
        let cases: &[(&str, i64, &str)] = &[
            ("epoch", 0, "1970-01-01T00:00:00.000Z"),
            ("milliseconds kept", 1_234, "1970-01-01T00:00:01.234Z"),
            (
                "leap day 2024",
                1_709_164_800_000,
                "2024-02-29T00:00:00.000Z",
            ),
            (
                "last ms of 1999",
                946_684_799_999,
                "1999-12-31T23:59:59.999Z",
            ),
            (
                "2000 is a leap year (400 rule)",
                951_782_400_000,
                "2000-02-29T00:00:00.000Z",
            ),
            (
                "an afternoon in 2025",
                1_764_150_000_123,
                "2025-11-26T09:40:00.123Z",
            ),
            ("before the epoch", -1, "1969-12-31T23:59:59.999Z"),
        ];
        for (name, ms, want) in cases {
            assert_eq!(format_program_date_time(*ms), *want, "{name}");
            if *ms >= 0 {
                assert_eq!(parse_program_date_time(want), Some(*ms), "{name} read back");
            }
        }
        for bad in [
            "",
            "2025-11-26",
            "2025-13-01T00:00:00.000Z",
            "2025-11-26T24:00:00Z",
            "2025-11-26T09:40:00.1234Z",
            "x-y-zT1:2:3Z",
            // Fuzzing: a negative hour, minute or second overflowed the sum.
            "26-01-6T-526666666666666666:40:12.052Z",
            "2025-11-26T-1:00:00Z",
            "2025-11-26T00:-99999999999999999:00Z",
            "2025-11-26T00:00:-99999999999999999Z",
        ] {
            assert_eq!(parse_program_date_time(bad), None, "{bad}");
        }
    }
}
