//! Real-peer test: remux the committed FLV fixture (640x360 H.264 at 30 fps, AAC 48 kHz stereo,
//! 6 s) into fragmented MP4, cut into low-latency parts and into whole segments, and let ffprobe
//! and ffmpeg say what they see.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use flv::{AacPacket, AudioTag, FlvReader, Limits, TagType, VideoPacket, VideoTag};
use fmp4::{
    AUDIO_TRACK_ID, AacTrack, AvcTrack, Run, Sample, VIDEO_TIMESCALE, VIDEO_TRACK_ID, fragment,
    init_segment,
};

/// Samples of one track with the decode time of each, in the track's timescale.
#[derive(Default)]
struct Track {
    decode_times: Vec<u64>,
    /// (composition offset, keyframe, bytes) of each sample.
    samples: Vec<(i32, bool, Vec<u8>)>,
}

struct Fixture {
    avcc: Vec<u8>,
    asc: Vec<u8>,
    width: u32,
    height: u32,
    sample_rate: u32,
    channels: u16,
    video: Track,
    audio: Track,
}

fn read_fixture() -> Fixture {
    read_flv(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/testsrc.flv"
        ))
        .unwrap(),
    )
}

/// Converts an FLV file as the packager would: DTS and composition time from milliseconds to
/// 90 kHz, AAC frames 1024 samples apart from the first one's time.
fn read_flv(data: &[u8]) -> Fixture {
    let limits = Limits::default();
    let (_, tags) = FlvReader::read_all(data, limits).unwrap();
    let (mut avcc, mut asc, mut size, mut audio_config) = (None, None, None, None);
    let (mut video, mut audio) = (Track::default(), Track::default());
    for tag in tags {
        match tag.tag_type {
            TagType::Video => {
                let body = tag.body.clone();
                let v = VideoTag::parse(tag.body, &limits).unwrap();
                match v.packet {
                    VideoPacket::SequenceHeader(config) => {
                        // The record itself follows the 5-byte AVC video tag header.
                        avcc = Some(body[5..].to_vec());
                        let sps = flv::parse_sps(&config.sps[0]).unwrap();
                        size = Some((sps.width, sps.height));
                    }
                    VideoPacket::Nalus {
                        composition_time,
                        data,
                    } => {
                        video.decode_times.push(u64::from(tag.timestamp) * 90);
                        video.samples.push((
                            composition_time * 90,
                            v.frame_type.is_keyframe(),
                            data.to_vec(),
                        ));
                    }
                    _ => {}
                }
            }
            TagType::Audio => {
                let body = tag.body.clone();
                match AudioTag::parse(tag.body).unwrap().packet {
                    AacPacket::SequenceHeader(a) => {
                        asc = Some(body[2..].to_vec());
                        audio_config = Some(a);
                    }
                    AacPacket::Raw(raw) => {
                        let rate = u64::from(audio_config.unwrap().sampling_frequency);
                        // Cumulative 1024 samples per AAC frame, from the first frame's time.
                        let first = audio
                            .decode_times
                            .first()
                            .copied()
                            .unwrap_or(u64::from(tag.timestamp) * rate / 1000);
                        audio
                            .decode_times
                            .push(first + 1024 * audio.samples.len() as u64);
                        audio.samples.push((0, true, raw.to_vec()));
                    }
                }
            }
            _ => {}
        }
    }
    let (width, height) = size.expect("AVC sequence header");
    let a = audio_config.expect("AAC sequence header");
    Fixture {
        avcc: avcc.unwrap(),
        asc: asc.unwrap(),
        width,
        height,
        sample_rate: a.sampling_frequency,
        channels: u16::from(a.channel_configuration),
        video,
        audio,
    }
}

impl Track {
    /// Durations from consecutive decode times; the last sample repeats the one before.
    fn durations(&self) -> Vec<u32> {
        let mut d: Vec<u32> = self
            .decode_times
            .windows(2)
            .map(|w| u32::try_from(w[1] - w[0]).unwrap())
            .collect();
        d.push(d.last().copied().unwrap_or(0));
        d
    }

