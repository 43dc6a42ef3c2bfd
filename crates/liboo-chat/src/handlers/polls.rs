//! `send_poll_create`, `send_poll_open`, `send_poll_close` and `send_poll_vote`: a
//! moderator makes a poll (a draft only moderators see), opens it to the talk or room,
//! and closes it; everyone votes once, and may change their vote while it is open.

use liboo_chat_events::{PollAction, PollCreate, PollVote};
use liboo_db::{Change, Poll, PollState, QuestionScope};
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};

use super::payload;
use super::screening::log_action;
use crate::Chat;
use crate::admission::{Sending, sender};
use crate::deliver::emit_to;
use crate::polls::{push_soon, view};
use crate::roles::moderators_room;
use crate::talks::{question_room, scope_of};
use crate::viewers::Member;
use crate::wire::{PollView, exception, internal, now_ms};

/// The sender, admitted for `sending`, and where their polls belong.
async fn poll_sender<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    from: &liboo_chat_events::Sender,
    sending: Sending,
) -> Option<(Member, QuestionScope)> {
    let member = sender(socket, chat, from, sending).await?;
    match scope_of(chat, &member).await {
        Ok(scope) => Some((member, scope)),
        Err(e) => {
            internal(socket, &e, Some(&member.room));
            None
        }
    }
}

/// Sends `poll` with its results to the socket.io room `to`.
async fn tell<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: &Member,
    to: &str,
    poll: &Poll,
) {
    match view(&chat.0.db, &member.room, poll, None).await {
        Ok(v) => emit_to(socket, to, true, "receive_poll", &v).await,
        Err(e) => internal(socket, &e, Some(&member.room)),
    }
}

pub(super) async fn on_create<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(PollCreate {
        sender: from,
        question,
        options,
        multiple,
    }) = payload(&socket, data, |v| PollCreate::parse(v, &limits))
    else {
        return;
    };
    let Some((member, scope)) = poll_sender(&socket, &chat, &from, Sending::Moderation).await
    else {
        return;
    };
    let made = chat
        .0
        .db
        .create_poll(
            member.channel_id,
            scope,
            &question,
            &options,
            multiple,
            now_ms(),
        )
        .await;
    match made {
        Ok(poll) => {
            log_action(
                &chat,
                &member,
                "poll_create",
                None,
                Some(poll.id),
                &poll.question,
            )
            .await;
            tell(&socket, &chat, &member, &moderators_room(&member), &poll).await;
        }
        Err(e) => internal(&socket, &e, Some(&member.room)),
    }
}

pub(super) async fn on_open<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    change_state(socket, chat, data, PollState::Draft, PollState::Open).await;
}

pub(super) async fn on_close<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    change_state(socket, chat, data, PollState::Open, PollState::Closed).await;
}

async fn change_state<A: Adapter>(
    socket: SocketRef<A>,
    chat: Chat,
    data: TryData<Value>,
    from: PollState,
    to: PollState,
) {
    let Some(PollAction {
        sender: who,
        poll_id,
    }) = payload(&socket, data, PollAction::parse)
    else {
        return;
    };
    let Some((member, scope)) = poll_sender(&socket, &chat, &who, Sending::Moderation).await else {
        return;
    };
    let room = Some(member.room.as_str());
    let poll = match chat
        .0
        .db
        .set_poll_state(scope, poll_id, from, to, now_ms())
        .await
    {
        Ok(Change::Done(p)) => p,
        Ok(Change::NotFound) => return exception(&socket, 404, "no such poll", room),
        Ok(Change::Refused(p)) => {
            let why = format!(
                "the poll is {}; only a {} poll can be {}",
                p.state.as_str(),
                from.as_str(),
                if to == PollState::Open {
                    "opened"
                } else {
                    "closed"
                }
            );
            return exception(&socket, 409, &why, room);
        }
        Err(e) => return internal(&socket, &e, room),
    };
    let action = if to == PollState::Open {
        "poll_open"
    } else {
        "poll_close"
    };
    log_action(&chat, &member, action, None, Some(poll.id), "").await;
    tell(&socket, &chat, &member, &question_room(&member), &poll).await;
}

pub(super) async fn on_vote<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(PollVote { action, options }) = payload(&socket, data, PollVote::parse) else {
        return;
    };
    let Some((member, scope)) =
        poll_sender(&socket, &chat, &action.sender, Sending::Reaction).await
    else {
        return;
    };
    let room = member.room.as_str();
    let db = &chat.0.db;
    let poll = match db.poll(scope, action.poll_id).await {
        Ok(Some(p)) if p.state != PollState::Draft => p,
        Ok(_) => return exception(&socket, 404, "no such poll", Some(room)),
        Err(e) => return internal(&socket, &e, Some(room)),
    };
    if options.iter().any(|i| *i >= poll.options.len()) {
        let why = format!("this poll has options 0 to {}", poll.options.len() - 1);
        return exception(&socket, 400, &why, Some(room));
    }
    if !poll.multiple && options.len() != 1 {
        return exception(
            &socket,
            400,
            "this poll takes exactly one option",
            Some(room),
        );
    }
    match db
        .vote_poll(scope, poll.id, &member.user_hash, &options, now_ms())
        .await
    {
        Ok(Change::Done(_)) => {}
        Ok(Change::NotFound) => return exception(&socket, 404, "no such poll", Some(room)),
        Ok(Change::Refused(_)) => {
            return exception(&socket, 409, "the poll is closed", Some(room));
        }
        Err(e) => return internal(&socket, &e, Some(room)),
    }
    // The voter sees their vote taken at once, with the counts this node last pushed
    // (counting every vote for every voter would read the whole poll per vote); the
    // room, and the voter, get the counts with theirs at the next push.
    let tally = match chat.0.polls.last_tally(poll.id) {
        Some(t) => t,
        None => match db.poll_tally(&poll).await {
            Ok(t) => t,
            Err(e) => return internal(&socket, &e, Some(room)),
        },
    };
    let own = PollView::new(room, &poll, tally, Some(options));
    let _ = socket.emit("receive_poll", &own);
    push_soon(&socket, &chat, room, &question_room(&member), poll.id);
}
