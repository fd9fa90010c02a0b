//! Exercises 12 to 14 (`docs/08-reading-the-report.md`): accuracy, the confusion matrix and
//! the expected calibration error, against `nn_core::metrics`.

use nn_core::Matrix;
use nn_core::metrics::{Calibration, ConfusionMatrix, accuracy as reference_accuracy};
use nn_core::softmax::argmax;
use rand::RngExt;

use super::{batch, random_labels, random_matrix, rng};
use crate::grade::{Case, Tolerance, Verdict, compare_number, grade, show_values};

/// Accuracy moves in steps of 1/B (1/20 at most here); 1e-6 allows computing it in f32 and
/// hides no miscounted example.
const ACCURACY: Tolerance = Tolerance {
    abs: 1e-6,
    rel: 0.0,
};

/// The ECE is a sum of at most 20 products of f64 ratios, exact to ~1e-15 in any order; a
/// misplaced prediction moves it by at least 1e-3 here.
const ECE: Tolerance = Tolerance {
    abs: 1e-9,
    rel: 0.0,
};

/// Exercise 12: `accuracy(logits, labels) -> fraction right`, against
/// [`nn_core::metrics::accuracy`].
pub fn accuracy(student: impl Fn(&Matrix, &[usize]) -> f64) -> Verdict {
    const FRACTION: &str = "accuracy = (number of rows whose largest logit is at the label) / \
        (number of rows)";
    const TIES: &str = "on a tie the lowest class wins, as nn-core's argmax decides: keep the \
        first maximum (compare with >, not >=; Iterator::max_by returns the last one)";
    const NEGATIVE: &str = "logits can all be negative: start the search for the largest at \
        the row's first value, not at 0";
    let mut r = rng(12);
    let logits = random_matrix(&mut r, 20, 10, -3.0, 3.0);
    // About half the labels are the predicted class, so the answer is not near 0 or 1.
    let labels: Vec<usize> = (0..20)
        .map(|row| {
            if r.random_bool(0.5) {
                argmax(logits.row(row))
            } else {
                r.random_range(0..10)
            }
        })
        .collect();
    let cases = vec![
        batch(logits, labels, FRACTION),
        batch(
            Matrix::from_rows(&[[2.0, 2.0, 1.0], [0.0, 0.0, 0.0], [1.0, 3.0, 3.0]]),
            vec![0, 0, 2],
            TIES,
        ),
        batch(Matrix::from_rows(&[[-3.0, -1.0, -2.0]]), vec![1], NEGATIVE),
        batch(Matrix::from_rows(&[[0.1, 0.9]]), vec![0], FRACTION),
        batch(
            Matrix::from_rows(&[[5.0], [-1.0], [0.0]]),
            vec![0, 0, 0],
            "with a single class every prediction is right",
        ),
    ];
    grade(
        &cases,
        |(logits, labels)| student(logits, labels),
        |(logits, labels)| reference_accuracy(logits, labels),
        |&got, &expected| compare_number("accuracy", got, expected, ACCURACY),
    )
}

/// Labels, predictions and the number of classes.
type Pairs = (Vec<usize>, Vec<usize>, usize);

/// Exercise 13: `confusion_matrix(labels, predicted, classes) -> counts[true][predicted]`,
/// against [`ConfusionMatrix`]. Counts are exact.
pub fn confusion_matrix(student: impl Fn(&[usize], &[usize], usize) -> Vec<Vec<usize>>) -> Verdict {
    const CELLS: &str = "counts[t][p] is how many examples of true class t were predicted as p: \
        the row is the label, the column the prediction, and the matrix is classes x classes";
    let mut r = rng(13);
    let labels = random_labels(&mut r, 40, 4);
    let predicted = labels
        .iter()
        .map(|&t| {
            if r.random_bool(0.6) {
                t
            } else {
                r.random_range(0..4)
            }
        })
        .collect();
    let cases: Vec<Case<Pairs>> = [
        ((labels, predicted, 4), CELLS),
        ((vec![0, 0, 1], vec![1, 1, 1], 3), CELLS),
        (
            (vec![0, 1, 1, 0], vec![1, 0, 1, 0], 5),
            "classes with no examples still get their (empty) row and column",
        ),
        ((vec![0, 0, 0], vec![0, 0, 0], 1), "one class: a 1x1 matrix"),
        (
            (vec![], vec![], 3),
            "no examples: a classes x classes matrix of zeros",
        ),
    ]
    .into_iter()
    .map(|(pairs, hint)| {
        let describe = format!(
            "labels: {:?}, predicted: {:?}, classes: {}",
            pairs.0, pairs.1, pairs.2
        );
        Case::new(pairs, describe, hint)
    })
    .collect();
    grade(
        &cases,
        |(labels, predicted, classes)| student(labels, predicted, *classes),
        |(labels, predicted, classes)| {
            let m = ConfusionMatrix::new(
                *classes,
                labels.iter().copied().zip(predicted.iter().copied()),
            );
            (0..*classes)
                .map(|t| (0..*classes).map(|p| m.count(t, p)).collect())
                .collect()
        },
        |got, expected| compare_counts(got, expected),
    )
}

