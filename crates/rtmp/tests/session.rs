//! Client and server sessions driven against each other in memory, and the server against
//! hand-written chunk streams.

use amf0::Value;
use bytes::{Bytes, BytesMut};
use rtmp::chunk::{ChunkReader, ChunkWriter, RawMessage};
use rtmp::command::{Command, status};
use rtmp::handshake::{ClientHandshake, HandshakeKind};
use rtmp::message::{Message, UserControl};
use rtmp::{
    ClientConfig, ClientEvent, ClientSession, Error, ServerConfig, ServerEvent, ServerSession,
};

/// Moves bytes both ways in pieces of `step` bytes until neither side has output.
fn pump(client: &mut ClientSession, server: &mut ServerSession, step: usize) -> Result<(), Error> {
    loop {
        let c = client.take_output();
        let s = server.take_output();
        if c.is_empty() && s.is_empty() {
            return Ok(());
        }
        for piece in c.chunks(step) {
            server.feed(piece)?;
        }
        for piece in s.chunks(step) {
            client.feed(piece)?;
        }
    }
}

fn server_events(server: &mut ServerSession) -> Vec<ServerEvent> {
    std::iter::from_fn(|| server.poll_event()).collect()
}

fn client_events(client: &mut ClientSession) -> Vec<ClientEvent> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

fn config(chunk_size: u32, digest: bool) -> ClientConfig {
    let mut c = ClientConfig::new("live", "rtmp://127.0.0.1/live", "key123");
    c.chunk_size = chunk_size;
    c.digest_handshake = digest;
    c.seed = Some(1);
    c
}

/// Connects and publishes, with the server owner accepting the publish.
fn publishing(cfg: ClientConfig, step: usize) -> (ClientSession, ServerSession, Vec<ServerEvent>) {
    let mut client = ClientSession::new(cfg);
    let mut server = ServerSession::new(ServerConfig {
        seed: Some(2),
        ..ServerConfig::default()
    });
    pump(&mut client, &mut server, step).unwrap();
    let events = server_events(&mut server);
    let Some(ServerEvent::PublishRequested { stream_id, .. }) = events.last() else {
        panic!("no publish request: {events:?}");
    };
    server.accept_publish(*stream_id).unwrap();
    pump(&mut client, &mut server, step).unwrap();
    assert_eq!(
        client_events(&mut client),
        vec![
            ClientEvent::Connected,
            ClientEvent::PublishStarted { stream_id: 1 }
        ]
    );
    (client, server, events)
}

