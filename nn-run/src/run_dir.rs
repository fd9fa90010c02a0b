//! The run directory: everything a training run leaves behind, and the one place that knows
//! its layout. `nn-train` writes it; `nn-report` reads it through these functions (what it
//! draws from them: `docs/08-reading-the-report.md`).
//!
//! ```text
//! runs/<UTC start time>[-<name>]/
//!   config.json                   RunConfig: everything needed to reproduce the run
//!   summary.json                  one LrSummary per learning rate, rewritten after every epoch
//!   lr-0.1/
//!     metrics.csv                 one EpochMetrics row per epoch
//!     batches.csv                 one BatchLoss row per SGD step
//!     best.ckpt                   the epoch with the best validation accuracy
//!     last.ckpt                   the latest epoch: what --resume continues from
//!     checkpoints/epoch-001.ckpt  the model after each epoch (--keep-checkpoints all only)
//! ```
//!
//! A new run's folder is claimed with one `create_dir`, which fails if the folder exists, so
//! two runs started in the same second never share one: the second gets a `-2` suffix. Every
//! file is written whole to a temporary name and renamed into place, so a reader (or a run
//! killed at any moment) only ever sees complete files.
//! See `docs/appendix-b-runs-and-checkpoints.md`.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::atomic::{PendingFile, write_atomically};
use crate::config::TrainConfig;

/// Every way reading or writing a run directory can fail, each naming the file or folder.
/// The OS error is part of the message (and not also a `source`), so it is printed once.
#[derive(Debug, Error)]
pub enum RunError {
    #[error(
        "{path} already holds a run; continue it with --resume {path}, or choose another --out"
    )]
    AlreadyARun { path: PathBuf },
    #[error("cannot create the run directory {path}: {reason}")]
    Create { path: PathBuf, reason: io::Error },
    #[error("{path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("{path} is not a run directory (it has no config.json)")]
    NotARun { path: PathBuf },
    #[error("{path} holds no run that has finished an epoch; train first with {TRAIN_COMMAND}")]
    NoTrainedRun { path: PathBuf },
    #[error(
        "{path}: every learning rate diverged before finishing an epoch, so the run has no model"
    )]
    NoModel { path: PathBuf },
    #[error(
        "no run under {path} has a checkpoint yet; train one with {TRAIN_COMMAND}, or name a \
         checkpoint with --checkpoint FILE"
    )]
    NoCheckpoint { path: PathBuf },
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: io::Error },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: io::Error },
    #[error("{path} is not valid: the file is damaged or from another version ({reason})")]
    Invalid { path: PathBuf, reason: String },
}

/// How a student starts a run, as the messages that send them there say it.
pub const TRAIN_COMMAND: &str = "`cargo run --release -p nn-train`";

/// `config.json`: the settings that make the run's numbers, and what the run is called and
/// keeps, which change no number (so checkpoints hold only [`TrainConfig`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// `--name`: part of the folder's name too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which checkpoints the run keeps. Runs written before the option existed kept all.
    #[serde(default = "KeepCheckpoints::all")]
    pub keep_checkpoints: KeepCheckpoints,
    #[serde(flatten)]
    pub train: TrainConfig,
}

impl RunConfig {
    /// A run of `train` with no name, keeping the default checkpoints.
    pub fn new(train: TrainConfig) -> RunConfig {
        RunConfig {
            name: None,
            keep_checkpoints: KeepCheckpoints::default(),
            train,
        }
    }
}

/// Which checkpoints a run keeps (`--keep-checkpoints`). See
/// `docs/appendix-b-runs-and-checkpoints.md`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeepCheckpoints {
    /// `best.ckpt` and `last.ckpt` of each learning rate: enough to resume exactly and to
    /// report, at a tenth of the disk of a 10-epoch run's every-epoch files.
    #[default]
    BestLast,
    /// Also `checkpoints/epoch-NNN.ckpt` after every epoch, to study how the model changed.
    All,
}

impl KeepCheckpoints {
    fn all() -> KeepCheckpoints {
        KeepCheckpoints::All
    }

    pub fn keeps_every_epoch(self) -> bool {
        self == KeepCheckpoints::All
    }
}

