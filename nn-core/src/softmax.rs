//! Softmax turns a row of scores (logits) into a probability distribution.
//!
//! `softmax(z)_i = exp(z_i) / Σ_j exp(z_j)`. Every output is positive and they sum to 1, and
//! adding a constant `α` to every logit multiplies numerator and denominator by `exp(α)`, so it
//! changes nothing. The stable version uses that freedom to subtract the row maximum: the
//! largest exponent becomes `exp(0) = 1` and nothing can overflow.
//!
//! Derivation and the numbers of the overflow: `docs/02-softmax.md`.

use crate::Matrix;

/// The textbook formula, taken literally. `exp(1000.0_f32)` is `inf`, so logits
/// `[1000, 1001, 1002]` give `inf / inf = NaN`. Kept as the lesson; never used for training.
/// See `docs/02-softmax.md`.
pub fn naive_softmax(logits: &[f32], probs: &mut [f32]) {
    let sum: f32 = logits.iter().map(|z| z.exp()).sum();
    for (p, z) in probs.iter_mut().zip(logits) {
        *p = z.exp() / sum;
    }
}

/// `p_i = exp(z_i - m) / Σ_j exp(z_j - m)` with `m = max_j z_j`: identical to the naive
/// formula in exact arithmetic, finite for every finite input. See `docs/02-softmax.md`.
pub fn softmax(logits: &[f32], probs: &mut [f32]) {
    let (_, sum) = shifted_exp(logits, probs);
    normalise(probs, sum);
}

/// Softmax at temperature `T`: `p_i = exp(z_i / T) / Σ_j exp(z_j / T)`, computed as
/// `exp((z_i - m) / T)` normalised, with `m = max_j z_j` (dividing by `T > 0` keeps the
/// largest logit the largest, so the shift is the same one and nothing overflows).
///
/// `T = 1` is [`softmax`], bit for bit. `T < 1` sharpens the distribution towards the
/// largest logit (one-hot as `T → 0`), `T > 1` flattens it towards uniform (`T → ∞`); the
/// order of the classes, and so the prediction, never changes. Panics unless `T > 0`.
/// See `docs/02-softmax.md`.
pub fn softmax_with_temperature(logits: &[f32], temperature: f32, out: &mut [f32]) {
    assert!(
        temperature > 0.0,
        "softmax_with_temperature: the temperature must be positive, got {temperature}"
    );
    let (_, sum) = tempered_shifted_exp(logits, temperature, out);
    normalise(out, sum);
}

/// Divides every entry by `sum`. Callers pass a sum of shifted exponentials: its largest term
/// is exp(0) = 1, so `sum >= 1` and the division is always safe.
fn normalise(probs: &mut [f32], sum: f32) {
    let inv_sum = 1.0 / sum;
    for p in probs.iter_mut() {
        *p *= inv_sum;
    }
}

/// Writes `exp(z_j - m)` for every logit into `out` and returns `(m, Σ_j exp(z_j - m))`, with
/// `m = max_j z_j`: the one pass of `exp` that softmax and the loss share. See
/// `docs/02-softmax.md`.
pub(crate) fn shifted_exp(logits: &[f32], out: &mut [f32]) -> (f32, f32) {
    // Dividing by exactly 1 changes no bit, and the compiler removes it.
    tempered_shifted_exp(logits, 1.0, out)
}

/// [`shifted_exp`] at a temperature: writes `exp((z_j - m) / T)` and returns `(m, their sum)`.
#[inline(always)]
fn tempered_shifted_exp(logits: &[f32], temperature: f32, out: &mut [f32]) -> (f32, f32) {
    assert_eq!(
        logits.len(),
        out.len(),
        "softmax: {} logits but {} outputs",
        logits.len(),
        out.len()
    );
    let max = row_max(logits);
    let mut sum = 0.0;
    for (e, &z) in out.iter_mut().zip(logits) {
        *e = ((z - max) / temperature).exp();
        sum += *e;
    }
    (max, sum)
}

/// `log Σ_j exp(z_j) = m + log Σ_j exp(z_j - m)`: the log of softmax's denominator without
/// ever forming `exp(z_j)`. See `docs/02-softmax.md`.
pub fn log_sum_exp(logits: &[f32]) -> f32 {
    let (max, log_sum) = shifted_log_sum_exp(logits);
    max + log_sum
}

/// `log softmax(z)_i = (z_i - m) - log Σ_j exp(z_j - m)`: exact where `log(softmax(z)_i)`
/// would take the log of a probability that underflowed to 0. Both terms are formed from
/// the shifted logits, so adding a constant to every logit changes nothing, not even rounding.
/// See `docs/02-softmax.md`.
pub fn log_softmax(logits: &[f32], out: &mut [f32]) {
    let (max, log_sum) = shifted_log_sum_exp(logits);
    for (o, &z) in out.iter_mut().zip(logits) {
        *o = (z - max) - log_sum;
    }
}

/// Entry `i` of [`log_softmax`], without computing the others: `log p_i`, the term of the
/// cross-entropy (`docs/03-cross-entropy.md`).
pub fn log_softmax_at(logits: &[f32], i: usize) -> f32 {
    let (max, log_sum) = shifted_log_sum_exp(logits);
    (logits[i] - max) - log_sum
}

/// `(m, log Σ_j exp(z_j - m))` with `m = max_j z_j`. The sum is at least 1 (its largest term
/// is exp(0)), so the log is finite.
fn shifted_log_sum_exp(logits: &[f32]) -> (f32, f32) {
    let max = row_max(logits);
    let sum: f32 = logits.iter().map(|&z| (z - max).exp()).sum();
    (max, sum.ln())
}

/// [`softmax`] applied to every row: row `b` of `probs` is the distribution for example `b`.
/// See `docs/02-softmax.md`.
pub fn softmax_rows(logits: &Matrix, probs: &mut Matrix) {
    probs.reshape(logits.rows(), logits.cols());
    for r in 0..logits.rows() {
        softmax(logits.row(r), probs.row_mut(r));
    }
}

/// The index of the largest value; the first one on ties. The predicted class of a row of
/// logits or probabilities.
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

fn row_max(row: &[f32]) -> f32 {
    assert!(!row.is_empty(), "softmax of an empty row");
    row.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}
