//! The HTTP listener: HTTP/1.1 connections served by hyper with the limits that
//! `axum::serve` lacks, a cap on a request's head and a deadline for its headers. The
//! deadline runs whenever the server waits for a request (on a new connection, and
//! between requests on a kept-alive one), so it ends slowloris clients and idle
//! connections alike, and never a request being answered: a blocking playlist reload
//! may take its seconds. WebSocket upgrades (socket.io) leave the connection to their
//! handler. Browsers reach liboo over HTTP/1.1 (HTTP/2 needs TLS, which a proxy in front
//! ends), so HTTP/2 is not offered.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use liboo_service::{Acceptor, Next};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Limits of every HTTP connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request head (request line and headers); a bigger one is answered 431.
    pub max_header_bytes: usize,
    /// Time a client has to send a request's headers once the server waits for them.
    pub header_timeout: Duration,
}

/// Serves `app` on `listener` until `cancel` fires, then lets open requests finish.
/// Handlers see the peer address as `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, cancel: CancellationToken) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits.max_header_bytes);
    let connections = TaskTracker::new();
    let mut acceptor = Acceptor::new(listener, "HTTP", None);
    loop {
        let (stream, peer) = match acceptor.next(&cancel).await {
            Next::Connection(accepted) => (accepted.stream, accepted.peer),
            // No per-address cap here (chat caps its sockets per address itself).
            Next::OverLimit { .. } => continue,
            Next::Cancelled => break,
        };
        connections.spawn(serve_connection(
            builder.clone(),
            stream,
            peer,
            app.clone(),
            limits,
            cancel.clone(),
        ));
    }
    connections.close();
    connections.wait().await;
}

/// Serves one connection and logs how it ended if a limit ended it.
async fn serve_connection(
    builder: http1::Builder,
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    cancel: CancellationToken,
) {
    let unanswered = Arc::new(AtomicUsize::new(0));
    let io = TokioIo::new(Watched {
        inner: stream,
        unanswered: unanswered.clone(),
    });
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req)
    });
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        _ = cancel.cancelled() => {
            // Answers the request in flight, if any, then closes.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    let Err(e) = result else {
        return;
    };
    if e.is_parse_too_large() {
        metrics::counter!("liboo_limit_hits_total", "limit" => "http_max_header_bytes")
            .increment(1);
        tracing::warn!(
            %peer,
            limit = limits.max_header_bytes,
            raise_with = "--http-max-header-bytes",
            "HTTP request refused with 431: its head is over the limit"
        );
    } else if e.is_timeout() && unanswered.load(Ordering::Relaxed) > 0 {
        // Part of a request came and the rest did not: a stalled or slowloris client.
        metrics::counter!("liboo_limit_hits_total", "limit" => "http_header_timeout").increment(1);
        tracing::warn!(
            %peer,
            timeout = ?limits.header_timeout,
            raise_with = "--http-header-timeout",
            "HTTP connection closed: request headers not complete in time"
        );
    } else if e.is_timeout() {
        tracing::debug!(%peer, "HTTP connection closed: idle");
    } else {
        tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
    }
}

/// A socket that counts the bytes read since the last write. The server writes only in
/// answer to a request, so when the header deadline passes, a count above zero means a
/// request was begun and not finished, and zero means the connection was merely idle.
struct Watched {
    inner: TcpStream,
    unanswered: Arc<AtomicUsize>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        if read > 0 {
            self.unanswered.fetch_add(read, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.unanswered.store(0, Ordering::Relaxed);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.unanswered.store(0, Ordering::Relaxed);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
