//! A real peer: ffmpeg publishes H.264 and AAC into a `ServerSession` over loopback TCP.
//!
//! Skipped (with a message) where ffmpeg is not installed.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use amf0::Value;
use rtmp::handshake::HandshakeKind;
use rtmp::{ServerConfig, ServerEvent, ServerSession};

/// These tests run against the real ffmpeg: without it they fail and say where to get it.
fn require_ffmpeg() {
    let found = Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "ffmpeg is needed for this test; scripts/test-deps installs it"
    );
}

#[test]
fn ffmpeg_publishes_into_server_session() {
    require_ffmpeg();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin"])
        .args(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"])
        .args([
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "25",
        ])
        .args(["-c:a", "aac", "-f", "flv"])
        .arg(format!("rtmp://127.0.0.1:{port}/live/key123"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();

    let (mut sock, _) = listener.accept().unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut session = ServerSession::new(ServerConfig::default());
    let mut events = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // ffmpeg closes right after deleteStream; if our last reply is still unread its
        // kernel answers with a reset, which is a normal hang-up here.
        let n = match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read: {e}"),
        };
        session.feed(&buf[..n]).unwrap();
        while let Some(ev) = session.poll_event() {
            if let ServerEvent::PublishRequested { stream_id, .. } = &ev {
                session.accept_publish(*stream_id).unwrap();
            }
            events.push(ev);
        }
        let out = session.take_output();
        if !out.is_empty() && sock.write_all(&out).is_err() {
            break;
        }
    }
    assert!(ffmpeg.wait().unwrap().success(), "ffmpeg failed");

    // ffmpeg sends a Flash Player 9 digest in C1.
    assert!(matches!(
        session.handshake_kind(),
        Some(HandshakeKind::Digest(_))
    ));
    assert!(matches!(&events[0], ServerEvent::Connected { app, .. } if app == "live"));
    assert!(events.iter().any(|e| matches!(e,
        ServerEvent::PublishRequested { stream_key, app, .. } if stream_key == "key123" && app == "live")));
    let meta = events.iter().find_map(|e| match e {
        ServerEvent::Metadata { values, .. } => Some(values.clone()),
        _ => None,
    });
    let meta = meta.expect("onMetaData");
    assert_eq!(meta[0], Value::string("onMetaData"));
    assert_eq!(meta[1].get("width").and_then(Value::as_number), Some(320.0));
    let video: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Video {
                timestamp, data, ..
            } if !data.is_empty() => Some(*timestamp),
            _ => None,
        })
        .collect();
    let audio = events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Audio { .. }))
        .count();
    assert!(video.len() >= 45, "{} video messages", video.len());
    assert!(audio >= 40, "{audio} audio messages");
    assert!(
        video.windows(2).all(|w| w[0] <= w[1]),
        "video timestamps go forward"
    );
    assert!(
        *video.last().unwrap() >= 1800,
        "last video timestamp {:?}",
        video.last()
    );
    assert!(
        matches!(events.last(), Some(ServerEvent::Unpublished { .. })),
        "{:?}",
        events.last()
    );
}

/// The other direction: `ClientSession` publishes to ffmpeg acting as an RTMP server
/// (`-listen 1`), which must answer the command flow with NetStream.Publish.Start.
#[test]
fn client_session_publishes_to_ffmpeg() {
    use rtmp::{ClientConfig, ClientEvent, ClientSession};
    use std::net::TcpStream;

    require_ffmpeg();
    // ffmpeg needs a port number up front; take a free one from the OS.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("rtmp://127.0.0.1:{port}/live/key123");
    let mut ffmpeg = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-listen",
            "1",
            "-timeout",
            "20",
        ])
        .args(["-i", &url, "-f", "null", "-"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut sock = None;
    for _ in 0..100 {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                sock = Some(s);
                break;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let mut sock = sock.expect("ffmpeg did not listen");
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut cfg = ClientConfig::new("live", &format!("rtmp://127.0.0.1:{port}/live"), "key123");
    cfg.digest_handshake = false;
    let mut client = ClientSession::new(cfg);
    let mut events = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while !events.iter().any(|e| {
        matches!(
            e,
            ClientEvent::PublishStarted { .. } | ClientEvent::Rejected { .. }
        )
    }) {
        sock.write_all(&client.take_output()).unwrap();
        let n = sock.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "ffmpeg closed the connection; events so far: {events:?}"
        );
        client.feed(&buf[..n]).unwrap();
        events.extend(std::iter::from_fn(|| client.poll_event()));
    }
    assert!(events.contains(&ClientEvent::Connected), "{events:?}");
    assert!(
        matches!(events.last(), Some(ClientEvent::PublishStarted { .. })),
        "{events:?}"
    );
    client.unpublish().unwrap();
    let _ = sock.write_all(&client.take_output());
    drop(sock);
    let _ = ffmpeg.kill();
    let _ = ffmpeg.wait();
}
