//! Checkpoints survive a round trip, and every way a file can be broken is a named error.

use std::fs;
use std::path::{Path, PathBuf};

use datasets::augment::{Affine, Augmentation, Elastic};
use nn_core::Mlp;
use nn_core::schedule::LrSchedule;
use nn_core::sgd::Sgd;
use nn_run::checkpoint::{Checkpoint, FORMAT_VERSION, MAGIC};
use nn_run::config::TrainConfig;
use sha2::{Digest, Sha256};

fn checkpoint() -> Checkpoint {
    let config = TrainConfig {
        hidden: vec![16],
        dropout: 0.25,
        augmentation: Augmentation {
            affine: Some(Affine::default()),
            elastic: Some(Elastic::default()),
        },
        lr_schedule: LrSchedule::Cosine,
        warmup_epochs: 1,
        patience: Some(4),
        ..TrainConfig::default()
    };
    let model = Mlp::new(&config.layer_sizes(), 3);
    let mut optimizer = Sgd::new(0.1).with_momentum(0.9);
    // One step so the momentum buffers exist and are not all zero.
    let grads = Mlp::new(&config.layer_sizes(), 4);
    let mut stepped = model.clone();
    optimizer.step(&mut stepped, &grads);
    Checkpoint {
        config,
        learning_rate: 0.1,
        epoch: 3,
        step: 2_814,
        model: stepped,
        optimizer,
    }
}

fn saved() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last.ckpt");
    checkpoint().save(&path).unwrap();
    let bytes = fs::read(&path).unwrap();
    (dir, path, bytes)
}

fn load_error(path: &Path, bytes: &[u8]) -> String {
    fs::write(path, bytes).unwrap();
    let err = Checkpoint::load(path)
        .expect_err("a broken checkpoint must not load")
        .to_string();
    assert!(
        err.contains(&path.display().to_string()),
        "the error does not name the file: {err}"
    );
    err
}

#[test]
fn a_checkpoint_survives_a_round_trip() {
    let (_dir, path, bytes) = saved();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    assert_eq!(Checkpoint::load(&path).unwrap(), checkpoint());
}

#[test]
fn a_truncated_checkpoint_says_so() {
    let (_dir, path, bytes) = saved();
    let err = load_error(&path, &bytes[..bytes.len() - 100]);
    assert!(err.contains("truncated"), "{err}");
    let err = load_error(&path, &bytes[..30]);
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn a_flipped_bit_fails_the_checksum() {
    let (_dir, path, mut bytes) = saved();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    let err = load_error(&path, &bytes);
    assert!(err.contains("corrupt") && err.contains("checksum"), "{err}");
}

#[test]
fn a_file_that_is_not_a_checkpoint_says_so() {
    let (_dir, path, _) = saved();
    let err = load_error(&path, b"{\"not\": \"a checkpoint\"}");
    assert!(err.contains("not an nn-train checkpoint"), "{err}");
    let err = load_error(&path, b"");
    assert!(err.contains("not an nn-train checkpoint"), "{err}");
}

#[test]
fn a_newer_format_asks_for_a_newer_nn_train() {
    let (_dir, path, mut bytes) = saved();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = load_error(&path, &bytes);
    assert!(
        err.contains("newer") && err.contains("update nn-train"),
        "{err}"
    );
}

/// A format-1 file, written the way nn-train wrote them before format 2 existed: the envelope
/// (magic, version 1, payload length, SHA-256) around a bincode payload whose `TrainConfig` has
/// only the nine fields of that time, in their order.
fn format_1_bytes(checkpoint: &Checkpoint) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Format1<'a> {
        config: Format1Config<'a>,
        learning_rate: f32,
        epoch: usize,
        step: u64,
        model: &'a Mlp,
        optimizer: &'a Sgd,
    }
    #[derive(serde::Serialize)]
    struct Format1Config<'a> {
        hidden: &'a [usize],
        learning_rates: &'a [f32],
        epochs: usize,
        batch_size: usize,
        seed: u64,
        momentum: f32,
        weight_decay: f32,
        train_limit: Option<usize>,
        val_size: usize,
    }
    let c = &checkpoint.config;
    let format_1 = Format1 {
        config: Format1Config {
            hidden: &c.hidden,
            learning_rates: &c.learning_rates,
            epochs: c.epochs,
            batch_size: c.batch_size,
            seed: c.seed,
            momentum: c.momentum,
            weight_decay: c.weight_decay,
            train_limit: c.train_limit,
            val_size: c.val_size,
        },
        learning_rate: checkpoint.learning_rate,
        epoch: checkpoint.epoch,
        step: checkpoint.step,
        model: &checkpoint.model,
        optimizer: &checkpoint.optimizer,
    };
    let payload = bincode::serde::encode_to_vec(&format_1, bincode::config::standard()).unwrap();
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(&payload));
    bytes.extend_from_slice(&payload);
    bytes
}

