//! Reading broadcasts for the API: the live list and the replays (newest start first,
//! paged), search, and the lookups by id, video id and channel.

use sqlx::{AssertSqlSafe, Row};

use crate::rows::{broadcast_from_row, select_broadcasts};
use crate::{Broadcast, Db, DbError};

/// The condition [`PUBLIC`] states, as a literal for `concat!`.
macro_rules! not_unlisted {
    () => {
        "channel_id NOT IN (SELECT c.id FROM channels c JOIN conferences f \
         ON f.id = c.conference_id WHERE f.visibility = 'unlisted')"
    };
}

/// Broadcasts that are not an unlisted conference's: reachable by their URL, never
/// listed on the main page, in search or among the random few.
const PUBLIC: &str = not_unlisted!();

/// Which broadcasts the lists show: a conference room's own (its whole day) stays out,
/// its talks' replays stand for it; the organiser still reaches it by its video id. An
/// unlisted conference's rooms and replays stay out of every list.
const LISTED: &str = concat!(
    "(talk_id IS NOT NULL OR channel_id NOT IN \
     (SELECT id FROM channels WHERE conference_id IS NOT NULL) OR is_live = 1) AND ",
    not_unlisted!()
);

impl Db {
    /// Live broadcasts, newest start first.
    pub async fn live_broadcasts(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Broadcast>, DbError> {
        let query = select_broadcasts(&format!(
            "WHERE is_live = 1 AND {PUBLIC} ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        ))
        .bind(limit)
        .bind(offset);
        self.fetch_all(query, broadcast_from_row).await
    }

    /// Ids of every live broadcast, for picking a random few.
    pub async fn live_broadcast_ids(&self) -> Result<Vec<i64>, DbError> {
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM broadcasts WHERE is_live = 1 AND {PUBLIC}"
        )));
        self.fetch_all(query, |r| Ok(r.try_get("id")?)).await
    }

    /// The broadcast with this row id, live or ended, if any.
    pub async fn broadcast_by_id(&self, id: i64) -> Result<Option<Broadcast>, DbError> {
        let query = select_broadcasts("WHERE id = ?").bind(id);
        self.fetch_optional(query, broadcast_from_row).await
    }

    /// Live broadcasts (`live`) or replays whose title, host name, category or tags
    /// contain `query`, case-insensitively, newest first.
    pub async fn search(
        &self,
        query: &str,
        live: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Broadcast>, DbError> {
        let pattern = format!("%{}%", escape_like(&query.to_lowercase()));
        let query = select_broadcasts(&format!(
            "WHERE is_live = ? AND ({LISTED}) AND (\
             LOWER(title) LIKE ? ESCAPE '!' OR LOWER(host_name) LIKE ? ESCAPE '!' OR \
             LOWER(category) LIKE ? ESCAPE '!' OR LOWER(tags) LIKE ? ESCAPE '!') \
             ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        ))
        .bind(i64::from(live))
        .bind(pattern.clone())
        .bind(pattern.clone())
        .bind(pattern.clone())
        .bind(pattern)
        .bind(limit)
        .bind(offset);
        self.fetch_all(query, broadcast_from_row).await
    }

    /// The live broadcast of the channel with this session key, if it is live.
    pub async fn live_broadcast_of(&self, session_key: &str) -> Result<Option<Broadcast>, DbError> {
        let query =
            select_broadcasts("WHERE session_key = ? AND is_live = 1 ORDER BY id DESC LIMIT 1")
                .bind(session_key);
        self.fetch_optional(query, broadcast_from_row).await
    }

    /// The channel's most recent broadcast, live or ended.
    pub async fn last_broadcast_of(&self, channel_id: i64) -> Result<Option<Broadcast>, DbError> {
        let query =
            select_broadcasts("WHERE channel_id = ? ORDER BY start_ms DESC, id DESC LIMIT 1")
                .bind(channel_id);
        self.fetch_optional(query, broadcast_from_row).await
    }

    /// Ended broadcasts, newest start first.
    pub async fn replays(&self, offset: i64, limit: i64) -> Result<Vec<Broadcast>, DbError> {
        let query = select_broadcasts(&format!(
            "WHERE is_live = 0 AND ({LISTED}) ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        ))
        .bind(limit)
        .bind(offset);
        self.fetch_all(query, broadcast_from_row).await
    }

    /// A broadcast by its `videoId`, live or ended.
    pub async fn broadcast_by_video_id(
        &self,
        video_id: &str,
    ) -> Result<Option<Broadcast>, DbError> {
        let query = select_broadcasts("WHERE video_id = ?").bind(video_id);
        self.fetch_optional(query, broadcast_from_row).await
    }

    /// An ended broadcast by its `videoId`.
    pub async fn replay(&self, video_id: &str) -> Result<Option<Broadcast>, DbError> {
        let query = select_broadcasts("WHERE video_id = ? AND is_live = 0").bind(video_id);
        self.fetch_optional(query, broadcast_from_row).await
    }

    /// The replays of a conference's talks.
    pub async fn talk_replays(&self, conference_id: i64) -> Result<Vec<Broadcast>, DbError> {
        let query = select_broadcasts(
            "WHERE talk_id IN (SELECT id FROM talks WHERE conference_id = ?) ORDER BY id",
        )
        .bind(conference_id);
        self.fetch_all(query, broadcast_from_row).await
    }

    /// A room's broadcasts (not talk replays) that overlap `[from_ms, to_ms]`, oldest
    /// first: what a talk's replay is cut from.
    pub async fn room_broadcasts(
        &self,
        channel_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Broadcast>, DbError> {
        let query = select_broadcasts(
            "WHERE channel_id = ? AND talk_id IS NULL AND start_ms <= ? \
             AND (end_ms IS NULL OR end_ms >= ?) ORDER BY start_ms, id",
        )
        .bind(channel_id)
        .bind(to_ms)
        .bind(from_ms);
        self.fetch_all(query, broadcast_from_row).await
    }
}

/// Escapes LIKE wildcards with `!`, the escape character both engines accept in
/// `ESCAPE '!'` (a backslash would mean different things in MySQL and SQLite strings).
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(escape_like("50%_off!"), "50!%!_off!!");
        assert_eq!(escape_like("c++"), "c++");
    }
}
