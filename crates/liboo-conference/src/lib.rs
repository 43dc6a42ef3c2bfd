//! liboo's conferences on top of its channels: a conference's rooms are channels, its
//! talks are time windows on a room's stream.
//!
//! - [`state`]: the talk state machine (sans-IO, a table of cases).
//! - [`plan`]: what a schedule import changes (sans-IO: stored talks and a parsed
//!   schedule in, added / changed / cancelled out), and applying it in one transaction.
//! - [`cut`]: a talk's replay as a VOD playlist over its room broadcast's segments.
//! - [`sweeper`]: the task that moves talks on the clock, cuts replays and re-imports
//!   schedule URLs.

#![warn(missing_docs)]

pub mod cut;
pub mod import;
pub mod plan;
pub mod state;
pub mod sweeper;
