//! # Exercise 7: ReLU, backward
//!
//! Read first: `docs/05-dense-and-relu.md`, "ReLU".
//!
//! The gradient flows back through the units that were active and stops at the others. Which
//! units were active is decided by the forward pass's output `a`, never by the gradient.
//! At `z = 0` the derivative is taken as 0.
//!
//! ```text
//! dz = da ⊙ [a > 0]
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- relu_backward`

use nn_core::Matrix;

/// `dL/dz` from the forward output `a = relu(z)` and the incoming gradient `da = dL/da`
/// (both the same shape).
pub fn relu_backward(a: &Matrix, da: &Matrix) -> Matrix {
    todo!()
}
