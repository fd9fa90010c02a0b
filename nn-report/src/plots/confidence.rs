//! `confidence.png`: is the network's confidence honest? A reliability diagram (accuracy
//! against confidence, with the diagonal of perfect calibration and the ECE) beside the
//! distribution of confidence for right and for wrong answers.

use super::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_legend, styled_mesh};
use crate::canvas::{Area, Canvas};
use crate::evaluation::{BestModel, TestResults};
use crate::metrics::confidence;
use crate::style::{self, TICK};
use nn_core::metrics::histogram;

/// Bins of the confidence histograms: finer than the reliability diagram's, since almost all
/// right answers crowd into the last few percent.
const HISTOGRAM_BINS: usize = 20;

const RIGHT_COLOUR: RGBColor = RGBColor(0, 114, 178);
const WRONG_COLOUR: RGBColor = RGBColor(213, 94, 0);

/// Draws `confidence.png`: the reliability diagram with its ECE (left) and the confidence of
/// right and of wrong answers (right). See `docs/08-reading-the-report.md`.
pub fn confidence_picture(root: &Area, results: &TestResults, best: &BestModel) -> Result<()> {
    let subtitle = format!(
        "model: {}, on {} test images",
        best.describe(),
        style::thousands(results.predictions.len())
    );
    let root = super::titled(
        root,
        "How sure is the network, and is it right to be?",
        Some(&subtitle),
    )?;
    let (width, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(width / 2);
    reliability(&left, results)?;
    histograms(&right, results)
}

fn reliability(area: &Area, results: &TestResults) -> Result<()> {
    let calibration = &results.calibration;
    let caption = format!(
        "reliability: expected calibration error (ECE) {}",
        style::percent(calibration.ece, 2)
    );
    let area = super::captioned(area, &caption)?;
    let mut chart = percent_chart(&area, "accuracy (%)")?;
    let filled = calibration.bins.iter().filter(|b| b.count > 0);
    chart
        .draw_series(filled.clone().map(|b| {
            let corners = [
                (100.0 * b.lower, 0.0),
                (100.0 * b.upper, 100.0 * b.accuracy),
            ];
            Rectangle::new(corners, RIGHT_COLOUR.mix(0.55).filled())
        }))?
        .label("accuracy in each bin (count at its foot)")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 8), (x + 24, y + 8)],
                RIGHT_COLOUR.mix(0.55).filled(),
            )
        });
    chart.draw_series(filled.clone().map(|b| {
        let corners = [
            (100.0 * b.lower, 0.0),
            (100.0 * b.upper, 100.0 * b.accuracy),
        ];
        Rectangle::new(corners, RIGHT_COLOUR.stroke_width(2))
    }))?;
    // How many predictions each bar stands for, along its foot: bars of a handful are noisy.
    let count = style::text(TICK - 4.0).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series(filled.map(|b| {
        let foot = (100.0 * (b.lower + b.upper) / 2.0, 1.5);
        Text::new(style::thousands(b.count), foot, count.clone())
    }))?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, 0.0), (100.0, 100.0)],
            style::GREY.stroke_width(2),
        ))?
        .label("perfect calibration")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style::GREY.stroke_width(2)));
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

fn histograms(area: &Area, results: &TestResults) -> Result<()> {
    let (right, wrong): (Vec<f64>, Vec<f64>) = {
        let (r, w): (Vec<_>, Vec<_>) = results
            .predictions
            .iter()
            .partition(|p| p.label == p.predicted);
        (
            r.into_iter().map(confidence).collect(),
            w.into_iter().map(confidence).collect(),
        )
    };
    let area = super::captioned(area, "confidence of right and of wrong answers")?;
    let mut chart = percent_chart(&area, "share of the group (%)")?;
    let width = 100.0 / HISTOGRAM_BINS as f64;
    // The two groups' bars side by side in each bin: right in its left half, wrong in its right.
    for (values, colour, offset, name) in [
        (&right, RIGHT_COLOUR, 0.0, "right"),
        (&wrong, WRONG_COLOUR, 0.5, "wrong"),
    ] {
        let counts = histogram(values.iter().copied(), HISTOGRAM_BINS);
        let total = values.len().max(1) as f64;
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(b, &c)| {
                let x = (b as f64 + offset) * width;
                Rectangle::new(
                    [(x, 0.0), (x + width / 2.0, 100.0 * c as f64 / total)],
                    colour.filled(),
                )
            });
        chart
            .draw_series(bars)?
            .label(format!(
                "{name} answers ({})",
                style::thousands(values.len())
            ))
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], colour.filled()));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// Type of a chart with both axes in percent.
type PercentChart<'a, 'b> =
    ChartContext<'a, Canvas<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with confidence from 0 to 100% across and `y_desc`, also 0 to 100%, up.
fn percent_chart<'a, 'b>(area: &'a Area<'b>, y_desc: &str) -> Result<PercentChart<'a, 'b>> {
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..100.0, 0.0..100.0)?;
    let whole = |v: &f64| format!("{v:.0}");
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("confidence: probability of the answer (%)")
        .y_desc(y_desc)
        .x_label_formatter(&whole)
        .y_label_formatter(&whole)
        .draw()?;
    Ok(chart)
}