/// A 784-2-10 network of a run with learning rates 0.1 and 0.5, momentum 0.9 and weight decay
/// 1e-4, after one SGD step from seed 42's weights with seed 5's network as the gradient.
fn format_1_run() -> Checkpoint {
    let config = TrainConfig {
        hidden: vec![2],
        learning_rates: vec![0.1, 0.5],
        epochs: 3,
        momentum: 0.9,
        weight_decay: 1e-4,
        ..TrainConfig::default()
    };
    let mut model = Mlp::new(&config.layer_sizes(), 42);
    let mut optimizer = Sgd::new(0.1).with_momentum(0.9).with_weight_decay(1e-4);
    optimizer.step(&mut model, &Mlp::new(&config.layer_sizes(), 5));
    Checkpoint {
        config,
        learning_rate: 0.1,
        epoch: 2,
        step: 1_564,
        model,
        optimizer,
    }
}

#[test]
fn a_format_1_checkpoint_still_loads() {
    let expected = format_1_run();
    let bytes = format_1_bytes(&expected);
    // The very bytes nn-train wrote for this run in format 1 (a file kept while format 2 was
    // built): if this changes, the writer above no longer describes format 1.
    assert_eq!(
        format!("{:x}", Sha256::digest(&bytes)),
        "e757b655de1c1c6d656c67776c7b9b7d59bb47f77c20447b23153a44b785619a"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("format-1.ckpt");
    fs::write(&path, &bytes).unwrap();

    let loaded = Checkpoint::load(&path).unwrap();

    assert_eq!(loaded, expected);
    // It reads as a run without dropout, augmentation, schedule or early stopping.
    assert_eq!(loaded.config.dropout, 0.0);
    assert!(loaded.config.augmentation.is_none());
    assert_eq!(loaded.config.lr_schedule, LrSchedule::Constant);
    assert_eq!(loaded.config.patience, None);
}

#[test]
fn a_format_no_nn_train_wrote_is_named() {
    let (_dir, path, mut bytes) = saved();
    bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
    let err = load_error(&path, &bytes);
    assert!(err.contains("format 0") && err.contains("damaged"), "{err}");
}

#[test]
fn a_corrupt_length_cannot_make_it_allocate() {
    let (_dir, path, mut bytes) = saved();
    bytes[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = load_error(&path, &bytes);
    assert!(err.contains("more than"), "{err}");
}

#[test]
fn trailing_bytes_are_damage() {
    let (_dir, path, mut bytes) = saved();
    bytes.extend_from_slice(b"extra");
    let err = load_error(&path, &bytes);
    assert!(err.contains("5 bytes after its payload"), "{err}");
}

#[test]
fn the_wrong_architecture_is_named() {
    let (_dir, path, _) = saved();
    let err = Checkpoint::load_expecting(&path, &[784, 128, 10])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("784-16-10") && err.contains("784-128-10"),
        "{err}"
    );
    assert!(Checkpoint::load_expecting(&path, &[784, 16, 10]).is_ok());
}

#[test]
fn a_missing_checkpoint_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.ckpt");
    let err = Checkpoint::load(&path).unwrap_err().to_string();
    assert!(err.contains("nowhere.ckpt"), "{err}");
}

#[test]
fn saving_over_a_checkpoint_replaces_it_whole() {
    let (dir, path, _) = saved();
    let mut later = checkpoint();
    later.epoch = 4;
    later.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap().epoch, 4);
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["last.ckpt"], "a temporary file was left behind");
}

#[test]
fn only_a_network_that_reads_mnist_is_a_digit_classifier() {
    let (dir, path, _) = saved();
    assert_eq!(
        Checkpoint::load_mnist_classifier(&path).unwrap(),
        checkpoint()
    );
    for sizes in [[784, 16, 3], [100, 16, 10]] {
        let mut other = checkpoint();
        other.model = Mlp::new(&sizes, 1);
        let path = dir.path().join("other.ckpt");
        other.save(&path).unwrap();
        let err = Checkpoint::load_mnist_classifier(&path)
            .unwrap_err()
            .to_string();
        let architecture = format!("{}-16-{}", sizes[0], sizes[2]);
        assert!(
            err.contains(&architecture) && err.contains("does not read MNIST images"),
            "{err}"
        );
    }
}
