//! Exercise 2, solved: `log Σ_j exp(z_j) = m + log Σ_j exp(z_j - m)` (`docs/02-softmax.md`).

pub fn log_sum_exp(logits: &[f32]) -> f32 {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|z| (z - m).exp()).sum();
    m + sum.ln()
}
