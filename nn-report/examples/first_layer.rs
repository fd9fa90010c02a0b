//! What training did to the first layer of a run's chosen model, the numbers behind chapter 8's
//! reading of `weights.png` (`docs/08-reading-the-report.md`): the pixels that are never inked
//! in the training images, whether their rows of `W_1` still hold their initial values, and how
//! far each of the first hidden units moved from its start.
//!
//! ```sh
//! cargo run --release -p nn-report --example first_layer -- runs/2026-11-27T23-04-52Z
//! ```

use std::path::PathBuf;

use anyhow::{Result, anyhow, ensure};
use clap::Parser;
use datasets::mnist::{self, IMAGE_PIXELS};
use nn_core::Mlp;
use nn_report::evaluation::BestModel;
use nn_report::run_data::RunData;
use nn_run::run_dir::RunDir;

#[derive(Parser)]
#[command(about = "Compares a run's chosen first layer with the weights it started from")]
struct Args {
    /// The run directory whose chosen model is read.
    run: PathBuf,
    /// The MNIST folder (default: $MNIST_DIR, else datasets/mnist).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// How many hidden units to report on, from unit 0.
    #[arg(long, default_value_t = 8)]
    units: usize,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let run = RunDir::open(&args.run)?;
    let data = RunData::read(&run, &mut Vec::new())?;
    let best = BestModel::load(&data).map_err(|why| anyhow!(why))?;
    let config = &data.config;
    // The images the run trained on.
    let train = mnist::load(&mnist::resolve_data_dir(args.data_dir))?
        .split(config.val_size, config.train_limit)?
        .train;
    let mut inked = vec![false; IMAGE_PIXELS];
    for n in 0..train.len() {
        for (i, &pixel) in train.image(n).iter().enumerate() {
            inked[i] |= pixel > 0;
        }
    }
    let start = Mlp::new(&config.layer_sizes(), config.seed);
    let (w0, w) = (&start.layers()[0].weights, &best.model.layers()[0].weights);
    ensure!(
        w0.shape() == w.shape(),
        "the checkpoint's first layer is not the run's"
    );
    let hidden = w.cols();
    let never: Vec<usize> = (0..IMAGE_PIXELS).filter(|&i| !inked[i]).collect();
    let untouched = never
        .iter()
        .filter(|&&i| (0..hidden).all(|j| w.get(i, j).to_bits() == w0.get(i, j).to_bits()))
        .count();
    let changed = (0..IMAGE_PIXELS)
        .filter(|&i| inked[i] && (0..hidden).any(|j| w.get(i, j) != w0.get(i, j)))
        .count();
    let side = mnist::IMAGE_SIDE as usize;
    let border = never
        .iter()
        .map(|&i| {
            let (r, c) = (i / side, i % side);
            r.min(c).min(side - 1 - r).min(side - 1 - c)
        })
        .max()
        .unwrap_or(0);
    println!(
        "{} ({}): {} training images",
        args.run.display(),
        best.describe(),
        train.len()
    );
    println!(
        "{} pixels are never inked, all within {} pixels of the border; {untouched} of their rows of W1 \
         still hold their initial values bit for bit",
        never.len(),
        border + 1
    );
    println!(
        "{changed} of the {} inked pixels' rows have changed",
        IMAGE_PIXELS - never.len()
    );
    for j in 0..args.units.min(hidden) {
        let (mut moved, mut size) = (0.0f64, 0.0f64);
        for i in 0..IMAGE_PIXELS {
            let (now, then) = (f64::from(w.get(i, j)), f64::from(w0.get(i, j)));
            moved += (now - then).powi(2);
            size += then.powi(2);
        }
        println!(
            "unit {j}: its column of W1 moved by {:.0}% of its initial size",
            100.0 * (moved / size).sqrt()
        );
    }
    Ok(())
}
