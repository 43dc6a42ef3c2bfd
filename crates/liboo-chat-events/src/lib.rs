//! The payloads of LiBoo's client-to-server chat events (`join_room`, `send_normal_chat`,
//! `ban_user`, ...), decoded from the JSON value socket.io delivers and checked, with no
//! I/O: what the chat service does with an event (membership, bans, rate limits, the
//! database) happens after a payload has parsed here.
//!
//! The wire shapes are LiBoo's (see `LIBOO_CONTRACT.md`, "socket.io chat"). A payload
//! that does not parse is a [`Reject`]: the `statusCode`, text and `roomId` of the
//! `exception` event the sender gets, after which its socket goes on as before. Fields
//! are checked in the order the events list them (`roomId`, `userId`, then the event's
//! own field), so a payload with several faults is refused for its first one.

#![warn(missing_docs)]

use serde_json::Value;

// The events a client may send, by their socket.io names.
/// Joins a room: [`JoinRoom`].
pub const JOIN_ROOM: &str = "join_room";
/// Leaves a room: [`LeaveRoom`].
pub const LEAVE_ROOM: &str = "leave_room";
/// A chat message to the room: [`SendMessage`].
pub const SEND_NORMAL_CHAT: &str = "send_normal_chat";
/// A question to the host: [`SendMessage`].
pub const SEND_QUESTION: &str = "send_question";
/// The host's notice to the room: [`SendMessage`].
pub const SEND_NOTICE: &str = "send_notice";
/// The host marks a question answered: [`QuestionAction`].
pub const SEND_QUESTION_DONE: &str = "send_question_done";
/// A viewer upvotes a question: [`QuestionAction`].
pub const SEND_QUESTION_UPVOTE: &str = "send_question_upvote";
/// The host bans the user behind a socket: [`BanUser`].
pub const BAN_USER: &str = "ban_user";

/// Every event name, for whoever needs to try them all.
pub const EVENT_NAMES: [&str; 8] = [
    JOIN_ROOM,
    LEAVE_ROOM,
    SEND_NORMAL_CHAT,
    SEND_QUESTION,
    SEND_NOTICE,
    SEND_QUESTION_DONE,
    SEND_QUESTION_UPVOTE,
    BAN_USER,
];

/// A refused payload: what the sender's `exception` event says.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Reject {
    /// The `statusCode`, as LiBoo's HTTP-like codes: 400 malformed, 406 too long.
    pub code: u16,
    /// What was wrong, for the user to read.
    pub message: String,
    /// The room the payload named, once its `roomId` has been read.
    pub room_id: Option<String>,
}

impl Reject {
    fn bad(message: impl Into<String>, room_id: Option<&str>) -> Self {
        Reject {
            code: 400,
            message: message.into(),
            room_id: room_id.map(str::to_owned),
        }
    }

    /// The answer to a payload that is not a JSON object (or that socket.io could not
    /// decode at all).
    pub fn not_an_object() -> Self {
        Reject::bad("the payload must be a JSON object", None)
    }
}

/// Limits on what a payload may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest message, in characters after trimming.
    pub max_message_chars: usize,
}

impl Default for Limits {
    /// LiBoo's 150 characters.
    fn default() -> Self {
        Limits {
            max_message_chars: 150,
        }
    }
}

/// A non-empty string field. An empty string is as good as a missing one: every string
/// field names something (a room, a user, a socket).
fn string_field<'a>(data: &'a Value, name: &str, room: Option<&str>) -> Result<&'a str, Reject> {
    match data.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(Reject::bad(format!("{name} is required"), room))
        }
        Some(_) => Err(Reject::bad(format!("{name} must be a string"), room)),
    }
}

fn object(data: &Value) -> Result<&Value, Reject> {
    match data {
        Value::Object(_) => Ok(data),
        _ => Err(Reject::not_an_object()),
    }
}

/// `roomId` and `userId`, which every event after joining carries. The `userId` must be
/// the one the socket joined with, which the chat service checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    /// The room, a host's `sessionKey`.
    pub room_id: String,
    /// The sender's secret `userId`.
    pub user_id: String,
}

impl Sender {
    fn parse(data: &Value) -> Result<Self, Reject> {
        let data = object(data)?;
        let room = string_field(data, "roomId", None)?;
        let user = string_field(data, "userId", Some(room))?;
        Ok(Sender {
            room_id: room.to_owned(),
            user_id: user.to_owned(),
        })
    }
}

/// `join_room {roomId, userId}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRoom {
    /// The room to join, a host's `sessionKey`.
    pub room_id: String,
    /// The joiner's secret `userId`; the host's derives to the room's `sessionKey`.
    pub user_id: String,
    /// liboo: in a conference room, the talk whose questions the joiner follows (its
    /// waiting room before it is live); without it, the room's current talk.
    pub talk_id: Option<i64>,
}

