//! # Exercise 3: softmax with a temperature
//!
//! Read first: `docs/02-softmax.md`.
//!
//! Divide the logits by a temperature `T > 0` before the softmax. `T = 1` is the plain softmax,
//! `T < 1` sharpens the distribution towards the largest logit, `T > 1` flattens it towards
//! uniform; the order of the classes never changes. A small `T` makes the logits large, so
//! keep the softmax stable (you may call your `softmax` from exercise 1:
//! `crate::exercises::stable_softmax::softmax`).
//!
//! ```text
//! p_i = exp(z_i / T) / Σ_j exp(z_j / T)
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- softmax_temperature`

/// The softmax of `logits / temperature`.
pub fn softmax_with_temperature(logits: &[f32], temperature: f32) -> Vec<f32> {
    todo!()
}
