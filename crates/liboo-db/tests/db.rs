//! The same scenarios on SQLite and on the machine's MariaDB.

use liboo_db::{
    Asker, ChannelSettings, Db, DbError, Heartbeat, NewQuestion, QuestionScope, QuestionState,
};
use liboo_testkit::{Engine, TestDb, on_both_engines};

async fn open(engine: Engine) -> (TestDb, Db) {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url).await.expect("connect");
    (t, db)
}

on_both_engines!(
    channels_are_created_once,
    one_live_broadcast_per_channel,
    settings_follow_into_live_broadcast_then_freeze,
    lists_search_and_counters,
    questions_are_durable_and_ordered,
    bans_hold_per_channel,
    delete_replay_takes_its_questions,
    settings_keep_first_value,
    migrations_run_twice,
    the_host_ends_a_broadcast,
);

fn settings(title: &str) -> ChannelSettings {
    ChannelSettings {
        title: title.into(),
        host_name: "Ada".into(),
        notice: "Welcome".into(),
        category: "Rust".into(),
        tags: vec!["C++".into(), "node.js".into()],
        thumbnail_key: Some("channels/x/thumb.jpg".into()),
    }
}

async fn channels_are_created_once(engine: Engine) {
    let (_t, db) = open(engine).await;
    let a = db.ensure_channel("sk1", "h1", 10).await.unwrap();
    let b = db.ensure_channel("sk1", "h1", 20).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a.created_ms, 10);
    assert_eq!(
        db.channel_by_stream_key_hash("h1")
            .await
            .unwrap()
            .unwrap()
            .id,
        a.id
    );
    assert!(db.channel_by_session_key("nope").await.unwrap().is_none());
}

async fn one_live_broadcast_per_channel(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk1", "h1", 0).await.unwrap();
    let b = db
        .start_broadcast(ch.id, "v1", "live/sk1/v1", 1000)
        .await
        .unwrap();
    assert!(b.is_live);
    assert!(matches!(
        db.start_broadcast(ch.id, "v2", "live/sk1/v2", 1001).await,
        Err(DbError::AlreadyLive)
    ));
    // The refused attempt left nothing behind.
    assert_eq!(db.live_broadcasts(0, 10).await.unwrap().len(), 1);
    assert!(db.replay("v2").await.unwrap().is_none());
    db.end_broadcast(b.id, 5000, 3900).await.unwrap();
    let r = db.replay("v1").await.unwrap().unwrap();
    assert_eq!(
        (r.end_ms, r.duration_ms, r.is_live),
        (Some(5000), 3900, false)
    );
    let b2 = db
        .start_broadcast(ch.id, "v2", "live/sk1/v2", 6000)
        .await
        .unwrap();
    assert_ne!(b2.media_prefix, r.media_prefix);
    assert_eq!(
        db.live_broadcast_of("sk1").await.unwrap().unwrap().id,
        b2.id
    );
    assert_eq!(
        db.last_broadcast_of(ch.id).await.unwrap().unwrap().id,
        b2.id
    );
}

async fn settings_follow_into_live_broadcast_then_freeze(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk1", "h1", 0).await.unwrap();
    db.update_channel_settings(ch.id, &settings("First talk"), 1)
        .await
        .unwrap();
    let b = db.start_broadcast(ch.id, "v1", "p1", 100).await.unwrap();
    assert_eq!(b.settings, settings("First talk"));
    db.update_channel_settings(ch.id, &settings("Renamed live"), 2)
        .await
        .unwrap();
    assert_eq!(
        db.broadcast_by_id(b.id)
            .await
            .unwrap()
            .unwrap()
            .settings
            .title,
        "Renamed live"
    );
    db.end_broadcast(b.id, 200, 100).await.unwrap();
    db.update_channel_settings(ch.id, &settings("Next talk"), 3)
        .await
        .unwrap();
    assert_eq!(
        db.replay("v1").await.unwrap().unwrap().settings.title,
        "Renamed live"
    );
    assert_eq!(
        db.channel_by_session_key("sk1")
            .await
            .unwrap()
            .unwrap()
            .settings
            .title,
        "Next talk"
    );
}

