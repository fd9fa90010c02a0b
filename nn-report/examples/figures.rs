//! The intuition figures of the docs, drawn with nn-core's math in nn-report's style:
//!
//! - `softmax_temperature.png` (chapter 2): softmax of one row of logits at five temperatures.
//! - `step_size.png` (chapter 6): gradient descent on a 1-D quadratic, the step size against
//!   the `2 / curvature` threshold where it starts to diverge.
//! - `fixed_batch_loss.png` (chapter 8): trains the default network on real MNIST and, through
//!   its last epoch, measures the loss of one fixed held-out batch after every step beside the
//!   loss of each training batch: the learning rate's effect apart from the sampling noise. Its
//!   numbers go to `fixed_batch_loss.csv` in the data folder.
//!
//! ```sh
//! cargo run --release -p nn-report --example figures             # all three, into docs/
//! cargo run --release -p nn-report --example figures -- --no-mnist   # the first two only
//! ```
//!
//! MNIST is read from `--data-dir`, else `$MNIST_DIR`, else `datasets/mnist` (fetch it with
//! `cargo run --release -p nn-train -- fetch`). The chapters that show these pictures:
//! `docs/02-softmax.md`, `docs/06-sgd-and-learning-rate.md`, `docs/08-reading-the-report.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use datasets::mnist::{self, Data, Mnist, shuffle_for_epoch};
use nn_core::softmax::softmax_with_temperature;
use nn_core::{Activations, Matrix, Mlp, sgd::Sgd};
use nn_report::canvas::Area;
use nn_report::plots::{
    self, captioned, draw_legend, empty_panel, log_range, log_tick, styled_mesh, titled,
};
use nn_report::save_png;
use nn_report::style;
use nn_run::config::TrainConfig;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

#[derive(Parser)]
#[command(about = "Draws the intuition figures of the docs into docs/images/")]
struct Args {
    /// Where the pictures go.
    #[arg(long, default_value_os_t = workspace().join("docs/images"))]
    out: PathBuf,
    /// Where the numbers behind the fixed-batch picture go.
    #[arg(long, default_value_os_t = workspace().join("docs/data/figures"))]
    data_out: PathBuf,
    /// The MNIST folder (default: $MNIST_DIR, else datasets/mnist).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Draw only the figures that need no data (no training).
    #[arg(long)]
    no_mnist: bool,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("nn-report sits inside the workspace")
        .to_path_buf()
}

fn main() -> Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = args.out.join("softmax_temperature.png");
    save_png(&path, (1600, 620), softmax_temperature)?;
    println!("wrote {}", path.display());
    let path = args.out.join("step_size.png");
    save_png(&path, (1600, 1150), step_size)?;
    println!("wrote {}", path.display());
    if args.no_mnist {
        return Ok(());
    }
    let dir = mnist::resolve_data_dir(args.data_dir);
    let data = mnist::load(&dir).with_context(|| {
        format!(
            "the fixed-batch figure trains on MNIST, which is not readable in {}: fetch it with \
             `cargo run --release -p nn-train -- fetch`, or pass --no-mnist",
            dir.display()
        )
    })?;
    let rates = fixed_batch_runs(data)?;
    std::fs::create_dir_all(&args.data_out)
        .with_context(|| format!("cannot create {}", args.data_out.display()))?;
    let csv = args.data_out.join("fixed_batch_loss.csv");
    nn_run::atomic::write_atomically(&csv, fixed_batch_summary(&rates).as_bytes())
        .with_context(|| format!("cannot write {}", csv.display()))?;
    println!("wrote {}", csv.display());
    let path = args.out.join("fixed_batch_loss.png");
    save_png(&path, (1600, 700), |root| fixed_batch_picture(root, &rates))?;
    println!("wrote {}", path.display());
    Ok(())
}

// Softmax at several temperatures (chapter 2).

/// The logits of chapter 2's worked example.
const LOGITS: [f32; 3] = [1.0, 2.0, 3.0];
const TEMPERATURES: [f32; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];

