//! Counting what a classifier got right: accuracy, the confusion matrix, and calibration (how
//! far the confidence it shows is from the accuracy it has).
//!
//! Training, evaluation, the report and the exercises all count with these functions, so there
//! is one definition of each number. Nothing here depends on MNIST: any number of classes, any
//! number of examples. What each number means: `docs/08-reading-the-report.md`.

use crate::Matrix;
use crate::softmax::argmax;

/// How many rows of `logits` have their largest value at the row's label: the correct
/// predictions of a batch. Ties go to the lowest class, as in [`argmax`]. The logits or the
/// probabilities give the same count, since softmax keeps the order of a row.
/// See `docs/08-reading-the-report.md`.
pub fn count_correct(logits: &Matrix, labels: &[usize]) -> usize {
    assert_eq!(
        logits.rows(),
        labels.len(),
        "count_correct: {} rows of scores but {} labels",
        logits.rows(),
        labels.len()
    );
    labels
        .iter()
        .enumerate()
        .filter(|&(r, &y)| argmax(logits.row(r)) == y)
        .count()
}

/// The fraction of rows predicted correctly, `(1/N) Σ_n [argmax z_n = c_n]`.
/// See `docs/08-reading-the-report.md`.
pub fn accuracy(logits: &Matrix, labels: &[usize]) -> f64 {
    assert!(!labels.is_empty(), "accuracy: the batch is empty");
    count_correct(logits, labels) as f64 / labels.len() as f64
}

/// How often each true class was predicted as each class: `M_ij`, in row `i` and column `j`,
/// counts the examples of class `i` predicted as `j`, so the diagonal holds the correct ones.
/// See `docs/08-reading-the-report.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// `counts[t * classes + p]`, row-major like [`Matrix`].
    counts: Vec<usize>,
}

/// One off-diagonal cell of the confusion matrix: `count` examples of `true_class` were
/// predicted as `predicted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfusedPair {
    pub true_class: usize,
    pub predicted: usize,
    pub count: usize,
}

