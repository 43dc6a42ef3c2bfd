//! What an import survives, one row each: the warning's code, the talk it names, and what
//! was done about it.

mod common;

use common::options;
use liboo_schedule::Format;

fn xml(rooms: &str) -> String {
    format!(
        "<schedule><conference><time_zone_name>Europe/Brussels</time_zone_name></conference>\
         <day index=\"1\" date=\"2021-02-06\">{rooms}</day></schedule>"
    )
}

fn ev(id: &str, title: &str, start: &str, duration: &str, extra: &str) -> String {
    format!(
        "<event id=\"{id}\"><title>{title}</title><start>{start}</start><duration>{duration}</duration>{extra}</event>"
    )
}

#[test]
fn warnings() {
    let rc3_like = r#"{"schedule": {"version": "1", "conference": {"time_zone_name": "UTC",
        "rooms": [{"name": "Saal 1", "guid": "r1"}, {"name": "Empty", "guid": "r2"}],
        "days": [{"index": 1, "date": "2021-02-06", "rooms": {
          "Saal 1": [{"guid": "a", "title": "A", "start": "10:00", "duration": "00:30", "room": "Saal 1"}],
          "Annex": [{"guid": "b", "title": "B", "start": "10:00", "duration": "00:30", "room": "Annex"},
                    {"guid": "c", "title": "C", "start": "11:00", "duration": "00:30", "room": "Annex"}]}}]}}}"#;
    // (name, document, [(code, talk key)], talks imported)
    type Case = (
        &'static str,
        String,
        Vec<(&'static str, Option<&'static str>)>,
        usize,
    );
    let cases: Vec<Case> = vec![
        (
            "second talk with the same key is skipped",
            xml(&format!(
                "<room name=\"R\">{}{}</room>",
                ev("1", "First", "10:00", "00:30", ""),
                ev("1", "Again", "11:00", "00:30", "")
            )),
            vec![("duplicate-key", Some("id-1"))],
            1,
        ),
        (
            "overlap in a room is kept",
            xml(&format!(
                "<room name=\"S.ow2\">{}{}{}</room>",
                ev("1", "Long", "10:00", "01:00", ""),
                ev("2", "Inside", "10:15", "00:15", ""),
                ev("3", "After", "11:00", "00:30", "")
            )),
            vec![("overlap", Some("id-2"))],
            3,
        ),
        (
            "back to back is no overlap; other rooms do not count",
            xml(&format!(
                "<room name=\"A\">{}{}</room><room name=\"B\">{}</room>",
                ev("1", "One", "10:00", "00:30", ""),
                ev("2", "Two", "10:30", "00:30", ""),
                ev("3", "Elsewhere", "10:00", "01:00", "")
            )),
            vec![],
            3,
        ),
        (
            "the <room name> parent wins over the event's <room>",
            xml(&format!(
                "<room name=\"Main\">{}</room>",
                ev("1", "T", "10:00", "00:30", "<room>Side</room>")
            )),
            vec![("room-mismatch", Some("id-1"))],
            1,
        ),
        (
            "a speaker without a name is left out",
            xml(&format!(
                "<room name=\"R\">{}</room>",
                ev("1", "T", "10:00", "00:30", "<persons><person id=\"5\"> </person><person id=\"6\">Ada</person></persons>")
            )),
            vec![("missing-field", Some("id-1"))],
            1,
        ),
        (
            "a JSON room missing from conference.rooms is added, warned once",
            rc3_like.to_owned(),
            vec![("undeclared-room", Some("b"))],
            3,
        ),
        (
            "a day_change that is not a time",
            "<schedule><conference><time_zone_name>UTC</time_zone_name><day_change>noon</day_change></conference></schedule>".to_owned(),
            vec![("bad-day-change", None)],
            0,
        ),
    ];
    for (name, doc, want, talks) in cases {
        let s = liboo_schedule::parse(doc.as_bytes(), None, &options(None))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<(&str, Option<&str>)> = s
            .warnings
            .iter()
            .map(|w| (w.code.as_str(), w.talk.as_deref()))
            .collect();
        assert_eq!(got, want, "{name}: {:?}", s.warnings);
        assert_eq!(s.talks.len(), talks, "{name}");
        for w in &s.warnings {
            assert!(!w.message.is_empty());
        }
    }
}

#[test]
fn rooms_keep_guids_and_file_order() {
    let doc = r#"{"schedule": {"version": "1", "conference": {"time_zone_name": "UTC",
        "rooms": [{"name": "Zeta", "guid": "r1"}, {"name": "Alpha"}],
        "days": [{"date": "2021-02-06", "rooms": {
          "Zeta": [{"guid": "a", "title": "A", "start": "10:00", "duration": "00:30"}],
          "Beta": [{"guid": "b", "title": "B", "start": "10:00", "duration": "00:30"}]}}]}}}"#;
    let s = liboo_schedule::parse(doc.as_bytes(), None, &options(None)).unwrap();
    assert_eq!(s.format, Format::FrabJson);
    let rooms: Vec<(&str, &str)> = s
        .rooms
        .iter()
        .map(|r| (r.key.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        rooms,
        [("r1", "Zeta"), ("Alpha", "Alpha"), ("Beta", "Beta")]
    );
    assert_eq!(s.talks[0].room, "r1");
    assert_eq!(s.talks[1].room, "Beta");
}

