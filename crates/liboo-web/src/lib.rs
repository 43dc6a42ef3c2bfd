//! liboo's web app: Vite's build of `web/`, embedded in the binary when it is compiled
//! (see `build.rs`) or read from a folder given by `--web-dir`, and served at `/`.
//!
//! Files of the build are served as they are, with long caching for Vite's hashed
//! `assets/`. Every other GET gets `index.html`, so the app's own router handles
//! `/live/:id`, `/replay/:id`, `/host`, `/c/:slug`, `/talk/:id` and `/organize`; paths the app does not know get the same
//! page with status 404, which then shows its error page. HTML carries a
//! Content-Security-Policy that lets scripts come only from this origin.

#![warn(missing_docs)]

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

mod assets {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Whether this binary holds the real app (false: a page saying how to build it).
pub const EMBEDDED_APP: bool = assets::BUILT;

/// Paths handled by other parts of liboo; a node without that part answers 404 here
/// rather than with the app.
const OTHER_PARTS: &[&str] = &["api", "media", "chat", "healthz", "readyz", "metrics"];

/// Top-level paths of the app's own router.
const APP_ROUTES: &[&str] = &[
    "",
    "host",
    "live",
    "replay",
    "c",
    "talk",
    "organize",
    "moderate",
    "speaker",
    "projector",
    "invite",
];

/// How [`router`] serves the app.
pub struct WebOptions {
    /// Serve the app from this folder (a `vite build` output) instead of the copy
    /// embedded in the binary.
    pub dir: Option<PathBuf>,
    /// Where browsers reach this server; the Content-Security-Policy allows websockets
    /// (`ws:` / `wss:`) to its origin.
    pub public_url: String,
    /// Where browsers fetch media; the Content-Security-Policy allows images, media and
    /// fetches from its origin.
    pub media_public_url: String,
}

#[derive(Clone)]
struct Web {
    source: Arc<Source>,
    csp: HeaderValue,
}

enum Source {
    Embedded(HashMap<&'static str, (&'static [u8], String)>),
    Dir(PathBuf),
}

