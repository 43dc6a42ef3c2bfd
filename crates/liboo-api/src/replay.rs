//! `/api/replay/*`: ended broadcasts, each with its own replay, listed, searched,
//! looked up, deleted by their host, and the questions asked during them.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use liboo_db::Broadcast;
use liboo_db::QuestionScope;

use crate::model::*;
use crate::paging::Page;
use crate::validation::{Search, check_user_id};
use crate::{ApiError, ApiState, ErrorBody, JsonBody, QueryParams, views};

/// `rows`, fetched for `page`, as a page and the next.
fn replay_list(s: &ApiState, page: Page, rows: &[Broadcast]) -> ReplayList {
    let (info, append_info) = page.split(rows.iter().map(|b| s.0.views.replay(b)).collect());
    ReplayList { info, append_info }
}

/// The replay `videoId` names, or a 404.
async fn replay(s: &ApiState, video_id: &str) -> Result<Broadcast, ApiError> {
    let replay = s.0.db.replay(video_id).await?;
    replay.ok_or_else(|| ApiError::NotFound("no such replay".to_owned()))
}

#[utoipa::path(get, path = "/api/replay/search", tag = "replay", params(SearchQuery),
    description = "Replays whose title, host name, category or tags contain `q` \
        (case-insensitive), newest first; paged like `/replay/latest`.",
    responses((status = 200, description = "Success", body = ReplayList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
pub(crate) async fn replay_search(
    State(s): State<ApiState>,
    Search { text, page }: Search,
) -> Result<Json<ReplayList>, ApiError> {
    let rows = s.0.db.search(&text, false, page.offset(), page.count());
    Ok(Json(replay_list(&s, page, &rows.await?)))
}

#[utoipa::path(get, path = "/api/replay/latest", tag = "replay", params(Paging),
    description = "Replays, newest first: a page in `info`, the next in `appendInfo`.",
    responses((status = 200, description = "Success", body = ReplayList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
pub(crate) async fn replay_latest(
    State(s): State<ApiState>,
    page: Page,
) -> Result<Response, ApiError> {
    s.0.lists
        .json(page.cache_key("replay"), || async {
            let rows = s.0.db.replays(page.offset(), page.count()).await?;
            Ok(replay_list(&s, page, &rows))
        })
        .await
}

#[utoipa::path(get, path = "/api/replay/video", tag = "replay", params(VideoIdQuery),
    description = "One replay; counts one read.",
    responses((status = 200, description = "Success", body = ReplayResponse), (status = 404, description = "No such id", body = ErrorBody)))]
pub(crate) async fn replay_video(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<ReplayResponse>, ApiError> {
    if !s.0.db.count_replay_read(&q.video_id).await? {
        return Err(ApiError::NotFound("no such replay".to_owned()));
    }
    let replay = replay(&s, &q.video_id).await?;
    Ok(Json(ReplayResponse {
        info: s.0.views.replay(&replay),
    }))
}

#[utoipa::path(get, path = "/api/replay/existence", tag = "replay", params(VideoIdQuery),
    responses((status = 200, description = "Success", body = ExistenceResponse)))]
pub(crate) async fn replay_existence(
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
pub(crate) async fn replay_delete(
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
pub(crate) async fn replay_questions(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<QuestionList>, ApiError> {
    let replay = replay(&s, &q.video_id).await?;
    // A talk's replay has the talk's questions, those of its waiting room included
    // (asked at 0 s: before the replay begins).
    let scope = match replay.talk_id {
        Some(talk) => QuestionScope::Talk(talk),
        None => QuestionScope::Broadcast(replay.id),
    };
    let questions = s.0.db.approved_questions(scope).await?;
    Ok(Json(QuestionList {
        video_id: replay.video_id,
        questions: questions
            .into_iter()
            .map(|q| views::question(q, replay.start_ms))
            .collect(),
    }))
}
