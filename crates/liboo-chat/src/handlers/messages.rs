//! `send_normal_chat` and `send_notice`: a message to the room, from anyone or from
//! the host.

use liboo_chat_events::SendMessage;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::payload;
use crate::Chat;
use crate::admission::{Sending, sender};
use crate::deliver::{emit_to, to_room};
use crate::viewers::{Member, persona};
use crate::wire::{ChatMessage, iso_now};

/// A `{roomId, userId, msg}` payload that parsed and whose sender passed admission.
pub(super) async fn message_event<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    data: TryData<Value>,
    sending: Sending,
) -> Option<(Member, String)> {
    let limits = chat.payload_limits();
    let SendMessage { sender: from, msg } =
        payload(socket, data, |v| SendMessage::parse(v, &limits))?;
    let member = sender(socket, chat, &from, sending).await?;
    Some((member, msg))
}

/// The message `msg` of type `msg_type` as the room sees it from this socket.
pub(super) fn message<A: Adapter>(
    socket: &SocketRef<A>,
    member: &Member,
    msg: String,
    msg_type: &'static str,
) -> ChatMessage {
    let p = persona(socket);
    ChatMessage {
        room_id: member.room.clone(),
        nickname: p.nickname,
        color: p.color,
        entry_time: p.entry_time,
        msg_time: iso_now(),
        msg,
        msg_type,
        owner: if member.is_host { "host" } else { "user" },
        socket_id: socket.id.to_string(),
        question_id: None,
        question_done: None,
        upvotes: None,
        talk_id: None,
        marks: None,
    }
}

pub(super) async fn on_normal_chat<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some((member, msg)) = message_event(&socket, &chat, data, Sending::Message).await else {
        return;
    };
    let m = message(&socket, &member, msg, "normal");
    to_room(&socket, "receive_normal_chat", m).await;
}

pub(super) async fn on_notice<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some((member, msg)) = message_event(&socket, &chat, data, Sending::Notice).await else {
        return;
    };
    let m = message(&socket, &member, msg, "notice");
    super::screening::log_action(&chat, &member, "notice", None, None, &m.msg).await;
    emit_to(&socket, &member.room, true, "receive_notice", &m).await;
}
