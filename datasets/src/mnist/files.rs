//! The four MNIST files: their names, their layout, and what their content must be.
//!
//! This table is the one place these facts live; `datasets/README.md` repeats it for people.
//! See `docs/07-data-and-validation.md`.
//! Each file is in the IDX format: a big-endian header (magic number, item count, and for
//! images the row and column counts) followed by one byte per pixel or per label.

use std::fs::File;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Side of a square MNIST image, in pixels.
pub const IMAGE_SIDE: u32 = 28;
/// Pixels in one image: one row of the input matrix.
pub const IMAGE_PIXELS: usize = (IMAGE_SIDE * IMAGE_SIDE) as usize;
/// The ten digits.
pub const CLASSES: usize = 10;

/// Every gzip stream starts with these two bytes: how a file still compressed is recognised.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What an IDX file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Images,
    Labels,
}

impl Kind {
    /// The first four bytes of the file: 0x0803 (unsigned bytes, 3 dimensions) for images,
    /// 0x0801 (unsigned bytes, 1 dimension) for labels.
    pub const fn magic(self) -> u32 {
        match self {
            Kind::Images => 2051,
            Kind::Labels => 2049,
        }
    }

    /// Magic and count, plus rows and columns for images: four bytes each.
    pub const fn header_bytes(self) -> u64 {
        match self {
            Kind::Images => 16,
            Kind::Labels => 8,
        }
    }

    const fn item_bytes(self) -> u64 {
        match self {
            Kind::Images => IMAGE_PIXELS as u64,
            Kind::Labels => 1,
        }
    }

    pub const fn noun(self) -> &'static str {
        match self {
            Kind::Images => "images",
            Kind::Labels => "labels",
        }
    }
}

/// One of the four files, as it is once decompressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MnistFile {
    pub name: &'static str,
    pub kind: Kind,
    pub count: u32,
    /// SHA-256 of the decompressed file, in lowercase hex.
    pub sha256: &'static str,
}

impl MnistFile {
    /// The exact length of the decompressed file.
    pub const fn bytes(&self) -> u64 {
        self.kind.header_bytes() + self.count as u64 * self.kind.item_bytes()
    }

    /// The genuine file's length and hash, which a fetched file must match.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            bytes: self.bytes(),
            sha256: self.sha256.to_string(),
        }
    }
}

pub const TRAIN_IMAGES: MnistFile = MnistFile {
    name: "train-images-idx3-ubyte",
    kind: Kind::Images,
    count: 60_000,
    sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
};

pub const TRAIN_LABELS: MnistFile = MnistFile {
    name: "train-labels-idx1-ubyte",
    kind: Kind::Labels,
    count: 60_000,
    sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
};

pub const TEST_IMAGES: MnistFile = MnistFile {
    name: "t10k-images-idx3-ubyte",
    kind: Kind::Images,
    count: 10_000,
    sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
};

pub const TEST_LABELS: MnistFile = MnistFile {
    name: "t10k-labels-idx1-ubyte",
    kind: Kind::Labels,
    count: 10_000,
    sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

/// All four, in the order they are validated and fetched.
pub const FILES: [MnistFile; 4] = [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS];

/// A file's exact length and SHA-256 (lowercase hex): enough to tell the genuine file from a
/// truncated download, an error page, or a different data set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub bytes: u64,
    pub sha256: String,
}

impl Fingerprint {
    /// The fingerprint of `content`, for tests that serve their own small files.
    pub fn of(content: &[u8]) -> Fingerprint {
        Fingerprint {
            bytes: content.len() as u64,
            sha256: hex(&Sha256::digest(content)),
        }
    }

    /// Reads the file at `path` to the end and fingerprints it.
    pub fn of_file(path: &Path) -> io::Result<Fingerprint> {
        let mut file = File::open(path)?;
        let mut hasher = Sha256::new();
        let bytes = io::copy(&mut file, &mut hasher)?;
        Ok(Fingerprint {
            bytes,
            sha256: hex(&hasher.finalize()),
        })
    }
}

/// A digest in lower-case hexadecimal, as `sha256sum` prints it.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_from_the_idx_layout() {
        let sizes = FILES.map(|f| f.bytes());
        assert_eq!(sizes, [47_040_016, 60_008, 7_840_016, 10_008]);
    }

    #[test]
    fn the_datasets_readme_lists_the_same_files() {
        let readme = include_str!("../../README.md");
        for file in FILES {
            let row = format!("| `{}` | {} | `{}` |", file.name, file.bytes(), file.sha256);
            assert!(
                readme.contains(&row),
                "datasets/README.md lacks the row {row}"
            );
        }
    }

    #[test]
    fn a_fingerprint_is_the_length_and_the_sha256() {
        // SHA-256 of "abc", from FIPS 180-2.
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(
            Fingerprint::of(b"abc"),
            Fingerprint {
                bytes: 3,
                sha256: expected.to_string()
            }
        );
    }

    #[test]
    fn a_file_and_its_bytes_have_the_same_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"some bytes").unwrap();
        assert_eq!(
            Fingerprint::of_file(&path).unwrap(),
            Fingerprint::of(b"some bytes")
        );
    }
}
