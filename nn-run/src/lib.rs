//! # nn-run: what a training run leaves on disk, in one home
//!
//! `nn-train` writes a run directory through this crate and `nn-report` reads it through this
//! crate, so the format has exactly one definition and reading a run needs neither the training
//! loop nor the network stack that fetches MNIST.
//!
//! - `config.rs` ([`config::TrainConfig`]): every setting that changes a run's numbers
//!   (`config.json`, and inside every checkpoint).
//! - `run_dir.rs` ([`run_dir::RunDir`]): the layout of a run directory, and the rows of
//!   `metrics.csv`, `batches.csv` and `summary.json`.
//! - `checkpoint.rs` ([`checkpoint::Checkpoint`]): a model and its optimiser in a checked
//!   envelope.
//! - `atomic.rs`: files that are never seen half-written.
//! - `eval.rs` ([`eval::Evaluator`]): a network measured on a whole split.
//! - `export.rs` ([`export::to_safetensors`]): a network's weights for PyTorch and NumPy.
//!
//! The format, file by file: `docs/appendix-b-runs-and-checkpoints.md`.

pub mod atomic;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod export;
pub mod run_dir;
