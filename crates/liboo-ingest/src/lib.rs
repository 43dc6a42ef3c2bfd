//! liboo's RTMP ingest: accepts publishers (OBS, ffmpeg) on `rtmp://host/live/{streamKey}`,
//! remuxes their H.264 and AAC into HLS without decoding, stores the media, and keeps the
//! broadcast's state in the database.
//!
//! Two packagings, chosen by [`IngestConfig::part_target`]. The default
//! ([`IngestConfig::default`], since [`liboo_service::defaults::LOW_LATENCY`] is true) is
//! low-latency HLS: fMP4 (CMAF) segments made of parts of at most
//! [`PART_SECONDS`](liboo_service::defaults::PART_SECONDS), an init segment per codec
//! configuration, and playlists with `EXT-X-PART`, preload hints and blocking reloads
//! (RFC 8216bis). `None` gives the alternative, classic HLS (RFC 8216) with MPEG-TS
//! segments. Either way a segment starts on a keyframe (see [`hls::LiveSegmenter`]).
//!
//! Data flows one way: connection task ([`rtmp::ServerSession`] over the socket) -> packager
//! (FLV tags -> [`hls::LiveSegmenter`] -> segments, parts and playlists) -> bounded queue ->
//! uploader task -> media storage, and the uploader's reports of what it stored flow back to
//! the packager, which lists only that. The uploader takes everything queued at once into a
//! bounded backlog (it rides out a failing store), so the publisher never waits; what it
//! drops is counted.
//!
//! Modules, one job each:
//!
//! - `connection`: one publisher's socket and its [`rtmp::ServerSession`], the handshake,
//!   idle and media timeouts, and the publish requests it hands to the lifecycle;
//!   `read_batch` raises its socket's `SO_RCVLOWAT` while publishing, for fewer wake-ups.
//! - `broadcast/`: the broadcast lifecycle in one place, its states and transitions as a
//!   table (start, live, reconnect grace, end, abandoned); `registry`, what this node holds;
//!   the sweeper ([`sweep_abandoned`], [`end_abandoned`]); and `salvage`, the replay of a
//!   broadcast whose node died ([`salvage_replay`]).
//! - `packager/`: one broadcast's tags to stored media: `flv_in` parses tags and keeps the
//!   codec configuration, `upload` queues what the segmenter made and takes the uploader's
//!   reports back, `listing` (sans-IO) decides what the playlists name, `publish` renders
//!   and queues the playlists, `finish` ends the media.
//! - `uploader`: stores objects in order, retries a failing store while backlogging, and
//!   stops a broadcast's media when the local disk is full.
//! - `playlists`: the live playlists as last stored ([`LivePlaylists`]), for answering
//!   blocking reloads without polling storage.
//! - `ladder`: lower renditions made with ffmpeg (`--transcode`), each through a packager
//!   of its own, and the master playlists listing them.
//! - `frames`: frame thumbnails of live broadcasts, decoded with ffmpeg.
//! - `health`: what the host's studio shows about the stream, sent with each heartbeat.
//! - `timestamp`: RTMP's wrapping 32-bit timestamps on a 64-bit timeline.
//! - `error`: [`IngestError`].
//!
//! Storage layout (names from [`liboo_storage::layout`]), per broadcast
//! `live/{sessionKey}/{videoId}/`: the live `index.m3u8`; with LL-HLS `init{N}.mp4`,
//! `seg{N:05}.m4s` and its parts `seg{N:05}.{i}.m4s` (deleted a few segments later), with
//! classic HLS `seg{N:05}.ts`; `replay.m3u8`, an EVENT playlist stored every few segments
//! while live and a VOD one (every segment with its exact duration) when the broadcast ends;
//! `frame.jpg` with ffmpeg; and with a ladder `master.m3u8` and a `{height}p/` folder per
//! rendition. Plus the channel's stable `live/{sessionKey}/index.m3u8` (and `master.m3u8`
//! with a ladder), which always plays the current broadcast.
//!
//! A publisher that drops keeps its broadcast for [`IngestConfig::reconnect_grace`]; coming back
//! in time continues it after an `EXT-X-DISCONTINUITY`.

#![warn(missing_docs)]

mod broadcast;
mod connection;
mod error;
mod ffmpeg;
mod frames;
mod health;
mod ladder;
mod packager;
mod playlists;
mod read_batch;
mod timestamp;
mod uploader;

use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use liboo_db::Db;
use liboo_service::{Acceptor, Next};
use liboo_storage::MediaStore;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use error::IngestError;

pub use broadcast::{end_abandoned, salvage_replay, sweep_abandoned};
use connection::{Connection, End};
pub use playlists::{LivePlaylists, Snapshot};

/// At most this many RTMP connections at once; a publisher needs one, so this is far above
/// any real load and only stops a flood of idle sockets.
const MAX_CONNECTIONS: usize = 512;

