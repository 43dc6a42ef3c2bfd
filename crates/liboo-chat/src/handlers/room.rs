//! `join_room`, `leave_room` and the end of a connection: membership of one room at a
//! time, the viewer count, and what a joiner is sent first.

use liboo_chat_events::{JoinRoom, LeaveRoom};
use liboo_db::{DbError, PollState, Question, hash_secret};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};
use socketioxide::socket::DisconnectReason;

use super::payload;
use crate::Chat;
use crate::admission::apply_role;
use crate::roles::{MemberRole, granted_role, moderators_room, user_room};
use crate::talks::{TalkBrief, scope_of, talk_room};
use crate::viewers::{Member, Persona, leave, persona, send_count, update_viewers};
use crate::wire::{InitData, ModerationView, PollView, QuestionView, exception, internal};

pub(super) async fn on_join<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(JoinRoom {
        room_id: room,
        user_id,
        talk_id,
    }) = payload(&socket, data, JoinRoom::parse)
    else {
        return;
    };
    let channel = match chat.0.db.channel_by_session_key(&room).await {
        Ok(Some(c)) => c,
        Ok(None) => return exception(&socket, 404, "no such room", Some(&room)),
        Err(e) => return internal(&socket, &e, Some(&room)),
    };
    let user_hash = hash_secret(&user_id);
    // A conference room's host is the conference's organiser.
    let is_host = match &channel.room {
        None => (chat.0.session_key_of)(&user_id) == room,
        Some(r) => match chat.0.db.conference_by_id(r.conference_id).await {
            Ok(c) => c.is_some_and(|c| c.organizer_hash == user_hash),
            Err(e) => return internal(&socket, &e, Some(&room)),
        },
    };
    let (talk, talk_pinned) = match talk_id {
        Some(id) => match chat.0.db.talk(id).await {
            Ok(Some(t)) if t.channel_id == channel.id => (Some(t.id), true),
            Ok(_) => return exception(&socket, 404, "no such talk in this room", Some(&room)),
            Err(e) => return internal(&socket, &e, Some(&room)),
        },
        None if channel.room.is_some() => match chat.0.db.current_talk_of_room(channel.id).await {
            Ok(t) => (t.map(|t| t.id), false),
            Err(e) => return internal(&socket, &e, Some(&room)),
        },
        None => (None, false),
    };
    let conference_id = channel.room.as_ref().map(|r| r.conference_id);
    let role = if is_host {
        MemberRole::Owner
    } else {
        match granted_role(&chat.0.db, channel.id, conference_id, &user_hash).await {
            Ok(r) => r,
            Err(e) => return internal(&socket, &e, Some(&room)),
        }
    };
    let membership = persona(&socket).membership;
    let _turn = membership.lock().await;
    if let Some(previous) = socket.extensions.get::<Member>() {
        if previous.room == room && previous.user_hash == user_hash && previous.talk == talk {
            // Joining again (after accepting an invitation, say) takes the role as now.
            let member = apply_role(&socket, previous, role);
            return send_init_data(&socket, &chat, &member).await;
        }
        leave(&socket, &chat, &previous).await;
    }
    let member = Member {
        is_host,
        role,
        conference_id,
        room: room.clone(),
        channel_id: channel.id,
        user_hash,
        talk,
        talk_pinned,
    };
    socket.join(room.clone());
    if let Some(t) = talk {
        socket.join(talk_room(&room, t));
    }
    socket.join(user_room(&room, &member.user_hash));
    if role >= MemberRole::Moderator {
        socket.join(moderators_room(&member));
    }
    socket.extensions.insert(member.clone());
    if let Err(e) = chat
        .0
        .presence
        .register_socket(&socket.id.to_string(), &member.user_hash)
        .await
    {
        tracing::warn!(error = %e, "could not record the socket's identity");
    }
    if !member.is_host {
        if let Ok(Some(live)) = chat.0.db.live_broadcast_of(&room).await
            && let Err(e) = chat.0.db.add_live_viewer(live.id, &member.user_hash).await
        {
            tracing::warn!(error = %e, "could not count a live viewer");
        }
        update_viewers(&socket, &chat, &room, 1).await;
    } else {
        // A viewer's join tells the whole room; the host, who does not count, still
        // needs the count as it is now.
        send_count(&socket, &chat, &room).await;
    }
    send_init_data(&socket, &chat, &member).await;
}

