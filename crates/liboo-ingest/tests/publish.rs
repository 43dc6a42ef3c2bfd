//! Real peers: ffmpeg publishes the fixture into a running ingest; ffprobe and ffmpeg check the
//! segments and playlists it stored.

mod support;

use std::time::Duration;

use support::{Server, plays, probe, segments};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GRACE: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_publish_becomes_live_then_a_replay() {
    let server = Server::start(GRACE).await;
    server.channel("host1", "key-one").await;
    let mut ffmpeg = server.publish("key-one", true);
    let live = server.wait_live("host1").await;
    assert_eq!(live.media_prefix, format!("live/host1/{}", live.video_id));
    assert_eq!(live.video_id.len(), 16);
    assert!(
        live.video_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(ffmpeg.wait().await.unwrap().success(), "ffmpeg failed");
    let ended = server.wait_ended(live.id).await;

    let folder = server.path(&live.media_prefix);
    let replay = std::fs::read_to_string(folder.join("replay.m3u8")).unwrap();
    assert!(replay.contains("#EXT-X-PLAYLIST-TYPE:VOD") && replay.ends_with("#EXT-X-ENDLIST\n"));
    let segs = segments(&replay);
    assert!(segs.len() >= 3, "{replay}");
    for (uri, _) in &segs {
        let (codecs, keyframe_first) = probe(&folder.join(uri));
        assert_eq!(codecs, ["aac", "h264"], "{uri}");
        assert!(keyframe_first, "{uri}: first video frame is not a keyframe");
    }
    let total: f64 = segs.iter().map(|(_, d)| d).sum();
    assert!(
        (total - 6.0).abs() <= 0.1,
        "EXTINF sum {total} s, fixture 6 s"
    );
    assert!(
        (ended.duration_ms as f64 / 1000.0 - total).abs() < 0.01,
        "duration_ms {} vs EXTINF sum {total}",
        ended.duration_ms
    );
    plays(&folder.join("replay.m3u8")).expect("replay plays");

    let own = std::fs::read_to_string(folder.join("index.m3u8")).unwrap();
    assert!(own.ends_with("#EXT-X-ENDLIST\n"), "{own}");
    let channel = std::fs::read_to_string(server.path("live/host1/index.m3u8")).unwrap();
    assert!(channel.ends_with("#EXT-X-ENDLIST\n"), "{channel}");
    assert!(channel.contains("#EXT-X-PROGRAM-DATE-TIME:"), "{channel}");
    let uris = segments(&channel);
    assert!(!uris.is_empty());
    for (uri, _) in uris {
        assert!(uri.starts_with(&format!("{}/seg", live.video_id)), "{uri}");
        assert!(server.path(&format!("live/host1/{uri}")).exists(), "{uri}");
    }
    plays(&server.path("live/host1/index.m3u8")).expect("channel playlist plays");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_key_is_refused_and_the_server_keeps_serving() {
    let server = Server::start(GRACE).await;
    let channel = server.channel("host2", "good-key").await;
    let status = server.publish("wrong-key", false).wait().await.unwrap();
    assert!(!status.success(), "ffmpeg published with an unknown key");
    assert!(server.db.live_broadcasts(0, 10).await.unwrap().is_empty());
    assert!(
        server
            .db
            .last_broadcast_of(channel)
            .await
            .unwrap()
            .is_none()
    );

    let mut ffmpeg = server.publish("good-key", false);
    let live = server.wait_live("host2").await;
    assert!(ffmpeg.wait().await.unwrap().success());
    let ended = server.wait_ended(live.id).await;
    assert!(ended.duration_ms > 5000, "{}", ended.duration_ms);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_publisher_on_a_live_key_is_refused() {
    let server = Server::start(GRACE).await;
    server.channel("host3", "key-three").await;
    let mut first = server.publish("key-three", true);
    let live = server.wait_live("host3").await;
    let second = server.publish("key-three", false).wait().await.unwrap();
    assert!(!second.success(), "a second publisher was accepted");
    assert!(
        first.wait().await.unwrap().success(),
        "the first publisher was disturbed"
    );
    let ended = server.wait_ended(live.id).await;
    let replay =
        std::fs::read_to_string(server.path(&format!("{}/replay.m3u8", live.media_prefix)))
            .unwrap();
    let total: f64 = segments(&replay).iter().map(|(_, d)| d).sum();
    assert!((total - 6.0).abs() <= 0.1, "EXTINF sum {total}");
    assert_eq!(ended.duration_ms, (total * 1000.0).round() as i64);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_within_grace_continues_the_broadcast() {
    let server = Server::start(Duration::from_secs(3)).await;
    let channel = server.channel("host4", "key-four").await;
    let mut first = server.publish("key-four", true);
    let live = server.wait_live("host4").await;
    // At least one segment of the first connection.
    server
        .wait_first_segment(&server.path(&live.media_prefix))
        .await;
    first.kill().await.unwrap();

    let mut again = server.publish("key-four", false);
    assert!(again.wait().await.unwrap().success());
    let ended = server.wait_ended(live.id).await;
    let last = server.db.last_broadcast_of(channel).await.unwrap().unwrap();
    assert_eq!(last.video_id, live.video_id, "a new broadcast was started");
    let replay_key = format!("{}/replay.m3u8", live.media_prefix);
    let replay = std::fs::read_to_string(server.path(&replay_key)).unwrap();
    assert!(replay.contains("#EXT-X-DISCONTINUITY\n"), "{replay}");
    let total: f64 = segments(&replay).iter().map(|(_, d)| d).sum();
    assert!(
        total > 7.0,
        "both connections' media are in the replay: {total} s"
    );
    assert_eq!(ended.duration_ms, (total * 1000.0).round() as i64);
    plays(&server.path(&replay_key)).expect("replay plays across the discontinuity");

    // After the grace, a new publish is a new broadcast and the old replay stays as it was.
    let mut next = server.publish("key-four", false);
    let live2 = server.wait_live("host4").await;
    assert_ne!(live2.video_id, live.video_id);
    assert!(next.wait().await.unwrap().success());
    server.wait_ended(live2.id).await;
    assert_eq!(
        std::fs::read_to_string(server.path(&replay_key)).unwrap(),
        replay
    );
    let channel_playlist = std::fs::read_to_string(server.path("live/host4/index.m3u8")).unwrap();
    assert!(channel_playlist.contains(&format!("{}/seg", live2.video_id)));
    server.stop().await;
}

/// One AMF0 command message in a single type 0 chunk on chunk stream 3, stream 0.
fn command_chunk(body: &[u8]) -> Vec<u8> {
    let mut chunk = vec![0x03, 0, 0, 0];
    chunk.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    chunk.push(20);
    chunk.extend_from_slice(&[0, 0, 0, 0]);
    chunk.extend_from_slice(body);
    chunk
}

/// Sends `connect(1, {app: "live"})` and reads the start of the reply (window, bandwidth,
/// chunk size, `_result`), which proves the session is up.
async fn connect_answered(sock: &mut tokio::net::TcpStream) -> bool {
    let mut connect = vec![0x02, 0x00, 0x07];
    connect.extend_from_slice(b"connect");
    connect.push(0x00);
    connect.extend_from_slice(&1.0f64.to_be_bytes());
    connect.extend_from_slice(&[0x03, 0x00, 0x03]);
    connect.extend_from_slice(b"app");
    connect.extend_from_slice(&[0x02, 0x00, 0x04]);
    connect.extend_from_slice(b"live");
    connect.extend_from_slice(&[0x00, 0x00, 0x09]);
    if sock.write_all(&command_chunk(&connect)).await.is_err() {
        return false;
    }
    let mut reply = vec![0u8; 64];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), sock.read(&mut reply)).await,
        Ok(Ok(n)) if n > 0
    )
}

/// Reads until the server closes the connection (EOF or reset); false on timeout.
async fn closed_by_server(sock: &mut tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    let wait = async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), wait)
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_ends_that_connection_only() {
    let server = Server::start(GRACE).await;
    server.channel("host5", "key-five").await;
    let addr = ("127.0.0.1", server.port);

    // Not RTMP at all.
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_by_server(&mut sock).await, "HTTP request left open");

    // A valid plain handshake (C1 with a zero version field), then random chunk bytes. The
    // first byte is a type 1 chunk header on a chunk stream with no previous header.
    let mut sock = liboo_testkit::rtmp_handshake(addr).await;
    let mut garbage = vec![0x43u8];
    garbage.extend((0..8192).map(|_| rand::random::<u8>()));
    sock.write_all(&garbage).await.unwrap();
    assert!(
        closed_by_server(&mut sock).await,
        "garbage after the handshake left open"
    );

    let mut ffmpeg = server.publish("key-five", false);
    let live = server.wait_live("host5").await;
    assert!(ffmpeg.wait().await.unwrap().success());
    server.wait_ended(live.id).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_live_broadcasts_cleanly() {
    let server = Server::start(Duration::from_secs(30)).await;
    server.channel("host6", "key-six").await;
    let mut ffmpeg = server.publish("key-six", true);
    let live = server.wait_live("host6").await;
    server
        .wait_first_segment(&server.path(&live.media_prefix))
        .await;
    let db = server.db.clone();
    let folder = server.path(&live.media_prefix);
    let channel_playlist = server.path("live/host6/index.m3u8");
    let dir = server.stop_keep_files().await;
    let _ = ffmpeg.wait().await;

    // No grace at shutdown: the broadcast is over once serve returns.
    let ended = db.broadcast_by_id(live.id).await.unwrap().unwrap();
    assert!(!ended.is_live);
    let replay = std::fs::read_to_string(folder.join("replay.m3u8")).unwrap();
    let total: f64 = segments(&replay).iter().map(|(_, d)| d).sum();
    assert!(total >= 2.0, "the partial segment was flushed: {replay}");
    assert_eq!(ended.duration_ms, (total * 1000.0).round() as i64);
    plays(&folder.join("replay.m3u8")).expect("replay plays");
    let channel = std::fs::read_to_string(channel_playlist).unwrap();
    assert!(channel.ends_with("#EXT-X-ENDLIST\n"), "{channel}");
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_audio_is_refused() {
    let server = Server::start(Duration::from_secs(30)).await;
    server.channel("host7", "key-seven").await;
    let ffmpeg = tokio::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-re",
            "-i",
        ])
        .arg(support::FIXTURE)
        .args(["-c:v", "copy", "-c:a", "libmp3lame", "-f", "flv"])
        .arg(server.url("live", "key-seven"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ffmpeg is required for these tests");
    let live = server.wait_live("host7").await;
    let out = tokio::time::timeout(Duration::from_secs(5), ffmpeg.wait_with_output())
        .await
        .expect("the server closed the MP3 publisher")
        .unwrap();
    assert!(!out.status.success());
    // The publisher is told why, in its own log.
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("H.264") && said.contains("AAC"),
        "ffmpeg said: {said}"
    );
    // Ended at once, not after the 30 s grace, and with no broken segments.
    let ended = server.wait_ended(live.id).await;
    assert_eq!(ended.duration_ms, 0);
    server.stop().await;
}

