//! What chat sends to clients: LiBoo's shapes (`LIBOO_CONTRACT.md`, "socket.io chat"),
//! with liboo's additions named in `docs/CONTRACT.md`.

use liboo_db::{Moderation, Poll, Question, Tally};
use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

pub(crate) use liboo_service::now_ms;

pub(crate) fn iso_now() -> String {
    liboo_service::iso(now_ms())
}

/// The `exception` event. LiBoo's gateway sent `{statusCode, msg, roomId}` and LiBoo's
/// client renders `msg`; liboo's own client reads `message`, so the text goes in both.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Exception<'a> {
    status_code: u16,
    msg: &'a str,
    message: &'a str,
    room_id: Option<&'a str>,
}

/// Answers the socket's last event with an `exception`; the socket stays connected.
pub(crate) fn exception<A: Adapter>(
    socket: &SocketRef<A>,
    status: u16,
    message: &str,
    room: Option<&str>,
) {
    let _ = socket.emit(
        "exception",
        &Exception {
            status_code: status,
            msg: message,
            message,
            room_id: room,
        },
    );
}

/// Answers an event that failed on the database or Redis: the client hears 503, the
/// log gets the cause.
pub(crate) fn internal<A: Adapter>(
    socket: &SocketRef<A>,
    error: &dyn std::fmt::Display,
    room: Option<&str>,
) {
    tracing::error!(%error, "chat request failed");
    exception(
        socket,
        503,
        "the chat service is unavailable; try again shortly",
        room,
    );
}

/// A chat message as LiBoo's client renders it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChatMessage {
    pub(crate) room_id: String,
    pub(crate) nickname: String,
    pub(crate) color: String,
    pub(crate) entry_time: String,
    pub(crate) msg_time: String,
    pub(crate) msg: String,
    pub(crate) msg_type: &'static str,
    pub(crate) owner: &'static str,
    pub(crate) socket_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) question_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) question_done: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) upvotes: Option<i64>,
    /// liboo: the talk a question belongs to, in a conference room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) talk_id: Option<i64>,
    /// liboo: a question's moderation state, pin and times.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(crate) marks: Option<Marks>,
}

/// liboo's additions to a question as any event carries it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Marks {
    state: &'static str,
    pinned: bool,
    mine: bool,
    approved_at: Option<String>,
    pinned_at: Option<String>,
}

impl Marks {
    pub(crate) fn new(q: &Question, mine: bool) -> Marks {
        Marks {
            state: q.state.as_str(),
            pinned: q.pinned,
            mine,
            approved_at: q.approved_ms.map(liboo_service::iso),
            pinned_at: q.pinned_ms.map(liboo_service::iso),
        }
    }
}

/// The name a question shows: its asker's, or "anonymous".
pub(crate) fn asker_name(q: &Question) -> &str {
    if q.anonymous { ANONYMOUS } else { &q.nickname }
}

/// What an anonymous question shows instead of a nickname.
pub(crate) const ANONYMOUS: &str = "anonymous";

/// A stored question, as `receive_init_data` lists it and `receive_question_done` sends it:
/// the asker's nickname, colour, entry time and socket id are those its `receive_question`
/// carried.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QuestionView {
    room_id: String,
    question_id: i64,
    nickname: String,
    color: String,
    entry_time: String,
    socket_id: String,
    msg: String,
    msg_time: String,
    msg_type: &'static str,
    owner: &'static str,
    question_done: bool,
    upvotes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    talk_id: Option<i64>,
    #[serde(flatten)]
    marks: Marks,
}

impl QuestionView {
    /// `q` as `viewer` (a user hash) sees it: `mine` when they asked it.
    pub(crate) fn new(room: &str, q: &Question, viewer: Option<&str>) -> Self {
        QuestionView {
            room_id: room.to_owned(),
            question_id: q.id,
            nickname: asker_name(q).to_owned(),
            color: q.color.clone(),
            entry_time: q.entry_time.clone(),
            socket_id: q.socket_id.clone(),
            msg: q.msg.clone(),
            msg_time: liboo_service::iso(q.asked_ms),
            msg_type: "question",
            owner: "user",
            question_done: q.done,
            upvotes: q.upvotes,
            talk_id: q.talk_id,
            marks: Marks::new(q, viewer == Some(q.user_hash.as_str())),
        }
    }
}

