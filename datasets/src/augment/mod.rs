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
//!
//! - `mod.rs`: the parameters, the draws, and a batch of distorted images on the pool's threads;
//! - `sample.rs`: the affine map and bilinear sampling;
//! - `elastic.rs`: the random field and its Gaussian smoothing.
//!
//! It costs a few microseconds per image, against the milliseconds of a training step on a
//! batch: what the vector code in the last two is for. See
//! `docs/09-overfitting-and-regularisation.md`.

mod elastic;
mod sample;

use rand::Rng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use nn_core::Matrix;
use nn_core::threads::for_each_chunk_mut;

use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE, Split};
use elastic::{elastic_field, gaussian_kernel};
use sample::Warp;

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
            parts.push(format!("affine ({})", a.describe()));
        }
        if let Some(e) = self.elastic {
            parts.push(format!("elastic ({})", e.describe()));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(" + ")
        }
    }
}

impl Affine {
    /// `rotate ±10°, scale ±10%, shear ±0.15, shift ±2 px`
    pub fn describe(&self) -> String {
        format!(
            "rotate ±{}°, scale ±{}%, shear ±{}, shift ±{} px",
            self.rotate_degrees,
            100.0 * self.scale,
            self.shear,
            self.translate
        )
    }
}

impl Elastic {
    /// `α 34, σ 4`
    pub fn describe(&self) -> String {
        format!("α {}, σ {}", self.alpha, self.sigma)
    }
}

/// A 32-bit random word as a number in [-1, 1): its top 24 bits, which an f32 holds exactly.
fn symmetric_unit(word: u32) -> f32 {
    (word >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
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
    /// The right half of the elastic distortion's Gaussian, `r + 1` taps with `r = ⌈3σ⌉`;
    /// empty without one.
    kernel: Vec<f32>,
}

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
    ///
    /// The code below is compiled twice: for any x86-64 CPU, and with AVX2, whose vector
    /// instructions hold 8 floats instead of 4 (every function it calls is inlined into each
    /// copy). The CPU chooses at run time, as for the matrix kernels. Both copies do the same
    /// operations in the same order, with no fused multiply-add, so they give the same bits.
    pub fn distort(&self, image: &[u8], rng: &mut ChaCha8Rng, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { self.distort_avx2(image, rng, out) };
        }
        self.distort_portable(image, rng, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn distort_avx2(&self, image: &[u8], rng: &mut ChaCha8Rng, out: &mut [f32]) {
        let warp = self.draw(rng);
        // SAFETY: this copy runs only where the CPU has AVX2.
        unsafe { warp.apply_avx2(image, out) };
    }

    #[inline(always)]
    fn distort_portable(&self, image: &[u8], rng: &mut ChaCha8Rng, out: &mut [f32]) {
        self.draw(rng).apply(image, out);
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

    #[inline(always)]
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
        // Smoothing averages about 4π·σ² independent draws of variance 1/3, so the field's
        // standard deviation is α·√(1 / (3·4π·σ²)): about 1.4 pixels for σ = 4, α = 34, a bit
        // less near the border, where the smoothing sees zeros.
        let e = Elastic::default();
        let kernel = gaussian_kernel(e.sigma);
        let sum = kernel[0] + 2.0 * kernel[1..].iter().sum::<f32>();
        assert!((sum - 1.0).abs() < 1e-6, "{sum}");
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

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_copy_gives_the_same_bits_as_the_portable_one() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return; // nothing to compare on this CPU
        }
        let distorter = Distorter::new(Augmentation {
            affine: Some(Affine::default()),
            elastic: Some(Elastic::default()),
        });
        let image = ring();
        let (mut fast, mut portable) = (vec![0.0; IMAGE_PIXELS], vec![0.0; IMAGE_PIXELS]);
        for example in 0..20 {
            // SAFETY: the CPU has AVX2, checked above.
            unsafe { distorter.distort_avx2(&image, &mut example_rng(8, 1, example), &mut fast) };
            distorter.distort_portable(&image, &mut example_rng(8, 1, example), &mut portable);
            assert_eq!(fast, portable, "example {example}");
        }
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
