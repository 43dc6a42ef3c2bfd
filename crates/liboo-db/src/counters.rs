//! Per-broadcast counters: replay views and distinct live viewers (`livePr`). A viewer
//! counts once per broadcast, by the hash of its identity, on any node.

use crate::{Db, DbError};

impl Db {
    /// Counts one view of a replay; false when there is no such replay.
    pub async fn count_replay_read(&self, video_id: &str) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE broadcasts SET read_count = read_count + 1 WHERE video_id = ? AND is_live = 0",
        )
        .bind(video_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a distinct live viewer of a broadcast (`livePr`); true if new.
    pub async fn add_live_viewer(
        &self,
        broadcast_id: i64,
        viewer_hash: &str,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let inserted = self
            .insert_ignore("broadcast_viewers (broadcast_id, viewer_hash) VALUES (?, ?)")
            .bind(broadcast_id)
            .bind(viewer_hash)
            .execute(&mut *tx)
            .await?;
        let new = inserted.rows_affected() == 1;
        if new {
            sqlx::query("UPDATE broadcasts SET live_pr = live_pr + 1 WHERE id = ?")
                .bind(broadcast_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(new)
    }
}
