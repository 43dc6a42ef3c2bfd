//! Shared pieces of liboo's fuzz targets: the handshake prefix that gets a server session past
//! the handshake, and the drivers that push fuzz input through each parser. The targets and the
//! regression test call the same drivers, so a committed reproducer replays exactly what the
//! fuzzer ran.

use bytes::Bytes;
use rtmp::chunk::{ChunkReader, ReaderLimits};
use rtmp::{ClientConfig, ClientSession, ServerConfig, ServerEvent, ServerSession};

/// Size of C1 and C2 (RTMP 1.0 §5.2.3).
pub const HANDSHAKE_PACKET: usize = 1536;

/// C0 + C1 + C2 of a plain (non-digest) handshake: version 3, zero time, zero filler. The server
/// does not check C2, so zeros are as good as an echo of S1.
pub fn handshake_prefix() -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + 2 * HANDSHAKE_PACKET);
    v.push(3);
    v.resize(1 + 2 * HANDSHAKE_PACKET, 0);
    v
}

/// Splits `data` into the pieces in which it is fed: the first byte picks the piece size, so the
/// fuzzer also explores messages split across reads.
fn pieces(data: &[u8]) -> (usize, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) if b != 0 => (usize::from(b), rest),
        Some((_, rest)) => (usize::MAX, rest),
        None => (usize::MAX, data),
    }
}

