//! Every endpoint, through the real router, on SQLite and on the machine's MariaDB.

use std::io::Cursor;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use liboo_api::keys::KeyDeriver;
use liboo_api::{ApiState, PublicUrls, router};
use liboo_db::Db;
use liboo_presence::Presence;
use liboo_storage::{MediaStore, S3Options};
use liboo_testkit::{Engine as DbEngine, TestDb};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Harness {
    app: Router,
    db: Db,
    media: MediaStore,
    presence: Presence,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

const MEDIA: &str = "http://media.test/media";

async fn harness(engine: DbEngine) -> Harness {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let media = MediaStore::open(
        &format!("file://{}", dir.path().display()),
        &S3Options::default(),
    )
    .unwrap();
    let presence = Presence::local("test");
    let state = ApiState::new(
        db.clone(),
        media.clone(),
        presence.clone(),
        KeyDeriver::new(b"k"),
        PublicUrls {
            media: MEDIA.to_owned(),
            live_playlists: MEDIA.to_owned(),
            ingest: "rtmp://live.example:1935/live".to_owned(),
            live_playlist_name: "index.m3u8".to_owned(),
        },
    );
    Harness {
        app: router(state),
        db,
        media,
        presence,
        _db: t,
        _dir: dir,
    }
}

impl Harness {
    async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.raw(req.body(body).unwrap()).await
    }

    async fn raw(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call(Method::GET, uri, None).await
    }

    async fn status(&self, uri: &str) -> StatusCode {
        self.get(uri).await.0
    }

    async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, uri, Some(body)).await
    }

    /// A host with a channel and settings; returns (streamKey, sessionKey).
    async fn host(&self, user: &str, title: &str) -> (String, String) {
        let (status, keys) = self.post("/api/host/key", json!({"userId": user})).await;
        assert_eq!(status, StatusCode::OK, "{keys}");
        let (status, body) = self
            .post(
                "/api/host/update",
                json!({"userId": user, "liveTitle": title, "hostName": format!("{user} host"),
                       "notice": "be nice", "category": "Backend", "tags": ["Rust", "C++"],
                       "defaultThumbnailImageUrl": ""}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            keys["streamKey"].as_str().unwrap().into(),
            keys["sessionKey"].as_str().unwrap().into(),
        )
    }

    /// Starts a broadcast the way ingest does.
    async fn go_live(&self, session_key: &str, video_id: &str, at_ms: i64) -> i64 {
        let ch = self
            .db
            .channel_by_session_key(session_key)
            .await
            .unwrap()
            .unwrap();
        let prefix = format!("live/{session_key}/{video_id}");
        self.db
            .start_broadcast(ch.id, video_id, &prefix, at_ms)
            .await
            .unwrap()
            .id
    }
}

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(super::DbEngine::Sqlite).await } )* }
        mod mariadb { $( #[tokio::test] async fn $name() { super::$name(super::DbEngine::MariaDb).await } )* }
    };
}

on_both_engines!(
    keys_are_stable_and_create_the_channel,
    update_validates_every_field,
    thumbnails_are_judged_by_bytes,
    live_lists_and_lookups,
    replays_each_keep_their_own_video,
    replay_delete_is_for_the_owner_only,
    bad_requests_are_clear,
    the_host_ends_the_broadcast,
);

