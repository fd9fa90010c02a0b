//! # Exercise 9: a dense layer, backward
//!
//! Read first: `docs/05-dense-and-relu.md`, "Backward".
//!
//! Given the gradient `dy = dL/dy` of the layer's output (`B x fan_out`) and what the forward
//! pass saw (`x`, `W`), compute the gradients of the weights, the bias and the input. Each has
//! the shape of what it is the gradient of.
//!
//! ```text
//! dW = xᵀ·dy,   db = Σ_rows dy,   dx = dy·Wᵀ
//! ```
//!
//! The names follow `Dense::backward`: `dy` is the gradient of the output, `dZ` in the docs
//! (`docs/notation.md`, "In the code").
//!
//! Check it: `cargo run -p nn-exercises -- dense_backward`

use nn_core::Matrix;

use crate::DenseGradients;

/// `DenseGradients { dw, db, dx }`: `dw` is `fan_in x fan_out`, `db` has `fan_out` values,
/// `dx` is `B x fan_in`.
pub fn dense_backward(x: &Matrix, w: &Matrix, dy: &Matrix) -> DenseGradients {
    todo!()
}
