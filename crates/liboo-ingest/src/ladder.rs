//! The quality ladder: with `--transcode`, each broadcast gets lower renditions next to
//! its untouched source. One ffmpeg per rendition reads the publisher's tags as FLV on
//! stdin and writes its rendition as FLV on stdout, which goes through a packager of its
//! own into `{prefix}/{height}p/`; a master playlist lists the source and every rung.
//!
//! ffmpeg keeps the source's timestamps (`-copyts`) and keyframes (`-force_key_frames
//! source`), so every rendition is cut into segments at the same instants and players
//! switch between them cleanly. The publisher never waits on a rendition: a rendition
//! whose ffmpeg falls behind by more than its queue is stopped, and the log says why.

use std::fmt::Write as _;
use std::process::Stdio;

use bytes::Bytes;
use liboo_storage::MediaStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::IngestError;
use crate::packager::{BroadcastInfo, Packager};
use crate::playlists::LivePlaylists;

/// Where each rendition of a broadcast stands (by rung name, "" for the source): the
/// last segment and part each has listed, for rendition reports.
pub(crate) type Reports =
    std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, (u64, Option<u64>)>>>;

/// FLV chunks queued for one ffmpeg: about four seconds of a 2.5 Mbit/s source.
const QUEUE: usize = 512;

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rung {
    pub height: u32,
    pub width: u32,
    /// Video bits per second asked of x264.
    pub bitrate: u32,
}

impl Rung {
    pub(crate) fn name(&self) -> String {
        format!("{}p", self.height)
    }
}

/// The rungs below a `width`x`height` source, from the configured heights.
pub(crate) fn rungs(heights: &[u32], width: u32, height: u32) -> Vec<Rung> {
    let mut out: Vec<Rung> = heights
        .iter()
        .copied()
        .filter(|h| *h >= 144 && *h < height)
        .map(|h| {
            // Even sizes for 4:2:0, the source's aspect ratio.
            let w = ((u64::from(width) * u64::from(h) / u64::from(height.max(1))) as u32 + 1) & !1;
            Rung {
                height: h,
                width: w,
                bitrate: bitrate_for(w, h),
            }
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.height));
    out.dedup_by_key(|r| r.height);
    out
}

/// About 0.1 bit per pixel at 30 fps (2.8 Mbit/s at 720p, 1.2 at 480p, 0.7 at 360p).
fn bitrate_for(width: u32, height: u32) -> u32 {
    let pixels = u64::from(width) * u64::from(height);
    ((pixels * 3) as u32).clamp(150_000, 6_000_000)
}

/// A running rendition: its ffmpeg, and the task packaging what ffmpeg writes.
#[derive(Debug)]
pub(crate) struct Rendition {
    pub rung: Rung,
    input: Option<mpsc::Sender<Bytes>>,
    task: JoinHandle<()>,
}

/// What every rendition of a broadcast shares with its source.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub media: MediaStore,
    pub settings: crate::IngestConfig,
    pub playlists: LivePlaylists,
    /// The source's wall-clock anchor, so program date times agree.
    pub anchor_wall_ms: i64,
    pub reports: Option<Reports>,
}

