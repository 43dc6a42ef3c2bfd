//! Fewer wake-ups per publisher. An encoder paced in real time sends each frame as it is
//! made, so a socket read as soon as it is readable wakes the server once per RTMP message
//! (about 77 a second for 30 fps video with 48 kHz AAC), and each wake-up costs more than
//! the remux of what it reads. Measured (docs/BENCHMARKS.md, "Ingest"), the wake-ups are
//! most of the ingest's CPU.
//!
//! So while a connection publishes, its socket's receive low-water mark (`SO_RCVLOWAT`) is
//! raised: the kernel reports it readable only once that many bytes have come, about
//! [`IngestConfig::read_batch`](crate::IngestConfig::read_batch) of the stream at its
//! recent rate. What would make a batch late is kept out of it:
//!
//! - a message that has begun to arrive is read as soon as it is complete (the mark is
//!   lowered to what it still lacks);
//! - when the next keyframe is due within about a batch (keyframes come at a steady
//!   interval of media time, and a paced publisher sends media in real time), the mark
//!   is at most half the last keyframe's size, so the keyframe that closes a segment
//!   wakes the reader by itself and the segment is listed at once;
//! - before publishing (the handshake and commands), after it, and when batching is off,
//!   the mark is the kernel's default of one byte;
//! - a stream whose rate drops (a still screen between keyframes) is read on the
//!   connection's tick (every second) anyway, once it has waited four batches.
//!
//! End of stream and errors wake a reader whatever the mark, and the kernel also wakes it
//! when the receive buffer or window runs short, so a mark never stalls a connection.

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use rtmp::chunk::Incomplete;

/// Highest mark asked for: a little over half of Linux's default receive buffer.
const MAX_MARK: usize = 64 << 10;
/// How often the rate is measured.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// The first measurement comes sooner, so that batching starts half a second in.
const FIRST_WINDOW: Duration = Duration::from_millis(500);

pub(crate) struct ReadBatch {
    /// Whether marks are worked out: batching is on, and the stream is a socket on which
    /// setting one has not failed.
    enabled: bool,
    /// The socket marks are set on (`None` in unit tests).
    fd: Option<RawFd>,
    /// Media time to gather per read; zero turns batching off.
    batch: Duration,
    /// The mark now set (1 is the kernel's default).
    mark: usize,
    last_read: Instant,
    window_start: Instant,
    window_bytes: u64,
    /// The last video frame's timestamp, the last keyframe's, the interval between the
    /// last two keyframes, and the last keyframe's size.
    video_ms: Option<i64>,
    keyframe_ms: Option<i64>,
    keyframe_interval_ms: Option<i64>,
    keyframe_len: usize,
    /// Bytes a second over the last two windows; the lower is used, so that a window
    /// with a keyframe in it does not set the mark for one without. `None` until the
    /// first window is over.
    rates: Option<[u64; 2]>,
}

impl ReadBatch {
    /// `fd` must be the socket the connection reads, open for as long as this lives.
    pub(crate) fn new(fd: Option<RawFd>, batch: Duration) -> Self {
        let now = Instant::now();
        ReadBatch {
            enabled: fd.is_some() && !batch.is_zero(),
            fd,
            batch,
            mark: 1,
            last_read: now,
            window_start: now,
            window_bytes: 0,
            rates: None,
            video_ms: None,
            keyframe_ms: None,
            keyframe_interval_ms: None,
            keyframe_len: 0,
        }
    }

    /// A video message was read: its (extended) timestamp, whether it is a keyframe, and
    /// its size.
    pub(crate) fn on_video(&mut self, ts_ms: i64, keyframe: bool, len: usize) {
        self.video_ms = Some(ts_ms);
        if keyframe {
            if let Some(last) = self.keyframe_ms.filter(|last| ts_ms > *last) {
                self.keyframe_interval_ms = Some(ts_ms - last);
            }
            self.keyframe_ms = Some(ts_ms);
            self.keyframe_len = len;
        }
    }

