//! The font of every picture, compiled into the binary: DejaVu Sans (free licence). Text then
//! looks the same everywhere and a machine with no fonts installed still draws it.

use std::sync::OnceLock;

use anyhow::{Result, bail};
use plotters::style::{FontStyle, register_font};

/// The family name the pictures ask for.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters (once per process; later calls are free).
pub fn register() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let regular = register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let bold = register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
        regular.is_ok() && bold.is_ok()
    });
    if !ok {
        bail!("the embedded DejaVu Sans font could not be read; this build of nn-report is broken");
    }
    Ok(())
}
