//! The three matrix products that backpropagation needs.
//!
//! For a dense layer `y = x·W + b` the forward pass is `A·B`, the weight gradient
//! `dW = xᵀ·dy` is `Aᵀ·B`, and the input gradient `dx = dy·Wᵀ` is `A·Bᵀ` (derived in
//! `docs/05-dense-and-relu.md`). Each function checks the shapes, gives the output its shape and
//! computes the product with the fastest [`Kernel`] the CPU supports (see `crate::gemm` and
//! `docs/appendix-a-making-it-fast.md`). The [`reference`](mod@reference) module holds the same three
//! products as plain triple loops: what the fast kernels compute, written so it can be read in
//! ten seconds.

use std::cell::RefCell;

use crate::Matrix;
use crate::gemm::{Strided, gemm};

pub use crate::gemm::Kernel;

/// `c = a·b`, with `a` m x k and `b` k x n; `c` becomes m x n.
pub fn matmul(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    Kernel::detect().matmul(a, b, c);
}

/// `c = aᵀ·b`, with `a` k x m and `b` k x n; `c` becomes m x n.
pub fn matmul_at_b(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    Kernel::detect().matmul_at_b(a, b, c);
}

/// `c = a·bᵀ`, with `a` m x k and `b` n x k; `c` becomes m x n.
pub fn matmul_a_bt(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    Kernel::detect().matmul_a_bt(a, b, c);
}

thread_local! {
    /// `bᵀ` for [`Kernel::matmul_a_bt`], reused from call to call.
    static TRANSPOSED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The same products with a chosen kernel, for tests and benchmarks that compare them.
impl Kernel {
    pub fn matmul(self, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        assert!(
            a.cols() == b.rows(),
            "matmul (A·B): A is {}x{} but B is {}x{}; A's columns must equal B's rows",
            a.rows(),
            a.cols(),
            b.rows(),
            b.cols()
        );
        let (m, k, n) = (a.rows(), a.cols(), b.cols());
        c.reshape(m, n);
        let a = Strided {
            data: a.as_slice(),
            row_stride: k,
            col_stride: 1,
        };
        gemm(self, m, n, k, a, b.as_slice(), c.as_mut_slice());
    }

    pub fn matmul_at_b(self, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        assert!(
            a.rows() == b.rows(),
            "matmul_at_b (Aᵀ·B): A is {}x{} but B is {}x{}; A and B must have the same rows",
            a.rows(),
            a.cols(),
            b.rows(),
            b.cols()
        );
        let (k, m, n) = (a.rows(), a.cols(), b.cols());
        c.reshape(m, n);
        // Aᵀ[i][k] = A[k][i]: the same data, strides swapped.
        let a_t = Strided {
            data: a.as_slice(),
            row_stride: 1,
            col_stride: m,
        };
        gemm(self, m, n, k, a_t, b.as_slice(), c.as_mut_slice());
    }

    pub fn matmul_a_bt(self, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        assert!(
            a.cols() == b.cols(),
            "matmul_a_bt (A·Bᵀ): A is {}x{} but B is {}x{}; A and B must have the same columns",
            a.rows(),
            a.cols(),
            b.rows(),
            b.cols()
        );
        let (m, k, n) = (a.rows(), a.cols(), b.rows());
        c.reshape(m, n);
        let a = Strided {
            data: a.as_slice(),
            row_stride: k,
            col_stride: 1,
        };
        // The kernel loads contiguous rows of its right operand, so Bᵀ (k x n) is written out
        // once: k·n copies against m·n·k multiply-adds.
        TRANSPOSED_B.with_borrow_mut(|b_t| {
            b_t.resize(k * n, 0.0);
            for j in 0..n {
                for (kk, &v) in b.row(j).iter().enumerate() {
                    b_t[kk * n + j] = v;
                }
            }
            gemm(self, m, n, k, a, b_t, c.as_mut_slice());
        });
    }
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
