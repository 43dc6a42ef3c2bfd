//! The time rules of CONFERENCE_NOTES 1.4 as a table: ISO dates with offsets, wall-clock
//! starts in the conference's zone, the day-change rollover, DST changes, `end` over
//! `duration`, pretalx's `D:HH:MM`.

mod common;

use common::{ms, options};
use liboo_schedule::parse_duration;

/// A one-talk schedule.xml. `conference` goes inside `<conference>`, `event` inside the
/// `<event>` (which has a title and room already).
fn xml(conference: &str, generator: &str, day: &str, event: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<schedule>{generator}<conference>{conference}</conference>
<day index="1" date="{day}"><room name="R"><event id="1"><title>T</title>
{event}</event></room></day></schedule>"#
    )
}

struct Case {
    name: &'static str,
    doc: String,
    zone: Option<&'static str>,
    start: &'static str,
    minutes: f64,
    day: &'static str,
    warnings: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    let berlin = "<time_zone_name>Europe/Berlin</time_zone_name>";
    let brussels_legacy = "<day_change>00:00:00</day_change>";
    vec![
        Case {
            name: "ISO date with its offset, start agrees",
            doc: xml(berlin, "", "2024-10-26", "<date>2024-10-26T10:00:00+02:00</date><start>10:00</start><duration>00:45</duration>"),
            zone: None,
            start: "2024-10-26T08:00:00Z",
            minutes: 45.0,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "the day after DST ends, the offset changes (voc/schedule #35)",
            doc: xml(berlin, "", "2024-10-27", "<date>2024-10-27T10:00:00+01:00</date><start>10:00</start><duration>00:45</duration>"),
            zone: None,
            start: "2024-10-27T09:00:00Z",
            minutes: 45.0,
            day: "2024-10-27",
            warnings: &[],
        },
        Case {
            name: "wall-clock start on the day DST ends: winter time",
            doc: xml(berlin, "", "2024-10-27", "<start>10:00</start><duration>00:45</duration>"),
            zone: None,
            start: "2024-10-27T09:00:00Z",
            minutes: 45.0,
            day: "2024-10-27",
            warnings: &[],
        },
        Case {
            name: "wall-clock start the day before: summer time",
            doc: xml(berlin, "", "2024-10-26", "<start>10:00</start><duration>00:45</duration>"),
            zone: None,
            start: "2024-10-26T08:00:00Z",
            minutes: 45.0,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "start before the 04:00 day change belongs to the next morning, still the same schedule day",
            doc: xml(berlin, "", "2024-10-26", "<start>01:30</start><duration>00:30</duration>"),
            zone: None,
            start: "2024-10-26T23:30:00Z",
            minutes: 30.0,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "the repeated hour when DST ends: the first 02:30",
            doc: xml(berlin, "", "2024-10-26", "<start>02:30</start><duration>00:30</duration>"),
            zone: None,
            start: "2024-10-27T00:30:00Z",
            minutes: 30.0,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "the skipped hour when DST starts: 02:30 reads as 03:30 summer time",
            doc: xml(brussels_legacy, "", "2021-03-28", "<start>02:30</start><duration>00:30</duration>"),
            zone: Some("Europe/Brussels"),
            start: "2021-03-28T01:30:00Z",
            minutes: 30.0,
            day: "2021-03-28",
            warnings: &[],
        },
        Case {
            name: "FOSDEM's day change 00:00: 00:30 is that day's own",
            doc: xml(brussels_legacy, "", "2021-02-06", "<start>00:30</start><duration>00:30</duration>"),
            zone: Some("Europe/Brussels"),
            start: "2021-02-05T23:30:00Z",
            minutes: 30.0,
            day: "2021-02-06",
            warnings: &[],
        },
        Case {
            name: "day change 09:00: 08:00 rolls over to the next date",
            doc: xml("<day_change>09:00:00</day_change>", "", "2024-02-03", "<start>08:00</start><duration>01:00</duration>"),
            zone: Some("Europe/Brussels"),
            start: "2024-02-04T07:00:00Z",
            minutes: 60.0,
            day: "2024-02-03",
            warnings: &[],
        },
        Case {
            name: "ISO date in UTC, local start (DebConf 23); 02:30 IST is the evening before",
            doc: xml("<time_zone_name>Asia/Kolkata</time_zone_name>", "", "2023-09-10", "<date>2023-09-10T21:00:00+00:00</date><start>02:30</start><duration>00:45</duration>"),
            zone: None,
            start: "2023-09-10T21:00:00Z",
            minutes: 45.0,
            day: "2023-09-10",
            warnings: &[],
        },
        Case {
            name: "date and start disagree: the date wins (OSEM #3242)",
            doc: xml("<time_zone_name>Asia/Kolkata</time_zone_name>", "", "2023-09-10", "<date>2023-09-10T05:00:00+00:00</date><start>11:00</start><duration>00:45</duration>"),
            zone: None,
            start: "2023-09-10T05:00:00Z",
            minutes: 45.0,
            day: "2023-09-10",
            warnings: &["date-start-mismatch"],
        },
        Case {
            name: "ISO date without an offset is wall-clock time",
            doc: xml("", "", "2021-02-06", "<date>2021-02-06T16:00:00</date><duration>00:30</duration>"),
            zone: Some("Europe/Brussels"),
            start: "2021-02-06T15:00:00Z",
            minutes: 30.0,
            day: "2021-02-06",
            warnings: &[],
        },
        Case {
            name: "the import's zone overrides the file's",
            doc: xml(berlin, "", "2024-10-26", "<start>10:00</start><duration>00:45</duration>"),
            zone: Some("Europe/Lisbon"),
            start: "2024-10-26T09:00:00Z",
            minutes: 45.0,
            day: "2024-10-26",
            warnings: &["time-zone-override"],
        },
        Case {
            name: "no zone anywhere: the talks' common offset as an Etc zone",
            doc: xml("", "", "2020-12-27", "<date>2020-12-28T02:00:00+01:00</date><duration>00:40</duration>"),
            zone: None,
            start: "2020-12-28T01:00:00Z",
            minutes: 40.0,
            day: "2020-12-27",
            warnings: &["no-time-zone"],
        },
        Case {
            name: "pentabarf H:MM:SS",
            doc: xml(berlin, "", "2024-10-26", "<start>10:00</start><duration>1:02:30</duration>"),
            zone: None,
            start: "2024-10-26T08:00:00Z",
            minutes: 62.5,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "pretalx D:HH:MM",
            doc: xml(berlin, r#"<generator name="pretalx"/>"#, "2024-10-26", "<start>10:00</start><duration>1:02:30</duration>"),
            zone: None,
            start: "2024-10-26T08:00:00Z",
            minutes: 26.0 * 60.0 + 30.0,
            day: "2024-10-26",
            warnings: &[],
        },
        Case {
            name: "a bare number of minutes",
            doc: xml(berlin, "", "2024-10-26", "<start>10:00</start><duration>45</duration>"),
            zone: None,
            start: "2024-10-26T08:00:00Z",
            minutes: 45.0,
            day: "2024-10-26",
            warnings: &["unknown-duration-form"],
        },
        Case {
            name: "JSON end wins over duration",
            doc: r#"{"schedule": {"version": "1", "conference": {"time_zone_name": "Europe/Berlin",
                "days": [{"index": 1, "date": "2020-12-27", "rooms": {"R": [{"guid": "g1",
                "title": "T", "date": "2020-12-27T11:30:00+01:00", "end": "2020-12-27T12:10:00+01:00",
                "start": "11:30", "duration": "00:30"}]}}]}}}"#.to_owned(),
            zone: None,
            start: "2020-12-27T10:30:00Z",
            minutes: 40.0,
            day: "2020-12-27",
            warnings: &[],
        },
        Case {
            name: "JSON id and duration as numbers",
            doc: r#"{"schedule": {"conference": {"time_zone_name": "UTC",
                "days": [{"date": "2020-12-27", "rooms": {"R": [{"id": 7, "title": "T",
                "start": "11:30", "duration": 25}]}}]}}}"#.to_owned(),
            zone: None,
            start: "2020-12-27T11:30:00Z",
            minutes: 25.0,
            day: "2020-12-27",
            warnings: &["unknown-duration-form"],
        },
    ]
}

