//! Q&A in the database, on SQLite and on the machine's MariaDB: question states and
//! pins, roles by invitation, moderation switches, the log, and polls.

use liboo_db::{
    Asker, Change, Db, Moderation, NewQuestion, NotAccepted, PollState, QuestionScope,
    QuestionState, Role, RoleScope,
};
use liboo_testkit::{Engine, TestDb, on_both_engines};

async fn open(engine: Engine) -> (TestDb, Db) {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url).await.expect("connect");
    (t, db)
}

on_both_engines!(
    moderated_questions_move_through_their_states,
    one_question_is_pinned_at_a_time,
    invitations_grant_roles_until_revoked_or_expired,
    moderation_switches_and_the_log,
    polls_count_one_vote_per_user,
);

fn ask<'a>(
    channel_id: i64,
    scope: QuestionScope,
    user: &'a str,
    state: QuestionState,
) -> NewQuestion<'a> {
    NewQuestion {
        channel_id,
        scope,
        user_hash: user,
        nickname: "n",
        msg: "why?",
        asked_ms: 10,
        asker: Asker::default(),
        state,
        anonymous: false,
    }
}

async fn moderated_questions_move_through_their_states(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk", "h", 0).await.unwrap();
    let scope = QuestionScope::NextBroadcast(ch.id);
    let p = db
        .add_question(&ask(ch.id, scope, "u1", QuestionState::Pending))
        .await
        .unwrap();
    assert_eq!(p.state, QuestionState::Pending);
    assert_eq!(p.approved_ms, None);
    let shown = db
        .add_question(&ask(ch.id, scope, "u2", QuestionState::Approved))
        .await
        .unwrap();
    assert_eq!(shown.approved_ms, Some(10));
    // Pending is neither open nor votable; the moderator's list and the asker's have it.
    let open: Vec<i64> = db
        .open_questions(scope)
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(open, vec![shown.id]);
    assert_eq!(db.pending_questions(scope, None).await.unwrap().len(), 1);
    assert_eq!(
        db.pending_questions(scope, Some("u1")).await.unwrap().len(),
        1
    );
    assert!(
        db.pending_questions(scope, Some("u2"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.upvote_question(scope, p.id, "u3").await.unwrap(), None);
    assert_eq!(
        db.mark_question_done(scope, p.id, 11)
            .await
            .unwrap()
            .map(|q| q.done),
        Some(false)
    );
    // The asker edits while pending; approval then stamps the time; a second approval
    // and a withdrawal after it are refused.
    let edited = db
        .edit_question(scope, p.id, "why not?", &[QuestionState::Pending], 12)
        .await
        .unwrap();
    assert!(
        matches!(edited, Change::Done(ref q) if q.msg == "why not?" && q.edited_ms == Some(12))
    );
    let approved = db
        .set_question_state(
            scope,
            p.id,
            &[QuestionState::Pending],
            QuestionState::Approved,
            20,
        )
        .await
        .unwrap();
    assert!(matches!(approved, Change::Done(ref q) if q.approved_ms == Some(20)));
    let again = db
        .set_question_state(
            scope,
            p.id,
            &[QuestionState::Pending],
            QuestionState::Approved,
            21,
        )
        .await
        .unwrap();
    assert!(matches!(again, Change::Refused(ref q) if q.approved_ms == Some(20)));
    assert!(matches!(
        db.edit_question(scope, p.id, "x", &[QuestionState::Pending], 22)
            .await
            .unwrap(),
        Change::Refused(_)
    ));
    assert_eq!(
        db.upvote_question(scope, p.id, "u3").await.unwrap(),
        Some(1)
    );
    // Dismissed: gone from every list but the export; another scope has no such question.
    let dismissed = db
        .set_question_state(
            scope,
            shown.id,
            &[QuestionState::Pending, QuestionState::Approved],
            QuestionState::Dismissed,
            30,
        )
        .await
        .unwrap();
    assert!(matches!(dismissed, Change::Done(ref q) if q.removed_ms == Some(30)));
    assert_eq!(db.approved_questions(scope).await.unwrap().len(), 1);
    assert_eq!(db.questions(scope).await.unwrap().len(), 2);
    assert_eq!(
        db.set_question_state(
            QuestionScope::Broadcast(999),
            p.id,
            &[QuestionState::Approved],
            QuestionState::Dismissed,
            31
        )
        .await
        .unwrap(),
        Change::NotFound
    );
}

async fn one_question_is_pinned_at_a_time(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk", "h", 0).await.unwrap();
    let scope = QuestionScope::NextBroadcast(ch.id);
    let a = db
        .add_question(&ask(ch.id, scope, "u1", QuestionState::Approved))
        .await
        .unwrap();
    let b = db
        .add_question(&ask(ch.id, scope, "u2", QuestionState::Approved))
        .await
        .unwrap();
    let pending = db
        .add_question(&ask(ch.id, scope, "u3", QuestionState::Pending))
        .await
        .unwrap();
    assert!(matches!(
        db.pin_question(scope, pending.id, 5).await.unwrap(),
        Change::Refused(_)
    ));
    assert!(
        matches!(db.pin_question(scope, a.id, 5).await.unwrap(), Change::Done(ref q) if q.pinned && q.pinned_ms == Some(5))
    );
    assert!(matches!(
        db.pin_question(scope, b.id, 6).await.unwrap(),
        Change::Done(_)
    ));
    let pinned = db.pinned_question(scope).await.unwrap().unwrap();
    assert_eq!(pinned.id, b.id);
    assert!(!db.question(scope, a.id).await.unwrap().unwrap().pinned);
    // Answered: unpinned, and no longer pinnable.
    let done = db
        .mark_question_done(scope, b.id, 7)
        .await
        .unwrap()
        .unwrap();
    assert!(done.done && !done.pinned);
    assert!(db.pinned_question(scope).await.unwrap().is_none());
    assert!(matches!(
        db.pin_question(scope, b.id, 8).await.unwrap(),
        Change::Refused(_)
    ));
    db.pin_question(scope, a.id, 9).await.unwrap();
    assert_eq!(db.unpin_questions(scope).await.unwrap(), Some(a.id));
    assert_eq!(db.unpin_questions(scope).await.unwrap(), None);
    // A pinned question dismissed loses its pin.
    db.pin_question(scope, a.id, 10).await.unwrap();
    db.set_question_state(
        scope,
        a.id,
        &[QuestionState::Approved],
        QuestionState::Dismissed,
        11,
    )
    .await
    .unwrap();
    assert!(db.pinned_question(scope).await.unwrap().is_none());
}

async fn invitations_grant_roles_until_revoked_or_expired(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk", "h", 0).await.unwrap();
    let scope = RoleScope::Channel(ch.id);
    let inv = db
        .create_invitation(scope, Role::Speaker, "nonce-1", "owner", 100, 1_000)
        .await
        .unwrap();
    assert_eq!(db.invitation(inv.id).await.unwrap().as_ref(), Some(&inv));
    let grant = db
        .accept_invitation(&inv, "alice", "Alice", 200)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (grant.role, grant.scope, grant.name.as_str()),
        (Role::Speaker, scope, "Alice")
    );
    assert_eq!(
        db.role_in(ch.id, None, "alice")
            .await
            .unwrap()
            .map(|g| g.role),
        Some(Role::Speaker)
    );
    assert_eq!(db.role_in(ch.id, None, "bob").await.unwrap(), None);
    // Expired: grants nothing.
    assert_eq!(
        db.accept_invitation(&inv, "bob", "", 1_000).await.unwrap(),
        Err(NotAccepted::Expired)
    );
    // A moderator invitation replaces alice's speaker role in the same scope.
    let mods = db
        .create_invitation(scope, Role::Moderator, "nonce-2", "owner", 100, 10_000)
        .await
        .unwrap();
    db.accept_invitation(&mods, "alice", "Alice", 300)
        .await
        .unwrap()
        .unwrap();
    let roles = db.roles(scope).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, Role::Moderator);
    // Revoked: grants nothing more; revoking twice is a no.
    assert!(db.revoke_invitation(mods.id, 400).await.unwrap());
    assert!(!db.revoke_invitation(mods.id, 401).await.unwrap());
    assert_eq!(
        db.accept_invitation(&mods, "carol", "", 500).await.unwrap(),
        Err(NotAccepted::Revoked)
    );
    assert_eq!(db.invitations(scope).await.unwrap().len(), 2);
    // A conference-wide role holds in its rooms; the highest role wins.
    let conf = RoleScope::Conference(77);
    let c = db
        .create_invitation(conf, Role::Speaker, "nonce-3", "org", 0, 10_000)
        .await
        .unwrap();
    db.accept_invitation(&c, "dave", "", 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.role_in(ch.id, Some(77), "dave")
            .await
            .unwrap()
            .map(|g| g.role),
        Some(Role::Speaker)
    );
    assert_eq!(db.role_in(ch.id, Some(78), "dave").await.unwrap(), None);
    assert_eq!(
        db.role_in(ch.id, Some(77), "alice")
            .await
            .unwrap()
            .map(|g| g.role),
        Some(Role::Moderator)
    );
    assert!(db.revoke_role(roles[0].id).await.unwrap());
    assert_eq!(db.role_in(ch.id, None, "alice").await.unwrap(), None);
    assert!(!db.revoke_role(roles[0].id).await.unwrap());
}

