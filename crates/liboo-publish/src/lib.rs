//! An RTMP publisher built on [`rtmp::ClientSession`]: it reads an FLV file with
//! [`flv::FlvReader`], connects to `rtmp://HOST:PORT/APP/KEY`, and sends the metadata, audio and
//! video tags either paced by their timestamps (as `ffmpeg -re` does) or as fast as the socket
//! takes them. It can loop the file with continuous timestamps and run many publishers at once,
//! which is what the ingest benchmark needs and what ffmpeg cannot do in one process.
//!
//! The protocol work is all in the sans-IO `rtmp` crate; this crate only moves bytes between a
//! tokio `TcpStream` and the session and decides when each tag is due.

#![warn(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amf0::Value;
use bytes::Bytes;
use flv::{FlvReader, FlvTag, TagType};
use rtmp::{ClientConfig, ClientEvent, ClientSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::time::Instant;

/// Default RTMP port (RTMP 1.0 §4 leaves it to the URL; 1935 is the registered one).
const DEFAULT_PORT: u16 = 1935;

/// Errors of one publisher.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The target is not an `rtmp://HOST[:PORT]/APP/KEY` URL.
    #[error("bad RTMP URL {url:?}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is missing or wrong in it.
        reason: &'static str,
    },
    /// The FLV file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadInput {
        /// The file's path.
        path: String,
        /// Why reading it failed.
        source: std::io::Error,
    },
    /// The input is not valid FLV.
    #[error("bad FLV input: {0}")]
    Flv(#[from] flv::FlvError),
    /// The input has no audio or video frames (sequence headers alone do not count).
    #[error("FLV input has no audio or video tags")]
    EmptyInput,
    /// Connecting, reading or writing the socket failed.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// The RTMP session failed, such as on bytes from the server that break the protocol.
    #[error("RTMP: {0}")]
    Rtmp(#[from] rtmp::Error),
    /// The server refused `connect` or `publish`; `code` is its onStatus / _error code, such as
    /// `NetStream.Publish.BadName`.
    #[error("server refused the stream: {code} ({description})")]
    Rejected {
        /// The status code.
        code: String,
        /// The server's description of it.
        description: String,
    },
    /// The server closed the connection during the handshake, `connect` or `publish`.
    #[error("server closed the connection before publishing started")]
    ClosedBeforePublish,
    /// The server closed the connection while media was being sent.
    #[error("server closed the connection while publishing")]
    ClosedWhilePublishing,
    /// The setup did not reach `NetStream.Publish.Start` within [`Options::setup_timeout`].
    #[error("no answer to connect/publish within {0:?}")]
    SetupTimeout(Duration),
}

impl PublishError {
    /// Whether the server said no, as opposed to a fault on the way.
    pub fn is_rejection(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }
}

/// A parsed `rtmp://HOST[:PORT]/APP/KEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `HOST:PORT`, ready for `TcpStream::connect`.
    pub addr: String,
    /// The application name, sent in `connect`.
    pub app: String,
    /// The stream key, sent in `publish`.
    pub key: String,
    /// The URL without the key, sent as `tcUrl`.
    pub tc_url: String,
}

impl Target {
    /// Parses `rtmp://HOST[:PORT]/APP/KEY`; the port defaults to 1935.
    pub fn parse(url: &str) -> Result<Self, PublishError> {
        let bad = |reason| PublishError::Url {
            url: url.to_owned(),
            reason,
        };
        let rest = url
            .strip_prefix("rtmp://")
            .ok_or_else(|| bad("must start with rtmp://"))?;
        let (authority, path) = rest.split_once('/').ok_or_else(|| bad("no /APP/KEY"))?;
        let (app, key) = path.split_once('/').ok_or_else(|| bad("no /KEY"))?;
        if authority.is_empty() || app.is_empty() || key.is_empty() {
            return Err(bad("empty host, app or key"));
        }
        let addr = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else {
            format!("{authority}:{DEFAULT_PORT}")
        };
        Ok(Self {
            addr,
            app: app.to_owned(),
            key: key.to_owned(),
            tc_url: format!("rtmp://{authority}/{app}"),
        })
    }

