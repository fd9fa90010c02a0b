//! The run directory: everything a training run leaves behind, and the one place that knows
//! its layout. `nn-train` writes it; `nn-report` reads it through these functions (what it
//! draws from them: `docs/08-reading-the-report.md`).
//!
//! ```text
//! runs/<timestamp>/
//!   config.json                   TrainConfig: everything needed to reproduce the run
//!   summary.json                  one LrSummary per learning rate, rewritten after every epoch
//!   lr-0.1/
//!     metrics.csv                 one EpochMetrics row per epoch
//!     batches.csv                 one BatchLoss row per SGD step
//!     checkpoints/epoch-001.ckpt  the model after each epoch
//!     best.ckpt                   the epoch with the best validation accuracy
//!     last.ckpt                   the latest epoch: what --resume continues from
//! ```
//!
//! Every file is written whole to a temporary name and renamed into place, so a reader (or a
//! run killed at any moment) only ever sees complete files.
//! See `docs/appendix-b-runs-and-checkpoints.md`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::atomic::write_atomically;
use crate::config::TrainConfig;

/// One row of `metrics.csv`: the state of the network after an epoch. The default run's rows
/// are read in `docs/06-sgd-and-learning-rate.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    /// Mean loss and accuracy over the epoch's batches, measured while the weights changed.
    pub train_loss: f64,
    pub train_accuracy: f64,
    /// Measured after the epoch; empty when the run holds out no validation set.
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    pub test_loss: f64,
    pub test_accuracy: f64,
    /// Wall time of the epoch's training steps (shuffle, batches, forward, backward, update).
    pub seconds: f64,
    /// The loss left the finite range during this epoch; training at this rate stopped.
    pub diverged: bool,
}

/// One row of `batches.csv`: the loss of one mini-batch, before its update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchLoss {
    pub step: u64,
    pub epoch: usize,
    pub loss: f32,
}

/// One learning rate's outcome, as `summary.json` holds it. Accuracies are fractions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LrSummary {
    pub lr: f32,
    pub diverged: bool,
    /// The epoch in which the loss diverged.
    pub diverged_at_epoch: Option<usize>,
    /// Epochs finished without diverging.
    pub epochs_completed: usize,
    /// The epoch with the best validation accuracy (the last one when there is no validation
    /// set), and the accuracies then.
    pub best_epoch: Option<usize>,
    pub best_val_accuracy: Option<f64>,
    pub test_accuracy: Option<f64>,
    /// After the last epoch finished without diverging.
    pub final_test_accuracy: Option<f64>,
    pub final_train_loss: Option<f64>,
    pub train_seconds: f64,
}

impl LrSummary {
    /// Summarises one learning rate's rows: the best epoch is chosen on validation accuracy,
    /// never on test (`docs/07-data-and-validation.md`).
    pub fn from_metrics(lr: f32, metrics: &[EpochMetrics]) -> LrSummary {
        let completed: Vec<&EpochMetrics> = metrics.iter().filter(|m| !m.diverged).collect();
        let diverged_at = metrics.iter().find(|m| m.diverged).map(|m| m.epoch);
        // Validation accuracy decides; ties go to the earlier epoch. Without a validation
        // set there is nothing to choose with but time, so the last epoch is "best".
        let best = completed
            .iter()
            .copied()
            .fold(None::<&EpochMetrics>, |best, m| {
                match (best, m.val_accuracy) {
                    (Some(b), Some(acc)) if b.val_accuracy.is_some_and(|b_acc| b_acc >= acc) => {
                        Some(b)
                    }
                    _ => Some(m),
                }
            });
        let last = completed.last();
        LrSummary {
            lr,
            diverged: diverged_at.is_some(),
            diverged_at_epoch: diverged_at,
            epochs_completed: completed.len(),
            best_epoch: best.map(|m| m.epoch),
            best_val_accuracy: best.and_then(|m| m.val_accuracy),
            test_accuracy: best.map(|m| m.test_accuracy),
            final_test_accuracy: last.map(|m| m.test_accuracy),
            final_train_loss: last.map(|m| m.train_loss),
            train_seconds: metrics.iter().map(|m| m.seconds).sum(),
        }
    }
}

/// `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub learning_rates: Vec<LrSummary>,
}