impl fmt::Display for KeepCheckpoints {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            KeepCheckpoints::BestLast => "best-last",
            KeepCheckpoints::All => "all",
        })
    }
}

impl FromStr for KeepCheckpoints {
    type Err = UnknownPolicy;

    fn from_str(text: &str) -> Result<KeepCheckpoints, UnknownPolicy> {
        match text {
            "best-last" => Ok(KeepCheckpoints::BestLast),
            "all" => Ok(KeepCheckpoints::All),
            _ => Err(UnknownPolicy(text.to_string())),
        }
    }
}

/// A `--keep-checkpoints` value that names no policy.
#[derive(Debug, Error, PartialEq)]
#[error("'{0}' is not a checkpoint policy: choose best-last or all")]
pub struct UnknownPolicy(pub String);

/// The longest name a run may have: the folder name stays readable in a listing.
pub const MAX_NAME_CHARS: usize = 40;

/// A `--name` that cannot name a run, and why.
#[derive(Debug, Error, PartialEq)]
#[error(
    "'{name}' cannot name a run: {problem}; a run name is 1 to {MAX_NAME_CHARS} letters, \
     digits, '-', '_' or '.', starting with a letter or digit (it becomes part of the folder \
     name runs/<time>-<name>)"
)]
pub struct InvalidName {
    pub name: String,
    pub problem: String,
}

/// Checks a run name (`--name`): it becomes part of a folder name on every operating system,
/// so it is letters, digits, `-`, `_` and `.`, starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), InvalidName> {
    let problem = if name.is_empty() {
        "it is empty".to_string()
    } else if name.chars().count() > MAX_NAME_CHARS {
        format!("it is {} characters long", name.chars().count())
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        format!("it contains {c:?}")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "it does not start with a letter or digit".to_string()
    } else {
        return Ok(());
    };
    Err(InvalidName {
        name: name.to_string(),
        problem,
    })
}

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
    /// The learning rate this epoch trained with: the base rate of its folder, shaped by the
    /// schedule and the warm-up (`docs/09-overfitting-and-regularisation.md`). Empty in runs
    /// written before schedules existed, which always used the base rate.
    #[serde(default)]
    pub learning_rate: Option<f32>,
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
    /// The last epoch trained when early stopping ended this rate (`--patience`): the
    /// validation accuracy had not improved for `patience` epochs.
    #[serde(default)]
    pub stopped_early_at_epoch: Option<usize>,
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
            // A sum of nothing is -0.0 in IEEE arithmetic; a rate that never ran took 0 s.
            train_seconds: metrics.iter().map(|m| m.seconds).sum::<f64>() + 0.0,
            stopped_early_at_epoch: None,
        }
    }

    /// [`LrSummary::from_metrics`] for a learning rate of the run `config`, which also says
    /// whether early stopping ended it.
    pub fn from_run(config: &TrainConfig, lr: f32, metrics: &[EpochMetrics]) -> LrSummary {
        LrSummary {
            stopped_early_at_epoch: early_stop(metrics, config.patience),
            ..LrSummary::from_metrics(lr, metrics)
        }
    }
}

/// Early stopping: with `patience` N, training at a learning rate stops once N epochs in a row
/// have not beaten the best validation accuracy so far; returns the last epoch trained, if that
/// has happened. The best epoch, and `best.ckpt`, are the model kept. A rate that diverged, or a
/// run without a validation set, never stops early. See
/// `docs/09-overfitting-and-regularisation.md`.
pub fn early_stop(metrics: &[EpochMetrics], patience: Option<usize>) -> Option<usize> {
    let patience = patience?;
    if metrics.iter().any(|m| m.diverged) {
        return None;
    }
    let summary = LrSummary::from_metrics(0.0, metrics);
    summary.best_val_accuracy?;
    let last = metrics.last()?.epoch;
    (last - summary.best_epoch? >= patience).then_some(last)
}

/// `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub learning_rates: Vec<LrSummary>,
}

impl Summary {
    /// The learning rate with the best validation accuracy: chosen on validation, never on
    /// test, which would make the test accuracy an optimistic guess instead of a measurement.
    /// Without a validation set there is nothing to choose with, and it is the last learning
    /// rate that finished an epoch. See `docs/07-data-and-validation.md`.
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

