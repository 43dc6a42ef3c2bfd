//! CORS on `/api` through the binary: any origin by default, as LiBoo allowed (its
//! client is often served from another host), and only the listed ones with
//! `--cors-origins`; `/media` keeps its own CORS for players on any origin.

use liboo_testkit::LibooProcess;
use reqwest::{Client, Method, Response};
use serde_json::json;

const CLIENT: &str = "http://client.example";

/// A browser's preflight of a JSON `POST` from `origin`.
async fn preflight(node: &LibooProcess, path: &str, origin: &str) -> Response {
    Client::new()
        .request(Method::OPTIONS, format!("{}{path}", node.http))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
}

async fn get_from(node: &LibooProcess, path: &str, origin: &str) -> Response {
    Client::new()
        .get(format!("{}{path}", node.http))
        .header("origin", origin)
        .send()
        .await
        .unwrap()
}

fn header<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn by_default_any_origin_calls_the_api_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let node = LibooProcess::start(env!("CARGO_BIN_EXE_liboo"), dir.path(), &[]);

    let pre = preflight(&node, "/api/host/key", CLIENT).await;
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(header(&pre, "access-control-allow-origin"), Some("*"));
    let methods = header(&pre, "access-control-allow-methods").unwrap();
    for method in ["GET", "POST", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = header(&pre, "access-control-allow-headers").unwrap();
    assert!(headers.contains("content-type"), "{headers}");
    assert_eq!(header(&pre, "access-control-allow-credentials"), None);

    // The call itself, as LiBoo's client makes it from its own origin.
    let res = Client::new()
        .post(format!("{}/api/host/key", node.http))
        .header("origin", CLIENT)
        .json(&json!({"userId": "cors-host"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&res, "access-control-allow-credentials"), None);
    let keys: serde_json::Value = res.json().await.unwrap();
    assert!(keys["sessionKey"].is_string(), "{keys}");

    // Errors carry it too, so the page can read their message.
    let missing = get_from(&node, "/api/no/such/thing", CLIENT).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn cors_origins_narrows_the_api_to_the_listed_origins() {
    let dir = tempfile::tempdir().unwrap();
    let node = LibooProcess::start(
        env!("CARGO_BIN_EXE_liboo"),
        dir.path(),
        &[
            "--cors-origins",
            "http://client.example,http://other.example",
        ],
    );

    let pre = preflight(&node, "/api/host/key", CLIENT).await;
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(header(&pre, "access-control-allow-origin"), Some(CLIENT));
    let methods = header(&pre, "access-control-allow-methods").unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let allowed = get_from(&node, "/api/streams/latest", "http://other.example").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        Some("http://other.example")
    );

    // Another origin gets its answer but no header, so its browser keeps it from the page.
    let refused = get_from(&node, "/api/streams/latest", "http://evil.example").await;
    assert_eq!(refused.status(), 200);
    assert_eq!(
        header(&refused, "access-control-allow-origin"),
        None,
        "an unlisted origin got CORS"
    );
    let pre = preflight(&node, "/api/host/key", "http://evil.example").await;
    assert_eq!(header(&pre, "access-control-allow-origin"), None);

    // Media is public whatever the API allows: players on any origin fetch it.
    std::fs::create_dir_all(dir.path().join("media/live/abc")).unwrap();
    std::fs::write(dir.path().join("media/live/abc/index.m3u8"), "#EXTM3U\n").unwrap();
    let media = get_from(&node, "/media/live/abc/index.m3u8", "http://evil.example").await;
    assert_eq!(media.status(), 200);
    assert_eq!(header(&media, "access-control-allow-origin"), Some("*"));
}
