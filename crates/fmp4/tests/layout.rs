//! Box layout of init segments and fragments: which boxes, nested how, of which sizes, and the
//! bytes of the boxes whose fields players read.

use fmp4::{
    AUDIO_TRACK_ID, AacTrack, AvcTrack, Run, Sample, VIDEO_TRACK_ID, fragment, init_segment,
};

/// Boxes whose body is only child boxes, and where children start in the others that have some
/// (after the FullBox header and entry count, or after the sample entry fields).
fn children_offset(kind: &str) -> Option<usize> {
    match kind {
        "moov" | "trak" | "mdia" | "minf" | "dinf" | "stbl" | "mvex" | "moof" | "traf" => Some(0),
        "dref" | "stsd" => Some(8),
        "avc1" => Some(78),
        "mp4a" => Some(28),
        _ => None,
    }
}

/// (depth, type, size) of every box, depth first. Asserts that each box's children fill its
/// body exactly, so a wrong size anywhere fails here.
fn layout(bytes: &[u8]) -> Vec<(usize, String, usize)> {
    fn walk(bytes: &[u8], depth: usize, out: &mut Vec<(usize, String, usize)>) {
        let mut pos = 0;
        while pos < bytes.len() {
            assert!(bytes.len() - pos >= 8, "box header cut at {pos}");
            let size = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
            let kind = String::from_utf8(bytes[pos + 4..pos + 8].to_vec()).unwrap();
            assert!(
                size >= 8 && pos + size <= bytes.len(),
                "{kind} size {size} at {pos}"
            );
            out.push((depth, kind.clone(), size));
            if let Some(skip) = children_offset(&kind) {
                walk(&bytes[pos + 8 + skip..pos + size], depth + 1, out);
            }
            pos += size;
        }
    }
    let mut out = Vec::new();
    walk(bytes, 0, &mut out);
    out
}

/// The bytes of the `n`th box of type `kind` (header included), found in `layout` order.
fn find<'a>(bytes: &'a [u8], kind: &str, n: usize) -> &'a [u8] {
    fn walk<'a>(bytes: &'a [u8], kind: &str, found: &mut Vec<&'a [u8]>) {
        let mut pos = 0;
        while pos + 8 <= bytes.len() {
            let size = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
            let k = std::str::from_utf8(&bytes[pos + 4..pos + 8]).unwrap();
            let b = &bytes[pos..pos + size];
            if k == kind {
                found.push(b);
            }
            if let Some(skip) = children_offset(k) {
                walk(&b[8 + skip..], kind, found);
            }
            pos += size;
        }
    }
    let mut found = Vec::new();
    walk(bytes, kind, &mut found);
    found[n]
}

/// Expected boxes: (depth, type, size), depth first.
type Layout<'a> = Vec<(usize, &'a str, usize)>;

fn boxes(spec: &[(usize, &str, usize)]) -> Vec<(usize, String, usize)> {
    spec.iter()
        .map(|&(d, k, s)| (d, k.to_string(), s))
        .collect()
}

/// A short but well-formed AVCDecoderConfigurationRecord (17 bytes).
const AVCC: &[u8] = &[
    0x01, 0x64, 0x00, 0x1e, 0xff, // version, High, level 3.0, 4-byte lengths
    0xe1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1e, // one SPS
    0x01, 0x00, 0x02, 0x68, 0xee, // one PPS
];
/// AAC-LC, 48 kHz, stereo.
const ASC: &[u8] = &[0x11, 0x90];

fn video() -> AvcTrack<'static> {
    AvcTrack {
        width: 640,
        height: 360,
        avcc: AVCC,
    }
}

fn audio() -> AacTrack<'static> {
    AacTrack {
        sample_rate: 48_000,
        channels: 2,
        asc: ASC,
    }
}

