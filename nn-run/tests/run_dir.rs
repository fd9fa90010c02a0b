//! The run directory's files: what is written is what is read, and the summary says the
//! truth about each learning rate.

use std::fs;
use std::sync::Barrier;

use datasets::augment::{Augmentation, Elastic};
use nn_core::schedule::LrSchedule;
use nn_run::config::TrainConfig;
use nn_run::run_dir::{
    BatchLoss, EpochMetrics, KeepCheckpoints, LrSummary, RunConfig, RunDir, Summary, check_name,
    early_stop,
};

fn new_run() -> RunConfig {
    RunConfig::new(TrainConfig::default())
}

fn named(name: &str) -> RunConfig {
    RunConfig {
        name: Some(name.into()),
        ..new_run()
    }
}

fn row(
    epoch: usize,
    val_accuracy: Option<f64>,
    test_accuracy: f64,
    diverged: bool,
) -> EpochMetrics {
    EpochMetrics {
        epoch,
        train_loss: 1.0 / epoch as f64,
        train_accuracy: 0.9,
        val_loss: val_accuracy.map(|a| 1.0 - a),
        val_accuracy,
        test_loss: 0.3,
        test_accuracy,
        seconds: 0.5,
        diverged,
        learning_rate: Some(0.1),
    }
}

#[test]
fn files_read_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = named("wide");
    let run = RunDir::create(&dir.path().join("run"), &config).unwrap();
    assert_eq!(run.read_config().unwrap(), config);

    let metrics = vec![
        row(1, Some(0.91), 0.90, false),
        row(2, None, f64::NAN, true),
    ];
    run.write_metrics(0.1, &metrics).unwrap();
    let back = run.read_metrics(0.1).unwrap();
    assert_eq!(back[0], metrics[0]);
    assert!(back[1].test_accuracy.is_nan() && back[1].diverged && back[1].val_accuracy.is_none());

    let batches = vec![
        BatchLoss {
            step: 1,
            epoch: 1,
            loss: 2.3,
        },
        BatchLoss {
            step: 2,
            epoch: 1,
            loss: f32::INFINITY,
        },
    ];
    run.write_batches(0.1, &batches).unwrap();
    assert_eq!(run.read_batches(0.1).unwrap(), batches);

    let summary = Summary {
        learning_rates: vec![LrSummary::from_metrics(0.1, &metrics)],
    };
    run.write_summary(&summary).unwrap();
    assert_eq!(run.read_summary().unwrap(), summary);

    // The header is the documented one.
    let text = std::fs::read_to_string(run.metrics_path(0.1)).unwrap();
    assert!(text.starts_with("epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds,diverged,learning_rate\n"));
}

/// A run written before dropout, augmentation, schedules and early stopping: its config.json
/// and metrics.csv lack those fields, and read as a run without them.
#[test]
fn files_written_before_regularisation_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &new_run()).unwrap();
    let old_config = r#"{"hidden": [128], "learning_rates": [0.1], "epochs": 3, "batch_size": 64,
        "seed": 42, "momentum": 0.0, "weight_decay": 0.0, "train_limit": null, "val_size": 10000}"#;
    std::fs::write(run.config_path(), old_config).unwrap();
    let config = run.read_config().unwrap().train;
    assert_eq!(
        config,
        TrainConfig {
            learning_rates: vec![0.1],
            epochs: 3,
            ..TrainConfig::default()
        }
    );
    assert_eq!((config.dropout, config.patience), (0.0, None));

    std::fs::create_dir_all(run.lr_dir(0.1)).unwrap();
    let old_metrics = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds,diverged\n\
                       1,0.5,0.9,0.4,0.91,0.45,0.9,1.5,false\n";
    std::fs::write(run.metrics_path(0.1), old_metrics).unwrap();
    let rows = run.read_metrics(0.1).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].epoch, rows[0].learning_rate), (1, None));
}

#[test]
fn a_config_with_every_new_setting_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        dropout: 0.5,
        augmentation: Augmentation {
            affine: None,
            elastic: Some(Elastic {
                alpha: 30.0,
                sigma: 5.0,
            }),
        },
        lr_schedule: LrSchedule::Step {
            every: 10,
            factor: 0.5,
        },
        warmup_epochs: 2,
        patience: Some(5),
        epochs: 20,
        ..TrainConfig::default()
    };
    let run = RunDir::create(dir.path(), &RunConfig::new(config.clone())).unwrap();
    assert_eq!(run.read_config().unwrap().train, config);
    assert_eq!(config.learning_rate(0.1, 1), 0.05);
    assert_eq!(config.learning_rate(0.1, 12), 0.1);
    assert_eq!(config.learning_rate(0.1, 13), 0.05);
}