async fn moderation_switches_and_the_log(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk", "h", 0).await.unwrap();
    assert_eq!(
        db.moderation(ch.id, None).await.unwrap(),
        Moderation::default()
    );
    let on = Moderation {
        enabled: true,
        anonymous: true,
    };
    db.set_channel_moderation(ch.id, on, 50).await.unwrap();
    let changed = db.moderation_changed_since(49).await.unwrap();
    assert_eq!(changed, vec![("sk".to_owned(), 50)]);
    assert!(db.moderation_changed_since(50).await.unwrap().is_empty());
    assert_eq!(db.moderation(ch.id, None).await.unwrap(), on);
    // A talk id that is no talk follows the channel.
    assert_eq!(db.moderation(ch.id, Some(12345)).await.unwrap(), on);
    for (i, action) in ["approve", "dismiss", "pin"].iter().enumerate() {
        db.log_moderation(
            ch.id,
            "mod",
            "moderator",
            action,
            Some(i as i64),
            None,
            "",
            i as i64,
        )
        .await
        .unwrap();
    }
    let log = db
        .moderation_log(RoleScope::Channel(ch.id), 2)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pin", "dismiss"]);
    assert!(
        db.moderation_log(RoleScope::Channel(ch.id + 1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn polls_count_one_vote_per_user(engine: Engine) {
    let (_t, db) = open(engine).await;
    let ch = db.ensure_channel("sk", "h", 0).await.unwrap();
    let scope = QuestionScope::NextBroadcast(ch.id);
    let options = vec!["Rust".to_owned(), "Go".to_owned(), "Zig".to_owned()];
    let poll = db
        .create_poll(ch.id, scope, "Best?", &options, true, 1)
        .await
        .unwrap();
    assert_eq!(
        (poll.state, poll.options.clone(), poll.multiple),
        (PollState::Draft, options, true)
    );
    // A draft takes no votes.
    assert!(matches!(
        db.vote_poll(scope, poll.id, "u1", &[0], 2).await.unwrap(),
        Change::Refused(_)
    ));
    assert!(matches!(
        db.set_poll_state(scope, poll.id, PollState::Draft, PollState::Open, 3).await.unwrap(),
        Change::Done(ref p) if p.opened_ms == Some(3)
    ));
    db.vote_poll(scope, poll.id, "u1", &[0], 4).await.unwrap();
    db.vote_poll(scope, poll.id, "u2", &[0, 2], 4)
        .await
        .unwrap();
    // u1 changes their mind: still one vote.
    db.vote_poll(scope, poll.id, "u1", &[1], 5).await.unwrap();
    let t = db.poll_tally(&poll).await.unwrap();
    assert_eq!((t.counts, t.voters), (vec![1, 1, 1], 2));
    assert_eq!(
        db.poll_vote_of(poll.id, "u2").await.unwrap(),
        Some(vec![0, 2])
    );
    assert_eq!(db.poll_vote_of(poll.id, "u9").await.unwrap(), None);
    // Many voters at once (each twice, the second vote replacing the first): no vote is
    // lost to a lock conflict, none counted twice.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("crowd{i}");
            db.vote_poll(scope, poll.id, &user, &[2], 5).await.unwrap();
            db.vote_poll(scope, poll.id, &user, &[i % 2], 5)
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Change::Done(_)));
    }
    let t = db.poll_tally(&poll).await.unwrap();
    assert_eq!((t.counts, t.voters), (vec![21, 21, 1], 42));
    db.set_poll_state(scope, poll.id, PollState::Open, PollState::Closed, 6)
        .await
        .unwrap();
    assert!(matches!(
        db.vote_poll(scope, poll.id, "u3", &[0], 7).await.unwrap(),
        Change::Refused(_)
    ));
    assert_eq!(db.poll_tally(&poll).await.unwrap().voters, 42);
    // The channel's next broadcast takes its polls, as its questions.
    let b = db.start_broadcast(ch.id, "v1", "prefix", 10).await.unwrap();
    assert_eq!(
        db.polls(QuestionScope::Broadcast(b.id))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(db.polls(scope).await.unwrap().is_empty());
    assert_eq!(
        db.poll(QuestionScope::Talk(1), poll.id).await.unwrap(),
        None
    );
}