    /// The same server and app with another stream key.
    pub fn with_key(&self, key: &str) -> Self {
        Self {
            key: key.to_owned(),
            ..self.clone()
        }
    }
}

/// The FLV input, read once and shared by every publisher.
#[derive(Debug)]
pub struct Media {
    /// The `onMetaData` object, if the file has one.
    pub metadata: Option<Value>,
    /// Sequence headers (AVC decoder configuration, AudioSpecificConfig): sent once, first.
    pub headers: Vec<FlvTag>,
    /// Audio and video frames with timestamps rebased to start at 0.
    pub frames: Vec<FlvTag>,
    /// How far the timestamps advance per loop: last frame time plus one video frame interval,
    /// so that a looped file continues without a gap or an overlap.
    pub loop_span_ms: u32,
}

impl Media {
    /// Reads and splits the FLV file at `path`.
    pub fn read(path: &str) -> Result<Self, PublishError> {
        let data = std::fs::read(path).map_err(|source| PublishError::ReadInput {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(&data)
    }

    /// Splits FLV bytes into metadata, sequence headers and frames. Other script data and
    /// AVC end-of-sequence tags are dropped, so that a looped file does not end the stream.
    pub fn from_bytes(data: &[u8]) -> Result<Self, PublishError> {
        let mut reader = FlvReader::new(flv::Limits::default());
        reader.push(data);
        let (mut metadata, mut headers, mut frames) = (None, Vec::new(), Vec::new());
        while let Some(tag) = reader.next_tag()? {
            match tag.tag_type {
                TagType::Script => {
                    // onMetaData is ["onMetaData", {...}]; anything else is dropped.
                    if let Ok(values) = amf0::decode_all(&tag.body)
                        && values.first().and_then(Value::as_str) == Some("onMetaData")
                    {
                        metadata = values.into_iter().nth(1);
                    }
                }
                TagType::Video if is_sequence_header(&tag) => headers.push(tag),
                TagType::Audio if is_sequence_header(&tag) => headers.push(tag),
                // An AVC end of sequence would tell the server the stream ends mid-loop.
                TagType::Video if tag.body.get(1) == Some(&2) => {}
                TagType::Audio | TagType::Video => frames.push(tag),
                TagType::Other(_) => {}
            }
        }
        let Some(first) = frames.iter().map(|t| t.timestamp).min() else {
            return Err(PublishError::EmptyInput);
        };
        for t in &mut frames {
            t.timestamp -= first;
        }
        let video: Vec<u32> = frames
            .iter()
            .filter(|t| t.tag_type == TagType::Video)
            .map(|t| t.timestamp)
            .collect();
        let frame_interval = video
            .windows(2)
            .map(|w| w[1].saturating_sub(w[0]))
            .filter(|&d| d > 0)
            .min()
            .unwrap_or(33);
        let last = frames.iter().map(|t| t.timestamp).max().unwrap_or(0);
        Ok(Self {
            metadata,
            headers,
            frames,
            loop_span_ms: last + frame_interval,
        })
    }
}

/// AVC `AVCPacketType` 0 or AAC `AACPacketType` 0 (FLV spec, `VIDEODATA` / `AUDIODATA`).
fn is_sequence_header(tag: &FlvTag) -> bool {
    let Some(&b0) = tag.body.first() else {
        return false;
    };
    match tag.tag_type {
        TagType::Video => b0 & 0x0f == 7 && tag.body.get(1) == Some(&0),
        TagType::Audio => b0 >> 4 == 10 && tag.body.get(1) == Some(&0),
        _ => false,
    }
}

/// How to publish.
#[derive(Debug, Clone)]
pub struct Options {
    /// Send each tag when its timestamp is due (like `ffmpeg -re`); otherwise as fast as possible.
    pub realtime: bool,
    /// Times to send the file; timestamps keep increasing across loops.
    pub loops: u32,
    /// Stop after this much media time, whatever `loops` says.
    pub max_media: Option<Duration>,
    /// Outgoing chunk size.
    pub chunk_size: u32,
    /// Limit on the handshake, `connect` and `publish` exchange.
    pub setup_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            realtime: true,
            loops: 1,
            max_media: None,
            chunk_size: 4096,
            setup_timeout: Duration::from_secs(10),
        }
    }
}

