//! Data augmentation: every epoch, each training image is seen through a fresh random
//! distortion, so the network never sees exactly the same digit twice.
//!
//! A digit stays the same digit when it is rotated a little, written larger or narrower,
//! slanted, moved, or when the strokes wobble as a hand's muscles do. Showing the network those
//! versions teaches it that they do not matter, which it would otherwise have to learn from
//! many more images. Two families, which combine (`docs/09-overfitting-and-regularisation.md`):
//!
//! - **affine**: a random rotation, scale (each axis on its own), shear and translation;
//! - **elastic** (Simard, Steinkraus & Platt 2003): a random displacement for every pixel,
//!   uniform in [-1, 1] on each axis, smoothed by a Gaussian of width σ (pixels) and scaled by
//!   α. A small σ gives random jitter, a large one an almost rigid shift; in between, the
//!   strokes bend smoothly.
//!
//! Both become one sampling map. Output pixel `p` takes the value of the source image at
//!
//! ```text
//! s(p) = T⁻¹·(p - c - t) + c + α·(G_σ * u)(p)
//! ```
//!
//! where `c` is the image centre, `T = rotation · shear · scale` and `t` the translation (the
//! content moves by `T` about the centre, then by `t`), `u` the random field and `G_σ *` the
//! smoothing. The source is read by bilinear interpolation, with 0 (background) outside the
//! image, so every output pixel is a weighted average of source pixels and stays in [0, 1].
//!
//! The draws for training example `i` in epoch `e` come from their own generator,
//! `nn_core::rng::keyed(seed, b"augment\0", e << 32 | i)`: the same on every machine, for any
//! number of threads, and after a resume.

use rand::Rng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use nn_core::Matrix;
use nn_core::threads::for_each_chunk_mut;

use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE, Split};

const SIDE: usize = IMAGE_SIDE as usize;
/// The centre of the image, between pixels 13 and 14 (pixel `x` covers `[x - ½, x + ½]`).
const CENTRE: f32 = (SIDE as f32 - 1.0) / 2.0;

/// Which distortions training applies, and how strong: part of a run's configuration. Both
/// `None` is no augmentation. See `docs/09-overfitting-and-regularisation.md`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Augmentation {
    pub affine: Option<Affine>,
    pub elastic: Option<Elastic>,
}

/// The largest affine change in each direction; every image draws its own, uniformly in
/// these ranges.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affine {
    /// Rotation, in degrees, either way.
    pub rotate_degrees: f32,
    /// Relative change of size, each axis on its own: factors in `[1 - scale, 1 + scale]`.
    pub scale: f32,
    /// Shear factor `k` of `x' = x + k·y` (a slant), in `[-shear, shear]`.
    pub shear: f32,
    /// Shift in pixels, each axis.
    pub translate: f32,
}

impl Default for Affine {
    /// Changes a writer could make without the digit becoming another: up to 10° of rotation,
    /// 10% of size, a shear of 0.15 (about 8.5° of slant), and 2 pixels of shift.
    fn default() -> Affine {
        Affine {
            rotate_degrees: 10.0,
            scale: 0.1,
            shear: 0.15,
            translate: 2.0,
        }
    }
}

/// An elastic distortion: the random field is smoothed by a Gaussian of standard deviation
/// `sigma` pixels and scaled by `alpha`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Elastic {
    pub alpha: f32,
    pub sigma: f32,
}

impl Default for Elastic {
    /// σ = 4 and α = 34: Simard et al.'s σ, and the α used with it for MNIST.
    fn default() -> Elastic {
        Elastic {
            alpha: 34.0,
            sigma: 4.0,
        }
    }
}

impl Augmentation {
    pub fn is_none(&self) -> bool {
        self.affine.is_none() && self.elastic.is_none()
    }

    /// For people: `none`, `affine (rotate ±10°, scale ±10%, shear ±0.15, shift ±2 px)`,
    /// `elastic (α 34, σ 4)`, or both joined by ` + `.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = self.affine {
            parts.push(format!(
                "affine (rotate ±{}°, scale ±{}%, shear ±{}, shift ±{} px)",
                a.rotate_degrees,
                100.0 * a.scale,
                a.shear,
                a.translate
            ));
        }
        if let Some(e) = self.elastic {
            parts.push(format!("elastic (α {}, σ {})", e.alpha, e.sigma));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(" + ")
        }
    }
}

