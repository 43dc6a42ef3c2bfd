//! The three real schedules of `shared/conference/` (see its README for where they come
//! from and what each one traps), with the counts and spot checks computed from the files
//! and Giggity's independent expectations.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use liboo_schedule::{Format, ScheduleError};

const MIN: i64 = 60_000;

#[test]
fn debconf23_utc_dates_local_starts() {
    let s = debconf();
    assert_eq!(s.format, Format::FrabXml);
    assert_eq!(s.generator.as_deref(), Some("wafer"));
    assert_eq!(s.version, "");
    assert_eq!(s.conference.title, "DebConf 23");
    assert_eq!(s.conference.acronym, "debconf23");
    assert_eq!(s.conference.time_zone, "Asia/Kolkata");
    assert_eq!(s.conference.day_change_minutes, 240);
    assert_eq!(s.conference.start_date, "2023-09-10");
    // The file's own <end>, which disagrees with its <days>8</days>.
    assert_eq!(s.conference.end_date, "2023-09-18");
    assert_eq!(s.conference.url, "https://debconf23.debconf.org");
    assert_eq!(s.talks.len(), 117);
    assert_eq!(s.rooms.len(), 5);
    let days = days(&s);
    assert_eq!(days.len(), 8, "{days:?}");
    // The <day date> attributes are UTC dates (the first says 2023-09-09); the schedule's
    // days are the local ones.
    assert_eq!(days.first(), Some(&"2023-09-10"));
    assert_eq!(days.last(), Some(&"2023-09-17"));

    let t = talk(&s, |t| t.key == "c7e54c2e-239c-11b7-2e75-b9d6d8c26e4a");
    assert_eq!(
        t.title,
        "From 5 to 100: The Debian Brasília Community's Story"
    );
    assert_eq!(
        t.guid.as_deref(),
        Some("c7e54c2e-239c-11b7-2e75-b9d6d8c26e4a")
    );
    assert_eq!(t.source_id.as_deref(), Some("40"));
    assert_eq!(room_name(&s, &t.room), "Anamudi");
    assert_eq!(t.start_ms, ms("2023-09-10T12:30:00Z"));
    assert_eq!(t.duration_ms, 45 * MIN);
    assert_eq!(t.day, "2023-09-10");

    // Giggity's testDebconf23: every day, the first item in "Elsewhere" is Breakfast and
    // the last is Dinner.
    let elsewhere = s.rooms.iter().find(|r| r.name == "Elsewhere").unwrap();
    let mut by_day: BTreeMap<&str, Vec<&liboo_schedule::Talk>> = BTreeMap::new();
    for t in s.talks.iter().filter(|t| t.room == elsewhere.key) {
        by_day.entry(&t.day).or_default().push(t);
    }
    assert_eq!(by_day.len(), 8);
    for (day, mut talks) in by_day {
        talks.sort_by_key(|t| t.start_ms);
        assert_eq!(talks.first().unwrap().title, "Breakfast", "{day}");
        assert_eq!(talks.last().unwrap().title, "Dinner", "{day}");
    }

    assert!(
        codes(&s, "date-start-mismatch").is_empty(),
        "{:?}",
        s.warnings
    );
    assert!(codes(&s, "no-time-zone").is_empty());
    // 32 events have no <persons>; the rest have names.
    let without = s.talks.iter().filter(|t| t.persons.is_empty()).count();
    assert_eq!(without, 32);
    assert!(
        s.talks
            .iter()
            .flat_map(|t| &t.persons)
            .all(|p| !p.name.is_empty())
    );
}

