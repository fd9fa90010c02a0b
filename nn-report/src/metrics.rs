//! The numbers behind the pictures, as plain functions: confusion counts, precision and recall,
//! the most confused pairs, calibration, the most confident mistakes and the moving average.
//! Everything drawn is computed (and tested) here first, apart from the drawing. What each
//! number means: `docs/08-reading-the-report.md`.

use datasets::mnist::CLASSES;
use nn_run::eval::Prediction;

/// How often each true digit was predicted as each digit. See `docs/08-reading-the-report.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// `counts[true_digit][predicted]`.
    counts: [[usize; CLASSES]; CLASSES],
}

/// One off-diagonal cell of the confusion matrix: `count` images of `true_digit` were read as
/// `predicted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfusedPair {
    pub true_digit: usize,
    pub predicted: usize,
    pub count: usize,
}

impl ConfusionMatrix {
    /// From `(true digit, predicted digit)` pairs. Pairs naming a class outside 0..10 are
    /// ignored: they cannot come from a 10-class network.
    pub fn new(pairs: impl IntoIterator<Item = (usize, usize)>) -> ConfusionMatrix {
        let mut counts = [[0; CLASSES]; CLASSES];
        for (truth, predicted) in pairs {
            if truth < CLASSES && predicted < CLASSES {
                counts[truth][predicted] += 1;
            }
        }
        ConfusionMatrix { counts }
    }

    pub fn from_predictions(predictions: &[Prediction]) -> ConfusionMatrix {
        ConfusionMatrix::new(predictions.iter().map(|p| (p.label, p.predicted)))
    }

    pub fn count(&self, true_digit: usize, predicted: usize) -> usize {
        self.counts[true_digit][predicted]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// How many images of `true_digit` there are.
    pub fn row_total(&self, true_digit: usize) -> usize {
        self.counts[true_digit].iter().sum()
    }

    /// How many images were predicted as `predicted`.
    pub fn column_total(&self, predicted: usize) -> usize {
        self.counts.iter().map(|row| row[predicted]).sum()
    }

    /// How many were classified correctly: the diagonal.
    pub fn correct(&self) -> usize {
        (0..CLASSES).map(|d| self.counts[d][d]).sum()
    }

    /// The fraction classified correctly; `None` without examples.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct(), self.total())
    }

    /// The share of `true_digit`'s images predicted as `predicted`; `None` for a digit with no
    /// images.
    pub fn row_fraction(&self, true_digit: usize, predicted: usize) -> Option<f64> {
        ratio(
            self.count(true_digit, predicted),
            self.row_total(true_digit),
        )
    }

    /// Of the images predicted as `digit`, the fraction that really are `digit`; `None` if the
    /// network never predicted it. See `docs/08-reading-the-report.md`.
    pub fn precision(&self, digit: usize) -> Option<f64> {
        ratio(self.count(digit, digit), self.column_total(digit))
    }

    /// Of the images of `digit`, the fraction predicted as `digit`; `None` if there are none.
    /// See `docs/08-reading-the-report.md`.
    pub fn recall(&self, digit: usize) -> Option<f64> {
        ratio(self.count(digit, digit), self.row_total(digit))
    }