#[test]
fn lenient_details() {
    // A BOM, a prefixed namespace, CDATA, character references, a bare ampersand, an
    // unknown entity kept as written, markup inside <abstract> kept as given, links,
    // recording opt-out, persons with guids, do_not_record in JSON.
    let doc = "\u{feff}\n<schedule><generator name=\"frab\"/><version>Gacrux</version>\
        <conference><title>Conf &amp; Co</title><time_zone_name>UTC</time_zone_name></conference>\
        <day date=\"2021-02-06\"><room name=\"R &quot;1&quot;\" guid=\"rg\">\
        <event guid=\"g\" id=\"9\"><title> <![CDATA[<b>raw</b>]]> &#233;t&#xE9; Q&A &nbsp;</title>\
        <start>10:00</start><duration>00:30</duration>\
        <abstract><p>Hello <em>you</em></p></abstract>\
        <persons><person guid=\"pg\" id=\"3\">Ada</person><person>Bob</person></persons>\
        <links><link href=\"https://x.example/a\">Slides</link><link>no href</link></links>\
        <recording><optout>true</optout></recording></event></room></day></schedule>";
    let s = liboo_schedule::parse(doc.as_bytes(), None, &options(None)).unwrap();
    assert_eq!(s.generator.as_deref(), Some("frab"));
    assert_eq!(s.version, "Gacrux");
    assert_eq!(s.conference.title, "Conf & Co");
    let t = &s.talks[0];
    assert_eq!(t.title, "<b>raw</b> été Q&A &nbsp;");
    assert_eq!(t.abstract_text, "<p>Hello <em>you</em></p>");
    assert_eq!(t.room, "rg");
    assert_eq!(s.rooms[0].name, "R \"1\"");
    assert!(t.do_not_record);
    let persons: Vec<(&str, &str)> = t
        .persons
        .iter()
        .map(|p| (p.key.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(persons, [("pg", "Ada"), ("Bob", "Bob")]);
    assert_eq!(t.links.len(), 1);
    assert_eq!(t.links[0].title, "Slides");

    let json = r#"{"generator": {"name": "pretalx"}, "schedule": {"version": 3, "conference": {
        "time_zone_name": null, "days": [{"date": "2021-02-06", "rooms": {"R": [{
        "id": "12", "code": "ABC123", "title": " T ", "subtitle": "bell\u0007", "date": "2021-02-06T10:00:00+01:00",
        "duration": "1:00:00", "do_not_record": true, "track": {"name": "Main"},
        "persons": [{"id": 1, "name": "Ada", "avatar": "https://a.example/x.png"}, "Bob"],
        "links": ["https://x.example", {"url": "https://y.example", "title": "Y"}]}]}}]}}}"#;
    let s = liboo_schedule::parse(json.as_bytes(), None, &options(None)).unwrap();
    assert_eq!(s.version, "3");
    assert_eq!(s.generator.as_deref(), Some("pretalx"));
    let t = &s.talks[0];
    assert_eq!(
        (t.key.as_str(), t.title.as_str(), t.track.as_str()),
        ("ABC123", "T", "Main")
    );
    // pretalx's three parts are D:HH:MM.
    assert_eq!(t.duration_ms, 24 * 3_600_000);
    assert!(t.do_not_record);
    // Characters XML cannot carry are replaced on the way in.
    assert_eq!(t.subtitle, "bell\u{fffd}");
    assert_eq!(t.persons[0].key, "1");
    assert_eq!(t.persons[0].avatar, "https://a.example/x.png");
    assert_eq!(t.persons[1].key, "Bob");
    assert_eq!(t.links.len(), 2);
    assert_eq!(s.conference.time_zone, "Etc/GMT-1");
}

#[test]
fn detect_table() {
    let cases: &[(&[u8], Option<Format>)] = &[
        (b"<schedule/>", Some(Format::FrabXml)),
        (b"  \n\t<?xml version=\"1.0\"?>", Some(Format::FrabXml)),
        (b"\xEF\xBB\xBF<schedule/>", Some(Format::FrabXml)),
        (b"{\"schedule\": {}}", Some(Format::FrabJson)),
        (b"\xEF\xBB\xBF \r\n{", Some(Format::FrabJson)),
        (b"[1]", None),
        (b"BEGIN:VCALENDAR", None),
        (b"", None),
        (b"   ", None),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            liboo_schedule::detect(bytes),
            *want,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}