#[test]
fn early_stopping_waits_patience_epochs_after_the_best() {
    let accuracies = [0.90, 0.93, 0.92, 0.93, 0.91];
    let metrics: Vec<EpochMetrics> = (1..=5)
        .map(|e| row(e, Some(accuracies[e - 1]), 0.9, false))
        .collect();
    // Best: epoch 2 (epoch 4 only ties it). Three epochs later, at epoch 5, patience 3 is spent.
    assert_eq!(early_stop(&metrics, Some(3)), Some(5));
    assert_eq!(early_stop(&metrics[..4], Some(3)), None);
    assert_eq!(early_stop(&metrics, Some(4)), None);
    assert_eq!(early_stop(&metrics, None), None);
    let config = TrainConfig {
        patience: Some(3),
        ..TrainConfig::default()
    };
    let summary = LrSummary::from_run(&config, 0.1, &metrics);
    assert_eq!(
        (summary.stopped_early_at_epoch, summary.best_epoch),
        (Some(5), Some(2))
    );
    // Without a validation set there is nothing to wait for.
    let blind: Vec<EpochMetrics> = (1..=5).map(|e| row(e, None, 0.9, false)).collect();
    assert_eq!(early_stop(&blind, Some(1)), None);
}

#[test]
fn a_learning_rate_that_has_not_started_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &new_run()).unwrap();
    assert!(run.read_metrics(0.5).unwrap().is_empty());
    assert!(run.read_batches(0.5).unwrap().is_empty());
}

#[test]
fn the_best_epoch_is_chosen_on_validation_not_test() {
    let metrics = [
        row(1, Some(0.95), 0.99, false),
        row(2, Some(0.97), 0.90, false),
        row(3, Some(0.96), 0.98, false),
    ];
    let s = LrSummary::from_metrics(0.1, &metrics);
    assert_eq!(s.best_epoch, Some(2));
    assert_eq!(s.best_val_accuracy, Some(0.97));
    assert_eq!(
        s.test_accuracy,
        Some(0.90),
        "the test accuracy of the best validation epoch"
    );
    assert_eq!(s.final_test_accuracy, Some(0.98));
    assert_eq!(s.epochs_completed, 3);
    assert!(!s.diverged);
    assert_eq!(s.train_seconds, 1.5);
}

#[test]
fn ties_go_to_the_earlier_epoch() {
    let metrics = [
        row(1, Some(0.97), 0.91, false),
        row(2, Some(0.97), 0.92, false),
    ];
    assert_eq!(LrSummary::from_metrics(0.1, &metrics).best_epoch, Some(1));
}

#[test]
fn a_diverged_learning_rate_keeps_its_good_epochs() {
    let metrics = [
        row(1, Some(0.90), 0.89, false),
        row(2, Some(0.10), 0.10, true),
    ];
    let s = LrSummary::from_metrics(1.0, &metrics);
    assert!(s.diverged);
    assert_eq!(s.diverged_at_epoch, Some(2));
    assert_eq!(s.epochs_completed, 1);
    assert_eq!(s.best_epoch, Some(1));
    assert_eq!(s.final_test_accuracy, Some(0.89));

    let at_once = LrSummary::from_metrics(5.0, &[row(1, Some(0.1), 0.1, true)]);
    assert_eq!(
        (
            at_once.best_epoch,
            at_once.epochs_completed,
            at_once.final_train_loss
        ),
        (None, 0, None)
    );
}

#[test]
fn without_a_validation_set_the_last_epoch_is_best() {
    let metrics = [row(1, None, 0.95, false), row(2, None, 0.94, false)];
    let s = LrSummary::from_metrics(0.1, &metrics);
    assert_eq!(s.best_epoch, Some(2));
    assert_eq!(s.best_val_accuracy, None);
}

