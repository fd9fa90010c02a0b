//! The learning-rate sweep: mini-batch SGD on MNIST, once per learning rate, each run starting
//! from the same initial weights and seeing the examples in the same order, so the learning
//! rate is the only thing that differs. See `docs/06-sgd-and-learning-rate.md`.
//!
//! After every epoch a learning rate's files are brought up to date in an order that makes any
//! moment a safe one to be killed at: the CSV logs, then the checkpoints, then the summary.
//! `--resume` continues from `last.ckpt` and drops whatever the logs recorded after it. A stop
//! request (Ctrl-C) is honoured between two steps, where the files are those of the last
//! finished epoch.
//!
//! What fights overfitting plugs in here too (`docs/09-overfitting-and-regularisation.md`):
//! each epoch's learning rate comes from the schedule, the training images may be distorted
//! (`datasets::augment`) and the hidden units dropped (`nn_core::dropout`), and early stopping
//! ends a learning rate whose validation accuracy has stopped improving.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use nn_core::dropout::Dropout;
use nn_core::metrics::count_correct;
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp};
use rand::rngs::ChaCha8Rng;
use thiserror::Error;

use datasets::augment::Distorter;
use datasets::mnist::{Data, DataError, Split, shuffle_for_epoch};
use nn_run::checkpoint::{Checkpoint, CheckpointError};
use nn_run::config::TrainConfig;
use nn_run::eval::Evaluator;
use nn_run::run_dir::{
    BatchLoss, EpochMetrics, KeepCheckpoints, LrSummary, RunDir, RunError, Summary, early_stop,
};

use crate::progress::Progress;

/// A batch loss above this counts as divergence, as does NaN or infinity. The loss starts at
/// ln 10 ≈ 2.3; a batch loss of 100 means the geometric mean of the probabilities the batch gave
/// its true digits is e^-100: confidently wrong. A network that is learning never gets near it.
/// See `docs/06-sgd-and-learning-rate.md`.
pub const DIVERGENCE_LOSS: f32 = 100.0;

/// Why training could not go on.
#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{path} belongs to another run or learning rate; it cannot be resumed here")]
    ForeignCheckpoint { path: PathBuf },
}

/// A request to stop training at the next clean point, between two steps: what Ctrl-C sends.
/// Clones share the request.
#[derive(Clone, Debug, Default)]
pub struct StopRequest(Arc<AtomicBool>);

impl StopRequest {
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How a sweep runs, beyond the numbers of its configuration.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// Continue the learning rates of an existing run (`--resume`).
    pub resume: bool,
    /// Which checkpoints to keep (`--keep-checkpoints`).
    pub keep_checkpoints: KeepCheckpoints,
    /// Checked between steps.
    pub stop: StopRequest,
}

/// How a sweep ended.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepEnd {
    pub summary: Summary,
    /// The learning rate and the epoch that a stop request interrupted; its files are those of
    /// the epoch before, so `--resume` redoes it.
    pub stopped_in: Option<(f32, usize)>,
}

/// Trains every learning rate of the run in turn and returns the summary. With
/// `options.resume`, learning rates that finished are kept and the others continue from their
/// `last.ckpt`. A stop request ends the sweep between two steps, with every file as it was after
/// the last finished epoch. See `docs/06-sgd-and-learning-rate.md` (the sweep) and
/// `docs/appendix-b-runs-and-checkpoints.md` (resume).
pub fn run_sweep(
    config: &TrainConfig,
    data: &Data,
    run: &RunDir,
    options: &SweepOptions,
    progress: &Progress,
) -> Result<SweepEnd, TrainError> {
    let mut summary = run.summary_from_metrics()?;
    for (i, &lr) in config.learning_rates.iter().enumerate() {
        let mut sweep = LrRun::start(config, lr, run, options, progress)?;
        loop {
            match sweep.next_epoch(data)? {
                Epoch::Finished(lr_summary) => {
                    summary.learning_rates[i] = lr_summary;
                    run.write_summary(&summary)?;
                }
                Epoch::Stopped => {
                    let stopped_in = Some((lr, sweep.epoch + 1));
                    return Ok(SweepEnd {
                        summary,
                        stopped_in,
                    });
                }
                Epoch::NoneLeft => break,
            }
        }
    }
    if summary.any_epoch() {
        run.write_summary(&summary)?;
    }
    Ok(SweepEnd {
        summary,
        stopped_in: None,
    })
}

