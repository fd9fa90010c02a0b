//! The pictures of a report: their files, their sizes, and how to read each one. The page
//! and the tests take these facts from here.

use nn_run::config::TrainConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    LossCurves,
    BatchLoss,
    Accuracy,
    Generalisation,
    LearningRate,
    Augmented,
    ConfusionMatrix,
    ConfusionMatrixNormalized,
    Misclassified,
    Confidence,
    Weights,
    /// The loss curves of several runs, for a comparison.
    CompareLossCurves,
    /// The accuracy curves of several runs, for a comparison.
    CompareAccuracy,
}

impl Picture {
    /// In the order the page shows them: is it learning, which learning rate, does it
    /// generalise (and what the run did about it), which digits, how sure, and what the first
    /// layer learned.
    pub const ALL: [Picture; 11] = [
        Picture::LossCurves,
        Picture::BatchLoss,
        Picture::Accuracy,
        Picture::Generalisation,
        Picture::LearningRate,
        Picture::Augmented,
        Picture::ConfusionMatrix,
        Picture::ConfusionMatrixNormalized,
        Picture::Misclassified,
        Picture::Confidence,
        Picture::Weights,
    ];

    /// The pictures of a comparison of several runs, besides each run's own.
    pub const COMPARISON: [Picture; 2] = [Picture::CompareLossCurves, Picture::CompareAccuracy];

    /// Whether a run made with `config` has this picture at all: the schedule only when the
    /// rate changes between epochs, the distortions only when it augments. The others always
    /// apply, and are reported as left out when their data is missing.
    pub fn applies(self, config: &TrainConfig) -> bool {
        match self {
            Picture::LearningRate => config.varies_learning_rate(),
            Picture::Augmented => !config.augmentation.is_none(),
            _ => true,
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Picture::LossCurves => "loss_curves.png",
            Picture::BatchLoss => "batch_loss.png",
            Picture::Accuracy => "accuracy.png",
            Picture::Generalisation => "generalisation.png",
            Picture::LearningRate => "learning_rate.png",
            Picture::Augmented => "augmented.png",
            Picture::ConfusionMatrix => "confusion_matrix.png",
            Picture::ConfusionMatrixNormalized => "confusion_matrix_normalized.png",
            Picture::Misclassified => "misclassified.png",
            Picture::Confidence => "confidence.png",
            Picture::Weights => "weights.png",
            Picture::CompareLossCurves => "compare_loss_curves.png",
            Picture::CompareAccuracy => "compare_accuracy.png",
        }
    }

    /// Width and height in pixels: wide pictures hold two panels side by side.
    pub fn size(self) -> (u32, u32) {
        match self {
            Picture::LossCurves | Picture::Accuracy | Picture::Confidence => (1600, 700),
            Picture::Generalisation => (1600, 760),
            Picture::LearningRate => (1200, 700),
            Picture::Augmented => (1100, 900),
            Picture::BatchLoss => (1600, 1000),
            Picture::ConfusionMatrix | Picture::ConfusionMatrixNormalized => (1100, 1000),
            Picture::Misclassified => (1300, 1050),
            Picture::Weights => (1100, 1200),
            // Room under the panels for the key of runs and learning rates.
            Picture::CompareLossCurves | Picture::CompareAccuracy => (1600, 860),
        }
    }