/// The generator of training example `example`'s distortion in `epoch`.
pub fn example_rng(seed: u64, epoch: usize, example: usize) -> ChaCha8Rng {
    let (epoch, example) = (epoch as u64, example as u64);
    assert!(
        epoch < 1 << 32 && example < 1 << 32,
        "epoch {epoch} or example {example} out of range"
    );
    nn_core::rng::keyed(seed, b"augment\0", epoch << 32 | example)
}

/// Applies an [`Augmentation`]: it holds the Gaussian kernel, computed once.
#[derive(Clone, Debug)]
pub struct Distorter {
    augmentation: Augmentation,
    /// The normalised Gaussian of the elastic distortion, `2r + 1` taps with `r = ⌈3σ⌉`
    /// (at most 27: the image is 28 wide); empty without one.
    kernel: Vec<f32>,
}

/// One image's draw: the affine map and the smoothed displacement field, before sampling.
struct Warp {
    /// `T⁻¹`, row-major: `[[a, b], [c, d]]` maps an output offset from the centre to a source
    /// offset.
    inverse: [f32; 4],
    /// `t`, in pixels.
    shift: (f32, f32),
    /// `α·(G_σ * u)`; `None` without an elastic distortion.
    field: Option<Field>,
}

/// A displacement for every pixel: `field[r]` holds the x displacements of row `r`, then its
/// y displacements, so one pass over a row handles both.
type Field = [[f32; 2 * SIDE]; SIDE];

impl Distorter {
    /// Panics if a parameter is negative or not finite, or σ is 0: the command line refuses
    /// those first.
    pub fn new(augmentation: Augmentation) -> Distorter {
        if let Some(a) = augmentation.affine {
            let values = [a.rotate_degrees, a.scale, a.shear, a.translate];
            assert!(
                values.iter().all(|v| v.is_finite() && *v >= 0.0) && a.scale < 1.0,
                "affine ranges must be finite and at least 0, and scale below 1: {a:?}"
            );
        }
        let kernel = match augmentation.elastic {
            Some(e) => {
                assert!(
                    e.alpha.is_finite() && e.alpha >= 0.0 && e.sigma.is_finite() && e.sigma > 0.0,
                    "elastic α must be at least 0 and σ above 0: {e:?}"
                );
                gaussian_kernel(e.sigma)
            }
            None => Vec::new(),
        };
        Distorter {
            augmentation,
            kernel,
        }
    }

    pub fn augmentation(&self) -> &Augmentation {
        &self.augmentation
    }

    /// Writes a random distortion of `image` (784 pixels, 0 to 255) into `out` as values in
    /// [0, 1], drawing everything from `rng`: first the affine parameters, then the field.
    pub fn distort(&self, image: &[u8], rng: &mut ChaCha8Rng, out: &mut [f32]) {
        let warp = self.draw(rng);
        warp.apply(image, out);
    }

    /// [`Split::gather_batch`] with every image distorted: row `r` is example `indices[r]`
    /// seen through [`example_rng`]`(seed, epoch, indices[r])`. The rows are shared out over
    /// the threads of the current `nn_core::ThreadPool`; each row depends only on its own
    /// draw, so the batch is the same for any number of threads.
    pub fn gather_batch(
        &self,
        split: &Split,
        indices: &[usize],
        seed: u64,
        epoch: usize,
        x: &mut Matrix,
        labels: &mut Vec<usize>,
    ) {
        x.reshape(indices.len(), IMAGE_PIXELS);
        for_each_chunk_mut(x.as_mut_slice(), IMAGE_PIXELS, |row, pixels| {
            let example = indices[row];
            let mut rng = example_rng(seed, epoch, example);
            self.distort(split.image(example), &mut rng, pixels);
        });
        labels.clear();
        labels.extend(indices.iter().map(|&i| usize::from(split.label(i))));
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> Warp {
        let mut warp = Warp::identity();
        if let Some(a) = self.augmentation.affine {
            let mut uniform = |range: f32| range * symmetric_unit(rng.next_u32());
            let angle = uniform(a.rotate_degrees).to_radians();
            let (scale_x, scale_y) = (1.0 + uniform(a.scale), 1.0 + uniform(a.scale));
            let shear = uniform(a.shear);
            let shift = (uniform(a.translate), uniform(a.translate));
            warp = Warp::affine(angle, (scale_x, scale_y), shear, shift);
        }
        if let Some(e) = self.augmentation.elastic {
            warp.field = Some(elastic_field(e.alpha, &self.kernel, rng));
        }
        warp
    }
}

impl Warp {
    fn identity() -> Warp {
        Warp {
            inverse: [1.0, 0.0, 0.0, 1.0],
            shift: (0.0, 0.0),
            field: None,
        }
    }

