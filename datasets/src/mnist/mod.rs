//! MNIST: 70,000 handwritten digits, 28x28 pixels each, labelled 0 to 9.
//! Where they come from and how they are checked: `docs/07-data-and-validation.md`.
//!
//! - `files.rs`: the four files, their layout, sizes and SHA-256 (the one home of these facts).
//! - `idx.rs` and `load.rs` ([`load`]): check each file, and only then read it with the `mnist`
//!   crate.
//! - `split.rs` ([`Split`]): images and labels in memory, the validation hold-out, and batches
//!   for the network.
//!
//! Getting the files is `nn-train fetch` (`nn-train/src/fetch.rs`); this crate only reads and
//! checks what is on disk, so reading a run never compiles the network stack.
//!
//! ```no_run
//! use datasets::mnist;
//!
//! # fn main() -> Result<(), mnist::DataError> {
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

use std::path::{Path, PathBuf};

pub use error::DataError;
pub use files::{
    CLASSES, FILES, Fingerprint, GZIP_MAGIC, IMAGE_PIXELS, IMAGE_SIDE, Kind, MnistFile,
    TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, hex,
};
pub use load::load;
pub use split::{Mnist, Split, pixels_to_input};

/// Where the data lives: `--data-dir` if given, else the `MNIST_DIR` environment variable,
/// else `datasets/mnist` in the workspace.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os("MNIST_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(default_data_dir)
}

/// `datasets/mnist` in the workspace, whatever the current directory is when `cargo run`
/// starts: the folder beside this crate's own sources, git-ignored.
pub fn default_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mnist")
}
