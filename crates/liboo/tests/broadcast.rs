//! A whole broadcast through the binary: keys from the API, ffmpeg publishes over RTMP,
//! the API shows it live and its stream plays, then it becomes a replay that plays to
//! the end.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use liboo_testkit::LibooProcess;
use liboo_testkit::media::{self, tool};
use serde_json::{Value, json};

type Liboo = LibooProcess;

fn start(data_dir: &Path) -> Liboo {
    start_with(data_dir, &[])
}

fn start_with(data_dir: &Path, extra: &[&str]) -> Liboo {
    LibooProcess::start(env!("CARGO_BIN_EXE_liboo"), data_dir, extra)
}

/// What the tests do with a running liboo.
trait Host {
    async fn keys(&self, user_id: &str) -> (String, String);
    fn publish(&self, stream_key: &str, loops: u32) -> std::process::Child;
}

impl Host for Liboo {
    /// A host's keys: (streamKey, sessionKey).
    async fn keys(&self, user_id: &str) -> (String, String) {
        liboo_testkit::host_keys(&self.http, user_id).await
    }

    /// ffmpeg publishing the fixture at its pace, `loops` more times after the first.
    fn publish(&self, stream_key: &str, loops: u32) -> std::process::Child {
        media::publish(
            &format!("rtmp://{}/live/{stream_key}", self.rtmp),
            loops as i32,
        )
    }
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// ffprobe's `codec_name,width,height` line for each stream of `url`.
fn streams_of(url: &str) -> String {
    tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
            url,
        ],
    )
}

#[tokio::test]
async fn publish_watch_replay() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(dir.path());
    let client = reqwest::Client::new();
    let (stream_key, session_key) = liboo.keys("speaker").await;
    client
        .post(format!("{}/api/host/update", liboo.http))
        .json(&json!({"userId": "speaker", "liveTitle": "Remuxing without re-encoding", "hostName": "Speaker"}))
        .send()
        .await
        .unwrap();

    let mut ffmpeg = liboo.publish(&stream_key, 0);

    // Live in the API, with a stream that plays.
    let started = Instant::now();
    let live = loop {
        let live = get(&format!(
            "{}/api/streams/live?liveId={session_key}",
            liboo.http
        ))
        .await;
        let exists = get(&format!(
            "{}/api/streams/existence?sessionKey={session_key}",
            liboo.http
        ))
        .await;
        let playlist = reqwest::get(live["info"]["streamUrl"].as_str().unwrap())
            .await
            .unwrap();
        // Live once the playlist lists a whole segment.
        if exists["existed"] == true
            && playlist.status() == 200
            && playlist.text().await.unwrap().contains("#EXTINF")
        {
            break live;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never went live: {live}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(live["info"]["liveTitle"], "Remuxing without re-encoding");
    assert!(live["info"]["endDate"].is_null());
    let stream_url = live["info"]["streamUrl"].as_str().unwrap().to_owned();
    assert!(
        !stream_url.contains(&stream_key),
        "the stream key leaked into a URL"
    );
    let codecs = media::codecs(&stream_url);
    assert_eq!(codecs, ["aac", "h264"], "the live stream's codecs");
    let latest = get(&format!("{}/api/streams/latest", liboo.http)).await;
    assert_eq!(latest["info"][0]["liveId"], session_key.as_str());
    // A frame of the stream is its picture while live: a JPEG of the fixture's size.
    let started = Instant::now();
    let frame_url = loop {
        let live = get(&format!(
            "{}/api/streams/live?liveId={session_key}",
            liboo.http
        ))
        .await;
        if let Some(url) = live["info"]["liveImageUrl"].as_str()
            && url.contains("/frame.jpg?v=")
        {
            break url.to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no frame thumbnail: {live}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let frame = reqwest::get(&frame_url).await.unwrap();
    assert_eq!(frame.headers()["content-type"], "image/jpeg");
    let size = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
            &frame_url,
        ],
    );
    assert_eq!(size.trim(), "640,360", "{frame_url}");

    assert!(ffmpeg.wait().unwrap().success());

    // After the grace window it is a replay that plays to the end.
    let started = Instant::now();
    let replay = loop {
        let replays = get(&format!("{}/api/replay/latest", liboo.http)).await;
        if let Some(r) = replays["info"].as_array().and_then(|a| a.first()).cloned() {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never became a replay"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        get(&format!(
            "{}/api/streams/existence?sessionKey={session_key}",
            liboo.http
        ))
        .await["existed"],
        false
    );
    let duration = replay["duration"].as_f64().unwrap();
    assert!(
        (duration - 6.0).abs() < 0.5,
        "replay lasts {duration} s, the input 6 s"
    );
    let video_id = replay["videoId"].as_str().unwrap();
    let one = get(&format!(
        "{}/api/replay/video?videoId={video_id}",
        liboo.http
    ))
    .await;
    let replay_url = one["info"]["replayUrl"].as_str().unwrap().to_owned();
    assert_eq!(one["info"]["readCount"], 1);
    // Decode every frame of the replay over HTTP.
    tool(
        "ffmpeg",
        &["-v", "error", "-i", &replay_url, "-f", "null", "-"],
    );
    let frames = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets",
            "-of",
            "csv=p=0",
            &replay_url,
        ],
    );
    // HLS input lists the stream once per program too; every line counts the same stream.
    let frames: u32 = frames
        .lines()
        .find_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("no packet count in {frames:?}"));
    assert_eq!(
        frames, 180,
        "every one of the fixture's 180 video frames is in the replay"
    );
    // Read batching: ffmpeg sent the fixture's 463 media messages (180 video frames,
    // 283 AAC frames) one by one in real time, and liboo read its socket far fewer
    // times than that (once a message without batching).
    let metrics = liboo_testkit::metrics(&liboo.http).await;
    let reads = liboo_testkit::metric(&metrics, "liboo_ingest_socket_reads_total");
    assert!(
        reads > 0.0 && reads * 2.0 < 463.0,
        "{reads} socket reads for 463 media messages\n{metrics}"
    );
    // The channel's stable playlist now ends, pointing into this broadcast's folder.
    let channel = reqwest::get(&stream_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(channel.contains("#EXT-X-ENDLIST"), "{channel}");
    assert!(channel.contains(&format!("{video_id}/seg")), "{channel}");
}