/// `receive_question_upvote`: a question's upvotes after one more vote.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Upvotes<'a> {
    pub(crate) room_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) talk_id: Option<i64>,
    pub(crate) question_id: i64,
    pub(crate) upvotes: i64,
}

/// `receive_viewer_count`: how many viewers a room has over every node.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ViewerCount<'a> {
    pub(crate) room_id: &'a str,
    pub(crate) count: i64,
}

/// `receive_init_data`: what a joiner needs first, the room's unanswered questions.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InitData<'a> {
    pub(crate) room_id: &'a str,
    pub(crate) question_list: Vec<QuestionView>,
    /// liboo: in a conference room, the talk these questions belong to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) talk: Option<crate::talks::TalkBrief>,
    /// liboo: the joiner's role.
    pub(crate) role: &'static str,
    /// liboo: whether questions wait for a moderator, and are anonymous.
    pub(crate) moderation: ModerationView<'a>,
    /// liboo: pending questions, oldest first: every one for a moderator, a viewer's own.
    pub(crate) pending_list: Vec<QuestionView>,
    /// liboo: the question being answered now.
    pub(crate) pinned: Option<QuestionView>,
    /// liboo: the polls (a moderator also sees drafts).
    pub(crate) polls: Vec<PollView<'a>>,
}

/// `receive_moderation`, and `receive_init_data`'s `moderation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModerationView<'a> {
    pub(crate) room_id: &'a str,
    pub(crate) talk_id: Option<i64>,
    pub(crate) enabled: bool,
    pub(crate) anonymous: bool,
}

impl<'a> ModerationView<'a> {
    pub(crate) fn new(room_id: &'a str, talk_id: Option<i64>, m: Moderation) -> Self {
        ModerationView {
            room_id,
            talk_id,
            enabled: m.enabled,
            anonymous: m.anonymous,
        }
    }
}

/// `receive_question_removed`: a question dismissed or withdrawn.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Removed<'a> {
    pub(crate) room_id: &'a str,
    pub(crate) talk_id: Option<i64>,
    pub(crate) question_id: i64,
    pub(crate) state: &'static str,
    pub(crate) reason: Option<&'a str>,
}

/// `receive_question_pinned`: the question being answered now, or none.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pinned<'a> {
    pub(crate) room_id: &'a str,
    pub(crate) talk_id: Option<i64>,
    pub(crate) question_id: Option<i64>,
    pub(crate) question: Option<QuestionView>,
}

/// `receive_poll`: a poll and its results.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PollView<'a> {
    room_id: &'a str,
    talk_id: Option<i64>,
    poll_id: i64,
    question: String,
    options: Vec<String>,
    counts: Vec<i64>,
    voters: i64,
    multiple: bool,
    state: &'static str,
    opened_at: Option<String>,
    closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    my_vote: Option<Vec<usize>>,
}

impl<'a> PollView<'a> {
    /// `poll` with `tally`; `my_vote` only in the copy for that voter.
    pub(crate) fn new(
        room_id: &'a str,
        poll: &Poll,
        tally: Tally,
        my_vote: Option<Vec<usize>>,
    ) -> Self {
        PollView {
            room_id,
            talk_id: poll.talk_id,
            poll_id: poll.id,
            question: poll.question.clone(),
            options: poll.options.clone(),
            counts: tally.counts,
            voters: tally.voters,
            multiple: poll.multiple,
            state: poll.state.as_str(),
            opened_at: poll.opened_ms.map(liboo_service::iso),
            closed_at: poll.closed_ms.map(liboo_service::iso),
            my_vote,
        }
    }
}
