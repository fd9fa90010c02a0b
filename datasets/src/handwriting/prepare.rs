//! MNIST's preparation, step by step, for any picture of a digit.
//!
//! LeCun, Cortes and Burges describe how MNIST was made: the NIST digits were "size normalized
//! to fit in a 20x20 pixel box while preserving their aspect ratio", anti-aliased, then
//! "centered in a 28x28 image by computing the center of mass of the pixels, and translating the
//! image so as to position this point at the center of the 28x28 field". In the files the ink
//! is bright (255) on a black (0) background. Measured on the 60,000 training images: the
//! nonzero pixels span exactly 20 rows or columns in all but 13, the centre of mass sits at
//! (14.0, 14.0) in pixel indices (spread 0.3 pixel), and the brightest pixel is 254 or 255 in
//! every one.
//!
//! [`prepare`] does the same to a picture it has never seen, in six steps (a picture larger
//! than [`WORKING_SIDE`] is first shrunk to it):
//!
//! 1. **Grey.** Luminance in [0, 1]; a transparent picture is laid on white or black, whichever
//!    its opaque pixels stand out from.
//! 2. **Paper and ink.** The median of the border pixels is the paper; if it is light, the
//!    picture is inverted so the ink is bright, as in MNIST.
//! 3. **Levels.** The paper (plus its grain, three robust standard deviations) becomes 0 and the
//!    stroke (the 90th percentile of what stands out from the paper) becomes 1: a grey pencil
//!    on a yellowish photo reads like black ink on white. Nothing standing out by
//!    [`MIN_CONTRAST`] means no ink.
//! 4. **Crop** to the box around the pixels that are more ink than paper (level 0.5 or more).
//! 5. **Scale** so the longer side is [`DIGIT_BOX`] (20) pixels, keeping the aspect ratio, with
//!    a triangle filter (every output pixel averages the input pixels it covers), then set the
//!    brightest pixel to full ink, as in every MNIST image.
//! 6. **Centre** by the centre of mass in the 28 x 28 field, at pixel index (14, 14) as
//!    measured on MNIST; shifted by whole pixels (no blur), never past the edge.
//!
//! See `docs/10-using-the-network.md`.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, GenericImageView, GrayImage, ImageBuffer, ImageFormat, Luma, LumaA};

use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE, pixels_to_input};

/// MNIST's digits fit a 20 x 20 box: the longer side of every prepared digit is this long.
pub const DIGIT_BOX: u32 = 20;

/// Ink must stand out from the paper's grain by at least this much (luminance, 0 to 1); a
/// picture with nothing that does is blank.
pub const MIN_CONTRAST: f32 = 0.1;

/// Where MNIST puts the centre of mass, in pixel indices (row and column).
const CENTRE: f32 = IMAGE_SIDE as f32 / 2.0;

/// The stroke's level: this percentile of the pixels that stand out from the paper. Robust to a
/// few specks brighter than the stroke, and inside the stroke even when most of what stands
/// out is its soft edge.
const STROKE_PERCENTILE: f32 = 0.9;

/// Robust standard deviations of the paper's grain that still count as paper.
const GRAIN_SIGMAS: f32 = 3.0;

/// A picture in luminance or ink level, one `f32` per pixel.
type Levels = ImageBuffer<Luma<f32>, Vec<f32>>;

/// A picture prepared as MNIST was, and what preparing it found.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The 28 x 28 field the network sees, row by row, 0 (background) to 255 (ink), as
    /// MNIST's files hold their images. All 0 when there is no ink.
    pub pixels: [u8; IMAGE_PIXELS],
    /// The background was light (dark ink on paper), so the picture was inverted.
    pub inverted: bool,
    /// Where the ink is in the original picture; `None` for a blank picture.
    pub ink_box: Option<InkBox>,
}

/// A rectangle of the original picture, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InkBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl InkBox {
    /// The same box in a picture of size `to` instead of `from` (both width, height).
    fn scaled(self, from: (u32, u32), to: (u32, u32)) -> InkBox {
        if from == to {
            return self;
        }
        let x = |v: u32| (f64::from(v) * f64::from(to.0) / f64::from(from.0)).round() as u32;
        let y = |v: u32| (f64::from(v) * f64::from(to.1) / f64::from(from.1)).round() as u32;
        InkBox {
            x: x(self.x),
            y: y(self.y),
            width: x(self.width).max(1),
            height: y(self.height).max(1),
        }
    }
}

impl Prepared {
    /// Some ink was found. A blank picture still has a prediction (the network always answers),
    /// but it says nothing about a digit.
    pub fn has_ink(&self) -> bool {
        self.ink_box.is_some()
    }

    /// The network's input: the pixels as `f32` in [0, 1], exactly as training converts MNIST
    /// (`Split::gather_batch`).
    pub fn input(&self) -> Vec<f32> {
        let mut row = vec![0.0; IMAGE_PIXELS];
        pixels_to_input(&self.pixels, &mut row);
        row
    }

