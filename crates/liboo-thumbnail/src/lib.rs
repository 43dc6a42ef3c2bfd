//! Host thumbnails: judged by their bytes, decoded under limits, re-encoded small.
//!
//! A data URL's declared type is ignored; the first bytes decide (PNG, JPEG or WebP,
//! nothing else). Decoding runs with dimension and allocation limits so a small file
//! that claims to be 100,000 pixels wide is refused instead of eating memory. The
//! result is re-encoded as a JPEG of at most 1280x720, which strips metadata and
//! anything smuggled after the image, and is stored under a content-derived name so
//! it can be cached forever.
//!
//! The API's `/host/update` uses it; it is a crate of its own, free of the HTTP stack, so
//! that the `thumbnail` fuzz target (`fuzz/`) builds it quickly.

#![warn(missing_docs)]

use std::io::Cursor;

use base64::Engine;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest accepted upload, decoded.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
const MAX_DIMENSION: u32 = 8192;
const OUT_WIDTH: u32 = 1280;
const OUT_HEIGHT: u32 = 720;

/// Why an upload was refused. Each message says what is wrong with the field ("is not valid
/// base64"), as the API reports it under the field's name.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThumbnailError {
    /// Not a `data:` URL with a base64 payload.
    #[error("must be a data URL (data:image/png;base64,...) or an empty string")]
    NotDataUrl,
    /// The data URL's payload is not base64.
    #[error("is not valid base64")]
    BadBase64,
    /// More than [`MAX_IMAGE_BYTES`] once decoded.
    #[error("is larger than 5 MB")]
    TooLarge,
    /// The first bytes are not those of a PNG, JPEG or WebP image.
    #[error("is not a PNG, JPEG or WebP image")]
    NotAnImage,
    /// The image is corrupt, exceeds the decoding limits, or could not be re-encoded; the
    /// `image` crate's message.
    #[error("could not be decoded: {0}")]
    Undecodable(String),
}

/// Decodes a data URL into its bytes.
pub fn decode_data_url(url: &str) -> Result<Vec<u8>, ThumbnailError> {
    let rest = url
        .strip_prefix("data:")
        .ok_or(ThumbnailError::NotDataUrl)?;
    let (meta, payload) = rest.split_once(',').ok_or(ThumbnailError::NotDataUrl)?;
    if !meta.ends_with(";base64") {
        return Err(ThumbnailError::NotDataUrl);
    }
    // base64 grows data by 4/3: refuse before decoding anything clearly too big.
    if payload.len() > MAX_IMAGE_BYTES / 3 * 4 + 8 {
        return Err(ThumbnailError::TooLarge);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|_| ThumbnailError::BadBase64)?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ThumbnailError::TooLarge);
    }
    Ok(bytes)
}

/// A thumbnail ready to store.
#[derive(Debug)]
pub struct Thumbnail {
    /// The re-encoded JPEG, at most 1280x720.
    pub jpeg: Vec<u8>,
    /// Short content hash, for a cache-safe object name.
    pub digest: String,
}

/// Checks that `bytes` are a PNG, JPEG or WebP image and re-encodes them.
pub fn reencode(bytes: &[u8]) -> Result<Thumbnail, ThumbnailError> {
    let format = image::guess_format(bytes).map_err(|_| ThumbnailError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(ThumbnailError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| ThumbnailError::Undecodable(e.to_string()))?;
    let image = if image.width() > OUT_WIDTH || image.height() > OUT_HEIGHT {
        image.resize(OUT_WIDTH, OUT_HEIGHT, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgb = image.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .map_err(|e| ThumbnailError::Undecodable(e.to_string()))?;
    let digest = hex::encode(&Sha256::digest(&jpeg)[..8]);
    Ok(Thumbnail { jpeg, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 99]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn data_urls() {
        assert_eq!(
            decode_data_url("data:image/png;base64,aGk=").unwrap(),
            b"hi"
        );
        assert_eq!(
            decode_data_url("http://x/y.png"),
            Err(ThumbnailError::NotDataUrl)
        );
        assert_eq!(
            decode_data_url("data:image/png,raw"),
            Err(ThumbnailError::NotDataUrl)
        );
        assert_eq!(
            decode_data_url("data:image/png;base64,@@@"),
            Err(ThumbnailError::BadBase64)
        );
        let huge = format!(
            "data:image/png;base64,{}",
            "A".repeat(MAX_IMAGE_BYTES / 3 * 4 + 100)
        );
        assert_eq!(decode_data_url(&huge), Err(ThumbnailError::TooLarge));
    }

    #[test]
    fn images_are_judged_by_bytes_and_bounded() {
        let t = reencode(&png(1920, 1080)).unwrap();
        let out = image::load_from_memory(&t.jpeg).unwrap();
        assert_eq!((out.width(), out.height()), (1280, 720));
        let small = reencode(&png(64, 48)).unwrap();
        assert_eq!(image::load_from_memory(&small.jpeg).unwrap().width(), 64);
        assert_eq!(
            reencode(b"GIF89a......").unwrap_err(),
            ThumbnailError::NotAnImage
        );
        assert_eq!(
            reencode(b"hello, not an image").unwrap_err(),
            ThumbnailError::NotAnImage
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(matches!(
            reencode(&truncated),
            Err(ThumbnailError::Undecodable(_))
        ));
    }

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let img = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8, y as u8, 99]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A PNG whose IHDR claims `width` x `height`, its CRC fixed up so that only the size
    /// is wrong.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = encoded(ImageFormat::Png);
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let mut crc = !0u32;
        for &b in &png[12..29] {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        png[29..33].copy_from_slice(&(!crc).to_be_bytes());
        png
    }

    /// Every accepted format, and headers that declare more than the limits allow (the
    /// `thumbnail` fuzz target's seeds): name, bytes, the JPEG's size or `None` for a refusal.
    #[test]
    fn formats_and_limits() {
        let mut huge_jpeg = encoded(ImageFormat::Jpeg);
        let sof = huge_jpeg
            .windows(2)
            .position(|w| w == [0xff, 0xc0])
            .unwrap();
        huge_jpeg[sof + 5..sof + 9].copy_from_slice(&[0xff; 4]);
        let cases = vec![
            ("png", encoded(ImageFormat::Png), Some((24, 16))),
            ("jpeg", encoded(ImageFormat::Jpeg), Some((24, 16))),
            ("webp", encoded(ImageFormat::WebP), Some((24, 16))),
            (
                "png of 100,000 x 100,000",
                png_claiming(100_000, 100_000),
                None,
            ),
            ("png of 8193 x 1", png_claiming(8193, 1), None),
            ("jpeg of 65,535 x 65,535", huge_jpeg, None),
        ];
        for (name, bytes, expected) in cases {
            let got = reencode(&bytes).map(|t| {
                let out = image::load_from_memory_with_format(&t.jpeg, ImageFormat::Jpeg).unwrap();
                (out.width(), out.height())
            });
            match expected {
                Some(size) => assert_eq!(got, Ok(size), "{name}"),
                None => assert!(
                    matches!(got, Err(ThumbnailError::Undecodable(_))),
                    "{name}: {got:?}"
                ),
            }
        }
    }
}
