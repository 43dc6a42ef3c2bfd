//! liboo's media storage: where segments, playlists and thumbnails live.
//!
//! A [`MediaStore`] is a local folder (`file://`, served by liboo at `/media`) or an
//! S3-compatible bucket (`s3://bucket/prefix`), both behind `object_store`. Every write
//! is a whole-object put, which is atomic on both (the local store writes a temporary
//! file and renames it), so a reader never sees half a playlist. Keys are checked
//! before use: no empty, `.` or `..` segment, so no request escapes the store.
//!
//! Requests to a bucket time out (a hung store must not hold an upload forever) and are
//! retried only briefly here: ingest's uploader does its own, longer retrying, and
//! needs to hear of a failing store soon. A write that finds the disk under a local
//! store full is told apart ([`StorageError::Full`]), since retrying it will not help.

#![warn(missing_docs)]

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ClientOptions, RetryConfig};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};

pub mod layout;

pub use object_store::GetResult;

/// What can go wrong opening or using a [`MediaStore`].
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The URL is neither `file://` nor `s3://`.
    #[error("unsupported storage URL {0:?}: use file:///PATH or s3://BUCKET[/PREFIX]")]
    UnsupportedUrl(String),
    /// The folder of a local store could not be made.
    #[error("cannot create the media folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A key with an empty, `.` or `..` segment: refused before any I/O.
    #[error("invalid media key {0:?}")]
    InvalidKey(String),
    /// No object under the key.
    #[error("not found: {0}")]
    NotFound(String),
    /// A byte range outside the object.
    #[error("requested range is not satisfiable")]
    BadRange,
    /// The disk under a local store is full or over its quota.
    #[error("no space left on the disk at {path}: {source}")]
    Full {
        /// Where the write was going.
        path: PathBuf,
        /// The disk-full or quota error.
        source: std::io::Error,
    },
    /// Any other failure of the store (a timeout, a bucket's error answer).
    #[error("{0}")]
    Store(object_store::Error),
}

impl StorageError {
    /// Whether the disk under a local store is full (`ENOSPC`) or over its quota.
    pub fn is_full(&self) -> bool {
        matches!(self, StorageError::Full { .. })
    }
}

impl From<object_store::Error> for StorageError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { path, .. } => StorageError::NotFound(path),
            object_store::Error::NotModified { .. } => StorageError::BadRange,
            other => StorageError::Store(other),
        }
    }
}

/// Settings of an S3-compatible store; credentials come from the usual `AWS_*`
/// environment variables.
#[derive(Clone, Debug, Default)]
pub struct S3Options {
    /// Endpoint of a non-AWS store, e.g. `http://127.0.0.1:9000`.
    pub endpoint: Option<String>,
    /// The bucket's region; `None`: `AWS_REGION` or the default.
    pub region: Option<String>,
    /// Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    pub path_style: bool,
    /// Access key id and secret, overriding `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` (for embedding and tests; the binary uses the environment).
    pub credentials: Option<(String, String)>,
}

/// A request to a bucket that has not finished in this time has failed. Media objects are
/// a few MB at most, so this is far beyond a healthy store's answer.
const S3_TIMEOUT: Duration = Duration::from_secs(15);
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// object_store's own retries of one request (after 5xx, dropped connections, timeouts):
/// a few, within this time, so a store that is down shows as an error in seconds.
const S3_RETRIES: usize = 3;
const S3_RETRY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where media objects are stored.
#[derive(Clone, Debug)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    description: String,
    /// The folder of a local store.
    root: Option<PathBuf>,
}

