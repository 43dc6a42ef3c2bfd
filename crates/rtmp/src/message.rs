//! Typed RTMP messages (RTMP 1.0 specification §5.4 protocol control, §6.2 user control,
//! §7.1 command, data, audio and video messages).

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::Error;
use crate::chunk::reader::read_u32;
use crate::command::Command;

use self::type_id as t;

/// Message type ids (§5.4, §7.1).
pub mod type_id {
    /// Set Chunk Size (§5.4.1).
    pub const SET_CHUNK_SIZE: u8 = 1;
    /// Abort Message (§5.4.2).
    pub const ABORT: u8 = 2;
    /// Acknowledgement (§5.4.3).
    pub const ACKNOWLEDGEMENT: u8 = 3;
    /// User Control Message (§6.2).
    pub const USER_CONTROL: u8 = 4;
    /// Window Acknowledgement Size (§5.4.4).
    pub const WINDOW_ACK_SIZE: u8 = 5;
    /// Set Peer Bandwidth (§5.4.5).
    pub const SET_PEER_BANDWIDTH: u8 = 6;
    /// Audio message: an FLV audio tag body (§7.1.4).
    pub const AUDIO: u8 = 8;
    /// Video message: an FLV video tag body (§7.1.5).
    pub const VIDEO: u8 = 9;
    /// Data message, AMF3-encoded (§7.1.2).
    pub const DATA_AMF3: u8 = 15;
    /// Shared object message, AMF3-encoded (§7.1.3).
    pub const SHARED_OBJECT_AMF3: u8 = 16;
    /// Command message, AMF3-encoded (§7.1.1).
    pub const COMMAND_AMF3: u8 = 17;
    /// Data message, AMF0-encoded (§7.1.2).
    pub const DATA_AMF0: u8 = 18;
    /// Shared object message, AMF0-encoded (§7.1.3).
    pub const SHARED_OBJECT_AMF0: u8 = 19;
    /// Command message, AMF0-encoded (§7.1.1).
    pub const COMMAND_AMF0: u8 = 20;
    /// Aggregate message: several audio, video or data messages in one (§7.1.6).
    pub const AGGREGATE: u8 = 22;
}

/// Limit type of Set Peer Bandwidth (§5.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandwidthLimit {
    /// 0: limit output to the window size given.
    Hard,
    /// 1: limit output to the window size given or the limit already in effect, whichever
    /// is smaller.
    Soft,
    /// 2: hard if the previous limit was hard, otherwise ignored. Unknown values decode
    /// as this too.
    Dynamic,
}

impl BandwidthLimit {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Hard,
            1 => Self::Soft,
            _ => Self::Dynamic,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Self::Hard => 0,
            Self::Soft => 1,
            Self::Dynamic => 2,
        }
    }
}

/// User Control events (§6.2 / §7.1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserControl {
    /// Event 0: the stream with this id became functional (sent by a server after
    /// `createStream` or `publish`).
    StreamBegin(u32),
    /// Event 1: playback of the stream with this id is over.
    StreamEof(u32),
    /// Event 2: no more data is on the stream with this id.
    StreamDry(u32),
    /// Event 3: the client's buffer length for a stream.
    SetBufferLength {
        /// The stream.
        stream_id: u32,
        /// Its buffer, in milliseconds.
        millis: u32,
    },
    /// Event 4: the stream with this id is a recorded one.
    StreamIsRecorded(u32),
    /// Event 6: the server checks that the client is reachable; the value is a timestamp
    /// to echo.
    PingRequest(u32),
    /// Event 7: the answer to a ping request, echoing its timestamp.
    PingResponse(u32),
    /// An event type this crate does not interpret, kept as it came.
    Other {
        /// The event type.
        event_type: u16,
        /// The event data after the type.
        data: Bytes,
    },
}

impl UserControl {
    fn decode(mut p: Bytes) -> Result<Self, Error> {
        if p.len() < 2 {
            return Err(Error::ShortPayload {
                what: "User Control",
                len: p.len(),
            });
        }
        let event_type = p.get_u16();
        let need = match event_type {
            0..=2 | 4 | 6 | 7 => 4,
            3 => 8,
            _ => 0,
        };
        if p.len() < need {
            return Err(Error::ShortPayload {
                what: "User Control event",
                len: p.len() + 2,
            });
        }
        Ok(match event_type {
            0 => Self::StreamBegin(p.get_u32()),
            1 => Self::StreamEof(p.get_u32()),
            2 => Self::StreamDry(p.get_u32()),
            3 => Self::SetBufferLength {
                stream_id: p.get_u32(),
                millis: p.get_u32(),
            },
            4 => Self::StreamIsRecorded(p.get_u32()),
            6 => Self::PingRequest(p.get_u32()),
            7 => Self::PingResponse(p.get_u32()),
            _ => Self::Other {
                event_type,
                data: p,
            },
        })
    }

    fn encode(&self, out: &mut BytesMut) {
        let (t, a) = match self {
            Self::StreamBegin(v) => (0, *v),
            Self::StreamEof(v) => (1, *v),
            Self::StreamDry(v) => (2, *v),
            Self::SetBufferLength { stream_id, millis } => {
                out.put_u16(3);
                out.put_u32(*stream_id);
                out.put_u32(*millis);
                return;
            }
            Self::StreamIsRecorded(v) => (4, *v),
            Self::PingRequest(v) => (6, *v),
            Self::PingResponse(v) => (7, *v),
            Self::Other { event_type, data } => {
                out.put_u16(*event_type);
                out.put_slice(data);
                return;
            }
        };
        out.put_u16(t);
        out.put_u32(a);
    }
}

