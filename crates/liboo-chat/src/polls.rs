//! Poll results and question upvotes pushed to a room at a bounded rate: a vote
//! schedules a push of its poll (or question) unless one is pending, and the push reads
//! the counts from the database when it goes out, so however many votes arrive, the room
//! gets at most a few updates a second per poll or question and node, and the last one is
//! exact. The voter gets their own count at once.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use liboo_db::{Db, DbError, Poll, QuestionScope, Tally};
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::Chat;
use crate::viewers::Member;
use crate::wire::{PollView, Upvotes};

/// A poll's results are pushed at most this often per node.
pub(crate) const PUSH_EVERY: Duration = Duration::from_millis(250);

/// Polls (or questions) with a push scheduled on this node, and each poll's counts as
/// last pushed from here.
#[derive(Default)]
pub(crate) struct Pushes {
    pending: Mutex<HashSet<i64>>,
    last: Mutex<HashMap<i64, Tally>>,
}

/// Past this many polls remembered, the counts of all are forgotten (a node runs a
/// handful of polls at a time; this bounds a long-running one).
const REMEMBER_POLLS: usize = 10_000;

impl Pushes {
    /// Whether this call scheduled the poll's next push (none was pending).
    fn schedule(&self, poll_id: i64) -> bool {
        self.pending
            .lock()
            .expect("poll map poisoned")
            .insert(poll_id)
    }

    fn done(&self, poll_id: i64) {
        self.pending
            .lock()
            .expect("poll map poisoned")
            .remove(&poll_id);
    }

    /// The poll's counts as this node last pushed them.
    pub(crate) fn last_tally(&self, poll_id: i64) -> Option<Tally> {
        self.last
            .lock()
            .expect("poll map poisoned")
            .get(&poll_id)
            .cloned()
    }

    fn remember(&self, poll_id: i64, tally: &Tally) {
        let mut last = self.last.lock().expect("poll map poisoned");
        if last.len() >= REMEMBER_POLLS {
            last.clear();
        }
        last.insert(poll_id, tally.clone());
    }
}

/// The poll with its results, as `receive_poll` carries it.
pub(crate) async fn view<'a>(
    db: &Db,
    room: &'a str,
    poll: &Poll,
    my_vote: Option<Vec<usize>>,
) -> Result<PollView<'a>, DbError> {
    let tally = db.poll_tally(poll).await?;
    Ok(PollView::new(room, poll, tally, my_vote))
}

/// Schedules a push of `poll`'s results to the socket.io room `to`.
pub(crate) fn push_soon<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    room: &str,
    to: &str,
    poll_id: i64,
) {
    if !chat.0.polls.schedule(poll_id) {
        return;
    }
    let ops = socket.within(to.to_owned());
    let (chat, room) = (chat.clone(), room.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(PUSH_EVERY).await;
        // Cleared before reading, so a vote from here on schedules another push.
        chat.0.polls.done(poll_id);
        let db = &chat.0.db;
        let poll = match db.poll_by_id(poll_id).await {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, "could not read a poll to push"),
        };
        match db.poll_tally(&poll).await {
            Ok(tally) => {
                chat.0.polls.remember(poll_id, &tally);
                let v = PollView::new(&room, &poll, tally, None);
                let _ = ops.emit("receive_poll", &v).await;
            }
            Err(e) => tracing::warn!(error = %e, "could not count a poll's votes"),
        }
    });
}

/// Schedules a push of question `question_id`'s upvotes to the socket.io room `to`.
pub(crate) fn push_upvotes_soon<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: &Member,
    to: &str,
    scope: QuestionScope,
    question_id: i64,
) {
    if !chat.0.upvotes.schedule(question_id) {
        return;
    }
    let ops = socket.within(to.to_owned());
    let (chat, room, talk_id) = (chat.clone(), member.room.clone(), member.talk);
    tokio::spawn(async move {
        tokio::time::sleep(PUSH_EVERY).await;
        chat.0.upvotes.done(question_id);
        match chat.0.db.question(scope, question_id).await {
            Ok(Some(q)) => {
                let body = Upvotes {
                    room_id: &room,
                    talk_id,
                    question_id,
                    upvotes: q.upvotes,
                };
                let _ = ops.emit("receive_question_upvote", &body).await;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read a question's upvotes to push"),
        }
    });
}
