//! What the user sees while training: a live bar per epoch on a terminal, one plain line per
//! epoch anywhere else (a CI log, a file), so logs stay readable.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    terminal: bool,
}

impl Progress {
    /// Bars if stderr is a terminal, plain lines otherwise.
    pub fn detect() -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Plain lines only.
    pub fn plain() -> Progress {
        Progress { terminal: false }
    }

    pub fn epoch(&self, label: String, steps: usize) -> EpochProgress {
        let bar = self.terminal.then(|| {
            let bar = ProgressBar::new(steps as u64);
            // The bar takes what the terminal's width leaves: the line never wraps.
            let style = ProgressStyle::with_template("{prefix} [{wide_bar}] {pos}/{len} {msg}")
                .expect("a valid template")
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        EpochProgress {
            bar,
            started: Instant::now(),
        }
    }

    /// A line that belongs to no epoch (what is being loaded, what was resumed).
    pub fn note(&self, line: &str) {
        eprintln!("{line}");
    }
}

pub struct EpochProgress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl EpochProgress {
    /// After each step: the running mean loss and accuracy of the epoch so far.
    pub fn step(&self, steps_done: usize, examples: usize, mean_loss: f64, accuracy: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position(steps_done as u64);
            if steps_done.is_multiple_of(16) {
                let rate = examples as f64 / self.started.elapsed().as_secs_f64();
                // Short enough to leave the bar room in 80 columns.
                let accuracy = 100.0 * accuracy;
                bar.set_message(format!(
                    "loss {mean_loss:.4} acc {accuracy:.2}% {rate:.0} img/s"
                ));
            }
        }
    }
}

/// The bar disappears when the epoch ends, however it ends; the epoch's line replaces it.
impl Drop for EpochProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
