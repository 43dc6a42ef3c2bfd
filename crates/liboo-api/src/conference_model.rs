//! The JSON shapes of the conference calls (`/api/conferences/...`, `/api/talks/...`),
//! with their OpenAPI schemas. Times are RFC 3339 in UTC; a conference's `timeZone`
//! says how to show them.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Body of `POST /api/conferences`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateConference {
    /// The organiser's secret identity.
    pub user_id: String,
    /// URL name: 2-64 of `a-z 0-9 -`.
    pub slug: String,
    /// 1-200 characters.
    pub title: String,
    /// IANA zone, e.g. `Europe/Brussels`.
    pub time_zone: String,
    /// `HH:MM` local time at which a schedule day begins (default `04:00`).
    pub day_change: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`.
    pub end_date: String,
    /// Free text.
    pub description: Option<String>,
    /// `public` (default) or `unlisted`.
    pub visibility: Option<String>,
}

/// Body of `POST /api/conferences/import`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportBody {
    /// The organiser's secret identity.
    pub user_id: String,
    /// A schedule URL to fetch (http or https).
    pub url: Option<String>,
    /// Or the file itself.
    pub body: Option<String>,
    /// `frab-xml` or `frab-json`; judged from the file when absent.
    pub format: Option<String>,
    /// IANA zone for files that name none (legacy pentabarf), or to override the file's.
    pub time_zone: Option<String>,
    /// Import into this conference (the organiser's); without it, a new conference
    /// named by the file's acronym.
    pub slug: Option<String>,
    /// `public` (default) or `unlisted`, for a new conference.
    pub visibility: Option<String>,
    /// False: a dry run (the report only). True: write it.
    pub apply: bool,
    /// With `url` and `apply`: import the URL again every this many minutes (5-1440);
    /// 0 stops it.
    pub refresh_minutes: Option<u32>,
}

/// A speaker.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Speaker {
    /// Name.
    pub name: String,
    /// Biography or "".
    #[serde(default)]
    pub biography: String,
    /// Avatar URL or "".
    #[serde(default)]
    pub avatar: String,
}

/// A link of a talk.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkLink {
    /// URL.
    pub url: String,
    /// Title or "".
    #[serde(default)]
    pub title: String,
}

/// A talk.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkInfo {
    /// Public id (`/talk/{talkId}`).
    pub talk_id: i64,
    /// The schedule's key (guid, else code, else derived).
    pub key: String,
    /// The conference's slug.
    pub conference: String,
    /// The conference's title.
    pub conference_title: String,
    /// The IANA zone the conference's times are shown in.
    pub time_zone: String,
    /// The room's session key: its live id and chat room.
    pub room_id: String,
    /// The room's name.
    pub room_name: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Abstract as the schedule gave it (may hold HTML or Markdown).
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    /// Description as given.
    pub description: String,
    /// Track.
    pub track: String,
    /// The schedule's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Language code.
    pub language: String,
    /// The talk's page in the schedule system.
    pub url: String,
    /// No replay will be made.
    pub do_not_record: bool,
    /// Schedule day, `YYYY-MM-DD` local.
    pub day: String,
    /// Scheduled start.
    pub sched_start: String,
    /// Scheduled end.
    pub sched_end: String,
    /// Speakers.
    pub speakers: Vec<Speaker>,
    /// Links.
    pub links: Vec<TalkLink>,
    /// `scheduled`, `waiting`, `live`, `ended`, `replay`, `no_replay` or `cancelled`.
    pub state: String,
    /// When it went live.
    pub actual_start: Option<String>,
    /// When it ended.
    pub actual_end: Option<String>,
    /// Questions may be asked now.
    pub questions_open: bool,
    /// The room's live playlist while the talk is live.
    pub stream_url: Option<String>,
    /// Its replay's id (`/replay/{videoId}`), once cut.
    pub replay_video_id: Option<String>,
    /// Its replay playlist, once cut.
    pub replay_url: Option<String>,
    /// The organiser's replay in point, if moved.
    pub cut_in: Option<String>,
    /// The organiser's replay out point, if moved.
    pub cut_out: Option<String>,
}

/// A room of a conference.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomView {
    /// Session key: live id (`/live/{roomId}`) and chat room.
    pub room_id: String,
    /// Its name.
    pub name: String,
    /// On air now.
    pub live: bool,
    /// Its live playlist.
    pub stream_url: String,
    /// What it shows now (the live talk's title).
    pub live_title: String,
    /// The live talk, else the next one.
    pub current: Option<TalkInfo>,
    /// The talk after `current`.
    pub next: Option<TalkInfo>,
}

/// Where a conference's schedule came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    /// The URL, for a fetched one.
    pub url: Option<String>,
    /// `frab-xml` or `frab-json`.
    pub format: String,
    /// The file's version.
    pub version: String,
    /// When it was last imported.
    pub imported_at: Option<String>,
    /// Re-imported every this many minutes.
    pub refresh_minutes: Option<i64>,
}

/// A conference.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConferenceView {
    /// URL name (`/c/{slug}`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// IANA zone its times are shown in.
    pub time_zone: String,
    /// `HH:MM` at which a schedule day begins.
    pub day_change: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Free text.
    pub description: String,
    /// Logo URL or "".
    pub logo: String,
    /// Website or "".
    pub url: String,
    /// `public` or `unlisted`.
    pub visibility: String,
    /// Schedule days with talks, in order.
    pub days: Vec<String>,
    /// Its rooms, in order.
    pub rooms: Vec<RoomView>,
    /// Where its schedule came from.
    pub source: Option<SourceView>,
    /// Whether the caller is its organiser (only with `POST /api/host/conferences`).
    pub organizer: bool,
}

/// `GET /api/conferences`: public conferences.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConferenceList {
    /// Newest first.
    pub info: Vec<ConferenceView>,
}

/// `GET /api/conferences/{slug}/schedule`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleView {
    /// The conference.
    pub conference: ConferenceView,
    /// Its talks, by start.
    pub talks: Vec<TalkInfo>,
}

/// `GET /api/conferences/{slug}/now`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NowView {
    /// The conference's slug.
    pub slug: String,
    /// The server's clock.
    pub at: String,
    /// Each room with its current and next talk.
    pub rooms: Vec<RoomView>,
}

/// Query of `GET /api/conferences/{slug}/schedule`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleQuery {
    /// Only this day (`YYYY-MM-DD`).
    pub day: Option<String>,
    /// Only this room (its `roomId`).
    pub room: Option<String>,
    /// `json` (liboo's shape, default), `frab-json` (schedule.json), `xml`
    /// (schedule.xml) or `ics` (iCalendar).
    pub format: Option<String>,
}

/// Body of the organiser's calls that need only their identity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizerRequest {
    /// The organiser's secret identity.
    pub user_id: String,
}

/// Body of `POST /api/conferences/{slug}/rooms`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddRoom {
    /// The organiser's secret identity.
    pub user_id: String,
    /// 1-100 characters.
    pub name: String,
}

/// A room's keys for OBS.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomKeysView {
    /// The room.
    pub room_id: String,
    /// Its name.
    pub name: String,
    /// Secret: OBS's stream key.
    pub stream_key: String,
    /// OBS's server.
    pub ingest_url: String,
}

/// Body of `PUT /api/talks/{id}/cut`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CutBody {
    /// The organiser's secret identity.
    pub user_id: String,
    /// In point, Unix ms (null: the talk's actual start).
    pub in_ms: Option<i64>,
    /// Out point, Unix ms (null: the talk's actual end).
    pub out_ms: Option<i64>,
}

/// `GET /api/talks/{id}/questions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkQuestions {
    /// The talk.
    pub talk_id: i64,
    /// Oldest first; times in seconds into the talk's replay (0 for questions from
    /// its waiting room).
    pub questions: Vec<crate::model::QuestionInfo>,
}

/// A room's own broadcast (its whole day), for the organiser.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomRecording {
    /// The room.
    pub room_id: String,
    /// Its name.
    pub room_name: String,
    /// The broadcast's id (`/replay/{videoId}` plays it once ended).
    pub video_id: String,
    /// Live now.
    pub live: bool,
    /// Start.
    pub start_date: String,
    /// End, once ended.
    pub end_date: Option<String>,
    /// Its replay playlist (the whole broadcast).
    pub replay_url: String,
}
