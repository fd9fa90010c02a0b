//! The reference solutions, `nn-exercises/solutions/NN_name.rs`, one per exercise with the same
//! module and function names. Compiled only for the tests, which grade them (they must pass)
//! next to deliberately wrong ones (they must not).
//!
//! They index their loops the way the math is written (`y[r][j] = Σ_k x[r][k]·W[k][j]`), as a
//! student would, so clippy's preference for iterators is turned off here.

#![allow(clippy::needless_range_loop)]

#[path = "../solutions/01_stable_softmax.rs"]
pub mod stable_softmax;

#[path = "../solutions/02_log_sum_exp.rs"]
pub mod log_sum_exp;

#[path = "../solutions/03_softmax_temperature.rs"]
pub mod softmax_temperature;

#[path = "../solutions/04_cross_entropy.rs"]
pub mod cross_entropy;

#[path = "../solutions/05_cross_entropy_gradient.rs"]
pub mod cross_entropy_gradient;

#[path = "../solutions/06_relu_forward.rs"]
pub mod relu_forward;

#[path = "../solutions/07_relu_backward.rs"]
pub mod relu_backward;

#[path = "../solutions/08_dense_forward.rs"]
pub mod dense_forward;

#[path = "../solutions/09_dense_backward.rs"]
pub mod dense_backward;

#[path = "../solutions/10_gradient_check.rs"]
pub mod gradient_check;

#[path = "../solutions/11_sgd_momentum.rs"]
pub mod sgd_momentum;

#[path = "../solutions/12_accuracy.rs"]
pub mod accuracy;

#[path = "../solutions/13_confusion_matrix.rs"]
pub mod confusion_matrix;

#[path = "../solutions/14_calibration_error.rs"]
pub mod calibration_error;
