//! Which channels are live on this node, and which broadcasts wait in their reconnect grace.
//!
//! A std `Mutex`: every critical section is a map lookup or insert with no `.await` inside, so
//! an async mutex would only add overhead.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio_util::sync::CancellationToken;

use crate::packager::Packager;

#[derive(Debug)]
pub(crate) enum Slot {
    /// A publish request is being checked against the database.
    Starting,
    /// A connection is publishing. `last_media_ms` (Unix ms) lets a new publisher tell a stale
    /// one, which `kick` disconnects.
    Live {
        last_media_ms: Arc<AtomicI64>,
        kick: CancellationToken,
    },
    /// The publisher left; the broadcast ends unless it comes back before the grace timer with
    /// this `generation` fires.
    Grace {
        packager: Box<Packager>,
        generation: u64,
    },
}

/// What a publish request may do with a channel.
#[derive(Debug)]
pub(crate) enum Claim {
    /// Nothing held here: start a new broadcast (the slot is now `Starting`).
    New,
    /// Continue the broadcast in its grace period (the slot is now `Live`).
    Resume(Box<Packager>),
    /// A live publisher stopped sending media; it was told to go. Ask again shortly.
    Stale,
    /// Someone is publishing.
    Busy,
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    slots: Mutex<HashMap<i64, Slot>>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Slot>> {
        // A panic while holding the lock leaves a consistent map (every update is one insert
        // or remove), so poisoning is ignored.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn claim(
        &self,
        channel_id: i64,
        now_ms: i64,
        stale_after_ms: i64,
        live: (Arc<AtomicI64>, CancellationToken),
    ) -> Claim {
        let mut slots = self.lock();
        match slots.remove(&channel_id) {
            None => {
                slots.insert(channel_id, Slot::Starting);
                Claim::New
            }
            Some(Slot::Grace { packager, .. }) => {
                slots.insert(
                    channel_id,
                    Slot::Live {
                        last_media_ms: live.0,
                        kick: live.1,
                    },
                );
                Claim::Resume(packager)
            }
            Some(Slot::Live {
                last_media_ms,
                kick,
            }) => {
                let stale = now_ms - last_media_ms.load(Ordering::Relaxed) > stale_after_ms;
                if stale {
                    kick.cancel();
                }
                slots.insert(
                    channel_id,
                    Slot::Live {
                        last_media_ms,
                        kick,
                    },
                );
                if stale { Claim::Stale } else { Claim::Busy }
            }
            Some(Slot::Starting) => {
                slots.insert(channel_id, Slot::Starting);
                Claim::Busy
            }
        }
    }

    pub(crate) fn set(&self, channel_id: i64, slot: Slot) {
        self.lock().insert(channel_id, slot);
    }

    pub(crate) fn remove(&self, channel_id: i64) {
        self.lock().remove(&channel_id);
    }

    /// Takes the broadcast out of its grace period if it is still the one with `generation`.
    pub(crate) fn take_expired(&self, channel_id: i64, generation: u64) -> Option<Box<Packager>> {
        let mut slots = self.lock();
        match slots.get(&channel_id) {
            Some(Slot::Grace { generation: g, .. }) if *g == generation => {
                match slots.remove(&channel_id) {
                    Some(Slot::Grace { packager, .. }) => Some(packager),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
