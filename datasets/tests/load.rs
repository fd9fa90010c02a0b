//! `mnist::load` on synthetic IDX files: a valid set loads, and each kind of broken file gives
//! its own error naming the file, never a panic.

use std::fs;
use std::io::Write;
use std::path::Path;

use datasets::mnist::{self, FILES, IMAGE_PIXELS, Kind, MnistFile, TRAIN_IMAGES, TRAIN_LABELS};
use flate2::Compression;
use flate2::write::GzEncoder;
use tempfile::TempDir;

/// An IDX header: magic, count, then rows and columns for images.
fn header(kind: Kind, count: u32) -> Vec<u8> {
    let mut fields = vec![kind.magic(), count];
    if kind == Kind::Images {
        fields.extend([28, 28]);
    }
    fields.iter().flat_map(|f| f.to_be_bytes()).collect()
}

/// A well-formed file: image `i` has its first pixel set to `i % 251` and label `i % 10`, so
/// an image shifted against its label would show.
fn valid(file: &MnistFile) -> Vec<u8> {
    let mut bytes = header(file.kind, file.count);
    match file.kind {
        Kind::Images => {
            let pixels = bytes.len();
            bytes.resize(pixels + file.count as usize * IMAGE_PIXELS, 0);
            for i in 0..file.count as usize {
                bytes[pixels + i * IMAGE_PIXELS] = (i % 251) as u8;
            }
        }
        Kind::Labels => bytes.extend((0..file.count).map(|i| (i % 10) as u8)),
    }
    bytes
}

/// A data folder holding `files`, each written as given.
fn folder(files: &[(&MnistFile, Vec<u8>)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (file, bytes) in files {
        fs::write(dir.path().join(file.name), bytes).unwrap();
    }
    dir
}

/// The error message of loading `dir`, checked to name the file at fault.
fn load_error(dir: &Path, at_fault: &MnistFile) -> String {
    let message = mnist::load(dir).unwrap_err().to_string();
    let path = dir.join(at_fault.name);
    assert!(
        message.contains(&path.display().to_string()),
        "the message does not name {}: {message}",
        path.display()
    );
    message
}

fn assert_contains(message: &str, part: &str) {
    assert!(message.contains(part), "expected {part:?} in: {message}");
}

#[test]
fn a_valid_set_loads_with_every_image_beside_its_label() {
    let files: Vec<_> = FILES.iter().map(|file| (file, valid(file))).collect();
    let dir = folder(&files);
    let data = mnist::load(dir.path()).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    for i in [0, 1, 250, 251, 59_999] {
        assert_eq!(data.train.image(i)[0], (i % 251) as u8);
        assert_eq!(data.train.label(i), (i % 10) as u8);
    }
    assert_eq!(data.test.image(9_999)[0], (9_999 % 251) as u8);
    assert_eq!(data.train.class_counts(), [6_000; 10]);
    assert_eq!(data.test.class_counts(), [1_000; 10]);
}

#[test]
fn a_missing_file_says_to_run_fetch() {
    let dir = folder(&[]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(
        &message,
        "not found. Run `cargo run --release -p nn-train -- fetch --data-dir ",
    );
}

#[test]
fn an_empty_file_is_reported_as_empty() {
    let dir = folder(&[(&TRAIN_IMAGES, Vec::new())]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(&message, "is empty (0 bytes)");
}

#[test]
fn a_gzip_file_under_the_raw_name_says_to_decompress_it() {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&header(Kind::Images, 60_000)).unwrap();
    let dir = folder(&[(&TRAIN_IMAGES, gz.finish().unwrap())]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(&message, "is still gzip-compressed");
}

#[test]
fn a_truncated_file_gives_its_size_and_the_expected_one() {
    let mut bytes = header(Kind::Images, 60_000);
    bytes.extend([0; 1_000]);
    let dir = folder(&[(&TRAIN_IMAGES, bytes)]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(
        &message,
        "is 1016 bytes, but this MNIST file is exactly 47040016",
    );
    assert_contains(&message, "truncated");
}

#[test]
fn a_file_shorter_than_its_header_is_truncated() {
    let dir = folder(&[(&TRAIN_IMAGES, vec![0, 0, 8])]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(&message, "is 3 bytes");
}

#[test]
fn a_file_with_extra_bytes_is_too_long() {
    let mut bytes = valid(&TRAIN_LABELS);
    bytes.push(0);
    let dir = folder(&[
        (&TRAIN_IMAGES, valid(&TRAIN_IMAGES)),
        (&TRAIN_LABELS, bytes),
    ]);
    let message = load_error(dir.path(), &TRAIN_LABELS);
    assert_contains(
        &message,
        "is 60009 bytes, but this MNIST file is exactly 60008 bytes (too long)",
    );
}

#[test]
fn a_wrong_magic_number_is_named() {
    let mut bytes = header(Kind::Images, 60_000);
    bytes[..4].copy_from_slice(b"<htm");
    let dir = folder(&[(&TRAIN_IMAGES, bytes)]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(&message, "not an IDX file");
    assert_contains(&message, "an MNIST images file starts with 2051");
}

#[test]
fn a_labels_file_under_an_images_name_is_suspected_swapped() {
    let dir = folder(&[(&TRAIN_IMAGES, valid(&TRAIN_LABELS))]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(
        &message,
        "magic number 2049 (an IDX labels file: are the image and label files swapped?)",
    );
}

#[test]
fn a_wrong_count_in_the_header_is_named() {
    let dir = folder(&[(&TRAIN_IMAGES, header(Kind::Images, 59_999))]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(
        &message,
        "the header says 59999 images, but this MNIST file holds exactly 60000",
    );
}

#[test]
fn a_wrong_image_shape_is_named() {
    let mut bytes = header(Kind::Images, 60_000);
    bytes[8..16].copy_from_slice(&[0, 0, 0, 32, 0, 0, 0, 32]);
    let dir = folder(&[(&TRAIN_IMAGES, bytes)]);
    let message = load_error(dir.path(), &TRAIN_IMAGES);
    assert_contains(&message, "the images are 32x32, but MNIST images are 28x28");
}

#[test]
fn a_label_of_12_is_named_with_its_position() {
    let mut labels = valid(&TRAIN_LABELS);
    labels[8 + 1234] = 12;
    let dir = folder(&[
        (&TRAIN_IMAGES, valid(&TRAIN_IMAGES)),
        (&TRAIN_LABELS, labels),
    ]);
    let message = load_error(dir.path(), &TRAIN_LABELS);
    assert_contains(
        &message,
        "label number 1234 is 12, but labels are digits 0 to 9",
    );
}