/// The chunk reader alone, with default limits.
pub fn run_chunk_reader(data: &[u8]) {
    let (step, data) = pieces(data);
    let mut reader = ChunkReader::new(ReaderLimits::default());
    for piece in data.chunks(step) {
        reader.extend(piece);
        loop {
            match reader.read_message() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // What ingest asks after every read to schedule the next one.
        if let Some(inc) = reader.incomplete() {
            assert!(inc.missing >= 1);
        }
    }
}

/// A server session fed `data`, accepting every publish request so that media reaches the
/// publishing path.
pub fn run_server(prefix: &[u8], data: &[u8]) {
    let (step, data) = pieces(data);
    let mut server = ServerSession::new(ServerConfig {
        seed: Some(1),
        ..ServerConfig::default()
    });
    if server.feed(prefix).is_err() {
        return;
    }
    for piece in data.chunks(step) {
        if server.feed(piece).is_err() {
            return;
        }
        while let Some(event) = server.poll_event() {
            if let ServerEvent::PublishRequested { stream_id, .. } = event {
                let _ = server.accept_publish(stream_id);
            }
        }
        let _ = server.incomplete();
        let _ = server.take_output();
    }
}

/// A client session (the publisher) fed `data` as if it came from a server.
pub fn run_client(data: &[u8]) {
    let (step, data) = pieces(data);
    let mut cfg = ClientConfig::new("live", "rtmp://127.0.0.1/live", "key");
    cfg.seed = Some(1);
    let mut client = ClientSession::new(cfg);
    let _ = client.take_output();
    for piece in data.chunks(step) {
        if client.feed(piece).is_err() {
            return;
        }
        while client.poll_event().is_some() {}
        let _ = client.take_output();
        if client.stream_id().is_some() {
            let _ = client.send_video(0, Bytes::from_static(&[0x17, 1, 0, 0, 0]));
        }
    }
}

/// AMF0: a whole-buffer decode, a value-by-value decode with tight limits, and re-encoding of
/// whatever decoded (the encoder must accept any value the decoder produces).
pub fn run_amf0(data: &[u8]) {
    if let Ok(values) = amf0::decode_all(data) {
        for v in &values {
            let mut out = Vec::new();
            amf0::encode(v, &mut out);
            assert_eq!(
                out.len(),
                amf0::encoded_len(v),
                "encoded_len disagrees with encode"
            );
        }
        amf0::encode_all(&values, &mut Vec::new());
    }
    let limits = amf0::Limits {
        max_depth: 4,
        ..amf0::Limits::default()
    };
    let mut d = amf0::Decoder::with_limits(data, limits);
    while !d.is_empty() {
        if d.decode_value().is_err() {
            break;
        }
    }
}

/// FLV tag bodies: the first byte chooses the parser.
pub fn run_flv_tag(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let limits = flv::Limits::default();
    let body = Bytes::copy_from_slice(rest);
    match which % 4 {
        0 => {
            if let Ok(tag) = flv::VideoTag::parse(body, &limits)
                && let flv::VideoPacket::Nalus { data, .. } = tag.packet
            {
                for size in [1, 2, 4] {
                    let _ = flv::split_nal_units(&data, size, &limits);
                }
            }
        }
        1 => {
            let _ = flv::AudioTag::parse(body);
        }
        2 => {
            if let Ok(cfg) = flv::AvcDecoderConfig::parse(rest, &limits) {
                let _ = cfg.split_nal_units(&Bytes::copy_from_slice(rest), &limits);
            }
        }
        _ => {
            if let Ok(asc) = flv::AudioSpecificConfig::parse(rest) {
                let _ = asc.frame_duration_secs();
                let _ = asc.adts_header(rest.len());
                let _ = asc.write_adts(rest, &mut Vec::new());
            }
        }
    }
}

/// The FLV file reader, whole and incrementally. The input is the file itself, so the piece size
/// comes from its length rather than from a leading byte.
pub fn run_flv_file(data: &[u8]) {
    let limits = flv::Limits {
        max_tag_size: 1 << 20,
        ..flv::Limits::default()
    };
    let _ = flv::FlvReader::read_all(data, limits);
    let step = data.len() % 97 + 1;
    let mut reader = flv::FlvReader::new(limits);
    for piece in data.chunks(step) {
        reader.push(piece);
        loop {
            match reader.next_tag() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

/// The H.264 SPS reader on its own: the input is one SPS NAL unit, header byte included. Whatever
/// it accepts must describe a picture of at least one pixel.
pub fn run_sps(data: &[u8]) {
    if let Ok(info) = flv::parse_sps(data) {
        assert!(info.width > 0 && info.height > 0, "{info:?}");
    }
}

/// `hls::Playlist::parse`, which reads back playlists from storage after a node died.
/// Whatever it accepts must render to text that parses to the same rendering: salvaging
/// a replay twice gives the same replay.
pub fn run_hls_playlist(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(playlist) = hls::Playlist::parse(text) {
        let once = playlist.render("");
        let again = hls::Playlist::parse(&once).expect("liboo's own rendering parses");
        assert_eq!(again.render(""), once);
    }
}

/// Chat event payloads. The input is read two ways: as the JSON payload a handler receives,
/// given to every event's parser; and as the text of a socket.io packet, which goes through
/// socketioxide's own packet parser and payload extraction (what `TryData<Value>` does) to
/// the parser its event name picks. Whatever parses must be what the chat may act on.
pub fn run_chat_payload(data: &[u8]) {
    use liboo_chat_events::{EVENT_NAMES, Event, Limits};

    let limits = Limits::default();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        for name in EVENT_NAMES {
            let parsed = Event::parse(name, &value, &limits).expect("a client event");
            check_chat_event(parsed, &limits);
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((name, payload)) = socketio_event(text) else {
        return;
    };
    let parsed = match payload {
        Some(value) => Event::parse(&name, &value, &limits),
        None => Some(Err(liboo_chat_events::Reject::not_an_object())),
    };
    if let Some(parsed) = parsed {
        check_chat_event(parsed, &limits);
    }
}

/// A socket.io text packet decoded as socketioxide decodes it for a handler: the event's name,
/// and its first argument as JSON (`None` where `TryData<Value>` would hold an error).
fn socketio_event(text: &str) -> Option<(String, Option<serde_json::Value>)> {
    use socketioxide_core::Str;
    use socketioxide_core::packet::PacketData;
    use socketioxide_core::parser::{Parse, ParserState};
    use socketioxide_parser_common::CommonParser;

    let state = ParserState::default();
    let packet = CommonParser
        .decode_str(&state, Str::from(text.to_owned()))
        .ok()?;
    let PacketData::Event(mut value, _ack) = packet.inner else {
        return None;
    };
    let name = CommonParser.read_event(&value).ok()?.to_owned();
    let payload = CommonParser.decode_value(&mut value, true).ok();
    Some((name, payload))
}

/// What the chat service relies on in a parsed event: named things are non-empty, a message
/// is trimmed, non-empty and within the limit; a refusal is a 400 or a 406.
fn check_chat_event(
    parsed: Result<liboo_chat_events::Event, liboo_chat_events::Reject>,
    limits: &liboo_chat_events::Limits,
) {
    use liboo_chat_events::{Event, Sender};

    let sender = |s: &Sender| assert!(!s.room_id.is_empty() && !s.user_id.is_empty(), "{s:?}");
    match parsed {
        Ok(Event::JoinRoom(e)) => assert!(!e.room_id.is_empty() && !e.user_id.is_empty()),
        Ok(Event::LeaveRoom(e)) => assert!(!e.room_id.is_empty()),
        Ok(Event::NormalChat(e) | Event::Question(e) | Event::Notice(e)) => {
            sender(&e.sender);
            assert!(!e.msg.is_empty(), "{e:?}");
            assert_eq!(e.msg.trim(), e.msg);
            assert!(e.msg.chars().count() <= limits.max_message_chars);
        }
        Ok(Event::QuestionDone(e) | Event::QuestionUpvote(e)) => sender(&e.sender),
        Ok(Event::BanUser(e)) => {
            sender(&e.sender);
            assert!(!e.socket_id.is_empty());
        }
        Ok(Event::QuestionApprove(e) | Event::QuestionPin(e) | Event::QuestionWithdraw(e)) => {
            sender(&e.sender)
        }
        Ok(Event::QuestionDismiss(e)) => {
            sender(&e.action.sender);
            if let Some(r) = &e.reason {
                assert!(!r.is_empty() && r.trim() == r && r.chars().count() <= limits.max_message_chars);
            }
        }
        Ok(Event::QuestionUnpin(e)) => sender(&e.sender),
        Ok(Event::QuestionEdit(e)) => {
            sender(&e.action.sender);
            assert!(!e.msg.is_empty() && e.msg.trim() == e.msg);
            assert!(e.msg.chars().count() <= limits.max_message_chars);
        }
        Ok(Event::PollCreate(e)) => {
            sender(&e.sender);
            assert!(!e.question.is_empty() && e.question.chars().count() <= limits.max_message_chars);
            assert!((2..=liboo_chat_events::MAX_POLL_OPTIONS).contains(&e.options.len()));
            for (i, o) in e.options.iter().enumerate() {
                assert!(!o.is_empty() && o.chars().count() <= liboo_chat_events::MAX_POLL_OPTION_CHARS);
                assert!(!e.options[..i].contains(o), "options are distinct");
            }
        }
        Ok(Event::PollOpen(e) | Event::PollClose(e)) => sender(&e.sender),
        Ok(Event::PollVote(e)) => {
            sender(&e.action.sender);
            assert!(!e.options.is_empty());
            assert!(e.options.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
            assert!(e.options.iter().all(|i| *i < liboo_chat_events::MAX_POLL_OPTIONS));
        }
        Err(r) => {
            assert!(matches!(r.code, 400 | 406), "{r:?}");
            assert!(!r.message.is_empty());
        }
    }
}

/// Host thumbnails. An input that starts with `data:` is a data URL, as `/host/update` gets
/// it; anything else is the image's bytes. Whatever is accepted comes out as a JPEG.
pub fn run_thumbnail(data: &[u8]) {
    let bytes = if data.starts_with(b"data:") {
        let Ok(url) = std::str::from_utf8(data) else {
            return;
        };
        match liboo_thumbnail::decode_data_url(url) {
            Ok(bytes) => bytes,
            Err(_) => return,
        }
    } else {
        data.to_vec()
    };
    if let Ok(t) = liboo_thumbnail::reencode(&bytes) {
        assert!(t.jpeg.starts_with(&[0xff, 0xd8]), "not a JPEG");
        assert_eq!(t.digest.len(), 16);
    }
}

/// `liboo_schedule::parse`, on a schedule.xml or schedule.json as an organiser uploads it
/// (a file whose talks need a zone is read again with one, as the import form would be
/// filled in). Whatever imports must keep the importer's promises: positive lengths, unique
/// keys, every talk in a listed room. And its JSON and XML exports must import again to the
/// same talks (keys, starts, rooms; XML keeps lengths to the second), which is what lets an
/// organiser move a schedule out of liboo and back.
pub fn run_schedule_parse(data: &[u8]) {
    use liboo_schedule::{ImportOptions, ScheduleError, export, parse};

    let mut options = ImportOptions::default();
    let schedule = match parse(data, None, &options) {
        Err(ScheduleError::NoTimeZone) => {
            options.time_zone = Some("Europe/Brussels".to_owned());
            parse(data, None, &options)
        }
        other => other,
    };
    let Ok(s) = schedule else {
        return;
    };
    let mut keys = std::collections::HashSet::new();
    for t in &s.talks {
        assert!(t.duration_ms > 0, "{t:?}");
        assert!(keys.insert(t.key.as_str()), "duplicate key {:?}", t.key);
        assert!(
            s.rooms.iter().any(|r| r.key == t.room),
            "room {:?} not listed",
            t.room
        );
        assert!(!t.title.is_empty() && !t.day.is_empty(), "{t:?}");
    }
    assert!(s.talks.len() <= liboo_schedule::MAX_TALKS);
    assert!(s.rooms.len() <= liboo_schedule::MAX_ROOMS);

    for line in export::ical(&s, "https://liboo.example").split_terminator("\r\n") {
        assert!(line.len() <= 75, "iCalendar line of {} octets", line.len());
    }
    for (exported, exact) in [(export::json(&s), true), (export::xml(&s), false)] {
        let back = match parse(exported.as_bytes(), None, &options) {
            Ok(back) => back,
            Err(e) => panic!("the export does not import: {e}\n{exported}"),
        };
        assert_eq!(back.talks.len(), s.talks.len());
        let by_key: std::collections::HashMap<&str, &liboo_schedule::Talk> =
            back.talks.iter().map(|b| (b.key.as_str(), b)).collect();
        for t in &s.talks {
            let b = by_key.get(t.key.as_str()).expect("talk kept");
            assert_eq!(
                (b.start_ms, &b.room, &b.title),
                (t.start_ms, &t.room, &t.title)
            );
            let slack = if exact { 0 } else { 999 };
            assert!(
                (b.duration_ms - t.duration_ms).abs() <= slack,
                "{} ms became {} ms",
                t.duration_ms,
                b.duration_ms
            );
        }
    }
}
