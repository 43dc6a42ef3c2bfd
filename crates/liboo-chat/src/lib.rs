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
//!
//! The modules, by job: `wire` the shapes sent to clients, `admission` who may
//! connect and send (per-IP connections, bans, the rate limit), `viewers` room
//! membership and viewer counts, `deliver` emitting to a room across nodes, and
//! `handlers` one module per group of client events.

#![warn(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use liboo_db::Db;
use liboo_presence::Presence;
use liboo_service::defaults;
use socketioxide::SocketIo;
use socketioxide::handler::ConnectHandler;

mod admission;
mod deliver;
mod handlers;
mod head;
mod names;
mod polls;
mod redis_driver;
mod roles;
mod talks;
mod viewers;
mod wire;

/// Derives a room's session key from a `userId` (the API's key derivation).
pub type SessionKeyOf = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Why chat could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The Redis URL did not parse, or Redis could not be reached to share rooms.
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
            rate_limit: Some((
                defaults::CHAT_RATE_LIMIT,
                Duration::from_secs_f64(defaults::CHAT_RATE_WINDOW_SECONDS),
            )),
            max_connections_per_ip: Some(defaults::CHAT_MAX_CONNECTIONS_PER_IP),
            max_message_chars: defaults::CHAT_MAX_MESSAGE_CHARS,
            max_payload_bytes: u64::from(defaults::CHAT_MAX_PAYLOAD_BYTES),
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
    admission: admission::Admission,
    viewers: viewers::CountPushes,
    polls: polls::Pushes,
}

impl Chat {
    /// What an event's payload may carry.
    fn payload_limits(&self) -> liboo_chat_events::Limits {
        liboo_chat_events::Limits {
            max_message_chars: self.0.config.max_message_chars,
        }
    }
}

/// Where socket.io is served.
const CHAT_PATH: &str = "/chat/socket.io";

/// Each websocket's read buffer, in bytes. tungstenite zeroes the whole buffer before
/// every read, so all of it is resident for as long as the socket is open: 4 KiB
/// (engineio's default) per idle connection. Chat frames are a few hundred bytes; a larger
/// frame (up to `max_payload_bytes`) still arrives whole, the buffer grows to hold it.
const WS_READ_BUFFER: usize = 1024;

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
        admission: admission::Admission::new(&config),
        viewers: viewers::CountPushes::default(),
        polls: polls::Pushes::default(),
        config,
    }));
    let builder = SocketIo::builder()
        .req_path(CHAT_PATH)
        .max_payload(max_payload)
        .ws_max_message_size(max_payload as usize)
        .ws_max_frame_size(max_payload as usize)
        .ws_read_buffer_size(WS_READ_BUFFER)
        .with_state(chat.clone());
    let router = match redis_url {
        None => {
            let (layer, io) = builder.build_layer();
            type A = socketioxide::adapter::LocalAdapter;
            io.ns("/", handlers::on_connect::<A>.with(handlers::admit::<A>));
            tokio::spawn(talks::watch(io, chat));
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
            type A = socketioxide_redis::CustomRedisAdapter<
                socketioxide::adapter::Emitter,
                redis_driver::ReconnectingDriver,
            >;
            let (layer, io) = builder.with_adapter::<A>(adapter).build_layer();
            io.ns("/", handlers::on_connect::<A>.with(handlers::admit::<A>))
                .await
                .map_err(|e| ChatError::Redis(e.to_string()))?;
            tokio::spawn(talks::watch(io, chat));
            router.layer(layer)
        }
    };
    Ok(router.layer(middleware::map_request(head::owned_head)))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The event parser's own default (it has no dependencies) is the service's.
    #[test]
    fn the_message_limit_is_the_service_default() {
        assert_eq!(
            liboo_chat_events::Limits::default().max_message_chars,
            ChatConfig::default().max_message_chars
        );
    }
}
