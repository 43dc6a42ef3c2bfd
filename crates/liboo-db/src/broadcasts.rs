//! A broadcast's lifecycle in the database: started on a channel (one live broadcast per
//! channel, on whichever node), kept alive by its node's heartbeats, asked to end by the
//! host, ended by its node or, when that node stopped reporting, by another node's
//! sweeper; ended, it is a replay until the host deletes it.

use sqlx::{AssertSqlSafe, Row};

use crate::rows::{broadcast_from_row, select_broadcasts};
use crate::{ChannelSettings, Db, DbError};

/// What the database says of a broadcast an ingest node serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heartbeat {
    /// Live: go on.
    Live,
    /// The host asked to end it (`POST /api/host/end`): end it now.
    EndRequested,
    /// It is not live any more (ended as abandoned by another node's sweeper, or gone).
    Ended,
}

/// One broadcast: live while `is_live`, a replay afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    /// Row id, LiBoo's `id` and `videoNo`.
    pub id: i64,
    /// Public and unique per broadcast: the replay's id.
    pub video_id: String,
    /// The channel it was broadcast on.
    pub channel_id: i64,
    /// That channel's session key.
    pub session_key: String,
    /// The channel's settings as they were when it started (a replay keeps them).
    pub settings: ChannelSettings,
    /// Storage prefix of this broadcast's segments and replay playlist.
    pub media_prefix: String,
    /// True from the start until it ends.
    pub is_live: bool,
    /// Unix ms of the start.
    pub start_ms: i64,
    /// Unix ms of the end; `None` while live.
    pub end_ms: Option<i64>,
    /// Media length, as the replay playlist lists it.
    pub duration_ms: i64,
    /// Times its replay was opened.
    pub read_count: i64,
    /// Distinct viewers it had live.
    pub live_pr: i64,
    /// When ingest last stored a frame of this broadcast (`{media_prefix}/frame.jpg`).
    pub frame_ms: Option<i64>,
    /// The stream's health as ingest last reported it (JSON), while live.
    pub health: Option<String>,
    /// Set on a talk's replay: the talk it was cut for (its playlist lists the room
    /// broadcast's segments).
    pub talk_id: Option<i64>,
}

/// A live stream as ingest measures it over the last report interval; stored as JSON
/// with each heartbeat and shown to the host.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamHealth {
    /// Unix ms of the report.
    pub updated_at: i64,
    /// Media seconds the rates are measured over.
    pub window_seconds: f64,
    /// E.g. "H.264 High 3.1".
    pub video_codec: Option<String>,
    /// Picture width in pixels, from the codec configuration.
    pub width: Option<u32>,
    /// Picture height in pixels.
    pub height: Option<u32>,
    /// Frames per second received.
    pub frame_rate: f64,
    /// Video bits per second received.
    pub video_bitrate: u64,
    /// Longest time between two keyframes in the window, seconds; `None` when the
    /// window held fewer than two.
    pub keyframe_interval: Option<f64>,
    /// Media seconds since the last keyframe.
    pub since_keyframe: Option<f64>,
    /// E.g. "AAC-LC 48 kHz stereo"; `None`: no audio received.
    pub audio_codec: Option<String>,
    /// Audio bits per second received.
    pub audio_bitrate: u64,
    /// Segments and parts dropped because storage fell behind, since the start.
    pub dropped: u64,
}

