//! `liboo serve` settings: each a flag, a `LIBOO_*` environment variable, and a key of
//! the optional TOML file given by `--config`, in that order of precedence.
//!
//! Three jobs, a module each: `flags` declares the flags (clap, with their help texts),
//! `file` reads the TOML file, and `resolve` merges the two with the defaults
//! (`liboo_service::defaults`) into the [`Config`] the node runs with, checking each
//! value's range. This module holds what they share: the value types and [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use serde::Deserialize;

mod file;
mod flags;
mod resolve;
#[cfg(test)]
mod tests;

pub use flags::ServeArgs;

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
