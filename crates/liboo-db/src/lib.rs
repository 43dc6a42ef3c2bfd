//! liboo's durable state: channels (a host's keys and settings), broadcasts (live and
//! ended, each with its own media prefix), questions, bans and per-broadcast counters.
//!
//! One code path serves SQLite (the embedded default) and MySQL/MariaDB (scale-out)
//! through sqlx's `Any` driver. Queries stay in the SQL both engines share; the few
//! statements that differ (insert-or-ignore) branch on [`Backend`]. Times are Unix
//! epoch milliseconds in `BIGINT` columns; user identities are stored only as SHA-256
//! hashes, because a `userId` is a host's bearer secret.
//!
//! Live state is here, not in process memory: `broadcasts.is_live` says what is live,
//! and `channels.live_broadcast_id` makes "one live broadcast per channel" hold across
//! any number of ingest nodes, because claiming it is a conditional `UPDATE`.

#![warn(missing_docs)]

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};

mod questions;
pub use questions::{Asker, NewQuestion, Question};

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL scheme in {0:?}: use sqlite://PATH or mysql://USER[:PASSWORD]@HOST:PORT/DATABASE"
    )]
    /// The URL names no engine liboo speaks.
    UnsupportedUrl(String),
    /// The engine or the connection to it failed.
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The channel has a live broadcast already (one per channel).
    #[error("the channel is already live")]
    AlreadyLive,
    /// A stored row breaks an invariant the code relies on.
    #[error("stored row is not valid: {0}")]
    Corrupt(String),
}

/// The engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: the embedded default, one node.
    Sqlite,
    /// MySQL or MariaDB: shared by any number of nodes.
    MySql,
}

/// A host's channel settings, shown on its live page and frozen into each replay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelSettings {
    /// The broadcast's title (LiBoo's `liveTitle`).
    pub title: String,
    /// The host's display name.
    pub host_name: String,
    /// A note shown beside the chat.
    pub notice: String,
    /// Free text, searched like the title.
    pub category: String,
    /// Each once, in the host's order.
    pub tags: Vec<String>,
    /// Object-storage key of the host's default thumbnail, if one was uploaded.
    pub thumbnail_key: Option<String>,
}

/// A host's channel: created by the first `POST /host/key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Row id.
    pub id: i64,
    /// Public: live id, chat room id and storage folder.
    pub session_key: String,
    /// What the host last set; copied into each broadcast when it starts.
    pub settings: ChannelSettings,
    /// The broadcast live now, if any: at most one per channel.
    pub live_broadcast_id: Option<i64>,
    /// Unix ms of the first `POST /host/key`.
    pub created_ms: i64,
    /// Unix ms of the last change of settings.
    pub updated_ms: i64,
}

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

/// A pool on SQLite or MySQL/MariaDB with liboo's schema.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

const CHANNEL_COLS: &str = "id, session_key, title, host_name, notice, category, tags, \
     thumbnail_key, live_broadcast_id, created_ms, updated_ms";
const BROADCAST_COLS: &str = "id, video_id, channel_id, session_key, title, host_name, notice, \
     category, tags, thumbnail_key, media_prefix, is_live, start_ms, end_ms, duration_ms, \
     read_count, live_pr, frame_ms, health";

