//! The listing's cases: what is made and reported, in order, and what the playlists then
//! name and what the packager is told to do.

use super::*;

/// What happens, as the packager tells the listing.
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// A whole segment made and queued: its number, and the init version it needs
    /// (`None`: MPEG-TS).
    Seg(u64, Option<u32>),
    /// A part made and queued: its segment and index.
    SegPart(u64, u32),
    /// An init segment made and queued.
    Init(u32),
    /// A segment made, but its queue was full.
    SegQueueFull(u64),
    /// The uploader's reports, by key.
    Stored(&'static str),
    Dropped(&'static str),
    /// The uploader went away.
    UploaderGone,
}

use Ev::*;

fn seg_key(n: u64, init: Option<u32>) -> String {
    match init {
        Some(_) => layout::cmaf_segment(n),
        None => layout::ts_segment(n),
    }
}

fn segment(n: u64, init: Option<u32>) -> Made {
    Made::Segment {
        entry: PlaylistEntry {
            duration_ms: 2000,
            uri: seg_key(n, init),
            ..PlaylistEntry::default()
        },
        bytes: 1000,
        init_version: init,
        next_part: init.map(|_| layout::part(n + 1, 0)),
    }
}

/// Runs `events` through a listing (LL-HLS when `parts`, a live window of `window`) and
/// returns what each report settled, in the notation of the cases, and the listing.
fn run(events: &[Ev], parts: bool, window: usize) -> (String, Listing) {
    let mut listing = Listing::new(3, window, parts.then_some(334), "v".to_owned());
    let mut said = Vec::new();
    for event in events {
        match *event {
            Seg(n, init) => listing.made(seg_key(n, init), segment(n, init), true),
            SegQueueFull(n) => listing.made(seg_key(n, None), segment(n, None), false),
            SegPart(s, i) => listing.made(
                layout::part(s, i),
                Made::Part {
                    part: Part {
                        duration_ms: 334,
                        uri: layout::part(s, i),
                        independent: i == 0,
                    },
                    next: layout::part(s, i + 1),
                },
                true,
            ),
            Init(v) => listing.made(layout::init_segment(v), Made::Init { version: v }, true),
            Stored(key) => listing.report(key, true),
            Dropped(key) => listing.report(key, false),
            UploaderGone => listing.drop_all(),
        }
        while let Some(decisions) = listing.settle_next() {
            let words: Vec<String> = decisions
                .iter()
                .map(|d| match d {
                    Decision::Listed { .. } => "listed".to_owned(),
                    Decision::Replay => "replay".to_owned(),
                    Decision::Live => "live".to_owned(),
                    Decision::Lost => "lost".to_owned(),
                    Decision::Retire(keys) => format!("retire {}", keys.join(",")),
                })
                .collect();
            said.push(if words.is_empty() {
                "-".to_owned()
            } else {
                words.join(" ")
            });
        }
    }
    (said.join("; "), listing)
}

/// The live playlist's entries as `sequence:uri`, with `D` for a discontinuity before
/// and `[map]` for an `EXT-X-MAP`; then `+N` for the parts listed of the next segment.
fn listed(listing: &Listing) -> String {
    let mut out: Vec<String> = listing
        .live()
        .entries()
        .map(|e| {
            format!(
                "{}{}:{}{}",
                if e.discontinuity { "D" } else { "" },
                e.sequence,
                e.uri,
                e.map.as_ref().map_or(String::new(), |m| format!("[{m}]"))
            )
        })
        .collect();
    let (_, parts) = listing.live().position();
    if parts > 0 {
        out.push(format!("+{parts}"));
    }
    out.join(" ")
}

#[test]
fn listing_table() {
    // (name, LL-HLS, live window, events, what each settled object made the packager do,
    // the live playlist after)
    type Case = (
        &'static str,
        bool,
        usize,
        &'static [Ev],
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "a stored segment is listed",
            false,
            6,
            &[Seg(0, None), Stored("seg00000.ts")],
            "listed live",
            "0:seg00000.ts",
        ),
        (
            "nothing is listed before it is stored",
            false,
            6,
            &[Seg(0, None)],
            "",
            "",
        ),
        (
            "listed in the order made, whatever order the reports come in",
            false,
            6,
            &[
                Seg(0, None),
                Seg(1, None),
                Stored("seg00001.ts"),
                Stored("seg00000.ts"),
            ],
            "listed live; listed live",
            "0:seg00000.ts 1:seg00001.ts",
        ),
        (
            "a dropped segment is left out; the next starts a new timeline and takes its number",
            false,
            6,
            &[
                Seg(0, None),
                Seg(1, None),
                Seg(2, None),
                Stored("seg00000.ts"),
                Dropped("seg00001.ts"),
                Stored("seg00002.ts"),
            ],
            "listed live; lost; listed live",
            "0:seg00000.ts D1:seg00002.ts",
        ),
        (
            "a segment that found the queue full is lost at once",
            false,
            6,
            &[SegQueueFull(0), Seg(1, None), Stored("seg00001.ts")],
            "lost; listed live",
            "D0:seg00001.ts",
        ),
        (
            "the growing replay every five segments",
            false,
            6,
            &[
                Seg(0, None),
                Seg(1, None),
                Seg(2, None),
                Seg(3, None),
                Seg(4, None),
                Stored("seg00000.ts"),
                Stored("seg00001.ts"),
                Stored("seg00002.ts"),
                Stored("seg00003.ts"),
                Stored("seg00004.ts"),
            ],
            "listed live; listed live; listed live; listed live; listed replay live",
            "0:seg00000.ts 1:seg00001.ts 2:seg00002.ts 3:seg00003.ts 4:seg00004.ts",
        ),
        (
            "a small live window writes the replay more often: it must hold what the replay lacks",
            false,
            3,
            &[
                Seg(0, None),
                Seg(1, None),
                Seg(2, None),
                Stored("seg00000.ts"),
                Stored("seg00001.ts"),
                Stored("seg00002.ts"),
            ],
            "listed live; listed replay live; listed live",
            "0:seg00000.ts 1:seg00001.ts 2:seg00002.ts",
        ),
        (
            "fMP4: parts are listed as stored, the segment names its init segment",
            true,
            6,
            &[
                Init(0),
                SegPart(0, 0),
                SegPart(0, 1),
                Seg(0, Some(0)),
                Stored("init0.mp4"),
                Stored("seg00000.0.m4s"),
                Stored("seg00000.1.m4s"),
                Stored("seg00000.m4s"),
            ],
            "-; live; live; listed live",
            "0:seg00000.m4s[init0.mp4]",
        ),
        (
            "fMP4: parts of the segment being made",
            true,
            6,
            &[
                Init(0),
                SegPart(0, 0),
                SegPart(0, 1),
                Stored("init0.mp4"),
                Stored("seg00000.0.m4s"),
                Stored("seg00000.1.m4s"),
            ],
            "-; live; live",
            "+2",
        ),
        (
            "fMP4: after a lost part, the segment's later parts wait for the whole segment",
            true,
            6,
            &[
                Init(0),
                SegPart(0, 0),
                SegPart(0, 1),
                SegPart(0, 2),
                Seg(0, Some(0)),
                SegPart(1, 0),
                Stored("init0.mp4"),
                Stored("seg00000.0.m4s"),
                Dropped("seg00000.1.m4s"),
                Stored("seg00000.2.m4s"),
                Stored("seg00000.m4s"),
                Stored("seg00001.0.m4s"),
            ],
            "-; live; lost; -; listed live; live",
            "0:seg00000.m4s[init0.mp4] +1",
        ),
        (
            "fMP4: a lost segment takes its listed parts with it, and parts wait for the next whole one",
            true,
            6,
            &[
                Init(0),
                SegPart(0, 0),
                Seg(0, Some(0)),
                SegPart(1, 0),
                Seg(1, Some(0)),
                Stored("init0.mp4"),
                Stored("seg00000.0.m4s"),
                Dropped("seg00000.m4s"),
                Stored("seg00001.0.m4s"),
                Stored("seg00001.m4s"),
            ],
            "-; live; lost; -; listed live",
            "D0:seg00001.m4s[init0.mp4]",
        ),
        (
            "fMP4: a segment whose init segment was lost is not listed",
            true,
            6,
            &[
                Init(0),
                Seg(0, Some(0)),
                Init(1),
                Seg(1, Some(1)),
                Dropped("init0.mp4"),
                Stored("seg00000.m4s"),
                Stored("init1.mp4"),
                Stored("seg00001.m4s"),
            ],
            "-; lost; -; listed live",
            "D0:seg00001.m4s[init1.mp4]",
        ),
        (
            "fMP4: a new init segment is named where it changes",
            true,
            6,
            &[
                Init(0),
                Seg(0, Some(0)),
                Seg(1, Some(0)),
                Init(1),
                Seg(2, Some(1)),
                Stored("init0.mp4"),
                Stored("seg00000.m4s"),
                Stored("seg00001.m4s"),
                Stored("init1.mp4"),
                Stored("seg00002.m4s"),
            ],
            "-; listed live; listed live; -; listed live",
            "0:seg00000.m4s[init0.mp4] 1:seg00001.m4s 2:seg00002.m4s[init1.mp4]",
        ),
        (
            "the uploader gone: everything still queued is lost",
            false,
            6,
            &[Seg(0, None), Seg(1, None), UploaderGone],
            "lost; lost",
            "",
        ),
    ];
    for (name, parts, window, events, decisions, playlist) in cases {
        let (said, listing) = run(events, *parts, *window);
        assert_eq!(said, *decisions, "{name}: decisions");
        assert_eq!(listed(&listing), *playlist, "{name}: live playlist");
        assert!(listing.is_settled() || said.is_empty(), "{name}: settled");
    }
}

