//! Exercise 4, solved: `L = (1/B) Σ_b (log Σ_j exp(z_bj) - z_b,y_b)`
//! (`docs/03-cross-entropy.md`).

use nn_core::Matrix;

use super::log_sum_exp::log_sum_exp;

pub fn cross_entropy(logits: &Matrix, labels: &[usize]) -> f32 {
    let mut total = 0.0;
    for (b, &y) in labels.iter().enumerate() {
        let z = logits.row(b);
        total += log_sum_exp(z) - z[y];
    }
    total / labels.len() as f32
}