impl JoinRoom {
    /// Unlike the other events, a refused join names no room: the socket is in none yet.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let data = object(data)?;
        let room = string_field(data, "roomId", None)?;
        let user = string_field(data, "userId", None)?;
        let talk_id = match data.get("talkId") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_i64().filter(|id| *id > 0).ok_or_else(|| {
                Reject::bad("talkId must be a talk id (a positive integer)", None)
            })?),
        };
        Ok(JoinRoom {
            room_id: room.to_owned(),
            user_id: user.to_owned(),
            talk_id,
        })
    }
}

/// `leave_room {roomId}`; LiBoo's client also sends its `userId`, which is not needed to
/// leave and is not checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveRoom {
    /// The room to leave.
    pub room_id: String,
}

impl LeaveRoom {
    /// Reads `roomId`; a refused leave names no room.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let data = object(data)?;
        let room = string_field(data, "roomId", None)?;
        Ok(LeaveRoom {
            room_id: room.to_owned(),
        })
    }
}

/// `send_normal_chat`, `send_question` and `send_notice`: `{roomId, userId, msg}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendMessage {
    /// Who sends it, to which room.
    pub sender: Sender,
    /// Trimmed of surrounding whitespace, never empty, at most
    /// [`Limits::max_message_chars`] characters.
    pub msg: String,
}

impl SendMessage {
    /// Reads the sender and `msg`; a message longer than `limits` allows is refused with
    /// 406, as LiBoo did.
    pub fn parse(data: &Value, limits: &Limits) -> Result<Self, Reject> {
        let sender = Sender::parse(data)?;
        let room = Some(sender.room_id.as_str());
        let msg = match data.get("msg") {
            Some(Value::String(s)) => s.trim(),
            Some(Value::Null) | None => "",
            Some(_) => return Err(Reject::bad("msg must be a string", room)),
        };
        if msg.is_empty() {
            return Err(Reject::bad("the message is empty", room));
        }
        // Characters, not bytes: a Korean message is three bytes a character in UTF-8.
        if msg.chars().count() > limits.max_message_chars {
            return Err(Reject {
                code: 406,
                message: format!(
                    "the message is longer than {} characters",
                    limits.max_message_chars
                ),
                room_id: room.map(str::to_owned),
            });
        }
        let msg = msg.to_owned();
        Ok(SendMessage { sender, msg })
    }
}

/// `send_question_done` and `send_question_upvote`: `{roomId, userId, questionId}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionAction {
    /// Who acts, in which room.
    pub sender: Sender,
    /// The question acted on.
    pub question_id: i64,
}

impl QuestionAction {
    /// The `questionId` is a JSON integer, or a string of one: LiBoo's client read ids back
    /// from the DOM as text.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let sender = Sender::parse(data)?;
        let id = match data.get("questionId") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        match id {
            Some(question_id) => Ok(QuestionAction {
                sender,
                question_id,
            }),
            None => Err(Reject::bad(
                "questionId must be a number",
                Some(&sender.room_id),
            )),
        }
    }
}

/// `ban_user {roomId, userId, socketId}`: the socket names the user to ban.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BanUser {
    /// The host banning, in which room.
    pub sender: Sender,
    /// A socket of the user to ban, as chat messages show it.
    pub socket_id: String,
}

impl BanUser {
    /// Reads the sender and `socketId`.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let sender = Sender::parse(data)?;
        let socket = string_field(data, "socketId", Some(&sender.room_id))?;
        let socket_id = socket.to_owned();
        Ok(BanUser { sender, socket_id })
    }
}

/// Any client event, parsed by its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `join_room`.
    JoinRoom(JoinRoom),
    /// `leave_room`.
    LeaveRoom(LeaveRoom),
    /// `send_normal_chat`.
    NormalChat(SendMessage),
    /// `send_question`.
    Question(SendMessage),
    /// `send_notice`.
    Notice(SendMessage),
    /// `send_question_done`.
    QuestionDone(QuestionAction),
    /// `send_question_upvote`.
    QuestionUpvote(QuestionAction),
    /// `ban_user`.
    BanUser(BanUser),
}

impl Event {
    /// Parses the payload of the event called `name`; `None` for a name that is not a
    /// client event (socket.io drops those unanswered).
    pub fn parse(name: &str, data: &Value, limits: &Limits) -> Option<Result<Event, Reject>> {
        Some(match name {
            JOIN_ROOM => JoinRoom::parse(data).map(Event::JoinRoom),
            LEAVE_ROOM => LeaveRoom::parse(data).map(Event::LeaveRoom),
            SEND_NORMAL_CHAT => SendMessage::parse(data, limits).map(Event::NormalChat),
            SEND_QUESTION => SendMessage::parse(data, limits).map(Event::Question),
            SEND_NOTICE => SendMessage::parse(data, limits).map(Event::Notice),
            SEND_QUESTION_DONE => QuestionAction::parse(data).map(Event::QuestionDone),
            SEND_QUESTION_UPVOTE => QuestionAction::parse(data).map(Event::QuestionUpvote),
            BAN_USER => BanUser::parse(data).map(Event::BanUser),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
