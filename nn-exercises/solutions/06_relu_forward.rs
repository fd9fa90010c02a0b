//! Exercise 6, solved: `a = max(z, 0)` (`docs/05-dense-and-relu.md`).

use nn_core::Matrix;

pub fn relu_forward(z: &Matrix) -> Matrix {
    let a = z
        .as_slice()
        .iter()
        .map(|&v| if v > 0.0 { v } else { 0.0 })
        .collect();
    Matrix::from_vec(z.rows(), z.cols(), a)
}
