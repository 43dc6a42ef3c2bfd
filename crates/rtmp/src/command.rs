//! Command messages (RTMP 1.0 specification §7.2) for the publish flow, and the replies a
//! server sends to them.
//!
//! A command is an AMF0 sequence: name, transaction id, command object (often null), then
//! arguments. Clients send `connect`, `releaseStream`, `FCPublish`, `createStream`, `publish`,
//! `FCUnpublish`, `closeStream` and `deleteStream`; servers answer with `_result`, `_error`,
//! `onFCPublish` and `onStatus`.

use amf0::Value;
use bytes::BufMut;

use crate::Error;

/// `onStatus` / `_result` info codes used in the publish flow.
pub mod status {
    /// `connect` succeeded (in its `_result`).
    pub const CONNECT_SUCCESS: &str = "NetConnection.Connect.Success";
    /// `connect` was refused.
    pub const CONNECT_REJECTED: &str = "NetConnection.Connect.Rejected";
    /// A command failed (in `_error`), such as `createStream` over the stream limit.
    pub const CALL_FAILED: &str = "NetConnection.Call.Failed";
    /// Publishing has started: the client may send media.
    pub const PUBLISH_START: &str = "NetStream.Publish.Start";
    /// `publish` named no stream, or one the server does not accept (such as an unknown stream key).
    pub const PUBLISH_BAD_NAME: &str = "NetStream.Publish.BadName";
    /// `publish` is not allowed for this stream.
    pub const PUBLISH_DENIED: &str = "NetStream.Publish.Denied";
    /// The stream is no longer published.
    pub const UNPUBLISH_SUCCESS: &str = "NetStream.Unpublish.Success";
    /// `play` failed.
    pub const PLAY_FAILED: &str = "NetStream.Play.Failed";
}

/// Command names as they appear on the wire.
pub mod name {
    /// Client: opens the NetConnection to an application (§7.2.1.1).
    pub const CONNECT: &str = "connect";
    /// Reply to a command that succeeded.
    pub const RESULT: &str = "_result";
    /// Reply to a command that failed.
    pub const ERROR: &str = "_error";
    /// Client (FMLE, OBS, ffmpeg): asks the server to free a stream name before `FCPublish`.
    pub const RELEASE_STREAM: &str = "releaseStream";
    /// Client (FMLE, OBS, ffmpeg): announces the stream name it is about to publish.
    pub const FC_PUBLISH: &str = "FCPublish";
    /// Server: the answer to `FCPublish`.
    pub const ON_FC_PUBLISH: &str = "onFCPublish";
    /// Client (FMLE, OBS, ffmpeg): announces that it stops publishing the stream name.
    pub const FC_UNPUBLISH: &str = "FCUnpublish";
    /// Server: the answer to `FCUnpublish`.
    pub const ON_FC_UNPUBLISH: &str = "onFCUnpublish";
    /// Client: creates a message stream; the `_result` carries its id (§7.2.1.3).
    pub const CREATE_STREAM: &str = "createStream";
    /// Client: publishes a named stream on a message stream (§7.2.2.6).
    pub const PUBLISH: &str = "publish";
    /// Client: stops publishing or playing on a message stream.
    pub const CLOSE_STREAM: &str = "closeStream";
    /// Client: destroys a message stream (§7.2.2.3).
    pub const DELETE_STREAM: &str = "deleteStream";
    /// Server: a NetStream status change, such as `NetStream.Publish.Start` (§7.2.2).
    pub const ON_STATUS: &str = "onStatus";
    /// Data message handler with which publishers send stream metadata.
    pub const SET_DATA_FRAME: &str = "@setDataFrame";
    /// Name of the metadata that follows `@setDataFrame`.
    pub const ON_METADATA: &str = "onMetaData";
}

/// One command message.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The command name, such as `connect` or `_result`.
    pub name: String,
    /// 0 for commands that expect no reply (`publish` from some clients, `onStatus`).
    pub transaction_id: f64,
    /// The command object: the connection properties for `connect`, usually null otherwise.
    pub object: Value,
    /// The values after the command object, such as the stream name and type of `publish`.
    pub args: Vec<Value>,
}

