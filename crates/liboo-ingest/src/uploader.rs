//! The uploader: one task per broadcast (and per rendition) that stores what the packager
//! made, in the order it was queued, and tells the packager what was stored and what was
//! dropped. The packager lists an object in its playlists only once it is stored, so no
//! stored or served playlist names an object that is not there.
//!
//! A store that fails (S3 unreachable, a hung request) starts an outage: the object is
//! retried with backoff for as long as the broadcast runs, while everything the packager
//! queues meanwhile is taken into a backlog, so the packager's queue never fills and the
//! publisher never waits. In the backlog, segments and init segments are kept (up to
//! [`BACKLOG_BYTES`] of media; later segments are dropped), parts are dropped (they are
//! only useful live, and their whole segment follows), and a playlist replaces any older
//! version of itself still waiting. The outage is logged when it starts and when it ends,
//! with what it cost, never per object; every segment it touched is counted in
//! `liboo_ingest_late_segments_total` or `liboo_ingest_dropped_segments_total`.
//!
//! A local disk that is full (`ENOSPC`, or less free than the configured reserve) is not an
//! outage: retrying will not help, so the broadcast's media is dropped from then on, the
//! packager is told ([`Report::Full`]) and ends the broadcast; its small final playlists
//! still go into the reserve.

use std::collections::VecDeque;
use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use liboo_storage::MediaStore;
use tokio::sync::mpsc;

use crate::playlists::{LivePlaylists, Snapshot};

/// What an object is, which decides what the uploader does with it when the store fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A whole segment: kept through an outage, reported to the packager.
    Segment,
    /// An LL-HLS part: dropped in an outage, reported to the packager.
    Part,
    /// An fMP4 init segment: always kept (everything after it needs it), reported.
    Init,
    /// A playlist: superseded by its next version, not reported.
    Playlist,
}

impl Kind {
    fn is_media(self) -> bool {
        self != Kind::Playlist
    }
}

/// One object to store.
#[derive(Debug)]
pub(crate) struct Upload {
    pub kind: Kind,
    pub key: String,
    pub data: Bytes,
    /// A live playlist to offer to blocking reloads once stored.
    pub publish: Option<Publish>,
    /// Made while the store was failing, or failed itself: stored late if at all.
    late: bool,
}

impl Upload {
    pub(crate) fn new(kind: Kind, key: String, data: Bytes) -> Upload {
        Upload {
            kind,
            key,
            data,
            publish: None,
            late: false,
        }
    }

    pub(crate) fn playlist(key: String, data: Bytes, publish: Option<Publish>) -> Upload {
        Upload {
            publish,
            ..Upload::new(Kind::Playlist, key, data)
        }
    }
}

#[derive(Debug)]
pub(crate) struct Publish {
    pub playlists: LivePlaylists,
    /// Where the playlist stands; its text is the upload's data.
    pub snapshot: Snapshot,
}

/// What the packager sends the uploader.
#[derive(Debug)]
pub(crate) enum Msg {
    Store(Upload),
    /// Parts no playlist queued before this message lists: deleted once everything
    /// queued before it is stored (so is a playlist without them), while the store works.
    DeleteParts(Vec<String>),
    /// The broadcast is ending: retry a failing store for [`FINISH_PATIENCE`] more at most.
    Finish,
}

/// What the uploader tells the packager about its media (segments, parts, init segments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Report {
    Stored(String),
    Dropped(String),
    /// The disk under the store is full (the message says where and why): the broadcast
    /// cannot go on. Sent once.
    Full(String),
}

/// Media kept per stream while the store fails: about 100 s of a 2.5 Mbit/s stream, and
/// more than a 30 s outage of anything up to 8 Mbit/s. Bounded so that a long outage costs
/// at most this much memory per stream.
pub(crate) const BACKLOG_BYTES: usize = 32 << 20;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Short, so the backlog starts to drain within seconds of the store coming back.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// One attempt that has not finished in this time has failed (a hung store or disk). The
/// S3 client has shorter timeouts of its own; this also covers a local folder on a
/// network disk.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an ending broadcast waits for a failing store before dropping what is left.
const FINISH_PATIENCE: Duration = Duration::from_secs(30);

