//! Segmenter behaviour on synthetic streams: where it cuts, what durations it reports, how it
//! handles jumps and restarts, and the playlist invariants over many generated streams.

use bytes::Bytes;
use hls::{Playlist, PlaylistEntry, SegmentComplete, Segmenter, SegmenterConfig};
use mpegts::{AudioFrame, VideoFrame};

const ADTS: [u8; 10] = [0xff, 0xf1, 0x4c, 0x80, 0x01, 0x5f, 0xfc, 1, 2, 3];

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// Video frame: timestamp, keyframe.
    V(i64, bool),
    /// Audio frame: timestamp.
    A(i64),
    Mark,
}

/// (sequence, start_ms, duration_ms, discontinuity, starts_with_keyframe)
type Seg = (u64, i64, i64, bool, bool);

fn run(events: &[Ev]) -> (Vec<SegmentComplete>, u64) {
    let mut s = Segmenter::new(SegmenterConfig::default());
    s.set_parameter_sets(
        vec![Bytes::from_static(&[0x67])],
        vec![Bytes::from_static(&[0x68])],
    );
    let key = [Bytes::from_static(&[0x65, 0x88])];
    let inter = [Bytes::from_static(&[0x41, 0x9a])];
    let mut out = Vec::new();
    for ev in events {
        let done = match *ev {
            Ev::V(ts, k) => s
                .push_video(&VideoFrame {
                    dts_ms: ts,
                    composition_time_ms: 0,
                    keyframe: k,
                    nal_units: if k { &key } else { &inter },
                })
                .unwrap(),
            Ev::A(ts) => s
                .push_audio(&AudioFrame {
                    pts_ms: ts,
                    adts: &ADTS,
                })
                .unwrap(),
            Ev::Mark => s.mark_discontinuity(),
        };
        out.extend(done);
    }
    out.extend(s.finish());
    (out, s.dropped_frames())
}

/// 25 fps video from `from` ms for `frames` frames, a keyframe every `gop` frames.
fn video(from: i64, frames: i64, gop: i64) -> Vec<Ev> {
    (0..frames)
        .map(|i| Ev::V(from + i * 40, i % gop == 0))
        .collect()
}

fn summary(segs: &[SegmentComplete]) -> Vec<Seg> {
    segs.iter()
        .map(|s| {
            (
                s.sequence,
                s.start_ms,
                s.duration_ms,
                s.discontinuity,
                s.starts_with_keyframe,
            )
        })
        .collect()
}

#[test]
fn cut_table() {
    let cases: Vec<(&str, Vec<Ev>, Vec<Seg>, u64)> = vec![
        (
            "1 s GOP, 5 s: two full segments and a 1 s tail (last frame + 40 ms)",
            video(0, 125, 25),
            vec![
                (0, 0, 2000, false, true),
                (1, 2000, 2000, false, true),
                (2, 4000, 1000, false, true),
            ],
            0,
        ),
        (
            "audio and inter frames before the first keyframe are dropped",
            [
                vec![Ev::A(0), Ev::V(0, false), Ev::A(21)],
                video(40, 50, 25),
            ]
            .concat(),
            vec![(0, 40, 2000, false, true)],
            3,
        ),
        (
            "GOP of 1.2 s: cut at the first keyframe past 2 s (2.4 s)",
            video(0, 100, 30),
            vec![(0, 0, 2400, false, true), (1, 2400, 1600, false, true)],
            0,
        ),
        (
            "one keyframe only: forced cuts at 2.52 s keep EXTINF under the 3 s target duration",
            video(0, 150, 1000),
            vec![
                (0, 0, 2520, false, true),
                (1, 2520, 2520, false, false),
                (2, 5040, 960, false, false),
            ],
            0,
        ),
        (
            "timestamps go back to 0 (encoder restart): discontinuity, timeline continues at 2000",
            [video(0, 50, 25), video(0, 50, 25)].concat(),
            vec![(0, 0, 2000, false, true), (1, 2000, 2000, true, true)],
            0,
        ),
        (
            "timestamps jump 60 s forward: discontinuity, rebased",
            [video(0, 50, 25), video(62_000, 25, 25)].concat(),
            vec![(0, 0, 2000, false, true), (1, 2000, 1000, true, true)],
            0,
        ),
        (
            "publisher came back mid-GOP: segment closed at its last frame, inter frames dropped",
            [
                video(0, 40, 25),
                vec![Ev::Mark],
                video(5000, 10, 25).into_iter().skip(1).collect(),
                video(6000, 25, 25),
            ]
            .concat(),
            vec![(0, 0, 1600, false, true), (1, 1600, 1000, true, true)],
            9,
        ),
        (
            "nothing but audio in a video stream: no segment",
            vec![Ev::A(0), Ev::A(21)],
            vec![],
            2,
        ),
    ];
    for (name, events, want, dropped) in cases {
        let (segs, got_dropped) = run(&events);
        assert_eq!(summary(&segs), want, "{name}");
        assert_eq!(got_dropped, dropped, "{name}: dropped frames");
        for s in &segs {
            assert_eq!(s.data.len() % 188, 0, "{name}");
            // Every segment opens with PAT (PID 0) then PMT (PID 0x1000).
            assert_eq!(
                (&s.data[1..3], &s.data[189..191]),
                (&[0x40, 0x00][..], &[0x50, 0x00][..]),
                "{name}"
            );
        }
    }
}

