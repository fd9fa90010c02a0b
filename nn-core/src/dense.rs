//! A fully connected (dense) layer: `y = x·W + b`.
//!
//! For a batch of `B` examples, `x` is `B x fan_in`, `W` is `fan_in x fan_out`, `b` has
//! `fan_out` entries (added to every row) and `y` is `B x fan_out`.
//! Shapes and derivation of the backward pass: `docs/05-dense-and-relu.md`.

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
    /// A ReLU zeroes half of its inputs on average, halving the variance of the signal; the
    /// factor 2 gives it back, so activations keep their scale through any number of layers
    /// instead of shrinking to 0 or blowing up. See `docs/05-dense-and-relu.md`.
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

    /// `y = x·W + b`. See `docs/05-dense-and-relu.md`.
    pub fn forward(&self, x: &Matrix, y: &mut Matrix) {
        matmul(x, &self.weights, y);
        for r in 0..y.rows() {
            for (y_rj, b_j) in y.row_mut(r).iter_mut().zip(&self.bias) {
                *y_rj += b_j;
            }
        }
    }

    /// Given `dy = dL/dy` and the forward input `x`, writes into `grad`
    ///
    /// ```text
    /// dW = xᵀ·dy        (fan_in x fan_out: each example's outer product x_bᵀ dy_b, summed)
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
