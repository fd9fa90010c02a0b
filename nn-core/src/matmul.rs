//! The three matrix products that backpropagation needs.
//!
//! For a dense layer `y = x·W + b` the forward pass is `A·B`, the weight gradient
//! `dW = xᵀ·dy` is `Aᵀ·B`, and the input gradient `dx = dy·Wᵀ` is `A·Bᵀ`. Each public function
//! checks the shapes, gives the output its shape and computes the product; the
//! [`reference`] module holds the same three products as plain triple loops.

use crate::Matrix;

/// `c = a·b`, with `a` m x k and `b` k x n; `c` becomes m x n.
pub fn matmul(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    assert!(
        a.cols() == b.rows(),
        "matmul (A·B): A is {}x{} but B is {}x{}; A's columns must equal B's rows",
        a.rows(),
        a.cols(),
        b.rows(),
        b.cols()
    );
    c.reshape(a.rows(), b.cols());
    reference::matmul(a, b, c);
}

/// `c = aᵀ·b`, with `a` k x m and `b` k x n; `c` becomes m x n.
pub fn matmul_at_b(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    assert!(
        a.rows() == b.rows(),
        "matmul_at_b (Aᵀ·B): A is {}x{} but B is {}x{}; A and B must have the same rows",
        a.rows(),
        a.cols(),
        b.rows(),
        b.cols()
    );
    c.reshape(a.cols(), b.cols());
    reference::matmul_at_b(a, b, c);
}

/// `c = a·bᵀ`, with `a` m x k and `b` n x k; `c` becomes m x n.
pub fn matmul_a_bt(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    assert!(
        a.cols() == b.cols(),
        "matmul_a_bt (A·Bᵀ): A is {}x{} but B is {}x{}; A and B must have the same columns",
        a.rows(),
        a.cols(),
        b.rows(),
        b.cols()
    );
    c.reshape(a.rows(), b.rows());
    reference::matmul_a_bt(a, b, c);
}

/// The three products as a student would first write them: one output element at a time,
/// summing over `k` in order. Slow, obviously right, and the oracle the fast kernels are
/// tested against. Callers have checked the shapes.
pub mod reference {
    use crate::Matrix;

    /// `c[i][j] = Σ_k a[i][k] · b[k][j]`
    pub fn matmul(a: &Matrix, b: &Matrix, c: &mut Matrix) {
        for i in 0..a.rows() {
            for j in 0..b.cols() {
                let mut sum = 0.0;
                for k in 0..a.cols() {
                    sum += a.get(i, k) * b.get(k, j);
                }
                c.set(i, j, sum);
            }
        }
    }

    /// `c[i][j] = Σ_k a[k][i] · b[k][j]`
    pub fn matmul_at_b(a: &Matrix, b: &Matrix, c: &mut Matrix) {
        for i in 0..a.cols() {
            for j in 0..b.cols() {
                let mut sum = 0.0;
                for k in 0..a.rows() {
                    sum += a.get(k, i) * b.get(k, j);
                }
                c.set(i, j, sum);
            }
        }
    }

    /// `c[i][j] = Σ_k a[i][k] · b[j][k]`
    pub fn matmul_a_bt(a: &Matrix, b: &Matrix, c: &mut Matrix) {
        for i in 0..a.rows() {
            for j in 0..b.rows() {
                let mut sum = 0.0;
                for k in 0..a.cols() {
                    sum += a.get(i, k) * b.get(j, k);
                }
                c.set(i, j, sum);
            }
        }
    }
}
