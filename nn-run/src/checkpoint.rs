//! Checkpoints: a model and everything needed to continue training it exactly.
//!
//! A checkpoint file is a small envelope around a bincode payload:
//!
//! ```text
//! offset  size  content
//!      0     8  magic "NNCKPT\r\n" (the \r\n catches files mangled by text-mode transfers)
//!      8     4  format version, u32 little-endian (2; version 1 is still read)
//!     12     8  payload length in bytes, u64 little-endian
//!     20    32  SHA-256 of the payload
//!     52     …  payload: a [`Checkpoint`], bincode 2 (standard configuration)
//! ```
//!
//! Every way a file can be broken is caught before the payload is trusted: too short, wrong
//! magic, a newer format, a length that does not match the file, a checksum that does not
//! match the payload. Decoding itself runs with a size limit, so even a payload that passes
//! those checks cannot make it allocate more than [`MAX_PAYLOAD_BYTES`].
//!
//! bincode 1.x and 2.x are marked unmaintained (RUSTSEC-2025-0141) and 3.0.0 is an empty crate;
//! we pin 2.0.1, and the version field is what lets a release read older files: bincode is not
//! self-describing, so a payload is decoded with the layout of its version. Format 2 added
//! dropout, augmentation, the learning-rate schedule and early stopping to the configuration;
//! a format-1 file reads as a run without them. See `docs/appendix-b-runs-and-checkpoints.md`.

use std::fs;
use std::path::{Path, PathBuf};

use nn_core::Mlp;
use nn_core::sgd::Sgd;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use datasets::mnist::{CLASSES, IMAGE_PIXELS};

use crate::atomic::write_atomically;
use crate::config::{TrainConfig, architecture};
use crate::run_dir::{RunDir, RunError};

/// The first 8 bytes of every checkpoint file. See `docs/appendix-b-runs-and-checkpoints.md`.
pub const MAGIC: [u8; 8] = *b"NNCKPT\r\n";
/// The envelope's format version, written into every new checkpoint: a file with a larger one
/// is refused, and a smaller one is decoded with the layout of its own version.
/// See `docs/appendix-b-runs-and-checkpoints.md`.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format this version still reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;
const HEADER_BYTES: usize = 8 + 4 + 8 + 32;
/// The largest payload this version will decode: far above any network it trains (the
/// 784-800-10 recipe with momentum is under 6 MB), far below what could hurt the machine.
/// See `docs/appendix-b-runs-and-checkpoints.md`.
pub const MAX_PAYLOAD_BYTES: usize = 256 << 20;

/// What a checkpoint holds: enough to continue training exactly where it stopped.
/// See `docs/appendix-b-runs-and-checkpoints.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The run's configuration: architecture, data split, seed, all learning rates.
    pub config: TrainConfig,
    /// The learning rate this model was trained with.
    pub learning_rate: f32,
    /// Epochs completed. The next epoch's shuffle is derived from `config.seed` and the epoch
    /// number, so no generator state needs saving.
    pub epoch: usize,
    /// SGD steps taken.
    pub step: u64,
    pub model: Mlp,
    /// The optimiser, with its momentum buffers.
    pub optimizer: Sgd,
}

/// Every way loading or saving a checkpoint can fail, each naming the file. The order in which
/// they are checked: `docs/appendix-b-runs-and-checkpoints.md`. An OS error is part of the
/// message, not also its `source`, so it is printed once.
#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("cannot read checkpoint {path}: {reason}")]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("cannot write checkpoint {path}: {reason}")]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error(
        "{path} is not an nn-train checkpoint (it does not start with the checkpoint magic bytes)"
    )]
    WrongMagic { path: PathBuf },
    #[error(
        "{path} is truncated: {found} bytes, but its header promises {expected}; use another checkpoint (e.g. an earlier epoch's)"
    )]
    Truncated {
        path: PathBuf,
        found: u64,
        expected: u64,
    },
    #[error("{path} has {extra} bytes after its payload: the file is damaged")]
    TrailingBytes { path: PathBuf, extra: u64 },
    #[error(
        "{path} is checkpoint format {found}, newer than this nn-train reads ({FORMAT_VERSION}); update nn-train"
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error(
        "{path} claims checkpoint format {found}, which no nn-train ever wrote (formats {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION} exist): the file is damaged"
    )]
    UnknownVersion { path: PathBuf, found: u32 },
    #[error(
        "{path} declares a payload of {bytes} bytes, more than the {MAX_PAYLOAD_BYTES} a checkpoint may hold: the file is damaged"
    )]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error("{path} is corrupt: its payload does not match its SHA-256 checksum")]
    ChecksumMismatch { path: PathBuf },
    #[error("{path} cannot be decoded: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error(
        "{path} holds a {architecture} network, which does not read MNIST images (784 inputs, 10 classes)"
    )]
    NotForMnist { path: PathBuf, architecture: String },
    #[error("{path} holds a {found} network, but {expected} was expected")]
    WrongArchitecture {
        path: PathBuf,
        found: String,
        expected: String,
    },
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_PAYLOAD_BYTES>()
}

