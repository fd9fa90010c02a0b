//! The training loop and the commands around it: MNIST fetched into place, the learning-rate
//! sweep, the run directory (written through `nn-run`) that `nn-report` reads, and the
//! commands that use a trained network (`predict`, `export`: chapter 10, `docs/10-using-the-network.md`).
//!
//! The learning-rate sweep is explained in `docs/06-sgd-and-learning-rate.md`; the data and the
//! validation split in `docs/07-data-and-validation.md`; the run directory, checkpoints, exact
//! resume and seeds in `docs/appendix-b-runs-and-checkpoints.md`; where this crate sits in the
//! workspace in `docs/01-workspace-map.md`.

pub mod export;
pub mod fetch;
pub mod predict;
pub mod progress;
pub mod train;
