//! The sweep on synthetic digits: it learns, a diverging learning rate is caught without
//! stopping the others, resuming is exact, and the thread count changes nothing.

use std::fs;
use std::path::Path;

use datasets::augment::{Affine, Augmentation, Elastic};
use datasets::mnist::{Data, Split};
use nn_core::ThreadPool;
use nn_core::schedule::LrSchedule;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::TrainConfig;
use nn_run::run_dir::{EpochMetrics, KeepCheckpoints, RunConfig, RunDir, Summary};
use nn_train::progress::Progress;
use nn_train::train::{StopRequest, SweepOptions, run_sweep};

fn data() -> Data {
    Data {
        train: Split::synthetic(640, 1),
        validation: Split::synthetic(100, 2),
        test: Split::synthetic(100, 3),
    }
}

fn config(learning_rates: &[f32], epochs: usize) -> TrainConfig {
    TrainConfig {
        hidden: vec![32],
        learning_rates: learning_rates.to_vec(),
        epochs,
        batch_size: 32,
        seed: 7,
        momentum: 0.9,
        weight_decay: 1e-4,
        train_limit: None,
        val_size: 100,
        ..TrainConfig::default()
    }
}

/// [`config`] with every regularisation and schedule on: dropout, both distortions, a stepped
/// schedule after a warm-up, and early stopping.
fn regularised(learning_rates: &[f32], epochs: usize) -> TrainConfig {
    TrainConfig {
        dropout: 0.3,
        augmentation: Augmentation {
            affine: Some(Affine::default()),
            elastic: Some(Elastic::default()),
        },
        lr_schedule: LrSchedule::Step {
            every: 2,
            factor: 0.5,
        },
        warmup_epochs: 1,
        patience: Some(3),
        ..config(learning_rates, epochs)
    }
}

fn train(path: &Path, config: &TrainConfig, resume: bool, threads: usize) -> Summary {
    train_keeping(path, config, resume, threads, KeepCheckpoints::All)
}

fn train_keeping(
    path: &Path,
    config: &TrainConfig,
    resume: bool,
    threads: usize,
    keep_checkpoints: KeepCheckpoints,
) -> Summary {
    let run = if resume {
        RunDir::open(path).unwrap()
    } else {
        RunDir::create(path, &RunConfig::new(config.clone())).unwrap()
    };
    let options = SweepOptions {
        resume,
        keep_checkpoints,
        stop: StopRequest::default(),
    };
    let end = ThreadPool::new(threads)
        .install(|| run_sweep(config, &data(), &run, &options, &Progress::plain()))
        .unwrap();
    assert_eq!(end.stopped_in, None);
    end.summary
}

/// Everything but the wall time.
fn without_seconds(rows: Vec<EpochMetrics>) -> Vec<EpochMetrics> {
    rows.into_iter()
        .map(|r| EpochMetrics { seconds: 0.0, ..r })
        .collect()
}

fn parameters(path: &Path) -> Vec<u32> {
    let model = Checkpoint::load(path).unwrap().model;
    model
        .layers()
        .iter()
        .flat_map(|l| l.weights.as_slice().iter().chain(&l.bias))
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn it_learns_the_synthetic_digits() {
    let dir = tempfile::tempdir().unwrap();
    let summary = train(dir.path(), &config(&[0.05], 3), false, 1);
    let lr = &summary.learning_rates[0];
    assert_eq!(lr.epochs_completed, 3);
    assert!(lr.best_val_accuracy.unwrap() > 0.95, "{lr:?}");
    let run = RunDir::open(dir.path()).unwrap();
    for file in [
        run.best_checkpoint_path(0.05),
        run.last_checkpoint_path(0.05),
        run.epoch_checkpoint_path(0.05, 3),
    ] {
        assert!(file.is_file(), "{} is missing", file.display());
    }
    // 640 examples in batches of 32: 20 steps per epoch, one row each.
    assert_eq!(run.read_batches(0.05).unwrap().len(), 60);
    assert_eq!(run.read_summary().unwrap(), summary);
}

/// `best.ckpt` is the checkpoint of the epoch the summary calls best (chosen on validation, ties
/// to the earlier epoch), which is not always the last.
#[test]
fn best_ckpt_holds_the_best_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let summary = train(dir.path(), &config(&[0.02, 0.5, 1.5], 6), false, 1);
    let run = RunDir::open(dir.path()).unwrap();
    for lr in &summary.learning_rates {
        let best = lr.best_epoch.unwrap();
        assert_eq!(
            fs::read(run.best_checkpoint_path(lr.lr)).unwrap(),
            fs::read(run.epoch_checkpoint_path(lr.lr, best)).unwrap(),
            "lr {}: best.ckpt is not epoch {best}",
            lr.lr
        );
    }
    assert!(
        summary
            .learning_rates
            .iter()
            .any(|lr| lr.best_epoch < Some(lr.epochs_completed)),
        "no learning rate peaked before its last epoch: the test proves less than it says"
    );
}

