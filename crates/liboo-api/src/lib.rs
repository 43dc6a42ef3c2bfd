//! liboo's broadcast API: LiBoo's HTTP contract under `/api`.
//!
//! Hosts get keys derived from their `userId` ([`keys`]), change their channel's
//! settings, and list or delete their replays; anyone lists live broadcasts and
//! replays. Field names and shapes are LiBoo's so its client works unchanged; the
//! behaviour is fixed where LiBoo was wrong (see `../shared/LIBOO_CONTRACT.md` and
//! `docs/CONTRACT.md`): keys come from a server secret, counts are real, every
//! broadcast keeps its own replay, bad input is a 400 with a message per field.
//!
//! Every piece of state is in the database (or, for viewer counts, in presence), so
//! any number of API nodes can serve the same deployment.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use liboo_db::{Broadcast, Channel, ChannelSettings, Db};
use liboo_presence::Presence;
use liboo_storage::MediaStore;
use liboo_storage::layout::{self, BroadcastPrefix};
use rand::RngExt;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_scalar::Servable;

mod cache;
mod error;
mod health;
pub mod keys;
pub mod model;
pub use liboo_thumbnail as thumbnail;

pub use error::{ApiError, ErrorBody, JsonBody, QueryParams};
use keys::{KeyDeriver, hash_secret};
use model::*;

/// Default largest JSON body of `/host/update` (a 5 MB image grows by a third in base64);
/// see [`router_with_body_limit`].
pub const UPDATE_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Largest JSON body of every other call (or the configured limit, if smaller).
pub const BODY_LIMIT: usize = 64 * 1024;

const MAX_USER_ID: usize = 128;
const MAX_TITLE: usize = 100;
const MAX_NOTICE: usize = 500;
const MAX_CATEGORY: usize = 50;
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 15;
const DEFAULT_PAGE: u32 = 8;
const MAX_PAGE: u32 = 100;
const RANDOM_COUNT: usize = 4;

/// What the API handlers share.
#[derive(Clone)]
pub struct ApiState(Arc<Inner>);

struct Inner {
    db: Db,
    media: MediaStore,
    presence: Presence,
    keys: KeyDeriver,
    media_base: String,
    /// Base URL of live playlists.
    live_base: String,
    /// Where hosts point OBS.
    ingest_url: String,
    live_playlist_name: String,
    lists: cache::ListCache,
}

/// How browsers and publishers reach liboo, each without a trailing slash.
#[derive(Debug, Clone)]
pub struct PublicUrls {
    /// Media objects: liboo's own `/media`, a bucket's public URL or a CDN.
    pub media: String,
    /// Live playlists: liboo's own `/media` with LL-HLS (the origin of blocking
    /// reloads), else the same as `media`.
    pub live_playlists: String,
    /// The RTMP URL hosts publish to, e.g. `rtmp://live.example.org:1935/live`.
    pub ingest: String,
    /// A channel's live playlist under `live/{sessionKey}/`: `master.m3u8` with a
    /// quality ladder, else `index.m3u8`.
    pub live_playlist_name: String,
}

impl ApiState {
    pub fn new(
        db: Db,
        media: MediaStore,
        presence: Presence,
        keys: KeyDeriver,
        urls: PublicUrls,
    ) -> ApiState {
        let trim = |u: &str| u.trim_end_matches('/').to_owned();
        ApiState(Arc::new(Inner {
            db,
            media,
            presence,
            keys,
            media_base: trim(&urls.media),
            live_base: trim(&urls.live_playlists),
            ingest_url: trim(&urls.ingest),
            live_playlist_name: urls.live_playlist_name,
            lists: cache::ListCache::default(),
        }))
    }

    fn media_url(&self, key: &str) -> String {
        format!("{}/{key}", self.0.media_base)
    }

    /// The channel's live playlist: from liboo itself with LL-HLS (its origin for
    /// blocking reloads), else wherever media is.
    fn stream_url(&self, session_key: &str) -> String {
        format!(
            "{}/live/{session_key}/{}",
            self.0.live_base, self.0.live_playlist_name
        )
    }