    fn samples(&self) -> Vec<Sample<'_>> {
        self.samples
            .iter()
            .zip(self.durations())
            .map(|((cto, key, data), duration)| Sample {
                duration,
                composition_offset: *cto,
                keyframe: *key,
                data,
            })
            .collect()
    }

    /// Indices of the samples whose decode time falls in `[start, end)` seconds.
    fn window(&self, timescale: u32, start: f64, end: f64) -> std::ops::Range<usize> {
        let at = |s: f64| {
            let t = (s * f64::from(timescale)).round() as u64;
            self.decode_times.partition_point(|&d| d < t)
        };
        at(start)..at(end)
    }
}

impl Fixture {
    fn init(&self) -> Vec<u8> {
        init_segment(
            Some(&AvcTrack {
                width: self.width,
                height: self.height,
                avcc: &self.avcc,
            }),
            Some(&AacTrack {
                sample_rate: self.sample_rate,
                channels: self.channels,
                asc: &self.asc,
            }),
        )
    }

    /// One chunk with the samples of both tracks in `[start, end)` seconds.
    fn chunk(&self, sequence_number: u32, start: f64, end: f64) -> Vec<u8> {
        let (video, audio) = (self.video.samples(), self.audio.samples());
        let v = self.video.window(VIDEO_TIMESCALE, start, end);
        let a = self.audio.window(self.sample_rate, start, end);
        let runs = [
            Run {
                track_id: VIDEO_TRACK_ID,
                base_decode_time: self.video.decode_times.get(v.start).copied().unwrap_or(0),
                samples: &video[v],
            },
            Run {
                track_id: AUDIO_TRACK_ID,
                base_decode_time: self.audio.decode_times.get(a.start).copied().unwrap_or(0),
                samples: &audio[a],
            },
        ];
        fragment(sequence_number, &runs)
    }

    /// The init segment and chunks of `step` seconds covering the whole fixture.
    fn file(&self, step: f64) -> Vec<u8> {
        let mut out = self.init();
        let (mut start, mut seq) = (0.0, 1);
        while start < 7.0 {
            out.extend(self.chunk(seq, start, start + step));
            start += step;
            seq += 1;
        }
        out
    }
}

/// A fresh directory for one test, removed when the test passes (a failing test leaves its
/// files behind for a look).
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("liboo-fmp4-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Runs a tool, failing the test with a clear message when it is missing: a real-peer test that
/// silently skips would report green without having checked anything.
fn run(tool: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is required for this test (scripts/test-deps installs it): {e}")
    });
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{tool} {args:?} failed: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Decodes every stream of `path` with ffmpeg and returns what it printed at level error.
fn decode_errors(path: &Path) -> String {
    let (_, stderr) = run(
        "ffmpeg",
        &["-v", "error", "-i", path_str(path), "-f", "null", "-"],
    );
    stderr
}

/// `(pts, dts)` of each video packet as ffprobe reads them, in file order.
fn video_times(path: &Path) -> Vec<(i64, i64)> {
    let (stdout, stderr) = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "packet=pts,dts",
            "-of",
            "csv=p=0",
            path_str(path),
        ],
    );
    assert!(stderr.trim().is_empty(), "ffprobe: {stderr}");
    stdout
        .lines()
        .map(|l| {
            let (pts, dts) = l.split_once(',').unwrap();
            (pts.parse().unwrap(), dts.parse().unwrap())
        })
        .collect()
}

/// ffprobe's view: one map of fields per stream, and the container duration.
fn probe(path: &Path) -> (Vec<HashMap<String, String>>, f64) {
    let (stdout, stderr) = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-count_frames",
            "-show_entries",
            "stream=codec_type,codec_name,width,height,sample_rate,channels,nb_read_frames:format=duration",
            "-of",
            "compact=p=1:nk=0",
            path_str(path),
        ],
    );
    assert!(
        stderr.trim().is_empty(),
        "ffprobe {}: {stderr}",
        path.display()
    );
    let (mut streams, mut duration) = (Vec::new(), None);
    for line in stdout.lines() {
        let mut parts = line.split('|');
        let section = parts.next().unwrap_or_default();
        let kv: HashMap<String, String> = parts
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match section {
            "stream" => streams.push(kv),
            "format" => duration = kv["duration"].parse().ok(),
            _ => {}
        }
    }
    (streams, duration.expect("format duration"))
}

