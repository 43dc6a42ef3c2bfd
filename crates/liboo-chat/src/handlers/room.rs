//! `join_room`, `leave_room` and the end of a connection: membership of one room at a
//! time, the viewer count, and what a joiner is sent first.

use liboo_chat_events::{JoinRoom, LeaveRoom};
use liboo_db::hash_secret;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};
use socketioxide::socket::DisconnectReason;

use super::payload;
use crate::Chat;
use crate::talks::{TalkBrief, scope_of, talk_room};
use crate::viewers::{Member, Persona, leave, persona, send_count, update_viewers};
use crate::wire::{InitData, QuestionView, exception, internal};

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
    let membership = persona(&socket).membership;
    let _turn = membership.lock().await;
    if let Some(previous) = socket.extensions.get::<Member>() {
        if previous.room == room && previous.user_hash == user_hash && previous.talk == talk {
            return send_init_data(&socket, &chat, &previous).await;
        }
        leave(&socket, &chat, &previous).await;
    }
    let member = Member {
        is_host,
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
/// first; in a conference room also the talk.
pub(crate) async fn send_init_data<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: &Member,
) {
    let room = member.room.as_str();
    let questions = match scope_of(chat, member).await {
        Ok(scope) => match chat.0.db.open_questions(scope).await {
            Ok(q) => q,
            Err(e) => return internal(socket, &e, Some(room)),
        },
        Err(e) => return internal(socket, &e, Some(room)),
    };
    let talk = match member.talk {
        Some(id) => match chat.0.db.talk(id).await {
            Ok(t) => t.as_ref().map(TalkBrief::new),
            Err(e) => return internal(socket, &e, Some(room)),
        },
        None => None,
    };
    let init = InitData {
        room_id: room,
        question_list: questions
            .iter()
            .map(|q| QuestionView::new(room, q))
            .collect(),
        talk,
    };
    let _ = socket.emit("receive_init_data", &init);
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
