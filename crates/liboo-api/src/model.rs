//! The JSON shapes of LiBoo's API, field for field, with OpenAPI schemas. Each doc
//! comment here is also the field's description in `docs/openapi.json`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Body of `POST /host/key`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyRequest {
    /// The browser's random identity; for a host, a bearer secret.
    pub user_id: String,
}

/// A host's keys and where to publish.
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

/// A channel named by its session key.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SessionKeyQuery {
    /// The channel's public session key.
    pub session_key: String,
}

/// A channel named as the live page names it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LiveIdQuery {
    /// The channel's session key.
    pub live_id: String,
}

/// A broadcast named by its replay id.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VideoIdQuery {
    /// The broadcast's `videoId`.
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

/// A search, paged like the lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find in titles, host names, categories and tags.
    pub q: String,
    /// How many to skip (default 0).
    pub offset: Option<u32>,
    /// Page size, 1 to 100 (default 8); `appendInfo` holds the next page.
    pub limit: Option<u32>,
}

/// Answer of `POST /host/end`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndResponse {
    /// True: the broadcast was asked to end; its node ends it within a second (or at its
    /// next heartbeat, within 6 s, while a publisher still sends).
    pub ended: bool,
    /// The broadcast's id, which is its replay's.
    pub video_id: String,
}

/// Whether a channel is live.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StateResponse {
    /// True while the channel is live.
    pub state: bool,
}

/// Whether what was asked for exists.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExistenceResponse {
    /// For a channel: live now; for a replay: it exists.
    pub existed: bool,
}

/// A channel's notice.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoticeResponse {
    /// The host's note for viewers.
    pub notice: String,
    /// The host's display name.
    pub channel_name: String,
}

/// The channel a broadcast belongs to.
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
    /// The host's `userId`: says whose channel changes.
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

/// A channel's settings as saved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSettingsData {
    /// The channel's session key.
    pub session_key: String,
    /// The title of its broadcasts.
    pub live_title: String,
    /// The host's display name.
    pub host_name: String,
    /// The host's note for viewers.
    pub notice: String,
    /// Free text, searched like the title.
    pub category: String,
    /// Each once, in the host's order.
    pub tags: Vec<String>,
    /// The host's picture, as stored; null without one.
    pub default_thumbnail_image_url: Option<String>,
}

/// Answer of `POST /host/update`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateResponse {
    /// Always `success`.
    pub status: String,
    /// The settings now in force.
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
    /// The broadcast's title (the channel's, when not live).
    pub live_title: String,
    /// A frame of the live stream, renewed every 10 s (with ffmpeg on the ingest node),
    /// else the host's thumbnail.
    pub live_image_url: Option<String>,
    /// The host's picture; null without one.
    pub default_thumbnail_image_url: Option<String>,
    /// The channel's stable HLS playlist.
    pub stream_url: String,
    /// Viewers in the broadcast's chat room now, over every chat node.
    pub concurrent_user_count: i64,
    /// The channel it is on.
    pub channel: ChannelRef,
    /// Free text, searched like the title.
    pub category: String,
    /// The host's tags.
    pub tags: Vec<String>,
    /// ISO 8601; null if never live.
    pub start_date: Option<String>,
    /// ISO 8601; null while live.
    pub end_date: Option<String>,
}

/// Answer of `GET /streams/live`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LiveResponse {
    /// The channel's current or last broadcast.
    pub info: LiveInfo,
}

/// A page of live broadcasts and the next.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveList {
    /// The page asked for.
    pub info: Vec<LiveInfo>,
    /// The page after it.
    #[serde(default)]
    pub append_info: Vec<LiveInfo>,
}

/// Live broadcasts picked at random.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RandomList {
    /// Up to 4.
    pub info: Vec<LiveInfo>,
}

/// An ended broadcast.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayInfo {
    /// The broadcast's number.
    pub video_no: i64,
    /// Unique per broadcast: a host's next broadcast never replaces this one.
    pub video_id: String,
    /// The title it had while live.
    pub video_title: String,
    /// ISO 8601.
    pub start_date: String,
    /// ISO 8601.
    pub end_date: Option<String>,
    /// The host's thumbnail, else the last frame of the broadcast.
    pub thumbnail_image_url: Option<String>,
    /// A playable preview: the replay playlist.
    pub trailer_url: String,
    /// Exact length in seconds.
    pub duration: f64,
    /// Times the replay was opened.
    pub read_count: i64,
    /// Free text, as it was while live.
    pub category: String,
    /// The tags it had while live.
    pub tags: Vec<String>,
    /// Distinct viewers the broadcast had live.
    pub live_pr: i64,
    /// The channel it was on.
    pub channel: ChannelRef,
    /// The replay's HLS playlist.
    pub replay_url: String,
}

/// A page of replays and the next.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayList {
    /// The page asked for.
    pub info: Vec<ReplayInfo>,
    /// The page after it.
    #[serde(default)]
    pub append_info: Vec<ReplayInfo>,
}

/// Answer of `GET /replay/video`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayResponse {
    /// The replay.
    pub info: ReplayInfo,
}

/// Body of `DELETE /replay/video`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReplayRequest {
    /// The host's `userId`: only their own replays can go.
    pub user_id: String,
    /// The replay to delete.
    pub video_id: String,
}

/// Answer of `DELETE /replay/video`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReplayResponse {
    /// Always `success`.
    pub status: String,
    /// The replay deleted.
    pub video_id: String,
    /// Media objects removed from storage.
    pub deleted_objects: usize,
}

/// A question of a broadcast, as kept with its replay.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionInfo {
    /// The `questionId` of chat events.
    pub question_id: i64,
    /// The name the asker showed in chat.
    pub nickname: String,
    /// The question's text.
    pub msg: String,
    /// Marked answered by the host.
    pub question_done: bool,
    /// Distinct users who voted for it.
    pub upvotes: i64,
    /// Seconds into the broadcast when it was asked.
    pub asked_at: f64,
    /// Seconds into the broadcast when the host marked it answered.
    pub answered_at: Option<f64>,
    /// liboo: `approved` (the lists show no other).
    pub state: String,
    /// liboo: the question being answered when the broadcast ended.
    pub pinned: bool,
    /// liboo: seconds into the broadcast when a moderator approved it (when asked,
    /// without moderation).
    pub approved_at: Option<f64>,
    /// liboo: seconds into the broadcast when it was last pinned.
    pub pinned_at: Option<f64>,
}

/// Answer of `GET /replay/questions`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionList {
    /// The replay asked about.
    pub video_id: String,
    /// Oldest first.
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
    /// What to fix; empty when all is well or not live.
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
