//! `weights.png`: what the first layer learned. Each hidden unit's 784 input weights are drawn
//! as the 28x28 image they multiply, on a blue-white-red scale.

use super::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::Area;
use crate::evaluation::BestModel;
use crate::style::{self, TICK};
use datasets::mnist::{IMAGE_PIXELS, IMAGE_SIDE};

/// The most tiles shown: 8 x 8 stay large enough to see strokes in.
/// See `docs/08-reading-the-report.md`.
pub const MAX_UNITS: usize = 64;
const TOP: i32 = 10;
const BOTTOM: i32 = 120;
const GAP: i32 = 8;

/// Draws `weights.png`: each hidden unit's first-layer weights as the 28x28 image they
/// multiply, for the first [`MAX_UNITS`] units. See `docs/08-reading-the-report.md`.
pub fn weights(root: &Area, best: &BestModel) -> Result<()> {
    // The checkpoint was checked against the run's architecture; this only keeps a surprise
    // from turning into a panic.
    let first = best.model.layers().first();
    let Some(first) = first.filter(|l| l.weights.rows() == IMAGE_PIXELS && l.weights.cols() > 0)
    else {
        let why = "the first layer does not take 28x28 images";
        return super::empty_panel(root, "First-layer weights", why);
    };
    let w = &first.weights;
    let hidden = w.cols();
    let shown = hidden.min(MAX_UNITS);
    let title = format!("First-layer weights: {shown} of {hidden} hidden units");
    let subtitle = format!(
        "model: {}; each tile scaled to its own largest weight",
        best.describe()
    );
    let root = &super::titled(root, &title, Some(&subtitle))?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);

    // As square a grid as the units allow, with tiles as large as fit.
    let columns = (shown as f64).sqrt().ceil() as usize;
    let rows = shown.div_ceil(columns);
    let cell = ((width - 40) / columns as i32).min((height - TOP - BOTTOM) / rows as i32);
    let zoom = ((cell - GAP) / IMAGE_SIDE as i32).max(1);
    let x0 = (width - columns as i32 * cell) / 2 + GAP / 2;
    let weights = w.as_slice();
    for unit in 0..shown {
        let column: Vec<f32> = (0..IMAGE_PIXELS)
            .map(|r| weights[r * hidden + unit])
            .collect();
        let largest = column
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 {
            f64::from(largest)
        } else {
            1.0
        };
        let x = x0 + (unit % columns) as i32 * cell;
        let y = TOP + (unit / columns) as i32 * cell;
        // A weight that is not a finite number is drawn white, like zero.
        super::image_tile(root, (x, y), zoom, |k| {
            style::diverging(f64::from(column[k]) / scale)
        })?;
    }
    colour_bar(root, (width / 2, TOP + rows as i32 * cell + 30))
}

/// The key to the colours, centred on `centre`.
fn colour_bar(root: &Area, centre: (i32, i32)) -> Result<()> {
    let (half, tall) = (200, 24);
    let (x0, y) = (centre.0 - half, centre.1);
    for dx in 0..2 * half {
        let t = f64::from(dx) / f64::from(half) - 1.0;
        root.draw(&Rectangle::new(
            [(x0 + dx, y), (x0 + dx + 1, y + tall)],
            style::diverging(t).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x0, y), (x0 + 2 * half, y + tall)],
        style::GREY.stroke_width(1),
    ))?;
    let label = |h| style::text(TICK).pos(Pos::new(h, VPos::Center));
    root.draw_text("negative", &label(HPos::Right), (x0 - 12, y + tall / 2))?;
    root.draw_text(
        "positive",
        &label(HPos::Left),
        (x0 + 2 * half + 12, y + tall / 2),
    )?;
    let below = style::text(TICK).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw_text("0", &below, (centre.0, y + tall + 6))?;
    Ok(())
}