/// What [`LrRun::next_epoch`] did.
enum Epoch {
    /// The epoch's logs and checkpoints are written; the learning rate's summary so far.
    Finished(LrSummary),
    /// A stop request came before the epoch ended; nothing was written.
    Stopped,
    /// The learning rate has trained all its epochs (or diverged).
    NoneLeft,
}

/// Training at one learning rate, one epoch at a time.
struct LrRun<'a> {
    config: &'a TrainConfig,
    run: &'a RunDir,
    options: &'a SweepOptions,
    progress: &'a Progress,
    lr: f32,
    model: Mlp,
    sgd: Sgd,
    /// Epochs completed.
    epoch: usize,
    step: u64,
    metrics: Vec<EpochMetrics>,
    batches: Vec<BatchLoss>,
    buffers: StepBuffers,
    evaluator: Evaluator,
    /// The training images' distortion, if the run augments them.
    distorter: Option<Distorter>,
    /// The hidden layers' dropout, if the run uses it.
    dropout: Option<Dropout>,
}

/// What a training step reuses from batch to batch, so it does not allocate.
#[derive(Default)]
struct StepBuffers {
    order: Vec<usize>,
    x: Matrix,
    labels: Vec<usize>,
    acts: Activations,
    grads: Option<Mlp>,
}

