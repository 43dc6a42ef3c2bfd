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
    /// The `WHERE` condition (one `?`, the id) that selects this scope's questions.
    fn condition(self) -> (&'static str, i64) {
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
}

impl Db {
    /// Stores a question and returns it with its id. Chat broadcasts it only after this
    /// returns, so a question anyone has seen is never lost.
    pub async fn add_question(&self, q: &NewQuestion<'_>) -> Result<Question, DbError> {
        let mut tx = self.pool.begin().await?;
        let (broadcast_id, talk_id) = match q.scope {
            QuestionScope::Broadcast(id) => (Some(id), None),
            QuestionScope::Talk(id) => (None, Some(id)),
            QuestionScope::NextBroadcast(_) => (None, None),
        };
        sqlx::query(
            "INSERT INTO questions (channel_id, broadcast_id, talk_id, user_hash, nickname, msg, \
             asked_ms, color, entry_time, socket_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    /// The unanswered questions of a scope, newest first.
    pub async fn open_questions(&self, scope: QuestionScope) -> Result<Vec<Question>, DbError> {
        let (cond, id) = scope.condition();
        let query =
            select_questions(&format!("WHERE {cond} AND done = 0 ORDER BY id DESC")).bind(id);
        self.fetch_all(query, question_from_row).await
    }

    /// Marks a question of a scope answered; `None` if the scope has no such question.
    /// Marking twice keeps the first answer time.
    pub async fn mark_question_done(
        &self,
        scope: QuestionScope,
        question_id: i64,
        now_ms: i64,
    ) -> Result<Option<Question>, DbError> {
        let (cond, id) = scope.condition();
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE questions SET done = 1, done_ms = ? WHERE id = ? AND {cond} AND done = 0"
        )))
        .bind(now_ms)
        .bind(question_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        let query = select_questions(&format!("WHERE id = ? AND {cond}"))
            .bind(question_id)
            .bind(id);
        self.fetch_optional(query, question_from_row).await
    }

    /// Counts one upvote of a question by a user; a second vote by the same user counts
    /// nothing. Returns the question's upvotes, or `None` if the scope has no such
    /// question.
    pub async fn upvote_question(
        &self,
        scope: QuestionScope,
        question_id: i64,
        user_hash: &str,
    ) -> Result<Option<i64>, DbError> {
        let (cond, id) = scope.condition();
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM questions WHERE id = ? AND {cond}"
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