    /// Whether the next keyframe is due within a batch and a half of media time.
    fn keyframe_due(&self) -> bool {
        let (Some(now), Some(last), Some(interval)) =
            (self.video_ms, self.keyframe_ms, self.keyframe_interval_ms)
        else {
            return false;
        };
        let window = (self.batch * 3 / 2).as_millis() as i64;
        now + window >= last + interval
    }

    /// After `n` bytes were read and handled: sets the mark for the next read.
    /// `incomplete` is the message the session has begun and not finished.
    pub(crate) fn after_read(
        &mut self,
        n: usize,
        publishing: bool,
        incomplete: Option<Incomplete>,
    ) {
        if self.enabled {
            let mark = self.next_mark(Instant::now(), n, publishing, incomplete);
            self.set(mark);
        }
    }

    fn next_mark(
        &mut self,
        now: Instant,
        n: usize,
        publishing: bool,
        incomplete: Option<Incomplete>,
    ) -> usize {
        self.last_read = now;
        self.window_bytes += n as u64;
        let elapsed = now.duration_since(self.window_start);
        let window = if self.rates.is_some() {
            RATE_WINDOW
        } else {
            FIRST_WINDOW
        };
        if !publishing {
            // Handshake and commands are not media: measure from the publish on.
            self.window_start = now;
            self.window_bytes = 0;
        } else if elapsed >= window {
            let rate = (self.window_bytes as f64 / elapsed.as_secs_f64()) as u64;
            self.rates = Some(match self.rates {
                Some([_, last]) => [last, rate],
                None => [rate, rate],
            });
            self.window_start = now;
            self.window_bytes = 0;
        }
        let mark = match incomplete {
            _ if !publishing => 1,
            Some(inc) => inc.missing,
            None => {
                let rate = self.rates.map_or(0, |[a, b]| a.min(b));
                let batch = (rate as f64 * self.batch.as_secs_f64()) as usize;
                if self.keyframe_due() {
                    batch.min(self.keyframe_len / 2)
                } else {
                    batch
                }
            }
        };
        mark.clamp(1, MAX_MARK)
    }

    /// On the connection's tick: a stream that has not filled its batch for four batches
    /// is read with whatever has come.
    pub(crate) fn on_tick(&mut self) {
        if self.enabled && self.overdue(Instant::now()) {
            self.set(1);
        }
    }

    fn overdue(&self, now: Instant) -> bool {
        self.mark > 1 && now.duration_since(self.last_read) >= self.batch * 4
    }

    fn set(&mut self, mark: usize) {
        if mark == self.mark {
            return;
        }
        if let Some(fd) = self.fd
            && let Err(e) = set_rcvlowat(fd, mark)
        {
            tracing::debug!(error = %e, "SO_RCVLOWAT not set; reading without batching");
            self.enabled = false;
            return;
        }
        self.mark = mark;
    }
}

