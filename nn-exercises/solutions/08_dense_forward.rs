//! Exercise 8, solved: `y = x·W + b` (`docs/05-dense-and-relu.md`).

use nn_core::Matrix;

pub fn dense_forward(x: &Matrix, w: &Matrix, b: &[f32]) -> Matrix {
    let mut y = Matrix::zeros(x.rows(), w.cols());
    for r in 0..x.rows() {
        for j in 0..w.cols() {
            let mut sum = b[j];
            for k in 0..x.cols() {
                sum += x.get(r, k) * w.get(k, j);
            }
            y.set(r, j, sum);
        }
    }
    y
}
