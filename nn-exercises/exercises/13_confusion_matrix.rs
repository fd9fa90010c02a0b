//! # Exercise 13: the confusion matrix
//!
//! Read first: `docs/08-reading-the-report.md`, "The confusion matrix".
//!
//! Count how often each true class was predicted as each class. The row is the true class,
//! the column the prediction, so the diagonal holds the correct predictions. Every class gets
//! its row and column, even one with no examples.
//!
//! ```text
//! counts[t][p] = #{ n : labels[n] = t and predicted[n] = p }
//! ```
//!
//! Check it: `cargo run -p nn-exercises -- confusion_matrix`

/// A `classes x classes` table of counts, from the labels and the predictions (same length,
/// every class below `classes`).
pub fn confusion_matrix(labels: &[usize], predicted: &[usize], classes: usize) -> Vec<Vec<usize>> {
    todo!()
}
