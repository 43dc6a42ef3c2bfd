//! What waits to be stored. The backlog takes everything the packager queues, so a
//! store's outage never reaches the publisher, and its policy keeps that bounded: media
//! up to a byte budget, no parts while the store fails, one version of each playlist.

use std::collections::VecDeque;

use super::{Kind, Upload};

/// Media kept per stream while the store fails: about 100 s of a 2.5 Mbit/s stream, and
/// more than a 30 s outage of anything up to 8 Mbit/s. Bounded so that a long outage costs
/// at most this much memory per stream.
pub(super) const BACKLOG_BYTES: usize = 32 << 20;

/// What waits to be stored, and the outage policy: media is kept up to a byte budget,
/// parts are turned away while the store fails, and a playlist replaces any older version
/// of itself still waiting. Counts the bytes of every media object it holds, including the
/// one being stored.
#[derive(Debug)]
pub(super) struct Backlog {
    queue: VecDeque<Upload>,
    bytes: usize,
    budget: usize,
}

impl Backlog {
    pub(super) fn new(budget: usize) -> Backlog {
        Backlog {
            queue: VecDeque::new(),
            bytes: 0,
            budget,
        }
    }

    /// Queues `upload`; returns what was turned away instead (it, or the playlist
    /// versions it replaces).
    pub(super) fn push(&mut self, upload: Upload, failing: bool) -> Vec<Upload> {
        let mut away = Vec::new();
        let len = upload.data.len();
        match upload.kind {
            Kind::Playlist => {
                let mut i = 0;
                while i < self.queue.len() {
                    if self.queue[i].kind == Kind::Playlist && self.queue[i].key == upload.key {
                        away.extend(self.queue.remove(i));
                    } else {
                        i += 1;
                    }
                }
            }
            Kind::Part if failing => return vec![upload],
            Kind::Segment | Kind::Part if self.bytes + len > self.budget => return vec![upload],
            Kind::Segment | Kind::Part | Kind::Init => self.add(len),
        }
        self.queue.push_back(upload);
        away
    }

    /// The next object to store; its bytes stay counted until [`Backlog::done`].
    pub(super) fn take(&mut self) -> Option<Upload> {
        self.queue.pop_front()
    }

    /// Puts a taken object back in front, to try again.
    pub(super) fn retry(&mut self, upload: Upload) {
        self.queue.push_front(upload);
    }

    /// A taken object is stored or given up on.
    pub(super) fn done(&mut self, upload: &Upload) {
        if upload.kind.is_media() {
            let len = upload.data.len();
            self.bytes -= len;
            metrics::gauge!("liboo_ingest_upload_backlog_bytes").decrement(len as f64);
        }
    }

    fn add(&mut self, len: usize) {
        self.bytes += len;
        metrics::gauge!("liboo_ingest_upload_backlog_bytes").increment(len as f64);
    }

    /// Takes out every waiting object `which` picks.
    pub(super) fn remove_if(&mut self, which: impl Fn(&Upload) -> bool) -> Vec<Upload> {
        let mut out = Vec::new();
        for upload in std::mem::take(&mut self.queue) {
            if which(&upload) {
                out.push(upload);
            } else {
                self.queue.push_back(upload);
            }
        }
        for u in &out {
            self.done(u);
        }
        out
    }

    pub(super) fn has_late(&self) -> bool {
        self.queue.iter().any(|u| u.late)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn upload(kind: Kind, key: &str, len: usize) -> Upload {
        Upload::new(kind, key.to_owned(), Bytes::from(vec![0u8; len]))
    }

    fn keys(uploads: &[Upload]) -> Vec<&str> {
        uploads.iter().map(|u| u.key.as_str()).collect()
    }

    /// What the backlog keeps and turns away, healthy and failing.
    #[test]
    fn backlog_policy_table() {
        use Kind::*;
        // (name, budget, failing, queued before, pushed, turned away, queue after)
        type Case = (
            &'static str,
            usize,
            bool,
            &'static [(Kind, &'static str, usize)],
            (Kind, &'static str, usize),
            &'static [&'static str],
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            (
                "a segment fits",
                100,
                false,
                &[],
                (Segment, "s0", 60),
                &[],
                &["s0"],
            ),
            (
                "a segment over the budget is dropped, not an older one",
                100,
                true,
                &[(Segment, "s0", 60)],
                (Segment, "s1", 60),
                &["s1"],
                &["s0"],
            ),
            (
                "an init segment is kept past the budget",
                100,
                true,
                &[(Segment, "s0", 90)],
                (Init, "init1", 20),
                &[],
                &["s0", "init1"],
            ),
            (
                "a part is kept while the store answers",
                100,
                false,
                &[(Segment, "s0", 10)],
                (Part, "s1.0", 5),
                &[],
                &["s0", "s1.0"],
            ),
            (
                "a part is dropped while the store fails",
                100,
                true,
                &[(Segment, "s0", 10)],
                (Part, "s1.0", 5),
                &["s1.0"],
                &["s0"],
            ),
            (
                "a playlist replaces its waiting version, not other playlists",
                100,
                true,
                &[
                    (Playlist, "index", 1),
                    (Segment, "s0", 10),
                    (Playlist, "channel", 1),
                ],
                (Playlist, "index", 1),
                &["index"],
                &["s0", "channel", "index"],
            ),
            (
                "playlists do not count against the budget",
                10,
                true,
                &[(Segment, "s0", 10)],
                (Playlist, "index", 50),
                &[],
                &["s0", "index"],
            ),
        ];
        for (name, budget, failing, before, (kind, key, len), away, after) in cases {
            let mut b = Backlog::new(*budget);
            for (k, key, len) in *before {
                assert!(b.push(upload(*k, key, *len), false).is_empty(), "{name}");
            }
            let turned = b.push(upload(*kind, key, *len), *failing);
            assert_eq!(keys(&turned), *away, "{name}: turned away");
            let queued: Vec<Upload> = b.queue.drain(..).collect();
            assert_eq!(keys(&queued), *after, "{name}: queue");
        }
    }

    #[test]
    fn backlog_counts_media_bytes_until_done() {
        let mut b = Backlog::new(100);
        b.push(upload(Kind::Segment, "s0", 40), false);
        b.push(upload(Kind::Part, "s1.0", 10), false);
        b.push(upload(Kind::Playlist, "index", 7), false);
        assert_eq!(b.bytes, 50);
        let head = b.take().unwrap();
        assert_eq!(b.bytes, 50, "the object being stored still counts");
        b.retry(head);
        let parts = b.remove_if(|u| u.kind == Kind::Part);
        assert_eq!(keys(&parts), ["s1.0"]);
        assert_eq!(b.bytes, 40);
        let head = b.take().unwrap();
        b.done(&head);
        assert_eq!(b.bytes, 0);
        assert!(!b.has_late());
    }
}
