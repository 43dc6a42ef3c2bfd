//! The routes under `/api`, their layers (body limits) and the OpenAPI document.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_scalar::Servable;

use crate::{ApiError, ApiState, BODY_LIMIT, UPDATE_BODY_LIMIT, host, replay, streams};

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
        replay::replay_existence, replay::replay_delete, replay::replay_questions
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
