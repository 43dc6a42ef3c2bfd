//! Client (publisher) side of a connection, used by liboo's test and benchmark publisher.

use std::collections::VecDeque;

use amf0::Value;
use bytes::Bytes;

use super::{Transport, random_seed};
use crate::Error;
use crate::chunk::{ReaderLimits, csid};
use crate::command::{Command, name, status};
use crate::handshake::ClientHandshake;
use crate::message::Message;

/// Settings of a [`ClientSession`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Application name, the first path segment of the RTMP URL (`live`).
    pub app: String,
    /// The full URL, sent as `tcUrl` in `connect`.
    pub tc_url: String,
    /// The stream name given to `publish` (the stream key).
    pub stream_key: String,
    /// Chunk size announced before `connect`.
    pub chunk_size: u32,
    /// Send a Flash Player 9 digest in C1 and verify the server's S1 digest and S2 signature.
    pub digest_handshake: bool,
    /// Caps on what the server's chunk stream may make the session hold.
    pub limits: ReaderLimits,
    /// Seed for the handshake's filler bytes; `None` draws one.
    pub seed: Option<u64>,
}

impl ClientConfig {
    /// Settings for publishing `stream_key` to `app` at `tc_url`: chunk size 4096, the
    /// plain handshake, default limits, a drawn seed.
    pub fn new(app: &str, tc_url: &str, stream_key: &str) -> Self {
        Self {
            app: app.to_owned(),
            tc_url: tc_url.to_owned(),
            stream_key: stream_key.to_owned(),
            chunk_size: 4096,
            digest_handshake: false,
            limits: ReaderLimits::default(),
            seed: None,
        }
    }
}

/// What the client session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// `connect` succeeded.
    Connected,
    /// The server answered `publish` with NetStream.Publish.Start: media may be sent.
    PublishStarted {
        /// The message stream to send media on.
        stream_id: u32,
    },
    /// The server refused `connect` or `publish` (`_error` or an error-level `onStatus`).
    Rejected {
        /// The status code, such as `NetStream.Publish.BadName`.
        code: String,
        /// The server's description.
        description: String,
    },
    /// Any other `onStatus`.
    Status {
        /// `status`, `warning` or `error`.
        level: String,
        /// The status code.
        code: String,
        /// The server's description.
        description: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Handshake,
    Connecting,
    CreatingStream,
    PublishPending { stream_id: u32 },
    Publishing { stream_id: u32 },
    Closed,
}

// Transaction ids of the commands this client sends, in order.
const TID_CONNECT: f64 = 1.0;
const TID_RELEASE_STREAM: f64 = 2.0;
const TID_FC_PUBLISH: f64 = 3.0;
const TID_CREATE_STREAM: f64 = 4.0;
const TID_PUBLISH: f64 = 5.0;

/// A sans-IO RTMP publisher: handshake, `connect`, `releaseStream`, `FCPublish`,
/// `createStream`, `publish`, then metadata and media, then `FCUnpublish` and `deleteStream`.
/// The handshake bytes are queued by [`new`](Self::new); take them with
/// [`take_output`](Self::take_output).
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    handshake: ClientHandshake,
    state: State,
    transport: Transport,
    events: VecDeque<ClientEvent>,
}

impl ClientSession {
    /// A session with C0 and C1 already queued for [`take_output`](Self::take_output).
    pub fn new(config: ClientConfig) -> Self {
        let mut transport = Transport::new(config.limits);
        let seed = config.seed.unwrap_or_else(random_seed);
        let handshake =
            ClientHandshake::start(seed, config.digest_handshake, &mut transport.output);
        Self {
            config,
            handshake,
            state: State::Handshake,
            transport,
            events: VecDeque::new(),
        }
    }

