//! Publishes the committed fixture into a real `liboo serve` and checks that the broadcast ends
//! as a replay of the right length; a wrong key must fail with the server's onStatus code.
//!
//! The `liboo` binary is another package's, so Cargo cannot build it for this test: set
//! `LIBOO_BIN`, or build it first (`cargo build -p liboo`, debug or release).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use liboo_publish::{Media, Options, PublishError, Target, publish};
use liboo_testkit::{LibooProcess, host_keys};
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/testsrc.flv"
);

fn liboo_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LIBOO_BIN") {
        return p.into();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs: Vec<PathBuf> = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(root.join("target"));
    // The newest build wins, so a stale release binary does not shadow a fresh debug one.
    dirs.iter()
        .flat_map(|d| [d.join("debug/liboo"), d.join("release/liboo")])
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("no liboo binary: run `cargo build -p liboo` or set LIBOO_BIN")
}

fn start(data_dir: &Path) -> LibooProcess {
    let bin = liboo_bin();
    LibooProcess::start(bin.to_str().expect("UTF-8 path"), data_dir, &[])
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Sum of the `#EXTINF` durations of a media playlist.
fn extinf_sum(playlist: &str) -> f64 {
    playlist
        .lines()
        .filter_map(|l| l.strip_prefix("#EXTINF:"))
        .map(|l| l.split(',').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_published_in_real_time_becomes_a_six_second_replay() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(dir.path());
    let (stream_key, _) = host_keys(&liboo.http, "publisher").await;

    // A key the server does not know is refused with an onStatus error, not a hang.
    let wrong = Target::parse(&format!("rtmp://{}/live/not-a-key", liboo.rtmp)).unwrap();
    let media = Media::read(FIXTURE).unwrap();
    let err = publish(&wrong, &media, &Options::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Rejected { code, .. } if code.starts_with("NetStream.Publish.")),
        "{err:?}"
    );

    let target = Target::parse(&format!("rtmp://{}/live/{stream_key}", liboo.rtmp)).unwrap();
    let report = publish(&target, &media, &Options::default()).await.unwrap();
    assert!(report.tags > 300, "{report:?}");
    // Paced like ffmpeg -re: about the media length, never much faster.
    assert!(report.elapsed >= Duration::from_secs(5), "{report:?}");

    let started = Instant::now();
    let replay = loop {
        let list = get(&format!("{}/api/replay/latest", liboo.http)).await;
        if let Some(r) = list["info"].as_array().and_then(|a| a.first()) {
            break r.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never became a replay: {list}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let url = replay["replayUrl"].as_str().unwrap();
    let playlist = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(playlist.ends_with("#EXT-X-ENDLIST\n"), "{playlist}");
    let total = extinf_sum(&playlist);
    assert!(
        (total - 6.0).abs() <= 0.1,
        "EXTINF sum {total} s, fixture 6 s:\n{playlist}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exits_1_with_the_status_code_on_a_refused_key() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(dir.path());
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liboo-publish"))
        .args(["--fast", FIXTURE])
        .arg(format!("rtmp://{}/live/unknown", liboo.rtmp))
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("NetStream.Publish."), "{stderr}");
}