async fn keys_are_stable_and_create_the_channel(engine: DbEngine) {
    let h = harness(engine).await;
    let (s1, a) = h.post("/api/host/key", json!({"userId": "alice"})).await;
    let (_, b) = h.post("/api/host/key", json!({"userId": "alice"})).await;
    let (_, c) = h.post("/api/host/key", json!({"userId": "bob"})).await;
    assert_eq!(s1, StatusCode::OK);
    assert_eq!(a, b);
    assert_ne!(a["streamKey"], c["streamKey"]);
    assert_eq!(a["ingestUrl"], "rtmp://live.example:1935/live");
    let sk = a["sessionKey"].as_str().unwrap();
    assert_eq!(
        h.get(&format!("/api/host/state?sessionKey={sk}")).await,
        (StatusCode::OK, json!({"state": false}))
    );
    assert_eq!(
        h.status("/api/host/state?sessionKey=nope").await,
        StatusCode::NOT_FOUND
    );
    // The stream key is stored only as a hash.
    let stored = h.db.channel_by_session_key(sk).await.unwrap().unwrap();
    assert!(
        format!("{stored:?}")
            .find(a["streamKey"].as_str().unwrap())
            .is_none()
    );
    assert_eq!(
        h.post("/api/host/key", json!({"userId": ""})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post("/api/host/key", json!({"userId": 5})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post("/api/host/key", json!({})).await.0,
        StatusCode::BAD_REQUEST
    );
}

async fn update_validates_every_field(engine: DbEngine) {
    let h = harness(engine).await;
    let (_, sk) = h.host("carol", "Original").await;
    let (status, body) = h
        .post(
            "/api/host/update",
            json!({"userId": "carol", "liveTitle": "", "hostName": "x".repeat(101),
                   "notice": 7, "category": "c".repeat(51),
                   "tags": ["ok", "has space", "waytoolongtagname"], "defaultThumbnailImageUrl": "data:x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields = body["fields"].as_object().unwrap();
    for f in [
        "liveTitle",
        "hostName",
        "notice",
        "category",
        "tags",
        "defaultThumbnailImageUrl",
    ] {
        assert!(fields.contains_key(f), "no message for {f}: {body}");
    }
    // Nothing was saved.
    let (_, notice) = h.get(&format!("/api/streams/notice?sessionKey={sk}")).await;
    assert_eq!(
        notice,
        json!({"notice": "be nice", "channelName": "carol host"})
    );
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let (status, body) = h
        .post(
            "/api/host/update",
            json!({"userId": "carol", "liveTitle": "T", "hostName": "H", "tags": eleven}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["fields"]["tags"].is_string());
    let (status, body) = h
        .post(
            "/api/host/update",
            json!({"userId": "carol", "liveTitle": "  New title  ", "hostName": "Carol",
                   "tags": ["C++", "node.js", "C#", "한국어"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["data"]["liveTitle"], "New title");
    assert_eq!(
        body["data"]["tags"],
        json!(["C++", "node.js", "C#", "한국어"])
    );
    let (status, body) = h
        .post(
            "/api/host/update",
            json!({"userId": "nobody", "liveTitle": "T", "hostName": "H"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        h.post(
            "/api/host/update",
            json!({"liveTitle": "T", "hostName": "H"})
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post("/api/host/update", json!([1, 2])).await.0,
        StatusCode::BAD_REQUEST
    );
}

fn png_data_url(w: u32, h: u32) -> String {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([x as u8, 10, 200]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(out.into_inner())
    )
}

async fn thumbnails_are_judged_by_bytes(engine: DbEngine) {
    let h = harness(engine).await;
    h.host("dave", "Talk").await;
    let update = |image: String| json!({"userId": "dave", "liveTitle": "Talk", "hostName": "Dave", "defaultThumbnailImageUrl": image});
    let (status, body) = h
        .post("/api/host/update", update(png_data_url(1600, 900)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["data"]["defaultThumbnailImageUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = url
        .strip_prefix(&format!("{MEDIA}/"))
        .expect("URL under the media base");
    let stored = h.media.get_bytes(key).await.unwrap();
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1280, 720));
    // Sending the current URL back keeps the image.
    let (_, body) = h.post("/api/host/update", update(url.clone())).await;
    assert_eq!(body["data"]["defaultThumbnailImageUrl"], url.as_str());
    // A text file dressed as a PNG is refused, and the old image stays.
    let fake = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode("not a png")
    );
    let (status, body) = h.post("/api/host/update", update(fake)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["fields"]["defaultThumbnailImageUrl"]
            .as_str()
            .unwrap()
            .contains("PNG, JPEG or WebP")
    );
    let (status, _) = h
        .post(
            "/api/host/update",
            update("https://evil.example/x.png".into()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, sk) = h.post("/api/host/key", json!({"userId": "dave"})).await;
    let (_, live) = h
        .get(&format!(
            "/api/streams/live?liveId={}",
            sk["sessionKey"].as_str().unwrap()
        ))
        .await;
    assert_eq!(live["info"]["defaultThumbnailImageUrl"], url.as_str());
    // Over 8 MiB of JSON: 413 before anything is parsed.
    let huge = format!("data:image/png;base64,{}", "A".repeat(9 * 1024 * 1024));
    assert_eq!(
        h.post("/api/host/update", update(huge)).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Between 5 and 8 MiB: a field error.
    let big = format!("data:image/png;base64,{}", "A".repeat(7 * 1024 * 1024));
    let (status, body) = h.post("/api/host/update", update(big)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["fields"]["defaultThumbnailImageUrl"]
            .as_str()
            .unwrap()
            .contains("5 MB")
    );
}

async fn live_lists_and_lookups(engine: DbEngine) {
    let h = harness(engine).await;
    let mut keys = vec![];
    for i in 0..20 {
        let (_, sk) = h
            .host(&format!("user{i}"), &format!("Talk number {i}"))
            .await;
        if i < 18 {
            h.go_live(&sk, &format!("vid{i}"), 1_000_000 + i).await;
        }
        keys.push(sk);
    }
    let (status, latest) = h.get("/api/streams/latest").await;
    assert_eq!(status, StatusCode::OK);
    let titles = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["liveTitle"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&latest["info"]).len(), 8);
    assert_eq!(titles(&latest["info"])[0], "Talk number 17");
    assert_eq!(titles(&latest["appendInfo"]).len(), 8);
    assert_eq!(titles(&latest["appendInfo"])[0], "Talk number 9");
    let (_, paged) = h.get("/api/streams/latest?offset=16&limit=4").await;
    assert_eq!(titles(&paged["info"]), ["Talk number 1", "Talk number 0"]);
    assert!(paged["appendInfo"].as_array().unwrap().is_empty());

    let (_, random) = h.get("/api/streams/random").await;
    let picked = titles(&random["info"]);
    assert_eq!(picked.len(), 4);
    let mut unique = picked.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4);

    // Real viewer counts, from presence.
    h.presence.add_viewers(&keys[3], 1).await.unwrap();
    h.presence.add_viewers(&keys[3], 1).await.unwrap();
    let (status, live) = h
        .get(&format!("/api/streams/live?liveId={}", keys[3]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let info = &live["info"];
    assert_eq!(info["concurrentUserCount"], 2);
    assert_eq!(info["liveId"], keys[3].as_str());
    assert_eq!(
        info["streamUrl"],
        format!("{MEDIA}/live/{}/index.m3u8", keys[3])
    );
    assert_eq!(
        info["channel"],
        json!({"channelId": keys[3], "channelName": "user3 host"})
    );
    assert_eq!(info["tags"], json!(["Rust", "C++"]));
    assert_eq!(info["category"], "Backend");
    assert!(info["startDate"].as_str().unwrap().ends_with('Z'));
    assert!(info["endDate"].is_null());
    for field in [
        "id",
        "liveTitle",
        "liveImageUrl",
        "defaultThumbnailImageUrl",
    ] {
        assert!(info.get(field).is_some(), "missing {field}");
    }
    // A channel that never went live still answers, with no dates.
    let (status, idle) = h
        .get(&format!("/api/streams/live?liveId={}", keys[19]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(idle["info"]["startDate"].is_null());
    assert_eq!(
        h.status("/api/streams/live?liveId=unknown").await,
        StatusCode::NOT_FOUND
    );

    let exist = |sk: &str| format!("/api/streams/existence?sessionKey={sk}");
    assert_eq!(h.get(&exist(&keys[0])).await.1, json!({"existed": true}));
    assert_eq!(h.get(&exist(&keys[19])).await.1, json!({"existed": false}));
    assert_eq!(
        h.get(&exist("unknown")).await,
        (StatusCode::OK, json!({"existed": false}))
    );
    assert_eq!(
        h.get(&format!("/api/host/state?sessionKey={}", keys[0]))
            .await
            .1,
        json!({"state": true})
    );
    assert_eq!(
        h.status("/api/streams/notice?sessionKey=unknown").await,
        StatusCode::NOT_FOUND
    );

    let (_, found) = h.get("/api/streams/search?q=number%201").await;
    assert_eq!(titles(&found["info"]).len(), 8);
    assert!(
        titles(&found["info"])
            .iter()
            .all(|t| t.starts_with("Talk number 1"))
    );
    let (_, found) = h.get("/api/streams/search?q=c%2B%2B&limit=100").await;
    assert_eq!(titles(&found["info"]).len(), 18);
    assert_eq!(
        h.status("/api/streams/search?q=").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.status("/api/streams/search").await,
        StatusCode::BAD_REQUEST
    );
}

async fn replays_each_keep_their_own_video(engine: DbEngine) {
    let h = harness(engine).await;
    let (_, sk) = h.host("erin", "Part one").await;
    let b1 = h.go_live(&sk, "first", 10_000).await;
    h.db.end_broadcast(b1, 70_500, 60_480).await.unwrap();
    h.post(
        "/api/host/update",
        json!({"userId": "erin", "liveTitle": "Part two", "hostName": "Erin"}),
    )
    .await;
    let b2 = h.go_live(&sk, "second", 100_000).await;
    h.db.end_broadcast(b2, 130_000, 30_000).await.unwrap();

    let (_, list) = h.get("/api/replay/latest").await;
    let info = list["info"].as_array().unwrap();
    assert_eq!(info.len(), 2);
    assert_eq!(info[0]["videoId"], "second");
    assert_eq!(info[0]["videoTitle"], "Part two");
    assert_eq!(info[1]["videoTitle"], "Part one");
    assert_ne!(info[0]["replayUrl"], info[1]["replayUrl"]);
    assert_eq!(
        info[1]["replayUrl"],
        format!("{MEDIA}/live/{sk}/first/replay.m3u8")
    );
    assert_eq!(info[1]["duration"], 60.48);
    // Replays are searched by their own settings; a live search does not find them.
    let (_, found) = h.get("/api/replay/search?q=part%20one").await;
    assert_eq!(found["info"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["info"][0]["videoId"], "first");
    let (_, live) = h.get("/api/streams/search?q=part").await;
    assert_eq!(live["info"].as_array().unwrap().len(), 0);
    // The channel's page knows which replay its last broadcast became.
    let (_, channel) = h.get(&format!("/api/streams/live?liveId={sk}")).await;
    assert_eq!(channel["info"]["videoId"], "second", "{channel}");
    for field in [
        "videoNo",
        "startDate",
        "endDate",
        "thumbnailImageUrl",
        "trailerUrl",
        "readCount",
        "category",
        "tags",
        "livePr",
        "channel",
    ] {
        assert!(info[0].get(field).is_some(), "missing {field}");
    }
    let (status, one) = h.get("/api/replay/video?videoId=first").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["info"]["readCount"], 1);
    assert_eq!(
        h.get("/api/replay/video?videoId=first").await.1["info"]["readCount"],
        2
    );
    assert_eq!(
        h.status("/api/replay/video?videoId=nope").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/api/replay/existence?videoId=first").await.1,
        json!({"existed": true})
    );
    assert_eq!(
        h.get("/api/replay/existence?videoId=nope").await,
        (StatusCode::OK, json!({"existed": false}))
    );
    let (status, questions) = h.get("/api/replay/questions?videoId=first").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(questions, json!({"videoId": "first", "questions": []}));
    assert_eq!(
        h.status("/api/replay/questions?videoId=nope").await,
        StatusCode::NOT_FOUND
    );
}

async fn replay_delete_is_for_the_owner_only(engine: DbEngine) {
    let h = harness(engine).await;
    let (_, sk) = h.host("fay", "Talk").await;
    h.host("mallory", "Other").await;
    let b = h.go_live(&sk, "v1", 0).await;
    h.media
        .put(&format!("live/{sk}/v1/seg0.ts"), "ts".into())
        .await
        .unwrap();
    h.media
        .put(&format!("live/{sk}/v1/replay.m3u8"), "m3u8".into())
        .await
        .unwrap();
    h.media
        .put(&format!("live/{sk}/index.m3u8"), "channel".into())
        .await
        .unwrap();
    let del = |user: &str| json!({"userId": user, "videoId": "v1"});
    assert_eq!(
        h.call(Method::DELETE, "/api/replay/video", Some(del("fay")))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "live is no replay"
    );
    h.db.end_broadcast(b, 10, 10).await.unwrap();
    assert_eq!(
        h.call(Method::DELETE, "/api/replay/video", Some(del("mallory")))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.call(Method::DELETE, "/api/replay/video", Some(del("stranger")))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = h
        .call(Method::DELETE, "/api/replay/video", Some(del("fay")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deletedObjects"], 2);
    assert_eq!(
        h.media.list(&format!("live/{sk}")).await.unwrap(),
        [format!("live/{sk}/index.m3u8")]
    );
    assert_eq!(
        h.get("/api/replay/existence?videoId=v1").await.1,
        json!({"existed": false})
    );
}

async fn bad_requests_are_clear(engine: DbEngine) {
    let h = harness(engine).await;
    let req = Request::post("/api/host/key")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, body) = h.raw(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["statusCode"], 400);
    assert!(body["message"].as_str().unwrap().contains("JSON"));
    let req = Request::post("/api/host/key")
        .body(Body::from(r#"{"userId":"a"}"#))
        .unwrap();
    assert_eq!(h.raw(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = json!({"userId": "x".repeat(100 * 1024)});
    assert_eq!(
        h.post("/api/host/key", big).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        h.status("/api/streams/latest?limit=0").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.status("/api/streams/latest?limit=abc").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.status("/api/replay/latest?offset=-1").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(h.status("/api/host/state").await, StatusCode::BAD_REQUEST);
    assert_eq!(h.status("/api/replay/video").await, StatusCode::BAD_REQUEST);
    assert_eq!(h.status("/api/no/such/thing").await, StatusCode::NOT_FOUND);
    // The server goes on.
    assert_eq!(
        h.post("/api/host/key", json!({"userId": "ok"})).await.0,
        StatusCode::OK
    );
}

/// `POST /api/host/end` asks the broadcast's node to end it: only the owner, only while live.
async fn the_host_ends_the_broadcast(engine: DbEngine) {
    let h = harness(engine).await;
    let (_, session_key) = h.host("ender", "Ends early").await;
    let (status, body) = h.post("/api/host/end", json!({"userId": "ender"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "not live yet: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("not live"),
        "{body}"
    );
    let id = h.go_live(&session_key, "v-end", 1_000).await;
    let (status, body) = h
        .post("/api/host/end", json!({"userId": "nobody-here"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = h.post("/api/host/end", json!({"userId": ""})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = h.post("/api/host/end", json!({"userId": "ender"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"ended": true, "videoId": "v-end"}));
    assert_eq!(
        h.db.end_request(id).await.unwrap(),
        liboo_db::Heartbeat::EndRequested
    );
    // The response names no secret.
    assert!(!body.to_string().contains("ender"));
}

#[tokio::test]
async fn openapi_document_is_committed_and_current() {
    let generated = liboo_api::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("LIBOO_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `LIBOO_UPDATE_OPENAPI=1 cargo test -p liboo-api openapi` and commit it"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/host/key",
        "/api/host/update",
        "/api/streams/latest",
        "/api/replay/video",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}
