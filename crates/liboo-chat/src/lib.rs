//! liboo's chat and Q&A: LiBoo's socket.io events at `/chat/socket.io`, on socketioxide.
//!
//! A socket joins one broadcast's room (the host's `sessionKey`) with its `userId`. The
//! host is whoever joins with the `userId` that derives to the room's session key, not
//! the first joiner as in LiBoo. Normal messages go to their room only; questions are
//! stored in the database before anyone sees them, so a question a client saw survives
//! the chat node; bans are kept per channel in the database and hold on every node and
//! in the host's later broadcasts. Bad payloads, senders over the rate limit and banned
//! users get an `exception` event and the socket stays connected.
//!
//! With Redis, socketioxide-redis carries room broadcasts between chat nodes and
//! presence keeps viewer counts and socket identities; without it all of this runs in
//! this process.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{ConnectInfo, OriginalUri, Request};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::middleware;
use liboo_chat_events::{
    BAN_USER, BanUser, JOIN_ROOM, JoinRoom, LEAVE_ROOM, LeaveRoom, QuestionAction, Reject,
    SEND_NORMAL_CHAT, SEND_NOTICE, SEND_QUESTION, SEND_QUESTION_DONE, SEND_QUESTION_UPVOTE,
    SendMessage, Sender,
};
use liboo_db::{Db, NewQuestion, Question, hash_secret};
use liboo_presence::Presence;
use serde::Serialize;
use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::socket::DisconnectReason;

mod names;
mod redis_driver;

/// Derives a room's session key from a `userId` (the API's key derivation).
pub type SessionKeyOf = Arc<dyn Fn(&str) -> String + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("Redis adapter: {0}")]
    Redis(String),
}

