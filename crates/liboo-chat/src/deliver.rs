//! Emitting to a room on every node, and on this node alone when the adapter (Redis)
//! fails, so each node keeps serving its own clients.

use std::time::Duration;

use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::wire::ChatMessage;

/// How long a broadcast through the adapter (Redis, with several nodes) may take before
/// this node delivers to its own members alone.
const ADAPTER_TIMEOUT: Duration = Duration::from_secs(1);

/// Emits `event` to `room` on every node, the sender too if `include_self`; if the
/// adapter fails (Redis down or restarting), to this node's members of the room at least.
pub(crate) async fn emit_to<A: Adapter, T: Serialize + ?Sized>(
    socket: &SocketRef<A>,
    room: &str,
    include_self: bool,
    event: &str,
    data: &T,
) {
    let ops = |local: bool| {
        let ops = if include_self {
            socket.within(room.to_owned())
        } else {
            socket.to(room.to_owned())
        };
        if local { ops.local() } else { ops }
    };
    let failure = match tokio::time::timeout(ADAPTER_TIMEOUT, ops(false).emit(event, data)).await {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e.to_string(),
        Err(_) => "timed out".to_owned(),
    };
    metrics::counter!("liboo_chat_local_only_broadcasts_total").increment(1);
    tracing::warn!(room, event, error = %failure, "broadcast through the adapter failed; delivered on this node only");
    let _ = ops(true).emit(event, data).await;
}

/// Sends a message to its room: `owner: "me"` to the sender (unless the host, who is
/// `host` for everyone), as is to everyone else.
pub(crate) async fn to_room<A: Adapter>(socket: &SocketRef<A>, event: &str, msg: ChatMessage) {
    let to = msg.room_id.clone();
    emit_to(socket, &to, false, event, &msg).await;
    let mine = ChatMessage {
        owner: if msg.owner == "host" { "host" } else { "me" },
        ..msg
    };
    let _ = socket.emit(event, &mine);
}
