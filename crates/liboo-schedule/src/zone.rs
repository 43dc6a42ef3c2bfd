//! Which zone a conference runs in (CONFERENCE_NOTES 1.4): the import's `timeZone`, else
//! the file's `time_zone_name`, else one from the talks' common offset, else UTC, unless
//! some talk's time is a bare wall-clock time, which then cannot be placed.

use chrono_tz::Tz;

use crate::time::etc_zone;
use crate::{ScheduleError, Warning};

/// The conference's zone and how it was found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Zone {
    pub tz: Tz,
    /// Whether the zone is the conference's own (named, or the one offset all its talks
    /// share), so that a `start` disagreeing with a `date` in it is worth a warning. A UTC
    /// picked for want of anything better would make every talk disagree.
    pub trusted: bool,
}

/// Whether `name` is a zone of the bundled IANA database.
pub(crate) fn is_named(name: &str) -> bool {
    named(name).is_ok()
}

fn named(name: &str) -> Result<Tz, ScheduleError> {
    name.parse::<Tz>()
        .map_err(|_| ScheduleError::UnknownTimeZone(name.to_owned()))
}

/// Resolves the zone. `offsets` has one entry per talk: the offset of its ISO time, or
/// `None` when its time is a wall-clock time that needs the zone.
pub(crate) fn resolve(
    option: Option<&str>,
    file: Option<&str>,
    offsets: &[Option<i32>],
    warnings: &mut Vec<Warning>,
) -> Result<Zone, ScheduleError> {
    let warn = |code: &str, message: String| Warning {
        code: code.to_owned(),
        talk: None,
        message,
    };
    if let Some(option) = option.map(str::trim).filter(|o| !o.is_empty()) {
        let tz = named(option)?;
        if let Some(file) = file.filter(|f| *f != option) {
            warnings.push(warn(
                "time-zone-override",
                format!("the file's time zone is {file}; {option} from the import settings is used instead"),
            ));
        }
        return Ok(Zone { tz, trusted: true });
    }
    if let Some(file) = file {
        return Ok(Zone {
            tz: named(file)?,
            trusted: true,
        });
    }
    let needs_zone = offsets.iter().any(Option::is_none);
    // The offset every talk that has one shares; wall-clock talks then take the same zone.
    let mut known = offsets.iter().flatten();
    let common = known
        .next()
        .copied()
        .filter(|first| known.all(|o| o == first));
    if let Some(name) = common.and_then(etc_zone) {
        warnings.push(warn(
            "no-time-zone",
            format!(
                "the file names no time zone (time_zone_name); every talk's ISO date has the offset {}, so {name} is used",
                offset_text(common.unwrap_or(0))
            ),
        ));
        return Ok(Zone {
            tz: named(&name)?,
            trusted: true,
        });
    }
    if needs_zone {
        return Err(ScheduleError::NoTimeZone);
    }
    warnings.push(warn(
        "no-time-zone",
        "the file names no time zone (time_zone_name) and its talks' offsets name none; UTC is used to group days: pass timeZone to group them locally".to_owned(),
    ));
    Ok(Zone {
        tz: Tz::UTC,
        trusted: false,
    })
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_table() {
        let h = 3600;
        // (option, file, offsets, zone or error, warning codes)
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            &'a [Option<i32>],
            &'a str,
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (None, Some("Asia/Kolkata"), &[Some(0)], "Asia/Kolkata", &[]),
            (
                Some("Europe/Brussels"),
                None,
                &[None],
                "Europe/Brussels",
                &[],
            ),
            (
                Some("Europe/Brussels"),
                Some("Europe/Berlin"),
                &[None],
                "Europe/Brussels",
                &["time-zone-override"],
            ),
            (Some("UTC"), Some("UTC"), &[], "UTC", &[]),
            (
                None,
                None,
                &[Some(h), Some(h)],
                "Etc/GMT-1",
                &["no-time-zone"],
            ),
            (None, None, &[Some(-5 * h)], "Etc/GMT+5", &["no-time-zone"]),
            (None, None, &[Some(0), None], "UTC", &["no-time-zone"]),
            (
                None,
                None,
                &[Some(h), Some(2 * h)],
                "UTC",
                &["no-time-zone"],
            ),
            (None, None, &[Some(19800)], "UTC", &["no-time-zone"]),
            (None, None, &[], "UTC", &["no-time-zone"]),
            (None, None, &[Some(h), None], "Etc/GMT-1", &["no-time-zone"]),
            (None, None, &[None], "NoTimeZone", &[]),
            (None, None, &[Some(h), Some(2 * h), None], "NoTimeZone", &[]),
            (None, Some("Mars/Olympus"), &[], "UnknownTimeZone", &[]),
            (Some("Europe/Brusels"), None, &[], "UnknownTimeZone", &[]),
        ];
        for (option, file, offsets, want, codes) in cases {
            let mut warnings = Vec::new();
            let got = match resolve(*option, *file, offsets, &mut warnings) {
                Ok(zone) => zone.tz.name().to_owned(),
                Err(ScheduleError::NoTimeZone) => "NoTimeZone".to_owned(),
                Err(ScheduleError::UnknownTimeZone(_)) => "UnknownTimeZone".to_owned(),
                Err(e) => e.to_string(),
            };
            assert_eq!(got, *want, "{option:?} {file:?} {offsets:?}");
            let got_codes: Vec<&str> = warnings.iter().map(|w| w.code.as_str()).collect();
            assert_eq!(got_codes, *codes, "{option:?} {file:?} {offsets:?}");
        }
    }
}