/// Sets `SO_RCVLOWAT` on `fd`. Lowering it below what is queued makes the socket readable
/// at once (Linux checks on every change).
///
/// One of liboo's two `unsafe` calls (the other is glibc's mmap threshold in `main.rs`):
/// neither std, tokio, socket2, rustix nor nix sets this option, and it halves the
/// ingest's CPU (see the module docs).
#[allow(unsafe_code)]
fn set_rcvlowat(fd: RawFd, bytes: usize) -> std::io::Result<()> {
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: setsockopt reads `size_of::<c_int>()` bytes from `value`, which lives on this
    // stack frame for the call; any `fd` is memory-safe (a stale one fails with EBADF or
    // ENOTSOCK, handled above).
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVLOWAT,
            (&raw const value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn batching() -> (ReadBatch, Instant) {
        let mut b = ReadBatch::new(None, 100 * MS);
        b.enabled = true;
        let t0 = Instant::now();
        b.window_start = t0;
        (b, t0)
    }

    /// Reads `total` bytes in 10 reads over `span`, publishing, ending at `t0 + span`;
    /// returns the last mark.
    fn feed(b: &mut ReadBatch, t0: Instant, span: Duration, total: usize) -> usize {
        let mut mark = 0;
        for i in 1..=10u32 {
            mark = b.next_mark(t0 + span * i / 10, total / 10, true, None);
            b.set(mark);
        }
        mark
    }

    #[test]
    fn no_batching_before_publishing_or_before_the_rate_is_known() {
        let (mut b, t0) = batching();
        assert_eq!(b.next_mark(t0 + 10 * MS, 3073, false, None), 1, "handshake");
        // 0.4 s of media: not yet a window.
        assert_eq!(feed(&mut b, t0 + 10 * MS, 400 * MS, 128_000), 1);
    }

    #[test]
    fn a_batch_is_the_rate_times_the_batch_time_up_to_a_cap() {
        let (mut b, t0) = batching();
        // 320 kB a second (2.5 Mbit/s): 100 ms is 32 kB.
        let mark = feed(&mut b, t0, 500 * MS, 160_000);
        assert_eq!(mark, 32_000);
        assert_eq!(b.mark, 32_000);
        // 2 MB a second (for two windows) would be 200 kB: capped.
        feed(&mut b, t0 + 500 * MS, 1000 * MS, 2_000_000);
        let mark = feed(&mut b, t0 + 1500 * MS, 1000 * MS, 2_000_000);
        assert_eq!(mark, MAX_MARK);
    }

    #[test]
    fn the_lower_of_the_last_two_rates_counts() {
        let (mut b, t0) = batching();
        feed(&mut b, t0, 500 * MS, 160_000);
        // A window at four times the rate (a burst) does not raise the mark.
        let mark = feed(&mut b, t0 + 500 * MS, 1000 * MS, 1_280_000);
        assert_eq!(mark, 32_000);
        // A window at half the rate lowers it at once.
        let mark = feed(&mut b, t0 + 1500 * MS, 1000 * MS, 160_000);
        assert_eq!(mark, 16_000);
    }

    #[test]
    fn a_message_in_progress_is_read_as_soon_as_it_is_complete() {
        let (mut b, t0) = batching();
        feed(&mut b, t0, 500 * MS, 160_000);
        let inc = Incomplete {
            type_id: 9,
            missing: 1234,
        };
        assert_eq!(b.next_mark(t0 + 600 * MS, 100, true, Some(inc)), 1234);
    }

    #[test]
    fn a_keyframe_due_within_a_batch_and_a_half_wakes_the_reader_by_itself() {
        let (mut b, t0) = batching();
        feed(&mut b, t0, 500 * MS, 160_000);
        b.on_video(0, true, 30_000);
        b.on_video(1000, true, 40_000);
        b.on_video(1500, false, 9_000);
        assert_eq!(b.next_mark(t0 + 600 * MS, 100, true, None), 32_000);
        // Next keyframe due at 2000 ms of media; 1850 + 150 reaches it.
        b.on_video(1850, false, 9_000);
        assert_eq!(b.next_mark(t0 + 700 * MS, 100, true, None), 20_000);
        // Once it came, the next is a second away.
        b.on_video(2000, true, 50_000);
        assert_eq!(b.next_mark(t0 + 800 * MS, 100, true, None), 32_000);
    }

    #[test]
    fn a_stream_that_stops_filling_batches_is_read_on_the_tick() {
        let (mut b, t0) = batching();
        let mark = feed(&mut b, t0, 500 * MS, 160_000);
        b.set(mark);
        assert!(!b.overdue(t0 + 800 * MS));
        assert!(b.overdue(t0 + 900 * MS));
        b.set(1);
        assert!(!b.overdue(t0 + 5000 * MS), "nothing held back at 1 byte");
    }
}
