//! How a stored row becomes a value: each table's column list, its mapping to the
//! public type, and the few query helpers every lookup goes through, so a column is
//! named and read in one place and a query method only says which rows it wants.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AssertSqlSafe, Row};

use crate::{Broadcast, Channel, ChannelSettings, Db, DbError, Question, QuestionState, RoomInfo};

/// A query on the `Any` driver, before or after its values are bound.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments>;

/// Maps one row to a value; what [`Db::fetch_optional`] and [`Db::fetch_all`] apply.
pub(crate) type FromRow<T> = fn(&AnyRow) -> Result<T, DbError>;

const CHANNEL_COLS: &str = "id, session_key, title, host_name, notice, category, tags, \
     thumbnail_key, live_broadcast_id, created_ms, updated_ms, conference_id, room_key, room_name, \
     position";
const BROADCAST_COLS: &str = "id, video_id, channel_id, session_key, title, host_name, notice, \
     category, tags, thumbnail_key, media_prefix, is_live, start_ms, end_ms, duration_ms, \
     read_count, live_pr, frame_ms, health, talk_id";
const QUESTION_COLS: &str = "id, channel_id, broadcast_id, talk_id, user_hash, nickname, msg, asked_ms, done, \
     done_ms, upvotes, color, entry_time, socket_id, state, approved_ms, removed_ms, edited_ms, pinned, pinned_ms, \
     anonymous";

/// `SELECT` of every column [`channel_from_row`] reads, then `rest` (a `WHERE` clause
/// and ordering written in the code, never taken from input).
pub(crate) fn select_channels<'q>(rest: &str) -> AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {CHANNEL_COLS} FROM channels {rest}"
    )))
}

/// `SELECT` of every column [`broadcast_from_row`] reads, then `rest` (as above).
pub(crate) fn select_broadcasts<'q>(rest: &str) -> AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {BROADCAST_COLS} FROM broadcasts {rest}"
    )))
}

/// `SELECT` of every column [`question_from_row`] reads, then `rest` (as above).
pub(crate) fn select_questions<'q>(rest: &str) -> AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {QUESTION_COLS} FROM questions {rest}"
    )))
}

impl Db {
    /// Runs `query` on the pool and maps the row it returns, if any.
    pub(crate) async fn fetch_optional<T>(
        &self,
        query: AnyQuery<'_>,
        map: FromRow<T>,
    ) -> Result<Option<T>, DbError> {
        let row = query.fetch_optional(&self.pool).await?;
        row.as_ref().map(map).transpose()
    }

    /// Runs `query` on the pool and maps every row it returns.
    pub(crate) async fn fetch_all<T>(
        &self,
        query: AnyQuery<'_>,
        map: FromRow<T>,
    ) -> Result<Vec<T>, DbError> {
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(map).collect()
    }
}

fn parse_tags(raw: &str) -> Result<Vec<String>, DbError> {
    serde_json::from_str(raw).map_err(|e| DbError::Corrupt(format!("tags {raw:?}: {e}")))
}

/// Both `channels` and `broadcasts` hold the settings columns: a broadcast keeps a copy
/// of its channel's settings as they were when it started.
fn settings_from_row(row: &AnyRow) -> Result<ChannelSettings, DbError> {
    Ok(ChannelSettings {
        title: row.try_get("title")?,
        host_name: row.try_get("host_name")?,
        notice: row.try_get("notice")?,
        category: row.try_get("category")?,
        tags: parse_tags(&row.try_get::<String, _>("tags")?)?,
        thumbnail_key: row.try_get("thumbnail_key")?,
    })
}

pub(crate) fn channel_from_row(row: &AnyRow) -> Result<Channel, DbError> {
    Ok(Channel {
        id: row.try_get("id")?,
        session_key: row.try_get("session_key")?,
        settings: settings_from_row(row)?,
        live_broadcast_id: row.try_get("live_broadcast_id")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
        room: match row.try_get::<Option<i64>, _>("conference_id")? {
            Some(conference_id) => Some(RoomInfo {
                conference_id,
                key: row
                    .try_get::<Option<String>, _>("room_key")?
                    .unwrap_or_default(),
                name: row
                    .try_get::<Option<String>, _>("room_name")?
                    .unwrap_or_default(),
                position: row.try_get("position")?,
            }),
            None => None,
        },
    })
}

pub(crate) fn broadcast_from_row(row: &AnyRow) -> Result<Broadcast, DbError> {
    Ok(Broadcast {
        id: row.try_get("id")?,
        video_id: row.try_get("video_id")?,
        channel_id: row.try_get("channel_id")?,
        session_key: row.try_get("session_key")?,
        settings: settings_from_row(row)?,
        media_prefix: row.try_get("media_prefix")?,
        is_live: row.try_get::<i64, _>("is_live")? != 0,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        duration_ms: row.try_get("duration_ms")?,
        read_count: row.try_get("read_count")?,
        live_pr: row.try_get("live_pr")?,
        frame_ms: row.try_get("frame_ms")?,
        health: row.try_get("health")?,
        talk_id: row.try_get("talk_id")?,
    })
}

pub(crate) fn question_from_row(row: &AnyRow) -> Result<Question, DbError> {
    Ok(Question {
        id: row.try_get("id")?,
        channel_id: row.try_get("channel_id")?,
        broadcast_id: row.try_get("broadcast_id")?,
        talk_id: row.try_get("talk_id")?,
        nickname: row.try_get("nickname")?,
        msg: row.try_get("msg")?,
        asked_ms: row.try_get("asked_ms")?,
        done: row.try_get::<i64, _>("done")? != 0,
        done_ms: row.try_get("done_ms")?,
        upvotes: row.try_get("upvotes")?,
        color: row.try_get("color")?,
        entry_time: row.try_get("entry_time")?,
        socket_id: row.try_get("socket_id")?,
        user_hash: row.try_get("user_hash")?,
        state: {
            let raw: String = row.try_get("state")?;
            QuestionState::parse(&raw)
                .ok_or_else(|| DbError::Corrupt(format!("question state {raw:?}")))?
        },
        approved_ms: row.try_get("approved_ms")?,
        removed_ms: row.try_get("removed_ms")?,
        edited_ms: row.try_get("edited_ms")?,
        pinned: row.try_get::<i64, _>("pinned")? != 0,
        pinned_ms: row.try_get("pinned_ms")?,
        anonymous: row.try_get::<i64, _>("anonymous")? != 0,
    })
}