    fn thumbnail_url(&self, settings: &ChannelSettings) -> Option<String> {
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

    fn live_info(&self, b: &Broadcast, viewers: i64) -> LiveInfo {
        let thumbnail = self.thumbnail_url(&b.settings);
        let frame = if b.is_live { self.frame_url(b) } else { None };
        LiveInfo {
            id: b.id,
            video_id: Some(b.video_id.clone()),
            live_id: b.session_key.clone(),
            live_title: b.settings.title.clone(),
            live_image_url: frame.or_else(|| thumbnail.clone()),
            default_thumbnail_image_url: thumbnail,
            stream_url: self.stream_url(&b.session_key),
            concurrent_user_count: if b.is_live { viewers } else { 0 },
            channel: ChannelRef {
                channel_id: b.session_key.clone(),
                channel_name: b.settings.host_name.clone(),
            },
            category: b.settings.category.clone(),
            tags: b.settings.tags.clone(),
            start_date: Some(iso(b.start_ms)),
            end_date: b.end_ms.map(iso),
        }
    }

    fn idle_channel_info(&self, c: &Channel) -> LiveInfo {
        let thumbnail = self.thumbnail_url(&c.settings);
        LiveInfo {
            id: 0,
            video_id: None,
            live_id: c.session_key.clone(),
            live_title: c.settings.title.clone(),
            live_image_url: thumbnail.clone(),
            default_thumbnail_image_url: thumbnail,
            stream_url: self.stream_url(&c.session_key),
            concurrent_user_count: 0,
            channel: ChannelRef {
                channel_id: c.session_key.clone(),
                channel_name: c.settings.host_name.clone(),
            },
            category: c.settings.category.clone(),
            tags: c.settings.tags.clone(),
            start_date: None,
            end_date: None,
        }
    }

    fn replay_info(&self, b: &Broadcast) -> ReplayInfo {
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
            channel: ChannelRef {
                channel_id: b.session_key.clone(),
                channel_name: b.settings.host_name.clone(),
            },
            replay_url,
        }
    }

    async fn live_infos(&self, broadcasts: &[Broadcast]) -> Result<Vec<LiveInfo>, ApiError> {
        let rooms: Vec<&str> = broadcasts.iter().map(|b| b.session_key.as_str()).collect();
        let counts = self.0.presence.viewers_many(&rooms).await?;
        Ok(broadcasts
            .iter()
            .zip(counts)
            .map(|(b, n)| self.live_info(b, n))
            .collect())
    }

    /// The channel of the host whose `userId` this is, or 404.
    async fn own_channel(&self, user_id: &str) -> Result<Channel, ApiError> {
        let session_key = self.0.keys.session_key(user_id);
        self.0
            .db
            .channel_by_session_key(&session_key)
            .await?
            .ok_or_else(|| {
                ApiError::NotFound(
                    "this userId has no channel yet; call POST /api/host/key first".to_owned(),
                )
            })
    }
}

/// ISO 8601 with milliseconds, as LiBoo's MySQL dates came out of JSON.
pub fn iso(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The OpenAPI document of everything under `/api`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "liboo API",
        description = "LiBoo's broadcast API, wire-compatible, as served by liboo. \
            A userId is a bearer secret: it only ever travels in request bodies."
    ),
    paths(
        host_key, host_state, host_health, host_update, streams_random, streams_latest,
        streams_live, streams_notice, streams_existence, streams_search, replay_latest,
        replay_search, replay_video, replay_existence, replay_delete, replay_questions
    ),
    tags(
        (name = "host", description = "A host's keys and channel"),
        (name = "streams", description = "Live broadcasts"),
        (name = "replay", description = "Ended broadcasts")
    )
)]
pub struct ApiDoc;

/// The OpenAPI document as pretty JSON, as committed in `docs/openapi.json`.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.to_pretty_json().expect("OpenAPI document serializes") + "\n"
}

/// Every `/api` route, the OpenAPI document at `/api/openapi.json` and its browsable
/// page at `/api/docs`.
pub fn router(state: ApiState) -> Router {
    router_with_body_limit(state, UPDATE_BODY_LIMIT)
}

