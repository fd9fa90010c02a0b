//! Reading the four checked files into memory. See `docs/07-data-and-validation.md`.

use std::path::Path;

use super::{
    DataError, FILES, Mnist, Split, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, idx,
};

/// Loads MNIST from `dir`, which must hold the four decompressed files.
///
/// Each file is checked first (`idx.rs`), because the `mnist` crate that parses
/// them panics on malformed input and silently misreads a truncated file. Any problem is an
/// error naming the file and what to do about it.
pub fn load(dir: &Path) -> Result<Mnist, DataError> {
    for file in &FILES {
        idx::validate(&dir.join(file.name), file)?;
    }
    let base_path = dir
        .to_str()
        .ok_or_else(|| DataError::NonUtf8Dir { dir: dir.into() })?;
    // `::mnist` is the crate, not this module.
    let parsed = ::mnist::MnistBuilder::new()
        .base_path(base_path)
        .training_images_filename(TRAIN_IMAGES.name)
        .training_labels_filename(TRAIN_LABELS.name)
        .test_images_filename(TEST_IMAGES.name)
        .test_labels_filename(TEST_LABELS.name)
        .label_format_digit()
        .training_set_length(TRAIN_IMAGES.count)
        .validation_set_length(0)
        .test_set_length(TEST_IMAGES.count)
        .finalize();
    Ok(Mnist {
        train: Split::new(parsed.trn_img, parsed.trn_lbl),
        test: Split::new(parsed.tst_img, parsed.tst_lbl),
    })
}
