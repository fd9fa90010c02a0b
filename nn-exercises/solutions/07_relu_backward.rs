//! Exercise 7, solved: `dz = da ⊙ [a > 0]` (`docs/05-dense-and-relu.md`).

use nn_core::Matrix;

pub fn relu_backward(a: &Matrix, da: &Matrix) -> Matrix {
    let dz = a
        .as_slice()
        .iter()
        .zip(da.as_slice())
        .map(|(&a, &g)| if a > 0.0 { g } else { 0.0 })
        .collect();
    Matrix::from_vec(a.rows(), a.cols(), dz)
}
