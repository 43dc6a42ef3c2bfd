//! Server side of a publishing connection.

use std::collections::{HashMap, VecDeque};

use amf0::Value;
use bytes::Bytes;

use super::{Transport, random_seed};
use crate::Error;
use crate::chunk::{Incomplete, RawMessage, ReaderLimits, csid};
use crate::command::{Command, name, status};
use crate::handshake::{HandshakeKind, ServerHandshake};
use crate::message::{BandwidthLimit, Message, UserControl};

/// Settings of a [`ServerSession`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Chunk size announced right after `connect`. Larger chunks mean fewer headers; 4096 is
    /// what OBS and nginx-rtmp use.
    pub chunk_size: u32,
    /// Window Acknowledgement Size sent after `connect`.
    pub window_ack_size: u32,
    /// Set Peer Bandwidth sent after `connect`.
    pub peer_bandwidth: u32,
    /// Caps on what the client's chunk stream may make the session hold.
    pub limits: ReaderLimits,
    /// Message streams one connection may create. A publisher needs one; the cap stops a
    /// client that calls `createStream` in a loop.
    pub max_streams: usize,
    /// Seed for the handshake's filler bytes; `None` draws one.
    pub seed: Option<u64>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            chunk_size: 4096,
            window_ack_size: 2_500_000,
            peer_bandwidth: 2_500_000,
            limits: ReaderLimits::default(),
            max_streams: 8,
            seed: None,
        }
    }
}

/// What the server session reports to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerEvent {
    /// The client sent `connect`; the session has already accepted it.
    Connected {
        /// The `app` of the command object, without a trailing `/`.
        app: String,
        /// The `tcUrl` of the command object, if it has one.
        tc_url: Option<String>,
    },
    /// The client wants to publish. Answer with [`ServerSession::accept_publish`] or
    /// [`ServerSession::reject_publish`]; until then its media is dropped.
    PublishRequested {
        /// The message stream it is to publish on.
        stream_id: u32,
        /// The application name from `connect`.
        app: String,
        /// The stream name of `publish`, never empty (an empty one is refused by the
        /// session itself with NetStream.Publish.BadName).
        stream_key: String,
        /// The publishing type argument (`live`, `record`, `append`); `live` when absent.
        publish_type: String,
    },
    /// `@setDataFrame` or bare `onMetaData`: the values after `@setDataFrame`, so
    /// `values[0]` is `"onMetaData"` and `values[1]` the metadata object or ECMA array.
    Metadata {
        /// The publishing message stream.
        stream_id: u32,
        /// The data message's values, `@setDataFrame` left out.
        values: Vec<Value>,
    },
    /// Any other data message on a publishing stream (`onTextData`, `onCuePoint`, ...).
    Data {
        /// The publishing message stream.
        stream_id: u32,
        /// Absolute timestamp in milliseconds, wrapped to 32 bits.
        timestamp: u32,
        /// The data message's values, its handler name first.
        values: Vec<Value>,
    },
    /// An FLV audio tag body. `timestamp` is absolute, wrapped to 32 bits.
    Audio {
        /// The publishing message stream.
        stream_id: u32,
        /// Absolute timestamp in milliseconds, wrapped to 32 bits.
        timestamp: u32,
        /// The tag body.
        data: Bytes,
    },
    /// An FLV video tag body. `timestamp` is absolute, wrapped to 32 bits.
    Video {
        /// The publishing message stream.
        stream_id: u32,
        /// Absolute timestamp in milliseconds, wrapped to 32 bits.
        timestamp: u32,
        /// The tag body.
        data: Bytes,
    },
    /// The publisher stopped (`FCUnpublish`, `closeStream` or `deleteStream`), or withdrew a
    /// publish request that was not answered yet.
    Unpublished {
        /// The message stream that stopped.
        stream_id: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StreamState {
    Created,
    PublishPending { key: String },
    Publishing { key: String },
    Rejected,
}

#[derive(Debug)]
enum Phase {
    Handshake(ServerHandshake),
    Chunks,
}

/// A sans-IO RTMP server connection: handshake, `connect`, and the publish commands.
///
/// ```text
/// session.feed(&socket_bytes)?;
/// while let Some(event) = session.poll_event() { ... }
/// socket.write_all(&session.take_output())
/// ```
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    phase: Phase,
    handshake_kind: Option<HandshakeKind>,
    transport: Transport,
    events: VecDeque<ServerEvent>,
    app: Option<String>,
    streams: HashMap<u32, StreamState>,
    next_stream_id: u32,
}