/// Ingest settings.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// A segment ends at the first keyframe at least this long after its start.
    pub segment_target: Duration,
    /// Segments listed in the live playlists.
    pub live_window: usize,
    /// How long a dropped publisher's broadcast waits for it to come back.
    pub reconnect_grace: Duration,
    /// No data for this long and the publisher is dropped.
    pub media_timeout: Duration,
    /// Time a new connection has to finish the RTMP handshake (C0 to C2). OBS and ffmpeg
    /// take a round trip; a client that sends nothing or half a handshake only holds a
    /// socket.
    pub handshake_timeout: Duration,
    /// Time a connection may go without publishing once its handshake is done (or its
    /// publish has ended), however much else it sends. Publishers ask to publish right
    /// after `connect`; the media timeout covers a publishing connection.
    pub idle_timeout: Duration,
    /// Largest RTMP message a peer may announce, in bytes. Whole messages are buffered,
    /// so this bounds what one costs; a keyframe is the largest thing a publisher sends.
    pub max_message_bytes: u32,
    /// Chunk streams one connection may use. Each needs a header and perhaps a partial
    /// message kept; publishers use fewer than ten.
    pub max_chunk_streams: usize,
    /// Capacity of the queue between a broadcast's packager and its uploader.
    pub upload_queue: usize,
    /// Bytes to keep free on the disk under a local media store: media is not written
    /// into them (a broadcast that would ends, and new ones are refused), so the final
    /// playlists, and a database on the same disk, still fit.
    pub min_free_bytes: u64,
    /// Open RTMP connections per client IP; `None` for no limit. A publisher needs one,
    /// so a few cover a studio behind one address with room for reconnects.
    pub max_connections_per_ip: Option<u32>,
    /// LL-HLS with fMP4 parts of at most this length; `None` for classic HLS with
    /// MPEG-TS segments.
    pub part_target: Option<Duration>,
    /// Absolute base of media URIs in the channel's live playlist (`BASE/live/...`), for
    /// when players fetch playlists from liboo and media from a bucket or CDN; `None`:
    /// relative URIs.
    pub media_uri_base: Option<String>,
    /// Heights of the lower renditions to make with ffmpeg (`--transcode`); empty for
    /// none. Only rungs below the source's height are made.
    pub ladder: Vec<u32>,
    /// Media time a publisher's socket gathers before it is read (see `read_batch.rs`):
    /// fewer wake-ups, at most this much later; zero reads every message as it comes.
    pub read_batch: Duration,
    /// Whether ffmpeg runs here (found when the service starts).
    pub transcoder_available: bool,
    /// Media time between two frame thumbnails of a live broadcast (made with ffmpeg,
    /// when it is installed); zero for none.
    pub frame_interval: Duration,
}

/// liboo's defaults ([`liboo_service::defaults`]), as `liboo serve` runs: LL-HLS, and
/// no ffmpeg until [`Ingest::new`] finds it.
impl Default for IngestConfig {
    fn default() -> Self {
        use liboo_service::defaults as d;
        IngestConfig {
            segment_target: Duration::from_secs_f64(d::SEGMENT_SECONDS),
            live_window: d::LIVE_WINDOW,
            reconnect_grace: Duration::from_secs_f64(d::RECONNECT_GRACE_SECONDS),
            media_timeout: Duration::from_secs_f64(d::RTMP_MEDIA_TIMEOUT_SECONDS),
            handshake_timeout: Duration::from_secs_f64(d::RTMP_HANDSHAKE_TIMEOUT_SECONDS),
            idle_timeout: Duration::from_secs_f64(d::RTMP_IDLE_TIMEOUT_SECONDS),
            max_message_bytes: d::RTMP_MAX_MESSAGE_BYTES,
            max_chunk_streams: d::RTMP_MAX_CHUNK_STREAMS as usize,
            upload_queue: 64,
            min_free_bytes: d::STORAGE_MIN_FREE_MB << 20,
            max_connections_per_ip: Some(d::RTMP_MAX_CONNECTIONS_PER_IP),
            part_target: d::LOW_LATENCY.then(|| Duration::from_secs_f64(d::PART_SECONDS)),
            // The ladder is off unless asked for (`--transcode`).
            ladder: Vec::new(),
            transcoder_available: false,
            media_uri_base: None,
            frame_interval: Duration::from_secs_f64(d::FRAME_SECONDS),
            read_batch: Duration::from_millis(u64::from(d::RTMP_READ_BATCH_MS)),
        }
    }
}

/// The RTMP ingest service. Cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) db: Db,
    pub(crate) media: MediaStore,
    pub(crate) config: IngestConfig,
    pub(crate) registry: broadcast::Registry<broadcast::ResumeHandle>,
    pub(crate) frames: Option<Arc<frames::Frames>>,
    pub(crate) playlists: LivePlaylists,
    /// Fired when `serve`'s token fires: connections and grace timers end their broadcasts.
    pub(crate) shutdown: CancellationToken,
    /// Connections and grace timers, so shutdown waits for every broadcast to be finished.
    pub(crate) tasks: TaskTracker,
    next_id: AtomicU64,
}