    /// Processes bytes read from the socket: finishes the handshake, then answers each
    /// reply of the server with the next command of the publish flow, and protocol control
    /// (acknowledgements, pings) as it comes.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        if self.state == State::Handshake {
            let used = self.handshake.feed(bytes, &mut self.transport.output)?;
            bytes = &bytes[used..];
            if !self.handshake.is_done() {
                return Ok(());
            }
            self.state = State::Connecting;
            self.send_connect();
        }
        self.transport.extend(bytes);
        while let Some((_, msg)) = self.transport.next_message()? {
            if let Message::Command(cmd) = msg {
                self.command(cmd)?;
            }
        }
        Ok(())
    }

    /// The next event the bytes fed so far produced, in order.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
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

    /// The message stream id once publishing has started.
    pub fn stream_id(&self) -> Option<u32> {
        match self.state {
            State::Publishing { stream_id } => Some(stream_id),
            _ => None,
        }
    }

    /// Sends `@setDataFrame("onMetaData", metadata)`.
    pub fn send_metadata(&mut self, metadata: Value) -> Result<(), Error> {
        let stream_id = self.publishing()?;
        let values = vec![
            Value::string(name::SET_DATA_FRAME),
            Value::string(name::ON_METADATA),
            metadata,
        ];
        self.transport
            .send(csid::DATA, stream_id, 0, &Message::Data(values));
        Ok(())
    }

    /// Sends an FLV audio tag body.
    pub fn send_audio(&mut self, timestamp: u32, data: Bytes) -> Result<(), Error> {
        let stream_id = self.publishing()?;
        self.transport
            .send(csid::AUDIO, stream_id, timestamp, &Message::Audio(data));
        Ok(())
    }

    /// Sends an FLV video tag body.
    pub fn send_video(&mut self, timestamp: u32, data: Bytes) -> Result<(), Error> {
        let stream_id = self.publishing()?;
        self.transport
            .send(csid::VIDEO, stream_id, timestamp, &Message::Video(data));
        Ok(())
    }

    /// Stops publishing with `FCUnpublish` and `deleteStream`, as OBS does.
    pub fn unpublish(&mut self) -> Result<(), Error> {
        let stream_id = self.publishing()?;
        let key = Value::string(self.config.stream_key.clone());
        self.send_command(
            0,
            Command::new(name::FC_UNPUBLISH, 6.0, Value::Null, vec![key]),
        );
        let id = Value::Number(stream_id.into());
        self.send_command(
            0,
            Command::new(name::DELETE_STREAM, 7.0, Value::Null, vec![id]),
        );
        self.state = State::Closed;
        Ok(())
    }

    fn publishing(&self) -> Result<u32, Error> {
        self.stream_id()
            .ok_or(Error::InvalidState("not publishing"))
    }

    fn send_command(&mut self, stream_id: u32, cmd: Command) {
        self.transport
            .send(csid::COMMAND, stream_id, 0, &Message::Command(cmd));
    }

    fn send_connect(&mut self) {
        self.transport
            .send_control(&Message::SetChunkSize(self.config.chunk_size));
        let object = Value::object([
            ("app", Value::string(self.config.app.clone())),
            ("type", Value::string("nonprivate")),
            ("flashVer", Value::string("FMLE/3.0 (compatible; liboo)")),
            ("tcUrl", Value::string(self.config.tc_url.clone())),
        ]);
        self.send_command(0, Command::new(name::CONNECT, TID_CONNECT, object, vec![]));
    }

    fn reject(&mut self, code: &str, description: &str) {
        self.state = State::Closed;
        self.events.push_back(ClientEvent::Rejected {
            code: code.to_owned(),
            description: description.to_owned(),
        });
    }

    fn command(&mut self, cmd: Command) -> Result<(), Error> {
        let tid = cmd.transaction_id;
        let (level, code, description) = cmd.status_info().unwrap_or_default();
        let (level, code, description) =
            (level.to_owned(), code.to_owned(), description.to_owned());
        match (cmd.name.as_str(), self.state) {
            (name::RESULT, State::Connecting) if tid == TID_CONNECT => {
                if code != status::CONNECT_SUCCESS {
                    self.reject(&code, &description);
                    return Ok(());
                }
                self.events.push_back(ClientEvent::Connected);
                let key = Value::string(self.config.stream_key.clone());
                self.send_command(
                    0,
                    Command::new(
                        name::RELEASE_STREAM,
                        TID_RELEASE_STREAM,
                        Value::Null,
                        vec![key.clone()],
                    ),
                );
                self.send_command(
                    0,
                    Command::new(name::FC_PUBLISH, TID_FC_PUBLISH, Value::Null, vec![key]),
                );
                self.send_command(
                    0,
                    Command::new(name::CREATE_STREAM, TID_CREATE_STREAM, Value::Null, vec![]),
                );
                self.state = State::CreatingStream;
            }
            (name::RESULT, State::CreatingStream) if tid == TID_CREATE_STREAM => {
                let Some(id) = cmd.args.first().and_then(Value::as_number) else {
                    return Err(Error::MalformedCommand(
                        "createStream result without a stream id",
                    ));
                };
                let stream_id = id as u32;
                let args = vec![
                    Value::string(self.config.stream_key.clone()),
                    Value::string("live"),
                ];
                self.send_command(
                    stream_id,
                    Command::new(name::PUBLISH, TID_PUBLISH, Value::Null, args),
                );
                self.state = State::PublishPending { stream_id };
            }
            (name::ERROR, _) if tid == TID_CONNECT || tid == TID_CREATE_STREAM => {
                self.reject(&code, &description);
            }
            (name::ON_STATUS, State::PublishPending { stream_id })
                if code == status::PUBLISH_START =>
            {
                self.state = State::Publishing { stream_id };
                self.events
                    .push_back(ClientEvent::PublishStarted { stream_id });
            }
            (name::ON_STATUS, State::PublishPending { .. }) if level == "error" => {
                self.reject(&code, &description);
            }
            (name::ON_STATUS, _) => self.events.push_back(ClientEvent::Status {
                level,
                code,
                description,
            }),
            _ => {}
        }
        Ok(())
    }
}
