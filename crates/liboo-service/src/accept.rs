//! One accept loop for every listener. Accepting fails mostly when the process is out of
//! file descriptors; retrying at once would spin, so it backs off (10 ms doubling to 1 s)
//! until a connection is accepted again. A per-address cap stops one client from holding
//! every socket; its count drops when the connection's [`Accepted`] is dropped.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Open connections per client address. A std `Mutex`: each use is one map update.
type OpenPerIp = Arc<Mutex<HashMap<IpAddr, u32>>>;

/// Accepts connections from a listener.
pub struct Acceptor {
    listener: TcpListener,
    /// What the log calls this listener ("RTMP", "HTTP").
    name: &'static str,
    max_per_ip: Option<u32>,
    open: OpenPerIp,
    backoff: Duration,
}

/// What [`Acceptor::next`] got.
#[derive(Debug)]
pub enum Next {
    /// A connection to serve.
    Connection(Accepted),
    /// A connection that was closed at once: its address already holds `limit`
    /// connections. The caller counts and logs it in its own words.
    OverLimit {
        /// The client.
        peer: SocketAddr,
        /// The cap it hit.
        limit: u32,
    },
    /// The token fired: stop accepting.
    Cancelled,
}

/// An accepted connection; dropping it (when the connection ends) frees its place in the
/// per-address count.
#[derive(Debug)]
pub struct Accepted {
    /// The socket, with `TCP_NODELAY` set: liboo writes whole messages and small replies.
    pub stream: TcpStream,
    /// The client.
    pub peer: SocketAddr,
    guard: Option<IpGuard>,
}

impl Accepted {
    /// Splits off the socket; the returned guard holds the connection's place in the
    /// per-address count until dropped.
    pub fn into_parts(self) -> (TcpStream, SocketAddr, impl Send + 'static) {
        (self.stream, self.peer, self.guard)
    }
}

#[derive(Debug)]
struct IpGuard {
    ip: IpAddr,
    open: OpenPerIp,
}

impl Drop for IpGuard {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl Acceptor {
    /// Accepts from `listener`; `max_per_ip` caps open connections per client address
    /// (`None`: no cap).
    pub fn new(listener: TcpListener, name: &'static str, max_per_ip: Option<u32>) -> Self {
        Acceptor {
            listener,
            name,
            max_per_ip,
            open: OpenPerIp::default(),
            backoff: FIRST_BACKOFF,
        }
    }

    /// Open connections from `ip` that count against the cap.
    pub fn open_from(&self, ip: IpAddr) -> u32 {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&ip).copied().unwrap_or(0)
    }

    /// The next connection, a refusal, or [`Next::Cancelled`] once `cancel` fires.
    pub async fn next(&mut self, cancel: &CancellationToken) -> Next {
        loop {
            let accepted = tokio::select! {
                _ = cancel.cancelled() => return Next::Cancelled,
                r = self.listener.accept() => r,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => {
                    self.backoff = FIRST_BACKOFF;
                    accepted
                }
                Err(e) => {
                    let backoff = self.backoff;
                    tracing::warn!(listener = self.name, error = %e, ?backoff, "accept failed");
                    tokio::select! {
                        _ = cancel.cancelled() => return Next::Cancelled,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    self.backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            let guard = match self.max_per_ip {
                None => None,
                Some(limit) => {
                    let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
                    let n = open.entry(peer.ip()).or_insert(0);
                    if *n >= limit {
                        drop(open);
                        drop(stream);
                        return Next::OverLimit { peer, limit };
                    }
                    *n += 1;
                    Some(IpGuard {
                        ip: peer.ip(),
                        open: self.open.clone(),
                    })
                }
            };
            let _ = stream.set_nodelay(true);
            return Next::Connection(Accepted {
                stream,
                peer,
                guard,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_per_address_are_capped_and_freed() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut acceptor = Acceptor::new(listener, "test", Some(2));
        let cancel = CancellationToken::new();
        let mut clients = Vec::new();
        let mut held = Vec::new();
        for _ in 0..2 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            match acceptor.next(&cancel).await {
                Next::Connection(c) => held.push(c),
                other => panic!("refused under the cap: {other:?}"),
            }
        }
        assert_eq!(acceptor.open_from(addr.ip()), 2);
        clients.push(TcpStream::connect(addr).await.unwrap());
        assert!(matches!(
            acceptor.next(&cancel).await,
            Next::OverLimit { limit: 2, .. }
        ));
        // A connection that ends frees its place.
        held.pop();
        assert_eq!(acceptor.open_from(addr.ip()), 1);
        clients.push(TcpStream::connect(addr).await.unwrap());
        let (_stream, _peer, guard) = match acceptor.next(&cancel).await {
            Next::Connection(c) => c.into_parts(),
            other => panic!("refused under the cap: {other:?}"),
        };
        assert_eq!(acceptor.open_from(addr.ip()), 2);
        drop(guard);
        assert_eq!(acceptor.open_from(addr.ip()), 1);
        cancel.cancel();
        assert!(matches!(acceptor.next(&cancel).await, Next::Cancelled));
    }

    #[tokio::test]
    async fn without_a_cap_nothing_is_counted() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut acceptor = Acceptor::new(listener, "test", None);
        let cancel = CancellationToken::new();
        let _client = TcpStream::connect(addr).await.unwrap();
        assert!(matches!(acceptor.next(&cancel).await, Next::Connection(_)));
        assert_eq!(acceptor.open_from(addr.ip()), 0);
    }
}
