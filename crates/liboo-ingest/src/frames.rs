//! Frames of live broadcasts for the main page: every [`IngestConfig::frame_interval`]
//! ffmpeg decodes the first keyframe of a just-made segment (each starts with one, with
//! SPS/PPS in band) into a small JPEG, stored as `{prefix}/frame.jpg`, and the database
//! notes its time so the API's `liveImageUrl` changes with it.
//!
//! ffmpeg is optional: without it there are no frames, said once in the log. At most
//! [`MAX_AT_ONCE`] decodes run at a time over all broadcasts; a segment that finds none
//! free is skipped, never waited for.
//!
//! [`IngestConfig::frame_interval`]: crate::IngestConfig::frame_interval

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use liboo_db::Db;
use liboo_storage::MediaStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::{ffmpeg, now_ms};

const MAX_AT_ONCE: usize = 2;
const DECODE_TIMEOUT: Duration = Duration::from_secs(10);
/// A JPEG larger than this is not a thumbnail; ffmpeg misbehaved.
const MAX_JPEG: usize = 2 << 20;

pub(crate) struct Frames {
    db: Db,
    media: MediaStore,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Frames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frames")
            .field("free", &self.permits.available_permits())
            .finish()
    }
}

impl Frames {
    /// `None` when ffmpeg cannot be run here.
    pub(crate) fn new(db: Db, media: MediaStore, ffmpeg: bool) -> Option<Arc<Frames>> {
        if !ffmpeg {
            tracing::warn!(
                "ffmpeg not found: live broadcasts get no frame thumbnails (install ffmpeg on ingest nodes to have them)"
            );
            return None;
        }
        Some(Arc::new(Frames {
            db,
            media,
            permits: Arc::new(Semaphore::new(MAX_AT_ONCE)),
        }))
    }

    /// Makes a frame from `segment` in the background, if a decoder is free.
    pub(crate) fn capture(
        self: &Arc<Self>,
        broadcast_id: i64,
        prefix: &liboo_storage::layout::BroadcastPrefix,
        segment: Bytes,
        input: Input,
    ) {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            metrics::counter!("liboo_ingest_frames_skipped_total").increment(1);
            return;
        };
        let frames = Arc::clone(self);
        let key = prefix.frame();
        tokio::spawn(async move {
            let _permit = permit;
            let jpeg = match tokio::time::timeout(DECODE_TIMEOUT, decode(segment, input)).await {
                Ok(Ok(jpeg)) => jpeg,
                Ok(Err(e)) => {
                    tracing::warn!(key, error = %e, "could not make a frame thumbnail");
                    return;
                }
                Err(_) => {
                    tracing::warn!(key, "frame thumbnail took over 10 s; skipped");
                    return;
                }
            };
            if let Err(e) = frames.media.put(&key, jpeg).await {
                tracing::warn!(key, error = %e, "could not store a frame thumbnail");
                return;
            }
            if let Err(e) = frames.db.set_broadcast_frame(broadcast_id, now_ms()).await {
                tracing::warn!(key, error = %e, "could not note a frame thumbnail");
            }
            metrics::counter!("liboo_ingest_frames_total").increment(1);
        });
    }
}

/// When a broadcast's next frame is due: one per `every_ms` of media, from the first
/// segment that starts at or after the due time.
#[derive(Debug)]
pub(crate) struct FrameSchedule {
    /// `None` when frames are switched off or ffmpeg is missing.
    frames: Option<Arc<Frames>>,
    every_ms: i64,
    next_ms: Option<i64>,
}

impl FrameSchedule {
    pub(crate) fn new(frames: Option<Arc<Frames>>, every: Duration) -> FrameSchedule {
        FrameSchedule {
            frames,
            every_ms: every.as_millis() as i64,
            next_ms: None,
        }
    }

    /// A segment starting at `start_ms` (media time) was made: if a frame is due, captures
    /// one from what `input` gives (the segment, as ffmpeg can read it; `None` if it
    /// cannot be read alone).
    pub(crate) fn segment(
        &mut self,
        broadcast_id: i64,
        prefix: &liboo_storage::layout::BroadcastPrefix,
        start_ms: i64,
        input: impl FnOnce() -> Option<(Bytes, Input)>,
    ) {
        let Some(frames) = &self.frames else {
            return;
        };
        if self.next_ms.is_some_and(|next| start_ms < next) {
            return;
        }
        if let Some((segment, kind)) = input() {
            frames.capture(broadcast_id, prefix, segment, kind);
            self.next_ms = Some(start_ms + self.every_ms);
        }
    }
}

/// What a segment handed to [`Frames::capture`] is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input {
    /// An MPEG-TS segment.
    Ts,
    /// An fMP4 init segment followed by a media segment.
    Mp4,
}

/// The first video frame of a segment as a JPEG at most 640 pixels wide.
async fn decode(segment: Bytes, input: Input) -> std::io::Result<Bytes> {
    let ffmpeg::Filter {
        mut child,
        mut stdin,
        mut stdout,
        stderr,
    } = ffmpeg::filter([
        "-threads",
        "1",
        "-f",
        match input {
            Input::Ts => "mpegts",
            Input::Mp4 => "mp4",
        },
        "-i",
        "pipe:0",
        "-an",
        "-frames:v",
        "1",
        "-vf",
        "scale='min(640,iw)':-2",
        "-q:v",
        "5",
        "-f",
        "image2pipe",
        "-c:v",
        "mjpeg",
        "pipe:1",
    ])?;
    // ffmpeg may stop reading once it has its frame: a broken pipe here is fine.
    let write = async move {
        let _ = stdin.write_all(&segment).await;
        drop(stdin);
    };
    let read = async move {
        let mut jpeg = Vec::new();
        (&mut stdout)
            .take(MAX_JPEG as u64 + 1)
            .read_to_end(&mut jpeg)
            .await
            .map(|_| jpeg)
    };
    let errors = ffmpeg::errors(stderr, 4096);
    let ((), jpeg, errors) = tokio::join!(write, read, errors);
    let status = child.wait().await?;
    let jpeg = jpeg?;
    if !status.success() || jpeg.len() < 4 || jpeg.len() > MAX_JPEG || jpeg[..2] != [0xFF, 0xD8] {
        return Err(std::io::Error::other(format!(
            "ffmpeg gave no JPEG ({status}): {}",
            errors.trim()
        )));
    }
    Ok(Bytes::from(jpeg))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment made by the project's own muxer from the committed fixture decodes to a
    /// JPEG of the fixture's size or smaller.
    #[tokio::test]
    async fn a_segment_decodes_to_a_jpeg() {
        if !ffmpeg::available() {
            panic!("ffmpeg is needed for this test; scripts/test-deps installs it");
        }
        let segment = crate::packager::tests::first_segment_of_fixture().await;
        let jpeg = decode(segment, Input::Ts).await.unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let garbage = decode(Bytes::from_static(&[0x47; 1880]), Input::Ts).await;
        assert!(garbage.is_err());
    }
}
