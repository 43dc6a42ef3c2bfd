//! Conferences on SQLite and on the machine's MariaDB: an import written in one
//! transaction, applied again by key, talk state changes made once (conditional), a
//! talk's replay stored once, and questions of a talk, of a broadcast and of a plain
//! channel's next broadcast kept apart.

use liboo_db::{
    ConferenceFields, Db, DbError, ImportWrite, NewQuestion, QuestionScope, RoomSpec,
    ScheduleSource, TalkFields, TalkMarks, TalkReplay, TalkState, TalkUpsert,
};
use liboo_testkit::{Engine, TestDb, on_both_engines};

async fn open(engine: Engine) -> (TestDb, Db) {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url).await.expect("connect");
    (t, db)
}

on_both_engines!(
    imports_apply_by_key,
    talks_move_once_and_keep_their_replay,
    question_scopes,
    unlisted_conferences_stay_out_of_the_lists,
);

fn conference(slug: &str) -> ConferenceFields {
    ConferenceFields {
        slug: slug.into(),
        title: "Conf 한국어".into(),
        time_zone: "Asia/Seoul".into(),
        day_change_minutes: 240,
        start_date: "2026-12-04".into(),
        end_date: "2026-12-05".into(),
        visibility: "public".into(),
        ..ConferenceFields::default()
    }
}

fn room(key: &str) -> RoomSpec {
    RoomSpec {
        key: key.into(),
        name: format!("Room {key}"),
        position: 1,
        session_key: format!("sk-{key}"),
        stream_key_hash: format!("hash-{key}"),
    }
}

fn talk(key: &str, start: i64, title: &str) -> TalkFields {
    TalkFields {
        talk_key: key.into(),
        title: title.into(),
        day: "2026-12-04".into(),
        sched_start_ms: start,
        duration_ms: 30_000,
        persons: r#"[{"name":"Ada"}]"#.into(),
        links: "[]".into(),
        ..TalkFields::default()
    }
}

fn write(upserts: Vec<TalkUpsert>, cancel: Vec<i64>) -> ImportWrite {
    ImportWrite {
        conference: conference("conf"),
        source: ScheduleSource {
            url: None,
            format: "frab-json".into(),
            version: "1".into(),
        },
        rooms: vec![room("a")],
        upserts,
        cancel,
    }
}

fn new(key: &str, start: i64, title: &str) -> TalkUpsert {
    TalkUpsert {
        existing: None,
        room_key: "a".into(),
        fields: talk(key, start, title),
    }
}

async fn imports_apply_by_key(engine: Engine) {
    let (_t, db) = open(engine).await;
    let id = db
        .write_import(
            None,
            "org",
            &write(vec![new("k1", 1000, "One"), new("k2", 2000, "Two")], vec![]),
            1,
        )
        .await
        .unwrap();
    let c = db.conference_by_slug("conf").await.unwrap().unwrap();
    assert_eq!(c.id, id);
    assert_eq!(c.fields.title, "Conf 한국어");
    assert_eq!(c.source.unwrap().format, "frab-json");
    let rooms = db.rooms(id).await.unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0].room.as_ref().unwrap().name, "Room a");
    let talks = db.talks_of_conference(id).await.unwrap();
    assert_eq!(talks.len(), 2);
    assert!(talks.iter().all(|t| t.state == TalkState::Scheduled));

    // A second conference under the same slug is refused, and writes nothing.
    let err = db
        .write_import(None, "other", &write(vec![new("x", 1, "X")], vec![]), 2)
        .await
        .unwrap_err();
    assert!(matches!(err, DbError::Conflict(_)), "{err}");

    // Again by key: k1 retitled, k2 cancelled; the room is not made twice.
    let k1 = talks.iter().find(|t| t.fields.talk_key == "k1").unwrap().id;
    let k2 = talks.iter().find(|t| t.fields.talk_key == "k2").unwrap().id;
    let mut upd = new("k1", 1000, "One, retitled");
    upd.existing = Some(k1);
    db.write_import(Some(id), "org", &write(vec![upd], vec![k2]), 3)
        .await
        .unwrap();
    let talks = db.talks_of_conference(id).await.unwrap();
    assert_eq!(talks.len(), 2);
    assert_eq!(db.rooms(id).await.unwrap().len(), 1);
    let one = talks.iter().find(|t| t.id == k1).unwrap();
    assert_eq!(one.fields.title, "One, retitled");
    let two = talks.iter().find(|t| t.id == k2).unwrap();
    assert_eq!(two.state, TalkState::Cancelled);
    assert_eq!(two.state_ms, 3);

    // Back in the file: scheduled again, and its change is seen by chat's poll.
    let mut back = new("k2", 2000, "Two");
    back.existing = Some(k2);
    db.write_import(Some(id), "org", &write(vec![back], vec![]), 4)
        .await
        .unwrap();
    let two = db.talk(k2).await.unwrap().unwrap();
    assert_eq!(two.state, TalkState::Scheduled);
    assert_eq!(
        two.state_ms, 4,
        "state_ms follows the state on both engines"
    );
    assert_eq!(db.talks_changed_since(3).await.unwrap().len(), 1);
}

