//! # Exercise 8: a dense layer, forward
//!
//! Read first: `docs/05-dense-and-relu.md`, "The dense layer".
//!
//! A batch `x` of `B` examples (one per row, `fan_in` values each) goes through a layer with
//! weights `W` (`fan_in x fan_out`) and one bias per output unit. Write the loops out.
//!
//! ```text
//! y = x·W + b,   y[r][j] = Σ_k x[r][k]·W[k][j] + b[j]
//! ```
//!
//! The names follow `Dense::forward`: `y` is the layer's output, `Z` in the docs, not the
//! one-hot label `y` of the loss (`docs/notation.md`, "In the code").
//!
//! Check it: `cargo run -p nn-exercises -- dense_forward`

use nn_core::Matrix;

/// The layer's output for the batch: `B x fan_out`.
pub fn dense_forward(x: &Matrix, w: &Matrix, b: &[f32]) -> Matrix {
    todo!()
}