impl Rendition {
    /// Starts ffmpeg for `rung`; `start` is the FLV header and the sequence headers
    /// seen so far.
    pub(crate) fn start(
        rung: Rung,
        info: BroadcastInfo,
        shared: Shared,
        start: Bytes,
    ) -> std::io::Result<Rendition> {
        let Shared {
            media,
            settings,
            playlists,
            anchor_wall_ms,
            reports,
        } = shared;
        let bitrate = rung.bitrate.to_string();
        let mut child = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
            .args(["-f", "flv", "-i", "pipe:0", "-copyts"])
            .args(["-map", "0:v:0", "-map", "0:a?"])
            .args(["-vf", &format!("scale={}:{}", rung.width, rung.height)])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-tune",
                "zerolatency",
            ])
            .args(["-profile:v", "main", "-pix_fmt", "yuv420p"])
            .args(["-force_key_frames", "source", "-sc_threshold", "0"])
            .args(["-b:v", &bitrate, "-maxrate", &bitrate])
            .args(["-bufsize", &(rung.bitrate * 2).to_string()])
            .args([
                "-c:a",
                "copy",
                "-f",
                "flv",
                "-flvflags",
                "no_duration_filesize",
            ])
            .arg("pipe:1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let (tx, mut rx) = mpsc::channel::<Bytes>(QUEUE);
        let name = rung.name();
        let rung_name = name.clone();
        let packager_settings = settings;
        let task = tokio::spawn(async move {
            let feed = async move {
                if stdin.write_all(&start).await.is_err() {
                    return;
                }
                while let Some(chunk) = rx.recv().await {
                    if stdin.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            };
            let video_id = info.video_id.clone();
            let package = async move {
                let mut packager = Packager::rendition(
                    info,
                    media,
                    &packager_settings,
                    playlists,
                    anchor_wall_ms,
                    rung_name,
                    reports,
                );
                let mut reader = flv::FlvReader::new(flv::Limits::default());
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match stdout.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    reader.push(&buf[..n]);
                    loop {
                        match reader.next_tag() {
                            Ok(Some(tag)) => {
                                let ts = i64::from(tag.timestamp);
                                let result = match tag.tag_type {
                                    flv::TagType::Video => packager.video(ts, tag.body).map(drop),
                                    flv::TagType::Audio => packager.audio(ts, tag.body),
                                    _ => Ok(()),
                                };
                                match result {
                                    // The uploader logged it; the source ends the broadcast.
                                    Ok(()) | Err(IngestError::StorageFull(_)) => {}
                                    Err(e) => {
                                        tracing::warn!(error = %e, "rendition frame refused")
                                    }
                                }
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::warn!(error = %e, "rendition output unreadable");
                                return packager;
                            }
                        }
                    }
                }
                packager
            };
            let errors = async move {
                let mut text = String::new();
                let _ = (&mut stderr).take(8192).read_to_string(&mut text).await;
                text
            };
            let ((), packager, errors) = tokio::join!(feed, package, errors);
            let status = child.wait().await;
            packager.finish_media().await;
            if !errors.trim().is_empty() || !status.as_ref().is_ok_and(|s| s.success()) {
                tracing::warn!(video_id, rendition = %name, ?status, errors = %errors.trim(), "rendition ffmpeg ended");
            }
        });
        Ok(Rendition {
            rung,
            input: Some(tx),
            task,
        })
    }

    /// Hands ffmpeg more of the source; `false` once this rendition has stopped (its
    /// ffmpeg fell behind or failed), after which it takes nothing more.
    pub(crate) fn send(&mut self, chunk: Bytes) -> bool {
        let Some(input) = &self.input else {
            return false;
        };
        if input.try_send(chunk).is_err() {
            metrics::counter!("liboo_ingest_renditions_stopped_total").increment(1);
            tracing::warn!(
                rendition = %self.rung.name(),
                "rendition stopped: ffmpeg fell behind the publisher (too little CPU for the ladder?)"
            );
            self.input = None;
            return false;
        }
        true
    }

    /// Ends the rendition: ffmpeg gets end of input, and its last segment and final
    /// playlists are stored before this returns.
    pub(crate) async fn finish(mut self) {
        self.input = None;
        let _ = self.task.await;
    }
}

/// `avc1.PPCCLL` from an AVCDecoderConfigurationRecord's profile, compatibility and
/// level bytes (RFC 6381 §3.3).
pub(crate) fn avc_codec(profile: u8, compatibility: u8, level: u8) -> String {
    format!("avc1.{profile:02x}{compatibility:02x}{level:02x}")
}

/// One variant of a master playlist.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub uri: String,
    pub bandwidth: u64,
    pub width: u32,
    pub height: u32,
    pub codecs: String,
}

/// A master playlist (RFC 8216 §4.3.4.2) listing `variants`, best first.
pub(crate) fn master_playlist(variants: &[Variant]) -> String {
    let mut s = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for v in variants {
        let _ = write!(
            s,
            "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={}x{},CODECS=\"{}\"\n{}\n",
            v.bandwidth, v.width, v.height, v.codecs, v.uri
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_table() {
        let names = |r: Vec<Rung>| r.iter().map(|r| (r.width, r.height)).collect::<Vec<_>>();
        assert_eq!(
            names(rungs(&[720, 480, 360], 1920, 1080)),
            [(1280, 720), (854, 480), (640, 360)]
        );
        assert_eq!(
            names(rungs(&[720, 480, 360], 1280, 720)),
            [(854, 480), (640, 360)]
        );
        assert_eq!(names(rungs(&[720, 480, 360], 640, 360)), []);
        assert_eq!(
            names(rungs(&[180, 240, 240], 640, 360)),
            [(426, 240), (320, 180)]
        );
        assert_eq!(bitrate_for(1280, 720), 2_764_800);
    }

    #[test]
    fn master_lists_each_variant() {
        let text = master_playlist(&[
            Variant {
                uri: "v/index.m3u8".into(),
                bandwidth: 1_200_000,
                width: 640,
                height: 360,
                codecs: format!("{},mp4a.40.2", avc_codec(0x64, 0, 0x1e)),
            },
            Variant {
                uri: "v/240p/index.m3u8".into(),
                bandwidth: 500_000,
                width: 426,
                height: 240,
                codecs: "avc1.4d401f,mp4a.40.2".into(),
            },
        ]);
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n\
             #EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"\nv/index.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=426x240,CODECS=\"avc1.4d401f,mp4a.40.2\"\nv/240p/index.m3u8\n"
        );
    }
}
