//! What every picture is drawn on: a bitmap in memory that sets its own text, encoded as a PNG
//! (which `lib.rs` writes in one atomic write, so a report rendered again while someone has it
//! open never shows a half-written image).
//!
//! Text is laid out here rather than by plotters: its ab_glyph text drops each glyph's left
//! side bearing and rounds each pen position to a whole pixel, which spaces letters unevenly
//! ("con fidence", "probabili ty"). [`Canvas`] places every glyph at its advance width plus the
//! pair's kerning, at sub-pixel positions, and rasterises it with its true bounds.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
};

use thiserror::Error;

use crate::fonts;

/// The drawing surface every picture function receives.
pub type Area<'a> = DrawingArea<Canvas<'a>, Shift>;

/// What drawing on a [`Canvas`] can fail with.
pub type DrawError = DrawingAreaErrorKind<<Canvas<'static> as DrawingBackend>::ErrorType>;

/// Why a picture could not be made.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("{0}")]
    Draw(DrawError),
    #[error("cannot encode it as PNG: {0}")]
    Encode(#[from] png::EncodingError),
}

/// Draws a `width` x `height` picture on white with `draw` and returns it as PNG bytes.
pub fn render_png(
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area) -> Result<(), DrawError>,
) -> Result<Vec<u8>, RenderError> {
    let rgb = render_rgb((width, height), draw).map_err(RenderError::Draw)?;
    Ok(encode_png(&rgb, width, height)?)
}

/// The pixels of a picture, row by row, three bytes each.
pub(crate) fn render_rgb(
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area) -> Result<(), DrawError>,
) -> Result<Vec<u8>, DrawError> {
    let mut rgb = vec![255; width as usize * height as usize * 3];
    {
        let canvas = Canvas {
            bitmap: BitMapBackend::with_buffer(&mut rgb, (width, height)),
        };
        let root = canvas.into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    Ok(rgb)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
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

/// A bitmap that sets its own text (see the module's comment); every other shape is the
/// bitmap's.
pub struct Canvas<'a> {
    bitmap: BitMapBackend<'a>,
}

/// A line of text laid out at a size: its glyphs on a baseline at y = 0, the pen starting at
/// x = 0.
pub struct TextLine {
    pub glyphs: Vec<Glyph>,
    /// The pen's advance over the whole line: where a following glyph would start.
    pub width: f32,
    /// Above and below the baseline (the font's ascent and descent; `descent` is negative).
    pub ascent: f32,
    pub descent: f32,
}

impl TextLine {
    /// `text` in `font` at `size` pixels (ascent to descent): each glyph starts where the one
    /// before ends, its advance width plus the kerning of the pair.
    pub fn new(font: &FontRef<'static>, size: f32, text: &str) -> TextLine {
        let scale = PxScale::from(size);
        let scaled = font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                pen += scaled.kern(previous, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(pen, 0.0)));
            pen += scaled.h_advance(id);
            previous = Some(id);
        }
        TextLine {
            glyphs,
            width: pen,
            ascent: scaled.ascent(),
            descent: scaled.descent(),
        }
    }

    pub fn height(&self) -> f32 {
        self.ascent - self.descent
    }

    /// Calls `ink(x, y, coverage)` for every pixel the text touches, relative to the pen's
    /// start on the baseline.
    pub fn rasterise(&self, font: &FontRef<'static>, mut ink: impl FnMut(i32, i32, f32)) {
        for glyph in &self.glyphs {
            if let Some(outlined) = font.outline_glyph(glyph.clone()) {
                let bounds = outlined.px_bounds();
                let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
                outlined.draw(|x, y, coverage| ink(left + x as i32, top + y as i32, coverage));
            }
        }
    }
}

/// The font a text style asks for: bold or regular DejaVu Sans.
fn font_of<S: BackendTextStyle>(style: &S) -> &'static FontRef<'static> {
    match style.style() {
        FontStyle::Bold => fonts::bold(),
        _ => fonts::regular(),
    }
}

