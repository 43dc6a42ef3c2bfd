//! `liboo serve` settings: each a flag, a `LIBOO_*` environment variable, and a key of
//! the optional TOML file given by `--config`, in that order of precedence.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use liboo_service::defaults;
use serde::Deserialize;

/// A part of liboo that a node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// RTMP ingest: publishers in, HLS segments out to storage.
    Ingest,
    /// The broadcast API under /api.
    Api,
    /// socket.io chat under /chat/socket.io.
    Chat,
    /// The web app.
    Web,
}

/// How live streams are packaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HlsFormat {
    /// Low-latency HLS: fMP4 parts, blocking playlist reload.
    Ll,
    /// Classic HLS: MPEG-TS segments.
    Ts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// Flags of `liboo serve`. Each is optional here so that a value given on the command
/// line or in the environment can be told from one to take from the file or default.
#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys as the flags, with underscores).
    #[arg(long, env = "LIBOO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where the web UI, /api, /chat/socket.io, /media, /healthz, /readyz and /metrics
    /// listen [default: 0.0.0.0:8080].
    #[arg(long, env = "LIBOO_HTTP_ADDR", value_name = "ADDR")]
    pub http_addr: Option<SocketAddr>,

    /// Where RTMP publishers (OBS, ffmpeg) connect [default: 0.0.0.0:1935].
    #[arg(long, env = "LIBOO_RTMP_ADDR", value_name = "ADDR")]
    pub rtmp_addr: Option<SocketAddr>,

    /// Folder for the SQLite database, local media and the generated server secret
    /// [default: ./liboo-data].
    #[arg(long, env = "LIBOO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// sqlite://PATH or mysql://USER[:PASSWORD]@HOST:PORT/DATABASE (MariaDB too)
    /// [default: SQLite in the data dir].
    #[arg(
        long,
        env = "LIBOO_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// redis://HOST:PORT: share chat and viewer counts between nodes through Redis
    /// [default: unset, everything in this process].
    #[arg(
        long,
        env = "LIBOO_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key liboo writes [default: liboo:].
    #[arg(long, env = "LIBOO_REDIS_PREFIX", value_name = "PREFIX")]
    pub redis_prefix: Option<String>,

    /// file:///PATH or s3://BUCKET[/PREFIX] for segments, playlists and thumbnails
    /// [default: the media folder in the data dir].
    #[arg(long, env = "LIBOO_STORAGE_URL", value_name = "URL")]
    pub storage_url: Option<String>,

    /// Endpoint of an S3-compatible store that is not AWS, e.g. http://minio:9000.
    /// Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "LIBOO_S3_ENDPOINT", value_name = "URL")]
    pub s3_endpoint: Option<String>,

    /// S3 region [default: AWS_REGION, or us-east-1].
    #[arg(long, env = "LIBOO_S3_REGION", value_name = "REGION")]
    pub s3_region: Option<String>,

    /// Address the bucket as ENDPOINT/BUCKET (MinIO, moto, Ceph) rather than
    /// BUCKET.ENDPOINT.
    #[arg(long, env = "LIBOO_S3_PATH_STYLE", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true")]
    pub s3_path_style: Option<bool>,

    /// With media in a local folder: MB to keep free on its disk. A broadcast whose next
    /// segment would go below ends (the rest goes to its final playlists and the
    /// database), and new broadcasts are refused until there is room [default: 256].
    #[arg(long, env = "LIBOO_STORAGE_MIN_FREE_MB", value_name = "MB")]
    pub storage_min_free_mb: Option<u64>,

    /// How browsers reach this server [default: http://localhost:PORT].
    #[arg(long, env = "LIBOO_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// How browsers reach media: liboo's /media, a bucket's public URL or a CDN
    /// [default: PUBLIC_URL/media].
    #[arg(long, env = "LIBOO_MEDIA_PUBLIC_URL", value_name = "URL")]
    pub media_public_url: Option<String>,

    /// The RTMP URL hosts give OBS, shown in the studio [default: rtmp://HOST:RTMP_PORT/live,
    /// HOST from --public-url].
    #[arg(long, env = "LIBOO_RTMP_PUBLIC_URL", value_name = "URL")]
    pub rtmp_public_url: Option<String>,

    /// Parts this node runs, comma-separated [default: all of them].
    #[arg(long, env = "LIBOO_ROLES", value_name = "ROLES", value_delimiter = ',')]
    pub roles: Option<Vec<Role>>,

    /// Origins allowed to call /api from a browser (a LiBoo client hosted elsewhere),
    /// comma-separated; other origins get no CORS headers. Never with credentials
    /// [default: *, any origin].
    #[arg(
        long,
        env = "LIBOO_CORS_ORIGINS",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Option<Vec<String>>,

    /// Log lines for people or for machines [default: human].
    #[arg(long, env = "LIBOO_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    /// HLS segment target length in seconds [default: 2].
    #[arg(long, env = "LIBOO_SEGMENT_SECONDS", value_name = "SECONDS")]
    pub segment_seconds: Option<f64>,

    /// Seconds a publisher may be gone and come back into the same broadcast
    /// [default: 10].
    #[arg(long, env = "LIBOO_RECONNECT_GRACE", value_name = "SECONDS")]
    pub reconnect_grace: Option<f64>,

    /// Chat messages one user may send per window, 0 for no limit [default: 5].
    #[arg(long, env = "LIBOO_CHAT_RATE_LIMIT", value_name = "COUNT")]
    pub chat_rate_limit: Option<u32>,

    /// The chat rate limit's window in seconds [default: 5].
    #[arg(long, env = "LIBOO_CHAT_RATE_WINDOW", value_name = "SECONDS")]
    pub chat_rate_window: Option<f64>,

    /// Open chat connections per client IP, 0 for no limit [default: 50].
    #[arg(long, env = "LIBOO_CHAT_MAX_CONNECTIONS_PER_IP", value_name = "COUNT")]
    pub chat_max_connections_per_ip: Option<u32>,

    /// ll: low-latency HLS (fMP4 parts, blocking playlist reload; about 1-2 s behind
    /// live); ts: classic HLS with MPEG-TS segments, for old players [default: ll].
    #[arg(long, env = "LIBOO_HLS_FORMAT", value_name = "FORMAT")]
    pub hls_format: Option<HlsFormat>,

    /// Make lower renditions of each broadcast with ffmpeg (a quality ladder) next to
    /// the untouched source, and give players a master playlist [default: false].
    #[arg(long, env = "LIBOO_TRANSCODE", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true")]
    pub transcode: Option<bool>,

    /// Heights of the ladder's renditions, comma-separated; only those below the
    /// source's are made [default: 720,480,360].
    #[arg(
        long,
        env = "LIBOO_LADDER",
        value_name = "HEIGHTS",
        value_delimiter = ','
    )]
    pub ladder: Option<Vec<u32>>,

    /// Longest LL-HLS part in seconds [default: 0.334].
    #[arg(long, env = "LIBOO_PART_SECONDS", value_name = "SECONDS")]
    pub part_seconds: Option<f64>,

    /// Seconds of a live stream between two frame thumbnails (ffmpeg on ingest nodes
    /// decodes one keyframe), shown on the main page; 0 for none [default: 30].
    #[arg(long, env = "LIBOO_FRAME_SECONDS", value_name = "SECONDS")]
    pub frame_seconds: Option<f64>,

    /// Open RTMP connections per client IP, 0 for no limit [default: 16].
    #[arg(long, env = "LIBOO_RTMP_MAX_CONNECTIONS_PER_IP", value_name = "COUNT")]
    pub rtmp_max_connections_per_ip: Option<u32>,

    /// Seconds an RTMP client has to finish its handshake after connecting [default: 10].
    #[arg(long, env = "LIBOO_RTMP_HANDSHAKE_TIMEOUT", value_name = "SECONDS")]
    pub rtmp_handshake_timeout: Option<f64>,

    /// Seconds an RTMP connection may go without publishing after its handshake or its
    /// last publish, however much else it sends [default: 10].
    #[arg(long, env = "LIBOO_RTMP_IDLE_TIMEOUT", value_name = "SECONDS")]
    pub rtmp_idle_timeout: Option<f64>,

    /// Largest RTMP message a publisher may send, in bytes (a keyframe is the largest);
    /// at most 16777215 [default: 8388608].
    #[arg(long, env = "LIBOO_RTMP_MAX_MESSAGE_BYTES", value_name = "BYTES")]
    pub rtmp_max_message_bytes: Option<u32>,

    /// Chunk streams one RTMP connection may use (publishers use fewer than ten)
    /// [default: 64].
    #[arg(long, env = "LIBOO_RTMP_MAX_CHUNK_STREAMS", value_name = "COUNT")]
    pub rtmp_max_chunk_streams: Option<u32>,

    /// Milliseconds of a publisher's stream to gather before reading its socket: fewer
    /// wake-ups (far less CPU per stream), each frame at most this much later; a message
    /// that has begun to arrive, such as the keyframe that ends a segment, is read as
    /// soon as it is complete. 0 reads every message as it comes [default: 100].
    #[arg(long, env = "LIBOO_RTMP_READ_BATCH_MS", value_name = "MS")]
    pub rtmp_read_batch_ms: Option<u32>,

    /// Largest HTTP request head (request line and headers), in bytes; a bigger one gets
    /// 431 [default: 16384].
    #[arg(long, env = "LIBOO_HTTP_MAX_HEADER_BYTES", value_name = "BYTES")]
    pub http_max_header_bytes: Option<u32>,

    /// Largest body of POST /api/host/update, in bytes: it must hold a host's 5 MB
    /// thumbnail sent as base64 JSON. Other API calls take at most 64 KiB. A bigger body
    /// gets 413 [default: 8388608].
    #[arg(long, env = "LIBOO_HTTP_MAX_BODY_BYTES", value_name = "BYTES")]
    pub http_max_body_bytes: Option<u32>,

    /// Seconds an HTTP client has to send a request's headers, counted from when the
    /// server starts waiting for them: on a new connection, and between requests on a
    /// kept-alive one (so it also closes idle connections) [default: 15].
    #[arg(long, env = "LIBOO_HTTP_HEADER_TIMEOUT", value_name = "SECONDS")]
    pub http_header_timeout: Option<f64>,

    /// Largest socket.io message a chat client may send, in bytes (over WebSocket or a
    /// polling request); a bigger one closes that connection [default: 65536].
    #[arg(long, env = "LIBOO_CHAT_MAX_PAYLOAD_BYTES", value_name = "BYTES")]
    pub chat_max_payload_bytes: Option<u32>,

    /// Serve the web app from this folder (a `vite build` of web/) instead of the copy
    /// built into the binary; for working on the app [default: the built-in copy].
    #[arg(long, env = "LIBOO_WEB_DIR", value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
}