    /// The 28 x 28 field as a greyscale picture, white ink on black.
    pub fn to_image(&self) -> GrayImage {
        GrayImage::from_raw(IMAGE_SIDE, IMAGE_SIDE, self.pixels.to_vec())
            .expect("28 x 28 pixels make a 28 x 28 picture")
    }

    /// The 28 x 28 field as a PNG file's bytes: the picture the network sees, pixel for pixel.
    pub fn to_png(&self) -> Vec<u8> {
        let mut png = Cursor::new(Vec::new());
        self.to_image()
            .write_to(&mut png, ImageFormat::Png)
            .expect("encoding a small greyscale PNG in memory cannot fail");
        png.into_inner()
    }
}

/// Prepares `picture` as MNIST's digits were prepared (the six steps of this module's
/// documentation). Any picture gives a result; a blank one gives an empty field and
/// `ink_box: None`.
pub fn prepare(picture: &DynamicImage) -> Prepared {
    let working = shrink_to_working_size(picture);
    let grey = luminance(working.as_ref().unwrap_or(picture));
    let paper = Paper::measure(&grey);
    let ink = ink_levels(&grey, &paper);
    let Some(ink_box) = ink_box(&ink) else {
        return Prepared {
            pixels: [0; IMAGE_PIXELS],
            inverted: paper.light,
            ink_box: None,
        };
    };
    let digit = imageops::crop_imm(&ink, ink_box.x, ink_box.y, ink_box.width, ink_box.height);
    let (width, height) = fit_in_digit_box(ink_box.width, ink_box.height);
    let mut digit = imageops::resize(&*digit, width, height, FilterType::Triangle);
    brighten_to_full_ink(&mut digit);
    Prepared {
        pixels: place_by_centre_of_mass(&digit),
        inverted: paper.light,
        ink_box: Some(ink_box.scaled(grey.dimensions(), picture.dimensions())),
    }
}

/// A picture longer than this on either side is shrunk to it before it is prepared: a digit in
/// it is still far more than 20 pixels, and the steps hold a few `f32` per pixel (a 48-megapixel
/// photo would need a gigabyte).
pub const WORKING_SIDE: u32 = 2048;

/// `picture` shrunk to fit [`WORKING_SIDE`] with the same triangle filter as step 5, or `None`
/// if it already fits.
fn shrink_to_working_size(picture: &DynamicImage) -> Option<DynamicImage> {
    let (width, height) = picture.dimensions();
    (width.max(height) > WORKING_SIDE)
        .then(|| picture.resize(WORKING_SIDE, WORKING_SIDE, FilterType::Triangle))
}

/// No preparation, for comparison: the picture greyed and squashed to 28 x 28 whatever its
/// shape, dark ink left dark, nothing cropped or centred: what a first try without MNIST's
/// preparation feeds the network (`nn-train predict --raw`). Its `ink_box` is the whole
/// picture. See `docs/10-using-the-network.md`.
pub fn squash(picture: &DynamicImage) -> Prepared {
    let grey = luminance(picture);
    let field = imageops::resize(&grey, IMAGE_SIDE, IMAGE_SIDE, FilterType::Triangle);
    let mut pixels = [0u8; IMAGE_PIXELS];
    for (out, p) in pixels.iter_mut().zip(field.pixels()) {
        *out = to_byte(p[0]);
    }
    Prepared {
        pixels,
        inverted: false,
        ink_box: Some(InkBox {
            x: 0,
            y: 0,
            width: grey.width(),
            height: grey.height(),
        }),
    }
}

/// Step 1: luminance in [0, 1]. Transparent pixels show the matte behind them: white if the
/// opaque pixels are dark (black strokes on a transparent canvas), black if they are light.
fn luminance(picture: &DynamicImage) -> Levels {
    let grey_alpha = picture.to_luma_alpha32f();
    let (weight, weighted) = grey_alpha
        .pixels()
        .fold((0.0f64, 0.0f64), |(w, s), &LumaA([l, a])| {
            (w + f64::from(a), s + f64::from(a * l))
        });
    let dark_strokes = weight == 0.0 || weighted / weight < 0.5;
    let matte = if dark_strokes { 1.0 } else { 0.0 };
    let (width, height) = grey_alpha.dimensions();
    Levels::from_fn(width, height, |x, y| {
        let LumaA([l, a]) = *grey_alpha.get_pixel(x, y);
        Luma([a * l + (1.0 - a) * matte])
    })
}

/// Step 2: what the paper looks like, from the pixels on the picture's border (a digit is in
/// the middle; the median ignores a stroke that touches the edge).
struct Paper {
    /// The median luminance of the border.
    luminance: f32,
    /// Its spread: 1.4826 x the median absolute deviation, a standard deviation that a few
    /// ink pixels on the border cannot inflate.
    grain: f32,
    /// Light paper, dark ink: the picture gets inverted.
    light: bool,
}