/// [`router`] with `max_body` as the largest body of `/host/update`, the one call that
/// takes an image; every other call takes at most [`BODY_LIMIT`] (or `max_body` if
/// smaller). A larger body is answered 413 before anything is parsed.
pub fn router_with_body_limit(state: ApiState, max_body: usize) -> Router {
    let doc: &'static str = Box::leak(openapi_json().into_boxed_str());
    Router::new()
        .route("/api/host/key", post(host_key))
        .route("/api/host/state", get(host_state))
        .route("/api/host/health", get(host_health))
        .route(
            "/api/host/update",
            post(host_update).layer(DefaultBodyLimit::max(max_body)),
        )
        .route("/api/streams/random", get(streams_random))
        .route("/api/streams/latest", get(streams_latest))
        .route("/api/streams/live", get(streams_live))
        .route("/api/streams/notice", get(streams_notice))
        .route("/api/streams/existence", get(streams_existence))
        .route("/api/streams/search", get(streams_search))
        .route("/api/replay/latest", get(replay_latest))
        .route("/api/replay/search", get(replay_search))
        .route("/api/replay/video", get(replay_video).delete(replay_delete))
        .route("/api/replay/existence", get(replay_existence))
        .route("/api/replay/questions", get(replay_questions))
        .route(
            "/api/openapi.json",
            get(move || async move { ([("content-type", "application/json")], doc) }),
        )
        .merge(utoipa_scalar::Scalar::with_url(
            "/api/docs",
            serde_json::from_str::<Value>(doc).expect("valid JSON"),
        ))
        // Not a router fallback: the web app answers every path outside /api.
        .route("/api", any(no_such_endpoint))
        .route("/api/{*rest}", any(no_such_endpoint))
        .layer(DefaultBodyLimit::max(BODY_LIMIT.min(max_body)))
        .with_state(state)
}

async fn no_such_endpoint() -> ApiError {
    ApiError::NotFound("no such API endpoint; see /api/docs".to_owned())
}

fn check_user_id(user_id: &str) -> Result<(), ApiError> {
    if user_id.trim().is_empty() || user_id.chars().count() > MAX_USER_ID {
        let mut fields = BTreeMap::new();
        fields.insert(
            "userId".to_owned(),
            format!("must be 1 to {MAX_USER_ID} characters"),
        );
        return Err(ApiError::invalid_fields(fields));
    }
    Ok(())
}

fn page(offset: Option<u32>, limit: Option<u32>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_PAGE}"
        )));
    }
    Ok((i64::from(offset.unwrap_or(0)), i64::from(limit)))
}

#[utoipa::path(post, path = "/api/host/key", tag = "host", request_body = KeyRequest,
    description = "Returns the host's keys, creating the channel on first call. The same \
        userId always gets the same keys.",
    responses((status = 200, description = "Success", body = KeyResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
async fn host_key(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<KeyRequest>,
) -> Result<Json<KeyResponse>, ApiError> {
    check_user_id(&req.user_id)?;
    let keys = s.0.keys.keys(&req.user_id);
    s.0.db
        .ensure_channel(&keys.session_key, &hash_secret(&keys.stream_key), now_ms())
        .await?;
    Ok(Json(KeyResponse {
        stream_key: keys.stream_key,
        session_key: keys.session_key,
        ingest_url: s.0.ingest_url.clone(),
    }))
}

#[utoipa::path(get, path = "/api/host/health", tag = "host", params(SessionKeyQuery),
    description = "The channel's live stream as ingest measures it (refreshed every 5 s) and \
        what the host should fix in their encoder. Public, like the stream itself.",
    responses((status = 200, description = "Success", body = HealthResponse), (status = 404, description = "No such id", body = ErrorBody)))]
async fn host_health(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SessionKeyQuery>,
) -> Result<Json<HealthResponse>, ApiError> {
    let channel = s.0.db.channel_by_session_key(&q.session_key).await?;
    let channel = channel.ok_or_else(|| ApiError::NotFound("no such channel".to_owned()))?;
    let live = match channel.live_broadcast_id {
        Some(id) => s.0.db.broadcast_by_id(id).await?,
        None => None,
    };
    let health: Option<liboo_db::StreamHealth> = live
        .and_then(|b| b.health)
        .and_then(|json| serde_json::from_str(&json).ok());
    let warnings = health
        .as_ref()
        .map(|h| health::warnings(h, now_ms()))
        .unwrap_or_default();
    Ok(Json(HealthResponse {
        live: channel.live_broadcast_id.is_some(),
        health,
        warnings,
    }))
}

