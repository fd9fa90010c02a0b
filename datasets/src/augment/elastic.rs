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
    let mut field = [[0.0; 2 * SIDE]; SIDE];
    let mut bits = [0u8; 2 * IMAGE_PIXELS];
    for axis in 0..2 {
        rng.fill_bytes(&mut bits);
        for (row, bits) in field.iter_mut().zip(bits.chunks_exact(2 * SIDE)) {
            let half = &mut row[axis * SIDE..(axis + 1) * SIDE];
            for (u, bits) in half.iter_mut().zip(bits.chunks_exact(2)) {
                // (h + ½)/2¹⁵ - 1 for h = 0..65535: symmetric about 0, and exact in f32.
                let h = u16::from_le_bytes([bits[0], bits[1]]);
                *u = (f32::from(h) + 0.5) * (1.0 / 32_768.0) - 1.0;
            }
        }
    }
    smooth(&mut field, kernel);
    for v in field.as_flattened_mut() {
        *v *= alpha;
    }
    field
}

/// Convolves both halves of the field with the Gaussian along columns and along rows (a 2-D
/// Gaussian is the product of two 1-D ones), with zeros beyond the border. Along rows is along
/// columns of the transposed halves, so one loop does both: it runs over whole rows of 56, x's
/// and y's side by side, which vectorises.
#[inline(always)]
fn smooth(field: &mut Field, kernel: &[f32]) {
    smooth_columns(field, kernel);
    transpose_halves(field);
    smooth_columns(field, kernel);
    transpose_halves(field);
}

/// Row `r` becomes `w₀·row[r] + Σₖ wₖ·(row[r - k] + row[r + k])`, a missing row counting as
/// zeros: the kernel is symmetric, so each weight multiplies the sum of the two rows it applies
/// to.
#[inline(always)]
fn smooth_columns(field: &mut Field, kernel: &[f32]) {
    let source = *field;
    for (r, out) in field.iter_mut().enumerate() {
        for (o, &v) in out.iter_mut().zip(&source[r]) {
            *o = kernel[0] * v;
        }
        for (k, &w) in kernel.iter().enumerate().skip(1) {
            let above = r.checked_sub(k).map(|a| &source[a]);
            match (above, source.get(r + k)) {
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

/// Transposes the x half and the y half of the field, each in place.
#[inline(always)]
fn transpose_halves(field: &mut Field) {
    let source = *field;
    for (r, row) in source.iter().enumerate() {
        for c in 0..SIDE {
            field[c][r] = row[c];
            field[c][SIDE + r] = row[SIDE + c];
        }
    }
}
