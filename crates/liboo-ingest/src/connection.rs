//! One publisher connection: shovels bytes between the socket and an [`rtmp::ServerSession`],
//! answers publish requests, and feeds media to the broadcast's packager.

use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtmp::chunk::ReaderLimits;
use rtmp::{ServerConfig, ServerEvent, ServerSession};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use crate::broadcast::{self, HEARTBEAT_EVERY, Leave, Publish, Publisher};
use crate::packager::Packager;
use crate::read_batch::ReadBatch;
use crate::timestamp::TimestampExtender;
use crate::{IngestError, Inner, now_ms};

/// The only RTMP application liboo publishes to (`rtmp://host/live/{streamKey}`).
const APP: &str = "live";
const BAD_NAME: &str = rtmp::command::status::PUBLISH_BAD_NAME;
/// OBS and ffmpeg print the description of any error status; `Denied` says that the key is
/// right but cannot be used now, where `BadName` would send the host to check the key.
const DENIED: &str = rtmp::command::status::PUBLISH_DENIED;

/// Why a connection ended without a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    HangUp,
    Refused,
    Shutdown,
    Replaced,
    /// The host ended the broadcast in the studio while it was being published.
    EndedByHost,
}

struct Publishing {
    stream_id: u32,
    channel_id: i64,
    packager: Box<Packager>,
    timestamps: TimestampExtender,
    last_media: Instant,
    last_media_ms: Arc<AtomicI64>,
    last_heartbeat: Instant,
    /// Raised by a heartbeat when the database says the broadcast should end.
    ending: Arc<AtomicBool>,
}

pub(crate) struct Connection<S> {
    inner: Arc<Inner>,
    stream: S,
    session: ServerSession,
    /// Cancelled on shutdown (through the parent token) or when a new publisher replaces this
    /// stale one.
    token: CancellationToken,
    publishing: Option<Publishing>,
    /// Since when the connection has been waiting: for its handshake (from connect), then
    /// for a publish (from the end of the handshake or of the last publish).
    waiting_since: Instant,
    /// The channel's session key once known, for logs (the stream key is never logged).
    pub(crate) session_key: Option<String>,
    batch: ReadBatch,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// `fd` is `stream`'s socket, if it is one, for read batching (see [`ReadBatch`]).
    pub(crate) fn new(
        inner: Arc<Inner>,
        stream: S,
        fd: Option<RawFd>,
        token: CancellationToken,
    ) -> Self {
        let limits = ReaderLimits {
            max_message_len: inner.config.max_message_bytes,
            max_chunk_streams: inner.config.max_chunk_streams,
            ..ReaderLimits::default()
        };
        let batch = ReadBatch::new(fd, inner.config.read_batch);
        Connection {
            inner,
            stream,
            batch,
            session: ServerSession::new(ServerConfig {
                limits,
                ..ServerConfig::default()
            }),
            token,
            publishing: None,
            waiting_since: Instant::now(),
            session_key: None,
        }
    }

    /// Runs the connection to its end, then hands any broadcast to the grace period (or ends
    /// it at shutdown).
    pub(crate) async fn run(&mut self) -> Result<End, IngestError> {
        let result = self.drive().await;
        // A codec we cannot remux, or a full disk, will not change on reconnect: tell the
        // publisher why and end the broadcast at once. So does the host's "end".
        let end_now = match &result {
            Err(IngestError::Flv(flv::FlvError::UnsupportedCodec(codec))) => {
                self.refuse_codec(&codec.to_string()).await;
                true
            }
            Err(IngestError::StorageFull(_)) => {
                self.fail_publish(
                    "The server's media storage is full, so this broadcast has ended; what \
                     was stored is its replay. Publish again once its operator has freed space.",
                )
                .await;
                true
            }
            Ok(End::EndedByHost) => {
                self.fail_publish(
                    "The host ended this broadcast in the studio; its replay is ready. \
                     Publishing again starts a new broadcast.",
                )
                .await;
                true
            }
            _ => false,
        };
        let shutdown = self.inner.shutdown.is_cancelled();
        let leave = if shutdown || end_now {
            Leave::End
        } else {
            Leave::Dropped
        };
        self.release(leave).await;
        match result {
            Ok(_) if shutdown => Ok(End::Shutdown),
            other => other,
        }
    }

    /// Sends the publisher an `onStatus` error naming the codec, best effort: the
    /// connection closes next either way.
    async fn refuse_codec(&mut self, codec: &str) {
        let description = format!(
            "liboo takes H.264 video with AAC audio and remuxes them without re-encoding; \
             this stream sends {codec}. Choose x264 (or another H.264 encoder) and AAC."
        );
        self.fail_publish(&description).await;
    }

