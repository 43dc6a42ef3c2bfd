//! A short-lived cache of list responses.
//!
//! The front page asks for the same list of live broadcasts on every visit; building it
//! costs a query, a presence round trip and JSON for 16 broadcasts (about 0.4 ms of CPU
//! on SQLite, measured by `bench/api.sh`), serving it from here a copy of bytes. Lists
//! may be half a second old, which a viewer cannot tell from network delay; single
//! lookups (`/streams/live`, `/replay/video`) are never cached.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
// tokio's clock, so that tests can run it forward instead of sleeping through a TTL.
use tokio::time::Instant;

use crate::ApiError;

/// How old a cached list may be.
pub const LIST_TTL: Duration = Duration::from_millis(500);
/// Distinct lists kept (pages, searches); past this the cache starts over.
const MAX_ENTRIES: usize = 4096;

/// Serialized lists by key, with when each was made.
#[derive(Default)]
pub struct ListCache {
    entries: Mutex<HashMap<String, (Instant, Bytes)>>,
}

impl ListCache {
    /// The cached JSON for `key`, or `fill`'s, stored for next time.
    pub async fn json<F, Fut, T>(&self, key: String, fill: F) -> Result<Response, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
        T: serde::Serialize,
    {
        let now = Instant::now();
        let cached = {
            let entries = self.entries.lock().expect("list cache poisoned");
            entries
                .get(&key)
                .filter(|(at, _)| now.duration_since(*at) < LIST_TTL)
                .map(|(_, body)| body.clone())
        };
        let body = match cached {
            Some(body) => body,
            None => {
                let value = fill().await?;
                let body = Bytes::from(serde_json::to_vec(&value).expect("lists serialize"));
                let mut entries = self.entries.lock().expect("list cache poisoned");
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
                entries.insert(key, (now, body.clone()));
                body
            }
        };
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_list_is_rebuilt_once_it_is_older_than_the_ttl() {
        let cache = ListCache::default();
        let fills = AtomicUsize::new(0);
        let get = |key: &'static str| {
            cache.json(key.to_owned(), || async {
                Ok(fills.fetch_add(1, Ordering::SeqCst))
            })
        };
        assert_eq!(body(get("live 0 8").await.unwrap()).await, "0");
        tokio::time::advance(LIST_TTL - Duration::from_millis(1)).await;
        assert_eq!(
            body(get("live 0 8").await.unwrap()).await,
            "0",
            "still fresh"
        );
        // Another page is a list of its own.
        assert_eq!(body(get("live 8 8").await.unwrap()).await, "1");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(body(get("live 0 8").await.unwrap()).await, "2", "rebuilt");
        assert_eq!(fills.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_fill_is_not_cached() {
        let cache = ListCache::default();
        let failed = cache
            .json("k".to_owned(), || async {
                Err::<u8, _>(ApiError::Unavailable("down".to_owned()))
            })
            .await;
        assert!(failed.is_err());
        let ok = cache.json("k".to_owned(), || async { Ok(7) }).await;
        assert_eq!(body(ok.unwrap()).await, "7");
    }
}
