//! The state machine's table: a room's talks, whether it is on air, the clock, and the
//! steps that must come out.

use super::*;
use TalkState::*;
use liboo_db::TalkFields;

const MIN: i64 = 60_000;
/// Talk 1 runs 10:00-10:30, talk 2 10:30-11:00 (as ms from an arbitrary 10:00 = T).
const T: i64 = 1_000_000_000_000;

fn talk(id: i64, start_min: i64, len_min: i64, state: TalkState) -> Talk {
    Talk {
        id,
        conference_id: 1,
        channel_id: 1,
        fields: TalkFields {
            talk_key: format!("k{id}"),
            title: format!("talk {id}"),
            sched_start_ms: T + start_min * MIN,
            duration_ms: len_min * MIN,
            persons: "[]".into(),
            links: "[]".into(),
            ..TalkFields::default()
        },
        state,
        state_ms: 0,
        manual: false,
        actual_start_ms: None,
        actual_end_ms: None,
        cut_in_ms: None,
        cut_out_ms: None,
        replay_broadcast_id: None,
        updated_ms: 0,
    }
}

fn live(mut t: Talk, since_min: i64, manual: bool) -> Talk {
    t.state = Live;
    t.actual_start_ms = Some(T + since_min * MIN);
    t.manual = manual;
    t
}

fn on_air(since_min: i64) -> RoomAir {
    RoomAir {
        live_since_ms: Some(T + since_min * MIN),
        last_end_ms: None,
    }
}

fn off_air(ended_min: Option<i64>) -> RoomAir {
    RoomAir {
        live_since_ms: None,
        last_end_ms: ended_min.map(|m| T + m * MIN),
    }
}

fn step(id: i64, from: TalkState, to: TalkState) -> Step {
    Step {
        talk_id: id,
        from,
        to,
        marks: TalkMarks::default(),
    }
}

fn starts(mut s: Step, min: i64) -> Step {
    s.marks.actual_start_ms = Some(T + min * MIN);
    s
}

fn ends(mut s: Step, min: i64) -> Step {
    s.marks.actual_end_ms = Some(T + min * MIN);
    s
}

/// A case: its name, the room's talks, the room, the minute of the clock, the steps.
type Case = (&'static str, Vec<Talk>, RoomAir, i64, Vec<Step>);

#[test]
fn sweep_table() {
    let cases: Vec<Case> = vec![
        (
            "an hour before: nothing",
            vec![talk(1, 0, 30, Scheduled)],
            off_air(None),
            -60,
            vec![],
        ),
        (
            "the waiting room opens 15 minutes before",
            vec![talk(1, 0, 30, Scheduled)],
            off_air(None),
            -15,
            vec![step(1, Scheduled, Waiting)],
        ),
        (
            "a stream check inside the waiting window does not start the talk",
            vec![talk(1, 0, 30, Waiting)],
            on_air(-10),
            -5,
            vec![],
        ),
        (
            "on air when the slot begins: live at the slot's start",
            vec![talk(1, 0, 30, Waiting)],
            on_air(-10),
            0,
            vec![starts(step(1, Waiting, Live), 0)],
        ),
        (
            "on air late: live from the publish",
            vec![talk(1, 0, 30, Waiting)],
            on_air(7),
            7,
            vec![starts(step(1, Waiting, Live), 7)],
        ),
        (
            "a sweep that missed the window catches up in one pass",
            vec![talk(1, 0, 30, Scheduled)],
            on_air(-1),
            2,
            vec![
                step(1, Scheduled, Waiting),
                starts(step(1, Waiting, Live), 0),
            ],
        ),
        (
            "never on air: no replay once the slot is over",
            vec![talk(1, 0, 30, Waiting)],
            off_air(None),
            30,
            vec![step(1, Waiting, NoReplay)],
        ),
        (
            "the slot ends: ended at its end",
            vec![live(talk(1, 0, 30, Waiting), 0, false)],
            on_air(-10),
            30,
            vec![ends(step(1, Live, Ended), 30)],
        ),
        (
            "back to back: one ends as the next begins",
            vec![
                live(talk(1, 0, 30, Waiting), 0, false),
                talk(2, 30, 30, Waiting),
            ],
            on_air(-10),
            30,
            vec![
                ends(step(1, Live, Ended), 30),
                starts(step(2, Waiting, Live), 30),
            ],
        ),
        (
            "started by the host: runs over its slot",
            vec![live(talk(1, 0, 30, Waiting), -2, true)],
            on_air(-10),
            45,
            vec![],
        ),
        (
            "started by the host: the next slot ends it",
            vec![
                live(talk(1, 0, 30, Waiting), -2, true),
                talk(2, 40, 20, Waiting),
            ],
            on_air(-10),
            40,
            vec![
                starts(step(2, Waiting, Live), 40),
                ends(step(1, Live, Ended), 40),
            ],
        ),
        (
            "started by the host: the overrun cap ends it",
            vec![live(talk(1, 0, 30, Waiting), -2, true)],
            on_air(-10),
            30 + 60,
            vec![ends(step(1, Live, Ended), 90)],
        ),
        (
            "the room's broadcast ended: the talk ends with it",
            vec![live(talk(1, 0, 30, Waiting), 0, false)],
            off_air(Some(12)),
            13,
            vec![ends(step(1, Live, Ended), 12)],
        ),
        (
            "the host moved on to a later talk: the earlier one is skipped",
            vec![
                talk(1, 0, 30, Waiting),
                live(talk(2, 30, 30, Waiting), -1, true),
            ],
            on_air(-10),
            1,
            vec![step(1, Waiting, NoReplay)],
        ),
        (
            "do_not_record: ended means no replay",
            vec![{
                let mut t = live(talk(1, 0, 30, Waiting), 0, false);
                t.fields.do_not_record = true;
                t
            }],
            on_air(-10),
            31,
            vec![ends(step(1, Live, Ended), 30), step(1, Ended, NoReplay)],
        ),
    ];
    for (name, talks, room, now_min, want) in cases {
        assert_eq!(sweep(&talks, room, T + now_min * MIN), want, "{name}");
    }
}

#[test]
fn host_actions() {
    let room = vec![
        live(talk(1, 0, 30, Waiting), 0, false),
        talk(2, 30, 30, Waiting),
    ];
    let now = T + 25 * MIN;
    let steps = start_talk(&room, 2, on_air(-10), now).unwrap();
    assert_eq!(
        steps,
        vec![
            ends(step(1, Live, Ended), 25),
            Step {
                marks: TalkMarks {
                    actual_start_ms: Some(now),
                    actual_end_ms: None,
                    manual: true
                },
                ..step(2, Waiting, Live)
            }
        ]
    );
    assert_eq!(
        start_talk(&room, 2, off_air(None), now),
        Err(ActionError::RoomOffAir)
    );
    assert!(matches!(
        start_talk(&room, 1, on_air(-10), now),
        Err(ActionError::WrongState("live", _))
    ));
    assert_eq!(
        end_talk(&room[0], now).unwrap(),
        ends(step(1, Live, Ended), 25)
    );
    assert!(end_talk(&room[1], now).is_err());
}
