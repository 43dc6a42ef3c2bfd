//! Which channels are live on this node, and which broadcasts wait in their reconnect
//! grace: the per-channel state of the lifecycle in [`super`], with its transitions as
//! methods. Generic over what a broadcast in its grace holds (the packager), so the
//! transitions are tested without sockets, storage or a runtime.
//!
//! A std `Mutex`: every critical section is a map lookup or insert with no `.await` inside, so
//! an async mutex would only add overhead.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio_util::sync::CancellationToken;

/// A channel's state on this node; a channel with no slot is idle here.
#[derive(Debug)]
pub(crate) enum Slot<P> {
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
    Grace { held: P, generation: u64 },
}

/// What a publish request may do with a channel.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim<P> {
    /// Nothing held here: start a new broadcast (the slot is now `Starting`).
    New,
    /// Continue the broadcast in its grace period (the slot is now `Live`).
    Resume(P),
    /// A live publisher stopped sending media; it was told to go. Ask again shortly.
    Stale,
    /// Someone is publishing, or a publish is starting.
    Busy,
}

/// The publishing connection's side of a `Live` slot.
#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    /// When it last sent media, Unix ms.
    pub(crate) last_media_ms: Arc<AtomicI64>,
    /// Cancelling it ends the connection (a newer publisher takes over).
    pub(crate) kick: CancellationToken,
}

#[derive(Debug)]
pub(crate) struct Registry<P> {
    slots: Mutex<HashMap<i64, Slot<P>>>,
    /// Tells one grace period from the next of the same channel.
    next_generation: Mutex<u64>,
}

impl<P> Default for Registry<P> {
    fn default() -> Self {
        Registry {
            slots: Mutex::new(HashMap::new()),
            next_generation: Mutex::new(1),
        }
    }
}

impl<P> Registry<P> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Slot<P>>> {
        // A panic while holding the lock leaves a consistent map (every update is one insert
        // or remove), so poisoning is ignored.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A publish request for `channel_id`: idle -> starting, grace -> live (resumed);
    /// live stays live (busy, or stale: its publisher is kicked).
    pub(crate) fn claim(
        &self,
        channel_id: i64,
        now_ms: i64,
        stale_after_ms: i64,
        publisher: &Publisher,
    ) -> Claim<P> {
        let mut slots = self.lock();
        match slots.remove(&channel_id) {
            None => {
                slots.insert(channel_id, Slot::Starting);
                Claim::New
            }
            Some(Slot::Grace { held, .. }) => {
                slots.insert(channel_id, live(publisher));
                Claim::Resume(held)
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

    /// Starting -> live: the broadcast is in the database and its packager made.
    pub(crate) fn started(&self, channel_id: i64, publisher: &Publisher) {
        self.lock().insert(channel_id, live(publisher));
    }

    /// Live -> grace: the publisher left, its broadcast is held. Returns the generation
    /// the grace timer must name to end it.
    pub(crate) fn hold(&self, channel_id: i64, held: P) -> u64 {
        let generation = {
            let mut next = self
                .next_generation
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *next += 1;
            *next
        };
        self.lock()
            .insert(channel_id, Slot::Grace { held, generation });
        generation
    }

    /// Any state -> idle: the start failed, or the broadcast ends now.
    pub(crate) fn remove(&self, channel_id: i64) {
        self.lock().remove(&channel_id);
    }

    /// Grace -> idle, if it is still the grace period with `generation` (the publisher did
    /// not come back and leave again since): the broadcast is the caller's to end.
    pub(crate) fn take_expired(&self, channel_id: i64, generation: u64) -> Option<P> {
        let mut slots = self.lock();
        match slots.get(&channel_id) {
            Some(Slot::Grace { generation: g, .. }) if *g == generation => {
                match slots.remove(&channel_id) {
                    Some(Slot::Grace { held, .. }) => Some(held),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

fn live<P>(publisher: &Publisher) -> Slot<P> {
    Slot::Live {
        last_media_ms: publisher.last_media_ms.clone(),
        kick: publisher.kick.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publisher(last_media_ms: i64) -> Publisher {
        Publisher {
            last_media_ms: Arc::new(AtomicI64::new(last_media_ms)),
            kick: CancellationToken::new(),
        }
    }

    /// One step of a channel's life on a node, and what the registry must answer.
    enum Step {
        /// A publish at `now` (ms), by a new connection; media is stale after 10 s.
        Publish(i64, Claim<&'static str>),
        Started,
        /// The publisher leaves with its broadcast; remember the generation as this index.
        Hold(&'static str, usize),
        /// The grace timer of the remembered generation fires.
        Expire(usize, Option<&'static str>),
        Remove,
    }

    #[test]
    fn transitions() {
        use Step::*;
        let cases: Vec<(&str, Vec<Step>)> = vec![
            (
                "a new publish starts",
                vec![Publish(0, Claim::New), Started],
            ),
            (
                "a second publisher is refused while the first starts or sends media",
                vec![
                    Publish(0, Claim::New),
                    Publish(0, Claim::Busy),
                    Started,
                    Publish(5_000, Claim::Busy),
                ],
            ),
            (
                "a silent publisher is kicked for a new one",
                vec![
                    Publish(0, Claim::New),
                    Started,
                    Publish(20_000, Claim::Stale),
                ],
            ),
            (
                "a publisher back within the grace resumes its broadcast",
                vec![
                    Publish(0, Claim::New),
                    Started,
                    Hold("b1", 0),
                    Publish(1_000, Claim::Resume("b1")),
                    // The first grace's timer finds the broadcast live again.
                    Expire(0, None),
                ],
            ),
            (
                "the grace runs out and the broadcast is the timer's to end",
                vec![
                    Publish(0, Claim::New),
                    Started,
                    Hold("b1", 0),
                    Expire(0, Some("b1")),
                    Expire(0, None),
                    Publish(30_000, Claim::New),
                ],
            ),
            (
                "a second grace is not ended by the first one's timer",
                vec![
                    Publish(0, Claim::New),
                    Started,
                    Hold("b1", 0),
                    Publish(1_000, Claim::Resume("b1")),
                    Hold("b1", 1),
                    Expire(0, None),
                    Expire(1, Some("b1")),
                ],
            ),
            (
                "a failed start leaves the channel idle",
                vec![Publish(0, Claim::New), Remove, Publish(0, Claim::New)],
            ),
        ];
        for (name, steps) in cases {
            let registry = Registry::<&str>::default();
            let mut generations = Vec::new();
            let mut current = publisher(0);
            for (i, step) in steps.into_iter().enumerate() {
                match step {
                    Publish(now, want) => {
                        let next = publisher(now);
                        let old_kick = current.kick.clone();
                        let got = registry.claim(7, now, 10_000, &next);
                        assert_eq!(got, want, "{name}, step {i}");
                        assert_eq!(
                            old_kick.is_cancelled(),
                            want == Claim::Stale,
                            "{name}, step {i}: kicked"
                        );
                        if matches!(got, Claim::New | Claim::Resume(_)) {
                            current = next;
                        }
                    }
                    Started => registry.started(7, &current),
                    Hold(held, index) => {
                        let generation = registry.hold(7, held);
                        assert_eq!(generations.len(), index, "{name}: generations in order");
                        assert!(
                            !generations.contains(&generation),
                            "{name}: a new generation"
                        );
                        generations.push(generation);
                    }
                    Expire(index, want) => {
                        assert_eq!(
                            registry.take_expired(7, generations[index]),
                            want,
                            "{name}, step {i}"
                        );
                    }
                    Remove => registry.remove(7),
                }
            }
        }
    }
}
