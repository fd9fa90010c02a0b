//! # Exercise 4: cross-entropy
//!
//! Read first: `docs/03-cross-entropy.md`.
//!
//! The loss of a batch: row `b` of `logits` holds one example's `C` logits and `labels[b]` its
//! true class `y`. The loss of one example is `-log p_y`, and the batch's is their mean. Never
//! take the log of a probability: `p_y` underflows to 0 when `z_y` is far below the largest
//! logit, and `-log 0` is infinite. Use log-sum-exp instead (yours from exercise 2 is
//! `crate::exercises::log_sum_exp::log_sum_exp`):
//!
//! ```text
//! L = (1/B) Σ_b (log Σ_j exp(z_bj) - z_b,y_b)
//! ```
//!
//! `logits.rows()` is `B`, `logits.row(b)` is row `b` as a slice.
//!
//! Check it: `cargo run -p nn-exercises -- cross_entropy`

use nn_core::Matrix;

/// The mean cross-entropy of the batch: `logits` is `B x C`, `labels` holds `B` classes.
pub fn cross_entropy(logits: &Matrix, labels: &[usize]) -> f32 {
    todo!()
}
