//! A small element tree built from quick-xml's events, so that the schedule.xml reader can
//! look children up by name in any order (the XSD lets `<conference>`'s children come in
//! any order, and real files add elements it does not list).
//!
//! Only the elements the reader uses are kept ([`SCHEMA`]); anything else is skipped as it
//! streams by, and markup inside a text field (HTML in `<abstract>`) is kept as its source
//! text. So the tree's size follows what a schedule holds, not what a file can pile up,
//! and [`MAX_ELEMENTS`] caps even that.
//!
//! Safety: a `<!DOCTYPE` is refused outright, so no entity is ever declared, let alone
//! expanded; a reference to an entity the XML spec does not predefine (`&nbsp;`) is kept as
//! the literal text. Nesting is capped at [`MAX_DEPTH`], which also bounds the recursion
//! when the tree is dropped.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::raw::line_col;
use crate::{MAX_DEPTH, MAX_ELEMENTS, ScheduleError};

/// The elements the reader uses, by parent: each child's name and whether its own children
/// are kept (a container) or it is a text field. `<room>` is a container under `<day>` and
/// a text field under `<event>`.
const SCHEMA: &[(&str, &[(&str, bool)])] = &[
    (
        "schedule",
        &[
            ("generator", false),
            ("version", false),
            ("url", false),
            ("conference", true),
            ("day", true),
        ],
    ),
    (
        "conference",
        &[
            ("title", false),
            ("acronym", false),
            ("start", false),
            ("end", false),
            ("time_zone_name", false),
            ("day_change", false),
            ("description", false),
            ("logo", false),
            ("url", false),
            ("base_url", false),
        ],
    ),
    ("day", &[("room", true), ("event", true)]),
    ("room", &[("event", true)]),
    (
        "event",
        &[
            ("date", false),
            ("start", false),
            ("duration", false),
            ("room", false),
            ("title", false),
            ("subtitle", false),
            ("track", false),
            ("type", false),
            ("language", false),
            ("abstract", false),
            ("description", false),
            ("slug", false),
            ("url", false),
            ("persons", true),
            ("links", true),
            ("recording", true),
        ],
    ),
    ("persons", &[("person", false)]),
    ("links", &[("link", false)]),
    ("recording", &[("optout", false)]),
];

/// The schema's entry for `child` under a container named `parent`.
fn schema(parent: &str, child: &str) -> Option<(&'static str, bool)> {
    let (_, children) = SCHEMA.iter().find(|(p, _)| *p == parent)?;
    children.iter().find(|(c, _)| *c == child).copied()
}

/// An element: name, attributes (unescaped), its direct character data (unescaped, not
/// trimmed; text fields only) and the children the schema keeps (containers only).
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: &'static str,
    /// Whether the element's children are kept.
    pub container: bool,
    /// Whether a text field holds markup.
    pub has_markup: bool,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of its `<`.
    pub pos: usize,
    /// Byte range of its content in the source, for text fields that hold markup.
    pub inner: (usize, usize),
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// An attribute's value.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The element's content as text, trimmed. A text field holding markup (HTML written
    /// as elements inside `<abstract>`) gives its source as written, so the HTML is kept
    /// as given.
    pub(crate) fn content<'a>(&'a self, source: &'a str) -> &'a str {
        if self.has_markup {
            source.get(self.inner.0..self.inner.1).unwrap_or("").trim()
        } else {
            self.text.trim()
        }
    }
}

