//! # Exercise 14: the expected calibration error
//!
//! Read first: `docs/08-reading-the-report.md`, "Confidence, calibration and uncertainty".
//!
//! A network is calibrated when its confidence matches its accuracy: of the predictions made
//! with 80% confidence, 80% are right. Split [0, 1] into `bins` equal bins (bin `k` holds
//! `[k/bins, (k+1)/bins)`, and 1.0 goes to the last bin). In each bin `k` with `n_k`
//! predictions, compare their accuracy `acc_k` with their mean confidence `conf_k`, and weight
//! the gap by the bin's share of all `N` predictions. Empty bins count 0.
//!
//! ```text
//! ECE = Σ_k (n_k / N)·|acc_k - conf_k|
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- calibration_error`

/// The ECE of `N` predictions: `confidences[n]` in [0, 1] (the top probability of prediction
/// `n`) and `correct[n]`, whether it was right.
pub fn expected_calibration_error(confidences: &[f64], correct: &[bool], bins: usize) -> f64 {
    todo!()
}