#[test]
fn ffprobe_reads_parts_and_segments() {
    let dir = TempDir::new("segments");
    let f = read_fixture();
    assert_eq!((f.width, f.height), (640, 360));
    // Sanity of the conversion: 30 fps is 3000 ticks at 90 kHz (FLV rounds to milliseconds).
    assert!(
        f.video
            .durations()
            .iter()
            .all(|d| (2970..=3060).contains(d))
    );
    for (name, step) in [("parts.mp4", 1.0 / 3.0), ("segments.mp4", 2.0)] {
        let path = dir.file(name, &f.file(step));
        let (streams, duration) = probe(&path);
        let by_type = |t: &str| {
            streams
                .iter()
                .find(|s| s["codec_type"] == t)
                .unwrap_or_else(|| panic!("{name}: no {t} stream in {streams:?}"))
        };
        let (v, a) = (by_type("video"), by_type("audio"));
        assert_eq!(
            (
                v["codec_name"].as_str(),
                v["width"].as_str(),
                v["height"].as_str()
            ),
            ("h264", "640", "360"),
            "{name}"
        );
        assert_eq!(
            (
                a["codec_name"].as_str(),
                a["sample_rate"].as_str(),
                a["channels"].as_str()
            ),
            ("aac", "48000", "2"),
            "{name}"
        );
        assert_eq!(
            v["nb_read_frames"],
            f.video.samples.len().to_string(),
            "{name}"
        );
        assert_eq!(
            a["nb_read_frames"],
            f.audio.samples.len().to_string(),
            "{name}"
        );
        assert!((duration - 6.0).abs() <= 0.1, "{name}: duration {duration}");
        // A full decode of both tracks: any broken sample, offset or config shows up here.
        let errors = decode_errors(&path);
        assert!(errors.trim().is_empty(), "{name}: ffmpeg says {errors}");
    }
    assert_eq!(f.video.samples.len(), 180);
}

/// A part that does not start with a keyframe (as most low-latency parts do not) is still a
/// well-formed fragment that a reader can parse after the init segment.
#[test]
fn part_starting_on_inter_frame_parses() {
    let f = read_fixture();
    let chunk = f.chunk(7, 0.5, 0.9);
    let video = f.video.window(VIDEO_TIMESCALE, 0.5, 0.9);
    assert!(
        !f.video.samples[video.start].1,
        "the part should open on an inter frame"
    );
    let dir = TempDir::new("inter");
    let path = dir.file("inter.mp4", &[f.init(), chunk].concat());
    let (stdout, stderr) = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name:packet=stream_index,flags",
            "-of",
            "compact=p=1:nk=0",
            path_str(&path),
        ],
    );
    assert!(stderr.trim().is_empty(), "ffprobe: {stderr}");
    let packets = stdout.lines().filter(|l| l.starts_with("packet")).count();
    let audio = f.audio.window(f.sample_rate, 0.5, 0.9).len();
    assert_eq!(packets, video.len() + audio, "{stdout}");
    // No packet is marked as a keyframe except audio ones.
    assert!(
        stdout
            .lines()
            .filter(|l| l.contains("stream_index=0"))
            .all(|l| !l.contains("flags=K")),
        "{stdout}"
    );
}

/// With B-frames the composition offsets matter: every video packet must come out of the MP4
/// with the presentation time it had in the FLV ffmpeg wrote (milliseconds there, 90 kHz here).
#[test]
fn b_frames_keep_their_presentation_times() {
    let dir = TempDir::new("bframes");
    let flv_path = dir.0.join("bframes.flv");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-bf",
            "2",
            "-g",
            "25",
            "-c:a",
            "aac",
            "-ac",
            "1",
            "-f",
            "flv",
            path_str(&flv_path),
        ],
    );
    let f = read_flv(&std::fs::read(&flv_path).unwrap());
    assert!(
        f.video.samples.iter().any(|s| s.0 != 0),
        "ffmpeg wrote no B-frames"
    );
    let mp4 = dir.file("bframes.mp4", &f.file(0.5));
    let want: Vec<(i64, i64)> = video_times(&flv_path)
        .into_iter()
        .map(|(pts, dts)| (pts * 90, dts * 90))
        .collect();
    assert_eq!(video_times(&mp4), want);
    let errors = decode_errors(&mp4);
    assert!(errors.trim().is_empty(), "ffmpeg says {errors}");
}