/// A small deterministic generator (64-bit LCG), so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn playlist_invariants_hold_for_generated_streams() {
    for seed in 0..200 {
        let mut rng = Lcg(seed);
        let frame_ms = [16, 17, 33, 34, 40, 50, 100][rng.next(7) as usize];
        let gop = 1 + rng.next(150) as i64;
        let mut events = Vec::new();
        let mut ts = rng.next(100_000) as i64;
        for i in 0..(200 + rng.next(800) as i64) {
            match rng.next(400) {
                0 => ts -= rng.next(50_000) as i64, // encoder restart
                1 => ts += rng.next(50_000) as i64, // network stall
                2 => events.push(Ev::Mark),
                3 => ts += rng.next(900) as i64, // a hiccup below the threshold
                _ => {}
            }
            events.push(Ev::V(ts, i % gop == 0 || rng.next(200) == 0));
            if rng.next(2) == 0 {
                events.push(Ev::A(ts + rng.next(30) as i64));
            }
            ts += frame_ms;
        }
        let (segs, _) = run(&events);
        let target = SegmenterConfig::default().playlist_target_duration();
        let mut live = Playlist::live(target, 3);
        let mut vod = Playlist::vod(target);
        let mut uri_of = std::collections::HashMap::new();
        let mut last_media_sequence = 0;
        for (i, s) in segs.iter().enumerate() {
            if i > 0 {
                let prev = &segs[i - 1];
                assert_eq!(
                    prev.start_ms + prev.duration_ms,
                    s.start_ms,
                    "seed {seed}: timeline continuous"
                );
                assert_eq!(prev.sequence + 1, s.sequence, "seed {seed}");
            }
            let entry = PlaylistEntry {
                sequence: s.sequence,
                duration_ms: s.duration_ms,
                uri: format!("seg{:05}.ts", s.sequence),
                program_date_time_ms: Some(1_764_150_000_000 + s.start_ms),
                discontinuity: s.discontinuity,
                ..PlaylistEntry::default()
            };
            // push() refuses any EXTINF that rounds above the target duration.
            live.push(entry.clone())
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            vod.push(entry).unwrap();
            assert!(
                live.media_sequence() >= last_media_sequence,
                "seed {seed}: media sequence went back"
            );
            last_media_sequence = live.media_sequence();
            // Parse the rendered text: each sequence number always names the same URI.
            let text = live.render("");
            let uris = text.lines().filter(|l| !l.starts_with('#'));
            for (seq, line) in (live.media_sequence()..).zip(uris) {
                let prev = uri_of.insert(seq, line.to_string());
                assert!(
                    prev.is_none_or(|p| p == line),
                    "seed {seed}: sequence {seq} renamed"
                );
            }
            for line in text.lines().filter_map(|l| l.strip_prefix("#EXTINF:")) {
                let secs: f64 = line.trim_end_matches(',').parse().unwrap();
                assert!(secs.round() as u32 <= target, "seed {seed}: EXTINF {secs}");
            }
        }
        assert_eq!(vod.entries().count(), segs.len());
    }
}
