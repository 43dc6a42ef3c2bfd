//! From what a reader found to a [`Schedule`]: limits, keys, times, rooms and warnings,
//! decided once for both formats.

use std::collections::HashSet;

use chrono::{NaiveDate, Timelike};

use crate::duration::parse_duration;
use crate::raw::{RawSchedule, RawTalk};
use crate::rooms::{Rooms, overlaps};
use crate::time::{self, Iso, parse_clock, parse_date, parse_day_change, parse_iso};
use crate::zone::{self, Zone};
use crate::{
    Conference, ImportOptions, Link, MAX_FIELD_BYTES, MAX_TALKS, Person, Schedule, ScheduleError,
    Talk, Warning, key,
};

/// The longest talk: 999 hours (41 days). Longer is a typo in an `end`, and the limit keeps
/// every duration writable as schedule.xml's `H:MM:SS` with the three hour digits readers
/// accept.
const MAX_DURATION_MS: i64 = 999 * 3_600_000;

/// pretalx's day starts at 04:00 (`DAY_START_HOUR`); files that say nothing get the same.
const DEFAULT_DAY_CHANGE_MINUTES: u32 = 240;

pub(crate) fn build(raw: RawSchedule, options: &ImportOptions) -> Result<Schedule, ScheduleError> {
    if raw.talks.len() > MAX_TALKS {
        return Err(ScheduleError::TooManyTalks { max: MAX_TALKS });
    }
    check_lengths(&raw)?;
    let mut warnings = Vec::new();
    let pretalx = raw
        .generator
        .as_deref()
        .is_some_and(|g| g.eq_ignore_ascii_case("pretalx"));
    let day_change = match raw.day_change.as_deref() {
        None => DEFAULT_DAY_CHANGE_MINUTES,
        Some(text) => parse_day_change(text).unwrap_or_else(|| {
            warnings.push(warning(
                "bad-day-change",
                None,
                format!("the conference's day_change {text:?} is not HH:MM:SS; 04:00 is used"),
            ));
            DEFAULT_DAY_CHANGE_MINUTES
        }),
    };
    let offsets: Vec<Option<i32>> = raw
        .talks
        .iter()
        .map(|t| iso_time(t).and_then(|iso| iso.offset_secs()))
        .collect();
    let zone = zone::resolve(
        options.time_zone.as_deref(),
        raw.time_zone_name.as_deref(),
        &offsets,
        &mut warnings,
    )?;

    let mut rooms = Rooms::new(&raw)?;
    let mut seen = HashSet::new();
    let mut talks = Vec::with_capacity(raw.talks.len());
    for t in &raw.talks {
        let key = key::talk(t, options.source_url.as_deref())
            .ok_or_else(|| missing(t, "guid, code or id"))?;
        if !seen.insert(key.clone()) {
            warnings.push(warning(
                "duplicate-key",
                Some(&key),
                format!(
                    "{} has the key {key:?} of an earlier talk; it was skipped",
                    t.describe()
                ),
            ));
            continue;
        }
        let title = t.title.clone().ok_or_else(|| missing(t, "title"))?;
        let room_name = t.room.as_deref().ok_or_else(|| missing(t, "room"))?;
        if let Some(child) = t.room_child.as_deref().filter(|c| *c != room_name) {
            warnings.push(warning(
                "room-mismatch",
                Some(&key),
                format!("{} says room {child:?} but is listed under room {room_name:?}; {room_name:?} is used", t.describe()),
            ));
        }
        let room = rooms.add(room_name, &key, &mut warnings)?;
        let start_ms = start(t, zone, day_change, &key, &mut warnings)?;
        let duration_ms = duration(t, zone, start_ms, pretalx, &key, &mut warnings)?;
        let mut persons = Vec::with_capacity(t.persons.len());
        for p in &t.persons {
            if p.name.is_empty() {
                warnings.push(warning(
                    "missing-field",
                    Some(&key),
                    format!(
                        "a speaker of {} has no name; the speaker was left out",
                        t.describe()
                    ),
                ));
                continue;
            }
            persons.push(Person {
                key: key::person(p),
                name: p.name.clone(),
                biography: p.biography.clone(),
                avatar: p.avatar.clone(),
            });
        }
        talks.push(Talk {
            key,
            guid: t.guid.clone(),
            code: t.code.clone(),
            source_id: t.id.clone(),
            room,
            title,
            subtitle: t.subtitle.clone(),
            abstract_text: t.abstract_text.clone(),
            description: t.description.clone(),
            track: t.track.clone(),
            kind: t.kind.clone(),
            language: t.language.clone(),
            slug: t.slug.clone(),
            url: t.url.clone(),
            start_ms,
            duration_ms,
            do_not_record: t.do_not_record,
            day: time::schedule_day(zone.tz, start_ms, day_change).to_string(),
            persons,
            links: t.links.clone(),
        });
    }
    overlaps(&talks, &rooms.list, zone, &mut warnings);

    let first_day = talks.iter().map(|t| t.day.as_str()).min().unwrap_or("");
    let last_day = talks.iter().map(|t| t.day.as_str()).max().unwrap_or("");
    let conference = Conference {
        start_date: conference_date(raw.start.as_deref(), zone)
            .unwrap_or_else(|| first_day.to_owned()),
        end_date: conference_date(raw.end.as_deref(), zone).unwrap_or_else(|| last_day.to_owned()),
        acronym: raw.acronym,
        title: raw.title,
        time_zone: zone.tz.name().to_owned(),
        day_change_minutes: day_change,
        description: raw.description,
        logo: raw.logo,
        url: raw.url,
    };
    Ok(Schedule {
        format: raw.format,
        version: raw.version,
        generator: raw.generator,
        conference,
        rooms: rooms.list,
        talks,
        warnings,
    })
}