impl ServerSession {
    /// A session waiting for the client's C0 and C1.
    pub fn new(config: ServerConfig) -> Self {
        let seed = config.seed.unwrap_or_else(random_seed);
        Self {
            phase: Phase::Handshake(ServerHandshake::new(seed)),
            handshake_kind: None,
            transport: Transport::new(config.limits),
            events: VecDeque::new(),
            app: None,
            streams: HashMap::new(),
            next_stream_id: 1,
            config,
        }
    }

    /// Processes bytes read from the socket. After an error the connection should be closed;
    /// any output queued before it (such as a status reply) may still be written.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        if let Phase::Handshake(hs) = &mut self.phase {
            let used = hs.feed(bytes, &mut self.transport.output)?;
            bytes = &bytes[used..];
            if !hs.is_done() {
                return Ok(());
            }
            self.handshake_kind = hs.kind();
            self.phase = Phase::Chunks;
        }
        self.transport.extend(bytes);
        while let Some((raw, msg)) = self.transport.next_message()? {
            self.handle(raw, msg)?;
        }
        Ok(())
    }

    /// The next event the bytes fed so far produced, in order.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Bytes to write to the socket; empty when there is nothing to send.
    pub fn take_output(&mut self) -> Bytes {
        self.transport.take_output()
    }

    /// Whether [`take_output`](Self::take_output) has bytes to give.
    pub fn has_output(&self) -> bool {
        !self.transport.output.is_empty()
    }

    /// The message that the bytes fed so far leave incomplete, once the chunk stream has
    /// begun (see [`ChunkReader::incomplete`](crate::chunk::ChunkReader::incomplete)).
    pub fn incomplete(&self) -> Option<Incomplete> {
        match self.phase {
            Phase::Chunks => self.transport.reader.incomplete(),
            Phase::Handshake(_) => None,
        }
    }

    /// Whether the handshake is over (C2 read) and the chunk stream has begun.
    pub fn handshake_done(&self) -> bool {
        matches!(self.phase, Phase::Chunks)
    }

    /// Which handshake the client used, once it is complete.
    pub fn handshake_kind(&self) -> Option<HandshakeKind> {
        self.handshake_kind
    }

    /// The application name from `connect`.
    pub fn app(&self) -> Option<&str> {
        self.app.as_deref()
    }

    /// Whether a publish on `stream_id` was accepted and has not ended.
    pub fn is_publishing(&self, stream_id: u32) -> bool {
        matches!(
            self.streams.get(&stream_id),
            Some(StreamState::Publishing { .. })
        )
    }

    /// Accepts a pending publish: sends Stream Begin and `onStatus` NetStream.Publish.Start,
    /// after which the publisher sends metadata and media.
    pub fn accept_publish(&mut self, stream_id: u32) -> Result<(), Error> {
        let Some(StreamState::PublishPending { key }) = self.streams.get(&stream_id).cloned()
        else {
            return Err(self.no_pending(stream_id));
        };
        self.transport
            .send_control(&Message::UserControl(UserControl::StreamBegin(stream_id)));
        let desc = format!("{key} is now published.");
        self.send_command(
            stream_id,
            Command::on_status("status", status::PUBLISH_START, &desc),
        );
        self.streams
            .insert(stream_id, StreamState::Publishing { key });
        Ok(())
    }

    /// Refuses a pending publish with an error `onStatus`, e.g. `NetStream.Publish.BadName`
    /// for an unknown stream key or `NetStream.Publish.Denied`. Media on that stream is
    /// dropped; the owner usually closes the connection after flushing the output.
    pub fn reject_publish(
        &mut self,
        stream_id: u32,
        code: &str,
        description: &str,
    ) -> Result<(), Error> {
        if !matches!(
            self.streams.get(&stream_id),
            Some(StreamState::PublishPending { .. })
        ) {
            return Err(self.no_pending(stream_id));
        }
        self.refuse(stream_id, code, description);
        Ok(())
    }

    /// Ends an accepted publish with an `onStatus` error, for a stream the owner cannot
    /// take after all (its media turned out to be in a codec it does not handle). The
    /// owner should flush the output and close the connection.
    pub fn fail_publish(
        &mut self,
        stream_id: u32,
        code: &str,
        description: &str,
    ) -> Result<(), Error> {
        if !matches!(
            self.streams.get(&stream_id),
            Some(StreamState::Publishing { .. })
        ) {
            return Err(Error::InvalidState("no publish in progress on this stream"));
        }
        self.refuse(stream_id, code, description);
        Ok(())
    }

    /// Sends the error `onStatus` and drops whatever else comes on the stream.
    fn refuse(&mut self, stream_id: u32, code: &str, description: &str) {
        self.send_command(stream_id, Command::on_status("error", code, description));
        self.streams.insert(stream_id, StreamState::Rejected);
    }

    fn no_pending(&self, stream_id: u32) -> Error {
        match self.streams.get(&stream_id) {
            None => Error::UnknownStream(stream_id),
            Some(_) => Error::InvalidState("no publish request pending on this stream"),
        }
    }

    fn send_command(&mut self, stream_id: u32, cmd: Command) {
        self.transport
            .send(csid::COMMAND, stream_id, 0, &Message::Command(cmd));
    }

    fn handle(&mut self, raw: RawMessage, msg: Message) -> Result<(), Error> {
        let stream_id = raw.stream_id;
        let publishing = self.is_publishing(stream_id);
        match msg {
            Message::Command(cmd) => self.command(stream_id, cmd)?,
            // Media and data for a stream that is not (yet) publishing are dropped: publishers
            // wait for NetStream.Publish.Start, so only a misbehaving client sends them early.
            Message::Audio(data) if publishing => {
                self.events.push_back(ServerEvent::Audio {
                    stream_id,
                    timestamp: raw.timestamp,
                    data,
                });
            }
            Message::Video(data) if publishing => {
                self.events.push_back(ServerEvent::Video {
                    stream_id,
                    timestamp: raw.timestamp,
                    data,
                });
            }
            Message::Data(values) if publishing => {
                let event = match values.first().and_then(Value::as_str) {
                    Some(name::SET_DATA_FRAME) => ServerEvent::Metadata {
                        stream_id,
                        values: values[1..].to_vec(),
                    },
                    Some(name::ON_METADATA) => ServerEvent::Metadata { stream_id, values },
                    _ => ServerEvent::Data {
                        stream_id,
                        timestamp: raw.timestamp,
                        values,
                    },
                };
                self.events.push_back(event);
            }
            _ => {}
        }
        Ok(())
    }

    fn command(&mut self, stream_id: u32, cmd: Command) -> Result<(), Error> {
        let tid = cmd.transaction_id;
        if cmd.name == name::CONNECT {
            return self.connect(cmd);
        }
        let Some(app) = self.app.clone() else {
            return Err(Error::InvalidState("command before connect"));
        };
        match cmd.name.as_str() {
            name::RELEASE_STREAM => {
                self.send_command(0, Command::result(tid, Value::Null, vec![Value::Undefined]))
            }
            name::FC_PUBLISH => {
                let key = cmd.arg_str(0).unwrap_or_default().to_owned();
                self.send_command(0, Command::on_fc_publish(status::PUBLISH_START, &key));
                self.send_command(0, Command::result(tid, Value::Null, vec![Value::Undefined]));
            }
            name::CREATE_STREAM => {
                if self.streams.len() >= self.config.max_streams {
                    self.send_command(
                        0,
                        Command::error(tid, status::CALL_FAILED, "too many streams"),
                    );
                    return Err(Error::TooManyStreams {
                        limit: self.config.max_streams,
                    });
                }
                let id = self.next_stream_id;
                self.next_stream_id += 1;
                self.streams.insert(id, StreamState::Created);
                self.send_command(
                    0,
                    Command::result(tid, Value::Null, vec![Value::Number(id.into())]),
                );
            }
            name::PUBLISH => self.publish(stream_id, app, &cmd)?,
            name::FC_UNPUBLISH => {
                let key = cmd.arg_str(0).unwrap_or_default();
                let found = self.streams.iter().find_map(|(id, s)| match s {
                    StreamState::Publishing { key: k } | StreamState::PublishPending { key: k }
                        if k == key =>
                    {
                        Some(*id)
                    }
                    _ => None,
                });
                // OBS sends FCUnpublish with the key; ffmpeg too. If the name does not
                // match, there is nothing to stop and `deleteStream` will follow anyway.
                if let Some(id) = found {
                    self.unpublish(id);
                }
                if tid != 0.0 {
                    self.send_command(0, Command::result(tid, Value::Null, vec![Value::Undefined]));
                }
            }
            name::CLOSE_STREAM => self.unpublish(stream_id),
            name::DELETE_STREAM => {
                let id = cmd
                    .args
                    .first()
                    .and_then(Value::as_number)
                    .map_or(stream_id, |n| n as u32);
                self.unpublish(id);
                self.streams.remove(&id);
            }
            // Anything else that expects an answer gets `_error`, so the client does not wait.
            _ if tid != 0.0 => {
                let desc = format!("Method not found ({})", cmd.name);
                self.send_command(0, Command::error(tid, status::CALL_FAILED, &desc));
            }
            _ => {}
        }
        Ok(())
    }

    fn connect(&mut self, cmd: Command) -> Result<(), Error> {
        if self.app.is_some() {
            return Err(Error::InvalidState("second connect on one connection"));
        }
        let app = cmd
            .object
            .get("app")
            .and_then(Value::as_str)
            .ok_or(Error::MalformedCommand("connect without app"))?
            .trim_end_matches('/')
            .to_owned();
        let tc_url = cmd
            .object
            .get("tcUrl")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let object_encoding = cmd
            .object
            .get("objectEncoding")
            .and_then(Value::as_number)
            .unwrap_or(0.0);
        // Window size, peer bandwidth and chunk size go before `_result` (§7.2.1.1), so the
        // client parses the reply with the new chunk size already in force.
        let c = &self.config;
        let (window, bandwidth, chunk) = (c.window_ack_size, c.peer_bandwidth, c.chunk_size);
        self.transport.send_control(&Message::WindowAckSize(window));
        self.transport.send_control(&Message::SetPeerBandwidth {
            size: bandwidth,
            limit: BandwidthLimit::Dynamic,
        });
        self.transport.send_control(&Message::SetChunkSize(chunk));
        self.send_command(
            0,
            Command::connect_result(cmd.transaction_id, object_encoding),
        );
        self.app = Some(app.clone());
        self.events
            .push_back(ServerEvent::Connected { app, tc_url });
        Ok(())
    }

    fn publish(&mut self, stream_id: u32, app: String, cmd: &Command) -> Result<(), Error> {
        match self.streams.get(&stream_id) {
            Some(StreamState::Created) => {}
            None => return Err(Error::UnknownStream(stream_id)),
            Some(_) => {
                return Err(Error::InvalidState(
                    "publish on a stream that already published",
                ));
            }
        }
        let stream_key = match cmd.arg_str(0) {
            Some(k) if !k.is_empty() => k.to_owned(),
            _ => {
                let reply =
                    Command::on_status("error", status::PUBLISH_BAD_NAME, "No stream name given.");
                self.send_command(stream_id, reply);
                return Ok(());
            }
        };
        let publish_type = cmd.arg_str(1).unwrap_or("live").to_owned();
        self.streams.insert(
            stream_id,
            StreamState::PublishPending {
                key: stream_key.clone(),
            },
        );
        self.events.push_back(ServerEvent::PublishRequested {
            stream_id,
            app,
            stream_key,
            publish_type,
        });
        Ok(())
    }

    fn unpublish(&mut self, stream_id: u32) {
        match self.streams.get(&stream_id).cloned() {
            Some(StreamState::Publishing { key }) => {
                let desc = format!("{key} is now unpublished.");
                let reply = Command::on_status("status", status::UNPUBLISH_SUCCESS, &desc);
                self.send_command(stream_id, reply);
            }
            // The owner may have reserved the stream key on PublishRequested; it must hear
            // that the request is gone even though it never answered it.
            Some(StreamState::PublishPending { .. }) => {}
            _ => return,
        }
        self.streams.insert(stream_id, StreamState::Created);
        self.events
            .push_back(ServerEvent::Unpublished { stream_id });
    }
}
