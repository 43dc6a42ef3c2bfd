//! The uploader: one task per broadcast (and per rendition) that stores what the packager
//! made, in the order it was queued, and tells the packager what was stored and what was
//! dropped. The packager lists an object in its playlists only once it is stored, so no
//! stored or served playlist names an object that is not there.
//!
//! A store that fails (S3 unreachable, a hung request) starts an outage: the object is
//! retried with backoff for as long as the broadcast runs, while everything the packager
//! queues meanwhile is taken into a backlog, so the packager's queue never fills and the
//! publisher never waits. In the backlog, segments and init segments are kept (up to
//! [`BACKLOG_BYTES`](backlog::BACKLOG_BYTES) of media; later segments are dropped),
//! parts are dropped (they are only useful live, and their whole segment follows), and a
//! playlist replaces any older version of itself still waiting. The outage is logged when it starts and when it ends,
//! with what it cost, never per object; every segment it touched is counted in
//! `liboo_ingest_late_segments_total` or `liboo_ingest_dropped_segments_total`.
//!
//! A local disk that is full (`ENOSPC`, or less free than the configured reserve) is not an
//! outage: retrying will not help, so the broadcast's media is dropped from then on, the
//! packager is told ([`Report::Full`]) and ends the broadcast; its small final playlists
//! still go into the reserve.
//!
//! The modules: `task` is the loop that takes messages and stores one object at a time,
//! `backlog` what waits and the outage policy, `outage` retries and a full disk, `counting`
//! what each object's fate adds to `/metrics` and to the outage's tally, and `deletes`
//! the removal of parts no playlist lists any more.

use bytes::Bytes;

use crate::playlists::{LivePlaylists, Snapshot};

mod backlog;
mod counting;
mod deletes;
mod outage;
mod task;
#[cfg(test)]
mod tests;

pub(crate) use deletes::{delete_parts, delete_stored_parts};
pub(crate) use task::Uploader;

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
    /// The broadcast is ending: retry a failing store for
    /// [`FINISH_PATIENCE`](task::FINISH_PATIENCE) more at most.
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
