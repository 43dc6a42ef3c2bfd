//! Conference rooms in chat: which talk a member follows, where that talk's question
//! events go, and the watcher that tells rooms when their talks change.
//!
//! A member of a conference room is in two socket.io rooms: the room's (chat, notices,
//! viewer counts, talk changes) and the followed talk's (its questions), so a talk's
//! questions reach the people following it and no one else. A member who named no talk
//! follows the room's current talk and is moved along when it changes; LiBoo's client,
//! which knows nothing of talks, so always sees the questions of the talk on air.

use std::time::Duration;

use liboo_db::{QuestionScope, Talk};
use serde::Serialize;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::Chat;
use crate::viewers::Member;
use crate::wire::{ModerationView, now_ms};

/// How often each chat node asks the database which talks changed.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The socket.io room of a talk's questions.
pub(crate) fn talk_room(room: &str, talk_id: i64) -> String {
    format!("{room}#talk-{talk_id}")
}

/// Where a member's question events go: their talk's room, else the whole room.
pub(crate) fn question_room(member: &Member) -> String {
    match member.talk {
        Some(t) => talk_room(&member.room, t),
        None => member.room.clone(),
    }
}

/// What a member's questions belong to: the talk they follow, else the room's live
/// broadcast, else (a plain channel offline) its next broadcast.
pub(crate) async fn scope_of(
    chat: &Chat,
    member: &Member,
) -> Result<QuestionScope, liboo_db::DbError> {
    if let Some(t) = member.talk {
        return Ok(QuestionScope::Talk(t));
    }
    Ok(match chat.0.db.live_broadcast_of(&member.room).await? {
        Some(b) => QuestionScope::Broadcast(b.id),
        None => QuestionScope::NextBroadcast(member.channel_id),
    })
}

/// A talk as chat events carry it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TalkBrief {
    talk_id: i64,
    title: String,
    speakers: Vec<String>,
    state: &'static str,
    sched_start: String,
    sched_end: String,
    actual_start: Option<String>,
    actual_end: Option<String>,
    questions_open: bool,
}

impl TalkBrief {
    pub(crate) fn new(t: &Talk) -> TalkBrief {
        let speakers = serde_json::from_str::<Vec<serde_json::Value>>(&t.fields.persons)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            .collect();
        TalkBrief {
            talk_id: t.id,
            title: t.fields.title.clone(),
            speakers,
            state: t.state.as_str(),
            sched_start: liboo_service::iso(t.fields.sched_start_ms),
            sched_end: liboo_service::iso(t.sched_end_ms()),
            actual_start: t.actual_start_ms.map(liboo_service::iso),
            actual_end: t.actual_end_ms.map(liboo_service::iso),
            questions_open: t.accepts_questions(now_ms()),
        }
    }
}

/// `receive_talk_state`: a room's talk changed (or its state did).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TalkState<'a> {
    room_id: &'a str,
    /// The talk that changed.
    talk: TalkBrief,
    /// The room's current talk now (live, else next), which a member who named no
    /// talk follows.
    current: Option<TalkBrief>,
}

/// Tells each room on this node when one of its talks changes, and moves the members
/// who follow the room's current talk to the new one. Every node asks the database
/// (the talks' `state_ms`), so the change reaches every node's members without Redis,
/// and each emits to its own members only.
///
/// The same loop tells members when their room's moderation switches change
/// (`receive_moderation`), which the API stores with a time for the same reason.
pub(crate) async fn watch<A: Adapter>(io: SocketIo<A>, chat: Chat) {
    let mut seen = Seen::new(now_ms());
    let mut switched = Seen::new(now_ms());
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if chat.0.db.pool().is_closed() {
            return;
        }
        match chat.0.db.moderation_changed_since(switched.since()).await {
            Ok(changed) => {
                for (room, at) in changed {
                    if switched.is_new(room.clone(), at) {
                        tell_moderation(&io, &chat, &room).await;
                    }
                }
                switched.prune();
            }
            Err(e) => tracing::warn!(error = %e, "could not read which rooms' moderation changed"),
        }
        let changed = match chat.0.db.talks_changed_since(seen.since()).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "could not read which talks changed");
                continue;
            }
        };
        for talk in changed {
            if !seen.is_new(talk.id, talk.state_ms) {
                continue;
            }
            if let Err(e) = tell_room(&io, &chat, &talk).await {
                tracing::warn!(error = %e, talk = talk.id, "could not tell a room its talk changed");
            }
        }
        seen.prune();
    }
}

