//! `send_question`, `send_question_done` and `send_question_upvote`: Q&A. A question is
//! stored before anyone sees it. It belongs to the talk the asker follows in a
//! conference room (from its publication until a while after it ends), else to the
//! live broadcast, else to a plain channel's next broadcast; questions of an ended
//! broadcast belong to its replay and are no longer answered or voted on.

use liboo_chat_events::QuestionAction;
use liboo_db::{Asker, NewQuestion, QuestionScope, QuestionState};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::messages::{message, message_event};
use super::payload;
use crate::Chat;
use crate::admission::{Sending, sender};
use crate::deliver::emit_to;
use crate::roles::{MemberRole, moderators_room, user_room};
use crate::talks::{question_room, scope_of};
use crate::viewers::Member;
use crate::wire::{
    ChatMessage, Marks, QuestionView, Upvotes, asker_name, exception, internal, now_ms,
};

use super::screening::{log_action, tell_pinned};

pub(super) async fn on_question<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some((member, msg)) = message_event(&socket, &chat, data, Sending::Message).await else {
        return;
    };
    let room = Some(member.room.as_str());
    let scope = match question_scope(&chat, &member).await {
        Ok(Ok(scope)) => scope,
        Ok(Err(closed)) => return exception(&socket, 409, closed, room),
        Err(e) => return internal(&socket, &e, room),
    };
    let moderation = match chat.0.db.moderation(member.channel_id, member.talk).await {
        Ok(m) => m,
        Err(e) => return internal(&socket, &e, room),
    };
    // A moderator's own question needs no screening.
    let state = if moderation.enabled && member.role < MemberRole::Moderator {
        QuestionState::Pending
    } else {
        QuestionState::Approved
    };
    let mut m = message(&socket, &member, msg, "question");
    // Stored before anyone sees it: a question shown is a question kept.
    let stored = chat
        .0
        .db
        .add_question(&NewQuestion {
            channel_id: member.channel_id,
            scope,
            user_hash: &member.user_hash,
            nickname: &m.nickname,
            msg: &m.msg,
            asked_ms: now_ms(),
            asker: Asker {
                color: &m.color,
                entry_time: &m.entry_time,
                socket_id: &m.socket_id,
            },
            state,
            anonymous: moderation.anonymous,
        })
        .await;
    let q = match stored {
        Ok(q) => q,
        Err(e) => return internal(&socket, &e, room),
    };
    if state == QuestionState::Pending {
        return tell_pending(&socket, &member, &q).await;
    }
    m.question_id = Some(q.id);
    m.question_done = Some(false);
    m.upvotes = Some(0);
    m.talk_id = q.talk_id;
    m.nickname = asker_name(&q).to_owned();
    m.marks = Some(Marks::new(&q, false));
    emit_to(
        &socket,
        &question_room(&member),
        false,
        "receive_question",
        &m,
    )
    .await;
    let mine = ChatMessage {
        owner: if m.owner == "host" { "host" } else { "me" },
        marks: Some(Marks::new(&q, true)),
        ..m
    };
    let _ = socket.emit("receive_question", &mine);
}

/// `receive_question_pending` to the moderators and to every socket of the asker.
pub(super) async fn tell_pending<A: Adapter>(
    socket: &SocketRef<A>,
    member: &Member,
    q: &liboo_db::Question,
) {
    let room = member.room.as_str();
    let view = QuestionView::new(room, q, None);
    emit_to(
        socket,
        &moderators_room(member),
        true,
        "receive_question_pending",
        &view,
    )
    .await;
    let own = QuestionView::new(room, q, Some(&q.user_hash));
    let to = user_room(room, &q.user_hash);
    emit_to(socket, &to, true, "receive_question_pending", &own).await;
}

/// Where a new question of `member` goes, or why questions are closed there.
async fn question_scope(
    chat: &Chat,
    member: &Member,
) -> Result<Result<QuestionScope, &'static str>, liboo_db::DbError> {
    if let Some(id) = member.talk {
        return Ok(match chat.0.db.talk(id).await? {
            Some(t) if t.accepts_questions(now_ms()) => Ok(QuestionScope::Talk(id)),
            Some(_) => Err("questions for this talk are closed"),
            None => Err("this talk is gone from the schedule"),
        });
    }
    Ok(Ok(scope_of(chat, member).await?))
}

/// A `{roomId, userId, questionId}` payload that parsed, whose sender passed admission,
/// with what its questions belong to.
pub(super) struct Target {
    pub(super) member: Member,
    pub(super) scope: QuestionScope,
    pub(super) question_id: i64,
}

pub(super) async fn question_event<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    data: TryData<Value>,
    sending: Sending,
) -> Option<Target> {
    let QuestionAction {
        sender: from,
        question_id,
    } = payload(socket, data, QuestionAction::parse)?;
    target(socket, chat, from, question_id, sending).await
}

/// The sender's admission and what their questions belong to, for an action on
/// `question_id`.
pub(super) async fn target<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    from: liboo_chat_events::Sender,
    question_id: i64,
    sending: Sending,
) -> Option<Target> {
    let member = sender(socket, chat, &from, sending).await?;
    let scope = match scope_of(chat, &member).await {
        Ok(scope) => scope,
        Err(e) => {
            internal(socket, &e, Some(member.room.as_str()));
            return None;
        }
    };
    Some(Target {
        member,
        scope,
        question_id,
    })
}

pub(super) async fn on_question_done<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Answer).await else {
        return;
    };
    let room = t.member.room.as_str();
    let was_pinned = match chat.0.db.question(t.scope, t.question_id).await {
        Ok(q) => q.is_some_and(|q| q.pinned),
        Err(e) => return internal(&socket, &e, Some(room)),
    };
    match chat
        .0
        .db
        .mark_question_done(t.scope, t.question_id, now_ms())
        .await
    {
        Ok(Some(q)) if q.state == QuestionState::Approved => {
            log_action(&chat, &t.member, "done", Some(q.id), None, "").await;
            let view = QuestionView::new(room, &q, None);
            let to = question_room(&t.member);
            emit_to(&socket, &to, true, "receive_question_done", &view).await;
            if was_pinned {
                tell_pinned(&socket, &t.member, None).await;
            }
        }
        Ok(Some(_)) | Ok(None) => exception(&socket, 404, "no such question", Some(room)),
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
        .upvote_question(t.scope, t.question_id, &t.member.user_hash)
        .await
    {
        Ok(Some(upvotes)) => {
            let body = Upvotes {
                room_id: room,
                talk_id: t.member.talk,
                question_id: t.question_id,
                upvotes,
            };
            let to = question_room(&t.member);
            emit_to(&socket, &to, true, "receive_question_upvote", &body).await;
        }
        Ok(None) => exception(&socket, 404, "no such question", Some(room)),
        Err(e) => internal(&socket, &e, Some(room)),
    }
}
