//! Presence: how many viewers each chat room has right now, summed over every node.
//!
//! With no Redis configured, one process owns every room and counts live in a map.
//! With Redis, each node keeps its own count per room in a hash field
//! (`{prefix}viewers:{room}` → `{node id}` → count) and announces itself in a sorted
//! set of nodes scored by its last heartbeat. A reader sums only the fields of nodes
//! heard from within [`NODE_TTL_MS`], so a node that dies without cleaning up stops
//! counting within seconds instead of inflating counts forever (LiBoo sent random
//! numbers; a stale count would be just as wrong).
//!
//! Presence also records whose each chat socket is (socket id → an identity hash), so a
//! host on any node can ban the person behind a socket id seen in chat: in a map, or in
//! Redis under `{prefix}socket:{socket id}` with a day's expiry.

#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use liboo_service::now_ms;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use tokio_util::sync::CancellationToken;

/// A node not heard from for this long is taken as dead.
pub const NODE_TTL_MS: i64 = 15_000;
/// How often a node refreshes its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// Why presence could not be read or updated.
#[derive(Debug, thiserror::Error)]
pub enum PresenceError {
    /// Redis could not be reached or refused the command.
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// Redis answered with something presence did not expect.
    #[error("unexpected reply from Redis: {0}")]
    Reply(#[from] redis::ParsingError),
}

/// Viewer counts and node liveness, local or shared through Redis.
#[derive(Clone)]
pub struct Presence {
    inner: Inner,
    node_id: Arc<str>,
}

#[derive(Clone)]
enum Inner {
    Local(Arc<Mutex<LocalState>>),
    Redis {
        conn: ConnectionManager,
        prefix: Arc<str>,
    },
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.inner {
            Inner::Local(_) => "local",
            Inner::Redis { .. } => "redis",
        };
        f.debug_struct("Presence")
            .field("kind", &kind)
            .field("node_id", &self.node_id)
            .finish()
    }
}

#[derive(Default)]
struct LocalState {
    viewers: HashMap<String, i64>,
    sockets: HashMap<String, String>,
}

impl Presence {
    /// In-process presence for a single node.
    pub fn local(node_id: &str) -> Presence {
        Presence {
            inner: Inner::Local(Arc::default()),
            node_id: node_id.into(),
        }
    }

    /// Presence shared through Redis; every key starts with `prefix` (e.g. `liboo:`).
    pub async fn redis(url: &str, prefix: &str, node_id: &str) -> Result<Presence, PresenceError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        let presence = Presence {
            inner: Inner::Redis {
                conn,
                prefix: prefix.into(),
            },
            node_id: node_id.into(),
        };
        presence.heartbeat().await?;
        Ok(presence)
    }

    /// This node's id, under which its counts are kept.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Whether presence is shared with other nodes through Redis.
    pub fn is_shared(&self) -> bool {
        matches!(self.inner, Inner::Redis { .. })
    }

    /// Round trip to the backing store, for `/readyz`.
    pub async fn ping(&self) -> Result<(), PresenceError> {
        if let Inner::Redis { conn, .. } = &self.inner {
            let mut conn = conn.clone();
            let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        }
        Ok(())
    }

    /// Announces this node as alive.
    pub async fn heartbeat(&self) -> Result<(), PresenceError> {
        if let Inner::Redis { conn, prefix } = &self.inner {
            let mut conn = conn.clone();
            let _: () = conn
                .zadd(format!("{prefix}nodes"), &*self.node_id, now_ms())
                .await?;
        }
        Ok(())
    }

    /// Refreshes the heartbeat until `cancel` fires, then withdraws this node's counts.
    pub async fn run_heartbeat(self, cancel: CancellationToken) {
        if !self.is_shared() {
            return;
        }
        let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tick.tick() => {
                    if let Err(e) = self.heartbeat().await {
                        tracing::warn!(error = %e, "presence heartbeat to Redis failed; retrying");
                    }
                }
            }
        }
        if let Err(e) = self.withdraw().await {
            tracing::warn!(error = %e, "could not withdraw this node from Redis presence");
        }
    }

    /// Removes this node from the node set, so its counts stop counting at once.
    pub async fn withdraw(&self) -> Result<(), PresenceError> {
        if let Inner::Redis { conn, prefix } = &self.inner {
            let mut conn = conn.clone();
            let _: () = conn.zrem(format!("{prefix}nodes"), &*self.node_id).await?;
        }
        Ok(())
    }

    /// Adds `delta` (+1 on join, -1 on leave) viewers of `room` on this node and
    /// returns the room's count over all live nodes.
    pub async fn add_viewers(&self, room: &str, delta: i64) -> Result<i64, PresenceError> {
        match &self.inner {
            Inner::Local(state) => {
                let map = &mut state.lock().expect("presence map poisoned").viewers;
                let count = map.entry(room.to_owned()).or_insert(0);
                *count = (*count + delta).max(0);
                let now = *count;
                if now == 0 {
                    map.remove(room);
                }
                Ok(now)
            }
            Inner::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let key = format!("{prefix}viewers:{room}");
                let mine: i64 = conn.hincr(&key, &*self.node_id, delta).await?;
                if mine <= 0 {
                    let _: () = conn.hdel(&key, &*self.node_id).await?;
                }
                Ok(self.viewers_many(&[room]).await?[0])
            }
        }
    }

    /// The number of viewers in `room` across every live node.
    pub async fn viewers(&self, room: &str) -> Result<i64, PresenceError> {
        Ok(self.viewers_many(&[room]).await?[0])
    }

    /// Viewer counts of several rooms in one round trip, in the order given.
    pub async fn viewers_many(&self, rooms: &[&str]) -> Result<Vec<i64>, PresenceError> {
        match &self.inner {
            Inner::Local(state) => {
                let map = &state.lock().expect("presence map poisoned").viewers;
                Ok(rooms
                    .iter()
                    .map(|r| map.get(*r).copied().unwrap_or(0))
                    .collect())
            }
            Inner::Redis { conn, prefix } => {
                if rooms.is_empty() {
                    return Ok(Vec::new());
                }
                let mut conn = conn.clone();
                let mut pipe = redis::pipe();
                pipe.cmd("ZRANGEBYSCORE")
                    .arg(format!("{prefix}nodes"))
                    .arg(now_ms() - NODE_TTL_MS)
                    .arg("+inf");
                for room in rooms {
                    pipe.hgetall(format!("{prefix}viewers:{room}"));
                }
                let (alive, counts): (Vec<String>, Vec<HashMap<String, i64>>) = {
                    let mut reply: Vec<redis::Value> = pipe.query_async(&mut conn).await?;
                    let alive: Vec<String> = redis::from_redis_value(reply.remove(0))?;
                    let counts = reply
                        .into_iter()
                        .map(redis::from_redis_value)
                        .collect::<Result<Vec<HashMap<String, i64>>, _>>()?;
                    (alive, counts)
                };
                Ok(counts
                    .iter()
                    .map(|per_node| {
                        per_node
                            .iter()
                            .filter(|(node, _)| alive.iter().any(|a| a == *node))
                            .map(|(_, n)| (*n).max(0))
                            .sum()
                    })
                    .collect())
            }
        }
    }
}

