//! Chunk stream byte vectors: one table drives the reader (all at once and byte by byte) and,
//! where the bytes are what liboo itself would send, the writer.

use bytes::{Bytes, BytesMut};
use rtmp::Error;
use rtmp::chunk::{ChunkReader, ChunkWriter, RawMessage, ReaderLimits};

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    messages: Vec<RawMessage>,
    /// Whether `ChunkWriter` produces exactly `bytes` from `messages`.
    writer_matches: bool,
}

fn msg(csid: u32, timestamp: u32, type_id: u8, stream_id: u32, payload: &[u8]) -> RawMessage {
    RawMessage {
        csid,
        timestamp,
        type_id,
        stream_id,
        payload: Bytes::copy_from_slice(payload),
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn cases() -> Vec<Case> {
    let p200: Vec<u8> = (0..200).map(|i| i as u8).collect();
    let p130 = vec![0xAB; 130];
    let p140 = vec![0xAB; 140];
    vec![
        Case {
            name: "type 0, one chunk",
            bytes: cat(&[
                &[0x03],             // fmt 0, csid 3
                &[0x00, 0x03, 0xE8], // timestamp 1000
                &[0x00, 0x00, 0x04], // length 4
                &[0x14],             // type 20, AMF0 command
                &[0, 0, 0, 0],       // message stream id 0, little endian
                &[1, 2, 3, 4],
            ]),
            messages: vec![msg(3, 1000, 20, 0, &[1, 2, 3, 4])],
            writer_matches: true,
        },
        Case {
            name: "type 0 then type 3 continuation at chunk size 128",
            bytes: cat(&[
                &[0x06, 0, 0, 0, 0, 0, 200, 0x09, 1, 0, 0, 0],
                &p200[..128],
                &[0xC6], // fmt 3, csid 6
                &p200[128..],
            ]),
            messages: vec![msg(6, 0, 9, 1, &p200)],
            writer_matches: true,
        },
        Case {
            name: "header compression: type 0, 1, 2, 3",
            bytes: cat(&[
                &[0x04, 0, 0, 0, 0, 0, 2, 0x08, 1, 0, 0, 0, 0xAA, 0xBB], // ts 0
                &[0x44, 0, 0, 23, 0, 0, 3, 0x08, 1, 2, 3],               // fmt 1: delta 23, len 3
                &[0x84, 0, 0, 27, 4, 5, 6],                              // fmt 2: delta 27
                &[0xC4, 7, 8, 9],                                        // fmt 3: delta 27 again
            ]),
            messages: vec![
                msg(4, 0, 8, 1, &[0xAA, 0xBB]),
                msg(4, 23, 8, 1, &[1, 2, 3]),
                msg(4, 50, 8, 1, &[4, 5, 6]),
                msg(4, 77, 8, 1, &[7, 8, 9]),
            ],
            writer_matches: true,
        },
        Case {
            name: "extended timestamp, repeated in the type 3 continuation",
            bytes: cat(&[
                &[0x06, 0xFF, 0xFF, 0xFF, 0, 0, 130, 0x09, 1, 0, 0, 0],
                &[0x01, 0x00, 0x00, 0x00], // extended timestamp 2^24
                &p130[..128],
                &[0xC6, 0x01, 0x00, 0x00, 0x00], // fmt 3 repeats it
                &p130[128..],
            ]),
            messages: vec![msg(6, 0x0100_0000, 9, 1, &p130)],
            writer_matches: true,
        },
        Case {
            name: "extended timestamp left out of the continuation",
            bytes: cat(&[
                &[0x06, 0xFF, 0xFF, 0xFF, 0, 0, 140, 0x09, 1, 0, 0, 0],
                &[0x01, 0x00, 0x00, 0x00],
                &p140[..128],
                &[0xC6], // no extended timestamp
                &p140[128..],
            ]),
            messages: vec![msg(6, 0x0100_0000, 9, 1, &p140)],
            writer_matches: false,
        },
        Case {
            name: "type 3 new message after an extended type 0 adds the field again",
            bytes: cat(&[
                &[
                    0x05, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0x12, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x05,
                ],
                &[0xC5, 0x01, 0, 0, 0, 0x06],
            ]),
            messages: vec![
                msg(5, 0x0100_0000, 18, 0, &[5]),
                msg(5, 0x0200_0000, 18, 0, &[6]),
            ],
            writer_matches: false,
        },
        Case {
            name: "type 1 with an extended delta",
            bytes: cat(&[
                &[0x07, 0, 0, 10, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xAF],
                &[
                    0x47, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0x09, 0x01, 0, 0, 0, 0x17, 0x00,
                ],
            ]),
            messages: vec![
                msg(7, 10, 8, 1, &[0xAF]),
                msg(7, 0x0100_000A, 9, 1, &[0x17, 0]),
            ],
            writer_matches: true,
        },
        Case {
            name: "two-byte and three-byte chunk stream ids",
            bytes: cat(&[
                &[0x00, 10, 0, 0, 1, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xAA], // csid 64 + 10
                &[0x01, 0x50, 0x01, 0, 0, 2, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xBB], // csid 64 + 0x150
            ]),
            messages: vec![msg(74, 1, 8, 1, &[0xAA]), msg(400, 2, 8, 1, &[0xBB])],
            writer_matches: true,
        },
        Case {
            name: "Set Chunk Size applies to the next chunk",
            bytes: cat(&[
                &[
                    0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x00,
                ], // 256
                &[0x06, 0, 0, 0, 0, 0, 200, 0x09, 1, 0, 0, 0],
                &p200,
            ]),
            messages: vec![msg(2, 0, 1, 0, &[0, 0, 1, 0]), msg(6, 0, 9, 1, &p200)],
            writer_matches: true,
        },
        Case {
            name: "Abort drops the partial message",
            bytes: cat(&[
                &[0x06, 0, 0, 0, 0, 0, 200, 0x09, 1, 0, 0, 0],
                &p200[..128],
                &[0x02, 0, 0, 0, 0, 0, 4, 0x02, 0, 0, 0, 0, 0, 0, 0, 6], // Abort csid 6
                &[0x06, 0, 0, 5, 0, 0, 1, 0x09, 1, 0, 0, 0, 0x42],
            ]),
            messages: vec![msg(2, 0, 2, 0, &[0, 0, 0, 6]), msg(6, 5, 9, 1, &[0x42])],
            writer_matches: false,
        },
        Case {
            name: "timestamp going backwards needs type 0",
            bytes: cat(&[
                &[0x04, 0, 0, 100, 0, 0, 1, 0x08, 1, 0, 0, 0, 1],
                &[0x04, 0, 0, 50, 0, 0, 1, 0x08, 1, 0, 0, 0, 2],
            ]),
            messages: vec![msg(4, 100, 8, 1, &[1]), msg(4, 50, 8, 1, &[2])],
            writer_matches: true,
        },
        Case {
            name: "empty message",
            bytes: vec![0x03, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0],
            messages: vec![msg(3, 0, 20, 0, &[])],
            writer_matches: true,
        },
    ]
}

fn read_all(reader: &mut ChunkReader) -> Result<Vec<RawMessage>, Error> {
    let mut out = Vec::new();
    while let Some(m) = reader.read_message()? {
        out.push(m);
    }
    Ok(out)
}

#[test]
fn table_reads_at_once() {
    for c in cases() {
        let mut r = ChunkReader::default();
        r.extend(&c.bytes);
        let got = read_all(&mut r).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(got, c.messages, "{}", c.name);
        assert_eq!(r.buffered(), 0, "{}: leftover", c.name);
    }
}

#[test]
fn table_reads_byte_by_byte() {
    for c in cases() {
        let mut r = ChunkReader::default();
        let mut got = Vec::new();
        for b in &c.bytes {
            r.extend(std::slice::from_ref(b));
            got.extend(read_all(&mut r).unwrap_or_else(|e| panic!("{}: {e}", c.name)));
        }
        assert_eq!(got, c.messages, "{}", c.name);
    }
}

#[test]
fn table_writes() {
    for c in cases().into_iter().filter(|c| c.writer_matches) {
        let mut w = ChunkWriter::new();
        let mut out = BytesMut::new();
        for m in &c.messages {
            w.write(m, &mut out);
            if m.type_id == 1 {
                w.set_chunk_size(u32::from_be_bytes(m.payload[..4].try_into().unwrap()));
            }
        }
        assert_eq!(&out[..], &c.bytes[..], "{}", c.name);
    }
}

#[test]
fn writer_round_trips_through_reader() {
    // Many messages on few chunk streams, mixed sizes and timestamps, with a large chunk size.
    let mut w = ChunkWriter::new();
    w.set_chunk_size(1000);
    let mut r = ChunkReader::default();
    r.set_chunk_size(1000).unwrap();
    let mut sent = Vec::new();
    let mut out = BytesMut::new();
    let mut ts = 0u32;
    for i in 0..300u32 {
        ts = ts.wrapping_add([0, 21, 23, 0x00FF_FFFF, 0x0100_0000, 40][i as usize % 6]);
        let len = [0, 1, 999, 1000, 1001, 5000][(i as usize / 2) % 6];
        let m = RawMessage {
            csid: 4 + i % 3,
            timestamp: ts,
            type_id: [8, 9][i as usize % 2],
            stream_id: 1,
            payload: (0..len).map(|x| (x + i) as u8).collect::<Vec<u8>>().into(),
        };
        w.write(&m, &mut out);
        sent.push(m);
    }
    r.extend(&out);
    assert_eq!(read_all(&mut r).unwrap(), sent);
}

/// `incomplete` never promises more than is still to come: fed byte by byte, every message
/// completes at least `missing` bytes after any point where it was reported incomplete, and
/// in its last chunk, once that chunk's header is in, `missing` is exact.
#[test]
fn incomplete_is_a_lower_bound() {
    let mut w = ChunkWriter::new();
    w.set_chunk_size(1000);
    let mut out = BytesMut::new();
    let lens = [1usize, 999, 1000, 1001, 5000, 40];
    for (i, len) in lens.iter().enumerate() {
        let m = RawMessage {
            csid: 4 + i as u32 % 2,
            timestamp: 40 * i as u32,
            type_id: [8, 9][i % 2],
            stream_id: 1,
            payload: vec![i as u8; *len].into(),
        };
        w.write(&m, &mut out);
    }
    let mut r = ChunkReader::default();
    r.set_chunk_size(1000).unwrap();
    let mut promised = Vec::new();
    let mut done = 0;
    for (pos, b) in out.iter().enumerate() {
        let fed = pos + 1;
        r.extend(std::slice::from_ref(b));
        let got = read_all(&mut r).unwrap();
        if !got.is_empty() {
            // One byte before the end, the last chunk's header is in: exact.
            assert_eq!(promised.last(), Some(&(fed - 1, 1)), "message {done}");
            for (at, missing) in promised.drain(..) {
                assert!(
                    at + missing <= fed,
                    "promised {missing} more at {at}, done at {fed}"
                );
            }
            done += got.len();
        }
        if let Some(inc) = r.incomplete() {
            assert_eq!(inc.type_id, [8, 9][done % 2], "at {fed}");
            promised.push((fed, inc.missing));
        }
    }
    assert_eq!(done, lens.len());
    assert_eq!(r.incomplete(), None, "nothing in progress at the end");
}

/// Each hard limit and malformed header has its own error.
#[test]
fn error_table() {
    let small = ReaderLimits {
        max_chunk_size: 4096,
        max_message_len: 1000,
        max_chunk_streams: 2,
        max_partial_bytes: 300,
    };
    let start = |csid: u8, len: u8| -> Vec<u8> { vec![csid, 0, 0, 0, 0, 0, len, 0x09, 1, 0, 0, 0] };
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        (
            "message length over the limit",
            vec![0x06, 0, 0, 0, 0x00, 0x03, 0xE9, 0x09, 1, 0, 0, 0], // length 1001
            Error::MessageTooLarge {
                csid: 6,
                length: 1001,
                limit: 1000,
            },
        ),
        (
            "chunk size over the limit",
            vec![
                0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x01,
            ],
            Error::ChunkSizeTooLarge {
                size: 4097,
                limit: 4096,
            },
        ),
        (
            "chunk size zero",
            vec![0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
            Error::InvalidChunkSize(0),
        ),
        (
            "too many chunk streams",
            [
                &[0x04, 0, 0, 0, 0, 0, 0, 0x08, 1, 0, 0, 0][..],
                &[0x05, 0, 0, 0, 0, 0, 0, 0x08, 1, 0, 0, 0],
                &[0x06, 0, 0, 0, 0, 0, 0, 0x08, 1, 0, 0, 0],
            ]
            .concat(),
            Error::TooManyChunkStreams { limit: 2 },
        ),
        (
            "partial messages over the byte limit",
            // Two 200-byte messages, each stopped after its first 128-byte chunk, then a third
            // chunk: 384 bytes held.
            [
                start(0x04, 200),
                vec![0; 128],
                start(0x05, 200),
                vec![0; 128],
                vec![0xC4],
                vec![0; 72],
            ]
            .concat(),
            Error::PartialBytesExceeded { limit: 300 },
        ),
        (
            "type 1 on an unknown chunk stream",
            vec![0x43, 0, 0, 0, 0, 0, 1, 0x14],
            Error::NoPreviousHeader { csid: 3, fmt: 1 },
        ),
        (
            "type 3 on an unknown chunk stream",
            vec![0xC3, 0],
            Error::NoPreviousHeader { csid: 3, fmt: 3 },
        ),
        (
            "type 0 in the middle of a message",
            [start(0x04, 200), vec![0; 128], start(0x04, 10)].concat(),
            Error::InterruptedMessage { csid: 4, fmt: 0 },
        ),
        (
            "short Set Chunk Size",
            vec![0x02, 0, 0, 0, 0, 0, 2, 0x01, 0, 0, 0, 0, 0, 1],
            Error::ShortPayload {
                what: "Set Chunk Size",
                len: 2,
            },
        ),
    ];
    for (name, bytes, want) in cases {
        let mut r = ChunkReader::new(small);
        r.extend(&bytes);
        assert_eq!(read_all(&mut r), Err(want), "{name}");
    }
}

#[test]
fn default_limits() {
    let l = ReaderLimits::default();
    assert_eq!(l.max_message_len, 8 << 20);
    assert_eq!(l.max_chunk_streams, 64);
    // A 9 MiB message is refused by default.
    let mut r = ChunkReader::default();
    r.extend(&[0x06, 0, 0, 0, 0x90, 0x00, 0x00, 0x09, 1, 0, 0, 0]);
    assert!(matches!(
        r.read_message(),
        Err(Error::MessageTooLarge { .. })
    ));
}