    /// Whether any learning rate has finished an epoch (diverged ones included).
    pub fn any_epoch(&self) -> bool {
        self.learning_rates
            .iter()
            .any(|s| s.epochs_completed > 0 || s.diverged)
    }
}

/// The network a run offers: the best checkpoint of the learning rate chosen on validation.
/// See [`RunDir::chosen_checkpoint`] and [`RunDir::newest_best_checkpoint`].
#[derive(Clone, Debug, PartialEq)]
pub struct BestCheckpoint {
    /// `<run>/lr-<rate>/best.ckpt`
    pub path: PathBuf,
    /// The run it belongs to.
    pub run: PathBuf,
    pub learning_rate: f32,
    /// The epoch it holds.
    pub epoch: usize,
}

/// A run directory on disk.
#[derive(Clone, Debug)]
pub struct RunDir {
    path: PathBuf,
    /// Whether this process created the folder (and may remove it again, see
    /// [`RunDir::discard`]).
    created_folder: bool,
}

impl RunDir {
    /// A new run under `parent`, in a folder of its own named by the UTC time and `name`:
    /// `2026-11-27T21-40-05Z-wide`. If another run took that name first (two runs started in
    /// the same second), the next free one of `-2`, `-3`, … is taken. Claiming is one
    /// `create_dir`, which fails if the folder exists, so no two runs ever share a folder.
    pub fn create_new(parent: &Path, config: &RunConfig) -> Result<RunDir, RunError> {
        fs::create_dir_all(parent).map_err(|reason| RunError::Create {
            path: parent.into(),
            reason,
        })?;
        let stamp = utc_stamp();
        let base = match &config.name {
            Some(name) => format!("{stamp}-{name}"),
            None => stamp,
        };
        for n in 1.. {
            let path = match n {
                1 => parent.join(&base),
                n => parent.join(format!("{base}-{n}")),
            };
            match fs::create_dir(&path) {
                Ok(()) => {
                    let run = RunDir {
                        path,
                        created_folder: true,
                    };
                    return run.claim(config);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(reason) => return Err(RunError::Create { path, reason }),
            }
        }
        unreachable!("some suffix is free")
    }

    /// A new run in the folder `path` (`--out`), created if missing. A folder that already
    /// holds a run is refused, even if another process writes its `config.json` at this very
    /// moment: the file is created only if it does not exist.
    pub fn create(path: &Path, config: &RunConfig) -> Result<RunDir, RunError> {
        let created_folder = !path.exists();
        fs::create_dir_all(path).map_err(|reason| RunError::Create {
            path: path.into(),
            reason,
        })?;
        RunDir {
            path: path.to_path_buf(),
            created_folder,
        }
        .claim(config)
    }

    /// Writes `config.json` into the run's folder unless one is there: from then on the folder
    /// is recognisably this run.
    fn claim(self, config: &RunConfig) -> Result<RunDir, RunError> {
        let path = self.config_path();
        let write_error = |reason| RunError::Write {
            path: path.clone(),
            reason,
        };
        let mut pending = PendingFile::new(&path).map_err(write_error)?;
        io::Write::write_all(pending.file(), &json_bytes(config)).map_err(write_error)?;
        match pending.commit_if_absent() {
            Ok(()) => Ok(self),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(RunError::AlreadyARun {
                path: self.path.clone(),
            }),
            Err(reason) => Err(write_error(reason)),
        }
    }

    /// Removes a run that never finished an epoch, so it does not clutter `runs/` or pass for
    /// the newest run: the whole folder if this process created it, else only `config.json`.
    pub fn discard(self) -> Result<(), RunError> {
        let removed = if self.created_folder {
            fs::remove_dir_all(&self.path)
        } else {
            fs::remove_file(self.config_path())
        };
        removed.map_err(|reason| RunError::Write {
            path: self.path.clone(),
            reason,
        })
    }

    /// An existing run directory: one holding a `config.json`.
    pub fn open(path: &Path) -> Result<RunDir, RunError> {
        if !path.is_dir() {
            return Err(RunError::NotADirectory { path: path.into() });
        }
        if !path.join(CONFIG).is_file() {
            return Err(RunError::NotARun { path: path.into() });
        }
        Ok(RunDir {
            path: path.to_path_buf(),
            created_folder: false,
        })
    }

    /// The newest run under `runs_dir` that has finished at least one epoch: what `nn-report`
    /// draws when no run is named.
    pub fn latest_trained(runs_dir: &Path) -> Result<RunDir, RunError> {
        runs_newest_first(runs_dir)?
            .into_iter()
            .find(RunDir::has_trained)
            .ok_or_else(|| RunError::NoTrainedRun {
                path: runs_dir.into(),
            })
    }

    /// The checkpoint to use when none is named (`nn-train predict`, `nn-play`): the best
    /// epoch of the best learning rate (both chosen on validation) of the newest run under
    /// `runs_dir` that has one. A run still in its first epoch has no checkpoint yet, so an
    /// older one is taken; the returned [`BestCheckpoint`] says which.
    pub fn newest_best_checkpoint(runs_dir: &Path) -> Result<BestCheckpoint, RunError> {
        runs_newest_first(runs_dir)?
            .iter()
            .find_map(|run| run.chosen_checkpoint().ok())
            .ok_or_else(|| RunError::NoCheckpoint {
                path: runs_dir.into(),
            })
    }

    /// Whether any learning rate has finished an epoch (its `metrics.csv` has a row).
    pub fn has_trained(&self) -> bool {
        let Ok(config) = self.read_config() else {
            return false;
        };
        config
            .train
            .learning_rates
            .iter()
            .any(|&lr| self.read_metrics(lr).is_ok_and(|rows| !rows.is_empty()))
    }

    /// The best checkpoint of the learning rate chosen on validation: the network this run
    /// offers to whoever wants to use it.
    pub fn chosen_checkpoint(&self) -> Result<BestCheckpoint, RunError> {
        let summary = self.summary()?;
        let no_model = || RunError::NoModel {
            path: self.path.clone(),
        };
        let best = summary.best().ok_or_else(no_model)?;
        let epoch = best.best_epoch.ok_or_else(no_model)?;
        let path = self.best_checkpoint_path(best.lr);
        if !path.is_file() {
            return Err(RunError::Read {
                reason: io::ErrorKind::NotFound.into(),
                path,
            });
        }
        Ok(BestCheckpoint {
            path,
            run: self.path.clone(),
            learning_rate: best.lr,
            epoch,
        })
    }

    /// Where runs go by default: `runs/` in the workspace, whatever the current directory is
    /// when `cargo run` starts.
    pub fn default_parent() -> PathBuf {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
        workspace
            .expect("nn-run sits in the workspace")
            .join("runs")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's name, e.g. `2026-11-27T23-04-52Z-wide`.
    pub fn folder_name(&self) -> String {
        let path = &self.path;
        path.file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy()
            .into_owned()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path.join(CONFIG)
    }

    pub fn summary_path(&self) -> PathBuf {
        self.path.join("summary.json")
    }

    /// The folder of one learning rate: `lr-0.05`.
    pub fn lr_dir(&self, lr: f32) -> PathBuf {
        self.path.join(format!("lr-{lr}"))
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

    /// Where the report of this run goes unless told otherwise.
    pub fn report_dir(&self) -> PathBuf {
        self.path.join("report")
    }

    pub fn read_config(&self) -> Result<RunConfig, RunError> {
        read_json(&self.config_path())
    }

    /// Rewrites `config.json` (a resumed run may have more epochs).
    pub fn write_config(&self, config: &RunConfig) -> Result<(), RunError> {
        write_json(&self.config_path(), config)
    }

    pub fn read_summary(&self) -> Result<Summary, RunError> {
        read_json(&self.summary_path())
    }

    pub fn write_summary(&self, summary: &Summary) -> Result<(), RunError> {
        write_json(&self.summary_path(), summary)
    }

    /// `summary.json` if it is there, else the same summary computed from every learning
    /// rate's `metrics.csv` (a run killed before its first summary was written).
    pub fn summary(&self) -> Result<Summary, RunError> {
        if self.summary_path().exists() {
            self.read_summary()
        } else {
            self.summary_from_metrics()
        }
    }

    /// The summary computed from every learning rate's `metrics.csv`.
    pub fn summary_from_metrics(&self) -> Result<Summary, RunError> {
        let config = self.read_config()?;
        let learning_rates = config
            .train
            .learning_rates
            .iter()
            .map(|&lr| {
                Ok(LrSummary::from_run(
                    &config.train,
                    lr,
                    &self.read_metrics(lr)?,
                ))
            })
            .collect::<Result<_, RunError>>()?;
        Ok(Summary { learning_rates })
    }

    /// The rows of `metrics.csv`; none if training at this rate has not finished an epoch.
    pub fn read_metrics(&self, lr: f32) -> Result<Vec<EpochMetrics>, RunError> {
        read_csv(&self.metrics_path(lr))
    }

    pub fn write_metrics(&self, lr: f32, rows: &[EpochMetrics]) -> Result<(), RunError> {
        write_csv(&self.metrics_path(lr), rows)
    }

    /// The rows of `batches.csv`; none if training at this rate has not finished an epoch.
    pub fn read_batches(&self, lr: f32) -> Result<Vec<BatchLoss>, RunError> {
        read_csv(&self.batches_path(lr))
    }

    pub fn write_batches(&self, lr: f32, rows: &[BatchLoss]) -> Result<(), RunError> {
        write_csv(&self.batches_path(lr), rows)
    }
}

const CONFIG: &str = "config.json";

/// How a run's folder name starts: its UTC start time, to the second, sortable as text.
const TIME_FORMAT: &str = "%Y-%m-%dT%H-%M-%SZ";

/// The UTC time now as a run's folder name starts: `2026-11-27T21-40-05Z`.
pub fn utc_stamp() -> String {
    jiff::Timestamp::now().strftime(TIME_FORMAT).to_string()
}

/// The runs under `runs_dir` (folders holding a `config.json`), newest first, by the UTC time
/// that starts their folder's name (by when `config.json` was written, for a folder named
/// otherwise). None if `runs_dir` does not exist.
fn runs_newest_first(runs_dir: &Path) -> Result<Vec<RunDir>, RunError> {
    let entries = match fs::read_dir(runs_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(reason) => {
            return Err(RunError::Read {
                path: runs_dir.into(),
                reason,
            });
        }
    };
    let mut runs: Vec<(jiff::Timestamp, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| Some((started(&path)?, path)))
        .collect();
    runs.sort();
    Ok(runs
        .into_iter()
        .rev()
        .map(|(_, path)| RunDir {
            path,
            created_folder: false,
        })
        .collect())
}

/// When the run in `path` started: the time its folder's name starts with, else when its
/// `config.json` was written. `None` for a folder that holds no run.
fn started(path: &Path) -> Option<jiff::Timestamp> {
    let name = path.file_name()?.to_str()?;
    let config = path.join(CONFIG);
    let written = fs::metadata(&config)
        .ok()
        .filter(|m| m.is_file())?
        .modified();
    let from_name = name.get(..20).and_then(|stamp| {
        let civil = jiff::civil::DateTime::strptime(TIME_FORMAT, stamp).ok()?;
        jiff::tz::Offset::UTC.to_timestamp(civil).ok()
    });
    from_name.or_else(|| jiff::Timestamp::try_from(written.ok()?).ok())
}

fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut text =
        serde_json::to_string_pretty(value).expect("run files serialise to JSON (no maps)");
    text.push('\n');
    text.into_bytes()
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, RunError> {
    let text = fs::read_to_string(path).map_err(|reason| RunError::Read {
        path: path.into(),
        reason,
    })?;
    serde_json::from_str(&text).map_err(|e| RunError::Invalid {
        path: path.into(),
        reason: e.to_string(),
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RunError> {
    write_atomically(path, &json_bytes(value)).map_err(|reason| RunError::Write {
        path: path.into(),
        reason,
    })
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, RunError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(reason) => {
            return Err(RunError::Read {
                path: path.into(),
                reason,
            });
        }
    };
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let rows = reader.deserialize().collect::<Result<Vec<T>, _>>();
    rows.map_err(|e| RunError::Invalid {
        path: path.into(),
        reason: e.to_string(),
    })
}

fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), RunError> {
    let write_error = |reason| RunError::Write {
        path: path.into(),
        reason,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| write_error(io::Error::other(e)))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| write_error(e.into_error()))?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(write_error)?;
    }
    write_atomically(path, &bytes).map_err(write_error)
}
