//! Live playlists as this node last stored them, for answering LL-HLS blocking reloads
//! (`_HLS_msn`, `_HLS_part`) without polling storage: the uploader publishes a playlist
//! here only after storing it, and it stores every part before the playlist naming it,
//! so a playlist served from here never names a missing object.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;

/// One stored version of a playlist and where it stands.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The playlist as stored.
    pub text: Bytes,
    /// Sequence number of the last whole segment listed.
    pub last_segment: Option<u64>,
    /// Parts listed of the segment after it.
    pub parts: usize,
    /// Whether it has `EXT-X-ENDLIST`: the broadcast ended and no newer version comes.
    pub ended: bool,
}

impl Snapshot {
    /// Where a stored live playlist stands, read from its text (for nodes that do not
    /// make it and poll storage instead).
    pub fn read(text: Bytes) -> Snapshot {
        let body = String::from_utf8_lossy(&text);
        let mut media_sequence = 0u64;
        let mut segments = 0u64;
        let mut parts = 0usize;
        let mut ended = false;
        for line in body.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
                media_sequence = v.parse().unwrap_or(0);
            } else if line.starts_with("#EXT-X-PART:") {
                parts += 1;
            } else if line == "#EXT-X-ENDLIST" {
                ended = true;
            } else if !line.is_empty() && !line.starts_with('#') {
                segments += 1;
                parts = 0;
            }
        }
        Snapshot {
            last_segment: (segments > 0).then(|| media_sequence + segments - 1),
            parts,
            ended,
            text,
        }
    }

    /// Whether segment `msn` is more than two ahead of this version (a client error).
    pub fn too_far(&self, msn: u64) -> bool {
        let next = self.last_segment.map_or(0, |last| last + 1);
        !self.ended && msn > next + 1
    }

    /// Whether this version answers a request for segment `msn` (and its part `part`):
    /// it lists that part, that whole segment, or something later.
    pub fn has(&self, msn: u64, part: Option<u64>) -> bool {
        if self.ended || self.last_segment.is_some_and(|last| last >= msn) {
            return true;
        }
        let next = self.last_segment.map_or(0, |last| last + 1);
        match part {
            // A part of the segment being made, or of one after it.
            Some(part) => msn < next || (msn == next && (self.parts as u64) > part),
            None => false,
        }
    }
}

/// Every live playlist of this node by storage key. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct LivePlaylists {
    inner: Arc<Mutex<HashMap<String, watch::Sender<Snapshot>>>>,
}

impl LivePlaylists {
    pub(crate) fn publish(&self, key: &str, snapshot: Snapshot) {
        let mut map = self.inner.lock().expect("not poisoned");
        match map.get(key) {
            Some(tx) => {
                tx.send_replace(snapshot);
            }
            None => {
                map.insert(key.to_owned(), watch::channel(snapshot).0);
            }
        }
    }

    /// Forgets an ended playlist (waiters get its last version); one that a newer
    /// broadcast of the channel already took over stays.
    pub(crate) fn remove_if_ended(&self, key: &str) {
        let mut map = self.inner.lock().expect("not poisoned");
        if map.get(key).is_some_and(|tx| tx.borrow().ended) {
            map.remove(key);
        }
    }

    /// Whether this node is making the playlist at `key`.
    pub fn is_live(&self, key: &str) -> bool {
        self.inner.lock().expect("not poisoned").contains_key(key)
    }

    /// Waits up to `timeout` for the playlist at `key` to reach segment `msn` (part
    /// `part`). `None`: this node does not make that playlist. `Some(Err(text))`: the
    /// wait timed out, with the latest version.
    pub async fn wait(
        &self,
        key: &str,
        msn: u64,
        part: Option<u64>,
        timeout: Duration,
    ) -> Option<Result<Bytes, Bytes>> {
        let mut rx = self
            .inner
            .lock()
            .expect("not poisoned")
            .get(key)?
            .subscribe();
        let reached = match tokio::time::timeout(timeout, rx.wait_for(|s| s.has(msn, part))).await {
            Ok(Ok(s)) => Some(s.text.clone()),
            // Timed out, or the broadcast ended and its sender went.
            Ok(Err(_)) | Err(_) => None,
        };
        Some(reached.ok_or_else(|| rx.borrow().text.clone()))
    }

