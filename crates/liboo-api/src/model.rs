//! The JSON shapes of LiBoo's API, field for field, with OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyRequest {
    /// The browser's random identity; for a host, a bearer secret.
    pub user_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyResponse {
    /// Secret: the stream name to publish with in OBS.
    pub stream_key: String,
    /// Public: the live id, chat room id and storage folder.
    pub session_key: String,
    /// The RTMP server URL to give OBS (the stream key goes in its own field).
    pub ingest_url: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SessionKeyQuery {
    pub session_key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LiveIdQuery {
    pub live_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VideoIdQuery {
    pub video_id: String,
}

/// Paging of list endpoints. Without it, LiBoo's shape: 8 in `info`, the next 8 in
/// `appendInfo`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many to skip (default 0).
    pub offset: Option<u32>,
    /// Page size, 1 to 100 (default 8); `appendInfo` holds the next page.
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find in titles, host names, categories and tags.
    pub q: String,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StateResponse {
    /// True while the channel is live.
    pub state: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExistenceResponse {
    pub existed: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoticeResponse {
    pub notice: String,
    pub channel_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRef {
    /// The channel's public id (its session key).
    pub channel_id: String,
    /// The host's display name.
    pub channel_name: String,
}

/// Body of `POST /host/update`. Fields are checked one by one so that every bad field
/// gets its own message; see the contract for the bounds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    pub user_id: String,
    /// 1 to 100 characters.
    pub live_title: String,
    /// 1 to 100 characters.
    pub host_name: String,
    /// At most 500 characters.
    pub notice: Option<String>,
    /// At most 50 characters.
    pub category: Option<String>,
    /// At most 10 tags of 1 to 15 letters, digits or `+ # . - _`.
    pub tags: Option<Vec<String>>,
    /// A PNG, JPEG or WebP as a base64 data URL, at most 5 MB; empty for no new image.
    pub default_thumbnail_image_url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSettingsData {
    pub session_key: String,
    pub live_title: String,
    pub host_name: String,
    pub notice: String,
    pub category: String,
    pub tags: Vec<String>,
    pub default_thumbnail_image_url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateResponse {
    /// Always `success`.
    pub status: String,
    pub data: ChannelSettingsData,
}

/// A live broadcast as LiBoo's client shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveInfo {
    /// The broadcast's number (0 when the channel has never been live).
    pub id: i64,
    /// The broadcast's replay id once it ends (`/replay/video?videoId=`); null when
    /// the channel has never been live.
    pub video_id: Option<String>,
    /// The channel's session key.
    pub live_id: String,
    pub live_title: String,
    /// A frame of the live stream, renewed every 10 s (with ffmpeg on the ingest node),
    /// else the host's thumbnail.
    pub live_image_url: Option<String>,
    pub default_thumbnail_image_url: Option<String>,
    /// The channel's stable HLS playlist.
    pub stream_url: String,
    /// Viewers in the broadcast's chat room now, over every chat node.
    pub concurrent_user_count: i64,
    pub channel: ChannelRef,
    pub category: String,
    pub tags: Vec<String>,
    /// ISO 8601; null if never live.
    pub start_date: Option<String>,
    /// ISO 8601; null while live.
    pub end_date: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LiveResponse {
    pub info: LiveInfo,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveList {
    pub info: Vec<LiveInfo>,
    #[serde(default)]
    pub append_info: Vec<LiveInfo>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RandomList {
    pub info: Vec<LiveInfo>,
}

/// An ended broadcast.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayInfo {
    pub video_no: i64,
    /// Unique per broadcast: a host's next broadcast never replaces this one.
    pub video_id: String,
    pub video_title: String,
    pub start_date: String,
    pub end_date: Option<String>,
    /// The host's thumbnail, else the last frame of the broadcast.
    pub thumbnail_image_url: Option<String>,
    /// A playable preview: the replay playlist.
    pub trailer_url: String,
    /// Exact length in seconds.
    pub duration: f64,
    pub read_count: i64,
    pub category: String,
    pub tags: Vec<String>,
    /// Distinct viewers the broadcast had live.
    pub live_pr: i64,
    pub channel: ChannelRef,
    pub replay_url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayList {
    pub info: Vec<ReplayInfo>,
    #[serde(default)]
    pub append_info: Vec<ReplayInfo>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayResponse {
    pub info: ReplayInfo,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReplayRequest {
    pub user_id: String,
    pub video_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReplayResponse {
    pub status: String,
    pub video_id: String,
    /// Media objects removed from storage.
    pub deleted_objects: usize,
}

/// A question of a broadcast, as kept with its replay.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionInfo {
    pub question_id: i64,
    pub nickname: String,
    pub msg: String,
    pub question_done: bool,
    pub upvotes: i64,
    /// Seconds into the broadcast when it was asked.
    pub asked_at: f64,
    /// Seconds into the broadcast when the host marked it answered.
    pub answered_at: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionList {
    pub video_id: String,
    pub questions: Vec<QuestionInfo>,
}

/// A host's stream as ingest measures it, and advice.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthResponse {
    /// True while the channel is live.
    pub live: bool,
    /// The latest report while live: `updatedAt` (Unix ms), `windowSeconds`,
    /// `videoCodec`, `width`, `height`, `frameRate`, `videoBitrate` (bit/s),
    /// `keyframeInterval` and `sinceKeyframe` (s), `audioCodec`, `audioBitrate`,
    /// `dropped`.
    #[schema(value_type = Option<Object>)]
    pub health: Option<liboo_db::StreamHealth>,
    pub warnings: Vec<HealthWarning>,
}

/// Something the host should fix in their encoder.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HealthWarning {
    /// `keyframe_interval`, `keyframe_missing`, `bitrate_high`, `audio_missing`,
    /// `dropped` or `stale`.
    pub code: String,
    /// What to do, in English.
    pub message: String,
}