/// The TOML file: the same settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    http_addr: Option<SocketAddr>,
    rtmp_addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    storage_url: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_path_style: Option<bool>,
    storage_min_free_mb: Option<u64>,
    public_url: Option<String>,
    media_public_url: Option<String>,
    rtmp_public_url: Option<String>,
    roles: Option<Vec<Role>>,
    cors_origins: Option<Vec<String>>,
    log_format: Option<LogFormat>,
    segment_seconds: Option<f64>,
    reconnect_grace: Option<f64>,
    chat_rate_limit: Option<u32>,
    chat_rate_window: Option<f64>,
    chat_max_connections_per_ip: Option<u32>,
    hls_format: Option<HlsFormat>,
    transcode: Option<bool>,
    ladder: Option<Vec<u32>>,
    part_seconds: Option<f64>,
    frame_seconds: Option<f64>,
    rtmp_max_connections_per_ip: Option<u32>,
    rtmp_handshake_timeout: Option<f64>,
    rtmp_idle_timeout: Option<f64>,
    rtmp_max_message_bytes: Option<u32>,
    rtmp_max_chunk_streams: Option<u32>,
    rtmp_read_batch_ms: Option<u32>,
    http_max_header_bytes: Option<u32>,
    http_max_body_bytes: Option<u32>,
    http_header_timeout: Option<f64>,
    chat_max_payload_bytes: Option<u32>,
    web_dir: Option<PathBuf>,
    /// The server secret may be kept in the file instead of the environment.
    secret: Option<String>,
}

