//! The frab-compatible schedule.json (C3VOC's schema; frab and pretalx export it) read into
//! a [`RawSchedule`], leniently: ids may be numbers or strings, `null` stands for an empty
//! text, and properties the schema requires may be missing (real exports fail the schema;
//! CONFERENCE_NOTES 1.2). A value of the wrong type is an error naming its path.

use crate::json_value::{Json, Members, get};

use crate::raw::{RawPerson, RawSchedule, RawTalk, clean, non_empty};
use crate::{Format, Link, ScheduleError};

/// Reads schedule.json text.
pub(crate) fn read(source: &str) -> Result<RawSchedule, ScheduleError> {
    let root: Json = serde_json::from_str(source).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        ScheduleError::Json {
            message: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
            line: e.line(),
            column: e.column(),
        }
    })?;
    let root = object(&root, "the JSON document")?;
    // The schema wraps everything in `schedule`; accept the bare schedule object too.
    let (schedule, sp) = match get(root, "schedule") {
        Some(v) if *v != Json::Null => (object(v, "schedule")?, "schedule"),
        _ => (root, ""),
    };
    let path = |name: &str| {
        if sp.is_empty() {
            name.to_owned()
        } else {
            format!("{sp}.{name}")
        }
    };
    let mut raw = RawSchedule::new(Format::FrabJson);
    raw.version = ident(get(schedule, "version"), &path("version"))?.unwrap_or_default();
    let generator = get(root, "generator").or_else(|| get(schedule, "generator"));
    if let Some(g) = generator.filter(|g| **g != Json::Null) {
        raw.generator = opt_text(get(object(g, "generator")?, "name"), "generator.name")?;
    }
    let base_url = opt_text(get(schedule, "base_url"), &path("base_url"))?;
    let cp = path("conference");
    let Some(conf) = get(schedule, "conference").filter(|c| **c != Json::Null) else {
        return Ok(raw);
    };
    let conf = object(conf, &cp)?;
    let field = |name: &str| opt_text(get(conf, name), &format!("{cp}.{name}"));
    raw.acronym = field("acronym")?.unwrap_or_default();
    raw.title = field("title")?.unwrap_or_default();
    raw.start = field("start")?;
    raw.end = field("end")?;
    raw.time_zone_name = field("time_zone_name")?;
    raw.day_change = field("day_change")?;
    raw.description = field("description")?.unwrap_or_default();
    raw.logo = field("logo")?.unwrap_or_default();
    raw.url = field("url")?.or(base_url).unwrap_or_default();
    if let Some(rooms) = array(get(conf, "rooms"), &format!("{cp}.rooms"))? {
        let mut declared = Vec::new();
        for (i, r) in rooms.iter().enumerate() {
            let rp = format!("{cp}.rooms[{i}]");
            let r = object(r, &rp)?;
            if let Some(name) = opt_text(get(r, "name"), &format!("{rp}.name"))? {
                declared.push((name, ident(get(r, "guid"), &format!("{rp}.guid"))?));
            }
        }
        raw.declared_rooms = Some(declared);
    }
    let days = array(get(conf, "days"), &format!("{cp}.days"))?.unwrap_or(&[]);
    for (d, day) in days.iter().enumerate() {
        let dp = format!("{cp}.days[{d}]");
        let day = object(day, &dp)?;
        let day_date = opt_text(get(day, "date"), &format!("{dp}.date"))?;
        let Some(rooms) = get(day, "rooms").filter(|r| **r != Json::Null) else {
            continue;
        };
        for (name, events) in object(rooms, &format!("{dp}.rooms"))? {
            let rp = format!("{dp}.rooms[{name:?}]");
            let events = array(Some(events), &rp)?.unwrap_or(&[]);
            for (e, event) in events.iter().enumerate() {
                let ep = format!("{rp}[{e}]");
                let talk = talk(&raw, object(event, &ep)?, &ep, name, &day_date)?;
                raw.push(talk)?;
            }
        }
    }
    Ok(raw)
}

