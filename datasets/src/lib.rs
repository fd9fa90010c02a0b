//! # datasets: the data the network learns from
//!
//! [`mnist`]: the four MNIST files, what they must be (sizes and SHA-256), the checks that run
//! before a byte is trusted, loading them with the `mnist` crate, and the splits and batches
//! training uses. This folder is also where the files themselves go (`datasets/mnist/`,
//! git-ignored); `datasets/README.md` says where they come from. Getting them over the network
//! is `nn-train fetch`, so a crate that only reads data (`nn-report`) never compiles an HTTP
//! stack. See `docs/07-data-and-validation.md`.
//!
//! [`augment`]: random distortions of the training images (affine and elastic), a fresh one
//! every epoch, drawn from the run's seed. See `docs/09-overfitting-and-regularisation.md`.
//!
//! [`handwriting`] (feature `images`): your own pictures of digits, read from PNG, JPEG, BMP or
//! PGM and prepared the way MNIST's were, so the network sees what it was trained on
//! (`docs/10-using-the-network.md`). It belongs here because it is about how MNIST was made.

pub mod augment;
#[cfg(feature = "images")]
pub mod handwriting;
pub mod mnist;