    /// The `n` largest off-diagonal cells, largest first. Ties are listed in reading order of
    /// the matrix: by true digit, then by predicted digit. Cells with no images are left out,
    /// so fewer than `n` may come back. See `docs/08-reading-the-report.md`.
    pub fn most_confused(&self, n: usize) -> Vec<ConfusedPair> {
        let mut pairs: Vec<ConfusedPair> = (0..CLASSES)
            .flat_map(|t| (0..CLASSES).map(move |p| (t, p)))
            .filter(|&(t, p)| t != p && self.counts[t][p] > 0)
            .map(|(t, p)| ConfusedPair {
                true_digit: t,
                predicted: p,
                count: self.counts[t][p],
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
    /// Expected calibration error: the gap between accuracy and confidence in each bin,
    /// weighted by the share of predictions in it. 0 when confidence is honest.
    pub ece: f64,
}

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
    /// right. Confidences that are not finite numbers are left out. The ECE's formula:
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

    /// From the test predictions: each one's [`confidence`] and whether it was right.
    /// See `docs/08-reading-the-report.md`.
    pub fn from_predictions(predictions: &[Prediction], bins: usize) -> Calibration {
        Calibration::new(
            predictions
                .iter()
                .map(|p| (confidence(p), p.label == p.predicted)),
            bins,
        )
    }
}

/// The probability the network gave its own answer. See `docs/08-reading-the-report.md`.
pub fn confidence(prediction: &Prediction) -> f64 {
    f64::from(prediction.probabilities[prediction.predicted])
}

/// How many `values` fall in each of `bins` equal-width bins over [0, 1]; values that are not
/// finite are left out, values outside [0, 1] go to the nearest end bin.
pub fn histogram(values: impl IntoIterator<Item = f64>, bins: usize) -> Vec<usize> {
    let bins = bins.max(1);
    let mut counts = vec![0; bins];
    for v in values.into_iter().filter(|v| v.is_finite()) {
        counts[bin_index(v, bins)] += 1;
    }
    counts
}

/// Bin `b` holds [b/bins, (b+1)/bins); 1.0 itself belongs to the last bin.
fn bin_index(value: f64, bins: usize) -> usize {
    ((value.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1)
}

/// The indices of the `n` wrong predictions made with the highest confidence, most confident
/// first (ties in the order of the test set). See `docs/08-reading-the-report.md`.
pub fn most_confident_mistakes(predictions: &[Prediction], n: usize) -> Vec<usize> {
    let mut wrong: Vec<usize> = (0..predictions.len())
        .filter(|&i| predictions[i].label != predictions[i].predicted)
        .collect();
    wrong.sort_by(|&a, &b| confidence(&predictions[b]).total_cmp(&confidence(&predictions[a])));
    wrong.truncate(n);
    wrong
}

/// The mean of each value and the `window - 1` before it (fewer at the start), so the curve
/// starts where the data starts and never looks ahead. See `docs/08-reading-the-report.md`.
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut sum = 0.0;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            sum += v;
            if i >= window {
                sum -= values[i - window];
            }
            sum / (i + 1).min(window) as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(label: usize, predicted: usize, confidence: f32) -> Prediction {
        let mut probabilities = [(1.0 - confidence) / (CLASSES - 1) as f32; CLASSES];
        probabilities[predicted] = confidence;
        Prediction {
            label,
            predicted,
            probabilities,
        }
    }

    /// 12 examples: eight right, 4 read as 9 twice, 7 read as 1 once, 9 read as 4 once.
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
        ConfusionMatrix::new(pairs)
    }

    #[test]
    fn confusion_matrix_counts_each_true_and_predicted_pair() {
        let m = known_matrix();
        let mut expected = [[0; CLASSES]; CLASSES];
        expected[0][0] = 2;
        expected[1][1] = 1;
        expected[3][3] = 1;
        expected[4][4] = 1;
        expected[4][9] = 2;
        expected[7][7] = 1;
        expected[7][1] = 1;
        expected[9][9] = 2;
        expected[9][4] = 1;
        assert_eq!(m.counts, expected);
    }

    #[test]
    fn confusion_matrix_cells_sum_to_the_number_of_examples() {
        let m = known_matrix();
        assert_eq!(m.total(), 12);
        assert_eq!((0..CLASSES).map(|d| m.row_total(d)).sum::<usize>(), 12);
        assert_eq!((0..CLASSES).map(|d| m.column_total(d)).sum::<usize>(), 12);
        assert_eq!(m.accuracy(), Some(8.0 / 12.0));
    }

    #[test]
    fn confusion_matrix_from_predictions_uses_label_and_prediction() {
        let predictions = [prediction(4, 9, 0.9), prediction(4, 4, 0.6)];
        let m = ConfusionMatrix::from_predictions(&predictions);
        assert_eq!((m.count(4, 9), m.count(4, 4), m.total()), (1, 1, 2));
    }

    #[test]
    fn precision_and_recall_by_hand() {
        let m = known_matrix();
        // Digit 4: 3 images, 1 read as 4 (recall 1/3); predicted as 4 twice, once rightly
        // (precision 1/2).
        assert_eq!(m.recall(4), Some(1.0 / 3.0));
        assert_eq!(m.precision(4), Some(0.5));
        // Digit 9: 3 images, 2 right (recall 2/3); predicted 4 times, twice rightly.
        assert_eq!(m.recall(9), Some(2.0 / 3.0));
        assert_eq!(m.precision(9), Some(0.5));
        // Digit 1: predicted twice (once for a 7), its one image right.
        assert_eq!((m.precision(1), m.recall(1)), (Some(0.5), Some(1.0)));
        // Digit 5: never seen, never predicted.
        assert_eq!((m.precision(5), m.recall(5)), (None, None));
        assert_eq!(m.row_fraction(4, 9), Some(2.0 / 3.0));
        assert_eq!(m.row_fraction(5, 5), None);
    }

    #[test]
    fn most_confused_pairs_are_largest_first_then_in_reading_order() {
        let pairs: Vec<(usize, usize, usize)> = known_matrix()
            .most_confused(5)
            .iter()
            .map(|p| (p.true_digit, p.predicted, p.count))
            .collect();
        // 4→9 twice; then the ties at 1 in reading order: 7→1 (row 7) before 9→4 (row 9).
        assert_eq!(pairs, [(4, 9, 2), (7, 1, 1), (9, 4, 1)]);
        assert_eq!(known_matrix().most_confused(1).len(), 1);
    }

    #[test]
    fn classes_out_of_range_are_ignored() {
        let m = ConfusionMatrix::new([(0, 0), (10, 1), (1, 12)]);
        assert_eq!(m.total(), 1);
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
    fn calibration_of_predictions_uses_the_top_probability() {
        let predictions = [prediction(3, 3, 1.0), prediction(3, 5, 0.55)];
        let calibration = Calibration::from_predictions(&predictions, 10);
        // A confidence of exactly 1 belongs to the last bin.
        assert_eq!(
            (calibration.bins[9].count, calibration.bins[9].accuracy),
            (1, 1.0)
        );
        assert_eq!(
            (calibration.bins[5].count, calibration.bins[5].accuracy),
            (1, 0.0)
        );
        assert!(
            (calibration.ece - 0.275).abs() < 1e-6,
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

    #[test]
    fn most_confident_mistakes_come_first() {
        let predictions = [
            prediction(1, 1, 0.99),
            prediction(2, 7, 0.6),
            prediction(4, 9, 0.95),
            prediction(5, 3, 0.6),
        ];
        assert_eq!(most_confident_mistakes(&predictions, 10), [2, 1, 3]);
        assert_eq!(most_confident_mistakes(&predictions, 1), [2]);
    }

    #[test]
    fn moving_average_is_trailing_and_starts_with_the_data() {
        assert_eq!(
            moving_average(&[1.0, 2.0, 3.0, 4.0], 2),
            [1.0, 1.5, 2.5, 3.5]
        );
        assert_eq!(moving_average(&[2.0, 4.0], 5), [2.0, 3.0]);
        assert_eq!(moving_average(&[3.0], 0), [3.0]);
        assert!(moving_average(&[], 3).is_empty());
    }
}
