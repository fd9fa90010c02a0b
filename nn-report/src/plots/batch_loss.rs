//! `batch_loss.png`: the loss of every SGD step, one panel per learning rate on shared axes,
//! the raw losses faint and their moving average on top.

use super::Result;
use plotters::prelude::*;

use super::{clamp_into, draw_diverged_marker, log_range, log_tick, styled_mesh};
use crate::canvas::Area;
use crate::metrics::moving_average;
use crate::run_data::{RateHistory, RunData};
use crate::style::{self, TICK};

/// The moving average spans 1/`SMOOTHING_FRACTION` of the longest run's steps (a tenth of an
/// epoch in a ten-epoch run), and at least `MIN_WINDOW` steps: long enough to smooth the noise,
/// short enough to follow the trend. See `docs/08-reading-the-report.md`.
const SMOOTHING_FRACTION: usize = 100;
const MIN_WINDOW: usize = 5;

/// Draws `batch_loss.png`: the loss of every step, one panel per learning rate, with its moving
/// average. See `docs/08-reading-the-report.md`.
pub fn batch_loss(root: &Area, data: &RunData) -> Result<()> {
    let rates: Vec<&RateHistory> = data.with_batches().collect();
    let last_step = rates
        .iter()
        .flat_map(|r| r.batches.last())
        .map(|b| b.step)
        .max()
        .unwrap_or(1);
    let window = (last_step as usize / SMOOTHING_FRACTION).max(MIN_WINDOW);
    let subtitle =
        format!("faint: the loss of each mini-batch; dark: its mean over the last {window} steps");
    let root = super::titled(root, "Loss of every SGD step", Some(&subtitle))?;
    let Some(y_range) = log_range(rates.iter().flat_map(|r| losses(r)).map(|(_, loss)| loss))
    else {
        return super::empty_panel(&root, "", "no finite loss was logged");
    };
    let columns = match rates.len() {
        0..=1 => 1,
        2..=4 => 2,
        _ => 3,
    };
    let panels = root.split_evenly((rates.len().div_ceil(columns), columns));
    for (area, rate) in panels.iter().zip(rates) {
        let colour = style::lr_colour(rate.index);
        let points = losses(rate);
        let smoothed: Vec<f64> =
            moving_average(&points.iter().map(|&(_, l)| l).collect::<Vec<_>>(), window);
        let area = super::captioned(area, &caption(rate))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..last_step as f64, y_range.clone().log_scale())?;
        // Six panels share the width: axis names at the size of the numbers.
        styled_mesh(&mut chart.configure_mesh())
            .x_desc("step")
            .y_desc("loss (log scale)")
            .x_labels(5)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&log_tick)
            .axis_desc_style(style::text(TICK))
            .draw()?;
        let raw = style::faded(colour, 0.35).stroke_width(1);
        chart.draw_series(LineSeries::new(points.clone(), raw))?;
        let averaged = points
            .iter()
            .zip(smoothed)
            .map(|(&(step, _), mean)| (step, mean));
        chart.draw_series(LineSeries::new(
            averaged,
            style::darker(colour).stroke_width(3),
        ))?;
        if rate.diverged_at().is_some()
            && let Some(last) = rate.batches.last()
        {
            let loss = clamp_into(f64::from(last.loss), &y_range);
            draw_diverged_marker(&chart, (last.step as f64, loss), colour)?;
        }
    }
    Ok(())
}

/// `lr 0.1`, or `lr 5, diverged at step 3`: here the step says more than the epoch.
fn caption(rate: &RateHistory) -> String {
    match (rate.diverged_at(), rate.batches.last()) {
        (Some(_), Some(last)) => format!("lr {}, diverged at step {}", rate.lr, last.step),
        _ => rate.label(),
    }
}

/// (step, loss) of every step whose loss can sit on a log axis.
fn losses(rate: &RateHistory) -> Vec<(f64, f64)> {
    rate.batches
        .iter()
        .map(|b| (b.step as f64, f64::from(b.loss)))
        .filter(|&(_, loss)| loss.is_finite() && loss > 0.0)
        .collect()
}
