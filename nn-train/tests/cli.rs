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
    assert_refused(&["predict"], "<IMAGE>");
    assert_refused(&["export", "--checkpoint", "a.ckpt"], "--out");
    assert_refused(&["predict", "a.png", "--json=yes"], "--json");
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