#[test]
fn a_diverging_learning_rate_stops_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let summary = train(dir.path(), &config(&[1e6, 0.05], 3), false, 1);
    let [diverged, fine] = &summary.learning_rates[..] else {
        panic!("two learning rates")
    };
    assert!(diverged.diverged, "{diverged:?}");
    assert_eq!(diverged.diverged_at_epoch, Some(1));
    assert_eq!(diverged.epochs_completed, 0);
    assert!(!fine.diverged && fine.epochs_completed == 3);
    assert_eq!(summary.best().unwrap().lr, 0.05);

    let run = RunDir::open(dir.path()).unwrap();
    let metrics = run.read_metrics(1e6).unwrap();
    assert_eq!(metrics.len(), 1);
    assert!(metrics[0].diverged, "metrics.csv marks the divergence");
    assert!(
        !run.last_checkpoint_path(1e6).exists(),
        "a diverged model is not checkpointed"
    );
}

/// Trains `make(lrs, 4)` straight, and `make(lrs, 2)` then resumed to 4 epochs on
/// `resume_threads` threads; asserts bit-identical parameters and identical logs, except the
/// wall time.
fn assert_resuming_is_exact(make: fn(&[f32], usize) -> TrainConfig, resume_threads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (straight, halves) = (dir.path().join("straight"), dir.path().join("halves"));
    let lrs = [0.05, 0.2];
    train(&straight, &make(&lrs, 4), false, 1);
    train(&halves, &make(&lrs, 2), false, 1);
    train(&halves, &make(&lrs, 4), true, resume_threads);

    let (a, b) = (
        RunDir::open(&straight).unwrap(),
        RunDir::open(&halves).unwrap(),
    );
    for lr in lrs {
        assert_eq!(
            parameters(&a.last_checkpoint_path(lr)),
            parameters(&b.last_checkpoint_path(lr)),
            "lr {lr}"
        );
        assert_eq!(
            without_seconds(a.read_metrics(lr).unwrap()),
            without_seconds(b.read_metrics(lr).unwrap())
        );
        assert_eq!(a.read_batches(lr).unwrap(), b.read_batches(lr).unwrap());
    }
}

/// Training 4 epochs straight, and training 2 epochs then resuming to 4, give bit-identical
/// parameters and identical metrics except the wall time.
#[test]
fn resuming_is_exact() {
    assert_resuming_is_exact(config, 1);
}

/// A run killed after an epoch's logs were written but before its checkpoint: resuming trims
/// the logs back to the checkpoint and redoes the epoch, ending where an uninterrupted run ends.
#[test]
fn resuming_after_a_kill_between_logs_and_checkpoint_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (straight, killed) = (dir.path().join("straight"), dir.path().join("killed"));
    train(&straight, &config(&[0.05], 3), false, 1);
    train(&killed, &config(&[0.05], 3), false, 1);

    // Roll the checkpoint back to epoch 2, as if the kill came before epoch 3's checkpoint.
    let run = RunDir::open(&killed).unwrap();
    fs::copy(
        run.epoch_checkpoint_path(0.05, 2),
        run.last_checkpoint_path(0.05),
    )
    .unwrap();
    train(&killed, &config(&[0.05], 3), true, 1);

    let reference = RunDir::open(&straight).unwrap();
    assert_eq!(
        parameters(&reference.last_checkpoint_path(0.05)),
        parameters(&run.last_checkpoint_path(0.05))
    );
    assert_eq!(
        without_seconds(reference.read_metrics(0.05).unwrap()),
        without_seconds(run.read_metrics(0.05).unwrap())
    );
    assert_eq!(
        reference.read_batches(0.05).unwrap(),
        run.read_batches(0.05).unwrap()
    );
}