    /// The content is scaled by `(scale_x, scale_y)`, sheared by `x' = x + shear·y`, rotated
    /// by `angle` radians (counterclockwise as seen on the screen, where y points down), all
    /// about the centre, then moved by `shift`. Sampling needs the inverse of
    /// `T = R·H·S`:
    ///
    /// ```text
    /// R = [[cos θ, sin θ], [-sin θ, cos θ]]   H = [[1, k], [0, 1]]   S = [[sx, 0], [0, sy]]
    /// ```
    fn affine(angle: f32, (scale_x, scale_y): (f32, f32), shear: f32, shift: (f32, f32)) -> Warp {
        let (sin, cos) = angle.sin_cos();
        // R·H = [[cos, k·cos + sin], [-sin, -k·sin + cos]], then ·S scales the columns.
        let t = [
            cos * scale_x,
            (shear * cos + sin) * scale_y,
            -sin * scale_x,
            (cos - shear * sin) * scale_y,
        ];
        let det = t[0] * t[3] - t[1] * t[2];
        Warp {
            inverse: [t[3] / det, -t[1] / det, -t[2] / det, t[0] / det],
            shift,
            field: None,
        }
    }

    /// Bilinear sampling of `image` at `s(p)` for every output pixel `p`.
    fn apply(&self, image: &[u8], out: &mut [f32]) {
        assert_eq!(out.len(), IMAGE_PIXELS, "an output row has 784 pixels");
        let source = Bordered::new(image);
        let [a, b, c, d] = self.inverse;
        let no_field = [0.0; 2 * SIDE];
        for (r, out) in out.chunks_exact_mut(SIDE).enumerate() {
            let displacement = self.field.as_ref().map_or(&no_field, |f| &f[r]);
            let (x_shift, y_shift) = displacement.split_at(SIDE);
            let dy = r as f32 - CENTRE - self.shift.1;
            for (column, out) in out.iter_mut().enumerate() {
                let dx = column as f32 - CENTRE - self.shift.0;
                let sx = a * dx + b * dy + CENTRE + x_shift[column];
                let sy = c * dx + d * dy + CENTRE + y_shift[column];
                *out = source.bilinear(sx, sy);
            }
        }
    }
}

/// Width of the image with a border of one background pixel on every side.
const BORDERED: usize = SIDE + 2;

/// `v / 255` for every pixel value `v`: the same numbers as `Split::gather_batch` computes,
/// looked up instead of divided.
const UNIT: [f32; 256] = {
    let mut table = [0.0; 256];
    let mut v = 0;
    while v < 256 {
        table[v] = v as f32 / 255.0;
        v += 1;
    }
    table
};

/// An image as values in [0, 1], framed by one pixel of background, so that bilinear sampling
/// anywhere reads four pixels without a bounds test.
struct Bordered([f32; BORDERED * BORDERED]);

impl Bordered {
    fn new(image: &[u8]) -> Bordered {
        assert_eq!(image.len(), IMAGE_PIXELS, "an image has 784 pixels");
        let mut framed = [0.0; BORDERED * BORDERED];
        for (row, pixels) in image.chunks_exact(SIDE).enumerate() {
            let start = (row + 1) * BORDERED + 1;
            for (f, &v) in framed[start..start + SIDE].iter_mut().zip(pixels) {
                *f = UNIT[usize::from(v)];
            }
        }
        Bordered(framed)
    }

