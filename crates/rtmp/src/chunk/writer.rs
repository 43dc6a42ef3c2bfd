//! Splits messages into chunks, compressing headers against the previous message on the same
//! chunk stream.

use std::collections::HashMap;

use bytes::{BufMut, BytesMut};

use super::{DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP, RawMessage};

#[derive(Debug, Clone, Copy)]
struct LastHeader {
    timestamp: u32,
    /// Timestamp field of the last type 0/1/2 header (absolute after type 0, delta after 1/2).
    field: u32,
    /// True when `field` is a delta, i.e. the last full header was type 1 or 2.
    field_is_delta: bool,
    length: u32,
    type_id: u8,
    stream_id: u32,
}

/// Writes messages as chunks. Each message is written whole, so chunks of different messages
/// never interleave on the wire.
#[derive(Debug)]
pub struct ChunkWriter {
    chunk_size: u32,
    last: HashMap<u32, LastHeader>,
}

impl Default for ChunkWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkWriter {
    /// A writer at the start of a chunk stream, with the default chunk size of 128.
    pub fn new() -> Self {
        Self {
            chunk_size: DEFAULT_CHUNK_SIZE,
            last: HashMap::new(),
        }
    }

    /// The size of chunks it writes.
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// Changes the size of chunks written from now on. Call it right after writing the Set
    /// Chunk Size message that announces it; the peer switches when it reads that message.
    pub fn set_chunk_size(&mut self, size: u32) {
        self.chunk_size = size.clamp(1, 0x7FFF_FFFF);
    }

    /// Appends `msg` to `out` as chunks on chunk stream `msg.csid` (2 to 65599).
    pub fn write(&mut self, msg: &RawMessage, out: &mut BytesMut) {
        let length = msg.payload.len() as u32;
        let prev = self.last.get(&msg.csid).copied();
        let delta = prev.map(|p| msg.timestamp.wrapping_sub(p.timestamp));
        // A delta with the top bit set means time went backwards (or wrapped past 2^31):
        // only an absolute type 0 header can say that.
        let (fmt, field) = match (prev, delta) {
            (Some(p), Some(d)) if p.stream_id == msg.stream_id && d < 0x8000_0000 => {
                if p.type_id == msg.type_id && p.length == length {
                    // Type 3 for a new message reuses the previous delta. Only use it after a
                    // type 1 or 2 header, where every implementation agrees what the delta is.
                    if p.field_is_delta && p.field == d {
                        (3, d)
                    } else {
                        (2, d)
                    }
                } else {
                    (1, d)
                }
            }
            _ => (0, msg.timestamp),
        };
        let extended = field >= EXTENDED_TIMESTAMP;
        let ts_field = field.min(EXTENDED_TIMESTAMP);
        write_basic_header(out, fmt, msg.csid);
        match fmt {
            0 => {
                put_u24(out, ts_field);
                put_u24(out, length);
                out.put_u8(msg.type_id);
                out.put_u32_le(msg.stream_id);
            }
            1 => {
                put_u24(out, ts_field);
                put_u24(out, length);
                out.put_u8(msg.type_id);
            }
            2 => put_u24(out, ts_field),
            _ => {}
        }
        // For a type 3 header the previous header decides: it had an extended timestamp
        // exactly when `field` (unchanged) was that large.
        if extended {
            out.put_u32(field);
        }
        let chunk = self.chunk_size as usize;
        let mut rest = &msg.payload[..];
        let first = rest.len().min(chunk);
        out.put_slice(&rest[..first]);
        rest = &rest[first..];
        while !rest.is_empty() {
            write_basic_header(out, 3, msg.csid);
            // Continuation chunks repeat the extended timestamp (the rule ffmpeg, OBS and
            // Flash Media Server follow).
            if extended {
                out.put_u32(field);
            }
            let n = rest.len().min(chunk);
            out.put_slice(&rest[..n]);
            rest = &rest[n..];
        }
        let (field, field_is_delta) = match fmt {
            3 => (prev.map_or(field, |p| p.field), true),
            0 => (field, false),
            _ => (field, true),
        };
        self.last.insert(
            msg.csid,
            LastHeader {
                timestamp: msg.timestamp,
                field,
                field_is_delta,
                length,
                type_id: msg.type_id,
                stream_id: msg.stream_id,
            },
        );
    }
}

fn put_u24(out: &mut BytesMut, v: u32) {
    out.put_slice(&v.to_be_bytes()[1..]);
}

/// Basic header (§5.3.1.1): one, two or three bytes depending on the chunk stream id.
fn write_basic_header(out: &mut BytesMut, fmt: u8, csid: u32) {
    let f = fmt << 6;
    match csid {
        2..=63 => out.put_u8(f | csid as u8),
        64..=319 => {
            out.put_u8(f);
            out.put_u8((csid - 64) as u8);
        }
        _ => {
            let c = csid.clamp(320, 65599) - 64;
            out.put_u8(f | 1);
            out.put_u8((c & 0xFF) as u8);
            out.put_u8((c >> 8) as u8);
        }
    }
}