/// Limits of the chat service.
#[derive(Clone, Debug)]
pub struct ChatConfig {
    /// At most this many messages per window per user; `None` switches it off.
    pub rate_limit: Option<(u32, Duration)>,
    /// Open sockets per client IP; `None` switches it off.
    pub max_connections_per_ip: Option<u32>,
    /// Longest message, in characters after trimming.
    pub max_message_chars: usize,
    /// Largest socket.io message a client may send, in bytes, over WebSocket or in a
    /// polling request. Chat messages are short; the cap bounds what a client makes the
    /// server buffer and parse. A bigger one closes that client's connection.
    pub max_payload_bytes: u64,
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            rate_limit: Some((5, Duration::from_secs(5))),
            max_connections_per_ip: Some(50),
            max_message_chars: 150,
            max_payload_bytes: 64 * 1024,
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
struct Chat(Arc<ChatInner>);

struct ChatInner {
    db: Db,
    presence: Presence,
    session_key_of: SessionKeyOf,
    config: ChatConfig,
    rate: Mutex<HashMap<String, Sent>>,
    per_ip: Mutex<HashMap<IpAddr, u32>>,
    /// Rooms with a viewer count push already scheduled.
    count_pending: Mutex<std::collections::HashSet<String>>,
}

/// A room's viewer count is pushed at most this often. Pushing on every join sends
/// N²/2 frames for N joiners (50 million for a room of 10,000), which fills sockets'
/// buffers and drops frames; one push per interval carries the latest count.
const VIEWER_COUNT_EVERY: Duration = Duration::from_millis(500);

/// What a socket is, once it has joined a room.
#[derive(Clone, Debug)]
struct Member {
    room: String,
    channel_id: i64,
    user_hash: String,
    is_host: bool,
}

/// Who a socket is from its first event on.
#[derive(Clone, Debug)]
struct Persona {
    nickname: String,
    color: String,
    entry_time: String,
    ip: Option<IpAddr>,
    /// Held while the socket joins or leaves a room. socketioxide runs a socket's handlers
    /// concurrently, and a client that emits `join_room` twice in a row would otherwise
    /// join twice and leave a phantom viewer in the count after it disconnects.
    membership: Arc<tokio::sync::Mutex<()>>,
}

/// Adds chat at `/chat/socket.io` to `router`. With `redis_url`, rooms span every chat
/// node on that Redis.
pub async fn attach(
    router: Router,
    db: Db,
    presence: Presence,
    session_key_of: SessionKeyOf,
    config: ChatConfig,
    redis_url: Option<&str>,
) -> Result<Router, ChatError> {
    let max_payload = config.max_payload_bytes;
    let chat = Chat(Arc::new(ChatInner {
        db,
        presence,
        session_key_of,
        config,
        rate: Mutex::default(),
        count_pending: Mutex::default(),
        per_ip: Mutex::default(),
    }));
    let builder = SocketIo::builder()
        .req_path(CHAT_PATH)
        .max_payload(max_payload)
        .ws_max_message_size(max_payload as usize)
        .ws_max_frame_size(max_payload as usize)
        .ws_read_buffer_size(WS_READ_BUFFER)
        .with_state(chat);
    let router = match redis_url {
        None => {
            let (layer, io) = builder.build_layer();
            io.ns(
                "/",
                on_connect::<socketioxide::adapter::LocalAdapter>
                    .with(admit::<socketioxide::adapter::LocalAdapter>),
            );
            router.layer(layer)
        }
        Some(url) => {
            let url = with_resp3(url);
            let client =
                redis::Client::open(url.as_str()).map_err(|e| ChatError::Redis(e.to_string()))?;
            let driver = redis_driver::ReconnectingDriver::new(client)
                .await
                .map_err(|e| ChatError::Redis(e.to_string()))?;
            let adapter = socketioxide_redis::RedisAdapterCtr::new_with_driver(
                driver,
                socketioxide_redis::RedisAdapterConfig::default(),
            );
            let (layer, io) = builder
                .with_adapter::<socketioxide_redis::CustomRedisAdapter<_, redis_driver::ReconnectingDriver>>(adapter)
                .build_layer();
            io.ns(
                "/",
                on_connect::<
                    socketioxide_redis::CustomRedisAdapter<_, redis_driver::ReconnectingDriver>,
                >
                    .with(
                        admit::<
                            socketioxide_redis::CustomRedisAdapter<
                                _,
                                redis_driver::ReconnectingDriver,
                            >,
                        >,
                    ),
            )
            .await
            .map_err(|e| ChatError::Redis(e.to_string()))?;
            router.layer(layer)
        }
    };
    Ok(router.layer(middleware::map_request(owned_head)))
}

/// Where socket.io is served.
const CHAT_PATH: &str = "/chat/socket.io";

/// Each websocket's read buffer, in bytes. tungstenite zeroes the whole buffer before
/// every read, so all of it is resident for as long as the socket is open: 4 KiB
/// (engineio's default) per idle connection. Chat frames are a few hundred bytes; a larger
/// frame (up to `max_payload_bytes`) still arrives whole, the buffer grows to hold it.
const WS_READ_BUFFER: usize = 1024;

/// Gives a chat request a head of its own. hyper's header values and URI are slices of
/// the connection's read buffer (8-16 KiB), and socketioxide keeps the request's head for
/// the socket's whole life (`req_parts`), so every open socket would keep that buffer
/// allocated; copies of the few hundred bytes let it go when the connection upgrades.
/// Names, values, their order and sensitivity, the URI and the extensions stay the same.
async fn owned_head(req: Request) -> Request {
    if !req.uri().path().starts_with(CHAT_PATH) {
        return req;
    }
    let (mut parts, body) = req.into_parts();
    if let Ok(uri) = parts.uri.to_string().parse::<Uri>() {
        // axum's router keeps a clone of the URI in the extensions too.
        if let Some(original) = parts.extensions.get_mut::<OriginalUri>() {
            original.0 = uri.clone();
        }
        parts.uri = uri;
    }
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        let copy = match HeaderValue::from_bytes(value.as_bytes()) {
            Ok(mut copy) => {
                copy.set_sensitive(value.is_sensitive());
                copy
            }
            Err(_) => value.clone(),
        };
        headers.append(name.clone(), copy);
    }
    parts.headers = headers;
    Request::from_parts(parts, body)
}