#[utoipa::path(get, path = "/api/host/state", tag = "host", params(SessionKeyQuery),
    responses((status = 200, description = "Success", body = StateResponse), (status = 404, description = "No such id", body = ErrorBody)))]
async fn host_state(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SessionKeyQuery>,
) -> Result<Json<StateResponse>, ApiError> {
    let channel = s.0.db.channel_by_session_key(&q.session_key).await?;
    let channel = channel.ok_or_else(|| ApiError::NotFound("no such channel".to_owned()))?;
    Ok(Json(StateResponse {
        state: channel.live_broadcast_id.is_some(),
    }))
}

/// Reads one optional string field, noting a wrong type.
fn text_field(
    body: &serde_json::Map<String, Value>,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.insert(name.to_owned(), "must be a string".to_owned());
            None
        }
    }
}

fn bounded(
    value: Option<String>,
    name: &str,
    min: usize,
    max: usize,
    errors: &mut BTreeMap<String, String>,
) -> String {
    let value = value.unwrap_or_default();
    let n = value.chars().count();
    if n < min || n > max {
        let rule = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("is required, {min} to {max} characters")
        };
        errors.entry(name.to_owned()).or_insert(rule);
    }
    value
}

fn valid_tag(tag: &str) -> bool {
    let n = tag.chars().count();
    (1..=MAX_TAG).contains(&n)
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '-' | '_'))
}

fn tags_field(
    body: &serde_json::Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) -> Vec<String> {
    let rule = format!(
        "must be at most {MAX_TAGS} tags of 1 to {MAX_TAG} letters, digits or + # . - _ (no spaces)"
    );
    match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let tags: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(|s| s.trim().to_owned()))
                .collect();
            match tags {
                Some(tags) if tags.len() <= MAX_TAGS && tags.iter().all(|t| valid_tag(t)) => {
                    let mut unique = Vec::with_capacity(tags.len());
                    for t in tags {
                        if !unique.contains(&t) {
                            unique.push(t);
                        }
                    }
                    unique
                }
                _ => {
                    errors.insert("tags".to_owned(), rule);
                    Vec::new()
                }
            }
        }
        Some(_) => {
            errors.insert("tags".to_owned(), rule);
            Vec::new()
        }
    }
}

#[utoipa::path(post, path = "/api/host/update", tag = "host", request_body = UpdateRequest,
    description = "Changes the channel derived from userId. Every bad field gets its own \
        message in `fields`; on any error nothing is saved.",
    responses((status = 200, description = "Success", body = UpdateResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody),
        (status = 404, description = "No such id", body = ErrorBody), (status = 413, description = "Body too large", body = ErrorBody)))]
