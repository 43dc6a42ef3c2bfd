//! One table of payloads per the contract: each row an event name, the JSON the client
//! sent, and the event it parses to or the `exception` it gets. Fuzzing reproducers join
//! the table as rows.

use serde_json::{Value, json};

use super::*;

fn sender(room: &str, user: &str) -> Sender {
    Sender {
        room_id: room.into(),
        user_id: user.into(),
    }
}

fn message(room: &str, user: &str, msg: &str) -> SendMessage {
    SendMessage {
        sender: sender(room, user),
        msg: msg.into(),
    }
}

fn question(id: i64) -> QuestionAction {
    QuestionAction {
        sender: sender("r", "u"),
        question_id: id,
    }
}

/// The `exception` a refused payload gets: status, message, room.
fn reject(code: u16, message: &str, room: Option<&str>) -> Result<Event, Reject> {
    Err(Reject {
        code,
        message: message.into(),
        room_id: room.map(str::to_owned),
    })
}

/// A row: what the case is, the event's name, its payload, what it parses to.
type Row = (&'static str, &'static str, Value, Result<Event, Reject>);

fn table() -> Vec<Row> {
    let long = "x".repeat(151);
    let max = "y".repeat(150);
    let korean = "가".repeat(150);
    vec![
        (
            "join",
            JOIN_ROOM,
            json!({"roomId": "r", "userId": "u"}),
            Ok(Event::JoinRoom(JoinRoom {
                room_id: "r".into(),
                user_id: "u".into(),
                talk_id: None,
            })),
        ),
        (
            "join: extra fields are ignored",
            JOIN_ROOM,
            json!({"roomId": "r", "userId": "u", "nickname": "x"}),
            Ok(Event::JoinRoom(JoinRoom {
                room_id: "r".into(),
                user_id: "u".into(),
                talk_id: None,
            })),
        ),
        (
            "join: a talk's waiting room",
            JOIN_ROOM,
            json!({"roomId": "r", "userId": "u", "talkId": 7}),
            Ok(Event::JoinRoom(JoinRoom {
                room_id: "r".into(),
                user_id: "u".into(),
                talk_id: Some(7),
            })),
        ),
        (
            "join: talkId a string",
            JOIN_ROOM,
            json!({"roomId": "r", "userId": "u", "talkId": "7"}),
            reject(400, "talkId must be a talk id (a positive integer)", None),
        ),
        (
            "join: no userId, and no room named",
            JOIN_ROOM,
            json!({"roomId": "r"}),
            reject(400, "userId is required", None),
        ),
        (
            "join: roomId a number",
            JOIN_ROOM,
            json!({"roomId": 1, "userId": "u"}),
            reject(400, "roomId must be a string", None),
        ),
        (
            "join: roomId checked first",
            JOIN_ROOM,
            json!({"roomId": "", "userId": 5}),
            reject(400, "roomId is required", None),
        ),
        (
            "join: a string payload",
            JOIN_ROOM,
            json!("r"),
            reject(400, "the payload must be a JSON object", None),
        ),
        (
            "leave: userId is not needed",
            LEAVE_ROOM,
            json!({"roomId": "r"}),
            Ok(Event::LeaveRoom(LeaveRoom {
                room_id: "r".into(),
            })),
        ),
        (
            "leave: no roomId",
            LEAVE_ROOM,
            json!({"userId": "u"}),
            reject(400, "roomId is required", None),
        ),
        (
            "leave: an array",
            LEAVE_ROOM,
            json!(["r"]),
            reject(400, "the payload must be a JSON object", None),
        ),
        (
            "chat, trimmed",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": "  hi there \n"}),
            Ok(Event::NormalChat(message("r", "u", "hi there"))),
        ),
        (
            "chat of 150 characters",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": max}),
            Ok(Event::NormalChat(message("r", "u", &max))),
        ),
        (
            "chat of 150 Korean characters (450 bytes)",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": korean}),
            Ok(Event::NormalChat(message("r", "u", &korean))),
        ),
        (
            "chat of 151 characters",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": long}),
            reject(406, "the message is longer than 150 characters", Some("r")),
        ),
        (
            "chat: blank",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": " \t "}),
            reject(400, "the message is empty", Some("r")),
        ),
        (
            "chat: msg null",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": null}),
            reject(400, "the message is empty", Some("r")),
        ),
        (
            "chat: no msg",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u"}),
            reject(400, "the message is empty", Some("r")),
        ),
        (
            "chat: msg a number",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": "u", "msg": 5}),
            reject(400, "msg must be a string", Some("r")),
        ),
        (
            "chat: userId an object",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "userId": {}, "msg": "hi"}),
            reject(400, "userId must be a string", Some("r")),
        ),
        (
            "chat: userId before msg",
            SEND_NORMAL_CHAT,
            json!({"roomId": "r", "msg": 5}),
            reject(400, "userId is required", Some("r")),
        ),
        (
            "chat: no roomId, and no room named",
            SEND_NORMAL_CHAT,
            json!({"userId": "u", "msg": "hi"}),
            reject(400, "roomId is required", None),
        ),
        (
            "chat: a number payload",
            SEND_NORMAL_CHAT,
            json!(42),
            reject(400, "the payload must be a JSON object", None),
        ),
        (
            "chat: null payload",
            SEND_NORMAL_CHAT,
            Value::Null,
            reject(400, "the payload must be a JSON object", None),
        ),
        (
            "question",
            SEND_QUESTION,
            json!({"roomId": "r", "userId": "u", "msg": "why?"}),
            Ok(Event::Question(message("r", "u", "why?"))),
        ),
        (
            "question: msg an array",
            SEND_QUESTION,
            json!({"roomId": "r", "userId": "u", "msg": ["a"]}),
            reject(400, "msg must be a string", Some("r")),
        ),
        (
            "notice",
            SEND_NOTICE,
            json!({"roomId": "r", "userId": "u", "msg": "5 minutes"}),
            Ok(Event::Notice(message("r", "u", "5 minutes"))),
        ),
        (
            "done, id a number",
            SEND_QUESTION_DONE,
            json!({"roomId": "r", "userId": "u", "questionId": 7}),
            Ok(Event::QuestionDone(question(7))),
        ),
        (
            "upvote, id a string",
            SEND_QUESTION_UPVOTE,
            json!({"roomId": "r", "userId": "u", "questionId": "12"}),
            Ok(Event::QuestionUpvote(question(12))),
        ),
        (
            "upvote: id an object",
            SEND_QUESTION_UPVOTE,
            json!({"roomId": "r", "userId": "u", "questionId": {"a": 1}}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "upvote: id a fraction",
            SEND_QUESTION_UPVOTE,
            json!({"roomId": "r", "userId": "u", "questionId": 1.5}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "upvote: id past i64",
            SEND_QUESTION_UPVOTE,
            json!({"roomId": "r", "userId": "u", "questionId": u64::MAX}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "done: id text that is not a number",
            SEND_QUESTION_DONE,
            json!({"roomId": "r", "userId": "u", "questionId": "7a"}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "done: no id",
            SEND_QUESTION_DONE,
            json!({"roomId": "r", "userId": "u"}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "ban",
            BAN_USER,
            json!({"roomId": "r", "userId": "u", "socketId": "s1"}),
            Ok(Event::BanUser(BanUser {
                sender: sender("r", "u"),
                socket_id: "s1".into(),
            })),
        ),
        (
            "ban: socketId empty",
            BAN_USER,
            json!({"roomId": "r", "userId": "u", "socketId": ""}),
            reject(400, "socketId is required", Some("r")),
        ),
        (
            "ban: socketId a list",
            BAN_USER,
            json!({"roomId": "r", "userId": "u", "socketId": ["s1"]}),
            reject(400, "socketId must be a string", Some("r")),
        ),
        (
            "approve",
            SEND_QUESTION_APPROVE,
            json!({"roomId": "r", "userId": "u", "questionId": 7}),
            Ok(Event::QuestionApprove(question(7))),
        ),
        (
            "dismiss with a reason, trimmed",
            SEND_QUESTION_DISMISS,
            json!({"roomId": "r", "userId": "u", "questionId": "7", "reason": " off topic "}),
            Ok(Event::QuestionDismiss(Dismiss {
                action: question(7),
                reason: Some("off topic".into()),
            })),
        ),
        (
            "dismiss: a blank reason is none",
            SEND_QUESTION_DISMISS,
            json!({"roomId": "r", "userId": "u", "questionId": 7, "reason": "  "}),
            Ok(Event::QuestionDismiss(Dismiss {
                action: question(7),
                reason: None,
            })),
        ),
        (
            "dismiss: reason a number",
            SEND_QUESTION_DISMISS,
            json!({"roomId": "r", "userId": "u", "questionId": 7, "reason": 5}),
            reject(400, "reason must be a string", Some("r")),
        ),
        (
            "pin: questionId missing",
            SEND_QUESTION_PIN,
            json!({"roomId": "r", "userId": "u"}),
            reject(400, "questionId must be a number", Some("r")),
        ),
        (
            "unpin",
            SEND_QUESTION_UNPIN,
            json!({"roomId": "r", "userId": "u"}),
            Ok(Event::QuestionUnpin(Unpin {
                sender: sender("r", "u"),
            })),
        ),
        (
            "edit",
            SEND_QUESTION_EDIT,
            json!({"roomId": "r", "userId": "u", "questionId": 3, "msg": " typo fixed "}),
            Ok(Event::QuestionEdit(EditQuestion {
                action: question(3),
                msg: "typo fixed".into(),
            })),
        ),
        (
            "edit: too long",
            SEND_QUESTION_EDIT,
            json!({"roomId": "r", "userId": "u", "questionId": 3, "msg": long}),
            reject(406, "the message is longer than 150 characters", Some("r")),
        ),
        (
            "withdraw",
            SEND_QUESTION_WITHDRAW,
            json!({"roomId": "r", "userId": "u", "questionId": 3}),
            Ok(Event::QuestionWithdraw(question(3))),
        ),
        (
            "poll",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": [" Rust ", "Go"], "multiple": true}),
            Ok(Event::PollCreate(PollCreate {
                sender: sender("r", "u"),
                question: "Best?".into(),
                options: vec!["Rust".into(), "Go".into()],
                multiple: true,
            })),
        ),
        (
            "poll: single choice by default",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": ["a", "b"]}),
            Ok(Event::PollCreate(PollCreate {
                sender: sender("r", "u"),
                question: "Best?".into(),
                options: vec!["a".into(), "b".into()],
                multiple: false,
            })),
        ),
        (
            "poll: one option",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": ["a"]}),
            reject(400, "a poll has 2 to 10 options", Some("r")),
        ),
        (
            "poll: eleven options",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": ["1","2","3","4","5","6","7","8","9","10","11"]}),
            reject(400, "a poll has 2 to 10 options", Some("r")),
        ),
        (
            "poll: an empty option",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": ["a", " "]}),
            reject(400, "option 2 is empty", Some("r")),
        ),
        (
            "poll: a repeated option",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": ["a", "a "]}),
            reject(400, "option 2 repeats another", Some("r")),
        ),
        (
            "poll: options not strings",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "Best?", "options": [1, 2]}),
            reject(400, "options must be an array of strings", Some("r")),
        ),
        (
            "poll: no question",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "options": ["a", "b"]}),
            reject(400, "the question is empty", Some("r")),
        ),
        (
            "poll: multiple a string",
            SEND_POLL_CREATE,
            json!({"roomId": "r", "userId": "u", "question": "q", "options": ["a", "b"], "multiple": "yes"}),
            reject(400, "multiple must be true or false", Some("r")),
        ),
        (
            "poll open",
            SEND_POLL_OPEN,
            json!({"roomId": "r", "userId": "u", "pollId": 4}),
            Ok(Event::PollOpen(PollAction {
                sender: sender("r", "u"),
                poll_id: 4,
            })),
        ),
        (
            "poll close: pollId missing",
            SEND_POLL_CLOSE,
            json!({"roomId": "r", "userId": "u"}),
            reject(400, "pollId must be a number", Some("r")),
        ),
        (
            "vote: indices sorted, repeats dropped",
            SEND_POLL_VOTE,
            json!({"roomId": "r", "userId": "u", "pollId": 4, "options": [2, 0, 2]}),
            Ok(Event::PollVote(PollVote {
                action: PollAction {
                    sender: sender("r", "u"),
                    poll_id: 4,
                },
                options: vec![0, 2],
            })),
        ),
        (
            "vote: none chosen",
            SEND_POLL_VOTE,
            json!({"roomId": "r", "userId": "u", "pollId": 4, "options": []}),
            reject(400, "choose at least one option", Some("r")),
        ),
        (
            "vote: an index out of any poll's range",
            SEND_POLL_VOTE,
            json!({"roomId": "r", "userId": "u", "pollId": 4, "options": [10]}),
            reject(400, "options must be an array of option indices", Some("r")),
        ),
        (
            "vote: a negative index",
            SEND_POLL_VOTE,
            json!({"roomId": "r", "userId": "u", "pollId": 4, "options": [-1]}),
            reject(400, "options must be an array of option indices", Some("r")),
        ),
    ]
}

#[test]
fn payloads() {
    let limits = Limits::default();
    for (name, event, payload, expected) in table() {
        let got = Event::parse(event, &payload, &limits).expect("a client event");
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn every_event_name_parses_and_others_are_not_events() {
    let limits = Limits::default();
    for name in EVENT_NAMES {
        assert!(
            Event::parse(name, &Value::Null, &limits).is_some(),
            "{name}"
        );
    }
    assert_eq!(
        Event::parse("receive_normal_chat", &json!({}), &limits),
        None
    );
}

#[test]
fn the_length_limit_is_configurable() {
    let limits = Limits {
        max_message_chars: 3,
    };
    let payload = json!({"roomId": "r", "userId": "u", "msg": " abc "});
    assert_eq!(
        SendMessage::parse(&payload, &limits),
        Ok(message("r", "u", "abc"))
    );
    let payload = json!({"roomId": "r", "userId": "u", "msg": "abcd"});
    assert_eq!(
        SendMessage::parse(&payload, &limits).unwrap_err().message,
        "the message is longer than 3 characters"
    );
}
