//! What the XML and JSON readers hand to the builder: the file's values as text, trimmed,
//! with nothing decided yet. Both formats meet here so that keys, times, rooms, limits and
//! warnings are worked out by one piece of code.

use crate::{Format, Link, MAX_TALKS, ScheduleError};

/// A schedule as read, before times and keys are resolved.
#[derive(Debug)]
pub(crate) struct RawSchedule {
    pub format: Format,
    pub version: String,
    pub generator: Option<String>,
    pub acronym: String,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub time_zone_name: Option<String>,
    pub day_change: Option<String>,
    pub description: String,
    pub logo: String,
    pub url: String,
    /// JSON `conference.rooms` (name, guid), when the file has the list.
    pub declared_rooms: Option<Vec<(String, Option<String>)>>,
    pub talks: Vec<RawTalk>,
}

impl RawSchedule {
    pub(crate) fn new(format: Format) -> Self {
        RawSchedule {
            format,
            version: String::new(),
            generator: None,
            acronym: String::new(),
            title: String::new(),
            start: None,
            end: None,
            time_zone_name: None,
            day_change: None,
            description: String::new(),
            logo: String::new(),
            url: String::new(),
            declared_rooms: None,
            talks: Vec::new(),
        }
    }

    /// Adds a talk, refusing the one past [`MAX_TALKS`] before more is read.
    pub(crate) fn push(&mut self, talk: RawTalk) -> Result<(), ScheduleError> {
        if self.talks.len() >= MAX_TALKS {
            return Err(ScheduleError::TooManyTalks { max: MAX_TALKS });
        }
        self.talks.push(talk);
        Ok(())
    }
}

/// One talk as read. `room` is the room the talk is filed under (the XML `<room name>`
/// parent or the JSON `rooms` key); `room_child` is what the event itself says.
#[derive(Debug, Default)]
pub(crate) struct RawTalk {
    /// 0-based position in the file.
    pub index: usize,
    /// Where it is: "line 42" (XML) or a JSON path.
    pub place: String,
    pub id: Option<String>,
    pub guid: Option<String>,
    pub code: Option<String>,
    pub title: Option<String>,
    pub room: Option<String>,
    pub room_guid: Option<String>,
    pub room_child: Option<String>,
    pub date: Option<String>,
    pub end: Option<String>,
    pub start: Option<String>,
    /// The enclosing day's `date`.
    pub day_date: Option<String>,
    pub duration: Option<String>,
    pub subtitle: String,
    pub abstract_text: String,
    pub description: String,
    pub track: String,
    pub kind: String,
    pub language: String,
    pub slug: String,
    pub url: String,
    pub do_not_record: bool,
    pub persons: Vec<RawPerson>,
    pub links: Vec<Link>,
}

impl RawTalk {
    /// How messages name the talk: `talk 12 "Welcome to FOSDEM 2021" (id 11795, line 17)`.
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("talk {}", self.index + 1);
        if let Some(title) = &self.title {
            let short: String = title.chars().take(80).collect();
            s.push_str(&format!(" {short:?}"));
        }
        let mut extra = Vec::new();
        if let Some(guid) = &self.guid {
            extra.push(format!("guid {guid}"));
        } else if let Some(id) = &self.id {
            extra.push(format!("id {id}"));
        }
        if !self.place.is_empty() {
            extra.push(self.place.clone());
        }
        if !extra.is_empty() {
            s.push_str(&format!(" ({})", extra.join(", ")));
        }
        s
    }
}

/// A speaker as read.
#[derive(Debug, Default)]
pub(crate) struct RawPerson {
    pub guid: Option<String>,
    pub code: Option<String>,
    pub id: Option<String>,
    pub name: String,
    pub biography: String,
    pub avatar: String,
}

/// A text as the model keeps it: trimmed, and with the characters XML 1.0 cannot carry
/// (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) replaced by U+FFFD. They are
/// never meant in a schedule, and replacing them on the way in lets every text go out
/// through schedule.xml and iCalendar unchanged.
pub(crate) fn clean(text: &str) -> String {
    let t = text.trim();
    if t.chars().any(xml_invalid) {
        t.chars()
            .map(|c| if xml_invalid(c) { '\u{fffd}' } else { c })
            .collect()
    } else {
        t.to_owned()
    }
}

/// Whether XML 1.0 (2.2, `Char`) excludes a character.
pub(crate) fn xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// [`clean`], with an empty text as `None`.
pub(crate) fn non_empty(text: &str) -> Option<String> {
    let t = clean(text);
    (!t.is_empty()).then_some(t)
}

/// Line starts of a text, so that many offsets can be turned into lines cheaply (an
/// error needs one; every talk of a large schedule.xml needs its own).
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Lines(starts)
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// 1-based line and column (in bytes) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncd\n\nef";
        let lines = Lines::new(text);
        // (offset, line, column)
        for (offset, line, col) in [
            (0, 1, 1),
            (2, 1, 3),
            (3, 2, 1),
            (6, 3, 1),
            (7, 4, 1),
            (9, 4, 3),
        ] {
            assert_eq!(lines.line(offset), line, "{offset}");
            assert_eq!(line_col(text, offset), (line, col), "{offset}");
        }
    }

    #[test]
    fn cleaning() {
        let cases = [
            ("  x  ", "x"),
            ("a\tb\nc\r", "a\tb\nc"),
            ("\u{1}x\u{1f}", "\u{fffd}x\u{fffd}"),
            ("\u{fffe}", "\u{fffd}"),
            ("nóva", "nóva"),
        ];
        for (raw, want) in cases {
            assert_eq!(clean(raw), want, "{raw:?}");
        }
        assert_eq!(non_empty(" \n "), None);
    }
}
