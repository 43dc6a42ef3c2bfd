//! schedule.json in C3VOC's frab-compatible shape (`validator/json/schema.json`), members in
//! the schema's order. Besides the schema's fields, each event has `end` (ISO, as pretalx
//! writes it) so the length reads back exactly, and the conference has `day_change`, so
//! days group the same way when the file is read back.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{Day, GENERATOR, PersonId, TalkId, days, person_id, talk_id, zone};
use crate::duration::format_duration;
use crate::{Room, Schedule, Talk, time};

/// The schedule as frab-compatible schedule.json.
pub fn json(s: &Schedule) -> String {
    let tz = zone(s);
    let days = days(s);
    let dc = s.conference.day_change_minutes;
    let file = File {
        schema: "https://c3voc.de/schedule/schema.json",
        generator: Generator {
            name: GENERATOR,
            version: env!("CARGO_PKG_VERSION"),
        },
        schedule: ScheduleOut {
            version: &s.version,
            base_url: &s.conference.url,
            conference: ConferenceOut {
                acronym: &s.conference.acronym,
                title: &s.conference.title,
                start: &s.conference.start_date,
                end: &s.conference.end_date,
                days_count: days.len(),
                timeslot_duration: "00:05",
                time_zone_name: &s.conference.time_zone,
                day_change: format!("{:02}:{:02}", dc / 60, dc % 60),
                description: &s.conference.description,
                logo: &s.conference.logo,
                url: &s.conference.url,
                rooms: s.rooms.iter().map(room).collect(),
                days: days
                    .iter()
                    .map(|d| DayOut {
                        index: d.index,
                        date: d.date.to_string(),
                        day_start: &d.start,
                        day_end: &d.end,
                        rooms: RoomsOut(d, tz),
                    })
                    .collect(),
            },
        },
    };
    serde_json::to_string_pretty(&file).expect("plain data serialises")
}

fn room(r: &Room) -> RoomOut<'_> {
    RoomOut {
        name: &r.name,
        guid: r.guid.as_deref(),
    }
}

#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    generator: Generator,
    schedule: ScheduleOut<'a>,
}

#[derive(Serialize)]
struct Generator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct ScheduleOut<'a> {
    version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    base_url: &'a str,
    conference: ConferenceOut<'a>,
}

#[derive(Serialize)]
struct ConferenceOut<'a> {
    acronym: &'a str,
    title: &'a str,
    start: &'a str,
    end: &'a str,
    #[serde(rename = "daysCount")]
    days_count: usize,
    timeslot_duration: &'static str,
    time_zone_name: &'a str,
    day_change: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    logo: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    url: &'a str,
    rooms: Vec<RoomOut<'a>>,
    days: Vec<DayOut<'a>>,
}

#[derive(Serialize)]
struct RoomOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    guid: Option<&'a str>,
}

#[derive(Serialize)]
struct DayOut<'a> {
    index: usize,
    date: String,
    day_start: &'a str,
    day_end: &'a str,
    rooms: RoomsOut<'a>,
}

/// `{"<room name>": [events]}` in the schedule's room order.
struct RoomsOut<'a>(&'a Day<'a>, chrono_tz::Tz);

impl Serialize for RoomsOut<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(Some(self.0.rooms.len()))?;
        for (room, talks) in &self.0.rooms {
            let events: Vec<EventOut<'_>> = talks
                .iter()
                .map(|(i, t)| event(t, *i, &room.name, self.1))
                .collect();
            map.serialize_entry(&room.name, &events)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum IdOut<'a> {
    Number(i64),
    Text(&'a str),
}

#[derive(Serialize)]
struct EventOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    guid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    id: IdOut<'a>,
    date: String,
    end: String,
    start: String,
    duration: String,
    room: &'a str,
    slug: &'a str,
    url: &'a str,
    title: &'a str,
    subtitle: &'a str,
    track: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    language: &'a str,
    #[serde(rename = "abstract")]
    abstract_text: &'a str,
    description: &'a str,
    do_not_record: bool,
    persons: Vec<PersonOut<'a>>,
    links: Vec<LinkOut<'a>>,
}

#[derive(Serialize)]
struct PersonOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    guid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    public_name: &'a str,
    biography: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    avatar: &'a str,
}

#[derive(Serialize)]
struct LinkOut<'a> {
    url: &'a str,
    title: &'a str,
}

fn event<'a>(t: &'a Talk, index: usize, room: &'a str, tz: chrono_tz::Tz) -> EventOut<'a> {
    let end_ms = t.start_ms + t.duration_ms;
    EventOut {
        guid: t.guid.as_deref(),
        code: t.code.as_deref(),
        id: match talk_id(t, index) {
            TalkId::Number(n) => IdOut::Number(n),
            TalkId::Text(s) => IdOut::Text(s),
        },
        date: time::format_iso(tz, t.start_ms),
        end: time::format_iso(tz, end_ms),
        start: time::local(tz, t.start_ms).format("%H:%M").to_string(),
        duration: format_duration(t.duration_ms),
        room,
        slug: &t.slug,
        url: &t.url,
        title: &t.title,
        subtitle: &t.subtitle,
        track: &t.track,
        kind: &t.kind,
        language: &t.language,
        abstract_text: &t.abstract_text,
        description: &t.description,
        do_not_record: t.do_not_record,
        persons: t
            .persons
            .iter()
            .map(|p| {
                let (mut guid, mut code, mut id) = (None, None, None);
                match person_id(p) {
                    PersonId::None => {}
                    PersonId::Id(n) => id = Some(n),
                    PersonId::Guid(g) => guid = Some(g),
                    PersonId::Code(c) => code = Some(c),
                }
                PersonOut {
                    guid,
                    code,
                    id,
                    public_name: &p.name,
                    biography: &p.biography,
                    avatar: &p.avatar,
                }
            })
            .collect(),
        links: t
            .links
            .iter()
            .map(|l| LinkOut {
                url: &l.url,
                title: &l.title,
            })
            .collect(),
    }
}
