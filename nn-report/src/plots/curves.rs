//! Per-epoch curves on two panels side by side with a shared y axis: `loss_curves.png`
//! (training and validation loss, log scale) and `accuracy.png` (validation and test accuracy)
//! of one run, one colour per learning rate; and the same of several runs in
//! `compare_loss_curves.png` and `compare_accuracy.png`, where the colour is the learning rate
//! and the line and dot shapes are the run.

use std::ops::Range;

use nn_run::run_dir::EpochMetrics;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    EpochAxes, Result, captioned, clamp_into, draw_diverged_marker, draw_legend, empty_panel,
    epoch_chart, linear_range, log_range, log_tick, titled,
};
use crate::canvas::{Area, Canvas};
use crate::run_data::RunData;
use crate::style;

/// One learning rate's curve in a panel.
struct Curve {
    label: String,
    colour: RGBColor,
    look: Look,
    /// (epoch, value) for every epoch with a value that can be drawn, in order.
    points: Vec<(f64, f64)>,
    /// The epoch the learning rate diverged in, and its value then (NaN if not finite).
    diverged: Option<(f64, f64)>,
}

/// How a curve's line and its dots are drawn: every curve of one run looks the same, and in a
/// comparison each run has its own look, so the colour is free to name the learning rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    line: Line,
    dot: Dot,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dot {
    Circle,
    Triangle,
    Square,
    Diamond,
}

impl Look {
    /// The look of the `index`-th run of a comparison: twelve before one repeats.
    pub fn of_run(index: usize) -> Look {
        const LINES: [Line; 3] = [Line::Solid, Line::Dashed, Line::Dotted];
        const DOTS: [Dot; 4] = [Dot::Circle, Dot::Triangle, Dot::Square, Dot::Diamond];
        Look {
            line: LINES[index % LINES.len()],
            dot: DOTS[index % DOTS.len()],
        }
    }

    /// Draws `points` as a line of this look.
    fn draw_line<X, Y>(
        self,
        chart: &mut ChartContext<Canvas, Cartesian2d<X, Y>>,
        points: &[(f64, f64)],
        colour: RGBColor,
    ) -> Result
    where
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let stroke = colour.stroke_width(3);
        let points = points.to_vec();
        match self.line {
            Line::Solid => chart.draw_series(LineSeries::new(points, stroke))?,
            Line::Dashed => chart.draw_series(DashedLineSeries::new(points, 14, 8, stroke))?,
            Line::Dotted => chart.draw_series(DottedLineSeries::new(points, 0, 9, move |c| {
                Circle::new(c, 2, colour.filled())
            }))?,
        };
        Ok(())
    }

    /// A dot of this look, centred on the point of the element it is added to.
    fn dot<DB: DrawingBackend>(self, colour: RGBColor) -> DynElement<'static, DB, (i32, i32)> {
        let fill = colour.filled();
        match self.dot {
            Dot::Circle => Circle::new((0, 0), 5, fill).into_dyn(),
            Dot::Triangle => TriangleMarker::new((0, 0), 7, fill).into_dyn(),
            Dot::Square => Rectangle::new([(-5, -5), (5, 5)], fill).into_dyn(),
            Dot::Diamond => Polygon::new(vec![(0, -7), (7, 0), (0, 7), (-7, 0)], fill).into_dyn(),
        }
    }

    /// A short sample of the line with a dot in its middle, for a legend, starting at `(x, y)`.
    fn sample(self, area: &Area, (x, y): (i32, i32), width: i32, colour: RGBColor) -> Result {
        let stroke = colour.stroke_width(3);
        let path = vec![(x, y), (x + width, y)];
        match self.line {
            Line::Solid => area.draw(&PathElement::new(path, stroke))?,
            Line::Dashed => {
                for start in (x..x + width).step_by(14) {
                    let end = (start + 8).min(x + width);
                    area.draw(&PathElement::new(vec![(start, y), (end, y)], stroke))?;
                }
            }
            Line::Dotted => {
                for at in (x..=x + width).step_by(9) {
                    area.draw(&Circle::new((at, y), 2, colour.filled()))?;
                }
            }
        }
        let dot = EmptyElement::at((x + width / 2, y)) + self.dot(colour);
        area.draw(&dot)
    }
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

/// Where a picture's legend goes: in a corner of each panel (one run), or as a key under
/// both panels, learning rates by colour and runs by look (a comparison), which stays
/// readable however many curves there are.
enum Legend<'a> {
    Inside(SeriesLabelPosition),
    Key(&'a [(String, Look)], &'a [(f32, RGBColor)]),
}

