//! Polls: created by a moderator as a draft, opened to the room, closed; one vote per
//! user, changeable while open. They belong where questions do and stay with the replay.

use sqlx::{AssertSqlSafe, Row};

use crate::questions::Change;
use crate::{Backend, Db, DbError, QuestionScope, is_deadlock};

/// Where a poll stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PollState {
    /// Made, seen by moderators only.
    Draft,
    /// Shown to the room, taking votes.
    Open,
    /// No more votes; the results stay.
    Closed,
}

impl PollState {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            PollState::Draft => "draft",
            PollState::Open => "open",
            PollState::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<PollState> {
        Some(match s {
            "draft" => PollState::Draft,
            "open" => PollState::Open,
            "closed" => PollState::Closed,
            _ => return None,
        })
    }
}

/// A stored poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poll {
    /// Row id, the `pollId` of chat events.
    pub id: i64,
    /// The room it was made in.
    pub channel_id: i64,
    /// The broadcast it belongs to.
    pub broadcast_id: Option<i64>,
    /// The talk it belongs to.
    pub talk_id: Option<i64>,
    /// What it asks.
    pub question: String,
    /// The choices, 2 to 10.
    pub options: Vec<String>,
    /// Several choices per vote.
    pub multiple: bool,
    /// Where it stands.
    pub state: PollState,
    /// Unix ms.
    pub created_ms: i64,
    /// Unix ms it was opened.
    pub opened_ms: Option<i64>,
    /// Unix ms it was closed.
    pub closed_ms: Option<i64>,
}

/// A poll's results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Votes per option.
    pub counts: Vec<i64>,
    /// Users who voted.
    pub voters: i64,
}

const POLL_COLS: &str = "id, channel_id, broadcast_id, talk_id, question, options, multiple, \
     state, created_ms, opened_ms, closed_ms";

fn poll_from_row(row: &sqlx::any::AnyRow) -> Result<Poll, DbError> {
    let raw: String = row.try_get("state")?;
    let options: String = row.try_get("options")?;
    Ok(Poll {
        id: row.try_get("id")?,
        channel_id: row.try_get("channel_id")?,
        broadcast_id: row.try_get("broadcast_id")?,
        talk_id: row.try_get("talk_id")?,
        question: row.try_get("question")?,
        options: serde_json::from_str(&options)
            .map_err(|e| DbError::Corrupt(format!("poll options {options:?}: {e}")))?,
        multiple: row.try_get::<i64, _>("multiple")? != 0,
        state: PollState::parse(&raw)
            .ok_or_else(|| DbError::Corrupt(format!("poll state {raw:?}")))?,
        created_ms: row.try_get("created_ms")?,
        opened_ms: row.try_get("opened_ms")?,
        closed_ms: row.try_get("closed_ms")?,
    })
}

fn select_polls<'q>(rest: &str) -> crate::rows::AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {POLL_COLS} FROM polls {rest}"
    )))
}

/// A vote as stored: option indices in a JSON array.
fn parse_vote(raw: &str) -> Vec<usize> {
    serde_json::from_str(raw).unwrap_or_default()
}

