//! One module per family of pictures. Each drawing function gets a blank [`Area`] and data
//! that is already computed; the helpers here are what several of them share.

pub mod augmented;
pub mod batch_loss;
pub mod confidence;
pub mod confusion;
pub mod curves;
pub mod generalisation;
pub mod misclassified;
pub mod schedule;
pub mod weights;

use std::ops::Range;

use datasets::mnist::{IMAGE_PIXELS, IMAGE_SIDE};
use plotters::chart::MeshStyle;
use plotters::coord::CoordTranslate;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::{Area, Canvas, DrawError};
use crate::style;

/// What drawing a picture, or a part of one, returns.
pub type Result<T = ()> = std::result::Result<T, DrawError>;

/// Draws a picture's title, and a grey subtitle under it, and returns the area below them.
pub fn titled<'a>(root: &Area<'a>, title: &str, subtitle: Option<&str>) -> Result<Area<'a>> {
    let centre = root.dim_in_pixel().0 as i32 / 2;
    let top = Pos::new(HPos::Center, VPos::Top);
    root.draw_text(title, &style::bold(style::TITLE).pos(top), (centre, 16))?;
    let mut height = 16 + style::TITLE as i32 + 14;
    if let Some(subtitle) = subtitle {
        let grey = style::text(style::LABEL).color(&style::GREY).pos(top);
        root.draw_text(subtitle, &grey, (centre, height))?;
        height += style::LABEL as i32 + 14;
    }
    Ok(root.split_vertically(height).1)
}

/// Draws a panel's caption at its top and returns the area below it, leaving room for the axis
/// numbers that stick out above a chart.
pub fn captioned<'a>(area: &Area<'a>, caption: &str) -> Result<Area<'a>> {
    let centre = area.dim_in_pixel().0 as i32 / 2;
    let top = Pos::new(HPos::Center, VPos::Top);
    area.draw_text(caption, &style::bold(style::LABEL).pos(top), (centre, 8))?;
    Ok(area.split_vertically(8 + style::LABEL as i32 + 24).1)
}

/// The grid and axis text every chart shares: pale grid lines only at the labelled values.
pub fn styled_mesh<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.label_style(style::text(style::TICK))
        .axis_desc_style(style::text(style::LABEL))
        .bold_line_style(style::LIGHT_GREY)
        .light_line_style(WHITE)
}

/// How a chart over the epochs labels its y axis.
pub struct EpochAxes<'f> {
    pub y_desc: &'f str,
    /// Room for the y axis's numbers and description, in pixels.
    pub y_label_width: u32,
    pub y_format: &'f dyn Fn(&f64) -> String,
    /// At most this many epochs are numbered along x.
    pub x_labels: usize,
}

/// A chart with epochs 1 to `epochs` along x and `y_spec` up, its grid and axes drawn: what
/// every picture over the epochs starts from.
pub fn epoch_chart<'a, 'b, Y>(
    area: &'a Area<'b>,
    margin: u32,
    epochs: usize,
    y_spec: Y,
    axes: EpochAxes,
) -> Result<ChartContext<'a, Canvas<'b>, Cartesian2d<RangedCoordf64, Y::CoordDescType>>>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin(margin)
        .x_label_area_size(70)
        .y_label_area_size(axes.y_label_width)
        .build_cartesian_2d(0.5..epochs as f64 + 0.5, y_spec)?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("epoch")
        .y_desc(axes.y_desc)
        .x_labels(epochs.min(axes.x_labels))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(axes.y_format)
        .draw()?;
    Ok(chart)
}

/// Draws `points` as a line named `label` in the legend, with a dot per point while there are
/// few enough (60) to tell apart.
pub fn draw_labelled_curve<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, Canvas<'b>, Cartesian2d<X, Y>>,
    label: &str,
    points: &[(f64, f64)],
    colour: RGBColor,
) -> Result
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let series = chart.draw_series(LineSeries::new(points.to_vec(), colour.stroke_width(3)))?;
    series
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(4)));
    if points.len() <= 60 {
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    Ok(())
}

/// Draws a chart's legend (its labelled series) in a framed box at `position`.
pub fn draw_legend<'a, 'b: 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, Canvas<'b>, CT>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(style::text(style::TICK))
        .background_style(WHITE.mix(0.9))
        .border_style(style::GREY)
        .margin(12)
        .draw()?;
    Ok(())
}

