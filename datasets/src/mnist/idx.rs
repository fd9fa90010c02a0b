//! Checking an IDX file before anything parses it.
//!
//! The `mnist` crate trusts its input: it panics on a bad header and, worse, loads a truncated
//! file without a word, shifting every image after the gap. So each file is checked here first:
//! not empty, not still gzipped, the right magic number, count and image shape, the exact
//! length, and every label a digit. See `docs/07-data-and-validation.md`.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::files::GZIP_MAGIC;
use super::{CLASSES, DataError, IMAGE_SIDE, Kind, MnistFile};

/// Checks that the file at `path` is a well-formed `file` (its content is not compared with
/// the genuine MNIST: synthetic data of the right shape passes).
pub fn validate(path: &Path, file: &MnistFile) -> Result<(), DataError> {
    let read_error = |reason: io::Error| match reason.kind() {
        io::ErrorKind::NotFound => DataError::Missing { path: path.into() },
        _ => DataError::Read {
            path: path.into(),
            reason,
        },
    };
    let mut f = File::open(path).map_err(read_error)?;
    let found_bytes = f.metadata().map_err(read_error)?.len();
    let mut header = Vec::new();
    f.by_ref()
        .take(file.kind.header_bytes())
        .read_to_end(&mut header)
        .map_err(read_error)?;

    if found_bytes == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    if header.starts_with(&GZIP_MAGIC) {
        return Err(DataError::Gzipped { path: path.into() });
    }
    let wrong_size = DataError::WrongSize {
        path: path.into(),
        found: found_bytes,
        expected: file.bytes(),
    };
    if (header.len() as u64) < file.kind.header_bytes() {
        return Err(wrong_size);
    }
    // Big-endian u32 fields: magic, count, then (images only) rows and columns.
    let field = |i: usize| {
        let b = &header[4 * i..];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    };
    if field(0) != file.kind.magic() {
        return Err(DataError::WrongMagic {
            path: path.into(),
            found: field(0),
            expected_kind: file.kind,
        });
    }
    if field(1) != file.count {
        return Err(DataError::WrongCount {
            path: path.into(),
            kind: file.kind,
            found: field(1),
            expected: file.count,
        });
    }
    if file.kind == Kind::Images && (field(2), field(3)) != (IMAGE_SIDE, IMAGE_SIDE) {
        return Err(DataError::WrongShape {
            path: path.into(),
            rows: field(2),
            cols: field(3),
        });
    }
    if found_bytes != file.bytes() {
        return Err(wrong_size);
    }
    if file.kind == Kind::Labels {
        let mut labels = Vec::new();
        f.read_to_end(&mut labels).map_err(read_error)?;
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, l)| usize::from(**l) >= CLASSES)
        {
            return Err(DataError::BadLabel {
                path: path.into(),
                index,
                label,
            });
        }
    }
    Ok(())
}
