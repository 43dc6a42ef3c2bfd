//! The broadcast lifecycle, in one place: when a broadcast starts, waits for its publisher,
//! ends, or is found abandoned; every timeout that moves it; the registry of what this node
//! holds; and the sweeper. Connections, the sweeper and salvage call in here.
//!
//! A channel has at most one live broadcast, in the database (`channels.live_broadcast_id`)
//! and on the node that ingests it (the [`Registry`] slot):
//!
//! | state | event | next state | what happens |
//! |---|---|---|---|
//! | idle | publish with a valid key | starting | the slot is claimed; the broadcast is started in the database |
//! | starting | database row made | live | packager made, publish accepted |
//! | starting | live in the database, heartbeat fresh (another node) | idle | publish refused: "already live" |
//! | starting | live in the database, heartbeat [`ABANDONED_AFTER`] old | abandoned, then starting | the old one is salvaged, the new one starts |
//! | live | media | live | packaged; heartbeat every [`HEARTBEAT_EVERY`] |
//! | live | second publisher, first silent for the media timeout | live | the first is kicked (after at most [`STALE_WAIT`]) |
//! | live | clean unpublish (`FCUnpublish`, `deleteStream`) | grace | the open segment is stored and listed at once |
//! | live | connection dropped or timed out | grace | the open segment is held, to continue after a discontinuity |
//! | grace | the same channel publishes again | live | resumed after `EXT-X-DISCONTINUITY` |
//! | grace | the reconnect grace ends | ended | final playlists (`ENDLIST`), replay, not live in the database |
//! | grace or live | the host ends it (`POST /api/host/end`) | ended | as above: in grace within [`END_POLL`], live at its next heartbeat |
//! | live | unsupported codec, full disk, shutdown | ended | the publisher is told why; as above |
//! | live (database) | no heartbeat for [`ABANDONED_AFTER`] + grace (its node died) | abandoned -> salvaged | any node's sweeper ends it and makes its replay from storage |
//!
//! "Ended" is idle again: the slot is gone and the next publish starts a new broadcast.

mod registry;
mod salvage;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use liboo_db::{Channel, Db, DbError, Heartbeat};
use liboo_storage::MediaStore;
use liboo_storage::layout::BroadcastPrefix;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

pub(crate) use registry::{Claim, Publisher, Registry};
pub use salvage::{end_abandoned, salvage_replay};

use crate::packager::{BroadcastInfo, Packager};
use crate::{IngestError, Inner, now_ms};

/// How often a live broadcast tells the database that this node still serves it.
pub(crate) const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// A live broadcast whose node has not reported for this long is taken as abandoned:
/// six missed heartbeats, far beyond a busy node's hiccup. During its reconnect grace a
/// broadcast has no publisher and sends no heartbeat, so the sweeper adds the grace.
pub(crate) const ABANDONED_AFTER: Duration = Duration::from_secs(30);
/// How long a new publisher waits for a stale one to leave.
pub(crate) const STALE_WAIT: Duration = Duration::from_secs(3);
/// How often a broadcast in its grace asks the database whether the host ended it: the
/// request may come through any API node.
pub(crate) const END_POLL: Duration = Duration::from_millis(500);
/// How often each node looks for abandoned broadcasts.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// What a broadcast in its grace leaves in the registry: the grace task owns the
/// packager (it lists what the uploader stores meanwhile), and a publisher coming back
/// asks it for the packager through this.
pub(crate) type ResumeHandle = oneshot::Sender<oneshot::Sender<Box<Packager>>>;

/// How a publisher leaves its broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leave {
    /// It said so (`FCUnpublish`, `deleteStream`): what it sent is stored and listed now,
    /// and the broadcast waits out the grace for a comeback.
    Clean,
    /// Its connection dropped or timed out: the broadcast waits out the grace.
    Dropped,
    /// The broadcast ends now: shutdown, a stream that cannot be packaged, a full disk,
    /// or the host ended it.
    End,
}

/// The answer to a publish request.
pub(crate) enum Publish {
    /// Publishing into `packager`'s broadcast; `resumed` if it was in its grace.
    Accepted {
        packager: Box<Packager>,
        resumed: bool,
    },
    /// Someone else is publishing to the channel.
    AlreadyLive,
}

