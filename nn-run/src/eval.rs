//! Measuring a network on a whole split: mean loss, accuracy, and every prediction; and a
//! checkpoint measured on one (`nn-train eval`).

use std::path::{Path, PathBuf};

use nn_core::metrics::count_correct;
use nn_core::softmax::argmax;
use nn_core::{Activations, Matrix, Mlp};
use thiserror::Error;

use datasets::mnist::{CLASSES, Split};

use crate::checkpoint::Checkpoint;

/// Examples per forward pass when measuring: large batches keep the products efficient, and
/// the result does not depend on it (each example's loss is its own).
const EVAL_BATCH: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction classified correctly.
    pub accuracy: f64,
}

/// One example's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub label: usize,
    pub predicted: usize,
    pub probabilities: [f32; CLASSES],
}

/// Reusable buffers for measuring, kept apart from the training step's.
#[derive(Default)]
pub struct Evaluator {
    x: Matrix,
    labels: Vec<usize>,
    acts: Activations,
}

impl Evaluator {
    /// Mean loss and accuracy over `split`, as `metrics.csv` records them after every epoch
    /// (`docs/06-sgd-and-learning-rate.md`).
    pub fn evaluate(&mut self, model: &Mlp, split: &Split) -> Evaluation {
        assert!(!split.is_empty(), "cannot evaluate on an empty split");
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        self.for_each_batch(model, split, |labels, acts, loss| {
            loss_sum += f64::from(loss) * labels.len() as f64;
            correct += count_correct(acts.logits(), labels);
        });
        Evaluation {
            loss: loss_sum / split.len() as f64,
            accuracy: correct as f64 / split.len() as f64,
        }
    }

    /// The label, the predicted class and the softmax probabilities of every example: what
    /// `nn-report`'s confusion matrix and calibration are made of
    /// (`docs/08-reading-the-report.md`).
    pub fn predict(&mut self, model: &Mlp, split: &Split) -> Vec<Prediction> {
        let mut predictions = Vec::with_capacity(split.len());
        self.for_each_batch(model, split, |labels, acts, _| {
            let probs = acts.probabilities();
            for (r, &label) in labels.iter().enumerate() {
                let row = probs.row(r);
                predictions.push(Prediction {
                    label,
                    predicted: argmax(row),
                    probabilities: row.try_into().expect("one probability per class"),
                });
            }
        });
        predictions
    }

    /// Runs the forward pass with the loss over `split` in order, one batch at a time.
    fn for_each_batch(
        &mut self,
        model: &Mlp,
        split: &Split,
        mut visit: impl FnMut(&[usize], &Activations, f32),
    ) {
        let indices: Vec<usize> = (0..split.len()).collect();
        for batch in indices.chunks(EVAL_BATCH) {
            split.gather_batch(batch, &mut self.x, &mut self.labels);
            let loss = model.forward_loss(&self.x, &self.labels, &mut self.acts);
            visit(&self.labels, &self.acts, loss);
        }
    }
}

/// Why a checkpoint cannot be measured on MNIST.
#[derive(Debug, Error)]
pub enum EvalError {
    #[error("cannot measure {path} on an empty {split} set")]
    EmptySplit { path: PathBuf, split: String },
}

/// Measures the checkpoint read from `path` on `split` (called `split_name` in the output):
/// the `eval` command. Two lines: what the checkpoint is, and its loss and accuracy. The
/// checkpoint reads MNIST: load it with [`Checkpoint::load_mnist_classifier`].
pub fn evaluate_checkpoint(
    path: &Path,
    checkpoint: &Checkpoint,
    split: &Split,
    split_name: &str,
) -> Result<String, EvalError> {
    if split.is_empty() {
        return Err(EvalError::EmptySplit {
            path: path.into(),
            split: split_name.into(),
        });
    }
    let result = Evaluator::default().evaluate(&checkpoint.model, split);
    let correct = (result.accuracy * split.len() as f64).round();
    Ok(format!(
        "{}: {}\n{split_name} loss {:.4}, accuracy {:.2}% ({correct}/{})",
        path.display(),
        checkpoint.summary(),
        result.loss,
        100.0 * result.accuracy,
        split.len()
    ))
}