impl Db {
    /// Starts a broadcast of `channel`, snapshotting its settings. Fails with
    /// [`DbError::AlreadyLive`] while another broadcast of the channel is live, on
    /// whichever node it started.
    pub async fn start_broadcast(
        &self,
        channel_id: i64,
        video_id: &str,
        media_prefix: &str,
        now_ms: i64,
    ) -> Result<Broadcast, DbError> {
        let mut tx = self.pool.begin().await?;
        let insert = "INSERT INTO broadcasts (video_id, channel_id, session_key, title, host_name, notice, \
             category, tags, thumbnail_key, media_prefix, is_live, start_ms, heartbeat_ms) \
             SELECT ?, id, session_key, title, host_name, notice, category, tags, thumbnail_key, \
             ?, 1, ?, ? FROM channels WHERE id = ?";
        let inserted = sqlx::query(insert)
            .bind(video_id)
            .bind(media_prefix)
            .bind(now_ms)
            .bind(now_ms)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() != 1 {
            return Err(DbError::Corrupt(format!("no channel {channel_id}")));
        }
        let row = select_broadcasts("WHERE video_id = ?")
            .bind(video_id)
            .fetch_one(&mut *tx)
            .await?;
        let broadcast = broadcast_from_row(&row)?;
        // The claim is what makes "one live broadcast per channel" hold across nodes:
        // of two racing starts, only one finds `live_broadcast_id` still NULL.
        let claimed = sqlx::query(
            "UPDATE channels SET live_broadcast_id = ? WHERE id = ? AND live_broadcast_id IS NULL",
        )
        .bind(broadcast.id)
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(DbError::AlreadyLive);
        }
        // Questions asked (and polls made) while the channel was offline belong to this
        // broadcast.
        for table in ["questions", "polls"] {
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE {table} SET broadcast_id = ? WHERE channel_id = ? \
                 AND broadcast_id IS NULL AND talk_id IS NULL"
            )))
            .bind(broadcast.id)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(broadcast)
    }

    /// Ends a live broadcast, turning it into a replay of `duration_ms`.
    pub async fn end_broadcast(
        &self,
        broadcast_id: i64,
        end_ms: i64,
        duration_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE broadcasts SET is_live = 0, end_ms = ?, duration_ms = ? \
             WHERE id = ? AND is_live = 1",
        )
        .bind(end_ms)
        .bind(duration_ms)
        .bind(broadcast_id)
        .execute(&mut *tx)
        .await?;
        release_channel(&mut tx, broadcast_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the channel's live broadcast if its node has not reported since `before_ms`
    /// (the node crashed): it ends at its last heartbeat. Returns the ended broadcast's
    /// id and video id, so ingest can make its replay and let the host publish again.
    pub async fn end_abandoned_broadcast(
        &self,
        channel_id: i64,
        before_ms: i64,
    ) -> Result<Option<(i64, String)>, DbError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, video_id FROM broadcasts \
             WHERE channel_id = ? AND is_live = 1 AND heartbeat_ms < ?",
        )
        .bind(channel_id)
        .bind(before_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Ended now, not at the connection's next use (see `upvote_question`).
            tx.rollback().await?;
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let video_id: String = row.try_get("video_id")?;
        sqlx::query(
            "UPDATE broadcasts SET is_live = 0, end_ms = heartbeat_ms, \
             duration_ms = heartbeat_ms - start_ms WHERE id = ? AND is_live = 1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        release_channel(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some((id, video_id)))
    }

    /// Live broadcasts whose node last reported before `before_ms` (a crashed node).
    pub async fn stale_live_broadcasts(&self, before_ms: i64) -> Result<Vec<Broadcast>, DbError> {
        let query = select_broadcasts("WHERE is_live = 1 AND heartbeat_ms < ?").bind(before_ms);
        self.fetch_all(query, broadcast_from_row).await
    }

    /// Records that the node serving a live broadcast is still alive, and tells it whether
    /// the broadcast should go on: the host may have asked to end it, or (after a stall
    /// longer than the sweeper's patience) another node may have ended it as abandoned.
    pub async fn heartbeat(
        &self,
        broadcast_id: i64,
        now_ms: i64,
        health: Option<&str>,
    ) -> Result<Heartbeat, DbError> {
        let updated = sqlx::query(
            "UPDATE broadcasts SET heartbeat_ms = ?, health = COALESCE(?, health) \
             WHERE id = ? AND is_live = 1 AND end_requested_ms IS NULL",
        )
        .bind(now_ms)
        .bind(health)
        .bind(broadcast_id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 1 {
            return Ok(Heartbeat::Live);
        }
        self.end_request(broadcast_id).await
    }

    /// Asks the ingest node serving a live broadcast to end it now. `false` when the
    /// broadcast is not live (any more).
    pub async fn request_end(&self, broadcast_id: i64, now_ms: i64) -> Result<bool, DbError> {
        let updated = sqlx::query(
            "UPDATE broadcasts SET end_requested_ms = COALESCE(end_requested_ms, ?) \
             WHERE id = ? AND is_live = 1",
        )
        .bind(now_ms)
        .bind(broadcast_id)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Whether a broadcast should go on ([`Heartbeat::Live`]), was asked to end, or has
    /// ended.
    pub async fn end_request(&self, broadcast_id: i64) -> Result<Heartbeat, DbError> {
        let row = sqlx::query(
            "SELECT is_live, end_requested_ms IS NOT NULL AS requested FROM broadcasts WHERE id = ?",
        )
        .bind(broadcast_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Heartbeat::Ended);
        };
        let live: i64 = row.try_get("is_live")?;
        let requested: i64 = row.try_get("requested")?;
        Ok(match (live, requested) {
            (0, _) => Heartbeat::Ended,
            (_, 0) => Heartbeat::Live,
            _ => Heartbeat::EndRequested,
        })
    }

    /// Notes that a new frame of a broadcast was stored.
    pub async fn set_broadcast_frame(&self, id: i64, frame_ms: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE broadcasts SET frame_ms = ? WHERE id = ?")
            .bind(frame_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets an ended broadcast's length, once its replay has been salvaged.
    pub async fn set_broadcast_duration(&self, id: i64, duration_ms: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE broadcasts SET duration_ms = ? WHERE id = ? AND is_live = 0")
            .bind(duration_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes an ended broadcast of `channel_id` with its questions and counters.
    /// Returns the deleted replay (its media prefix tells what to remove from storage),
    /// or `None` when the channel has no such replay.
    pub async fn delete_replay(
        &self,
        channel_id: i64,
        video_id: &str,
    ) -> Result<Option<Broadcast>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = select_broadcasts("WHERE video_id = ? AND channel_id = ? AND is_live = 0")
            .bind(video_id)
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            tx.rollback().await?;
            return Ok(None);
        };
        let broadcast = broadcast_from_row(&row)?;
        for sql in [
            "DELETE FROM question_votes WHERE question_id IN \
             (SELECT id FROM questions WHERE broadcast_id = ?)",
            "DELETE FROM questions WHERE broadcast_id = ?",
            "DELETE FROM poll_votes WHERE poll_id IN \
             (SELECT id FROM polls WHERE broadcast_id = ?)",
            "DELETE FROM polls WHERE broadcast_id = ?",
            "DELETE FROM broadcast_viewers WHERE broadcast_id = ?",
            "DELETE FROM broadcasts WHERE id = ?",
            // A talk's replay deleted: the talk has none (its questions stay with it).
            "UPDATE talks SET replay_broadcast_id = NULL, state = 'no_replay' \
             WHERE replay_broadcast_id = ?",
        ] {
            sqlx::query(sql)
                .bind(broadcast.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(broadcast))
    }
}

/// Frees the channel an ended broadcast held, so its host can go live again; both ways
/// of ending (by its node, as abandoned) do it in the transaction that ends it.
async fn release_channel(conn: &mut sqlx::AnyConnection, broadcast_id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE channels SET live_broadcast_id = NULL WHERE live_broadcast_id = ?")
        .bind(broadcast_id)
        .execute(conn)
        .await?;
    Ok(())
}
