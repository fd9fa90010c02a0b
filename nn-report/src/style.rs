//! The look every picture shares: text sizes that stay readable when a picture is printed at
//! the width of a page, one colour per learning rate, and the two colour scales.

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::fonts::FAMILY;

/// Text sizes in pixels, for pictures 1000 to 1600 pixels wide: printed 16 cm wide, axis
/// numbers come out at about 7 pt and titles at about 10 pt.
pub const TITLE: f64 = 34.0;
pub const LABEL: f64 = 26.0;
pub const TICK: f64 = 22.0;

pub fn text(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

pub fn bold(size: f64) -> TextStyle<'static> {
    // The style must be given when the font is made: `FontDesc::style` keeps the font data
    // already loaded, so it would stay regular.
    (FAMILY, size, FontStyle::Bold).into_font().into()
}

/// The Okabe-Ito colours (without yellow, too pale on white): told apart with every common
/// kind of colour blindness.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The colour of the `index`-th learning rate of a run, the same in every picture.
pub fn lr_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

pub const GREY: RGBColor = RGBColor(120, 120, 120);
pub const LIGHT_GREY: RGBColor = RGBColor(215, 215, 215);

/// White (0) to dark blue (1), for amounts.
pub fn sequential(t: f64) -> RGBColor {
    mix(WHITE, RGBColor(8, 48, 107), t)
}

/// Blue (-1) through white (0) to red (1), for signed values.
pub fn diverging(t: f64) -> RGBColor {
    if t < 0.0 {
        mix(WHITE, RGBColor(33, 102, 172), -t)
    } else {
        mix(WHITE, RGBColor(178, 24, 43), t)
    }
}

/// `colour` faded towards white (0 is white, 1 the colour). Opaque, so that thousands of
/// overlapping lines stay as pale as one.
pub fn faded(colour: RGBColor, strength: f64) -> RGBColor {
    mix(WHITE, colour, strength)
}

/// `colour` a little darker, to stand out on its own faded version.
pub fn darker(colour: RGBColor) -> RGBColor {
    mix(colour, BLACK, 0.3)
}

/// Whether text on `background` should be white rather than black.
pub fn is_dark(background: RGBColor) -> bool {
    let RGBColor(r, g, b) = background;
    0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b) < 140.0
}

fn mix(from: RGBColor, to: RGBColor, t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let channel = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(
        channel(from.0, to.0),
        channel(from.1, to.1),
        channel(from.2, to.2),
    )
}

/// `0.9811` as `98.11%`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    format!("{:.decimals$}%", 100.0 * fraction)
}

/// `p(4) = 98.8%`: the probability given to a class, in percent with one decimal, without
/// rounding a near-certainty up to a 100% the network never gave: `p(4) > 99.9%`.
pub fn probability_of(class: usize, p: f64) -> String {
    if (0.9995..1.0).contains(&p) {
        format!("p({class}) > 99.9%")
    } else {
        format!("p({class}) = {}", percent(p, 1))
    }
}

/// `10000` as `10,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn probabilities_near_one_are_not_rounded_to_certainty() {
        assert_eq!(probability_of(0, 0.5), "p(0) = 50.0%");
        assert_eq!(probability_of(4, 0.9996), "p(4) > 99.9%");
        assert_eq!(probability_of(9, 1.0), "p(9) = 100.0%");
    }

    #[test]
    fn colour_scales_run_from_white() {
        assert_eq!(sequential(0.0), WHITE);
        assert_eq!(diverging(0.0), WHITE);
        assert_eq!(sequential(f64::NAN), WHITE);
        assert!(is_dark(sequential(1.0)) && !is_dark(sequential(0.1)));
    }
}