/// Starts or resumes `channel`'s broadcast for a new publisher, or says it is taken.
pub(crate) async fn publish(
    inner: &Arc<Inner>,
    channel: &Channel,
    publisher: &Publisher,
) -> Result<Publish, IngestError> {
    let stale_after = inner.config.media_timeout.as_millis() as i64;
    let deadline = Instant::now() + STALE_WAIT;
    let claim = loop {
        let claim = inner
            .registry
            .claim(channel.id, now_ms(), stale_after, publisher);
        match claim {
            // The stale publisher was kicked; it leaves within a tick of its connection.
            Claim::Stale if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Claim::Stale => break Claim::Busy,
            other => break other,
        }
    };
    let (packager, resumed) = match claim {
        Claim::Busy | Claim::Stale => return Ok(Publish::AlreadyLive),
        Claim::Resume(handle) => match take_back(handle).await {
            Some(mut packager) => {
                packager.resume(now_ms());
                (packager, true)
            }
            // The grace task ended the broadcast just then (shutdown, full disk): the slot
            // is this publisher's, and the broadcast a new one.
            None => (
                Box::new(start_or_replace_abandoned(inner, channel).await?),
                false,
            ),
        },
        Claim::New => match start_or_replace_abandoned(inner, channel).await {
            Ok(p) => (Box::new(p), false),
            Err(IngestError::Db(DbError::AlreadyLive)) => {
                inner.registry.remove(channel.id);
                return Ok(Publish::AlreadyLive);
            }
            Err(e) => {
                inner.registry.remove(channel.id);
                return Err(e);
            }
        },
    };
    inner.registry.started(channel.id, publisher);
    Ok(Publish::Accepted { packager, resumed })
}

/// Asks the grace task for its packager.
async fn take_back(handle: ResumeHandle) -> Option<Box<Packager>> {
    let (reply, packager) = oneshot::channel();
    handle.send(reply).ok()?;
    packager.await.ok()
}

/// Starts a broadcast; if the database says the channel is live but the node serving it
/// stopped reporting (it crashed), ends that broadcast first so the host is not locked
/// out of their own channel.
async fn start_or_replace_abandoned(
    inner: &Arc<Inner>,
    channel: &Channel,
) -> Result<Packager, IngestError> {
    match start(inner, channel).await {
        Err(IngestError::Db(DbError::AlreadyLive)) => {
            let stale_before = now_ms() - ABANDONED_AFTER.as_millis() as i64;
            let ended = end_abandoned(
                &inner.db,
                &inner.media,
                channel.id,
                &channel.session_key,
                stale_before,
            )
            .await?;
            match ended {
                Some(_) => start(inner, channel).await,
                None => Err(IngestError::Db(DbError::AlreadyLive)),
            }
        }
        other => other,
    }
}

async fn start(inner: &Arc<Inner>, channel: &Channel) -> Result<Packager, IngestError> {
    let video_id = format!("{:016x}", rand::random::<u64>());
    let prefix = BroadcastPrefix::new(&channel.session_key, &video_id);
    let now = now_ms();
    let b = inner
        .db
        .start_broadcast(channel.id, &video_id, prefix.as_str(), now)
        .await?;
    Ok(Packager::new(
        BroadcastInfo {
            id: b.id,
            session_key: channel.session_key.clone(),
            video_id,
            prefix,
        },
        inner.media.clone(),
        &inner.config,
        inner.frames.clone(),
        inner.playlists.clone(),
        now,
    ))
}

/// The publisher of `channel_id` left its broadcast: end it now, or hold it for the
/// reconnect grace.
pub(crate) async fn leave(
    inner: &Arc<Inner>,
    channel_id: i64,
    mut packager: Box<Packager>,
    how: Leave,
) {
    match how {
        Leave::End => {
            inner.registry.remove(channel_id);
            finish(inner, *packager).await;
        }
        Leave::Clean => {
            packager.flush();
            enter_grace(inner, channel_id, packager);
        }
        Leave::Dropped => enter_grace(inner, channel_id, packager),
    }
}

