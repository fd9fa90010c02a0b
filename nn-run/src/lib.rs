//! # nn-run: what a training run leaves on disk, in one home
//!
//! `nn-train` writes a run directory through this crate and `nn-report` reads it through this
//! crate, so the format has exactly one definition and reading a run needs neither the training
//! loop nor the network stack that fetches MNIST.
//!
//! - `config.rs` ([`config::TrainConfig`]): every setting that changes a run's numbers
//!   (in `config.json`, and inside every checkpoint).
//! - `run_dir.rs` ([`run_dir::RunDir`]): the layout of a run directory, claiming a new one,
//!   finding the newest, and the rows of `config.json`, `metrics.csv`, `batches.csv` and
//!   `summary.json`.
//! - `checkpoint.rs` ([`checkpoint::Checkpoint`]): a model and its optimiser in a checked
//!   envelope.
//! - `atomic.rs`: files that are never seen half-written.
//! - `eval.rs` ([`eval::Evaluator`]): a network measured on a whole split.
//! - `export.rs` ([`export::to_safetensors`]): a network's weights for PyTorch and NumPy.
//!
//! Errors are typed (`RunError`, `CheckpointError`, `EvalError`) and each message names the
//! file and says what to do; an OS error is part of the message, never repeated as its cause.
//!
//! The format, file by file: `docs/appendix-b-runs-and-checkpoints.md`.

pub mod atomic;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod export;
pub mod run_dir;

/// `1 epoch`, `2 epochs`: a count and its noun, as a sentence says it.
pub fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(super::plural(1, "epoch"), "1 epoch");
        assert_eq!(super::plural(0, "thread"), "0 threads");
        assert_eq!(super::plural(2, "thread"), "2 threads");
    }
}
