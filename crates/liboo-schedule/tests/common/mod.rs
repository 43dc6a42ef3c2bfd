//! Shared by the integration tests: the real fixtures, read in place from the workplace's
//! shared folder (they are third-party files and are not copied into the repository).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use liboo_schedule::{ImportOptions, Schedule, Talk};

/// The bytes of `shared/conference/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conference")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn options(zone: Option<&str>) -> ImportOptions {
    ImportOptions {
        time_zone: zone.map(str::to_owned),
        source_url: None,
    }
}

pub fn debconf() -> Schedule {
    liboo_schedule::parse(&fixture("debconf23.schedule.xml"), None, &options(None)).unwrap()
}

pub fn fosdem() -> Schedule {
    let bytes = fixture("fosdem-2021.schedule.xml");
    liboo_schedule::parse(&bytes, None, &options(Some("Europe/Brussels"))).unwrap()
}

pub fn rc3() -> Schedule {
    liboo_schedule::parse(
        &fixture("rc3-channels-2020.schedule.json"),
        None,
        &options(None),
    )
    .unwrap()
}

/// UTC ms of an RFC 3339 time.
pub fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

pub fn talk(s: &Schedule, pred: impl Fn(&Talk) -> bool) -> &Talk {
    let found: Vec<&Talk> = s.talks.iter().filter(|t| pred(t)).collect();
    assert_eq!(found.len(), 1, "{} talks match", found.len());
    found[0]
}

pub fn room_name<'a>(s: &'a Schedule, key: &str) -> &'a str {
    &s.rooms.iter().find(|r| r.key == key).expect("room").name
}

pub fn days(s: &Schedule) -> BTreeSet<&str> {
    s.talks.iter().map(|t| t.day.as_str()).collect()
}

pub fn codes<'a>(s: &'a Schedule, code: &str) -> Vec<&'a liboo_schedule::Warning> {
    s.warnings.iter().filter(|w| w.code == code).collect()
}