/// What waits to be stored, and the outage policy: media is kept up to a byte budget,
/// parts are turned away while the store fails, and a playlist replaces any older version
/// of itself still waiting. Counts the bytes of every media object it holds, including the
/// one being stored.
#[derive(Debug)]
struct Backlog {
    queue: VecDeque<Upload>,
    bytes: usize,
    budget: usize,
}

impl Backlog {
    fn new(budget: usize) -> Backlog {
        Backlog {
            queue: VecDeque::new(),
            bytes: 0,
            budget,
        }
    }

    /// Queues `upload`; returns what was turned away instead (it, or the playlist
    /// versions it replaces).
    fn push(&mut self, upload: Upload, failing: bool) -> Vec<Upload> {
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
    fn take(&mut self) -> Option<Upload> {
        self.queue.pop_front()
    }

    /// Puts a taken object back in front, to try again.
    fn retry(&mut self, upload: Upload) {
        self.queue.push_front(upload);
    }

    /// A taken object is stored or given up on.
    fn done(&mut self, upload: &Upload) {
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
    fn remove_if(&mut self, which: impl Fn(&Upload) -> bool) -> Vec<Upload> {
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

    fn has_late(&self) -> bool {
        self.queue.iter().any(|u| u.late)
    }
}

/// A store that is failing, and what that has cost so far.
#[derive(Debug)]
struct Outage {
    since: Instant,
    /// The last attempt failed (else the backlog it left is being caught up).
    failing: bool,
    failed_attempts: u64,
    late_segments: u64,
    dropped_segments: u64,
    dropped_parts: u64,
    superseded_playlists: u64,
    given_up: u64,
}

/// Deletes stored LL-HLS parts after `delay`, in the background and best effort: a part
/// left behind only costs space.
pub(crate) fn delete_parts(
    media: MediaStore,
    video_id: String,
    keys: Vec<String>,
    delay: Duration,
) {
    if keys.is_empty() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        delete_stored_parts(&media, &video_id, &keys).await;
    });
}

/// Deletes stored LL-HLS parts of broadcast `video_id` now, best effort, counting in
/// `/metrics` what was deleted and what was not.
pub(crate) async fn delete_stored_parts(media: &MediaStore, video_id: &str, keys: &[String]) {
    let mut deleted = 0u64;
    for key in keys {
        match media.delete(key).await {
            Ok(()) => deleted += 1,
            Err(e) => {
                metrics::counter!("liboo_ingest_failed_part_deletes_total").increment(1);
                tracing::debug!(%video_id, key, error = %e, "a part was not deleted");
            }
        }
    }
    metrics::counter!("liboo_ingest_deleted_parts_total").increment(deleted);
}

/// One broadcast's uploader.
pub(crate) struct Uploader {
    media: MediaStore,
    /// Bytes to leave free on the disk under a local store.
    min_free: u64,
    /// Whose media this is, for logs.
    video_id: String,
    reports: mpsc::UnboundedSender<Report>,
    backlog: Backlog,
    outage: Option<Outage>,
    /// The broadcast is ending: after this, a failing store is given up on.
    deadline: Option<Instant>,
    /// The disk is full: no more media of this broadcast is stored.
    full: bool,
    /// Parts to delete when the uploader is next idle with the store working.
    deletes: Vec<String>,
}

/// Why an attempt failed.
enum Failure {
    Full(String),
    Other(String),
}

impl Uploader {
    pub(crate) fn new(
        media: MediaStore,
        min_free: u64,
        video_id: String,
        reports: mpsc::UnboundedSender<Report>,
    ) -> Uploader {
        Uploader {
            media,
            min_free,
            video_id,
            reports,
            backlog: Backlog::new(BACKLOG_BYTES),
            outage: None,
            deadline: None,
            full: false,
            deletes: Vec::new(),
        }
    }

