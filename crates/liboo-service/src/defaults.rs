//! Every default setting, once. `liboo serve`'s flags and its TOML file fall back to
//! these, and the services' own `Default`s (ingest, chat) are built from them, so a
//! library user, a test and the binary get the same liboo. The flags' help texts name
//! the same values; a test in the binary checks that they agree.

/// `--http-addr`: web UI, API, chat and media.
pub const HTTP_ADDR: ([u8; 4], u16) = ([0, 0, 0, 0], 8080);
/// `--rtmp-addr`: RTMP publishers.
pub const RTMP_ADDR: ([u8; 4], u16) = ([0, 0, 0, 0], 1935);
/// `--data-dir`.
pub const DATA_DIR: &str = "liboo-data";
/// `--redis-prefix`.
pub const REDIS_PREFIX: &str = "liboo:";
/// `--storage-min-free-mb`: MB kept free on the disk under a local media store.
pub const STORAGE_MIN_FREE_MB: u64 = 256;
/// `--segment-seconds`: HLS segment target length.
pub const SEGMENT_SECONDS: f64 = 2.0;
/// Segments a live playlist lists.
pub const LIVE_WINDOW: usize = 6;
/// `--reconnect-grace`: seconds a publisher that left may come back into its broadcast.
pub const RECONNECT_GRACE_SECONDS: f64 = 10.0;
/// `--hls-format ll`: low-latency HLS with fMP4 parts is the default packaging.
pub const LOW_LATENCY: bool = true;
/// `--part-seconds`: the longest LL-HLS part.
pub const PART_SECONDS: f64 = 0.334;
/// `--ladder`: rendition heights, with `--transcode`.
pub const LADDER: [u32; 3] = [720, 480, 360];
/// `--frame-seconds`: media seconds between frame thumbnails.
pub const FRAME_SECONDS: f64 = 30.0;
/// `--chat-rate-limit`: messages per user per window.
pub const CHAT_RATE_LIMIT: u32 = 5;
/// `--chat-rate-window`: the rate limit's window, seconds.
pub const CHAT_RATE_WINDOW_SECONDS: f64 = 5.0;
/// `--chat-max-connections-per-ip`.
pub const CHAT_MAX_CONNECTIONS_PER_IP: u32 = 50;
/// The longest chat message, in characters, as LiBoo's client and gateway allowed.
pub const CHAT_MAX_MESSAGE_CHARS: usize = 150;
/// `--chat-max-payload-bytes`.
pub const CHAT_MAX_PAYLOAD_BYTES: u32 = 64 << 10;
/// `--rtmp-max-connections-per-ip`.
pub const RTMP_MAX_CONNECTIONS_PER_IP: u32 = 16;
/// `--rtmp-handshake-timeout`, seconds.
pub const RTMP_HANDSHAKE_TIMEOUT_SECONDS: f64 = 10.0;
/// `--rtmp-idle-timeout`, seconds.
pub const RTMP_IDLE_TIMEOUT_SECONDS: f64 = 10.0;
/// Seconds without media before a publisher is dropped.
pub const RTMP_MEDIA_TIMEOUT_SECONDS: f64 = 10.0;
/// `--rtmp-max-message-bytes`.
pub const RTMP_MAX_MESSAGE_BYTES: u32 = 8 << 20;
/// `--rtmp-max-chunk-streams`.
pub const RTMP_MAX_CHUNK_STREAMS: u32 = 64;
/// `--rtmp-read-batch-ms`.
pub const RTMP_READ_BATCH_MS: u32 = 100;
/// `--http-max-header-bytes`.
pub const HTTP_MAX_HEADER_BYTES: u32 = 16 << 10;
/// `--http-max-body-bytes`.
pub const HTTP_MAX_BODY_BYTES: u32 = 8 << 20;
/// `--http-header-timeout`, seconds.
pub const HTTP_HEADER_TIMEOUT_SECONDS: f64 = 15.0;
