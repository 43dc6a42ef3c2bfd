//! Real-peer test: remux the committed FLV fixture into a transport stream and let ffprobe say
//! what it sees.

#[path = "support/probe.rs"]
mod probe;

use flv::{AacPacket, AudioTag, FlvReader, Limits, TagType, VideoPacket, VideoTag};
use mpegts::{AudioFrame, MuxerConfig, PACKET_SIZE, TsMuxer, VideoFrame};

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/testsrc.flv"
    ))
    .unwrap()
}

/// Remuxes the fixture into one TS, starting at the first video keyframe as the HLS segmenter
/// does (earlier audio is dropped so the stream opens on a random access point).
fn remux(data: &[u8]) -> Vec<u8> {
    let limits = Limits::default();
    let (_, tags) = FlvReader::read_all(data, limits).unwrap();
    let mut mux = TsMuxer::new(MuxerConfig::default());
    let mut out = Vec::new();
    mux.start_segment(&mut out);
    let (mut config, mut asc, mut started) = (None, None, false);
    for tag in tags {
        let ts = i64::from(tag.timestamp);
        match tag.tag_type {
            TagType::Video => {
                let v = VideoTag::parse(tag.body, &limits).unwrap();
                match v.packet {
                    VideoPacket::SequenceHeader(c) => {
                        mux.set_parameter_sets(c.sps.clone(), c.pps.clone());
                        config = Some(c);
                    }
                    VideoPacket::Nalus {
                        composition_time,
                        data,
                    } => {
                        let nals = config
                            .as_ref()
                            .unwrap()
                            .split_nal_units(&data, &limits)
                            .unwrap();
                        started |= v.frame_type.is_keyframe();
                        if started {
                            let frame = VideoFrame {
                                dts_ms: ts,
                                composition_time_ms: composition_time,
                                keyframe: v.frame_type.is_keyframe(),
                                nal_units: &nals,
                            };
                            mux.write_video(&frame, &mut out).unwrap();
                        }
                    }
                    _ => {}
                }
            }
            TagType::Audio => match AudioTag::parse(tag.body).unwrap().packet {
                AacPacket::SequenceHeader(a) => asc = Some(a),
                AacPacket::Raw(raw) if started => {
                    let mut adts = Vec::new();
                    asc.unwrap().write_adts(&raw, &mut adts).unwrap();
                    mux.write_audio(
                        &AudioFrame {
                            pts_ms: ts,
                            adts: &adts,
                        },
                        &mut out,
                    )
                    .unwrap();
                }
                AacPacket::Raw(_) => {}
            },
            _ => {}
        }
    }
    mux.flush(&mut out);
    out
}

#[test]
fn ffprobe_reads_h264_and_aac() {
    let ts = remux(&fixture());
    assert_eq!(ts.len() % PACKET_SIZE, 0);
    assert!(ts.chunks(PACKET_SIZE).all(|p| p[0] == 0x47));
    let dir = probe::temp_dir("mpegts-ffprobe");
    let path = dir.join("testsrc.ts");
    std::fs::write(&path, &ts).unwrap();

    let p = probe::ffprobe(&path);
    let mut codecs: Vec<_> = p.streams.iter().map(|(t, c)| format!("{t}/{c}")).collect();
    codecs.sort();
    assert_eq!(codecs, ["audio/aac", "video/h264"]);

    // ffprobe lists a video PES (unbounded length) only when the next one starts, so the first
    // packet in its output can be audio; what matters is the earliest packet in time.
    let first_video = p.packets.iter().find(|k| k.codec_type == "video").unwrap();
    assert!(first_video.keyframe, "first video packet {first_video:?}");
    let earliest = p.packets.iter().min_by_key(|k| k.dts.unwrap()).unwrap();
    assert!(
        earliest.keyframe && earliest.dts == first_video.dts,
        "earliest packet {earliest:?}"
    );
    for kind in ["video", "audio"] {
        let dts: Vec<i64> = p
            .packets
            .iter()
            .filter(|k| k.codec_type == kind)
            .map(|k| k.dts.unwrap())
            .collect();
        assert!(
            dts.windows(2).all(|w| w[0] < w[1]),
            "{kind} DTS not increasing"
        );
    }
    let video: Vec<_> = p
        .packets
        .iter()
        .filter(|k| k.codec_type == "video")
        .collect();
    assert_eq!(video.len(), 180);
    assert_eq!(video.iter().filter(|k| k.keyframe).count(), 6);
    // 30 fps: DTS step of 3000 ticks at 90 kHz, give or take FLV's millisecond rounding.
    assert!(
        video
            .windows(2)
            .all(|w| (2970..=3060).contains(&(w[1].dts.unwrap() - w[0].dts.unwrap())))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn segment_starts_with_pat_then_pmt() {
    let mut mux = TsMuxer::new(MuxerConfig::default());
    let mut out = Vec::new();
    mux.start_segment(&mut out);
    mux.start_segment(&mut out);
    let pids: Vec<u16> = out
        .chunks(PACKET_SIZE)
        .map(|p| u16::from(p[1] & 0x1f) << 8 | u16::from(p[2]))
        .collect();
    assert_eq!(pids, [0, 0x1000, 0, 0x1000]);
    // Continuity counters advance per PID across segments.
    let ccs: Vec<u8> = out.chunks(PACKET_SIZE).map(|p| p[3] & 0x0f).collect();
    assert_eq!(ccs, [0, 0, 1, 1]);
}