impl Command {
    /// A command from its four parts.
    pub fn new(name: &str, transaction_id: f64, object: Value, args: Vec<Value>) -> Self {
        Self {
            name: name.to_owned(),
            transaction_id,
            object,
            args,
        }
    }

    /// Builds a command from its decoded AMF0 values. Only the name is required: some clients
    /// leave out the transaction id or command object of notifications.
    pub fn from_values(values: Vec<Value>) -> Result<Self, Error> {
        let mut it = values.into_iter();
        let name = match it.next() {
            Some(Value::String(s)) | Some(Value::LongString(s)) => s,
            Some(_) => return Err(Error::MalformedCommand("command name is not a string")),
            None => return Err(Error::MalformedCommand("empty command message")),
        };
        let transaction_id = match it.next() {
            Some(Value::Number(n)) => n,
            None => 0.0,
            Some(_) => return Err(Error::MalformedCommand("transaction id is not a number")),
        };
        let object = it.next().unwrap_or(Value::Null);
        Ok(Self {
            name,
            transaction_id,
            object,
            args: it.collect(),
        })
    }

    /// Appends the command's AMF0 encoding (name, transaction id, object, arguments).
    pub fn encode<B: BufMut>(&self, out: &mut B) {
        amf0::encode(&Value::String(self.name.clone()), out);
        amf0::encode(&Value::Number(self.transaction_id), out);
        amf0::encode(&self.object, out);
        amf0::encode_all(&self.args, out);
    }

    /// The `n`th argument as a string (e.g. the stream name of `publish`).
    pub fn arg_str(&self, n: usize) -> Option<&str> {
        self.args.get(n).and_then(Value::as_str)
    }

    /// `_result` with an optional command object and arguments.
    pub fn result(transaction_id: f64, object: Value, args: Vec<Value>) -> Self {
        Self::new(name::RESULT, transaction_id, object, args)
    }

    /// `_error` with a status information object.
    pub fn error(transaction_id: f64, code: &str, description: &str) -> Self {
        Self::new(
            name::ERROR,
            transaction_id,
            Value::Null,
            vec![info("error", code, description)],
        )
    }

    /// The `_result` of a successful `connect` (§7.2.1.1): server properties, then the
    /// information object. `fmsVer` and `capabilities` are the values Flash Media Server sends;
    /// clients such as ffmpeg and OBS log them but do not depend on them.
    pub fn connect_result(transaction_id: f64, object_encoding: f64) -> Self {
        let props = Value::object([
            ("fmsVer", Value::string("FMS/3,0,1,123")),
            ("capabilities", Value::Number(31.0)),
        ]);
        let mut information = info("status", status::CONNECT_SUCCESS, "Connection succeeded.");
        if let Value::Object(p) = &mut information {
            p.push(("objectEncoding".into(), Value::Number(object_encoding)));
        }
        Self::result(transaction_id, props, vec![information])
    }

    /// `onStatus` sent on a message stream (§7.2.2); transaction id 0 and a null object.
    pub fn on_status(level: &str, code: &str, description: &str) -> Self {
        Self::new(
            name::ON_STATUS,
            0.0,
            Value::Null,
            vec![info(level, code, description)],
        )
    }

    /// `onFCPublish`, the answer Flash Media Server gives to `FCPublish`.
    pub fn on_fc_publish(code: &str, description: &str) -> Self {
        Self::new(
            name::ON_FC_PUBLISH,
            0.0,
            Value::Null,
            vec![info("status", code, description)],
        )
    }

    /// The information object of a status reply: the code and level from this command's
    /// first object argument (or the command object), if any.
    pub fn status_info(&self) -> Option<(&str, &str, &str)> {
        let obj = self
            .args
            .iter()
            .chain([&self.object])
            .find(|v| v.get("code").is_some())?;
        let s = |k| obj.get(k).and_then(Value::as_str).unwrap_or("");
        Some((s("level"), s("code"), s("description")))
    }
}

/// A status information object: `{level, code, description}`.
pub fn info(level: &str, code: &str, description: &str) -> Value {
    Value::object([
        ("level", Value::string(level)),
        ("code", Value::string(code)),
        ("description", Value::string(description)),
    ])
}
