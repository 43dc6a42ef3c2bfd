//! The quality ladder: with `--transcode`, each broadcast gets lower renditions next to
//! its untouched source. One ffmpeg per rendition reads the publisher's tags as FLV on
//! stdin and writes its rendition as FLV on stdout, which goes through a packager of its
//! own into `{prefix}/{height}p/`; a master playlist lists the source and every rung.
//!
//! ffmpeg keeps the source's timestamps (`-copyts`) and keyframes (`-force_key_frames
//! source`), so every rendition is cut into segments at the same instants and players
//! switch between them cleanly. The publisher never waits on a rendition: a rendition
//! whose ffmpeg falls behind by more than its queue is stopped, and the log says why.

use std::future::Future;

use bytes::Bytes;
use hls::Variant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{IngestError, ffmpeg};

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

/// Where a rendition's output (ffmpeg's FLV tags) goes: a packager of its own, which the
/// ladder knows only by this.
pub(crate) trait Sink: Send + 'static {
    /// One video tag body at `ts_ms`.
    fn video(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError>;
    /// One audio tag body at `ts_ms`.
    fn audio(&mut self, ts_ms: i64, body: Bytes) -> Result<(), IngestError>;
    /// ffmpeg ended: store the last segment and the final playlists.
    fn finish(self) -> impl Future<Output = ()> + Send;
}

impl Rendition {
    /// Starts ffmpeg for `rung`, its output going into `sink`; `start` is the FLV header
    /// and the sequence headers seen so far.
    pub(crate) fn start<S: Sink>(
        rung: Rung,
        video_id: String,
        mut sink: S,
        start: Bytes,
    ) -> std::io::Result<Rendition> {
        let bitrate = rung.bitrate.to_string();
        let bitrate = bitrate.as_str();
        let scale = format!("scale={}:{}", rung.width, rung.height);
        let bufsize = (rung.bitrate * 2).to_string();
        #[rustfmt::skip]
        let args = [
            "-f", "flv", "-i", "pipe:0", "-copyts",
            "-map", "0:v:0", "-map", "0:a?",
            "-vf", &scale,
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
            "-profile:v", "main", "-pix_fmt", "yuv420p",
            "-force_key_frames", "source", "-sc_threshold", "0",
            "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", &bufsize,
            "-c:a", "copy",
            "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
        ];
        let ffmpeg::Filter {
            mut child,
            mut stdin,
            mut stdout,
            stderr,
        } = ffmpeg::filter(args)?;
        let (tx, mut rx) = mpsc::channel::<Bytes>(QUEUE);
        let name = rung.name();
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
            let package = async move {
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
                                    flv::TagType::Video => sink.video(ts, tag.body),
                                    flv::TagType::Audio => sink.audio(ts, tag.body),
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
                                return sink;
                            }
                        }
                    }
                }
                sink
            };
            let errors = ffmpeg::errors(stderr, 8192);
            let ((), sink, errors) = tokio::join!(feed, package, errors);
            let status = child.wait().await;
            sink.finish().await;
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

/// The source's side of the quality ladder: it forwards the publisher's tags to each
/// rendition's ffmpeg, starts the renditions once the source's picture size is known, and
/// lists them in the master playlist.
#[derive(Debug)]
pub(crate) struct Ladder {
    /// Heights to make, when ffmpeg is there (else none: the master lists the source).
    heights: Vec<u32>,
    renditions: Vec<Rendition>,
    started: bool,
    /// The latest sequence headers as FLV tags, for renditions that start after them.
    video_header: Option<Bytes>,
    audio_header: Option<Bytes>,
    /// Forwarded timestamps stay monotonic across a publisher's reconnect.
    offset_ms: i64,
    last_ms: i64,
    rebase: bool,
    master_written: bool,
}

impl Ladder {
    /// A ladder of `heights` below the source (none when ffmpeg is missing).
    pub(crate) fn new(heights: Vec<u32>) -> Ladder {
        Ladder {
            heights,
            renditions: Vec::new(),
            started: false,
            video_header: None,
            audio_header: None,
            offset_ms: 0,
            last_ms: 0,
            rebase: false,
            master_written: false,
        }
    }

