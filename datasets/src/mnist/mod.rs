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
pub use split::{Data, Mnist, Split, pixels_to_input, shuffle_for_epoch};

/// The environment variable naming the data folder when no `--data-dir` is given.
pub const DATA_DIR_VARIABLE: &str = "MNIST_DIR";

/// Where the data lives: `--data-dir` if given, else the `MNIST_DIR` environment variable,
/// else `datasets/mnist` in the workspace.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> PathBuf {
    locate_data_dir(flag).path
}

/// The data folder, and what named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    pub path: PathBuf,
    /// `--data-dir` or `MNIST_DIR`; `None` for the default folder, the only one a command may
    /// fill unasked (a typo elsewhere must not download 55 MB into a new folder).
    pub named_by: Option<&'static str>,
}

/// [`resolve_data_dir`], saying what named the folder.
pub fn locate_data_dir(flag: Option<PathBuf>) -> DataDir {
    let env = || {
        std::env::var_os(DATA_DIR_VARIABLE)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    match (flag, env()) {
        (Some(path), _) => DataDir {
            path,
            named_by: Some("--data-dir"),
        },
        (None, Some(path)) => DataDir {
            path,
            named_by: Some(DATA_DIR_VARIABLE),
        },
        (None, None) => DataDir {
            path: default_data_dir(),
            named_by: None,
        },
    }
}

/// `datasets/mnist` in the workspace, whatever the current directory is when `cargo run`
/// starts: the folder beside this crate's own sources, git-ignored.
pub fn default_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mnist")
}