/// The talk's ISO time, if it has one: `date`, or a `start` written as ISO (schema2 style).
fn iso_time(t: &RawTalk) -> Option<Iso> {
    match &t.date {
        Some(date) => parse_iso(date),
        None => t.start.as_deref().and_then(parse_iso),
    }
}

const ISO_FORMS: &str = "an ISO 8601 date and time such as 2021-02-06T16:00:00+01:00";

/// The start: the ISO `date` (cross-checked against `start`), else the day's date and the
/// wall-clock `start` in the conference's zone, a day later when `start` is before the day
/// change (Giggity's rule).
fn start(
    t: &RawTalk,
    zone: Zone,
    day_change: u32,
    key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<i64, ScheduleError> {
    let bad = |field, value: &str, expected| ScheduleError::BadTime {
        talk: t.describe(),
        field,
        value: value.to_owned(),
        expected,
    };
    if let Some(date) = &t.date {
        let ms = parse_iso(date)
            .ok_or_else(|| bad("date", date, ISO_FORMS))?
            .to_ms(zone.tz);
        let clock = t.start.as_deref().and_then(parse_clock);
        if let Some(clock) = clock.filter(|_| zone.trusted) {
            let local = time::local(zone.tz, ms).time();
            if (local.hour(), local.minute()) != (clock.hour(), clock.minute()) {
                warnings.push(warning(
                    "date-start-mismatch",
                    Some(key),
                    format!(
                        "{}: its date {date} is {} in {} but its start says {}; the date is used",
                        t.describe(),
                        local.format("%H:%M"),
                        zone.tz.name(),
                        clock.format("%H:%M")
                    ),
                ));
            }
        }
        return Ok(ms);
    }
    let text = t.start.as_deref().ok_or_else(|| missing(t, "start"))?;
    if let Some(iso) = parse_iso(text) {
        return Ok(iso.to_ms(zone.tz));
    }
    let clock = parse_clock(text).ok_or_else(|| bad("start", text, "HH:MM or HH:MM:SS"))?;
    let day = t.day_date.as_deref().ok_or_else(|| {
        missing(
            t,
            "date (an ISO date, or a start within a day that has a date)",
        )
    })?;
    let mut date = parse_date(day).ok_or_else(|| bad("day date", day, "YYYY-MM-DD"))?;
    if clock.hour() * 60 + clock.minute() < day_change {
        date = date.succ_opt().unwrap_or(date);
    }
    Ok(time::local_to_ms(zone.tz, date.and_time(clock)))
}

/// The length: JSON's ISO `end` when present (it is exact, and pretalx's three-part
/// durations are ambiguous), else `duration`. A bare number is taken as minutes.
fn duration(
    t: &RawTalk,
    zone: Zone,
    start_ms: i64,
    pretalx: bool,
    key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<i64, ScheduleError> {
    let bad = |value: &str| ScheduleError::BadDuration {
        talk: t.describe(),
        value: value.to_owned(),
    };
    if let Some(end) = &t.end {
        let iso = parse_iso(end).ok_or_else(|| ScheduleError::BadTime {
            talk: t.describe(),
            field: "end",
            value: end.clone(),
            expected: ISO_FORMS,
        })?;
        let ms = iso.to_ms(zone.tz) - start_ms;
        return if (1..=MAX_DURATION_MS).contains(&ms) {
            Ok(ms)
        } else {
            Err(bad(end))
        };
    }
    let text = t
        .duration
        .as_deref()
        .ok_or_else(|| missing(t, "duration"))?;
    let ms = match parse_duration(text, pretalx) {
        Some(ms) => ms,
        None if (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) => {
            warnings.push(warning(
                "unknown-duration-form",
                Some(key),
                format!(
                    "{}: duration {text:?} is not H:MM; it was read as minutes",
                    t.describe()
                ),
            ));
            text.parse::<i64>().unwrap_or(0) * 60_000
        }
        None => return Err(bad(text)),
    };
    if (1..=MAX_DURATION_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(bad(text))
    }
}

/// The conference's `start` / `end` as a local date: a date as written, or an ISO time's
/// date in the conference's zone.
fn conference_date(text: Option<&str>, zone: Zone) -> Option<String> {
    let text = text?;
    let date: NaiveDate = match parse_iso(text) {
        Some(iso) => time::local(zone.tz, iso.to_ms(zone.tz)).date(),
        None => parse_date(text)?,
    };
    Some(date.to_string())
}

/// Refuses any text longer than [`MAX_FIELD_BYTES`]: a schedule's longest texts are
/// abstracts of a few KiB, and the limit bounds what one field can make every page carry.
fn check_lengths(raw: &RawSchedule) -> Result<(), ScheduleError> {
    fn check(
        place: &impl Fn() -> String,
        field: &'static str,
        value: &str,
    ) -> Result<(), ScheduleError> {
        if value.len() > MAX_FIELD_BYTES {
            return Err(ScheduleError::FieldTooLong {
                place: place(),
                field,
                len: value.len(),
                max: MAX_FIELD_BYTES,
            });
        }
        Ok(())
    }
    let conf = &|| "the conference".to_owned();
    let opt = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
    for (field, value) in [
        ("version", raw.version.clone()),
        ("generator", opt(&raw.generator)),
        ("acronym", raw.acronym.clone()),
        ("title", raw.title.clone()),
        ("start", opt(&raw.start)),
        ("end", opt(&raw.end)),
        ("time_zone_name", opt(&raw.time_zone_name)),
        ("day_change", opt(&raw.day_change)),
        ("description", raw.description.clone()),
        ("logo", raw.logo.clone()),
        ("url", raw.url.clone()),
    ] {
        check(conf, field, &value)?;
    }
    for (name, guid) in raw.declared_rooms.iter().flatten() {
        check(conf, "room name", name)?;
        check(conf, "room guid", guid.as_deref().unwrap_or(""))?;
    }
    for t in &raw.talks {
        let place = &|| t.describe();
        for (field, value) in [
            ("id", o(&t.id)),
            ("guid", o(&t.guid)),
            ("code", o(&t.code)),
            ("title", o(&t.title)),
            ("room", o(&t.room)),
            ("room guid", o(&t.room_guid)),
            ("room", o(&t.room_child)),
            ("date", o(&t.date)),
            ("end", o(&t.end)),
            ("start", o(&t.start)),
            ("day date", o(&t.day_date)),
            ("duration", o(&t.duration)),
            ("subtitle", &t.subtitle),
            ("abstract", &t.abstract_text),
            ("description", &t.description),
            ("track", &t.track),
            ("type", &t.kind),
            ("language", &t.language),
            ("slug", &t.slug),
            ("url", &t.url),
        ] {
            check(place, field, value)?;
        }
        for p in &t.persons {
            for (field, value) in [
                ("speaker guid", o(&p.guid)),
                ("speaker code", o(&p.code)),
                ("speaker id", o(&p.id)),
                ("speaker name", &p.name),
                ("speaker biography", &p.biography),
                ("speaker avatar", &p.avatar),
            ] {
                check(place, field, value)?;
            }
        }
        for Link { url, title } in &t.links {
            check(place, "link url", url)?;
            check(place, "link title", title)?;
        }
    }
    Ok(())
}

fn o(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn missing(t: &RawTalk, field: &'static str) -> ScheduleError {
    ScheduleError::MissingField {
        talk: t.describe(),
        field,
    }
}

pub(crate) fn warning(code: &str, talk: Option<&str>, message: String) -> Warning {
    Warning {
        code: code.to_owned(),
        talk: talk.map(str::to_owned),
        message,
    }
}
