//! The exporters: schedule.json and schedule.xml read back to the same talks, for each
//! real fixture; iCalendar folding and escaping; XML escaping of a hostile title.

mod common;

use common::*;
use liboo_schedule::{Format, ImportOptions, Schedule, export};

/// What a round trip must keep of each talk, by key.
fn projection(s: &Schedule) -> Vec<String> {
    let room_name = |key: &str| {
        s.rooms
            .iter()
            .find(|r| r.key == key)
            .map(|r| r.name.clone())
    };
    let mut talks: Vec<String> = s
        .talks
        .iter()
        .map(|t| {
            let persons: Vec<(&str, &str, &str)> = t
                .persons
                .iter()
                .map(|p| (p.key.as_str(), p.name.as_str(), p.avatar.as_str()))
                .collect();
            format!(
                "{} {:?} {:?} {} {} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {} {:?} {:?}",
                t.key,
                t.guid,
                t.code,
                t.room,
                t.start_ms,
                t.duration_ms,
                t.day,
                t.title,
                t.subtitle,
                t.abstract_text,
                t.description,
                t.track,
                t.kind,
                t.language,
                t.slug,
                t.url,
                t.do_not_record,
                persons,
                room_name(&t.room)
            )
        })
        .collect();
    talks.sort();
    talks
}

fn check_round_trip(name: &str, s: &Schedule) {
    let reread = |text: String, format| {
        liboo_schedule::parse(text.as_bytes(), Some(format), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{name} {format:?}: {e}"))
    };
    let want = projection(s);
    for (format, text) in [
        (Format::FrabJson, export::json(s)),
        (Format::FrabXml, export::xml(s)),
    ] {
        assert_eq!(liboo_schedule::detect(text.as_bytes()), Some(format));
        let back = reread(text, format);
        assert_eq!(back.talks.len(), s.talks.len(), "{name} {format:?}");
        let got = projection(&back);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{name} {format:?}");
        }
        assert_eq!(
            back.conference.time_zone, s.conference.time_zone,
            "{name} {format:?}"
        );
        assert_eq!(
            back.conference.day_change_minutes,
            s.conference.day_change_minutes
        );
        assert_eq!(back.conference.title, s.conference.title);
        assert_eq!(back.version, s.version);
        assert!(
            !back
                .warnings
                .iter()
                .any(|w| w.code == "date-start-mismatch" || w.code == "duplicate-key"),
            "{name} {format:?}: {:?}",
            back.warnings
        );
        if format == Format::FrabJson {
            // The JSON declares every room, so the rooms come back whole.
            assert_eq!(back.rooms, s.rooms, "{name}");
            let links = |s: &Schedule| s.talks.iter().map(|t| t.links.len()).sum::<usize>();
            assert_eq!(links(&back), links(s));
        }
    }
}

#[test]
fn debconf23_round_trips() {
    check_round_trip("debconf23", &debconf());
}

#[test]
fn fosdem2021_round_trips() {
    check_round_trip("fosdem-2021", &fosdem());
}

#[test]
fn rc3_round_trips() {
    check_round_trip("rc3", &rc3());
}

#[test]
fn json_export_shape() {
    let s = fosdem();
    let v: serde_json::Value = serde_json::from_str(&export::json(&s)).unwrap();
    let c = &v["schedule"]["conference"];
    assert_eq!(c["time_zone_name"], "Europe/Brussels");
    assert_eq!(c["timeslot_duration"], "00:05");
    assert_eq!(c["daysCount"], 2);
    assert_eq!(c["rooms"].as_array().unwrap().len(), 106);
    let day = &c["days"][0];
    assert_eq!(day["date"], "2021-02-06");
    assert_eq!(day["day_start"], "2021-02-06T00:00:00+01:00");
    assert_eq!(day["day_end"], "2021-02-06T23:59:59+01:00");
    let go = day["rooms"]["D.go"].as_array().unwrap();
    let kris = go.iter().find(|e| e["id"] == 11645).unwrap();
    assert_eq!(kris["date"], "2021-02-06T16:00:00+01:00");
    assert_eq!(kris["start"], "16:00");
    assert_eq!(kris["duration"], "00:30");
    assert_eq!(kris["room"], "D.go");
    assert_eq!(kris["title"], "kris nóva live");
    assert!(kris.get("guid").is_none());
}

#[test]
fn xml_escapes_a_hostile_title() {
    let mut s = rc3();
    s.talks[0].title = "<script>&\"".to_owned();
    s.talks[0].persons[0].name = "</person><person>Mallory".to_owned();
    s.rooms[0].name = "a\"b<c>".to_owned();
    let xml = export::xml(&s);
    assert!(
        xml.contains("<title>&lt;script&gt;&amp;\"</title>"),
        "title not escaped"
    );
    assert!(!xml.contains("<script>"));
    assert!(xml.contains("<room name=\"a&quot;b&lt;c&gt;\""));
    let back = liboo_schedule::parse(xml.as_bytes(), None, &ImportOptions::default()).unwrap();
    let t = back.talks.iter().find(|t| t.key == s.talks[0].key).unwrap();
    assert_eq!(t.title, "<script>&\"");
    assert_eq!(t.persons[0].name, "</person><person>Mallory");
    assert_eq!(t.persons.len(), s.talks[0].persons.len());
    assert!(back.rooms.iter().any(|r| r.name == "a\"b<c>"));
    let json = export::json(&s);
    let back = liboo_schedule::parse(json.as_bytes(), None, &ImportOptions::default()).unwrap();
    assert!(back.talks.iter().any(|t| t.title == "<script>&\""));
}

#[test]
fn ical_shape_folding_and_escaping() {
    let mut s = debconf();
    let key = "c7e54c2e-239c-11b7-2e75-b9d6d8c26e4a";
    let i = s.talks.iter().position(|t| t.key == key).unwrap();
    s.talks[i].abstract_text =
        "Ünïcödé, semi; back\\slash\nnew line — and a long tail: ".to_owned() + &"é".repeat(60);
    let ics = export::ical(&s, "https://liboo.example");
    assert!(ics.starts_with(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//liboo//https://liboo.example//EN\r\n"
    ));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), s.talks.len());
    assert_eq!(ics.matches("END:VEVENT\r\n").count(), s.talks.len());
    // Every line ends in CRLF, none is longer than 75 octets, no bare LF or CR.
    assert!(!ics.replace("\r\n", "").contains(['\r', '\n']));
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
    }
    let unfolded = ics.replace("\r\n ", "");
    let event = unfolded
        .split("BEGIN:VEVENT\r\n")
        .find(|e| e.contains(&format!("UID:{key}@liboo")))
        .unwrap();
    for want in [
        "DTSTART:20230910T123000Z\r\n",
        "DTEND:20230910T131500Z\r\n",
        "SUMMARY:From 5 to 100: The Debian Brasília Community's Story\r\n",
        "LOCATION:Anamudi\r\n",
        "URL:https://debconf23.debconf.org/talks/",
        &format!(
            "DESCRIPTION:Ünïcödé\\, semi\\; back\\\\slash\\nnew line — and a long tail: {}\r\n",
            "é".repeat(60)
        ),
    ] {
        assert!(event.contains(want), "{want:?} not in {event}");
    }
}