/// The video `trak`: tkhd 92, mdhd 32, hdlr 45 ("VideoHandler\0"), vmhd 20, dinf 36,
/// stts/stsc/stco 16, stsz 20, avc1 86 + avcC (8 + 17).
const VIDEO_TRAK: &[(usize, &str, usize)] = &[
    (1, "trak", 452),
    (2, "tkhd", 92),
    (2, "mdia", 352),
    (3, "mdhd", 32),
    (3, "hdlr", 45),
    (3, "minf", 267),
    (4, "vmhd", 20),
    (4, "dinf", 36),
    (5, "dref", 28),
    (6, "url ", 12),
    (4, "stbl", 203),
    (5, "stsd", 127),
    (6, "avc1", 111),
    (7, "avcC", 25),
    (5, "stts", 16),
    (5, "stsc", 16),
    (5, "stsz", 20),
    (5, "stco", 16),
];

/// The audio `trak`: smhd 16, mp4a 36 + esds 39 (12 + ES_Descriptor 27 with a 2-byte ASC).
const AUDIO_TRAK: &[(usize, &str, usize)] = &[
    (1, "trak", 412),
    (2, "tkhd", 92),
    (2, "mdia", 312),
    (3, "mdhd", 32),
    (3, "hdlr", 45),
    (3, "minf", 227),
    (4, "smhd", 16),
    (4, "dinf", 36),
    (5, "dref", 28),
    (6, "url ", 12),
    (4, "stbl", 167),
    (5, "stsd", 91),
    (6, "mp4a", 75),
    (7, "esds", 39),
    (5, "stts", 16),
    (5, "stsc", 16),
    (5, "stsz", 20),
    (5, "stco", 16),
];

#[test]
fn init_layout_table() {
    let (v, a) = (video(), audio());
    let head = |moov: usize| vec![(0, "ftyp", 32), (0, "moov", moov), (1, "mvhd", 108)];
    let mvex = |n: usize| {
        let mut b = vec![(1, "mvex", 8 + 32 * n)];
        b.extend(std::iter::repeat_n((2, "trex", 32), n));
        b
    };
    let cases: Vec<(&str, Vec<u8>, Layout)> = vec![
        (
            "video and audio",
            init_segment(Some(&v), Some(&a)),
            [
                head(1052),
                VIDEO_TRAK.to_vec(),
                AUDIO_TRAK.to_vec(),
                mvex(2),
            ]
            .concat(),
        ),
        (
            "video only",
            init_segment(Some(&v), None),
            [head(608), VIDEO_TRAK.to_vec(), mvex(1)].concat(),
        ),
        (
            "audio only",
            init_segment(None, Some(&a)),
            [head(568), AUDIO_TRAK.to_vec(), mvex(1)].concat(),
        ),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(layout(&bytes), boxes(&want), "{name}");
    }
}