#[test]
fn full_publish_flow() {
    // Non-default chunk sizes on both sides, digest and plain handshakes, whole and split feeds.
    for (chunk_size, digest, step) in [
        (4096, false, usize::MAX),
        (1000, true, 7),
        (128, false, 1500),
    ] {
        let (mut client, mut server, events) = publishing(config(chunk_size, digest), step);
        let want_kind = if digest {
            HandshakeKind::Digest(rtmp::handshake::DigestScheme::Offset8)
        } else {
            HandshakeKind::Plain
        };
        assert_eq!(server.handshake_kind(), Some(want_kind));
        assert!(server.handshake_done());
        assert_eq!(
            events,
            vec![
                ServerEvent::Connected {
                    app: "live".into(),
                    tc_url: Some("rtmp://127.0.0.1/live".into())
                },
                ServerEvent::PublishRequested {
                    stream_id: 1,
                    app: "live".into(),
                    stream_key: "key123".into(),
                    publish_type: "live".into(),
                },
            ]
        );

        let meta = Value::EcmaArray(vec![
            ("width".into(), Value::Number(1280.0)),
            ("height".into(), Value::Number(720.0)),
        ]);
        client.send_metadata(meta.clone()).unwrap();
        let big: Bytes = (0..300_000u32)
            .map(|i| (i * 7) as u8)
            .collect::<Vec<u8>>()
            .into();
        client
            .send_video(0, Bytes::from_static(&[0x17, 0x00, 0, 0, 0, 1, 2]))
            .unwrap();
        client
            .send_audio(0, Bytes::from_static(&[0xAF, 0x00, 0x12, 0x10]))
            .unwrap();
        client
            .send_audio(23, Bytes::from_static(&[0xAF, 0x01, 0xAA]))
            .unwrap();
        client.send_video(33, big.clone()).unwrap();
        // Past the 24-bit timestamp field: extended timestamps on every chunk.
        client.send_video(0x0100_0000, big.clone()).unwrap();
        client
            .send_audio(0xFFFF_FFF0, Bytes::from_static(&[0xAF, 0x01]))
            .unwrap();
        client
            .send_audio(5, Bytes::from_static(&[0xAF, 0x01]))
            .unwrap(); // wrapped
        pump(&mut client, &mut server, step).unwrap();
        assert_eq!(
            server_events(&mut server),
            vec![
                ServerEvent::Metadata {
                    stream_id: 1,
                    values: vec![Value::string("onMetaData"), meta]
                },
                ServerEvent::Video {
                    stream_id: 1,
                    timestamp: 0,
                    data: Bytes::from_static(&[0x17, 0x00, 0, 0, 0, 1, 2])
                },
                ServerEvent::Audio {
                    stream_id: 1,
                    timestamp: 0,
                    data: Bytes::from_static(&[0xAF, 0x00, 0x12, 0x10])
                },
                ServerEvent::Audio {
                    stream_id: 1,
                    timestamp: 23,
                    data: Bytes::from_static(&[0xAF, 0x01, 0xAA])
                },
                ServerEvent::Video {
                    stream_id: 1,
                    timestamp: 33,
                    data: big.clone()
                },
                ServerEvent::Video {
                    stream_id: 1,
                    timestamp: 0x0100_0000,
                    data: big
                },
                ServerEvent::Audio {
                    stream_id: 1,
                    timestamp: 0xFFFF_FFF0,
                    data: Bytes::from_static(&[0xAF, 0x01])
                },
                ServerEvent::Audio {
                    stream_id: 1,
                    timestamp: 5,
                    data: Bytes::from_static(&[0xAF, 0x01])
                },
            ],
            "chunk size {chunk_size}"
        );

        client.unpublish().unwrap();
        pump(&mut client, &mut server, step).unwrap();
        assert_eq!(
            server_events(&mut server),
            vec![ServerEvent::Unpublished { stream_id: 1 }]
        );
        assert!(!server.is_publishing(1));
        let statuses = client_events(&mut client);
        assert!(
            statuses.iter().any(|e| matches!(e, ClientEvent::Status { code, .. } if code == status::UNPUBLISH_SUCCESS)),
            "{statuses:?}"
        );
    }
}

#[test]
fn rejected_publish() {
    let mut client = ClientSession::new(config(4096, false));
    let mut server = ServerSession::new(ServerConfig::default());
    pump(&mut client, &mut server, usize::MAX).unwrap();
    let Some(ServerEvent::PublishRequested { stream_id, .. }) = server_events(&mut server).pop()
    else {
        panic!()
    };
    server
        .reject_publish(stream_id, status::PUBLISH_BAD_NAME, "unknown stream key")
        .unwrap();
    // Only a pending publish can be answered, and only once.
    assert!(matches!(
        server.accept_publish(stream_id),
        Err(Error::InvalidState(_))
    ));
    assert_eq!(server.accept_publish(9), Err(Error::UnknownStream(9)));
    pump(&mut client, &mut server, usize::MAX).unwrap();
    assert_eq!(
        client_events(&mut client),
        vec![
            ClientEvent::Connected,
            ClientEvent::Rejected {
                code: status::PUBLISH_BAD_NAME.into(),
                description: "unknown stream key".into()
            },
        ]
    );
    assert!(matches!(
        client.send_audio(0, Bytes::new()),
        Err(Error::InvalidState(_))
    ));
}

/// Completes a handshake against `server` and returns a writer for hand-made chunks.
fn handshaken(server: &mut ServerSession) -> ChunkWriter {
    let mut c0c1 = BytesMut::new();
    let mut hs = ClientHandshake::start(9, false, &mut c0c1);
    server.feed(&c0c1).unwrap();
    let mut c2 = BytesMut::new();
    hs.feed(&server.take_output(), &mut c2).unwrap();
    // Until the last byte of C2, the handshake is not over.
    server.feed(&c2[..c2.len() - 1]).unwrap();
    assert!(!server.handshake_done());
    server.feed(&c2[c2.len() - 1..]).unwrap();
    assert!(server.handshake_done());
    ChunkWriter::new()
}