/// Keeps a broadcast for the reconnect grace, listing what the uploader stores meanwhile,
/// then ends it unless a publisher takes it back; ends it at once if the host asks to
/// (through any API node, so the database is asked), the disk fills up, or the node shuts
/// down.
fn enter_grace(inner: &Arc<Inner>, channel_id: i64, mut packager: Box<Packager>) {
    let broadcast_id = packager.info.id;
    let (handle, mut resume) = oneshot::channel();
    let generation = inner.registry.hold(channel_id, handle);
    let inner = inner.clone();
    inner.clone().tasks.spawn(async move {
        let grace = tokio::time::sleep(inner.config.reconnect_grace);
        let end = end_requested(&inner.db, broadcast_id);
        tokio::pin!(grace, end);
        loop {
            tokio::select! {
                biased;
                asked = &mut resume => {
                    match asked {
                        Ok(reply) => {
                            if let Err(packager) = reply.send(packager) {
                                // The publisher is gone again before it took it.
                                finish(&inner, *packager).await;
                            }
                        }
                        // The handle was dropped unused: nobody can resume it.
                        Err(_) => finish(&inner, *packager).await,
                    }
                    return;
                }
                _ = inner.shutdown.cancelled() => break,
                _ = &mut grace => break,
                _ = &mut end => {
                    tracing::info!(broadcast_id, "the host ended the broadcast");
                    break;
                }
                report = packager.next_report() => {
                    if let Err(e) = packager.on_report(report) {
                        tracing::warn!(broadcast_id, error = %e, "ending the broadcast in its grace");
                        break;
                    }
                }
            }
        }
        if inner.registry.take_expired(channel_id, generation).is_some() {
            finish(&inner, *packager).await;
            return;
        }
        // A publisher claimed it at this moment: hand it over.
        match resume.await {
            Ok(reply) => {
                if let Err(packager) = reply.send(packager) {
                    finish(&inner, *packager).await;
                }
            }
            Err(_) => finish(&inner, *packager).await,
        }
    });
}

/// Returns once the database says the broadcast should end (the host asked, or it is
/// not live any more). A failing database is asked again: the grace timer still runs.
async fn end_requested(db: &Db, broadcast_id: i64) {
    let mut poll = tokio::time::interval(END_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        poll.tick().await;
        match db.end_request(broadcast_id).await {
            Ok(Heartbeat::Live) => {}
            Ok(Heartbeat::EndRequested | Heartbeat::Ended) => return,
            Err(e) => tracing::debug!(broadcast_id, error = %e, "could not ask for an end request"),
        }
    }
}

/// Ends a broadcast, logging rather than returning failures: nobody is left to tell.
pub(crate) async fn finish(inner: &Inner, packager: Packager) {
    let video_id = packager.info.video_id.clone();
    if let Err(e) = packager.finish(&inner.db, now_ms()).await {
        tracing::error!(%video_id, error = %e, "ending the broadcast failed");
    }
}

/// Tells the database that this node still serves the broadcast, in the background;
/// raises `ending` if the database says it should end (the host asked, or it was ended
/// as abandoned after a long stall), for the connection's next tick.
pub(crate) fn heartbeat(inner: &Inner, packager: &mut Packager, ending: &Arc<AtomicBool>) {
    let db = inner.db.clone();
    let id = packager.info.id;
    let now = now_ms();
    let health = serde_json::to_string(&packager.health.report(now)).ok();
    let ending = ending.clone();
    tokio::spawn(async move {
        match db.heartbeat(id, now, health.as_deref()).await {
            Ok(Heartbeat::Live) => {}
            Ok(Heartbeat::EndRequested | Heartbeat::Ended) => ending.store(true, Ordering::Relaxed),
            Err(e) => tracing::warn!(broadcast_id = id, error = %e, "heartbeat failed"),
        }
    });
}

/// Ends broadcasts left live by an ingest node that died, so lists stop showing them and
/// their questions stay with a replay. Every node may run this: each end is a
/// conditional update, so racing nodes end a broadcast once.
pub async fn sweep_abandoned(
    db: Db,
    media: MediaStore,
    reconnect_grace: Duration,
    cancel: CancellationToken,
) {
    let stale_after = ABANDONED_AFTER + reconnect_grace;
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let before = now_ms() - stale_after.as_millis() as i64;
        let stale = match db.stale_live_broadcasts(before).await {
            Ok(stale) => stale,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for abandoned broadcasts");
                continue;
            }
        };
        for b in stale {
            if let Err(e) = end_abandoned(&db, &media, b.channel_id, &b.session_key, before).await {
                tracing::warn!(error = %e, "could not end an abandoned broadcast");
            }
        }
    }
}