/// socketioxide-redis speaks RESP3 (Redis 7+).
fn with_resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn iso_now() -> String {
    humantime_ms(now_ms())
}

fn humantime_ms(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// The `exception` event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Exception<'a> {
    status_code: u16,
    message: &'a str,
    room_id: Option<&'a str>,
}

fn exception<A: Adapter>(socket: &SocketRef<A>, status: u16, message: &str, room: Option<&str>) {
    let _ = socket.emit(
        "exception",
        &Exception {
            status_code: status,
            message,
            room_id: room,
        },
    );
}

/// A chat message as LiBoo's client renders it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChatMessage {
    room_id: String,
    nickname: String,
    color: String,
    entry_time: String,
    msg_time: String,
    msg: String,
    msg_type: &'static str,
    owner: &'static str,
    socket_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    question_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    question_done: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upvotes: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuestionView {
    room_id: String,
    question_id: i64,
    nickname: String,
    msg: String,
    msg_time: String,
    msg_type: &'static str,
    owner: &'static str,
    question_done: bool,
    upvotes: i64,
}

fn question_view(room: &str, q: &Question) -> QuestionView {
    QuestionView {
        room_id: room.to_owned(),
        question_id: q.id,
        nickname: q.nickname.clone(),
        msg: q.msg.clone(),
        msg_time: humantime_ms(q.asked_ms),
        msg_type: "question",
        owner: "user",
        question_done: q.done,
        upvotes: q.upvotes,
    }
}

fn persona<A: Adapter>(socket: &SocketRef<A>) -> Persona {
    if let Some(p) = socket.extensions.get::<Persona>() {
        return p;
    }
    let ip = socket
        .req_parts()
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let p = Persona {
        nickname: names::nickname(),
        color: names::bright_color(),
        entry_time: iso_now(),
        ip,
        membership: Arc::default(),
    };
    socket.extensions.insert(p.clone());
    p
}

/// Why a connection was refused, sent to the client as its `connect_error`.
#[derive(Debug, thiserror::Error)]
#[error("too many connections from your address")]
struct TooManyConnections;

/// Admits a connection and registers its event handlers. This runs as a connect
/// middleware, before socketioxide sends the client its CONNECT: the connect handler
/// itself runs as a task spawned after that, and a client that emits `join_room` as soon
/// as it is connected (LiBoo's does) could otherwise reach a socket with no handlers yet,
/// and the event would be dropped without a word.
async fn admit<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
) -> Result<(), TooManyConnections> {
    let p = persona(&socket);
    if let (Some(ip), Some(limit)) = (p.ip, chat.0.config.max_connections_per_ip) {
        let over = {
            let mut per_ip = chat.0.per_ip.lock().expect("per-ip map poisoned");
            let n = per_ip.entry(ip).or_insert(0);
            *n += 1;
            *n > limit
        };
        if over {
            metrics::counter!("liboo_limit_hits_total", "limit" => "chat_max_connections_per_ip")
                .increment(1);
            tracing::warn!(
                %ip,
                limit,
                raise_with = "--chat-max-connections-per-ip",
                "chat connection refused: too many from this address"
            );
            release_ip(&chat, ip);
            socket.extensions.remove::<Persona>();
            return Err(TooManyConnections);
        }
    }
    socket.on(JOIN_ROOM, on_join::<A>);
    socket.on(LEAVE_ROOM, on_leave::<A>);
    socket.on(SEND_NORMAL_CHAT, on_normal_chat::<A>);
    socket.on(SEND_QUESTION, on_question::<A>);
    socket.on(SEND_NOTICE, on_notice::<A>);
    socket.on(SEND_QUESTION_DONE, on_question_done::<A>);
    socket.on(SEND_QUESTION_UPVOTE, on_question_upvote::<A>);
    socket.on(BAN_USER, on_ban::<A>);
    socket.on_disconnect(on_disconnect::<A>);
    Ok(())
}

/// Everything a connection needs was set up by [`admit`].
async fn on_connect<A: Adapter>(socket: SocketRef<A>) {
    tracing::debug!(socket = %socket.id, "chat connection");
}