impl Paper {
    fn measure(grey: &Levels) -> Paper {
        let (width, height) = grey.dimensions();
        let mut border: Vec<f32> = grey
            .enumerate_pixels()
            .filter(|&(x, y, _)| x == 0 || y == 0 || x + 1 == width || y + 1 == height)
            .map(|(_, _, p)| p[0])
            .collect();
        let luminance = median(&mut border);
        let mut deviations: Vec<f32> = border.iter().map(|v| (v - luminance).abs()).collect();
        let grain = 1.4826 * median(&mut deviations);
        Paper {
            luminance,
            grain,
            light: luminance > 0.5,
        }
    }
}

/// Steps 2 and 3: ink level in [0, 1], the paper at 0 and the stroke at 1, or all 0 if
/// nothing stands out from the paper by [`MIN_CONTRAST`].
fn ink_levels(grey: &Levels, paper: &Paper) -> Levels {
    let as_ink = |l: f32| if paper.light { 1.0 - l } else { l };
    let floor = as_ink(paper.luminance) + GRAIN_SIGMAS * paper.grain;
    let mut standing_out: Vec<f32> = grey
        .pixels()
        .map(|p| as_ink(p[0]))
        .filter(|&v| v > floor + MIN_CONTRAST)
        .collect();
    let (width, height) = grey.dimensions();
    if standing_out.is_empty() {
        return Levels::new(width, height);
    }
    let stroke = percentile(&mut standing_out, STROKE_PERCENTILE);
    Levels::from_fn(width, height, |x, y| {
        let v = as_ink(grey.get_pixel(x, y)[0]);
        Luma([((v - floor) / (stroke - floor)).clamp(0.0, 1.0)])
    })
}

/// Step 4: the smallest box around every pixel that is more ink than paper (level >= 0.5).
fn ink_box(ink: &Levels) -> Option<InkBox> {
    let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in ink.enumerate_pixels() {
        if p[0] >= 0.5 {
            (left, top) = (left.min(x), top.min(y));
            (right, bottom) = (right.max(x), bottom.max(y));
        }
    }
    (left <= right).then(|| InkBox {
        x: left,
        y: top,
        width: right - left + 1,
        height: bottom - top + 1,
    })
}

/// Step 5: the size that makes the longer side [`DIGIT_BOX`] pixels and keeps the aspect ratio
/// (a side never shrinks below one pixel: a stroke of "1" stays visible).
fn fit_in_digit_box(width: u32, height: u32) -> (u32, u32) {
    let scale = DIGIT_BOX as f32 / width.max(height) as f32;
    let side = |s: u32| ((s as f32 * scale).round() as u32).clamp(1, DIGIT_BOX);
    (side(width), side(height))
}

/// Step 5, continued: the brightest pixel becomes 1. A thin pen line averaged over a large
/// area comes out grey; every MNIST digit has full-strength ink.
fn brighten_to_full_ink(digit: &mut Levels) {
    let brightest = digit.pixels().fold(0.0f32, |m, p| m.max(p[0]));
    if brightest > 0.0 {
        for p in digit.pixels_mut() {
            p[0] /= brightest;
        }
    }
}

/// Step 6: `digit` pasted into a black 28 x 28 field so that its centre of mass lands on pixel
/// index (14, 14), moved by whole pixels and never past the edge, then quantised to bytes as
/// MNIST's files hold it.
fn place_by_centre_of_mass(digit: &Levels) -> [u8; IMAGE_PIXELS] {
    let (width, height) = digit.dimensions();
    let (mut mass, mut sum_x, mut sum_y) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y, p) in digit.enumerate_pixels() {
        let m = f64::from(p[0]);
        mass += m;
        sum_x += m * f64::from(x);
        sum_y += m * f64::from(y);
    }
    let offset = |sum: f64, size: u32| {
        let centre = if mass > 0.0 {
            sum / mass
        } else {
            f64::from(size - 1) / 2.0
        };
        let shift = (f64::from(CENTRE) - centre).round() as i64;
        shift.clamp(0, i64::from(IMAGE_SIDE - size)) as u32
    };
    let (left, top) = (offset(sum_x, width), offset(sum_y, height));
    let mut pixels = [0u8; IMAGE_PIXELS];
    for (x, y, p) in digit.enumerate_pixels() {
        let i = ((top + y) * IMAGE_SIDE + left + x) as usize;
        pixels[i] = to_byte(p[0]);
    }
    pixels
}

/// A level in [0, 1] as MNIST stores it: 0 to 255.
fn to_byte(level: f32) -> u8 {
    (level.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The middle value (the upper one of the two middles for an even count); reorders `values`.
fn median(values: &mut [f32]) -> f32 {
    percentile(values, 0.5)
}

/// The value below which a fraction `q` of `values` lie (nearest rank); reorders `values`.
fn percentile(values: &mut [f32], q: f32) -> f32 {
    assert!(!values.is_empty(), "percentile of nothing");
    let rank = ((values.len() - 1) as f32 * q).round() as usize;
    *values.select_nth_unstable_by(rank, f32::total_cmp).1
}
