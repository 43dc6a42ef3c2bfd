//! Reassembles messages from chunks.

use std::collections::HashMap;

use bytes::{Buf, Bytes, BytesMut};

use super::{DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP, RawMessage};
use crate::Error;
use crate::message::type_id;

/// Hard caps on what a peer can make the chunk reader hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLimits {
    /// Largest chunk size a peer may set. A whole chunk is buffered before it is parsed, so
    /// this also bounds the input buffer. OBS uses 4096, ffmpeg 128 to 65536; 16 MiB is the
    /// largest message anyway, so a bigger chunk means nothing.
    pub max_chunk_size: u32,
    /// Largest message length accepted in a chunk message header. The 24-bit length field
    /// allows up to 16 MiB; a 4K keyframe at a high bitrate stays below 4 MiB, so 8 MiB leaves
    /// headroom while halving what one message can pin.
    pub max_message_len: u32,
    /// Chunk streams remembered at once. Each needs a header and maybe a partial message;
    /// publishers use fewer than ten.
    pub max_chunk_streams: usize,
    /// Bytes held across all partially received messages. Without it, a peer could start a
    /// 16 MiB message on each of the chunk streams and never finish them.
    pub max_partial_bytes: usize,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        Self {
            max_chunk_size: 1 << 24,
            max_message_len: 8 << 20,
            max_chunk_streams: 64,
            max_partial_bytes: 32 << 20,
        }
    }
}

/// What the reader remembers about one chunk stream for header compression.
#[derive(Debug, Default)]
struct ChunkStream {
    /// Absolute timestamp of the current or last message.
    timestamp: u32,
    /// The timestamp field of the last type 0, 1 or 2 header (with the extended timestamp
    /// applied): an absolute time after type 0, a delta after types 1 and 2. A type 3 header
    /// that starts a new message adds this, which is what ffmpeg and librtmp do when the
    /// previous header was type 0.
    field: u32,
    length: u32,
    type_id: u8,
    stream_id: u32,
    /// Whether the last type 0, 1 or 2 header used an extended timestamp; type 3 chunks then
    /// carry one too.
    extended: bool,
    /// The message being reassembled, if any.
    partial: Option<BytesMut>,
}

/// Reassembles messages from the chunk stream. Feed bytes with [`extend`](Self::extend), then
/// call [`read_message`](Self::read_message) until it returns `Ok(None)`.
///
/// Set Chunk Size and Abort Message take effect inside the reader as soon as they are
/// reassembled, since they change how the next chunk is parsed; they are still returned.
#[derive(Debug)]
pub struct ChunkReader {
    buf: BytesMut,
    chunk_size: u32,
    limits: ReaderLimits,
    streams: HashMap<u32, ChunkStream>,
    partial_bytes: usize,
}

impl Default for ChunkReader {
    fn default() -> Self {
        Self::new(ReaderLimits::default())
    }
}

/// A message that has begun to arrive and is not complete yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incomplete {
    /// Its message type ([`crate::message::type_id`]).
    pub type_id: u8,
    /// A lower bound on the bytes still to come before it is complete: its missing payload
    /// less what is buffered, not counting the chunk headers still to come. At least 1.
    pub missing: usize,
}

/// A parsed chunk header, not yet applied to the chunk stream state.
struct Header {
    fmt: u8,
    csid: u32,
    len: usize,
    timestamp: u32,
    field: u32,
    length: u32,
    type_id: u8,
    stream_id: u32,
    extended: bool,
    new_message: bool,
}

