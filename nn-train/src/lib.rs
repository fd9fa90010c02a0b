//! Everything around the math: MNIST on disk, the training loop, and the run directory that
//! `nn-report` reads.

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