impl Checkpoint {
    /// Writes the checkpoint atomically: a kill at any moment leaves the previous file whole.
    pub fn save(&self, path: &Path) -> Result<(), CheckpointError> {
        let payload = bincode::serde::encode_to_vec(self, bincode_config()).map_err(|e| {
            CheckpointError::Write {
                path: path.into(),
                reason: std::io::Error::other(e),
            }
        })?;
        let mut bytes = Vec::with_capacity(HEADER_BYTES + payload.len());
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&Sha256::digest(&payload));
        bytes.extend_from_slice(&payload);
        let write = || {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            write_atomically(path, &bytes)
        };
        write().map_err(|reason| CheckpointError::Write {
            path: path.into(),
            reason,
        })
    }

    /// Reads and checks a checkpoint; every way the file can be broken is a
    /// [`CheckpointError`]. The checks, in order: `docs/appendix-b-runs-and-checkpoints.md`.
    pub fn load(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let bytes = fs::read(path).map_err(|reason| CheckpointError::Read {
            path: path.into(),
            reason,
        })?;
        Checkpoint::decode(path, &bytes)
    }

    /// Loads a checkpoint and checks that its network has the given layer widths.
    pub fn load_expecting(path: &Path, sizes: &[usize]) -> Result<Checkpoint, CheckpointError> {
        let checkpoint = Checkpoint::load(path)?;
        if checkpoint.model.sizes() != sizes {
            return Err(CheckpointError::WrongArchitecture {
                path: path.into(),
                found: architecture(&checkpoint.model.sizes()),
                expected: architecture(sizes),
            });
        }
        Ok(checkpoint)
    }

    /// Loads a checkpoint whose network reads MNIST digits: 784 inputs and 10 classes, any
    /// hidden layers. What every command that uses a trained network takes.
    pub fn load_mnist_classifier(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let checkpoint = Checkpoint::load(path)?;
        if !checkpoint.reads_mnist() {
            return Err(CheckpointError::NotForMnist {
                path: path.into(),
                architecture: architecture(&checkpoint.model.sizes()),
            });
        }
        Ok(checkpoint)
    }

    /// `784-128-10 network, lr 0.5, epoch 10`
    pub fn summary(&self) -> String {
        format!(
            "{} network, lr {}, epoch {}",
            architecture(&self.model.sizes()),
            self.learning_rate,
            self.epoch
        )
    }

    /// Its network reads MNIST digits: 784 inputs and 10 classes, any hidden layers.
    pub fn reads_mnist(&self) -> bool {
        let sizes = self.model.sizes();
        sizes[0] == IMAGE_PIXELS && sizes.last() == Some(&CLASSES)
    }

    fn decode(path: &Path, bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let path = || path.to_path_buf();
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(CheckpointError::WrongMagic { path: path() });
        }
        let found = bytes.len() as u64;
        if bytes.len() < HEADER_BYTES {
            let expected = HEADER_BYTES as u64;
            return Err(CheckpointError::Truncated {
                path: path(),
                found,
                expected,
            });
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version > FORMAT_VERSION {
            return Err(CheckpointError::NewerVersion {
                path: path(),
                found: version,
            });
        }
        if version < OLDEST_FORMAT_VERSION {
            return Err(CheckpointError::UnknownVersion {
                path: path(),
                found: version,
            });
        }
        let payload_len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        if payload_len > MAX_PAYLOAD_BYTES as u64 {
            return Err(CheckpointError::TooLarge {
                path: path(),
                bytes: payload_len,
            });
        }
        let expected = HEADER_BYTES as u64 + payload_len;
        if found < expected {
            return Err(CheckpointError::Truncated {
                path: path(),
                found,
                expected,
            });
        }
        if found > expected {
            return Err(CheckpointError::TrailingBytes {
                path: path(),
                extra: found - expected,
            });
        }
        let payload = &bytes[HEADER_BYTES..];
        if Sha256::digest(payload)[..] != bytes[20..52] {
            return Err(CheckpointError::ChecksumMismatch { path: path() });
        }
        let decode_error = |e: bincode::error::DecodeError| CheckpointError::Decode {
            path: path(),
            reason: format!("format {version}: {e}"),
        };
        if version == 1 {
            let decoded = bincode::serde::decode_from_slice(payload, bincode_config());
            let (checkpoint, _): (format_1::Checkpoint, usize) = decoded.map_err(decode_error)?;
            return Ok(checkpoint.into());
        }
        let decoded = bincode::serde::decode_from_slice(payload, bincode_config());
        let (checkpoint, _): (Checkpoint, usize) = decoded.map_err(decode_error)?;
        Ok(checkpoint)
    }
}

