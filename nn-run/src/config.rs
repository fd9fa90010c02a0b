//! What a run is: the network, the data, the learning rates and every other setting that
//! changes its numbers. Stored in the run directory's `config.json` (beside the run's name,
//! see `RunConfig` in `run_dir.rs`) and inside every checkpoint, so a run can be reproduced or
//! resumed from either.
//! See `docs/appendix-b-runs-and-checkpoints.md`.

use serde::{Deserialize, Serialize};

use datasets::augment::Augmentation;
use datasets::mnist::{CLASSES, IMAGE_PIXELS};
use nn_core::schedule::LrSchedule;

/// The fields after `val_size` came with regularisation and schedules
/// (`docs/09-overfitting-and-regularisation.md`); a `config.json` written before them reads as
/// a run without them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Hidden layer widths: `[128]` is the network 784-128-10.
    pub hidden: Vec<usize>,
    /// One training run per learning rate, one after another.
    pub learning_rates: Vec<f32>,
    pub epochs: usize,
    pub batch_size: usize,
    /// Seeds the initial weights (the same for every learning rate) and each epoch's shuffle.
    pub seed: u64,
    pub momentum: f32,
    pub weight_decay: f32,
    /// Train on the first N training images only (after the validation hold-out).
    pub train_limit: Option<usize>,
    /// The last `val_size` of the 60,000 training images are held out for validation.
    pub val_size: usize,
    /// Dropout rate of the hidden layers while training, in [0, 1); 0 is none.
    #[serde(default)]
    pub dropout: f32,
    /// Random distortions of the training images, a fresh draw every epoch.
    #[serde(default)]
    pub augmentation: Augmentation,
    /// How each epoch's learning rate follows from the base rate.
    #[serde(default)]
    pub lr_schedule: LrSchedule,
    /// Epochs at the start over which the learning rate ramps up linearly.
    #[serde(default)]
    pub warmup_epochs: usize,
    /// Early stopping: a learning rate stops after this many epochs without a better
    /// validation accuracy. `None` trains every epoch.
    #[serde(default)]
    pub patience: Option<usize>,
}

impl Default for TrainConfig {
    /// The default sweep: 784-128-10, plain SGD, batch 64, 10 epochs, and learning rates from
    /// too small (0.005 crawls) through good (0.05 to 0.5) to too large (1 oscillates) and far
    /// too large (5 diverges).
    /// What a run of it shows: `docs/06-sgd-and-learning-rate.md`.
    fn default() -> TrainConfig {
        TrainConfig {
            hidden: vec![128],
            learning_rates: vec![0.005, 0.05, 0.1, 0.5, 1.0, 5.0],
            epochs: 10,
            batch_size: 64,
            seed: 42,
            momentum: 0.0,
            weight_decay: 0.0,
            train_limit: None,
            val_size: 10_000,
            dropout: 0.0,
            augmentation: Augmentation::default(),
            lr_schedule: LrSchedule::Constant,
            warmup_epochs: 0,
            patience: None,
        }
    }
}

impl TrainConfig {
    /// Layer widths from input to output: `[784, 128, 10]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![IMAGE_PIXELS];
        sizes.extend(&self.hidden);
        sizes.push(CLASSES);
        sizes
    }

    /// `784-128-10`
    pub fn architecture(&self) -> String {
        architecture(&self.layer_sizes())
    }

    /// Whether the learning rate changes from epoch to epoch: a schedule or a warm-up.
    pub fn varies_learning_rate(&self) -> bool {
        self.lr_schedule != LrSchedule::Constant || self.warmup_epochs > 0
    }

    /// The learning rate epoch `epoch` (from 1) trains with at base rate `base`.
    /// See `docs/09-overfitting-and-regularisation.md`.
    pub fn learning_rate(&self, base: f32, epoch: usize) -> f32 {
        self.lr_schedule
            .learning_rate(base, epoch, self.epochs, self.warmup_epochs)
    }
}

/// Layer widths as people write them: `784-128-10`.
pub fn architecture(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("-")
}