/// A log-scale axis range from the power of ten below the smallest positive finite value to
/// the power of ten above the largest, so both ends are labelled; `None` if there is no such
/// value.
pub fn log_range(values: impl IntoIterator<Item = f64>) -> Option<Range<f64>> {
    let (lo, hi) = bounds(values.into_iter().filter(|v| *v > 0.0))?;
    let (lo, hi) = (lo.log10().floor(), hi.log10().ceil());
    // A hair wider than the powers of ten: rounding would otherwise drop their labels.
    Some(10f64.powf(lo) * 0.999..10f64.powf(hi.max(lo + 1.0)) * 1.001)
}

/// A linear axis range holding every finite value with a little room, at least `min_span`
/// wide (so its numbers stay whole) and inside `limits`, which must be wider than `min_span`;
/// `None` if there is no finite value.
pub fn linear_range(
    values: impl IntoIterator<Item = f64>,
    min_span: f64,
    limits: Range<f64>,
) -> Option<Range<f64>> {
    let (lo, hi) = bounds(values)?;
    let pad = (0.05 * (hi - lo)).max((min_span - (hi - lo)) / 2.0);
    let (mut start, mut end) = (lo - pad, hi + pad);
    // Slide a range that sticks out back inside, rather than cut it shorter.
    if end > limits.end {
        (start, end) = (start - (end - limits.end), limits.end);
    }
    if start < limits.start {
        (start, end) = (limits.start, (end + limits.start - start).min(limits.end));
    }
    Some(start..end)
}

/// The smallest and largest finite value. Plotters draws garbage (or panics) on NaN and
/// infinity, so every range is made from finite values only.
fn bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
        })
}

/// `value` moved onto the nearest edge of `range` if it lies outside (infinity and NaN go to
/// the top): a value off the chart is still shown where it left.
pub fn clamp_into(value: f64, range: &Range<f64>) -> f64 {
    if value.is_nan() {
        range.end
    } else {
        value.clamp(range.start, range.end)
    }
}

/// Axis numbers of a log scale, as people write them: 0.01, 0.1, 1, 10, 100.
pub fn log_tick(value: &f64) -> String {
    if *value >= 1.0 {
        format!("{value:.0}")
    } else {
        let decimals = (-value.log10()).ceil().max(0.0) as usize;
        format!("{value:.decimals$}")
    }
}

/// Draws a 28x28 image with its top-left corner at `corner`, each image pixel a `zoom` x `zoom`
/// square of the colour `colour_of` gives its position (row by row), in a light frame.
pub fn image_tile(
    area: &Area,
    corner: (i32, i32),
    zoom: i32,
    colour_of: impl Fn(usize) -> RGBColor,
) -> Result<()> {
    let side = IMAGE_SIDE as i32;
    for k in 0..IMAGE_PIXELS {
        let (r, c) = (k as i32 / side, k as i32 % side);
        let (x, y) = (corner.0 + c * zoom, corner.1 + r * zoom);
        area.draw(&Rectangle::new(
            [(x, y), (x + zoom, y + zoom)],
            colour_of(k).filled(),
        ))?;
    }
    let end = (corner.0 + side * zoom, corner.1 + side * zoom);
    area.draw(&Rectangle::new(
        [corner, end],
        style::LIGHT_GREY.stroke_width(1),
    ))?;
    Ok(())
}

/// How far a diverged learning rate got: a cross, drawn larger than the data points, at
/// `point` (already inside the chart's ranges) or moved inward just enough that all of it
/// stays inside the plotting area, clear of the axes and their numbers.
pub fn draw_diverged_marker<X, Y>(
    chart: &ChartContext<Canvas, Cartesian2d<X, Y>>,
    point: (f64, f64),
    colour: RGBColor,
) -> Result
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    const SIZE: i32 = 12;
    const STROKE: u32 = 4;
    let area = chart.plotting_area();
    let (base_x, base_y) = area.get_base_pixel();
    let (width, height) = area.dim_in_pixel();
    let (x, y) = chart.backend_coord(&point);
    // The cross reaches SIZE pixels from its centre, plus half its stroke.
    let reach = SIZE + STROKE as i32 / 2 + 1;
    let inside = |v: i32, length: u32| v.clamp(reach, (length as i32 - reach).max(reach));
    let centre = (inside(x - base_x, width), inside(y - base_y, height));
    area.strip_coord_spec()
        .draw(&Cross::new(centre, SIZE, colour.stroke_width(STROKE)))
}