#[test]
fn the_thread_count_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    train(&one, &config(&[0.05], 2), false, 1);
    train(&two, &config(&[0.05], 2), false, 2);
    let (a, b) = (RunDir::open(&one).unwrap(), RunDir::open(&two).unwrap());
    assert_eq!(
        without_seconds(a.read_metrics(0.05).unwrap()),
        without_seconds(b.read_metrics(0.05).unwrap())
    );
    for epoch in 1..=2 {
        let (x, y) = (
            a.epoch_checkpoint_path(0.05, epoch),
            b.epoch_checkpoint_path(0.05, epoch),
        );
        assert_eq!(
            fs::read(x).unwrap(),
            fs::read(y).unwrap(),
            "epoch {epoch} checkpoints differ"
        );
    }
}

#[test]
fn resuming_a_finished_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), &config(&[0.05], 2), false, 1);
    let run = RunDir::open(dir.path()).unwrap();
    let before = fs::read(run.last_checkpoint_path(0.05)).unwrap();
    let metrics = run.read_metrics(0.05).unwrap();
    train(dir.path(), &config(&[0.05], 2), true, 1);
    assert_eq!(fs::read(run.last_checkpoint_path(0.05)).unwrap(), before);
    assert_eq!(run.read_metrics(0.05).unwrap(), metrics);
}

/// The default keeps `best.ckpt` and `last.ckpt` only, and that is enough to resume exactly.
#[test]
fn best_and_last_checkpoints_are_enough_to_resume_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (all, lean) = (dir.path().join("all"), dir.path().join("lean"));
    let lrs = [0.05, 0.2];
    train(&all, &config(&lrs, 3), false, 1);
    train_keeping(&lean, &config(&lrs, 2), false, 1, KeepCheckpoints::BestLast);
    train_keeping(&lean, &config(&lrs, 3), true, 1, KeepCheckpoints::BestLast);

    let (a, b) = (RunDir::open(&all).unwrap(), RunDir::open(&lean).unwrap());
    for lr in lrs {
        let mut kept: Vec<String> = fs::read_dir(b.lr_dir(lr))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            ["batches.csv", "best.ckpt", "last.ckpt", "metrics.csv"]
        );
        assert!(a.epoch_checkpoint_path(lr, 3).is_file());
        // The same model in each (the stored config differs in its epochs: 2, then 3).
        for (x, y) in [
            (a.last_checkpoint_path(lr), b.last_checkpoint_path(lr)),
            (a.best_checkpoint_path(lr), b.best_checkpoint_path(lr)),
        ] {
            let (x, y) = (Checkpoint::load(&x).unwrap(), Checkpoint::load(&y).unwrap());
            assert_eq!((x.epoch, x.step), (y.epoch, y.step), "lr {lr}");
            assert!(x.model == y.model && x.optimizer == y.optimizer, "lr {lr}");
        }
    }
}

#[test]
fn a_stop_before_the_first_step_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&[0.05, 0.2], 2);
    let run = RunDir::create(dir.path(), &RunConfig::new(config.clone())).unwrap();
    let options = SweepOptions::default();
    options.stop.request();
    let end = run_sweep(&config, &data(), &run, &options, &Progress::plain()).unwrap();
    assert_eq!(end.stopped_in, Some((0.05, 1)));
    assert!(!end.summary.any_epoch());
    assert!(!run.has_trained());
    let files: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "only config.json: {files:?}");
}

/// Two runs started at the same moment under the same parent each train into a folder of
/// their own, and both end complete.
#[test]
fn two_runs_started_at_once_end_with_two_complete_folders() {
    let dir = tempfile::tempdir().unwrap();
    let barrier = std::sync::Barrier::new(2);
    let config = config(&[0.05], 2);
    let paths: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let run =
                        RunDir::create_new(dir.path(), &RunConfig::new(config.clone())).unwrap();
                    let options = SweepOptions::default();
                    run_sweep(&config, &data(), &run, &options, &Progress::plain()).unwrap();
                    run.path().to_path_buf()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_ne!(paths[0], paths[1]);
    for path in &paths {
        let run = RunDir::open(path).unwrap();
        assert_eq!(run.read_config().unwrap().train, config);
        assert_eq!(run.read_metrics(0.05).unwrap().len(), 2);
        assert_eq!(run.read_summary().unwrap().learning_rates.len(), 1);
        assert!(run.best_checkpoint_path(0.05).is_file());
    }
}

