//! MNIST: 70,000 handwritten digits, 28x28 pixels each, labelled 0 to 9.
//!
//! - `files.rs`: the four files, their layout, sizes and SHA-256 (the one home of these facts).
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
//! let data = mnist::load(&dir)?;
//! assert_eq!(data.train.len(), 60_000);
//! # Ok(()) }
//! ```

mod error;
mod files;
mod idx;
mod load;
mod split;

use std::path::PathBuf;

pub use error::DataError;
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