#[test]
fn the_best_learning_rate_is_the_best_on_validation() {
    let summary = Summary {
        learning_rates: vec![
            LrSummary::from_metrics(0.01, &[row(1, Some(0.93), 0.99, false)]),
            LrSummary::from_metrics(0.1, &[row(1, Some(0.97), 0.96, false)]),
            LrSummary::from_metrics(5.0, &[row(1, Some(0.10), 0.10, true)]),
        ],
    };
    assert_eq!(summary.best().unwrap().lr, 0.1);
}

#[test]
fn opening_something_that_is_not_a_run_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = RunDir::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("not a run directory"), "{err}");
    let err = RunDir::open(&dir.path().join("missing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a directory"), "{err}");
}

#[test]
fn a_new_run_never_overwrites_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    RunDir::create(dir.path(), &new_run()).unwrap();
    let err = RunDir::create(dir.path(), &new_run())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("already holds a run") && err.contains("--resume"),
        "{err}"
    );
}

#[test]
fn the_latest_run_is_the_newest_folder() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "2026-01-02T00-00-00Z",
        "2026-03-04T00-00-00Z",
        "2026-02-03T00-00-00Z",
    ] {
        let run = RunDir::create(&dir.path().join(name), &new_run()).unwrap();
        run.write_metrics(0.1, &[row(1, Some(0.9), 0.9, false)])
            .unwrap();
    }
    fs::create_dir(dir.path().join("zzz-not-a-run")).unwrap();
    let latest = RunDir::latest_trained(dir.path()).unwrap();
    assert!(latest.path().ends_with("2026-03-04T00-00-00Z"));
}

#[test]
fn the_latest_trained_run_skips_runs_that_never_finished_an_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let trained = RunDir::create(&dir.path().join("2026-01-01T00-00-00Z"), &new_run()).unwrap();
    trained
        .write_metrics(0.1, &[row(1, Some(0.9), 0.9, false)])
        .unwrap();
    // Newer, but only a config.json (a run killed while loading its data, say).
    RunDir::create(&dir.path().join("2026-06-01T00-00-00Z"), &new_run()).unwrap();
    // A folder named otherwise is ordered by when its config.json was written.
    let mine = RunDir::create(&dir.path().join("mine"), &new_run()).unwrap();
    mine.write_metrics(0.1, &[row(1, None, 0.9, true)]).unwrap();

    let latest = RunDir::latest_trained(dir.path()).unwrap();
    assert!(
        latest.path().ends_with("mine"),
        "{}",
        latest.path().display()
    );
    fs::remove_dir_all(mine.path()).unwrap();
    let latest = RunDir::latest_trained(dir.path()).unwrap();
    assert!(latest.path().ends_with("2026-01-01T00-00-00Z"));

    let empty = tempfile::tempdir().unwrap();
    let err = RunDir::latest_trained(empty.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("holds no run that has finished an epoch") && err.contains("nn-train"),
        "{err}"
    );
    let err = RunDir::latest_trained(&empty.path().join("runs"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds no run"), "{err}");
}

#[test]
fn runs_started_at_the_same_moment_each_get_their_own_folder() {
    // Several rounds of many starters released at once: a check-then-create race shows up
    // in some round.
    let (rounds, starters) = (5, 24);
    for _ in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let barrier = Barrier::new(starters);
        let paths: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..starters)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        let run = RunDir::create_new(dir.path(), &new_run()).unwrap();
                        run.path().to_path_buf()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut distinct = paths.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), starters, "{paths:?}");
        for path in &paths {
            assert!(path.join("config.json").is_file(), "{}", path.display());
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), starters);
    }
}

#[test]
fn two_runs_given_the_same_folder_cannot_both_claim_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run");
    let barrier = Barrier::new(2);
    let results: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    RunDir::create(&path, &new_run()).is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{results:?}");
}

#[test]
fn a_named_run_carries_its_name_in_its_folder_and_its_config() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create_new(dir.path(), &named("wide-800")).unwrap();
    let folder = run.folder_name();
    assert!(folder.ends_with("Z-wide-800"), "{folder}");
    assert_eq!(
        folder.len(),
        "2026-11-27T21-40-05Z-wide-800".len(),
        "{folder}"
    );
    let text = fs::read_to_string(run.config_path()).unwrap();
    assert!(text.contains("\"name\": \"wide-800\""), "{text}");
    assert!(
        text.contains("\"keep_checkpoints\": \"best-last\""),
        "{text}"
    );

    let second = RunDir::create_new(dir.path(), &named("wide-800")).unwrap();
    assert_ne!(second.path(), run.path());
}

