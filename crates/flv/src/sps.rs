//! The H.264 sequence parameter set (ITU-T H.264 (08/2021) §7.3.2.1.1, VUI in §E.1.1), read far
//! enough to learn what a container needs to say about the stream: profile, level, display size
//! and frame rate.
//!
//! An fMP4 `avc1` sample entry and an HLS `RESOLUTION` attribute need the picture size, which the
//! `AVCDecoderConfigurationRecord` does not carry; it is in the SPS, behind a variable-length
//! prefix of exp-Golomb codes, so the whole prefix has to be parsed to reach it.
//!
//! The SPS comes from the publisher, so nothing here trusts it: every read is bounds-checked,
//! every loop count is one the spec bounds (at most 12 scaling lists of 64 entries, at most 255
//! `offset_for_ref_frame` values), and values outside their specified range are errors.

use crate::FlvError;
use crate::bits::BitReader;

/// `nal_unit_type` of a sequence parameter set.
const NAL_UNIT_TYPE_SPS: u8 = 7;

/// What a muxer needs from a sequence parameter set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpsInfo {
    /// `profile_idc`: 66 Baseline, 77 Main, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4
    /// Predictive, ...
    pub profile_idc: u8,
    /// `constraint_set0_flag` to `constraint_set5_flag` and the two reserved bits, as the byte
    /// that follows `profile_idc` (the `profile_compatibility` of the decoder configuration).
    pub constraint_flags: u8,
    /// `level_idc`: ten times the level number (31 = level 3.1), 9 for level 1b in High profiles.
    pub level_idc: u8,
    /// Display width in pixels: the coded width minus the frame cropping.
    pub width: u32,
    /// Display height in pixels: the coded height (both fields for interlaced coding) minus the
    /// frame cropping.
    pub height: u32,
    /// Frames per second from the VUI timing information, `time_scale / (2 * num_units_in_tick)`
    /// (§E.2.1, one frame being two field ticks), when the encoder wrote it.
    pub frame_rate: Option<f64>,
}