impl ChunkReader {
    /// A reader at the start of a chunk stream, with the default chunk size of 128.
    pub fn new(limits: ReaderLimits) -> Self {
        Self {
            buf: BytesMut::new(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            limits,
            streams: HashMap::new(),
            partial_bytes: 0,
        }
    }

    /// The chunk size the peer is currently sending with.
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// Bytes fed but not yet parsed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The message the bytes fed so far leave incomplete: the one the buffered chunk
    /// belongs to when its header is buffered, otherwise the partial message closest to
    /// complete. `None` when the buffer ends on a message boundary (or on a chunk header
    /// cut short, with no message in progress). Meant for read scheduling: a caller can
    /// wait for `missing` bytes before reading again.
    pub fn incomplete(&self) -> Option<Incomplete> {
        if let Ok(Some(h)) = self.parse_header() {
            let have = self
                .streams
                .get(&h.csid)
                .and_then(|s| s.partial.as_ref())
                .map_or(0, BytesMut::len);
            let buffered = self.buf.len() - h.len;
            return Some(Incomplete {
                type_id: h.type_id,
                missing: (h.length as usize).saturating_sub(have + buffered).max(1),
            });
        }
        self.streams
            .values()
            .filter_map(|s| {
                let have = s.partial.as_ref()?.len();
                Some(Incomplete {
                    type_id: s.type_id,
                    missing: (s.length as usize)
                        .saturating_sub(have + self.buf.len())
                        .max(1),
                })
            })
            .min_by_key(|i| i.missing)
    }

    /// Appends bytes from the socket; [`read_message`](Self::read_message) parses them.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Applies a chunk size announced by the peer, checking it against the limits.
    pub fn set_chunk_size(&mut self, size: u32) -> Result<(), Error> {
        // §5.4.1: the most significant bit must be zero, and the size at least 1.
        if size == 0 || size > 0x7FFF_FFFF {
            return Err(Error::InvalidChunkSize(size));
        }
        if size > self.limits.max_chunk_size {
            return Err(Error::ChunkSizeTooLarge {
                size,
                limit: self.limits.max_chunk_size,
            });
        }
        self.chunk_size = size;
        Ok(())
    }

    /// Drops the partial message on `csid` (Abort Message, §5.4.2).
    pub fn abort(&mut self, csid: u32) {
        if let Some(p) = self.streams.get_mut(&csid).and_then(|s| s.partial.take()) {
            self.partial_bytes -= p.len();
        }
    }

    /// Parses buffered chunks until a message is complete (`Ok(Some)`) or more bytes are
    /// needed (`Ok(None)`).
    pub fn read_message(&mut self) -> Result<Option<RawMessage>, Error> {
        loop {
            let Some(h) = self.parse_header()? else {
                return Ok(None);
            };
            let partial_len = self
                .streams
                .get(&h.csid)
                .and_then(|s| s.partial.as_ref())
                .map_or(0, BytesMut::len);
            let remaining = h.length as usize - partial_len;
            let take = remaining.min(self.chunk_size as usize);
            // A type 3 continuation chunk may or may not repeat the extended timestamp; see
            // `parse_header`. Its four bytes are only consumed if they were judged present.
            if self.buf.len() < h.len + take {
                return Ok(None);
            }
            if self.partial_bytes + take > self.limits.max_partial_bytes {
                return Err(Error::PartialBytesExceeded {
                    limit: self.limits.max_partial_bytes,
                });
            }
            if !self.streams.contains_key(&h.csid) {
                if self.streams.len() >= self.limits.max_chunk_streams {
                    return Err(Error::TooManyChunkStreams {
                        limit: self.limits.max_chunk_streams,
                    });
                }
                self.streams.insert(h.csid, ChunkStream::default());
            }
            self.buf.advance(h.len);
            let data = self.buf.split_to(take);
            let s = self.streams.get_mut(&h.csid).expect("inserted above");
            if h.new_message {
                s.timestamp = h.timestamp;
                s.length = h.length;
                s.type_id = h.type_id;
                s.stream_id = h.stream_id;
                if h.fmt < 3 {
                    s.field = h.field;
                    s.extended = h.extended;
                }
            }
            let partial = s.partial.get_or_insert_with(|| {
                // Reserve at most one chunk up front: a header may claim 16 MiB that never comes.
                BytesMut::with_capacity(take)
            });
            partial.extend_from_slice(&data);
            self.partial_bytes += take;
            if partial.len() < s.length as usize {
                continue;
            }
            let payload = s.partial.take().expect("just filled").freeze();
            self.partial_bytes -= payload.len();
            let msg = RawMessage {
                csid: h.csid,
                timestamp: s.timestamp,
                type_id: s.type_id,
                stream_id: s.stream_id,
                payload,
            };
            self.apply_control(&msg)?;
            return Ok(Some(msg));
        }
    }

    fn apply_control(&mut self, msg: &RawMessage) -> Result<(), Error> {
        if msg.stream_id != 0 {
            return Ok(());
        }
        match msg.type_id {
            type_id::SET_CHUNK_SIZE => {
                self.set_chunk_size(read_u32(&msg.payload, "Set Chunk Size")?)
            }
            type_id::ABORT => {
                self.abort(read_u32(&msg.payload, "Abort Message")?);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Parses the chunk header at the start of the buffer without consuming it.
    fn parse_header(&self) -> Result<Option<Header>, Error> {
        let b = &self.buf[..];
        let Some(&b0) = b.first() else {
            return Ok(None);
        };
        let fmt = b0 >> 6;
        let (csid, mut pos) = match b0 & 0x3F {
            0 if b.len() >= 2 => (64 + b[1] as u32, 2),
            1 if b.len() >= 3 => (64 + b[1] as u32 + 256 * b[2] as u32, 3),
            0 | 1 => return Ok(None),
            n => (n as u32, 1),
        };
        let mh_len = [11, 7, 3, 0][fmt as usize];
        if b.len() < pos + mh_len {
            return Ok(None);
        }
        let prev = self.streams.get(&csid);
        let in_progress = prev.is_some_and(|s| s.partial.is_some());
        if fmt != 0 && prev.is_none() {
            return Err(Error::NoPreviousHeader { csid, fmt });
        }
        // Only a type 3 chunk may continue a message (§5.3.1.2.4).
        if fmt != 3 && in_progress {
            return Err(Error::InterruptedMessage { csid, fmt });
        }
        let u24 = |i: usize| u32::from_be_bytes([0, b[i], b[i + 1], b[i + 2]]);
        let (mut field, length, type_id, stream_id) = match (fmt, prev) {
            (0, _) => (
                u24(pos),
                u24(pos + 3),
                b[pos + 6],
                u32::from_le_bytes([b[pos + 7], b[pos + 8], b[pos + 9], b[pos + 10]]),
            ),
            (1, Some(p)) => (u24(pos), u24(pos + 3), b[pos + 6], p.stream_id),
            (2, Some(p)) => (u24(pos), p.length, p.type_id, p.stream_id),
            (_, Some(p)) => (p.field, p.length, p.type_id, p.stream_id),
            (_, None) => unreachable!("checked above"),
        };
        pos += mh_len;
        let mut extended = fmt < 3 && field == EXTENDED_TIMESTAMP;
        if fmt == 3 && prev.is_some_and(|p| p.extended) {
            if b.len() < pos + 4 {
                return Ok(None);
            }
            let ext = u32::from_be_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]);
            // A type 3 chunk after an extended timestamp repeats it. Some encoders leave it out
            // of continuation chunks; if the four bytes are not the expected value they are
            // payload, not a timestamp.
            if !in_progress || ext == field {
                pos += 4;
            }
            extended = true;
        } else if extended {
            if b.len() < pos + 4 {
                return Ok(None);
            }
            field = u32::from_be_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]);
            pos += 4;
        }
        if fmt <= 1 && length > self.limits.max_message_len {
            return Err(Error::MessageTooLarge {
                csid,
                length,
                limit: self.limits.max_message_len,
            });
        }
        let timestamp = match (fmt, prev) {
            (0, _) => field,
            (_, Some(p)) if !in_progress => p.timestamp.wrapping_add(field),
            (_, Some(p)) => p.timestamp,
            (_, None) => unreachable!("checked above"),
        };
        Ok(Some(Header {
            fmt,
            csid,
            len: pos,
            timestamp,
            field,
            length,
            type_id,
            stream_id,
            extended,
            new_message: !in_progress,
        }))
    }
}

pub(crate) fn read_u32(payload: &Bytes, what: &'static str) -> Result<u32, Error> {
    match payload.get(..4) {
        Some(b) => Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(Error::ShortPayload {
            what,
            len: payload.len(),
        }),
    }
}