#[test]
fn a_config_from_before_names_reads_as_a_run_that_keeps_every_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let old = serde_json::to_string(&TrainConfig::default()).unwrap();
    fs::write(dir.path().join("config.json"), old).unwrap();
    let config = RunDir::open(dir.path()).unwrap().read_config().unwrap();
    assert_eq!(config.name, None);
    assert_eq!(config.keep_checkpoints, KeepCheckpoints::All);
    assert_eq!(config.train, TrainConfig::default());
}

#[test]
fn run_names_are_checked() {
    for good in ["wide", "800-units", "lr_sweep.2", "A"] {
        assert_eq!(check_name(good), Ok(()), "{good}");
    }
    for (bad, why) in [
        ("", "it is empty"),
        ("my run", "contains ' '"),
        ("a/b", "contains '/'"),
        ("-x", "does not start with a letter or digit"),
        (".hidden", "does not start with a letter or digit"),
        ("été", "contains 'é'"),
    ] {
        let err = check_name(bad).unwrap_err().to_string();
        assert!(
            err.contains(why) && err.contains("runs/<time>-<name>"),
            "{bad}: {err}"
        );
    }
    let err = check_name(&"x".repeat(41)).unwrap_err();
    assert_eq!(err.problem, "it is 41 characters long");
}

#[test]
fn discarding_a_run_removes_only_what_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create_new(dir.path(), &new_run()).unwrap();
    let path = run.path().to_path_buf();
    run.discard().unwrap();
    assert!(!path.exists());

    // A folder that was there before (`--out` of an empty folder) stays, without config.json.
    let existing = dir.path().join("existing");
    fs::create_dir(&existing).unwrap();
    fs::write(existing.join("notes.txt"), "mine").unwrap();
    RunDir::create(&existing, &new_run())
        .unwrap()
        .discard()
        .unwrap();
    assert!(existing.join("notes.txt").is_file());
    assert!(!existing.join("config.json").exists());
}

#[test]
fn the_chosen_checkpoint_is_the_best_checkpoint_of_the_best_rate() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(
        dir.path(),
        &RunConfig::new(TrainConfig {
            learning_rates: vec![0.01, 0.1],
            ..TrainConfig::default()
        }),
    )
    .unwrap();
    let err = run.chosen_checkpoint().unwrap_err().to_string();
    assert!(err.contains("no model"), "{err}");
    run.write_metrics(0.01, &[row(1, Some(0.90), 0.9, false)])
        .unwrap();
    run.write_metrics(
        0.1,
        &[
            row(1, Some(0.95), 0.9, false),
            row(2, Some(0.94), 0.9, false),
        ],
    )
    .unwrap();
    // No summary.json yet: the choice is computed from the metrics.
    let err = run.chosen_checkpoint().unwrap_err().to_string();
    assert!(err.contains("best.ckpt"), "{err}");
    fs::create_dir_all(run.lr_dir(0.1)).unwrap();
    fs::write(run.best_checkpoint_path(0.1), b"").unwrap();
    let chosen = run.chosen_checkpoint().unwrap();
    assert_eq!((chosen.learning_rate, chosen.epoch), (0.1, 1));
    assert_eq!(chosen.path, run.best_checkpoint_path(0.1));
}

#[test]
fn a_rate_that_never_ran_took_zero_seconds_not_minus_zero() {
    let s = LrSummary::from_metrics(0.1, &[]);
    assert!(s.train_seconds == 0.0 && s.train_seconds.is_sign_positive());
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"train_seconds\":0.0"), "{json}");
}

#[test]
fn a_missing_file_is_named_with_its_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &new_run()).unwrap();
    fs::remove_file(run.config_path()).unwrap();
    let err = run.read_config().unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&run.config_path().display().to_string()),
        "{text}"
    );
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    assert!(std::error::Error::source(&err).is_none());
}

