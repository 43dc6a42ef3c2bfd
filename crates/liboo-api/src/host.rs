//! `/api/host/*`: a host's keys, the state and health of their channel, and its
//! settings. Calls that change something take the host's `userId` in the body.

use axum::Json;
use axum::extract::State;
use liboo_storage::layout;
use serde_json::Value;

use crate::channel::ChannelOf;
use crate::keys::hash_secret;
use crate::model::*;
use crate::validation::{UpdateFields, check_user_id, update_fields};
use crate::{ApiError, ApiState, ErrorBody, JsonBody, health, now_ms, thumbnail};

#[utoipa::path(post, path = "/api/host/key", tag = "host", request_body = KeyRequest,
    description = "Returns the host's keys, creating the channel on first call. The same \
        userId always gets the same keys.",
    responses((status = 200, description = "Success", body = KeyResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
pub(crate) async fn host_key(
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
pub(crate) async fn host_health(
    State(s): State<ApiState>,
    ChannelOf(channel, ..): ChannelOf<SessionKeyQuery>,
) -> Result<Json<HealthResponse>, ApiError> {
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
pub(crate) async fn host_state(
    ChannelOf(channel, ..): ChannelOf<SessionKeyQuery>,
) -> Json<StateResponse> {
    Json(StateResponse {
        state: channel.live_broadcast_id.is_some(),
    })
}

#[utoipa::path(post, path = "/api/host/update", tag = "host", request_body = UpdateRequest,
    description = "Changes the channel derived from userId. Every bad field gets its own \
        message in `fields`; on any error nothing is saved.",
    responses((status = 200, description = "Success", body = UpdateResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody),
        (status = 404, description = "No such id", body = ErrorBody), (status = 413, description = "Body too large", body = ErrorBody)))]
pub(crate) async fn host_update(
    State(s): State<ApiState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<UpdateResponse>, ApiError> {
    let (fields, mut errors) = update_fields(body)?;
    let UpdateFields {
        user_id,
        mut settings,
        image,
    } = fields;
    let channel = s.own_channel(&user_id).await?;

    let mut thumbnail_key = channel.settings.thumbnail_key.clone();
    let mut new_image = None;
    match image.as_deref() {
        None | Some("") => {}
        // The client sends back the picture it was given: nothing new.
        Some(url) if Some(url) == s.0.views.thumbnail_url(&channel.settings).as_deref() => {}
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
    settings.thumbnail_key = thumbnail_key;
    s.0.db
        .update_channel_settings(channel.id, &settings, now_ms())
        .await?;
    Ok(Json(UpdateResponse {
        status: "success".to_owned(),
        data: s.0.views.settings(channel.session_key, settings),
    }))
}

#[utoipa::path(post, path = "/api/host/end", tag = "host", request_body = KeyRequest,
    description = "Ends the host's live broadcast now instead of after the reconnect grace: \
        the final playlists and the replay follow at once. If the encoder still publishes it \
        is disconnected and told why (stop it first, or it starts a new broadcast).",
    responses((status = 200, description = "Success", body = EndResponse), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody),
        (status = 404, description = "No such id", body = ErrorBody), (status = 409, description = "Not live", body = ErrorBody)))]
pub(crate) async fn host_end(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<KeyRequest>,
) -> Result<Json<EndResponse>, ApiError> {
    check_user_id(&req.user_id)?;
    let channel = s.own_channel(&req.user_id).await?;
    let not_live =
        || ApiError::Conflict("the channel is not live: there is no broadcast to end".to_owned());
    let id = channel.live_broadcast_id.ok_or_else(not_live)?;
    let broadcast = s.0.db.broadcast_by_id(id).await?.ok_or_else(not_live)?;
    if !s.0.db.request_end(id, now_ms()).await? {
        return Err(not_live());
    }
    Ok(Json(EndResponse {
        ended: true,
        video_id: broadcast.video_id,
    }))
}
