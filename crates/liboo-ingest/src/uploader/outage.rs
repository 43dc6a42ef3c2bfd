//! A store that fails: the object at the head is retried with backoff for as long as the
//! broadcast runs (an ending one waits [`FINISH_PATIENCE`](super::task::FINISH_PATIENCE)
//! more), and the outage is logged twice, when it starts and when the store has caught
//! up, with what it cost, never per object. A full local disk is not an outage, because
//! retrying does not help: the broadcast is told to end and its media is dropped.

use std::time::{Duration, Instant};

use super::backlog::BACKLOG_BYTES;
use super::task::Uploader;
use super::{Kind, Report, Upload};

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Short, so the backlog starts to drain within seconds of the store coming back.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The pause before the next attempt at a failed object: doubles from [`FIRST_BACKOFF`]
/// up to [`MAX_BACKOFF`], and starts over once an object is stored.
#[derive(Debug)]
pub(super) struct Backoff(Duration);

impl Backoff {
    pub(super) fn new() -> Backoff {
        Backoff(FIRST_BACKOFF)
    }

    /// An object was stored.
    pub(super) fn reset(&mut self) {
        self.0 = FIRST_BACKOFF;
    }

    /// The pause to take now; the next one is twice as long.
    pub(super) fn next(&mut self) -> Duration {
        let pause = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        pause
    }
}

/// A store that is failing, and what that has cost so far.
#[derive(Debug)]
pub(super) struct Outage {
    since: Instant,
    /// The last attempt failed (else the backlog it left is being caught up).
    pub(super) failing: bool,
    failed_attempts: u64,
    pub(super) late_segments: u64,
    pub(super) dropped_segments: u64,
    pub(super) dropped_parts: u64,
    pub(super) superseded_playlists: u64,
    pub(super) given_up: u64,
}

impl Uploader {
    /// A failed attempt: starts or continues the outage. Returns whether the object is
    /// to be tried again (after a pause).
    pub(super) fn failed(&mut self, mut upload: Upload, why: String) -> bool {
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

    /// An object was stored: the store answers again. The outage ends once nothing
    /// that waited through it is left in the backlog.
    pub(super) fn store_answered(&mut self) {
        let Some(outage) = &mut self.outage else {
            return;
        };
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

    /// The uploader is done: an outage still going on is logged with what it cost.
    pub(super) fn ended(&mut self) {
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

    /// The disk is full: tell the packager once, and store no more media.
    pub(super) fn disk_full(&mut self, upload: Upload, why: String) {
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
}
