//! Questions belong to one broadcast, one talk, or a plain channel's next broadcast,
//! and outlive them: they are part of the replay.

use sqlx::{AssertSqlSafe, Row};

use crate::rows::{question_from_row, select_questions};
use crate::{Db, DbError};

/// What a question belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuestionScope {
    /// A plain channel's live broadcast.
    Broadcast(i64),
    /// A talk: asked in its waiting room, while it is live or right after.
    Talk(i64),
    /// A plain channel that is offline: its next broadcast takes the question.
    NextBroadcast(i64),
}

impl QuestionScope {
    /// The `broadcast_id` and `talk_id` of a row in this scope.
    pub(crate) fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            QuestionScope::Broadcast(id) => (Some(id), None),
            QuestionScope::Talk(id) => (None, Some(id)),
            QuestionScope::NextBroadcast(_) => (None, None),
        }
    }

    /// The `WHERE` condition (one `?`, the id) that selects this scope's questions (and
    /// polls: the columns are the same).
    pub(crate) fn condition(self) -> (&'static str, i64) {
        match self {
            QuestionScope::Broadcast(id) => ("broadcast_id = ?", id),
            QuestionScope::Talk(id) => ("talk_id = ?", id),
            QuestionScope::NextBroadcast(channel) => (
                "channel_id = ? AND broadcast_id IS NULL AND talk_id IS NULL",
                channel,
            ),
        }
    }
}

/// A question as asked in chat, before it is stored.
#[derive(Clone, Debug)]
pub struct NewQuestion<'a> {
    /// The channel (room) it is asked in.
    pub channel_id: i64,
    /// What it belongs to.
    pub scope: QuestionScope,
    /// SHA-256 of the asker's `userId`, never the id itself.
    pub user_hash: &'a str,
    /// The name the asker shows in chat.
    pub nickname: &'a str,
    /// The question's text.
    pub msg: &'a str,
    /// Unix ms it was asked.
    pub asked_ms: i64,
    /// The asker's chat colour, entry time and socket id as chat showed them, kept so
    /// the question's later events show the asker the same way.
    pub asker: Asker<'a>,
    /// Pending (moderation on) or approved (off).
    pub state: QuestionState,
    /// Asked in anonymous mode.
    pub anonymous: bool,
}

/// How the asker of a question looked in chat when asking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Asker<'a> {
    /// The colour chat gave the asker's socket, e.g. `#ff6f61`.
    pub color: &'a str,
    /// When the asker's socket entered chat (RFC 3339), as chat sent it.
    pub entry_time: &'a str,
    /// The asker's socket id.
    pub socket_id: &'a str,
}

/// A stored question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Row id, the `questionId` of chat events.
    pub id: i64,
    /// The channel (room) it was asked in.
    pub channel_id: i64,
    /// The broadcast it belongs to (`None`: a talk's, or not yet started).
    pub broadcast_id: Option<i64>,
    /// The talk it belongs to.
    pub talk_id: Option<i64>,
    /// The name the asker showed in chat.
    pub nickname: String,
    /// The question's text.
    pub msg: String,
    /// Unix ms it was asked.
    pub asked_ms: i64,
    /// Marked answered by the host.
    pub done: bool,
    /// Unix ms the host marked it answered.
    pub done_ms: Option<i64>,
    /// Distinct users who voted for it.
    pub upvotes: i64,
    /// The asker's chat colour when asking (`''` for questions stored before it was kept).
    pub color: String,
    /// When the asker's socket entered chat, as chat sent it (`''` likewise).
    pub entry_time: String,
    /// The asker's socket id (`''` likewise).
    pub socket_id: String,
    /// SHA-256 of the asker's `userId`: who may withdraw or edit it. Never sent out.
    pub user_hash: String,
    /// Where it stands in moderation.
    pub state: QuestionState,
    /// Unix ms it was approved (when asked, without moderation).
    pub approved_ms: Option<i64>,
    /// Unix ms it was dismissed or withdrawn.
    pub removed_ms: Option<i64>,
    /// Unix ms its text was last edited.
    pub edited_ms: Option<i64>,
    /// The one question being answered now in its scope.
    pub pinned: bool,
    /// Unix ms it was last pinned.
    pub pinned_ms: Option<i64>,
    /// Asked in anonymous mode: shown as "anonymous".
    pub anonymous: bool,
}

/// Where a question stands in moderation. Answered and pinned are marks on an approved
/// question, not states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuestionState {
    /// Asked with moderation on, not screened yet: its asker and moderators see it.
    Pending,
    /// Shown to everyone.
    Approved,
    /// Removed by a moderator.
    Dismissed,
    /// Taken back by its asker before it was approved.
    Withdrawn,
}

