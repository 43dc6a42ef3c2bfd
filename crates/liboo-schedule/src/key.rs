//! Stable keys (CONFERENCE_NOTES 1.5): a re-import matches talks, rooms and speakers by
//! these, so they must not change when nothing in the file about that thing changed.

use crate::raw::{RawPerson, RawTalk};

/// A talk's key: `guid` (pretalx and frab make it stable across schedule versions), else
/// pretalx's `code`, else one made from the source URL and the numeric `id` (legacy
/// pentabarf, e.g. FOSDEM 2021, has only the id). `None` when the talk has none of them.
pub(crate) fn talk(t: &RawTalk, source_url: Option<&str>) -> Option<String> {
    t.guid
        .clone()
        .or_else(|| t.code.clone())
        .or_else(|| t.id.as_deref().map(|id| from_id(source_url, id)))
}

/// `id-{id}` without a source URL; with one, `{fnv}-{id}` where `fnv` is the FNV-1a 64-bit
/// hash of `url#id` in hex: the same id from two conferences' files gets two keys, and the
/// key needs no cryptographic hash (nothing is secret or adversarial about it).
pub(crate) fn from_id(source_url: Option<&str>, id: &str) -> String {
    match source_url.map(str::trim).filter(|u| !u.is_empty()) {
        None => format!("id-{id}"),
        Some(url) => format!("{:016x}-{id}", fnv1a64(format!("{url}#{id}").as_bytes())),
    }
}

/// A speaker's key: `guid`, else `code`, else `id`, else the name.
pub(crate) fn person(p: &RawPerson) -> String {
    p.guid
        .clone()
        .or_else(|| p.code.clone())
        .or_else(|| p.id.clone())
        .unwrap_or_else(|| p.name.clone())
}

/// FNV-1a, 64-bit (offset basis and prime from the FNV reference).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn keys_from_ids() {
        assert_eq!(from_id(None, "11645"), "id-11645");
        assert_eq!(from_id(Some(" "), "11645"), "id-11645");
        let a = from_id(Some("https://fosdem.org/2021/schedule/xml"), "11645");
        let b = from_id(Some("https://fosdem.org/2022/schedule/xml"), "11645");
        assert!(a.ends_with("-11645") && a.len() == 16 + 1 + 5, "{a}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            from_id(Some("https://fosdem.org/2021/schedule/xml"), "11645")
        );
    }
}
