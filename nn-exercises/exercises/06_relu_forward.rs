//! # Exercise 6: ReLU, forward
//!
//! Read first: `docs/05-dense-and-relu.md`, "ReLU".
//!
//! The non-linearity between two dense layers: positive values pass, the rest become 0.
//!
//! ```text
//! a = max(z, 0), entry by entry
//! ```
//!
//! `z.as_slice()` gives every entry in order; `Matrix::from_vec(rows, cols, values)` builds
//! the result.
//!
//! Check it: `cargo run -p nn-exercises -- relu_forward`

use nn_core::Matrix;

/// The activations `a` of the pre-activations `z`: the same shape as `z`.
pub fn relu_forward(z: &Matrix) -> Matrix {
    todo!()
}
