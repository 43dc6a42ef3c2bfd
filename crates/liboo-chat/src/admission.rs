//! Who may connect and who may send: open sockets per client IP, the per-user rate
//! limit, and the checks every sending event passes (joined, that user, not banned).
//!
//! The counters are this node's: a client's sockets and messages reach the node it is
//! connected to, so the limits hold per node.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use liboo_chat_events::Sender;
use liboo_db::hash_secret;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use tokio::time::Instant;

use crate::roles::{MemberRole, granted_role, moderators_room};
use crate::viewers::Member;
use crate::wire::{exception, internal};
use crate::{Chat, ChatConfig};

/// Past this many users tracked, users quiet for a whole window are forgotten, so the
/// map does not grow with every user ever seen.
const RATE_MAP_PRUNE_AT: usize = 100_000;

/// This node's connection and message counters.
pub(crate) struct Admission {
    rate_limit: Option<(u32, Duration)>,
    max_connections_per_ip: Option<u32>,
    /// What each user sent within the rate limit's window. A std `Mutex`: held for a few
    /// map operations, never across an await.
    rate: Mutex<HashMap<String, Sent>>,
    per_ip: Mutex<HashMap<IpAddr, u32>>,
    /// Whether a user is banned from a channel, as read from the database and when: read
    /// again after [`BAN_FRESH`], so every event does not cost a read (a room where 1,000
    /// people send each second timed the database pool out).
    bans: Mutex<HashMap<(i64, String), (bool, Instant)>>,
}

/// How long a ban read from the database holds on this node: a ban made on another node
/// stops its user's events here within this. A ban made here holds at once.
pub(crate) const BAN_FRESH: Duration = Duration::from_secs(1);

/// Past this many users remembered, the ban reads are all forgotten.
const REMEMBER_BANS: usize = 100_000;

/// What a user sent within the rate limit's window.
#[derive(Default)]
struct Sent {
    times: VecDeque<Instant>,
    /// When a refusal of this user was last logged: once per window is enough.
    logged: Option<Instant>,
}

/// A message over the rate limit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RateLimited {
    /// The first refusal of this user within a window, the one worth a log line.
    pub(crate) first_in_window: bool,
}

/// Why a connection was refused, sent to the client as its `connect_error`.
#[derive(Debug, thiserror::Error)]
#[error("too many connections from your address")]
pub(crate) struct TooManyConnections {
    /// The limit the address is at.
    pub(crate) limit: u32,
}

impl Admission {
    pub(crate) fn new(config: &ChatConfig) -> Self {
        Admission {
            rate_limit: config.rate_limit,
            max_connections_per_ip: config.max_connections_per_ip,
            rate: Mutex::default(),
            per_ip: Mutex::default(),
            bans: Mutex::default(),
        }
    }

    /// Whether `user_hash` is banned from `channel_id`, read from the database unless read
    /// within [`BAN_FRESH`].
    pub(crate) async fn is_banned(
        &self,
        db: &liboo_db::Db,
        channel_id: i64,
        user_hash: &str,
    ) -> Result<bool, liboo_db::DbError> {
        let key = (channel_id, user_hash.to_owned());
        if let Some((banned, at)) = self.bans.lock().expect("ban map poisoned").get(&key)
            && at.elapsed() < BAN_FRESH
        {
            return Ok(*banned);
        }
        let banned = db.is_banned(channel_id, user_hash).await?;
        self.remember_ban(key, banned);
        Ok(banned)
    }

    /// A ban made on this node: it holds here at once.
    pub(crate) fn banned(&self, channel_id: i64, user_hash: &str) {
        self.remember_ban((channel_id, user_hash.to_owned()), true);
    }

    fn remember_ban(&self, key: (i64, String), banned: bool) {
        let mut bans = self.bans.lock().expect("ban map poisoned");
        if bans.len() >= REMEMBER_BANS {
            bans.clear();
        }
        bans.insert(key, (banned, Instant::now()));
    }

    /// Counts a new connection from `ip`, or refuses it (uncounted) when `ip` already
    /// has as many as the limit allows. A counted one is given back with [`Self::release`].
    pub(crate) fn connect(&self, ip: IpAddr) -> Result<(), TooManyConnections> {
        let Some(limit) = self.max_connections_per_ip else {
            return Ok(());
        };
        let mut per_ip = self.per_ip.lock().expect("per-ip map poisoned");
        let n = per_ip.entry(ip).or_insert(0);
        if *n >= limit {
            if *n == 0 {
                per_ip.remove(&ip);
            }
            return Err(TooManyConnections { limit });
        }
        *n += 1;
        Ok(())
    }

    /// Gives back a connection counted by [`Self::connect`].
    pub(crate) fn release(&self, ip: IpAddr) {
        let mut per_ip = self.per_ip.lock().expect("per-ip map poisoned");
        if let Some(n) = per_ip.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_ip.remove(&ip);
            }
        }
    }

    /// A sliding-window rate limit per user on this node.
    pub(crate) fn allow(&self, user_hash: &str) -> Result<(), RateLimited> {
        let Some((max, window)) = self.rate_limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut rate = self.rate.lock().expect("rate map poisoned");
        if rate.len() > RATE_MAP_PRUNE_AT {
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

/// What a sending event does, which decides what [`sender`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sending {
    /// Chat or a question: rate-limited.
    Message,
    /// A notice: the host's or a moderator's, rate-limited like any message.
    Notice,
    /// An upvote, a vote, or an asker's change to their own question: rate-limited,
    /// since each one is broadcast to the room.
    Reaction,
    /// Marking a question answered: the speaker's too. Not rate-limited for them, who
    /// may work through a Q&A faster than a viewer may chat.
    Answer,
    /// Screening and pinning questions, polls, bans: the host's and moderators', not
    /// rate-limited for them (a wave of spammers comes faster than a viewer may chat).
    Moderation,
}

impl Sending {
    /// The least role that may send it.
    fn needs(self) -> MemberRole {
        match self {
            Sending::Message | Sending::Reaction => MemberRole::Viewer,
            Sending::Answer => MemberRole::Speaker,
            Sending::Notice | Sending::Moderation => MemberRole::Moderator,
        }
    }

    fn refusal(self) -> &'static str {
        match self.needs() {
            MemberRole::Speaker => "only the host, a moderator or the speaker may do this",
            _ => "only the host or a moderator may do this",
        }
    }
}