impl Presence {
    /// Records whose socket `socket_id` is (an opaque identity hash), so a host on any
    /// node can ban the person behind a socket id seen in chat.
    pub async fn register_socket(
        &self,
        socket_id: &str,
        identity: &str,
    ) -> Result<(), PresenceError> {
        match &self.inner {
            Inner::Local(state) => {
                let mut state = state.lock().expect("presence map poisoned");
                state
                    .sockets
                    .insert(socket_id.to_owned(), identity.to_owned());
            }
            Inner::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let key = format!("{prefix}socket:{socket_id}");
                // A day bounds what a crashed node leaves behind.
                let _: () = conn.set_ex(key, identity, 86_400).await?;
            }
        }
        Ok(())
    }

    /// The identity behind a socket id, on whichever node the socket is.
    pub async fn socket_identity(&self, socket_id: &str) -> Result<Option<String>, PresenceError> {
        match &self.inner {
            Inner::Local(state) => {
                let state = state.lock().expect("presence map poisoned");
                Ok(state.sockets.get(socket_id).cloned())
            }
            Inner::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                Ok(conn.get(format!("{prefix}socket:{socket_id}")).await?)
            }
        }
    }

    /// Forgets a socket's identity once it has closed.
    pub async fn unregister_socket(&self, socket_id: &str) -> Result<(), PresenceError> {
        match &self.inner {
            Inner::Local(state) => {
                state
                    .lock()
                    .expect("presence map poisoned")
                    .sockets
                    .remove(socket_id);
            }
            Inner::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let _: () = conn.del(format!("{prefix}socket:{socket_id}")).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_counts() {
        let p = Presence::local("n1");
        assert_eq!(p.add_viewers("a", 1).await.unwrap(), 1);
        assert_eq!(p.add_viewers("a", 1).await.unwrap(), 2);
        assert_eq!(p.add_viewers("b", 1).await.unwrap(), 1);
        assert_eq!(p.add_viewers("a", -1).await.unwrap(), 1);
        assert_eq!(p.viewers_many(&["a", "b", "c"]).await.unwrap(), [1, 1, 0]);
        assert_eq!(p.add_viewers("b", -5).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn redis_counts_sum_over_live_nodes_only() {
        let url = liboo_testkit::redis_url();
        let prefix = format!("{}:", liboo_testkit::unique("liboo-test-"));
        let n1 = Presence::redis(&url, &prefix, "n1")
            .await
            .expect("Redis reachable");
        let n2 = Presence::redis(&url, &prefix, "n2").await.unwrap();
        n1.add_viewers("room", 1).await.unwrap();
        n1.add_viewers("room", 1).await.unwrap();
        assert_eq!(n2.add_viewers("room", 1).await.unwrap(), 3);
        assert_eq!(n1.viewers_many(&["room", "other"]).await.unwrap(), [3, 0]);
        // A node that is gone no longer counts.
        n2.withdraw().await.unwrap();
        assert_eq!(n1.viewers("room").await.unwrap(), 2);
        assert_eq!(n1.add_viewers("room", -2).await.unwrap(), 0);

        let client = redis::Client::open(url).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = conn.keys(format!("{prefix}*")).await.unwrap();
        let _: () = conn.del(keys).await.unwrap();
    }
}
