//! `misclassified.png`: the test digits the network got wrong most confidently, as the images
//! themselves (dark ink on white, as on paper) with what it should have said and what it said.

use super::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::Area;
use crate::evaluation::{BestModel, TestResults};
use crate::metrics::{confidence, most_confident_mistakes};
use crate::style::{self, TICK};
use datasets::mnist::IMAGE_SIDE;

const COLUMNS: usize = 6;
const ROWS: usize = 4;
/// Screen pixels per image pixel.
const ZOOM: i32 = 5;
const TOP: i32 = 10;

/// How many digits the picture shows at most.
pub const SHOWN: usize = COLUMNS * ROWS;

/// Draws `misclassified.png`: the [`SHOWN`] most confident mistakes, each image with its true
/// label, the answer and its probability. See `docs/08-reading-the-report.md`.
pub fn misclassified(root: &Area, results: &TestResults, best: &BestModel) -> Result<()> {
    let m = &results.confusion;
    let wrong = m.total() - m.correct();
    let shown = most_confident_mistakes(&results.predictions, SHOWN);
    let title = format!("The {} most confidently wrong test digits", shown.len());
    let subtitle = format!(
        "model: {}; {} of {} test images are wrong",
        best.describe(),
        style::thousands(wrong),
        style::thousands(m.total())
    );
    let root = &super::titled(root, &title, Some(&subtitle))?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let centred_top = Pos::new(HPos::Center, VPos::Top);

    let cell_w = width / COLUMNS as i32;
    let cell_h = (height - TOP) / ROWS as i32;
    let side = IMAGE_SIDE as i32 * ZOOM;
    let caption = style::text(TICK).pos(centred_top);
    for (slot, &i) in shown.iter().enumerate() {
        let p = &results.predictions[i];
        let x = (slot % COLUMNS) as i32 * cell_w + (cell_w - side) / 2;
        let y = TOP + (slot / COLUMNS) as i32 * cell_h;
        let pixels = results.images.image(i);
        // Dark ink on white, as on paper: the reverse of how MNIST stores it.
        super::image_tile(root, (x, y), ZOOM, |k| {
            let ink = 255 - pixels[k];
            RGBColor(ink, ink, ink)
        })?;
        let centre = x + side / 2;
        let line1 = format!("true {}, answer {}", p.label, p.predicted);
        root.draw_text(&line1, &caption, (centre, y + side + 8))?;
        let line2 = style::probability_of(p.predicted, confidence(p));
        root.draw_text(
            &line2,
            &caption.color(&style::GREY),
            (centre, y + side + 36),
        )?;
    }
    Ok(())
}
