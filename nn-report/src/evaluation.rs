//! The model the last pictures are about, the best checkpoint of the learning rate chosen on
//! validation, and what it does on the test images. The forward pass is nn-core's, run through
//! nn-train's evaluator; the images come through nn-train's loader.

use std::path::PathBuf;

use anyhow::{Context, Result};
use datasets::mnist::{self, Split};
use nn_core::Mlp;
use nn_run::checkpoint::Checkpoint;
use nn_run::eval::{Evaluator, Prediction};

use crate::metrics::{calibration, confusion};
use crate::run_data::RunData;
use nn_core::metrics::{Calibration, ConfusionMatrix};

/// Bins of the reliability diagram: ten, as in the course (and most papers).
/// See `docs/08-reading-the-report.md`.
pub const CALIBRATION_BINS: usize = 10;

/// Where the test images come from: MNIST on disk, or a split already in memory (tests use
/// small synthetic ones).
pub enum TestSet {
    Files(PathBuf),
    Loaded(Split),
}

impl TestSet {
    pub fn load(self) -> Result<Split> {
        match self {
            TestSet::Loaded(split) => Ok(split),
            TestSet::Files(dir) => {
                let data = mnist::load(&dir).with_context(|| {
                    format!(
                        "cannot load the MNIST test images from {0}; get them with \
                         `cargo run --release -p nn-train -- fetch --data-dir {0}`, or pass \
                         --data-dir",
                        dir.display()
                    )
                })?;
                Ok(data.test)
            }
        }
    }
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
    pub fn load(data: &RunData) -> Result<BestModel, String> {
        let best = data.best().ok_or(
            "no learning rate has finished an epoch without diverging, so there is no model yet",
        )?;
        let path = data.run.best_checkpoint_path(best.lr);
        if !path.exists() {
            return Err(format!(
                "the best learning rate is {}, but {} does not exist yet",
                best.lr,
                path.display()
            ));
        }
        let checkpoint = Checkpoint::load_expecting(&path, &data.config.layer_sizes())
            .map_err(|e| e.to_string())?;
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
