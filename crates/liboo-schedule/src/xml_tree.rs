//! A small element tree built from quick-xml's events, so that the schedule.xml reader can
//! look children up by name in any order (the XSD lets `<conference>`'s children come in
//! any order, and real files add elements it does not list).
//!
//! Safety: a `<!DOCTYPE` is refused outright, so no entity is ever declared, let alone
//! expanded; a reference to an entity the XML spec does not predefine (`&nbsp;`) is kept as
//! the literal text. Nesting is capped at [`MAX_DEPTH`], which also bounds the recursion
//! when the tree is dropped.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::raw::line_col;
use crate::{MAX_DEPTH, ScheduleError};

/// An element: name, attributes (unescaped), its direct character data (unescaped, not
/// trimmed) and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of its `<`.
    pub pos: usize,
    /// Byte range of its content in the source, for elements that hold markup.
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

    /// The element's content as text, trimmed. An element with child elements (HTML
    /// written as markup inside `<abstract>`) gives its source as written, so the HTML is
    /// kept as given.
    pub(crate) fn content<'a>(&'a self, source: &'a str) -> &'a str {
        if self.children.is_empty() {
            self.text.trim()
        } else {
            source.get(self.inner.0..self.inner.1).unwrap_or("").trim()
        }
    }
}

/// Reads the document's root element. Anything after the root is ignored.
pub(crate) fn parse(source: &str) -> Result<Element, ScheduleError> {
    let mut reader = Reader::from_str(source);
    // A bare `&` ("Q&A") is a common slip of hand-made exports; keep it as text.
    reader.config_mut().allow_dangling_amp = true;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let before = pos(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(xml_error(source, e.to_string(), reader.error_position())),
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    let (line, _) = line_col(source, before);
                    return Err(ScheduleError::TooDeep {
                        max: MAX_DEPTH,
                        line,
                    });
                }
                let mut el = element(source, &start, before)?;
                el.inner.0 = pos(reader.buffer_position());
                stack.push(el);
            }
            Event::Empty(start) => {
                let el = element(source, &start, before)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let mut el = stack.pop().expect("quick-xml matches end tags");
                el.inner.1 = before;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    let text = text
                        .xml10_content()
                        .map_err(|e| xml_error(source, e.to_string(), before as u64))?;
                    top.text.push_str(&text);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    let data = data
                        .xml10_content()
                        .map_err(|e| xml_error(source, e.to_string(), before as u64))?;
                    top.text.push_str(&data);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
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

/// An element from its start tag, attribute values unescaped leniently.
fn element(source: &str, start: &BytesStart<'_>, at: usize) -> Result<Element, ScheduleError> {
    let mut el = Element {
        name: local_name(start.name().as_ref()),
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