fn release_ip(chat: &Chat, ip: IpAddr) {
    let mut per_ip = chat.0.per_ip.lock().expect("per-ip map poisoned");
    if let Some(n) = per_ip.get_mut(&ip) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            per_ip.remove(&ip);
        }
    }
}

/// Parses an event's payload with `parse` (from `liboo-chat-events`), answering one that
/// is refused with its exception. A payload socket.io could not decode as JSON is refused
/// as a payload that is not an object.
fn payload<A: Adapter, T>(
    socket: &SocketRef<A>,
    data: TryData<Value>,
    parse: impl FnOnce(&Value) -> Result<T, Reject>,
) -> Option<T> {
    let parsed = match data.0 {
        Ok(value) => parse(&value),
        Err(_) => Err(Reject::not_an_object()),
    };
    match parsed {
        Ok(event) => Some(event),
        Err(r) => {
            exception(socket, r.code, &r.message, r.room_id.as_deref());
            None
        }
    }
}

async fn on_join<A: Adapter>(socket: SocketRef<A>, State(chat): State<Chat>, data: TryData<Value>) {
    let Some(JoinRoom {
        room_id: room,
        user_id,
    }) = payload(&socket, data, JoinRoom::parse)
    else {
        return;
    };
    let channel = match chat.0.db.channel_by_session_key(&room).await {
        Ok(Some(c)) => c,
        Ok(None) => return exception(&socket, 404, "no such room", Some(&room)),
        Err(e) => return internal(&socket, &e, Some(&room)),
    };
    let user_hash = hash_secret(&user_id);
    let membership = persona(&socket).membership;
    let _turn = membership.lock().await;
    if let Some(previous) = socket.extensions.get::<Member>() {
        if previous.room == room && previous.user_hash == user_hash {
            return send_init_data(&socket, &chat, &room).await;
        }
        leave(&socket, &chat, &previous).await;
    }
    let member = Member {
        is_host: (chat.0.session_key_of)(&user_id) == room,
        room: room.clone(),
        channel_id: channel.id,
        user_hash,
    };
    socket.join(room.clone());
    socket.extensions.insert(member.clone());
    if let Err(e) = chat
        .0
        .presence
        .register_socket(&socket.id.to_string(), &member.user_hash)
        .await
    {
        tracing::warn!(error = %e, "could not record the socket's identity");
    }
    if !member.is_host {
        if let Ok(Some(live)) = chat.0.db.live_broadcast_of(&room).await
            && let Err(e) = chat.0.db.add_live_viewer(live.id, &member.user_hash).await
        {
            tracing::warn!(error = %e, "could not count a live viewer");
        }
        update_viewers(&socket, &chat, &room, 1).await;
    } else {
        // A viewer's join tells the whole room; the host, who does not count, still
        // needs the count as it is now.
        match chat.0.presence.viewers(&room).await {
            Ok(count) => {
                let _ = socket.emit(
                    "receive_viewer_count",
                    &serde_json::json!({ "roomId": room, "count": count }),
                );
            }
            Err(e) => tracing::warn!(error = %e, room, "could not read the viewer count"),
        }
    }
    send_init_data(&socket, &chat, &room).await;
}

async fn send_init_data<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, room: &str) {
    let questions = match chat.0.db.live_broadcast_of(room).await {
        Ok(Some(live)) => match chat.0.db.open_questions(live.id).await {
            Ok(q) => q,
            Err(e) => return internal(socket, &e, Some(room)),
        },
        Ok(None) => Vec::new(),
        Err(e) => return internal(socket, &e, Some(room)),
    };
    let list: Vec<QuestionView> = questions.iter().map(|q| question_view(room, q)).collect();
    let _ = socket.emit(
        "receive_init_data",
        &serde_json::json!({ "roomId": room, "questionList": list }),
    );
}