fn softmax_temperature(root: &Area) -> plots::Result {
    let root = titled(
        root,
        "Softmax of the logits z = (1, 2, 3) at five temperatures: p = softmax(z / T)",
        Some(
            "T < 1 sharpens towards the largest logit, T > 1 flattens towards uniform; the order never changes",
        ),
    )?;
    let panels = root.split_evenly((1, TEMPERATURES.len()));
    for (k, (area, &t)) in panels.iter().zip(&TEMPERATURES).enumerate() {
        let mut p = [0.0f32; 3];
        softmax_with_temperature(&LOGITS, t, &mut p);
        let area = captioned(area, &format!("T = {t}"))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(15)
            .x_label_area_size(60)
            .y_label_area_size(if k == 0 { 80 } else { 50 })
            .build_cartesian_2d(-0.5f64..2.5f64, 0.0f64..1.0f64)?;
        styled_mesh(&mut chart.configure_mesh())
            .disable_x_mesh()
            .x_desc("class i")
            .y_desc(if k == 0 { "probability p_i" } else { "" })
            .x_labels(3)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.1}"))
            .draw()?;
        let colour = style::lr_colour(k);
        chart.draw_series(p.iter().enumerate().map(|(i, &pi)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.32, 0.0), (x + 0.32, f64::from(pi))],
                colour.filled(),
            )
        }))?;
        let above = style::text(style::TICK).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(p.iter().enumerate().map(|(i, &pi)| {
            Text::new(
                if pi < 0.001 {
                    format!("{pi:.4}")
                } else {
                    format!("{pi:.3}")
                },
                (i as f64, f64::from(pi) + 0.015),
                above.clone(),
            )
        }))?;
    }
    Ok(())
}

// The step size on a 1-D quadratic (chapter 6).

/// `L(θ) = κ θ² / 2` with curvature `κ = 1`: a step `θ ← θ - η κ θ` multiplies `θ` by
/// `1 - η κ`, which shrinks it only while `0 < η < 2 / κ`.
const CURVATURE: f64 = 1.0;
const START: f64 = 2.0;
/// Step sizes, as multiples of `1 / κ`, and what each one does.
const STEP_SIZES: [(f64, &str); 4] = [
    (0.2, "creeps"),
    (0.8, "fast"),
    (1.6, "zigzags in"),
    (2.1, "diverges"),
];
const STEPS: usize = 8;

/// `θ_0 … θ_steps` of gradient descent on the quadratic.
fn descent(eta: f64, steps: usize) -> Vec<f64> {
    let mut theta = vec![START];
    for _ in 0..steps {
        let t = *theta.last().expect("starts with one value");
        theta.push(t - eta * CURVATURE * t);
    }
    theta
}

fn quadratic(theta: f64) -> f64 {
    0.5 * CURVATURE * theta * theta
}

fn step_size(root: &Area) -> plots::Result {
    let root = titled(
        root,
        "Gradient descent on L(θ) = κθ²/2 with κ = 1: each step multiplies θ by 1 − ηκ",
        Some(
            "below η = 1/κ it stays on one side; between 1/κ and 2/κ it overshoots but shrinks; above 2/κ it diverges",
        ),
    )?;
    let (height, width) = (root.dim_in_pixel().1, root.dim_in_pixel().0);
    let (top, bottom) = root.split_vertically(height * 11 / 20);
    let panels = top.split_evenly((1, STEP_SIZES.len()));
    let extent = 4.6;
    for (k, (area, &(eta, what))) in panels.iter().zip(&STEP_SIZES).enumerate() {
        let area = captioned(area, &format!("η = {eta}/κ: {what}"))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(if k == 0 { 70 } else { 45 })
            .build_cartesian_2d(-extent..extent, 0.0..quadratic(extent))?;
        styled_mesh(&mut chart.configure_mesh())
            .x_desc("θ")
            .y_desc(if k == 0 { "L(θ)" } else { "" })
            .x_labels(5)
            .y_labels(4)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        let curve = (0..=200).map(|s| {
            let theta = -extent + 2.0 * extent * f64::from(s) / 200.0;
            (theta, quadratic(theta))
        });
        chart.draw_series(LineSeries::new(curve, style::GREY.stroke_width(2)))?;
        let colour = style::lr_colour(k);
        let path: Vec<(f64, f64)> = descent(eta, STEPS)
            .into_iter()
            .filter(|t| t.abs() <= extent)
            .map(|t| (t, quadratic(t)))
            .collect();
        chart.draw_series(LineSeries::new(path.clone(), colour.stroke_width(2)))?;
        chart.draw_series(path.iter().map(|&p| Circle::new(p, 5, colour.filled())))?;
        chart.draw_series([Circle::new(path[0], 9, colour.stroke_width(3))])?;
    }
    // Below: how far from the minimum after each step, on a log scale.
    let steps = 2 * STEPS;
    let paths: Vec<Vec<f64>> = STEP_SIZES
        .iter()
        .map(|&(eta, _)| descent(eta, steps))
        .collect();
    let y_range = log_range(paths.iter().flatten().map(|t| t.abs()))
        .expect("the descents are finite and non-zero");
    let (left, right) = bottom.split_horizontally(width * 3 / 4);
    let lines = [
        "Each step: θ ← θ − ηκθ = (1 − ηκ)θ.",
        "It shrinks while |1 − ηκ| < 1,",
        "that is while 0 < η < 2/κ;",
        "at η = 1/κ it lands in one step.",
        "",
        "A network's loss has a curvature",
        "along every direction: the",
        "sharpest one sets the limit.",
    ];
    for (row, line) in lines.iter().enumerate() {
        right.draw_text(line, &style::text(style::TICK), (10, 80 + 34 * row as i32))?;
    }
    let area = captioned(
        &left,
        "distance to the minimum, |θ|, after each step: a straight line on a log scale",
    )?;
    let mut chart = ChartBuilder::on(&area)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..steps as f64, y_range.log_scale())?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("step t")
        .y_desc("|θ_t| (log scale)")
        .x_labels(steps / 2 + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&power_of_ten)
        .draw()?;
    for (k, (path, &(eta, _))) in paths.iter().zip(&STEP_SIZES).enumerate() {
        let colour = style::lr_colour(k);
        let points: Vec<(f64, f64)> = path
            .iter()
            .enumerate()
            .map(|(t, theta)| (t as f64, theta.abs()))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?
            .label(format!(
                "η = {eta}/κ: |1 − ηκ| = {:.1}",
                (1.0 - eta * CURVATURE).abs()
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4))
            });
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)
}