    /// Stores queued objects until every sender is dropped and the backlog is empty.
    pub(crate) async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let mut open = true;
        let mut backoff = FIRST_BACKOFF;
        loop {
            // Take all that waits, so the policy sees it before the next attempt.
            while open {
                match rx.try_recv() {
                    Ok(msg) => self.take(msg),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => open = false,
                }
            }
            let Some(upload) = self.next() else {
                // Idle, so every playlist queued before these deletions is stored.
                if self.outage.as_ref().is_none_or(|o| !o.failing) && !self.deletes.is_empty() {
                    let keys = std::mem::take(&mut self.deletes);
                    delete_parts(
                        self.media.clone(),
                        self.video_id.clone(),
                        keys,
                        Duration::ZERO,
                    );
                }
                if !open {
                    break;
                }
                match rx.recv().await {
                    Some(msg) => self.take(msg),
                    None => open = false,
                }
                continue;
            };
            let attempt = self.attempt(&upload);
            match self.taking(&mut rx, &mut open, attempt).await {
                Ok(()) => {
                    backoff = FIRST_BACKOFF;
                    self.stored(upload);
                }
                Err(Failure::Full(why)) => self.disk_full(upload, why),
                Err(Failure::Other(why)) => {
                    if self.failed(upload, why) {
                        let pause = tokio::time::sleep(backoff);
                        self.taking(&mut rx, &mut open, pause).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        }
        if let Some(outage) = self.outage.take() {
            tracing::error!(
                video_id = %self.video_id,
                seconds = outage.since.elapsed().as_secs(),
                late_segments = outage.late_segments,
                dropped_segments = outage.dropped_segments,
                dropped_parts = outage.dropped_parts,
                given_up = outage.given_up,
                "the broadcast ended while media storage was failing; what was not stored is dropped"
            );
        }
    }

    /// Runs `fut` while taking whatever the packager queues meanwhile.
    async fn taking<F: Future>(
        &mut self,
        rx: &mut mpsc::Receiver<Msg>,
        open: &mut bool,
        fut: F,
    ) -> F::Output {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return out,
                msg = rx.recv(), if *open => match msg {
                    Some(msg) => self.take(msg),
                    None => *open = false,
                },
            }
        }
    }

    fn take(&mut self, msg: Msg) {
        let mut upload = match msg {
            Msg::Store(upload) => upload,
            Msg::Finish => {
                self.deadline = Some(Instant::now() + FINISH_PATIENCE);
                return;
            }
            Msg::DeleteParts(keys) => {
                self.deletes.extend(keys);
                return;
            }
        };
        if self.full && upload.kind.is_media() {
            self.drop_media(&upload);
            return;
        }
        let failing = self.outage.as_ref().is_some_and(|o| o.failing);
        upload.late |= failing;
        for away in self.backlog.push(upload, failing) {
            self.turned_away(&away);
        }
    }

    /// The next object to try. Media is dropped unseen once the disk is full, or when an
    /// ending broadcast has waited out its patience with the store still failing.
    fn next(&mut self) -> Option<Upload> {
        while let Some(upload) = self.backlog.take() {
            let past_deadline = self.deadline.is_some_and(|d| Instant::now() >= d)
                && self.outage.as_ref().is_some_and(|o| o.failing);
            if upload.kind.is_media() && (self.full || past_deadline) {
                self.backlog.done(&upload);
                self.drop_media(&upload);
                continue;
            }
            return Some(upload);
        }
        None
    }

