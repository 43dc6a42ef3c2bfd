//! The routes under `/api`, their layers (body limits) and the OpenAPI document.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use futures::StreamExt;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_scalar::Servable;

use crate::{
    ApiError, ApiState, BODY_LIMIT, IMPORT_BODY_LIMIT, UPDATE_BODY_LIMIT, conferences, host, qa,
    replay, streams, talks,
};

/// The OpenAPI document of everything under `/api`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "liboo API",
        description = "LiBoo's broadcast API, wire-compatible, as served by liboo. \
            A userId is a bearer secret: it only ever travels in request bodies."
    ),
    paths(
        host::host_key, host::host_state, host::host_health, host::host_update, host::host_end,
        streams::streams_random, streams::streams_latest, streams::streams_live,
        streams::streams_notice, streams::streams_existence, streams::streams_search,
        replay::replay_latest, replay::replay_search, replay::replay_video,
        replay::replay_existence, replay::replay_delete, replay::replay_questions,
        conferences::create_conference, conferences::import_schedule,
        conferences::list_conferences, conferences::my_conferences, conferences::get_conference,
        conferences::conference_now, conferences::conference_schedule, conferences::add_room,
        conferences::room_keys, conferences::recordings, talks::get_talk, talks::talk_questions, talks::start,
        talks::end, talks::cut, qa::set_moderation, qa::create_invitation, qa::revoke_invitation,
        qa::accept, qa::list_roles, qa::revoke_role, qa::moderation_log, qa::export,
        qa::replay_polls, qa::talk_polls
    ),
    tags(
        (name = "host", description = "A host's keys and channel"),
        (name = "streams", description = "Live broadcasts"),
        (name = "replay", description = "Ended broadcasts"),
        (name = "conferences", description = "Conferences, their rooms and schedules"),
        (name = "talks", description = "A conference's talks"),
        (name = "qa", description = "Moderated Q&A: roles by invitation, moderation, the log, exports")
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
    let limits = BodyLimits {
        update: max_body,
        import: IMPORT_BODY_LIMIT,
        other: BODY_LIMIT.min(max_body),
    };
    let doc: &'static str = Box::leak(openapi_json().into_boxed_str());
    Router::new()
        .route("/api/host/key", post(host::host_key))
        .route("/api/host/state", get(host::host_state))
        .route("/api/host/health", get(host::host_health))
        .route("/api/host/end", post(host::host_end))
        .route(
            "/api/host/update",
            post(host::host_update).layer(DefaultBodyLimit::max(max_body)),
        )
        .route("/api/streams/random", get(streams::streams_random))
        .route("/api/streams/latest", get(streams::streams_latest))
        .route("/api/streams/live", get(streams::streams_live))
        .route("/api/streams/notice", get(streams::streams_notice))
        .route("/api/streams/existence", get(streams::streams_existence))
        .route("/api/streams/search", get(streams::streams_search))
        .route("/api/replay/latest", get(replay::replay_latest))
        .route("/api/replay/search", get(replay::replay_search))
        .route(
            "/api/replay/video",
            get(replay::replay_video).delete(replay::replay_delete),
        )
        .route("/api/replay/existence", get(replay::replay_existence))
        .route("/api/replay/questions", get(replay::replay_questions))
        .route(
            "/api/conferences",
            get(conferences::list_conferences).post(conferences::create_conference),
        )
        .route(
            "/api/conferences/import",
            post(conferences::import_schedule).layer(DefaultBodyLimit::max(limits.import)),
        )
        .route("/api/host/conferences", post(conferences::my_conferences))
        .route("/api/conferences/{slug}", get(conferences::get_conference))
        .route(
            "/api/conferences/{slug}/now",
            get(conferences::conference_now),
        )
        .route(
            "/api/conferences/{slug}/schedule",
            get(conferences::conference_schedule),
        )
        .route("/api/conferences/{slug}/rooms", post(conferences::add_room))
        .route(
            "/api/conferences/{slug}/rooms/keys",
            post(conferences::room_keys),
        )
        .route(
            "/api/conferences/{slug}/recordings",
            post(conferences::recordings),
        )
        .route("/api/talks/{id}", get(talks::get_talk))
        .route("/api/talks/{id}/questions", get(talks::talk_questions))
        .route("/api/talks/{id}/polls", get(qa::talk_polls))
        .route("/api/replay/polls", get(qa::replay_polls))
        .route("/api/host/moderation", put(qa::set_moderation))
        .route("/api/host/moderation/log", post(qa::moderation_log))
        .route("/api/host/invitations", post(qa::create_invitation))
        .route("/api/host/invitations/{id}", delete(qa::revoke_invitation))
        .route("/api/roles/accept", post(qa::accept))
        .route("/api/host/roles", post(qa::list_roles))
        .route("/api/host/roles/{id}", delete(qa::revoke_role))
        .route("/api/host/qa-export", post(qa::export))
        .route("/api/talks/{id}/start", post(talks::start))
        .route("/api/talks/{id}/end", post(talks::end))
        .route("/api/talks/{id}/cut", put(talks::cut))
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
        .layer(DefaultBodyLimit::max(limits.other))
        .layer(middleware::from_fn(move |req, next| {
            refuse_declared_oversize(limits, req, next)
        }))
        .with_state(state)
}

#[derive(Clone, Copy)]
struct BodyLimits {
    update: usize,
    import: usize,
    other: usize,
}

/// How much of a refused body is read (and dropped) so that its client reads the 413.
const DRAIN_CAP: usize = 64 * 1024 * 1024;
/// How long a refused body may take to arrive.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Answers 413 to a body whose `Content-Length` is over its route's limit, without
/// calling the handler. The body is read and dropped first (up to [`DRAIN_CAP`] within
/// [`DRAIN_TIME`]): HTTP/1.1 closes a connection whose request was not read to its end,
/// and a client still sending gets a broken pipe instead of the answer.
/// [`DefaultBodyLimit`] still stops a body that declares no length (chunked).
async fn refuse_declared_oversize(limits: BodyLimits, req: Request, next: Next) -> Response {
    let limit = match req.uri().path() {
        "/api/host/update" => limits.update,
        "/api/conferences/import" => limits.import,
        _ => limits.other,
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => {
            let mut body = req.into_body().into_data_stream();
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                let mut read = 0;
                while let Some(Ok(chunk)) = body.next().await {
                    read += chunk.len();
                    if read > DRAIN_CAP {
                        break;
                    }
                }
            })
            .await;
            ApiError::TooLarge(format!(
                "the body is {length} bytes, over this endpoint's limit of {limit}"
            ))
            .into_response()
        }
        _ => next.run(req).await,
    }
}

async fn no_such_endpoint() -> ApiError {
    ApiError::NotFound("no such API endpoint; see /api/docs".to_owned())
}
