//! The `liboo` binary as a user runs it: embedded defaults, then real MariaDB, Redis and
//! an S3 API server on loopback, several nodes on one database, and bad settings.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use liboo_testkit::{Engine, S3Server, TestDb, free_port, unique, wait_for_port};
use serde_json::{Value, json};

/// A running `liboo serve`.
struct Node {
    child: Child,
    base: String,
    dir: PathBuf,
}

impl Node {
    fn start(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Node {
        let port = free_port();
        let http = format!("127.0.0.1:{port}");
        let rtmp = format!("127.0.0.1:{}", free_port());
        let log_dir = data_dir.join(format!("logs-{port}"));
        std::fs::create_dir_all(&log_dir).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_liboo"));
        cmd.arg("serve")
            .args(["--http-addr", &http, "--rtmp-addr", &rtmp])
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env_remove("LIBOO_SECRET")
            .stdout(std::fs::File::create(log_dir.join("stdout")).unwrap())
            .stderr(std::fs::File::create(log_dir.join("stderr")).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn liboo");
        let mut node = Node {
            child,
            base: format!("http://{http}"),
            dir: log_dir,
        };
        if !wait_for_port(&http, Duration::from_secs(30)) {
            let _ = node.child.kill();
            panic!("liboo did not start: {}", node.stderr());
        }
        node
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(self.dir.join("stdout")).unwrap_or_default()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    async fn get_range(&self, path: &str, range: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("range", range)
            .send()
            .await
            .unwrap()
    }

    async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("{}{path}", self.base)).await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// SIGTERM, and the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("liboo did not stop on SIGTERM");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn embedded_defaults_serve_health_media_and_api() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[], &[]);
    assert_eq!(node.get("/healthz").await.status(), 200);
    // The web app at / and its routes, with its policy; /api keeps JSON errors.
    for path in ["/", "/live/abc", "/host"] {
        let page = node.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
        assert!(page.text().await.unwrap().contains("<html"), "{path}");
    }
    let missing = node.get("/api/no/such/thing").await;
    assert_eq!(missing.status(), 404);
    let error: Value = missing.json().await.unwrap();
    assert_eq!(error["statusCode"], 404);
    let ready = node.get_json("/readyz").await;
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["storage"], "ok");
    let banner = node.stdout();
    assert!(
        banner.contains(&node.base.replace("127.0.0.1", "localhost"))
            || banner.contains("http://localhost:"),
        "{banner}"
    );
    assert!(banner.contains("rtmp://"), "{banner}");

    // A file put into storage is served with the right type, caching and ranges.
    let media = dir.path().join("media/live/abc");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("index.m3u8"), "#EXTM3U\n").unwrap();
    std::fs::write(media.join("seg00001.ts"), vec![0x47u8; 188 * 4]).unwrap();
    let res = node.get("/media/live/abc/index.m3u8").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    assert_eq!(res.headers()["cache-control"], "public, max-age=1");
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert_eq!(res.text().await.unwrap(), "#EXTM3U\n");
    let res = node
        .get_range("/media/live/abc/seg00001.ts", "bytes=188-375")
        .await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-type"], "video/mp2t");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(res.headers()["content-range"], "bytes 188-375/752");
    assert_eq!(res.bytes().await.unwrap().len(), 188);
    let res = node
        .get_range("/media/live/abc/seg00001.ts", "bytes=5000-6000")
        .await;
    assert_eq!(res.status(), 416);
    assert_eq!(node.get("/media/live/abc/none.ts").await.status(), 404);
    // Clients normalise dot segments themselves; either way nothing outside media leaks.
    let res = node.get("/media/live/%2e%2e/%2e%2e/secret").await;
    assert!([400, 404].contains(&res.status().as_u16()));
    assert_eq!(
        node.get("/media/live/abc/..%2f..%2fsecret").await.status(),
        400
    );

    // The API, and the secret stays secret.
    let (status, keys) = node
        .post("/api/host/key", json!({"userId": "host-1"}))
        .await;
    assert_eq!(status, 200);
    let stream_key = keys["streamKey"].as_str().unwrap().to_owned();
    let metrics = node.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("liboo_http_requests_total"), "{metrics}");
    // The leak gauges a soak watches: live tasks, open files and resident memory, all
    // positive for a running node.
    for gauge in [
        "liboo_runtime_alive_tasks",
        "liboo_process_open_fds",
        "liboo_process_resident_memory_bytes",
    ] {
        let value: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix(gauge)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{gauge} missing from /metrics:\n{metrics}"));
        assert!(value > 0.0, "{gauge} {value}");
    }
    let secret = std::fs::read_to_string(dir.path().join("secret")).unwrap();
    assert_eq!(secret.len(), 64);
    let docs = node.get("/api/docs").await;
    assert_eq!(docs.status(), 200);
    let openapi = node.get_json("/api/openapi.json").await;
    assert!(openapi["paths"]["/api/host/key"].is_object());

    // Restart on the same data dir: same secret, same keys, nothing lost.
    assert!(node.stop().success());
    let again = Node::start(dir.path(), &[], &[]);
    let (_, keys2) = again
        .post("/api/host/key", json!({"userId": "host-1"}))
        .await;
    assert_eq!(keys2["streamKey"], stream_key.as_str());
    let logs = format!("{}{}", again.stdout(), again.stderr());
    assert!(
        !logs.contains(&stream_key) && !logs.contains(secret.trim()),
        "a secret reached the logs"
    );
}

