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
/// A moderator approves a pending question: [`QuestionAction`].
pub const SEND_QUESTION_APPROVE: &str = "send_question_approve";
/// A moderator dismisses a question: [`Dismiss`].
pub const SEND_QUESTION_DISMISS: &str = "send_question_dismiss";
/// A moderator pins the question being answered: [`QuestionAction`].
pub const SEND_QUESTION_PIN: &str = "send_question_pin";
/// A moderator unpins it: [`Unpin`].
pub const SEND_QUESTION_UNPIN: &str = "send_question_unpin";
/// A moderator, or the asker while pending, changes a question's text: [`EditQuestion`].
pub const SEND_QUESTION_EDIT: &str = "send_question_edit";
/// The asker takes back a pending question: [`QuestionAction`].
pub const SEND_QUESTION_WITHDRAW: &str = "send_question_withdraw";
/// A moderator makes a poll: [`PollCreate`].
pub const SEND_POLL_CREATE: &str = "send_poll_create";
/// A moderator opens a poll: [`PollAction`].
pub const SEND_POLL_OPEN: &str = "send_poll_open";
/// A moderator closes a poll: [`PollAction`].
pub const SEND_POLL_CLOSE: &str = "send_poll_close";
/// A vote in an open poll: [`PollVote`].
pub const SEND_POLL_VOTE: &str = "send_poll_vote";

/// Every event name, for whoever needs to try them all.
pub const EVENT_NAMES: [&str; 18] = [
    JOIN_ROOM,
    LEAVE_ROOM,
    SEND_NORMAL_CHAT,
    SEND_QUESTION,
    SEND_NOTICE,
    SEND_QUESTION_DONE,
    SEND_QUESTION_UPVOTE,
    BAN_USER,
    SEND_QUESTION_APPROVE,
    SEND_QUESTION_DISMISS,
    SEND_QUESTION_PIN,
    SEND_QUESTION_UNPIN,
    SEND_QUESTION_EDIT,
    SEND_QUESTION_WITHDRAW,
    SEND_POLL_CREATE,
    SEND_POLL_OPEN,
    SEND_POLL_CLOSE,
    SEND_POLL_VOTE,
];

/// Most options a poll may have.
pub const MAX_POLL_OPTIONS: usize = 10;
/// Longest poll option, in characters.
pub const MAX_POLL_OPTION_CHARS: usize = 100;

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
        let msg = text_field(
            data,
            "msg",
            "the message",
            limits.max_message_chars,
            &sender,
        )?;
        Ok(SendMessage { sender, msg })
    }
}

/// A text field trimmed of surrounding whitespace, never empty, at most `max`
/// characters (406 past it, as LiBoo refused long messages). `what` names it in errors.
fn text_field(
    data: &Value,
    name: &str,
    what: &str,
    max: usize,
    sender: &Sender,
) -> Result<String, Reject> {
    let room = Some(sender.room_id.as_str());
    let text = match data.get(name) {
        Some(Value::String(s)) => s.trim(),
        Some(Value::Null) | None => "",
        Some(_) => return Err(Reject::bad(format!("{name} must be a string"), room)),
    };
    check_text(text, what, max, room)
}

fn check_text(text: &str, what: &str, max: usize, room: Option<&str>) -> Result<String, Reject> {
    if text.is_empty() {
        return Err(Reject::bad(format!("{what} is empty"), room));
    }
    // Characters, not bytes: a Korean message is three bytes a character in UTF-8.
    if text.chars().count() > max {
        return Err(Reject {
            code: 406,
            message: format!("{what} is longer than {max} characters"),
            room_id: room.map(str::to_owned),
        });
    }
    Ok(text.to_owned())
}

/// A positive integer id, given as a JSON number or a string of one (LiBoo's client
/// read ids back from the DOM as text).
fn id_field(data: &Value, name: &str, sender: &Sender) -> Result<i64, Reject> {
    let id = match data.get(name) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    id.ok_or_else(|| Reject::bad(format!("{name} must be a number"), Some(&sender.room_id)))
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
        let question_id = id_field(data, "questionId", &sender)?;
        Ok(QuestionAction {
            sender,
            question_id,
        })
    }
}

/// `send_question_dismiss {roomId, userId, questionId, reason?}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dismiss {
    /// The moderator and the question.
    pub action: QuestionAction,
    /// Why, for the asker to read (at most the message limit).
    pub reason: Option<String>,
}

impl Dismiss {
    /// Reads the question action and an optional `reason`.
    pub fn parse(data: &Value, limits: &Limits) -> Result<Self, Reject> {
        let action = QuestionAction::parse(data)?;
        let reason = match data.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(_) => Some(text_field(
                data,
                "reason",
                "the reason",
                limits.max_message_chars,
                &action.sender,
            )?),
        };
        Ok(Dismiss { action, reason })
    }
}

/// `send_question_unpin {roomId, userId}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpin {
    /// The moderator.
    pub sender: Sender,
}

impl Unpin {
    /// Reads the sender.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        Ok(Unpin {
            sender: Sender::parse(data)?,
        })
    }
}

/// `send_question_edit {roomId, userId, questionId, msg}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditQuestion {
    /// Who edits which question.
    pub action: QuestionAction,
    /// The new text, checked as a message.
    pub msg: String,
}

