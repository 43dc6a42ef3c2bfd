//! The low-latency path with real peers: the FLV fixture through the CMAF segmenter; every
//! part within the part target, segments opening on keyframes and made of their parts, a
//! discontinuity that continues the timeline, and ffmpeg decoding the result to the frame.

#[path = "../../mpegts/tests/support/probe.rs"]
mod probe;

use std::process::Command;

use bytes::Bytes;
use flv::{AacPacket, AudioTag, FlvReader, Limits, TagType, VideoPacket, VideoTag};
use hls::{CmafConfig, CmafEvent, CmafSegmenter, Playlist, PlaylistEntry};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/testsrc.flv"
);

/// Feeds the fixture `times` times (each after a discontinuity) and returns the events.
fn run(config: CmafConfig, times: usize) -> Vec<CmafEvent> {
    let limits = Limits::default();
    let (_, tags) = FlvReader::read_all(&std::fs::read(FIXTURE).unwrap(), limits).unwrap();
    let mut segmenter = CmafSegmenter::new(config);
    let mut out = Vec::new();
    for round in 0..times {
        if round > 0 {
            segmenter.mark_discontinuity(&mut out);
        }
        for tag in &tags {
            let ts = i64::from(tag.timestamp);
            match tag.tag_type {
                TagType::Video => match VideoTag::parse(tag.body.clone(), &limits).unwrap() {
                    VideoTag {
                        packet: VideoPacket::SequenceHeader(c),
                        ..
                    } => {
                        let sps = flv::parse_sps(&c.sps[0]).unwrap();
                        segmenter.set_video_config(tag.body.slice(5..), sps.width, sps.height);
                    }
                    VideoTag {
                        frame_type,
                        packet:
                            VideoPacket::Nalus {
                                composition_time,
                                data,
                            },
                    } => segmenter.push_video(
                        ts,
                        composition_time,
                        frame_type.is_keyframe(),
                        data,
                        &mut out,
                    ),
                    _ => {}
                },
                TagType::Audio => match AudioTag::parse(tag.body.clone()).unwrap().packet {
                    AacPacket::SequenceHeader(asc) => segmenter.set_audio_config(
                        tag.body.slice(2..),
                        asc.sampling_frequency,
                        u16::from(asc.channel_configuration),
                    ),
                    AacPacket::Raw(raw) => segmenter.push_audio(ts, raw),
                },
                _ => {}
            }
        }
    }
    segmenter.finish(&mut out);
    out
}

#[test]
fn parts_and_segments_follow_the_rules() {
    let config = CmafConfig::default();
    let events = run(config, 2);
    assert!(matches!(events[0], CmafEvent::Init { version: 0, .. }));
    let mut parts: Vec<Bytes> = Vec::new();
    let mut part_ms = 0;
    let mut next_sequence = 0;
    let mut end_ms = None;
    let mut total_ms = 0;
    let mut discontinuities = 0;
    for event in &events {
        match event {
            CmafEvent::Init { version, .. } => {
                assert_eq!(*version, 0, "same codec config: one init")
            }
            CmafEvent::Part {
                segment,
                index,
                duration_ms,
                independent,
                data,
            } => {
                assert_eq!(*segment, next_sequence);
                assert_eq!(*index as usize, parts.len());
                assert!(
                    *duration_ms <= config.part_target_ms,
                    "part {segment}.{index} lasts {duration_ms} ms"
                );
                if *index == 0 {
                    assert!(independent, "segment {segment} opens on a keyframe");
                }
                parts.push(data.clone());
                part_ms += duration_ms;
            }
            CmafEvent::Segment {
                sequence,
                start_ms,
                duration_ms,
                discontinuity,
                data,
                ..
            } => {
                assert_eq!(*sequence, next_sequence);
                assert_eq!(*data, Bytes::from(parts.concat()), "segment = its parts");
                assert_eq!(*duration_ms, part_ms);
                if let Some(end) = end_ms {
                    assert_eq!(*start_ms, end, "the timeline goes on across segments");
                }
                discontinuities += usize::from(*discontinuity);
                end_ms = Some(start_ms + duration_ms);
                total_ms += duration_ms;
                next_sequence += 1;
                parts.clear();
                part_ms = 0;
            }
        }
    }
    assert!(parts.is_empty(), "every part is in a segment");
    assert_eq!(discontinuities, 1);
    // Two rounds of 180 frames at 30 fps: 12 s, give or take a frame.
    assert!((total_ms - 12_000).abs() <= 34, "{total_ms} ms");
}

#[test]
fn the_stream_decodes_to_the_frame() {
    let dir = probe::temp_dir("hls-cmaf");
    let config = CmafConfig::default();
    let events = run(config, 1);
    let target = config.segments.playlist_target_duration();
    let mut vod = Playlist::vod(target);
    for event in events {
        match event {
            CmafEvent::Init { version, data } => {
                std::fs::write(dir.join(format!("init{version}.mp4")), &data).unwrap();
            }
            CmafEvent::Part { .. } => {}
            CmafEvent::Segment {
                sequence,
                duration_ms,
                discontinuity,
                data,
                ..
            } => {
                let uri = format!("seg{sequence:05}.m4s");
                std::fs::write(dir.join(&uri), &data).unwrap();
                vod.push(PlaylistEntry {
                    sequence,
                    duration_ms,
                    uri,
                    discontinuity,
                    map: (sequence == 0).then(|| "init0.mp4".to_owned()),
                    ..PlaylistEntry::default()
                })
                .unwrap();
            }
        }
    }
    let playlist = dir.join("replay.m3u8");
    std::fs::write(&playlist, vod.render("")).unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-show_entries"])
        .args(["stream=codec_name,nb_read_frames", "-of", "csv=p=0"])
        .arg(&playlist)
        .output()
        .expect("ffprobe is needed for this test; scripts/test-deps installs it");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("h264,180"), "every video frame: {text}");
    assert!(text.contains("aac,"), "{text}");
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&playlist)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        decoded.status.success() && decoded.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
}
