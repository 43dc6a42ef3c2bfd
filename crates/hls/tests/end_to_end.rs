//! The whole path with real peers: the FLV fixture goes through flv -> segmenter (mpegts) ->
//! files and playlists in a temp dir; ffprobe checks each segment and ffmpeg plays the replay.

#[path = "../../mpegts/tests/support/probe.rs"]
mod probe;

use std::process::Command;

use flv::{AacPacket, AudioTag, FlvReader, Limits, TagType, VideoPacket, VideoTag};
use hls::{Playlist, PlaylistEntry, SegmentComplete, Segmenter, SegmenterConfig};
use mpegts::{AudioFrame, VideoFrame};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/testsrc.flv"
);
const PUBLISH_WALL_CLOCK_MS: i64 = 1_764_150_000_000;

#[test]
fn fixture_to_hls_plays_in_ffmpeg() {
    let dir = probe::temp_dir("hls-e2e");
    let limits = Limits::default();
    let (_, tags) = FlvReader::read_all(&std::fs::read(FIXTURE).unwrap(), limits).unwrap();

    let config = SegmenterConfig::default();
    let mut segmenter = Segmenter::new(config);
    let mut live = Playlist::live(config.playlist_target_duration(), 6);
    let mut vod = Playlist::vod(config.playlist_target_duration());
    let mut segments = Vec::new();
    let mut store = |seg: SegmentComplete, live: &mut Playlist, vod: &mut Playlist| {
        let uri = format!("seg{:05}.ts", seg.sequence);
        std::fs::write(dir.join(&uri), &seg.data).unwrap();
        let entry = PlaylistEntry {
            sequence: seg.sequence,
            duration_ms: seg.duration_ms,
            uri: uri.clone(),
            program_date_time_ms: Some(PUBLISH_WALL_CLOCK_MS + seg.start_ms),
            discontinuity: seg.discontinuity,
            ..PlaylistEntry::default()
        };
        live.push(entry.clone()).unwrap();
        vod.push(entry).unwrap();
        std::fs::write(dir.join("live.m3u8"), live.render("")).unwrap();
        segments.push((uri, seg.duration_ms));
    };

    let (mut avc, mut asc) = (None, None);
    let mut adts = Vec::new();
    for tag in tags {
        let ts = i64::from(tag.timestamp);
        let done = match tag.tag_type {
            TagType::Video => match VideoTag::parse(tag.body, &limits).unwrap() {
                VideoTag {
                    packet: VideoPacket::SequenceHeader(c),
                    ..
                } => {
                    segmenter.set_parameter_sets(c.sps.clone(), c.pps.clone());
                    avc = Some(c);
                    None
                }
                VideoTag {
                    frame_type,
                    packet:
                        VideoPacket::Nalus {
                            composition_time,
                            data,
                        },
                } => {
                    let nals = avc
                        .as_ref()
                        .unwrap()
                        .split_nal_units(&data, &limits)
                        .unwrap();
                    let frame = VideoFrame {
                        dts_ms: ts,
                        composition_time_ms: composition_time,
                        keyframe: frame_type.is_keyframe(),
                        nal_units: &nals,
                    };
                    segmenter.push_video(&frame).unwrap()
                }
                _ => None,
            },
            TagType::Audio => match AudioTag::parse(tag.body).unwrap().packet {
                AacPacket::SequenceHeader(a) => {
                    asc = Some(a);
                    None
                }
                AacPacket::Raw(raw) => {
                    adts.clear();
                    asc.unwrap().write_adts(&raw, &mut adts).unwrap();
                    segmenter
                        .push_audio(&AudioFrame {
                            pts_ms: ts,
                            adts: &adts,
                        })
                        .unwrap()
                }
            },
            _ => None,
        };
        if let Some(seg) = done {
            store(seg, &mut live, &mut vod);
        }
    }
    if let Some(seg) = segmenter.finish() {
        store(seg, &mut live, &mut vod);
    }
    live.finish();
    std::fs::write(dir.join("live.m3u8"), live.render("")).unwrap();
    std::fs::write(dir.join("replay.m3u8"), vod.render("")).unwrap();

    // 6 s with a keyframe every second and a 2 s target: three segments of 2 s. The last one
    // ends at its last frame plus the last frame step, which FLV's whole milliseconds make
    // 33 or 34 ms.
    let durations: Vec<i64> = segments.iter().map(|(_, d)| *d).collect();
    assert_eq!(durations.len(), 3, "{durations:?}");
    assert!(
        durations[..2] == [2000, 2000] && (1999..=2001).contains(&durations[2]),
        "{durations:?}"
    );

    for (uri, _) in &segments {
        let p = probe::ffprobe(&dir.join(uri));
        let mut codecs: Vec<_> = p.streams.iter().map(|(t, c)| format!("{t}/{c}")).collect();
        codecs.sort();
        assert_eq!(codecs, ["audio/aac", "video/h264"], "{uri}");
        let first_video = p.packets.iter().find(|k| k.codec_type == "video").unwrap();
        assert!(
            first_video.keyframe,
            "{uri}: first video frame is not a keyframe"
        );
    }

    // The EXTINF sum equals the fixture's duration within one frame (1/30 s).
    let extinf_ms: f64 = vod
        .render("")
        .lines()
        .filter_map(|l| l.strip_prefix("#EXTINF:"))
        .map(|l| l.trim_end_matches(',').parse::<f64>().unwrap() * 1000.0)
        .sum();
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=nw=1:nk=1",
            FIXTURE,
        ])
        .output()
        .expect("ffprobe is required for this test (apt-get install ffmpeg)");
    let fixture_ms = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse::<f64>()
        .unwrap()
        * 1000.0;
    assert!(
        (extinf_ms - fixture_ms).abs() <= 1000.0 / 30.0,
        "EXTINF sum {extinf_ms} ms vs fixture {fixture_ms} ms"
    );

    // ffmpeg decodes the whole replay without a complaint.
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(dir.join("replay.m3u8"))
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg is required for this test (apt-get install ffmpeg)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "ffmpeg replay failed: {stderr}"
    );

    let live_text = std::fs::read_to_string(dir.join("live.m3u8")).unwrap();
    assert!(live_text.starts_with("#EXTM3U\n") && live_text.ends_with("#EXT-X-ENDLIST\n"));
    assert!(
        live_text.contains("#EXT-X-PROGRAM-DATE-TIME:2025-11-26T09:40:00.021Z\n"),
        "{live_text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