/// Format 1, written before dropout, augmentation, learning-rate schedules and early stopping:
/// the same checkpoint with a shorter [`TrainConfig`]. It reads as a run with none of them.
mod format_1 {
    use nn_core::Mlp;
    use nn_core::sgd::Sgd;
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub(super) struct Checkpoint {
        config: TrainConfig,
        learning_rate: f32,
        epoch: usize,
        step: u64,
        model: Mlp,
        optimizer: Sgd,
    }

    /// The fields of `TrainConfig` in format 1, in their order.
    #[derive(Deserialize)]
    struct TrainConfig {
        hidden: Vec<usize>,
        learning_rates: Vec<f32>,
        epochs: usize,
        batch_size: usize,
        seed: u64,
        momentum: f32,
        weight_decay: f32,
        train_limit: Option<usize>,
        val_size: usize,
    }

    impl From<Checkpoint> for super::Checkpoint {
        fn from(c: Checkpoint) -> super::Checkpoint {
            let old = c.config;
            super::Checkpoint {
                config: super::TrainConfig {
                    hidden: old.hidden,
                    learning_rates: old.learning_rates,
                    epochs: old.epochs,
                    batch_size: old.batch_size,
                    seed: old.seed,
                    momentum: old.momentum,
                    weight_decay: old.weight_decay,
                    train_limit: old.train_limit,
                    val_size: old.val_size,
                    ..super::TrainConfig::default()
                },
                learning_rate: c.learning_rate,
                epoch: c.epoch,
                step: c.step,
                model: c.model,
                optimizer: c.optimizer,
            }
        }
    }
}

/// The network a command that uses a trained network reads (`nn-train predict`, `nn-play`): the
/// checkpoint named with `--checkpoint`, or else the best of the newest run
/// ([`RunDir::newest_best_checkpoint`]). Either way it must read MNIST.
#[derive(Clone, Debug)]
pub struct ChosenNetwork {
    pub path: PathBuf,
    pub checkpoint: Checkpoint,
    /// No checkpoint was named: this is the newest run's best.
    pub by_default: bool,
}

/// Why no network could be chosen: no run to take it from, or a checkpoint that cannot be read.
#[derive(Debug, Error)]
pub enum ChooseError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

impl ChosenNetwork {
    /// The checkpoint at `named`, or else the best of the newest run under `runs_dir`.
    pub fn open(named: Option<&Path>, runs_dir: &Path) -> Result<ChosenNetwork, ChooseError> {
        let (path, by_default) = match named {
            Some(path) => (path.to_path_buf(), false),
            None => (RunDir::newest_best_checkpoint(runs_dir)?.path, true),
        };
        let checkpoint = Checkpoint::load_mnist_classifier(&path)?;
        Ok(ChosenNetwork {
            path,
            checkpoint,
            by_default,
        })
    }

    /// What a command says first: the file on its own line (a path can be long), then the
    /// network, and how to choose another when it was chosen by default. Lines of at most 80
    /// columns, but for the path.
    pub fn describe(&self) -> String {
        let mut said = format!(
            "checkpoint {}\n  {}",
            self.path.display(),
            self.checkpoint.summary()
        );
        if self.by_default {
            said += ": the best of the newest run\n  (--checkpoint FILE picks another)";
        }
        said
    }
}
