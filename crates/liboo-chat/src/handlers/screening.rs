//! Moderated Q&A: a moderator approves, dismisses, edits and pins questions; an asker
//! withdraws or edits their own until it is approved. Each change is stored (and
//! logged) before it is sent, and goes only to whoever may see the question: the
//! moderators and the asker while it is pending, its whole talk or room once approved.

use liboo_chat_events::{Dismiss, EditQuestion, QuestionAction, Unpin};
use liboo_db::{Change, Question, QuestionState};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::payload;
use super::questions::{Target, question_event, target};
use crate::Chat;
use crate::admission::{Sending, refreshed, sender};
use crate::deliver::emit_to;
use crate::roles::{MemberRole, moderators_room, user_room};
use crate::talks::{question_room, scope_of};
use crate::viewers::Member;
use crate::wire::{
    ChatMessage, Marks, Pinned, QuestionView, Removed, asker_name, exception, internal, now_ms,
};

/// Logs a moderation action of `member`. A failure is logged and the action stands:
/// it is stored already.
pub(crate) async fn log_action(
    chat: &Chat,
    member: &Member,
    action: &str,
    question_id: Option<i64>,
    poll_id: Option<i64>,
    detail: &str,
) {
    if let Err(e) = chat
        .0
        .db
        .log_moderation(
            member.channel_id,
            &member.user_hash,
            member.role.as_str(),
            action,
            question_id,
            poll_id,
            detail,
            now_ms(),
        )
        .await
    {
        tracing::warn!(error = %e, action, "could not log a moderation action");
    }
}

/// `receive_question_pinned` to the member's question room: `q`, or nothing pinned.
pub(crate) async fn tell_pinned<A: Adapter>(
    socket: &SocketRef<A>,
    member: &Member,
    q: Option<&Question>,
) {
    let room = member.room.as_str();
    let body = Pinned {
        room_id: room,
        talk_id: member.talk,
        question_id: q.map(|q| q.id),
        question: q.map(|q| QuestionView::new(room, q, None)),
    };
    emit_to(
        socket,
        &question_room(member),
        true,
        "receive_question_pinned",
        &body,
    )
    .await;
}

/// The question `t` names, in any state; `None` once the socket has its 404 or 503.
async fn stored<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, t: &Target) -> Option<Question> {
    let room = Some(t.member.room.as_str());
    match chat.0.db.question(t.scope, t.question_id).await {
        Ok(Some(q)) => Some(q),
        Ok(None) => {
            exception(socket, 404, "no such question", room);
            None
        }
        Err(e) => {
            internal(socket, &e, room);
            None
        }
    }
}

/// The 404 or 409 of a change that did not happen.
fn refuse<A: Adapter, T>(socket: &SocketRef<A>, member: &Member, change: &Change<T>, why: &str) {
    let room = Some(member.room.as_str());
    match change {
        Change::NotFound => exception(socket, 404, "no such question", room),
        _ => exception(socket, 409, why, room),
    }
}

/// LiBoo's `receive_question` for a question approved now.
fn approved_message(room: &str, q: &Question) -> ChatMessage {
    ChatMessage {
        room_id: room.to_owned(),
        nickname: asker_name(q).to_owned(),
        color: q.color.clone(),
        entry_time: q.entry_time.clone(),
        msg_time: liboo_service::iso(q.asked_ms),
        msg: q.msg.clone(),
        msg_type: "question",
        owner: "user",
        socket_id: q.socket_id.clone(),
        question_id: Some(q.id),
        question_done: Some(q.done),
        upvotes: Some(q.upvotes),
        talk_id: q.talk_id,
        marks: Some(Marks::new(q, false)),
    }
}

pub(super) async fn on_approve<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Moderation).await else {
        return;
    };
    let change = chat
        .0
        .db
        .set_question_state(
            t.scope,
            t.question_id,
            &[QuestionState::Pending],
            QuestionState::Approved,
            now_ms(),
        )
        .await;
    let q = match change {
        Ok(Change::Done(q)) => q,
        Ok(c) => {
            return refuse(
                &socket,
                &t.member,
                &c,
                "only a question awaiting review can be approved",
            );
        }
        Err(e) => return internal(&socket, &e, Some(&t.member.room)),
    };
    log_action(&chat, &t.member, "approve", Some(q.id), None, "").await;
    let m = approved_message(&t.member.room, &q);
    emit_to(
        &socket,
        &question_room(&t.member),
        true,
        "receive_question",
        &m,
    )
    .await;
}

pub(super) async fn on_dismiss<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(Dismiss { action, reason }) = payload(&socket, data, |v| Dismiss::parse(v, &limits))
    else {
        return;
    };
    let QuestionAction {
        sender: from,
        question_id,
    } = action;
    let Some(t) = target(&socket, &chat, from, question_id, Sending::Moderation).await else {
        return;
    };
    let from = [QuestionState::Pending, QuestionState::Approved];
    remove(
        &socket,
        &chat,
        &t,
        &from,
        QuestionState::Dismissed,
        reason.as_deref(),
    )
    .await;
}

pub(super) async fn on_withdraw<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Reaction).await else {
        return;
    };
    // Someone else's question is no question of theirs.
    let Some(q) = stored(&socket, &chat, &t).await else {
        return;
    };
    if q.user_hash != t.member.user_hash {
        return exception(&socket, 404, "no such question", Some(&t.member.room));
    }
    let from = [QuestionState::Pending];
    remove(&socket, &chat, &t, &from, QuestionState::Withdrawn, None).await;
}