/// How far another node's clock may run behind this one's: changes are read again from
/// this long before the newest one seen, since a node whose clock is behind stamps a
/// later change with an earlier time.
const CLOCK_SKEW_MS: i64 = 5_000;

/// Which changes (of talks, of rooms' switches) this node has told its rooms, so that
/// reading a window again tells none twice.
struct Seen<K> {
    /// The time of each thing's last change told, within the window.
    told: std::collections::HashMap<K, i64>,
    /// The newest change time seen.
    newest: i64,
}

impl<K: std::hash::Hash + Eq> Seen<K> {
    fn new(now_ms: i64) -> Seen<K> {
        Seen {
            told: Default::default(),
            newest: now_ms,
        }
    }

    /// Changes after this are read.
    fn since(&self) -> i64 {
        self.newest - CLOCK_SKEW_MS
    }

    /// Whether this change of this thing is one not told yet (and it is now).
    fn is_new(&mut self, key: K, state_ms: i64) -> bool {
        if self.told.get(&key) == Some(&state_ms) {
            return false;
        }
        self.told.insert(key, state_ms);
        self.newest = self.newest.max(state_ms);
        true
    }

    /// Forgets what the next read cannot return again.
    fn prune(&mut self) {
        let floor = self.since();
        self.told.retain(|_, ms| *ms > floor);
    }
}

/// `receive_moderation` to each of this node's members of `room`, with the switches of
/// the talk they follow.
async fn tell_moderation<A: Adapter>(io: &SocketIo<A>, chat: &Chat, room: &str) {
    for socket in io.to(room.to_owned()).local().sockets() {
        let Some(member) = socket.extensions.get::<Member>() else {
            continue;
        };
        match chat.0.db.moderation(member.channel_id, member.talk).await {
            Ok(m) => {
                let body = ModerationView::new(room, member.talk, m);
                let _ = socket.emit("receive_moderation", &body);
            }
            Err(e) => tracing::warn!(error = %e, "could not read a room's moderation"),
        }
    }
}

async fn tell_room<A: Adapter>(
    io: &SocketIo<A>,
    chat: &Chat,
    talk: &Talk,
) -> Result<(), liboo_db::DbError> {
    let Some(channel) = chat.0.db.channel_by_id(talk.channel_id).await? else {
        return Ok(());
    };
    let room = channel.session_key;
    let current = chat.0.db.current_talk_of_room(channel.id).await?;
    let event = TalkState {
        room_id: &room,
        talk: TalkBrief::new(talk),
        current: current.as_ref().map(TalkBrief::new),
    };
    let _ = io
        .to(room.clone())
        .local()
        .emit("receive_talk_state", &event)
        .await;
    let Some(current) = current else {
        return Ok(());
    };
    for socket in io.to(room.clone()).local().sockets() {
        follow_current(&socket, chat, current.id).await;
    }
    Ok(())
}

/// Moves a member who follows the room's current talk to `talk_id`, with that talk's
/// questions as a new `receive_init_data`.
async fn follow_current<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, talk_id: i64) {
    let Some(member) = socket.extensions.get::<Member>() else {
        return;
    };
    if member.talk_pinned || member.talk == Some(talk_id) {
        return;
    }
    let moderates = member.role >= crate::roles::MemberRole::Moderator;
    if let Some(old) = member.talk {
        socket.leave(talk_room(&member.room, old));
    }
    if moderates {
        socket.leave(crate::roles::moderators_room(&member));
    }
    socket.join(talk_room(&member.room, talk_id));
    let moved = Member {
        talk: Some(talk_id),
        ..member
    };
    if moderates {
        socket.join(crate::roles::moderators_room(&moved));
    }
    socket.extensions.insert(moved.clone());
    crate::handlers::send_init_data(socket, chat, &moved).await;
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn a_change_is_told_once_even_when_a_slow_clock_stamped_it_earlier() {
        let mut seen = Seen::new(100_000);
        assert_eq!(seen.since(), 95_000);
        // This node's change, then the same row read again in the next window.
        assert!(seen.is_new(1, 100_500));
        assert!(!seen.is_new(1, 100_500));
        // Another node, 2 s behind, changes talk 2 after that: still read, and told.
        assert!(seen.since() < 98_600);
        assert!(seen.is_new(2, 98_600));
        // Talk 1 changes again: told.
        assert!(seen.is_new(1, 101_000));
        seen.prune();
        assert_eq!(seen.told.len(), 2);
        // Far later, the old entries go.
        assert!(seen.is_new(3, 200_000));
        seen.prune();
        assert_eq!(seen.told.len(), 1);
    }
}
