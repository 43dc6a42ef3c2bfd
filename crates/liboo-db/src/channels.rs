//! A host's channel: made by the first `POST /host/key`, found by its session key (the
//! public id) or by the hash of its stream key (what ingest receives), and holding the
//! settings its broadcasts show.

use crate::rows::{AnyQuery, channel_from_row, select_channels};
use crate::{Db, DbError};

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
    /// Set when the channel is a conference's room.
    pub room: Option<RoomInfo>,
}

/// What makes a channel a conference's room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomInfo {
    /// The conference.
    pub conference_id: i64,
    /// The room's key in the schedule (its guid, else its name).
    pub key: String,
    /// The room's name.
    pub name: String,
    /// Where it stands in the conference's list.
    pub position: i64,
}

impl Db {
    /// Returns the channel with this session key, creating it with empty settings.
    pub async fn ensure_channel(
        &self,
        session_key: &str,
        stream_key_hash: &str,
        now_ms: i64,
    ) -> Result<Channel, DbError> {
        self.insert_ignore(
            "channels (session_key, stream_key_hash, title, host_name, notice, category, \
             tags, created_ms, updated_ms) VALUES (?, ?, '', '', '', '', '[]', ?, ?)",
        )
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
        let query = select_channels("WHERE session_key = ?").bind(session_key);
        self.fetch_optional(query, channel_from_row).await
    }

    /// The channel with this row id, if any.
    pub async fn channel_by_id(&self, id: i64) -> Result<Option<Channel>, DbError> {
        let query = select_channels("WHERE id = ?").bind(id);
        self.fetch_optional(query, channel_from_row).await
    }

    /// Looks a channel up by the SHA-256 of its stream key (what ingest receives).
    pub async fn channel_by_stream_key_hash(
        &self,
        stream_key_hash: &str,
    ) -> Result<Option<Channel>, DbError> {
        let query = select_channels("WHERE stream_key_hash = ?").bind(stream_key_hash);
        self.fetch_optional(query, channel_from_row).await
    }

    /// Replaces a channel's settings; a live broadcast of the channel shows them at once.
    pub async fn update_channel_settings(
        &self,
        channel_id: i64,
        settings: &ChannelSettings,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let tags = serde_json::to_string(&settings.tags).expect("strings serialize");
        let mut tx = self.begin_write().await?;
        bind_settings(
            sqlx::query(
                "UPDATE channels SET title = ?, host_name = ?, notice = ?, category = ?, \
                 tags = ?, thumbnail_key = ?, updated_ms = ? WHERE id = ?",
            ),
            settings,
            &tags,
        )
        .bind(now_ms)
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        bind_settings(
            sqlx::query(
                "UPDATE broadcasts SET title = ?, host_name = ?, notice = ?, category = ?, \
                 tags = ?, thumbnail_key = ? WHERE channel_id = ? AND is_live = 1",
            ),
            settings,
            &tags,
        )
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Binds the six settings columns in the order both tables' `UPDATE`s name them;
/// `tags` is `settings.tags` as the JSON array the column stores.
fn bind_settings<'q>(query: AnyQuery<'q>, settings: &ChannelSettings, tags: &str) -> AnyQuery<'q> {
    query
        .bind(&settings.title)
        .bind(&settings.host_name)
        .bind(&settings.notice)
        .bind(&settings.category)
        .bind(tags)
        .bind(settings.thumbnail_key.as_deref())
}
