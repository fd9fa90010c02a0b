//! Per-epoch curves, one colour per learning rate and two panels side by side on a shared
//! y axis: `loss_curves.png` (training and validation loss, log scale) and `accuracy.png`
//! (validation and test accuracy).

use std::ops::Range;

use super::Result;
use nn_run::run_dir::EpochMetrics;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use super::{
    captioned, clamp_into, draw_diverged_marker, draw_legend, empty_panel, linear_range, log_range,
    log_tick, styled_mesh, titled,
};
use crate::canvas::Area;
use crate::run_data::RunData;
use crate::style;

/// One learning rate's curve in a panel.
struct Curve {
    label: String,
    colour: RGBColor,
    /// (epoch, value) for every epoch with a value that can be drawn, in order.
    points: Vec<(f64, f64)>,
    /// The epoch the learning rate diverged in, and its value then (NaN if not finite).
    diverged: Option<(f64, f64)>,
}

/// A panel's y axis.
enum Scale {
    Linear(Range<f64>),
    Log(Range<f64>),
}

impl Scale {
    fn range(&self) -> &Range<f64> {
        match self {
            Scale::Linear(r) | Scale::Log(r) => r,
        }
    }

    /// Its numbers: whole percentages (ranges are made at least 10 wide), or powers of ten.
    fn format(&self, value: &f64) -> String {
        match self {
            Scale::Linear(_) => format!("{value:.0}"),
            Scale::Log(_) => log_tick(value),
        }
    }
}

/// A panel: a title, what its y axis shows, and the curves.
struct Panel<'a> {
    title: &'a str,
    y_desc: &'a str,
    /// Why there are no curves, when there are none.
    if_empty: &'a str,
    curves: Vec<Curve>,
}

/// Draws `loss_curves.png`: training loss (left) and validation loss (right) after each epoch,
/// on a log scale. See `docs/08-reading-the-report.md`.
pub fn loss_curves(root: &Area, data: &RunData) -> Result<()> {
    let panels = [
        Panel {
            title: "training loss (mean over the epoch)",
            y_desc: "cross-entropy loss (log scale)",
            if_empty: "no epoch has finished yet",
            curves: curves(data, |m| Some(m.train_loss)),
        },
        Panel {
            title: "validation loss (after the epoch)",
            y_desc: "cross-entropy loss (log scale)",
            if_empty: "this run holds out no validation set",
            curves: curves(data, |m| m.val_loss),
        },
    ];
    // Every value that can sit on a log axis, diverged ones included: the shared range shows
    // how far a diverging learning rate climbed.
    let values = panels
        .iter()
        .flat_map(|p| &p.curves)
        .flat_map(|c| c.points.iter().chain(&c.diverged).map(|&(_, v)| v));
    let scale = log_range(values).map(Scale::Log);
    // Losses fall towards the bottom right, leaving the top right free for the legend.
    let legend = SeriesLabelPosition::UpperRight;
    draw_pair(root, "Loss after each epoch", &panels, scale, legend, data)
}

/// Draws `accuracy.png`: validation accuracy (left) and test accuracy (right) after each
/// epoch. See `docs/08-reading-the-report.md`.
pub fn accuracy(root: &Area, data: &RunData) -> Result<()> {
    let percent = |v: Option<f64>| v.map(|a| 100.0 * a);
    let panels = [
        Panel {
            title: "validation accuracy",
            y_desc: "accuracy (%)",
            if_empty: "this run holds out no validation set",
            curves: curves(data, |m| percent(m.val_accuracy)),
        },
        Panel {
            title: "test accuracy",
            y_desc: "accuracy (%)",
            if_empty: "no epoch has finished yet",
            curves: curves(data, |m| percent(Some(m.test_accuracy))),
        },
    ];
    // The range is set by the learning rates that did not diverge: a network that blew up
    // sits near chance (10%) and would squeeze the differences that matter into a sliver.
    let healthy = |panel: &Panel| -> Vec<f64> {
        let curves = panel.curves.iter();
        curves
            .filter(|c| c.diverged.is_none())
            .flat_map(|c| c.points.iter().map(|&(_, v)| v))
            .collect()
    };
    let mut values: Vec<f64> = panels.iter().flat_map(healthy).collect();
    if values.is_empty() {
        let all = panels
            .iter()
            .flat_map(|p| &p.curves)
            .flat_map(|c| &c.points);
        values = all.map(|&(_, v)| v).collect();
    }
    // Accuracies rise towards the top right, leaving the bottom right free for the legend;
    // but a dip late in training (a learning rate that oscillates) would hide behind it, so
    // the axis reaches low enough to keep the legend's corner empty.
    let top = values.iter().copied().fold(f64::MIN, f64::max);
    if let Some(floor) = legend_corner_floor(&panels, data.config.epochs, top) {
        values.push(floor);
    }
    let scale = linear_range(values, 10.0, 0.0..100.0).map(Scale::Linear);
    let legend = SeriesLabelPosition::LowerRight;
    draw_pair(
        root,
        "Accuracy after each epoch",
        &panels,
        scale,
        legend,
        data,
    )
}