/// One event object at `path`, filed under the room `room` of the `rooms` map.
fn talk(
    raw: &RawSchedule,
    ev: &Members,
    path: &str,
    room: &str,
    day_date: &Option<String>,
) -> Result<RawTalk, ScheduleError> {
    let p = |name: &str| format!("{path}.{name}");
    let opt = |name: &str| opt_text(get(ev, name), &p(name));
    let text = |name: &str| opt(name).map(Option::unwrap_or_default);
    let mut persons = Vec::new();
    for (i, v) in array(get(ev, "persons"), &p("persons"))?
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        persons.push(person(v, &format!("{path}.persons[{i}]"))?);
    }
    let mut links = Vec::new();
    for (i, v) in array(get(ev, "links"), &p("links"))?
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let lp = format!("{path}.links[{i}]");
        let link = match v {
            Json::String(url) => non_empty(url).map(|url| Link {
                url,
                title: String::new(),
            }),
            _ => {
                let l = object(v, &lp)?;
                let url = opt_text(get(l, "url").or(get(l, "href")), &format!("{lp}.url"))?;
                let title = opt_text(get(l, "title"), &format!("{lp}.title"))?;
                url.map(|url| Link {
                    url,
                    title: title.unwrap_or_default(),
                })
            }
        };
        links.extend(link);
    }
    Ok(RawTalk {
        index: raw.talks.len(),
        place: path.to_owned(),
        id: ident(get(ev, "id"), &p("id"))?,
        guid: ident(get(ev, "guid"), &p("guid"))?,
        code: ident(get(ev, "code"), &p("code"))?,
        title: opt("title")?,
        room: non_empty(room),
        room_guid: None,
        room_child: opt("room")?,
        date: opt("date")?,
        end: opt("end")?,
        start: opt("start")?,
        day_date: day_date.clone(),
        // A bare number of minutes is read (with a warning) by the builder.
        duration: ident(get(ev, "duration"), &p("duration"))?,
        subtitle: text("subtitle")?,
        abstract_text: text("abstract")?,
        description: text("description")?,
        track: track(get(ev, "track"), &p("track"))?,
        kind: text("type")?,
        language: text("language")?,
        slug: text("slug")?,
        url: text("url")?,
        do_not_record: flag(get(ev, "do_not_record"), &p("do_not_record"))?,
        persons,
        links,
    })
}

/// A person: frab `{id, public_name}`, pretalx `{id, code, public_name, biography, avatar,
/// answers}`, or `name`; a plain string is a name.
fn person(v: &Json, path: &str) -> Result<RawPerson, ScheduleError> {
    if let Json::String(name) = v {
        return Ok(RawPerson {
            name: clean(name),
            ..RawPerson::default()
        });
    }
    let o = object(v, path)?;
    let p = |name: &str| format!("{path}.{name}");
    let name = match opt_text(get(o, "public_name"), &p("public_name"))? {
        Some(name) => name,
        None => opt_text(get(o, "name"), &p("name"))?.unwrap_or_default(),
    };
    Ok(RawPerson {
        guid: ident(get(o, "guid"), &p("guid"))?,
        code: ident(get(o, "code"), &p("code"))?,
        id: ident(get(o, "id"), &p("id"))?,
        name,
        biography: opt_text(get(o, "biography"), &p("biography"))?.unwrap_or_default(),
        avatar: opt_text(get(o, "avatar"), &p("avatar"))?.unwrap_or_default(),
    })
}

/// `track` is a name; some exporters write `{name, ...}`.
fn track(v: Option<&Json>, path: &str) -> Result<String, ScheduleError> {
    match v {
        Some(Json::Object(o)) => {
            Ok(opt_text(get(o, "name"), &format!("{path}.name"))?.unwrap_or_default())
        }
        _ => Ok(opt_text(v, path)?.unwrap_or_default()),
    }
}

fn object<'a>(v: &'a Json, path: &str) -> Result<&'a Members, ScheduleError> {
    match v {
        Json::Object(members) => Ok(members),
        _ => Err(wrong(path, "an object", v)),
    }
}

/// An array, or `None` when missing or `null`.
fn array<'a>(v: Option<&'a Json>, path: &str) -> Result<Option<&'a [Json]>, ScheduleError> {
    match v {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(a)) => Ok(Some(a)),
        Some(v) => Err(wrong(path, "an array", v)),
    }
}

/// A text, trimmed; missing, `null` and empty are `None`.
fn opt_text(v: Option<&Json>, path: &str) -> Result<Option<String>, ScheduleError> {
    match v {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(non_empty(s)),
        Some(v) => Err(wrong(path, "a string", v)),
    }
}

/// An identifier: a string or a number (frab writes ids as numbers, others as strings).
fn ident(v: Option<&Json>, path: &str) -> Result<Option<String>, ScheduleError> {
    match v {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => Ok(Some(n.to_string())),
        Some(Json::String(s)) => Ok(non_empty(s)),
        Some(v) => Err(wrong(path, "a string or a number", v)),
    }
}

/// A boolean; `null`, missing, `"true"`/`"false"` and 0/1 are accepted.
fn flag(v: Option<&Json>, path: &str) -> Result<bool, ScheduleError> {
    match v {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(Json::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Some(Json::String(s)) if s.trim().eq_ignore_ascii_case("false") || s.is_empty() => {
            Ok(false)
        }
        Some(Json::Number(n)) if n.as_u64() == Some(0) => Ok(false),
        Some(Json::Number(n)) if n.as_u64() == Some(1) => Ok(true),
        Some(v) => Err(wrong(path, "true or false", v)),
    }
}

fn wrong(path: &str, expected: &'static str, found: &Json) -> ScheduleError {
    let found = match found {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("the string {:?}", s.chars().take(40).collect::<String>()),
        Json::Array(_) => "an array".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    };
    ScheduleError::WrongType {
        path: path.to_owned(),
        expected,
        found,
    }
}