/// A router whose fallback serves the app; merge it with the routers of the other
/// parts (they must not have a fallback of their own).
pub fn router(options: WebOptions) -> Router {
    let source = match options.dir {
        Some(dir) => Source::Dir(dir),
        None => Source::Embedded(
            assets::ASSETS
                .iter()
                .map(|(name, bytes)| (*name, (*bytes, etag(bytes))))
                .collect(),
        ),
    };
    let web = Web {
        source: Arc::new(source),
        csp: content_security_policy(&options.public_url, &options.media_public_url),
    };
    Router::new().fallback(serve).with_state(web)
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find('/').unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

fn content_security_policy(public_url: &str, media_public_url: &str) -> HeaderValue {
    let media = origin(media_public_url).unwrap_or("");
    // Websockets to this origin, spelled out for browsers where 'self' does not
    // cover ws: and wss:.
    let sockets = origin(public_url)
        .map(|o| {
            o.replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: {media}; media-src 'self' blob: {media}; \
         connect-src 'self' {sockets} {media}; worker-src 'self' blob:; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

/// FNV-1a over the bytes: a strong enough validator for files that change per build.
fn etag(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}-{}\"", bytes.len())
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A request path as a relative file name, or `None` if it could leave the folder.
fn file_name(path: &str) -> Option<&str> {
    let name = path.trim_start_matches('/');
    let safe = !name.contains(['\\', '\0', ':'])
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    safe.then_some(name)
}

impl Web {
    async fn read(&self, name: &str) -> Option<(Vec<u8>, String)> {
        match &*self.source {
            Source::Embedded(files) => files
                .get(name)
                .map(|(bytes, tag)| (bytes.to_vec(), tag.clone())),
            Source::Dir(dir) => {
                if name.is_empty() {
                    return None;
                }
                let path = dir.join(name);
                if !tokio::fs::metadata(&path).await.ok()?.is_file() {
                    return None;
                }
                let bytes = tokio::fs::read(&path).await.ok()?;
                let tag = etag(&bytes);
                Some((bytes, tag))
            }
        }
    }
}

async fn serve(State(web): State<Web>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "the web app is read with GET\n",
        )
            .into_response();
    }
    let path = uri.path();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if OTHER_PARTS.contains(&first) {
        return (
            StatusCode::NOT_FOUND,
            format!("not found: this liboo node does not serve /{first} here (see --roles)\n"),
        )
            .into_response();
    }
    let Some(name) = file_name(path) else {
        return (StatusCode::BAD_REQUEST, "invalid path\n").into_response();
    };
    if let Some((bytes, tag)) = web.read(name).await {
        return file(&web, name, bytes, tag, StatusCode::OK, &method, &headers);
    }
    // A missing file (anything with an extension in its last segment) is a 404, not
    // the app: a stale `assets/x.js` must not be answered with HTML.
    let last = name.rsplit('/').next().unwrap_or("");
    let Some((bytes, tag)) = web.read("index.html").await.filter(|_| !last.contains('.')) else {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    };
    let status = if APP_ROUTES.contains(&first) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    file(&web, "index.html", bytes, tag, status, &method, &headers)
}

fn file(
    web: &Web,
    name: &str,
    bytes: Vec<u8>,
    tag: String,
    status: StatusCode,
    method: &Method,
    headers: &HeaderMap,
) -> Response {
    let immutable = name.starts_with("assets/");
    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, content_type(name))
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CACHE_CONTROL,
            if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        )
        .header(header::ETAG, &tag);
    if name.ends_with(".html") {
        response = response
            .header(header::CONTENT_SECURITY_POLICY, web.csp.clone())
            .header(header::REFERRER_POLICY, "same-origin");
    }
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if fresh && status == StatusCode::OK {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let length = bytes.len();
    let body = if *method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    response
        .status(status)
        .header(header::CONTENT_LENGTH, length)
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use tower::ServiceExt;

    fn app(dir: &Path) -> Router {
        router(WebOptions {
            dir: Some(dir.to_owned()),
            public_url: "https://live.example".to_owned(),
            media_public_url: "https://cdn.example/media".to_owned(),
        })
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("index.html"), "<!doctype html><p>app").unwrap();
        std::fs::write(dir.path().join("assets/app-1234.js"), "console.log(1)").unwrap();
        std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
        dir
    }

    async fn get(app: &Router, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        app.clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    fn text(r: &Response, name: header::HeaderName) -> String {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn serves_files_and_the_app_for_its_routes() {
        let site = site();
        let app = app(site.path());
        let table: &[(&str, StatusCode, &str)] = &[
            ("/", StatusCode::OK, "text/html; charset=utf-8"),
            ("/live/abc", StatusCode::OK, "text/html; charset=utf-8"),
            ("/c/fosdem-2021", StatusCode::OK, "text/html; charset=utf-8"),
            ("/talk/12", StatusCode::OK, "text/html; charset=utf-8"),
            (
                "/organize/fosdem-2021",
                StatusCode::OK,
                "text/html; charset=utf-8",
            ),
            ("/replay/7", StatusCode::OK, "text/html; charset=utf-8"),
            ("/host", StatusCode::OK, "text/html; charset=utf-8"),
            (
                "/nowhere",
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
            ),
            (
                "/assets/app-1234.js",
                StatusCode::OK,
                "text/javascript; charset=utf-8",
            ),
            ("/favicon.svg", StatusCode::OK, "image/svg+xml"),
            ("/assets/gone-0000.js", StatusCode::NOT_FOUND, ""),
            ("/api/nothing", StatusCode::NOT_FOUND, ""),
            ("/media/live/x/index.m3u8", StatusCode::NOT_FOUND, ""),
            ("/../etc/passwd", StatusCode::BAD_REQUEST, ""),
            ("/assets/../../etc/passwd", StatusCode::BAD_REQUEST, ""),
            ("/%2e%2e/etc/passwd", StatusCode::NOT_FOUND, ""),
            ("/..%2fetc%2fpasswd", StatusCode::NOT_FOUND, ""),
        ];
        for (path, status, ty) in table {
            let r = get(&app, path, &[]).await;
            assert_eq!(r.status(), *status, "{path}");
            if !ty.is_empty() {
                assert_eq!(text(&r, header::CONTENT_TYPE), *ty, "{path}");
            }
            assert!(
                r.status() != StatusCode::OK
                    || text(&r, header::X_CONTENT_TYPE_OPTIONS) == "nosniff",
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn html_has_a_policy_and_assets_cache_forever() {
        let site = site();
        let app = app(site.path());
        let page = get(&app, "/live/abc", &[]).await;
        let csp = text(&page, header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            csp.contains("media-src 'self' blob: https://cdn.example;"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' wss://live.example https://cdn.example;"),
            "{csp}"
        );
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert_eq!(text(&page, header::CACHE_CONTROL), "no-cache");
        let asset = get(&app, "/assets/app-1234.js", &[]).await;
        assert!(text(&asset, header::CACHE_CONTROL).contains("immutable"));
        assert_eq!(text(&asset, header::CONTENT_SECURITY_POLICY), "");
    }

    #[tokio::test]
    async fn etag_answers_not_modified() {
        let site = site();
        let app = app(site.path());
        let first = get(&app, "/favicon.svg", &[]).await;
        let tag = text(&first, header::ETAG);
        assert!(!tag.is_empty());
        let again = get(&app, "/favicon.svg", &[("if-none-match", &tag)]).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let other = get(&app, "/favicon.svg", &[("if-none-match", "\"x\"")]).await;
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn only_reads() {
        let site = site();
        let app = app(site.path());
        let r = app
            .oneshot(Request::post("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn the_embedded_app_has_an_index() {
        let app = router(WebOptions {
            dir: None,
            public_url: "http://localhost:8080".to_owned(),
            media_public_url: "http://localhost:8080/media".to_owned(),
        });
        let r = get(&app, "/", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(text(&r, header::CONTENT_TYPE).starts_with("text/html"));
    }

    #[test]
    fn origins() {
        assert_eq!(origin("https://a.example/media"), Some("https://a.example"));
        assert_eq!(
            origin("http://127.0.0.1:8080"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin("nope"), None);
    }
}
