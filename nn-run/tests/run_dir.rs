//! The run directory's files: what is written is what is read, and the summary says the
//! truth about each learning rate.

use nn_run::config::TrainConfig;
use nn_run::run_dir::{BatchLoss, EpochMetrics, LrSummary, RunDir, Summary};

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
    }
}

#[test]
fn files_read_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig::default();
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
    assert!(text.starts_with("epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds,diverged\n"));
}

#[test]
fn a_learning_rate_that_has_not_started_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &TrainConfig::default()).unwrap();
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
    RunDir::create(dir.path(), &TrainConfig::default()).unwrap();
    let err = RunDir::create(dir.path(), &TrainConfig::default())
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
        RunDir::create(&dir.path().join(name), &TrainConfig::default()).unwrap();
    }
    std::fs::create_dir(dir.path().join("zzz-not-a-run")).unwrap();
    let latest = RunDir::latest(dir.path()).unwrap();
    assert!(latest.path().ends_with("2026-03-04T00-00-00Z"));
}

/// A run under `parent` whose learning rates reached these validation accuracies, each with a
/// `best.ckpt` (an empty file: the lookup only names it).
fn finished_run(parent: &std::path::Path, name: &str, val_accuracies: &[(f32, f64)]) -> RunDir {
    let run = RunDir::create(&parent.join(name), &TrainConfig::default()).unwrap();
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
    RunDir::create(
        &dir.path().join("2026-02-01T00-00-00Z"),
        &TrainConfig::default(),
    )
    .unwrap();
    // Every rate diverged: a summary, but no best epoch.
    let diverged = RunDir::create(
        &dir.path().join("2026-03-01T00-00-00Z"),
        &TrainConfig::default(),
    )
    .unwrap();
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
    assert!(
        err.contains("cannot read") && err.contains("train first"),
        "{err}"
    );
}
