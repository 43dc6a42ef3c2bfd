//! `send_question`, `send_question_done` and `send_question_upvote`: the live
//! broadcast's Q&A. A question is stored before anyone sees it; questions of an ended
//! broadcast belong to its replay and are no longer answered or voted on.

use liboo_chat_events::QuestionAction;
use liboo_db::{Asker, NewQuestion};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::messages::{message, message_event};
use super::payload;
use crate::Chat;
use crate::admission::{Sending, sender};
use crate::deliver::{emit_to, to_room};
use crate::viewers::Member;
use crate::wire::{QuestionView, Upvotes, exception, internal, now_ms};

pub(super) async fn on_question<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some((member, msg)) = message_event(&socket, &chat, data, Sending::Message).await else {
        return;
    };
    let room = Some(member.room.as_str());
    let live = match chat.0.db.live_broadcast_of(&member.room).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            return exception(
                &socket,
                409,
                "questions open when the broadcast is live",
                room,
            );
        }
        Err(e) => return internal(&socket, &e, room),
    };
    let mut m = message(&socket, &member, msg, "question");
    // Stored before anyone sees it: a question shown is a question kept.
    let stored = chat
        .0
        .db
        .add_question(&NewQuestion {
            broadcast_id: live.id,
            user_hash: &member.user_hash,
            nickname: &m.nickname,
            msg: &m.msg,
            asked_ms: now_ms(),
            asker: Asker {
                color: &m.color,
                entry_time: &m.entry_time,
                socket_id: &m.socket_id,
            },
        })
        .await;
    match stored {
        Ok(q) => {
            m.question_id = Some(q.id);
            m.question_done = Some(false);
            m.upvotes = Some(0);
            to_room(&socket, "receive_question", m).await;
        }
        Err(e) => internal(&socket, &e, room),
    }
}

/// A `{roomId, userId, questionId}` payload that parsed, whose sender passed admission,
/// with the live broadcast it is about.
struct Target {
    member: Member,
    broadcast_id: i64,
    question_id: i64,
}

async fn question_event<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    data: TryData<Value>,
    sending: Sending,
) -> Option<Target> {
    let QuestionAction {
        sender: from,
        question_id,
    } = payload(socket, data, QuestionAction::parse)?;
    let member = sender(socket, chat, &from, sending).await?;
    let room = Some(member.room.as_str());
    let broadcast_id = match chat.0.db.live_broadcast_of(&member.room).await {
        Ok(Some(b)) => b.id,
        Ok(None) => {
            exception(socket, 404, "no such question", room);
            return None;
        }
        Err(e) => {
            internal(socket, &e, room);
            return None;
        }
    };
    Some(Target {
        member,
        broadcast_id,
        question_id,
    })
}

pub(super) async fn on_question_done<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Moderation).await else {
        return;
    };
    let room = t.member.room.as_str();
    match chat
        .0
        .db
        .mark_question_done(t.broadcast_id, t.question_id, now_ms())
        .await
    {
        Ok(Some(q)) => {
            let view = QuestionView::new(room, &q);
            emit_to(&socket, room, true, "receive_question_done", &view).await;
        }
        Ok(None) => exception(&socket, 404, "no such question", Some(room)),
        Err(e) => internal(&socket, &e, Some(room)),
    }
}

pub(super) async fn on_question_upvote<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Reaction).await else {
        return;
    };
    let room = t.member.room.as_str();
    match chat
        .0
        .db
        .upvote_question(t.broadcast_id, t.question_id, &t.member.user_hash)
        .await
    {
        Ok(Some(upvotes)) => {
            let body = Upvotes {
                room_id: room,
                question_id: t.question_id,
                upvotes,
            };
            emit_to(&socket, room, true, "receive_question_upvote", &body).await;
        }
        Ok(None) => exception(&socket, 404, "no such question", Some(room)),
        Err(e) => internal(&socket, &e, Some(room)),
    }
}
