//! `ban_user`: the host or a moderator bans the person behind a socket seen in chat,
//! from the channel, on every node and in the host's later broadcasts.

use liboo_chat_events::BanUser;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::payload;
use crate::Chat;
use crate::admission::{Sending, sender};
use crate::wire::{exception, internal, now_ms};

pub(super) async fn on_ban<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(BanUser {
        sender: from,
        socket_id: target,
    }) = payload(&socket, data, BanUser::parse)
    else {
        return;
    };
    let Some(member) = sender(&socket, &chat, &from, Sending::Moderation).await else {
        return;
    };
    let room = Some(member.room.as_str());
    let identity = match chat.0.presence.socket_identity(&target).await {
        Ok(Some(id)) => id,
        Ok(None) => return exception(&socket, 404, "no such user in chat", room),
        Err(e) => return internal(&socket, &e, room),
    };
    if identity == member.user_hash {
        return exception(&socket, 400, "a host cannot ban themselves", room);
    }
    if let Err(e) = chat.0.db.ban(member.channel_id, &identity, now_ms()).await {
        return internal(&socket, &e, room);
    }
    chat.0.admission.banned(member.channel_id, &identity);
    let detail = format!("user {}", identity.chars().take(8).collect::<String>());
    super::screening::log_action(&chat, &member, "ban", None, None, &detail).await;
    tracing::info!(room = %member.room, "host banned a chat user");
}