/// The same as [`resuming_is_exact`], with dropout, augmentation, a schedule with warm-up and
/// early stopping all on: the masks, the distortions and the rates depend on the seed, the step
/// and the epoch only, so the resumed half draws exactly what the straight run drew.
#[test]
fn resuming_is_exact_with_every_regularisation_on() {
    assert_resuming_is_exact(regularised, 2);
}

#[test]
fn the_thread_count_changes_nothing_with_every_regularisation_on() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    train(&one, &regularised(&[0.05], 2), false, 1);
    train(&two, &regularised(&[0.05], 2), false, 2);
    let (a, b) = (RunDir::open(&one).unwrap(), RunDir::open(&two).unwrap());
    for epoch in 1..=2 {
        assert_eq!(
            fs::read(a.epoch_checkpoint_path(0.05, epoch)).unwrap(),
            fs::read(b.epoch_checkpoint_path(0.05, epoch)).unwrap(),
            "epoch {epoch} checkpoints differ"
        );
    }
}

/// Dropout and augmentation change what the network is trained on, and the metrics record the
/// rate each epoch used.
#[test]
fn regularisation_changes_training_and_the_rate_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let plain_config = TrainConfig {
        lr_schedule: LrSchedule::Step {
            every: 2,
            factor: 0.5,
        },
        warmup_epochs: 1,
        ..config(&[0.05], 4)
    };
    let variants = [
        ("plain", plain_config.clone()),
        (
            "dropout",
            TrainConfig {
                dropout: 0.3,
                ..plain_config.clone()
            },
        ),
        (
            "affine",
            TrainConfig {
                augmentation: Augmentation {
                    affine: Some(Affine::default()),
                    elastic: None,
                },
                ..plain_config.clone()
            },
        ),
        (
            "elastic",
            TrainConfig {
                augmentation: Augmentation {
                    affine: None,
                    elastic: Some(Elastic::default()),
                },
                ..plain_config.clone()
            },
        ),
    ];
    let mut losses = Vec::new();
    for (name, config) in &variants {
        let path = dir.path().join(name);
        let summary = train(&path, config, false, 1);
        assert!(
            summary.learning_rates[0].best_val_accuracy.unwrap() > 0.9,
            "{name}: {summary:?}"
        );
        let metrics = RunDir::open(&path).unwrap().read_metrics(0.05).unwrap();
        let rates: Vec<Option<f32>> = metrics.iter().map(|m| m.learning_rate).collect();
        // Warm-up epoch 1 at the full rate (1 of 1), then 0.05 for two epochs, then halved.
        assert_eq!(
            rates,
            [Some(0.05), Some(0.05), Some(0.05), Some(0.025)],
            "{name}"
        );
        losses.push(metrics[0].train_loss);
    }
    for (i, (name, _)) in variants.iter().enumerate().skip(1) {
        assert_ne!(
            losses[i], losses[0],
            "{name} trained exactly like the plain run"
        );
    }
}

/// A learning rate whose validation accuracy stops improving stops after `patience` epochs;
/// best.ckpt holds its best epoch, and resuming the run (even with more epochs) adds nothing.
#[test]
fn early_stopping_keeps_the_best_epoch() {
    let dir = tempfile::tempdir().unwrap();
    // The synthetic digits are learned perfectly within a few epochs: the validation accuracy
    // then cannot improve, and patience 2 runs out long before epoch 30.
    let config = TrainConfig {
        patience: Some(2),
        ..config(&[0.05], 30)
    };
    let summary = train(dir.path(), &config, false, 1);
    let s = &summary.learning_rates[0];
    let best = s.best_epoch.unwrap();
    assert_eq!(s.stopped_early_at_epoch, Some(best + 2), "{s:?}");
    assert_eq!(s.epochs_completed, best + 2);

    let run = RunDir::open(dir.path()).unwrap();
    assert_eq!(
        Checkpoint::load(&run.best_checkpoint_path(0.05))
            .unwrap()
            .epoch,
        best
    );
    let last = fs::read(run.last_checkpoint_path(0.05)).unwrap();
    let more = TrainConfig {
        epochs: 40,
        ..config
    };
    let resumed = train(dir.path(), &more, true, 1);
    assert_eq!(resumed.learning_rates[0].epochs_completed, best + 2);
    assert_eq!(fs::read(run.last_checkpoint_path(0.05)).unwrap(), last);
}