/// Parts stay stored [`PARTS_KEPT_FOR`] whole segments, then are retired; at the end every
/// part still stored is handed back, to go as late as it would have.
#[test]
fn parts_retire_six_segments_later_and_the_rest_at_the_end() {
    let mut events = vec![Init(0), Stored("init0.mp4")];
    let keys: Vec<(&'static str, &'static str)> = (0..8u64)
        .map(|n| {
            let part: &'static str = Box::leak(layout::part(n, 0).into_boxed_str());
            let seg: &'static str = Box::leak(layout::cmaf_segment(n).into_boxed_str());
            (part, seg)
        })
        .collect();
    for (n, (part, seg)) in keys.iter().enumerate() {
        events.extend([
            SegPart(n as u64, 0),
            Seg(n as u64, Some(0)),
            Stored(part),
            Stored(seg),
        ]);
    }
    let (said, mut listing) = run(&events, true, 6);
    let settled: Vec<&str> = said.split("; ").collect();
    // Init, then per segment: its part, then the segment.
    assert_eq!(settled.len(), 1 + 8 * 2);
    assert_eq!(
        settled[2 * 5 + 2],
        "listed live",
        "six segments keep their parts"
    );
    assert_eq!(settled[2 * 6 + 2], "listed live retire seg00000.0.m4s");
    assert_eq!(settled[2 * 7 + 2], "listed live retire seg00001.0.m4s");
    let left = listing.finish();
    assert_eq!(left.len(), 6);
    assert_eq!(left[0], "seg00002.0.m4s");
    assert!(listing.live().is_ended() && listing.vod().is_ended());
    assert_eq!(listing.duration_ms(), 8 * 2000);
}
