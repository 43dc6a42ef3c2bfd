//! Render, parse and refusal cases of media playlists.

use super::*;

fn entry(sequence: u64, duration_ms: i64, discontinuity: bool) -> PlaylistEntry {
    PlaylistEntry {
        sequence,
        duration_ms,
        uri: format!("seg{sequence:05}.ts"),
        discontinuity,
        ..PlaylistEntry::default()
    }
}

fn part(uri: &str, duration_ms: i64, independent: bool) -> Part {
    Part {
        duration_ms,
        uri: uri.to_owned(),
        independent,
    }
}

#[test]
fn low_latency_lists_recent_parts_and_hints_the_next() {
    let mut p = Playlist::low_latency(2, 4, 334);
    for seq in 0..5u64 {
        for i in 0..2 {
            let uri = format!("s{seq}.{i}.m4s");
            let next = Some(if i == 0 {
                format!("s{seq}.1.m4s")
            } else {
                format!("s{}.0.m4s", seq + 1)
            });
            p.push_part(part(&uri, 334, i == 0), next);
        }
        let mut e = entry(seq, 668, false);
        e.uri = format!("s{seq}.m4s");
        if seq == 0 {
            e.map = Some("init0.mp4".to_owned());
        }
        p.push(e).unwrap();
        assert_eq!(p.position(), (Some(seq), 0));
    }
    p.push_part(part("s5.0.m4s", 334, true), Some("s5.1.m4s".to_owned()));
    assert_eq!(p.position(), (Some(4), 1));
    let want = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n\
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002\n\
        #EXT-X-PART-INF:PART-TARGET=0.334\n#EXT-X-MEDIA-SEQUENCE:1\n\
        #EXT-X-MAP:URI=\"v/init0.mp4\"\n#EXTINF:0.668,\nv/s1.m4s\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s2.0.m4s\",INDEPENDENT=YES\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s2.1.m4s\"\n#EXTINF:0.668,\nv/s2.m4s\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s3.0.m4s\",INDEPENDENT=YES\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s3.1.m4s\"\n#EXTINF:0.668,\nv/s3.m4s\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s4.0.m4s\",INDEPENDENT=YES\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s4.1.m4s\"\n#EXTINF:0.668,\nv/s4.m4s\n\
        #EXT-X-PART:DURATION=0.334,URI=\"v/s5.0.m4s\",INDEPENDENT=YES\n\
        #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"v/s5.1.m4s\"\n";
    assert_eq!(p.render("v/"), want);
    // Read back (as a salvage would), the map and segments survive; parts need not.
    let back = Playlist::parse(&p.render("")).unwrap();
    let first = back.entries().next().unwrap();
    assert_eq!(first.map.as_deref(), Some("init0.mp4"));
    assert_eq!(back.entries().count(), 4);
    assert_eq!(p.last_part(), Some((5, Some(0))));
    let reports = [RenditionReport {
        uri: "../240p/index.m3u8".to_owned(),
        last_msn: 5,
        last_part: Some(0),
    }];
    let with_reports = p.render_with("", &reports);
    assert!(
        with_reports.ends_with(
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s5.1.m4s\"\n\
         #EXT-X-RENDITION-REPORT:URI=\"../240p/index.m3u8\",LAST-MSN=5,LAST-PART=0\n"
        ),
        "{with_reports}"
    );
    p.finish();
    assert_eq!(p.last_part(), Some((4, Some(1))));
    assert!(!p.render_with("", &reports).contains("RENDITION-REPORT"));
    let ended = p.render("");
    assert!(ended.ends_with("s4.m4s\n#EXT-X-ENDLIST\n"), "{ended}");
    assert!(!ended.contains("PRELOAD-HINT"));
}

#[test]
fn discarded_parts_are_not_listed_or_given_to_the_next_segment() {
    let mut p = Playlist::low_latency(2, 4, 334);
    p.push_part(part("s0.0.m4s", 334, true), Some("s0.1.m4s".to_owned()));
    p.discard_parts();
    assert_eq!(p.position(), (None, 0));
    let text = p.render("");
    assert!(
        !text.contains("#EXT-X-PART:") && !text.contains("PRELOAD-HINT"),
        "{text}"
    );
    let mut e = entry(0, 668, true);
    e.uri = "s1.m4s".to_owned();
    p.push(e).unwrap();
    assert!(p.entries().next().unwrap().parts.is_empty());
}

