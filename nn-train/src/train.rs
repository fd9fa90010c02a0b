//! The learning-rate sweep: mini-batch SGD on MNIST, once per learning rate, each run starting
//! from the same initial weights and seeing the examples in the same order, so the learning
//! rate is the only thing that differs. See `docs/06-sgd-and-learning-rate.md`.
//!
//! After every epoch a learning rate's files are brought up to date in an order that makes any
//! moment a safe one to be killed at: the CSV logs, then the checkpoints, then the summary.
//! `--resume` continues from `last.ckpt` and drops whatever the logs recorded after it.

use std::time::Instant;

use anyhow::{Result, bail};
use nn_core::metrics::count_correct;
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

use datasets::mnist::{DataError, Mnist, Split};
use nn_run::checkpoint::Checkpoint;
use nn_run::config::{TrainConfig, architecture};
use nn_run::eval::Evaluator;
use nn_run::run_dir::{BatchLoss, EpochMetrics, LrSummary, RunDir, Summary};

use crate::progress::Progress;

/// A batch loss above this counts as divergence, as does NaN or infinity. The loss starts at
/// ln 10 ≈ 2.3; a loss of 100 means the network gives the true digit a probability of e^-100,
/// confidently wrong everywhere. A network that is learning never gets near it.
/// See `docs/06-sgd-and-learning-rate.md`.
pub const DIVERGENCE_LOSS: f32 = 100.0;

/// The three parts of the data a run uses.
pub struct Data {
    pub train: Split,
    /// May be empty (`--val-size 0`).
    pub validation: Split,
    pub test: Split,
}

impl Data {
    /// Holds out the last `val_size` training images for validation, then keeps the first
    /// `train_limit` of the rest. Why: `docs/07-data-and-validation.md`.
    pub fn split(mnist: Mnist, config: &TrainConfig) -> Result<Data, DataError> {
        let mut train = mnist.train;
        let validation = train.split_off_last(config.val_size)?;
        if let Some(limit) = config.train_limit {
            train = train.take_first(limit);
        }
        Ok(Data {
            train,
            validation,
            test: mnist.test,
        })
    }
}

/// Trains every learning rate of the run in turn and returns the summary. With `resume`,
/// learning rates that finished are kept and the others continue from their `last.ckpt`.
/// See `docs/06-sgd-and-learning-rate.md` (the sweep) and
/// `docs/appendix-b-runs-and-checkpoints.md` (resume).
pub fn run_sweep(
    config: &TrainConfig,
    data: &Data,
    run: &RunDir,
    resume: bool,
    progress: &Progress,
) -> Result<Summary> {
    if data.train.is_empty() {
        bail!(
            "no training examples are left after holding out {} for validation",
            config.val_size
        );
    }
    let mut summary = Summary {
        learning_rates: config
            .learning_rates
            .iter()
            .map(|&lr| Ok(LrSummary::from_metrics(lr, &run.read_metrics(lr)?)))
            .collect::<Result<_>>()?,
    };
    for (i, &lr) in config.learning_rates.iter().enumerate() {
        let mut sweep = LrRun::start(config, lr, run, resume, progress)?;
        while let Some(metrics) = sweep.next_epoch(data)? {
            summary.learning_rates[i] = LrSummary::from_metrics(lr, metrics);
            run.write_summary(&summary)?;
        }
        summary.learning_rates[i] = LrSummary::from_metrics(lr, &sweep.metrics);
    }
    run.write_summary(&summary)?;
    Ok(summary)
}

