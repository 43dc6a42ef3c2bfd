//! liboo's HTTP server: the web app at `/`, `/api`, `/media`, `/healthz`, `/readyz`,
//! `/metrics`.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::TryStreamExt;
use liboo_db::Db;
use liboo_ingest::{LivePlaylists, Snapshot};
use liboo_presence::Presence;
use liboo_storage::{ByteRange, MediaStore, StorageError};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::config::{Config, Role};

/// What the non-API routes need.
#[derive(Clone)]
pub struct HttpState {
    pub db: Db,
    pub media: MediaStore,
    pub presence: Presence,
    pub metrics: PrometheusHandle,
    /// Live playlists of this node's ingest, for LL-HLS blocking reloads.
    pub playlists: Option<LivePlaylists>,
    /// How long a blocking reload may wait.
    pub reload_timeout: Duration,
}

pub fn router(config: &Config, state: HttpState, api: Option<Router>) -> Router {
    let media = Router::new()
        .route("/media/{*key}", get(media_get).head(media_get))
        // Players on any origin may fetch media; nothing in it is private.
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([header::RANGE])
                .expose_headers([header::CONTENT_LENGTH, header::CONTENT_RANGE]),
        );
    let mut app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(media)
        .with_state(state);
    if let Some(api) = api {
        app = app.merge(api.layer(cors(&config.cors_origins)));
    }
    if config.has(Role::Web) {
        app = app.merge(liboo_web::router(liboo_web::WebOptions {
            dir: config.web_dir.clone(),
            public_url: config.public_url.clone(),
            media_public_url: config.media_public_url.clone(),
        }));
    }
    app.layer(middleware::from_fn(count_requests))
}

/// CORS for `/api`, from `--cors-origins`: any origin when none are listed (or `*`),
/// as LiBoo allowed, else only the listed ones; any other origin gets no
/// `Access-Control-Allow-Origin` and its browser keeps the answer from the page.
/// Never with credentials: nothing in the API rides on cookies (a host's `userId`
/// travels in the body), so a page elsewhere gains nothing a script could not send.
fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.is_empty() || origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::CONTENT_TYPE])
}

/// Counts bodies refused as too large in `liboo_limit_hits_total`, and logs the chat's,
/// which socketioxide answers without a word. The API logs its own.
pub fn count_refusals(app: Router) -> Router {
    app.layer(middleware::from_fn(|req: Request, next: Next| async move {
        let chat = req.uri().path().starts_with("/chat/socket.io");
        let response = next.run(req).await;
        if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = if chat {
                tracing::warn!(
                    raise_with = "--chat-max-payload-bytes",
                    "chat message refused with 413: its payload is over the limit"
                );
                "chat_max_payload_bytes"
            } else {
                "http_max_body_bytes"
            };
            metrics::counter!("liboo_limit_hits_total", "limit" => limit).increment(1);
        }
        response
    }))
}

async fn count_requests(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("liboo_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("liboo_http_request_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

async fn metrics(State(s): State<HttpState>) -> impl IntoResponse {
    record_process_gauges();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

/// Gauges read at scrape time, to see leaks over a long run: the runtime's live tasks and,
/// on Linux, the process's open files and resident memory.
fn record_process_gauges() {
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    metrics::gauge!("liboo_runtime_alive_tasks").set(tasks as f64);
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!("liboo_process_open_fds").set(dir.count() as f64);
    }
    let rss_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        });
    if let Some(kib) = rss_kib {
        metrics::gauge!("liboo_process_resident_memory_bytes").set(kib * 1024.0);
    }
}

