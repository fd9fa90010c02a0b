use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use datasets::mnist;
use nn_core::ThreadPool;
use nn_report::evaluation::TestSet;
use nn_report::{Outcome, page};
use nn_run::plural;
use nn_run::run_dir::{RunDir, utc_stamp};

/// Turn training runs into pictures and a page: one PNG per question (loss, accuracy,
/// confusion, confidence, weights), report.md and index.html; several runs are also compared
/// side by side.
#[derive(Parser)]
#[command(version, long_about = None)]
struct Cli {
    /// The run directories; two or more are compared [default: the newest run under runs/ in
    /// the workspace that has finished an epoch]
    #[arg(value_name = "RUN")]
    runs: Vec<PathBuf>,
    /// Where the report goes [default: <run>/report for one run, runs/comparisons/<UTC time>
    /// in the workspace for several]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Where MNIST is, for the test-set pictures [default: $MNIST_DIR, else datasets/mnist in
    /// the workspace]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    match report(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
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

fn report(cli: Cli) -> Result<()> {
    let runs = match cli.runs.as_slice() {
        [] => vec![RunDir::latest_trained(&RunDir::default_parent())?],
        paths => paths
            .iter()
            .map(|path| RunDir::open(path))
            .collect::<Result<Vec<_>, _>>()?,
    };
    refuse_repeats(&runs)?;
    let test_set = TestSet::Files(mnist::resolve_data_dir(cli.data_dir));
    let pool = ThreadPool::with_available_cores();
    let dir = match &runs[..] {
        [run] => {
            let dir = cli.out.unwrap_or_else(|| run.report_dir());
            println!("Report of {}", run.path().display());
            let outcome = pool.install(|| nn_report::write_report(run, &dir, test_set))?;
            print_outcome(&outcome, "");
            outcome.dir
        }
        runs => {
            let default = || {
                RunDir::default_parent()
                    .join("comparisons")
                    .join(utc_stamp())
            };
            let dir = cli.out.unwrap_or_else(default);
            println!(
                "Comparison of {} in {}",
                plural(runs.len(), "run"),
                dir.display()
            );
            let outcome = pool.install(|| nn_report::write_comparison(runs, &dir, test_set))?;
            for (label, report) in &outcome.runs {
                println!("report of {label} in {}", report.dir.display());
                print_outcome(report, &format!("{label}: "));
            }
            for path in &outcome.written {
                println!("wrote {}", path.display());
            }
            for skip in &outcome.skipped {
                println!("skipped {skip}");
            }
            outcome.dir
        }
    };
    println!(
        "Open {} in a browser, or read {} beside it.",
        dir.join(page::HTML).display(),
        page::MARKDOWN
    );
    Ok(())
}

/// A run named twice would be reported twice and compared with itself.
fn refuse_repeats(runs: &[RunDir]) -> Result<()> {
    let same = |a: &RunDir, b: &RunDir| match (a.path().canonicalize(), b.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.path() == b.path(),
    };
    for (i, run) in runs.iter().enumerate() {
        if runs[..i].iter().any(|earlier| same(earlier, run)) {
            let message = format!("{} is given twice", run.path().display());
            return Err(Cli::command()
                .error(ErrorKind::ArgumentConflict, message)
                .into());
        }
    }
    Ok(())
}

/// The files of one run's report, its notes and what it left out; `prefix` names the run in
/// a comparison.
fn print_outcome(outcome: &Outcome, prefix: &str) {
    for path in &outcome.written {
        println!("wrote {}", path.display());
    }
    for note in &outcome.notes {
        println!("note: {prefix}{note}");
    }
    for skip in &outcome.skipped {
        println!("skipped {prefix}{skip}");
    }
}
