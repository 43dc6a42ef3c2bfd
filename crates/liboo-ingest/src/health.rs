//! What the host's studio shows about their stream: measured from the frames ingest
//! receives, reported with every heartbeat (so any API node can show it).

use flv::{AudioSpecificConfig, AvcDecoderConfig};
use liboo_db::StreamHealth;

/// Counters since the last report, and what stays between reports.
#[derive(Debug, Default)]
pub(crate) struct HealthMeter {
    video_codec: Option<String>,
    size: Option<(u32, u32)>,
    audio_codec: Option<String>,
    /// Media time of the first and last frame since the last report.
    window: Option<(i64, i64)>,
    video_frames: u64,
    video_bytes: u64,
    audio_bytes: u64,
    audio_frames: u64,
    last_keyframe_ms: Option<i64>,
    longest_gop_ms: Option<i64>,
    pub(crate) dropped: u64,
}

/// H.264 profile names by `profile_idc` (ITU-T H.264 Annex A).
fn profile_name(idc: u8) -> String {
    match idc {
        66 => "Baseline".to_owned(),
        77 => "Main".to_owned(),
        88 => "Extended".to_owned(),
        100 => "High".to_owned(),
        110 => "High 10".to_owned(),
        122 => "High 4:2:2".to_owned(),
        244 => "High 4:4:4".to_owned(),
        other => format!("profile {other}"),
    }
}

impl HealthMeter {
    /// The source's H.264 setup and its picture size (from the SPS, if it parsed).
    pub(crate) fn video_config(&mut self, avc: &AvcDecoderConfig, size: Option<(u32, u32)>) {
        let level = avc.level_indication;
        self.video_codec = Some(format!(
            "H.264 {} {}.{}",
            profile_name(avc.profile_indication),
            level / 10,
            level % 10
        ));
        self.size = size;
    }

    pub(crate) fn audio_config(&mut self, asc: &AudioSpecificConfig) {
        let kind = match asc.object_type {
            2 => "AAC-LC",
            5 => "HE-AAC",
            29 => "HE-AAC v2",
            _ => "AAC",
        };
        let channels = match asc.channel_configuration {
            1 => "mono".to_owned(),
            2 => "stereo".to_owned(),
            n => format!("{n} channels"),
        };
        let khz = f64::from(asc.sampling_frequency) / 1000.0;
        self.audio_codec = Some(format!("{kind} {khz} kHz {channels}"));
    }

    fn saw(&mut self, ts_ms: i64) {
        let (start, _) = self.window.unwrap_or((ts_ms, ts_ms));
        self.window = Some((start.min(ts_ms), ts_ms));
    }

    pub(crate) fn video_frame(&mut self, ts_ms: i64, bytes: usize, keyframe: bool) {
        self.saw(ts_ms);
        self.video_frames += 1;
        self.video_bytes += bytes as u64;
        if keyframe {
            if let Some(last) = self.last_keyframe_ms {
                let gop = ts_ms - last;
                self.longest_gop_ms = Some(self.longest_gop_ms.map_or(gop, |g| g.max(gop)));
            }
            self.last_keyframe_ms = Some(ts_ms);
        }
    }

    pub(crate) fn audio_frame(&mut self, ts_ms: i64, bytes: usize) {
        self.saw(ts_ms);
        self.audio_frames += 1;
        self.audio_bytes += bytes as u64;
    }

    /// The report for the frames since the last one; starts the next window.
    pub(crate) fn report(&mut self, now_ms: i64) -> StreamHealth {
        let (start, end) = self.window.unwrap_or((0, 0));
        let seconds = ((end - start) as f64 / 1000.0).max(0.001);
        let per_second = |n: u64| (n as f64 / seconds).round() as u64;
        let health = StreamHealth {
            updated_at: now_ms,
            window_seconds: (seconds * 1000.0).round() / 1000.0,
            video_codec: self.video_codec.clone(),
            width: self.size.map(|s| s.0),
            height: self.size.map(|s| s.1),
            frame_rate: (self.video_frames as f64 / seconds * 10.0).round() / 10.0,
            video_bitrate: per_second(self.video_bytes * 8),
            keyframe_interval: self.longest_gop_ms.map(|ms| ms as f64 / 1000.0),
            since_keyframe: self
                .last_keyframe_ms
                .map(|k| (end - k).max(0) as f64 / 1000.0),
            audio_codec: (self.audio_frames > 0)
                .then(|| self.audio_codec.clone())
                .flatten(),
            audio_bitrate: per_second(self.audio_bytes * 8),
            dropped: self.dropped,
        };
        self.window = None;
        self.video_frames = 0;
        self.video_bytes = 0;
        self.audio_frames = 0;
        self.audio_bytes = 0;
        self.longest_gop_ms = None;
        health
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_rates_and_keyframe_intervals() {
        let mut m = HealthMeter::default();
        // 4 s at 30 fps, 10 kB frames, a keyframe every 2.5 s; AAC 21.3 ms frames of 300 B.
        for i in 0..120 {
            let ts = i * 1000 / 30;
            m.video_frame(ts, 10_000, ts % 2500 < 33);
        }
        for i in 0..188 {
            m.audio_frame(i * 64 / 3, 300);
        }
        let h = m.report(1_000);
        assert!((h.frame_rate - 30.3).abs() < 0.5, "{h:?}");
        assert!(
            (h.video_bitrate as f64 - 2_420_000.0).abs() < 50_000.0,
            "{h:?}"
        );
        assert_eq!(h.keyframe_interval, Some(2.5));
        assert_eq!(h.audio_codec, None, "no AudioSpecificConfig seen");
        assert!(h.audio_bitrate > 100_000);
        // The next window starts empty.
        let empty = m.report(2_000);
        assert_eq!((empty.video_bitrate, empty.keyframe_interval), (0, None));
        assert!(empty.since_keyframe.is_some());
    }
}
