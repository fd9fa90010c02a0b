//! The three matrix products that backpropagation needs.
//!
//! For a dense layer `Z = X·W + b` the forward pass is `a·b`, the weight gradient
//! `dW = Xᵀ·dZ` is `aᵀ·b`, and the input gradient `dX = dZ·Wᵀ` is `a·bᵀ` (derived in
//! `docs/05-dense-and-relu.md`). Each function checks the shapes, gives the output its shape and
//! computes the product with the fastest [`Kernel`] the CPU supports (see `crate::gemm` and
//! `docs/appendix-a-making-it-fast.md`). The [`reference`](mod@reference) module holds the same three
//! products as plain triple loops: what the fast kernels compute, written so it can be read in
//! ten seconds.

use std::cell::RefCell;

use crate::Matrix;
use crate::gemm::{Operands, Strided, gemm};

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
    /// For [`Kernel::matmul_a_bt`]: the transposed operand and the transposed result, reused
    /// from call to call.
    static TRANSPOSED: RefCell<[Vec<f32>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// Writes the transpose of the row-major `rows x cols` matrix `from` into `to` (`cols x rows`).
fn transpose(from: &[f32], rows: usize, cols: usize, to: &mut [f32]) {
    for (r, row) in from.chunks_exact(cols).enumerate().take(rows) {
        for (c, &v) in row.iter().enumerate() {
            to[c * rows + r] = v;
        }
    }
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
        let ops = Operands {
            m,
            n,
            k,
            a: Strided::row_major(a.as_slice(), k),
            b: b.as_slice(),
            ldb: n,
        };
        gemm(self, ops, c.as_mut_slice());
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
        let ops = Operands {
            m,
            n,
            k,
            // Aᵀ[i][k] = A[k][i]: the same data, strides swapped.
            a: Strided::transposed(a.as_slice(), m),
            b: b.as_slice(),
            ldb: n,
        };
        gemm(self, ops, c.as_mut_slice());
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
        let (a, b) = (a.as_slice(), b.as_slice());
        // The kernels load contiguous rows of their right operand, so one operand is copied:
        // Bᵀ (k·n values), or, when B is the larger one (a wide layer's weights in the backward
        // pass), Aᵀ, computing C = (B·Aᵀ)ᵀ instead (k·m + m·n values). Each element is the same
        // chain of multiply-adds either way, since a·b = b·a exactly.
        TRANSPOSED.with_borrow_mut(|[operand, result]| {
            if k * n <= m * (k + n) {
                operand.resize(k * n, 0.0);
                transpose(b, n, k, operand);
                let ops = Operands {
                    m,
                    n,
                    k,
                    a: Strided::row_major(a, k),
                    b: operand,
                    ldb: n,
                };
                gemm(self, ops, c.as_mut_slice());
            } else {
                operand.resize(k * m, 0.0);
                transpose(a, m, k, operand);
                result.resize(n * m, 0.0);
                let ops = Operands {
                    m: n,
                    n: m,
                    k,
                    a: Strided::row_major(b, k),
                    b: operand,
                    ldb: m,
                };
                gemm(self, ops, result);
                transpose(result, n, m, c.as_mut_slice());
            }
        });
    }
}

/// The three products as a student would first write them: one output element at a time,
/// summing over `k` in order. Slow and obviously right: they are here to be read, as the
/// definition of what the fast kernels compute (`docs/appendix-a-making-it-fast.md` starts from
/// them), and as the baseline the benchmarks measure the kernels against. The tests check them
/// like any other implementation, against exact arithmetic computed by the tests themselves
/// (`nn-core/tests/matmul.rs`). Callers have checked the shapes.
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
