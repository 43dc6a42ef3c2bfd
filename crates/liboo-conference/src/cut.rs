//! A talk's replay: a VOD playlist over the segments its room's broadcasts stored,
//! between the talk's in and out points. No media is copied or re-encoded.
//!
//! A segment starts on a keyframe, so the cut starts with the segment that holds the
//! in point and says where the talk's first second is with `EXT-X-START` (players begin
//! there); it ends at the segment boundary nearest the out point. Segments are placed
//! by their `EXT-X-PROGRAM-DATE-TIME` (the wall clock ingest stamps on each), so a
//! publisher's reconnect or a second broadcast within the talk joins with
//! `EXT-X-DISCONTINUITY` and the gap is not counted as talk time.

use hls::{Playlist, PlaylistEntry};

/// One broadcast of the room: its video id (its folder beside the talk's) and its
/// stored replay playlist.
#[derive(Clone, Debug)]
pub struct Source {
    /// The room broadcast's video id.
    pub video_id: String,
    /// Its replay playlist (`EVENT` while live, `VOD` once ended).
    pub playlist: Playlist,
}

/// A cut, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The VOD playlist text.
    pub text: String,
    /// Wall-clock start of its first segment.
    pub start_ms: i64,
    /// Wall-clock end of its last segment.
    pub end_ms: i64,
    /// Sum of its segments' durations.
    pub duration_ms: i64,
    /// Where the talk begins within the first segment.
    pub start_offset_ms: i64,
    /// Segments listed.
    pub segments: usize,
}

/// Why no cut was made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CutError {
    /// Storage holds no segment between the in and out points.
    #[error("the room stored nothing between the talk's in and out points")]
    Empty,
    /// A broadcast is still live and its stored playlist does not reach the out point.
    #[error("the room's recording does not reach the talk's end yet")]
    NotYet,
}

/// Cuts `[in_ms, out_ms)` out of `sources` (the room's broadcasts, oldest first).
/// `complete` says every source has ended, so what storage lists is all there will be.
pub fn cut(sources: &[Source], in_ms: i64, out_ms: i64, complete: bool) -> Result<Cut, CutError> {
    let mut picked: Vec<(usize, PlaylistEntry)> = Vec::new();
    let mut reaches_out = false;
    let mut target = 1;
    for (s, source) in sources.iter().enumerate() {
        target = target.max(source.playlist.target_duration());
        let mut map: Option<String> = None;
        let mut clock: Option<i64> = None;
        for e in source.playlist.entries() {
            if e.map.is_some() {
                map = e.map.clone();
            }
            let start = match (e.program_date_time_ms, clock) {
                (Some(pdt), _) => pdt,
                (None, Some(c)) if !e.discontinuity => c,
                // Without a wall clock there is no telling where it belongs.
                _ => continue,
            };
            let end = start + e.duration_ms;
            clock = Some(end);
            if end >= out_ms {
                reaches_out = true;
            }
            let first = picked.is_empty();
            // From the segment holding the in point, to the boundary nearest the out.
            let before_out = start + e.duration_ms / 2 < out_ms;
            if end > in_ms && (before_out || (first && start < out_ms)) {
                let mut entry = e.clone();
                entry.map = map.clone();
                entry.program_date_time_ms = Some(start);
                picked.push((s, entry));
            }
        }
    }
    if !complete && !reaches_out {
        return Err(CutError::NotYet);
    }
    if picked.is_empty() {
        return Err(CutError::Empty);
    }
    let mut playlist = Playlist::vod(target);
    let mut last: Option<(usize, Option<String>, i64)> = None;
    let mut duration_ms = 0;
    for (seq, (s, mut e)) in picked.iter().cloned().enumerate() {
        let video = &sources[s].video_id;
        let pdt = e.program_date_time_ms.expect("set above");
        let (discontinuity, same_map) = match &last {
            None => (false, false),
            Some((ls, lmap, lend)) => (
                *ls != s || e.discontinuity || (pdt - lend).abs() > 1000,
                *ls == s && *lmap == e.map,
            ),
        };
        last = Some((s, e.map.clone(), pdt + e.duration_ms));
        e.sequence = seq as u64;
        e.discontinuity = discontinuity;
        e.uri = sibling(video, &e.uri);
        e.map = if same_map {
            None
        } else {
            e.map.as_deref().map(|m| sibling(video, m))
        };
        e.parts.clear();
        duration_ms += e.duration_ms;
        playlist
            .push(e)
            .expect("entries are numbered in order within the largest target");
    }
    let first = &picked[0].1;
    let (_, last_entry) = picked.last().expect("not empty");
    let start_ms = first.program_date_time_ms.expect("set above");
    let start_offset_ms = (in_ms - start_ms).max(0);
    playlist.set_start_offset(start_offset_ms);
    Ok(Cut {
        text: playlist.render(""),
        start_ms,
        end_ms: last_entry.program_date_time_ms.expect("set above") + last_entry.duration_ms,
        duration_ms,
        start_offset_ms,
        segments: picked.len(),
    })
}