/// `receive_init_data`: the unanswered questions of what the member's questions belong
/// to (the talk they follow, the live broadcast, or a plain channel's next one), newest
/// first; in a conference room also the talk; and liboo's Q&A: the member's role, the
/// moderation switches, the pending questions they may see, the pinned one and the polls.
pub(crate) async fn send_init_data<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: &Member,
) {
    let room = member.room.as_str();
    match init_data(chat, member).await {
        Ok(init) => {
            let _ = socket.emit("receive_init_data", &init);
        }
        Err(e) => internal(socket, &e, Some(room)),
    }
}

async fn init_data<'a>(chat: &Chat, member: &'a Member) -> Result<InitData<'a>, DbError> {
    let db = &chat.0.db;
    let room = member.room.as_str();
    let me = Some(member.user_hash.as_str());
    let scope = scope_of(chat, member).await?;
    let questions = db.open_questions(scope).await?;
    let moderates = member.role >= MemberRole::Moderator;
    let pending = db
        .pending_questions(scope, (!moderates).then_some(member.user_hash.as_str()))
        .await?;
    let talk = match member.talk {
        Some(id) => db.talk(id).await?.as_ref().map(TalkBrief::new),
        None => None,
    };
    let moderation = db.moderation(member.channel_id, member.talk).await?;
    let pinned = db.pinned_question(scope).await?;
    let mut polls = Vec::new();
    for poll in db.polls(scope).await? {
        if poll.state == PollState::Draft && !moderates {
            continue;
        }
        let tally = db.poll_tally(&poll).await?;
        let mine = db.poll_vote_of(poll.id, &member.user_hash).await?;
        polls.push(PollView::new(room, &poll, tally, mine));
    }
    let view = |q: &Question| QuestionView::new(room, q, me);
    Ok(InitData {
        room_id: room,
        question_list: questions.iter().map(view).collect(),
        talk,
        role: member.role.as_str(),
        moderation: ModerationView::new(room, member.talk, moderation),
        pending_list: pending.iter().map(view).collect(),
        pinned: pinned.as_ref().map(view),
        polls,
    })
}

pub(super) async fn on_leave<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(LeaveRoom { room_id: room }) = payload(&socket, data, LeaveRoom::parse) else {
        return;
    };
    let membership = persona(&socket).membership;
    let _turn = membership.lock().await;
    // Leaving a room the socket is not in is already done.
    if let Some(member) = socket.extensions.get::<Member>()
        && member.room == room
    {
        leave(&socket, &chat, &member).await;
    }
}

pub(super) async fn on_disconnect<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    reason: DisconnectReason,
) {
    let persona = persona(&socket);
    let ip = persona.ip;
    match reason {
        // engineioxide ends a connection this way when a polling request carries more
        // than the payload limit (also answered 413), or a packet that does not parse.
        DisconnectReason::PacketParsingError => tracing::warn!(
            socket = %socket.id,
            ?ip,
            raise_with = "--chat-max-payload-bytes",
            "chat connection closed: it sent a packet that is malformed or over the payload limit"
        ),
        // A WebSocket message over the limit cannot be told from a connection lost.
        DisconnectReason::TransportError => tracing::info!(
            socket = %socket.id,
            ?ip,
            "chat connection dropped: the network, or a WebSocket message over \
             --chat-max-payload-bytes"
        ),
        reason => tracing::debug!(socket = %socket.id, %reason, "chat connection closed"),
    }
    let membership = persona.membership;
    let _turn = membership.lock().await;
    if let Some(member) = socket.extensions.get::<Member>() {
        leave(&socket, &chat, &member).await;
    }
    let _ = chat
        .0
        .presence
        .unregister_socket(&socket.id.to_string())
        .await;
    if let Some(ip) = socket.extensions.get::<Persona>().and_then(|p| p.ip) {
        chat.0.admission.release(ip);
    }
}
