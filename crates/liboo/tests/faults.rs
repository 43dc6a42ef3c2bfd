//! Faults liboo must ride out without a restart.

use std::collections::HashSet;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use liboo_storage::{MediaStore, S3Options};
use liboo_testkit::media::{self, tool, video_frames};
use liboo_testkit::{LibooProcess, PrivateMariaDb, S3Server, Tmpfs, host_keys, metric, unique};
use serde_json::Value;

/// Polls `url` until its status is `want`, and returns the body.
async fn until_status(url: &str, want: u16, what: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(url).await
            && r.status().as_u16() == want
        {
            return r.text().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what}: {url} never answered {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// MariaDB going away mid-run: the API answers 503 (with the error body) while it is
/// down and works again once it is back, with nothing lost and no restart of liboo.
#[tokio::test]
async fn the_api_rides_out_a_database_restart() {
    let mut db = PrivateMariaDb::start().await;
    let dir = tempfile::tempdir().unwrap();
    let liboo = LibooProcess::start(
        env!("CARGO_BIN_EXE_liboo"),
        dir.path(),
        &["--database-url", &db.url()],
    );
    let (_, session_key) = host_keys(&liboo.http, "fault-host").await;
    let state = format!("{}/api/host/state?sessionKey={session_key}", liboo.http);
    until_status(&state, 200, "before").await;

    db.stop();
    let body = until_status(&state, 503, "while the database is down").await;
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["statusCode"], 503, "{body}");
    until_status(
        &format!("{}/readyz", liboo.http),
        503,
        "readiness while down",
    )
    .await;
    // The rest of the node goes on: health and the web app do not need the database.
    until_status(
        &format!("{}/healthz", liboo.http),
        200,
        "liveness while down",
    )
    .await;

    db.resume();
    let body = until_status(&state, 200, "after the database is back").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["state"],
        false
    );
    until_status(&format!("{}/readyz", liboo.http), 200, "readiness after").await;
    // The channel made before the outage is still there.
    let (_, again) = host_keys(&liboo.http, "fault-host").await;
    assert_eq!(again, session_key);
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(
        log.contains("WARN") || log.contains("ERROR"),
        "the outage was logged"
    );
}