    /// The pixel value at the real position `(x, y)`: the four pixels around it weighted by
    /// how near they are, 0 outside the image. A position beyond the frame is moved onto it,
    /// where every pixel is background, which gives the same 0. Each blend is written
    /// `a + f·(b - a)`, which in floating point never leaves the interval between `a` and `b`:
    /// the result stays in [0, 1].
    fn bilinear(&self, x: f32, y: f32) -> f32 {
        let last = SIDE as f32;
        // NaN (from a NaN parameter, which the command line refuses) lands on the frame too.
        let (x, y) = (x.clamp(-1.0, last).max(-1.0), y.clamp(-1.0, last).max(-1.0));
        // Shifted by the frame, the position is at least 0: truncation is the floor.
        let (x0, y0) = ((x + 1.0) as usize, (y + 1.0) as usize);
        let (fx, fy) = (x + 1.0 - x0 as f32, y + 1.0 - y0 as f32);
        let (x1, y1) = ((x0 + 1).min(BORDERED - 1), (y0 + 1).min(BORDERED - 1));
        let at = |x: usize, y: usize| self.0[y * BORDERED + x];
        let blend = |a: f32, b: f32, f: f32| a + f * (b - a);
        let top = blend(at(x0, y0), at(x1, y0), fx);
        let bottom = blend(at(x0, y1), at(x1, y1), fx);
        blend(top, bottom, fy)
    }
}

/// A 32-bit random word as a number in [-1, 1): its top 24 bits, which an f32 holds exactly.
fn symmetric_unit(word: u32) -> f32 {
    (word >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
}

/// `exp(-k² / 2σ²)` for `k = -r..=r` with `r = ⌈3σ⌉` (at most 27), divided by its sum.
fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let radius = ((3.0 * sigma).ceil() as i64).clamp(1, SIDE as i64 - 1);
    let weights: Vec<f64> = (-radius..=radius)
        .map(|k| (-(k * k) as f64 / (2.0 * f64::from(sigma).powi(2))).exp())
        .collect();
    let sum: f64 = weights.iter().sum();
    weights.iter().map(|w| (w / sum) as f32).collect()
}

/// `α·(G_σ * u)` for x and y: `u` uniform in [-1, 1] per pixel and axis (x's 784 words first,
/// then y's, each row by row), smoothed with zeros beyond the border, then scaled.
fn elastic_field(alpha: f32, kernel: &[f32], rng: &mut ChaCha8Rng) -> Field {
    let mut field = [[0.0; 2 * SIDE]; SIDE];
    let mut words = [0u8; 4 * IMAGE_PIXELS];
    for axis in 0..2 {
        rng.fill_bytes(&mut words);
        for (p, word) in words.chunks_exact(4).enumerate() {
            let word = u32::from_le_bytes(word.try_into().expect("4 bytes"));
            field[p / SIDE][axis * SIDE + p % SIDE] = symmetric_unit(word);
        }
    }
    smooth(&mut field, kernel);
    for v in field.as_flattened_mut() {
        *v *= alpha;
    }
    field
}

/// Convolves both halves of the field with `kernel` along columns, then along rows (a 2-D
/// Gaussian is the product of two 1-D ones), with zeros beyond the border. Every inner loop
/// runs over a whole row of known length, so it vectorises.
fn smooth(field: &mut Field, kernel: &[f32]) {
    let radius = kernel.len() / 2;
    // Along columns: output row r is the weighted sum of rows r - radius to r + radius.
    let mut columns: Field = [[0.0; 2 * SIDE]; SIDE];
    for (r, out) in columns.iter_mut().enumerate() {
        for (k, &w) in kernel.iter().enumerate() {
            let Some(row) = (r + k).checked_sub(radius).and_then(|s| field.get(s)) else {
                continue;
            };
            for (o, &v) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
    // Along rows, the x and y halves apart: output column c is the weighted sum of columns
    // c - radius to c + radius, read from a copy of the half with zeros either side.
    let mut padded = [0.0f32; SIDE + 2 * (SIDE - 1)];
    for (out, row) in field.iter_mut().zip(&columns) {
        for (out, half) in out.chunks_exact_mut(SIDE).zip(row.chunks_exact(SIDE)) {
            padded[radius..radius + SIDE].copy_from_slice(half);
            out.fill(0.0);
            for (k, &w) in kernel.iter().enumerate() {
                for (o, &v) in out.iter_mut().zip(&padded[k..k + SIDE]) {
                    *o += w * v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn_core::ThreadPool;

    /// A blank image with ink at the given (row, column) pixels.
    fn dots(pixels: &[(usize, usize)]) -> Vec<u8> {
        let mut image = vec![0u8; IMAGE_PIXELS];
        for &(r, c) in pixels {
            image[r * SIDE + c] = 255;
        }
        image
    }

    /// A digit-like test image: a filled ring, with grey values.
    fn ring() -> Vec<u8> {
        (0..IMAGE_PIXELS)
            .map(|p| {
                let (x, y) = ((p % SIDE) as f32 - CENTRE, (p / SIDE) as f32 - CENTRE);
                let r = (x * x + y * y).sqrt();
                if (5.0..9.0).contains(&r) {
                    (255.0 * (1.0 - (r - 7.0).abs() / 2.0)) as u8
                } else {
                    0
                }
            })
            .collect()
    }

    fn warped(warp: &Warp, image: &[u8]) -> Vec<f32> {
        let mut out = vec![0.0; IMAGE_PIXELS];
        warp.apply(image, &mut out);
        out
    }

    /// The ink-weighted mean position (x, y) of an image.
    fn centroid(image: &[f32]) -> (f32, f32) {
        let total: f32 = image.iter().sum();
        let (mut x, mut y) = (0.0, 0.0);
        for (p, &v) in image.iter().enumerate() {
            x += v * (p % SIDE) as f32;
            y += v * (p / SIDE) as f32;
        }
        (x / total, y / total)
    }

    #[test]
    fn identity_parameters_leave_the_image_unchanged() {
        let image = ring();
        let expected: Vec<f32> = image.iter().map(|&v| f32::from(v) / 255.0).collect();
        let affine = Affine {
            rotate_degrees: 0.0,
            scale: 0.0,
            shear: 0.0,
            translate: 0.0,
        };
        let elastic = Elastic {
            alpha: 0.0,
            sigma: 4.0,
        };
        for augmentation in [
            Augmentation::default(),
            Augmentation {
                affine: Some(affine),
                elastic: Some(elastic),
            },
        ] {
            let distorter = Distorter::new(augmentation);
            let mut out = vec![0.0; IMAGE_PIXELS];
            distorter.distort(&image, &mut example_rng(1, 1, 0), &mut out);
            assert_eq!(out, expected, "{}", augmentation.describe());
        }
    }

    #[test]
    fn a_quarter_turn_moves_a_pixel_where_geometry_says() {
        // Row 13, column 20 is 6.5 pixels right of the centre and 0.5 above it. A quarter turn
        // counterclockwise (on the screen) takes it 6.5 pixels above the centre and 0.5 left:
        // row 7, column 13.
        let image = dots(&[(13, 20)]);
        let out = warped(
            &Warp::affine(90f32.to_radians(), (1.0, 1.0), 0.0, (0.0, 0.0)),
            &image,
        );
        assert!(out[7 * SIDE + 13] > 0.999, "{}", out[7 * SIDE + 13]);
        let elsewhere: f32 = out.iter().sum::<f32>() - out[7 * SIDE + 13];
        assert!(elsewhere < 1e-3, "{elsewhere}");
    }

    #[test]
    fn a_small_rotation_moves_the_ink_along_its_circle() {
        // A dot 10.5 pixels right of the centre, 0.5 above; rotated 30° counterclockwise:
        // (x, y) = (10.5, -0.5) goes to (x cos θ + y sin θ, -x sin θ + y cos θ).
        let image = dots(&[(13, 24)]);
        let theta = 30f32.to_radians();
        let out = warped(&Warp::affine(theta, (1.0, 1.0), 0.0, (0.0, 0.0)), &image);
        let (x, y) = (10.5f32, -0.5f32);
        let expected = (
            x * theta.cos() + y * theta.sin() + CENTRE,
            -x * theta.sin() + y * theta.cos() + CENTRE,
        );
        let found = centroid(&out);
        assert!(
            (found.0 - expected.0).abs() < 0.3 && (found.1 - expected.1).abs() < 0.3,
            "ink at {found:?}, geometry says {expected:?}"
        );
    }

    #[test]
    fn a_whole_pixel_shift_moves_the_image_exactly() {
        let image = ring();
        let out = warped(&Warp::affine(0.0, (1.0, 1.0), 0.0, (2.0, -3.0)), &image);
        for r in 0..SIDE {
            for c in 0..SIDE {
                // Output (r, c) shows source (r + 3, c - 2).
                let source = (r + 3 < SIDE && c >= 2).then(|| image[(r + 3) * SIDE + c - 2]);
                let expected = source.map_or(0.0, |v| f32::from(v) / 255.0);
                assert_eq!(out[r * SIDE + c], expected, "row {r}, column {c}");
            }
        }
    }

    #[test]
    fn scaling_up_spreads_the_ink_from_the_centre() {
        // Two dots 4.5 pixels either side of the centre: twice as wide, they land 9 pixels
        // either side, at x = 4.5 and 22.5; the vertical position does not change.
        let image = dots(&[(13, 9), (13, 18)]);
        let out = warped(&Warp::affine(0.0, (2.0, 1.0), 0.0, (0.0, 0.0)), &image);
        let mut left = out.clone();
        left.iter_mut()
            .enumerate()
            .for_each(|(p, v)| *v *= f32::from(u8::from(p % SIDE < 14)));
        let (x, y) = centroid(&left);
        assert!(
            (x - 4.5).abs() < 1e-4 && (y - 13.0).abs() < 1e-4,
            "({x}, {y})"
        );
    }

    #[test]
    fn every_distortion_stays_in_the_unit_interval_and_keeps_most_ink() {
        let strong = Augmentation {
            affine: Some(Affine {
                rotate_degrees: 30.0,
                scale: 0.3,
                shear: 0.5,
                translate: 4.0,
            }),
            elastic: Some(Elastic {
                alpha: 60.0,
                sigma: 3.0,
            }),
        };
        let image = ring();
        for augmentation in [
            strong,
            Augmentation {
                affine: Some(Affine::default()),
                elastic: Some(Elastic::default()),
            },
        ] {
            let distorter = Distorter::new(augmentation);
            let mut out = vec![0.0; IMAGE_PIXELS];
            for example in 0..200 {
                distorter.distort(&image, &mut example_rng(3, 1, example), &mut out);
                assert!(
                    out.iter().all(|v| (0.0..=1.0).contains(v)),
                    "example {example}"
                );
                assert!(
                    out.iter().sum::<f32>() > 0.0,
                    "example {example} lost all its ink"
                );
            }
        }
    }

    #[test]
    fn the_default_elastic_field_moves_pixels_by_about_a_pixel() {
        // Smoothing averages about 2π·σ² independent draws of variance 1/3, so the field's
        // standard deviation is α·√(1 / (3·4π·σ²)): about 1.4 pixels for σ = 4, α = 34, a bit
        // less near the border, where the smoothing sees zeros.
        let e = Elastic::default();
        let kernel = gaussian_kernel(e.sigma);
        assert!((kernel.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let mut squares = 0.0f64;
        let draws = 50;
        for i in 0..draws {
            let field = elastic_field(e.alpha, &kernel, &mut example_rng(5, 1, i));
            let flat = field.as_flattened();
            squares += flat.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
        }
        let rms = (squares / (draws * 2 * IMAGE_PIXELS) as f64).sqrt();
        assert!((0.7..1.6).contains(&rms), "rms displacement {rms}");
    }

    #[test]
    fn draws_depend_on_seed_epoch_and_example_only() {
        let distorter = Distorter::new(Augmentation {
            affine: Some(Affine::default()),
            elastic: Some(Elastic::default()),
        });
        let image = ring();
        let draw = |seed, epoch, example| {
            let mut out = vec![0.0; IMAGE_PIXELS];
            distorter.distort(&image, &mut example_rng(seed, epoch, example), &mut out);
            out
        };
        assert_eq!(draw(1, 2, 3), draw(1, 2, 3));
        assert_ne!(draw(1, 2, 3), draw(1, 3, 3), "every epoch a fresh draw");
        assert_ne!(draw(1, 2, 3), draw(1, 2, 4));
        assert_ne!(draw(1, 2, 3), draw(2, 2, 3));
    }

    #[test]
    fn a_batch_is_the_same_for_any_number_of_threads() {
        let split = Split::synthetic(50, 4);
        let distorter = Distorter::new(Augmentation {
            affine: Some(Affine::default()),
            elastic: Some(Elastic::default()),
        });
        let indices: Vec<usize> = (0..50).rev().collect();
        let batch = |threads| {
            let (mut x, mut labels) = (Matrix::default(), Vec::new());
            ThreadPool::new(threads)
                .install(|| distorter.gather_batch(&split, &indices, 9, 2, &mut x, &mut labels));
            (x, labels)
        };
        let (one, labels) = batch(1);
        assert_eq!((one.clone(), labels.clone()), batch(2));
        assert_eq!((one.clone(), labels.clone()), batch(3));
        assert_eq!(labels[0], usize::from(split.label(49)));
        // Row r is example indices[r] with its own draw.
        let mut expected = vec![0.0; IMAGE_PIXELS];
        distorter.distort(split.image(49), &mut example_rng(9, 2, 49), &mut expected);
        assert_eq!(one.row(0), &expected[..]);
    }
}
