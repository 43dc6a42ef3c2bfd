//! Every way an import fails, one row each, with what the organiser is told: the variant
//! and the words of its message that name the place.

mod common;

use common::options;
use liboo_schedule::{
    ImportOptions, MAX_BYTES, MAX_ELEMENTS, MAX_FIELD_BYTES, MAX_ROOMS, MAX_TALKS, ScheduleError,
};

/// A schedule.xml in Europe/Brussels with the given `<day>` content.
fn xml_days(days: &str) -> String {
    format!(
        "<schedule><conference><time_zone_name>Europe/Brussels</time_zone_name></conference>\n<day index=\"1\" date=\"2021-02-06\">{days}</day></schedule>"
    )
}

/// A schedule.xml with one event of the given content in room R.
fn xml_event(body: &str) -> String {
    xml_days(&format!(
        "<room name=\"R\">\n<event id=\"7\">{body}</event></room>"
    ))
}

const OK_EVENT: &str = "<title>T</title><start>10:00</start><duration>00:30</duration>";

fn json_event(event: &str) -> String {
    format!(
        r#"{{"schedule": {{"version": "1", "conference": {{"time_zone_name": "UTC",
        "days": [{{"index": 1, "date": "2021-02-06", "rooms": {{"R": [{event}]}}}}]}}}}}}"#
    )
}

fn many_events(n: usize) -> String {
    let events: String = (0..n)
        .map(|i| format!("<event id=\"{i}\"><title>T</title><start>10:00</start><duration>00:05</duration></event>"))
        .collect();
    xml_days(&format!("<room name=\"R\">{events}</room>"))
}

fn many_rooms(n: usize) -> String {
    let rooms: String = (0..n)
        .map(|i| format!("<room name=\"R{i}\"><event id=\"{i}\">{OK_EVENT}</event></room>"))
        .collect();
    xml_days(&rooms)
}

