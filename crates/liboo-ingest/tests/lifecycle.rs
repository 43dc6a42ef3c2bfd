//! The broadcast lifecycle with a real publisher: a clean stop stores and lists every frame
//! at once and keeps the broadcast for a comeback; the host's end request ends it within
//! the grace.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use liboo_ingest::IngestConfig;
use support::{FIXTURE, Server, listed_video_frames, video_frames};

/// Far longer than the test takes: what is listed by then was listed by the clean stop.
const GRACE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_stop_lists_every_frame_at_once_ts() {
    clean_stop_lists_every_frame_at_once(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_stop_lists_every_frame_at_once_ll_hls() {
    clean_stop_lists_every_frame_at_once(Some(Duration::from_millis(334))).await;
}

async fn clean_stop_lists_every_frame_at_once(part_target: Option<Duration>) {
    let server = Server::start_with(IngestConfig {
        reconnect_grace: GRACE,
        part_target,
        ..IngestConfig::default()
    })
    .await;
    server.channel("clean", "key-clean").await;
    let sent = video_frames(Path::new(FIXTURE));
    // ffmpeg sends FCUnpublish and deleteStream before it closes the connection.
    let mut ffmpeg = server.publish("key-clean", true);
    let live = server.wait_live("clean").await;
    assert!(ffmpeg.wait().await.unwrap().success(), "ffmpeg failed");
    let exited = Instant::now();

    let folder = server.path(&live.media_prefix);
    let playlist = folder.join("index.m3u8");
    let listed = loop {
        let text = std::fs::read_to_string(&playlist).unwrap_or_default();
        let frames = if text.is_empty() {
            0
        } else {
            listed_video_frames(&folder, &text)
        };
        if frames == sent || exited.elapsed() > Duration::from_secs(1) {
            break (frames, text);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        listed.0, sent,
        "every frame ffmpeg sent is listed within a second of its exit:\n{}",
        listed.1
    );
    // The broadcast waits for a comeback: still live, its playlists still open.
    assert!(!listed.1.contains("#EXT-X-ENDLIST"), "{}", listed.1);
    let b = server.db.broadcast_by_id(live.id).await.unwrap().unwrap();
    assert!(b.is_live, "the broadcast ended before its grace");
    let channel = std::fs::read_to_string(server.path("live/clean/index.m3u8")).unwrap();
    assert!(!channel.contains("#EXT-X-ENDLIST"), "{channel}");

    // The host ends it (POST /api/host/end asks the database): it ends within the grace,
    // with its final playlists and replay.
    assert!(
        server
            .db
            .request_end(live.id, support::now_ms())
            .await
            .unwrap()
    );
    let ended = server.wait_ended(live.id).await;
    let replay = std::fs::read_to_string(folder.join("replay.m3u8")).unwrap();
    assert!(replay.ends_with("#EXT-X-ENDLIST\n"), "{replay}");
    assert_eq!(listed_video_frames(&folder, &replay), sent, "{replay}");
    let own = std::fs::read_to_string(&playlist).unwrap();
    assert!(own.ends_with("#EXT-X-ENDLIST\n"), "{own}");
    assert!(ended.duration_ms > 5_900, "{}", ended.duration_ms);
    server.stop().await;
}

/// A publisher whose connection drops (killed, no unpublish) keeps today's behaviour: its
/// broadcast waits out the grace with the open segment held, then ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_publisher_ends_after_the_grace() {
    let server = Server::start(Duration::from_secs(2)).await;
    server.channel("dropped", "key-dropped").await;
    let mut ffmpeg = server.publish("key-dropped", true);
    let live = server.wait_live("dropped").await;
    let folder = server.path(&live.media_prefix);
    // Wait for the first segment, so that the drop leaves one open.
    server.wait_first_segment(&folder).await;
    ffmpeg.kill().await.unwrap();
    let dropped = Instant::now();
    let ended = server.wait_ended(live.id).await;
    assert!(
        dropped.elapsed() >= Duration::from_millis(1_500),
        "a dropped publisher's broadcast ended before its grace"
    );
    let replay = std::fs::read_to_string(folder.join("replay.m3u8")).unwrap();
    assert!(replay.ends_with("#EXT-X-ENDLIST\n"), "{replay}");
    assert!(ended.duration_ms > 0);
    server.stop().await;
}
