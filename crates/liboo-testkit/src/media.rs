//! The media tools the tests publish and check with: ffmpeg as the publisher (OBS speaks
//! the same RTMP), ffprobe to read what liboo wrote, and the committed fixture.

use std::process::{Child, Command, Stdio};

/// The committed fixture: 6 s of 1280x720 30 fps H.264 with AAC (180 video frames), FLV.
pub const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/testsrc.flv"
);

/// Runs a media tool and returns its stdout; panics with its stderr if it fails, and
/// with where to get it if it is missing.
pub fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test ({e}); scripts/test-deps installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// ffmpeg publishing the fixture to `rtmp_url` at its pace, `loops` more times after the
/// first (-1: for ever).
pub fn publish(rtmp_url: &str, loops: i32) -> Child {
    Command::new("ffmpeg")
        .args(["-v", "error", "-re", "-stream_loop", &loops.to_string()])
        .args(["-i", FIXTURE, "-c", "copy", "-f", "flv", rtmp_url])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ffmpeg is needed for this test; scripts/test-deps installs it")
}

/// Video packets ffprobe reads from `input` (a file or a URL) in its first video stream.
pub fn video_frames(input: &str) -> u64 {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets",
            "-of",
            "csv=p=0",
            input,
        ],
    );
    // MPEG-TS files list each stream again under their program: the first count is it.
    out.split_whitespace()
        .find_map(|n| n.trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("ffprobe counted no video in {input}: {out:?}"))
}

/// The codec names of `input`'s streams (a file or a URL), sorted, each once (MPEG-TS
/// lists its streams again under their program).
pub fn codecs(input: &str) -> Vec<String> {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "csv=p=0",
            input,
        ],
    );
    let mut codecs: Vec<String> = out
        .lines()
        .map(|l| l.trim().trim_end_matches(',').to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    codecs.sort();
    codecs.dedup();
    codecs
}