async fn update_viewers<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, room: &str, delta: i64) {
    if let Err(e) = chat.0.presence.add_viewers(room, delta).await {
        tracing::warn!(error = %e, room, "could not update the viewer count");
        return;
    }
    let first = chat
        .0
        .count_pending
        .lock()
        .expect("count map poisoned")
        .insert(room.to_owned());
    if !first {
        return;
    }
    // The room's members are resolved when the push goes out, not now.
    let to_room = socket.within(room.to_owned());
    let (chat, room) = (chat.clone(), room.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(VIEWER_COUNT_EVERY).await;
        // Cleared before reading, so a change from here on schedules another push.
        chat.0
            .count_pending
            .lock()
            .expect("count map poisoned")
            .remove(&room);
        match chat.0.presence.viewers(&room).await {
            Ok(count) => {
                let body = serde_json::json!({ "roomId": room, "count": count });
                let _ = to_room.emit("receive_viewer_count", &body).await;
            }
            Err(e) => tracing::warn!(error = %e, room, "could not read the viewer count"),
        }
    });
}

async fn leave<A: Adapter>(socket: &SocketRef<A>, chat: &Chat, member: &Member) {
    socket.leave(member.room.clone());
    socket.extensions.remove::<Member>();
    if !member.is_host {
        update_viewers(socket, chat, &member.room, -1).await;
    }
}

async fn on_leave<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(LeaveRoom { room_id: room }) = payload(&socket, data, LeaveRoom::parse) else {
        return;
    };
    let membership = persona(&socket).membership;
    let _turn = membership.lock().await;
    // Leaving a room the socket is not in is already done.
    if let Some(member) = socket.extensions.get::<Member>()
        && member.room == room
    {
        leave(&socket, &chat, &member).await;
    }
}

async fn on_disconnect<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    reason: DisconnectReason,
) {
    let persona = persona(&socket);
    let ip = persona.ip;
    match reason {
        // engineioxide ends a connection this way when a polling request carries more
        // than the payload limit (also answered 413), or a packet that does not parse.
        DisconnectReason::PacketParsingError => tracing::warn!(
            socket = %socket.id,
            ?ip,
            raise_with = "--chat-max-payload-bytes",
            "chat connection closed: it sent a packet that is malformed or over the payload limit"
        ),
        // A WebSocket message over the limit cannot be told from a connection lost.
        DisconnectReason::TransportError => tracing::info!(
            socket = %socket.id,
            ?ip,
            "chat connection dropped: the network, or a WebSocket message over \
             --chat-max-payload-bytes"
        ),
        reason => tracing::debug!(socket = %socket.id, %reason, "chat connection closed"),
    }
    let membership = persona.membership;
    let _turn = membership.lock().await;
    if let Some(member) = socket.extensions.get::<Member>() {
        leave(&socket, &chat, &member).await;
    }
    let _ = chat
        .0
        .presence
        .unregister_socket(&socket.id.to_string())
        .await;
    if let Some(ip) = socket.extensions.get::<Persona>().and_then(|p| p.ip) {
        release_ip(&chat, ip);
    }
}

fn internal<A: Adapter>(socket: &SocketRef<A>, error: &dyn std::fmt::Display, room: Option<&str>) {
    tracing::error!(%error, "chat request failed");
    exception(
        socket,
        503,
        "the chat service is unavailable; try again shortly",
        room,
    );
}

/// What a sending event does, which decides what [`sender`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sending {
    /// Chat, a question or a notice: rate-limited.
    Message,
    /// An upvote: rate-limited, since each one is broadcast to the room.
    Reaction,
    /// The host answering a question or banning: not rate-limited for the host, who may
    /// work through a Q&A or a wave of spammers faster than a viewer may chat.
    Moderation,
}