impl QuestionState {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionState::Pending => "pending",
            QuestionState::Approved => "approved",
            QuestionState::Dismissed => "dismissed",
            QuestionState::Withdrawn => "withdrawn",
        }
    }

    /// The state a stored name names.
    pub fn parse(s: &str) -> Option<QuestionState> {
        Some(match s {
            "pending" => QuestionState::Pending,
            "approved" => QuestionState::Approved,
            "dismissed" => QuestionState::Dismissed,
            "withdrawn" => QuestionState::Withdrawn,
            _ => return None,
        })
    }

    /// Dismissed or withdrawn: gone from every list but the export.
    pub fn is_removed(self) -> bool {
        matches!(self, QuestionState::Dismissed | QuestionState::Withdrawn)
    }
}

/// What a conditional change of a question did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change<T> {
    /// The scope has no such question (or poll).
    NotFound,
    /// It exists but its state does not allow the change; here it is as it is.
    Refused(T),
    /// Changed; here it is now.
    Done(T),
}

impl Db {
    /// Stores a question and returns it with its id. Chat broadcasts it only after this
    /// returns, so a question anyone has seen is never lost.
    pub async fn add_question(&self, q: &NewQuestion<'_>) -> Result<Question, DbError> {
        let mut tx = self.begin_write().await?;
        let (broadcast_id, talk_id) = q.scope.ids();
        let approved_ms = (q.state == QuestionState::Approved).then_some(q.asked_ms);
        sqlx::query(
            "INSERT INTO questions (channel_id, broadcast_id, talk_id, user_hash, nickname, msg, \
             asked_ms, color, entry_time, socket_id, state, approved_ms, anonymous) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(q.channel_id)
        .bind(broadcast_id)
        .bind(talk_id)
        .bind(q.user_hash)
        .bind(q.nickname)
        .bind(q.msg)
        .bind(q.asked_ms)
        .bind(q.asker.color)
        .bind(q.asker.entry_time)
        .bind(q.asker.socket_id)
        .bind(q.state.as_str())
        .bind(approved_ms)
        .bind(i64::from(q.anonymous))
        .execute(&mut *tx)
        .await?;
        // The newest question of this user in this channel is the one just inserted:
        // both engines serialise writers to a row range inside the transaction.
        let row =
            select_questions("WHERE channel_id = ? AND user_hash = ? ORDER BY id DESC LIMIT 1")
                .bind(q.channel_id)
                .bind(q.user_hash)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        question_from_row(&row)
    }

    /// Every question of a scope, oldest first.
    pub async fn questions(&self, scope: QuestionScope) -> Result<Vec<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_questions(&format!("WHERE {cond} ORDER BY id")).bind(id);
        self.fetch_all(query, question_from_row).await
    }