/// A client that floods the server with calls that each want a reply, then never reads:
/// the server's writes back up. Its connection must end (the write times out) and every
/// other publisher must go on meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_alone() {
    let server = Server::start(GRACE).await;
    server.channel("host8", "key-eight").await;
    let addr = ("127.0.0.1", server.port);

    let mut sock = liboo_testkit::rtmp_handshake(addr).await;
    // Calls before connect end the connection at once.
    assert!(connect_answered(&mut sock).await, "no reply to connect");

    // One AMF0 command message per chunk: "nope"(txid, null). Unknown calls with a
    // transaction id get an `_error` reply, several times larger than the call.
    let mut body = vec![0x02, 0x00, 0x04];
    body.extend_from_slice(b"nope");
    body.push(0x00);
    body.extend_from_slice(&7.0f64.to_be_bytes());
    body.push(0x05);
    let call = command_chunk(&body);
    let flood: Vec<u8> = call
        .iter()
        .copied()
        .cycle()
        .take(call.len() * 400_000)
        .collect();
    let (reader, mut writer) = sock.into_split();
    let flooder = tokio::spawn(async move {
        // Ends with an error once the server, stuck writing, gives up and closes.
        writer.write_all(&flood).await.is_err()
    });

    // Meanwhile another host publishes as usual.
    let mut ffmpeg = server.publish("key-eight", false);
    let live = server.wait_live("host8").await;
    assert!(ffmpeg.wait().await.unwrap().success());
    server.wait_ended(live.id).await;

    // Without reading anything, the flood's write must fail: the server gave up on the
    // stalled connection (its write timed out) and closed it. A server stuck writing
    // would leave the flood blocked forever.
    let flooded = tokio::time::timeout(Duration::from_secs(40), flooder).await;
    assert!(
        flooded.is_ok(),
        "the server never gave up on a client that stopped reading"
    );
    assert!(
        flooded.unwrap().unwrap(),
        "the server read every call without replying"
    );
    drop(reader);
    server.stop().await;
}

