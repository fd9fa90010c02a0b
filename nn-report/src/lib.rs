//! # nn-report: a training run turned into pictures and a page
//!
//! - `metrics.rs`: the numbers (confusion matrix, precision and recall, calibration), as
//!   plain tested functions.

pub mod metrics;