/// What every sending event checks once its payload has parsed: joined to that room as
/// that user, not banned, under the rate limit. Returns the member.
async fn sender<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    from: &Sender,
    sending: Sending,
) -> Option<Member> {
    let room = from.room_id.as_str();
    let member = match socket.extensions.get::<Member>() {
        Some(m) if m.room == room => m,
        _ => {
            exception(
                socket,
                400,
                "join the room before sending to it",
                Some(room),
            );
            return None;
        }
    };
    if hash_secret(&from.user_id) != member.user_hash {
        exception(socket, 400, "invalid user", Some(room));
        return None;
    }
    match chat
        .0
        .db
        .is_banned(member.channel_id, &member.user_hash)
        .await
    {
        Ok(false) => {}
        Ok(true) => {
            exception(socket, 403, "you are banned from this channel", Some(room));
            return None;
        }
        Err(e) => {
            internal(socket, &e, Some(room));
            return None;
        }
    }
    let exempt = sending == Sending::Moderation && member.is_host;
    if !exempt && let Err(limited) = chat.allow(&member.user_hash) {
        metrics::counter!("liboo_limit_hits_total", "limit" => "chat_rate_limit").increment(1);
        if limited.first_in_window {
            tracing::warn!(
                socket = %socket.id,
                room,
                raise_with = "--chat-rate-limit, --chat-rate-window",
                "chat message refused: the sender is over the rate limit (logged once per window)"
            );
        }
        exception(
            socket,
            429,
            "too many messages; wait a few seconds",
            Some(room),
        );
        return None;
    }
    Some(member)
}

/// What a user sent within the rate limit's window.
#[derive(Default)]
struct Sent {
    times: VecDeque<Instant>,
    /// When a refusal of this user was last logged: once per window is enough.
    logged: Option<Instant>,
}

/// A message over the rate limit.
struct RateLimited {
    /// The first refusal of this user within a window, the one worth a log line.
    first_in_window: bool,
}

impl Chat {
    /// What an event's payload may carry.
    fn payload_limits(&self) -> liboo_chat_events::Limits {
        liboo_chat_events::Limits {
            max_message_chars: self.0.config.max_message_chars,
        }
    }

    /// A sliding-window rate limit per user on this node.
    fn allow(&self, user_hash: &str) -> Result<(), RateLimited> {
        let Some((max, window)) = self.0.config.rate_limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut rate = self.0.rate.lock().expect("rate map poisoned");
        if rate.len() > 100_000 {
            rate.retain(|_, s| {
                s.times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let sent = rate.entry(user_hash.to_owned()).or_default();
        while sent
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            sent.times.pop_front();
        }
        if sent.times.len() >= max as usize {
            let first_in_window = sent.logged.is_none_or(|t| now.duration_since(t) >= window);
            if first_in_window {
                sent.logged = Some(now);
            }
            return Err(RateLimited { first_in_window });
        }
        sent.times.push_back(now);
        Ok(())
    }
}

fn message<A: Adapter>(
    socket: &SocketRef<A>,
    member: &Member,
    msg: String,
    msg_type: &'static str,
) -> ChatMessage {
    let p = persona(socket);
    ChatMessage {
        room_id: member.room.clone(),
        nickname: p.nickname,
        color: p.color,
        entry_time: p.entry_time,
        msg_time: iso_now(),
        msg,
        msg_type,
        owner: if member.is_host { "host" } else { "user" },
        socket_id: socket.id.to_string(),
        question_id: None,
        question_done: None,
        upvotes: None,
    }
}

/// Sends `event` to the room: `owner: "me"` to the sender (unless the host, who is
/// `host` for everyone), as is to everyone else.
/// How long a broadcast through the adapter (Redis, with several nodes) may take before
/// this node delivers to its own members alone.
const ADAPTER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Emits to a room on every node; if the adapter fails (Redis down or restarting), to
/// this node's members of the room at least, so each node keeps serving its own clients.
async fn emit_to<A: Adapter, T: serde::Serialize + ?Sized>(
    socket: &SocketRef<A>,
    room: &str,
    include_self: bool,
    event: &str,
    data: &T,
) {
    let ops = |local: bool| {
        let ops = if include_self {
            socket.within(room.to_owned())
        } else {
            socket.to(room.to_owned())
        };
        if local { ops.local() } else { ops }
    };
    let failure = match tokio::time::timeout(ADAPTER_TIMEOUT, ops(false).emit(event, data)).await {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e.to_string(),
        Err(_) => "timed out".to_owned(),
    };
    metrics::counter!("liboo_chat_local_only_broadcasts_total").increment(1);
    tracing::warn!(room, event, error = %failure, "broadcast through the adapter failed; delivered on this node only");
    let _ = ops(true).emit(event, data).await;
}

async fn to_room<A: Adapter>(socket: &SocketRef<A>, event: &str, msg: ChatMessage) {
    emit_to(socket, &msg.room_id, false, event, &msg).await;
    let mine = ChatMessage {
        owner: if msg.owner == "host" { "host" } else { "me" },
        ..msg
    };
    let _ = socket.emit(event, &mine);
}

async fn on_normal_chat<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(SendMessage { sender: from, msg }) =
        payload(&socket, data, |v| SendMessage::parse(v, &limits))
    else {
        return;
    };
    let Some(member) = sender(&socket, &chat, &from, Sending::Message).await else {
        return;
    };
    let m = message(&socket, &member, msg, "normal");
    to_room(&socket, "receive_normal_chat", m).await;
}

async fn on_question<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(SendMessage { sender: from, msg }) =
        payload(&socket, data, |v| SendMessage::parse(v, &limits))
    else {
        return;
    };
    let Some(member) = sender(&socket, &chat, &from, Sending::Message).await else {
        return;
    };
    let live = match chat.0.db.live_broadcast_of(&member.room).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            return exception(
                &socket,
                409,
                "questions open when the broadcast is live",
                Some(&member.room),
            );
        }
        Err(e) => return internal(&socket, &e, Some(&member.room)),
    };
    let mut m = message(&socket, &member, msg, "question");
    // Stored before anyone sees it: a question shown is a question kept.
    let stored = chat
        .0
        .db
        .add_question(&NewQuestion {
            broadcast_id: live.id,
            user_hash: &member.user_hash,
            nickname: &m.nickname,
            msg: &m.msg,
            asked_ms: now_ms(),
        })
        .await;
    match stored {
        Ok(q) => {
            m.question_id = Some(q.id);
            m.question_done = Some(false);
            m.upvotes = Some(0);
            to_room(&socket, "receive_question", m).await;
        }
        Err(e) => internal(&socket, &e, Some(&member.room)),
    }
}