fn compare_counts(got: &[Vec<usize>], expected: &[Vec<usize>]) -> Result<(), String> {
    let n = expected.len();
    if got.len() != n || got.iter().any(|row| row.len() != n) {
        let widths: Vec<usize> = got.iter().map(Vec::len).collect();
        return Err(format!(
            "counts has {} rows of lengths {widths:?}, expected {n} rows of {n}",
            got.len()
        ));
    }
    for t in 0..n {
        for p in 0..n {
            if got[t][p] != expected[t][p] {
                return Err(format!(
                    "counts[{t}][{p}] is {}, expected {}",
                    got[t][p], expected[t][p]
                ));
            }
        }
    }
    Ok(())
}

/// Confidences, whether each prediction was right, and the number of bins.
type Outcomes = (Vec<f64>, Vec<bool>, usize);

/// Exercise 14: `expected_calibration_error(confidences, correct, bins)`, against
/// [`Calibration`]'s ECE.
pub fn calibration_error(student: impl Fn(&[f64], &[bool], usize) -> f64) -> Verdict {
    const WEIGHTED: &str = "ECE = Σ_k (n_k / N)·|acc_k - conf_k|: put each prediction in bin \
        floor(c·bins), then weight each bin's gap between accuracy and mean confidence by its \
        share of all N predictions (empty bins count 0)";
    const EDGES: &str = "bin k holds [k/bins, (k+1)/bins): a confidence on an edge goes to the \
        upper bin, and 1.0, which would be bin number `bins`, to the last one";
    let mut r = rng(14);
    let confidences: Vec<f64> = (0..200).map(|_| r.random_range(0.1..1.0)).collect();
    // Overconfident: right with probability c², below the confidence c.
    let correct = confidences.iter().map(|&c| r.random_bool(c * c)).collect();
    let mut hand = vec![0.9; 5];
    hand.extend([0.3; 5]);
    let hand_correct = [true, true, true, true, false, true, true, true, true, false];
    let cases: Vec<Case<Outcomes>> = [
        ((confidences, correct, 10), WEIGHTED),
        ((hand, hand_correct.to_vec(), 10), WEIGHTED),
        ((vec![1.0, 0.55], vec![true, false], 10), EDGES),
        (
            (
                vec![0.25, 0.5, 0.75, 0.5, 0.0, 0.75],
                vec![false, true, true, false, false, true],
                4,
            ),
            EDGES,
        ),
        (
            (vec![0.6, 0.9, 0.3], vec![true, true, false], 1),
            "with one bin the ECE is |accuracy - mean confidence| over all predictions",
        ),
        (
            (vec![0.97, 0.99, 0.02], vec![true, false, false], 20),
            "bins with no predictions add nothing, and N counts every prediction",
        ),
    ]
    .into_iter()
    .map(|(outcomes, hint)| {
        let (c, right, bins) = &outcomes;
        let right: Vec<u8> = right.iter().map(|&r| u8::from(r)).collect();
        let describe = if c.len() > 12 {
            format!("{} random predictions, bins: {bins}", c.len())
        } else {
            format!(
                "confidences: {}, correct: {right:?}, bins: {bins}",
                show_values(c)
            )
        };
        Case::new(outcomes, describe, hint)
    })
    .collect();
    grade(
        &cases,
        |(c, right, bins)| student(c, right, *bins),
        |(c, right, bins)| {
            Calibration::new(c.iter().copied().zip(right.iter().copied()), *bins).ece
        },
        |&got, &expected| compare_number("the ECE", got, expected, ECE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions;

    #[test]
    fn the_reference_solutions_pass() {
        expect::pass(accuracy(solutions::accuracy::accuracy));
        expect::pass(confusion_matrix(
            solutions::confusion_matrix::confusion_matrix,
        ));
        expect::pass(calibration_error(
            solutions::calibration_error::expected_calibration_error,
        ));
    }

    #[test]
    fn accuracy_mistakes_are_caught() {
        // max_by keeps the last of equal maxima.
        let last_on_ties = |z: &Matrix, labels: &[usize]| {
            let right = (0..z.rows())
                .filter(|&r| {
                    let row = z.row(r);
                    let best = (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b]));
                    best == Some(labels[r])
                })
                .count();
            right as f64 / z.rows() as f64
        };
        expect::wrong(accuracy(last_on_ties), &["[[2, 2, 1]", "lowest class wins"]);
        // The best value starts at 0: an all-negative row predicts class 0.
        let best_from_zero = |z: &Matrix, labels: &[usize]| {
            let right = (0..z.rows())
                .filter(|&r| {
                    let (mut best, mut at) = (0.0, 0);
                    for (i, &v) in z.row(r).iter().enumerate() {
                        if v > best {
                            (best, at) = (v, i);
                        }
                    }
                    at == labels[r]
                })
                .count();
            right as f64 / z.rows() as f64
        };
        expect::wrong(
            accuracy(best_from_zero),
            &["[[-3, -1, -2]]", "all be negative"],
        );
        let count_not_fraction = |z: &Matrix, labels: &[usize]| {
            solutions::accuracy::accuracy(z, labels) * z.rows() as f64
        };
        expect::wrong(
            accuracy(count_not_fraction),
            &["a 20x10 matrix", "/ (number of rows)"],
        );
    }

    #[test]
    fn confusion_matrix_mistakes_are_caught() {
        let transposed = |labels: &[usize], predicted: &[usize], classes: usize| {
            solutions::confusion_matrix::confusion_matrix(predicted, labels, classes)
        };
        expect::wrong(
            confusion_matrix(transposed),
            &["counts[", "the row is the label"],
        );
        // Sized by the classes seen rather than the classes asked for.
        let sized_by_data = |labels: &[usize], predicted: &[usize], _: usize| {
            let seen = labels.iter().chain(predicted).max().map_or(0, |m| m + 1);
            solutions::confusion_matrix::confusion_matrix(labels, predicted, seen)
        };
        expect::wrong(
            confusion_matrix(sized_by_data),
            &[
                "classes: 3",
                "counts has 2 rows of lengths [2, 2], expected 3 rows of 3",
            ],
        );
    }

    /// An ECE computed with the test's own binning rule, weighted by the bins' shares or (a
    /// mistake) not: the bins' gaps simply averaged.
    fn ece_binned_by(
        c: &[f64],
        right: &[bool],
        bins: usize,
        bin_of: impl Fn(f64) -> usize,
        weighted: bool,
    ) -> f64 {
        let (mut n, mut conf, mut acc) = (vec![0.0; bins], vec![0.0; bins], vec![0.0; bins]);
        for (&c, &r) in c.iter().zip(right) {
            let b = bin_of(c);
            n[b] += 1.0;
            conf[b] += c;
            acc[b] += f64::from(u8::from(r));
        }
        let filled: Vec<usize> = (0..bins).filter(|&b| n[b] > 0.0).collect();
        let gaps = filled
            .iter()
            .map(|&b| (n[b], (acc[b] / n[b] - conf[b] / n[b]).abs()));
        if weighted {
            gaps.map(|(n, gap)| n / c.len() as f64 * gap).sum()
        } else {
            gaps.map(|(_, gap)| gap).sum::<f64>() / filled.len() as f64
        }
    }

    /// The right bin: floor(c·bins), with c = 1 in the last bin.
    fn floor_capped(bins: usize) -> impl Fn(f64) -> usize {
        move |c: f64| ((c * bins as f64) as usize).min(bins - 1)
    }

    #[test]
    fn the_test_binning_agrees_with_the_reference_when_right() {
        expect::pass(calibration_error(|c, right, bins| {
            ece_binned_by(c, right, bins, floor_capped(bins), true)
        }));
    }

    #[test]
    fn calibration_mistakes_are_caught() {
        // floor(c·bins) without the cap: 1.0 lands one past the last bin.
        let uncapped = |c: &[f64], right: &[bool], bins: usize| {
            ece_binned_by(c, right, bins, |c| (c * bins as f64) as usize, true)
        };
        expect::wrong(
            calibration_error(uncapped),
            &[
                "confidences: [1, 0.55]",
                "your code panicked",
                "index out of bounds",
                "to the last one",
            ],
        );
        // Rounds onto bins - 1 steps instead of flooring into bins.
        let rounded = |c: &[f64], right: &[bool], bins: usize| {
            let steps = (bins - 1) as f64;
            ece_binned_by(c, right, bins, |c| (c * steps).round() as usize, true)
        };
        expect::wrong(
            calibration_error(rounded),
            &["200 random predictions", "floor(c·bins)"],
        );
        // The gaps averaged over the filled bins, not weighted by their counts.
        let unweighted = |c: &[f64], right: &[bool], bins: usize| {
            ece_binned_by(c, right, bins, floor_capped(bins), false)
        };
        expect::wrong(
            calibration_error(unweighted),
            &["200 random predictions", "share of all N"],
        );
        // One gap over everything, no bins at all.
        let correct = solutions::calibration_error::expected_calibration_error;
        let global_gap = |c: &[f64], right: &[bool], _: usize| correct(c, right, 1);
        expect::wrong(calibration_error(global_gap), &["200 random predictions"]);
    }
}
