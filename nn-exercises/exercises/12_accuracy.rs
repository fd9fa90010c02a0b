//! # Exercise 12: accuracy
//!
//! Read first: `docs/08-reading-the-report.md`.
//!
//! The network predicts the class with the largest logit (softmax keeps the order, so the
//! probabilities would give the same answer). On a tie, the lowest class wins. Accuracy is
//! the fraction of rows where that prediction is the label.
//!
//! ```text
//! accuracy = (1/B) Σ_b [argmax_i z_bi = labels[b]]
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- accuracy`

use nn_core::Matrix;

/// The fraction of the `B` rows of `logits` predicted correctly, between 0 and 1.
pub fn accuracy(logits: &Matrix, labels: &[usize]) -> f64 {
    todo!()
}