/// One RTMP message with its payload interpreted.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The largest chunk the sender will use from now on.
    SetChunkSize(u32),
    /// Discard the partly received message on a chunk stream.
    Abort {
        /// The chunk stream.
        csid: u32,
    },
    /// Sent each time a window's worth of bytes has come (see [`Message::WindowAckSize`]).
    Acknowledgement {
        /// The bytes received so far.
        sequence: u32,
    },
    /// A User Control event.
    UserControl(UserControl),
    /// The acknowledgement window: the peer receiving this sends an Acknowledgement each time
    /// it has received this many more bytes.
    WindowAckSize(u32),
    /// Limits the peer's output bandwidth (§5.4.5).
    SetPeerBandwidth {
        /// The window size in bytes.
        size: u32,
        /// How to apply it.
        limit: BandwidthLimit,
    },
    /// An FLV audio tag body.
    Audio(Bytes),
    /// An FLV video tag body.
    Video(Bytes),
    /// A data message (`@setDataFrame`, `onMetaData`, ...), AMF0 or AMF3-wrapped.
    Data(Vec<amf0::Value>),
    /// A command message, AMF0 or AMF3-wrapped.
    Command(Command),
    /// A message type this crate does not interpret (shared objects, aggregates, ...).
    Other {
        /// The message type id.
        type_id: u8,
        /// The payload, uninterpreted.
        payload: Bytes,
    },
}

impl Message {
    /// Interprets a reassembled payload.
    pub fn decode(type_id: u8, payload: Bytes) -> Result<Self, Error> {
        Ok(match type_id {
            t::SET_CHUNK_SIZE => Self::SetChunkSize(read_u32(&payload, "Set Chunk Size")?),
            t::ABORT => Self::Abort {
                csid: read_u32(&payload, "Abort Message")?,
            },
            t::ACKNOWLEDGEMENT => Self::Acknowledgement {
                sequence: read_u32(&payload, "Acknowledgement")?,
            },
            t::USER_CONTROL => Self::UserControl(UserControl::decode(payload)?),
            t::WINDOW_ACK_SIZE => Self::WindowAckSize(read_u32(&payload, "Window Ack Size")?),
            t::SET_PEER_BANDWIDTH => {
                if payload.len() < 5 {
                    return Err(Error::ShortPayload {
                        what: "Set Peer Bandwidth",
                        len: payload.len(),
                    });
                }
                Self::SetPeerBandwidth {
                    size: read_u32(&payload, "Set Peer Bandwidth")?,
                    limit: BandwidthLimit::from_u8(payload[4]),
                }
            }
            t::AUDIO => Self::Audio(payload),
            t::VIDEO => Self::Video(payload),
            t::DATA_AMF0 => Self::Data(decode_values(&payload)?),
            t::DATA_AMF3 => Self::Data(decode_values(strip_amf3_prefix(&payload))?),
            t::COMMAND_AMF0 => Self::Command(Command::from_values(decode_values(&payload)?)?),
            t::COMMAND_AMF3 => Self::Command(Command::from_values(decode_values(
                strip_amf3_prefix(&payload),
            )?)?),
            _ => Self::Other { type_id, payload },
        })
    }

    /// The type id it is sent with; data and commands are sent as AMF0.
    pub fn type_id(&self) -> u8 {
        match self {
            Self::SetChunkSize(_) => t::SET_CHUNK_SIZE,
            Self::Abort { .. } => t::ABORT,
            Self::Acknowledgement { .. } => t::ACKNOWLEDGEMENT,
            Self::UserControl(_) => t::USER_CONTROL,
            Self::WindowAckSize(_) => t::WINDOW_ACK_SIZE,
            Self::SetPeerBandwidth { .. } => t::SET_PEER_BANDWIDTH,
            Self::Audio(_) => t::AUDIO,
            Self::Video(_) => t::VIDEO,
            Self::Data(_) => t::DATA_AMF0,
            Self::Command(_) => t::COMMAND_AMF0,
            Self::Other { type_id, .. } => *type_id,
        }
    }

    /// The payload as sent; data and commands are always written as AMF0.
    pub fn encode_payload(&self) -> Bytes {
        let mut out = BytesMut::new();
        match self {
            Self::SetChunkSize(v)
            | Self::Abort { csid: v }
            | Self::Acknowledgement { sequence: v }
            | Self::WindowAckSize(v) => out.put_u32(*v),
            Self::UserControl(u) => u.encode(&mut out),
            Self::SetPeerBandwidth { size, limit } => {
                out.put_u32(*size);
                out.put_u8(limit.to_u8());
            }
            Self::Audio(b) | Self::Video(b) | Self::Other { payload: b, .. } => return b.clone(),
            Self::Data(values) => amf0::encode_all(values, &mut out),
            Self::Command(c) => c.encode(&mut out),
        }
        out.freeze()
    }
}

/// AMF3 command and data messages start with one format byte, 0, after which some clients
/// (Flash with `objectEncoding = 3`) still write AMF0 values.
fn strip_amf3_prefix(p: &[u8]) -> &[u8] {
    match p.first() {
        Some(0) => &p[1..],
        _ => p,
    }
}

/// Decodes AMF0 values, stopping at an AMF3 switch marker so that the name and transaction id
/// before it still reach the command handler. Values after the marker are AMF3, which liboo
/// has no use for in a publish session.
fn decode_values(p: &[u8]) -> Result<Vec<amf0::Value>, Error> {
    let mut d = amf0::Decoder::new(p);
    let mut out = Vec::new();
    while !d.is_empty() {
        match d.decode_value() {
            Ok(v) => out.push(v),
            Err(amf0::Amf0Error::Amf3Switch { .. }) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}