/// Settings after merging flags, environment, file and defaults.
#[derive(Debug, Clone)]
pub struct Config {
    pub http_addr: SocketAddr,
    pub rtmp_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub storage_url: String,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_path_style: bool,
    /// Bytes to keep free under a local media store.
    pub storage_min_free: u64,
    pub public_url: String,
    pub media_public_url: String,
    pub rtmp_public_url: String,
    pub roles: Vec<Role>,
    /// Origins that may call `/api` from a browser; empty or `*`: any.
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    pub segment_target: Duration,
    pub reconnect_grace: Duration,
    /// Messages per window per user; `None`: no limit.
    pub chat_rate_limit: Option<(u32, Duration)>,
    pub chat_max_connections_per_ip: Option<u32>,
    /// LL-HLS part length; `None` for classic MPEG-TS HLS.
    pub part_target: Option<Duration>,
    /// Rendition heights with `--transcode`; empty without.
    pub ladder: Vec<u32>,
    pub frame_interval: Duration,
    pub rtmp_max_connections_per_ip: Option<u32>,
    pub rtmp_handshake_timeout: Duration,
    pub rtmp_idle_timeout: Duration,
    pub rtmp_max_message_bytes: u32,
    pub rtmp_max_chunk_streams: usize,
    pub rtmp_read_batch: Duration,
    pub http_max_header_bytes: usize,
    pub http_max_body_bytes: usize,
    pub http_header_timeout: Duration,
    pub chat_max_payload_bytes: u64,
    pub web_dir: Option<PathBuf>,
    /// From `LIBOO_SECRET` or the file; otherwise kept in the data dir.
    pub secret: Option<String>,
}

