//! `learning_rate.png`: the learning rate each epoch trained with, one colour per learning rate
//! of the sweep, read from `metrics.csv`. Drawn when the run has a warm-up or a schedule other
//! than constant. See `docs/09-overfitting-and-regularisation.md`.

use plotters::prelude::*;

use super::{
    EpochAxes, draw_labelled_curve, draw_legend, epoch_chart, log_range, log_tick, titled,
};
use crate::canvas::Area;
use crate::run_data::RunData;
use crate::style;

/// A learning rate's legend, colour, and (epoch, rate) points.
type Curve = (String, RGBColor, Vec<(f64, f64)>);

/// Draws `learning_rate.png`. See `docs/09-overfitting-and-regularisation.md`.
pub fn learning_rate(root: &Area, data: &RunData) -> super::Result {
    let c = &data.config;
    let subtitle = format!(
        "schedule: {}; warm-up: {} epochs; each point is the rate one epoch used",
        c.lr_schedule.describe(),
        c.warmup_epochs
    );
    let root = titled(root, "Learning rate per epoch", Some(&subtitle))?;
    let curves: Vec<Curve> = data
        .with_epochs()
        .map(|rate| {
            let points = rate
                .epochs
                .iter()
                .filter_map(|m| Some((m.epoch as f64, f64::from(m.learning_rate?))))
                .filter(|&(_, r)| r > 0.0)
                .collect();
            (rate.label(), style::lr_colour(rate.index), points)
        })
        .collect();
    let values = curves
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(_, r)| r));
    let Some(range) = log_range(values) else {
        return super::empty_panel(&root, "", "metrics.csv records no learning rate yet");
    };
    let epochs = c.epochs.max(1);
    let axes = EpochAxes {
        y_desc: "learning rate (log scale)",
        y_label_width: 110,
        y_format: &log_tick,
        x_labels: 10,
    };
    let mut chart = epoch_chart(&root, 30, epochs, range.log_scale(), axes)?;
    for (label, colour, points) in &curves {
        draw_labelled_curve(&mut chart, label, points, *colour)?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
}