/// The two loss panels, their curves made by `curves` from a value of each epoch.
fn loss_panels<'a>(
    curves: impl Fn(&dyn Fn(&EpochMetrics) -> Option<f64>) -> Vec<Curve>,
) -> [Panel<'a>; 2] {
    [
        Panel {
            title: "training loss (mean over the epoch)",
            y_desc: "cross-entropy loss (log scale)",
            if_empty: "no epoch has finished yet",
            curves: curves(&|m| Some(m.train_loss)),
        },
        Panel {
            title: "validation loss (after the epoch)",
            y_desc: "cross-entropy loss (log scale)",
            if_empty: "no run holds out a validation set",
            curves: curves(&|m| m.val_loss),
        },
    ]
}

/// The shared log axis of the loss panels: every value that can sit on it, diverged ones
/// included, so it shows how far a diverging learning rate climbed.
fn loss_scale(panels: &[Panel; 2]) -> Option<Scale> {
    let values = panels
        .iter()
        .flat_map(|p| &p.curves)
        .flat_map(|c| c.points.iter().chain(&c.diverged).map(|&(_, v)| v));
    log_range(values).map(Scale::Log)
}

/// The two accuracy panels, in percent.
fn accuracy_panels<'a>(
    curves: impl Fn(&dyn Fn(&EpochMetrics) -> Option<f64>) -> Vec<Curve>,
) -> [Panel<'a>; 2] {
    [
        Panel {
            title: "validation accuracy",
            y_desc: "accuracy (%)",
            if_empty: "no run holds out a validation set",
            curves: curves(&|m| m.val_accuracy.map(|a| 100.0 * a)),
        },
        Panel {
            title: "test accuracy",
            y_desc: "accuracy (%)",
            if_empty: "no epoch has finished yet",
            curves: curves(&|m| Some(100.0 * m.test_accuracy)),
        },
    ]
}

/// The values that set the accuracy axis: those of the learning rates that did not diverge.
/// A network that blew up sits near chance (10%) and would squeeze the differences that
/// matter into a sliver; it is drawn on the bottom edge instead.
fn healthy_accuracies(panels: &[Panel; 2]) -> Vec<f64> {
    let healthy: Vec<f64> = panels
        .iter()
        .flat_map(|p| &p.curves)
        .filter(|c| c.diverged.is_none())
        .flat_map(|c| c.points.iter().map(|&(_, v)| v))
        .collect();
    if !healthy.is_empty() {
        return healthy;
    }
    let all = panels
        .iter()
        .flat_map(|p| &p.curves)
        .flat_map(|c| &c.points);
    all.map(|&(_, v)| v).collect()
}

/// Draws `loss_curves.png`: training loss (left) and validation loss (right) after each epoch,
/// on a log scale. See `docs/08-reading-the-report.md`.
pub fn loss_curves(root: &Area, data: &RunData) -> Result {
    let panels = loss_panels(|value| curves(data, value));
    let scale = loss_scale(&panels);
    // Losses fall towards the bottom right, leaving the top right free for the legend.
    let legend = Legend::Inside(SeriesLabelPosition::UpperRight);
    let root = titled(root, "Loss after each epoch", None)?;
    draw_pair(&root, &panels, scale, &legend, data.config.epochs)
}

/// Draws `accuracy.png`: validation accuracy (left) and test accuracy (right) after each
/// epoch. See `docs/08-reading-the-report.md`.
pub fn accuracy(root: &Area, data: &RunData) -> Result {
    let panels = accuracy_panels(|value| curves(data, value));
    let mut values = healthy_accuracies(&panels);
    // Accuracies rise towards the top right, leaving the bottom right free for the legend;
    // but a dip late in training (a learning rate that oscillates) would hide behind it, so
    // the axis reaches low enough to keep the legend's corner empty.
    let top = values.iter().copied().fold(f64::MIN, f64::max);
    if let Some(floor) = legend_corner_floor(&panels, data.config.epochs, top) {
        values.push(floor);
    }
    let scale = linear_range(values, 10.0, 0.0..100.0).map(Scale::Linear);
    let legend = Legend::Inside(SeriesLabelPosition::LowerRight);
    let root = titled(root, "Accuracy after each epoch", None)?;
    draw_pair(&root, &panels, scale, &legend, data.config.epochs)
}

/// Draws `compare_loss_curves.png`: the loss curves of every learning rate of every run.
/// See `docs/08-reading-the-report.md`.
pub fn compare_loss_curves(root: &Area, runs: &[(String, &RunData)]) -> Result {
    let panels = loss_panels(|value| compared_curves(runs, value));
    let scale = loss_scale(&panels);
    draw_comparison(
        root,
        "Loss after each epoch, run by run",
        &panels,
        scale,
        runs,
    )
}

