//! iCalendar (RFC 5545): one VEVENT per talk, times in UTC so no VTIMEZONE is needed.

use crate::time::format_ical_utc;
use crate::{Schedule, Talk};

/// The longest content line in octets, CRLF excluded (RFC 5545 3.1).
const FOLD_AT: usize = 75;

/// The schedule as an iCalendar file. `prodid_url` names the product in `PRODID` (the
/// instance's URL, say). Output is deterministic: `DTSTAMP`, which RFC 5545 wants in every
/// VEVENT, is the talk's start, because a sans-IO exporter has no clock and the same
/// schedule should always export to the same bytes.
pub fn ical(s: &Schedule, prodid_url: &str) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        &format!("PRODID:-//liboo//{}//EN", text(prodid_url)),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    if !s.conference.title.is_empty() {
        line(
            &mut out,
            &format!("X-WR-CALNAME:{}", text(&s.conference.title)),
        );
    }
    for t in &s.talks {
        event(&mut out, s, t);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn event(out: &mut String, s: &Schedule, t: &Talk) {
    let start = format_ical_utc(t.start_ms);
    let room = s
        .rooms
        .iter()
        .find(|r| r.key == t.room)
        .map_or(t.room.as_str(), |r| r.name.as_str());
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@liboo", text(&t.key)));
    line(out, &format!("DTSTAMP:{start}"));
    line(out, &format!("DTSTART:{start}"));
    line(
        out,
        &format!("DTEND:{}", format_ical_utc(t.start_ms + t.duration_ms)),
    );
    line(out, &format!("SUMMARY:{}", text(&t.title)));
    if !t.abstract_text.is_empty() {
        line(out, &format!("DESCRIPTION:{}", text(&t.abstract_text)));
    }
    line(out, &format!("LOCATION:{}", text(room)));
    if !t.url.is_empty() {
        // URL is a URI value, not TEXT: no backslash escapes (RFC 5545 3.8.4.6), but a
        // line break would end the property, so none may pass.
        let url: String = t.url.chars().filter(|c| !c.is_control()).collect();
        line(out, &format!("URL:{url}"));
    }
    line(out, "END:VEVENT");
}

/// Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks
/// (CR LF, LF or a lone CR become `\n`); other control characters are dropped, as TEXT
/// may not hold them.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so that no line exceeds 75 octets: a CRLF and a space
/// before the octet that would pass the limit, never inside a UTF-8 sequence (RFC 5545
/// 3.1). The space begins the continuation line, so it counts towards that line's 75.
pub(crate) fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if used + len > FOLD_AT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping() {
        let cases = [
            ("plain", "plain"),
            ("a,b;c\\d", "a\\,b\\;c\\\\d"),
            ("one\ntwo\r\nthree\rfour", "one\\ntwo\\nthree\\nfour"),
            ("bell\u{7}", "bell"),
            ("Q&A: 10min", "Q&A: 10min"),
        ];
        for (raw, want) in cases {
            assert_eq!(text(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn folding() {
        // (content, expected lines without CRLF)
        let ascii = "S".repeat(160);
        let cases: Vec<(String, Vec<String>)> = vec![
            ("SHORT".to_owned(), vec!["SHORT".to_owned()]),
            ("x".repeat(75), vec!["x".repeat(75)]),
            ("x".repeat(76), vec!["x".repeat(75), " x".to_owned()]),
            (
                ascii.clone(),
                vec![
                    ascii[..75].to_owned(),
                    format!(" {}", &ascii[75..149]),
                    format!(" {}", &ascii[149..]),
                ],
            ),
            // 74 ASCII octets, then "ó" (2 octets) would end at 76: it moves whole.
            (
                format!("{}ó", "x".repeat(74)),
                vec!["x".repeat(74), " ó".to_owned()],
            ),
            // A 4-octet emoji at octet 73 likewise.
            (
                format!("{}🎤", "x".repeat(72)),
                vec!["x".repeat(72), " 🎤".to_owned()],
            ),
        ];
        for (content, want) in cases {
            let mut out = String::new();
            line(&mut out, &content);
            assert!(out.ends_with("\r\n"));
            let got: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
            assert_eq!(got, want, "{content:?}");
            for l in &got {
                assert!(l.len() <= FOLD_AT, "{l:?} is {} octets", l.len());
            }
            // Unfolding (RFC 5545 3.1: drop CRLF + one space) gives the content back.
            assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), content);
        }
    }
}
