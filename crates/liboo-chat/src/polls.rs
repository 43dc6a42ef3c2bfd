//! Poll results and question upvotes pushed to a room at a bounded rate: a vote
//! schedules a push of its poll (or question) unless one is pending, and the push reads
//! the counts from the database when it goes out, so however many votes arrive, the room
//! gets at most a few updates a second per poll or question and node, and the last one is
//! exact. The voter gets their own count at once.
//!
//! A push can still miss a client: socketioxide drops a packet for a socket whose buffer
//! already holds `max_buffer_size` packets (a slow or overloaded client in a busy room).
//! So once the counts have been still for [`SETTLE_AFTER`], the room gets them again,
//! twice at most: whoever missed the last push during the burst still ends exact.

use std::collections::{HashMap, HashSet};
use std::future::Future;
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

/// After a push, the waits before each settle push, while no vote came since.
pub(crate) const SETTLE_AFTER: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(6)];

/// Polls (or questions) with a push scheduled on this node, each one's number of pushes
/// from here (so a settle push knows whether a later push superseded it), and each poll's
/// counts as last pushed from here.
#[derive(Default)]
pub(crate) struct Pushes {
    pending: Mutex<HashSet<i64>>,
    pushed: Mutex<HashMap<i64, u64>>,
    last: Mutex<HashMap<i64, Tally>>,
}

/// Past this many polls (or questions) remembered, all are forgotten (a node runs a
/// handful at a time; this bounds a long-running one).
const REMEMBER: usize = 10_000;

impl Pushes {
    /// Whether this call scheduled the next push of `id` (none was pending).
    fn schedule(&self, id: i64) -> bool {
        self.pending.lock().expect("push map poisoned").insert(id)
    }

    /// The scheduled push of `id` goes out now: a vote from here on schedules another.
    /// Returns the push's number.
    fn start(&self, id: i64) -> u64 {
        self.pending.lock().expect("push map poisoned").remove(&id);
        let mut pushed = self.pushed.lock().expect("push map poisoned");
        if pushed.len() >= REMEMBER {
            pushed.clear();
        }
        let n = pushed.entry(id).or_default();
        *n += 1;
        *n
    }

    /// Whether push number `n` of `id` is still the latest, with none scheduled.
    fn is_latest(&self, id: i64, n: u64) -> bool {
        !self
            .pending
            .lock()
            .expect("push map poisoned")
            .contains(&id)
            && self.pushed.lock().expect("push map poisoned").get(&id) == Some(&n)
    }

    /// The poll's counts as this node last pushed them.
    pub(crate) fn last_tally(&self, poll_id: i64) -> Option<Tally> {
        self.last
            .lock()
            .expect("push map poisoned")
            .get(&poll_id)
            .cloned()
    }

    fn remember(&self, poll_id: i64, tally: &Tally) {
        let mut last = self.last.lock().expect("push map poisoned");
        if last.len() >= REMEMBER {
            last.clear();
        }
        last.insert(poll_id, tally.clone());
    }
}

/// Runs `push` for `id` [`PUSH_EVERY`] from now unless a push is already scheduled, then
/// again after each [`SETTLE_AFTER`] wait while no later push superseded it.
fn throttled<F, Fut>(chat: &Chat, pushes: fn(&Chat) -> &Pushes, id: i64, push: F)
where
    F: Fn(Chat) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    if !pushes(chat).schedule(id) {
        return;
    }
    let chat = chat.clone();
    tokio::spawn(async move {
        tokio::time::sleep(PUSH_EVERY).await;
        let n = pushes(&chat).start(id);
        push(chat.clone()).await;
        for wait in SETTLE_AFTER {
            tokio::time::sleep(wait).await;
            if !pushes(&chat).is_latest(id, n) {
                return;
            }
            push(chat.clone()).await;
        }
    });
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
    let (socket, room, to) = (socket.clone(), room.to_owned(), to.to_owned());
    throttled(
        chat,
        |c| &c.0.polls,
        poll_id,
        move |chat| {
            let (socket, room, to) = (socket.clone(), room.clone(), to.clone());
            async move {
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
                        let _ = socket.within(to).emit("receive_poll", &v).await;
                    }
                    Err(e) => tracing::warn!(error = %e, "could not count a poll's votes"),
                }
            }
        },
    );
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
    let (socket, to) = (socket.clone(), to.to_owned());
    let (room, talk_id) = (member.room.clone(), member.talk);
    throttled(
        chat,
        |c| &c.0.upvotes,
        question_id,
        move |chat| {
            let (socket, room, to) = (socket.clone(), room.clone(), to.clone());
            async move {
                match chat.0.db.question(scope, question_id).await {
                    Ok(Some(q)) => {
                        let body = Upvotes {
                            room_id: &room,
                            talk_id,
                            question_id,
                            upvotes: q.upvotes,
                        };
                        let _ = socket
                            .within(to)
                            .emit("receive_question_upvote", &body)
                            .await;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read a question's upvotes to push")
                    }
                }
            }
        },
    );
}