async fn host_only<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    from: &Sender,
    sending: Sending,
) -> Option<Member> {
    let member = sender(socket, chat, from, sending).await?;
    if !member.is_host {
        exception(socket, 403, "only the host may do this", Some(&member.room));
        return None;
    }
    Some(member)
}

async fn on_notice<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let limits = chat.payload_limits();
    let Some(SendMessage { sender: from, msg }) =
        payload(&socket, data, |v| SendMessage::parse(v, &limits))
    else {
        return;
    };
    let Some(member) = host_only(&socket, &chat, &from, Sending::Message).await else {
        return;
    };
    let m = message(&socket, &member, msg, "notice");
    emit_to(&socket, &member.room, true, "receive_notice", &m).await;
}

/// The live broadcast whose question an event names, or an exception: questions of an
/// ended broadcast belong to its replay and are no longer answered or voted on.
async fn question_target<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: &Member,
) -> Option<i64> {
    match chat.0.db.live_broadcast_of(&member.room).await {
        Ok(Some(b)) => Some(b.id),
        Ok(None) => {
            exception(socket, 404, "no such question", Some(&member.room));
            None
        }
        Err(e) => {
            internal(socket, &e, Some(&member.room));
            None
        }
    }
}

async fn on_question_done<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(QuestionAction {
        sender: from,
        question_id: qid,
    }) = payload(&socket, data, QuestionAction::parse)
    else {
        return;
    };
    let Some(member) = host_only(&socket, &chat, &from, Sending::Moderation).await else {
        return;
    };
    let Some(broadcast_id) = question_target(&socket, &chat, &member).await else {
        return;
    };
    match chat
        .0
        .db
        .mark_question_done(broadcast_id, qid, now_ms())
        .await
    {
        Ok(Some(q)) => {
            let view = question_view(&member.room, &q);
            emit_to(&socket, &member.room, true, "receive_question_done", &view).await;
        }
        Ok(None) => exception(&socket, 404, "no such question", Some(&member.room)),
        Err(e) => internal(&socket, &e, Some(&member.room)),
    }
}