async fn host_update(
    State(s): State<ApiState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<UpdateResponse>, ApiError> {
    let Value::Object(body) = body else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    let mut errors = BTreeMap::new();
    let user_id = match body.get("userId") {
        Some(Value::String(u)) => u.clone(),
        _ => {
            errors.insert("userId".to_owned(), "is required, a string".to_owned());
            String::new()
        }
    };
    if errors.is_empty() {
        check_user_id(&user_id)?;
    }
    let title = text_field(&body, "liveTitle", &mut errors);
    let title = bounded(title, "liveTitle", 1, MAX_TITLE, &mut errors);
    let host_name = text_field(&body, "hostName", &mut errors);
    let host_name = bounded(host_name, "hostName", 1, MAX_TITLE, &mut errors);
    let notice = text_field(&body, "notice", &mut errors);
    let notice = bounded(notice, "notice", 0, MAX_NOTICE, &mut errors);
    let category = text_field(&body, "category", &mut errors);
    let category = bounded(category, "category", 0, MAX_CATEGORY, &mut errors);
    let tags = tags_field(&body, &mut errors);
    let image = text_field(&body, "defaultThumbnailImageUrl", &mut errors);
    if errors.contains_key("userId") {
        return Err(ApiError::invalid_fields(errors));
    }
    let channel = s.own_channel(&user_id).await?;

    let mut thumbnail_key = channel.settings.thumbnail_key.clone();
    let mut new_image = None;
    match image.as_deref() {
        None | Some("") => {}
        Some(url) if Some(url) == s.thumbnail_url(&channel.settings).as_deref() => {}
        Some(url) => match thumbnail::decode_data_url(url).and_then(|b| thumbnail::reencode(&b)) {
            Ok(t) => {
                let key = layout::channel_thumbnail(&channel.session_key, &t.digest);
                thumbnail_key = Some(key.clone());
                new_image = Some((key, t.jpeg));
            }
            Err(e) => {
                errors.insert("defaultThumbnailImageUrl".to_owned(), e.to_string());
            }
        },
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    if let Some((key, jpeg)) = new_image {
        s.0.media.put(&key, jpeg.into()).await?;
    }
    let settings = ChannelSettings {
        title,
        host_name,
        notice,
        category,
        tags,
        thumbnail_key,
    };
    s.0.db
        .update_channel_settings(channel.id, &settings, now_ms())
        .await?;
    Ok(Json(UpdateResponse {
        status: "success".to_owned(),
        data: ChannelSettingsData {
            session_key: channel.session_key,
            default_thumbnail_image_url: s.thumbnail_url(&settings),
            live_title: settings.title,
            host_name: settings.host_name,
            notice: settings.notice,
            category: settings.category,
            tags: settings.tags,
        },
    }))
}

#[utoipa::path(get, path = "/api/streams/random", tag = "streams",
    description = "Up to 4 live broadcasts picked at random.",
    responses((status = 200, description = "Success", body = RandomList)))]
async fn streams_random(State(s): State<ApiState>) -> Result<Json<RandomList>, ApiError> {
    let mut ids = s.0.db.live_broadcast_ids().await?;
    // A partial Fisher-Yates shuffle: the first RANDOM_COUNT slots end up a uniform pick.
    let picks = ids.len().min(RANDOM_COUNT);
    {
        let mut rng = rand::rng();
        for i in 0..picks {
            let j = rng.random_range(i..ids.len());
            ids.swap(i, j);
        }
    }
    let mut broadcasts = Vec::with_capacity(picks);
    for id in &ids[..picks] {
        if let Some(b) = s.0.db.broadcast_by_id(*id).await?.filter(|b| b.is_live) {
            broadcasts.push(b);
        }
    }
    Ok(Json(RandomList {
        info: s.live_infos(&broadcasts).await?,
    }))
}

#[utoipa::path(get, path = "/api/streams/latest", tag = "streams", params(Paging),
    description = "Live broadcasts, newest start first: a page in `info`, the next page in \
        `appendInfo` (8 and 8 by default, as LiBoo).",
    responses((status = 200, description = "Success", body = LiveList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
async fn streams_latest(
    State(s): State<ApiState>,
    QueryParams(p): QueryParams<Paging>,
) -> Result<Response, ApiError> {
    let (offset, limit) = page(p.offset, p.limit)?;
    let key = format!("live {offset} {limit}");
    s.0.lists
        .json(key, || async {
            let broadcasts = s.0.db.live_broadcasts(offset, limit * 2).await?;
            let mut info = s.live_infos(&broadcasts).await?;
            let append_info = info.split_off(info.len().min(limit as usize));
            Ok(LiveList { info, append_info })
        })
        .await
}

#[utoipa::path(get, path = "/api/streams/live", tag = "streams", params(LiveIdQuery),
    description = "The channel's current broadcast, or its last one (with `endDate`) when \
        it is not live.",
    responses((status = 200, description = "Success", body = LiveResponse), (status = 404, description = "No such id", body = ErrorBody)))]
