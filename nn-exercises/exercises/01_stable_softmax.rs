//! # Exercise 1: stable softmax
//!
//! Read first: `docs/02-softmax.md`, up to "Why we subtract the maximum".
//!
//! Turn a row of logits `z` into probabilities: each positive, all summing to 1. Logits can be
//! 1000 or 1e30, and `exp(1000.0_f32)` is already infinite, so compute it the stable way:
//!
//! ```text
//! p_i = exp(z_i - m) / Σ_j exp(z_j - m),   m = max_j z_j
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- stable_softmax`

/// The softmax of `logits`: one probability per logit, in the same order.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    todo!()
}
