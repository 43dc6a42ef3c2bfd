//! Poll results pushed to a room at a bounded rate: a vote schedules a push of its
//! poll unless one is pending, and the push reads the counts from the database when it
//! goes out, so however many votes arrive, the room gets at most a few updates a second
//! per node and the last one is exact.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use liboo_db::{Db, DbError, Poll};
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::Chat;
use crate::wire::PollView;

/// A poll's results are pushed at most this often per node.
pub(crate) const PUSH_EVERY: Duration = Duration::from_millis(250);

/// Polls with a results push scheduled on this node.
#[derive(Default)]
pub(crate) struct Pushes(Mutex<HashSet<i64>>);

impl Pushes {
    /// Whether this call scheduled the poll's next push (none was pending).
    fn schedule(&self, poll_id: i64) -> bool {
        self.0.lock().expect("poll map poisoned").insert(poll_id)
    }

    fn done(&self, poll_id: i64) {
        self.0.lock().expect("poll map poisoned").remove(&poll_id);
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
        match view(db, &room, &poll, None).await {
            Ok(v) => {
                let _ = ops.emit("receive_poll", &v).await;
            }
            Err(e) => tracing::warn!(error = %e, "could not count a poll's votes"),
        }
    });
}