impl ConfusionMatrix {
    /// From `(true class, predicted class)` pairs. Pairs naming a class outside
    /// `0..classes` are left out: they cannot come from a network with `classes` outputs.
    pub fn new(classes: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> ConfusionMatrix {
        let mut counts = vec![0; classes * classes];
        for (truth, predicted) in pairs {
            if truth < classes && predicted < classes {
                counts[truth * classes + predicted] += 1;
            }
        }
        ConfusionMatrix { classes, counts }
    }

    /// The number of classes: the matrix is `classes x classes`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How many examples of `true_class` were predicted as `predicted`.
    pub fn count(&self, true_class: usize, predicted: usize) -> usize {
        assert!(
            true_class < self.classes && predicted < self.classes,
            "confusion matrix: cell ({true_class}, {predicted}) is outside {0}x{0}",
            self.classes
        );
        self.counts[true_class * self.classes + predicted]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// How many examples of `true_class` there are.
    pub fn row_total(&self, true_class: usize) -> usize {
        (0..self.classes).map(|p| self.count(true_class, p)).sum()
    }

    /// How many examples were predicted as `predicted`.
    pub fn column_total(&self, predicted: usize) -> usize {
        (0..self.classes).map(|t| self.count(t, predicted)).sum()
    }

    /// How many were classified correctly: the diagonal.
    pub fn correct(&self) -> usize {
        (0..self.classes).map(|c| self.count(c, c)).sum()
    }

    /// The fraction classified correctly; `None` without examples.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct(), self.total())
    }

    /// The share of `true_class`'s examples predicted as `predicted`; `None` for a class with
    /// no examples.
    pub fn row_fraction(&self, true_class: usize, predicted: usize) -> Option<f64> {
        ratio(
            self.count(true_class, predicted),
            self.row_total(true_class),
        )
    }

    /// Of the examples predicted as `class`, the fraction that really are `class`; `None` if
    /// it was never predicted. See `docs/08-reading-the-report.md`.
    pub fn precision(&self, class: usize) -> Option<f64> {
        ratio(self.count(class, class), self.column_total(class))
    }

    /// Of the examples of `class`, the fraction predicted as `class`; `None` if there are
    /// none. See `docs/08-reading-the-report.md`.
    pub fn recall(&self, class: usize) -> Option<f64> {
        ratio(self.count(class, class), self.row_total(class))
    }

    /// The `n` largest off-diagonal cells, largest first. Ties are listed in reading order of
    /// the matrix: by true class, then by predicted class. Empty cells are left out, so fewer
    /// than `n` may come back. See `docs/08-reading-the-report.md`.
    pub fn most_confused(&self, n: usize) -> Vec<ConfusedPair> {
        let classes = self.classes;
        let mut pairs: Vec<ConfusedPair> = (0..classes)
            .flat_map(|t| (0..classes).map(move |p| (t, p)))
            .filter(|&(t, p)| t != p && self.count(t, p) > 0)
            .map(|(t, p)| ConfusedPair {
                true_class: t,
                predicted: p,
                count: self.count(t, p),
            })
            .collect();
        // A stable sort keeps the reading order among equal counts.
        pairs.sort_by_key(|p| std::cmp::Reverse(p.count));
        pairs.truncate(n);
        pairs
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Predictions grouped by how confident they were, in equal-width bins over [0, 1]: the
/// reliability diagram and its expected calibration error. See `docs/08-reading-the-report.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    pub bins: Vec<ReliabilityBin>,
    /// Expected calibration error, `ECE = Σ_r (N_r / N)·|acc_r - conf_r|`: the gap between
    /// accuracy and mean confidence in each bin, weighted by the share of predictions in it.
    /// 0 when confidence is honest.
    pub ece: f64,
}

/// One bin of the reliability diagram: the predictions whose confidence is in
/// `[lower, upper)` (the last bin also holds 1.0).
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub count: usize,
    /// Mean confidence and accuracy of the predictions in the bin; 0 for an empty bin.
    pub mean_confidence: f64,
    pub accuracy: f64,
}

impl Calibration {
    /// `outcomes` holds each prediction's confidence (its top probability) and whether it was
    /// right; `bins` equal-width bins (at least one). Confidences that are not finite numbers
    /// are left out; ones outside [0, 1] count in the nearest end bin. The ECE's formula:
    /// `docs/08-reading-the-report.md`.
    pub fn new(outcomes: impl IntoIterator<Item = (f64, bool)>, bins: usize) -> Calibration {
        let bins = bins.max(1);
        let (mut counts, mut confidence, mut correct) =
            (vec![0usize; bins], vec![0.0; bins], vec![0usize; bins]);
        for (c, right) in outcomes.into_iter().filter(|(c, _)| c.is_finite()) {
            let b = bin_index(c, bins);
            counts[b] += 1;
            confidence[b] += c;
            correct[b] += usize::from(right);
        }
        let total: usize = counts.iter().sum();
        let bins: Vec<ReliabilityBin> = (0..bins)
            .map(|b| ReliabilityBin {
                lower: b as f64 / bins as f64,
                upper: (b + 1) as f64 / bins as f64,
                count: counts[b],
                mean_confidence: if counts[b] > 0 {
                    confidence[b] / counts[b] as f64
                } else {
                    0.0
                },
                accuracy: ratio(correct[b], counts[b]).unwrap_or(0.0),
            })
            .collect();
        let ece = bins
            .iter()
            .map(|b| ratio(b.count, total).unwrap_or(0.0) * (b.accuracy - b.mean_confidence).abs())
            .sum();
        Calibration { bins, ece }
    }
}

/// How many `values` fall in each of `bins` equal-width bins over [0, 1], binned as
/// [`Calibration`] bins them; values that are not finite are left out, values outside [0, 1]
/// go to the nearest end bin.
pub fn histogram(values: impl IntoIterator<Item = f64>, bins: usize) -> Vec<usize> {
    let bins = bins.max(1);
    let mut counts = vec![0; bins];
    for v in values.into_iter().filter(|v| v.is_finite()) {
        counts[bin_index(v, bins)] += 1;
    }
    counts
}

/// Bin `r` holds [r/bins, (r+1)/bins); 1.0 itself belongs to the last bin.
fn bin_index(value: f64, bins: usize) -> usize {
    ((value.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 12 examples of 10 classes: eight right, 4 read as 9 twice, 7 as 1 once, 9 as 4 once.
    fn known_matrix() -> ConfusionMatrix {
        let pairs = [
            (0, 0),
            (0, 0),
            (1, 1),
            (4, 4),
            (4, 9),
            (4, 9),
            (7, 7),
            (7, 1),
            (9, 9),
            (9, 9),
            (9, 4),
            (3, 3),
        ];
        ConfusionMatrix::new(10, pairs)
    }

    #[test]
    fn count_correct_compares_the_argmax_of_each_row_with_its_label() {
        let logits = Matrix::from_rows(&[[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0]]);
        assert_eq!(count_correct(&logits, &[1, 0, 2]), 3);
        assert_eq!(count_correct(&logits, &[1, 1, 0]), 1);
        assert_eq!(accuracy(&logits, &[1, 1, 0]), 1.0 / 3.0);
    }

    #[test]
    fn a_tie_is_predicted_as_the_lowest_class() {
        let tied = Matrix::from_rows(&[[2.0, 2.0, 1.0]]);
        assert_eq!(count_correct(&tied, &[0]), 1);
        assert_eq!(count_correct(&tied, &[1]), 0);
    }

    #[test]
    #[should_panic(expected = "2 rows of scores but 3 labels")]
    fn count_correct_names_a_length_mismatch() {
        count_correct(&Matrix::zeros(2, 3), &[0, 1, 2]);
    }

    #[test]
    fn confusion_matrix_counts_each_true_and_predicted_pair() {
        let m = known_matrix();
        let mut expected = vec![0; 100];
        for (t, p, n) in [
            (0, 0, 2),
            (1, 1, 1),
            (3, 3, 1),
            (4, 4, 1),
            (4, 9, 2),
            (7, 7, 1),
            (7, 1, 1),
            (9, 9, 2),
            (9, 4, 1),
        ] {
            expected[t * 10 + p] = n;
        }
        assert_eq!(m.counts, expected);
        assert_eq!(m.classes(), 10);
    }

    #[test]
    fn confusion_matrix_cells_sum_to_the_number_of_examples() {
        let m = known_matrix();
        assert_eq!(m.total(), 12);
        assert_eq!((0..10).map(|c| m.row_total(c)).sum::<usize>(), 12);
        assert_eq!((0..10).map(|c| m.column_total(c)).sum::<usize>(), 12);
        assert_eq!(m.accuracy(), Some(8.0 / 12.0));
    }

    #[test]
    fn precision_and_recall_by_hand() {
        let m = known_matrix();
        // Class 4: 3 examples, 1 read as 4 (recall 1/3); predicted as 4 twice, once rightly
        // (precision 1/2).
        assert_eq!(m.recall(4), Some(1.0 / 3.0));
        assert_eq!(m.precision(4), Some(0.5));
        // Class 9: 3 examples, 2 right (recall 2/3); predicted 4 times, twice rightly.
        assert_eq!(m.recall(9), Some(2.0 / 3.0));
        assert_eq!(m.precision(9), Some(0.5));
        // Class 1: predicted twice (once for a 7), its one example right.
        assert_eq!((m.precision(1), m.recall(1)), (Some(0.5), Some(1.0)));
        // Class 5: never seen, never predicted.
        assert_eq!((m.precision(5), m.recall(5)), (None, None));
        assert_eq!(m.row_fraction(4, 9), Some(2.0 / 3.0));
        assert_eq!(m.row_fraction(5, 5), None);
    }

    #[test]
    fn most_confused_pairs_are_largest_first_then_in_reading_order() {
        let pairs: Vec<(usize, usize, usize)> = known_matrix()
            .most_confused(5)
            .iter()
            .map(|p| (p.true_class, p.predicted, p.count))
            .collect();
        // 4→9 twice; then the ties at 1 in reading order: 7→1 (row 7) before 9→4 (row 9).
        assert_eq!(pairs, [(4, 9, 2), (7, 1, 1), (9, 4, 1)]);
        assert_eq!(known_matrix().most_confused(1).len(), 1);
    }

    #[test]
    fn any_number_of_classes_and_classes_out_of_range_are_left_out() {
        let m = ConfusionMatrix::new(3, [(0, 0), (2, 1), (3, 1), (1, 12), (2, 2)]);
        assert_eq!((m.classes(), m.total(), m.correct()), (3, 3, 2));
        assert_eq!(m.count(2, 1), 1);
        let one = ConfusionMatrix::new(1, [(0, 0), (0, 0)]);
        assert_eq!((one.total(), one.accuracy()), (2, Some(1.0)));
        assert_eq!(ConfusionMatrix::new(4, []).accuracy(), None);
    }

    #[test]
    fn ece_of_a_perfectly_calibrated_set_is_zero() {
        // 4 predictions at 0.75, 3 right; 5 at 0.4, 2 right.
        let mut outcomes = vec![(0.75, true), (0.75, true), (0.75, true), (0.75, false)];
        outcomes.extend([
            (0.4, true),
            (0.4, true),
            (0.4, false),
            (0.4, false),
            (0.4, false),
        ]);
        let calibration = Calibration::new(outcomes, 10);
        assert!(calibration.ece.abs() < 1e-12, "{}", calibration.ece);
        let bin = &calibration.bins[7];
        assert_eq!((bin.count, bin.lower, bin.upper), (4, 0.7, 0.8));
        assert!((bin.mean_confidence - 0.75).abs() < 1e-12);
        assert_eq!(bin.accuracy, 0.75);
    }

    #[test]
    fn ece_of_a_miscalibrated_set_equals_the_hand_computed_value() {
        // 5 at 0.9 with 4 right: accuracy 0.8, gap 0.1. 5 at 0.3 with 4 right: gap 0.5.
        // ECE = 5/10 * 0.1 + 5/10 * 0.5 = 0.3.
        let mut outcomes = vec![(0.9, true); 4];
        outcomes.push((0.9, false));
        outcomes.extend(vec![(0.3, true); 4]);
        outcomes.push((0.3, false));
        let calibration = Calibration::new(outcomes, 10);
        assert!((calibration.ece - 0.3).abs() < 1e-12, "{}", calibration.ece);
        let counts: Vec<usize> = calibration.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [0, 0, 0, 5, 0, 0, 0, 0, 0, 5]);
    }

    #[test]
    fn a_confidence_of_one_belongs_to_the_last_bin() {
        // One right at 1.0 (gap 0), one wrong at 0.55 (gap 0.55): ECE = 0.55 / 2.
        let calibration = Calibration::new([(1.0, true), (0.55, false)], 10);
        assert_eq!(
            (calibration.bins[9].count, calibration.bins[9].accuracy),
            (1, 1.0)
        );
        assert_eq!(
            (calibration.bins[5].count, calibration.bins[5].accuracy),
            (1, 0.0)
        );
        assert!(
            (calibration.ece - 0.275).abs() < 1e-12,
            "{}",
            calibration.ece
        );
    }

    #[test]
    fn non_finite_confidences_are_left_out() {
        let calibration = Calibration::new([(f64::NAN, true), (0.5, true)], 2);
        assert_eq!(calibration.bins.iter().map(|b| b.count).sum::<usize>(), 1);
        assert_eq!(histogram([f64::INFINITY, 0.2, 1.0, 1.5], 2), [1, 2]);
    }
}
