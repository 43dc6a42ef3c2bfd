//! Conference schedules in the frab/pentabarf family: `schedule.xml` (pentabarf, frab,
//! pretalx, wafer, FOSDEM) and the frab-compatible `schedule.json` (C3VOC's
//! `voc/schedule` schemas). Sans-IO: bytes in, a [`Schedule`] out, and back.
//!
//! The importer is lenient, because real exports fail both of C3VOC's schemas: it needs
//! only a key (guid, code or id), a title, a room, a start and a duration per talk, ignores
//! what it does not know, and reports what is odd but survivable as [`Warning`]s. Times
//! follow CONFERENCE_NOTES 1.4: an event's ISO `date` with its offset wins; a bare `start`
//! is read in the conference's zone on the day's date, a day later before the day change.
//!
//! Hard limits, each with its own [`ScheduleError`] variant: [`MAX_BYTES`], [`MAX_TALKS`],
//! [`MAX_ROOMS`], [`MAX_FIELD_BYTES`], [`MAX_DEPTH`] and [`MAX_ELEMENTS`] (XML; JSON nesting is
//! serde_json's 128). No DTD is read and no entity is expanded.
//!
//! ```
//! let xml = br#"<schedule><conference><time_zone_name>Europe/Brussels</time_zone_name>
//!   </conference><day index="1" date="2021-02-06"><room name="D.go">
//!   <event id="11645"><start>16:00</start><duration>00:30</duration>
//!   <title>kris n&#243;va live</title></event></room></day></schedule>"#;
//! let s = liboo_schedule::parse(xml, None, &Default::default()).unwrap();
//! assert_eq!(s.talks[0].title, "kris nóva live");
//! assert_eq!(s.talks[0].start_ms, 1_612_623_600_000); // 2021-02-06T15:00Z
//! ```

#![warn(missing_docs)]

mod build;
mod duration;
mod error;
pub mod export;
mod json;
mod json_value;
mod key;
mod model;
mod raw;
mod rooms;
mod time;
mod xml;
mod xml_tree;
mod zone;

pub use duration::parse_duration;
pub use error::ScheduleError;
pub use model::{Conference, Format, ImportOptions, Link, Person, Room, Schedule, Talk, Warning};

/// The largest file imported: 16 MiB. FOSDEM's schedule.xml, among the largest, is under
/// 2 MB; the cap bounds the memory an upload can make the importer use.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The most talks in one schedule: 20,000 (FOSDEM has under 1,000).
pub const MAX_TALKS: usize = 20_000;

/// The most rooms in one schedule: 1,000 (FOSDEM 2021 had 106 with talks). Each becomes a
/// channel.
pub const MAX_ROOMS: usize = 1_000;

/// The longest text in any one field: 64 KiB.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// The deepest element nesting in schedule.xml: 64 (a schedule nests six deep, plus what
/// markup an abstract holds).
pub const MAX_DEPTH: usize = 64;

/// The most schedule.xml elements kept while reading: 1,000,000 (a talk has about 20; FOSDEM
/// 2021 has some 20,000). Elements the reader does not use are not kept, nor counted.
pub const MAX_ELEMENTS: usize = 1_000_000;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Tells the format from the first non-whitespace byte after any UTF-8 byte-order mark:
/// `<` is schedule.xml, `{` is schedule.json.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Some(Format::FrabXml),
        Some(b'{') => Some(Format::FrabJson),
        _ => None,
    }
}

/// Imports a schedule. `format` `None` means [`detect`]; a format given is used as is.
pub fn parse(
    bytes: &[u8],
    format: Option<Format>,
    options: &ImportOptions,
) -> Result<Schedule, ScheduleError> {
    if bytes.len() > MAX_BYTES {
        return Err(ScheduleError::TooLarge {
            bytes: bytes.len(),
            max: MAX_BYTES,
        });
    }
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let offset = e.valid_up_to();
        let line = body[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        ScheduleError::NotUtf8 {
            line,
            offset: offset + (bytes.len() - body.len()),
        }
    })?;
    let raw = match format.or_else(|| detect(body)) {
        Some(Format::FrabXml) => xml::read(text)?,
        Some(Format::FrabJson) => json::read(text)?,
        None => return Err(ScheduleError::UnknownFormat),
    };
    build::build(raw, options)
}

/// Whether `name` is an IANA zone this crate knows (`Europe/Brussels`, `UTC`).
pub fn is_time_zone(name: &str) -> bool {
    zone::is_named(name)
}