#[test]
fn fosdem2021_legacy_pentabarf() {
    let s = fosdem();
    assert_eq!(s.format, Format::FrabXml);
    assert_eq!(s.generator, None);
    assert_eq!(s.version, "");
    assert_eq!(s.conference.time_zone, "Europe/Brussels");
    assert_eq!(s.conference.day_change_minutes, 0);
    assert_eq!(
        (
            s.conference.start_date.as_str(),
            s.conference.end_date.as_str()
        ),
        ("2021-02-06", "2021-02-07")
    );
    assert_eq!(s.talks.len(), 773);
    // Rooms with talks only: 87 of the file's <room> elements are empty.
    assert_eq!(s.rooms.len(), 106);
    assert_eq!(
        days(&s).into_iter().collect::<Vec<_>>(),
        ["2021-02-06", "2021-02-07"]
    );
    let tracks: BTreeSet<&str> = s.talks.iter().map(|t| t.track.as_str()).collect();
    assert_eq!(tracks.len(), 109);
    // Giggity's testFosdem21: 87 rooms and 88 tracks on Saturday, 42 and 44 on Sunday.
    for (day, rooms, tracks) in [("2021-02-06", 87, 88), ("2021-02-07", 42, 44)] {
        let talks: Vec<_> = s.talks.iter().filter(|t| t.day == day).collect();
        let r: BTreeSet<&str> = talks.iter().map(|t| t.room.as_str()).collect();
        let k: BTreeSet<&str> = talks.iter().map(|t| t.track.as_str()).collect();
        assert_eq!((r.len(), k.len()), (rooms, tracks), "{day}");
    }

    let t = talk(&s, |t| t.source_id.as_deref() == Some("11645"));
    assert_eq!(t.key, "id-11645");
    assert_eq!(t.guid, None);
    assert_eq!(t.title, "kris nóva live");
    assert_eq!(room_name(&s, &t.room), "D.go");
    assert_eq!(t.start_ms, ms("2021-02-06T15:00:00Z"));
    assert_eq!(t.duration_ms, 30 * MIN);

    let welcome = talk(&s, |t| t.source_id.as_deref() == Some("11795"));
    assert_eq!(welcome.title, "Welcome to FOSDEM 2021");
    // HTML in <abstract> is unescaped once and kept.
    assert_eq!(
        welcome.abstract_text,
        "<p>FOSDEM welcome and opening talk.</p>"
    );
    assert_eq!(welcome.links.len(), 3);
    assert_eq!(welcome.links[2].title, "Submit feedback");
    assert_eq!(
        talk(&s, |t| t.source_id.as_deref() == Some("12237")).title,
        "Closing FOSDEM 2021"
    );

    let overlaps = codes(&s, "overlap");
    let ow2 = s.rooms.iter().find(|r| r.name == "S.ow2").unwrap();
    assert!(
        overlaps.iter().any(|w| {
            let key = w.talk.as_deref().unwrap();
            s.talks.iter().any(|t| t.key == key && t.room == ow2.key)
        }),
        "{overlaps:?}"
    );
    assert!(codes(&s, "room-mismatch").is_empty());
}

#[test]
fn fosdem2021_needs_a_time_zone() {
    let bytes = fixture("fosdem-2021.schedule.xml");
    let err = liboo_schedule::parse(&bytes, None, &options(None)).unwrap_err();
    assert!(matches!(err, ScheduleError::NoTimeZone), "{err}");
    assert!(err.to_string().contains("pass timeZone"), "{err}");
}

#[test]
fn fosdem2021_keys_from_the_source_url() {
    let bytes = fixture("fosdem-2021.schedule.xml");
    let mut o = options(Some("Europe/Brussels"));
    o.source_url = Some("https://fosdem.org/2021/schedule/xml".to_owned());
    let s = liboo_schedule::parse(&bytes, None, &o).unwrap();
    let t = talk(&s, |t| t.source_id.as_deref() == Some("11645"));
    assert!(t.key.ends_with("-11645") && t.key.len() == 22, "{}", t.key);
    let keys: BTreeSet<&str> = s.talks.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys.len(), 773);
}

#[test]
fn rc3_pretalx_json_without_zone() {
    let s = rc3();
    assert_eq!(s.format, Format::FrabJson);
    assert_eq!(s.version, "1.3");
    assert_eq!(s.conference.acronym, "rc3-channels-2020");
    assert_eq!(s.conference.time_zone, "Etc/GMT-1");
    assert_eq!(
        s.conference.url,
        "https://pretalx.rc3.studio/rc3-channels-2020/schedule/"
    );
    assert_eq!(codes(&s, "no-time-zone").len(), 1);
    assert_eq!(s.talks.len(), 48);
    assert_eq!(s.rooms.len(), 5);
    assert_eq!(days(&s).len(), 4);
    assert!(
        s.rooms
            .iter()
            .any(|r| r.name == "ChaosTrawler Stubnitz/Gängeviertel Hamburg")
    );

    let t = talk(&s, |t| t.key == "74a257b7-34be-541c-9cb5-b84ff3ef7349");
    assert_eq!(t.title, "Oh du fröhliche, oh du smarte Welt...");
    assert_eq!(room_name(&s, &t.room), "r3s - Monheim/Rhein");
    assert_eq!(t.start_ms, ms("2020-12-27T15:00:00Z"));
    assert_eq!(t.duration_ms, 40 * MIN);
    assert_eq!(t.source_id.as_deref(), Some("143"));

    let first = &s.talks[0];
    assert_eq!(first.slug, "MJA8QY");
    assert_eq!(first.kind, "Talk 30 min + 10min Q&A");
    assert!(first.description.contains("\r\n"));
    let names: Vec<(&str, &str)> = first
        .persons
        .iter()
        .map(|p| (p.key.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(names, [("SCD9VJ", "Chris Fiege"), ("MCQKPV", "Kasa")]);
    assert!(
        s.talks
            .iter()
            .flat_map(|t| &t.persons)
            .all(|p| !p.name.is_empty())
    );
}