impl<'a> LrRun<'a> {
    /// A fresh start from the seed's initial weights or, with `resume`, the state of
    /// `last.ckpt` with the logs trimmed to it (`docs/appendix-b-runs-and-checkpoints.md`).
    fn start(
        config: &'a TrainConfig,
        lr: f32,
        run: &'a RunDir,
        options: &'a SweepOptions,
        progress: &'a Progress,
    ) -> Result<LrRun<'a>, TrainError> {
        let mut lr_run = LrRun {
            config,
            run,
            options,
            progress,
            lr,
            model: Mlp::new(&config.layer_sizes(), config.seed),
            sgd: Sgd::new(lr)
                .with_momentum(config.momentum)
                .with_weight_decay(config.weight_decay),
            epoch: 0,
            step: 0,
            metrics: Vec::new(),
            batches: Vec::new(),
            buffers: StepBuffers::default(),
            evaluator: Evaluator::default(),
            distorter: (!config.augmentation.is_none())
                .then(|| Distorter::new(config.augmentation)),
            dropout: (config.dropout > 0.0).then(|| Dropout::new(config.dropout)),
        };
        let last = run.last_checkpoint_path(lr);
        if options.resume {
            lr_run.metrics = run.read_metrics(lr)?;
            if lr_run.metrics.iter().any(|m| m.diverged) {
                lr_run.epoch = config.epochs; // finished: it diverged
                return Ok(lr_run);
            }
            if last.exists() {
                let checkpoint = Checkpoint::load_expecting(&last, &config.layer_sizes())?;
                if checkpoint.learning_rate != lr || !same_run(&checkpoint.config, config) {
                    return Err(TrainError::ForeignCheckpoint { path: last });
                }
                lr_run.model = checkpoint.model;
                lr_run.sgd = checkpoint.optimizer;
                lr_run.epoch = checkpoint.epoch;
                lr_run.step = checkpoint.step;
            }
            // Whatever the logs hold beyond the checkpoint is redone (identically).
            let epoch = lr_run.epoch;
            lr_run.metrics.retain(|m| m.epoch <= epoch);
            lr_run.batches = run.read_batches(lr)?;
            lr_run.batches.retain(|b| b.epoch <= epoch);
            if early_stop(&lr_run.metrics, config.patience).is_some() {
                lr_run.epoch = config.epochs; // finished: it stopped early
                return Ok(lr_run);
            }
            if 0 < epoch && epoch < config.epochs {
                progress.note(&format!(
                    "lr {lr}: resuming after epoch {epoch} of {}",
                    config.epochs
                ));
            }
        }
        Ok(lr_run)
    }

    /// Trains one more epoch and brings the files up to date.
    /// Why the files are written in this order: `docs/appendix-b-runs-and-checkpoints.md`.
    fn next_epoch(&mut self, data: &Data) -> Result<Epoch, TrainError> {
        if self.epoch >= self.config.epochs {
            return Ok(Epoch::NoneLeft);
        }
        let epoch = self.epoch + 1;
        self.sgd.learning_rate = self.config.learning_rate(self.lr, epoch);
        let started = Instant::now();
        let Some(trained) = self.train_epoch(&data.train, epoch) else {
            return Ok(Epoch::Stopped);
        };
        let seconds = started.elapsed().as_secs_f64();

        let validation = (!data.validation.is_empty())
            .then(|| self.evaluator.evaluate(&self.model, &data.validation));
        let test = self.evaluator.evaluate(&self.model, &data.test);
        let row = EpochMetrics {
            epoch,
            train_loss: trained.mean_loss,
            train_accuracy: trained.accuracy,
            val_loss: validation.map(|v| v.loss),
            val_accuracy: validation.map(|v| v.accuracy),
            test_loss: test.loss,
            test_accuracy: test.accuracy,
            seconds,
            diverged: trained.diverged,
            learning_rate: Some(self.sgd.learning_rate),
        };
        self.progress
            .note(&epoch_line(self.lr, epoch, self.config.epochs, &row));
        self.metrics.push(row);
        let summary = LrSummary::from_run(self.config, self.lr, &self.metrics);
        // Chosen on validation, ties to the earlier epoch; without validation, the latest.
        let improved = summary.best_epoch == Some(epoch);
        let stopped = summary.stopped_early_at_epoch.is_some();
        self.epoch = if trained.diverged || stopped {
            self.config.epochs
        } else {
            epoch
        };
        if stopped {
            let best = summary.best_epoch.unwrap_or(epoch);
            self.progress.note(&format!(
                "lr {}: stopped early after epoch {epoch}; best.ckpt keeps epoch {best}",
                self.lr
            ));
        }

        // Logs first, checkpoints second: a kill in between leaves logs that --resume trims.
        self.run.write_batches(self.lr, &self.batches)?;
        self.run.write_metrics(self.lr, &self.metrics)?;
        if !trained.diverged {
            let checkpoint = Checkpoint {
                config: self.config.clone(),
                learning_rate: self.lr,
                epoch,
                step: self.step,
                model: self.model.clone(),
                optimizer: self.sgd.clone(),
            };
            if self.options.keep_checkpoints.keeps_every_epoch() {
                checkpoint.save(&self.run.epoch_checkpoint_path(self.lr, epoch))?;
            }
            if improved {
                checkpoint.save(&self.run.best_checkpoint_path(self.lr))?;
            }
            checkpoint.save(&self.run.last_checkpoint_path(self.lr))?;
        }
        Ok(Epoch::Finished(summary))
    }

    /// One pass over the training set in this epoch's order, stopping early if the loss
    /// diverges; `None` if a stop was requested before it ended.
    /// See `docs/06-sgd-and-learning-rate.md`.
    fn train_epoch(&mut self, train: &Split, epoch: usize) -> Option<EpochResult> {
        let b = &mut self.buffers;
        shuffle_for_epoch(&mut b.order, train.len(), self.config.seed, epoch);
        let grads = b.grads.get_or_insert_with(|| self.model.zeros_like());
        let steps = train.len().div_ceil(self.config.batch_size);
        let bar = self.progress.epoch(
            format!("lr {} epoch {epoch}/{}", self.lr, self.config.epochs),
            steps,
        );
        let (mut loss_sum, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
        let batches: Vec<&[usize]> = b.order.chunks(self.config.batch_size).collect();
        let seed = self.config.seed;
        for (i, batch) in batches.iter().enumerate() {
            if self.options.stop.is_requested() {
                return None;
            }
            match &self.distorter {
                Some(d) => d.gather_batch(train, batch, seed, epoch, &mut b.x, &mut b.labels),
                None => train.gather_batch(batch, &mut b.x, &mut b.labels),
            }
            if let Some(next) = batches.get(i + 1) {
                train.prefetch(next);
            }
            let loss = match self.dropout {
                Some(dropout) => {
                    let mut masks = dropout_rng(seed, self.step + 1);
                    let (x, labels) = (&b.x, &b.labels);
                    (self.model).forward_loss_dropout(x, labels, dropout, &mut masks, &mut b.acts)
                }
                None => self.model.forward_loss(&b.x, &b.labels, &mut b.acts),
            };
            self.batches.push(BatchLoss {
                step: self.step + 1,
                epoch,
                loss,
            });
            loss_sum += f64::from(loss) * batch.len() as f64;
            seen += batch.len();
            correct += count_correct(b.acts.logits(), &b.labels);
            if !loss.is_finite() || loss > DIVERGENCE_LOSS {
                return Some(EpochResult::new(loss_sum, correct, seen, true));
            }
            self.model.backward(&b.x, &b.labels, &mut b.acts, grads);
            self.sgd.step(&mut self.model, grads);
            self.step += 1;
            bar.step(
                i + 1,
                seen,
                loss_sum / seen as f64,
                correct as f64 / seen as f64,
            );
        }
        Some(EpochResult::new(loss_sum, correct, seen, false))
    }
}

