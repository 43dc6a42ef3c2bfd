//! The initialization segment: `ftyp` and a `moov` that describes the tracks but holds no
//! samples (ISO/IEC 14496-12 §8.8.1: the samples come in movie fragments, announced by `mvex`).

use crate::boxes::{Put, unity_matrix, write_box, write_full_box};
use crate::{AUDIO_TRACK_ID, AacTrack, AvcTrack, VIDEO_TIMESCALE, VIDEO_TRACK_ID};

/// `mvhd` timescale. Nothing in an fMP4 init segment has a duration, so any value works;
/// milliseconds is what readers print best.
const MOVIE_TIMESCALE: u32 = 1000;

/// `ftyp` brands. `iso6` allows `tfdt` version 1 and default-base-is-moof; `cmfc` declares the
/// CMAF structural constraints; `isom` and `mp41` keep older readers happy.
const MAJOR_BRAND: &[u8; 4] = b"iso6";
const COMPATIBLE_BRANDS: [&[u8; 4]; 4] = [b"iso6", b"cmfc", b"isom", b"mp41"];

/// ISO 639-2 "und" packed as three 5-bit letters (each minus 0x60), as `mdhd` wants it.
const LANGUAGE_UND: u16 =
    ((b'u' as u16 - 0x60) << 10) | ((b'n' as u16 - 0x60) << 5) | (b'd' as u16 - 0x60);

/// `tkhd` flags: track_enabled | track_in_movie (§8.3.2.3).
const TRACK_ENABLED_IN_MOVIE: u32 = 0x3;

/// MPEG-4 Systems object type "Audio ISO/IEC 14496-3" (the AAC family) in `esds`.
const OBJECT_TYPE_AAC: u8 = 0x40;
/// `streamType` 5 (AudioStream) << 2 | upStream 0 << 1 | reserved 1.
const STREAM_TYPE_AUDIO: u8 = (0x05 << 2) | 1;

/// Which kind of track a `trak` describes.
enum Media<'a, 'b> {
    Video(&'a AvcTrack<'b>),
    Audio(&'a AacTrack<'b>),
}

impl Media<'_, '_> {
    fn track_id(&self) -> u32 {
        match self {
            Self::Video(_) => VIDEO_TRACK_ID,
            Self::Audio(_) => AUDIO_TRACK_ID,
        }
    }

    fn timescale(&self) -> u32 {
        match self {
            Self::Video(_) => VIDEO_TIMESCALE,
            Self::Audio(a) => a.sample_rate,
        }
    }
}

/// ftyp (major brand `iso6`, compatible `iso6`, `cmfc`, `isom`, `mp41`) + moov (mvhd, one trak
/// per present track with tkhd/mdia(mdhd, hdlr, minf(vmhd|smhd, dinf/dref, stbl with
/// stsd(avc1+avcC | mp4a+esds) and empty stts/stsc/stsz/stco)), mvex with a trex per track).
///
/// Tracks get [`VIDEO_TRACK_ID`] and [`AUDIO_TRACK_ID`]; the video timescale is
/// [`VIDEO_TIMESCALE`] and the audio timescale is the sample rate, the units [`crate::fragment`]
/// expects. With neither track the `moov` describes nothing, which no player will play.
pub fn init_segment(video: Option<&AvcTrack>, audio: Option<&AacTrack>) -> Vec<u8> {
    let tracks: Vec<Media> = video
        .map(Media::Video)
        .into_iter()
        .chain(audio.map(Media::Audio))
        .collect();
    let mut out = Vec::with_capacity(
        1024 + video.map_or(0, |v| v.avcc.len()) + audio.map_or(0, |a| a.asc.len()),
    );
    write_box(&mut out, b"ftyp", |out| {
        out.extend_from_slice(MAJOR_BRAND);
        out.u32(0); // minor_version
        for brand in COMPATIBLE_BRANDS {
            out.extend_from_slice(brand);
        }
    });
    write_box(&mut out, b"moov", |out| {
        let next_track_id = tracks.iter().map(Media::track_id).max().unwrap_or(0) + 1;
        mvhd(out, next_track_id);
        for track in &tracks {
            trak(out, track);
        }
        write_box(out, b"mvex", |out| {
            for track in &tracks {
                // §8.8.3: defaults for the fragments; every trun here states its samples'
                // durations, sizes and flags, so only the sample description index matters.
                write_full_box(out, b"trex", 0, 0, |out| {
                    out.u32(track.track_id());
                    out.u32(1); // default_sample_description_index
                    out.u32(0); // default_sample_duration
                    out.u32(0); // default_sample_size
                    out.u32(0); // default_sample_flags
                });
            }
        });
    });
    out
}

