//! Writes small seed corpora under `corpus/<target>/`: a real publish conversation produced by
//! the rtmp crate's own client and server sessions, AMF0 command encodings, and tags cut from the
//! committed ffmpeg fixture (`tests/fixtures/testsrc.flv`). Run from the `fuzz/` directory:
//! `cargo run --example make-seeds`.

use std::path::Path;

use amf0::Value;
use flv::{FlvReader, Limits, TagType};
use rtmp::command::Command;
use rtmp::{ClientConfig, ClientSession, ServerConfig, ServerEvent, ServerSession};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The bytes each side sent during a full publish: connect, publish, metadata, one audio and
/// one video sequence header, a few small frames, unpublish.
fn conversation(tags: &[flv::FlvTag], chunk_size: u32) -> (Vec<u8>, Vec<u8>) {
    let mut cfg = ClientConfig::new("live", "rtmp://127.0.0.1/live", "seedkey");
    cfg.seed = Some(1);
    cfg.chunk_size = chunk_size;
    let mut client = ClientSession::new(cfg);
    let mut server = ServerSession::new(ServerConfig {
        seed: Some(2),
        ..ServerConfig::default()
    });
    let (mut from_client, mut from_server) = (Vec::new(), Vec::new());
    let mut pump = |client: &mut ClientSession, server: &mut ServerSession| loop {
        let c = client.take_output();
        let s = server.take_output();
        if c.is_empty() && s.is_empty() {
            break;
        }
        from_client.extend_from_slice(&c);
        from_server.extend_from_slice(&s);
        server.feed(&c).unwrap();
        client.feed(&s).unwrap();
        while let Some(e) = server.poll_event() {
            if let ServerEvent::PublishRequested { stream_id, .. } = e {
                server.accept_publish(stream_id).unwrap();
            }
        }
    };
    pump(&mut client, &mut server);
    assert!(client.stream_id().is_some(), "publish did not start");
    for tag in tags {
        match tag.tag_type {
            TagType::Audio => client.send_audio(tag.timestamp, tag.body.clone()).unwrap(),
            TagType::Video => client.send_video(tag.timestamp, tag.body.clone()).unwrap(),
            TagType::Script => {
                let values = amf0::decode_all(&tag.body).unwrap();
                if let Some(meta) = values.get(1) {
                    client.send_metadata(meta.clone()).unwrap();
                }
            }
            TagType::Other(_) => {}
        }
    }
    client.unpublish().unwrap();
    pump(&mut client, &mut server);
    (from_client, from_server)
}

