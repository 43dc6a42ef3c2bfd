//! The TOML file given by `--config`: the same settings as the flags (keys with
//! underscores), all optional, plus the server secret. An unknown key is an error, so a
//! misspelt setting is not silently ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use super::{HlsFormat, LogFormat, Role};

/// The TOML file: the same settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) http_addr: Option<SocketAddr>,
    pub(super) rtmp_addr: Option<SocketAddr>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) database_url: Option<String>,
    pub(super) redis_url: Option<String>,
    pub(super) redis_prefix: Option<String>,
    pub(super) storage_url: Option<String>,
    pub(super) s3_endpoint: Option<String>,
    pub(super) s3_region: Option<String>,
    pub(super) s3_path_style: Option<bool>,
    pub(super) storage_min_free_mb: Option<u64>,
    pub(super) public_url: Option<String>,
    pub(super) media_public_url: Option<String>,
    pub(super) rtmp_public_url: Option<String>,
    pub(super) roles: Option<Vec<Role>>,
    pub(super) cors_origins: Option<Vec<String>>,
    pub(super) log_format: Option<LogFormat>,
    pub(super) segment_seconds: Option<f64>,
    pub(super) reconnect_grace: Option<f64>,
    pub(super) chat_rate_limit: Option<u32>,
    pub(super) chat_rate_window: Option<f64>,
    pub(super) chat_max_connections_per_ip: Option<u32>,
    pub(super) hls_format: Option<HlsFormat>,
    pub(super) transcode: Option<bool>,
    pub(super) ladder: Option<Vec<u32>>,
    pub(super) part_seconds: Option<f64>,
    pub(super) frame_seconds: Option<f64>,
    pub(super) rtmp_max_connections_per_ip: Option<u32>,
    pub(super) rtmp_handshake_timeout: Option<f64>,
    pub(super) rtmp_idle_timeout: Option<f64>,
    pub(super) rtmp_max_message_bytes: Option<u32>,
    pub(super) rtmp_max_chunk_streams: Option<u32>,
    pub(super) rtmp_read_batch_ms: Option<u32>,
    pub(super) http_max_header_bytes: Option<u32>,
    pub(super) http_max_body_bytes: Option<u32>,
    pub(super) http_header_timeout: Option<f64>,
    pub(super) chat_max_payload_bytes: Option<u32>,
    pub(super) web_dir: Option<PathBuf>,
    /// The server secret may be kept in the file instead of the environment.
    pub(super) secret: Option<String>,
}

pub(super) fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid --config file {}", path.display()))
}
