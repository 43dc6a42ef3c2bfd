//! The conference sweeper: once a second, on every API node, moves talks along the
//! state machine ([`crate::state`]), cuts the replays of ended talks once storage holds
//! their out points, and re-imports schedule URLs whose interval is due. Every write is
//! conditional (a talk moves from the state it was read in), so nodes sweeping at once
//! each make a change at most once, and a talk's replay id is derived from the talk.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use liboo_db::{Channel, Db, DbError, Talk, TalkReplay, TalkState};
use liboo_storage::MediaStore;
use liboo_storage::layout::{BroadcastPrefix, talk_video_id};
use tokio_util::sync::CancellationToken;

use crate::cut::{CutError, Source, cut};
use crate::import::{RoomKeys, reimport};
use crate::state::{RoomAir, WAITING_OPENS_MS, sweep};

/// How often talks are looked at: a talk goes live within a second of its slot.
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Re-imports are looked for this often (their intervals are minutes).
const REFRESH_EVERY: Duration = Duration::from_secs(30);

/// Runs the sweeper until `cancel`.
pub async fn run(db: Db, media: MediaStore, room_keys: RoomKeys, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_refresh = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = sweep_once(&db, &media, liboo_service::now_ms()).await {
            tracing::warn!(error = %e, "conference sweep failed; trying again in a second");
        }
        if last_refresh.elapsed() >= REFRESH_EVERY {
            last_refresh = tokio::time::Instant::now();
            refresh(&db, &room_keys).await;
        }
    }
}

/// One sweep: every active talk moved, every ended talk's replay cut if it can be.
pub async fn sweep_once(db: &Db, media: &MediaStore, now_ms: i64) -> Result<(), DbError> {
    let talks = db.active_talks(now_ms + WAITING_OPENS_MS).await?;
    let mut rooms: BTreeMap<i64, Vec<Talk>> = BTreeMap::new();
    for t in talks {
        rooms.entry(t.channel_id).or_default().push(t);
    }
    for (channel_id, talks) in rooms {
        let Some(channel) = db.channel_by_id(channel_id).await? else {
            continue;
        };
        let air = room_air(db, &channel).await?;
        for step in sweep(&talks, air, now_ms) {
            apply_step(db, &channel, &talks, step, now_ms).await?;
        }
    }
    for talk in db.active_talks(now_ms).await? {
        if talk.state == TalkState::Ended && !talk.fields.do_not_record {
            cut_talk(db, media, &talk, now_ms).await?;
        }
    }
    Ok(())
}

/// Whether a room is on air now, and since when.
pub async fn room_air(db: &Db, channel: &Channel) -> Result<RoomAir, DbError> {
    if let Some(id) = channel.live_broadcast_id
        && let Some(b) = db.broadcast_by_id(id).await?
        && b.is_live
    {
        return Ok(RoomAir {
            live_since_ms: Some(b.start_ms),
            last_end_ms: None,
        });
    }
    let last = db.last_broadcast_of(channel.id).await?;
    Ok(RoomAir {
        live_since_ms: None,
        last_end_ms: last.and_then(|b| b.end_ms),
    })
}

/// Stores one step; a talk that goes live makes its room show it (title, speakers),
/// which is what LiBoo's client and the live lists read.
pub async fn apply_step(
    db: &Db,
    channel: &Channel,
    talks: &[Talk],
    step: crate::state::Step,
    now_ms: i64,
) -> Result<bool, DbError> {
    let moved = db
        .move_talk(step.talk_id, step.from, step.to, step.marks, now_ms)
        .await?;
    if !moved {
        return Ok(false);
    }
    metrics::counter!("liboo_talk_state_changes_total", "to" => step.to.as_str()).increment(1);
    tracing::info!(
        talk = step.talk_id,
        room = %channel.session_key,
        from = step.from.as_str(),
        to = step.to.as_str(),
        "talk state"
    );
    if step.to == TalkState::Live
        && let Some(t) = talks.iter().find(|t| t.id == step.talk_id)
    {
        let mut settings = channel.settings.clone();
        settings.title = t.fields.title.clone();
        settings.host_name = speakers(t);
        settings.category = t.fields.track.clone();
        db.update_channel_settings(channel.id, &settings, now_ms)
            .await?;
    }
    Ok(true)
}

