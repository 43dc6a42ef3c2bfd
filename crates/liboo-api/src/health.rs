//! Advice for the host from their stream's health: what OBS settings break liboo or
//! hurt viewers, said the way the host can fix it.

use liboo_db::StreamHealth;

use crate::model::HealthWarning;

/// Keyframes further apart than this make segments (and latency) longer than they
/// should be; OBS's "auto" (0) can leave them 10 s apart.
const MAX_KEYFRAME_INTERVAL: f64 = 2.0;
/// Above this, many viewers' connections cannot keep up (and no ladder is made).
const MAX_VIDEO_BITRATE: u64 = 6_000_000;
/// A report older than this means ingest has stopped hearing from the publisher.
const STALE_AFTER_MS: i64 = 15_000;

fn warning(code: &str, message: String) -> HealthWarning {
    HealthWarning {
        code: code.to_owned(),
        message,
    }
}

pub(crate) fn warnings(h: &StreamHealth, now_ms: i64) -> Vec<HealthWarning> {
    let mut out = Vec::new();
    if now_ms - h.updated_at > STALE_AFTER_MS {
        out.push(warning(
            "stale",
            format!(
                "No report from ingest for {} s: check that OBS is still streaming.",
                (now_ms - h.updated_at) / 1000
            ),
        ));
    }
    match (h.keyframe_interval, h.since_keyframe) {
        (Some(gop), _) if gop > MAX_KEYFRAME_INTERVAL => out.push(warning(
            "keyframe_interval",
            format!(
                "Keyframes are {gop:.1} s apart: set OBS Settings > Output > Keyframe Interval to 1 or 2 s (not 0/auto)."
            ),
        )),
        (None, Some(since)) if since > MAX_KEYFRAME_INTERVAL => out.push(warning(
            "keyframe_missing",
            format!(
                "No keyframe for {since:.1} s: set OBS Settings > Output > Keyframe Interval to 1 or 2 s (not 0/auto)."
            ),
        )),
        (None, None) if h.video_bitrate > 0 => out.push(warning(
            "keyframe_missing",
            "No keyframe received yet: viewers cannot start playing. Set the keyframe interval to 1 or 2 s."
                .to_owned(),
        )),
        _ => {}
    }
    if h.video_bitrate > MAX_VIDEO_BITRATE {
        out.push(warning(
            "bitrate_high",
            format!(
                "Video at {:.1} Mbit/s is more than many viewers can receive: 2.5-4.5 Mbit/s suits 720p and 1080p.",
                h.video_bitrate as f64 / 1e6
            ),
        ));
    }
    if h.audio_codec.is_none() {
        out.push(warning(
            "audio_missing",
            "No audio: check the microphone in OBS (Audio Mixer) and that the output encodes AAC."
                .to_owned(),
        ));
    }
    if h.dropped > 0 {
        out.push(warning(
            "dropped",
            format!(
                "{} pieces of the stream were dropped because storage fell behind.",
                h.dropped
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> StreamHealth {
        StreamHealth {
            updated_at: 100_000,
            window_seconds: 5.0,
            video_codec: Some("H.264 High 3.1".to_owned()),
            width: Some(1280),
            height: Some(720),
            frame_rate: 30.0,
            video_bitrate: 2_500_000,
            keyframe_interval: Some(2.0),
            since_keyframe: Some(0.5),
            audio_codec: Some("AAC-LC 48 kHz stereo".to_owned()),
            audio_bitrate: 128_000,
            dropped: 0,
        }
    }

    #[test]
    fn warnings_table() {
        let cases: Vec<(&str, StreamHealth, i64, Vec<&str>)> = vec![
            ("all good", good(), 101_000, vec![]),
            (
                "OBS auto keyframes",
                StreamHealth {
                    keyframe_interval: Some(8.3),
                    ..good()
                },
                101_000,
                vec!["keyframe_interval"],
            ),
            (
                "one keyframe so far, long ago",
                StreamHealth {
                    keyframe_interval: None,
                    since_keyframe: Some(4.0),
                    ..good()
                },
                101_000,
                vec!["keyframe_missing"],
            ),
            (
                "no keyframe at all",
                StreamHealth {
                    keyframe_interval: None,
                    since_keyframe: None,
                    ..good()
                },
                101_000,
                vec!["keyframe_missing"],
            ),
            (
                "too much bitrate",
                StreamHealth {
                    video_bitrate: 9_000_000,
                    ..good()
                },
                101_000,
                vec!["bitrate_high"],
            ),
            (
                "no audio",
                StreamHealth {
                    audio_codec: None,
                    audio_bitrate: 0,
                    ..good()
                },
                101_000,
                vec!["audio_missing"],
            ),
            (
                "storage behind",
                StreamHealth {
                    dropped: 3,
                    ..good()
                },
                101_000,
                vec!["dropped"],
            ),
            ("ingest silent", good(), 130_000, vec!["stale"]),
        ];
        for (name, h, now, want) in cases {
            let got: Vec<String> = warnings(&h, now).into_iter().map(|w| w.code).collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