impl Ingest {
    /// The live playlists this node makes, for answering blocking reloads.
    pub fn playlists(&self) -> LivePlaylists {
        self.inner.playlists.clone()
    }

    /// The service over `db` and `media`. Looks for ffmpeg when `config` asks for a
    /// ladder or frame thumbnails, and sets [`IngestConfig::transcoder_available`] from it.
    pub fn new(db: Db, media: MediaStore, mut config: IngestConfig) -> Ingest {
        let wants_ffmpeg = !config.frame_interval.is_zero() || !config.ladder.is_empty();
        let ffmpeg = wants_ffmpeg && ffmpeg::available();
        if !config.ladder.is_empty() && !ffmpeg {
            tracing::warn!(
                "--transcode: ffmpeg not found, so broadcasts get their source rendition only; install ffmpeg on ingest nodes for the quality ladder"
            );
        }
        config.transcoder_available = ffmpeg;
        let frames = if config.frame_interval.is_zero() {
            None
        } else {
            frames::Frames::new(db.clone(), media.clone(), ffmpeg)
        };
        Ingest {
            inner: Arc::new(Inner {
                frames,
                playlists: LivePlaylists::default(),
                db,
                media,
                config,
                registry: broadcast::Registry::default(),
                shutdown: CancellationToken::new(),
                tasks: TaskTracker::new(),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// Accepts RTMP connections until `cancel` fires; on cancel, ends every live broadcast
    /// cleanly (flush partial segment, write ENDLIST playlists and replay, end_broadcast in DB)
    /// before returning.
    pub async fn serve(self, listener: TcpListener, cancel: CancellationToken) {
        let inner = self.inner;
        let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut acceptor = Acceptor::new(listener, "RTMP", inner.config.max_connections_per_ip);
        loop {
            let permit = tokio::select! {
                _ = cancel.cancelled() => break,
                p = permits.clone().acquire_owned() => p.expect("semaphore never closed"),
            };
            let accepted = match acceptor.next(&cancel).await {
                Next::Connection(accepted) => accepted,
                Next::OverLimit { peer, limit } => {
                    metrics::counter!("liboo_ingest_refused_connections_total", "why" => "per_ip")
                        .increment(1);
                    metrics::counter!("liboo_limit_hits_total", "limit" => "rtmp_max_connections_per_ip")
                        .increment(1);
                    tracing::warn!(%peer, limit, "RTMP connection refused: too many from this address (--rtmp-max-connections-per-ip)");
                    continue;
                }
                Next::Cancelled => break,
            };
            let inner = inner.clone();
            inner.clone().tasks.spawn(async move {
                let (socket, peer, place) = accepted.into_parts();
                let fd = socket.as_raw_fd();
                serve_connection(inner, socket, Some(fd), peer.to_string()).await;
                drop(place);
                drop(permit);
            });
        }
        inner.shutdown.cancel();
        inner.tasks.close();
        inner.tasks.wait().await;
        tracing::info!("ingest stopped");
    }
}

/// Runs one connection and logs one line about how it ended.
async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    inner: Arc<Inner>,
    stream: S,
    fd: Option<RawFd>,
    peer: String,
) {
    let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
    let token = inner.shutdown.child_token();
    let mut conn = Connection::new(inner, stream, fd, token);
    let result = conn.run().await;
    let session_key = conn.session_key.as_deref().unwrap_or("-");
    match result {
        Ok(End::HangUp) => {
            tracing::info!(conn = id, %peer, session_key, "connection closed by peer")
        }
        Ok(End::Refused) => {
            tracing::info!(conn = id, %peer, session_key, "connection closed: publish refused")
        }
        Ok(End::Shutdown) => {
            tracing::info!(conn = id, %peer, session_key, "connection closed: shutting down")
        }
        Ok(End::EndedByHost) => {
            tracing::info!(conn = id, %peer, session_key, "connection closed: the host ended the broadcast")
        }
        Ok(End::Replaced) => {
            tracing::warn!(conn = id, %peer, session_key, "connection closed: stale publisher replaced")
        }
        Err(e) if e.is_disconnect() => {
            tracing::info!(conn = id, %peer, session_key, reason = %e, "connection closed by peer")
        }
        Err(e) if e.limit().is_some() => {
            let (limit, flag) = e.limit().expect("matched");
            metrics::counter!("liboo_limit_hits_total", "limit" => limit).increment(1);
            tracing::warn!(conn = id, %peer, session_key, error = %e, limit, raise_with = flag, "RTMP connection closed: over a limit");
        }
        Err(e) => {
            tracing::warn!(conn = id, %peer, session_key, error = %e, "connection closed: fault")
        }
    }
}

impl Inner {
    /// Free bytes on the disk under a local media store, when too few to start a
    /// broadcast: twice the reserve, so that one that starts can run a while before it
    /// reaches the reserve and ends.
    pub(crate) fn storage_full(&self) -> Option<u64> {
        let needed = self.config.min_free_bytes.saturating_mul(2);
        self.media.free_space().filter(|free| *free < needed)
    }
}

pub(crate) use liboo_service::now_ms;