/// A panel with a title and a sentence in place of a chart, for data the run does not have.
pub fn empty_panel(area: &Area, title: &str, message: &str) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    let (w, h) = (width as i32, height as i32);
    area.draw(&Rectangle::new(
        [(20, 60), (w - 20, h - 20)],
        style::LIGHT_GREY.stroke_width(2),
    ))?;
    let centred = |size| style::text(size).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(
        title,
        &style::bold(style::LABEL).pos(Pos::new(HPos::Center, VPos::Top)),
        (w / 2, 20),
    )?;
    area.draw_text(
        message,
        &centred(style::LABEL).color(&style::GREY),
        (w / 2, h / 2),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::render_rgb;

    #[test]
    fn a_diverged_marker_on_the_chart_s_edge_stays_inside_it() {
        let (width, height) = (400, 300);
        let mut plot = (0..0, 0..0);
        let marker = RGBColor(213, 94, 0);
        let rgb = render_rgb((width, height), |root| {
            let chart = ChartBuilder::on(root)
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(40)
                .build_cartesian_2d(0.5..3.5, 60.0..90.0)?;
            plot = chart.plotting_area().get_pixel_range();
            // Epoch 1 at the bottom of the chart: where an accuracy far below it is drawn.
            draw_diverged_marker(&chart, (1.0, 60.0), marker)?;
            draw_diverged_marker(&chart, (0.5, 90.0), marker)
        })
        .unwrap();
        let inked: Vec<(i32, i32)> = rgb
            .chunks_exact(3)
            .enumerate()
            .filter(|(_, p)| *p == [marker.0, marker.1, marker.2])
            .map(|(i, _)| ((i % width as usize) as i32, (i / width as usize) as i32))
            .collect();
        assert!(inked.len() > 50, "the markers are drawn");
        for (x, y) in inked {
            assert!(
                plot.0.contains(&x) && plot.1.contains(&y),
                "marker pixel ({x}, {y}) outside the plotting area {plot:?}"
            );
        }
    }

    #[test]
    fn log_ranges_span_whole_powers_of_ten() {
        let range = log_range([0.015, 290.0, f64::NAN, 0.0, f64::INFINITY]).unwrap();
        assert!((range.start / 0.01 - 1.0).abs() < 0.01, "{range:?}");
        assert!((range.end / 1000.0 - 1.0).abs() < 0.01, "{range:?}");
        assert!(
            range.start < 0.01 && range.end > 1000.0,
            "the powers of ten are inside"
        );
        assert_eq!(log_range([f64::NAN, -1.0]), None);
    }

    #[test]
    fn linear_ranges_are_wide_enough_and_stay_inside_their_limits() {
        assert_eq!(
            linear_range([82.0, 83.0], 10.0, 0.0..100.0),
            Some(77.5..87.5)
        );
        assert_eq!(
            linear_range([99.0, 99.5], 10.0, 0.0..100.0),
            Some(90.0..100.0)
        );
        assert_eq!(linear_range([1.0], 10.0, 0.0..100.0), Some(0.0..10.0));
        let wide = linear_range([0.0, 100.0], 10.0, 0.0..100.0).unwrap();
        assert_eq!(wide, 0.0..100.0);
        assert_eq!(linear_range([f64::NAN], 10.0, 0.0..100.0), None);
    }

    #[test]
    fn values_off_the_chart_are_drawn_on_its_edge() {
        assert_eq!(clamp_into(5.0, &(1.0..3.0)), 3.0);
        assert_eq!(clamp_into(f64::NAN, &(1.0..3.0)), 3.0);
        assert_eq!(clamp_into(f64::NEG_INFINITY, &(1.0..3.0)), 1.0);
        assert_eq!(log_tick(&0.01), "0.01");
        assert_eq!(log_tick(&100.0), "100");
    }
}