    /// One attempt to store `upload`, as a future that holds no borrow of `self`.
    fn attempt(&self, upload: &Upload) -> impl Future<Output = Result<(), Failure>> + use<> {
        let media = self.media.clone();
        let (key, data) = (upload.key.clone(), upload.data.clone());
        // Media may not eat into the reserve kept for the database and final playlists.
        let room = match (upload.kind.is_media(), media.free_space()) {
            (true, Some(free)) if free < self.min_free + data.len() as u64 => {
                let folder = media.local_root().map(|p| p.display().to_string());
                Err(Failure::Full(format!(
                    "only {free} bytes free on the disk under {}: {key} ({} bytes) would cut \
                     into the {} kept free (--storage-min-free-mb)",
                    folder.unwrap_or_default(),
                    data.len(),
                    self.min_free,
                )))
            }
            _ => Ok(()),
        };
        async move {
            room?;
            match tokio::time::timeout(ATTEMPT_TIMEOUT, media.put(&key, data)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) if e.is_full() => Err(Failure::Full(e.to_string())),
                Ok(Err(e)) => Err(Failure::Other(e.to_string())),
                Err(_) => Err(Failure::Other(format!(
                    "no answer in {} s",
                    ATTEMPT_TIMEOUT.as_secs()
                ))),
            }
        }
    }

    fn stored(&mut self, upload: Upload) {
        self.backlog.done(&upload);
        if upload.kind == Kind::Segment {
            metrics::counter!("liboo_ingest_segments_total").increment(1);
            metrics::counter!("liboo_ingest_bytes_total").increment(upload.data.len() as u64);
            if upload.late {
                metrics::counter!("liboo_ingest_late_segments_total").increment(1);
                if let Some(outage) = &mut self.outage {
                    outage.late_segments += 1;
                }
            }
        }
        if upload.kind.is_media() {
            let _ = self.reports.send(Report::Stored(upload.key));
        } else if let Some(Publish {
            playlists,
            snapshot,
        }) = upload.publish
        {
            playlists.publish(
                &upload.key,
                Snapshot {
                    text: upload.data,
                    ..snapshot
                },
            );
        }
        if let Some(outage) = &mut self.outage {
            outage.failing = false;
            if !self.backlog.has_late() {
                let outage = self.outage.take().expect("checked");
                tracing::warn!(
                    video_id = %self.video_id,
                    seconds = outage.since.elapsed().as_secs(),
                    failed_attempts = outage.failed_attempts,
                    late_segments = outage.late_segments,
                    dropped_segments = outage.dropped_segments,
                    dropped_parts = outage.dropped_parts,
                    superseded_playlists = outage.superseded_playlists,
                    given_up = outage.given_up,
                    "media storage is back and has caught up"
                );
            }
        }
    }

    /// A failed attempt: starts or continues the outage. Returns whether the object is
    /// to be tried again (after a pause).
    fn failed(&mut self, mut upload: Upload, why: String) -> bool {
        metrics::counter!("liboo_ingest_upload_failures_total").increment(1);
        match &mut self.outage {
            Some(outage) => {
                outage.failing = true;
                outage.failed_attempts += 1;
            }
            None => {
                metrics::counter!("liboo_ingest_storage_outages_total").increment(1);
                tracing::warn!(
                    video_id = %self.video_id,
                    key = %upload.key,
                    error = %why,
                    "media storage is failing; retrying until it answers, keeping segments \
                     (up to {} MiB) and dropping parts and superseded playlists meanwhile",
                    BACKLOG_BYTES >> 20
                );
                self.outage = Some(Outage {
                    since: Instant::now(),
                    failing: true,
                    failed_attempts: 1,
                    late_segments: 0,
                    dropped_segments: 0,
                    dropped_parts: 0,
                    superseded_playlists: 0,
                    given_up: 0,
                });
                // Parts already waiting will be stale by the time the store answers.
                for part in self.backlog.remove_if(|u| u.kind == Kind::Part) {
                    self.drop_media(&part);
                }
            }
        }
        upload.late = true;
        let past_deadline = self.deadline.is_some_and(|d| Instant::now() >= d);
        if upload.kind == Kind::Part || past_deadline {
            self.backlog.done(&upload);
            self.give_up(&upload, &why);
            return false;
        }
        self.backlog.retry(upload);
        true
    }