/// A publisher whose network stalls (ffmpeg frozen with SIGSTOP: the socket stays open
/// and nothing more arrives) is dropped after the media timeout, its broadcast ends, and
/// the same key publishes again.
#[tokio::test]
async fn a_stalled_publisher_times_out_and_the_key_publishes_again() {
    let server = Server::start(Duration::from_millis(500)).await;
    server.channel("host9", "key-nine").await;
    let mut frozen = server.publish("key-nine", true);
    let live = server.wait_live("host9").await;
    let pid = frozen.id().expect("running").to_string();
    let stopped = std::process::Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap();
    assert!(stopped.success());
    let ended = server.wait_ended(live.id).await;
    assert!(ended.end_ms.is_some());
    // A second publisher is not refused as "already live" any more.
    let mut again = server.publish("key-nine", false);
    let next = server.wait_live("host9").await;
    assert_ne!(next.id, live.id, "a new broadcast");
    assert!(again.wait().await.unwrap().success());
    frozen.kill().await.unwrap();
    server.stop().await;
}

/// At most 16 RTMP connections from one address (the default): the next one is closed at
/// once, the others are untouched, and a freed slot can be used again.
#[tokio::test]
async fn connections_per_address_are_capped() {
    let server = Server::start(Duration::from_millis(500)).await;
    let addr = ("127.0.0.1", server.port);
    let mut open = Vec::new();
    for _ in 0..16 {
        open.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    // Each of them is waiting for a handshake, not closed.
    let mut buf = [0u8; 1];
    for sock in &mut open {
        let read = tokio::time::timeout(Duration::from_millis(200), sock.read(&mut buf)).await;
        assert!(
            read.is_err(),
            "a connection within the cap was answered or closed"
        );
    }
    let closed_at_once = |mut sock: tokio::net::TcpStream| async move {
        let mut buf = [0u8; 1];
        match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(_)) | Err(_) => false,
        }
    };
    let over = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_at_once(over).await,
        "the 17th connection stayed open"
    );
    // Freeing one slot lets one more in.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = tokio::net::TcpStream::connect(addr).await.unwrap();
    let read = tokio::time::timeout(Duration::from_millis(300), again.read(&mut buf)).await;
    assert!(
        read.is_err(),
        "a freed slot was not given to the next connection"
    );
    drop(again);
    drop(open);
    server.stop().await;
}