struct EpochResult {
    mean_loss: f64,
    accuracy: f64,
    diverged: bool,
}

impl EpochResult {
    fn new(loss_sum: f64, correct: usize, seen: usize, diverged: bool) -> EpochResult {
        EpochResult {
            mean_loss: loss_sum / seen as f64,
            accuracy: correct as f64 / seen as f64,
            diverged,
        }
    }
}

/// The generator of the dropout masks of SGD step `step` (counted from 1 over the whole run):
/// like the shuffle, a function of the seed and the step alone, so a resumed run drops the same
/// units. See `docs/09-overfitting-and-regularisation.md`.
pub fn dropout_rng(seed: u64, step: u64) -> ChaCha8Rng {
    nn_core::rng::keyed(seed, b"dropout\0", step)
}

/// Two configs describe the same run if they differ at most in the number of epochs, which
/// `--resume --epochs N` may raise. See `docs/appendix-b-runs-and-checkpoints.md`.
pub fn same_run(a: &TrainConfig, b: &TrainConfig) -> bool {
    TrainConfig {
        epochs: 0,
        ..a.clone()
    } == TrainConfig {
        epochs: 0,
        ..b.clone()
    }
}

/// The line that closes an epoch: short enough for an 80-column terminal. The test accuracy
/// is left out on purpose: it is recorded, but a rate is chosen on validation.
fn epoch_line(lr: f32, epoch: usize, epochs: usize, m: &EpochMetrics) -> String {
    let measured = match (m.val_loss, m.val_accuracy) {
        (Some(loss), Some(acc)) => format!("val loss {loss:.4} acc {:.2}%", 100.0 * acc),
        _ => format!("acc {:.2}%", 100.0 * m.train_accuracy),
    };
    let diverged = if m.diverged { "  DIVERGED" } else { "" };
    format!(
        "lr {lr} epoch {epoch}/{epochs}  train loss {:.4}  {measured}  {:.1} s{diverged}",
        m.train_loss, m.seconds
    )
}

