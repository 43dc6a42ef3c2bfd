//! Reads the committed ffmpeg fixture end to end: every tag parses, the configs are what ffmpeg
//! was asked for, and every frame splits into NAL units.

use flv::{AacPacket, FlvReader, FrameType, Limits, TagType, VideoPacket};

#[test]
fn fixture_parses_completely() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/testsrc.flv"
    );
    let data = std::fs::read(path).expect("read tests/fixtures/testsrc.flv");
    let limits = Limits::default();
    let (header, tags) = FlvReader::read_all(&data, limits).unwrap();
    assert!(header.has_audio && header.has_video);

    let (mut config, mut asc) = (None, None);
    let (mut frames, mut keyframes, mut audio_frames, mut eos) = (0, 0, 0, 0);
    for tag in tags {
        match tag.tag_type {
            TagType::Video => {
                let v = flv::VideoTag::parse(tag.body, &limits).unwrap();
                match v.packet {
                    VideoPacket::SequenceHeader(c) => config = Some(c),
                    VideoPacket::Nalus { data, .. } => {
                        let c = config.as_ref().expect("sequence header before frames");
                        let nals = c.split_nal_units(&data, &limits).unwrap();
                        assert!(!nals.is_empty());
                        // An IDR slice (type 5) exactly when FLV says keyframe.
                        let idr = nals.iter().any(|n| n[0] & 0x1f == 5);
                        assert_eq!(idr, v.frame_type == FrameType::Key, "frame {frames}");
                        frames += 1;
                        keyframes += usize::from(idr);
                    }
                    // ffmpeg closes the file with an AVC end-of-sequence tag.
                    VideoPacket::EndOfSequence => eos += 1,
                    other => panic!("unexpected {other:?}"),
                }
            }
            TagType::Audio => match flv::AudioTag::parse(tag.body).unwrap().packet {
                AacPacket::SequenceHeader(a) => asc = Some(a),
                AacPacket::Raw(_) => audio_frames += 1,
            },
            _ => {}
        }
    }
    let config = config.unwrap();
    assert_eq!(
        (config.nalu_length_size, config.sps.len(), config.pps.len()),
        (4, 1, 1)
    );
    let sps = flv::parse_sps(&config.sps[0]).unwrap();
    assert_eq!(
        (sps.profile_idc, sps.width, sps.height, sps.frame_rate),
        (config.profile_indication, 640, 360, Some(30.0))
    );
    let asc = asc.unwrap();
    assert_eq!(
        (
            asc.object_type,
            asc.sampling_frequency,
            asc.channel_configuration
        ),
        (2, 48000, 2)
    );
    // 6 s at 30 fps with a keyframe every 30 frames.
    assert_eq!((frames, keyframes, eos), (180, 6, 1));
    assert!(audio_frames > 270, "{audio_frames}");
}
