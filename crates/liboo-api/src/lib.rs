//! liboo's broadcast API: LiBoo's HTTP contract under `/api`.
//!
//! Hosts get keys derived from their `userId` ([`keys`]), change their channel's
//! settings, and list or delete their replays; anyone lists live broadcasts and
//! replays. Field names and shapes are LiBoo's so its client works unchanged; the
//! behaviour is fixed where LiBoo was wrong (see `../shared/LIBOO_CONTRACT.md` and
//! `docs/CONTRACT.md`): keys come from a server secret, counts are real, every
//! broadcast keeps its own replay, bad input is a 400 with a message per field.
//!
//! Every piece of state is in the database (or, for viewer counts, in presence), so
//! any number of API nodes can serve the same deployment.
//!
//! Layout: `router` wires the routes, their layers and the OpenAPI document; one
//! module per resource holds its handlers (`host`, `streams`, `replay`); `views`
//! builds the JSON shapes of [`model`] from database rows; `validation` and `paging`
//! check what clients send; `channel` finds the channel a request is about.

#![warn(missing_docs)]

use std::sync::Arc;

pub use liboo_service::iso;
use liboo_service::now_ms;

use liboo_db::Db;
use liboo_presence::Presence;
use liboo_storage::MediaStore;

mod cache;
mod channel;
pub mod conference_model;
mod conferences;
mod error;
mod health;
mod host;
pub mod keys;
pub mod model;
mod paging;
mod qa;
pub mod qa_model;
mod replay;
mod router;
mod streams;
mod talks;
mod validation;
mod views;
pub use liboo_thumbnail as thumbnail;

pub use error::{ApiError, ErrorBody, JsonBody, QueryParams};
use keys::KeyDeriver;
pub use router::{ApiDoc, openapi_json, router, router_with_body_limit};

/// Default largest JSON body of `/host/update` (a 5 MB image grows by a third in base64);
/// see [`router_with_body_limit`].
pub const UPDATE_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Largest JSON body of `POST /api/conferences/import`: a schedule of
/// [`liboo_schedule::MAX_BYTES`] in a JSON string, whose escapes may double it.
pub const IMPORT_BODY_LIMIT: usize = 2 * liboo_schedule::MAX_BYTES + 64 * 1024;
/// Largest JSON body of every other call (or the configured limit, if smaller).
pub const BODY_LIMIT: usize = 64 * 1024;

/// What the API handlers share.
#[derive(Clone)]
pub struct ApiState(Arc<Inner>);

struct Inner {
    db: Db,
    media: MediaStore,
    presence: Presence,
    keys: KeyDeriver,
    views: views::Views,
    /// Where hosts point OBS.
    ingest_url: String,
    lists: cache::ListCache,
}

/// How browsers and publishers reach liboo, each without a trailing slash.
#[derive(Debug, Clone)]
pub struct PublicUrls {
    /// Media objects: liboo's own `/media`, a bucket's public URL or a CDN.
    pub media: String,
    /// Live playlists: liboo's own `/media` with LL-HLS (the origin of blocking
    /// reloads), else the same as `media`.
    pub live_playlists: String,
    /// The RTMP URL hosts publish to, e.g. `rtmp://live.example.org:1935/live`.
    pub ingest: String,
    /// A channel's live playlist under `live/{sessionKey}/`: `master.m3u8` with a
    /// quality ladder, else `index.m3u8`.
    pub live_playlist_name: String,
}

impl ApiState {
    /// The state of an API node: its stores, the key deriver holding the server
    /// secret, and the URLs it hands out (a trailing slash on any is ignored).
    pub fn new(
        db: Db,
        media: MediaStore,
        presence: Presence,
        keys: KeyDeriver,
        urls: PublicUrls,
    ) -> ApiState {
        ApiState(Arc::new(Inner {
            db,
            media,
            presence,
            keys,
            views: views::Views::new(&urls),
            ingest_url: urls.ingest.trim_end_matches('/').to_owned(),
            lists: cache::ListCache::default(),
        }))
    }
}