/// Dismisses or withdraws a question and tells whoever could see it.
async fn remove<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    t: &Target,
    from: &[QuestionState],
    to: QuestionState,
    reason: Option<&str>,
) {
    let member = &t.member;
    let room = member.room.as_str();
    let Some(before) = stored(socket, chat, t).await else {
        return;
    };
    let change = chat
        .0
        .db
        .set_question_state(t.scope, t.question_id, from, to, now_ms())
        .await;
    let q = match change {
        Ok(Change::Done(q)) => q,
        Ok(c) => {
            let why = match to {
                QuestionState::Withdrawn => "only a question awaiting review can be withdrawn",
                _ => "this question was removed already",
            };
            return refuse(socket, member, &c, why);
        }
        Err(e) => return internal(socket, &e, Some(room)),
    };
    if to == QuestionState::Dismissed {
        log_action(
            chat,
            member,
            "dismiss",
            Some(q.id),
            None,
            reason.unwrap_or(""),
        )
        .await;
    }
    let body = Removed {
        room_id: room,
        talk_id: q.talk_id,
        question_id: q.id,
        state: q.state.as_str(),
        reason,
    };
    let event = "receive_question_removed";
    if before.state == QuestionState::Approved {
        emit_to(socket, &question_room(member), true, event, &body).await;
    } else {
        emit_to(socket, &moderators_room(member), true, event, &body).await;
        emit_to(socket, &user_room(room, &q.user_hash), true, event, &body).await;
    }
    if before.pinned {
        tell_pinned(socket, member, None).await;
    }
}

pub(super) async fn on_edit<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(EditQuestion { action, msg }) =
        payload(&socket, data, |v| EditQuestion::parse(v, &limits))
    else {
        return;
    };
    let QuestionAction {
        sender: from,
        question_id,
    } = action;
    let Some(t) = target(&socket, &chat, from, question_id, Sending::Reaction).await else {
        return;
    };
    let room = t.member.room.as_str();
    let Some(before) = stored(&socket, &chat, &t).await else {
        return;
    };
    // A moderator fixes any question still shown; an asker their own, until approved.
    let member = match refreshed(&socket, &chat, t.member.clone()).await {
        Ok(m) => m,
        Err(e) => return internal(&socket, &e, Some(room)),
    };
    let moderates = member.role >= MemberRole::Moderator;
    let states: &[QuestionState] = if moderates {
        &[QuestionState::Pending, QuestionState::Approved]
    } else if before.user_hash == member.user_hash {
        &[QuestionState::Pending]
    } else {
        return exception(&socket, 404, "no such question", Some(room));
    };
    let change = chat
        .0
        .db
        .edit_question(t.scope, t.question_id, &msg, states, now_ms())
        .await;
    let q = match change {
        Ok(Change::Done(q)) => q,
        Ok(c) => {
            let why = if moderates {
                "a removed question cannot be edited"
            } else {
                "only a question awaiting review can be edited by its asker"
            };
            return refuse(&socket, &member, &c, why);
        }
        Err(e) => return internal(&socket, &e, Some(room)),
    };
    if moderates {
        log_action(&chat, &member, "edit", Some(q.id), None, &before.msg).await;
    }
    let event = "receive_question_edited";
    if q.state == QuestionState::Approved {
        let view = QuestionView::new(room, &q, None);
        emit_to(&socket, &question_room(&member), true, event, &view).await;
    } else {
        let view = QuestionView::new(room, &q, None);
        emit_to(&socket, &moderators_room(&member), true, event, &view).await;
        let own = QuestionView::new(room, &q, Some(&q.user_hash));
        emit_to(&socket, &user_room(room, &q.user_hash), true, event, &own).await;
    }
}

pub(super) async fn on_pin<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(t) = question_event(&socket, &chat, data, Sending::Moderation).await else {
        return;
    };
    let q = match chat
        .0
        .db
        .pin_question(t.scope, t.question_id, now_ms())
        .await
    {
        Ok(Change::Done(q)) => q,
        Ok(c) => {
            let why = "only an approved question not yet answered can be pinned";
            return refuse(&socket, &t.member, &c, why);
        }
        Err(e) => return internal(&socket, &e, Some(&t.member.room)),
    };
    log_action(&chat, &t.member, "pin", Some(q.id), None, "").await;
    tell_pinned(&socket, &t.member, Some(&q)).await;
}

pub(super) async fn on_unpin<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(Unpin { sender: from }) = payload(&socket, data, Unpin::parse) else {
        return;
    };
    let Some(member) = sender(&socket, &chat, &from, Sending::Moderation).await else {
        return;
    };
    let room = member.room.as_str();
    let scope = match scope_of(&chat, &member).await {
        Ok(s) => s,
        Err(e) => return internal(&socket, &e, Some(room)),
    };
    match chat.0.db.unpin_questions(scope).await {
        Ok(unpinned) => {
            if unpinned.is_some() {
                log_action(&chat, &member, "unpin", unpinned, None, "").await;
            }
            tell_pinned(&socket, &member, None).await;
        }
        Err(e) => internal(&socket, &e, Some(room)),
    }
}
