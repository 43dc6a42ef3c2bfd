//! Protocol control, user control and command message payloads: one table drives decode and
//! encode.

use amf0::Value;
use bytes::Bytes;
use rtmp::command::Command;
use rtmp::message::{BandwidthLimit, Message, UserControl};

fn cases() -> Vec<(&'static str, u8, Vec<u8>, Message)> {
    let mut connect = Vec::new();
    amf0::encode_all(
        &[
            Value::string("connect"),
            Value::Number(1.0),
            Value::object([("app", Value::string("live"))]),
        ],
        &mut connect,
    );
    vec![
        (
            "Set Chunk Size 4096",
            1,
            vec![0, 0, 0x10, 0],
            Message::SetChunkSize(4096),
        ),
        (
            "Abort csid 6",
            2,
            vec![0, 0, 0, 6],
            Message::Abort { csid: 6 },
        ),
        (
            "Acknowledgement",
            3,
            vec![0, 0x26, 0x25, 0xA0],
            Message::Acknowledgement {
                sequence: 2_500_000,
            },
        ),
        (
            "Stream Begin 1",
            4,
            vec![0, 0, 0, 0, 0, 1],
            Message::UserControl(UserControl::StreamBegin(1)),
        ),
        (
            "Stream EOF 1",
            4,
            vec![0, 1, 0, 0, 0, 1],
            Message::UserControl(UserControl::StreamEof(1)),
        ),
        (
            "Set Buffer Length",
            4,
            vec![0, 3, 0, 0, 0, 1, 0, 0, 0x0B, 0xB8],
            Message::UserControl(UserControl::SetBufferLength {
                stream_id: 1,
                millis: 3000,
            }),
        ),
        (
            "Ping Request",
            4,
            vec![0, 6, 0, 0, 0x30, 0x39],
            Message::UserControl(UserControl::PingRequest(12345)),
        ),
        (
            "Ping Response",
            4,
            vec![0, 7, 0, 0, 0x30, 0x39],
            Message::UserControl(UserControl::PingResponse(12345)),
        ),
        (
            "Window Ack Size",
            5,
            vec![0, 0x26, 0x25, 0xA0],
            Message::WindowAckSize(2_500_000),
        ),
        (
            "Set Peer Bandwidth dynamic",
            6,
            vec![0, 0x26, 0x25, 0xA0, 2],
            Message::SetPeerBandwidth {
                size: 2_500_000,
                limit: BandwidthLimit::Dynamic,
            },
        ),
        (
            "Audio",
            8,
            vec![0xAF, 0x01, 0x21],
            Message::Audio(Bytes::from_static(&[0xAF, 0x01, 0x21])),
        ),
        (
            "Video",
            9,
            vec![0x17, 0x01],
            Message::Video(Bytes::from_static(&[0x17, 0x01])),
        ),
        (
            "AMF0 command connect",
            20,
            connect.clone(),
            Message::Command(Command::new(
                "connect",
                1.0,
                Value::object([("app", Value::string("live"))]),
                vec![],
            )),
        ),
        (
            "AMF0 data",
            18,
            vec![0x02, 0, 2, b'h', b'i'],
            Message::Data(vec![Value::string("hi")]),
        ),
    ]
}

#[test]
fn table_decodes_and_encodes() {
    for (name, type_id, bytes, want) in cases() {
        let got = Message::decode(type_id, Bytes::from(bytes.clone()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, want, "{name}");
        assert_eq!(want.type_id(), type_id, "{name}: type id");
        assert_eq!(&want.encode_payload()[..], &bytes[..], "{name}: encode");
    }
}

#[test]
fn amf3_command_with_leading_zero_is_accepted() {
    // Type 17: a format byte 0, then AMF0 values; an AMF3 switch marker ends decoding.
    let mut p = vec![0u8];
    amf0::encode_all(
        &[
            Value::string("createStream"),
            Value::Number(4.0),
            Value::Null,
        ],
        &mut p,
    );
    p.extend_from_slice(&[0x11, 0x01]);
    let got = Message::decode(17, p.into()).unwrap();
    assert_eq!(
        got,
        Message::Command(Command::new("createStream", 4.0, Value::Null, vec![]))
    );
}

#[test]
fn short_payloads_are_errors() {
    for (type_id, len) in [
        (1u8, 3usize),
        (2, 0),
        (3, 2),
        (4, 1),
        (4, 3),
        (5, 0),
        (6, 4),
    ] {
        let r = Message::decode(type_id, Bytes::from(vec![0u8; len]));
        assert!(
            matches!(r, Err(rtmp::Error::ShortPayload { .. })),
            "type {type_id} len {len}: {r:?}"
        );
    }
}

#[test]
fn malformed_commands_are_errors() {
    let mut not_a_name = Vec::new();
    amf0::encode(&Value::Number(1.0), &mut not_a_name);
    assert!(matches!(
        Message::decode(20, not_a_name.into()),
        Err(rtmp::Error::MalformedCommand(_))
    ));
    assert!(matches!(
        Message::decode(20, Bytes::new()),
        Err(rtmp::Error::MalformedCommand(_))
    ));
    assert!(matches!(
        Message::decode(20, Bytes::from_static(&[0x42])),
        Err(rtmp::Error::Amf0(_))
    ));
}