/// Where a start tag goes.
enum Place {
    /// The root, or a child the schema keeps: (name, container).
    Keep(&'static str, bool),
    /// Markup inside a text field, or an element the reader does not use.
    Skip,
}

/// Reads the document's root element, which must be `<schedule>`. Anything after the root
/// is ignored.
pub(crate) fn parse(source: &str) -> Result<Element, ScheduleError> {
    let mut reader = Reader::from_str(source);
    // A bare `&` ("Q&A") is a common slip of hand-made exports; keep it as text.
    reader.config_mut().allow_dangling_amp = true;
    let mut stack: Vec<Element> = Vec::new();
    // How deep the reader is inside skipped elements, below the top of `stack`.
    let mut skipped = 0usize;
    let mut kept = 0usize;
    loop {
        let before = pos(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(xml_error(source, e.to_string(), reader.error_position())),
        };
        let place = |start: &BytesStart<'_>, stack: &mut Vec<Element>, skipped: usize| {
            let name = local_name(start.name().as_ref());
            match stack.last_mut() {
                None if name == "schedule" => Ok(Place::Keep("schedule", true)),
                None => Err(ScheduleError::WrongType {
                    path: "the XML root element".to_owned(),
                    expected: "<schedule>",
                    found: format!("<{name}>"),
                }),
                Some(_) if skipped > 0 => Ok(Place::Skip),
                Some(top) if !top.container => {
                    top.has_markup = true;
                    Ok(Place::Skip)
                }
                Some(top) => Ok(match schema(top.name, &name) {
                    Some((name, container)) => Place::Keep(name, container),
                    None => Place::Skip,
                }),
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() + skipped >= MAX_DEPTH {
                    let (line, _) = line_col(source, before);
                    return Err(ScheduleError::TooDeep {
                        max: MAX_DEPTH,
                        line,
                    });
                }
                match place(&start, &mut stack, skipped)? {
                    Place::Skip => skipped += 1,
                    Place::Keep(name, container) => {
                        count(&mut kept)?;
                        let mut el = element(source, &start, before, name, container)?;
                        el.inner.0 = pos(reader.buffer_position());
                        stack.push(el);
                    }
                }
            }
            Event::Empty(start) => {
                if let Place::Keep(name, container) = place(&start, &mut stack, skipped)? {
                    count(&mut kept)?;
                    let el = element(source, &start, before, name, container)?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => return Ok(el),
                    }
                }
            }
            Event::End(_) if skipped > 0 => skipped -= 1,
            Event::End(_) => {
                let mut el = stack.pop().expect("quick-xml matches end tags");
                el.inner.1 = before;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(text) => {
                if let Some(top) = field(&mut stack, skipped) {
                    let text = text
                        .xml10_content()
                        .map_err(|e| xml_error(source, e.to_string(), before as u64))?;
                    top.text.push_str(&text);
                }
            }
            Event::CData(data) => {
                if let Some(top) = field(&mut stack, skipped) {
                    let data = data
                        .xml10_content()
                        .map_err(|e| xml_error(source, e.to_string(), before as u64))?;
                    top.text.push_str(&data);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = field(&mut stack, skipped) {
                    let name = r
                        .decode()
                        .map_err(|e| xml_error(source, e.to_string(), before as u64))?;
                    // An invalid character reference (`&#xD800;`) stays as written too.
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => top.text.push(c),
                        _ => push_entity(&mut top.text, &name),
                    }
                }
            }
            Event::DocType(_) => {
                let (line, _) = line_col(source, before);
                return Err(ScheduleError::Entities { line });
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => {
                let message = match stack.last() {
                    Some(open) => format!("the file ends inside <{}>", open.name),
                    None => "the file has no root element".to_owned(),
                };
                return Err(xml_error(source, message, source.len() as u64));
            }
        }
    }
}

/// The text field that character data at this point belongs to: the top of the stack when
/// it is a text field and nothing is being skipped. Whitespace between a container's
/// children is not kept.
fn field(stack: &mut [Element], skipped: usize) -> Option<&mut Element> {
    stack
        .last_mut()
        .filter(|top| skipped == 0 && !top.container)
}

fn count(kept: &mut usize) -> Result<(), ScheduleError> {
    *kept += 1;
    if *kept > MAX_ELEMENTS {
        return Err(ScheduleError::TooManyElements { max: MAX_ELEMENTS });
    }
    Ok(())
}

/// An element from its start tag, attribute values unescaped leniently.
fn element(
    source: &str,
    start: &BytesStart<'_>,
    at: usize,
    name: &'static str,
    container: bool,
) -> Result<Element, ScheduleError> {
    let mut el = Element {
        name,
        container,
        pos: at,
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml_error(source, e.to_string(), at as u64))?;
        let key = local_name(attr.key.as_ref());
        let raw = String::from_utf8_lossy(&attr.value);
        el.attrs.push((key, unescape(&raw)));
    }
    Ok(el)
}

/// The name without a namespace prefix: the family has no namespaces, but a prefixed
/// export should still read.
fn local_name(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.into_owned(),
    }
}

/// Appends a named entity: one of XML's five, else the reference as written.
fn push_entity(out: &mut String, name: &str) {
    match resolve_predefined_entity(name) {
        Some(value) => out.push_str(value),
        None => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// Unescapes an attribute value once: character references and XML's five entities; any
/// other `&...;` stays as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 32) else {
            out.push('&');
            rest = after;
            continue;
        };
        let name = &after[..semi];
        let char_ref = name.strip_prefix('#').and_then(|n| {
            let code = match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n.parse().ok(),
            };
            code.and_then(char::from_u32)
        });
        match char_ref {
            Some(c) => out.push(c),
            None => push_entity(&mut out, name),
        }
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    out
}

fn pos(p: u64) -> usize {
    usize::try_from(p).unwrap_or(usize::MAX)
}

fn xml_error(source: &str, message: String, position: u64) -> ScheduleError {
    let (line, column) = line_col(source, pos(position));
    ScheduleError::Xml {
        message,
        position,
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_unescaping() {
        let cases = [
            ("plain", "plain"),
            ("a &amp; b", "a & b"),
            ("&lt;&gt;&quot;&apos;", "<>\"'"),
            ("&#65;&#x42;", "AB"),
            ("&nbsp;", "&nbsp;"),
            ("fish & chips", "fish & chips"),
            ("&#xD800;", "&#xD800;"),
        ];
        for (raw, want) in cases {
            assert_eq!(unescape(raw), want, "{raw}");
        }
    }
}
