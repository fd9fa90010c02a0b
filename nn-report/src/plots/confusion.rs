//! `confusion_matrix.png` (counts) and `confusion_matrix_normalized.png` (each row in percent):
//! one heatmap, drawn cell by cell with the number written in every cell.

use super::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::Area;
use crate::evaluation::{BestModel, TestResults};
use crate::style::{self, LABEL, TICK};
use nn_core::metrics::ConfusionMatrix;

/// Room around the matrix, in pixels: the column header above, the digits and axis names to
/// the left and below, the row totals to the right.
const TOP: i32 = 40;
const LEFT: i32 = 130;
const BOTTOM: i32 = 110;
const RIGHT: i32 = 130;

/// Draws `confusion_matrix.png`: the counts, on a logarithmic shade.
/// See `docs/08-reading-the-report.md`.
pub fn counts(root: &Area, results: &TestResults, best: &BestModel) -> Result<()> {
    let m = &results.confusion;
    let classes = m.classes();
    let largest = (0..classes)
        .flat_map(|t| (0..classes).map(move |p| m.count(t, p)))
        .max()
        .unwrap_or(0);
    let title = format!(
        "Confusion matrix: {} test images, accuracy {}",
        style::thousands(m.total()),
        m.accuracy().map_or("-".into(), |a| style::percent(a, 2))
    );
    let subtitle = format!("model: {}; cells count images", best.describe());
    heatmap(root, &title, &subtitle, m, |t, p| {
        let count = m.count(t, p);
        (
            log_shade(count as f64, largest as f64),
            count.to_string(),
            count == 0,
        )
    })
}

/// Draws `confusion_matrix_normalized.png`: each row in percent of its digit's images, so the
/// diagonal is each digit's recall. See `docs/08-reading-the-report.md`.
pub fn normalized(root: &Area, results: &TestResults, best: &BestModel) -> Result<()> {
    let m = &results.confusion;
    let title = "Confusion matrix: share of each true digit's images, in percent";
    let subtitle = format!("model: {}; each row adds up to 100%", best.describe());
    heatmap(root, title, &subtitle, m, |t, p| {
        let fraction = m.row_fraction(t, p).unwrap_or(0.0);
        let text = if m.count(t, p) == 0 {
            "0".to_string()
        } else {
            format!("{:.1}", 100.0 * fraction)
        };
        // Shaded per thousand images of the digit, on the log shade of the counts: one mistake
        // in a thousand still shows.
        (
            log_shade(1000.0 * fraction, 1000.0),
            text,
            m.count(t, p) == 0,
        )
    })
}

/// Shades small values visibly: the diagonal holds ~1000 images a digit and the mistakes a
/// handful, and on a linear shade every mistake would look white.
/// See `docs/08-reading-the-report.md`.
fn log_shade(value: f64, largest: f64) -> f64 {
    if largest <= 0.0 {
        0.0
    } else {
        value.ln_1p() / largest.ln_1p()
    }
}

/// `cell(true digit, predicted)` gives the cell's shade in [0, 1], its text, and whether it is
/// empty (its text is then drawn faint).
fn heatmap(
    root: &Area,
    title: &str,
    subtitle: &str,
    m: &ConfusionMatrix,
    cell: impl Fn(usize, usize) -> (f64, String, bool),
) -> Result<()> {
    let root = &super::titled(root, title, Some(subtitle))?;
    let classes = m.classes();
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let side =
        ((width - LEFT - RIGHT) / classes as i32).min((height - TOP - BOTTOM) / classes as i32);
    let x0 = LEFT + (width - LEFT - RIGHT - side * classes as i32) / 2;
    let y0 = TOP;
    let matrix_end = (x0 + side * classes as i32, y0 + side * classes as i32);

    let at = |h, v| Pos::new(h, v);
    let digit = style::text(LABEL).pos(at(HPos::Center, VPos::Center));
    let in_cell = style::text(TICK).pos(at(HPos::Center, VPos::Center));
    for t in 0..classes {
        let y = y0 + t as i32 * side;
        for p in 0..classes {
            let x = x0 + p as i32 * side;
            let (shade, text, empty) = cell(t, p);
            let background = style::sequential(shade);
            root.draw(&Rectangle::new(
                [(x, y), (x + side, y + side)],
                background.filled(),
            ))?;
            let ink = if empty {
                style::LIGHT_GREY
            } else if style::is_dark(background) {
                WHITE
            } else {
                BLACK
            };
            root.draw_text(&text, &in_cell.color(&ink), (x + side / 2, y + side / 2))?;
        }
        // Row label on the left, row total on the right.
        root.draw_text(&t.to_string(), &digit, (x0 - 30, y + side / 2))?;
        let total = style::text(TICK)
            .color(&style::GREY)
            .pos(at(HPos::Left, VPos::Center));
        root.draw_text(
            &m.row_total(t).to_string(),
            &total,
            (matrix_end.0 + 15, y + side / 2),
        )?;
    }
    for p in 0..classes {
        let x = x0 + p as i32 * side + side / 2;
        root.draw_text(&p.to_string(), &digit, (x, matrix_end.1 + 25))?;
    }
    // White lines between the cells, and a grey frame around the matrix.
    for i in 0..=classes as i32 {
        let grid = WHITE.stroke_width(2);
        root.draw(&PathElement::new(
            vec![(x0 + i * side, y0), (x0 + i * side, matrix_end.1)],
            grid,
        ))?;
        root.draw(&PathElement::new(
            vec![(x0, y0 + i * side), (matrix_end.0, y0 + i * side)],
            grid,
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x0, y0), matrix_end],
        style::GREY.stroke_width(1),
    ))?;

    let axis = style::bold(LABEL);
    root.draw_text(
        "predicted digit",
        &axis.pos(at(HPos::Center, VPos::Top)),
        ((x0 + matrix_end.0) / 2, matrix_end.1 + 55),
    )?;
    let vertical = axis
        .transform(FontTransform::Rotate270)
        .pos(at(HPos::Center, VPos::Top));
    root.draw_text("true digit", &vertical, (x0 - 95, (y0 + matrix_end.1) / 2))?;
    let header = style::text(TICK)
        .color(&style::GREY)
        .pos(at(HPos::Left, VPos::Bottom));
    root.draw_text("images", &header, (matrix_end.0 + 15, y0 - 8))?;
    Ok(())
}