impl Db {
    /// Connects and brings the schema up to date.
    ///
    /// `sqlite://PATH` (created if missing) or `mysql://…` (`mariadb://` is accepted as a
    /// synonym).
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, url.to_owned())
        } else if url.starts_with("mysql:") {
            (Backend::MySql, url.to_owned())
        } else if let Some(rest) = url.strip_prefix("mariadb:") {
            (Backend::MySql, format!("mysql:{rest}"))
        } else {
            return Err(DbError::UnsupportedUrl(redact(url)));
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            // SQLite allows one writer at a time; WAL lets readers go on while it writes
            // and busy_timeout makes a second writer wait instead of failing at once.
            options = options.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let pool = options.connect(&url).await?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::MySql => sqlx::migrate!("./migrations/mysql").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The engine this database runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw pool, for readiness probes and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn insert_ignore(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "INSERT OR IGNORE",
            Backend::MySql => "INSERT IGNORE",
        }
    }

    /// Returns the stored value of `name`, storing `value` first if there is none.
    /// Racing nodes all end up with the first value stored.
    pub async fn setting_get_or_init(&self, name: &str, value: &str) -> Result<String, DbError> {
        let sql = format!(
            "{} INTO settings (name, value) VALUES (?, ?)",
            self.insert_ignore()
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE name = ?")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }

    // --- channels -------------------------------------------------------------------

    /// Returns the channel with this session key, creating it with empty settings.
    pub async fn ensure_channel(
        &self,
        session_key: &str,
        stream_key_hash: &str,
        now_ms: i64,
    ) -> Result<Channel, DbError> {
        let sql = format!(
            "{} INTO channels (session_key, stream_key_hash, title, host_name, notice, category, \
             tags, created_ms, updated_ms) VALUES (?, ?, '', '', '', '', '[]', ?, ?)",
            self.insert_ignore()
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(session_key)
            .bind(stream_key_hash)
            .bind(now_ms)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        self.channel_by_session_key(session_key)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("channel {session_key} vanished")))
    }

    /// The channel with this session key, if any.
    pub async fn channel_by_session_key(
        &self,
        session_key: &str,
    ) -> Result<Option<Channel>, DbError> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels WHERE session_key = ?");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(session_key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| channel_from_row(&r)).transpose()
    }

    /// Looks a channel up by the SHA-256 of its stream key (what ingest receives).
    pub async fn channel_by_stream_key_hash(
        &self,
        stream_key_hash: &str,
    ) -> Result<Option<Channel>, DbError> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels WHERE stream_key_hash = ?");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(stream_key_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| channel_from_row(&r)).transpose()
    }

    /// Replaces a channel's settings; a live broadcast of the channel shows them at once.
    pub async fn update_channel_settings(
        &self,
        channel_id: i64,
        settings: &ChannelSettings,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let tags = serde_json::to_string(&settings.tags).expect("strings serialize");
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE channels SET title = ?, host_name = ?, notice = ?, category = ?, tags = ?, \
             thumbnail_key = ?, updated_ms = ? WHERE id = ?",
        )
        .bind(&settings.title)
        .bind(&settings.host_name)
        .bind(&settings.notice)
        .bind(&settings.category)
        .bind(&tags)
        .bind(settings.thumbnail_key.as_deref())
        .bind(now_ms)
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE broadcasts SET title = ?, host_name = ?, notice = ?, category = ?, tags = ?, \
             thumbnail_key = ? WHERE channel_id = ? AND is_live = 1",
        )
        .bind(&settings.title)
        .bind(&settings.host_name)
        .bind(&settings.notice)
        .bind(&settings.category)
        .bind(&tags)
        .bind(settings.thumbnail_key.as_deref())
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --- broadcasts -----------------------------------------------------------------

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
        let sql = format!("SELECT {BROADCAST_COLS} FROM broadcasts WHERE video_id = ?");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(video_id)
            .fetch_one(&mut *tx)
            .await?;
        let broadcast = broadcast_from_row(&row)?;
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
        sqlx::query("UPDATE channels SET live_broadcast_id = NULL WHERE live_broadcast_id = ?")
            .bind(broadcast_id)
            .execute(&mut *tx)
            .await?;
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
        sqlx::query("UPDATE channels SET live_broadcast_id = NULL WHERE live_broadcast_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some((id, video_id)))
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

    /// Live broadcasts whose node last reported before `before_ms` (a crashed node).
    pub async fn stale_live_broadcasts(&self, before_ms: i64) -> Result<Vec<Broadcast>, DbError> {
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE is_live = 1 AND heartbeat_ms < ?"
        );
        self.fetch_broadcasts(sqlx::query(AssertSqlSafe(sql)).bind(before_ms))
            .await
    }

    /// Live broadcasts, newest start first.
    pub async fn live_broadcasts(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Broadcast>, DbError> {
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE is_live = 1 \
             ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        );
        self.fetch_broadcasts(sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset))
            .await
    }

    /// Ids of every live broadcast, for picking a random few.
    pub async fn live_broadcast_ids(&self) -> Result<Vec<i64>, DbError> {
        let rows = sqlx::query("SELECT id FROM broadcasts WHERE is_live = 1")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>("id").map_err(DbError::from))
            .collect()
    }

    /// The broadcast with this row id, live or ended, if any.
    pub async fn broadcast_by_id(&self, id: i64) -> Result<Option<Broadcast>, DbError> {
        let sql = format!("SELECT {BROADCAST_COLS} FROM broadcasts WHERE id = ?");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| broadcast_from_row(&r)).transpose()
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
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE is_live = ? AND (\
             LOWER(title) LIKE ? ESCAPE '!' OR LOWER(host_name) LIKE ? ESCAPE '!' OR \
             LOWER(category) LIKE ? ESCAPE '!' OR LOWER(tags) LIKE ? ESCAPE '!') \
             ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        );
        let q = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::from(live))
            .bind(pattern.clone())
            .bind(pattern.clone())
            .bind(pattern.clone())
            .bind(pattern)
            .bind(limit)
            .bind(offset);
        self.fetch_broadcasts(q).await
    }

    /// The live broadcast of the channel with this session key, if it is live.
    pub async fn live_broadcast_of(&self, session_key: &str) -> Result<Option<Broadcast>, DbError> {
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE session_key = ? AND is_live = 1 \
             ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(session_key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| broadcast_from_row(&r)).transpose()
    }

    /// The channel's most recent broadcast, live or ended.
    pub async fn last_broadcast_of(&self, channel_id: i64) -> Result<Option<Broadcast>, DbError> {
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE channel_id = ? \
             ORDER BY start_ms DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(channel_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| broadcast_from_row(&r)).transpose()
    }

    /// Ended broadcasts, newest start first.
    pub async fn replays(&self, offset: i64, limit: i64) -> Result<Vec<Broadcast>, DbError> {
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE is_live = 0 \
             ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?"
        );
        self.fetch_broadcasts(sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset))
            .await
    }

    /// An ended broadcast by its `videoId`.
    pub async fn replay(&self, video_id: &str) -> Result<Option<Broadcast>, DbError> {
        let sql =
            format!("SELECT {BROADCAST_COLS} FROM broadcasts WHERE video_id = ? AND is_live = 0");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(video_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| broadcast_from_row(&r)).transpose()
    }

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
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "{} INTO broadcast_viewers (broadcast_id, viewer_hash) VALUES (?, ?)",
            self.insert_ignore()
        );
        let inserted = sqlx::query(AssertSqlSafe(sql))
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

    /// Deletes an ended broadcast of `channel_id` with its questions and counters.
    /// Returns the deleted replay (its media prefix tells what to remove from storage),
    /// or `None` when the channel has no such replay.
    pub async fn delete_replay(
        &self,
        channel_id: i64,
        video_id: &str,
    ) -> Result<Option<Broadcast>, DbError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "SELECT {BROADCAST_COLS} FROM broadcasts WHERE video_id = ? AND channel_id = ? \
             AND is_live = 0"
        );
        let Some(row) = sqlx::query(AssertSqlSafe(sql))
            .bind(video_id)
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let broadcast = broadcast_from_row(&row)?;
        for sql in [
            "DELETE FROM question_votes WHERE question_id IN \
             (SELECT id FROM questions WHERE broadcast_id = ?)",
            "DELETE FROM questions WHERE broadcast_id = ?",
            "DELETE FROM broadcast_viewers WHERE broadcast_id = ?",
            "DELETE FROM broadcasts WHERE id = ?",
        ] {
            sqlx::query(sql)
                .bind(broadcast.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(broadcast))
    }

    async fn fetch_broadcasts<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<Vec<Broadcast>, DbError> {
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(broadcast_from_row).collect()
    }

    // --- bans -------------------------------------------------------------------------

    /// Bans a user (by identity hash) from every broadcast of a channel.
    pub async fn ban(&self, channel_id: i64, user_hash: &str, now_ms: i64) -> Result<(), DbError> {
        let sql = format!(
            "{} INTO bans (channel_id, user_hash, created_ms) VALUES (?, ?, ?)",
            self.insert_ignore()
        );
        sqlx::query(AssertSqlSafe(sql))
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

/// SHA-256 in hex: how stream keys and user ids are stored and looked up (never in
/// the clear). Ingest hashes the stream key it receives and asks
/// [`Db::channel_by_stream_key_hash`].
pub fn hash_secret(value: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
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

/// Hides a password in a database URL for error messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn parse_tags(raw: &str) -> Result<Vec<String>, DbError> {
    serde_json::from_str(raw).map_err(|e| DbError::Corrupt(format!("tags {raw:?}: {e}")))
}

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

fn channel_from_row(row: &AnyRow) -> Result<Channel, DbError> {
    Ok(Channel {
        id: row.try_get("id")?,
        session_key: row.try_get("session_key")?,
        settings: settings_from_row(row)?,
        live_broadcast_id: row.try_get("live_broadcast_id")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn broadcast_from_row(row: &AnyRow) -> Result<Broadcast, DbError> {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(escape_like("50%_off!"), "50!%!_off!!");
        assert_eq!(escape_like("c++"), "c++");
    }

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            redact("mysql://root:hunter2@db:3306/x"),
            "mysql://root:***@db:3306/x"
        );
        assert_eq!(redact("mysql://root@db:3306/x"), "mysql://root@db:3306/x");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
