use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use datasets::mnist;
use nn_core::ThreadPool;
use nn_report::evaluation::TestSet;
use nn_run::run_dir::RunDir;

/// Turn a training run into pictures and a page: writes <run>/report/ with one PNG per
/// question (loss, accuracy, confusion, confidence, weights), report.md and index.html.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The run directory [default: the newest run under runs/ in the workspace]
    run: Option<PathBuf>,
    /// Where MNIST is, for the test-set pictures [default: $MNIST_DIR, else datasets/mnist in
    /// the workspace]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    match report(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn report(cli: Cli) -> Result<()> {
    let run = match &cli.run {
        Some(path) => RunDir::open(path)?,
        None => RunDir::latest_trained(&RunDir::default_parent())?,
    };
    let test_set = TestSet::Files(mnist::resolve_data_dir(cli.data_dir));
    println!("Report of {}", run.path().display());
    let outcome = ThreadPool::with_available_cores()
        .install(|| nn_report::write_report(&run, &run.report_dir(), test_set))?;
    for path in &outcome.written {
        println!("wrote {}", path.display());
    }
    for note in &outcome.notes {
        println!("note: {note}");
    }
    for skip in &outcome.skipped {
        println!("skipped {skip}");
    }
    println!(
        "Open {} in a browser, or read report.md beside it.",
        outcome.dir.join(nn_report::page::HTML).display()
    );
    Ok(())
}