/// Draws `compare_accuracy.png`: the accuracy curves of every learning rate of every run.
/// See `docs/08-reading-the-report.md`.
pub fn compare_accuracy(root: &Area, runs: &[(String, &RunData)]) -> Result {
    let panels = accuracy_panels(|value| compared_curves(runs, value));
    let scale = linear_range(healthy_accuracies(&panels), 10.0, 0.0..100.0).map(Scale::Linear);
    let title = "Accuracy after each epoch, run by run";
    draw_comparison(root, title, &panels, scale, runs)
}

/// A comparison: the title, the key under it, and the two panels.
fn draw_comparison(
    root: &Area,
    title: &str,
    panels: &[Panel; 2],
    scale: Option<Scale>,
    runs: &[(String, &RunData)],
) -> Result {
    let looks: Vec<(String, Look)> = runs
        .iter()
        .enumerate()
        .map(|(i, (label, _))| (label.clone(), Look::of_run(i)))
        .collect();
    let rates: Vec<(f32, RGBColor)> = rates_of(runs)
        .into_iter()
        .enumerate()
        .map(|(i, lr)| (lr, style::lr_colour(i)))
        .collect();
    let root = titled(root, title, None)?;
    let epochs = runs.iter().map(|(_, d)| d.config.epochs).max().unwrap_or(1);
    draw_pair(&root, panels, scale, &Legend::Key(&looks, &rates), epochs)
}

