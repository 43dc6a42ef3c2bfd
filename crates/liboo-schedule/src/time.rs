//! Times as schedules write them and as liboo keeps them (UTC Unix ms), by the rules of
//! CONFERENCE_NOTES 1.4: an ISO `date` with its offset is an instant; a bare `start` is a
//! wall-clock time in the conference's zone; days are grouped by the day change.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use chrono_tz::Tz;

/// An ISO datetime as a schedule gives it: with an offset (an instant) or without one (a
/// wall-clock time, read in the conference's zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Iso {
    /// `2023-09-10T05:00:00+00:00`.
    Fixed(DateTime<FixedOffset>),
    /// `2023-09-10T10:30:00`.
    Local(NaiveDateTime),
}

impl Iso {
    /// The offset in seconds east of UTC, when the text had one.
    pub(crate) fn offset_secs(&self) -> Option<i32> {
        match self {
            Iso::Fixed(dt) => Some(dt.offset().local_minus_utc()),
            Iso::Local(_) => None,
        }
    }

    /// The instant, reading an offset-less time in `tz`.
    pub(crate) fn to_ms(self, tz: Tz) -> i64 {
        match self {
            Iso::Fixed(dt) => dt.timestamp_millis(),
            Iso::Local(ndt) => local_to_ms(tz, ndt),
        }
    }
}

/// The years a conference can be in. Outside them a date is a typo (or fuzz), and inside
/// them every time, shifted by any zone and any talk length, stays a four-digit year that
/// the exports write and read back.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// Reads an ISO 8601 datetime: RFC 3339 (`Z` or `±HH:MM`, optional fraction), the same
/// without seconds, with a `±HHMM` offset, or with no offset at all. OSEM and older frab
/// exports write the variants.
pub(crate) fn parse_iso(text: &str) -> Option<Iso> {
    let text = text.trim();
    let fixed = DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        [
            "%Y-%m-%dT%H:%M%#z",
            "%Y-%m-%dT%H:%M:%S%.f%#z",
            "%Y-%m-%d %H:%M:%S%.f%#z",
        ]
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok())
    });
    if let Some(dt) = fixed {
        return YEARS.contains(&dt.year()).then_some(Iso::Fixed(dt));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .filter(|ndt| YEARS.contains(&ndt.year()))
    .map(Iso::Local)
}

/// Reads a wall-clock `HH:MM` or `HH:MM:SS` (`H:MM` too).
pub(crate) fn parse_clock(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    let valid = text.len() <= 8 && text.bytes().all(|b| b.is_ascii_digit() || b == b':');
    if !valid {
        return None;
    }
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()
}

/// Reads a `YYYY-MM-DD` date, or the date part of an ISO datetime.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let head = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// The instant of a wall-clock time in `tz`. In the hour a DST change repeats, the first
/// (earlier) instant; in the hour it skips, the offset from before the gap, which lands the
/// time after the gap as the clock reads it (02:30 on a spring-forward night is 03:30 summer
/// time), as java.time and the Giggity app do.
pub(crate) fn local_to_ms(tz: Tz, ndt: NaiveDateTime) -> i64 {
    if let Some(dt) = tz.from_local_datetime(&ndt).earliest() {
        return dt.timestamp_millis();
    }
    // No zone's gap is longer than a day, so a day before is safely before it.
    let before = tz
        .from_local_datetime(&(ndt - Duration::days(1)))
        .earliest()
        .map(|dt| dt.offset().fix().local_minus_utc())
        .unwrap_or(0);
    (ndt - Duration::seconds(i64::from(before)))
        .and_utc()
        .timestamp_millis()
}

/// The wall-clock time of an instant in `tz`.
pub(crate) fn local(tz: Tz, ms: i64) -> NaiveDateTime {
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|dt| dt.naive_local())
        .unwrap_or_default()
}

/// The schedule day of an instant: the local date of (instant - day change), so a talk at
/// 01:00 after a 04:00 day change belongs to the evening before.
pub(crate) fn schedule_day(tz: Tz, ms: i64, day_change_minutes: u32) -> NaiveDate {
    (local(tz, ms) - Duration::minutes(i64::from(day_change_minutes))).date()
}

/// The instant a schedule day begins: its date at the day change, in `tz`.
pub(crate) fn day_start_ms(tz: Tz, day: NaiveDate, day_change_minutes: u32) -> i64 {
    local_to_ms(
        tz,
        day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(day_change_minutes)),
    )
}

/// An instant as ISO 8601 with `tz`'s offset at that instant (`2021-02-06T16:00:00+01:00`;
/// a fraction only when it has milliseconds).
pub(crate) fn format_iso(tz: Tz, ms: i64) -> String {
    match tz.timestamp_millis_opt(ms).single() {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.f%:z").to_string(),
        None => String::new(),
    }
}

/// An instant as iCalendar's UTC form, `YYYYMMDDTHHMMSSZ` (RFC 5545 3.3.5, form #2).
pub(crate) fn format_ical_utc(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(dt) => dt.format("%Y%m%dT%H%M%SZ").to_string(),
        None => String::new(),
    }
}

/// The IANA zone for a fixed offset: `Etc/GMT-1` for +01:00 (the Etc names' signs are
/// inverted, POSIX style), "UTC" for zero, `None` for offsets that are not whole hours or
/// that no Etc zone covers.
pub(crate) fn etc_zone(offset_secs: i32) -> Option<String> {
    if offset_secs == 0 {
        return Some("UTC".to_owned());
    }
    if offset_secs % 3600 != 0 {
        return None;
    }
    let hours = offset_secs / 3600;
    let name = if hours > 0 {
        format!("Etc/GMT-{hours}")
    } else {
        format!("Etc/GMT+{}", -hours)
    };
    name.parse::<Tz>().ok().map(|_| name)
}

/// Reads a day change, `HH:MM:SS` or `HH:MM`, as minutes after midnight.
pub(crate) fn parse_day_change(text: &str) -> Option<u32> {
    parse_clock(text).map(|t| t.hour() * 60 + t.minute())
}
