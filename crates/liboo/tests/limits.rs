//! Limits of the `liboo` binary, each hit by a raw TCP client: the server's answer, the
//! log line naming the flag that raises the limit, and the server still serving others.

use std::io::Cursor;
use std::time::Duration;

use base64::Engine as _;
use liboo_testkit::{LibooProcess, host_keys};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn start(dir: &tempfile::TempDir, flags: &[&str]) -> LibooProcess {
    LibooProcess::start(env!("CARGO_BIN_EXE_liboo"), dir.path(), flags)
}

fn log(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("stderr.log")).unwrap()
}

/// `host:port` of a process's HTTP listener.
fn http_addr(liboo: &LibooProcess) -> String {
    liboo.http.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection, and returns what it sent; `None` if it
/// is still open after 20 s.
async fn read_to_close(sock: &mut TcpStream) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .ok()?;
    Some(out)
}

/// Sends one request on a fresh connection and reads the answer until the server closes.
async fn raw_request(addr: &str, request: &[u8]) -> String {
    let mut sock = TcpStream::connect(addr).await.unwrap();
    sock.write_all(request).await.unwrap();
    let answer = read_to_close(&mut sock).await.expect("the server closes");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn healthy(liboo: &LibooProcess) {
    let r = reqwest::get(format!("{}/healthz", liboo.http))
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the server stopped serving");
}

#[tokio::test]
async fn request_heads_over_the_limit_get_431() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(&dir, &["--http-max-header-bytes", "4096"]);
    let addr = http_addr(&liboo);
    let request = |filler: usize| {
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(filler)
        )
    };
    let fits = raw_request(&addr, request(3000).as_bytes()).await;
    assert!(fits.starts_with("HTTP/1.1 200"), "{fits}");
    let over = raw_request(&addr, request(6000).as_bytes()).await;
    assert!(over.starts_with("HTTP/1.1 431"), "{over}");
    healthy(&liboo).await;
    let log = log(&dir);
    assert!(
        log.contains("WARN") && log.contains("--http-max-header-bytes"),
        "{log}"
    );
}

/// A PNG of noise (which does not compress) of about `bytes`, as a data URL.
fn noise_png(bytes: usize) -> String {
    let width = 1000;
    let height = (bytes / 3 / width) as u32;
    let img = image::RgbImage::from_fn(width as u32, height, |_, _| {
        image::Rgb(rand::random::<[u8; 3]>())
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    let png = out.into_inner();
    assert!(png.len() <= 5 * 1024 * 1024 && png.len() >= bytes - bytes / 20);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

async fn update(liboo: &LibooProcess, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/host/update", liboo.http))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The default body limit takes a host's largest thumbnail (5 MB, as base64 JSON); a
/// body over the limit gets the API's JSON error with 413.
#[tokio::test]
async fn bodies_over_the_limit_get_413_and_a_thumbnail_fits() {
    let image = noise_png(5_000_000);
    let body = |user: &str, image: &str| {
        json!({"userId": user, "liveTitle": "Limits", "hostName": "Host",
               "defaultThumbnailImageUrl": image})
    };

    let dir = tempfile::tempdir().unwrap();
    let liboo = start(&dir, &[]);
    host_keys(&liboo.http, "big-thumb").await;
    let (status, answer) = update(&liboo, &body("big-thumb", &image)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["data"]["defaultThumbnailImageUrl"].is_string(),
        "{answer}"
    );
    let (status, answer) = update(&liboo, &body("big-thumb", &"A".repeat(9 << 20))).await;
    assert_eq!(status, 413);
    assert_eq!(answer["statusCode"], 413, "{answer}");
    assert!(answer["message"].is_string(), "{answer}");
    healthy(&liboo).await;
    drop(liboo);
    assert!(log(&dir).contains("--http-max-body-bytes"), "{}", log(&dir));

    // A lower limit refuses the same thumbnail.
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(&dir, &["--http-max-body-bytes", "1048576"]);
    host_keys(&liboo.http, "big-thumb").await;
    let (status, answer) = update(&liboo, &body("big-thumb", &image)).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["statusCode"], 413, "{answer}");
    healthy(&liboo).await;
}

/// A client that sends its headers a byte at a time, one that never sends anything and
/// one that keeps an answered connection open are all closed after the header timeout;
/// only the first is logged as a limit hit. A blocking playlist reload that takes longer
/// than the header timeout is answered whole.
#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(
        &dir,
        &["--http-header-timeout", "1", "--segment-seconds", "0.5"],
    );
    let addr = http_addr(&liboo);

    let slowloris = {
        let addr = addr.clone();
        tokio::spawn(async move {
            let sock = TcpStream::connect(&addr).await.unwrap();
            let (mut reader, mut writer) = sock.into_split();
            let trickle = async move {
                let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
                let _ = writer.write_all(head).await;
                while writer.write_all(b"a").await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                std::future::pending::<()>().await;
            };
            let mut answer = Vec::new();
            let closed = async {
                let _ = reader.read_to_end(&mut answer).await;
            };
            tokio::time::timeout(Duration::from_secs(20), async {
                tokio::select! {
                    _ = closed => {}
                    _ = trickle => {}
                }
            })
            .await
            .is_ok()
                && answer.is_empty()
        })
    };
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answered = read_to_close(&mut idle)
        .await
        .expect("idle connection closed");
    assert!(
        String::from_utf8_lossy(&answered).starts_with("HTTP/1.1 200"),
        "the request before the idle time was not answered"
    );
    assert_eq!(read_to_close(&mut silent).await, Some(Vec::new()));
    assert!(
        slowloris.await.unwrap(),
        "a client sending its headers slowly stayed (or was answered)"
    );

    // A blocking reload for a segment that never comes is held for the reload timeout
    // (2.25 s with 0.5 s segments), longer than the header timeout.
    let folder = dir.path().join("media/live/limits");
    std::fs::create_dir_all(&folder).unwrap();
    let playlist = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n\
                    #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:0.5,\nseg00000.ts\n";
    std::fs::write(folder.join("index.m3u8"), playlist).unwrap();
    let started = std::time::Instant::now();
    let held = reqwest::get(format!(
        "{}/media/live/limits/index.m3u8?_HLS_msn=1",
        liboo.http
    ))
    .await
    .unwrap();
    assert_eq!(held.status(), 200);
    assert_eq!(held.text().await.unwrap(), playlist);
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "the reload was not held past the header timeout, so this proves nothing"
    );
    healthy(&liboo).await;
    drop(liboo);
    let log = log(&dir);
    let hits = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("--http-header-timeout"))
        .count();
    assert_eq!(hits, 1, "only the slow client is a limit hit: {log}");
}

