//! Who a socket is and which room it is in: its persona (LiBoo's random nickname and
//! colour), its membership of one room, and the room's viewer count, kept in presence
//! and pushed to the room at a bounded rate.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::wire::{ViewerCount, iso_now};
use crate::{Chat, names};

/// A room's viewer count is pushed at most this often. Pushing on every join sends
/// N²/2 frames for N joiners (50 million for a room of 10,000), which fills sockets'
/// buffers and drops frames; one push per interval carries the latest count.
const VIEWER_COUNT_EVERY: Duration = Duration::from_millis(500);

/// What a socket is, once it has joined a room.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub(crate) room: String,
    pub(crate) channel_id: i64,
    pub(crate) user_hash: String,
    /// The host (or a conference's organiser): owner of the room.
    pub(crate) is_host: bool,
    /// What the member may do, as of their last event that needed a role.
    pub(crate) role: crate::roles::MemberRole,
    /// The conference the room belongs to.
    pub(crate) conference_id: Option<i64>,
    /// In a conference room, the talk whose questions the member follows.
    pub(crate) talk: Option<i64>,
    /// The member named that talk when joining (a waiting room); otherwise they follow
    /// the room's current talk as it changes.
    pub(crate) talk_pinned: bool,
}

/// Who a socket is from its first event on.
#[derive(Clone, Debug)]
pub(crate) struct Persona {
    pub(crate) nickname: String,
    pub(crate) color: String,
    pub(crate) entry_time: String,
    pub(crate) ip: Option<IpAddr>,
    /// Held while the socket joins or leaves a room. socketioxide runs a socket's handlers
    /// concurrently, and a client that emits `join_room` twice in a row would otherwise
    /// join twice and leave a phantom viewer in the count after it disconnects.
    pub(crate) membership: Arc<tokio::sync::Mutex<()>>,
}

/// The socket's persona, made up on first use.
pub(crate) fn persona<A: Adapter>(socket: &SocketRef<A>) -> Persona {
    if let Some(p) = socket.extensions.get::<Persona>() {
        return p;
    }
    let ip = socket
        .req_parts()
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let p = Persona {
        nickname: names::nickname(),
        color: names::bright_color(),
        entry_time: iso_now(),
        ip,
        membership: Arc::default(),
    };
    socket.extensions.insert(p.clone());
    p
}

/// Rooms with a viewer count push already scheduled.
#[derive(Default)]
pub(crate) struct CountPushes(Mutex<HashSet<String>>);

impl CountPushes {
    /// Whether this call scheduled the room's next push (no push was pending).
    fn schedule(&self, room: &str) -> bool {
        self.0
            .lock()
            .expect("count map poisoned")
            .insert(room.to_owned())
    }

    fn done(&self, room: &str) {
        self.0.lock().expect("count map poisoned").remove(room);
    }
}

/// The room's viewer count over every node; a failure to read it is logged.
async fn count_of(chat: &Chat, room: &str) -> Option<i64> {
    match chat.0.presence.viewers(room).await {
        Ok(count) => Some(count),
        Err(e) => {
            tracing::warn!(error = %e, room, "could not read the viewer count");
            None
        }
    }
}

/// Sends the room's viewer count, as it is now, to this socket alone.
pub(crate) async fn send_count<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, room: &str) {
    if let Some(count) = count_of(chat, room).await {
        let body = ViewerCount {
            room_id: room,
            count,
        };
        let _ = socket.emit("receive_viewer_count", &body);
    }
}

/// Counts `delta` viewers in and out of `room` and schedules a push of its count.
pub(crate) async fn update_viewers<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    room: &str,
    delta: i64,
) {
    if let Err(e) = chat.0.presence.add_viewers(room, delta).await {
        tracing::warn!(error = %e, room, "could not update the viewer count");
        return;
    }
    if !chat.0.viewers.schedule(room) {
        return;
    }
    // The room's members are resolved when the push goes out, not now.
    let to_room = socket.within(room.to_owned());
    let (chat, room) = (chat.clone(), room.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(VIEWER_COUNT_EVERY).await;
        // Cleared before reading, so a change from here on schedules another push.
        chat.0.viewers.done(&room);
        if let Some(count) = count_of(&chat, &room).await {
            let body = ViewerCount {
                room_id: &room,
                count,
            };
            let _ = to_room.emit("receive_viewer_count", &body).await;
        }
    });
}

/// Takes the socket out of its room; a viewer (not the host) stops counting.
pub(crate) async fn leave<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, member: &Member) {
    socket.leave(member.room.clone());
    if let Some(t) = member.talk {
        socket.leave(crate::talks::talk_room(&member.room, t));
    }
    socket.leave(crate::roles::moderators_room(member));
    socket.leave(crate::roles::user_room(&member.room, &member.user_hash));
    socket.extensions.remove::<Member>();
    if !member.is_host {
        update_viewers(socket, chat, &member.room, -1).await;
    }
}