#[test]
fn render_table() {
    let with_pdt = |mut e: PlaylistEntry, ms| {
        e.program_date_time_ms = Some(ms);
        e
    };
    type Case = (
        &'static str,
        Playlist,
        Vec<PlaylistEntry>,
        bool,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "empty live playlist",
            Playlist::live(3, 6),
            vec![],
            false,
            "",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n",
        ),
        (
            "live, two segments with program date time",
            Playlist::live(3, 6),
            vec![
                with_pdt(entry(1, 2000, false), 1_764_150_000_000),
                with_pdt(entry(2, 2033, false), 1_764_150_002_000),
            ],
            false,
            "",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:1\n\
             #EXT-X-PROGRAM-DATE-TIME:2025-11-26T09:40:00.000Z\n#EXTINF:2.000,\nseg00001.ts\n\
             #EXT-X-PROGRAM-DATE-TIME:2025-11-26T09:40:02.000Z\n#EXTINF:2.033,\nseg00002.ts\n",
        ),
        (
            "window of 3 slides; the discontinuity that left is counted, the one inside is tagged",
            Playlist::live(3, 3),
            vec![
                entry(0, 2000, false),
                entry(1, 2000, true),
                entry(2, 2000, false),
                entry(3, 1500, true),
                entry(4, 2000, false),
            ],
            false,
            "",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:2\n\
             #EXT-X-DISCONTINUITY-SEQUENCE:1\n\
             #EXTINF:2.000,\nseg00002.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.500,\nseg00003.ts\n\
             #EXTINF:2.000,\nseg00004.ts\n",
        ),
        (
            "finished live playlist with a URI prefix",
            Playlist::live(3, 6),
            vec![entry(7, 999, false)],
            true,
            "b/42/",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:7\n\
             #EXTINF:0.999,\nb/42/seg00007.ts\n#EXT-X-ENDLIST\n",
        ),
        (
            "VOD keeps every segment",
            Playlist::vod(3),
            (0..4).map(|i| entry(i, 2000 + i as i64, i == 2)).collect(),
            false,
            "",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:3\n\
             #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\nseg00000.ts\n#EXTINF:2.001,\nseg00001.ts\n\
             #EXT-X-DISCONTINUITY\n#EXTINF:2.002,\nseg00002.ts\n#EXTINF:2.003,\nseg00003.ts\n\
             #EXT-X-ENDLIST\n",
        ),
    ];
    for (name, mut playlist, entries, finish, prefix, want) in cases {
        for e in entries {
            playlist.push(e).unwrap();
        }
        if finish {
            playlist.finish();
        }
        assert_eq!(playlist.render(prefix), want, "{name}");
    }
}

#[test]
fn event_grows_then_becomes_vod() {
    let mut p = Playlist::event(3);
    p.push(entry(0, 2000, false)).unwrap();
    assert!(p.render("").contains("#EXT-X-PLAYLIST-TYPE:EVENT\n"));
    assert!(!p.render("").contains("ENDLIST"));
    p.finish();
    p.push(entry(1, 1000, false)).unwrap();
    let text = p.render("");
    assert!(text.contains("#EXT-X-PLAYLIST-TYPE:VOD\n"));
    assert!(text.ends_with("seg00001.ts\n#EXT-X-ENDLIST\n"));
}