/// What one publisher did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The stream key it published to.
    pub key: String,
    /// Wall clock (Unix milliseconds) at which media time 0 was sent.
    pub started_unix_ms: u128,
    /// Media time sent, in milliseconds: the end of the last complete loop, or the timestamp
    /// of the last tag sent when [`Options::max_media`] stopped it.
    pub media_ms: u64,
    /// Audio and video frames sent (not counting metadata and sequence headers).
    pub tags: u64,
    /// Bytes written to the socket, handshake and commands included.
    pub bytes: u64,
    /// Wall time from media time 0 until the connection was done, including the wait of up
    /// to two seconds for the server to see the unpublish.
    pub elapsed: Duration,
    /// In real time: the most a tag was sent after its due time. A publisher that cannot keep
    /// up (slow server, starved CPU) shows here rather than as a silently slower stream.
    pub max_late: Duration,
}

/// A connected publisher: the socket halves and the session between them.
struct Connection {
    session: ClientSession,
    read: OwnedReadHalf,
    write: tokio::net::tcp::OwnedWriteHalf,
    buf: Vec<u8>,
    bytes: u64,
}

impl Connection {
    async fn flush(&mut self) -> Result<(), PublishError> {
        let out = self.session.take_output();
        if !out.is_empty() {
            self.bytes += out.len() as u64;
            self.write.write_all(&out).await?;
        }
        Ok(())
    }

    /// Feeds what the server sent; `false` on end of stream.
    fn on_read(&mut self, n: usize) -> Result<bool, PublishError> {
        if n == 0 {
            return Ok(false);
        }
        self.session.feed(&self.buf[..n])?;
        while let Some(event) = self.session.poll_event() {
            if let ClientEvent::Rejected { code, description } = event {
                return Err(PublishError::Rejected { code, description });
            }
        }
        Ok(true)
    }

    /// Handshake, `connect`, `createStream` and `publish`, until the server says
    /// NetStream.Publish.Start.
    async fn setup(&mut self) -> Result<(), PublishError> {
        loop {
            self.flush().await?;
            let n = self.read.read(&mut self.buf).await?;
            if n == 0 {
                return Err(PublishError::ClosedBeforePublish);
            }
            self.session.feed(&self.buf[..n])?;
            while let Some(event) = self.session.poll_event() {
                match event {
                    ClientEvent::PublishStarted { .. } => {
                        self.flush().await?;
                        return Ok(());
                    }
                    ClientEvent::Rejected { code, description } => {
                        return Err(PublishError::Rejected { code, description });
                    }
                    ClientEvent::Connected | ClientEvent::Status { .. } => {}
                }
            }
        }
    }

    /// Waits until `due`, answering the server (acknowledgements, pings) meanwhile.
    async fn wait_until(&mut self, due: Instant) -> Result<(), PublishError> {
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(due) => return Ok(()),
                n = self.read.read(&mut self.buf) => {
                    if !self.on_read(n?)? {
                        return Err(PublishError::ClosedWhilePublishing);
                    }
                    self.flush().await?;
                }
            }
        }
    }
}