#[test]
fn init_fields() {
    let init = init_segment(Some(&video()), Some(&audio()));
    let cases: Vec<(&str, &[u8], &[u8])> = vec![
        (
            "ftyp: major iso6, minor 0, compatible brands",
            find(&init, "ftyp", 0),
            b"\0\0\0\x20ftypiso6\0\0\0\0iso6cmfcisommp41",
        ),
        (
            "mvhd next_track_ID 3",
            &find(&init, "mvhd", 0)[104..],
            &[0, 0, 0, 3],
        ),
        (
            "video tkhd: flags enabled|in_movie, track 1",
            &find(&init, "tkhd", 0)[8..24],
            &[0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ),
        (
            "video tkhd: 640x360 in 16.16",
            &find(&init, "tkhd", 0)[84..],
            &[0x02, 0x80, 0, 0, 0x01, 0x68, 0, 0],
        ),
        (
            "audio tkhd: track 2",
            &find(&init, "tkhd", 1)[20..24],
            &[0, 0, 0, 2],
        ),
        (
            "audio tkhd: volume 1.0",
            &find(&init, "tkhd", 1)[44..46],
            &[0x01, 0x00],
        ),
        (
            "video mdhd: timescale 90000, language und",
            &find(&init, "mdhd", 0)[20..30],
            &[0, 1, 0x5f, 0x90, 0, 0, 0, 0, 0x55, 0xc4],
        ),
        (
            "audio mdhd: timescale 48000",
            &find(&init, "mdhd", 1)[20..24],
            &[0, 0, 0xbb, 0x80],
        ),
        ("video hdlr", &find(&init, "hdlr", 0)[16..20], b"vide"),
        ("audio hdlr", &find(&init, "hdlr", 1)[16..20], b"soun"),
        (
            "avc1: data_reference_index 1, 640x360, 72 dpi, one frame",
            &find(&init, "avc1", 0)[8..50],
            &[
                0, 0, 0, 0, 0, 0, 0, 1, // reserved, data_reference_index
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // pre_defined, reserved
                0x02, 0x80, 0x01, 0x68, // width, height
                0, 0x48, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, // resolutions, reserved
                0, 1, // frame_count
            ],
        ),
        (
            "avcC carries the record as is",
            &find(&init, "avcC", 0)[8..],
            AVCC,
        ),
        (
            "mp4a: 2 channels, 16 bits, 48000 Hz in 16.16",
            &find(&init, "mp4a", 0)[24..44],
            &[
                0, 2, 0, 16, 0, 0, 0, 0, 0xbb, 0x80, 0, 0, 0, 0, 0, 39, b'e', b's', b'd', b's',
            ],
        ),
        (
            "esds",
            &find(&init, "esds", 0)[8..],
            &[
                0, 0, 0, 0, // version, flags
                0x03, 25, 0, 0, 0, // ES_Descriptor: ES_ID 0, flags 0
                0x04, 17, 0x40, 0x15, // DecoderConfigDescriptor: AAC, audio stream
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // bufferSizeDB, max and avg bitrate
                0x05, 2, 0x11, 0x90, // DecoderSpecificInfo: the ASC
                0x06, 1, 0x02, // SLConfigDescriptor: predefined for MP4
            ],
        ),
        (
            "trex for track 2: sample description 1",
            &find(&init, "trex", 1)[12..],
            &[0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn init_sample_rate_above_16_bits() {
    let hi = AacTrack {
        sample_rate: 96_000,
        ..audio()
    };
    let init = init_segment(None, Some(&hi));
    // The 16.16 field cannot say 96000; the mdhd timescale and the ASC do.
    assert_eq!(&find(&init, "mp4a", 0)[32..36], &[0, 0, 0, 0]);
    assert_eq!(&find(&init, "mdhd", 0)[20..24], &96_000u32.to_be_bytes());
}

const V0: &[u8] = &[0, 0, 0, 1, 0x65]; // one IDR NAL unit
const V1: &[u8] = &[0, 0, 0, 1, 0x41]; // one non-IDR NAL unit
const A0: &[u8] = &[0x21, 0x10, 0x04, 0x60];

#[test]
fn fragment_layout_table() {
    let video = [
        Sample {
            duration: 3000,
            composition_offset: 6000,
            keyframe: true,
            data: V0,
        },
        Sample {
            duration: 3000,
            composition_offset: -3000,
            keyframe: false,
            data: V1,
        },
    ];
    let audio = [Sample {
        duration: 1024,
        composition_offset: 0,
        keyframe: false,
        data: A0,
    }];
    let run = |track_id, samples| Run {
        track_id,
        base_decode_time: 0,
        samples,
    };
    // traf: 8 + tfhd 16 + tfdt 20 + trun (20 + 16 per video sample or 12 per audio sample)
    let traf = |trun: usize| {
        vec![
            (1, "traf", 44 + trun),
            (2, "tfhd", 16),
            (2, "tfdt", 20),
            (2, "trun", trun),
        ]
    };
    let cases: Vec<(&str, Vec<Run>, Layout)> = vec![
        (
            "video and audio, an empty run left out",
            vec![
                run(VIDEO_TRACK_ID, &video),
                run(AUDIO_TRACK_ID, &[]),
                run(AUDIO_TRACK_ID, &audio),
            ],
            [
                vec![(0, "moof", 196), (1, "mfhd", 16)],
                traf(52),
                traf(32),
                vec![(0, "mdat", 8 + 5 + 5 + 4)],
            ]
            .concat(),
        ),
        (
            "audio first keeps its order",
            vec![
                run(AUDIO_TRACK_ID, &audio),
                run(VIDEO_TRACK_ID, &video[1..]),
            ],
            [
                vec![(0, "moof", 24 + 76 + 80), (1, "mfhd", 16)],
                traf(32),
                traf(36),
                vec![(0, "mdat", 8 + 4 + 5)],
            ]
            .concat(),
        ),
        (
            "no samples at all",
            vec![run(VIDEO_TRACK_ID, &[])],
            vec![(0, "moof", 24), (1, "mfhd", 16), (0, "mdat", 8)],
        ),
    ];
    for (name, runs, want) in cases {
        assert_eq!(layout(&fragment(1, &runs)), boxes(&want), "{name}");
    }
}

#[test]
fn fragment_bytes() {
    let video = [
        Sample {
            duration: 3000,
            composition_offset: 6000,
            keyframe: true,
            data: V0,
        },
        Sample {
            duration: 3003,
            composition_offset: -3000,
            keyframe: false,
            data: V1,
        },
    ];
    let audio = [Sample {
        duration: 1024,
        composition_offset: 0,
        keyframe: false, // written as sync anyway: every AAC frame is
        data: A0,
    }];
    let runs = [
        Run {
            track_id: VIDEO_TRACK_ID,
            base_decode_time: 0x1_0000_0000 + 90_000,
            samples: &video,
        },
        Run {
            track_id: AUDIO_TRACK_ID,
            base_decode_time: 48_000,
            samples: &audio,
        },
    ];
    let f = fragment(0x0102_0304, &runs);
    let cases: Vec<(&str, &[u8], &[u8])> = vec![
        (
            "mfhd sequence_number",
            find(&f, "mfhd", 0),
            &[0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 1, 2, 3, 4],
        ),
        (
            "tfhd: default-base-is-moof, track 1",
            find(&f, "tfhd", 0),
            &[
                0, 0, 0, 16, b't', b'f', b'h', b'd', 0, 0x02, 0, 0, 0, 0, 0, 1,
            ],
        ),
        (
            "tfdt version 1, 64-bit time past 2^32",
            find(&f, "tfdt", 0),
            &[
                0, 0, 0, 20, b't', b'f', b'd', b't', 1, 0, 0, 0, //
                0, 0, 0, 1, 0, 1, 0x5f, 0x90,
            ],
        ),
        (
            "video trun: version 1, all four per-sample fields",
            find(&f, "trun", 0),
            &[
                0, 0, 0, 52, b't', b'r', b'u', b'n', //
                1, 0, 0x0f, 0x01, // version 1; cto, flags, size, duration, data offset
                0, 0, 0, 2, // sample_count
                0, 0, 0, 204, // data_offset: moof 196 + mdat header 8
                0, 0, 0x0b, 0xb8, 0, 0, 0, 5, 0x02, 0, 0, 0, 0, 0, 0x17, 0x70, // sync, +6000
                0, 0, 0x0b, 0xbb, 0, 0, 0, 5, 0x01, 0x01, 0, 0, 0xff, 0xff, 0xf4,
                0x48, // -3000
            ],
        ),
        (
            "audio trun: version 0, no composition offsets, sync",
            find(&f, "trun", 1),
            &[
                0, 0, 0, 32, b't', b'r', b'u', b'n', //
                0, 0, 0x07, 0x01, // flags, size, duration, data offset
                0, 0, 0, 1, // sample_count
                0, 0, 0, 214, // data_offset: after the two video samples
                0, 0, 0x04, 0, 0, 0, 0, 4, 0x02, 0, 0, 0,
            ],
        ),
        (
            "mdat: samples in run order",
            &f[196..],
            &[
                0, 0, 0, 22, b'm', b'd', b'a', b't', //
                0, 0, 0, 1, 0x65, 0, 0, 0, 1, 0x41, 0x21, 0x10, 0x04, 0x60,
            ],
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
    // And the offsets really point at the samples.
    assert_eq!(&f[204..209], V0);
    assert_eq!(&f[214..218], A0);
}

#[test]
fn audio_with_composition_offsets_gets_them_written() {
    let s = [Sample {
        duration: 1024,
        composition_offset: -2048,
        keyframe: true,
        data: A0,
    }];
    let f = fragment(
        1,
        &[Run {
            track_id: AUDIO_TRACK_ID,
            base_decode_time: 0,
            samples: &s,
        }],
    );
    let trun = find(&f, "trun", 0);
    assert_eq!(&trun[8..12], &[1, 0, 0x0f, 0x01]);
    assert_eq!(&trun[32..36], &(-2048i32).to_be_bytes());
}