impl Config {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The name of a channel's live playlist under `live/{sessionKey}/`: the master
    /// playlist with a quality ladder, else the media playlist.
    pub fn live_playlist_name(&self) -> &'static str {
        if self.ladder.is_empty() {
            "index.m3u8"
        } else {
            "master.m3u8"
        }
    }

    /// Where players get live playlists: liboo's own `/media` with LL-HLS, whose
    /// blocking reloads only liboo answers; wherever media is otherwise.
    pub fn live_playlist_base(&self) -> String {
        match self.part_target {
            Some(_) => format!("{}/media", self.public_url),
            None => self.media_public_url.clone(),
        }
    }
}

fn seconds(value: f64, name: &str, min: f64, max: f64) -> anyhow::Result<Duration> {
    if !(min..=max).contains(&value) {
        bail!("{name} must be between {min} and {max} seconds, not {value}");
    }
    Ok(Duration::from_secs_f64(value))
}

fn count(value: u32, name: &str, min: u32, max: u32) -> anyhow::Result<u32> {
    if !(min..=max).contains(&value) {
        bail!("{name} must be between {min} and {max}, not {value}");
    }
    Ok(value)
}

impl ServeArgs {
    pub fn resolve(self) -> anyhow::Result<Config> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let http_addr = self
            .http_addr
            .or(file.http_addr)
            .unwrap_or(defaults::HTTP_ADDR.into());
        let rtmp_addr = self
            .rtmp_addr
            .or(file.rtmp_addr)
            .unwrap_or(defaults::RTMP_ADDR.into());
        let data_dir = self
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| defaults::DATA_DIR.into());
        let data_dir = absolute(&data_dir)?;
        let database_url = self.database_url.or(file.database_url).unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("liboo.db").display())
        });
        let storage_url = self
            .storage_url
            .or(file.storage_url)
            .unwrap_or_else(|| format!("file://{}", data_dir.join("media").display()));
        let storage_url = match storage_url.strip_prefix("file://") {
            Some(path) => format!("file://{}", absolute(Path::new(path))?.display()),
            None => storage_url,
        };
        let public_url = self
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://localhost:{}", http_addr.port()));
        let public_url = public_url.trim_end_matches('/').to_owned();
        let media_public_url = self
            .media_public_url
            .or(file.media_public_url)
            .unwrap_or_else(|| format!("{public_url}/media"));
        for (name, url) in [
            ("--public-url", &public_url),
            ("--media-public-url", &media_public_url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("{name} must be an http:// or https:// URL, not {url:?}");
            }
        }
        let rtmp_public_url = match self.rtmp_public_url.or(file.rtmp_public_url) {
            Some(url) if !url.starts_with("rtmp://") && !url.starts_with("rtmps://") => {
                bail!("--rtmp-public-url must be an rtmp:// or rtmps:// URL, not {url:?}")
            }
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let authority = public_url.split_once("://").map_or("", |(_, rest)| rest);
                let authority = authority.split('/').next().unwrap_or("");
                // The host without its port; an IPv6 literal keeps its brackets.
                let host = match authority.rsplit_once(':') {
                    Some((host, port)) if !port.contains(']') => host,
                    _ => authority,
                };
                format!("rtmp://{host}:{}/live", rtmp_addr.port())
            }
        };
        let mut roles = self
            .roles
            .or(file.roles)
            .unwrap_or_else(|| vec![Role::Ingest, Role::Api, Role::Chat, Role::Web]);
        roles.dedup();
        if roles.is_empty() {
            bail!("--roles needs at least one of ingest, api, chat, web");
        }
        Ok(Config {
            http_addr,
            rtmp_addr,
            data_dir,
            database_url,
            redis_url: self.redis_url.or(file.redis_url).filter(|u| !u.is_empty()),
            redis_prefix: self
                .redis_prefix
                .or(file.redis_prefix)
                .unwrap_or_else(|| defaults::REDIS_PREFIX.into()),
            storage_url,
            s3_endpoint: self.s3_endpoint.or(file.s3_endpoint),
            s3_region: self.s3_region.or(file.s3_region),
            s3_path_style: self.s3_path_style.or(file.s3_path_style).unwrap_or(false),
            storage_min_free: self
                .storage_min_free_mb
                .or(file.storage_min_free_mb)
                .unwrap_or(defaults::STORAGE_MIN_FREE_MB)
                .saturating_mul(1 << 20),
            public_url,
            media_public_url: media_public_url.trim_end_matches('/').to_owned(),
            rtmp_public_url,
            roles,
            cors_origins: self.cors_origins.or(file.cors_origins).unwrap_or_default(),
            log_format: self
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Human),
            segment_target: seconds(
                self.segment_seconds
                    .or(file.segment_seconds)
                    .unwrap_or(defaults::SEGMENT_SECONDS),
                "--segment-seconds",
                0.5,
                10.0,
            )?,
            reconnect_grace: seconds(
                self.reconnect_grace
                    .or(file.reconnect_grace)
                    .unwrap_or(defaults::RECONNECT_GRACE_SECONDS),
                "--reconnect-grace",
                0.0,
                600.0,
            )?,
            chat_rate_limit: {
                let count = self
                    .chat_rate_limit
                    .or(file.chat_rate_limit)
                    .unwrap_or(defaults::CHAT_RATE_LIMIT);
                let window = seconds(
                    self.chat_rate_window
                        .or(file.chat_rate_window)
                        .unwrap_or(defaults::CHAT_RATE_WINDOW_SECONDS),
                    "--chat-rate-window",
                    0.1,
                    3600.0,
                )?;
                (count > 0).then_some((count, window))
            },
            chat_max_connections_per_ip: Some(
                self.chat_max_connections_per_ip
                    .or(file.chat_max_connections_per_ip)
                    .unwrap_or(defaults::CHAT_MAX_CONNECTIONS_PER_IP),
            )
            .filter(|n| *n > 0),
            part_target: {
                let part = seconds(
                    self.part_seconds
                        .or(file.part_seconds)
                        .unwrap_or(defaults::PART_SECONDS),
                    "--part-seconds",
                    0.1,
                    2.0,
                )?;
                let default_format = match defaults::LOW_LATENCY {
                    true => HlsFormat::Ll,
                    false => HlsFormat::Ts,
                };
                match self
                    .hls_format
                    .or(file.hls_format)
                    .unwrap_or(default_format)
                {
                    HlsFormat::Ll => Some(part),
                    HlsFormat::Ts => None,
                }
            },
            ladder: match self.transcode.or(file.transcode).unwrap_or(false) {
                true => {
                    let ladder = self
                        .ladder
                        .or(file.ladder)
                        .unwrap_or_else(|| defaults::LADDER.to_vec());
                    if ladder.is_empty() || ladder.iter().any(|h| !(144..=2160).contains(h)) {
                        bail!("--ladder needs heights between 144 and 2160, not {ladder:?}");
                    }
                    ladder
                }
                false => Vec::new(),
            },
            frame_interval: seconds(
                self.frame_seconds
                    .or(file.frame_seconds)
                    .unwrap_or(defaults::FRAME_SECONDS),
                "--frame-seconds",
                0.0,
                3600.0,
            )?,
            rtmp_max_connections_per_ip: Some(
                self.rtmp_max_connections_per_ip
                    .or(file.rtmp_max_connections_per_ip)
                    .unwrap_or(defaults::RTMP_MAX_CONNECTIONS_PER_IP),
            )
            .filter(|n| *n > 0),
            rtmp_handshake_timeout: seconds(
                self.rtmp_handshake_timeout
                    .or(file.rtmp_handshake_timeout)
                    .unwrap_or(defaults::RTMP_HANDSHAKE_TIMEOUT_SECONDS),
                "--rtmp-handshake-timeout",
                0.1,
                600.0,
            )?,
            rtmp_idle_timeout: seconds(
                self.rtmp_idle_timeout
                    .or(file.rtmp_idle_timeout)
                    .unwrap_or(defaults::RTMP_IDLE_TIMEOUT_SECONDS),
                "--rtmp-idle-timeout",
                0.1,
                3600.0,
            )?,
            // The chunk header's length field has 24 bits.
            rtmp_max_message_bytes: count(
                self.rtmp_max_message_bytes
                    .or(file.rtmp_max_message_bytes)
                    .unwrap_or(defaults::RTMP_MAX_MESSAGE_BYTES),
                "--rtmp-max-message-bytes",
                4096,
                0xFF_FFFF,
            )?,
            // Chunk stream ids run from 2 to 65599.
            rtmp_max_chunk_streams: count(
                self.rtmp_max_chunk_streams
                    .or(file.rtmp_max_chunk_streams)
                    .unwrap_or(defaults::RTMP_MAX_CHUNK_STREAMS),
                "--rtmp-max-chunk-streams",
                4,
                65598,
            )? as usize,
            rtmp_read_batch: Duration::from_millis(u64::from(count(
                self.rtmp_read_batch_ms
                    .or(file.rtmp_read_batch_ms)
                    .unwrap_or(defaults::RTMP_READ_BATCH_MS),
                "--rtmp-read-batch-ms",
                0,
                1000,
            )?)),
            http_max_header_bytes: count(
                self.http_max_header_bytes
                    .or(file.http_max_header_bytes)
                    .unwrap_or(defaults::HTTP_MAX_HEADER_BYTES),
                "--http-max-header-bytes",
                1024,
                1 << 20,
            )? as usize,
            http_max_body_bytes: count(
                self.http_max_body_bytes
                    .or(file.http_max_body_bytes)
                    .unwrap_or(defaults::HTTP_MAX_BODY_BYTES),
                "--http-max-body-bytes",
                1024,
                1 << 30,
            )? as usize,
            http_header_timeout: seconds(
                self.http_header_timeout
                    .or(file.http_header_timeout)
                    .unwrap_or(defaults::HTTP_HEADER_TIMEOUT_SECONDS),
                "--http-header-timeout",
                0.1,
                3600.0,
            )?,
            chat_max_payload_bytes: count(
                self.chat_max_payload_bytes
                    .or(file.chat_max_payload_bytes)
                    .unwrap_or(defaults::CHAT_MAX_PAYLOAD_BYTES),
                "--chat-max-payload-bytes",
                1024,
                64 << 20,
            )?
            .into(),
            web_dir: match self.web_dir.or(file.web_dir) {
                Some(dir) if !dir.join("index.html").is_file() => bail!(
                    "--web-dir {} has no index.html; run `npm run build` in web/ first",
                    dir.display()
                ),
                dir => dir,
            },
            secret: std::env::var("LIBOO_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .or(file.secret),
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid --config file {}", path.display()))
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve path {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_all_in_one() {
        let c = ServeArgs::default().resolve().unwrap();
        assert_eq!(c.http_addr.port(), 8080);
        assert_eq!(c.rtmp_addr.port(), 1935);
        assert!(c.database_url.starts_with("sqlite://") && c.database_url.contains("liboo-data"));
        assert!(c.storage_url.starts_with("file:///"));
        assert_eq!(c.public_url, "http://localhost:8080");
        assert_eq!(c.media_public_url, "http://localhost:8080/media");
        assert_eq!(c.roles.len(), 4);
        assert_eq!(c.segment_target, Duration::from_secs(2));
        assert_eq!(c.rtmp_public_url, "rtmp://localhost:1935/live");
        assert_eq!(c.part_target, Some(Duration::from_millis(334)), "LL-HLS");
        assert_eq!(c.live_playlist_base(), "http://localhost:8080/media");
        let behind_proxy = ServeArgs {
            public_url: Some("https://[::1]:8443/".into()),
            rtmp_addr: Some("0.0.0.0:1936".parse().unwrap()),
            ..ServeArgs::default()
        };
        let c = behind_proxy.resolve().unwrap();
        assert_eq!(c.rtmp_public_url, "rtmp://[::1]:1936/live");
    }

    /// The flags' help texts name the defaults that `resolve` and the crates use.
    #[test]
    fn help_texts_name_the_defaults() {
        use clap::Args as _;
        use liboo_service::defaults as d;
        let command = ServeArgs::augment_args(clap::Command::new("serve"));
        let help = |flag: &str| -> String {
            let arg = command
                .get_arguments()
                .find(|a| a.get_long() == Some(flag))
                .unwrap_or_else(|| panic!("no --{flag}"));
            arg.get_help().map(|h| h.to_string()).unwrap_or_default()
        };
        for (flag, value) in [
            ("segment-seconds", d::SEGMENT_SECONDS.to_string()),
            ("reconnect-grace", d::RECONNECT_GRACE_SECONDS.to_string()),
            ("part-seconds", d::PART_SECONDS.to_string()),
            ("frame-seconds", d::FRAME_SECONDS.to_string()),
            ("storage-min-free-mb", d::STORAGE_MIN_FREE_MB.to_string()),
            ("chat-rate-limit", d::CHAT_RATE_LIMIT.to_string()),
            ("chat-rate-window", d::CHAT_RATE_WINDOW_SECONDS.to_string()),
            (
                "chat-max-connections-per-ip",
                d::CHAT_MAX_CONNECTIONS_PER_IP.to_string(),
            ),
            (
                "chat-max-payload-bytes",
                d::CHAT_MAX_PAYLOAD_BYTES.to_string(),
            ),
            (
                "rtmp-max-connections-per-ip",
                d::RTMP_MAX_CONNECTIONS_PER_IP.to_string(),
            ),
            (
                "rtmp-handshake-timeout",
                d::RTMP_HANDSHAKE_TIMEOUT_SECONDS.to_string(),
            ),
            (
                "rtmp-idle-timeout",
                d::RTMP_IDLE_TIMEOUT_SECONDS.to_string(),
            ),
            (
                "rtmp-max-message-bytes",
                d::RTMP_MAX_MESSAGE_BYTES.to_string(),
            ),
            (
                "rtmp-max-chunk-streams",
                d::RTMP_MAX_CHUNK_STREAMS.to_string(),
            ),
            ("rtmp-read-batch-ms", d::RTMP_READ_BATCH_MS.to_string()),
            (
                "http-max-header-bytes",
                d::HTTP_MAX_HEADER_BYTES.to_string(),
            ),
            ("http-max-body-bytes", d::HTTP_MAX_BODY_BYTES.to_string()),
            (
                "http-header-timeout",
                d::HTTP_HEADER_TIMEOUT_SECONDS.to_string(),
            ),
            ("redis-prefix", d::REDIS_PREFIX.to_string()),
            (
                "hls-format",
                if d::LOW_LATENCY { "ll" } else { "ts" }.to_string(),
            ),
        ] {
            let text = help(flag);
            assert!(
                text.contains(&format!("[default: {value}]")),
                "--{flag} says {text:?}, the default is {value}"
            );
        }
    }

    /// Ingest as a library defaults to what `liboo serve` runs.
    #[test]
    fn ingest_defaults_are_the_binarys() {
        let c = ServeArgs::default().resolve().unwrap();
        let ingest = liboo_ingest::IngestConfig::default();
        assert_eq!(ingest.part_target, c.part_target);
        assert_eq!(ingest.segment_target, c.segment_target);
        assert_eq!(ingest.reconnect_grace, c.reconnect_grace);
        assert_eq!(ingest.frame_interval, c.frame_interval);
        assert_eq!(ingest.handshake_timeout, c.rtmp_handshake_timeout);
        assert_eq!(ingest.idle_timeout, c.rtmp_idle_timeout);
        assert_eq!(ingest.max_message_bytes, c.rtmp_max_message_bytes);
        assert_eq!(ingest.max_chunk_streams, c.rtmp_max_chunk_streams);
        assert_eq!(ingest.read_batch, c.rtmp_read_batch);
        assert_eq!(ingest.min_free_bytes, c.storage_min_free);
        assert_eq!(ingest.max_connections_per_ip, c.rtmp_max_connections_per_ip);
    }

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liboo.toml");
        std::fs::write(
            &path,
            "http_addr = \"127.0.0.1:9000\"\nroles = [\"api\"]\npublic_url = \"https://x.example/\"\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(path.clone()),
            http_addr: Some("127.0.0.1:9100".parse().unwrap()),
            ..ServeArgs::default()
        };
        let c = args.resolve().unwrap();
        assert_eq!(c.http_addr.port(), 9100);
        assert_eq!(c.roles, [Role::Api]);
        assert_eq!(c.media_public_url, "https://x.example/media");

        std::fs::write(&path, "htp_addr = \"x\"\n").unwrap();
        let err = ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
    }

    #[test]
    fn bad_values_say_which_setting() {
        let err = ServeArgs {
            segment_seconds: Some(0.0),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("--segment-seconds"));
        let err = ServeArgs {
            public_url: Some("localhost".into()),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("--public-url"));
        let err = ServeArgs {
            rtmp_max_message_bytes: Some(1 << 24),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap_err();
        assert!(
            err.to_string().contains("--rtmp-max-message-bytes"),
            "{err}"
        );
        let err = ServeArgs {
            http_header_timeout: Some(0.0),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("--http-header-timeout"), "{err}");
    }

    #[test]
    fn limits_default_to_what_real_clients_need() {
        let c = ServeArgs::default().resolve().unwrap();
        // A 5 MB thumbnail grows by a third as base64 JSON.
        assert!(c.http_max_body_bytes >= 5 * 1024 * 1024 * 4 / 3 + 1024);
        assert_eq!(c.rtmp_max_message_bytes, 8 << 20);
        assert_eq!(c.rtmp_max_chunk_streams, 64);
        assert_eq!(c.rtmp_handshake_timeout, Duration::from_secs(10));
        assert_eq!(c.chat_max_payload_bytes, 64 << 10);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liboo.toml");
        std::fs::write(
            &path,
            "http_header_timeout = 2.5\nchat_max_payload_bytes = 4096\n",
        )
        .unwrap();
        let c = ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(c.http_header_timeout, Duration::from_millis(2500));
        assert_eq!(c.chat_max_payload_bytes, 4096);
    }
}
