//! A running ingest on loopback with a fresh SQLite database and a temp-dir media store, and
//! helpers to publish into it with ffmpeg and check what came out.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use liboo_db::{Broadcast, Db, hash_secret};
use liboo_ingest::{Ingest, IngestConfig};
use liboo_storage::{MediaStore, S3Options};
use liboo_testkit::{Engine, TestDb};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use liboo_testkit::media::FIXTURE;

pub struct Server {
    pub db: Db,
    pub port: u16,
    pub dir: tempfile::TempDir,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
    _test_db: TestDb,
}

pub use liboo_service::now_ms;

impl Server {
    pub async fn start(reconnect_grace: Duration) -> Server {
        Server::start_with(IngestConfig {
            reconnect_grace,
            // Classic HLS: these tests read its MPEG-TS segments one by one.
            part_target: None,
            ..IngestConfig::default()
        })
        .await
    }

    pub async fn start_with(config: IngestConfig) -> Server {
        let test_db = TestDb::new(Engine::Sqlite).await;
        let db = Db::connect(&test_db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::open(
            &format!("file://{}", dir.path().display()),
            &S3Options::default(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cancel = CancellationToken::new();
        let task =
            tokio::spawn(Ingest::new(db.clone(), media, config).serve(listener, cancel.clone()));
        Server {
            db,
            port,
            dir,
            cancel,
            task: Some(task),
            _test_db: test_db,
        }
    }

    pub async fn channel(&self, session_key: &str, stream_key: &str) -> i64 {
        self.db
            .ensure_channel(session_key, &hash_secret(stream_key), now_ms())
            .await
            .unwrap()
            .id
    }

    pub fn url(&self, app: &str, key: &str) -> String {
        format!("rtmp://127.0.0.1:{}/{app}/{key}", self.port)
    }

    /// Starts ffmpeg publishing the fixture; `realtime` paces it (`-re`).
    pub fn publish(&self, key: &str, realtime: bool) -> tokio::process::Child {
        self.publish_with(key, realtime, &["-c", "copy"])
    }

    /// Like [`Server::publish`] with other output codec options.
    pub fn publish_with(
        &self,
        key: &str,
        realtime: bool,
        codecs: &[&str],
    ) -> tokio::process::Child {
        let mut cmd = tokio::process::Command::new("ffmpeg");
        cmd.args(["-hide_banner", "-loglevel", "error", "-nostdin"]);
        if realtime {
            cmd.arg("-re");
        }
        cmd.args(["-i", FIXTURE])
            .args(codecs)
            .args(["-f", "flv"])
            .arg(self.url("live", key))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        cmd.spawn().expect("ffmpeg is required for these tests")
    }

    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.path().join(key)
    }

    /// Waits until the channel has a live broadcast.
    pub async fn wait_live(&self, session_key: &str) -> Broadcast {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(b) = self.db.live_broadcast_of(session_key).await.unwrap() {
                return b;
            }
            assert!(Instant::now() < deadline, "{session_key} never went live");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the broadcast has ended, and returns it.
    pub async fn wait_ended(&self, id: i64) -> Broadcast {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let b = self.db.broadcast_by_id(id).await.unwrap().unwrap();
            if !b.is_live {
                return b;
            }
            assert!(Instant::now() < deadline, "broadcast {id} never ended");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the live playlist in `folder` lists a segment (at least one target
    /// duration of media is stored).
    pub async fn wait_first_segment(&self, folder: &Path) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while segments(&std::fs::read_to_string(folder.join("index.m3u8")).unwrap_or_default())
            .is_empty()
        {
            assert!(
                Instant::now() < deadline,
                "no segment listed in {}",
                folder.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(self) {
        self.stop_keep_files().await;
    }

    /// Stops the server and hands back the media folder (and the database) for inspection.
    pub async fn stop_keep_files(mut self) -> (tempfile::TempDir, TestDb) {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(20), self.task.take().unwrap())
            .await
            .expect("serve returns after cancel")
            .unwrap();
        (self.dir, self._test_db)
    }
}

/// `(uri, duration in seconds)` of each segment in a playlist.
pub fn segments(playlist: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut dur = None;
    for line in playlist.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            dur = Some(d.trim_end_matches(',').parse::<f64>().unwrap());
        } else if !line.starts_with('#') && !line.is_empty() {
            out.push((line.to_owned(), dur.take().unwrap()));
        }
    }
    out
}

/// Codec names of a file's streams, sorted, and whether its first video packet is a keyframe.
pub fn probe(path: &Path) -> (Vec<String>, bool) {
    let codecs = liboo_testkit::media::codecs(path.to_str().expect("a UTF-8 path"));
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "packet=flags",
            "-read_intervals",
            "%+#1",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    let flags = String::from_utf8(out.stdout).unwrap();
    (codecs, flags.trim_start().starts_with('K'))
}

/// ffmpeg decodes the whole playlist without a complaint.
pub fn plays(path: &Path) -> Result<(), String> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() && stderr.trim().is_empty() {
        Ok(())
    } else {
        Err(stderr)
    }
}

/// Video frames in the whole segments a media playlist in `folder` lists (with its init
/// segment, for fMP4), counted by ffprobe.
pub fn listed_video_frames(folder: &Path, playlist: &str) -> u64 {
    let mut bytes = Vec::new();
    let mut init = None;
    for line in playlist.lines() {
        if let Some(attrs) = line.strip_prefix("#EXT-X-MAP:") {
            let uri = attrs.split('"').nth(1).expect("EXT-X-MAP has a URI");
            if init.as_deref() != Some(uri) {
                bytes.extend(std::fs::read(folder.join(uri)).unwrap());
                init = Some(uri.to_owned());
            }
        }
    }
    for (uri, _) in segments(playlist) {
        bytes.extend(std::fs::read(folder.join(&uri)).unwrap());
    }
    if bytes.is_empty() {
        return 0;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &bytes).unwrap();
    video_frames(file.path())
}

/// Video packets in a media file, counted by ffprobe.
pub fn video_frames(path: &Path) -> u64 {
    liboo_testkit::media::video_frames(path.to_str().expect("a UTF-8 path"))
}