    /// Whether segment `msn` is more than two ahead of the playlist at `key`; `None` if
    /// this node does not make it.
    pub fn too_far(&self, key: &str, msn: u64) -> Option<bool> {
        let map = self.inner.lock().expect("not poisoned");
        let too_far = map.get(key)?.borrow().too_far(msn);
        Some(too_far)
    }

    /// The latest version of the playlist at `key`, if this node makes it.
    pub fn latest(&self, key: &str) -> Option<Bytes> {
        let map = self.inner.lock().expect("not poisoned");
        map.get(key).map(|tx| tx.borrow().text.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_table() {
        let at = |last: Option<u64>, parts| Snapshot {
            last_segment: last,
            parts,
            ..Snapshot::default()
        };
        let cases: &[(&str, Snapshot, u64, Option<u64>, bool)] = &[
            ("empty, first part", at(None, 0), 0, Some(0), false),
            ("first part listed", at(None, 1), 0, Some(0), true),
            ("second part not yet", at(None, 1), 0, Some(1), false),
            (
                "whole segment asked, parts only",
                at(None, 3),
                0,
                None,
                false,
            ),
            ("whole segment listed", at(Some(4), 0), 4, None, true),
            ("older segment", at(Some(4), 0), 2, Some(9), true),
            ("next segment's part 0", at(Some(4), 1), 5, Some(0), true),
            ("next segment's part 1", at(Some(4), 1), 5, Some(1), false),
            ("two ahead", at(Some(4), 3), 6, Some(0), false),
        ];
        for (name, s, msn, part, want) in cases {
            assert_eq!(s.has(*msn, *part), *want, "{name}");
        }
        let ended = Snapshot {
            ended: true,
            ..Snapshot::default()
        };
        assert!(ended.has(99, Some(0)));
    }

    #[test]
    fn read_finds_the_position() {
        let text = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-PART:DURATION=0.3,URI=\"a\"\n\
                    #EXTINF:2.0,\nseg7.m4s\n#EXTINF:2.0,\nseg8.m4s\n\
                    #EXT-X-PART:DURATION=0.3,URI=\"b\"\n#EXT-X-PART:DURATION=0.3,URI=\"c\"\n";
        let s = Snapshot::read(Bytes::from_static(text.as_bytes()));
        assert_eq!((s.last_segment, s.parts, s.ended), (Some(8), 2, false));
        assert!(s.has(9, Some(1)) && !s.has(9, Some(2)));
        assert!(!s.too_far(10) && s.too_far(11), "more than last + 2");
        let empty = Snapshot::read(Bytes::from_static(b"#EXTM3U\n#EXT-X-ENDLIST\n"));
        assert_eq!((empty.last_segment, empty.ended), (None, true));
    }

    /// On tokio's paused clock: the waits' timeouts pass without real time passing.
    #[tokio::test(start_paused = true)]
    async fn wait_answers_when_the_part_appears() {
        let playlists = LivePlaylists::default();
        assert!(
            playlists
                .wait("k", 0, Some(0), Duration::from_millis(1))
                .await
                .is_none()
        );
        playlists.publish("k", Snapshot::default());
        let waiter = {
            let p = playlists.clone();
            tokio::spawn(async move { p.wait("k", 0, Some(0), Duration::from_secs(5)).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished());
        playlists.publish(
            "k",
            Snapshot {
                text: Bytes::from_static(b"v2"),
                parts: 1,
                ..Snapshot::default()
            },
        );
        assert_eq!(waiter.await.unwrap(), Some(Ok(Bytes::from_static(b"v2"))));
        let late = playlists
            .wait("k", 3, None, Duration::from_millis(20))
            .await;
        assert_eq!(late, Some(Err(Bytes::from_static(b"v2"))));
    }
}
