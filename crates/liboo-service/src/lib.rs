//! What liboo's services share: every default setting ([`defaults`]), the wall clock
//! every stored time is read from ([`now_ms`], [`iso`]), and one TCP accept loop ([`Acceptor`]) for the RTMP and HTTP listeners,
//! with back-off when accepting fails and an optional cap on open connections per
//! client address.

#![warn(missing_docs)]

mod accept;
pub mod defaults;

pub use accept::{Accepted, Acceptor, Next};

/// Wall clock, Unix milliseconds: every time liboo stores or sends is one of these.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A [`now_ms`] time as ISO 8601 UTC with milliseconds (`2023-11-14T22:13:20.123Z`),
/// as LiBoo's MySQL dates came out of JSON; times before 1970 read as 1970.
pub fn iso(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_milliseconds_and_no_time_before_1970() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(-5), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