/// Training at one learning rate, one epoch at a time.
struct LrRun<'a> {
    config: &'a TrainConfig,
    run: &'a RunDir,
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
        resume: bool,
        progress: &'a Progress,
    ) -> Result<LrRun<'a>> {
        let mut lr_run = LrRun {
            config,
            run,
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
        };
        let last = run.last_checkpoint_path(lr);
        if resume {
            lr_run.metrics = run.read_metrics(lr)?;
            if lr_run.metrics.iter().any(|m| m.diverged) {
                lr_run.epoch = config.epochs; // finished: it diverged
                return Ok(lr_run);
            }
            if last.exists() {
                let checkpoint = Checkpoint::load_expecting(&last, &config.layer_sizes())?;
                if checkpoint.learning_rate != lr || !same_run(&checkpoint.config, config) {
                    bail!(
                        "{} belongs to another run or learning rate; it cannot be resumed here",
                        last.display()
                    );
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
            if 0 < epoch && epoch < config.epochs {
                progress.note(&format!(
                    "lr {lr}: resuming after epoch {epoch} of {}",
                    config.epochs
                ));
            }
        }
        Ok(lr_run)
    }

    /// Trains one more epoch and brings the files up to date; `None` once the run is done.
    /// Why the files are written in this order: `docs/appendix-b-runs-and-checkpoints.md`.
    fn next_epoch(&mut self, data: &Data) -> Result<Option<&[EpochMetrics]>> {
        if self.epoch >= self.config.epochs {
            return Ok(None);
        }
        let epoch = self.epoch + 1;
        let started = Instant::now();
        let trained = self.train_epoch(&data.train, epoch);
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
        };
        self.progress
            .note(&epoch_line(self.lr, epoch, self.config.epochs, &row));
        let improved = self
            .best_val_accuracy()
            .is_none_or(|best| row.val_accuracy.is_none_or(|acc| acc > best));
        self.metrics.push(row);
        self.epoch = if trained.diverged {
            self.config.epochs
        } else {
            epoch
        };

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
            checkpoint.save(&self.run.epoch_checkpoint_path(self.lr, epoch))?;
            if improved {
                checkpoint.save(&self.run.best_checkpoint_path(self.lr))?;
            }
            checkpoint.save(&self.run.last_checkpoint_path(self.lr))?;
        }
        Ok(Some(&self.metrics))
    }

    fn best_val_accuracy(&self) -> Option<f64> {
        LrSummary::from_metrics(self.lr, &self.metrics).best_val_accuracy
    }

    /// One pass over the training set in this epoch's order, stopping early if the loss
    /// diverges. See `docs/06-sgd-and-learning-rate.md`.
    fn train_epoch(&mut self, train: &Split, epoch: usize) -> EpochResult {
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
        for (i, batch) in batches.iter().enumerate() {
            train.gather_batch(batch, &mut b.x, &mut b.labels);
            if let Some(next) = batches.get(i + 1) {
                train.prefetch(next);
            }
            let loss = self.model.forward_loss(&b.x, &b.labels, &mut b.acts);
            self.batches.push(BatchLoss {
                step: self.step + 1,
                epoch,
                loss,
            });
            loss_sum += f64::from(loss) * batch.len() as f64;
            seen += batch.len();
            correct += count_correct(b.acts.logits(), &b.labels);
            if !loss.is_finite() || loss > DIVERGENCE_LOSS {
                return EpochResult::new(loss_sum, correct, seen, true);
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
        EpochResult::new(loss_sum, correct, seen, false)
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

/// The order of the training examples in `epoch` (counted from 1): a Fisher-Yates shuffle
/// driven by ChaCha8 seeded with the run's seed, on stream `epoch`. It depends on nothing
/// else, so a resumed run shuffles exactly as an uninterrupted one. (Stream 0 of the same seed
/// drew the initial weights.) See `docs/appendix-b-runs-and-checkpoints.md`.
pub fn shuffle_for_epoch(order: &mut Vec<usize>, len: usize, seed: u64, epoch: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(epoch as u64);
    order.clear();
    order.extend(0..len);
    order.shuffle(&mut rng);
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

fn epoch_line(lr: f32, epoch: usize, epochs: usize, m: &EpochMetrics) -> String {
    let val = match (m.val_loss, m.val_accuracy) {
        (Some(loss), Some(acc)) => format!("val loss {loss:.4} acc {:.2}%", 100.0 * acc),
        _ => "no validation set".to_string(),
    };
    let diverged = if m.diverged { "  DIVERGED" } else { "" };
    format!(
        "lr {lr} epoch {epoch}/{epochs}: train loss {:.4} acc {:.2}% | {val} | test acc {:.2}% | {:.2} s{diverged}",
        m.train_loss,
        100.0 * m.train_accuracy,
        100.0 * m.test_accuracy,
        m.seconds
    )
}

/// The table printed at the end of a run; the default run's is in
/// `docs/06-sgd-and-learning-rate.md`.
pub fn summary_table(summary: &Summary) -> String {
    let mut out = format!(
        "{:>10}  {:>13}  {:>10}  {:>16}  {:>10}  {}\n",
        "lr", "best val acc", "test acc", "final train loss", "train time", "note"
    );
    let best = summary.best().map(|b| b.lr);
    let percent = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2}%", 100.0 * v));
    for s in &summary.learning_rates {
        let best_val = match (s.best_val_accuracy, s.best_epoch) {
            (Some(acc), Some(e)) => format!("{:.2}% (ep {e})", 100.0 * acc),
            (None, Some(e)) => format!("- (ep {e})"),
            _ => "-".to_string(),
        };
        let mut note = String::new();
        if let Some(e) = s.diverged_at_epoch {
            note = format!("diverged at epoch {e}");
        } else if best == Some(s.lr) {
            note = "best (chosen on validation)".to_string();
        }
        out += &format!(
            "{:>10}  {:>13}  {:>10}  {:>16}  {:>9.1}s  {note}\n",
            s.lr,
            best_val,
            percent(s.test_accuracy),
            s.final_train_loss
                .map_or("-".to_string(), |l| format!("{l:.4}")),
            s.train_seconds
        );
    }
    out
}

/// Measures a checkpoint (loaded with `Checkpoint::load_mnist_classifier`, so its network
/// reads MNIST) on the test set: the `eval` command.
pub fn evaluate_checkpoint(
    path: &std::path::Path,
    checkpoint: &Checkpoint,
    test: &Split,
) -> String {
    let architecture = architecture(&checkpoint.model.sizes());
    let result = Evaluator::default().evaluate(&checkpoint.model, test);
    let correct = (result.accuracy * test.len() as f64).round();
    format!(
        "{}: {architecture} network, lr {}, epoch {}\ntest loss {:.4}, accuracy {:.2}% ({correct}/{})",
        path.display(),
        checkpoint.learning_rate,
        checkpoint.epoch,
        result.loss,
        100.0 * result.accuracy,
        test.len()
    )
}