fn main() {
    let fixture = std::fs::read("../tests/fixtures/testsrc.flv").expect("run from fuzz/");
    let limits = Limits::default();
    let (_, tags) = FlvReader::read_all(&fixture, limits).unwrap();

    // Script tag, both sequence headers, and the two smallest frames of each kind.
    let pick = |t: TagType, n: usize| {
        let mut v: Vec<_> = tags
            .iter()
            .filter(|x| x.tag_type == t)
            .skip(1)
            .cloned()
            .collect();
        v.sort_by_key(|x| x.body.len());
        v.truncate(n);
        v
    };
    let first = |t: TagType| tags.iter().find(|x| x.tag_type == t).unwrap().clone();
    let (script, vhdr, ahdr) = (
        first(TagType::Script),
        first(TagType::Video),
        first(TagType::Audio),
    );
    let mut media = vec![script.clone(), vhdr.clone(), ahdr.clone()];
    media.extend(pick(TagType::Video, 2));
    media.extend(pick(TagType::Audio, 2));

    let handshake = 1 + 2 * liboo_fuzz::HANDSHAKE_PACKET;
    for (i, chunk_size) in [4096u32, 128].into_iter().enumerate() {
        let (c, s) = conversation(&media, chunk_size);
        let after = &c[handshake..];
        // Leading byte: the piece size used to feed (0 = all at once).
        let step = [0u8, 7][i];
        write(
            "rtmp_server_session",
            &format!("publish-{chunk_size}"),
            &[&[step], after].concat(),
        );
        write(
            "rtmp_chunk_reader",
            &format!("publish-{chunk_size}"),
            &[&[step], after].concat(),
        );
        write(
            "rtmp_server_raw",
            &format!("publish-{chunk_size}"),
            &[&[step], &c[..]].concat(),
        );
        write(
            "rtmp_client_session",
            &format!("server-{chunk_size}"),
            &[&[step], &s[..]].concat(),
        );
    }

    let mut connect = Vec::new();
    Command::new(
        "connect",
        1.0,
        Value::Object(vec![
            ("app".into(), Value::string("live")),
            ("tcUrl".into(), Value::string("rtmp://127.0.0.1/live")),
        ]),
        vec![],
    )
    .encode(&mut connect);
    write("amf0_decode", "connect", &connect);
    write("amf0_decode", "onmetadata", &script.body);
    write(
        "amf0_decode",
        "scalars",
        &[
            0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // number 1.0
            0x01, 0x01, // true
            0x02, 0x00, 0x02, b'h', b'i', // "hi"
            0x05, 0x06, // null, undefined
            0x0a, 0, 0, 0, 1, 0x05, // strict array [null]
            0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // date
        ],
    );

    let video_frame = pick(TagType::Video, 1).remove(0);
    let audio_frame = pick(TagType::Audio, 1).remove(0);
    write(
        "flv_tag",
        "video-seq-header",
        &[&[0u8], &vhdr.body[..]].concat(),
    );
    write(
        "flv_tag",
        "video-frame",
        &[&[0u8], &video_frame.body[..]].concat(),
    );
    write(
        "flv_tag",
        "audio-seq-header",
        &[&[1u8], &ahdr.body[..]].concat(),
    );
    write(
        "flv_tag",
        "audio-frame",
        &[&[1u8], &audio_frame.body[..]].concat(),
    );
    write("flv_tag", "avc-config", &[&[2u8], &vhdr.body[5..]].concat());
    write("flv_tag", "asc", &[&[3u8], &ahdr.body[2..]].concat());

    // The fixture's first tags, cut at a tag boundary and kept under 16 KiB.
    let mut end = 13;
    for tag in &tags {
        let next = end + 11 + tag.body.len() + 4;
        if next > 16 * 1024 {
            break;
        }
        end = next;
    }
    write("flv_file", "testsrc-head", &fixture[..end]);

    // The fixture's SPS, and SPS NAL units x264 writes for other profiles and chroma formats
    // (the same vectors as flv's `sps` tests).
    let config = match flv::VideoTag::parse(vhdr.body.clone(), &limits)
        .unwrap()
        .packet
    {
        flv::VideoPacket::SequenceHeader(c) => c,
        other => panic!("first video tag is {other:?}"),
    };
    write("sps", "testsrc", &config.sps[0]);
    for (name, hex) in [
        (
            "baseline-320x240",
            "6742c00cd90141fb0110000003001000000301e0f142a480",
        ),
        (
            "main-1280x720",
            "674d401feca02802dd80880000030008000003019078c18cb0",
        ),
        (
            "high444-640x360",
            "67f4001e919b281405ff138088000003000800000301e078b16cb0",
        ),
        (
            "high-1080i",
            "67640028acd94078044fde0220000003002000000643e2c5b2c0",
        ),
    ] {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        write("sps", name, &bytes);
    }

    chat_payload_seeds();
    thumbnail_seeds();
}