#[test]
fn errors() {
    let deep = format!("{}{}", "<b>".repeat(70), "</b>".repeat(70));
    // (name, input, time zone option, variant check, words the message must contain)
    type Check = fn(&ScheduleError) -> bool;
    type Case = (
        &'static str,
        Vec<u8>,
        Option<&'static str>,
        Check,
        &'static [&'static str],
    );
    let cases: Vec<Case> = vec![
        (
            "17 MiB",
            vec![b' '; 17 * 1024 * 1024],
            None,
            |e| matches!(e, ScheduleError::TooLarge { bytes, max } if *bytes == 17 << 20 && *max == MAX_BYTES),
            &["17825792 bytes", "16777216"],
        ),
        (
            "Latin-1 bytes",
            b"<schedule>\n<title>Caf\xe9</title></schedule>".to_vec(),
            None,
            |e| matches!(e, ScheduleError::NotUtf8 { line: 2, offset: 21 }),
            &["UTF-8", "line 2"],
        ),
        (
            "neither XML nor JSON",
            b"BEGIN:VCALENDAR".to_vec(),
            None,
            |e| matches!(e, ScheduleError::UnknownFormat),
            &["schedule.xml", "schedule.json"],
        ),
        (
            "mismatched end tag",
            b"<schedule>\n<day>\n</schedule>".to_vec(),
            None,
            |e| matches!(e, ScheduleError::Xml { line: 3, .. }),
            &["line 3", "not well-formed"],
        ),
        (
            "unclosed root",
            b"<schedule><day>".to_vec(),
            None,
            |e| matches!(e, ScheduleError::Xml { .. }),
            &["ends inside <day>"],
        ),
        (
            "DOCTYPE with an entity (billion laughs)",
            br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<schedule><version>&lol2;</version></schedule>"#
                .to_vec(),
            None,
            |e| matches!(e, ScheduleError::Entities { line: 2 }),
            &["DOCTYPE", "line 2", "entities"],
        ),
        (
            "DOCTYPE with an external entity",
            br#"<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><schedule>&x;</schedule>"#
                .to_vec(),
            None,
            |e| matches!(e, ScheduleError::Entities { .. }),
            &["DOCTYPE"],
        ),
        (
            "bad JSON",
            b"{\"schedule\":\n  }".to_vec(),
            None,
            |e| matches!(e, ScheduleError::Json { line: 2, .. }),
            &["line 2, column 3", "not valid JSON"],
        ),
        (
            "days is not an array",
            br#"{"schedule": {"conference": {"days": "monday"}}}"#.to_vec(),
            None,
            |e| matches!(e, ScheduleError::WrongType { path, expected: "an array", .. } if path == "schedule.conference.days"),
            &["`schedule.conference.days` should be an array but is the string \"monday\""],
        ),
        (
            "a title that is a number",
            json_event(r#"{"guid": "g", "title": 42, "start": "10:00", "duration": "00:30"}"#).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::WrongType { path, .. } if path.ends_with(r#"rooms["R"][0].title"#)),
            &["should be a string but is the number 42"],
        ),
        (
            "persons is an object",
            json_event(r#"{"guid": "g", "title": "T", "start": "10:00", "duration": "00:30", "persons": {}}"#).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::WrongType { expected: "an array", .. }),
            &["persons"],
        ),
        (
            "root is not <schedule>",
            b"<html><body/></html>".to_vec(),
            None,
            |e| matches!(e, ScheduleError::WrongType { .. }),
            &["<schedule>", "<html>"],
        ),
        (
            "missing title",
            xml_event("<start>10:00</start><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "title", .. }),
            &["talk 1 (id 7, line 3) has no title"],
        ),
        (
            "empty title",
            xml_event("<title> </title><start>10:00</start><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "title", .. }),
            &["has no title"],
        ),
        (
            "no key",
            xml_days(&format!("<room name=\"R\"><event>{OK_EVENT}</event></room>")).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "guid, code or id", .. }),
            &["talk 1 \"T\"", "has no guid, code or id"],
        ),
        (
            "no room",
            xml_days(&format!("<event id=\"7\">{OK_EVENT}</event>")).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "room", .. }),
            &["talk 1 \"T\" (id 7", "has no room"],
        ),
        (
            "no start",
            xml_event("<title>T</title><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "start", .. }),
            &["has no start"],
        ),
        (
            "no duration",
            xml_event("<title>T</title><start>10:00</start>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::MissingField { field: "duration", .. }),
            &["has no duration"],
        ),
        (
            "bad date",
            xml_event("<title>T</title><date>yesterday</date><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadTime { field: "date", value, .. } if value == "yesterday"),
            &["talk 1 \"T\"", "\"yesterday\"", "ISO 8601"],
        ),
        (
            "bad start",
            xml_event("<title>T</title><start>25:99</start><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadTime { field: "start", .. }),
            &["\"25:99\"", "HH:MM"],
        ),
        (
            "bad duration",
            xml_event("<title>T</title><start>10:00</start><duration>forever</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadDuration { value, .. } if value == "forever"),
            &["talk 1 \"T\"", "\"forever\""],
        ),
        (
            "zero duration",
            xml_event("<title>T</title><start>10:00</start><duration>00:00</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadDuration { .. }),
            &["positive"],
        ),
        (
            "end before start",
            json_event(r#"{"guid": "g", "title": "T", "date": "2021-02-06T10:00:00Z", "end": "2021-02-06T09:00:00Z"}"#).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadDuration { .. }),
            &["2021-02-06T09:00:00Z"],
        ),
        (
            "an end 50 days after the start",
            json_event(r#"{"guid": "g", "title": "T", "date": "2021-02-06T10:00:00Z", "end": "2021-03-28T10:00:00Z"}"#).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadDuration { .. }),
            &["999 hours"],
        ),
        (
            "a year no conference is in",
            xml_event("<title>T</title><date>0999-02-06T10:00:00Z</date><duration>00:30</duration>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::BadTime { field: "date", .. }),
            &["\"0999-02-06T10:00:00Z\""],
        ),
        (
            "unknown zone in the file",
            b"<schedule><conference><time_zone_name>Mars/Olympus</time_zone_name></conference></schedule>".to_vec(),
            None,
            |e| matches!(e, ScheduleError::UnknownTimeZone(name) if name == "Mars/Olympus"),
            &["\"Mars/Olympus\"", "IANA"],
        ),
        (
            "unknown zone in the options",
            xml_event(OK_EVENT).into_bytes(),
            Some("Europe/Brusels"),
            |e| matches!(e, ScheduleError::UnknownTimeZone(name) if name == "Europe/Brusels"),
            &["Europe/Brusels"],
        ),
        (
            "no zone for wall-clock starts",
            format!("<schedule><day date=\"2021-02-06\"><room name=\"R\"><event id=\"1\">{OK_EVENT}</event></room></day></schedule>").into_bytes(),
            None,
            |e| matches!(e, ScheduleError::NoTimeZone),
            &["pass timeZone"],
        ),
        (
            "too many talks",
            many_events(MAX_TALKS + 1).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::TooManyTalks { max: MAX_TALKS }),
            &["20000"],
        ),
        (
            "too many rooms",
            many_rooms(MAX_ROOMS + 1).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::TooManyRooms { max: MAX_ROOMS }),
            &["1000 rooms"],
        ),
        (
            "a title over 64 KiB",
            xml_event(&format!("<title>{}</title><start>10:00</start><duration>00:30</duration>", "x".repeat(MAX_FIELD_BYTES + 1))).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::FieldTooLong { field: "title", len, .. } if *len == MAX_FIELD_BYTES + 1),
            &["talk 1", "title is 65537 bytes", "65536"],
        ),
        (
            "an abstract over 64 KiB",
            json_event(&format!(r#"{{"guid": "g", "title": "T", "start": "10:00", "duration": "00:30", "abstract": "{}"}}"#, "é".repeat(MAX_FIELD_BYTES / 2 + 1))).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::FieldTooLong { field: "abstract", .. }),
            &["talk 1 \"T\" (guid g, schedule.conference.days[0].rooms[\"R\"][0])"],
        ),
        (
            "more than a million schedule elements",
            format!("<schedule>{}</schedule>", "<url/>".repeat(MAX_ELEMENTS)).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::TooManyElements { max: MAX_ELEMENTS }),
            &["1000000"],
        ),
        (
            "nesting deeper than 64",
            xml_event(&format!("{OK_EVENT}<abstract>{deep}</abstract>")).into_bytes(),
            None,
            |e| matches!(e, ScheduleError::TooDeep { max: 64, line: 3 }),
            &["64 levels", "line 3"],
        ),
    ];
    for (name, input, zone, check, words) in cases {
        let err = match liboo_schedule::parse(&input, None, &options(zone)) {
            Ok(s) => panic!("{name}: imported {} talks", s.talks.len()),
            Err(e) => e,
        };
        assert!(check(&err), "{name}: {err:?}");
        let message = err.to_string();
        for w in words {
            assert!(message.contains(w), "{name}: {message:?} lacks {w:?}");
        }
    }
}

#[test]
fn limits_are_inclusive() {
    let o = options(None);
    let s = liboo_schedule::parse(many_events(MAX_TALKS).as_bytes(), None, &o).unwrap();
    assert_eq!(s.talks.len(), MAX_TALKS);
    let s = liboo_schedule::parse(many_rooms(MAX_ROOMS).as_bytes(), None, &o).unwrap();
    assert_eq!(s.rooms.len(), MAX_ROOMS);
    let title = "x".repeat(MAX_FIELD_BYTES);
    let doc = xml_event(&format!(
        "<title>{title}</title><start>10:00</start><duration>00:30</duration>"
    ));
    assert_eq!(
        liboo_schedule::parse(doc.as_bytes(), None, &o)
            .unwrap()
            .talks[0]
            .title,
        title
    );
    let mut big = xml_event(OK_EVENT).into_bytes();
    big.resize(MAX_BYTES, b' ');
    assert_eq!(
        liboo_schedule::parse(&big, None, &o).unwrap().talks.len(),
        1
    );
}

#[test]
fn a_format_given_is_used() {
    let doc = xml_event(OK_EVENT);
    let e = liboo_schedule::parse(
        doc.as_bytes(),
        Some(liboo_schedule::Format::FrabJson),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ScheduleError::Json {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{e}"
    );
}
