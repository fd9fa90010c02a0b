//! The pictures of a report: their files, their sizes, and how to read each one. The page
//! and the tests take these facts from here.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    LossCurves,
    BatchLoss,
    Accuracy,
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
    /// In the order the page shows them: is it learning, which learning rate, which digits,
    /// how sure, and what the first layer learned.
    pub const ALL: [Picture; 8] = [
        Picture::LossCurves,
        Picture::BatchLoss,
        Picture::Accuracy,
        Picture::ConfusionMatrix,
        Picture::ConfusionMatrixNormalized,
        Picture::Misclassified,
        Picture::Confidence,
        Picture::Weights,
    ];

    /// The pictures of a comparison of several runs, besides each run's own.
    pub const COMPARISON: [Picture; 2] = [Picture::CompareLossCurves, Picture::CompareAccuracy];

    pub fn file_name(self) -> &'static str {
        match self {
            Picture::LossCurves => "loss_curves.png",
            Picture::BatchLoss => "batch_loss.png",
            Picture::Accuracy => "accuracy.png",
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
