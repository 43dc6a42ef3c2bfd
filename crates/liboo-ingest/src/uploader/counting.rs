//! What each object's fate adds to `/metrics` and, during an outage, to the outage's
//! tally (logged when it ends): stored, stored late, dropped, superseded or given up.
//! Media that will not be stored is also reported to the packager, which leaves it out
//! of its playlists.

use super::outage::Outage;
use super::task::Uploader;
use super::{Kind, Report, Upload};

impl Uploader {
    /// Counts one object in `/metrics` under `counter` and, if the store is in an
    /// outage, in the outage's tally (`tally` picks the field).
    fn count(&mut self, counter: &'static str, tally: fn(&mut Outage) -> &mut u64) {
        metrics::counter!(counter).increment(1);
        if let Some(outage) = &mut self.outage {
            *tally(outage) += 1;
        }
    }

    /// Counts an object that was stored.
    pub(super) fn count_stored(&mut self, upload: &Upload) {
        if upload.kind == Kind::Segment {
            metrics::counter!("liboo_ingest_segments_total").increment(1);
            metrics::counter!("liboo_ingest_bytes_total").increment(upload.data.len() as u64);
            if upload.late {
                self.count("liboo_ingest_late_segments_total", |o| &mut o.late_segments);
            }
        }
    }

    /// An object that will not be stored.
    pub(super) fn give_up(&mut self, upload: &Upload, why: &str) {
        if upload.kind.is_media() {
            self.drop_media(upload);
            return;
        }
        if self.outage.is_none() {
            // Outside an outage (the disk is full), each such loss is worth a line.
            tracing::error!(video_id = %self.video_id, key = %upload.key, error = %why, "could not store a playlist");
        }
        self.count("liboo_ingest_failed_uploads_total", |o| &mut o.given_up);
    }

    /// Counts and reports media that will not be stored.
    pub(super) fn drop_media(&mut self, upload: &Upload) {
        match upload.kind {
            Kind::Segment => self.count("liboo_ingest_dropped_segments_total", |o| {
                &mut o.dropped_segments
            }),
            Kind::Part => self.count("liboo_ingest_dropped_parts_total", |o| &mut o.dropped_parts),
            Kind::Init => self.count("liboo_ingest_failed_uploads_total", |o| &mut o.given_up),
            Kind::Playlist => return,
        }
        let _ = self.reports.send(Report::Dropped(upload.key.clone()));
    }

    /// Something the backlog would not keep.
    pub(super) fn turned_away(&mut self, upload: &Upload) {
        if upload.kind == Kind::Playlist {
            self.count("liboo_ingest_superseded_playlists_total", |o| {
                &mut o.superseded_playlists
            });
        } else {
            self.drop_media(upload);
        }
    }
}