impl Db {
    /// Stores a draft poll.
    pub async fn create_poll(
        &self,
        channel_id: i64,
        scope: QuestionScope,
        question: &str,
        options: &[String],
        multiple: bool,
        now_ms: i64,
    ) -> Result<Poll, DbError> {
        let (broadcast_id, talk_id) = scope.ids();
        let options = serde_json::to_string(options).expect("strings serialise");
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO polls (channel_id, broadcast_id, talk_id, question, options, multiple, \
             state, created_ms) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?)",
        )
        .bind(channel_id)
        .bind(broadcast_id)
        .bind(talk_id)
        .bind(question)
        .bind(options)
        .bind(i64::from(multiple))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let row = select_polls("WHERE channel_id = ? ORDER BY id DESC LIMIT 1")
            .bind(channel_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        poll_from_row(&row)
    }

    /// A poll of a scope.
    pub async fn poll(&self, scope: QuestionScope, poll_id: i64) -> Result<Option<Poll>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_polls(&format!("WHERE id = ? AND {cond}"))
            .bind(poll_id)
            .bind(id);
        self.fetch_optional(query, poll_from_row).await
    }

    /// A poll by its id alone.
    pub async fn poll_by_id(&self, poll_id: i64) -> Result<Option<Poll>, DbError> {
        self.fetch_optional(select_polls("WHERE id = ?").bind(poll_id), poll_from_row)
            .await
    }

    /// Every poll of a scope, oldest first.
    pub async fn polls(&self, scope: QuestionScope) -> Result<Vec<Poll>, DbError> {
        let (cond, id) = scope.condition();
        let query = select_polls(&format!("WHERE {cond} ORDER BY id")).bind(id);
        self.fetch_all(query, poll_from_row).await
    }

    /// Moves a poll from `from` to `to`, stamping when it opened or closed.
    pub async fn set_poll_state(
        &self,
        scope: QuestionScope,
        poll_id: i64,
        from: PollState,
        to: PollState,
        now_ms: i64,
    ) -> Result<Change<Poll>, DbError> {
        let (cond, id) = scope.condition();
        let stamp = match to {
            PollState::Open => "opened_ms",
            PollState::Closed | PollState::Draft => "closed_ms",
        };
        let changed = sqlx::query(AssertSqlSafe(format!(
            "UPDATE polls SET state = ?, {stamp} = ? WHERE id = ? AND {cond} AND state = ?"
        )))
        .bind(to.as_str())
        .bind(now_ms)
        .bind(poll_id)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        Ok(match self.poll(scope, poll_id).await? {
            None => Change::NotFound,
            Some(p) if changed.rows_affected() == 1 => Change::Done(p),
            Some(p) => Change::Refused(p),
        })
    }

    /// Stores `user_hash`'s vote (replacing an earlier one) if the poll is open. The
    /// options are checked by the caller against the poll.
    pub async fn vote_poll(
        &self,
        scope: QuestionScope,
        poll_id: i64,
        user_hash: &str,
        options: &[usize],
        now_ms: i64,
    ) -> Result<Change<Poll>, DbError> {
        let Some(poll) = self.poll(scope, poll_id).await? else {
            return Ok(Change::NotFound);
        };
        if poll.state != PollState::Open {
            return Ok(Change::Refused(poll));
        }
        let vote = serde_json::to_string(options).expect("indices serialise");
        // One statement, counted only while the poll is open: a vote racing the close is
        // either in the results or refused, and two voters never hold locks across
        // statements (InnoDB deadlocked a DELETE-then-INSERT pair under load).
        let upsert = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO poll_votes (poll_id, user_hash, options, voted_ms) \
                 SELECT id, ?, ?, ? FROM polls WHERE id = ? AND state = 'open' \
                 ON CONFLICT (poll_id, user_hash) DO UPDATE SET options = excluded.options, \
                 voted_ms = excluded.voted_ms"
            }
            Backend::MySql => {
                "INSERT INTO poll_votes (poll_id, user_hash, options, voted_ms) \
                 SELECT id, ?, ?, ? FROM polls WHERE id = ? AND state = 'open' \
                 ON DUPLICATE KEY UPDATE options = VALUES(options), voted_ms = VALUES(voted_ms)"
            }
        };
        let mut attempt = 0;
        let written = loop {
            let done = sqlx::query(upsert)
                .bind(user_hash)
                .bind(&vote)
                .bind(now_ms)
                .bind(poll_id)
                .execute(&self.pool)
                .await;
            match done {
                Err(e) if is_deadlock(&e) && attempt < 3 => attempt += 1,
                other => break other?,
            }
        };
        if written.rows_affected() == 0 {
            // Nothing written: closed meanwhile, or the same vote again (MySQL counts an
            // update to the same values as no row).
            let poll = self.poll(scope, poll_id).await?;
            return Ok(match poll {
                Some(p) if p.state == PollState::Open => Change::Done(p),
                Some(p) => Change::Refused(p),
                None => Change::NotFound,
            });
        }
        Ok(Change::Done(poll))
    }

    /// A poll's results, counted from the stored votes.
    pub async fn poll_tally(&self, poll: &Poll) -> Result<Tally, DbError> {
        let rows = sqlx::query("SELECT options FROM poll_votes WHERE poll_id = ?")
            .bind(poll.id)
            .fetch_all(&self.pool)
            .await?;
        let mut tally = Tally {
            counts: vec![0; poll.options.len()],
            voters: rows.len() as i64,
        };
        for row in rows {
            let raw: String = row.try_get("options")?;
            for i in parse_vote(&raw) {
                if let Some(c) = tally.counts.get_mut(i) {
                    *c += 1;
                }
            }
        }
        Ok(tally)
    }

    /// What `user_hash` voted in a poll, if anything.
    pub async fn poll_vote_of(
        &self,
        poll_id: i64,
        user_hash: &str,
    ) -> Result<Option<Vec<usize>>, DbError> {
        let row = sqlx::query("SELECT options FROM poll_votes WHERE poll_id = ? AND user_hash = ?")
            .bind(poll_id)
            .bind(user_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(parse_vote(&r.try_get::<String, _>("options")?)),
            None => None,
        })
    }
}