/// The table printed at the end of a run, 75 columns wide for any terminal; the default run's
/// is in `docs/06-sgd-and-learning-rate.md`. `train loss` is the last epoch's, `time` that of
/// the training steps. Without a validation set no rate is marked as chosen.
pub fn summary_table(summary: &Summary, validated: bool) -> String {
    let mut out = format!(
        "{:>6}  {:>14}  {:>8}  {:>10}  {:>7}  {}\n",
        "lr", "best val acc", "test acc", "train loss", "time", "note"
    );
    let best = summary.best().filter(|_| validated).map(|b| b.lr);
    let percent = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2}%", 100.0 * v));
    for s in &summary.learning_rates {
        let best_val = match (s.best_val_accuracy, s.best_epoch) {
            (Some(acc), Some(e)) => format!("{:.2}% (ep {e})", 100.0 * acc),
            (None, Some(e)) => format!("- (ep {e})"),
            _ => "-".to_string(),
        };
        let mut note = if let Some(e) = s.diverged_at_epoch {
            format!("diverged at epoch {e}")
        } else if best == Some(s.lr) {
            "chosen on validation".to_string()
        } else if s.epochs_completed == 0 {
            "not trained".to_string()
        } else {
            String::new()
        };
        if let Some(e) = s.stopped_early_at_epoch {
            let sep = if note.is_empty() { "" } else { ", " };
            note += &format!("{sep}stopped at {e}");
        }
        let row = format!(
            "{:>6}  {:>14}  {:>8}  {:>10}  {:>6.1}s  {note}",
            s.lr,
            best_val,
            percent(s.test_accuracy),
            s.final_train_loss
                .map_or("-".to_string(), |l| format!("{l:.4}")),
            s.train_seconds
        );
        out += row.trim_end();
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(val: Option<(f64, f64)>, diverged: bool) -> EpochMetrics {
        EpochMetrics {
            epoch: 10,
            train_loss: if diverged { f64::INFINITY } else { 0.4183 },
            train_accuracy: 0.8826,
            val_loss: val.map(|v| v.0),
            val_accuracy: val.map(|v| v.1),
            test_loss: 0.3,
            test_accuracy: 0.9487,
            seconds: 12.34,
            diverged,
            learning_rate: Some(0.1),
        }
    }

    #[test]
    fn epoch_lines_fit_an_80_column_terminal() {
        for m in [
            row(Some((0.2456, 0.9512)), false),
            row(None, false),
            row(Some((f64::NAN, 0.098)), true),
        ] {
            let line = epoch_line(0.005, 10, 100, &m);
            assert!(line.chars().count() <= 80, "{} columns: {line}", line.len());
        }
    }

    #[test]
    fn without_a_validation_set_no_rate_is_called_chosen_on_validation() {
        let metrics = [row(None, false)];
        let summary = Summary {
            learning_rates: vec![LrSummary::from_metrics(0.1, &metrics)],
        };
        assert!(summary_table(&summary, true).contains("chosen on validation"));
        let table = summary_table(&summary, false);
        assert!(!table.contains("chosen"), "{table}");
    }

    #[test]
    fn the_table_fits_an_80_column_terminal() {
        let long = LrSummary::from_metrics(0.000_125, &[row(Some((0.2, 0.9912)), false)]);
        let diverged = LrSummary::from_metrics(5.0, &[row(Some((f64::NAN, 0.1)), true)]);
        let summary = Summary {
            learning_rates: vec![long, diverged],
        };
        for line in summary_table(&summary, true).lines() {
            assert!(line.chars().count() <= 80, "{} columns: {line}", line.len());
        }
    }

    #[test]
    fn a_rate_that_never_started_shows_zero_seconds() {
        let summary = Summary {
            learning_rates: vec![LrSummary::from_metrics(0.1, &[])],
        };
        let table = summary_table(&summary, true);
        assert!(table.contains("   0.0s  not trained"), "{table}");
        assert!(!table.contains("-0.0"), "{table}");
    }
}
