//! A schedule as liboo keeps it, whichever file it came from: what the importer returns
//! and what the exporters take. Times are UTC Unix milliseconds; texts are as the file
//! gave them (trimmed), never HTML-decoded twice.

use serde::Serialize;

/// Which member of the frab family a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// frab/pentabarf `schedule.xml` (pretalx, frab, wafer, FOSDEM's own system).
    FrabXml,
    /// The frab-compatible `schedule.json` (C3VOC's schema; pretalx and frab export it).
    FrabJson,
}

/// What the importer is told besides the file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// An IANA zone name ("Europe/Brussels") that overrides the file's `time_zone_name`
    /// (a warning says so when they differ) and is needed for files whose talks carry
    /// no ISO `date` and that name no zone (legacy pentabarf, e.g. FOSDEM 2021).
    pub time_zone: Option<String>,
    /// The URL the file came from, used to make stable keys for talks that have only a
    /// numeric `id` (a uuid-like key derived from the URL and the id).
    pub source_url: Option<String>,
}

/// One imported (or exported) schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// The file's format.
    pub format: Format,
    /// The file's `version` string ("" when empty or missing).
    pub version: String,
    /// `generator@name` (e.g. "pretalx", "wafer"), when the file says.
    pub generator: Option<String>,
    /// The conference.
    pub conference: Conference,
    /// Every room that has a talk, plus the rooms the file declares (JSON
    /// `conference.rooms`), in the file's order, each once.
    pub rooms: Vec<Room>,
    /// Every talk, in the file's order.
    pub talks: Vec<Talk>,
    /// What was odd but not fatal, in the file's order.
    pub warnings: Vec<Warning>,
}

/// The conference a schedule is of.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conference {
    /// `acronym` (frab's, may be empty).
    pub acronym: String,
    /// `title`.
    pub title: String,
    /// The IANA zone the conference runs in: the options' zone, else the file's
    /// `time_zone_name`, else an `Etc/GMT±N` zone from the talks' common offset, else "UTC"
    /// (with a warning).
    pub time_zone: String,
    /// Minutes after local midnight at which a schedule day begins: the file's
    /// `day_change`, else 240 (04:00, as pretalx).
    pub day_change_minutes: u32,
    /// First day, `YYYY-MM-DD` in the conference's zone (the file's `start`, else the
    /// first talk's day).
    pub start_date: String,
    /// Last day, `YYYY-MM-DD` (the file's `end`, else the last talk's day).
    pub end_date: String,
    /// `description` or "".
    pub description: String,
    /// `logo` URL or "".
    pub logo: String,
    /// `url` / `base_url` or "".
    pub url: String,
}

/// A room (stage) of the conference; in liboo, a channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    /// Stable key: the room's `guid` when the file gives one, else its name.
    pub key: String,
    /// The name as the file writes it ("ChaosTrawler Stubnitz/Gängeviertel Hamburg").
    pub name: String,
    /// The file's guid, if any.
    pub guid: Option<String>,
}

/// A scheduled talk (frab's "event").
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Talk {
    /// Stable key across imports: `guid`, else `code`, else one derived from the source
    /// URL and `id`.
    pub key: String,
    /// `guid`, if the file has one.
    pub guid: Option<String>,
    /// pretalx's `code`, if any.
    pub code: Option<String>,
    /// frab's numeric `id` as text, if any.
    pub source_id: Option<String>,
    /// The key of the talk's room ([`Room::key`]).
    pub room: String,
    /// `title`.
    pub title: String,
    /// `subtitle` or "".
    pub subtitle: String,
    /// `abstract` or "" (may hold HTML or Markdown as the file gave it).
    pub abstract_text: String,
    /// `description` or "".
    pub description: String,
    /// `track` or "".
    pub track: String,
    /// `type` or "".
    pub kind: String,
    /// `language` or "".
    pub language: String,
    /// `slug` or "".
    pub slug: String,
    /// `url` or "".
    pub url: String,
    /// Scheduled start, UTC Unix ms.
    pub start_ms: i64,
    /// Scheduled length in ms (> 0).
    pub duration_ms: i64,
    /// `do_not_record` (JSON) or `recording/optout` (XML).
    pub do_not_record: bool,
    /// The schedule day the talk belongs to, `YYYY-MM-DD`, by the conference's zone and
    /// day change.
    pub day: String,
    /// Speakers, in the file's order.
    pub persons: Vec<Person>,
    /// Links, in the file's order.
    pub links: Vec<Link>,
}

/// A speaker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// Stable key: `guid`, else `code`, else `id`, else the name.
    pub key: String,
    /// `public_name` / `name` / the element's text.
    pub name: String,
    /// `biography` or "".
    pub biography: String,
    /// `avatar` URL or "".
    pub avatar: String,
}

/// A link of a talk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// `href` / `url`.
    pub url: String,
    /// The link's text / `title`, or "".
    pub title: String,
}

/// Something odd in a file that the import survives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// Machine-readable kind: `date-start-mismatch`, `duplicate-key`, `room-mismatch`,
    /// `undeclared-room`, `overlap`, `no-time-zone`, `time-zone-override`,
    /// `missing-field`, `skipped-talk`, `unknown-duration-form`...
    pub code: String,
    /// The talk's key, when the warning is about one.
    pub talk: Option<String>,
    /// A sentence for the organiser, naming the talk by title and what was done.
    pub message: String,
}
