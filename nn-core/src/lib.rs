//! # nn-core: the math of a neural network, by hand
//!
//! Everything a multi-layer perceptron needs to learn, written out so it can be read: no ML
//! framework, no BLAS. Each concept has its own module, each forward pass sits next to its
//! backward pass, and each derivation is one chapter of `docs/` (the table of contents is
//! `docs/README.md`; the map of the whole workspace, `docs/01-workspace-map.md`).
//!
//! A tour, in the order the data flows through a training step:
//!
//! 1. [`Matrix`] (`matrix.rs`): a row-major `f32` matrix; a batch is one example per row.
//! 2. [`matmul`] (`matmul.rs`): `A·B`, `Aᵀ·B`, `A·Bᵀ`, the three products backprop needs,
//!    with the plain triple loops kept as the reference; made fast by `gemm` and [`threads`]
//!    (appendix A, `docs/appendix-a-making-it-fast.md`).
//! 3. [`dense`] (`dense.rs`): `Z = X·W + b` and its gradients `dW = Xᵀ·dZ`, `db`, `dX = dZ·Wᵀ`
//!    (chapter 5, `docs/05-dense-and-relu.md`).
//! 4. [`relu`] (`relu.rs`): `max(z, 0)` and its mask (chapter 5).
//! 5. [`softmax`] (`softmax.rs`): stable softmax, log-sum-exp and temperature (chapter 2,
//!    `docs/02-softmax.md`).
//! 6. [`loss`] (`loss.rs`): cross-entropy and the fused gradient `(p - y) / B` (chapters 3 and
//!    4, `docs/03-cross-entropy.md`, `docs/04-softmax-cross-entropy-gradient.md`).
//! 7. [`mlp`] (`mlp.rs`): the layers put together: forward, backward, predict (chapter 5).
//! 8. [`sgd`] (`sgd.rs`): the update, with momentum and weight decay (chapter 6,
//!    `docs/06-sgd-and-learning-rate.md`).
//! 9. [`metrics`] (`metrics.rs`): what the predictions are worth: accuracy, the confusion
//!    matrix, calibration (chapter 8, `docs/08-reading-the-report.md`).
//! 10. [`dropout`] (`dropout.rs`): hidden units switched off at random while training, a
//!     regulariser, and [`schedule`] (`schedule.rs`): the learning rate of each epoch (chapter
//!     9, `docs/09-overfitting-and-regularisation.md`).
//! 11. [`uncertainty`] (`uncertainty.rs`): how unsure one prediction is, its entropy and
//!     margin; [`saliency`] (`saliency.rs`): which pixels pushed it towards its answer
//!     (chapter 10, `docs/10-using-the-network.md`).
//!
//! The rest of the story is in the other crates: MNIST and the validation split in `datasets`
//! (chapter 7, `docs/07-data-and-validation.md`), the learning-rate sweep in `nn-train`
//! (chapter 6), a run's files, checkpoints and seeds in `nn-run` (appendix B,
//! `docs/appendix-b-runs-and-checkpoints.md`), and `nn-report`, which draws a finished run
//! (chapter 8, `docs/08-reading-the-report.md`).
//!
//! ```
//! use nn_core::{sgd::Sgd, Activations, Matrix, Mlp};
//!
//! let mut model = Mlp::new(&[4, 8, 3], 42); // 4 inputs, 8 hidden units, 3 classes
//! let x = Matrix::from_rows(&[[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]);
//! let labels = [2, 0];
//! let (mut acts, mut grads, mut sgd) = (Activations::new(), model.zeros_like(), Sgd::new(0.1));
//!
//! let loss = model.forward_loss(&x, &labels, &mut acts); // ≈ ln 3 for a fresh network
//! model.backward(&x, &labels, &mut acts, &mut grads);
//! sgd.step(&mut model, &grads);
//! assert!(model.forward_loss(&x, &labels, &mut acts) < loss);
//! ```

pub mod dense;
pub mod dropout;
mod gemm;
pub mod loss;
pub mod matmul;
pub mod matrix;
pub mod metrics;
pub mod mlp;
pub mod relu;
pub mod rng;
pub mod saliency;
pub mod schedule;
pub mod sgd;
pub mod softmax;
pub mod threads;
pub mod uncertainty;

pub use matrix::Matrix;
pub use mlp::{Activations, Mlp};
pub use threads::ThreadPool;
