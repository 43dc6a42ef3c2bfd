//! The chat request's head, copied out of hyper's read buffer.

use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderMap, HeaderValue, Uri};

use crate::CHAT_PATH;

/// Gives a chat request a head of its own. hyper's header values and URI are slices of
/// the connection's read buffer (8-16 KiB), and socketioxide keeps the request's head for
/// the socket's whole life (`req_parts`), so every open socket would keep that buffer
/// allocated; copies of the few hundred bytes let it go when the connection upgrades.
/// Names, values, their order and sensitivity, the URI and the extensions stay the same.
pub(crate) async fn owned_head(req: Request) -> Request {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

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
