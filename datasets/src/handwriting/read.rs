//! Pictures from files or bytes: PNG, JPEG, BMP and PGM/PPM, turned upright as the camera meant
//! them, every failure an [`ImageError`] that names the input and says what it is.

use std::fs;
use std::io::{self, Cursor};
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use thiserror::Error;

/// The largest width or height read: a 12,000-pixel side is beyond any phone photo (48
/// megapixels are 8,000 x 6,000), and the limit keeps a small file that claims to be huge from
/// taking the machine's memory.
pub const MAX_IMAGE_SIDE: u32 = 12_000;

/// Why a file or a body is not a picture of a digit, each message naming it (`input`: the file's
/// path, or a description such as "the request body").
#[derive(Debug, Error)]
pub enum ImageError {
    #[error("{input}: no such file")]
    Missing { input: String },
    #[error("{input} is a directory, not an image; name the images inside it (e.g. {input}/*.png)")]
    Directory { input: String },
    #[error("{input} is empty (0 bytes)")]
    Empty { input: String },
    #[error("cannot read {input}: {source}")]
    Read { input: String, source: io::Error },
    #[error(
        "{input} is not an image: its first bytes are not those of a PNG, JPEG, BMP or PGM file"
    )]
    NotAnImage { input: String },
    #[error("{input} is a {format} image; save it as PNG or JPEG (read: PNG, JPEG, BMP, PGM)")]
    Unsupported { input: String, format: String },
    #[error("{input} is a damaged or incomplete {format} image: {reason}")]
    Damaged {
        input: String,
        format: String,
        reason: String,
    },
    #[error(
        "{input} is {width} x {height} pixels, too large to read here (at most {MAX_IMAGE_SIDE} on a side, and 512 MiB once decoded); scale it down first"
    )]
    TooLarge {
        input: String,
        width: u32,
        height: u32,
    },
}

/// Reads the picture in the file at `path`. A missing file, a directory, an empty file, a file
/// that is not an image and a damaged image are each their own [`ImageError`].
pub fn read_image(path: &Path) -> Result<DynamicImage, ImageError> {
    let input = path.display().to_string();
    let metadata = fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => ImageError::Missing {
            input: input.clone(),
        },
        _ => ImageError::Read {
            input: input.clone(),
            source,
        },
    })?;
    if metadata.is_dir() {
        return Err(ImageError::Directory { input });
    }
    let bytes = fs::read(path).map_err(|source| ImageError::Read {
        input: input.clone(),
        source,
    })?;
    decode_image(&bytes, &input, MAX_IMAGE_SIDE)
}

/// Decodes a picture held in memory; `input` names it in errors, and a width or height above
/// `max_side` is refused before any pixel is decoded. The format is recognised by its first
/// bytes, never by a file name. A JPEG's orientation tag is applied, so a phone photo taken
/// sideways arrives upright.
pub fn decode_image(bytes: &[u8], input: &str, max_side: u32) -> Result<DynamicImage, ImageError> {
    let input = input.to_string();
    if bytes.is_empty() {
        return Err(ImageError::Empty { input });
    }
    let Ok(format) = image::guess_format(bytes) else {
        return Err(ImageError::NotAnImage { input });
    };
    let name = format_name(format);
    if !format.reading_enabled() {
        return Err(ImageError::Unsupported {
            input,
            format: name,
        });
    }
    let damaged = |e: image::ImageError| ImageError::Damaged {
        input: input.clone(),
        format: name.clone(),
        reason: e.to_string(),
    };
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    if width > max_side || height > max_side {
        return Err(ImageError::TooLarge {
            input,
            width,
            height,
        });
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        // The decoder's memory limit (512 MiB by default): big, not broken.
        image::ImageError::Limits(_) => ImageError::TooLarge {
            input: input.clone(),
            width,
            height,
        },
        e => damaged(e),
    })?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// "PNG", "JPEG", "GIF": what people call the format.
fn format_name(format: ImageFormat) -> String {
    match format {
        ImageFormat::Pnm => "PGM/PPM".into(),
        ImageFormat::Jpeg => "JPEG".into(),
        other => other
            .extensions_str()
            .first()
            .map_or_else(|| format!("{other:?}"), |ext| ext.to_uppercase()),
    }
}
