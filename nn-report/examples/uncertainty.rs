//! How well three measures of uncertainty pick out the mistakes of a run's chosen model, the
//! numbers of chapter 8 (`docs/08-reading-the-report.md`):
//!
//! - the **confidence**, the top probability `p_(1)`;
//! - the **margin**, the top probability minus the second, `p_(1) - p_(2)` ([`margin`]);
//! - the **entropy** of the whole distribution, `-Σ_i p_i log p_i` ([`entropy`]).
//!
//! For each it prints the mean on right and on wrong answers, how many mistakes are among the
//! answers it ranks most uncertain, and the probability that a random mistake is ranked more
//! uncertain than a random right answer (the area under the ROC curve).
//!
//! ```sh
//! cargo run --release -p nn-report --example uncertainty -- runs/2026-11-27T23-04-52Z
//! ```

use std::cmp::Ordering;
use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Parser;
use datasets::mnist;
use nn_core::uncertainty::{entropy, margin};
use nn_report::evaluation::{BestModel, TestResults, TestSet};
use nn_report::metrics::confidence;
use nn_report::run_data::RunData;
use nn_run::run_dir::RunDir;

#[derive(Parser)]
#[command(about = "Measures how well confidence, margin and entropy pick out a model's mistakes")]
struct Args {
    /// The run directory whose chosen model is measured.
    run: PathBuf,
    /// The MNIST folder (default: $MNIST_DIR, else datasets/mnist).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// One test answer: right or wrong, and its three measures.
struct Answer {
    right: bool,
    confidence: f64,
    margin: f64,
    entropy: f64,
}

/// A measure of uncertainty: larger means less sure.
struct Measure {
    name: &'static str,
    uncertainty: fn(&Answer) -> f64,
    value: fn(&Answer) -> f64,
}

const MEASURES: [Measure; 3] = [
    Measure {
        name: "confidence",
        uncertainty: |a| -a.confidence,
        value: |a| a.confidence,
    },
    Measure {
        name: "margin",
        uncertainty: |a| -a.margin,
        value: |a| a.margin,
    },
    Measure {
        name: "entropy",
        uncertainty: |a| a.entropy,
        value: |a| a.entropy,
    },
];

/// How many of the most uncertain answers are set aside.
const SET_ASIDE: [usize; 3] = [200, 363, 1000];

fn main() -> Result<()> {
    let args = Args::parse();
    let run = RunDir::open(&args.run)?;
    let data = RunData::read(&run, &mut Vec::new())?;
    let best = BestModel::load(&data).map_err(|why| anyhow!(why))?;
    let images = TestSet::Files(mnist::resolve_data_dir(args.data_dir)).load()?;
    let results = TestResults::measure(&best, images);
    let answers: Vec<Answer> = results
        .predictions
        .iter()
        .map(|p| {
            let probs = &p.probabilities;
            Answer {
                right: p.predicted == p.label,
                confidence: confidence(p),
                margin: f64::from(margin(probs)),
                entropy: f64::from(entropy(probs)),
            }
        })
        .collect();
    let wrong = answers.iter().filter(|a| !a.right).count();
    println!(
        "{} ({}): {} test answers, {wrong} wrong",
        args.run.display(),
        best.describe(),
        answers.len()
    );
    for measure in &MEASURES {
        let mean = |right: bool| {
            let group: Vec<f64> = answers
                .iter()
                .filter(|a| a.right == right)
                .map(measure.value)
                .collect();
            group.iter().sum::<f64>() / group.len() as f64
        };
        println!(
            "\n{}: mean {:.4} on right answers, {:.4} on wrong ones; AUROC {:.4}",
            measure.name,
            mean(true),
            mean(false),
            auroc(&answers, measure)
        );
        let mut ranked: Vec<&Answer> = answers.iter().collect();
        ranked.sort_by(|a, b| (measure.uncertainty)(b).total_cmp(&(measure.uncertainty)(a)));
        for k in SET_ASIDE {
            let caught = ranked[..k].iter().filter(|a| !a.right).count();
            let kept = answers.len() - k;
            println!(
                "  the {k} most uncertain hold {caught} of the {wrong} mistakes; the other {kept} are {:.2}% right",
                100.0 * (kept - (wrong - caught)) as f64 / kept as f64
            );
        }
    }
    Ok(())
}

/// The probability that a random wrong answer is more uncertain than a random right one, ties
/// counting one half: 0.5 is a coin toss, 1 a perfect separation.
fn auroc(answers: &[Answer], measure: &Measure) -> f64 {
    let mut scored: Vec<(f64, bool)> = answers
        .iter()
        .map(|a| ((measure.uncertainty)(a), a.right))
        .collect();
    scored.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
    // Mann-Whitney: sum the ranks of the wrong answers, ties sharing their mean rank.
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let mean_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += mean_rank * scored[i..j].iter().filter(|s| !s.1).count() as f64;
        i = j;
    }
    let wrong = scored.iter().filter(|s| !s.1).count() as f64;
    let right = scored.len() as f64 - wrong;
    (rank_sum - wrong * (wrong + 1.0) / 2.0) / (wrong * right)
}