/// Every learning rate of the runs, once each, smallest first: their order picks their colours.
fn rates_of(runs: &[(String, &RunData)]) -> Vec<f32> {
    let mut rates: Vec<f32> = runs
        .iter()
        .flat_map(|(_, d)| d.config.learning_rates.iter().copied())
        .collect();
    rates.sort_by(f32::total_cmp);
    rates.dedup();
    rates
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

/// One curve of a learning rate's epochs: `value` of each epoch that can be drawn.
fn curve(
    rate: &crate::run_data::RateHistory,
    value: &dyn Fn(&EpochMetrics) -> Option<f64>,
    label: String,
    colour: RGBColor,
    look: Look,
) -> Curve {
    let drawable = |m: &EpochMetrics| value(m).filter(|v| v.is_finite() && *v > 0.0);
    Curve {
        label,
        colour,
        look,
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
}

/// The curves of one run: `value` of every epoch of every learning rate.
fn curves(data: &RunData, value: &dyn Fn(&EpochMetrics) -> Option<f64>) -> Vec<Curve> {
    let look = Look::of_run(0);
    data.with_epochs()
        .map(|rate| {
            curve(
                rate,
                value,
                rate.label(),
                style::lr_colour(rate.index),
                look,
            )
        })
        .filter(|c| !c.points.is_empty() || c.diverged.is_some())
        .collect()
}

/// The curves of several runs: every learning rate of every run, coloured by its rate and
/// drawn in its run's look.
fn compared_curves(
    runs: &[(String, &RunData)],
    value: &dyn Fn(&EpochMetrics) -> Option<f64>,
) -> Vec<Curve> {
    let rates = rates_of(runs);
    let colour = |lr: f32| {
        let index = rates.iter().position(|&r| r == lr).unwrap_or(0);
        style::lr_colour(index)
    };
    runs.iter()
        .enumerate()
        .flat_map(|(i, (name, data))| {
            data.with_epochs().map(move |rate| {
                let label = format!("{name}, {}", rate.label());
                curve(rate, value, label, colour(rate.lr), Look::of_run(i))
            })
        })
        .filter(|c| !c.points.is_empty() || c.diverged.is_some())
        .collect()
}

/// Two panels side by side over `epochs` epochs, and the legend.
fn draw_pair(
    root: &Area,
    panels: &[Panel; 2],
    scale: Option<Scale>,
    legend: &Legend,
    epochs: usize,
) -> Result {
    let root = match legend {
        Legend::Inside(_) => root.clone(),
        Legend::Key(runs, rates) => {
            let any_diverged = panels
                .iter()
                .flat_map(|p| &p.curves)
                .any(|c| c.diverged.is_some());
            draw_key(root, runs, rates, any_diverged)?
        }
    };
    let (width, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(width / 2);
    let epochs = epochs.max(1);
    for (area, panel) in [left, right].iter().zip(panels) {
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

/// Draws the key of a comparison at the bottom of `root` and returns the area above it: one
/// row for the learning rates (colours), one or more for the runs (looks), and the cross.
fn draw_key<'a>(
    root: &Area<'a>,
    runs: &[(String, Look)],
    rates: &[(f32, RGBColor)],
    any_diverged: bool,
) -> Result<Area<'a>> {
    const SAMPLE: i32 = 44;
    const GAP: i32 = 12;
    const ROW: i32 = 40;
    const MARGIN: i32 = 40;
    let text = style::text(style::LABEL);
    let heading = style::bold(style::LABEL);
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let measure = |s: &str, style: &TextStyle| -> Result<i32> {
        Ok(root.estimate_text_size(s, style)?.0 as i32)
    };
    // The items of each row, laid out left to right and wrapped at the picture's width.
    enum Item<'s> {
        Rate(String, RGBColor),
        Run(&'s str, Look),
        Diverged,
    }
    let mut groups: Vec<(&str, Vec<Item>)> = vec![
        (
            "learning rate:",
            rates
                .iter()
                .map(|&(lr, colour)| Item::Rate(lr.to_string(), colour))
                .collect(),
        ),
        (
            "run:",
            runs.iter()
                .map(|(name, look)| Item::Run(name.as_str(), *look))
                .collect(),
        ),
    ];
    if any_diverged {
        groups[1].1.push(Item::Diverged);
    }
    let item_text = |item: &Item| match item {
        Item::Rate(lr, _) => lr.clone(),
        Item::Run(name, _) => (*name).to_string(),
        Item::Diverged => "diverged in that epoch".to_string(),
    };
    // Every row's items start at the same place, after the longer of the two titles.
    let mut indent = 0;
    for (title, _) in &groups {
        indent = indent.max(MARGIN + measure(title, &heading)? + 2 * GAP);
    }
    let mut placed = Vec::new();
    let mut y = 0;
    for (_, items) in &groups {
        placed.push((MARGIN, y, None));
        let mut x = indent;
        for item in items {
            let width_needed = SAMPLE + GAP + measure(&item_text(item), &text)? + 3 * GAP;
            if x > indent && x + width_needed > width - MARGIN {
                (x, y) = (indent, y + ROW);
            }
            placed.push((x, y, Some(item)));
            x += width_needed;
        }
        y += ROW;
    }
    let key_height = y + 20;
    let (above, key) = root.split_vertically(height - key_height);
    let mid = Pos::new(HPos::Left, VPos::Center);
    let mut group = 0;
    for (x, y, item) in placed {
        let centre = y + ROW / 2;
        match item {
            None => {
                key.draw_text(groups[group].0, &heading.pos(mid), (x, centre))?;
                group += 1;
            }
            Some(item) => {
                match item {
                    Item::Rate(_, colour) => key.draw(&PathElement::new(
                        vec![(x, centre), (x + SAMPLE, centre)],
                        colour.stroke_width(6),
                    ))?,
                    Item::Run(_, look) => look.sample(&key, (x, centre), SAMPLE, style::GREY)?,
                    Item::Diverged => key.draw(&Cross::new(
                        (x + SAMPLE / 2, centre),
                        9,
                        BLACK.stroke_width(4),
                    ))?,
                }
                let label = item_text(item);
                key.draw_text(&label, &text.pos(mid), (x + SAMPLE + GAP, centre))?;
            }
        }
    }
    Ok(above)
}

/// One panel; `y_spec` is the plotters form of `scale`.
fn draw_panel<Y>(
    area: &Area,
    panel: &Panel,
    epochs: usize,
    y_spec: Y,
    scale: &Scale,
    legend: &Legend,
) -> Result
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let range = scale.range();
    let area = captioned(area, panel.title)?;
    let axes = EpochAxes {
        y_desc: panel.y_desc,
        y_label_width: 90,
        y_format: &|y| scale.format(y),
        x_labels: 20,
    };
    let mut chart = epoch_chart(&area, 20, epochs, y_spec, axes)?;
    for curve in &panel.curves {
        let colour = curve.colour;
        let points: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|&(x, y)| (x, clamp_into(y, range)))
            .collect();
        curve.look.draw_line(&mut chart, &points, colour)?;
        // A dot per epoch; the epoch a rate diverged in gets its cross instead.
        let diverged_epoch = curve.diverged.map(|(epoch, _)| epoch);
        let dots = points.iter().filter(|p| Some(p.0) != diverged_epoch);
        let look = curve.look;
        let series = chart.draw_series(dots.map(|&p| EmptyElement::at(p) + look.dot(colour)))?;
        // In a corner legend, a line for a learning rate that trained and a cross for one
        // that diverged.
        let diverged = curve.diverged.is_some();
        series.label(&curve.label).legend(move |(x, y)| {
            if diverged {
                Cross::new((x + 12, y), 9, colour.stroke_width(4)).into_dyn()
            } else {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4)).into_dyn()
            }
        });
        if let Some((epoch, value)) = curve.diverged {
            draw_diverged_marker(&chart, (epoch, clamp_into(value, range)), colour)?;
        }
    }
    match legend {
        Legend::Inside(position) => draw_legend(&mut chart, position.clone()),
        Legend::Key(..) => Ok(()),
    }
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
                    look: Look::of_run(0),
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
