//! `generalisation.png`: the learning rate chosen on validation, its training and validation
//! curves on the same axes, with the gap between them shaded. A gap that stays the same size is
//! a generalisation gap; a validation loss that turns up while the training loss keeps falling
//! is overfitting. See `docs/09-overfitting-and-regularisation.md`.

use std::ops::Range;

use nn_run::run_dir::{EpochMetrics, LrSummary};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use super::{
    EpochAxes, captioned, draw_labelled_curve, draw_legend, epoch_chart, linear_range, log_range,
    log_tick, titled,
};
use crate::canvas::Area;
use crate::run_data::RunData;
use crate::style;

const TRAINING: RGBColor = RGBColor(0, 114, 178);
const VALIDATION: RGBColor = RGBColor(213, 94, 0);

/// One quantity, training against validation, epoch by epoch.
struct Pair {
    title: &'static str,
    y_desc: &'static str,
    /// The corner the curves leave free.
    legend: SeriesLabelPosition,
    training: Vec<(f64, f64)>,
    validation: Vec<(f64, f64)>,
}

/// Draws `generalisation.png` for the learning rate chosen on validation, `best`, whose epochs
/// are `epochs`: loss (left, log scale) and accuracy (right). Returns `Err` only when drawing
/// fails; [`can_draw`] says whether there is anything to draw.
pub fn generalisation(
    root: &Area,
    data: &RunData,
    best: &LrSummary,
    epochs: &[EpochMetrics],
) -> super::Result {
    let rows: Vec<&EpochMetrics> = epochs.iter().filter(|m| !m.diverged).collect();
    let series = |value: &dyn Fn(&EpochMetrics) -> Option<f64>| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|m| Some((m.epoch as f64, value(m).filter(|v| v.is_finite())?)))
            .collect()
    };
    let loss = Pair {
        title: "loss",
        y_desc: "cross-entropy loss (log scale)",
        legend: SeriesLabelPosition::UpperRight,
        training: series(&|m| Some(m.train_loss).filter(|&l| l > 0.0)),
        validation: series(&|m| m.val_loss.filter(|&l| l > 0.0)),
    };
    let accuracy = Pair {
        title: "accuracy",
        y_desc: "accuracy (%)",
        legend: SeriesLabelPosition::LowerRight,
        training: series(&|m| Some(100.0 * m.train_accuracy)),
        validation: series(&|m| m.val_accuracy.map(|a| 100.0 * a)),
    };

    let title = format!("Training against validation: lr {}", best.lr);
    let mut subtitle = match best.best_epoch {
        Some(epoch) => format!("dashed line: the epoch chosen on validation ({epoch})"),
        None => String::new(),
    };
    if let Some(epoch) = best.stopped_early_at_epoch {
        subtitle += &format!("; early stopping ended training after epoch {epoch}");
    }
    let c = &data.config;
    subtitle += match (c.dropout > 0.0, !c.augmentation.is_none()) {
        (true, true) => "; training measured with dropout, on distorted images",
        (true, false) => "; training measured with dropout",
        (false, true) => "; training measured on distorted images",
        (false, false) => "",
    };
    let root = titled(root, &title, Some(&subtitle))?;
    let (width, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(width / 2);
    let last_epoch = rows.last().map_or(1, |m| m.epoch).max(1);
    let chosen = best.best_epoch.map(|e| e as f64);

    let values = |p: &Pair| -> Vec<f64> {
        p.training
            .iter()
            .chain(&p.validation)
            .map(|&(_, v)| v)
            .collect()
    };
    if let Some(range) = log_range(values(&loss)) {
        let spec = range.clone().log_scale();
        draw_panel(&left, &loss, last_epoch, spec, &range, log_tick, chosen)?;
    }
    if let Some(range) = linear_range(values(&accuracy), 2.0, 0.0..100.0) {
        let format = |v: &f64| format!("{v:.1}");
        draw_panel(
            &right,
            &accuracy,
            last_epoch,
            range.clone(),
            &range,
            format,
            chosen,
        )?;
    }
    Ok(())
}

/// Whether the learning rate has a validation curve to set against its training curve.
pub fn can_draw(epochs: &[EpochMetrics]) -> bool {
    epochs
        .iter()
        .any(|m| !m.diverged && m.val_loss.is_some_and(f64::is_finite))
}

/// One panel: the two curves, the shaded gap between them, and the chosen epoch.
fn draw_panel<Y>(
    area: &Area,
    pair: &Pair,
    epochs: usize,
    y_spec: Y,
    range: &Range<f64>,
    format: impl Fn(&f64) -> String,
    chosen: Option<f64>,
) -> super::Result
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let area = captioned(area, pair.title)?;
    let axes = EpochAxes {
        y_desc: pair.y_desc,
        y_label_width: 100,
        y_format: &format,
        x_labels: 10,
    };
    let mut chart = epoch_chart(&area, 20, epochs, y_spec, axes)?;
    // The gap: the polygon between the curves, over the epochs both have.
    let both: Vec<(f64, f64, f64)> = pair
        .training
        .iter()
        .filter_map(|&(e, t)| {
            let v = pair.validation.iter().find(|&&(ev, _)| ev == e)?.1;
            Some((e, t, v))
        })
        .collect();
    if both.len() > 1 {
        let mut outline: Vec<(f64, f64)> = both.iter().map(|&(e, t, _)| (e, t)).collect();
        outline.extend(both.iter().rev().map(|&(e, _, v)| (e, v)));
        chart.draw_series([Polygon::new(
            outline,
            style::faded(style::GREY, 0.25).filled(),
        )])?;
    }
    if let Some(epoch) = chosen {
        let line = [(epoch, range.start), (epoch, range.end)];
        chart.draw_series(DashedLineSeries::new(
            line,
            10,
            6,
            style::GREY.stroke_width(2),
        ))?;
    }
    for (label, points, colour) in [
        ("training", &pair.training, TRAINING),
        ("validation", &pair.validation, VALIDATION),
    ] {
        draw_labelled_curve(&mut chart, label, points, colour)?;
    }
    draw_legend(&mut chart, pair.legend.clone())
}
