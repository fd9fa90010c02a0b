//! # Exercise 5: the gradient of softmax + cross-entropy
//!
//! Read first: `docs/04-softmax-cross-entropy-gradient.md`.
//!
//! The derivative of exercise 4's mean loss with respect to every logit. Softmax and
//! cross-entropy together differentiate to something very simple: the probabilities, minus 1
//! at the true class, divided by the batch size `B` (because the loss is a mean of `B` terms).
//!
//! ```text
//! dL/dz_bi = (p_bi - y_bi) / B,   y_bi = 1 if i = labels[b], else 0
//! ```
//!
//! `Matrix::zeros(rows, cols)`, `m.get(r, c)` and `m.set(r, c, value)` are all you need.
//!
//! Check it: `cargo run -p nn-exercises -- cross_entropy_gradient`

use nn_core::Matrix;

/// `dL/dz` from the softmax probabilities `probs` (`B x C`, each row sums to 1) and the
/// labels: a `B x C` matrix.
pub fn cross_entropy_gradient(probs: &Matrix, labels: &[usize]) -> Matrix {
    todo!()
}
