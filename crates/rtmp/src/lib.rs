//! Sans-IO RTMP for liboo's ingest: the handshake, the chunk stream, typed messages, the
//! publish command flow, and server and client sessions built from them.
//!
//! Follows the Adobe *Real-Time Messaging Protocol (RTMP) Specification 1.0* (December 2012):
//! §5.2 handshake, §5.3 chunking, §5.4 protocol control messages, §6.2 user control messages and
//! §7 RTMP command messages, with the `releaseStream` / `FCPublish` / `FCUnpublish` commands and
//! the `@setDataFrame` data message that Flash Media Live Encoder, OBS and ffmpeg add to it. The
//! server also answers the Flash Player 9 digest handshake (see [`handshake`]). Commands and
//! data are AMF0 ([`amf0`]); AMF3-wrapped command messages (type 17) are accepted when they
//! carry AMF0 after their format byte, as clients using them do.
//!
//! Nothing here performs I/O or reads a clock. [`session::ServerSession`] and
//! [`session::ClientSession`] take socket bytes through `feed`, report [`session::ServerEvent`]s
//! or [`session::ClientEvent`]s, and queue bytes to send for `take_output`. Every size and count
//! a peer controls is capped by [`chunk::ReaderLimits`] (and [`amf0::Limits`]), each with its
//! own [`Error`] variant.

#![warn(missing_docs)]

pub mod chunk;
pub mod command;
mod error;
pub mod handshake;
pub mod message;
pub mod session;
mod sha256;

pub use error::Error;
pub use session::{
    ClientConfig, ClientEvent, ClientSession, ServerConfig, ServerEvent, ServerSession,
};