/// Chunks of one message made by the rtmp crate's writer (chunk size 128).
fn chunks(csid: u32, type_id: u8, stream_id: u32, payload: Vec<u8>) -> Vec<u8> {
    let mut out = bytes::BytesMut::new();
    rtmp::chunk::ChunkWriter::new().write(
        &rtmp::chunk::RawMessage {
            csid,
            timestamp: 0,
            type_id,
            stream_id,
            payload: payload.into(),
        },
        &mut out,
    );
    out.to_vec()
}

/// An Acknowledgement (type 3) on chunk stream `csid`: a protocol control message that
/// needs no answer, so it makes a chunk stream and keeps a connection busy.
fn acknowledgement(csid: u32) -> Vec<u8> {
    chunks(csid, 3, 0, vec![0, 0, 0, 1])
}

/// Writes `bytes` one small piece at a time, pausing between them, until the server
/// closes the connection; true if it did within 20 s.
async fn trickle_until_closed(
    sock: tokio::net::TcpStream,
    bytes: Vec<u8>,
    pause: Duration,
) -> bool {
    let (mut reader, mut writer) = sock.into_split();
    let closed = async move {
        let mut buf = [0u8; 4096];
        while matches!(reader.read(&mut buf).await, Ok(n) if n > 0) {}
    };
    let trickle = async move {
        for piece in bytes.chunks(16).cycle() {
            if writer.write_all(piece).await.is_err() {
                break;
            }
            tokio::time::sleep(pause).await;
        }
        // The writer only fails once the server is gone; wait for the reader to see it.
        std::future::pending::<()>().await;
    };
    tokio::time::timeout(Duration::from_secs(20), async {
        tokio::select! {
            _ = closed => {}
            _ = trickle => {}
        }
    })
    .await
    .is_ok()
}

