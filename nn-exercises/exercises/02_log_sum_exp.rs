//! # Exercise 2: log-sum-exp
//!
//! Read first: `docs/02-softmax.md`, "Log-softmax via log-sum-exp".
//!
//! The log of softmax's denominator, without ever forming `exp(z_j)` itself (it overflows for
//! `z_j = 1000`). The cross-entropy of exercise 4 is built on it.
//!
//! ```text
//! log Σ_j exp(z_j) = m + log Σ_j exp(z_j - m),   m = max_j z_j
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- log_sum_exp`

/// `log(exp(z_0) + exp(z_1) + ...)` for the logits `z` (at least one).
pub fn log_sum_exp(logits: &[f32]) -> f32 {
    todo!()
}