#[test]
fn time_rules() {
    for c in cases() {
        let s = liboo_schedule::parse(c.doc.as_bytes(), None, &options(c.zone))
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let t = &s.talks[0];
        assert_eq!(t.start_ms, ms(c.start), "{}", c.name);
        assert_eq!(t.duration_ms, (c.minutes * 60_000.0) as i64, "{}", c.name);
        assert_eq!(t.day, c.day, "{}", c.name);
        let codes: Vec<&str> = s.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, c.warnings, "{}: {:?}", c.name, s.warnings);
    }
}

#[test]
fn durations() {
    let min = 60_000;
    // (text, pretalx, expected ms)
    let cases: &[(&str, bool, Option<i64>)] = &[
        ("00:45", false, Some(45 * min)),
        ("00:45", true, Some(45 * min)),
        ("0:45", false, Some(45 * min)),
        ("1:30", false, Some(90 * min)),
        ("01:30", false, Some(90 * min)),
        ("12:00", false, Some(720 * min)),
        ("25:00", true, Some(1500 * min)),
        (" 00:20 ", false, Some(20 * min)),
        ("00:05:00", false, Some(5 * min)),
        ("1:00:30", false, Some(60 * min + 30_000)),
        ("1:00:30", true, Some(24 * 60 * min + 30 * min)),
        ("2:23:59", true, Some((2 * 24 * 60 + 23 * 60 + 59) * min)),
        ("1:24:00", true, None),
        ("00:00", false, Some(0)),
        ("00:60", false, None),
        ("00:30:60", false, None),
        ("1000:00", false, None),
        ("45", false, None),
        ("", false, None),
        (":", false, None),
        ("a:bc", false, None),
        ("-1:00", false, None),
        ("+1:00", false, None),
        ("1:2:3:4", false, None),
        ("PT45M", false, None),
        ("１:00", false, None),
    ];
    for (text, pretalx, want) in cases {
        assert_eq!(
            parse_duration(text, *pretalx),
            *want,
            "{text:?} pretalx={pretalx}"
        );
    }
}