#[tokio::test]
async fn distributed_mode_uses_mariadb_redis_and_s3_for_real() {
    let db = TestDb::new(Engine::MariaDb).await;
    let s3 = S3Server::start();
    let bucket = unique("liboo-");
    let res = reqwest::Client::new()
        .put(format!("{}/{bucket}", s3.endpoint))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let prefix = format!("{}:", unique("liboo-test-"));
    let dir = tempfile::tempdir().unwrap();
    let redis_url = liboo_testkit::redis_url();
    let storage = format!("s3://{bucket}/media");
    let args = [
        "--database-url",
        db.url.as_str(),
        "--redis-url",
        redis_url.as_str(),
        "--redis-prefix",
        prefix.as_str(),
        "--storage-url",
        storage.as_str(),
        "--s3-endpoint",
        s3.endpoint.as_str(),
        "--s3-region",
        "us-east-1",
        "--s3-path-style",
    ];
    let creds = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("LIBOO_SECRET", "a-shared-secret-for-every-node"),
    ];
    let node = Node::start(dir.path(), &args, &creds);
    let ready = node.get_json("/readyz").await;
    assert_eq!(
        ready,
        json!({"database": "ok", "redis": "ok", "storage": "ok"})
    );

    let (status, keys) = node
        .post("/api/host/key", json!({"userId": "dist-host"}))
        .await;
    assert_eq!(status, 200, "{keys}");
    let png = {
        let img = image_png();
        format!("data:image/png;base64,{img}")
    };
    let (status, body) = node
        .post(
            "/api/host/update",
            json!({"userId": "dist-host", "liveTitle": "On MariaDB", "hostName": "D",
                                          "defaultThumbnailImageUrl": png}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Rows in MariaDB.
    use sqlx::{Connection, Row};
    let mut conn = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query("SELECT title FROM channels WHERE session_key = ?")
        .bind(keys["sessionKey"].as_str().unwrap())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("title"), "On MariaDB");

    // Keys in Redis: this node's heartbeat.
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut r = client.get_multiplexed_async_connection().await.unwrap();
    let nodes: Vec<String> = redis::cmd("ZRANGE")
        .arg(format!("{prefix}nodes"))
        .arg(0)
        .arg(-1)
        .query_async(&mut r)
        .await
        .unwrap();
    assert_eq!(nodes.len(), 1, "one node registered in Redis");

    // The thumbnail is an object in the bucket, and /media serves it from there.
    let list = reqwest::get(format!("{}/{bucket}?list-type=2", s3.endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("media/channels/"), "{list}");
    let url = body["data"]["defaultThumbnailImageUrl"].as_str().unwrap();
    let img = reqwest::get(url).await.unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/jpeg");

    // A second API node on the same MariaDB and Redis sees the same state.
    let dir2 = tempfile::tempdir().unwrap();
    let mut args2 = args.to_vec();
    args2.extend(["--roles", "api"]);
    let second = Node::start(dir2.path(), &args2, &creds);
    let session_key = keys["sessionKey"].as_str().unwrap();
    let notice = second
        .get_json(&format!("/api/streams/notice?sessionKey={session_key}"))
        .await;
    assert_eq!(notice["channelName"], "D");
    let (_, keys_b) = second
        .post("/api/host/key", json!({"userId": "dist-host"}))
        .await;
    for key in ["streamKey", "sessionKey"] {
        assert_eq!(keys_b[key], keys[key], "every node derives the same keys");
    }
    let (status, _) = second
        .post(
            "/api/host/update",
            json!({"userId": "dist-host", "liveTitle": "Changed on B", "hostName": "D"}),
        )
        .await;
    assert_eq!(status, 200);
    let live = node
        .get_json(&format!("/api/streams/live?liveId={session_key}"))
        .await;
    assert_eq!(live["info"]["liveTitle"], "Changed on B");
    let nodes: Vec<String> = redis::cmd("ZRANGE")
        .arg(format!("{prefix}nodes"))
        .arg(0)
        .arg(-1)
        .query_async(&mut r)
        .await
        .unwrap();
    assert_eq!(nodes.len(), 2);

    assert!(second.stop().success());
    assert!(node.stop().success());
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut r)
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut r)
            .await
            .unwrap();
    }
}

/// A 2x2 PNG in base64.
fn image_png() -> &'static str {
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
}

fn run_to_exit(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_liboo"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--http-addr", &format!("127.0.0.1:{}", free_port())])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_settings_fail_fast_with_one_clear_line() {
    let (code, err) = run_to_exit(&["--database-url", "mysql://root:pw@127.0.0.1:1/nope"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("--database-url") && !err.contains("pw@"),
        "{err}"
    );
    // (flags, the exit code if it is clap's usage error 2, what the error names)
    let cases: [(&[&str], Option<i32>, &str); 5] = [
        (&["--redis-url", "redis://127.0.0.1:1"], None, "--redis-url"),
        (&["--database-url", "postgres2://x"], None, "sqlite://"),
        (&["--storage-url", "ftp://x"], None, "--storage-url"),
        (&["--roles", "dancer"], Some(2), "--roles"),
        (&["--http-addr", "not-an-address"], Some(2), "--http-addr"),
    ];
    for (flags, usage, names) in cases {
        let (code, err) = run_to_exit(flags);
        match usage {
            Some(usage) => assert_eq!(code, usage, "{flags:?}: {err}"),
            None => assert_ne!(code, 0, "{flags:?}: {err}"),
        }
        assert!(err.contains(names), "{flags:?}: {err}");
    }
}

#[test]
fn help_names_every_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_liboo"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--http-addr",
        "--rtmp-addr",
        "--data-dir",
        "--database-url",
        "--redis-url",
        "--storage-url",
        "--s3-endpoint",
        "--public-url",
        "--media-public-url",
        "--roles",
        "--cors-origins",
        "--config",
        "LIBOO_HTTP_ADDR",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}
