//! Why an import failed. Each message is for the organiser who uploaded the file: it names
//! the talk (its position, title and id), the field and, for XML, the line, so the file can
//! be fixed without reading liboo's code.

/// A schedule that could not be imported. Oddities that an import survives are
/// [`Warning`](crate::Warning)s instead.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The input is larger than [`MAX_BYTES`](crate::MAX_BYTES).
    #[error("the schedule file is {bytes} bytes; liboo imports at most {max} bytes")]
    TooLarge {
        /// The input's size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The input is not UTF-8 (schedule.xml and schedule.json both are, in practice).
    #[error(
        "the schedule file is not UTF-8 text (invalid byte at line {line}, byte offset {offset}); save it as UTF-8"
    )]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The input starts with neither `<` nor `{`, and no format was given.
    #[error(
        "the file is neither a schedule.xml (starting with `<`) nor a schedule.json (starting with `{{`)"
    )]
    UnknownFormat,
    /// schedule.xml is not well-formed XML.
    #[error("schedule.xml is not well-formed XML at line {line}, column {column}: {message}")]
    Xml {
        /// What the XML reader found wrong.
        message: String,
        /// Byte offset of the error.
        position: u64,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in bytes) of the error.
        column: usize,
    },
    /// schedule.xml has a `<!DOCTYPE` (the only place `<!ENTITY` may stand). Entities are
    /// never expanded, so "billion laughs" and external entities cannot happen; a schedule
    /// has no use for a DTD.
    #[error(
        "schedule.xml has a DOCTYPE (line {line}); liboo never reads DTDs or expands entities: remove the DOCTYPE and any <!ENTITY declarations"
    )]
    Entities {
        /// 1-based line of the DOCTYPE.
        line: usize,
    },
    /// schedule.json is not valid JSON.
    #[error("schedule.json is not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// What the JSON reader found wrong.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A value has the wrong type: `schedule.conference.days` is not an array, a title is a
    /// number, the XML root is not `<schedule>`.
    #[error("`{path}` should be {expected} but is {found}")]
    WrongType {
        /// Where the value is (`schedule.conference.days[0].rooms["Saal 1"][3].title`).
        path: String,
        /// What it should be ("an array").
        expected: &'static str,
        /// What it is ("a number").
        found: String,
    },
    /// A talk lacks something the import needs.
    #[error("{talk} has no {field}")]
    MissingField {
        /// The talk: its position in the file, title, id and line or path, as known.
        talk: String,
        /// The field ("title", "room", "start", "duration", "guid, code or id").
        field: &'static str,
    },
    /// A talk's time cannot be read.
    #[error("{talk}: cannot read {field} {value:?} (expected {expected})")]
    BadTime {
        /// The talk.
        talk: String,
        /// Which field ("date", "start", "end", "day date").
        field: &'static str,
        /// The text as the file gives it.
        value: String,
        /// The accepted forms.
        expected: &'static str,
    },
    /// A talk's duration cannot be read, is not positive, or exceeds 999 hours.
    #[error(
        "{talk}: cannot use the duration {value:?} (expected a positive H:MM or H:MM:SS up to 999 hours, or an end after the start)"
    )]
    BadDuration {
        /// The talk.
        talk: String,
        /// The text as the file gives it.
        value: String,
    },
    /// A time-zone name (the file's `time_zone_name` or the import's `timeZone`) that the
    /// IANA database does not have.
    #[error("unknown time zone {0:?}; use an IANA name such as Europe/Brussels")]
    UnknownTimeZone(String),
    /// Talks have no ISO `date`, so their `start` is a local time, and neither the file nor
    /// the import says in which zone.
    #[error(
        "the talks have no ISO date and the file names no time zone: pass timeZone (an IANA name such as Europe/Brussels)"
    )]
    NoTimeZone,
    /// More talks than [`MAX_TALKS`](crate::MAX_TALKS).
    #[error("the schedule has more than {max} talks")]
    TooManyTalks {
        /// The limit.
        max: usize,
    },
    /// More rooms than [`MAX_ROOMS`](crate::MAX_ROOMS).
    #[error("the schedule has more than {max} rooms")]
    TooManyRooms {
        /// The limit.
        max: usize,
    },
    /// A text longer than [`MAX_FIELD_BYTES`](crate::MAX_FIELD_BYTES).
    #[error("{place}: {field} is {len} bytes long; at most {max} bytes are allowed")]
    FieldTooLong {
        /// The talk, person or conference.
        place: String,
        /// The field.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More schedule.xml elements of the kinds the reader uses than
    /// [`MAX_ELEMENTS`](crate::MAX_ELEMENTS).
    #[error(
        "schedule.xml has more than {max} schedule elements (days, rooms, events and their fields)"
    )]
    TooManyElements {
        /// The limit.
        max: usize,
    },
    /// XML elements nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error("schedule.xml nests elements deeper than {max} levels (line {line})")]
    TooDeep {
        /// The limit.
        max: usize,
        /// 1-based line of the element that went too deep.
        line: usize,
    },
}
