//! Movie fragments (ISO/IEC 14496-12 §8.8): one `moof` + `mdat` pair per CMAF chunk, the unit
//! a low-latency HLS part is made of.

use crate::boxes::{Put, write_box, write_full_box};
use crate::{AUDIO_TRACK_ID, Run, VIDEO_TRACK_ID};

/// `tfhd` flag: sample data offsets are relative to the start of the enclosing `moof` (§8.8.7.1),
/// which CMAF requires (ISO/IEC 23000-19 §7.5.16) so that a chunk can be moved on its own.
const DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

/// `trun` flags (§8.8.8.1).
const DATA_OFFSET_PRESENT: u32 = 0x00_0001;
const SAMPLE_DURATION_PRESENT: u32 = 0x00_0100;
const SAMPLE_SIZE_PRESENT: u32 = 0x00_0200;
const SAMPLE_FLAGS_PRESENT: u32 = 0x00_0400;
const SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT: u32 = 0x00_0800;

/// `sample_flags` (§8.8.3.1) of a sync sample: sample_depends_on 2 (depends on no other
/// sample), sample_is_non_sync_sample 0.
pub const SYNC_SAMPLE_FLAGS: u32 = 0x0200_0000;
/// `sample_flags` of any other sample: sample_depends_on 1, sample_is_non_sync_sample 1.
pub const NON_SYNC_SAMPLE_FLAGS: u32 = 0x0101_0000;

/// One CMAF chunk: moof (mfhd with `sequence_number`, a traf per run: tfhd with
/// default-base-is-moof, tfdt, trun with data offset, per-sample duration, size, flags and
/// (video) composition offsets) followed by one mdat holding every run's samples in order.
/// A run with no samples is left out. Concatenated chunks make a segment.
///
/// Composition offsets are written (in a version 1, signed, `trun`) for the video track and for
/// any run that has a non-zero offset. Samples of the audio track are always written as sync
/// samples, whatever their `keyframe` says.
///
/// # Panics
/// If the chunk reaches 2 GiB: `trun`'s data offset from the `moof` is a signed 32-bit number.
/// Parts and segments of live video are a few megabytes; a caller that lets a publisher fill
/// one chunk without bound has a bug of its own.
pub fn fragment(sequence_number: u32, runs: &[Run]) -> Vec<u8> {
    let runs: Vec<&Run> = runs.iter().filter(|r| !r.samples.is_empty()).collect();
    let sample_count: usize = runs.iter().map(|r| r.samples.len()).sum();
    let data_len: usize = runs
        .iter()
        .flat_map(|r| r.samples.iter())
        .map(|s| s.data.len())
        .sum();
    // moof, mfhd, per traf: traf, tfhd, tfdt, trun header; 16 bytes per sample; mdat header.
    let capacity = 8 + 16 + runs.len() * (8 + 16 + 20 + 20) + sample_count * 16 + 8 + data_len;
    let mut out = Vec::with_capacity(capacity);

    // Where each trun's data_offset field is, to be filled once the moof's size is known.
    let mut data_offset_fields = Vec::with_capacity(runs.len());
    write_box(&mut out, b"moof", |out| {
        write_full_box(out, b"mfhd", 0, 0, |out| out.u32(sequence_number));
        for run in &runs {
            write_box(out, b"traf", |out| {
                write_full_box(out, b"tfhd", 0, DEFAULT_BASE_IS_MOOF, |out| {
                    out.u32(run.track_id);
                });
                // Version 1: a 64-bit decode time never wraps (32 bits at 90 kHz last 13 hours).
                write_full_box(out, b"tfdt", 1, 0, |out| out.u64(run.base_decode_time));
                data_offset_fields.push(trun(out, run));
            });
        }
    });

    let moof_len = out.len();
    let mut offset = moof_len + 8; // the first sample follows the mdat header
    for (field, run) in data_offset_fields.into_iter().zip(&runs) {
        let data_offset = i32::try_from(offset).expect("chunk of 2 GiB or more");
        out[field..field + 4].copy_from_slice(&data_offset.to_be_bytes());
        offset += run.samples.iter().map(|s| s.data.len()).sum::<usize>();
    }
    write_box(&mut out, b"mdat", |out| {
        for run in &runs {
            for sample in run.samples {
                out.extend_from_slice(sample.data);
            }
        }
    });
    out
}

/// Writes a track run with a placeholder data offset and returns that field's position in `out`.
fn trun(out: &mut Vec<u8>, run: &Run) -> usize {
    let offsets =
        run.track_id == VIDEO_TRACK_ID || run.samples.iter().any(|s| s.composition_offset != 0);
    let (version, cto_flag) = if offsets {
        (1, SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT)
    } else {
        (0, 0)
    };
    let flags = DATA_OFFSET_PRESENT
        | SAMPLE_DURATION_PRESENT
        | SAMPLE_SIZE_PRESENT
        | SAMPLE_FLAGS_PRESENT
        | cto_flag;
    let mut field = 0;
    write_full_box(out, b"trun", version, flags, |out| {
        let count = u32::try_from(run.samples.len()).expect("more than 2^32 samples in a run");
        out.u32(count);
        field = out.len();
        out.u32(0); // data_offset, patched by the caller
        for s in run.samples {
            out.u32(s.duration);
            out.u32(u32::try_from(s.data.len()).expect("sample of 4 GiB or more"));
            let sync = s.keyframe || run.track_id == AUDIO_TRACK_ID;
            out.u32(if sync {
                SYNC_SAMPLE_FLAGS
            } else {
                NON_SYNC_SAMPLE_FLAGS
            });
            if offsets {
                // Version 1 makes the field signed (§8.8.8.2).
                out.u32(s.composition_offset as u32);
            }
        }
    });
    field
}
