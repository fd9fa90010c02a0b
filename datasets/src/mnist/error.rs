//! What can be wrong with the data on disk, each said so a student knows what to do next.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Kind;

/// A file that cannot be loaded as MNIST. Every message names the file, says what is wrong,
/// and says how to fix it; an OS error is part of the message, not also its `source`, so it
/// is printed once. See `docs/07-data-and-validation.md`.
#[derive(Debug, Error)]
pub enum DataError {
    #[error(
        "{path} not found. Run `cargo run --release -p nn-train -- fetch --data-dir {dir}` to \
         download MNIST there, or place the files by hand (see datasets/README.md)",
        dir = folder(.path),
    )]
    Missing { path: PathBuf },

    #[error("could not read {path}: {reason}. Check that it is a file you can read")]
    Read { path: PathBuf, reason: io::Error },

    #[error(
        "{path} is empty (0 bytes). Run `{refetch}` to download \
         it again",
        refetch = refetch(.path),
    )]
    Empty { path: PathBuf },

    #[error(
        "{path} is still gzip-compressed. Decompress it (`gunzip`, keeping the name without \
         .gz), or let `nn-train fetch --from DIR` do it"
    )]
    Gzipped { path: PathBuf },

    #[error(
        "{path} starts with magic number {found} ({found_is}), but an MNIST {kind} file starts \
         with {expected}. Run `{refetch}` to replace it",
        refetch = refetch(.path),
        kind = .expected_kind.noun(),
        expected = .expected_kind.magic(),
        found_is = describe_magic(*.found),
    )]
    WrongMagic {
        path: PathBuf,
        found: u32,
        expected_kind: Kind,
    },

    #[error(
        "{path}: the header says {found} {noun}, but this MNIST file holds exactly {expected}. \
         Run `{refetch}` to replace it",
        refetch = refetch(.path),
        noun = .kind.noun(),
    )]
    WrongCount {
        path: PathBuf,
        kind: Kind,
        found: u32,
        expected: u32,
    },

    #[error(
        "{path}: the header says the images are {rows}x{cols}, but MNIST images are 28x28. \
         Run `{refetch}` to replace it",
        refetch = refetch(.path),
    )]
    WrongShape { path: PathBuf, rows: u32, cols: u32 },

    #[error(
        "{path} is {found} bytes, but this MNIST file is exactly {expected} bytes ({problem}). \
         Run `{refetch}` to download it again",
        refetch = refetch(.path),
        problem = if .found < .expected { "truncated: an interrupted download?" } else { "too long" },
    )]
    WrongSize {
        path: PathBuf,
        found: u64,
        expected: u64,
    },

    #[error(
        "{path}: label number {index} is {label}, but labels are digits 0 to 9. \
         Run `{refetch}` to replace the file",
        refetch = refetch(.path),
    )]
    BadLabel {
        path: PathBuf,
        index: usize,
        label: u8,
    },

    #[error(
        "{dir}: the `mnist` crate reads only folders whose path is valid UTF-8. Use \
         --data-dir (or MNIST_DIR) with such a folder"
    )]
    NonUtf8Dir { dir: PathBuf },

    #[error(
        "no training images are left after holding out {val_size} for validation; choose a \
         smaller --val-size"
    )]
    NothingToTrainOn { val_size: usize },

    #[error(
        "cannot hold out {requested} images for validation: the training split has only \
         {available}. Choose a validation size of at most {available}"
    )]
    ValidationTooLarge { requested: usize, available: usize },
}

/// The folder a file is in, as the fetch command names it.
fn folder(path: &Path) -> String {
    path.parent().unwrap_or(path).display().to_string()
}

/// The command that downloads a damaged file again, over the one there.
fn refetch(path: &Path) -> String {
    format!(
        "cargo run --release -p nn-train -- fetch --force --data-dir {}",
        folder(path)
    )
}

fn describe_magic(magic: u32) -> &'static str {
    match magic {
        2051 => "an IDX images file: are the image and label files swapped?",
        2049 => "an IDX labels file: are the image and label files swapped?",
        _ => "not an IDX file",
    }
}
