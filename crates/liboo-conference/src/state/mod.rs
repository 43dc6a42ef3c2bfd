//! The talk state machine: what each talk of a room becomes, given the clock, whether
//! the room is on air, and what the room's host pressed. Sans-IO: talks in, steps out;
//! the sweeper stores the steps (each a conditional update, so racing nodes make each
//! once) and a table of cases tests them.
//!
//! | state | input | next | marks |
//! |---|---|---|---|
//! | scheduled | clock: [`WAITING_OPENS_MS`] before the start | waiting | |
//! | scheduled, waiting | clock: slot begun, the room on air | live | actual start = the later of the slot's start and the room going live |
//! | scheduled, waiting | host: start talk (the room on air) | live (manual) | actual start = now; the room's live talk ends now |
//! | waiting | clock: slot over and never live | no replay | |
//! | live | clock: slot over (begun by the schedule) | ended | actual end = the slot's end |
//! | live | clock: [`OVERRUN_CAP_MS`] past the slot (begun by the host) | ended | actual end = the cap |
//! | live | another talk of the room goes live | ended | actual end = its actual start |
//! | live | host: end talk | ended | actual end = now |
//! | live | the room's broadcast ended (after its reconnect grace) | ended | actual end = the broadcast's end |
//! | ended | `do_not_record` | no replay | |
//! | ended | the cut is made (the sweeper, once storage holds the out point) | replay | |
//!
//! A publish inside the waiting window (a stream check) puts the room on air but not
//! the talk: the talk goes live when its slot begins, or when the host starts it.
//! Imports never move a talk that is live or over; they cancel only scheduled and
//! waiting ones.

use liboo_db::{Talk, TalkMarks, TalkState};

/// The waiting room opens this long before a talk's slot (gocast opens 30 min before;
/// C3VOC's ReLive pads 15 min).
pub const WAITING_OPENS_MS: i64 = 15 * 60 * 1000;

/// A talk the host started runs past its slot until "next talk", "end talk", the room's
/// next talk or this long after the slot.
pub const OVERRUN_CAP_MS: i64 = 60 * 60 * 1000;

/// The room a sweep looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoomAir {
    /// Start of the room's live broadcast, if it is on air (its reconnect grace
    /// included: the broadcast is still live then).
    pub live_since_ms: Option<i64>,
    /// End of the room's last broadcast, when it is not on air.
    pub last_end_ms: Option<i64>,
}

/// One change of one talk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The talk.
    pub talk_id: i64,
    /// The state it must still be in.
    pub from: TalkState,
    /// Its new state.
    pub to: TalkState,
    /// The actual start or end this sets.
    pub marks: TalkMarks,
}

/// Why a host action was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The talk is not in a state the action applies to.
    #[error("the talk is {0}: {1}")]
    WrongState(&'static str, &'static str),
    /// Starting a talk needs the room's stream.
    #[error("the room is not on air: start streaming to the room's key first")]
    RoomOffAir,
}

/// What the clock and the room make of a room's talks (those the database calls
/// active: not yet over, or ended and waiting for their cut), by start.
pub fn sweep(talks: &[Talk], room: RoomAir, now_ms: i64) -> Vec<Step> {
    let mut talks: Vec<Talk> = talks.to_vec();
    talks.sort_by_key(|t| (t.fields.sched_start_ms, t.id));
    let mut steps = Vec::new();
    for i in 0..talks.len() {
        while let Some(step) = next_step(&talks, i, room, now_ms) {
            apply(&mut talks, &step);
            steps.push(step);
            // A talk going live ends the room's other live talk at that moment.
            if step.to == TalkState::Live {
                let start = step.marks.actual_start_ms.unwrap_or(now_ms);
                for j in 0..talks.len() {
                    if j != i && talks[j].state == TalkState::Live {
                        let end = Step {
                            talk_id: talks[j].id,
                            from: TalkState::Live,
                            to: TalkState::Ended,
                            marks: TalkMarks {
                                actual_end_ms: Some(start),
                                ..TalkMarks::default()
                            },
                        };
                        apply(&mut talks, &end);
                        steps.push(end);
                    }
                }
            }
        }
    }
    // An ended talk that must not be recorded has no replay.
    for t in &talks {
        if t.state == TalkState::Ended && t.fields.do_not_record {
            steps.push(Step {
                talk_id: t.id,
                from: TalkState::Ended,
                to: TalkState::NoReplay,
                marks: TalkMarks::default(),
            });
        }
    }
    steps
}