    /// Sends the publisher an `onStatus` error with `description`, best effort: the
    /// connection closes next either way.
    async fn fail_publish(&mut self, description: &str) {
        let Some(stream_id) = self.publishing.as_ref().map(|p| p.stream_id) else {
            return;
        };
        if self
            .session
            .fail_publish(stream_id, "NetStream.Failed", description)
            .is_ok()
            && self.flush().await.is_ok()
        {
            // Publishers read replies only between writes: give this one a moment to see
            // the status (it hangs up when it does) before the connection closes.
            let mut sink = vec![0u8; 64 * 1024];
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while matches!(self.stream.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
        }
    }

    async fn drive(&mut self) -> Result<End, IngestError> {
        let mut buf = vec![0u8; 64 * 1024];
        let config = &self.inner.config;
        let shortest = [
            config.media_timeout,
            config.handshake_timeout,
            config.idle_timeout,
            // Every tick is a wake-up per connection; timeouts are seconds long.
            Duration::from_secs(2),
        ]
        .into_iter()
        .min()
        .expect("not empty");
        let mut tick = tokio::time::interval(shortest / 2);
        // Socket reads that returned bytes: with read batching, about ten per second of a
        // publishing stream. The handle is looked up once, not per read.
        let reads = metrics::counter!("liboo_ingest_socket_reads_total");
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let n = tokio::select! {
                _ = self.token.cancelled() => {
                    return Ok(if self.inner.shutdown.is_cancelled() { End::Shutdown } else { End::Replaced });
                }
                r = self.stream.read(&mut buf) => r?,
                report = async {
                    match self.publishing.as_mut() {
                        Some(p) => p.packager.next_report().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Some(p) = self.publishing.as_mut() {
                        p.packager.on_report(report)?;
                    }
                    continue;
                }
                _ = tick.tick() => {
                    self.batch.on_tick();
                    if self.on_tick()? {
                        return Ok(End::EndedByHost);
                    }
                    continue;
                }
            };
            if n == 0 {
                return Ok(End::HangUp);
            }
            reads.increment(1);
            let handshaking = !self.session.handshake_done();
            // Events queued before an error are still handled and any reply still sent.
            let fed = self.session.feed(&buf[..n]);
            if handshaking && self.session.handshake_done() {
                self.waiting_since = Instant::now();
            }
            let mut refused = false;
            while let Some(event) = self.session.poll_event() {
                refused |= !self.on_event(event).await?;
            }
            self.flush().await?;
            fed?;
            self.batch
                .after_read(n, self.publishing.is_some(), self.session.incomplete());
            if refused {
                let _ = self.stream.shutdown().await;
                return Ok(End::Refused);
            }
        }
    }

    /// Writes what the session has for the peer. A peer that stops reading would block
    /// this task (and with it the media timeout and a takeover by a new publisher), so a
    /// write that cannot finish within the media timeout ends the connection.
    async fn flush(&mut self) -> Result<(), IngestError> {
        let out = self.session.take_output();
        if !out.is_empty() {
            let timeout = self.inner.config.media_timeout;
            let write = async {
                self.stream.write_all(&out).await?;
                self.stream.flush().await
            };
            tokio::time::timeout(timeout, write)
                .await
                .map_err(|_| IngestError::Timeout(timeout))??;
        }
        Ok(())
    }

    /// Checks the timeouts and sends the heartbeat; `Ok(true)` when the broadcast is to
    /// end now (the host ended it).
    fn on_tick(&mut self) -> Result<bool, IngestError> {
        let config = &self.inner.config;
        let timeout = config.media_timeout;
        let Some(p) = self.publishing.as_mut() else {
            // Not publishing: whatever else arrives, the handshake and then a publish must
            // come in time. A trickle of bytes or of pings does not keep a socket.
            let waited = self.waiting_since.elapsed();
            if !self.session.handshake_done() {
                if waited > config.handshake_timeout {
                    return Err(IngestError::HandshakeTimeout(config.handshake_timeout));
                }
            } else if waited > config.idle_timeout {
                return Err(IngestError::IdleTimeout(config.idle_timeout));
            }
            return Ok(false);
        };
        if p.ending.load(Ordering::Relaxed) {
            return Ok(true);
        }
        if p.last_media.elapsed() > timeout {
            return Err(IngestError::Timeout(timeout));
        }
        if p.last_heartbeat.elapsed() >= HEARTBEAT_EVERY {
            p.last_heartbeat = Instant::now();
            broadcast::heartbeat(&self.inner, &mut p.packager, &p.ending);
        }
        Ok(false)
    }

    /// Handles one session event; `false` means the publish was refused and the connection
    /// should close once the reply is out.
    async fn on_event(&mut self, event: ServerEvent) -> Result<bool, IngestError> {
        match event {
            ServerEvent::PublishRequested {
                stream_id,
                app,
                stream_key,
                ..
            } => return self.on_publish(stream_id, &app, &stream_key).await,
            ServerEvent::Video {
                stream_id,
                timestamp,
                data,
            } => self.on_media(stream_id, timestamp, data, true)?,
            ServerEvent::Audio {
                stream_id,
                timestamp,
                data,
            } => self.on_media(stream_id, timestamp, data, false)?,
            ServerEvent::Unpublished { stream_id } => {
                if self.publishing.as_ref().map(|p| p.stream_id) == Some(stream_id) {
                    self.release(Leave::Clean).await;
                }
            }
            ServerEvent::Connected { .. }
            | ServerEvent::Metadata { .. }
            | ServerEvent::Data { .. } => {}
        }
        Ok(true)
    }

    fn on_media(
        &mut self,
        stream_id: u32,
        timestamp: u32,
        data: Bytes,
        video: bool,
    ) -> Result<(), IngestError> {
        let Some(p) = self
            .publishing
            .as_mut()
            .filter(|p| p.stream_id == stream_id)
        else {
            return Ok(());
        };
        if data.is_empty() {
            return Ok(());
        }
        p.last_media = Instant::now();
        p.last_media_ms.store(now_ms(), Ordering::Relaxed);
        let ts = p.timestamps.extend(timestamp);
        if video {
            let len = data.len();
            let keyframe = p.packager.video(ts, data)?;
            self.batch.on_video(ts, keyframe, len);
            Ok(())
        } else {
            p.packager.audio(ts, data)
        }
    }

    async fn refuse(&mut self, stream_id: u32, code: &str, why: &str) -> Result<bool, IngestError> {
        tracing::info!(
            session_key = self.session_key.as_deref().unwrap_or("-"),
            code,
            why,
            "publish refused"
        );
        self.session.reject_publish(stream_id, code, why)?;
        Ok(false)
    }

    async fn on_publish(
        &mut self,
        stream_id: u32,
        app: &str,
        stream_key: &str,
    ) -> Result<bool, IngestError> {
        if self.publishing.is_some() {
            return self
                .refuse(stream_id, DENIED, "This connection is already publishing.")
                .await;
        }
        if app != APP {
            return self
                .refuse(
                    stream_id,
                    BAD_NAME,
                    "Unknown application; publish to /live.",
                )
                .await;
        }
        let hash = liboo_db::hash_secret(stream_key);
        let Some(channel) = self.inner.db.channel_by_stream_key_hash(&hash).await? else {
            return self
                .refuse(stream_id, BAD_NAME, "Unknown stream key.")
                .await;
        };
        self.session_key = Some(channel.session_key.clone());
        if let Some(free) = self.inner.storage_full() {
            tracing::error!(
                session_key = %channel.session_key,
                free_bytes = free,
                needed_bytes = self.inner.config.min_free_bytes.saturating_mul(2),
                folder = %self.inner.media.local_root().map(|p| p.display().to_string()).unwrap_or_default(),
                "publish refused: the disk under media storage is full; free space there or point --storage-url at a larger one"
            );
            return self
                .refuse(
                    stream_id,
                    DENIED,
                    "The server's media storage is full; try again once space is freed.",
                )
                .await;
        }
        let last_media_ms = Arc::new(AtomicI64::new(now_ms()));
        let publisher = Publisher {
            last_media_ms: last_media_ms.clone(),
            kick: self.token.clone(),
        };
        let (packager, resumed) =
            match broadcast::publish(&self.inner, &channel, &publisher).await? {
                Publish::Accepted { packager, resumed } => (packager, resumed),
                Publish::AlreadyLive => {
                    return self
                        .refuse(stream_id, DENIED, "This stream key is already live.")
                        .await;
                }
            };
        tracing::info!(
            session_key = %channel.session_key,
            video_id = %packager.info.video_id,
            resumed,
            "publish started"
        );
        self.session.accept_publish(stream_id)?;
        self.publishing = Some(Publishing {
            stream_id,
            channel_id: channel.id,
            packager,
            timestamps: TimestampExtender::default(),
            last_media: Instant::now(),
            last_media_ms,
            last_heartbeat: Instant::now(),
            ending: Arc::default(),
        });
        Ok(true)
    }

    /// The publisher stopped or left: its broadcast goes on as `how` says.
    async fn release(&mut self, how: Leave) {
        let Some(p) = self.publishing.take() else {
            return;
        };
        self.waiting_since = Instant::now();
        broadcast::leave(&self.inner, p.channel_id, p.packager, how).await;
    }
}
