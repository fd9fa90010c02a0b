//! `augmented.png`: what data augmentation shows the network. The first training examples, each
//! beside the distortions of it that the first epochs trained on, drawn with the run's own
//! parameters and seed.

use datasets::augment::{Distorter, example_rng};
use datasets::mnist::{IMAGE_PIXELS, IMAGE_SIDE, Split};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::Area;
use crate::run_data::RunData;
use crate::style::{self, TICK};

/// Training examples shown, one per row.
pub const EXAMPLES: usize = 6;
/// Distorted versions of each, epochs 1 to `DRAWS`.
pub const DRAWS: usize = 7;
/// Screen pixels per image pixel.
const ZOOM: i32 = 4;
const GAP: i32 = 14;

/// Draws `augmented.png` from the first training images of `training` (the run's training
/// split starts with them). See `docs/09-overfitting-and-regularisation.md`.
pub fn augmented(root: &Area, data: &RunData, training: &Split) -> super::Result {
    let config = &data.config;
    let distorter = Distorter::new(config.augmentation);
    let title = "Training images, distorted afresh every epoch";
    let subtitle = config.augmentation.describe();
    let root = &super::titled(root, title, Some(&subtitle))?;
    let (width, _) = root.dim_in_pixel();
    let side = IMAGE_SIDE as i32 * ZOOM;
    let columns = 1 + DRAWS as i32;
    // The original, a wider gap, then the draws.
    let row_width = columns * side + (columns - 1) * GAP + 2 * GAP;
    let x0 = (width as i32 - row_width) / 2;
    let x_of = |column: i32| x0 + column * (side + GAP) + if column > 0 { 2 * GAP } else { 0 };

    let heading = style::text(TICK).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw_text("original", &heading, (x_of(0) + side / 2, 0))?;
    for draw in 1..=DRAWS {
        let label = format!("epoch {draw}");
        root.draw_text(&label, &heading, (x_of(draw as i32) + side / 2, 0))?;
    }
    let mut distorted = vec![0.0f32; IMAGE_PIXELS];
    for example in 0..EXAMPLES.min(training.len()) {
        let y = 40 + example as i32 * (side + GAP);
        let original = training.image(example);
        super::image_tile(root, (x_of(0), y), ZOOM, |k| {
            ink(f32::from(original[k]) / 255.0)
        })?;
        for epoch in 1..=DRAWS {
            let mut rng = example_rng(config.seed, epoch, example);
            distorter.distort(original, &mut rng, &mut distorted);
            super::image_tile(root, (x_of(epoch as i32), y), ZOOM, |k| ink(distorted[k]))?;
        }
    }
    Ok(())
}

/// Dark ink on white, as on paper: `value` 1 is black.
fn ink(value: f32) -> RGBColor {
    let level = (255.0 * (1.0 - value.clamp(0.0, 1.0))).round() as u8;
    RGBColor(level, level, level)
}
