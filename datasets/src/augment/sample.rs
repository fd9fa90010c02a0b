//! The affine part of a distortion, and bilinear sampling: output pixel `p` takes the value of
//! the source image at `s(p) = T⁻¹·(p - c - t) + c + field(p)`.

use super::elastic::Field;
use super::{CENTRE, IMAGE_PIXELS, SIDE};
use crate::mnist::pixels_to_input;

/// One image's draw: the affine map and the smoothed displacement field, before sampling.
pub(super) struct Warp {
    /// `T⁻¹`, row-major: `[[a, b], [c, d]]` maps an output offset from the centre to a source
    /// offset.
    inverse: [f32; 4],
    /// `t`, in pixels.
    shift: (f32, f32),
    /// `α·(G_σ * u)`; `None` without an elastic distortion.
    pub(super) field: Option<Field>,
}

impl Warp {
    pub(super) fn identity() -> Warp {
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
    #[inline(always)]
    pub(super) fn affine(
        angle: f32,
        (scale_x, scale_y): (f32, f32),
        shear: f32,
        shift: (f32, f32),
    ) -> Warp {
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

    /// Bilinear sampling of `image` at `s(p)` for every output pixel `p`: the source positions
    /// of the whole image first, then the samples.
    #[inline(always)]
    pub(super) fn apply(&self, image: &[u8], out: &mut [f32]) {
        let (xs, ys) = self.source_positions();
        Bordered::new(image).sample(&xs, &ys, out);
    }

    /// [`Warp::apply`] with [`Bordered::sample_avx2`]: the same bits.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) unsafe fn apply_avx2(&self, image: &[u8], out: &mut [f32]) {
        let out: &mut [f32; IMAGE_PIXELS] = out.try_into().expect("an output row has 784 pixels");
        let (xs, ys) = self.source_positions();
        // SAFETY: the caller guarantees AVX2.
        unsafe { Bordered::new(image).sample_avx2(&xs, &ys, out) }
    }

    /// `s(p)` for every output pixel `p`, row by row: the x coordinates, then the y ones.
    #[inline(always)]
    fn source_positions(&self) -> ([f32; IMAGE_PIXELS], [f32; IMAGE_PIXELS]) {
        let [a, b, c, d] = self.inverse;
        let (mut xs, mut ys) = ([0.0f32; IMAGE_PIXELS], [0.0f32; IMAGE_PIXELS]);
        let rows = xs.chunks_exact_mut(SIDE).zip(ys.chunks_exact_mut(SIDE));
        for (r, (xs, ys)) in rows.enumerate() {
            let dy = r as f32 - CENTRE - self.shift.1;
            for (column, (x, y)) in xs.iter_mut().zip(ys.iter_mut()).enumerate() {
                let dx = column as f32 - CENTRE - self.shift.0;
                *x = a * dx + b * dy + CENTRE;
                *y = c * dx + d * dy + CENTRE;
            }
        }
        if let Some(field) = &self.field {
            let rows = xs.chunks_exact_mut(SIDE).zip(ys.chunks_exact_mut(SIDE));
            for ((xs, ys), shift) in rows.zip(field) {
                let (x_shift, y_shift) = shift.split_at(SIDE);
                xs.iter_mut().zip(x_shift).for_each(|(x, s)| *x += s);
                ys.iter_mut().zip(y_shift).for_each(|(y, s)| *y += s);
            }
        }
        (xs, ys)
    }
}

/// The framed image's width: one background pixel before the image and two after it, so that
/// the pixel after any position that sampling reads is inside the frame too.
const BORDERED: usize = SIDE + 3;

/// An image as values in [0, 1], framed by background, so that bilinear sampling anywhere
/// reads four pixels without a bounds test.
pub(super) struct Bordered([f32; BORDERED * BORDERED]);

impl Bordered {
    #[inline(always)]
    pub(super) fn new(image: &[u8]) -> Bordered {
        assert_eq!(image.len(), IMAGE_PIXELS, "an image has 784 pixels");
        let mut framed = [0.0; BORDERED * BORDERED];
        for (row, pixels) in image.chunks_exact(SIDE).enumerate() {
            let start = (row + 1) * BORDERED + 1;
            pixels_to_input(pixels, &mut framed[start..start + SIDE]);
        }
        Bordered(framed)
    }

