//! The elastic part of a distortion (Simard, Steinkraus & Platt 2003): a random displacement
//! for every pixel, uniform in (-1, 1) on each axis, smoothed by a Gaussian of width σ and
//! scaled by α.

use rand::Rng;
use rand::rngs::ChaCha8Rng;

use super::{IMAGE_PIXELS, SIDE};

/// A displacement for every pixel: `field[r]` holds the x displacements of row `r`, then its
/// y displacements, so one pass over a row handles both.
pub(super) type Field = [[f32; 2 * SIDE]; SIDE];

/// `exp(-k² / 2σ²)` for `k = 0..=r` with `r = ⌈3σ⌉` (at most 27), divided by the sum over
/// `k = -r..=r`: the right half of the normalised, symmetric kernel, its centre first.
pub(super) fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let radius = ((3.0 * sigma).ceil() as usize).clamp(1, SIDE - 1);
    let weights: Vec<f64> = (0..=radius)
        .map(|k| (-((k * k) as f64) / (2.0 * f64::from(sigma).powi(2))).exp())
        .collect();
    let sum = weights[0] + 2.0 * weights[1..].iter().sum::<f64>();
    weights.iter().map(|w| (w / sum) as f32).collect()
}

/// `α·(G_σ * u)` for x and y: `u` in (-1, 1) per pixel and axis, from 16 random bits each (x's
/// 784 values first, then y's, each row by row), smoothed with zeros beyond the border, then
/// scaled. Sixteen bits are plenty for a value that is then averaged with about a hundred
/// others, and half as many random bytes as 32.
#[inline(always)]
pub(super) fn elastic_field(alpha: f32, kernel: &[f32], rng: &mut ChaCha8Rng) -> Field {
    let mut noise = [[0.0; 2 * SIDE]; SIDE];
    let mut bits = [0u8; 2 * IMAGE_PIXELS];
    for axis in 0..2 {
        rng.fill_bytes(&mut bits);
        for (row, bits) in noise.iter_mut().zip(bits.chunks_exact(2 * SIDE)) {
            let half = &mut row[axis * SIDE..(axis + 1) * SIDE];
            for (u, bits) in half.iter_mut().zip(bits.chunks_exact(2)) {
                // (h + ½)/2¹⁵ - 1 for h = 0..65535: symmetric about 0, and exact in f32.
                let h = u16::from_le_bytes([bits[0], bits[1]]);
                *u = (f32::from(h) + 0.5) * (1.0 / 32_768.0) - 1.0;
            }
        }
    }
    // A 2-D Gaussian is the product of two 1-D ones: smooth down the columns, then along the
    // rows, where α is folded into the weights.
    let mut columns = [[0.0; 2 * SIDE]; SIDE];
    smooth_columns(&noise, kernel, &mut columns);
    let mut field = noise;
    smooth_rows(&columns, kernel, alpha, &mut field);
    field
}

/// `out[r] = w₀·rows[r] + Σₖ wₖ·(rows[r - k] + rows[r + k])`, a missing row counting as zeros:
/// the kernel is symmetric, so each weight multiplies the sum of the two rows it applies to.
/// Each inner loop runs over a whole row of 56, x's and y's side by side, which vectorises.
#[inline(always)]
fn smooth_columns(rows: &Field, kernel: &[f32], out: &mut Field) {
    for (r, out) in out.iter_mut().enumerate() {
        for (o, &v) in out.iter_mut().zip(&rows[r]) {
            *o = kernel[0] * v;
        }
        for (k, &w) in kernel.iter().enumerate().skip(1) {
            let above = r.checked_sub(k).map(|a| &rows[a]);
            match (above, rows.get(r + k)) {
                (Some(above), Some(below)) => {
                    for ((o, &a), &b) in out.iter_mut().zip(above).zip(below) {
                        *o += w * (a + b);
                    }
                }
                (Some(one), None) | (None, Some(one)) => {
                    for (o, &v) in out.iter_mut().zip(one) {
                        *o += w * v;
                    }
                }
                (None, None) => break,
            }
        }
    }
}

/// Output lanes per row half in [`smooth_rows`]: 28 rounded up to whole vectors of 8; the
/// last 4 are computed and dropped.
const LANES: usize = 32;

/// The same smoothing along each row half, with the weights times `alpha`: output column `c`
/// is `α·(w₀·v[c] + Σₖ wₖ·(v[c - k] + v[c + k]))`, read from a copy of the half with zeros
/// either side.
#[inline(always)]
fn smooth_rows(rows: &Field, kernel: &[f32], alpha: f32, out: &mut Field) {
    let radius = kernel.len() - 1;
    let mut weights = [0.0f32; SIDE];
    for (scaled, &w) in weights.iter_mut().zip(kernel) {
        *scaled = alpha * w;
    }
    // Zeros beyond the half on both sides, out to the farthest tap of the last lane.
    let mut padded = [0.0f32; LANES + 2 * (SIDE - 1)];
    let mut sum = [0.0f32; LANES];
    for (row, out) in rows.iter().zip(out.iter_mut()) {
        for (half, out) in row.chunks_exact(SIDE).zip(out.chunks_exact_mut(SIDE)) {
            padded[radius..radius + SIDE].copy_from_slice(half);
            let window = |offset: usize| -> &[f32; LANES] {
                padded[offset..offset + LANES]
                    .try_into()
                    .expect("LANES values")
            };
            let centre = window(radius);
            for (s, &v) in sum.iter_mut().zip(centre) {
                *s = weights[0] * v;
            }
            for (k, &w) in weights.iter().enumerate().take(radius + 1).skip(1) {
                let (left, right) = (window(radius - k), window(radius + k));
                for ((s, &a), &b) in sum.iter_mut().zip(left).zip(right) {
                    *s += w * (a + b);
                }
            }
            out.copy_from_slice(&sum[..SIDE]);
        }
    }
}
