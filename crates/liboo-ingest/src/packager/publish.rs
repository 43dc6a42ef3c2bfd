//! The packager's playlists as stored: the broadcast's live playlist and the channel's
//! stable one (with rendition reports in LL-HLS), the growing and final replay, and the
//! master playlists of a quality ladder. Each is rendered from the listing as it stands and
//! queued for the uploader, which publishes live ones to blocking reloads once stored.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hls::{RenditionReport, Variant};
use liboo_storage::layout;

use super::{Packager, Role};
use crate::playlists::Snapshot;
use crate::uploader::{Msg, Publish, Upload};

/// Where each rendition of a broadcast stands (by rung name, "" for the source): the
/// last segment and part each has listed, for rendition reports.
pub(crate) type Reports = Arc<Mutex<BTreeMap<String, (u64, Option<u64>)>>>;

/// A peak above a first segment's average bit rate, as the master playlist's `BANDWIDTH`
/// (five fourths).
fn peak(bits_per_second: u64) -> u64 {
    bits_per_second * 5 / 4
}

impl Packager {
    /// Queues both live playlists; superseded by the next version, so a full queue just
    /// skips this one.
    pub(super) fn queue_live_playlists(&mut self) {
        if let (Some(reports), Some(last)) = (&self.reports, self.listing.live().last_part()) {
            reports
                .lock()
                .expect("not poisoned")
                .insert(self.rung.clone(), last);
        }
        for (key, body) in self.live_playlists() {
            let upload = Upload::playlist(key, body, self.publish());
            let _ = self.uploads.try_send(Msg::Store(upload));
        }
    }

    /// Queues the growing replay (superseded by the next, like the live playlists).
    pub(super) fn queue_replay(&mut self) {
        let _ = self.uploads.try_send(Msg::Store(self.replay()));
    }

    /// Queues the final playlists (the live ones ended, and the replay), waiting for room:
    /// they may not be dropped. Returns their keys.
    pub(super) async fn queue_final_playlists(&mut self) -> Vec<String> {
        let mut finals: Vec<Upload> = self
            .live_playlists()
            .into_iter()
            .map(|(key, body)| Upload::playlist(key, body, self.publish()))
            .collect();
        finals.push(self.replay());
        let keys: Vec<String> = finals.iter().map(|u| u.key.clone()).collect();
        for upload in finals {
            // The uploader only stops when the sender is dropped, so this cannot fail.
            let _ = self.uploads.send(Msg::Store(upload)).await;
        }
        keys
    }

    fn replay(&self) -> Upload {
        Upload::playlist(
            self.info.prefix.replay_playlist(),
            Bytes::from(self.listing.vod().render("")),
            None,
        )
    }

    /// What a blocking reload needs to know of the live playlist as it is now.
    fn publish(&self) -> Option<Publish> {
        let playlists = self.playlists.clone()?;
        let live = self.listing.live();
        let (last_segment, parts) = live.position();
        Some(Publish {
            playlists,
            snapshot: Snapshot {
                text: Bytes::new(),
                last_segment,
                parts,
                ended: live.is_ended(),
            },
        })
    }

    /// The broadcast's own live playlist and the channel's stable one.
    fn live_playlists(&self) -> Vec<(String, Bytes)> {
        // Where the other renditions stand, named from this playlist's folder (`base`).
        let reports = |base: &str| -> Vec<RenditionReport> {
            let Some(reports) = &self.reports else {
                return Vec::new();
            };
            let all = reports.lock().expect("not poisoned");
            all.iter()
                .filter(|(name, _)| **name != self.rung)
                .map(|(name, (msn, part))| RenditionReport {
                    uri: match name.as_str() {
                        "" => format!("{base}{}", layout::LIVE_PLAYLIST),
                        rung => format!("{base}{rung}/{}", layout::LIVE_PLAYLIST),
                    },
                    last_msn: *msn,
                    last_part: *part,
                })
                .collect()
        };
        let live = self.listing.live();
        let up = if self.role == Role::Rendition {
            "../"
        } else {
            ""
        };
        let own = (
            self.info.prefix.live_playlist(),
            Bytes::from(live.render_with("", &reports(up))),
        );
        if self.role == Role::Rendition {
            return vec![own];
        }
        vec![
            own,
            (
                layout::channel_playlist(&self.info.session_key),
                Bytes::from(
                    live.render_with(&self.channel_uri_prefix, &reports(&self.channel_uri_prefix)),
                ),
            ),
        ]
    }

    /// The master playlists (the broadcast's and the channel's), once, when the source's
    /// first segment (`bytes` over `duration_ms`) is listed: the source, measured on that
    /// segment, and each rendition.
    pub(super) fn write_master(&mut self, bytes: u64, duration_ms: i64) {
        let Some(side) = self.ladder.as_mut() else {
            return;
        };
        let asc = self.input.asc().copied();
        let audio = asc
            .map(|asc| format!(",{}", hls::mp4a_codec(asc.object_type)))
            .unwrap_or_default();
        let audio_bits = if asc.is_some() { 160_000 } else { 0 };
        let source = || {
            let (width, height) = self.input.size().unwrap_or((0, 0));
            let source_codec = self.input.avc().map_or("avc1.640028".to_owned(), |avc| {
                hls::avc_codec(
                    avc.profile_indication,
                    avc.profile_compatibility,
                    avc.level_indication,
                )
            });
            Variant {
                uri: layout::LIVE_PLAYLIST.to_owned(),
                // Peaks run above the first segment's average.
                bandwidth: peak(bytes * 8 * 1000 / duration_ms.max(1) as u64),
                width,
                height,
                codecs: format!("{source_codec}{audio}"),
            }
        };
        let Some(mut variants) = side
            .ladder
            .variants(duration_ms, source, &audio, audio_bits)
        else {
            return;
        };
        let own = hls::master_playlist(&variants);
        for v in &mut variants {
            v.uri = format!("{}{}", self.channel_uri_prefix, v.uri);
        }
        let channel = hls::master_playlist(&variants);
        for (key, body) in [
            (self.info.prefix.master_playlist(), own),
            (
                layout::channel_master_playlist(&self.info.session_key),
                channel,
            ),
        ] {
            let upload = Upload::playlist(key, Bytes::from(body), None);
            let _ = self.uploads.try_send(Msg::Store(upload));
        }
    }
}
