//! The files a student fills in, `nn-exercises/exercises/NN_name.rs`, in order. They are
//! modules of this crate, so an exercise can call an earlier one
//! (`crate::exercises::stable_softmax::softmax`) and use `nn_core`'s `Matrix`.
//!
//! `unused_variables` is allowed: a fresh exercise's arguments are unused until its `todo!()`
//! is replaced, and a warning per argument would bury the grader's report.

#[allow(unused_variables)]
#[path = "../exercises/01_stable_softmax.rs"]
pub mod stable_softmax;

#[allow(unused_variables)]
#[path = "../exercises/02_log_sum_exp.rs"]
pub mod log_sum_exp;

#[allow(unused_variables)]
#[path = "../exercises/03_softmax_temperature.rs"]
pub mod softmax_temperature;

#[allow(unused_variables)]
#[path = "../exercises/04_cross_entropy.rs"]
pub mod cross_entropy;

#[allow(unused_variables)]
#[path = "../exercises/05_cross_entropy_gradient.rs"]
pub mod cross_entropy_gradient;

#[allow(unused_variables)]
#[path = "../exercises/06_relu_forward.rs"]
pub mod relu_forward;

#[allow(unused_variables)]
#[path = "../exercises/07_relu_backward.rs"]
pub mod relu_backward;

#[allow(unused_variables)]
#[path = "../exercises/08_dense_forward.rs"]
pub mod dense_forward;

#[allow(unused_variables)]
#[path = "../exercises/09_dense_backward.rs"]
pub mod dense_backward;

#[allow(unused_variables)]
#[path = "../exercises/10_gradient_check.rs"]
pub mod gradient_check;

#[allow(unused_variables)]
#[path = "../exercises/11_sgd_momentum.rs"]
pub mod sgd_momentum;

#[allow(unused_variables)]
#[path = "../exercises/12_accuracy.rs"]
pub mod accuracy;

#[allow(unused_variables)]
#[path = "../exercises/13_confusion_matrix.rs"]
pub mod confusion_matrix;

#[allow(unused_variables)]
#[path = "../exercises/14_calibration_error.rs"]
pub mod calibration_error;
