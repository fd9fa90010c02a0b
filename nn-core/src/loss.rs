//! Cross-entropy: how surprised the network is by the true label.
//!
//! For one example with logits `z` and true class `c`, the loss is `ℓ = -log p_c`, the negative
//! log-likelihood of the label under the softmax. It is computed from log-softmax,
//! `-log p_c = log Σ_j exp(z_j - m) - (z_c - m)` with `m = max_j z_j`, which is finite for
//! every finite logit; taking `log` of a probability would give `-inf` as soon as `p_c`
//! underflows to 0. (The symbols are those of `docs/notation.md`; in the code a label, `c`, is
//! bound to `y`, and a row, `n`, to `b`.)
//!
//! Derivations: `docs/03-cross-entropy.md` (the loss) and
//! `docs/04-softmax-cross-entropy-gradient.md` (its gradient).

use crate::Matrix;
use crate::softmax::{log_softmax_at, shifted_exp};

/// Mean cross-entropy of a batch, `L = -(1/B) Σ_n log_softmax(z_n)_{c_n}`.
/// See `docs/03-cross-entropy.md`.
pub fn cross_entropy(logits: &Matrix, labels: &[usize]) -> f32 {
    check_labels(logits, labels);
    let total: f64 = labels
        .iter()
        .enumerate()
        .map(|(b, &y)| -f64::from(log_softmax_at(logits.row(b), y)))
        .sum();
    (total / labels.len() as f64) as f32
}

/// The loss the network trains with: writes the softmax probabilities of every row into
/// `probs` (backward needs them) and returns the mean cross-entropy. Both come from one pass
/// of `exp` per row: `p_i = e_i / Σe` and `-log p_c = log Σe - (z_c - m)`, with
/// `e_i = exp(z_i - m)` and `m` the row maximum. See `docs/03-cross-entropy.md`.
pub fn softmax_cross_entropy(logits: &Matrix, labels: &[usize], probs: &mut Matrix) -> f32 {
    check_labels(logits, labels);
    probs.reshape(logits.rows(), logits.cols());
    let mut total = 0.0f64;
    for (b, &y) in labels.iter().enumerate() {
        let (z, p) = (logits.row(b), probs.row_mut(b));
        let (max, sum) = shifted_exp(z, p);
        let inv_sum = 1.0 / sum;
        p.iter_mut().for_each(|p| *p *= inv_sum);
        total += f64::from(sum.ln() - (z[y] - max));
    }
    (total / labels.len() as f64) as f32
}

/// The gradient of the mean loss with respect to the logits, softmax and cross-entropy fused:
///
/// ```text
/// ℓ_n = -log p_{n,c} = log Σ_j exp(z_nj) - z_{n,c}      (c = labels[n])
/// ∂ℓ_n/∂z_ni = exp(z_ni) / Σ_j exp(z_nj) - [i = c] = p_ni - y_ni
/// ∂L/∂z_ni = (p_ni - y_ni) / B        (L is the mean of B such terms)
/// ```
///
/// No softmax Jacobian is ever formed, and no division by a probability that could be 0.
/// Full derivation: `docs/04-softmax-cross-entropy-gradient.md`.
pub fn softmax_cross_entropy_backward(probs: &Matrix, labels: &[usize], dlogits: &mut Matrix) {
    check_labels(probs, labels);
    let inv_batch = 1.0 / labels.len() as f32;
    dlogits.reshape(probs.rows(), probs.cols());
    for (b, &y) in labels.iter().enumerate() {
        let (p, d) = (probs.row(b), dlogits.row_mut(b));
        for i in 0..p.len() {
            let target = if i == y { 1.0 } else { 0.0 };
            d[i] = (p[i] - target) * inv_batch;
        }
    }
}

fn check_labels(scores: &Matrix, labels: &[usize]) {
    assert!(!labels.is_empty(), "loss: the batch is empty");
    assert_eq!(
        scores.rows(),
        labels.len(),
        "loss: {} rows of scores but {} labels",
        scores.rows(),
        labels.len()
    );
    if let Some(&bad) = labels.iter().find(|&&y| y >= scores.cols()) {
        panic!(
            "loss: label {bad} is out of range for {} classes",
            scores.cols()
        );
    }
}
