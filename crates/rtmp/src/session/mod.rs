//! Sans-IO sessions: a server that accepts publishers and a client that publishes.
//!
//! Both take socket bytes through `feed`, hold the bytes to send until `take_output`, and report
//! what happened through `poll_event`. The handshake is run inside, so the owner only shovels
//! bytes between the socket and the session.

mod client;
mod server;

use std::hash::BuildHasher;

use bytes::{Bytes, BytesMut};

pub use client::{ClientConfig, ClientEvent, ClientSession};
pub use server::{ServerConfig, ServerEvent, ServerSession};

use crate::Error;
use crate::chunk::{ChunkReader, ChunkWriter, RawMessage, ReaderLimits, csid};
use crate::message::{Message, UserControl};

/// A seed for handshake filler bytes from std's per-process random hasher keys, so that no
/// random-number crate is needed.
fn random_seed() -> u64 {
    std::hash::RandomState::new().hash_one(0x5EED_u64)
}

/// The chunk layer shared by both sessions: reassembles incoming messages, answers the
/// protocol control and user control messages that need no decision from the session, and
/// writes outgoing messages.
#[derive(Debug)]
struct Transport {
    reader: ChunkReader,
    writer: ChunkWriter,
    output: BytesMut,
    /// Bytes received on the chunk stream, for Acknowledgement (§5.4.3).
    received: u64,
    /// The peer's Window Acknowledgement Size: acknowledge every this many bytes.
    peer_window: Option<u32>,
    last_ack: u64,
    /// The last Window Acknowledgement Size this side announced.
    own_window: Option<u32>,
}

impl Transport {
    fn new(limits: ReaderLimits) -> Self {
        Self {
            reader: ChunkReader::new(limits),
            writer: ChunkWriter::new(),
            output: BytesMut::new(),
            received: 0,
            peer_window: None,
            last_ack: 0,
            own_window: None,
        }
    }

    fn send(&mut self, csid: u32, stream_id: u32, timestamp: u32, msg: &Message) {
        let raw = RawMessage {
            csid,
            timestamp,
            type_id: msg.type_id(),
            stream_id,
            payload: msg.encode_payload(),
        };
        self.writer.write(&raw, &mut self.output);
        match msg {
            Message::SetChunkSize(size) => self.writer.set_chunk_size(*size),
            Message::WindowAckSize(size) => self.own_window = Some(*size),
            _ => {}
        }
    }

    fn send_control(&mut self, msg: &Message) {
        self.send(csid::PROTOCOL_CONTROL, 0, 0, msg);
    }

    fn extend(&mut self, bytes: &[u8]) {
        self.reader.extend(bytes);
        self.received += bytes.len() as u64;
    }

    /// The next message that the session must handle. Protocol control messages are handled
    /// here and not returned.
    fn next_message(&mut self) -> Result<Option<(RawMessage, Message)>, Error> {
        while let Some(raw) = self.reader.read_message()? {
            self.maybe_acknowledge();
            let msg = Message::decode(raw.type_id, raw.payload.clone())?;
            match msg {
                // Applied by the reader already.
                Message::SetChunkSize(_) | Message::Abort { .. } => {}
                Message::Acknowledgement { .. } => {}
                Message::WindowAckSize(size) => self.peer_window = Some(size),
                Message::SetPeerBandwidth { size, .. } => {
                    // §5.4.5: answer with Window Acknowledgement Size if it differs from the
                    // last one sent.
                    if self.own_window != Some(size) {
                        self.send_control(&Message::WindowAckSize(size));
                    }
                }
                Message::UserControl(UserControl::PingRequest(t)) => {
                    self.send_control(&Message::UserControl(UserControl::PingResponse(t)));
                }
                Message::UserControl(_) => {}
                _ => return Ok(Some((raw, msg))),
            }
        }
        self.maybe_acknowledge();
        Ok(None)
    }

    fn maybe_acknowledge(&mut self) {
        let Some(window) = self.peer_window else {
            return;
        };
        if window > 0 && self.received - self.last_ack >= u64::from(window) {
            self.last_ack = self.received;
            // The sequence number is the byte count so far, wrapping at 2^32.
            self.send_control(&Message::Acknowledgement {
                sequence: self.received as u32,
            });
        }
    }

    fn take_output(&mut self) -> Bytes {
        self.output.split().freeze()
    }
}
