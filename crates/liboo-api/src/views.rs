//! The JSON shapes of [`crate::model`] built from database rows, and every URL a
//! browser is given: one place says where media, frames and playlists are found.

use liboo_db::{Broadcast, ChannelSettings, Question};
use liboo_storage::layout::BroadcastPrefix;

use crate::model::{ChannelRef, ChannelSettingsData, LiveInfo, QuestionInfo, ReplayInfo};
use crate::{PublicUrls, iso};

/// Builds views with the deployment's public URLs, each without a trailing slash.
pub(crate) struct Views {
    media_base: String,
    /// Base URL of live playlists.
    live_base: String,
    live_playlist_name: String,
}

impl Views {
    pub(crate) fn new(urls: &PublicUrls) -> Views {
        let trim = |u: &str| u.trim_end_matches('/').to_owned();
        Views {
            media_base: trim(&urls.media),
            live_base: trim(&urls.live_playlists),
            live_playlist_name: urls.live_playlist_name.clone(),
        }
    }

    pub(crate) fn media_url(&self, key: &str) -> String {
        format!("{}/{key}", self.media_base)
    }

    /// The channel's live playlist: from liboo itself with LL-HLS (its origin for
    /// blocking reloads), else wherever media is.
    pub(crate) fn stream_url(&self, session_key: &str) -> String {
        format!(
            "{}/live/{session_key}/{}",
            self.live_base, self.live_playlist_name
        )
    }

    /// The host's own picture, if they gave one.
    pub(crate) fn thumbnail_url(&self, settings: &ChannelSettings) -> Option<String> {
        settings.thumbnail_key.as_deref().map(|k| self.media_url(k))
    }

    /// The latest frame ingest stored of a broadcast, its time making the URL new
    /// whenever the frame is.
    fn frame_url(&self, b: &Broadcast) -> Option<String> {
        b.frame_ms.map(|ms| {
            format!(
                "{}?v={ms}",
                self.media_url(&BroadcastPrefix::from_stored(&b.media_prefix).frame())
            )
        })
    }

    /// A broadcast as the live pages show it; `viewers` counts only while it is live.
    pub(crate) fn live(&self, b: &Broadcast, viewers: i64) -> LiveInfo {
        let frame = if b.is_live { self.frame_url(b) } else { None };
        LiveInfo {
            id: b.id,
            video_id: Some(b.video_id.clone()),
            live_image_url: frame.or_else(|| self.thumbnail_url(&b.settings)),
            concurrent_user_count: if b.is_live { viewers } else { 0 },
            start_date: Some(iso(b.start_ms)),
            end_date: b.end_ms.map(iso),
            ..self.idle_channel(&b.session_key, &b.settings)
        }
    }

    /// A channel that has never been live: its settings, no broadcast, no dates.
    pub(crate) fn idle_channel(&self, session_key: &str, settings: &ChannelSettings) -> LiveInfo {
        let thumbnail = self.thumbnail_url(settings);
        LiveInfo {
            id: 0,
            video_id: None,
            live_id: session_key.to_owned(),
            live_title: settings.title.clone(),
            live_image_url: thumbnail.clone(),
            default_thumbnail_image_url: thumbnail,
            stream_url: self.stream_url(session_key),
            concurrent_user_count: 0,
            channel: channel_ref(session_key, settings),
            category: settings.category.clone(),
            tags: settings.tags.clone(),
            start_date: None,
            end_date: None,
        }
    }

    /// An ended broadcast with its own replay playlist.
    pub(crate) fn replay(&self, b: &Broadcast) -> ReplayInfo {
        let replay_url =
            self.media_url(&BroadcastPrefix::from_stored(&b.media_prefix).replay_playlist());
        ReplayInfo {
            video_no: b.id,
            video_id: b.video_id.clone(),
            video_title: b.settings.title.clone(),
            start_date: iso(b.start_ms),
            end_date: b.end_ms.map(iso),
            // The host's picture, else the last frame of the broadcast.
            thumbnail_image_url: self
                .thumbnail_url(&b.settings)
                .or_else(|| self.frame_url(b)),
            trailer_url: replay_url.clone(),
            duration: b.duration_ms as f64 / 1000.0,
            read_count: b.read_count,
            category: b.settings.category.clone(),
            tags: b.settings.tags.clone(),
            live_pr: b.live_pr,
            channel: channel_ref(&b.session_key, &b.settings),
            replay_url,
        }
    }

    /// A channel's settings as `/host/update` answers them.
    pub(crate) fn settings(
        &self,
        session_key: String,
        settings: ChannelSettings,
    ) -> ChannelSettingsData {
        ChannelSettingsData {
            session_key,
            default_thumbnail_image_url: self.thumbnail_url(&settings),
            live_title: settings.title,
            host_name: settings.host_name,
            notice: settings.notice,
            category: settings.category,
            tags: settings.tags,
        }
    }
}

fn channel_ref(session_key: &str, settings: &ChannelSettings) -> ChannelRef {
    ChannelRef {
        channel_id: session_key.to_owned(),
        channel_name: settings.host_name.clone(),
    }
}

/// A question of a broadcast that started at `start_ms`, its times in seconds into it.
pub(crate) fn question(q: Question, start_ms: i64) -> QuestionInfo {
    let at = |ms: i64| (ms - start_ms).max(0) as f64 / 1000.0;
    QuestionInfo {
        question_id: q.id,
        nickname: if q.anonymous {
            "anonymous".to_owned()
        } else {
            q.nickname
        },
        msg: q.msg,
        question_done: q.done,
        upvotes: q.upvotes,
        asked_at: at(q.asked_ms),
        answered_at: q.done_ms.map(at),
        state: q.state.as_str().to_owned(),
        pinned: q.pinned,
        approved_at: q.approved_ms.map(at),
        pinned_at: q.pinned_ms.map(at),
    }
}