    /// The question the picture answers, as the page's heading for it.
    pub fn heading(self) -> &'static str {
        match self {
            Picture::LossCurves => "Is it converging? Loss per epoch",
            Picture::BatchLoss => "How noisy is each step? Loss per mini-batch",
            Picture::Accuracy => "Which learning rate is right? Accuracy per epoch",
            Picture::Generalisation => "Does it generalise? Training against validation",
            Picture::LearningRate => "The learning rate of each epoch",
            Picture::Augmented => "What the network trained on: distorted digits",
            Picture::ConfusionMatrix => "Which digits get confused? Confusion matrix",
            Picture::ConfusionMatrixNormalized => "Confusion matrix, each row in percent",
            Picture::Misclassified => "The most confidently wrong test digits",
            Picture::Confidence => "How sure is the network, and is that honest?",
            Picture::Weights => "What did the first layer learn?",
            Picture::CompareLossCurves => "Loss per epoch, every run side by side",
            Picture::CompareAccuracy => "Accuracy per epoch, every run side by side",
        }
    }

    /// Two sentences on how to read it; the longer reading is `docs/08-reading-the-report.md`.
    pub fn how_to_read(self) -> &'static str {
        match self {
            Picture::LossCurves => {
                "Training loss (left) and validation loss (right) after each epoch, one colour \
                 per learning rate, on a log scale so that every halving of the loss is the same \
                 height. A curve that keeps falling is still learning, a validation curve that \
                 turns up while the training curve falls is overfitting, and a cross marks the \
                 epoch in which a learning rate diverged."
            }
            Picture::BatchLoss => {
                "Each panel is one learning rate on the same axes: the faint line is the loss of \
                 every mini-batch, the dark line its moving average. The faint line's spread is \
                 mostly which images each batch holds, not the learning rate (on this log scale \
                 it looks widest where the loss is lowest), and a rate that is too large shoots \
                 up until it diverges (cross)."
            }
            Picture::Accuracy => {
                "Validation accuracy (left) and test accuracy (right) after each epoch, one colour \
                 per learning rate; a diverged learning rate is marked with a cross, on the \
                 bottom edge if its accuracy fell below the chart. The learning rate is chosen on \
                 validation, and the test curve then measures how the chosen one does on digits \
                 it has never seen."
            }
            Picture::Generalisation => {
                "The learning rate chosen on validation, its training (blue) and validation \
                 (orange) loss and accuracy on the same axes, the gap between them shaded; the \
                 dashed line marks the epoch chosen on validation. A gap that holds steady is a \
                 generalisation gap, the price of learning from a finite sample; a validation \
                 loss that turns up while the training loss keeps falling is overfitting, and \
                 regularisation (weight decay, dropout, augmentation) or early stopping is the \
                 cure."
            }
            Picture::LearningRate => {
                "The rate each epoch trained with, read from metrics.csv, one colour per base \
                 learning rate, on a log scale: a warm-up ramps it up at the start, and the \
                 schedule then lowers it, so that the last epochs take small steps that settle \
                 into a minimum instead of jumping across it."
            }
            Picture::Augmented => {
                "The first training images (left), each beside the distortions of it that the \
                 first epochs trained on, drawn with the run's own parameters and seed. Each \
                 is still clearly the same digit, which is the point: the network learns that \
                 rotation, size, slant and wobble do not change what a digit is."
            }
            Picture::ConfusionMatrix => {
                "Each row is a true digit and each column the network's answer, counted over the \
                 test images: the diagonal holds the correct answers and every other cell one \
                 kind of mistake. Darker cells hold more images, on a logarithmic shade so that \
                 small counts still show."
            }
            Picture::ConfusionMatrixNormalized => {
                "The same matrix with each row divided by the number of test images of that \
                 digit, in percent, so the diagonal is each digit's recall. It compares digits \
                 fairly even though the test set holds more of some digits than of others."
            }
            Picture::Misclassified => {
                "The test digits the network got wrong with the highest confidence, most \
                 confident first, each with its true label, the network's answer and the \
                 probability it gave that answer. Some are ambiguous or even mislabelled; the \
                 others show what the network has not learned yet."
            }
            Picture::Confidence => {
                "Left: the test predictions grouped by confidence (the probability of the chosen \
                 answer), each bar the accuracy within its group; an honest network's bars reach \
                 the diagonal, and the expected calibration error (ECE) above them is the \
                 average gap. Right: how confident the network was when it was right and when it \
                 was wrong, each as a share of its own group."
            }
            Picture::Weights => {
                "Each tile is one hidden unit's 784 input weights laid out as the 28x28 image \
                 they multiply: red pixels raise the unit's input where there is ink, blue ones \
                 lower it. Stroke-like patterns are what the first layer learned to detect; \
                 speckle near the borders is where MNIST has no ink, so those weights keep their \
                 random start."
            }
            Picture::CompareLossCurves => {
                "Training loss (left) and validation loss (right) of every learning rate of every \
                 run, on a log scale. The colour is the learning rate and the line and dot \
                 shapes are the run, as the key below the panels says, so the same rate in two \
                 runs is one colour in two shapes; a cross marks a divergence."
            }
            Picture::CompareAccuracy => {
                "Validation accuracy (left) and test accuracy (right) of every learning rate of \
                 every run, coloured by learning rate and shaped by run. Compare runs on the \
                 validation panel, as each run chose its learning rate there; the test panel \
                 says how the chosen ones do on digits none of them has seen."
            }
        }
    }
}