/// §8.2.2 movie header, version 0, no duration (it is not known while live).
fn mvhd(out: &mut Vec<u8>, next_track_id: u32) {
    write_full_box(out, b"mvhd", 0, 0, |out| {
        out.u32(0); // creation_time
        out.u32(0); // modification_time
        out.u32(MOVIE_TIMESCALE);
        out.u32(0); // duration
        out.u32(0x0001_0000); // rate 1.0
        out.u16(0x0100); // volume 1.0
        out.zeros(2 + 8); // reserved
        unity_matrix(out);
        out.zeros(6 * 4); // pre_defined
        out.u32(next_track_id);
    });
}

fn trak(out: &mut Vec<u8>, track: &Media) {
    write_box(out, b"trak", |out| {
        tkhd(out, track);
        write_box(out, b"mdia", |out| {
            write_full_box(out, b"mdhd", 0, 0, |out| {
                out.u32(0); // creation_time
                out.u32(0); // modification_time
                out.u32(track.timescale());
                out.u32(0); // duration
                out.u16(LANGUAGE_UND);
                out.u16(0); // pre_defined
            });
            let (handler, name): (&[u8; 4], &[u8]) = match track {
                Media::Video(_) => (b"vide", b"VideoHandler\0"),
                Media::Audio(_) => (b"soun", b"SoundHandler\0"),
            };
            write_full_box(out, b"hdlr", 0, 0, |out| {
                out.u32(0); // pre_defined
                out.extend_from_slice(handler);
                out.zeros(3 * 4); // reserved
                out.extend_from_slice(name);
            });
            write_box(out, b"minf", |out| {
                match track {
                    // §12.1.2: flags 1 is required; graphicsmode copy, opcolor unused.
                    Media::Video(_) => write_full_box(out, b"vmhd", 0, 1, |out| out.zeros(8)),
                    // §12.2.2: balance 0 (centre), reserved.
                    Media::Audio(_) => write_full_box(out, b"smhd", 0, 0, |out| out.zeros(4)),
                }
                write_box(out, b"dinf", |out| {
                    write_full_box(out, b"dref", 0, 0, |out| {
                        out.u32(1); // entry_count
                        // Flag 1: the media data is in this file.
                        write_full_box(out, b"url ", 0, 1, |_| {});
                    });
                });
                stbl(out, track);
            });
        });
    });
}

/// §8.3.2 track header. Width and height are the display size in 16.16 fixed point; 16 bits
/// of integer cannot hold more than 65535, which no H.264 level reaches.
fn tkhd(out: &mut Vec<u8>, track: &Media) {
    let (volume, width, height) = match track {
        Media::Video(v) => (0, saturate_u16(v.width), saturate_u16(v.height)),
        Media::Audio(_) => (0x0100, 0, 0),
    };
    write_full_box(out, b"tkhd", 0, TRACK_ENABLED_IN_MOVIE, |out| {
        out.u32(0); // creation_time
        out.u32(0); // modification_time
        out.u32(track.track_id());
        out.u32(0); // reserved
        out.u32(0); // duration
        out.zeros(8); // reserved
        out.u16(0); // layer
        out.u16(0); // alternate_group
        out.u16(volume);
        out.u16(0); // reserved
        unity_matrix(out);
        out.u32(u32::from(width) << 16);
        out.u32(u32::from(height) << 16);
    });
}

/// Sample table with the sample description and empty tables: in a fragmented file the samples
/// are described by each `trun` (§8.8.1).
fn stbl(out: &mut Vec<u8>, track: &Media) {
    write_box(out, b"stbl", |out| {
        write_full_box(out, b"stsd", 0, 0, |out| {
            out.u32(1); // entry_count
            match track {
                Media::Video(v) => avc1(out, v),
                Media::Audio(a) => mp4a(out, a),
            }
        });
        write_full_box(out, b"stts", 0, 0, |out| out.u32(0));
        write_full_box(out, b"stsc", 0, 0, |out| out.u32(0));
        write_full_box(out, b"stsz", 0, 0, |out| {
            out.u32(0); // sample_size
            out.u32(0); // sample_count
        });
        write_full_box(out, b"stco", 0, 0, |out| out.u32(0));
    });
}

/// `SampleEntry` fields shared by all sample entries (§8.5.2.2).
fn sample_entry_header(out: &mut Vec<u8>) {
    out.zeros(6); // reserved
    out.u16(1); // data_reference_index: the one `url ` entry
}