/// A run under `parent` whose learning rates reached these validation accuracies, each with a
/// `best.ckpt` (an empty file: the lookup only names it).
fn finished_run(parent: &std::path::Path, name: &str, val_accuracies: &[(f32, f64)]) -> RunDir {
    let run = RunDir::create(&parent.join(name), &new_run()).unwrap();
    let learning_rates = val_accuracies
        .iter()
        .map(|&(lr, acc)| {
            std::fs::create_dir_all(run.lr_dir(lr)).unwrap();
            std::fs::write(run.best_checkpoint_path(lr), b"").unwrap();
            LrSummary::from_metrics(
                lr,
                &[
                    row(1, Some(acc - 0.01), acc, false),
                    row(2, Some(acc), acc, false),
                ],
            )
        })
        .collect();
    run.write_summary(&Summary { learning_rates }).unwrap();
    run
}

#[test]
fn the_default_checkpoint_is_the_best_of_the_newest_run() {
    let dir = tempfile::tempdir().unwrap();
    finished_run(dir.path(), "2026-01-01T00-00-00Z", &[(0.5, 0.99)]);
    let newest = finished_run(
        dir.path(),
        "2026-02-01T00-00-00Z",
        &[(0.1, 0.95), (0.5, 0.97), (1.0, 0.96)],
    );

    let found = RunDir::newest_best_checkpoint(dir.path()).unwrap();

    assert_eq!(found.path, newest.best_checkpoint_path(0.5));
    assert_eq!(found.run, newest.path());
    assert_eq!((found.learning_rate, found.epoch), (0.5, 2));
}

#[test]
fn a_run_without_a_finished_epoch_is_passed_over_for_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let older = finished_run(dir.path(), "2026-01-01T00-00-00Z", &[(0.1, 0.95)]);
    // Started, but no epoch finished: config.json only.
    RunDir::create(&dir.path().join("2026-02-01T00-00-00Z"), &new_run()).unwrap();
    // Every rate diverged: a summary, but no best epoch.
    let diverged = RunDir::create(&dir.path().join("2026-03-01T00-00-00Z"), &new_run()).unwrap();
    diverged
        .write_summary(&Summary {
            learning_rates: vec![LrSummary::from_metrics(5.0, &[row(1, None, 0.1, true)])],
        })
        .unwrap();

    let found = RunDir::newest_best_checkpoint(dir.path()).unwrap();

    assert_eq!(found.path, older.best_checkpoint_path(0.1));
}

#[test]
fn no_checkpoint_anywhere_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = RunDir::newest_best_checkpoint(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has a checkpoint yet") && err.contains("--checkpoint"),
        "{err}"
    );
    let err = RunDir::newest_best_checkpoint(&dir.path().join("missing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("has a checkpoint yet"), "{err}");
}

#[test]
fn the_chosen_network_is_the_named_checkpoint_or_else_the_newest_runs_best() {
    use nn_core::Mlp;
    use nn_core::sgd::Sgd;
    use nn_run::checkpoint::{Checkpoint, ChosenNetwork};

    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let run = finished_run(&runs, "2026-02-01T00-00-00Z", &[(0.1, 0.95), (0.5, 0.97)]);
    let best = run.best_checkpoint_path(0.5);
    Checkpoint {
        config: TrainConfig::default(),
        learning_rate: 0.5,
        epoch: 2,
        step: 1_564,
        model: Mlp::new(&[784, 8, 10], 1),
        optimizer: Sgd::new(0.5),
    }
    .save(&best)
    .unwrap();

    let chosen = ChosenNetwork::open(None, &runs).unwrap();
    assert!(chosen.by_default);
    assert_eq!(chosen.path, best);
    assert_eq!(
        chosen.describe(),
        format!(
            "checkpoint {}\n  784-8-10 network, lr 0.5, epoch 2: the best of the newest run\n  (--checkpoint FILE picks another)",
            best.display()
        )
    );

    let named = ChosenNetwork::open(Some(&best), &dir.path().join("no-runs-here")).unwrap();
    assert!(!named.by_default);
    assert_eq!(
        named.describe(),
        format!(
            "checkpoint {}\n  784-8-10 network, lr 0.5, epoch 2",
            best.display()
        )
    );

    let err = ChosenNetwork::open(None, &dir.path().join("no-runs-here"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("--checkpoint"), "{err}");
    // The newest run's best is an empty file in the other rate's folder: a clear error too.
    let err = ChosenNetwork::open(Some(&run.best_checkpoint_path(0.1)), &runs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("best.ckpt") && err.contains("is not an nn-train checkpoint"),
        "{err}"
    );
}