fn send(
    server: &mut ServerSession,
    w: &mut ChunkWriter,
    csid: u32,
    stream_id: u32,
    msg: &Message,
) -> Result<(), Error> {
    let mut out = BytesMut::new();
    w.write(
        &RawMessage {
            csid,
            timestamp: 0,
            type_id: msg.type_id(),
            stream_id,
            payload: msg.encode_payload(),
        },
        &mut out,
    );
    server.feed(&out)
}

fn replies(server: &mut ServerSession, reader: &mut ChunkReader) -> Vec<(u32, Message)> {
    reader.extend(&server.take_output());
    let mut out = Vec::new();
    while let Some(raw) = reader.read_message().unwrap() {
        out.push((
            raw.stream_id,
            Message::decode(raw.type_id, raw.payload).unwrap(),
        ));
    }
    out
}

fn connect_cmd() -> Message {
    Message::Command(Command::new(
        "connect",
        1.0,
        Value::object([("app", Value::string("live/"))]),
        vec![],
    ))
}

#[test]
fn connect_reply_order() {
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    let mut r = ChunkReader::default();
    send(&mut server, &mut w, 3, 0, &connect_cmd()).unwrap();
    let got = replies(&mut server, &mut r);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0].1, Message::WindowAckSize(2_500_000));
    assert!(matches!(
        got[1].1,
        Message::SetPeerBandwidth {
            size: 2_500_000,
            ..
        }
    ));
    assert_eq!(got[2].1, Message::SetChunkSize(4096));
    let Message::Command(result) = &got[3].1 else {
        panic!()
    };
    assert_eq!(result.name, "_result");
    assert_eq!(result.transaction_id, 1.0);
    assert_eq!(
        result.object.get("fmsVer").and_then(Value::as_str),
        Some("FMS/3,0,1,123")
    );
    assert_eq!(result.status_info().unwrap().1, status::CONNECT_SUCCESS);
    assert_eq!(server.app(), Some("live"));

    // createStream answers with the new stream id; unknown calls get `_error`.
    send(
        &mut server,
        &mut w,
        3,
        0,
        &Message::Command(Command::new("createStream", 2.0, Value::Null, vec![])),
    )
    .unwrap();
    send(
        &mut server,
        &mut w,
        3,
        0,
        &Message::Command(Command::new("getStreamLength", 3.0, Value::Null, vec![])),
    )
    .unwrap();
    let got = replies(&mut server, &mut r);
    assert_eq!(
        got[0].1,
        Message::Command(Command::result(2.0, Value::Null, vec![Value::Number(1.0)]))
    );
    let Message::Command(err) = &got[1].1 else {
        panic!()
    };
    assert_eq!((err.name.as_str(), err.transaction_id), ("_error", 3.0));

    // publish without a name is answered with BadName and never reaches the owner.
    let publish = Message::Command(Command::new(
        "publish",
        0.0,
        Value::Null,
        vec![Value::string("")],
    ));
    send(&mut server, &mut w, 3, 1, &publish).unwrap();
    let got = replies(&mut server, &mut r);
    let Message::Command(st) = &got[0].1 else {
        panic!()
    };
    assert_eq!(got[0].0, 1, "onStatus goes on the message stream");
    assert_eq!(
        st.status_info().unwrap(),
        ("error", status::PUBLISH_BAD_NAME, "No stream name given.")
    );
    assert_eq!(server_events(&mut server).len(), 1, "only Connected");
}

#[test]
fn ping_and_acknowledgement() {
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    let mut r = ChunkReader::default();
    send(
        &mut server,
        &mut w,
        2,
        0,
        &Message::UserControl(UserControl::PingRequest(777)),
    )
    .unwrap();
    assert_eq!(
        replies(&mut server, &mut r),
        vec![(0, Message::UserControl(UserControl::PingResponse(777)))]
    );

    send(&mut server, &mut w, 2, 0, &Message::WindowAckSize(1000)).unwrap();
    assert!(replies(&mut server, &mut r).is_empty());
    // 1500 bytes of ignored audio on a stream that is not publishing: still counted.
    send(
        &mut server,
        &mut w,
        4,
        1,
        &Message::Audio(vec![0u8; 1500].into()),
    )
    .unwrap();
    let got = replies(&mut server, &mut r);
    assert!(
        matches!(got[..], [(0, Message::Acknowledgement { sequence })] if sequence > 1500),
        "{got:?}"
    );
}

