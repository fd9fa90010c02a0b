//! The font of every picture, compiled into the binary: DejaVu Sans (free licence), regular
//! and bold. Text then looks the same everywhere and a machine with no fonts installed still
//! draws it. `canvas.rs` sets the text with it.

use std::sync::OnceLock;

use ab_glyph::FontRef;

/// The family name the pictures' text styles carry; [`regular`] and [`bold`] are what it means.
pub const FAMILY: &str = "DejaVu Sans";

pub fn regular() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| parse(dejavu::sans::regular()))
}

pub fn bold() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| parse(dejavu::sans::bold()))
}

fn parse(bytes: &'static [u8]) -> FontRef<'static> {
    FontRef::try_from_slice(bytes).expect("the embedded DejaVu Sans is a valid font")
}