async fn talks_move_once_and_keep_their_replay(engine: Engine) {
    let (_t, db) = open(engine).await;
    let id = db
        .write_import(None, "org", &write(vec![new("k1", 1000, "One")], vec![]), 1)
        .await
        .unwrap();
    let t = db.talks_of_conference(id).await.unwrap().remove(0);
    let marks = TalkMarks {
        actual_start_ms: Some(1000),
        ..TalkMarks::default()
    };
    for (from, to) in [
        (TalkState::Scheduled, TalkState::Waiting),
        (TalkState::Waiting, TalkState::Live),
    ] {
        assert!(db.move_talk(t.id, from, to, marks, 10).await.unwrap());
        // A second node making the same change finds it made.
        assert!(!db.move_talk(t.id, from, to, marks, 11).await.unwrap());
    }
    assert_eq!(
        db.current_talk_of_room(t.channel_id)
            .await
            .unwrap()
            .unwrap()
            .id,
        t.id
    );
    let end = TalkMarks {
        actual_end_ms: Some(31_000),
        ..TalkMarks::default()
    };
    assert!(
        db.move_talk(t.id, TalkState::Live, TalkState::Ended, end, 31_000)
            .await
            .unwrap()
    );
    let ended = db.talk(t.id).await.unwrap().unwrap();
    assert_eq!(
        (ended.actual_start_ms, ended.actual_end_ms),
        (Some(1000), Some(31_000))
    );

    let replay = TalkReplay {
        video_id: "t000000000000001".into(),
        media_prefix: "live/sk-a/t000000000000001".into(),
        host_name: "Ada".into(),
        start_ms: 0,
        end_ms: 32_000,
        duration_ms: 32_000,
        made_ms: 40_000,
    };
    let b1 = db.store_talk_replay(&ended, &replay).await.unwrap();
    // Cut again (the organiser moved a point): the same replay, updated.
    let b2 = db
        .store_talk_replay(
            &ended,
            &TalkReplay {
                duration_ms: 30_000,
                made_ms: 50_000,
                ..replay.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(b1, b2);
    let t = db.talk(t.id).await.unwrap().unwrap();
    assert_eq!(t.state, TalkState::Replay);
    assert_eq!(t.replay_broadcast_id, Some(b1));
    assert_eq!(t.state_ms, 40_000, "the first cut announced the replay");
    let listed = db.replay("t000000000000001").await.unwrap().unwrap();
    assert_eq!(listed.talk_id, Some(t.id));
    assert_eq!(listed.duration_ms, 30_000);
    assert_eq!(listed.settings.title, "One");
    assert_eq!(
        db.replays(0, 10).await.unwrap().len(),
        1,
        "the talk's replay is listed"
    );
}

async fn question_scopes(engine: Engine) {
    let (_t, db) = open(engine).await;
    let id = db
        .write_import(None, "org", &write(vec![new("k1", 1000, "One")], vec![]), 1)
        .await
        .unwrap();
    let talk = db.talks_of_conference(id).await.unwrap().remove(0);
    let plain = db.ensure_channel("plain", "plain-hash", 0).await.unwrap();
    let ask = |channel_id, scope, msg: &'static str| NewQuestion {
        channel_id,
        scope,
        user_hash: "u",
        nickname: "n",
        msg,
        asked_ms: 5,
        asker: Default::default(),
        state: liboo_db::QuestionState::Approved,
        anonymous: false,
    };
    db.add_question(&ask(
        talk.channel_id,
        QuestionScope::Talk(talk.id),
        "for the talk",
    ))
    .await
    .unwrap();
    db.add_question(&ask(
        plain.id,
        QuestionScope::NextBroadcast(plain.id),
        "before it starts",
    ))
    .await
    .unwrap();
    let msgs = |qs: Vec<liboo_db::Question>| qs.into_iter().map(|q| q.msg).collect::<Vec<_>>();
    assert_eq!(
        msgs(db.questions(QuestionScope::Talk(talk.id)).await.unwrap()),
        ["for the talk"]
    );
    assert_eq!(
        msgs(
            db.open_questions(QuestionScope::NextBroadcast(plain.id))
                .await
                .unwrap()
        ),
        ["before it starts"]
    );
    // The plain channel's next broadcast takes its waiting question.
    let b = db
        .start_broadcast(plain.id, "v1", "live/plain/v1", 10)
        .await
        .unwrap();
    assert_eq!(
        msgs(db.questions(QuestionScope::Broadcast(b.id)).await.unwrap()),
        ["before it starts"]
    );
    assert!(
        db.questions(QuestionScope::NextBroadcast(plain.id))
            .await
            .unwrap()
            .is_empty()
    );
    // A room's broadcast does not take a talk's question.
    let rb = db
        .start_broadcast(talk.channel_id, "v2", "live/sk-a/v2", 10)
        .await
        .unwrap();
    assert!(
        db.questions(QuestionScope::Broadcast(rb.id))
            .await
            .unwrap()
            .is_empty()
    );
    let q = db
        .questions(QuestionScope::Talk(talk.id))
        .await
        .unwrap()
        .remove(0);
    let done = db
        .mark_question_done(QuestionScope::Talk(talk.id), q.id, 20)
        .await
        .unwrap()
        .unwrap();
    assert!(done.done);
    assert_eq!(
        db.upvote_question(QuestionScope::Talk(talk.id), q.id, "v")
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        db.upvote_question(QuestionScope::Broadcast(b.id), q.id, "v")
            .await
            .unwrap(),
        None
    );
}

async fn unlisted_conferences_stay_out_of_the_lists(engine: Engine) {
    let (_t, db) = open(engine).await;
    let mut hidden = write(vec![new("k1", 1000, "Hidden talk")], vec![]);
    hidden.conference.visibility = "unlisted".into();
    let id = db.write_import(None, "org", &hidden, 1).await.unwrap();
    let room = db.rooms(id).await.unwrap().remove(0);
    let plain = db.ensure_channel("plain", "plain-hash", 0).await.unwrap();
    let shown = db
        .start_broadcast(plain.id, "v-plain", "live/plain/v-plain", 10)
        .await
        .unwrap();
    let unlisted = db
        .start_broadcast(room.id, "v-room", "live/sk-a/v-room", 10)
        .await
        .unwrap();
    let live: Vec<i64> = db
        .live_broadcasts(0, 10)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(live, [shown.id]);
    assert_eq!(db.live_broadcast_ids().await.unwrap(), [shown.id]);
    assert!(
        db.search("", true, 0, 10)
            .await
            .unwrap()
            .iter()
            .all(|b| b.id != unlisted.id)
    );
    // Reachable by its id all the same.
    assert!(db.live_broadcast_of("sk-a").await.unwrap().is_some());
}