impl EditQuestion {
    /// Reads the question action and `msg`.
    pub fn parse(data: &Value, limits: &Limits) -> Result<Self, Reject> {
        let action = QuestionAction::parse(data)?;
        let msg = text_field(
            data,
            "msg",
            "the message",
            limits.max_message_chars,
            &action.sender,
        )?;
        Ok(EditQuestion { action, msg })
    }
}

/// `send_poll_create {roomId, userId, question, options[], multiple}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollCreate {
    /// The moderator.
    pub sender: Sender,
    /// What the poll asks, checked as a message.
    pub question: String,
    /// 2 to [`MAX_POLL_OPTIONS`] distinct choices, each 1 to [`MAX_POLL_OPTION_CHARS`]
    /// characters.
    pub options: Vec<String>,
    /// Several choices per vote.
    pub multiple: bool,
}

impl PollCreate {
    /// Reads and checks the poll.
    pub fn parse(data: &Value, limits: &Limits) -> Result<Self, Reject> {
        let sender = Sender::parse(data)?;
        let room = Some(sender.room_id.as_str());
        let question = text_field(
            data,
            "question",
            "the question",
            limits.max_message_chars,
            &sender,
        )?;
        let Some(Value::Array(raw)) = data.get("options") else {
            return Err(Reject::bad("options must be an array of strings", room));
        };
        if raw.len() < 2 || raw.len() > MAX_POLL_OPTIONS {
            return Err(Reject::bad(
                format!("a poll has 2 to {MAX_POLL_OPTIONS} options"),
                room,
            ));
        }
        let mut options = Vec::with_capacity(raw.len());
        for (i, v) in raw.iter().enumerate() {
            let Value::String(s) = v else {
                return Err(Reject::bad("options must be an array of strings", room));
            };
            let what = format!("option {}", i + 1);
            let option = check_text(s.trim(), &what, MAX_POLL_OPTION_CHARS, room)?;
            if options.contains(&option) {
                return Err(Reject::bad(
                    format!("option {} repeats another", i + 1),
                    room,
                ));
            }
            options.push(option);
        }
        let multiple = match data.get("multiple") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(Reject::bad("multiple must be true or false", room)),
        };
        Ok(PollCreate {
            sender,
            question,
            options,
            multiple,
        })
    }
}

/// `send_poll_open` and `send_poll_close`: `{roomId, userId, pollId}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollAction {
    /// The moderator.
    pub sender: Sender,
    /// The poll.
    pub poll_id: i64,
}

impl PollAction {
    /// Reads the sender and `pollId`.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let sender = Sender::parse(data)?;
        let poll_id = id_field(data, "pollId", &sender)?;
        Ok(PollAction { sender, poll_id })
    }
}

/// `send_poll_vote {roomId, userId, pollId, options[]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollVote {
    /// The voter and the poll.
    pub action: PollAction,
    /// Option indices, distinct, sorted; at least one. Whether they fit the poll (its
    /// number of options, single choice) is checked against the stored poll.
    pub options: Vec<usize>,
}

impl PollVote {
    /// Reads the poll action and `options`.
    pub fn parse(data: &Value) -> Result<Self, Reject> {
        let action = PollAction::parse(data)?;
        let room = Some(action.sender.room_id.as_str());
        let bad = || Reject::bad("options must be an array of option indices", room);
        let Some(Value::Array(raw)) = data.get("options") else {
            return Err(bad());
        };
        let mut options = Vec::with_capacity(raw.len());
        for v in raw {
            let i = v
                .as_u64()
                .filter(|i| (*i as usize) < MAX_POLL_OPTIONS)
                .ok_or_else(bad)?;
            options.push(i as usize);
        }
        options.sort_unstable();
        options.dedup();
        if options.is_empty() {
            return Err(Reject::bad("choose at least one option", room));
        }
        Ok(PollVote { action, options })
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
    /// `send_question_approve`.
    QuestionApprove(QuestionAction),
    /// `send_question_dismiss`.
    QuestionDismiss(Dismiss),
    /// `send_question_pin`.
    QuestionPin(QuestionAction),
    /// `send_question_unpin`.
    QuestionUnpin(Unpin),
    /// `send_question_edit`.
    QuestionEdit(EditQuestion),
    /// `send_question_withdraw`.
    QuestionWithdraw(QuestionAction),
    /// `send_poll_create`.
    PollCreate(PollCreate),
    /// `send_poll_open`.
    PollOpen(PollAction),
    /// `send_poll_close`.
    PollClose(PollAction),
    /// `send_poll_vote`.
    PollVote(PollVote),
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
            SEND_QUESTION_APPROVE => QuestionAction::parse(data).map(Event::QuestionApprove),
            SEND_QUESTION_DISMISS => Dismiss::parse(data, limits).map(Event::QuestionDismiss),
            SEND_QUESTION_PIN => QuestionAction::parse(data).map(Event::QuestionPin),
            SEND_QUESTION_UNPIN => Unpin::parse(data).map(Event::QuestionUnpin),
            SEND_QUESTION_EDIT => EditQuestion::parse(data, limits).map(Event::QuestionEdit),
            SEND_QUESTION_WITHDRAW => QuestionAction::parse(data).map(Event::QuestionWithdraw),
            SEND_POLL_CREATE => PollCreate::parse(data, limits).map(Event::PollCreate),
            SEND_POLL_OPEN => PollAction::parse(data).map(Event::PollOpen),
            SEND_POLL_CLOSE => PollAction::parse(data).map(Event::PollClose),
            SEND_POLL_VOTE => PollVote::parse(data).map(Event::PollVote),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