#[test]
fn amf3_command_message_is_understood() {
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    let mut payload = vec![0u8];
    let Message::Command(c) = connect_cmd() else {
        panic!()
    };
    c.encode(&mut payload);
    send(
        &mut server,
        &mut w,
        3,
        0,
        &Message::Other {
            type_id: 17,
            payload: payload.into(),
        },
    )
    .unwrap();
    assert_eq!(
        server_events(&mut server),
        vec![ServerEvent::Connected {
            app: "live".into(),
            tc_url: None
        }]
    );
}

#[test]
fn session_errors() {
    let create = Message::Command(Command::new("createStream", 2.0, Value::Null, vec![]));
    // Commands before connect.
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    assert!(matches!(
        send(&mut server, &mut w, 3, 0, &create),
        Err(Error::InvalidState(_))
    ));
    // Too many createStream calls.
    let mut server = ServerSession::new(ServerConfig {
        max_streams: 2,
        ..ServerConfig::default()
    });
    let mut w = handshaken(&mut server);
    send(&mut server, &mut w, 3, 0, &connect_cmd()).unwrap();
    send(&mut server, &mut w, 3, 0, &create).unwrap();
    send(&mut server, &mut w, 3, 0, &create).unwrap();
    assert_eq!(
        send(&mut server, &mut w, 3, 0, &create),
        Err(Error::TooManyStreams { limit: 2 })
    );
    // publish on a stream never created.
    let publish = Message::Command(Command::new(
        "publish",
        0.0,
        Value::Null,
        vec![Value::string("k")],
    ));
    assert_eq!(
        send(&mut server, &mut w, 3, 7, &publish),
        Err(Error::UnknownStream(7))
    );
    // connect without app.
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    let bad = Message::Command(Command::new("connect", 1.0, Value::Null, vec![]));
    assert!(matches!(
        send(&mut server, &mut w, 3, 0, &bad),
        Err(Error::MalformedCommand(_))
    ));
    // Bad C0.
    let mut server = ServerSession::new(ServerConfig::default());
    assert_eq!(
        server.feed(&[0x06; 1537]),
        Err(Error::UnsupportedVersion(6))
    );
}

#[test]
fn garbage_after_handshake_is_an_error_not_a_panic() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..200 {
        let mut server = ServerSession::new(ServerConfig::default());
        let mut w = handshaken(&mut server);
        if round % 2 == 1 {
            send(&mut server, &mut w, 3, 0, &connect_cmd()).unwrap();
        }
        let garbage: Vec<u8> = (0..65536).map(|_| next() as u8).collect();
        let mut result = Ok(());
        for piece in garbage.chunks(1 + round % 300) {
            result = server.feed(piece);
            if result.is_err() {
                break;
            }
        }
        assert!(result.is_err(), "round {round}: 64 KiB of garbage accepted");
    }
}

#[test]
fn withdrawn_publish_request_is_reported() {
    let mut server = ServerSession::new(ServerConfig::default());
    let mut w = handshaken(&mut server);
    send(&mut server, &mut w, 3, 0, &connect_cmd()).unwrap();
    let create = Message::Command(Command::new("createStream", 2.0, Value::Null, vec![]));
    send(&mut server, &mut w, 3, 0, &create).unwrap();
    let publish = Message::Command(Command::new(
        "publish",
        0.0,
        Value::Null,
        vec![Value::string("k")],
    ));
    send(&mut server, &mut w, 3, 1, &publish).unwrap();
    let delete = Message::Command(Command::new(
        "deleteStream",
        0.0,
        Value::Null,
        vec![Value::Number(1.0)],
    ));
    send(&mut server, &mut w, 3, 0, &delete).unwrap();
    let events = server_events(&mut server);
    assert!(matches!(
        events[1],
        ServerEvent::PublishRequested { stream_id: 1, .. }
    ));
    assert_eq!(events[2], ServerEvent::Unpublished { stream_id: 1 });
    assert_eq!(server.accept_publish(1), Err(Error::UnknownStream(1)));
}
