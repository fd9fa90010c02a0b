//! Everything around the math: MNIST on disk, the training loop, and the run directory that
//! `nn-report` reads.
//!
//! The learning-rate sweep is explained in `docs/06-sgd-and-learning-rate.md`; the data, the
//! run directory, checkpoints, exact resume and seeds in
//! `docs/09-data-checkpoints-reproducibility.md`; where this crate sits in the workspace in
//! `docs/01-workspace-map.md`.

pub mod atomic;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod mnist;
pub mod progress;
pub mod run_dir;
pub mod train;

use std::path::PathBuf;

/// The workspace's top folder (where `datasets/` and `runs/` live), whatever the current
/// directory is when `cargo run` starts.
pub fn workspace_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