fn next_step(talks: &[Talk], i: usize, room: RoomAir, now: i64) -> Option<Step> {
    let t = &talks[i];
    let start = t.fields.sched_start_ms;
    let end = t.sched_end_ms();
    let step = |to, marks| {
        Some(Step {
            talk_id: t.id,
            from: t.state,
            to,
            marks,
        })
    };
    match t.state {
        TalkState::Scheduled if now >= start - WAITING_OPENS_MS => {
            step(TalkState::Waiting, TalkMarks::default())
        }
        TalkState::Waiting => match room.live_since_ms {
            // On air when the slot began, or since within it.
            Some(since) if now >= start && since < end => {
                let actual_start = start.max(since);
                // A later talk of the room already live (the host moved on) wins.
                let later_live = talks[i + 1..]
                    .iter()
                    .any(|o| o.state == TalkState::Live || o.state == TalkState::Ended);
                if later_live {
                    step(TalkState::NoReplay, TalkMarks::default())
                } else {
                    step(
                        TalkState::Live,
                        TalkMarks {
                            actual_start_ms: Some(actual_start),
                            ..TalkMarks::default()
                        },
                    )
                }
            }
            _ if now >= end => step(TalkState::NoReplay, TalkMarks::default()),
            _ => None,
        },
        TalkState::Live => {
            let cap = if t.manual { end + OVERRUN_CAP_MS } else { end };
            let off_air_at = match room.live_since_ms {
                Some(_) => None,
                None => Some(room.last_end_ms.unwrap_or(now).min(now)),
            };
            let ended_at = match off_air_at {
                Some(off) => Some(off.min(cap)),
                None if now >= cap => Some(cap),
                None => None,
            }?;
            let actual_end = ended_at.max(t.actual_start_ms.unwrap_or(ended_at));
            step(
                TalkState::Ended,
                TalkMarks {
                    actual_end_ms: Some(actual_end),
                    ..TalkMarks::default()
                },
            )
        }
        _ => None,
    }
}

fn apply(talks: &mut [Talk], step: &Step) {
    if let Some(t) = talks.iter_mut().find(|t| t.id == step.talk_id) {
        t.state = step.to;
        if step.marks.actual_start_ms.is_some() {
            t.actual_start_ms = step.marks.actual_start_ms;
        }
        if step.marks.actual_end_ms.is_some() {
            t.actual_end_ms = step.marks.actual_end_ms;
        }
        t.manual |= step.marks.manual;
    }
}

/// The host's "start talk" (or "next talk", which starts the following one): the talk
/// goes live now, and the room's live talk ends now.
pub fn start_talk(
    room_talks: &[Talk],
    talk_id: i64,
    room: RoomAir,
    now_ms: i64,
) -> Result<Vec<Step>, ActionError> {
    let t = room_talks
        .iter()
        .find(|t| t.id == talk_id)
        .expect("the talk is one of its room's");
    if !matches!(t.state, TalkState::Scheduled | TalkState::Waiting) {
        return Err(ActionError::WrongState(
            t.state.as_str(),
            "only a talk that has not begun can be started",
        ));
    }
    if room.live_since_ms.is_none() {
        return Err(ActionError::RoomOffAir);
    }
    let mut steps: Vec<Step> = room_talks
        .iter()
        .filter(|o| o.id != talk_id && o.state == TalkState::Live)
        .map(|o| Step {
            talk_id: o.id,
            from: TalkState::Live,
            to: TalkState::Ended,
            marks: TalkMarks {
                actual_end_ms: Some(now_ms),
                ..TalkMarks::default()
            },
        })
        .collect();
    steps.push(Step {
        talk_id,
        from: t.state,
        to: TalkState::Live,
        marks: TalkMarks {
            actual_start_ms: Some(now_ms),
            manual: true,
            ..TalkMarks::default()
        },
    });
    Ok(steps)
}

/// The host's "end talk": the live talk ends now.
pub fn end_talk(talk: &Talk, now_ms: i64) -> Result<Step, ActionError> {
    if talk.state != TalkState::Live {
        return Err(ActionError::WrongState(
            talk.state.as_str(),
            "only a live talk can be ended",
        ));
    }
    Ok(Step {
        talk_id: talk.id,
        from: TalkState::Live,
        to: TalkState::Ended,
        marks: TalkMarks {
            actual_end_ms: Some(now_ms.max(talk.actual_start_ms.unwrap_or(now_ms))),
            ..TalkMarks::default()
        },
    })
}

#[cfg(test)]
mod tests;
