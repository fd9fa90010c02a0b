//! The model the last pictures are about, the best checkpoint of the learning rate chosen on
//! validation, and what it does on the test images. The forward pass is nn-core's, run through
//! nn-train's evaluator; the images come through nn-train's loader.

use std::path::PathBuf;

use datasets::mnist::{self, DataError, Split};
use nn_core::Mlp;
use nn_run::checkpoint::{Checkpoint, CheckpointError};
use nn_run::eval::{Evaluator, Prediction};
use thiserror::Error;

use crate::metrics::{calibration, confusion};
use crate::run_data::RunData;
use nn_core::metrics::{Calibration, ConfusionMatrix};

/// Bins of the reliability diagram: ten, as in the course (and most papers).
/// See `docs/08-reading-the-report.md`.
pub const CALIBRATION_BINS: usize = 10;

/// Where the test images come from: MNIST on disk, or a split already in memory (tests use
/// small synthetic ones, which also stand for the training images).
#[derive(Clone)]
pub enum TestSet {
    Files(PathBuf),
    Loaded(Split),
    /// MNIST read once for several reports: the test images and the first training images.
    Read {
        test: Split,
        training: Split,
    },
}

impl TestSet {
    /// The images; a folder that cannot be loaded is an error that says how to fetch MNIST
    /// into it.
    pub fn load(self) -> Result<Split, DataError> {
        match self {
            TestSet::Loaded(split) | TestSet::Read { test: split, .. } => Ok(split),
            TestSet::Files(dir) => Ok(mnist::load(&dir)?.test),
        }
    }

    /// The first `n` training images (the start of every run's training split), for the
    /// picture of their distortions.
    pub fn training_images(&self, n: usize) -> Result<Split, DataError> {
        match self {
            TestSet::Loaded(split)
            | TestSet::Read {
                training: split, ..
            } => Ok(split.clone().take_first(n)),
            TestSet::Files(dir) => Ok(mnist::load(dir)?.train.take_first(n)),
        }
    }

    /// The same images, read now if they are on disk, so that several reports share one
    /// read. A folder that cannot be read is left to say so in each report.
    pub fn read_once(self) -> TestSet {
        match self {
            TestSet::Files(dir) => match mnist::load(&dir) {
                Ok(data) => TestSet::Read {
                    test: data.test,
                    training: data.train.take_first(crate::plots::augmented::EXAMPLES),
                },
                Err(_) => TestSet::Files(dir),
            },
            loaded => loaded,
        }
    }
}

/// Why a run has no model to show yet.
#[derive(Debug, Error)]
pub enum NoModel {
    #[error("no learning rate has finished an epoch without diverging, so there is no model yet")]
    NotTrained,
    #[error("the best learning rate is {lr}, but {} does not exist yet", .path.display())]
    NoCheckpoint { lr: f32, path: PathBuf },
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// The best learning rate's best checkpoint.
pub struct BestModel {
    pub lr: f32,
    pub epoch: usize,
    pub model: Mlp,
}

impl BestModel {
    /// Loads the best checkpoint of the learning rate chosen on validation, the model the test
    /// pictures are about (`docs/08-reading-the-report.md`). `Err` says, in a sentence, why there
    /// is no model to show yet.
    pub fn load(data: &RunData) -> Result<BestModel, NoModel> {
        let best = data.best().ok_or(NoModel::NotTrained)?;
        let path = data.run.best_checkpoint_path(best.lr);
        if !path.exists() {
            return Err(NoModel::NoCheckpoint { lr: best.lr, path });
        }
        let checkpoint = Checkpoint::load_expecting(&path, &data.config.layer_sizes())?;
        Ok(BestModel {
            lr: best.lr,
            epoch: checkpoint.epoch,
            model: checkpoint.model,
        })
    }

    /// `lr 0.5, epoch 10`
    pub fn describe(&self) -> String {
        format!("lr {}, epoch {}", self.lr, self.epoch)
    }
}

/// Every test image's prediction, and the numbers made from them.
pub struct TestResults {
    pub images: Split,
    pub predictions: Vec<Prediction>,
    pub confusion: ConfusionMatrix,
    pub calibration: Calibration,
}

impl TestResults {
    pub fn measure(best: &BestModel, images: Split) -> TestResults {
        let predictions = Evaluator::default().predict(&best.model, &images);
        TestResults {
            confusion: confusion(&predictions),
            calibration: calibration(&predictions, CALIBRATION_BINS),
            images,
            predictions,
        }
    }
}