/// A type 0 chunk header on chunk stream `csid` (below 64) announcing a message of
/// `length` bytes of type `type_id` on message stream 0.
fn chunk_header(csid: u8, length: u32, type_id: u8) -> Vec<u8> {
    let mut h = vec![csid, 0, 0, 0];
    h.extend_from_slice(&length.to_be_bytes()[1..]);
    h.push(type_id);
    h.extend_from_slice(&[0, 0, 0, 0]);
    h
}

/// Each RTMP limit flag reaches ingest, and each hit is logged with its flag.
#[tokio::test]
async fn rtmp_limits_are_set_by_flags_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let liboo = start(
        &dir,
        &[
            "--rtmp-handshake-timeout",
            "1",
            "--rtmp-idle-timeout",
            "1",
            "--rtmp-max-message-bytes",
            "65536",
            "--rtmp-max-chunk-streams",
            "8",
        ],
    );
    let addr = liboo.rtmp.clone();

    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_some());
    let mut idle = liboo_testkit::rtmp_handshake(&addr).await;
    assert!(read_to_close(&mut idle).await.is_some());
    let mut big = liboo_testkit::rtmp_handshake(&addr).await;
    big.write_all(&chunk_header(6, 65537, 9)).await.unwrap();
    assert!(read_to_close(&mut big).await.is_some());
    let mut many = liboo_testkit::rtmp_handshake(&addr).await;
    for csid in 2..=10 {
        // Acknowledgements: protocol control messages that need no answer.
        let mut ack = chunk_header(csid, 4, 3);
        ack.extend_from_slice(&[0, 0, 0, 1]);
        let _ = many.write_all(&ack).await;
    }
    assert!(read_to_close(&mut many).await.is_some());
    healthy(&liboo).await;
    drop(liboo);

    let log = log(&dir);
    for flag in [
        "--rtmp-handshake-timeout",
        "--rtmp-idle-timeout",
        "--rtmp-max-message-bytes",
        "--rtmp-max-chunk-streams",
    ] {
        assert!(
            log.lines().any(|l| l.contains("WARN") && l.contains(flag)),
            "no warning names {flag}: {log}"
        );
    }
}