/// The speakers' names, as one line.
pub fn speakers(t: &Talk) -> String {
    serde_json::from_str::<Vec<serde_json::Value>>(&t.fields.persons)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A talk's in and out points: the organiser's cut where set, else its actual start
/// and end.
pub fn cut_points(talk: &Talk) -> Option<(i64, i64)> {
    let start = talk.cut_in_ms.or(talk.actual_start_ms)?;
    let end = talk.cut_out_ms.or(talk.actual_end_ms)?;
    (end > start).then_some((start, end))
}

/// Cuts (or re-cuts) a talk's replay from its room's stored broadcasts. Returns false
/// when it cannot be cut yet (the room's recording does not reach the out point).
pub async fn cut_talk(
    db: &Db,
    media: &MediaStore,
    talk: &Talk,
    now_ms: i64,
) -> Result<bool, DbError> {
    let Some((in_ms, out_ms)) = cut_points(talk) else {
        return Ok(false);
    };
    let Some(channel) = db.channel_by_id(talk.channel_id).await? else {
        return Ok(false);
    };
    let broadcasts = db.room_broadcasts(talk.channel_id, in_ms, out_ms).await?;
    let mut sources = Vec::new();
    let mut complete = true;
    for b in &broadcasts {
        complete &= !b.is_live;
        let key = BroadcastPrefix::from_stored(&b.media_prefix).replay_playlist();
        let text = match media.get_bytes(&key).await {
            Ok(bytes) => bytes,
            // Not stored yet (a broadcast's first segments): nothing of it to cut.
            Err(_) => continue,
        };
        match hls::Playlist::parse(&String::from_utf8_lossy(&text)) {
            Ok(playlist) => sources.push(Source {
                video_id: b.video_id.clone(),
                playlist,
            }),
            Err(e) => {
                tracing::warn!(video = %b.video_id, error = %e, "a room replay playlist did not parse; cutting without it")
            }
        }
    }
    let made = match cut(&sources, in_ms, out_ms, complete) {
        Ok(c) => c,
        Err(CutError::NotYet) => return Ok(false),
        Err(CutError::Empty) => {
            if complete && talk.state == TalkState::Ended {
                tracing::warn!(
                    talk = talk.id,
                    "nothing was stored during the talk: no replay"
                );
                db.move_talk(
                    talk.id,
                    TalkState::Ended,
                    TalkState::NoReplay,
                    Default::default(),
                    now_ms,
                )
                .await?;
            }
            return Ok(false);
        }
    };
    let video_id = talk_video_id(talk.id);
    let prefix = BroadcastPrefix::new(&channel.session_key, &video_id);
    if let Err(e) = media
        .put(&prefix.replay_playlist(), Bytes::from(made.text.clone()))
        .await
    {
        tracing::warn!(talk = talk.id, error = %e, "could not store a talk's replay playlist; trying again");
        return Ok(false);
    }
    db.store_talk_replay(
        talk,
        &TalkReplay {
            video_id,
            media_prefix: prefix.as_str().to_owned(),
            host_name: speakers(talk),
            start_ms: made.start_ms,
            end_ms: made.end_ms,
            duration_ms: made.duration_ms,
            made_ms: now_ms,
        },
    )
    .await?;
    metrics::counter!("liboo_talk_replays_cut_total").increment(1);
    tracing::info!(talk = talk.id, segments = made.segments, "talk replay cut");
    Ok(true)
}

async fn refresh(db: &Db, room_keys: &RoomKeys) {
    let now = liboo_service::now_ms();
    let due = match db.conferences_due_refresh(now).await {
        Ok(d) => d,
        Err(e) => return tracing::warn!(error = %e, "could not read which schedules to re-import"),
    };
    for c in due {
        match reimport(db, room_keys, &c, now).await {
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(conference = %c.fields.slug, error = %e, "schedule re-import failed; the schedule stays as it was");
                // Try again at the next interval, not every sweep.
                let _ = db.touch_import(c.id, now).await;
            }
        }
    }
}