#[test]
fn parse_reads_back_what_render_writes() {
    let with_pdt = |mut e: PlaylistEntry, ms| {
        e.program_date_time_ms = Some(ms);
        e
    };
    let mut live = Playlist::live(3, 3);
    let mut event = Playlist::event(2);
    for i in 0..5 {
        let e = with_pdt(
            entry(i, 1900 + i as i64, i == 1 || i == 4),
            1_764_150_000_123 + 2000 * i as i64,
        );
        live.push(e.clone()).unwrap();
        event.push(e).unwrap();
    }
    let mut ended = live.clone();
    ended.finish();
    for (name, p, prefix) in [
        ("live window", live, ""),
        ("event", event.clone(), ""),
        ("ended live, prefixed", ended, "v1/"),
    ] {
        let text = p.render(prefix);
        let back = Playlist::parse(&text).unwrap();
        assert_eq!(back.render(""), text, "{name}");
    }
    let mut vod = event;
    vod.finish();
    let back = Playlist::parse(&vod.render("")).unwrap();
    assert!(back.is_ended());
    assert_eq!(back.next_sequence(), Some(5));
}

#[test]
fn parse_refusals_table() {
    let cases: &[(&str, &str, ParseError)] = &[
        ("empty", "", ParseError::NotAPlaylist),
        (
            "no header",
            "#EXTINF:1.0,\na.ts\n",
            ParseError::NotAPlaylist,
        ),
        (
            "no target",
            "#EXTM3U\n#EXTINF:1.000,\na.ts\n",
            ParseError::BadTag("TARGETDURATION"),
        ),
        (
            "uri alone",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n",
            ParseError::UriWithoutExtinf,
        ),
        (
            "bad extinf",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:x,\na.ts\n",
            ParseError::BadTag("EXTINF"),
        ),
        (
            "negative",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1.0,\na.ts\n",
            ParseError::BadTag("EXTINF"),
        ),
        (
            "bad date",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n",
            ParseError::BadTag("PROGRAM-DATE-TIME"),
        ),
        (
            "over target",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:9.000,\na.ts\n",
            ParseError::Invalid(PlaylistError::ExceedsTargetDuration {
                duration_ms: 9000,
                target: 2,
            }),
        ),
        (
            "sequence overflow",
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:18446744073709551615\n#EXTINF:1.0,\na.ts\n#EXTINF:1.0,\nb.ts\n",
            ParseError::BadTag("MEDIA-SEQUENCE"),
        ),
    ];
    for (name, text, want) in cases {
        assert_eq!(Playlist::parse(text).err().as_ref(), Some(want), "{name}");
    }
}

#[test]
fn refusals_table() {
    let mut ended = Playlist::live(3, 6);
    ended.finish();
    let mut started = Playlist::live(3, 6);
    started.push(entry(4, 2000, false)).unwrap();
    let cases: Vec<(&str, Playlist, PlaylistEntry, PlaylistError)> = vec![
        (
            "3.500 s rounds to 4 > 3",
            Playlist::live(3, 6),
            entry(0, 3500, false),
            PlaylistError::ExceedsTargetDuration {
                duration_ms: 3500,
                target: 3,
            },
        ),
        (
            "sequence must follow",
            started.clone(),
            entry(6, 2000, false),
            PlaylistError::SequenceGap { last: 4, got: 6 },
        ),
        (
            "sequence never goes back",
            started,
            entry(3, 2000, false),
            PlaylistError::SequenceGap { last: 4, got: 3 },
        ),
        (
            "nothing after ENDLIST",
            ended,
            entry(0, 2000, false),
            PlaylistError::Ended,
        ),
    ];
    for (name, mut playlist, e, want) in cases {
        assert_eq!(playlist.push(e), Err(want), "{name}");
    }
    // 3.499 s still rounds to 3.
    Playlist::live(3, 6).push(entry(0, 3499, false)).unwrap();
}

#[test]
fn a_start_offset_is_written_after_the_target_duration() {
    let mut p = Playlist::vod(4);
    p.push(entry(0, 2000, false)).unwrap();
    p.set_start_offset(1500);
    let text = p.render("");
    assert!(
        text.contains("#EXT-X-TARGETDURATION:4\n#EXT-X-START:TIME-OFFSET=1.500,PRECISE=YES\n"),
        "{text}"
    );
    p.set_start_offset(0);
    assert!(!p.render("").contains("EXT-X-START"));
    // The reader skips it (a cut read back keeps its segments).
    assert_eq!(Playlist::parse(&text).unwrap().entries().count(), 1);
}