/// A client that connects and sends nothing, or half a handshake, or a handshake one
/// piece at a time, is closed once the handshake timeout has passed; one that finishes
/// the handshake but never publishes is closed after the idle timeout, however busy it
/// keeps the connection. A publisher is served as usual meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_handshakes_and_idle_connections_are_closed() {
    let server = Server::start_with(liboo_ingest::IngestConfig {
        reconnect_grace: GRACE,
        handshake_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..liboo_ingest::IngestConfig::default()
    })
    .await;
    server.channel("host10", "key-ten").await;
    let addr = ("127.0.0.1", server.port);

    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut c0c1 = vec![3u8];
    c0c1.extend((0..1536).map(|_| rand::random::<u8>()));
    half.write_all(&c0c1[..700]).await.unwrap();
    let slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    let slow = tokio::spawn(trickle_until_closed(
        slow,
        c0c1.clone(),
        Duration::from_millis(300),
    ));
    assert!(
        closed_by_server(&mut silent).await,
        "a silent client stayed"
    );
    assert!(closed_by_server(&mut half).await, "half a handshake stayed");
    assert!(
        slow.await.unwrap(),
        "a handshake sent piece by piece stayed"
    );

    // Handshake and connect done, then only Acknowledgements, never a publish.
    let mut idle = liboo_testkit::rtmp_handshake(addr).await;
    assert!(connect_answered(&mut idle).await, "no reply to connect");
    let pings = acknowledgement(2).repeat(64);
    assert!(
        trickle_until_closed(idle, pings, Duration::from_millis(200)).await,
        "a connection that never publishes stayed"
    );

    let mut ffmpeg = server.publish("key-ten", false);
    let live = server.wait_live("host10").await;
    assert!(ffmpeg.wait().await.unwrap().success());
    server.wait_ended(live.id).await;
    server.stop().await;
}

/// A message longer than the limit or one chunk stream too many ends that connection
/// (up to the limits it is served), and a publisher is served as usual afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_and_too_many_chunk_streams_end_that_connection() {
    const LIMIT: usize = 1 << 20;
    let server = Server::start_with(liboo_ingest::IngestConfig {
        reconnect_grace: GRACE,
        max_message_bytes: LIMIT as u32,
        max_chunk_streams: 16,
        ..liboo_ingest::IngestConfig::default()
    })
    .await;
    server.channel("host11", "key-eleven").await;
    let addr = ("127.0.0.1", server.port);

    // Video on a stream that is not publishing is dropped, but it is read whole first.
    let mut sock = liboo_testkit::rtmp_handshake(addr).await;
    sock.write_all(&chunks(6, 9, 1, vec![0x17; LIMIT]))
        .await
        .unwrap();
    assert!(
        connect_answered(&mut sock).await,
        "a message at the limit ended the connection"
    );
    let _ = sock
        .write_all(&chunks(6, 9, 1, vec![0x17; LIMIT + 1]))
        .await;
    assert!(
        closed_by_server(&mut sock).await,
        "a message over the limit was taken"
    );

    // Chunk streams 2 to 17 (the connect command uses 3): sixteen, the limit.
    let mut sock = liboo_testkit::rtmp_handshake(addr).await;
    for csid in 2..=17 {
        sock.write_all(&acknowledgement(csid)).await.unwrap();
    }
    assert!(
        connect_answered(&mut sock).await,
        "sixteen chunk streams ended the connection"
    );
    let _ = sock.write_all(&acknowledgement(18)).await;
    assert!(
        closed_by_server(&mut sock).await,
        "a seventeenth chunk stream was taken"
    );

    let mut ffmpeg = server.publish("key-eleven", false);
    let live = server.wait_live("host11").await;
    assert!(ffmpeg.wait().await.unwrap().success());
    server.wait_ended(live.id).await;
    server.stop().await;
}