/// What every sending event checks once its payload has parsed: joined to that room as
/// that user, not banned (the owner never is), the role the event needs (read again from
/// the database, so a role granted or revoked holds from the member's next event), and
/// the rate limit, in that order. Returns the member with their role as of now, or `None`
/// once the socket has its `exception`.
pub(crate) async fn sender<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    from: &Sender,
    sending: Sending,
) -> Option<Member> {
    let room = from.room_id.as_str();
    let mut member = match socket.extensions.get::<Member>() {
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
    if !member.is_host {
        match chat
            .0
            .admission
            .is_banned(&chat.0.db, member.channel_id, &member.user_hash)
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
    }
    let needs = sending.needs();
    if needs > MemberRole::Viewer {
        member = match refreshed(socket, chat, member).await {
            Ok(m) => m,
            Err(e) => {
                internal(socket, &e, Some(room));
                return None;
            }
        };
    }
    let exempt = matches!(sending, Sending::Moderation | Sending::Answer) && member.role >= needs;
    if !exempt && let Err(limited) = chat.0.admission.allow(&member.user_hash) {
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
    if member.role < needs {
        exception(socket, 403, sending.refusal(), Some(room));
        return None;
    }
    Some(member)
}

/// The member with their role read again from the database (the owner's needs no read).
pub(crate) async fn refreshed<A: Adapter>(
    socket: &SocketRef<A>,
    chat: &Chat,
    member: Member,
) -> Result<Member, liboo_db::DbError> {
    if member.is_host {
        return Ok(member);
    }
    let role = granted_role(
        &chat.0.db,
        member.channel_id,
        member.conference_id,
        &member.user_hash,
    )
    .await?;
    Ok(apply_role(socket, member, role))
}

/// The member with `role` as read now: a new moderator joins the moderators' room, one
/// whose role was taken leaves it.
pub(crate) fn apply_role<A: Adapter>(
    socket: &SocketRef<A>,
    member: Member,
    role: MemberRole,
) -> Member {
    if role == member.role {
        return member;
    }
    let moderates = |r: MemberRole| r >= MemberRole::Moderator;
    if moderates(role) && !moderates(member.role) {
        socket.join(moderators_room(&member));
    } else if !moderates(role) && moderates(member.role) {
        socket.leave(moderators_room(&member));
    }
    let member = Member { role, ..member };
    // Unless the socket joined elsewhere meanwhile.
    if socket
        .extensions
        .get::<Member>()
        .is_some_and(|m| m.room == member.room && m.talk == member.talk)
    {
        socket.extensions.insert(member.clone());
    }
    member
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(rate_limit: Option<(u32, Duration)>, per_ip: Option<u32>) -> Admission {
        Admission::new(&ChatConfig {
            rate_limit,
            max_connections_per_ip: per_ip,
            ..ChatConfig::default()
        })
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_limit_slides_with_the_window() {
        let a = admission(Some((2, Duration::from_secs(5))), None);
        assert_eq!(a.allow("u"), Ok(()));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(a.allow("u"), Ok(()));
        assert_eq!(
            a.allow("u"),
            Err(RateLimited {
                first_in_window: true
            })
        );
        assert_eq!(
            a.allow("u"),
            Err(RateLimited {
                first_in_window: false
            })
        );
        // Another user has a window of their own.
        assert_eq!(a.allow("v"), Ok(()));
        // The first message leaves the window; the second is still in it.
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(a.allow("u"), Ok(()));
        assert_eq!(
            a.allow("u"),
            Err(RateLimited {
                first_in_window: false
            })
        );
        // A window after the last logged refusal, the next one is logged again.
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(a.allow("u"), Ok(()));
        assert_eq!(a.allow("u"), Ok(()));
        assert_eq!(
            a.allow("u"),
            Err(RateLimited {
                first_in_window: true
            })
        );
    }

    #[test]
    fn no_rate_limit_allows_everything() {
        let a = admission(None, None);
        for _ in 0..1_000 {
            assert_eq!(a.allow("u"), Ok(()));
        }
    }

    #[test]
    fn connections_per_ip_are_counted_and_given_back() {
        let a = admission(None, Some(2));
        let (ip, other): (IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(a.connect(ip).is_ok());
        assert!(a.connect(ip).is_ok());
        assert!(a.connect(ip).is_err());
        assert!(a.connect(other).is_ok());
        a.release(ip);
        assert!(a.connect(ip).is_ok());
        assert!(a.connect(ip).is_err());
        a.release(ip);
        a.release(ip);
        a.release(other);
        assert!(
            a.per_ip.lock().unwrap().is_empty(),
            "released addresses are forgotten"
        );
    }

    #[test]
    fn no_connection_limit_counts_nothing() {
        let a = admission(None, None);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..100 {
            assert!(a.connect(ip).is_ok());
        }
        assert!(a.per_ip.lock().unwrap().is_empty());
    }
}
