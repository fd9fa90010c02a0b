//! A fully connected (dense) layer: `Z = X·W + b`.
//!
//! For a batch of `B` examples, `X` is `B x fan_in`, `W` is `fan_in x fan_out`, `b` has
//! `fan_out` entries (added to every row) and `Z`, the pre-activation, is `B x fan_out`. The
//! arguments are named for the two sides of the layer: `x` is its input `X` and `y` its output
//! `Z` (the symbols are those of `docs/notation.md`). Shapes and derivation of the backward
//! pass: `docs/05-dense-and-relu.md`.

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::Matrix;
use crate::matmul::{matmul, matmul_a_bt, matmul_at_b};

/// The parameters of one layer. Gradients have exactly the same shapes, so they are stored in
/// this type too (as llm.c does): `grad.weights` is `dL/dW`, `grad.bias` is `dL/db`.
/// See `docs/05-dense-and-relu.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    /// `fan_in x fan_out`: column `j` holds the input weights of output unit `j`.
    pub weights: Matrix,
    /// One bias per output unit.
    pub bias: Vec<f32>,
}

impl Dense {
    pub fn zeros(fan_in: usize, fan_out: usize) -> Dense {
        Dense {
            weights: Matrix::zeros(fan_in, fan_out),
            bias: vec![0.0; fan_out],
        }
    }

    /// He-normal initialisation: `W_ij ~ N(0, 2 / fan_in)`, `b = 0`.
    ///
    /// `E[z²] = fan_in · Var(W) · E[a²]`: the second moment of the inputs, not their variance,
    /// sets the output's. A ReLU of a symmetric pre-activation zeroes half of it, halving that
    /// second moment; the factor 2 gives it back, so through a stack of ReLU layers `E[z²]`
    /// keeps its scale instead of shrinking to 0 or blowing up. Glorot's `2 / (fan_in +
    /// fan_out)`, made for units linear around 0, halves it at every square ReLU layer. The
    /// argument fits hidden layers fed by ReLUs: the first layer reads pixels in [0, 1] and
    /// only keeps their scale. See `docs/05-dense-and-relu.md`.
    pub fn he_normal(fan_in: usize, fan_out: usize, rng: &mut impl Rng) -> Dense {
        let std_dev = (2.0 / fan_in as f64).sqrt();
        let normal = Normal::new(0.0, std_dev).expect("a positive, finite standard deviation");
        let weights = (0..fan_in * fan_out)
            .map(|_| normal.sample(rng) as f32)
            .collect();
        Dense {
            weights: Matrix::from_vec(fan_in, fan_out, weights),
            bias: vec![0.0; fan_out],
        }
    }

    pub fn fan_in(&self) -> usize {
        self.weights.rows()
    }

    pub fn fan_out(&self) -> usize {
        self.weights.cols()
    }

    /// `y = x·W + b`: the output `Z = X·W + b`. See `docs/05-dense-and-relu.md`.
    pub fn forward(&self, x: &Matrix, y: &mut Matrix) {
        matmul(x, &self.weights, y);
        for r in 0..y.rows() {
            for (y_rj, b_j) in y.row_mut(r).iter_mut().zip(&self.bias) {
                *y_rj += b_j;
            }
        }
    }

    /// Given `dy = dL/dy` (`dZ`) and the forward input `x` (`X`), writes into `grad`
    ///
    /// ```text
    /// dW = xᵀ·dy        (fan_in x fan_out: each example's outer product x_nᵀ dz_n, summed)
    /// db = Σ_rows dy    (b was added to every row, so its gradient sums over them)
    /// dx = dy·Wᵀ        (only if `dx` is given: the first layer's input needs no gradient)
    /// ```
    ///
    /// See `docs/05-dense-and-relu.md`.
    pub fn backward(&self, x: &Matrix, dy: &Matrix, grad: &mut Dense, dx: Option<&mut Matrix>) {
        matmul_at_b(x, dy, &mut grad.weights);
        grad.bias.fill(0.0);
        for r in 0..dy.rows() {
            for (db_j, dy_rj) in grad.bias.iter_mut().zip(dy.row(r)) {
                *db_j += dy_rj;
            }
        }
        if let Some(dx) = dx {
            matmul_a_bt(dy, &self.weights, dx);
        }
    }
}
