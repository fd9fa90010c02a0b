//! Exercise 5, solved: `dL/dz = (p - y) / B`
//! (`docs/04-softmax-cross-entropy-gradient.md`).

use nn_core::Matrix;

pub fn cross_entropy_gradient(probs: &Matrix, labels: &[usize]) -> Matrix {
    let batch = labels.len() as f32;
    let mut d = Matrix::zeros(probs.rows(), probs.cols());
    for (b, &y) in labels.iter().enumerate() {
        for i in 0..probs.cols() {
            let target = if i == y { 1.0 } else { 0.0 };
            d.set(b, i, (probs.get(b, i) - target) / batch);
        }
    }
    d
}