/// A log axis's number: `0.01` up to `1000` as is, smaller and larger ones as `10⁻⁶`.
fn power_of_ten(value: &f64) -> String {
    let exponent = value.log10().round() as i32;
    if (-2..=3).contains(&exponent) {
        return log_tick(value);
    }
    let digits: String = exponent
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect();
    format!("10{digits}")
}

// The loss of one fixed batch after every step (chapter 8).

/// Three learning rates of the default run (`nn-train` with no flags), trained with its
/// recipe, `TrainConfig::default()`.
const RATES: [f32; 3] = [0.005, 0.05, 0.5];
/// The fixed batch: the first `PROBE` validation images, never trained on.
const PROBE: usize = 64;

/// What one learning rate's last epoch looked like.
struct FixedBatchRun {
    lr: f32,
    /// `(step, loss)` of each training batch, before its update.
    train: Vec<(f64, f64)>,
    /// `(step, loss)` of the fixed batch after that step's update.
    probe: Vec<(f64, f64)>,
    /// The loss of every training batch of the last epoch under the final weights, frozen:
    /// the spread that is sampling alone.
    frozen: Vec<f64>,
}

/// Trains the default network at each of [`RATES`] for the default number of epochs, as
/// `nn-train` does, and records the last epoch.
fn fixed_batch_runs(mnist: Mnist) -> Result<Vec<FixedBatchRun>> {
    let recipe = TrainConfig::default();
    let Data {
        train, validation, ..
    } = mnist.split(recipe.val_size, recipe.train_limit)?;
    let probe_indices: Vec<usize> = (0..PROBE).collect();
    let (mut probe_x, mut probe_labels) = (Matrix::default(), Vec::new());
    validation.gather_batch(&probe_indices, &mut probe_x, &mut probe_labels);
    let epochs = recipe.epochs;
    let mut runs = Vec::new();
    for lr in RATES {
        let started = Instant::now();
        let mut model = Mlp::new(&recipe.layer_sizes(), recipe.seed);
        let mut sgd = Sgd::new(lr)
            .with_momentum(recipe.momentum)
            .with_weight_decay(recipe.weight_decay);
        let mut grads = model.zeros_like();
        let (mut acts, mut probe_acts) = (Activations::new(), Activations::new());
        let (mut x, mut labels, mut order) = (Matrix::default(), Vec::new(), Vec::new());
        let mut run = FixedBatchRun {
            lr,
            train: Vec::new(),
            probe: Vec::new(),
            frozen: Vec::new(),
        };
        let mut step = 0usize;
        for epoch in 1..=epochs {
            shuffle_for_epoch(&mut order, train.len(), recipe.seed, epoch);
            for batch in order.chunks(recipe.batch_size) {
                train.gather_batch(batch, &mut x, &mut labels);
                let loss = model.forward_loss(&x, &labels, &mut acts);
                anyhow::ensure!(loss.is_finite(), "lr {lr} diverged at step {}", step + 1);
                model.backward(&x, &labels, &mut acts, &mut grads);
                sgd.step(&mut model, &grads);
                step += 1;
                if epoch == epochs {
                    let probe = model.forward_loss(&probe_x, &probe_labels, &mut probe_acts);
                    run.train.push((step as f64, f64::from(loss)));
                    run.probe.push((step as f64, f64::from(probe)));
                }
            }
        }
        for batch in order.chunks(recipe.batch_size) {
            train.gather_batch(batch, &mut x, &mut labels);
            run.frozen
                .push(f64::from(model.forward_loss(&x, &labels, &mut acts)));
        }
        println!(
            "lr {lr}: {epochs} epochs in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        runs.push(run);
    }
    Ok(runs)
}

/// Mean and standard deviation (of the values themselves, not an estimate for a larger
/// population).
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn fixed_batch_summary(runs: &[FixedBatchRun]) -> String {
    let mut csv = String::from(
        "lr,train_batch_mean,train_batch_sd,frozen_batch_sd,probe_mean,probe_sd,probe_mean_abs_step_change\n",
    );
    for run in runs {
        let losses = |points: &[(f64, f64)]| points.iter().map(|&(_, l)| l).collect::<Vec<_>>();
        let (train, probe) = (losses(&run.train), losses(&run.probe));
        let (train_mean, train_sd) = mean_sd(&train);
        let (_, frozen_sd) = mean_sd(&run.frozen);
        let (probe_mean, probe_sd) = mean_sd(&probe);
        let changes: Vec<f64> = probe.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let (change, _) = mean_sd(&changes);
        writeln!(
            csv,
            "{},{train_mean:.6},{train_sd:.6},{frozen_sd:.6},{probe_mean:.6},{probe_sd:.6},{change:.6}",
            run.lr
        )
        .expect("writing to a String cannot fail");
    }
    csv
}

fn fixed_batch_picture(root: &Area, runs: &[FixedBatchRun]) -> plots::Result {
    let root = titled(
        root,
        &format!(
            "The last epoch ({}) of the default recipe: sampling noise and the learning rate, apart",
            TrainConfig::default().epochs
        ),
        Some(&format!(
            "faint: the loss of each training batch, new examples every step; dark: the loss of one fixed batch of {PROBE} validation images after every step"
        )),
    )?;
    let all = runs
        .iter()
        .flat_map(|r| r.train.iter().chain(&r.probe).map(|&(_, l)| l));
    let Some(y_range) = log_range(all) else {
        return empty_panel(&root, "", "no finite loss was recorded");
    };
    let first = runs[0].train[0].0;
    let last = runs[0].train.last().expect("a last epoch").0;
    let panels = root.split_evenly((1, runs.len()));
    // Each rate in the colour it has in the default run's pictures.
    let default_rates = TrainConfig::default().learning_rates;
    for (k, (area, run)) in panels.iter().zip(runs).enumerate() {
        let colour = style::lr_colour(
            default_rates
                .iter()
                .position(|&r| r == run.lr)
                .expect("RATES are learning rates of the default run"),
        );
        let (_, train_sd) = mean_sd(&run.train.iter().map(|&(_, l)| l).collect::<Vec<_>>());
        let area = captioned(
            area,
            &format!("η = {}: sd of the batch losses {train_sd:.3}", run.lr),
        )?;
        let mut chart = ChartBuilder::on(&area)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(if k == 0 { 90 } else { 60 })
            .build_cartesian_2d(first..last, y_range.clone().log_scale())?;
        styled_mesh(&mut chart.configure_mesh())
            .x_desc("step")
            .y_desc(if k == 0 { "loss (log scale)" } else { "" })
            .x_labels(4)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&log_tick)
            .draw()?;
        chart.draw_series(LineSeries::new(
            run.train.clone(),
            style::faded(colour, 0.35).stroke_width(1),
        ))?;
        chart.draw_series(LineSeries::new(
            run.probe.clone(),
            style::darker(colour).stroke_width(2),
        ))?;
    }
    Ok(())
}
