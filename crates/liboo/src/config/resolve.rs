//! From flags, environment and file to the [`Config`] a node runs with: a flag or its
//! environment variable beats the file, the file beats the default, and every value is
//! checked here, once, with an error that names the flag.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use liboo_service::defaults;

use super::file::{FileConfig, read_file};
use super::{Config, HlsFormat, LogFormat, Role, ServeArgs};

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

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve path {}", path.display()))
}
