//! # nn-exercises: write the network's math yourself, and let the computer check it
//!
//! Rustlings for neural networks. Each exercise is a small file in `nn-exercises/exercises/`
//! with a signature, a doc comment that states the task, its math in one line and the chapter
//! of `docs/` to read, and a `todo!()` body for the student to replace. `cargo run -p
//! nn-exercises` grades every one against nn-core, the implementation the network trains with.
//!
//! - [`catalog`]: the exercises in order, each with its chapter and its check.
//! - [`checks`]: one check per exercise: the inputs (random ones and edge cases), nn-core's
//!   answers, and tolerances that say why they are what they are.
//! - [`grade`]: running the student's code safely (a `todo!()`, a panic or an endless loop
//!   is a verdict, never a crash), comparing numbers, the verdict.
//! - [`exercises`]: the student's files.
//!
//! The reference solutions (`nn-exercises/solutions/`) are compiled only for the tests, which
//! prove every check against them and against deliberately wrong solutions.

pub mod catalog;
pub mod checks;
pub mod exercises;
pub mod grade;
#[cfg(test)]
mod solutions;

use nn_core::Matrix;

/// What exercise 9, `dense_backward`, returns: the gradients of a dense layer's weights, bias
/// and input, each the shape of what it is the gradient of. See `docs/05-dense-and-relu.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseGradients {
    /// `dL/dW`, `fan_in x fan_out`.
    pub dw: Matrix,
    /// `dL/db`, one per output unit.
    pub db: Vec<f32>,
    /// `dL/dx`, `B x fan_in`.
    pub dx: Matrix,
}