async fn lists_search_and_counters(engine: Engine) {
    let (_t, db) = open(engine).await;
    for i in 0..5i64 {
        let ch = db
            .ensure_channel(&format!("sk{i}"), &format!("h{i}"), 0)
            .await
            .unwrap();
        let mut s = settings(&format!("Talk {i}"));
        if i == 3 {
            s.title = "100% Rust_async".into();
        }
        db.update_channel_settings(ch.id, &s, 0).await.unwrap();
        let b = db
            .start_broadcast(ch.id, &format!("v{i}"), "p", 1000 + i)
            .await
            .unwrap();
        if i < 2 {
            db.end_broadcast(b.id, 2000 + i, 1000).await.unwrap();
        }
    }
    let live: Vec<_> = db
        .live_broadcasts(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.video_id)
        .collect();
    assert_eq!(live, ["v4", "v3", "v2"]);
    let page: Vec<_> = db
        .live_broadcasts(1, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.video_id)
        .collect();
    assert_eq!(page, ["v3"]);
    assert_eq!(db.live_broadcast_ids().await.unwrap().len(), 3);
    let replays: Vec<_> = db
        .replays(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.video_id)
        .collect();
    assert_eq!(replays, ["v1", "v0"]);

    let ids = |v: Vec<liboo_db::Broadcast>| v.into_iter().map(|b| b.video_id).collect::<Vec<_>>();
    assert_eq!(ids(db.search("100%", true, 0, 10).await.unwrap()), ["v3"]);
    assert_eq!(ids(db.search("rust_", true, 0, 10).await.unwrap()), ["v3"]);
    assert_eq!(
        ids(db.search("NODE.JS", true, 0, 10).await.unwrap()).len(),
        3
    );
    assert_eq!(ids(db.search("ada", true, 0, 10).await.unwrap()).len(), 3);
    assert!(db.search("%", true, 0, 10).await.unwrap().len() == 1);
    assert!(
        db.search("nothing like this", true, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Replays are searched apart from live broadcasts.
    assert_eq!(
        ids(db.search("", false, 0, 10).await.unwrap()),
        ["v1", "v0"]
    );
    assert_eq!(
        ids(db.search("", true, 0, 10).await.unwrap()),
        ["v4", "v3", "v2"]
    );

    assert!(db.count_replay_read("v0").await.unwrap());
    assert!(db.count_replay_read("v0").await.unwrap());
    assert!(
        !db.count_replay_read("v4").await.unwrap(),
        "a live broadcast is not a replay"
    );
    assert_eq!(db.replay("v0").await.unwrap().unwrap().read_count, 2);

    let live = db.live_broadcast_of("sk4").await.unwrap().unwrap();
    assert!(db.add_live_viewer(live.id, "viewer-a").await.unwrap());
    assert!(!db.add_live_viewer(live.id, "viewer-a").await.unwrap());
    assert!(db.add_live_viewer(live.id, "viewer-b").await.unwrap());
    assert_eq!(
        db.broadcast_by_id(live.id).await.unwrap().unwrap().live_pr,
        2
    );

    let beat = db.heartbeat(live.id, 50_000, Some("{\"updatedAt\":50000}"));
    assert_eq!(beat.await.unwrap(), Heartbeat::Live);
    // A heartbeat without a report keeps the last one.
    assert_eq!(
        db.heartbeat(live.id, 51_000, None).await.unwrap(),
        Heartbeat::Live
    );
    let health = db.broadcast_by_id(live.id).await.unwrap().unwrap().health;
    assert_eq!(health.as_deref(), Some("{\"updatedAt\":50000}"));
    let stale: Vec<_> = db
        .stale_live_broadcasts(10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.video_id)
        .collect();
    assert_eq!(
        stale,
        ["v2", "v3"]
            .iter()
            .copied()
            .filter(|v| stale.contains(&v.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(stale.len(), 2);
}

async fn questions_are_durable_and_ordered(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk1", "h1", 0).await.unwrap();
    let b = db.start_broadcast(ch.id, "v1", "p", 0).await.unwrap();
    let mut ids = vec![];
    for (i, msg) in ["first?", "second?", "third?"].iter().enumerate() {
        let q = db
            .add_question(&NewQuestion {
                channel_id: ch.id,
                scope: QuestionScope::Broadcast(b.id),
                user_hash: "u",
                nickname: "n",
                msg,
                asked_ms: i as i64,
                asker: Asker {
                    color: "#ff0000",
                    entry_time: "2026-01-01T00:00:00.000Z",
                    socket_id: "s1",
                },
                state: QuestionState::Approved,
                anonymous: false,
            })
            .await
            .unwrap();
        assert_eq!(q.msg, *msg);
        assert_eq!(
            (
                q.color.as_str(),
                q.entry_time.as_str(),
                q.socket_id.as_str()
            ),
            ("#ff0000", "2026-01-01T00:00:00.000Z", "s1")
        );
        ids.push(q.id);
    }
    let done = db
        .mark_question_done(QuestionScope::Broadcast(b.id), ids[1], 99)
        .await
        .unwrap()
        .unwrap();
    assert!(done.done);
    assert_eq!(done.done_ms, Some(99));
    assert_eq!(done.socket_id, "s1", "a question done keeps its asker");
    assert_eq!(
        db.mark_question_done(QuestionScope::Broadcast(b.id), ids[1], 150)
            .await
            .unwrap()
            .unwrap()
            .done_ms,
        Some(99)
    );
    assert!(
        db.mark_question_done(QuestionScope::Broadcast(b.id + 1), ids[0], 1)
            .await
            .unwrap()
            .is_none()
    );
    let open: Vec<_> = db
        .open_questions(QuestionScope::Broadcast(b.id))
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.msg)
        .collect();
    assert_eq!(open, ["third?", "first?"]);
    db.end_broadcast(b.id, 10, 10).await.unwrap();
    let b2 = db.start_broadcast(ch.id, "v2", "p2", 20).await.unwrap();
    assert!(
        db.open_questions(QuestionScope::Broadcast(b2.id))
            .await
            .unwrap()
            .is_empty(),
        "questions stay with their broadcast"
    );
    assert_eq!(
        db.questions(QuestionScope::Broadcast(b.id))
            .await
            .unwrap()
            .len(),
        3
    );
}

async fn bans_hold_per_channel(engine: Engine) {
    let (_t, db) = open(engine).await;
    let a = db.ensure_channel("a", "ha", 0).await.unwrap();
    let b = db.ensure_channel("b", "hb", 0).await.unwrap();
    db.ban(a.id, "troll", 1).await.unwrap();
    db.ban(a.id, "troll", 2).await.unwrap();
    assert!(db.is_banned(a.id, "troll").await.unwrap());
    assert!(!db.is_banned(b.id, "troll").await.unwrap());
    assert!(!db.is_banned(a.id, "nice").await.unwrap());
}

async fn delete_replay_takes_its_questions(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk1", "h1", 0).await.unwrap();
    let other = db.ensure_channel("sk2", "h2", 0).await.unwrap();
    let b = db
        .start_broadcast(ch.id, "v1", "live/sk1/v1", 0)
        .await
        .unwrap();
    db.add_question(&NewQuestion {
        channel_id: ch.id,
        scope: QuestionScope::Broadcast(b.id),
        user_hash: "u",
        nickname: "n",
        msg: "q",
        asked_ms: 1,
        asker: Asker::default(),
        state: QuestionState::Approved,
        anonymous: false,
    })
    .await
    .unwrap();
    assert!(
        db.delete_replay(ch.id, "v1").await.unwrap().is_none(),
        "a live broadcast is not deleted"
    );
    db.end_broadcast(b.id, 10, 10).await.unwrap();
    assert!(
        db.delete_replay(other.id, "v1").await.unwrap().is_none(),
        "only the owner deletes"
    );
    let gone = db.delete_replay(ch.id, "v1").await.unwrap().unwrap();
    assert_eq!(gone.media_prefix, "live/sk1/v1");
    assert!(db.replay("v1").await.unwrap().is_none());
    assert!(
        db.questions(QuestionScope::Broadcast(b.id))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn settings_keep_first_value(engine: Engine) {
    let (_t, db) = open(engine).await;
    assert_eq!(db.setting_get_or_init("k", "first").await.unwrap(), "first");
    assert_eq!(
        db.setting_get_or_init("k", "second").await.unwrap(),
        "first"
    );
}

async fn migrations_run_twice(engine: Engine) {
    let (t, db) = open(engine).await;
    db.ensure_channel("sk1", "h1", 0).await.unwrap();
    db.close().await;
    let again = Db::connect(&t.url).await.unwrap();
    assert!(again.channel_by_session_key("sk1").await.unwrap().is_some());
}

/// `POST /api/host/end` asks the serving node to end a live broadcast; the node hears
/// it through its heartbeat, or asks while the broadcast waits in its reconnect grace.
async fn the_host_ends_a_broadcast(engine: Engine) {
    let (_t, db) = open(engine).await;
    let channel = db.ensure_channel("sk", "h", 1).await.unwrap();
    let b = db
        .start_broadcast(channel.id, "v1", "live/sk/v1", 1_000)
        .await
        .unwrap();
    assert_eq!(db.end_request(b.id).await.unwrap(), Heartbeat::Live);
    assert!(db.request_end(b.id, 2_000).await.unwrap());
    // Asking twice is no error, and the first time counts.
    assert!(db.request_end(b.id, 3_000).await.unwrap());
    assert_eq!(db.end_request(b.id).await.unwrap(), Heartbeat::EndRequested);
    assert_eq!(
        db.heartbeat(b.id, 4_000, None).await.unwrap(),
        Heartbeat::EndRequested
    );
    // Not stale: a broadcast asked to end is ended by its node, not by the sweeper.
    assert!(db.stale_live_broadcasts(1_000).await.unwrap().is_empty());
    db.end_broadcast(b.id, 5_000, 4_000).await.unwrap();
    assert_eq!(db.end_request(b.id).await.unwrap(), Heartbeat::Ended);
    assert_eq!(
        db.heartbeat(b.id, 6_000, None).await.unwrap(),
        Heartbeat::Ended
    );
    assert!(!db.request_end(b.id, 7_000).await.unwrap());
    assert_eq!(db.end_request(9_999).await.unwrap(), Heartbeat::Ended);
}