impl MediaStore {
    /// Opens the store named by `url`: `file:///abs/path` (created if missing) or
    /// `s3://bucket[/prefix]`.
    pub fn open(url: &str, s3: &S3Options) -> Result<MediaStore, StorageError> {
        if let Some(path) = url.strip_prefix("file://") {
            let path = PathBuf::from(path);
            std::fs::create_dir_all(&path).map_err(|source| StorageError::CreateDir {
                path: path.clone(),
                source,
            })?;
            let store = LocalFileSystem::new_with_prefix(&path)?;
            Ok(MediaStore {
                store: Arc::new(store),
                description: format!("folder {}", path.display()),
                root: Some(path),
            })
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(StorageError::UnsupportedUrl(url.to_owned()));
            }
            // Client options first: `with_allow_http` below adds to them.
            let mut builder = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_client_options(
                    ClientOptions::new()
                        .with_timeout(S3_TIMEOUT)
                        .with_connect_timeout(S3_CONNECT_TIMEOUT),
                );
            if let Some(endpoint) = &s3.endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_allow_http(endpoint.starts_with("http://"));
            }
            if let Some(region) = &s3.region {
                builder = builder.with_region(region);
            }
            if let Some((id, secret)) = &s3.credentials {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
            }
            builder = builder
                .with_virtual_hosted_style_request(!s3.path_style)
                .with_retry(RetryConfig {
                    backoff: BackoffConfig {
                        init_backoff: Duration::from_millis(100),
                        max_backoff: Duration::from_secs(2),
                        base: 2.0,
                    },
                    max_retries: S3_RETRIES,
                    retry_timeout: S3_RETRY_TIMEOUT,
                });
            let s3_store = builder.build()?;
            let prefix = prefix.trim_matches('/');
            let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3_store)
            } else {
                Arc::new(PrefixStore::new(s3_store, prefix))
            };
            Ok(MediaStore {
                store,
                description: format!("bucket {url}"),
                root: None,
            })
        } else {
            Err(StorageError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// What this store is, for start-up messages.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The folder of a local store; `None` for a bucket.
    pub fn local_root(&self) -> Option<&FsPath> {
        self.root.as_deref()
    }

    /// Bytes that may still be written on the disk under a local store (as an
    /// unprivileged user may); `None` for a bucket, or if the disk cannot be asked.
    pub fn free_space(&self) -> Option<u64> {
        let root = self.root.as_ref()?;
        let stat = rustix::fs::statvfs(root).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }

    /// Stores an object whole, replacing any previous one atomically.
    pub async fn put(&self, key: &str, data: Bytes) -> Result<(), StorageError> {
        let path = parse_key(key)?;
        match self.store.put(&path, PutPayload::from(data)).await {
            Ok(_) => Ok(()),
            Err(e) => Err(match (&self.root, disk_full(&e)) {
                (Some(root), Some(source)) => StorageError::Full {
                    path: root.join(key),
                    source,
                },
                _ => e.into(),
            }),
        }
    }

    /// Reads an object, or a byte range of it.
    pub async fn get(
        &self,
        key: &str,
        range: Option<ByteRange>,
    ) -> Result<GetResult, StorageError> {
        let path = parse_key(key)?;
        let options = GetOptions {
            range: range.map(ByteRange::into_get_range),
            ..GetOptions::default()
        };
        match self.store.get_opts(&path, options).await {
            Err(object_store::Error::Generic { source, .. })
                if range.is_some() && source.to_string().to_lowercase().contains("range") =>
            {
                Err(StorageError::BadRange)
            }
            other => Ok(other?),
        }
    }

    /// Reads a whole object into memory.
    pub async fn get_bytes(&self, key: &str) -> Result<Bytes, StorageError> {
        Ok(self.get(key, None).await?.bytes().await?)
    }

    /// Deletes an object; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = parse_key(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every object under `prefix` (a folder); returns how many.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<usize, StorageError> {
        let path = parse_key(prefix)?;
        let keys: Vec<Path> = self
            .store
            .list(Some(&path))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?;
        for key in &keys {
            match self.store.delete(key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(keys.len())
    }

    /// Lists the keys under `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let path = parse_key(prefix)?;
        let mut keys: Vec<String> = self
            .store
            .list(Some(&path))
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await?;
        keys.sort();
        Ok(keys)
    }

    /// Checks the store answers, for `/readyz` and start-up: lists at most one key.
    pub async fn ping(&self) -> Result<(), StorageError> {
        let mut listing = self.store.list(None);
        listing.try_next().await?;
        Ok(())
    }
}

/// The `ENOSPC` (or quota) error behind a failed local write, if that is what it was.
fn disk_full(e: &object_store::Error) -> Option<std::io::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            )
        {
            return Some(std::io::Error::new(io.kind(), io.to_string()));
        }
        cause = err.source();
    }
    None
}

