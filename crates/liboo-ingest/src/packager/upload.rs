//! Between the packager and its uploader: what the segmenter made goes into the upload
//! queue (never waiting: what finds it full is dropped and counted), and the uploader's
//! reports come back to the listing, whose decisions are carried out here.

use bytes::Bytes;
use hls::{Part, PlaylistEntry, SegmentEvent};
use liboo_storage::layout;

use super::Packager;
use super::listing::{Decision, Made};
use crate::IngestError;
use crate::frames::Input;
use crate::uploader::{Kind, Msg, Report, Upload};

impl Packager {
    /// Queues what the segmenter made: init segments, parts and whole segments, each
    /// listed once stored. Never waits: an object that finds the queue full is dropped
    /// and counted.
    pub(super) fn queue_made(&mut self, made: Vec<SegmentEvent>) {
        for event in made {
            match event {
                SegmentEvent::Init { version, data } => {
                    let key = self.info.prefix.join(&layout::init_segment(version));
                    self.init = Some(data.clone());
                    self.queue(Kind::Init, key, data, Made::Init { version });
                }
                SegmentEvent::Part {
                    segment,
                    index,
                    duration_ms,
                    independent,
                    data,
                } => {
                    let uri = layout::part(segment, index);
                    let key = self.info.prefix.join(&uri);
                    let next = layout::part(segment, index + 1);
                    let part = Part {
                        duration_ms,
                        uri,
                        independent,
                    };
                    self.queue(Kind::Part, key, data, Made::Part { part, next });
                }
                SegmentEvent::Segment {
                    sequence,
                    start_ms,
                    duration_ms,
                    discontinuity,
                    init_version,
                    data,
                } => {
                    let uri = match init_version {
                        Some(_) => layout::cmaf_segment(sequence),
                        None => layout::ts_segment(sequence),
                    };
                    let key = self.info.prefix.join(&uri);
                    let init = &self.init;
                    self.frames
                        .segment(
                            self.info.id,
                            &self.info.prefix,
                            start_ms,
                            || match init_version {
                                None => Some((data.clone(), Input::Ts)),
                                Some(_) => init.as_ref().map(|init| {
                                    let both = [init.as_ref(), data.as_ref()].concat();
                                    (Bytes::from(both), Input::Mp4)
                                }),
                            },
                        );
                    let media_anchor = *self.anchor_media_ms.get_or_insert(start_ms);
                    let entry = PlaylistEntry {
                        duration_ms,
                        uri,
                        program_date_time_ms: Some(self.anchor_wall_ms + start_ms - media_anchor),
                        discontinuity,
                        ..PlaylistEntry::default()
                    };
                    let made = Made::Segment {
                        bytes: data.len() as u64,
                        entry,
                        init_version,
                        next_part: init_version.map(|_| layout::part(sequence + 1, 0)),
                    };
                    self.queue(Kind::Segment, key, data, made);
                }
            }
        }
    }

    /// Hands media to the uploader, to be listed once it is stored. A full queue drops it
    /// (counted; the uploader takes everything as it comes, so only a stuck uploader task
    /// fills it).
    fn queue(&mut self, kind: Kind, key: String, data: Bytes, made: Made) {
        let queued = self
            .uploads
            .try_send(Msg::Store(Upload::new(kind, key.clone(), data)))
            .is_ok();
        if !queued {
            let what = match kind {
                Kind::Segment => "segment",
                Kind::Part => "part",
                _ => "init segment",
            };
            metrics::counter!(match kind {
                Kind::Segment => "liboo_ingest_dropped_segments_total",
                Kind::Part => "liboo_ingest_dropped_parts_total",
                _ => "liboo_ingest_failed_uploads_total",
            })
            .increment(1);
            tracing::warn!(video_id = %self.info.video_id, what, "upload queue full: dropped");
        }
        self.listing.made(key, made, queued);
    }

    /// The uploader's next report, for the connection to wait on beside its socket, so
    /// that what was stored is listed at once, not with the publisher's next message
    /// (which may be a read batch away). Pending for good once the uploader is gone.
    pub(crate) async fn next_report(&mut self) -> Report {
        match self.upload_reports.recv().await {
            Some(report) => report,
            None => std::future::pending().await,
        }
    }

    /// Applies a report from [`next_report`](Self::next_report) and lists what it settled.
    pub(crate) fn on_report(&mut self, report: Report) -> Result<(), IngestError> {
        self.apply(report);
        self.settle()
    }

    /// Takes the uploader's reports and lists what they settle. Fails once the disk under
    /// the store is full: the broadcast cannot go on.
    pub(super) fn settle(&mut self) -> Result<(), IngestError> {
        while let Ok(report) = self.upload_reports.try_recv() {
            self.apply(report);
        }
        self.list_settled();
        match &self.full {
            Some(why) => Err(IngestError::StorageFull(why.clone())),
            None => Ok(()),
        }
    }

    pub(super) fn apply(&mut self, report: Report) {
        match report {
            Report::Stored(key) => self.listing.report(&key, true),
            Report::Dropped(key) => self.listing.report(&key, false),
            Report::Full(why) => self.full = Some(why),
        }
    }

    /// Lists, in the order made, everything the uploader has settled, and carries out what
    /// the listing decides, one object at a time.
    pub(super) fn list_settled(&mut self) {
        while let Some(decisions) = self.listing.settle_next() {
            for decision in decisions {
                match decision {
                    Decision::Listed { bytes, duration_ms } => {
                        self.write_master(bytes, duration_ms)
                    }
                    Decision::Replay => self.queue_replay(),
                    Decision::Live => self.queue_live_playlists(),
                    Decision::Lost => self.health.dropped += 1,
                    // After the playlists just queued, which no longer list them: the
                    // uploader deletes them once those are stored (a stored playlist never
                    // names a missing object).
                    Decision::Retire(old) => {
                        if self.uploads.try_send(Msg::DeleteParts(old)).is_err() {
                            metrics::counter!("liboo_ingest_failed_part_deletes_total")
                                .increment(1);
                        }
                    }
                }
            }
        }
    }
}
