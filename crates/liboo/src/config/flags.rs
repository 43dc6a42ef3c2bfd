//! The flags of `liboo serve`, each with its `LIBOO_*` environment variable; their doc
//! comments are the `--help` text, so each names its default as `[default: ...]` (a
//! test checks them against `liboo_service::defaults`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{HlsFormat, LogFormat, Role};

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