/// Every client event's payload as the contract gives it, a few refused ones, and the same
/// events as socket.io packet text (plain, with a namespace and an ack id, binary).
fn chat_payload_seeds() {
    let payloads = [
        (
            "join",
            r#"{"roomId":"0123456789abcdef0123","userId":"V1StGXR8_Z5jdHi6B-myT"}"#,
        ),
        (
            "leave",
            r#"{"roomId":"0123456789abcdef0123","userId":"V1StGXR8_Z5jdHi6B-myT"}"#,
        ),
        (
            "message",
            r#"{"roomId":"r","userId":"u","msg":"  안녕하세요, hello  "}"#,
        ),
        (
            "question-id",
            r#"{"roomId":"r","userId":"u","questionId":42}"#,
        ),
        (
            "question-id-text",
            r#"{"roomId":"r","userId":"u","questionId":"-7"}"#,
        ),
        (
            "ban",
            r#"{"roomId":"r","userId":"u","socketId":"Ab3xYz_-"}"#,
        ),
        (
            "wrong-types",
            r#"{"roomId":7,"userId":{},"msg":[1],"questionId":1.5,"socketId":null}"#,
        ),
        ("not-an-object", r#"["r","u","hi"]"#),
    ];
    for (name, json) in payloads {
        write("chat_payload", name, json.as_bytes());
    }
    let packets = [
        (
            "packet-chat",
            r#"42["send_normal_chat",{"roomId":"r","userId":"u","msg":"hi"}]"#,
        ),
        (
            "packet-ack",
            r#"42/,12["send_question",{"roomId":"r","userId":"u","msg":"why?"}]"#,
        ),
        (
            "packet-upvote",
            r#"42["send_question_upvote",{"roomId":"r","userId":"u","questionId":3}]"#,
        ),
        (
            "packet-two-args",
            r#"42["join_room",{"roomId":"r","userId":"u"},"extra"]"#,
        ),
        ("packet-no-args", r#"42["leave_room"]"#),
        (
            "packet-binary",
            r#"451-["ban_user",{"_placeholder":true,"num":0}]"#,
        ),
    ];
    for (name, text) in packets {
        write("chat_payload", name, text.as_bytes());
    }
}

/// A small image in each accepted format, the same as a data URL, and bytes the thumbnail
/// decoder must refuse: truncated images, other formats, headers that only look right, and
/// headers that declare dimensions far past the decoder's limits.
fn thumbnail_seeds() {
    use std::io::Cursor;

    use image::ImageFormat;

    let img = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 15, 99]));
    let encode = |format| {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    };
    let (png, jpeg, webp) = (
        encode(ImageFormat::Png),
        encode(ImageFormat::Jpeg),
        encode(ImageFormat::WebP),
    );
    write("thumbnail", "small.png", &png);
    write("thumbnail", "small.jpg", &jpeg);
    write("thumbnail", "small.webp", &webp);
    write("thumbnail", "truncated.png", &png[..png.len() / 2]);
    write("thumbnail", "truncated.jpg", &jpeg[..jpeg.len() / 2]);
    write("thumbnail", "truncated.webp", &webp[..webp.len() / 2]);
    write("thumbnail", "png-signature-only", b"\x89PNG\r\n\x1a\n");
    write("thumbnail", "jpeg-soi-only", &[0xff, 0xd8, 0xff]);
    write("thumbnail", "riff-not-webp", b"RIFF\x04\x00\x00\x00WAVE");
    write("thumbnail", "gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    write("thumbnail", "data-url.png", data_url(&png).as_bytes());
    write(
        "thumbnail",
        "data-url-bad-base64",
        b"data:image/png;base64,iVBORw0KGgo@@@",
    );
    write("thumbnail", "data-url-not-base64", b"data:image/png,raw");

    // PNG: IHDR (right after the 8-byte signature and the chunk's length and type) holds
    // width and height, then its CRC over type and data must be fixed up.
    let mut huge = png.clone();
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&huge[12..29]);
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    write("thumbnail", "huge.png", &huge);
    // JPEG: the baseline frame header (SOF0) holds height and width after its length and
    // sample precision.
    let mut huge = jpeg.clone();
    let sof = huge
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("a baseline JPEG");
    huge[sof + 5..sof + 9].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    write("thumbnail", "huge.jpg", &huge);
    // WebP lossless: after the RIFF header, the VP8L chunk header and its signature byte,
    // 14 bits of width - 1 and 14 of height - 1: 16384 x 16384.
    let mut huge = webp.clone();
    assert_eq!(&huge[12..16], b"VP8L", "a lossless WebP");
    let bits: u32 = 0x3fff | (0x3fff << 14) | (u32::from(huge[24]) & 0xf0) << 24;
    huge[21..25].copy_from_slice(&bits.to_le_bytes());
    write("thumbnail", "huge.webp", &huge);
}

fn data_url(bytes: &[u8]) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:image/png;base64,{payload}")
}

/// CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xedb88320).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                crc >> 1 ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
