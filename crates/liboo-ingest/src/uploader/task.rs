//! The uploader's task: it takes what the packager queues into the backlog, stores the
//! backlog's head one object at a time, and tells the packager what was stored. While an
//! attempt or a pause runs it keeps taking messages, so the packager's bounded queue
//! never fills behind a slow or failing store.

use std::future::Future;
use std::time::{Duration, Instant};

use liboo_storage::MediaStore;
use tokio::sync::mpsc;

use super::backlog::{BACKLOG_BYTES, Backlog};
use super::deletes::delete_parts;
use super::outage::{Backoff, Outage};
use super::{Msg, Publish, Report, Upload};
use crate::playlists::Snapshot;

/// One attempt that has not finished in this time has failed (a hung store or disk). The
/// S3 client has shorter timeouts of its own; this also covers a local folder on a
/// network disk.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an ending broadcast waits for a failing store before dropping what is left.
pub(super) const FINISH_PATIENCE: Duration = Duration::from_secs(30);

/// One broadcast's uploader.
pub(crate) struct Uploader {
    media: MediaStore,
    /// Bytes to leave free on the disk under a local store.
    min_free: u64,
    /// Whose media this is, for logs.
    pub(super) video_id: String,
    pub(super) reports: mpsc::UnboundedSender<Report>,
    pub(super) backlog: Backlog,
    pub(super) outage: Option<Outage>,
    /// The broadcast is ending: after this, a failing store is given up on.
    pub(super) deadline: Option<Instant>,
    /// The disk is full: no more media of this broadcast is stored.
    pub(super) full: bool,
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
        let mut backoff = Backoff::new();
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
                    backoff.reset();
                    self.stored(upload);
                }
                Err(Failure::Full(why)) => self.disk_full(upload, why),
                Err(Failure::Other(why)) => {
                    if self.failed(upload, why) {
                        let pause = tokio::time::sleep(backoff.next());
                        self.taking(&mut rx, &mut open, pause).await;
                    }
                }
            }
        }
        self.ended();
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
        self.count_stored(&upload);
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
        self.store_answered();
    }
}