/// A node that dies mid-broadcast must not lock its host out: after the broadcast's
/// heartbeat goes stale, publishing again starts a new broadcast. The dead broadcast
/// becomes a replay that plays to the last segment that was stored.
#[tokio::test]
async fn a_crash_does_not_lock_the_host_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut liboo = start(dir.path());
    let (stream_key, session_key) = liboo.keys("crash-host").await;
    let mut first = liboo.publish(&stream_key, 3);
    // Past the first write of the growing replay (every 5 segments) and then some, so
    // the salvaged replay needs both it and the live window.
    let live_playlist = format!("{}/media/live/{session_key}/index.m3u8", liboo.http);
    let started = Instant::now();
    loop {
        let text = match reqwest::get(&live_playlist).await {
            Ok(r) if r.status().is_success() => r.text().await.unwrap(),
            _ => String::new(),
        };
        let whole = |n: &str| text.lines().any(|l| !l.starts_with('#') && l.contains(n));
        if whole("seg00006.") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "never reached 7 segments: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // SIGKILL: nothing of liboo's runs after this.
    liboo.child.kill().unwrap();
    liboo.child.wait().unwrap();
    let _ = first.wait();

    let liboo = start(dir.path());
    // Still live in the database: nobody ended it.
    assert_eq!(
        get(&format!(
            "{}/api/streams/existence?sessionKey={session_key}",
            liboo.http
        ))
        .await["existed"],
        true
    );
    let started = Instant::now();
    loop {
        let mut again = liboo.publish(&stream_key, 0);
        if again.wait().unwrap().success() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the host stayed locked out"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let started = Instant::now();
    let replays = loop {
        let replays = get(&format!("{}/api/replay/latest", liboo.http)).await;
        if replays["info"].as_array().unwrap().len() == 2 {
            break replays;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{replays}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let newest = &replays["info"][0];
    assert!(
        (newest["duration"].as_f64().unwrap() - 6.0).abs() < 0.5,
        "{newest}"
    );
    let crashed = &replays["info"][1];
    let replay_url = crashed["replayUrl"].as_str().unwrap();
    let replay = reqwest::get(replay_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(replay.contains("#EXT-X-PLAYLIST-TYPE:VOD"), "{replay}");
    assert!(replay.ends_with("#EXT-X-ENDLIST\n"), "{replay}");
    let segments = replay.matches("#EXTINF").count();
    assert!(segments >= 7, "{segments} segments salvaged: {replay}");
    assert!(replay.contains("seg00000."), "{replay}");
    // Its length is what the replay holds, and the whole replay decodes.
    let listed: f64 = replay
        .lines()
        .filter_map(|l| l.strip_prefix("#EXTINF:"))
        .map(|l| l.trim_end_matches(',').parse::<f64>().unwrap())
        .sum();
    assert!(
        (crashed["duration"].as_f64().unwrap() - listed).abs() < 0.01,
        "{crashed} vs {listed}"
    );
    tool(
        "ffmpeg",
        &["-v", "error", "-i", replay_url, "-f", "null", "-"],
    );
}

/// LL-HLS: the live playlist lists fMP4 parts and hints the next; asking for that part
/// with `_HLS_msn`/`_HLS_part` is held until it exists and answered with a playlist that
/// lists it; a segment too far ahead is a 400; ffprobe reads the live stream and ffmpeg
/// decodes the whole replay.
#[tokio::test]
async fn low_latency_parts_blocking_reload_and_fmp4_replay() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start_with(
        dir.path(),
        &["--hls-format", "ll", "--segment-seconds", "1"],
    );
    let (stream_key, session_key) = liboo.keys("ll-host").await;
    let mut ffmpeg = liboo.publish(&stream_key, 1);
    let playlist_url = format!("{}/media/live/{session_key}/index.m3u8", liboo.http);
    let started = Instant::now();
    let playlist = loop {
        let text = match reqwest::get(&playlist_url).await {
            Ok(r) if r.status().is_success() => r.text().await.unwrap(),
            _ => String::new(),
        };
        if text.contains("#EXTINF") && text.contains("#EXT-X-PRELOAD-HINT") {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no LL playlist: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for tag in [
        "#EXT-X-VERSION:6",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=",
        "#EXT-X-PART-INF:PART-TARGET=0.334",
        "#EXT-X-MAP:URI=",
        ",INDEPENDENT=YES",
    ] {
        assert!(playlist.contains(tag), "{tag} missing:\n{playlist}");
    }
    // The hinted part, e.g. "v/seg00003.2.m4s": segment 3, part 2.
    let hint = playlist
        .lines()
        .find_map(|l| l.strip_prefix("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\""))
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    let name = hint.rsplit('/').next().unwrap();
    let mut numbers = name
        .trim_start_matches("seg")
        .trim_end_matches(".m4s")
        .split('.');
    let msn: u64 = numbers.next().unwrap().parse().unwrap();
    let part: u64 = numbers.next().unwrap().parse().unwrap();
    let answer = reqwest::get(format!("{playlist_url}?_HLS_msn={msn}&_HLS_part={part}"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let blocked = answer.text().await.unwrap();
    assert!(
        blocked.contains(&format!("URI=\"{hint}\"")) && blocked.contains("#EXT-X-PART:"),
        "the answer does not list {hint}:\n{blocked}"
    );
    assert!(!playlist.contains(&format!("#EXT-X-PART:DURATION=0.333,URI=\"{hint}\"")));
    // Everything the answer names is stored.
    let media_base = format!("{}/media/live/{session_key}", liboo.http);
    let part_object = reqwest::get(format!("{media_base}/{hint}")).await.unwrap();
    assert_eq!(part_object.status(), 200);
    let far = reqwest::get(format!("{playlist_url}?_HLS_msn={}", msn + 10))
        .await
        .unwrap();
    assert_eq!(far.status(), 400);
    let streams = streams_of(&playlist_url);
    assert!(
        streams.contains("h264,640,360") && streams.contains("aac"),
        "{streams}"
    );

    assert!(ffmpeg.wait().unwrap().success());
    // Parts only serve the live edge: those of the first segments went while the
    // broadcast ran (12 segments of 1 s; parts stay for the last 6).
    let folder = dir.path().join("media/live").join(&session_key);
    let stored = files_under(&folder);
    assert!(
        stored
            .iter()
            .any(|f| f.ends_with("seg00011.m4s") || f.ends_with("seg00010.m4s")),
        "{stored:?}"
    );
    assert!(
        !stored.iter().any(|f| f.contains("seg00000.")
            && f.ends_with(".m4s")
            && !f.ends_with("seg00000.m4s")),
        "the first segment's parts are still stored: {stored:?}"
    );
    let started = Instant::now();
    let replay = loop {
        let replays = get(&format!("{}/api/replay/latest", liboo.http)).await;
        if let Some(r) = replays["info"].as_array().and_then(|a| a.first()) {
            break r.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no replay");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let replay_url = replay["replayUrl"].as_str().unwrap();
    let text = reqwest::get(replay_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("#EXT-X-PLAYLIST-TYPE:VOD") && text.contains("#EXT-X-MAP:URI="));
    assert!(!text.contains("#EXT-X-PART"), "{text}");
    assert!(
        (replay["duration"].as_f64().unwrap() - 12.0).abs() < 0.5,
        "{replay}"
    );
    // The whole replay decodes, and lasts what the input did.
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i", replay_url, "-f", "null", "-"])
        .output()
        .unwrap();
    assert!(decoded.status.success());
    assert!(
        decoded.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    let duration: f64 = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            replay_url,
        ],
    )
    .trim()
    .parse()
    .unwrap();
    assert!(
        (duration - 12.0).abs() < 0.5,
        "replay decodes to {duration} s"
    );
    // The last parts go a few segments' time after the end; whole segments stay.
    let started = Instant::now();
    loop {
        let stored = files_under(&folder);
        let parts: Vec<&String> = stored
            .iter()
            .filter(|f| {
                let name = f.rsplit('/').next().unwrap();
                name.ends_with(".m4s") && name.matches('.').count() == 2
            })
            .collect();
        if parts.is_empty() {
            let segments = stored.iter().filter(|f| f.ends_with(".m4s")).count();
            assert_eq!(segments, 12, "{stored:?}");
            assert!(
                stored.iter().any(|f| f.ends_with("init0.mp4")),
                "{stored:?}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "parts still stored 30 s after the end: {parts:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every file under `dir`, as paths.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// The quality ladder: with `--transcode`, the stream URL is a master playlist listing
/// the source and each rung below it, with bandwidth, resolution and codecs; every
/// variant is a stream of that size, and each rendition leaves a replay.
#[tokio::test]
async fn transcode_makes_a_ladder_of_variants() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start_with(dir.path(), &["--transcode", "--ladder", "240,180,720"]);
    let (stream_key, session_key) = liboo.keys("ladder-host").await;
    let mut ffmpeg = liboo.publish(&stream_key, 1);
    let live = get(&format!(
        "{}/api/streams/live?liveId={session_key}",
        liboo.http
    ))
    .await;
    let master_url = live["info"]["streamUrl"].as_str().unwrap().to_owned();
    assert!(master_url.ends_with(&format!("/live/{session_key}/master.m3u8")));
    let started = Instant::now();
    let master = loop {
        if let Ok(r) = reqwest::get(&master_url).await
            && r.status().is_success()
        {
            break r.text().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no master playlist"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // The source, then the rungs below it (720 is above the 360p source: not made).
    let variants: Vec<(&str, &str)> = master
        .lines()
        .zip(master.lines().skip(1))
        .filter(|(tag, _)| tag.starts_with("#EXT-X-STREAM-INF:"))
        .collect();
    assert_eq!(variants.len(), 3, "{master}");
    for ((tag, _), size) in variants.iter().zip(["640x360", "426x240", "320x180"]) {
        assert!(tag.contains(&format!("RESOLUTION={size}")), "{tag}");
        assert!(
            tag.contains("BANDWIDTH=") && tag.contains("CODECS=\"avc1."),
            "{tag}"
        );
        assert!(tag.contains(",mp4a.40.2\""), "{tag}");
    }
    let base = master_url.trim_end_matches("master.m3u8");
    // LL-HLS: each variant reports where the others stand, by URI from its own folder.
    let others = [
        ["240p/index.m3u8", "180p/index.m3u8"],
        ["../index.m3u8", "../180p/index.m3u8"],
        ["../index.m3u8", "../240p/index.m3u8"],
    ];
    for (((_, uri), size), others) in variants
        .iter()
        .zip(["640,360", "426,240", "320,180"])
        .zip(others)
    {
        let url = format!("{base}{uri}");
        let started = Instant::now();
        loop {
            let text = match reqwest::get(&url).await {
                Ok(r) if r.status().is_success() => r.text().await.unwrap(),
                _ => String::new(),
            };
            let reported = others
                .iter()
                .all(|o| text.contains(&format!("#EXT-X-RENDITION-REPORT:URI=\"{o}\",LAST-MSN=")));
            if text.contains("#EXTINF") && reported {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{url}: {text}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let streams = streams_of(&url);
        assert!(
            streams.contains(&format!("h264,{size}")) && streams.contains("aac"),
            "{url}: {streams}"
        );
    }
    assert!(ffmpeg.wait().unwrap().success());
    // Each rendition ends with the broadcast and keeps a replay that decodes.
    let video_id = variants[1].1.split('/').next().unwrap();
    let started = Instant::now();
    loop {
        let replays = get(&format!("{}/api/replay/latest", liboo.http)).await;
        if replays["info"].as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no replay");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for rung in ["240p", "180p"] {
        let replay = format!(
            "{}/media/live/{session_key}/{video_id}/{rung}/replay.m3u8",
            liboo.http
        );
        let text = reqwest::get(&replay).await.unwrap().text().await.unwrap();
        assert!(text.ends_with("#EXT-X-ENDLIST\n"), "{replay}: {text}");
        tool("ffmpeg", &["-v", "error", "-i", &replay, "-f", "null", "-"]);
    }
}