/// A TCP proxy in front of the S3 server that can go dark, as an unreachable store looks
/// to its clients, while the server behind it keeps its objects: refusing (every
/// connection it carries is cut, each new one closed at once) or silent (new connections
/// are taken and never answered, so requests hang until they time out). It runs on a
/// thread of its own, so the test's blocking waits never hold it up.
struct Proxy {
    /// `http://127.0.0.1:PORT`.
    endpoint: String,
    mode: Arc<AtomicU8>,
    /// Bumped to cut every open connection.
    cut: tokio::sync::watch::Sender<u64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const UP: u8 = 0;
const REFUSING: u8 = 1;
const SILENT: u8 = 2;

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let mode = Arc::new(AtomicU8::new(UP));
        let (cut, cut_rx) = tokio::sync::watch::channel(0u64);
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let mode2 = mode.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let mut client = tokio::select! {
                        _ = &mut stopped => return,
                        accepted = listener.accept() => match accepted {
                            Ok((client, _)) => client,
                            Err(_) => continue,
                        },
                    };
                    let mut cut = cut_rx.clone();
                    // Only cuts from now on end this connection.
                    cut.borrow_and_update();
                    match mode2.load(Ordering::SeqCst) {
                        REFUSING => continue,
                        SILENT => {
                            tokio::spawn(async move {
                                let mut sink = tokio::io::sink();
                                tokio::select! {
                                    _ = tokio::io::copy(&mut client, &mut sink) => {}
                                    _ = cut.changed() => {}
                                }
                            });
                            continue;
                        }
                        _ => {}
                    }
                    let upstream = upstream.clone();
                    tokio::spawn(async move {
                        let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut.changed() => {}
                        }
                    });
                }
            });
        });
        Proxy {
            endpoint,
            mode,
            cut,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Cuts what it carries and refuses what comes.
    fn refuse(&self) {
        self.mode.store(REFUSING, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    /// Takes new connections and never answers them.
    fn go_silent(&self) {
        self.mode.store(SILENT, Ordering::SeqCst);
    }

    /// Carries connections again; the silent ones it held are closed.
    fn come_back(&self) {
        self.mode.store(UP, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// ffmpeg publishing the fixture at its pace, `loops` more times after the first.
fn publish(rtmp: &str, stream_key: &str, loops: i32) -> Child {
    media::publish(&format!("rtmp://{rtmp}/live/{stream_key}"), loops)
}

/// Waits for a child to exit, killing it after `limit`; returns whether it succeeded.
fn wait_exit(child: &mut Child, limit: Duration) -> bool {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the publisher did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every object a playlist names (segments, parts, init segments), relative to its
/// folder. The hinted next part is left out: LL-HLS announces it before it exists.
fn named_objects(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| {
            if l.starts_with("#EXT-X-MAP:") || l.starts_with("#EXT-X-PART:") {
                l.split_once("URI=\"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(uri, _)| uri.to_owned())
            } else if l.is_empty() || l.starts_with('#') {
                None
            } else {
                Some(l.to_owned())
            }
        })
        .collect()
}

/// The playlist at `key` (empty if there is none yet) and the objects it names that
/// are not in the store. The store is read straight, never through liboo.
async fn unstored(store: &MediaStore, key: &str) -> (String, Vec<String>) {
    let text = match store.get_bytes(key).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => return (String::new(), Vec::new()),
    };
    // Listed after the playlist was read: everything it names was stored before it.
    let folder = &key[..key.rfind('/').unwrap()];
    let stored: HashSet<String> = store.list(folder).await.unwrap().into_iter().collect();
    let missing = named_objects(&text)
        .into_iter()
        .map(|uri| format!("{folder}/{uri}"))
        .filter(|key| !stored.contains(key))
        .collect();
    (text, missing)
}

/// Fails if a playlist names an object that is not stored.
async fn assert_all_stored(store: &MediaStore, keys: &[&str], when: &str) {
    for key in keys {
        let (text, missing) = unstored(store, key).await;
        assert!(
            missing.is_empty(),
            "{when}: {key} names objects that are not stored: {missing:?}\n{text}"
        );
    }
}

/// The storage key of a `/media` URL.
fn media_key(url: &str) -> &str {
    url.split_once("/media/").unwrap().1
}

/// The value of a counter in Prometheus text, 0 if it has not been counted yet.
/// The number in the name of the last whole segment a playlist lists.
fn last_segment_number(text: &str) -> Option<u64> {
    text.lines()
        .rev()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .and_then(|uri| uri.rsplit('/').next())
        .and_then(|name| name.strip_prefix("seg"))
        .and_then(|rest| rest.split('.').next())
        .and_then(|n| n.parse().ok())
}

/// What liboo logged so far.
fn log_of(data_dir: &std::path::Path) -> String {
    std::fs::read_to_string(data_dir.join("stderr.log")).unwrap_or_default()
}

async fn json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The newest replay once there are `count`.
async fn replay_number(http: &str, count: usize) -> Value {
    let started = Instant::now();
    loop {
        let replays = json(&format!("{http}/api/replay/latest")).await;
        if let Some(list) = replays["info"].as_array()
            && list.len() >= count
        {
            return list[0].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no replay number {count}: {replays}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// S3 unreachable for 30 s in the middle of an LL-HLS broadcast: liboo keeps retrying,
/// keeps serving, and afterwards its live and replay playlists name only stored objects;
/// each segment made in the outage is stored late or counted as dropped, and the
/// metrics account for every segment made.
#[tokio::test]
async fn a_30_second_storage_outage_loses_nothing_silently() {
    let s3 = S3Server::start();
    let bucket = unique("liboo-");
    let client = reqwest::Client::new();
    let made = client
        .put(format!("{}/{bucket}", s3.endpoint))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success());
    let proxy = Proxy::start(&s3.endpoint);
    let dir = tempfile::tempdir().unwrap();
    let storage = format!("s3://{bucket}/media");
    let liboo = LibooProcess::start_env(
        env!("CARGO_BIN_EXE_liboo"),
        dir.path(),
        &[
            "--storage-url",
            &storage,
            "--s3-endpoint",
            &proxy.endpoint,
            "--s3-region",
            "us-east-1",
            "--s3-path-style",
            "--frame-seconds",
            "0",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ],
    );
    let (stream_key, session_key) = host_keys(&liboo.http, "outage-host").await;
    // 54 s of media: about 10 s before the outage, 30 s in it, the rest after.
    let mut ffmpeg = publish(&liboo.rtmp, &stream_key, 8);

    // Straight from the S3 server, past the proxy, so they can be read in the outage.
    let store = MediaStore::open(
        &storage,
        &S3Options {
            endpoint: Some(s3.endpoint.clone()),
            region: Some("us-east-1".to_owned()),
            path_style: true,
            credentials: Some(("test".to_owned(), "test".to_owned())),
        },
    )
    .unwrap();
    let channel = format!("live/{session_key}/index.m3u8");
    let live = json(&format!(
        "{}/api/streams/live?liveId={session_key}",
        liboo.http
    ))
    .await;
    let started = Instant::now();
    let (video_id, before) = loop {
        let (text, missing) = unstored(&store, &channel).await;
        assert!(missing.is_empty(), "{missing:?}\n{text}");
        if let Some(n) = last_segment_number(&text)
            && n >= 3
        {
            let uri = text.lines().rev().find(|l| !l.starts_with('#')).unwrap();
            break (uri.split('/').next().unwrap().to_owned(), n);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never live: {live}\n{text}\n{}",
            log_of(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let own = format!("live/{session_key}/{video_id}/index.m3u8");
    let growing = format!("live/{session_key}/{video_id}/replay.m3u8");
    let playlists = [channel.as_str(), own.as_str(), growing.as_str()];

    // Refused for 15 s, then 15 s of requests that hang (the store's request timeout).
    proxy.refuse();
    let outage = Instant::now();
    while outage.elapsed() < Duration::from_secs(30) {
        if outage.elapsed() >= Duration::from_secs(15) {
            proxy.go_silent();
        }
        // liboo goes on without its store: the API answers, the broadcast is live.
        let exists = json(&format!(
            "{}/api/streams/existence?sessionKey={session_key}",
            liboo.http
        ))
        .await;
        assert_eq!(exists["existed"], true, "{exists}");
        assert_all_stored(&store, &playlists, "in the outage").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    proxy.come_back();

    // The live playlist catches up: segments made in the outage are listed, each stored.
    let started = Instant::now();
    loop {
        let (text, missing) = unstored(&store, &own).await;
        assert!(missing.is_empty(), "after the outage: {missing:?}\n{text}");
        assert_all_stored(&store, &playlists, "after the outage").await;
        if last_segment_number(&text).is_some_and(|n| n >= before + 15) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the live playlist did not recover:\n{text}\n{}",
            log_of(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    assert!(
        wait_exit(&mut ffmpeg, Duration::from_secs(90)),
        "the publisher failed"
    );
    let replay = replay_number(&liboo.http, 1).await;
    assert_eq!(replay["videoId"], video_id.as_str());
    assert_all_stored(&store, &playlists, "after the end").await;
    let (text, _) = unstored(&store, &growing).await;
    assert!(text.ends_with("#EXT-X-ENDLIST\n"), "{text}");

    // The metrics account for every segment made: stored (some late) or dropped.
    let metrics = liboo_testkit::metrics(&liboo.http).await;
    let stored = metric(&metrics, "liboo_ingest_segments_total");
    let late = metric(&metrics, "liboo_ingest_late_segments_total");
    let dropped = metric(&metrics, "liboo_ingest_dropped_segments_total");
    let whole_segments = store
        .list(&format!("live/{session_key}/{video_id}"))
        .await
        .unwrap()
        .iter()
        .filter_map(|key| key.rsplit('/').next())
        .filter(|name| name.starts_with("seg") && name.matches('.').count() == 1)
        .count();
    let listed = text.matches("#EXTINF").count();
    assert_eq!(
        (listed, whole_segments),
        (stored as usize, stored as usize),
        "the replay lists every stored segment and only those"
    );
    eprintln!(
        "outage: {stored} segments stored ({late} late), {dropped} dropped, {} parts dropped",
        metric(&metrics, "liboo_ingest_dropped_parts_total")
    );
    // A 30 s outage spans about 15 segments of 2 s; each is late or dropped.
    assert!(
        late + dropped >= 10.0,
        "late {late}, dropped {dropped}\n{metrics}"
    );
    assert!(metric(&metrics, "liboo_ingest_dropped_parts_total") > 0.0);
    let outages = metric(&metrics, "liboo_ingest_storage_outages_total");
    assert!(outages >= 1.0, "{metrics}");
    // Logged once per outage (a start and an end), not per object.
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    let starts = log.matches("media storage is failing").count();
    let ends = log.matches("media storage is back").count();
    assert_eq!((starts as f64, ends as f64), (outages, outages), "{log}");
    assert!(
        !log.contains(&stream_key),
        "the stream key reached the logs"
    );

    // The replay plays, through liboo's /media and the store that came back.
    let replay_url = replay["replayUrl"].as_str().unwrap().to_owned();
    tool(
        "ffmpeg",
        &["-v", "error", "-i", &replay_url, "-f", "null", "-"],
    );
    if dropped == 0.0 {
        assert_eq!(video_frames(&replay_url), 9 * 180, "every frame published");
    }

    // And the node publishes again, with nothing left over from the outage.
    let mut again = publish(&liboo.rtmp, &stream_key, 0);
    assert!(wait_exit(&mut again, Duration::from_secs(60)));
    let second = replay_number(&liboo.http, 2).await;
    let url = second["replayUrl"].as_str().unwrap();
    assert_all_stored(&store, &[media_key(url)], "second broadcast").await;
    assert_eq!(video_frames(url), 180);
}

/// The disk under local media fills up mid-broadcast: a clear error names the folder and
/// what to do, the broadcast ends cleanly as a replay of what was stored, the node keeps
/// serving API and chat, publishing is refused while the disk is full, and once space
/// is freed the same key publishes again.
#[tokio::test]
async fn a_full_disk_ends_the_broadcast_cleanly() {
    let disk = Tmpfs::mount("24m");
    let liboo = LibooProcess::start(
        env!("CARGO_BIN_EXE_liboo"),
        &disk.path,
        &[
            "--storage-min-free-mb",
            "2",
            "--hls-format",
            "ts",
            "--frame-seconds",
            "0",
        ],
    );
    let (stream_key, session_key) = host_keys(&liboo.http, "full-disk-host").await;
    // Leave room for about 3 MB of media above the 2 MB kept free (20 s of the
    // fixture), and more than the 4 MB that publishing needs.
    let filler = disk.path.join("filler");
    let fill = disk.available() - (5 << 20);
    std::fs::write(&filler, vec![0u8; fill as usize]).unwrap();

    let mut ffmpeg = publish(&liboo.rtmp, &stream_key, -1);
    // The server ends it: ffmpeg does not stop by itself.
    wait_exit(&mut ffmpeg, Duration::from_secs(90));
    let replay = replay_number(&liboo.http, 1).await;
    let exists = json(&format!(
        "{}/api/streams/existence?sessionKey={session_key}",
        liboo.http
    ))
    .await;
    assert_eq!(exists["existed"], false, "{exists}");
    let log = std::fs::read_to_string(disk.path.join("stderr.log")).unwrap();
    let full = "media storage is full: ending the broadcast";
    let error = log
        .lines()
        .find(|l| l.contains(full))
        .unwrap_or_else(|| panic!("no error about the full disk:\n{log}"));
    let media = disk.path.join("media");
    for needed in [
        "ERROR",
        &*media.to_string_lossy(),
        "--storage-min-free-mb",
        "Free space on that disk",
    ] {
        assert!(error.contains(needed), "{needed:?} missing from {error}");
    }
    assert_eq!(log.matches(full).count(), 1, "logged once:\n{log}");

    // What was stored is the replay, ended, and it plays.
    let replay_url = replay["replayUrl"].as_str().unwrap().to_owned();
    let store = MediaStore::open(
        &format!("file://{}", media.display()),
        &S3Options::default(),
    )
    .unwrap();
    assert_all_stored(&store, &[media_key(&replay_url)], "the replay").await;
    let text = reqwest::get(&replay_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.ends_with("#EXT-X-ENDLIST\n"), "{text}");
    assert!(text.matches("#EXTINF").count() >= 3, "{text}");
    assert!(replay["duration"].as_f64().unwrap() > 5.0, "{replay}");
    tool(
        "ffmpeg",
        &["-v", "error", "-i", &replay_url, "-f", "null", "-"],
    );

    // The node goes on: API and chat answer.
    let state = reqwest::get(format!(
        "{}/api/host/state?sessionKey={session_key}",
        liboo.http
    ))
    .await
    .unwrap();
    assert_eq!(state.status(), 200);
    let chat = reqwest::get(format!(
        "{}/chat/socket.io/?EIO=4&transport=polling",
        liboo.http
    ))
    .await
    .unwrap();
    assert_eq!(chat.status(), 200);
    assert!(chat.text().await.unwrap().contains("\"sid\""));

    // While the disk stays full, publishing is refused with a reason.
    let mut refused = publish(&liboo.rtmp, &stream_key, 0);
    assert!(!wait_exit(&mut refused, Duration::from_secs(30)));
    let log = std::fs::read_to_string(disk.path.join("stderr.log")).unwrap();
    assert!(
        log.contains("publish refused: the disk under media storage is full"),
        "{log}"
    );

    // Space freed, the same key publishes again and its segments are stored.
    std::fs::remove_file(&filler).unwrap();
    let mut again = publish(&liboo.rtmp, &stream_key, 0);
    assert!(wait_exit(&mut again, Duration::from_secs(60)));
    let second = replay_number(&liboo.http, 2).await;
    let url = second["replayUrl"].as_str().unwrap();
    assert_all_stored(&store, &[media_key(url)], "after freeing space").await;
    assert_eq!(video_frames(url), 180);
    drop(liboo);
}
