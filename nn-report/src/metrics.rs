//! The numbers behind the pictures that are about this report's own data: the test
//! predictions turned into nn-core's confusion matrix and calibration, the most confident
//! mistakes and the moving average. Everything drawn is computed (and tested) here or in
//! `nn_core::metrics` first, apart from the drawing. What each number means:
//! `docs/08-reading-the-report.md`.

use datasets::mnist::CLASSES;
use nn_core::metrics::{Calibration, ConfusionMatrix};
use nn_run::eval::Prediction;

/// How often each true digit was predicted as each digit, over the test predictions.
/// See `docs/08-reading-the-report.md`.
pub fn confusion(predictions: &[Prediction]) -> ConfusionMatrix {
    ConfusionMatrix::new(CLASSES, predictions.iter().map(|p| (p.label, p.predicted)))
}

/// The reliability bins and ECE of the test predictions: each one's [`confidence`] and
/// whether it was right. See `docs/08-reading-the-report.md`.
pub fn calibration(predictions: &[Prediction], bins: usize) -> Calibration {
    Calibration::new(
        predictions
            .iter()
            .map(|p| (confidence(p), p.label == p.predicted)),
        bins,
    )
}

/// The probability the network gave its own answer. See `docs/08-reading-the-report.md`.
pub fn confidence(prediction: &Prediction) -> f64 {
    f64::from(prediction.probabilities[prediction.predicted])
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

    #[test]
    fn confusion_of_predictions_uses_label_and_prediction() {
        let predictions = [prediction(4, 9, 0.9), prediction(4, 4, 0.6)];
        let m = confusion(&predictions);
        assert_eq!(m.classes(), CLASSES);
        assert_eq!((m.count(4, 9), m.count(4, 4), m.total()), (1, 1, 2));
    }

    #[test]
    fn calibration_of_predictions_uses_the_top_probability_and_the_outcome() {
        let predictions = [prediction(3, 3, 1.0), prediction(3, 5, 0.55)];
        let expected = Calibration::new([(1.0, true), (f64::from(0.55f32), false)], 10);
        assert_eq!(calibration(&predictions, 10), expected);
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
