//! The command line refuses bad values before any work starts: one line naming the value,
//! exit code 2.

use std::process::Command;

use nn_run::config::TrainConfig;
use nn_run::run_dir::RunDir;

fn nn_train(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nn-train"))
        .args(args)
        // Nothing may reach the data: an unset directory that does not exist proves it.
        .env("MNIST_DIR", "/nonexistent/mnist")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_refused(args: &[&str], names: &str) {
    let (code, stderr) = nn_train(args);
    assert_eq!(code, 2, "{args:?} should exit with 2; stderr:\n{stderr}");
    assert!(
        stderr.contains(names),
        "{args:?}: the message should name '{names}':\n{stderr}"
    );
}

#[test]
fn invalid_values_exit_with_code_2_and_name_the_value() {
    assert_refused(&["--lrs", "0"], "'0' must be a positive number");
    assert_refused(&["--lrs", "0.1,-3"], "'-3' must be a positive number");
    assert_refused(&["--lrs", "fast"], "'fast' is not a number");
    assert_refused(&["--lrs", "NaN"], "'NaN' must be a positive number");
    assert_refused(&["train", "--batch-size", "0"], "got '0'");
    assert_refused(&["--hidden", ""], "got ''");
    assert_refused(&["--hidden", "128,,64"], "got ''");
    assert_refused(&["--threads", "0"], "got '0'");
    // More threads than cores only wait for each other: refused, naming the cores.
    assert_refused(
        &["--threads", "100000"],
        "100000 threads, but this machine gives",
    );
    assert_refused(
        &["eval", "--checkpoint", "x", "--threads", "100000"],
        "or fewer",
    );
    assert_refused(&["--momentum", "1.5"], "momentum must be below 1");
    assert_refused(&["--bogus"], "--bogus");
    assert_refused(&["fetch", "--lrs", "0.1"], "--lrs");
    assert_refused(&["eval"], "--checkpoint");
}

#[test]
fn bad_regularisation_values_exit_with_code_2_and_name_the_flag() {
    assert_refused(&["--dropout", "1"], "the dropout rate must be below 1");
    assert_refused(
        &["--dropout", "-0.1"],
        "'-0.1' must be 0 or a positive number",
    );
    assert_refused(&["--dropout", "half"], "--dropout");
    assert_refused(&["--augment", "blur"], "--augment");
    assert_refused(
        &["--augment", "none,affine"],
        "--augment none cannot be combined",
    );
    assert_refused(
        &["--augment", "elastic", "--elastic-alpha", "-3"],
        "'-3' must be 0 or a positive number",
    );
    assert_refused(
        &["--augment", "elastic", "--elastic-sigma", "0"],
        "'0' must be a positive number",
    );
    assert_refused(
        &["--augment", "elastic", "--elastic-sigma", "-4"],
        "--elastic-sigma",
    );
    assert_refused(
        &["--elastic-alpha", "30"],
        "--elastic-alpha does nothing unless --augment includes elastic",
    );
    assert_refused(
        &["--augment", "elastic", "--affine-rotate", "5"],
        "--affine-rotate does nothing unless --augment includes affine",
    );
    assert_refused(&["--augment", "affine", "--affine-scale", "1"], "below 1");
    assert_refused(
        &["--augment", "affine", "--affine-rotate", "270"],
        "at most 180",
    );
    assert_refused(&["--lr-schedule", "linear"], "--lr-schedule");
    assert_refused(
        &["--lr-step-every", "5"],
        "--lr-step-every does nothing without --lr-schedule step",
    );
    assert_refused(
        &["--lr-schedule", "step", "--lr-step-factor", "2"],
        "'2' must be below 1",
    );
    assert_refused(
        &["--epochs", "3", "--warmup-epochs", "3"],
        "--warmup-epochs 3 leaves no epoch after the warm-up",
    );
    assert_refused(&["--warmup-epochs", "-1"], "--warmup-epochs");
    assert_refused(&["--patience", "0"], "--patience");
    assert_refused(
        &["--patience", "3", "--val-size", "0"],
        "--patience needs a validation set",
    );
}

#[test]
fn a_resumed_run_refuses_flags_that_would_change_it() {
    let dir = tempfile::tempdir().unwrap();
    RunDir::create(dir.path(), &TrainConfig::default()).unwrap();
    let path = dir.path().to_str().unwrap();
    assert_refused(
        &["--resume", path, "--lrs", "0.3"],
        "--lrs cannot change when resuming",
    );
    assert_refused(
        &["--resume", path, "--hidden", "64"],
        "--hidden cannot change when resuming",
    );
    assert_refused(
        &["--resume", path, "--epochs", "3"],
        "--epochs 3 is fewer than the run's 10",
    );
    assert_refused(&["--resume", path, "--out", "elsewhere"], "--out");
    for (flag, value) in [
        ("--dropout", "0.5"),
        ("--augment", "elastic"),
        ("--lr-schedule", "cosine"),
        ("--warmup-epochs", "2"),
        ("--patience", "5"),
    ] {
        assert_refused(
            &["--resume", path, flag, value],
            &format!("{flag} cannot change when resuming"),
        );
    }
}

#[test]
fn a_cosine_run_cannot_be_extended() {
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        lr_schedule: nn_core::schedule::LrSchedule::Cosine,
        ..TrainConfig::default()
    };
    RunDir::create(dir.path(), &config).unwrap();
    let path = dir.path().to_str().unwrap();
    assert_refused(
        &["--resume", path, "--epochs", "20"],
        "--epochs cannot grow for a run with --lr-schedule cosine",
    );
}

#[test]
fn resuming_something_that_is_not_a_run_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = nn_train(&["--resume", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is not a run directory"), "{stderr}");
}

#[test]
fn eval_of_a_missing_checkpoint_names_it() {
    let (code, stderr) = nn_train(&["eval", "--checkpoint", "/nonexistent/best.ckpt"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("error:"), "{stderr}");
}