impl DrawingBackend for Canvas<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.bitmap.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.blit_bitmap(pos, size, src)
    }

    /// The text's box is its advance width by the font's ascent to descent, placed at `pos` by
    /// the style's anchor, then turned by the style's rotation about `pos`.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let font = font_of(style);
        let line = TextLine::new(font, style.size() as f32, text);
        let anchor = style.anchor();
        let left = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let baseline = match anchor.v_pos {
            VPos::Top => line.ascent,
            VPos::Center => line.ascent - line.height() / 2.0,
            VPos::Bottom => line.descent,
        };
        let (dx, dy) = (left.round() as i32, baseline.round() as i32);
        let turn = style.transform();
        let (width, height) = self.get_size();
        let mut result = Ok(());
        line.rasterise(font, |x, y, coverage| {
            let (x, y) = turn.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            let inside = 0 <= x && x < width as i32 && 0 <= y && y < height as i32;
            if inside && coverage > 0.0 && result.is_ok() {
                let ink = BackendColor {
                    alpha: colour.alpha * f64::from(coverage.min(1.0)),
                    rgb: colour.rgb,
                };
                result = self.bitmap.draw_pixel((x, y), ink);
            }
        });
        result
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let line = TextLine::new(font_of(style), style.size() as f32, text);
        Ok((line.width.ceil() as u32, line.height().ceil() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns of a rendered line that hold ink, as runs of `(first, last)` column.
    fn inked_runs(text: &str, size: f32) -> Vec<(i32, i32)> {
        let font = fonts::regular();
        let line = TextLine::new(font, size, text);
        let mut columns = vec![false; line.width.ceil() as usize + 40];
        line.rasterise(font, |x, _, coverage| {
            if coverage > 0.25 {
                columns[(x + 20) as usize] = true;
            }
        });
        let mut runs = Vec::new();
        let mut start = None;
        for (x, &ink) in columns.iter().enumerate() {
            match (ink, start) {
                (true, None) => start = Some(x as i32 - 20),
                (false, Some(s)) => {
                    runs.push((s, x as i32 - 21));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }

    /// The widest blank gap between two letters of a word, in pixels.
    fn widest_gap(word: &str, size: f32) -> i32 {
        let runs = inked_runs(word, size);
        runs.windows(2)
            .map(|pair| pair[1].0 - pair[0].1 - 1)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn letters_of_a_word_are_evenly_spaced() {
        // The words plotters' own text spaced unevenly: no gap within a word may be wider
        // than a fifth of the size (a space is about a third).
        for word in [
            "confidence",
            "probability",
            "weight",
            "calibration",
            "illicit",
        ] {
            for size in [22.0, 26.0, 34.0] {
                let gap = widest_gap(word, size);
                assert!(
                    (gap as f32) < 0.2 * size,
                    "{word} at {size} px has a gap of {gap} px"
                );
            }
        }
        // A space is still a space.
        assert!(widest_gap("a b", 26.0) as f32 > 0.2 * 26.0);
    }

    #[test]
    fn a_glyph_keeps_its_side_bearing() {
        // 'l' sits inside its advance: its ink starts after the pen, not at it.
        let font = fonts::regular();
        let scaled = font.as_scaled(PxScale::from(100.0));
        let bearing = scaled.h_side_bearing(scaled.glyph_id('l'));
        assert!(bearing > 5.0, "{bearing}");
        let first_ink = inked_runs("l", 100.0)[0].0;
        assert!(
            (first_ink as f32 - bearing).abs() <= 1.0,
            "{first_ink} vs {bearing}"
        );
    }

    #[test]
    fn the_measured_width_is_the_sum_of_advances_and_kerning() {
        let font = fonts::regular();
        let line = TextLine::new(font, 26.0, "AVAV");
        let scaled = font.as_scaled(PxScale::from(26.0));
        let (a, v) = (scaled.glyph_id('A'), scaled.glyph_id('V'));
        let advances = 2.0 * (scaled.h_advance(a) + scaled.h_advance(v));
        let kerning = 2.0 * scaled.kern(a, v) + scaled.kern(v, a);
        assert!((line.width - (advances + kerning)).abs() < 1e-3);
        assert!((line.height() - 26.0).abs() < 1e-3, "{}", line.height());
    }
}
