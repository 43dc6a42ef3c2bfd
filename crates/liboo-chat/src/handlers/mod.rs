//! The client events, one module per group: [`room`] joining and leaving (and the
//! disconnect), [`messages`] normal chat and notices, [`questions`] asking, answering
//! and upvoting, [`screening`] moderating questions (approve, dismiss, edit, pin,
//! withdraw), [`polls`] polls, [`moderation`] bans. Each handler parses its payload with
//! `liboo-chat-events`, passes [`crate::admission`], then acts and answers.

use liboo_chat_events::{
    BAN_USER, JOIN_ROOM, LEAVE_ROOM, Reject, SEND_NORMAL_CHAT, SEND_NOTICE, SEND_POLL_CLOSE,
    SEND_POLL_CREATE, SEND_POLL_OPEN, SEND_POLL_VOTE, SEND_QUESTION, SEND_QUESTION_APPROVE,
    SEND_QUESTION_DISMISS, SEND_QUESTION_DONE, SEND_QUESTION_EDIT, SEND_QUESTION_PIN,
    SEND_QUESTION_UNPIN, SEND_QUESTION_UPVOTE, SEND_QUESTION_WITHDRAW,
};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use crate::Chat;
use crate::admission::TooManyConnections;
use crate::viewers::{Persona, persona};
use crate::wire::exception;

mod messages;
mod moderation;
mod polls;
mod questions;
mod room;
mod screening;

pub(crate) use room::send_init_data;

/// Admits a connection and registers its event handlers. This runs as a connect
/// middleware, before socketioxide sends the client its CONNECT: the connect handler
/// itself runs as a task spawned after that, and a client that emits `join_room` as soon
/// as it is connected (LiBoo's does) could otherwise reach a socket with no handlers yet,
/// and the event would be dropped without a word.
pub(crate) async fn admit<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
) -> Result<(), TooManyConnections> {
    let p = persona(&socket);
    if let Some(ip) = p.ip
        && let Err(refused) = chat.0.admission.connect(ip)
    {
        metrics::counter!("liboo_limit_hits_total", "limit" => "chat_max_connections_per_ip")
            .increment(1);
        tracing::warn!(
            %ip,
            limit = refused.limit,
            raise_with = "--chat-max-connections-per-ip",
            "chat connection refused: too many from this address"
        );
        // Not counted, so nothing to give back when it closes.
        socket.extensions.remove::<Persona>();
        return Err(refused);
    }
    socket.on(JOIN_ROOM, room::on_join::<A>);
    socket.on(LEAVE_ROOM, room::on_leave::<A>);
    socket.on(SEND_NORMAL_CHAT, messages::on_normal_chat::<A>);
    socket.on(SEND_QUESTION, questions::on_question::<A>);
    socket.on(SEND_NOTICE, messages::on_notice::<A>);
    socket.on(SEND_QUESTION_DONE, questions::on_question_done::<A>);
    socket.on(SEND_QUESTION_UPVOTE, questions::on_question_upvote::<A>);
    socket.on(BAN_USER, moderation::on_ban::<A>);
    socket.on(SEND_QUESTION_APPROVE, screening::on_approve::<A>);
    socket.on(SEND_QUESTION_DISMISS, screening::on_dismiss::<A>);
    socket.on(SEND_QUESTION_PIN, screening::on_pin::<A>);
    socket.on(SEND_QUESTION_UNPIN, screening::on_unpin::<A>);
    socket.on(SEND_QUESTION_EDIT, screening::on_edit::<A>);
    socket.on(SEND_QUESTION_WITHDRAW, screening::on_withdraw::<A>);
    socket.on(SEND_POLL_CREATE, polls::on_create::<A>);
    socket.on(SEND_POLL_OPEN, polls::on_open::<A>);
    socket.on(SEND_POLL_CLOSE, polls::on_close::<A>);
    socket.on(SEND_POLL_VOTE, polls::on_vote::<A>);
    socket.on_disconnect(room::on_disconnect::<A>);
    Ok(())
}

/// Everything a connection needs was set up by [`admit`].
pub(crate) async fn on_connect<A: Adapter>(socket: SocketRef<A>) {
    tracing::debug!(socket = %socket.id, "chat connection");
}

/// Parses an event's payload with `parse` (from `liboo-chat-events`), answering one that
/// is refused with its exception. A payload socket.io could not decode as JSON is refused
/// as a payload that is not an object.
fn payload<A: Adapter, T>(
    socket: &SocketRef<A>,
    data: TryData<Value>,
    parse: impl FnOnce(&Value) -> Result<T, Reject>,
) -> Option<T> {
    let parsed = match data.0 {
        Ok(value) => parse(&value),
        Err(_) => Err(Reject::not_an_object()),
    };
    match parsed {
        Ok(event) => Some(event),
        Err(r) => {
            exception(socket, r.code, &r.message, r.room_id.as_deref());
            None
        }
    }
}