async fn on_question_upvote<A: Adapter>(
    socket: SocketRef<A>,
    State(chat): State<Chat>,
    data: TryData<Value>,
) {
    let Some(QuestionAction {
        sender: from,
        question_id: qid,
    }) = payload(&socket, data, QuestionAction::parse)
    else {
        return;
    };
    let Some(member) = sender(&socket, &chat, &from, Sending::Reaction).await else {
        return;
    };
    let Some(broadcast_id) = question_target(&socket, &chat, &member).await else {
        return;
    };
    match chat
        .0
        .db
        .upvote_question(broadcast_id, qid, &member.user_hash)
        .await
    {
        Ok(Some(upvotes)) => {
            let body =
                serde_json::json!({ "roomId": member.room, "questionId": qid, "upvotes": upvotes });
            emit_to(
                &socket,
                &member.room,
                true,
                "receive_question_upvote",
                &body,
            )
            .await;
        }
        Ok(None) => exception(&socket, 404, "no such question", Some(&member.room)),
        Err(e) => internal(&socket, &e, Some(&member.room)),
    }
}

async fn on_ban<A: Adapter>(socket: SocketRef<A>, State(chat): State<Chat>, data: TryData<Value>) {
    let Some(BanUser {
        sender: from,
        socket_id: target,
    }) = payload(&socket, data, BanUser::parse)
    else {
        return;
    };
    let Some(member) = host_only(&socket, &chat, &from, Sending::Moderation).await else {
        return;
    };
    let identity = match chat.0.presence.socket_identity(&target).await {
        Ok(Some(id)) => id,
        Ok(None) => return exception(&socket, 404, "no such user in chat", Some(&member.room)),
        Err(e) => return internal(&socket, &e, Some(&member.room)),
    };
    if identity == member.user_hash {
        return exception(
            &socket,
            400,
            "a host cannot ban themselves",
            Some(&member.room),
        );
    }
    if let Err(e) = chat.0.db.ban(member.channel_id, &identity, now_ms()).await {
        return internal(&socket, &e, Some(&member.room));
    }
    tracing::info!(room = %member.room, "host banned a chat user");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[tokio::test]
    async fn a_chat_request_keeps_its_head_when_copied() {
        let uri = "/chat/socket.io/?EIO=4&transport=websocket";
        let mut req = Request::builder()
            .uri(uri)
            .header("host", "127.0.0.1:8080")
            .header("x-forwarded-for", "10.0.0.1")
            .header("x-forwarded-for", "10.0.0.2")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .body(Body::empty())
            .unwrap();
        let mut cookie = HeaderValue::from_static("sid=secret");
        cookie.set_sensitive(true);
        req.headers_mut().insert("cookie", cookie);
        req.extensions_mut()
            .insert(OriginalUri(uri.parse().unwrap()));
        let peer: SocketAddr = "10.0.0.3:4000".parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(peer));
        let headers = req.headers().clone();

        let req = owned_head(req).await;
        assert_eq!(req.uri(), uri);
        assert_eq!(req.extensions().get::<OriginalUri>().unwrap().0, uri);
        assert_eq!(
            req.extensions().get::<ConnectInfo<SocketAddr>>().unwrap().0,
            peer
        );
        assert_eq!(req.headers(), &headers);
        let forwarded: Vec<_> = req.headers().get_all("x-forwarded-for").iter().collect();
        assert_eq!(forwarded, ["10.0.0.1", "10.0.0.2"]);
        assert!(req.headers()["cookie"].is_sensitive());
    }

    #[tokio::test]
    async fn other_requests_pass_untouched() {
        let req = Request::builder()
            .uri("/api/live?x=1")
            .header("host", "h")
            .body(Body::empty())
            .unwrap();
        let req = owned_head(req).await;
        assert_eq!(req.uri(), "/api/live?x=1");
        assert_eq!(req.headers()["host"], "h");
    }
}