/// A file of the room broadcast `video_id`, from the talk's folder beside it.
fn sibling(video_id: &str, uri: &str) -> String {
    liboo_storage::layout::sibling_uri(video_id, uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A room broadcast of 2 s segments from `t0`, fMP4 with one init segment.
    fn source(video: &str, t0: i64, n: u64, ended: bool) -> Source {
        let mut p = Playlist::event(2);
        for i in 0..n {
            p.push(PlaylistEntry {
                sequence: i,
                duration_ms: 2000,
                uri: format!("seg{i:05}.m4s"),
                program_date_time_ms: Some(t0 + i as i64 * 2000),
                map: (i == 0).then(|| "init0.mp4".to_owned()),
                ..PlaylistEntry::default()
            })
            .unwrap();
        }
        if ended {
            p.finish();
        }
        Source {
            video_id: video.into(),
            playlist: p,
        }
    }

    #[test]
    fn a_cut_starts_on_the_segment_holding_the_in_point() {
        let s = [source("v1", 10_000, 30, true)];
        // 15.5 s - 35.2 s: segments from 14 s (offset 1.5 s) to the boundary nearest 35.2.
        let c = cut(&s, 15_500, 35_200, true).unwrap();
        assert_eq!(c.start_ms, 14_000);
        assert_eq!(c.end_ms, 36_000);
        assert_eq!(c.start_offset_ms, 1_500);
        assert_eq!(c.segments, 11);
        assert!(
            c.text
                .contains("#EXT-X-START:TIME-OFFSET=1.500,PRECISE=YES")
        );
        assert!(
            c.text.contains("#EXT-X-MAP:URI=\"../v1/init0.mp4\""),
            "{}",
            c.text
        );
        assert!(c.text.contains("../v1/seg00002.m4s"));
        assert!(c.text.ends_with("#EXT-X-ENDLIST\n"));
        // Played from the offset, it lasts the talk within half a segment.
        assert!((c.duration_ms - c.start_offset_ms - (35_200 - 15_500)).abs() <= 1000);
    }

    #[test]
    fn a_live_room_is_cut_once_storage_reaches_the_out_point() {
        let live = [source("v1", 0, 10, false)];
        assert_eq!(cut(&live, 4_000, 30_000, false), Err(CutError::NotYet));
        assert!(cut(&live, 4_000, 16_000, false).is_ok());
    }

    #[test]
    fn two_broadcasts_join_with_a_discontinuity_and_their_own_init() {
        let s = [source("v1", 0, 5, true), source("v2", 20_000, 5, true)];
        let c = cut(&s, 2_000, 28_000, true).unwrap();
        assert_eq!(c.segments, 4 + 4);
        assert!(
            c.text
                .contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"../v2/init0.mp4\"")
        );
        // The gap between them is not talk time.
        assert_eq!(c.duration_ms, 16_000);
    }

    #[test]
    fn nothing_stored_in_the_window() {
        let s = [source("v1", 0, 5, true)];
        assert_eq!(cut(&s, 60_000, 90_000, true), Err(CutError::Empty));
    }
}
