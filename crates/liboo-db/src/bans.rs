//! Bans: a host bans a chat user (by the hash of its identity) from every broadcast of
//! the channel, and chat checks it before it takes a user's event.

use sqlx::Row;

use crate::{Db, DbError};

impl Db {
    /// Bans a user (by identity hash) from every broadcast of a channel.
    pub async fn ban(&self, channel_id: i64, user_hash: &str, now_ms: i64) -> Result<(), DbError> {
        self.insert_ignore("bans (channel_id, user_hash, created_ms) VALUES (?, ?, ?)")
            .bind(channel_id)
            .bind(user_hash)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether the user with this identity hash is banned from the channel.
    pub async fn is_banned(&self, channel_id: i64, user_hash: &str) -> Result<bool, DbError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM bans WHERE channel_id = ? AND user_hash = ?")
                .bind(channel_id)
                .bind(user_hash)
                .fetch_one(&self.pool)
                .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
