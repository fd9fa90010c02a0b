use clap::{Parser, Subcommand};

/// Train a hand-written neural network on MNIST.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