/// A single HTTP byte range, already validated as `start <= end` where both are given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=START-END`, END inclusive as in HTTP.
    Bounded {
        /// First byte.
        start: u64,
        /// Last byte.
        end_inclusive: u64,
    },
    /// `bytes=START-`
    From(u64),
    /// `bytes=-N`: the last N bytes.
    Suffix(u64),
}

impl ByteRange {
    /// Parses a `Range` header holding one range; `None` for anything else, which
    /// HTTP lets a server answer with the whole object.
    pub fn parse(header: &str) -> Option<ByteRange> {
        let spec = header.trim().strip_prefix("bytes=")?;
        if spec.contains(',') {
            return None;
        }
        let (start, end) = spec.split_once('-')?;
        let (start, end) = (start.trim(), end.trim());
        match (start.is_empty(), end.is_empty()) {
            (true, false) => Some(ByteRange::Suffix(end.parse().ok()?)),
            (false, true) => Some(ByteRange::From(start.parse().ok()?)),
            (false, false) => {
                let (start, end): (u64, u64) = (start.parse().ok()?, end.parse().ok()?);
                (start <= end).then_some(ByteRange::Bounded {
                    start,
                    end_inclusive: end,
                })
            }
            (true, true) => None,
        }
    }

    fn into_get_range(self) -> GetRange {
        match self {
            ByteRange::Bounded {
                start,
                end_inclusive,
            } => GetRange::Bounded(start..end_inclusive.saturating_add(1)),
            ByteRange::From(start) => GetRange::Offset(start),
            ByteRange::Suffix(n) => GetRange::Suffix(n),
        }
    }
}

/// Checks a media key and turns it into an object path. Refuses anything that could
/// name something outside the store or that two spellings could share.
pub fn parse_key(key: &str) -> Result<Path, StorageError> {
    let bad = || StorageError::InvalidKey(key.chars().take(200).collect());
    if key.is_empty() || key.len() > 1024 {
        return Err(bad());
    }
    for segment in key.split('/') {
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.chars().any(|c| c.is_control() || c == '\\')
        {
            return Err(bad());
        }
    }
    Path::parse(key).map_err(|_| bad())
}

/// The content type of a media object, by its extension.
pub fn content_type(key: &str) -> &'static str {
    match key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .as_deref()
    {
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("ts") => "video/mp2t",
        Some("mp4") | Some("m4s") => "video/mp4",
        Some("m4a") => "audio/mp4",
        Some("aac") => "audio/aac",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// How long browsers and CDNs may cache a media object: playlists change every
/// segment, so they get a second; segments and content-addressed images never change.
pub fn cache_control(key: &str) -> &'static str {
    match key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .as_deref()
    {
        Some("m3u8") => "public, max-age=1",
        Some("ts") | Some("mp4") | Some("m4s") | Some("m4a") | Some("aac") => {
            "public, max-age=31536000, immutable"
        }
        _ => "public, max-age=60",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_escape_are_refused() {
        for bad in [
            "", "../x", "a/../b", "a//b", "/a", "a/", "./a", "a\\b", "a/\u{0}b", "a/.",
        ] {
            assert!(parse_key(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "a",
            "live/abc/index.m3u8",
            "live/abc/v1/seg00001.ts",
            "a..b",
        ] {
            assert!(parse_key(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn ranges_parse_like_http() {
        let table = [
            (
                "bytes=0-99",
                Some(ByteRange::Bounded {
                    start: 0,
                    end_inclusive: 99,
                }),
            ),
            ("bytes=100-", Some(ByteRange::From(100))),
            ("bytes=-5", Some(ByteRange::Suffix(5))),
            ("bytes=5-1", None),
            ("bytes=0-1,5-6", None),
            ("bytes=-", None),
            ("items=0-1", None),
            ("bytes=a-b", None),
        ];
        for (header, want) in table {
            assert_eq!(ByteRange::parse(header), want, "{header}");
        }
    }

    #[test]
    fn media_types_and_caching() {
        assert_eq!(
            content_type("live/x/index.m3u8"),
            "application/vnd.apple.mpegurl"
        );
        assert_eq!(content_type("a/seg1.ts"), "video/mp2t");
        assert_eq!(content_type("a/init.mp4"), "video/mp4");
        assert_eq!(cache_control("a/index.m3u8"), "public, max-age=1");
        assert!(cache_control("a/s.ts").contains("immutable"));
    }
}
