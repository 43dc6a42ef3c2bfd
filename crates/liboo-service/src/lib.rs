//! What liboo's services share: every default setting ([`defaults`]), the wall clock
//! every stored time is read from ([`now_ms`]), and one TCP accept loop ([`Acceptor`]) for the RTMP and HTTP listeners,
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