/// Parses one SPS NAL unit, NAL header byte included, as an `AVCDecoderConfigurationRecord`
/// carries it ([`crate::AvcDecoderConfig::sps`]).
///
/// Stops after the VUI timing information; later fields (HRD parameters, bitstream restriction)
/// are not needed and not read, so bytes after that point are never examined.
pub fn parse_sps(sps: &[u8]) -> Result<SpsInfo, FlvError> {
    let Some((&header, payload)) = sps.split_first() else {
        return Err(FlvError::Truncated {
            what: "SPS",
            need: 1,
            have: 0,
        });
    };
    let nal_unit_type = header & 0x1f;
    if nal_unit_type != NAL_UNIT_TYPE_SPS {
        return Err(FlvError::NotSps(nal_unit_type));
    }
    let rbsp = remove_emulation_prevention(payload);
    let mut r = BitReader::new(&rbsp, "SPS");

    let profile_idc = r.read(8)? as u8;
    let constraint_flags = r.read(8)? as u8;
    let level_idc = r.read(8)? as u8;
    ranged("seq_parameter_set_id", r.ue()?, 31)?;

    // 4:2:0 at 8 bits unless a High-family profile says otherwise (§7.4.2.1.1).
    let mut chroma_format_idc = 1;
    let mut separate_colour_plane = false;
    if has_chroma_info(profile_idc) {
        chroma_format_idc = ranged("chroma_format_idc", r.ue()?, 3)?;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.flag()?;
        }
        ranged("bit_depth_luma_minus8", r.ue()?, 6)?;
        ranged("bit_depth_chroma_minus8", r.ue()?, 6)?;
        r.flag()?; // qpprime_y_zero_transform_bypass_flag
        if r.flag()? {
            // seq_scaling_matrix_present_flag: six 4x4 lists, then two 8x8 lists (six for 4:4:4).
            let lists = if chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.flag()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }

    ranged("log2_max_frame_num_minus4", r.ue()?, 12)?;
    match ranged("pic_order_cnt_type", r.ue()?, 2)? {
        0 => {
            ranged("log2_max_pic_order_cnt_lsb_minus4", r.ue()?, 12)?;
        }
        1 => {
            r.flag()?; // delta_pic_order_always_zero_flag
            r.se()?; // offset_for_non_ref_pic
            r.se()?; // offset_for_top_to_bottom_field
            let cycle = ranged("num_ref_frames_in_pic_order_cnt_cycle", r.ue()?, 255)?;
            for _ in 0..cycle {
                r.se()?; // offset_for_ref_frame[i]
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames (bounded by the level's DPB size; nothing loops on it here)
    r.flag()?; // gaps_in_frame_num_value_allowed_flag
    let width_in_mbs = u64::from(r.ue()?) + 1;
    let height_in_map_units = u64::from(r.ue()?) + 1;
    let frame_mbs_only = r.flag()?;
    if !frame_mbs_only {
        r.flag()?; // mb_adaptive_frame_field_flag
    }
    r.flag()?; // direct_8x8_inference_flag
    let crop = if r.flag()? {
        [r.ue()?, r.ue()?, r.ue()?, r.ue()?].map(u64::from)
    } else {
        [0; 4]
    };

    // §7.4.2.1.1: a field-coded sequence's map units are field macroblock pairs, so the frame is
    // twice as many macroblocks high, and vertical crop units double with it.
    let field_factor: u64 = if frame_mbs_only { 1 } else { 2 };
    // ChromaArrayType is 0 for monochrome and for 4:4:4 coded as three separate planes; then
    // cropping is in luma samples. Otherwise it is in chroma samples (Table 6-1).
    let (crop_unit_x, crop_unit_y) = match (chroma_format_idc, separate_colour_plane) {
        (0, _) | (3, true) => (1, field_factor),
        (1, _) => (2, 2 * field_factor),
        (2, _) => (2, field_factor),
        _ => (1, field_factor),
    };
    let width = cropped(
        "pic_width_in_mbs_minus1",
        width_in_mbs * 16,
        "frame_crop_left_offset + frame_crop_right_offset",
        crop_unit_x * (crop[0] + crop[1]),
    )?;
    let height = cropped(
        "pic_height_in_map_units_minus1",
        field_factor * height_in_map_units * 16,
        "frame_crop_top_offset + frame_crop_bottom_offset",
        crop_unit_y * (crop[2] + crop[3]),
    )?;

    let frame_rate = if r.flag()? {
        vui_frame_rate(&mut r)?
    } else {
        None
    };
    Ok(SpsInfo {
        profile_idc,
        constraint_flags,
        level_idc,
        width,
        height,
        frame_rate,
    })
}

/// The profiles whose SPS carries `chroma_format_idc`, bit depths and scaling matrices
/// (the condition in §7.3.2.1.1).
fn has_chroma_info(profile_idc: u8) -> bool {
    matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    )
}

/// Turns the NAL unit payload into the RBSP by dropping each `emulation_prevention_three_byte`:
/// an encoder inserts 0x03 after two zero bytes whenever the next byte would be 0..=3 (§7.4.1),
/// so that no start code appears inside a NAL unit.
fn remove_emulation_prevention(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut zeros = 0;
    for &b in payload {
        if zeros >= 2 && b == 0x03 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Reads past one `scaling_list()` (§7.3.2.1.1.1). Its length is fixed (16 or 64) but each entry
/// is a `delta_scale` that must be read, except after a zero `nextScale` ends the list early.
fn skip_scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<(), FlvError> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            let delta = r.se()?;
            if !(-128..=127).contains(&delta) {
                return Err(FlvError::SpsValueOutOfRange {
                    field: "delta_scale",
                    value: delta,
                });
            }
            next = (last + delta).rem_euclid(256);
            if next == 0 {
                break;
            }
        }
        last = next;
    }
    Ok(())
}

/// Reads the VUI up to its timing information (§E.1.1) and returns the frame rate it implies.
fn vui_frame_rate(r: &mut BitReader<'_>) -> Result<Option<f64>, FlvError> {
    // 255 is Extended_SAR: the ratio follows as two 16-bit numbers (Table E-1).
    const EXTENDED_SAR: u32 = 255;
    if r.flag()? {
        // aspect_ratio_info_present_flag
        if r.read(8)? == EXTENDED_SAR {
            r.read(32)?; // sar_width, sar_height
        }
    }
    if r.flag()? {
        r.flag()?; // overscan_info_present_flag -> overscan_appropriate_flag
    }
    if r.flag()? {
        // video_signal_type_present_flag: video_format, video_full_range_flag
        r.read(4)?;
        if r.flag()? {
            r.read(24)?; // colour_primaries, transfer_characteristics, matrix_coefficients
        }
    }
    if r.flag()? {
        // chroma_loc_info_present_flag
        ranged("chroma_sample_loc_type_top_field", r.ue()?, 5)?;
        ranged("chroma_sample_loc_type_bottom_field", r.ue()?, 5)?;
    }
    if !r.flag()? {
        return Ok(None); // timing_info_present_flag
    }
    let num_units_in_tick = r.read(32)?;
    let time_scale = r.read(32)?;
    // Both "shall be greater than 0"; a zero means the encoder did not really say, which is no
    // reason to refuse a stream whose pictures are fine.
    if num_units_in_tick == 0 || time_scale == 0 {
        return Ok(None);
    }
    Ok(Some(
        f64::from(time_scale) / (2.0 * f64::from(num_units_in_tick)),
    ))
}

/// `value` if it is at most `max`, else the error naming `field`.
fn ranged(field: &'static str, value: u32, max: u32) -> Result<u32, FlvError> {
    if value > max {
        return Err(FlvError::SpsValueOutOfRange {
            field,
            value: i64::from(value),
        });
    }
    Ok(value)
}

/// The coded size minus the crop, which must leave at least one pixel and fit in a `u32`.
fn cropped(
    size_field: &'static str,
    coded: u64,
    crop_field: &'static str,
    crop: u64,
) -> Result<u32, FlvError> {
    // Both inputs come from ue(v) values below 2^32 times small factors: no u64 overflow.
    if crop >= coded {
        return Err(FlvError::SpsValueOutOfRange {
            field: crop_field,
            value: crop as i64,
        });
    }
    u32::try_from(coded - crop).map_err(|_| FlvError::SpsValueOutOfRange {
        field: size_field,
        value: coded as i64,
    })
}

// Test tables are tuples of (name, input, expected); naming each tuple type adds nothing.
#[allow(clippy::type_complexity)]
#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn info(
        profile_idc: u8,
        constraint_flags: u8,
        level_idc: u8,
        width: u32,
        height: u32,
        frame_rate: Option<f64>,
    ) -> SpsInfo {
        SpsInfo {
            profile_idc,
            constraint_flags,
            level_idc,
            width,
            height,
            frame_rate,
        }
    }

    /// SPS NAL units written by x264 through ffmpeg 5.1, e.g.
    /// `ffmpeg -f lavfi -i testsrc2=size=640x360:rate=30 -c:v libx264 -profile:v high -t 0.1
    /// -f h264 -` (extra options in the name), cut out of the Annex B stream.
    fn real_sps() -> Vec<(&'static str, &'static str, SpsInfo)> {
        vec![
            (
                "640x360 high: 23 rows of macroblocks, 8 lines cropped",
                "6764001eacd940a02ff970110000030001000003003c0f162d96",
                info(100, 0x00, 30, 640, 360, Some(30.0)),
            ),
            (
                "1280x720 main",
                "674d401feca02802dd80880000030008000003019078c18cb0",
                info(77, 0x40, 31, 1280, 720, Some(25.0)),
            ),
            (
                "1920x1080 high: 1088 coded",
                "67640028acd940780227e5c044000003000400000300f03c60c658",
                info(100, 0x00, 40, 1920, 1080, Some(30.0)),
            ),
            (
                "320x240 baseline (constrained: set0 and set1)",
                "6742c00cd90141fb0110000003001000000301e0f142a480",
                info(66, 0xc0, 12, 320, 240, Some(15.0)),
            ),
            (
                "640x360 high444 (-pix_fmt yuv444p): crop in luma lines",
                "67f4001e919b281405ff138088000003000800000301e078b16cb0",
                info(244, 0x00, 30, 640, 360, Some(30.0)),
            ),
            (
                "640x360 high422 (-pix_fmt yuv422p)",
                "677a001ebcd940a02ff89c0440000003004000000f03c58b6580",
                info(122, 0x00, 30, 640, 360, Some(30.0)),
            ),
            (
                "854x480 high10 (-pix_fmt yuv420p10le): 864x480 coded",
                "676e001fa6cd940d83de6f0110000003001000000303c0f1831960",
                info(110, 0x00, 31, 854, 480, Some(30.0)),
            ),
            (
                "1920x1080 interlaced 25 fps (-x264-params interlaced=1): field map units",
                "67640028acd94078044fde0220000003002000000643e2c5b2c0",
                info(100, 0x00, 40, 1920, 1080, Some(25.0)),
            ),
            (
                "1280x720 at 60000/1001",
                "67640020acd9405005bb011000003e90001d4c00f1831960",
                info(100, 0x00, 32, 1280, 720, Some(60000.0 / 1001.0)),
            ),
            (
                "tests/fixtures/testsrc.flv",
                "6764001eacb405017fcb8088000003000800000301e478b175",
                info(100, 0x00, 30, 640, 360, Some(30.0)),
            ),
        ]
    }

    #[test]
    fn real_sps_table() {
        for (name, bytes, want) in real_sps() {
            assert_eq!(parse_sps(&hex(bytes)), Ok(want), "{name}");
        }
    }

    /// Every prefix of a real SPS either fails or, once the timing information is complete,
    /// gives the full answer; none panics.
    #[test]
    fn truncated_real_sps() {
        for (name, bytes, want) in real_sps() {
            let bytes = hex(bytes);
            for len in 0..bytes.len() {
                match parse_sps(&bytes[..len]) {
                    Ok(got) => assert_eq!(got, want, "{name} cut to {len}"),
                    Err(e) => assert!(
                        matches!(e, FlvError::Truncated { what: "SPS", .. }),
                        "{name} cut to {len}: {e}"
                    ),
                }
            }
            // Through the picture size, nothing can succeed.
            assert!(parse_sps(&bytes[..8]).is_err(), "{name}");
        }
    }

    #[test]
    fn random_bytes_do_not_panic() {
        // xorshift64: deterministic, no dependency.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut ok, mut err) = (0, 0);
        for _ in 0..20_000 {
            let len = (next() % 48) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(b) = bytes.first_mut() {
                *b = 0x67;
            }
            match parse_sps(&bytes) {
                Ok(_) => ok += 1,
                Err(_) => err += 1,
            }
        }
        // Mostly garbage is refused; the exact split depends only on the fixed seed.
        assert!(err > ok, "{ok} parsed, {err} refused");
    }

    /// Every single-bit corruption of every real SPS: an error or a picture, never a panic.
    #[test]
    fn bit_flips_do_not_panic() {
        for (name, bytes, _) in real_sps() {
            let bytes = hex(bytes);
            for bit in 8..bytes.len() * 8 {
                let mut b = bytes.clone();
                b[bit / 8] ^= 0x80 >> (bit % 8);
                if let Ok(info) = parse_sps(&b) {
                    assert!(info.width > 0 && info.height > 0, "{name} bit {bit}");
                }
            }
        }
    }

    #[test]
    fn emulation_prevention_table() {
        let cases: Vec<(&str, &[u8], &[u8])> = vec![
            ("none", &[1, 2, 0, 3], &[1, 2, 0, 3]),
            ("one", &[0, 0, 3, 1], &[0, 0, 1]),
            ("twice in a row", &[0, 0, 3, 0, 0, 3, 0], &[0, 0, 0, 0, 0]),
            ("three zeros then 3", &[0, 0, 0, 3], &[0, 0, 0]),
            ("a 3 after one zero stays", &[0, 3, 0, 0, 3], &[0, 3, 0, 0]),
            (
                "zero count restarts after the removed byte",
                &[0, 0, 3, 3],
                &[0, 0, 3],
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(remove_emulation_prevention(input), want, "{name}");
        }
    }

    /// Writes SPS fields MSB first, the inverse of `BitReader`, for syntax x264 never emits.
    #[derive(Default)]
    struct Writer {
        bits: Vec<bool>,
    }

    impl Writer {
        fn u(&mut self, n: u32, v: u64) -> &mut Self {
            for i in (0..n).rev() {
                self.bits.push((v >> i) & 1 == 1);
            }
            self
        }
        fn flag(&mut self, f: bool) -> &mut Self {
            self.u(1, u64::from(f))
        }
        fn ue(&mut self, v: u64) -> &mut Self {
            let k = v + 1;
            let len = 64 - k.leading_zeros();
            self.u(len - 1, 0).u(len, k)
        }
        fn se(&mut self, v: i64) -> &mut Self {
            self.ue(if v > 0 {
                2 * v as u64 - 1
            } else {
                2 * v.unsigned_abs()
            })
        }
        /// NAL header, the bits, the RBSP stop bit and padding, with emulation prevention.
        fn nal(&mut self) -> Vec<u8> {
            self.flag(true);
            while !self.bits.len().is_multiple_of(8) {
                self.bits.push(false);
            }
            let rbsp: Vec<u8> = self
                .bits
                .chunks(8)
                .map(|c| c.iter().fold(0, |acc, &b| (acc << 1) | u8::from(b)))
                .collect();
            let mut out = vec![0x67];
            let mut zeros = 0;
            for b in rbsp {
                if zeros >= 2 && b <= 3 {
                    out.push(3);
                    zeros = 0;
                }
                zeros = if b == 0 { zeros + 1 } else { 0 };
                out.push(b);
            }
            out
        }
    }

    /// The fields a test varies; the rest are written as x264 would.
    #[derive(Clone)]
    struct Synth {
        profile_idc: u8,
        chroma_format_idc: u64,
        separate_colour_plane: bool,
        /// (list index, delta_scale values) for each present scaling list.
        scaling_lists: Option<Vec<(usize, Vec<i64>)>>,
        poc_type: u64,
        poc_cycle: Vec<i64>,
        width_in_mbs: u64,
        height_in_map_units: u64,
        frame_mbs_only: bool,
        crop: Option<[u64; 4]>,
        /// (aspect_ratio_idc, num_units_in_tick, time_scale)
        vui: Option<(u64, u32, u32)>,
    }

    impl Default for Synth {
        fn default() -> Self {
            Self {
                profile_idc: 100,
                chroma_format_idc: 1,
                separate_colour_plane: false,
                scaling_lists: None,
                poc_type: 0,
                poc_cycle: vec![],
                width_in_mbs: 40,
                height_in_map_units: 23,
                frame_mbs_only: true,
                crop: None,
                vui: None,
            }
        }
    }

    impl Synth {
        fn build(&self) -> Vec<u8> {
            let mut w = Writer::default();
            w.u(8, self.profile_idc.into()).u(8, 0).u(8, 40).ue(0);
            if has_chroma_info(self.profile_idc) {
                w.ue(self.chroma_format_idc);
                if self.chroma_format_idc == 3 {
                    w.flag(self.separate_colour_plane);
                }
                w.ue(0).ue(0).flag(false);
                w.flag(self.scaling_lists.is_some());
                if let Some(lists) = &self.scaling_lists {
                    let n = if self.chroma_format_idc == 3 { 12 } else { 8 };
                    for i in 0..n {
                        match lists.iter().find(|(j, _)| *j == i) {
                            Some((_, deltas)) => {
                                w.flag(true);
                                for &d in deltas {
                                    w.se(d);
                                }
                            }
                            None => {
                                w.flag(false);
                            }
                        }
                    }
                }
            }
            w.ue(0).ue(self.poc_type);
            match self.poc_type {
                0 => {
                    w.ue(2);
                }
                1 => {
                    w.flag(false).se(-2).se(1).ue(self.poc_cycle.len() as u64);
                    for &o in &self.poc_cycle {
                        w.se(o);
                    }
                }
                _ => {}
            }
            w.ue(4).flag(false);
            w.ue(self.width_in_mbs - 1).ue(self.height_in_map_units - 1);
            w.flag(self.frame_mbs_only);
            if !self.frame_mbs_only {
                w.flag(true);
            }
            w.flag(true).flag(self.crop.is_some());
            if let Some(c) = self.crop {
                for v in c {
                    w.ue(v);
                }
            }
            w.flag(self.vui.is_some());
            if let Some((sar, tick, scale)) = self.vui {
                w.flag(true).u(8, sar);
                if sar == 255 {
                    w.u(16, 4).u(16, 3);
                }
                w.flag(true).flag(false); // overscan
                w.flag(true).u(3, 5).flag(false).flag(true).u(24, 0x010101);
                w.flag(true).ue(1).ue(1); // chroma_loc
                w.flag(true)
                    .u(32, tick.into())
                    .u(32, scale.into())
                    .flag(true);
                w.flag(false).flag(false).flag(false).flag(false); // HRD, pic_struct
            }
            w.nal()
        }
    }

    fn size(width: u32, height: u32) -> SpsInfo {
        info(100, 0, 40, width, height, None)
    }

    fn out_of_range(field: &'static str, value: i64) -> FlvError {
        FlvError::SpsValueOutOfRange { field, value }
    }

    #[test]
    fn synthetic_sps_table() {
        let s = Synth::default();
        let full_list = (6, vec![5; 64]);
        let cases: Vec<(&str, Synth, Result<SpsInfo, FlvError>)> = vec![
            ("640x368, no crop", s.clone(), Ok(size(640, 368))),
            (
                "4:2:0 crop counts chroma samples: 2 px per unit",
                Synth {
                    crop: Some([1, 2, 0, 4]),
                    ..s.clone()
                },
                Ok(size(634, 360)),
            ),
            (
                "4:2:2 crops 2 px across, 1 line down",
                Synth {
                    profile_idc: 122,
                    chroma_format_idc: 2,
                    crop: Some([1, 2, 0, 4]),
                    ..s.clone()
                },
                Ok(info(122, 0, 40, 634, 364, None)),
            ),
            (
                "4:4:4 crops in luma samples",
                Synth {
                    profile_idc: 244,
                    chroma_format_idc: 3,
                    crop: Some([1, 2, 0, 4]),
                    ..s.clone()
                },
                Ok(info(244, 0, 40, 637, 364, None)),
            ),
            (
                "4:4:4 as separate colour planes: luma units too",
                Synth {
                    profile_idc: 244,
                    chroma_format_idc: 3,
                    separate_colour_plane: true,
                    crop: Some([1, 2, 0, 4]),
                    ..s.clone()
                },
                Ok(info(244, 0, 40, 637, 364, None)),
            ),
            (
                "monochrome, field coded: 2 lines per vertical unit",
                Synth {
                    chroma_format_idc: 0,
                    frame_mbs_only: false,
                    crop: Some([0, 0, 1, 1]),
                    ..s.clone()
                },
                Ok(size(640, 732)),
            ),
            (
                "4:2:0 field coded: 1080i, 68 field MB rows, 4 lines per unit",
                Synth {
                    width_in_mbs: 120,
                    height_in_map_units: 34,
                    frame_mbs_only: false,
                    crop: Some([0, 0, 0, 2]),
                    ..s.clone()
                },
                Ok(size(1920, 1080)),
            ),
            (
                "scaling lists: a full 8x8 list and one ended early by nextScale 0",
                Synth {
                    scaling_lists: Some(vec![(0, vec![-8]), full_list.clone()]),
                    ..s.clone()
                },
                Ok(size(640, 368)),
            ),
            (
                "4:4:4 has 12 scaling lists; the last 8x8 one is read",
                Synth {
                    profile_idc: 244,
                    chroma_format_idc: 3,
                    scaling_lists: Some(vec![(11, vec![1; 64])]),
                    ..s.clone()
                },
                Ok(info(244, 0, 40, 640, 368, None)),
            ),
            (
                "delta_scale out of range",
                Synth {
                    scaling_lists: Some(vec![(1, vec![128])]),
                    ..s.clone()
                },
                Err(out_of_range("delta_scale", 128)),
            ),
            (
                "baseline has no chroma fields",
                Synth {
                    profile_idc: 66,
                    chroma_format_idc: 3,
                    crop: Some([0, 0, 0, 4]),
                    ..s.clone()
                },
                Ok(info(66, 0, 40, 640, 360, None)),
            ),
            (
                "pic_order_cnt_type 1 with the largest cycle, 255",
                Synth {
                    poc_type: 1,
                    poc_cycle: vec![-3; 255],
                    ..s.clone()
                },
                Ok(size(640, 368)),
            ),
            (
                "pic_order_cnt_type 1 with a cycle of 256",
                Synth {
                    poc_type: 1,
                    poc_cycle: vec![2; 256],
                    ..s.clone()
                },
                Err(out_of_range("num_ref_frames_in_pic_order_cnt_cycle", 256)),
            ),
            (
                "pic_order_cnt_type 2",
                Synth {
                    poc_type: 2,
                    ..s.clone()
                },
                Ok(size(640, 368)),
            ),
            (
                "pic_order_cnt_type 3",
                Synth {
                    poc_type: 3,
                    ..s.clone()
                },
                Err(out_of_range("pic_order_cnt_type", 3)),
            ),
            (
                "chroma_format_idc 4",
                Synth {
                    chroma_format_idc: 4,
                    ..s.clone()
                },
                Err(out_of_range("chroma_format_idc", 4)),
            ),
            (
                "crop removes the whole width",
                Synth {
                    crop: Some([160, 160, 0, 0]),
                    ..s.clone()
                },
                Err(out_of_range(
                    "frame_crop_left_offset + frame_crop_right_offset",
                    640,
                )),
            ),
            (
                "crop beyond the height",
                Synth {
                    crop: Some([0, 0, u64::from(u32::MAX) - 1, 0]),
                    ..s.clone()
                },
                Err(out_of_range(
                    "frame_crop_top_offset + frame_crop_bottom_offset",
                    2 * (i64::from(u32::MAX) - 1),
                )),
            ),
            (
                "width beyond u32",
                Synth {
                    width_in_mbs: 1 << 28,
                    ..s.clone()
                },
                Err(out_of_range("pic_width_in_mbs_minus1", 1 << 32)),
            ),
            (
                "VUI with extended SAR and timing: 50 fields/s is 25 fps",
                Synth {
                    vui: Some((255, 1, 50)),
                    ..s.clone()
                },
                Ok(info(100, 0, 40, 640, 368, Some(25.0))),
            ),
            (
                "VUI timing with a zero tick says nothing",
                Synth {
                    vui: Some((1, 0, 50)),
                    ..s.clone()
                },
                Ok(size(640, 368)),
            ),
        ];
        for (name, synth, want) in cases {
            assert_eq!(parse_sps(&synth.build()), want, "{name}");
        }
    }

    #[test]
    fn error_table() {
        let cases: Vec<(&str, &[u8], FlvError)> = vec![
            (
                "empty",
                &[],
                FlvError::Truncated {
                    what: "SPS",
                    need: 1,
                    have: 0,
                },
            ),
            ("a PPS", &[0x68, 0xee, 0x3c, 0x80], FlvError::NotSps(8)),
            (
                "header and profile only",
                &[0x67, 0x64],
                FlvError::Truncated {
                    what: "SPS",
                    need: 2,
                    have: 1,
                },
            ),
            (
                // 0000 0100 001: 2^5 - 1 + 1 = 32; ids go up to 31.
                "seq_parameter_set_id 32",
                &[0x67, 0x42, 0, 0x1e, 0b0000_0100, 0b0010_0000],
                out_of_range("seq_parameter_set_id", 32),
            ),
            (
                "a run of zeros where an exp-Golomb code should be",
                &[0x67, 0x64, 0, 0x1e, 0, 0, 3, 0, 0, 3, 0, 0x80],
                FlvError::ExpGolombTooLong { what: "SPS" },
            ),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(parse_sps(bytes), Err(want), "{name}");
        }
    }
}