async fn streams_live(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<LiveIdQuery>,
) -> Result<Json<LiveResponse>, ApiError> {
    let channel = s.0.db.channel_by_session_key(&q.live_id).await?;
    let channel = channel.ok_or_else(|| ApiError::NotFound("no such live".to_owned()))?;
    let info = match s.0.db.last_broadcast_of(channel.id).await? {
        Some(b) if b.is_live => {
            let viewers = s.0.presence.viewers(&b.session_key).await?;
            s.live_info(&b, viewers)
        }
        Some(mut b) => {
            // Not live: the channel's current settings, with the last broadcast's times.
            b.settings = channel.settings.clone();
            s.live_info(&b, 0)
        }
        None => s.idle_channel_info(&channel),
    };
    Ok(Json(LiveResponse { info }))
}

#[utoipa::path(get, path = "/api/streams/notice", tag = "streams", params(SessionKeyQuery),
    responses((status = 200, description = "Success", body = NoticeResponse), (status = 404, description = "No such id", body = ErrorBody)))]
async fn streams_notice(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SessionKeyQuery>,
) -> Result<Json<NoticeResponse>, ApiError> {
    let channel = s.0.db.channel_by_session_key(&q.session_key).await?;
    let channel = channel.ok_or_else(|| ApiError::NotFound("no such channel".to_owned()))?;
    Ok(Json(NoticeResponse {
        notice: channel.settings.notice,
        channel_name: channel.settings.host_name,
    }))
}

#[utoipa::path(get, path = "/api/streams/existence", tag = "streams", params(SessionKeyQuery),
    description = "Whether the channel is live now.",
    responses((status = 200, description = "Success", body = ExistenceResponse)))]
async fn streams_existence(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SessionKeyQuery>,
) -> Result<Json<ExistenceResponse>, ApiError> {
    let channel = s.0.db.channel_by_session_key(&q.session_key).await?;
    let existed = channel.is_some_and(|c| c.live_broadcast_id.is_some());
    Ok(Json(ExistenceResponse { existed }))
}