    /// `out[i]` = the image at `(xs[i], ys[i])`: the four pixels around it weighted by how near
    /// they are, 0 outside the image. A position beyond the frame is moved onto it, where every
    /// pixel is background, which gives the same 0 (and so does NaN, which `max` and `min`
    /// pass over). Each blend is written `a + f·(b - a)`, which in floating point never leaves
    /// the interval between `a` and `b`: the result stays in [0, 1].
    pub(super) fn sample(&self, xs: &[f32], ys: &[f32], out: &mut [f32]) {
        let last = SIDE as f32;
        for (out, (&x, &y)) in out.iter_mut().zip(xs.iter().zip(ys)) {
            // Shifted into the frame, from 0 to 29: truncation is the floor.
            let (x, y) = (x.max(-1.0).min(last) + 1.0, y.max(-1.0).min(last) + 1.0);
            let (x0, y0) = ((x as i32).clamp(0, 29), (y as i32).clamp(0, 29));
            let (fx, fy) = (x - x0 as f32, y - y0 as f32);
            let i = y0 as usize * BORDERED + x0 as usize;
            let at = |offset: usize| self.0[i + offset];
            let blend = |a: f32, b: f32, f: f32| a + f * (b - a);
            let top = blend(at(0), at(1), fx);
            let bottom = blend(at(BORDERED), at(BORDERED + 1), fx);
            *out = blend(top, bottom, fy);
        }
    }

    /// [`Bordered::sample`], 8 pixels at a time with AVX2: the same operations in the same
    /// order (so the same bits), with the four pixels read by `gather` instructions.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sample_avx2(
        &self,
        xs: &[f32; IMAGE_PIXELS],
        ys: &[f32; IMAGE_PIXELS],
        out: &mut [f32; IMAGE_PIXELS],
    ) {
        use std::arch::x86_64::*;
        let (low, high) = (_mm256_set1_ps(-1.0), _mm256_set1_ps(SIDE as f32));
        let one = _mm256_set1_ps(1.0);
        let (zero, last) = (_mm256_setzero_si256(), _mm256_set1_epi32(29));
        let width = _mm256_set1_epi32(BORDERED as i32);
        let base = self.0.as_ptr();
        for ((xs, ys), out) in xs
            .chunks_exact(8)
            .zip(ys.chunks_exact(8))
            .zip(out.chunks_exact_mut(8))
        {
            // SAFETY: (all below) the loads and the store cover 8 floats of slices of 8; the
            // gathered indices are at most 29·31 + 29 + 32 = 960, inside the 961 framed pixels.
            unsafe {
                // `max` returns its second operand for NaN, as f32::max does.
                let x = _mm256_loadu_ps(xs.as_ptr());
                let y = _mm256_loadu_ps(ys.as_ptr());
                let x = _mm256_add_ps(_mm256_min_ps(_mm256_max_ps(x, low), high), one);
                let y = _mm256_add_ps(_mm256_min_ps(_mm256_max_ps(y, low), high), one);
                let x0 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvttps_epi32(x), zero), last);
                let y0 = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvttps_epi32(y), zero), last);
                let fx = _mm256_sub_ps(x, _mm256_cvtepi32_ps(x0));
                let fy = _mm256_sub_ps(y, _mm256_cvtepi32_ps(y0));
                let i = _mm256_add_epi32(_mm256_mullo_epi32(y0, width), x0);
                let at = |offset: i32| {
                    _mm256_i32gather_ps::<4>(base, _mm256_add_epi32(i, _mm256_set1_epi32(offset)))
                };
                let blend = |a, b, f| _mm256_add_ps(a, _mm256_mul_ps(f, _mm256_sub_ps(b, a)));
                let top = blend(at(0), at(1), fx);
                let bottom = blend(at(BORDERED as i32), at(BORDERED as i32 + 1), fx);
                _mm256_storeu_ps(out.as_mut_ptr(), blend(top, bottom, fy));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_sampler_gives_the_same_bits_as_the_plain_one() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return; // nothing to compare on this CPU
        }
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        let image: Vec<u8> = (0..IMAGE_PIXELS).map(|_| rng.random()).collect();
        let source = Bordered::new(&image);
        // Positions inside, on the edges, far outside, and not numbers at all.
        let special = [
            -1.0,
            -0.5,
            0.0,
            27.0,
            27.5,
            28.0,
            29.0,
            -40.0,
            1e9,
            f32::NAN,
            -0.0,
        ];
        let mut positions = |i: usize| -> f32 {
            special
                .get(i % 40)
                .copied()
                .unwrap_or_else(|| rng.random_range(-3.0..31.0))
        };
        let xs: Vec<f32> = (0..IMAGE_PIXELS).map(&mut positions).collect();
        let ys: Vec<f32> = (0..IMAGE_PIXELS).map(|i| positions(i + 7)).collect();
        let (mut plain, mut fast) = ([0.0; IMAGE_PIXELS], [0.0; IMAGE_PIXELS]);
        source.sample(&xs, &ys, &mut plain);
        // SAFETY: the CPU has AVX2, checked above.
        unsafe {
            source.sample_avx2(
                xs.as_slice().try_into().unwrap(),
                ys.as_slice().try_into().unwrap(),
                &mut fast,
            )
        };
        for (i, (p, f)) in plain.iter().zip(&fast).enumerate() {
            assert_eq!(
                p.to_bits(),
                f.to_bits(),
                "({}, {}): {p} vs {f}",
                xs[i],
                ys[i]
            );
        }
        assert!(plain.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}
