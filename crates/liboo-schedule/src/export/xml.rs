//! schedule.xml in the shape of C3VOC's `schedule.xml.xsd` (frab, pretalx), plus
//! `day_change` under `<conference>` as frab and FOSDEM write it. Every text and attribute
//! is escaped; characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD.

use std::fmt::Write as _;

use super::{GENERATOR, PersonId, TalkId, days, person_id, talk_id, zone};
use crate::duration::format_duration;
use crate::raw::xml_invalid;
use crate::{Schedule, Talk, time};

/// The schedule as schedule.xml.
pub fn xml(s: &Schedule) -> String {
    let tz = zone(s);
    let c = &s.conference;
    let dc = c.day_change_minutes;
    let days = days(s);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<schedule>\n");
    let _ = writeln!(
        out,
        "  <generator name=\"{}\" version=\"{}\"/>",
        GENERATOR,
        env!("CARGO_PKG_VERSION")
    );
    element(&mut out, 1, "version", &s.version);
    out.push_str("  <conference>\n");
    for (name, value) in [
        ("acronym", c.acronym.as_str()),
        ("title", &c.title),
        ("start", &c.start_date),
        ("end", &c.end_date),
        ("days", &days.len().to_string()),
        ("day_change", &format!("{:02}:{:02}:00", dc / 60, dc % 60)),
        ("timeslot_duration", "00:05"),
        ("time_zone_name", &c.time_zone),
        ("description", &c.description),
        ("logo", &c.logo),
        ("url", &c.url),
    ] {
        element(&mut out, 2, name, value);
    }
    out.push_str("  </conference>\n");
    for day in &days {
        let _ = writeln!(
            out,
            "  <day index=\"{}\" date=\"{}\" start=\"{}\" end=\"{}\">",
            day.index,
            day.date,
            attr(&day.start),
            attr(&day.end)
        );
        for (room, talks) in &day.rooms {
            let _ = write!(out, "    <room name=\"{}\"", attr(&room.name));
            if let Some(guid) = &room.guid {
                let _ = write!(out, " guid=\"{}\"", attr(guid));
            }
            out.push_str(">\n");
            for (i, t) in talks {
                event(&mut out, t, *i, &room.name, tz);
            }
            out.push_str("    </room>\n");
        }
        out.push_str("  </day>\n");
    }
    out.push_str("</schedule>\n");
    out
}

fn event(out: &mut String, t: &Talk, index: usize, room: &str, tz: chrono_tz::Tz) {
    let id = match talk_id(t, index) {
        TalkId::Number(n) => n.to_string(),
        TalkId::Text(s) => s.to_owned(),
    };
    let _ = write!(out, "      <event id=\"{}\"", attr(&id));
    if let Some(guid) = &t.guid {
        let _ = write!(out, " guid=\"{}\"", attr(guid));
    }
    if let Some(code) = &t.code {
        let _ = write!(out, " code=\"{}\"", attr(code));
    }
    out.push_str(">\n");
    let local = time::local(tz, t.start_ms);
    for (name, value) in [
        ("date", time::format_iso(tz, t.start_ms).as_str()),
        ("start", &local.format("%H:%M").to_string()),
        ("duration", &format_duration(t.duration_ms)),
        ("room", room),
        ("slug", &t.slug),
        ("url", &t.url),
        ("title", &t.title),
        ("subtitle", &t.subtitle),
        ("track", &t.track),
        ("type", &t.kind),
        ("language", &t.language),
        ("abstract", &t.abstract_text),
        ("description", &t.description),
    ] {
        element(out, 4, name, value);
    }
    let _ = writeln!(
        out,
        "        <recording>\n          <optout>{}</optout>\n        </recording>",
        t.do_not_record
    );
    out.push_str("        <persons>\n");
    for p in &t.persons {
        out.push_str("          <person");
        match person_id(p) {
            PersonId::None => {}
            PersonId::Id(n) => {
                let _ = write!(out, " id=\"{n}\"");
            }
            PersonId::Guid(g) => {
                let _ = write!(out, " guid=\"{}\"", attr(g));
            }
            PersonId::Code(c) => {
                let _ = write!(out, " code=\"{}\"", attr(c));
            }
        }
        let _ = writeln!(out, ">{}</person>", text(&p.name));
    }
    out.push_str("        </persons>\n        <links>\n");
    for l in &t.links {
        let _ = writeln!(
            out,
            "          <link href=\"{}\">{}</link>",
            attr(&l.url),
            text(&l.title)
        );
    }
    out.push_str("        </links>\n      </event>\n");
}

/// `<name>value</name>` on its own line, `<name/>` when empty.
fn element(out: &mut String, depth: usize, name: &str, value: &str) {
    let indent = "  ".repeat(depth);
    if value.is_empty() {
        let _ = writeln!(out, "{indent}<{name}/>");
    } else {
        let _ = writeln!(out, "{indent}<{name}>{}</{name}>", text(value));
    }
}

/// Escapes character data. `\r` is written as a reference because a reader turns a literal
/// CR LF into LF (XML 1.0 2.11); `>` is escaped too, for `]]>`.
pub(crate) fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value; tabs and newlines become references because a reader turns
/// literal ones into spaces (XML 1.0 3.3.3).
pub(crate) fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            // Not allowed in XML 1.0 documents, not even as references; imported texts
            // never hold them, a schedule built by hand might.
            c if xml_invalid(c) => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_table() {
        let cases = [
            ("plain", "plain", "plain"),
            (
                "<script>&\"",
                "&lt;script&gt;&amp;\"",
                "&lt;script&gt;&amp;&quot;",
            ),
            ("it's", "it's", "it&apos;s"),
            ("a\r\nb\tc", "a&#13;\nb\tc", "a&#13;&#10;b&#9;c"),
            ("]]>", "]]&gt;", "]]&gt;"),
            ("bell\u{7}", "bell\u{fffd}", "bell\u{fffd}"),
            ("nóva", "nóva", "nóva"),
        ];
        for (raw, want_text, want_attr) in cases {
            assert_eq!(text(raw), want_text, "{raw:?}");
            assert_eq!(attr(raw), want_attr, "{raw:?}");
        }
    }
}