/// Ready when the database, Redis (if configured) and storage all answer.
async fn readyz(State(s): State<HttpState>) -> Response {
    let db = s.db.ping().await.err().map(|e| e.to_string());
    let redis = s.presence.ping().await.err().map(|e| e.to_string());
    let storage = s.media.ping().await.err().map(|e| e.to_string());
    let status = |e: &Option<String>| e.clone().unwrap_or_else(|| "ok".to_owned());
    let body = serde_json::json!({
        "database": status(&db),
        "redis": if s.presence.is_shared() { status(&redis) } else { "not configured".to_owned() },
        "storage": status(&storage),
    });
    let code = if db.is_none() && redis.is_none() && storage.is_none() {
        StatusCode::OK
    } else {
        tracing::warn!(%body, "not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}

/// LL-HLS delivery directives (RFC 8216bis §6.2.5.2).
#[derive(Debug, serde::Deserialize)]
struct Directives {
    #[serde(rename = "_HLS_msn")]
    msn: Option<u64>,
    #[serde(rename = "_HLS_part")]
    part: Option<u64>,
}

/// A blocking playlist reload: held until the playlist lists the asked segment or part,
/// answered from this node's ingest when it makes the playlist, else from storage.
/// `None` when it is no playlist or storage has none (the plain media path answers).
async fn blocking_reload(s: &HttpState, key: &str, d: &Directives) -> Option<Response> {
    let msn = d.msn?;
    if !key.ends_with(".m3u8") {
        return None;
    }
    let Some(playlists) = s.playlists.as_ref().filter(|p| p.is_live(key)) else {
        return poll_storage(s, key, msn, d.part).await;
    };
    // §6.2.5.2: a segment more than two ahead of the playlist is a client error.
    if playlists.too_far(key, msn)? {
        return Some(too_far());
    }
    // A wait that runs out answers with the playlist as it is.
    let (Ok(text) | Err(text)) = playlists.wait(key, msn, d.part, s.reload_timeout).await?;
    Some(playlist_response(text))
}

/// A blocking reload on a node whose ingest does not make the playlist (it is on
/// another node): storage is read every 100 ms until the playlist gets there.
async fn poll_storage(s: &HttpState, key: &str, msn: u64, part: Option<u64>) -> Option<Response> {
    let deadline = Instant::now() + s.reload_timeout;
    loop {
        let snapshot = Snapshot::read(s.media.get_bytes(key).await.ok()?);
        if snapshot.too_far(msn) {
            return Some(too_far());
        }
        if snapshot.has(msn, part) || Instant::now() >= deadline {
            return Some(playlist_response(snapshot.text));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn too_far() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "_HLS_msn is more than two segments ahead of the playlist\n",
    )
        .into_response()
}

fn playlist_response(text: bytes::Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.apple.mpegurl"),
            (header::CACHE_CONTROL, "public, max-age=1"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

/// Serves a media object with its content type, caching rules and byte ranges.
async fn media_get(
    State(s): State<HttpState>,
    Path(key): Path<String>,
    Query(directives): Query<Directives>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if directives.msn.is_some()
        && let Some(response) = blocking_reload(&s, &key, &directives).await
    {
        return response;
    }
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(ByteRange::parse);
    let result = match s.media.get(&key, range).await {
        Ok(r) => r,
        Err(StorageError::InvalidKey(_)) => {
            return (StatusCode::BAD_REQUEST, "invalid media path\n").into_response();
        }
        Err(StorageError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, "no such media object\n").into_response();
        }
        Err(StorageError::BadRange) => {
            return (StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable\n").into_response();
        }
        Err(e) => {
            tracing::warn!(error = %e, key, "media read failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "media storage unavailable; retry\n",
            )
                .into_response();
        }
    };
    let size = result.meta.size;
    let served = result.range.clone();
    let partial = range.is_some();
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, liboo_storage::content_type(&key))
        .header(header::CACHE_CONTROL, liboo_storage::cache_control(&key))
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, served.end - served.start)
        .header("x-content-type-options", "nosniff");
    if let Some(etag) = &result.meta.e_tag {
        builder = builder.header(header::ETAG, etag);
    }
    if partial {
        builder = builder.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!(
                "bytes {}-{}/{size}",
                served.start,
                served.end.saturating_sub(1)
            ),
        );
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from_stream(result.into_stream().map_err(std::io::Error::other))
    };
    builder
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
