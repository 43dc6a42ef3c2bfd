//! Runs ffprobe on a file and returns its streams and packets. Shared by the mpegts and hls
//! real-peer tests (the hls tests include this file by path).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

#[derive(Debug)]
pub struct Probe {
    /// (codec_type, codec_name) by stream index.
    pub streams: Vec<(String, String)>,
    pub packets: Vec<Packet>,
}

#[derive(Debug)]
pub struct Packet {
    pub codec_type: String,
    pub pts: Option<i64>,
    pub dts: Option<i64>,
    pub keyframe: bool,
}

/// Fails the test with a clear message when ffprobe is missing: a real-peer test that silently
/// skips would report green without having checked anything.
pub fn ffprobe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=index,codec_type,codec_name:packet=stream_index,pts,dts,flags",
        ])
        .args(["-of", "compact=p=1:nk=0"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("ffprobe is required for this test (apt-get install ffmpeg): {e}")
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "ffprobe {} failed: {stderr}",
        path.display()
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut streams: Vec<(String, String)> = Vec::new();
    let mut raw_packets = Vec::new();
    for line in text.lines() {
        let mut parts = line.split('|');
        let section = parts.next().unwrap_or_default();
        let kv: HashMap<&str, &str> = parts.filter_map(|p| p.split_once('=')).collect();
        match section {
            "stream" => {
                let index: usize = kv["index"].parse().unwrap();
                if streams.len() <= index {
                    streams.resize(index + 1, Default::default());
                }
                streams[index] = (kv["codec_type"].to_string(), kv["codec_name"].to_string());
            }
            "packet" => raw_packets.push((
                kv["stream_index"].parse::<usize>().unwrap(),
                kv["pts"].parse().ok(),
                kv["dts"].parse().ok(),
                kv["flags"].starts_with('K'),
            )),
            _ => {}
        }
    }
    let packets = raw_packets
        .into_iter()
        .map(|(i, pts, dts, keyframe)| Packet {
            codec_type: streams[i].0.clone(),
            pts,
            dts,
            keyframe,
        })
        .collect();
    Probe { streams, packets }
}

/// A fresh directory under the system temp dir, unique per process and test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("liboo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