/// ISO/IEC 14496-15 §5.4.2.1: `avc1` means parameter sets are in the `avcC` (and may also
/// appear in band, as the FLV frames may carry them), which is what FLV provides.
fn avc1(out: &mut Vec<u8>, v: &AvcTrack) {
    write_box(out, b"avc1", |out| {
        sample_entry_header(out);
        out.u16(0); // pre_defined
        out.u16(0); // reserved
        out.zeros(3 * 4); // pre_defined
        out.u16(saturate_u16(v.width));
        out.u16(saturate_u16(v.height));
        out.u32(0x0048_0000); // horizresolution 72 dpi
        out.u32(0x0048_0000); // vertresolution 72 dpi
        out.u32(0); // reserved
        out.u16(1); // frame_count: one frame per sample
        out.zeros(32); // compressorname: empty Pascal string
        out.u16(0x0018); // depth: colour, no alpha
        out.u16(0xffff); // pre_defined -1
        write_box(out, b"avcC", |out| out.extend_from_slice(v.avcc));
    });
}

/// ISO/IEC 14496-14 §5.6: `mp4a` with an `esds` carrying the `AudioSpecificConfig`.
fn mp4a(out: &mut Vec<u8>, a: &AacTrack) {
    write_box(out, b"mp4a", |out| {
        sample_entry_header(out);
        out.zeros(2 * 4); // reserved
        out.u16(a.channels);
        out.u16(16); // samplesize
        out.u16(0); // pre_defined
        out.u16(0); // reserved
        // 16.16 fixed point; rates above 65535 Hz (88.2, 96 kHz) do not fit and are written as 0,
        // as ffmpeg does. Decoders take the rate from the AudioSpecificConfig.
        let rate = u16::try_from(a.sample_rate).unwrap_or(0);
        out.u32(u32::from(rate) << 16);
        esds(out, a.asc);
    });
}

/// The elementary stream descriptor (ISO/IEC 14496-1 §7.2.6.5), reduced to what an MP4 file
/// carries: ES_ID 0, a DecoderConfigDescriptor with the AudioSpecificConfig, and the predefined
/// SLConfigDescriptor for MP4 files (14496-14 §3.1.2).
fn esds(out: &mut Vec<u8>, asc: &[u8]) {
    write_full_box(out, b"esds", 0, 0, |out| {
        descriptor(out, 0x03, |out| {
            // ES_DescrTag
            out.u16(0); // ES_ID
            out.u8(0); // no streamDependence, URL or OCR stream; streamPriority 0
            descriptor(out, 0x04, |out| {
                // DecoderConfigDescrTag
                out.u8(OBJECT_TYPE_AAC);
                out.u8(STREAM_TYPE_AUDIO);
                out.u24(0); // bufferSizeDB: unknown
                out.u32(0); // maxBitrate: unknown
                out.u32(0); // avgBitrate: unknown (variable)
                descriptor(out, 0x05, |out| out.extend_from_slice(asc)); // DecSpecificInfoTag
            });
            descriptor(out, 0x06, |out| out.u8(0x02)); // SLConfigDescrTag, predefined = MP4
        });
    });
}

/// An MPEG-4 descriptor: tag, then the body length in the expandable form (7 bits per byte,
/// high bit set on all but the last; ISO/IEC 14496-1 §8.3.3), then the body.
fn descriptor(out: &mut Vec<u8>, tag: u8, body: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    body(&mut inner);
    // Four bytes of 7 bits: 256 MiB, far beyond any AudioSpecificConfig.
    assert!(
        inner.len() < 1 << 28,
        "descriptor body of {} bytes",
        inner.len()
    );
    out.u8(tag);
    let len = inner.len() as u32;
    let groups = match len {
        0..0x80 => 1,
        0x80..0x4000 => 2,
        0x4000..0x20_0000 => 3,
        _ => 4,
    };
    for i in (0..groups).rev() {
        let more = if i > 0 { 0x80 } else { 0 };
        out.u8(more | ((len >> (7 * i)) & 0x7f) as u8);
    }
    out.extend_from_slice(&inner);
}

fn saturate_u16(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_length_table() {
        // (body length, expected length bytes)
        let cases: Vec<(usize, Vec<u8>)> = vec![
            (0, vec![0x00]),
            (2, vec![0x02]),
            (127, vec![0x7f]),
            (128, vec![0x81, 0x00]),
            (300, vec![0x82, 0x2c]),
            (16_384, vec![0x81, 0x80, 0x00]),
            (2_097_152, vec![0x81, 0x80, 0x80, 0x00]),
        ];
        for (len, want) in cases {
            let mut out = Vec::new();
            descriptor(&mut out, 0x05, |o| o.zeros(len));
            assert_eq!(out[0], 0x05);
            assert_eq!(&out[1..1 + want.len()], want, "length {len}");
            assert_eq!(out.len(), 1 + want.len() + len, "length {len}");
        }
    }

    #[test]
    fn language_is_und() {
        assert_eq!(LANGUAGE_UND, 0x55c4);
    }
}
