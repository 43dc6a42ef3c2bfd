//! A bare socketioxide server for bench/chat/run.sh's idle-memory phase: the SocketIo
//! layer built as liboo's chat builds it (`crates/liboo-chat`, `attach`: path
//! `/chat/socket.io`, 64 KiB max payload, websocket message and frame size; everything
//! else socketioxide's defaults: both transports, ping 25 s / 20 s, 128-packet buffer), a
//! connect handler that does nothing, served by `axum::serve` on a tokio multi-thread
//! runtime with one worker per core (as liboo's `Runtime::new()`).
//!
//! Usage: `chat-bare-server PORT` (binds 127.0.0.1:PORT).

use socketioxide::extract::SocketRef;
use socketioxide::SocketIo;

/// liboo's `ChatConfig::default().max_payload_bytes` (`--chat-max-payload-bytes`).
const MAX_PAYLOAD: u64 = 64 * 1024;

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: chat-bare-server PORT");
    let (layer, io) = SocketIo::builder()
        .req_path("/chat/socket.io")
        .max_payload(MAX_PAYLOAD)
        .ws_max_message_size(MAX_PAYLOAD as usize)
        .ws_max_frame_size(MAX_PAYLOAD as usize)
        .build_layer();
    io.ns("/", |_socket: SocketRef| async {});
    let app = axum::Router::new().layer(layer);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
