//! Exporters: a [`Schedule`] as frab-compatible schedule.json, as schedule.xml, and as an
//! iCalendar file. The JSON and XML files read back through [`parse`](crate::parse) to the
//! same talks (keys, times, titles, rooms, speakers).

mod ical;
mod json;
mod xml;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::time;
use crate::{Person, Room, Schedule, Talk};

pub use ical::ical;
pub use json::json;
pub use xml::xml;

/// The generator liboo's exports name.
const GENERATOR: &str = "liboo";

/// One schedule day as both nested formats file it: every room, each with its talks that
/// day in start order.
struct Day<'a> {
    index: usize,
    date: NaiveDate,
    /// ISO start and end of the day (day change to day change, less a second).
    start: String,
    end: String,
    /// Each room with its talks, as (position in `Schedule::talks`, talk).
    rooms: Vec<(Room, Vec<(usize, &'a Talk)>)>,
}

/// A day's talks by room key, as (position in `Schedule::talks`, talk).
type ByRoom<'a> = HashMap<&'a str, Vec<(usize, &'a Talk)>>;

/// The conference's zone, UTC if its name is unknown (a schedule built by hand).
fn zone(s: &Schedule) -> Tz {
    s.conference.time_zone.parse().unwrap_or(Tz::UTC)
}

/// Groups the talks by day and room. A talk whose room is missing from `s.rooms` gets a
/// room named by its key, so no talk is left out of an export.
fn days(s: &Schedule) -> Vec<Day<'_>> {
    let tz = zone(s);
    let dc = s.conference.day_change_minutes;
    let mut rooms = s.rooms.clone();
    let mut known: HashSet<&str> = s.rooms.iter().map(|r| r.key.as_str()).collect();
    for t in &s.talks {
        if known.insert(&t.room) {
            rooms.push(Room {
                key: t.room.clone(),
                name: t.room.clone(),
                guid: None,
            });
        }
    }
    let mut by_day: BTreeMap<NaiveDate, ByRoom<'_>> = BTreeMap::new();
    for (i, t) in s.talks.iter().enumerate() {
        by_day
            .entry(talk_day(t, tz, dc))
            .or_default()
            .entry(&t.room)
            .or_default()
            .push((i, t));
    }
    by_day
        .into_iter()
        .enumerate()
        .map(|(i, (date, mut by_room))| {
            let next = date.succ_opt().unwrap_or(date);
            Day {
                index: i + 1,
                date,
                start: time::format_iso(tz, time::day_start_ms(tz, date, dc)),
                end: time::format_iso(tz, time::day_start_ms(tz, next, dc) - 1000),
                rooms: rooms
                    .iter()
                    .map(|r| {
                        let mut talks = by_room.remove(r.key.as_str()).unwrap_or_default();
                        talks.sort_by_key(|(_, t)| t.start_ms);
                        (r.clone(), talks)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The day of a talk: its `day`, or worked out from its start when empty.
fn talk_day(t: &Talk, tz: Tz, day_change: u32) -> NaiveDate {
    NaiveDate::parse_from_str(&t.day, "%Y-%m-%d")
        .unwrap_or_else(|_| time::schedule_day(tz, t.start_ms, day_change))
}

/// The one identifier a speaker is written with, chosen so that reading it back gives the
/// same [`Person::key`]: none when the key is the name, a numeric `id` when the key is a
/// canonical integer, a `guid` when it looks like a UUID, else a `code`.
enum PersonId<'a> {
    None,
    Id(i64),
    Guid(&'a str),
    Code(&'a str),
}

fn person_id(p: &Person) -> PersonId<'_> {
    if p.key == p.name {
        return PersonId::None;
    }
    if let Ok(n) = p.key.parse::<i64>()
        && n.to_string() == p.key
    {
        return PersonId::Id(n);
    }
    let uuid_like = p.key.len() == 36
        && p.key.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if uuid_like {
        PersonId::Guid(&p.key)
    } else {
        PersonId::Code(&p.key)
    }
}

/// A talk's `id`: its source id, as a number when it is a canonical integer (frab's ids
/// are numbers), else as written; without one, its position + 1.
enum TalkId<'a> {
    Number(i64),
    Text(&'a str),
}

fn talk_id(t: &Talk, index: usize) -> TalkId<'_> {
    match t.source_id.as_deref() {
        Some(id) => match id.parse::<i64>() {
            Ok(n) if n.to_string() == id => TalkId::Number(n),
            _ => TalkId::Text(id),
        },
        None => TalkId::Number(index as i64 + 1),
    }
}