#[utoipa::path(get, path = "/api/streams/search", tag = "streams", params(SearchQuery),
    description = "Live broadcasts whose title, host name, category or tags contain `q` \
        (case-insensitive), newest first; paged like `/streams/latest`.",
    responses((status = 200, description = "Success", body = LiveList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
async fn streams_search(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SearchQuery>,
) -> Result<Json<LiveList>, ApiError> {
    let text = search_text(&q)?;
    let (offset, limit) = page(q.offset, q.limit)?;
    let broadcasts = s.0.db.search(text, true, offset, limit * 2).await?;
    let mut info = s.live_infos(&broadcasts).await?;
    let append_info = info.split_off(info.len().min(limit as usize));
    Ok(Json(LiveList { info, append_info }))
}

#[utoipa::path(get, path = "/api/replay/search", tag = "replay", params(SearchQuery),
    description = "Replays whose title, host name, category or tags contain `q` \
        (case-insensitive), newest first; paged like `/replay/latest`.",
    responses((status = 200, description = "Success", body = ReplayList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
async fn replay_search(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SearchQuery>,
) -> Result<Json<ReplayList>, ApiError> {
    let text = search_text(&q)?;
    let (offset, limit) = page(q.offset, q.limit)?;
    let broadcasts = s.0.db.search(text, false, offset, limit * 2).await?;
    let mut info: Vec<ReplayInfo> = broadcasts.iter().map(|b| s.replay_info(b)).collect();
    let append_info = info.split_off(info.len().min(limit as usize));
    Ok(Json(ReplayList { info, append_info }))
}

fn search_text(q: &SearchQuery) -> Result<&str, ApiError> {
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > MAX_TITLE {
        return Err(ApiError::bad_request(format!(
            "q must be 1 to {MAX_TITLE} characters"
        )));
    }
    Ok(text)
}

#[utoipa::path(get, path = "/api/replay/latest", tag = "replay", params(Paging),
    description = "Replays, newest first: a page in `info`, the next in `appendInfo`.",
    responses((status = 200, description = "Success", body = ReplayList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
async fn replay_latest(
    State(s): State<ApiState>,
    QueryParams(p): QueryParams<Paging>,
) -> Result<Response, ApiError> {
    let (offset, limit) = page(p.offset, p.limit)?;
    let key = format!("replay {offset} {limit}");
    s.0.lists
        .json(key, || async {
            let broadcasts = s.0.db.replays(offset, limit * 2).await?;
            let mut info: Vec<ReplayInfo> = broadcasts.iter().map(|b| s.replay_info(b)).collect();
            let append_info = info.split_off(info.len().min(limit as usize));
            Ok(ReplayList { info, append_info })
        })
        .await
}

#[utoipa::path(get, path = "/api/replay/video", tag = "replay", params(VideoIdQuery),
    description = "One replay; counts one read.",
    responses((status = 200, description = "Success", body = ReplayResponse), (status = 404, description = "No such id", body = ErrorBody)))]
async fn replay_video(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<ReplayResponse>, ApiError> {
    if !s.0.db.count_replay_read(&q.video_id).await? {
        return Err(ApiError::NotFound("no such replay".to_owned()));
    }
    let replay = s.0.db.replay(&q.video_id).await?;
    let replay = replay.ok_or_else(|| ApiError::NotFound("no such replay".to_owned()))?;
    Ok(Json(ReplayResponse {
        info: s.replay_info(&replay),
    }))
}

#[utoipa::path(get, path = "/api/replay/existence", tag = "replay", params(VideoIdQuery),
    responses((status = 200, description = "Success", body = ExistenceResponse)))]
async fn replay_existence(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<ExistenceResponse>, ApiError> {
    let existed = s.0.db.replay(&q.video_id).await?.is_some();
    Ok(Json(ExistenceResponse { existed }))
}

#[utoipa::path(delete, path = "/api/replay/video", tag = "replay",
    request_body = DeleteReplayRequest,
    description = "Deletes one of the caller's replays with its media and questions.",
    responses((status = 200, description = "Success", body = DeleteReplayResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody),
        (status = 404, description = "No such id", body = ErrorBody)))]
async fn replay_delete(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<DeleteReplayRequest>,
) -> Result<Json<DeleteReplayResponse>, ApiError> {
    check_user_id(&req.user_id)?;
    let channel = s.own_channel(&req.user_id).await?;
    let deleted = s.0.db.delete_replay(channel.id, &req.video_id).await?;
    let deleted =
        deleted.ok_or_else(|| ApiError::NotFound("you have no such replay".to_owned()))?;
    let deleted_objects = s.0.media.delete_prefix(&deleted.media_prefix).await?;
    tracing::info!(video_id = %deleted.video_id, deleted_objects, "replay deleted by its host");
    Ok(Json(DeleteReplayResponse {
        status: "success".to_owned(),
        video_id: deleted.video_id,
        deleted_objects,
    }))
}

#[utoipa::path(get, path = "/api/replay/questions", tag = "replay", params(VideoIdQuery),
    description = "The questions asked during a broadcast, oldest first, with their \
        answered state and the broadcast time at which each was asked and answered.",
    responses((status = 200, description = "Success", body = QuestionList), (status = 404, description = "No such id", body = ErrorBody)))]
async fn replay_questions(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<QuestionList>, ApiError> {
    let replay = s.0.db.replay(&q.video_id).await?;
    let replay = replay.ok_or_else(|| ApiError::NotFound("no such replay".to_owned()))?;
    let at = |ms: i64| (ms - replay.start_ms).max(0) as f64 / 1000.0;
    let questions = s.0.db.questions(replay.id).await?;
    Ok(Json(QuestionList {
        video_id: replay.video_id.clone(),
        questions: questions
            .into_iter()
            .map(|q| QuestionInfo {
                question_id: q.id,
                nickname: q.nickname,
                msg: q.msg,
                question_done: q.done,
                upvotes: q.upvotes,
                asked_at: at(q.asked_ms),
                answered_at: q.done_ms.map(at),
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_contract() {
        for good in [
            "C++",
            "node.js",
            "C#",
            "rust",
            "한국어",
            "web-rtc",
            "a_b",
            "123456789012345",
        ] {
            assert!(valid_tag(good), "{good}");
        }
        for bad in [
            "",
            "two words",
            "emoji🎉",
            "semi;colon",
            "1234567890123456",
            "<b>",
        ] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn dates_are_iso_with_millis() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