    /// The publisher came back, with timestamps from zero again.
    pub(crate) fn rebase(&mut self) {
        self.rebase = true;
    }

    /// Hands a source tag to every rendition's ffmpeg, as FLV.
    pub(crate) fn forward(
        &mut self,
        kind: flv::TagType,
        ts_ms: i64,
        body: &Bytes,
        sequence_header: bool,
    ) {
        if sequence_header {
            match kind {
                flv::TagType::Video => self.video_header = Some(body.clone()),
                _ => self.audio_header = Some(body.clone()),
            }
        }
        if self.rebase {
            // The publisher came back with timestamps from zero: carry on after the last.
            self.offset_ms = self.last_ms + 33 - ts_ms;
            self.rebase = false;
        }
        let ts = (ts_ms + self.offset_ms).max(self.last_ms);
        self.last_ms = ts;
        if self.renditions.is_empty() {
            return;
        }
        let mut tag = Vec::with_capacity(body.len() + 15);
        flv::write_tag(&mut tag, kind, ts as u32, body);
        let tag = Bytes::from(tag);
        for r in &mut self.renditions {
            r.send(tag.clone());
        }
    }

    /// Starts the renditions of a `width`x`height` source, once; `sink` makes the packager
    /// of each rung.
    pub(crate) fn start<S: Sink>(
        &mut self,
        (width, height): (u32, u32),
        video_id: &str,
        mut sink: impl FnMut(&Rung) -> S,
    ) {
        if self.started {
            return;
        }
        self.started = true;
        let mut start = flv::write_header(true, true).to_vec();
        for (kind, header) in [
            (flv::TagType::Video, &self.video_header),
            (flv::TagType::Audio, &self.audio_header),
        ] {
            if let Some(body) = header {
                flv::write_tag(&mut start, kind, 0, body);
            }
        }
        let start = Bytes::from(start);
        for rung in rungs(&self.heights, width, height) {
            let name = rung.name();
            let output = sink(&rung);
            match Rendition::start(rung, video_id.to_owned(), output, start.clone()) {
                Ok(r) => self.renditions.push(r),
                Err(e) => {
                    tracing::warn!(rendition = %name, error = %e, "could not start ffmpeg for a rendition")
                }
            }
        }
        tracing::info!(
            video_id = %video_id,
            renditions = ?self.renditions.iter().map(|r| r.rung.name()).collect::<Vec<_>>(),
            "quality ladder started"
        );
    }

    /// The master playlist's variants, once, when the source's first segment of
    /// `duration_ms` is listed: `source` (its bandwidth measured on that segment), then
    /// each rendition with `audio` (`",mp4a.40.2"` or empty) of `audio_bits` per second.
    pub(crate) fn variants(
        &mut self,
        duration_ms: i64,
        source: impl FnOnce() -> Variant,
        audio: &str,
        audio_bits: u64,
    ) -> Option<Vec<Variant>> {
        if self.master_written || duration_ms <= 0 {
            return None;
        }
        self.master_written = true;
        let mut variants = vec![source()];
        for r in &self.renditions {
            variants.push(Variant {
                uri: format!("{}/{}", r.rung.name(), liboo_storage::layout::LIVE_PLAYLIST),
                bandwidth: u64::from(r.rung.bitrate) * 5 / 4 + audio_bits,
                width: r.rung.width,
                height: r.rung.height,
                // x264's Main profile at level 3.1 or below for these sizes.
                codecs: format!("avc1.4d401f{audio}"),
            });
        }
        Some(variants)
    }

    /// Ends every rendition: ffmpeg gets end of input, and each rendition's last segment
    /// and final playlists are stored before this returns.
    pub(crate) async fn finish(&mut self) {
        for rendition in std::mem::take(&mut self.renditions) {
            rendition.finish().await;
        }
    }
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
}
