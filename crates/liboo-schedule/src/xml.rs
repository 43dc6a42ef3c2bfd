//! schedule.xml (pentabarf, frab, pretalx, wafer, FOSDEM) read into a [`RawSchedule`],
//! leniently: elements the XSD requires may be missing and unknown ones are ignored
//! (CONFERENCE_NOTES 1.1); only what the builder needs is checked, there.

use crate::raw::{Lines, RawPerson, RawSchedule, RawTalk, clean, non_empty};
use crate::xml_tree::{self, Element};
use crate::{Format, Link, ScheduleError};

/// Reads schedule.xml text.
pub(crate) fn read(source: &str) -> Result<RawSchedule, ScheduleError> {
    let root = xml_tree::parse(source)?;
    let text = |el: &Element, name: &str| -> String {
        el.child(name)
            .map(|c| clean(c.content(source)))
            .unwrap_or_default()
    };
    let opt = |el: &Element, name: &str| el.child(name).and_then(|c| non_empty(c.content(source)));

    let lines = Lines::new(source);
    let mut raw = RawSchedule::new(Format::FrabXml);
    raw.version = text(&root, "version");
    raw.generator = root
        .child("generator")
        .and_then(|g| g.attr("name"))
        .and_then(non_empty);
    if let Some(conf) = root.child("conference") {
        raw.acronym = text(conf, "acronym");
        raw.title = text(conf, "title");
        raw.start = opt(conf, "start");
        raw.end = opt(conf, "end");
        raw.time_zone_name = opt(conf, "time_zone_name");
        raw.day_change = opt(conf, "day_change");
        raw.description = text(conf, "description");
        raw.logo = text(conf, "logo");
        raw.url = opt(conf, "url")
            .or_else(|| opt(conf, "base_url"))
            .or_else(|| opt(&root, "url"))
            .unwrap_or_default();
    }
    for day in root.children_named("day") {
        let day_date = day.attr("date").and_then(non_empty);
        for child in &day.children {
            match child.name {
                "room" => {
                    let name = child.attr("name").and_then(non_empty);
                    let guid = child.attr("guid").and_then(non_empty);
                    for event in child.children_named("event") {
                        let talk = talk(source, &lines, &raw, event, &day_date, &name, &guid);
                        raw.push(talk)?;
                    }
                }
                // Not in the XSD, but an event straight under <day> names its own room.
                "event" => {
                    let talk = talk(source, &lines, &raw, child, &day_date, &None, &None);
                    raw.push(talk)?;
                }
                _ => {}
            }
        }
    }
    Ok(raw)
}

/// One `<event>`. `room` is the enclosing `<room name>`, which wins over the event's own
/// `<room>` (the builder warns when they differ).
fn talk(
    source: &str,
    lines: &Lines,
    raw: &RawSchedule,
    event: &Element,
    day_date: &Option<String>,
    room: &Option<String>,
    room_guid: &Option<String>,
) -> RawTalk {
    let text = |name: &str| {
        event
            .child(name)
            .map(|c| clean(c.content(source)))
            .unwrap_or_default()
    };
    let opt = |name: &str| event.child(name).and_then(|c| non_empty(c.content(source)));
    let line = lines.line(event.pos);
    let room_child = opt("room");
    let persons = event
        .child("persons")
        .map(|ps| {
            ps.children_named("person")
                .map(|p| RawPerson {
                    guid: p.attr("guid").and_then(non_empty),
                    code: p.attr("code").and_then(non_empty),
                    id: p.attr("id").and_then(non_empty),
                    name: clean(p.content(source)),
                    ..RawPerson::default()
                })
                .collect()
        })
        .unwrap_or_default();
    let links = event
        .child("links")
        .map(|ls| {
            ls.children_named("link")
                .filter_map(|l| {
                    Some(Link {
                        url: l.attr("href").and_then(non_empty)?,
                        title: clean(l.content(source)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let optout = event
        .child("recording")
        .and_then(|r| r.child("optout"))
        .map(|o| o.content(source).to_ascii_lowercase());
    RawTalk {
        index: raw.talks.len(),
        place: format!("line {line}"),
        id: event.attr("id").and_then(non_empty),
        guid: event.attr("guid").and_then(non_empty),
        code: event.attr("code").and_then(non_empty),
        title: opt("title"),
        room: room.clone().or_else(|| room_child.clone()),
        room_guid: room_guid.clone(),
        room_child,
        date: opt("date"),
        end: None,
        start: opt("start"),
        day_date: day_date.clone(),
        duration: opt("duration"),
        subtitle: text("subtitle"),
        abstract_text: text("abstract"),
        description: text("description"),
        track: text("track"),
        kind: text("type"),
        language: text("language"),
        slug: text("slug"),
        url: text("url"),
        do_not_record: matches!(optout.as_deref(), Some("true" | "1" | "yes")),
        persons,
        links,
    }
}