impl Summary {
    /// The learning rate with the best validation accuracy: chosen on validation, never on
    /// test, which would make the test accuracy an optimistic guess instead of a measurement.
    /// See `docs/07-data-and-validation.md`.
    pub fn best(&self) -> Option<&LrSummary> {
        self.learning_rates
            .iter()
            .filter(|s| s.best_epoch.is_some())
            .max_by(|a, b| {
                a.best_val_accuracy
                    .partial_cmp(&b.best_val_accuracy)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }
}

/// A run directory on disk.
#[derive(Clone, Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// A new run directory; `config.json` is written at once, so from then on the folder is
    /// recognisably a run.
    pub fn create(path: &Path, config: &TrainConfig) -> Result<RunDir> {
        if path.join("config.json").exists() {
            bail!(
                "{} already holds a run; continue it with --resume {0}, or choose another --out",
                path.display()
            );
        }
        fs::create_dir_all(path)
            .with_context(|| format!("cannot create the run directory {}", path.display()))?;
        let run = RunDir {
            path: path.to_path_buf(),
        };
        run.write_config(config)?;
        Ok(run)
    }

    /// An existing run directory: one holding a `config.json`.
    pub fn open(path: &Path) -> Result<RunDir> {
        if !path.is_dir() {
            bail!("{} is not a directory", path.display());
        }
        if !path.join("config.json").is_file() {
            bail!(
                "{} is not a run directory (it has no config.json)",
                path.display()
            );
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// The newest run under `runs_dir` (run folders are named by their UTC start time).
    pub fn latest(runs_dir: &Path) -> Result<RunDir> {
        match runs_newest_first(runs_dir)?.into_iter().next() {
            Some(path) => Ok(RunDir { path }),
            None => bail!(
                "{} holds no runs; train first with `cargo run --release -p nn-train`",
                runs_dir.display()
            ),
        }
    }

    /// The checkpoint to use when none is named (`nn-train predict`, `nn-play`): the best
    /// epoch of the best learning rate (both chosen on validation) of the newest run under
    /// `runs_dir` that has finished an epoch. A run still in its first epoch has no checkpoint
    /// yet, so an older one is taken; the returned [`BestCheckpoint`] says which.
    pub fn newest_best_checkpoint(runs_dir: &Path) -> Result<BestCheckpoint> {
        for path in runs_newest_first(runs_dir)? {
            let run = RunDir { path };
            if !run.summary_path().is_file() {
                continue;
            }
            let summary = run.read_summary()?;
            let Some((best, epoch)) = summary.best().and_then(|b| Some((b, b.best_epoch?))) else {
                continue;
            };
            let checkpoint = run.best_checkpoint_path(best.lr);
            if checkpoint.is_file() {
                return Ok(BestCheckpoint {
                    path: checkpoint,
                    learning_rate: best.lr,
                    epoch,
                    run: run.path,
                });
            }
        }
        bail!(
            "no run under {} has a checkpoint yet; train one with `cargo run --release -p nn-train`, or name a checkpoint with --checkpoint FILE",
            runs_dir.display()
        )
    }

    /// Where runs go by default: `runs/` in the workspace, whatever the current directory is
    /// when `cargo run` starts.
    pub fn default_parent() -> PathBuf {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
        workspace
            .expect("nn-run sits in the workspace")
            .join("runs")
    }

    /// A fresh folder name under `parent` for a run starting now, e.g. `2026-11-27T21-40-05Z`.
    pub fn fresh_path(parent: &Path) -> PathBuf {
        let stamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H-%M-%SZ")
            .to_string();
        let mut path = parent.join(&stamp);
        let mut n = 2;
        while path.exists() {
            path = parent.join(format!("{stamp}-{n}"));
            n += 1;
        }
        path
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn config_path(&self) -> PathBuf {
        self.path.join("config.json")
    }

    pub fn summary_path(&self) -> PathBuf {
        self.path.join("summary.json")
    }

    pub fn lr_dir(&self, lr: f32) -> PathBuf {
        self.path.join(TrainConfig::lr_dir_name(lr))
    }

    pub fn metrics_path(&self, lr: f32) -> PathBuf {
        self.lr_dir(lr).join("metrics.csv")
    }

    pub fn batches_path(&self, lr: f32) -> PathBuf {
        self.lr_dir(lr).join("batches.csv")
    }

    pub fn epoch_checkpoint_path(&self, lr: f32, epoch: usize) -> PathBuf {
        self.lr_dir(lr)
            .join("checkpoints")
            .join(format!("epoch-{epoch:03}.ckpt"))
    }

    pub fn best_checkpoint_path(&self, lr: f32) -> PathBuf {
        self.lr_dir(lr).join("best.ckpt")
    }

    pub fn last_checkpoint_path(&self, lr: f32) -> PathBuf {
        self.lr_dir(lr).join("last.ckpt")
    }

    pub fn report_dir(&self) -> PathBuf {
        self.path.join("report")
    }

    pub fn read_config(&self) -> Result<TrainConfig> {
        read_json(&self.config_path())
    }

    pub fn write_config(&self, config: &TrainConfig) -> Result<()> {
        write_json(&self.config_path(), config)
    }

    pub fn read_summary(&self) -> Result<Summary> {
        read_json(&self.summary_path())
    }

    pub fn write_summary(&self, summary: &Summary) -> Result<()> {
        write_json(&self.summary_path(), summary)
    }

    /// The rows of `metrics.csv`; none if training at this rate has not finished an epoch.
    pub fn read_metrics(&self, lr: f32) -> Result<Vec<EpochMetrics>> {
        read_csv(&self.metrics_path(lr))
    }

    pub fn write_metrics(&self, lr: f32, rows: &[EpochMetrics]) -> Result<()> {
        write_csv(&self.metrics_path(lr), rows)
    }

    /// The rows of `batches.csv`; none if training at this rate has not finished an epoch.
    pub fn read_batches(&self, lr: f32) -> Result<Vec<BatchLoss>> {
        read_csv(&self.batches_path(lr))
    }

    pub fn write_batches(&self, lr: f32, rows: &[BatchLoss]) -> Result<()> {
        write_csv(&self.batches_path(lr), rows)
    }
}

/// What [`RunDir::newest_best_checkpoint`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct BestCheckpoint {
    /// `<run>/lr-<rate>/best.ckpt`
    pub path: PathBuf,
    /// The run it belongs to.
    pub run: PathBuf,
    pub learning_rate: f32,
    pub epoch: usize,
}

/// The run folders under `runs_dir` (those holding a `config.json`), newest first: their
/// names start with their UTC start time, so the newest sorts last.
fn runs_newest_first(runs_dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(runs_dir).with_context(|| {
        format!(
            "cannot read {}; train first with `cargo run --release -p nn-train`",
            runs_dir.display()
        )
    })?;
    let mut runs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("config.json").is_file())
        .collect();
    runs.sort();
    runs.reverse();
    Ok(runs)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not valid: the file is damaged or from another version",
            path.display()
        )
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_atomically(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rows = reader.deserialize().collect::<Result<Vec<T>, _>>();
    rows.with_context(|| {
        format!(
            "{} is not valid: the file is damaged or from another version",
            path.display()
        )
    })
}

fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}
