//! One check per exercise: the inputs it tries (random ones and the edge cases a careless
//! solution gets wrong), nn-core's answer for each, and the tolerance it compares with.
//!
//! Every check takes the implementation to grade as an argument, so the same check grades
//! the student's file (from the command line) and the reference and deliberately wrong
//! solutions (in the tests next to each check). The random inputs come from fixed seeds: a
//! student who reruns the command sees the same case fail until it is fixed.

pub mod gradient_check;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod sgd;
pub mod softmax;

use nn_core::Matrix;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::grade::Case;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// `n` values drawn uniformly from `[low, high)`.
fn random_values(rng: &mut ChaCha8Rng, n: usize, low: f32, high: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(low..high)).collect()
}

fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize, low: f32, high: f32) -> Matrix {
    Matrix::from_vec(rows, cols, random_values(rng, rows * cols, low, high))
}

fn random_labels(rng: &mut ChaCha8Rng, n: usize, classes: usize) -> Vec<usize> {
    (0..n).map(|_| rng.random_range(0..classes)).collect()
}

/// A batch of logits and its labels.
type Batch = (Matrix, Vec<usize>);

/// A case of a batch of logits and its labels, described by both.
fn batch(logits: Matrix, labels: Vec<usize>, hint: &'static str) -> Case<Batch> {
    let describe = format!("logits: {}, labels: {labels:?}", show_matrix(&logits));
    Case::new((logits, labels), describe, hint)
}

/// `2x3 [[1, 2, 3], [4, 5, 6]]` for a small matrix, `a 16x10 matrix` for a larger one.
fn show_matrix(m: &Matrix) -> String {
    let (rows, cols) = m.shape();
    if rows * cols > 12 {
        return format!("a {rows}x{cols} matrix");
    }
    let rows: Vec<String> = (0..rows)
        .map(|r| crate::grade::show_values(m.row(r)))
        .collect();
    format!("[{}]", rows.join(", "))
}

/// The checks' own tests: a verdict must be what the test expects, and a wrong verdict must
/// name what a student needs to see.
#[cfg(test)]
mod expect {
    use nn_core::Matrix;

    use crate::grade::Verdict;

    /// `m` with rows and columns swapped: what a solution that mixes up its axes returns.
    pub fn transpose(m: &Matrix) -> Matrix {
        let mut t = Matrix::zeros(m.cols(), m.rows());
        for r in 0..m.rows() {
            for c in 0..m.cols() {
                t.set(c, r, m.get(r, c));
            }
        }
        t
    }

    pub fn pass(verdict: Verdict) {
        assert_eq!(verdict, Verdict::Pass, "a correct solution must pass");
    }

    /// The verdict is `Wrong`, and its case, what and hint together contain every one of
    /// `needles`.
    pub fn wrong(verdict: Verdict, needles: &[&str]) {
        let Verdict::Wrong(m) = verdict else {
            panic!("a wrong solution must be caught, got {verdict:?}");
        };
        let text = format!("{}\n{}\n{}", m.case, m.what, m.hint);
        for needle in needles {
            assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
        }
    }
}
