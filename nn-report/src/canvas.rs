//! A picture is drawn into memory and saved as a PNG in one atomic write, so a report rendered
//! again while someone has it open never shows a half-written image.

use std::path::Path;

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::fonts;

/// The drawing surface every picture function receives.
pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Draws a `width` x `height` picture on white with `draw` and writes it to `path` as a PNG.
pub fn save_png(
    path: &Path,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area) -> Result<()>,
) -> Result<()> {
    fonts::register()?;
    let mut rgb = vec![255; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    let png = encode_png(&rgb, width, height)?;
    nn_run::atomic::write_atomically(path, &png)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Charts are mostly flat colour: the strongest setting keeps the files small enough to
    // commit and mail, at a cost of milliseconds.
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}