/// The lowest the y axis must reach so that no point of the last epochs falls in the lower
/// right corner, where the legend goes: the legend is about `LEGEND_ROW` of the panel's height
/// per learning rate (plus a margin) and covers the last 45% of the epochs.
fn legend_corner_floor(panels: &[Panel; 2], epochs: usize, top: f64) -> Option<f64> {
    const LEGEND_ROW: f64 = 0.075;
    let rows = panels.iter().map(|p| p.curves.len()).max().unwrap_or(0) as f64;
    let height = (LEGEND_ROW * rows + 0.06).min(0.6);
    let in_corner = |&(epoch, _): &(f64, f64)| epoch > 0.55 * epochs as f64;
    let lowest = panels
        .iter()
        .flat_map(|p| &p.curves)
        .filter(|c| c.diverged.is_none())
        .flat_map(|c| c.points.iter().filter(|p| in_corner(p)).map(|&(_, v)| v))
        .fold(None, |low: Option<f64>, v| {
            Some(low.map_or(v, |l| l.min(v)))
        })?;
    // The corner spans `height` of the axis from its bottom: lowest must sit above it.
    Some(lowest - height / (1.0 - height) * (top - lowest))
}

/// The curves of one quantity: `value` of every epoch of every learning rate.
fn curves(data: &RunData, value: impl Fn(&EpochMetrics) -> Option<f64>) -> Vec<Curve> {
    data.with_epochs()
        .map(|rate| {
            let drawable = |m: &EpochMetrics| value(m).filter(|v| v.is_finite() && *v > 0.0);
            Curve {
                label: rate.label(),
                colour: style::lr_colour(rate.index),
                points: rate
                    .epochs
                    .iter()
                    .filter_map(|m| Some((m.epoch as f64, drawable(m)?)))
                    .collect(),
                diverged: rate
                    .epochs
                    .iter()
                    .find(|m| m.diverged)
                    .map(|m| (m.epoch as f64, drawable(m).unwrap_or(f64::NAN))),
            }
        })
        .filter(|c| !c.points.is_empty() || c.diverged.is_some())
        .collect()
}

/// The picture's title over two panels side by side.
fn draw_pair(
    root: &Area,
    title: &str,
    panels: &[Panel; 2],
    scale: Option<Scale>,
    legend: SeriesLabelPosition,
    data: &RunData,
) -> Result<()> {
    let root = titled(root, title, None)?;
    let (width, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(width / 2);
    let epochs = data.config.epochs.max(1);
    for (area, panel) in [left, right].iter().zip(panels) {
        let legend = legend.clone();
        match &scale {
            Some(s) if !panel.curves.is_empty() => match s {
                Scale::Linear(r) => draw_panel(area, panel, epochs, r.clone(), s, legend)?,
                Scale::Log(r) => draw_panel(area, panel, epochs, r.clone().log_scale(), s, legend)?,
            },
            _ => empty_panel(area, panel.title, panel.if_empty)?,
        }
    }
    Ok(())
}

/// One panel; `y_spec` is the plotters form of `scale`.
fn draw_panel<Y>(
    area: &Area,
    panel: &Panel,
    epochs: usize,
    y_spec: Y,
    scale: &Scale,
    legend: SeriesLabelPosition,
) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let range = scale.range();
    let area = captioned(area, panel.title)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(0.5..epochs as f64 + 0.5, y_spec)?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("epoch")
        .y_desc(panel.y_desc)
        .x_labels(epochs.min(20))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| scale.format(y))
        .draw()?;
    for curve in &panel.curves {
        let colour = curve.colour;
        let points: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|&(x, y)| (x, clamp_into(y, range)))
            .collect();
        let series = chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?;
        // In the legend, a line for a learning rate that trained and a cross for one that
        // diverged.
        let diverged = curve.diverged.is_some();
        series.label(&curve.label).legend(move |(x, y)| {
            if diverged {
                Cross::new((x + 12, y), 9, colour.stroke_width(4)).into_dyn()
            } else {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4)).into_dyn()
            }
        });
        // A dot per epoch; the epoch a rate diverged in gets its cross instead.
        let diverged_epoch = curve.diverged.map(|(epoch, _)| epoch);
        let dots = points.iter().filter(|p| Some(p.0) != diverged_epoch);
        chart.draw_series(dots.map(|&p| Circle::new(p, 5, colour.filled())))?;
        if let Some((epoch, value)) = curve.diverged {
            draw_diverged_marker(&chart, (epoch, clamp_into(value, range)), colour)?;
        }
    }
    draw_legend(&mut chart, legend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(curves: Vec<Vec<(f64, f64)>>) -> Panel<'static> {
        Panel {
            title: "",
            y_desc: "",
            if_empty: "",
            curves: curves
                .into_iter()
                .map(|points| Curve {
                    label: String::new(),
                    colour: RGBColor(0, 0, 0),
                    points,
                    diverged: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_late_dip_stays_above_the_legend_corner() {
        // Two curves near 97%, one dipping to 88.7% at epoch 7 of 10.
        let steady = (1..=10).map(|e| (e as f64, 97.0)).collect();
        let dipping = (1..=10)
            .map(|e| (e as f64, if e == 7 { 88.7 } else { 96.0 }))
            .collect();
        let panels = [panel(vec![steady, dipping]), panel(vec![])];
        let floor = legend_corner_floor(&panels, 10, 97.0).unwrap();
        // Two rows of legend: 0.21 of the axis from its bottom must lie below the dip.
        let height = 0.075 * 2.0 + 0.06;
        assert!(
            floor + height * (97.0 - floor) <= 88.7 + 1e-9,
            "floor {floor}"
        );
        assert!(floor < 88.7);
    }

    #[test]
    fn early_points_do_not_move_the_axis() {
        let rising = (1..=10).map(|e| (e as f64, 80.0 + e as f64)).collect();
        let panels = [panel(vec![rising]), panel(vec![])];
        // Only epochs 6 to 10 (86 to 90) fall under the legend's width.
        let floor = legend_corner_floor(&panels, 10, 90.0).unwrap();
        let height = 0.075 + 0.06;
        assert!(
            (floor - (86.0 - height / (1.0 - height) * 4.0)).abs() < 1e-9,
            "floor {floor}"
        );
    }
}