    /// The approved questions of a scope, oldest first: what a replay shows.
    pub async fn approved_questions(&self, scope: QuestionScope) -> Result<Vec<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query =
            select_questions(&format!("WHERE {cond} AND state = 'approved' ORDER BY id")).bind(id);
        self.fetch_all(query, question_from_row).await
    }

    /// The approved, unanswered questions of a scope, newest first.
    pub async fn open_questions(&self, scope: QuestionScope) -> Result<Vec<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_questions(&format!(
            "WHERE {cond} AND state = 'approved' AND done = 0 ORDER BY id DESC"
        ))
        .bind(id);
        self.fetch_all(query, question_from_row).await
    }

    /// The pending questions of a scope, oldest first (a moderator screens them in the
    /// order they came); with `asker`, only that user's.
    pub async fn pending_questions(
        &self,
        scope: QuestionScope,
        asker: Option<&str>,
    ) -> Result<Vec<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query = match asker {
            None => select_questions(&format!("WHERE {cond} AND state = 'pending' ORDER BY id"))
                .bind(id),
            Some(hash) => select_questions(&format!(
                "WHERE {cond} AND state = 'pending' AND user_hash = ? ORDER BY id"
            ))
            .bind(id)
            .bind(hash.to_owned()),
        };
        self.fetch_all(query, question_from_row).await
    }

    /// One question of a scope, in any state.
    pub async fn question(
        &self,
        scope: QuestionScope,
        question_id: i64,
    ) -> Result<Option<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_questions(&format!("WHERE id = ? AND {cond}"))
            .bind(question_id)
            .bind(id);
        self.fetch_optional(query, question_from_row).await
    }

    /// The question pinned in a scope, if any.
    pub async fn pinned_question(&self, scope: QuestionScope) -> Result<Option<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_questions(&format!("WHERE {cond} AND pinned = 1 LIMIT 1")).bind(id);
        self.fetch_optional(query, question_from_row).await
    }

    /// Moves a question of a scope from one of the states `from` to `to`, stamping the
    /// time (`approved_ms` or `removed_ms`). A removed question loses its pin.
    pub async fn set_question_state(
        &self,
        scope: QuestionScope,
        question_id: i64,
        from: &[QuestionState],
        to: QuestionState,
        now_ms: i64,
    ) -> Result<Change<Question>, DbError> {
        let (cond, id) = scope.condition();
        // Back to pending (never done today) stamps nothing.
        let stamp = match to {
            QuestionState::Approved => ", approved_ms = ?",
            QuestionState::Pending => "",
            QuestionState::Dismissed | QuestionState::Withdrawn => ", removed_ms = ?, pinned = 0",
        };
        let states = in_list(from);
        let mut update = sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET state = ?{stamp} WHERE id = ? AND {cond} AND state IN ({states})"
        )))
        .bind(to.as_str());
        if !stamp.is_empty() {
            update = update.bind(now_ms);
        }
        let changed = update
            .bind(question_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.change_outcome(scope, question_id, changed.rows_affected())
            .await
    }

    /// Reads a question back after a conditional `UPDATE` that touched `rows` rows.
    async fn change_outcome(
        &self,
        scope: QuestionScope,
        question_id: i64,
        rows: u64,
    ) -> Result<Change<Question>, DbError> {
        Ok(match self.question(scope, question_id).await? {
            None => Change::NotFound,
            Some(q) if rows == 1 => Change::Done(q),
            Some(q) => Change::Refused(q),
        })
    }

    /// Changes a question's text, if its state is one of `states` and, with `asker`, it
    /// is that user's.
    pub async fn edit_question(
        &self,
        scope: QuestionScope,
        question_id: i64,
        msg: &str,
        states: &[QuestionState],
        now_ms: i64,
    ) -> Result<Change<Question>, DbError> {
        let (cond, id) = scope.condition();
        let states = in_list(states);
        let changed = sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET msg = ?, edited_ms = ? WHERE id = ? AND {cond} AND state IN ({states})"
        )))
        .bind(msg)
        .bind(now_ms)
        .bind(question_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.change_outcome(scope, question_id, changed.rows_affected())
            .await
    }

    /// Pins an approved, unanswered question of a scope, unpinning the one pinned
    /// before (one at a time).
    pub async fn pin_question(
        &self,
        scope: QuestionScope,
        question_id: i64,
        now_ms: i64,
    ) -> Result<Change<Question>, DbError> {
        let (cond, id) = scope.condition();
        let mut tx = self.begin_write().await?;
        let target = select_questions(&format!("WHERE id = ? AND {cond}"))
            .bind(question_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(target) = target.as_ref().map(question_from_row).transpose()? else {
            tx.rollback().await?;
            return Ok(Change::NotFound);
        };
        if target.state != QuestionState::Approved || target.done {
            tx.rollback().await?;
            return Ok(Change::Refused(target));
        }
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET pinned = 0 WHERE {cond} AND pinned = 1"
        )))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE questions SET pinned = 1, pinned_ms = ? WHERE id = ?")
            .bind(now_ms)
            .bind(question_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.change_outcome(scope, question_id, 1).await
    }

    /// Unpins whatever is pinned in a scope; the id that was, if any.
    pub async fn unpin_questions(&self, scope: QuestionScope) -> Result<Option<i64>, DbError> {
        let Some(pinned) = self.pinned_question(scope).await? else {
            return Ok(None);
        };
        let (cond, id) = scope.condition();
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET pinned = 0 WHERE {cond} AND pinned = 1"
        )))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(Some(pinned.id))
    }

    /// Marks an approved question of a scope answered (and no longer pinned); `None` if
    /// the scope has no such question. Marking twice keeps the first answer time.
    pub async fn mark_question_done(
        &self,
        scope: QuestionScope,
        question_id: i64,
        now_ms: i64,
    ) -> Result<Option<Question>, DbError> {
        let (cond, id) = scope.condition();
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET done = 1, done_ms = ?, pinned = 0 \
             WHERE id = ? AND {cond} AND done = 0 AND state = 'approved'"
        )))
        .bind(now_ms)
        .bind(question_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.question(scope, question_id).await
    }

    /// Counts one upvote of an approved question by a user; a second vote by the same
    /// user counts nothing. Returns the question's upvotes, or `None` if the scope has no
    /// such approved question.
    pub async fn upvote_question(
        &self,
        scope: QuestionScope,
        question_id: i64,
        user_hash: &str,
    ) -> Result<Option<i64>, DbError> {
        let (cond, id) = scope.condition();
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM questions WHERE id = ? AND {cond} AND state = 'approved'"
        )))
        .bind(question_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            // Ended here, not left to the drop: a dropped transaction rolls back only
            // when its connection is next used, and until then MySQL keeps its locks.
            tx.rollback().await?;
            return Ok(None);
        }
        let inserted = self
            .insert_ignore("question_votes (question_id, user_hash) VALUES (?, ?)")
            .bind(question_id)
            .bind(user_hash)
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() == 1 {
            sqlx::query("UPDATE questions SET upvotes = upvotes + 1 WHERE id = ?")
                .bind(question_id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query("SELECT upvotes FROM questions WHERE id = ?")
            .bind(question_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(row.try_get("upvotes")?))
    }
}

/// States as an SQL list of literals (the names are the code's own, never input).
fn in_list(states: &[QuestionState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