    /// The disk is full: tell the packager once, and store no more media.
    fn disk_full(&mut self, upload: Upload, why: String) {
        self.backlog.done(&upload);
        let first = !self.full;
        if first {
            self.full = true;
            metrics::counter!("liboo_ingest_storage_full_total").increment(1);
            tracing::error!(
                video_id = %self.video_id,
                error = %why,
                "media storage is full: ending the broadcast. Free space on that disk (old \
                 replays take the most; delete them in the studio) or point --storage-url at \
                 a larger one; until then new broadcasts are refused"
            );
            let _ = self.reports.send(Report::Full(why.clone()));
        }
        self.give_up(&upload, &why);
        if first {
            for waiting in self.backlog.remove_if(|u| u.kind.is_media()) {
                self.drop_media(&waiting);
            }
        }
    }

    /// An object that will not be stored.
    fn give_up(&mut self, upload: &Upload, why: &str) {
        if upload.kind.is_media() {
            self.drop_media(upload);
            return;
        }
        metrics::counter!("liboo_ingest_failed_uploads_total").increment(1);
        match &mut self.outage {
            Some(outage) => outage.given_up += 1,
            // Outside an outage (the disk is full), each such loss is worth a line.
            None => {
                tracing::error!(video_id = %self.video_id, key = %upload.key, error = %why, "could not store a playlist")
            }
        }
    }

    /// Counts and reports media that will not be stored.
    fn drop_media(&mut self, upload: &Upload) {
        let outage = self.outage.as_mut();
        match upload.kind {
            Kind::Segment => {
                metrics::counter!("liboo_ingest_dropped_segments_total").increment(1);
                if let Some(o) = outage {
                    o.dropped_segments += 1;
                }
            }
            Kind::Part => {
                metrics::counter!("liboo_ingest_dropped_parts_total").increment(1);
                if let Some(o) = outage {
                    o.dropped_parts += 1;
                }
            }
            Kind::Init => {
                metrics::counter!("liboo_ingest_failed_uploads_total").increment(1);
                if let Some(o) = outage {
                    o.given_up += 1;
                }
            }
            Kind::Playlist => return,
        }
        let _ = self.reports.send(Report::Dropped(upload.key.clone()));
    }

    /// Something the backlog would not keep.
    fn turned_away(&mut self, upload: &Upload) {
        if upload.kind == Kind::Playlist {
            metrics::counter!("liboo_ingest_superseded_playlists_total").increment(1);
            if let Some(o) = &mut self.outage {
                o.superseded_playlists += 1;
            }
        } else {
            self.drop_media(upload);
        }
    }
}

#[cfg(test)]
mod tests {
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

    /// A folder store on a full disk: the uploader reports `Full` once, drops the media
    /// and still stores playlists where they fit (the reserve). Here the reserve is
    /// larger than the disk, so no media fits at all while a playlist does.
    #[tokio::test]
    async fn a_full_disk_is_reported_once_and_media_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let media = MediaStore::open(&url, &Default::default()).unwrap();
        let (tx, mut reports) = mpsc::unbounded_channel();
        let uploader = Uploader::new(media.clone(), u64::MAX / 2, "v".to_owned(), tx);
        let (queue, rx) = mpsc::channel(8);
        let task = tokio::spawn(uploader.run(rx));
        for u in [
            upload(Kind::Init, "v/init0.mp4", 10),
            upload(Kind::Part, "v/seg00000.0.m4s", 10),
            upload(Kind::Segment, "v/seg00000.m4s", 10),
            Upload::playlist(
                "v/index.m3u8".to_owned(),
                Bytes::from_static(b"#EXTM3U\n"),
                None,
            ),
        ] {
            queue.send(Msg::Store(u)).await.unwrap();
        }
        drop(queue);
        task.await.unwrap();
        let mut got = Vec::new();
        while let Ok(r) = reports.try_recv() {
            got.push(r);
        }
        assert!(matches!(&got[0], Report::Full(why) if why.contains("--storage-min-free-mb")));
        assert_eq!(
            &got[1..],
            [
                Report::Dropped("v/init0.mp4".to_owned()),
                Report::Dropped("v/seg00000.0.m4s".to_owned()),
                Report::Dropped("v/seg00000.m4s".to_owned()),
            ]
        );
        assert_eq!(media.list("v").await.unwrap(), ["v/index.m3u8"]);
    }
}
