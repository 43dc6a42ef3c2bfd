//! What chat sends to clients: LiBoo's shapes (`LIBOO_CONTRACT.md`, "socket.io chat"),
//! with liboo's additions named in `docs/CONTRACT.md`.

use liboo_db::Question;
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
}

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
}

impl QuestionView {
    pub(crate) fn new(room: &str, q: &Question) -> Self {
        QuestionView {
            room_id: room.to_owned(),
            question_id: q.id,
            nickname: q.nickname.clone(),
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
}