/// Publishes `media` to `target` once through (or `options.loops` times).
pub async fn publish(
    target: &Target,
    media: &Media,
    options: &Options,
) -> Result<Report, PublishError> {
    let mut config = ClientConfig::new(&target.app, &target.tc_url, &target.key);
    config.chunk_size = options.chunk_size;
    let stream = TcpStream::connect(&target.addr).await?;
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    let mut conn = Connection {
        session: ClientSession::new(config),
        read,
        write,
        buf: vec![0; 64 * 1024],
        bytes: 0,
    };
    tokio::time::timeout(options.setup_timeout, conn.setup())
        .await
        .map_err(|_| PublishError::SetupTimeout(options.setup_timeout))??;

    let start = Instant::now();
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    if let Some(meta) = &media.metadata {
        conn.session.send_metadata(meta.clone())?;
    }
    for tag in &media.headers {
        send(&mut conn.session, tag, 0)?;
    }
    conn.flush().await?;
    let limit_ms = options.max_media.map(|d| d.as_millis() as u64);
    let (mut tags, mut media_ms, mut max_late) = (0u64, 0u64, Duration::ZERO);
    'outer: for pass in 0..options.loops.max(1) {
        let offset = u64::from(pass) * u64::from(media.loop_span_ms);
        for tag in &media.frames {
            let ts = offset + u64::from(tag.timestamp);
            if limit_ms.is_some_and(|l| ts >= l) {
                break 'outer;
            }
            if options.realtime {
                let due = start + Duration::from_millis(ts);
                conn.wait_until(due).await?;
                max_late = max_late.max(Instant::now().saturating_duration_since(due));
            }
            // RTMP timestamps are 32-bit milliseconds and wrap (§5.3.1.3); the server unwraps.
            send(&mut conn.session, tag, ts as u32)?;
            conn.flush().await?;
            tags += 1;
            media_ms = ts;
        }
        media_ms = offset + u64::from(media.loop_span_ms);
    }
    conn.session.unpublish()?;
    conn.flush().await?;
    conn.write.shutdown().await?;
    // Give the server a moment to see the unpublish before the socket goes away, as a clean
    // encoder does; its close (or silence) ends the wait.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(n) = conn.read.read(&mut conn.buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    Ok(Report {
        key: target.key.clone(),
        started_unix_ms,
        media_ms,
        tags,
        bytes: conn.bytes,
        elapsed: start.elapsed(),
        max_late,
    })
}

fn send(session: &mut ClientSession, tag: &FlvTag, ts: u32) -> Result<(), rtmp::Error> {
    let body: Bytes = tag.body.clone();
    match tag.tag_type {
        TagType::Audio => session.send_audio(ts, body),
        TagType::Video => session.send_video(ts, body),
        _ => Ok(()),
    }
}

/// Runs one publisher per target at once, `stagger` apart, and returns their results in order.
pub async fn publish_many(
    targets: Vec<Target>,
    media: Arc<Media>,
    options: Options,
    stagger: Duration,
) -> Vec<Result<Report, PublishError>> {
    let mut tasks = Vec::with_capacity(targets.len());
    for (i, target) in targets.into_iter().enumerate() {
        let (media, options) = (media.clone(), options.clone());
        let delay = stagger * i as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            publish(&target, &media, &options).await
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap_or_else(|e| {
            Err(PublishError::Io(std::io::Error::other(format!(
                "publisher task failed: {e}"
            ))))
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse("rtmp://127.0.0.1:1936/live/abc").unwrap();
        assert_eq!(
            (t.addr.as_str(), t.app.as_str(), t.key.as_str()),
            ("127.0.0.1:1936", "live", "abc")
        );
        assert_eq!(t.tc_url, "rtmp://127.0.0.1:1936/live");
        assert_eq!(
            Target::parse("rtmp://example.org/app/k/with/slash")
                .unwrap()
                .addr,
            "example.org:1935"
        );
        assert_eq!(
            Target::parse("rtmp://h/app/k/with/slash").unwrap().key,
            "k/with/slash"
        );
        for bad in [
            "http://h/a/k",
            "rtmp://h",
            "rtmp://h/app",
            "rtmp:///a/k",
            "rtmp://h/a/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixture_splits_into_headers_and_frames() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/testsrc.flv"
        ))
        .unwrap();
        let media = Media::from_bytes(&data).unwrap();
        assert!(media.metadata.is_some());
        assert_eq!(
            media.headers.len(),
            2,
            "one AVC and one AAC sequence header"
        );
        assert_eq!(media.frames[0].timestamp, 0);
        // 6 s of media: the loop span is the last timestamp plus one frame interval.
        assert!(
            (5900..=6100).contains(&media.loop_span_ms),
            "{}",
            media.loop_span_ms
        );
        assert!(media.frames.iter().all(|t| t.body.get(1) != Some(&2)));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(Media::from_bytes(b"not an flv").is_err());
        let header_only = [b'F', b'L', b'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0];
        assert!(matches!(
            Media::from_bytes(&header_only),
            Err(PublishError::EmptyInput)
        ));
    }
}
