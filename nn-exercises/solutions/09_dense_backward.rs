//! Exercise 9, solved: `dW = xᵀ·dy`, `db = Σ_rows dy`, `dx = dy·Wᵀ`
//! (`docs/05-dense-and-relu.md`).

use nn_core::Matrix;

use crate::DenseGradients;

pub fn dense_backward(x: &Matrix, w: &Matrix, dy: &Matrix) -> DenseGradients {
    let (batch, fan_in, fan_out) = (x.rows(), w.rows(), w.cols());
    let mut dw = Matrix::zeros(fan_in, fan_out);
    let mut db = vec![0.0; fan_out];
    let mut dx = Matrix::zeros(batch, fan_in);
    for r in 0..batch {
        for j in 0..fan_out {
            let g = dy.get(r, j);
            db[j] += g;
            for k in 0..fan_in {
                dw.set(k, j, dw.get(k, j) + x.get(r, k) * g);
                dx.set(r, k, dx.get(r, k) + g * w.get(k, j));
            }
        }
    }
    DenseGradients { dw, db, dx }
}
