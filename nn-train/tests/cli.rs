//! The command line refuses bad values before any work starts: one message naming the value,
//! exit code 2. Nothing here reaches MNIST: `MNIST_DIR` points at a folder that does not exist.

use datasets::augment::{Affine, Elastic};
use nn_core::Mlp;
use nn_core::sgd::Sgd;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::TrainConfig;
use nn_run::run_dir::{RunConfig, RunDir};

mod common;

fn nn_train(args: &[&str]) -> (i32, String) {
    // Nothing may reach the data: an unset directory that does not exist proves it.
    let (code, _, stderr) = common::nn_train_with(args, |command| {
        command.env("MNIST_DIR", "/nonexistent/mnist");
    });
    (code, stderr)
}

fn stdout_of(args: &[&str]) -> String {
    let (code, stdout, stderr) = common::nn_train_with(args, |_| {});
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

fn assert_refused(args: &[&str], names: &str) {
    let (code, stderr) = nn_train(args);
    assert_eq!(code, 2, "{args:?} should exit with 2; stderr:\n{stderr}");
    assert!(
        stderr.contains(names),
        "{args:?}: the message should name '{names}':\n{stderr}"
    );
}

/// A value that passes the parser reaches the data folder, which does not exist (exit 2 with
/// a message about MNIST_DIR): proof that the value itself was accepted.
fn assert_accepted(args: &[&str]) {
    let (code, stderr) = nn_train(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(
        stderr.contains("MNIST_DIR /nonexistent/mnist does not exist"),
        "{args:?} was refused before reaching the data:\n{stderr}"
    );
}

#[test]
fn invalid_values_exit_with_code_2_and_name_the_value() {
    assert_refused(&["--lrs", "0"], "'0' must be a positive number");
    assert_refused(&["--lrs", "0.1,-3"], "'-3' must be a positive number");
    assert_refused(&["--lrs", "fast"], "'fast' is not a number");
    assert_refused(&["--lrs", "NaN"], "'NaN' must be a positive number");
    assert_refused(&["train", "--batch-size", "0"], "got '0'");
    assert_refused(
        &["--hidden", ""],
        "expected layer widths, e.g. 256 or 256,128",
    );
    assert_refused(&["--hidden", "128,,64"], "'128,,64' has an empty item");
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
    assert_refused(&["--keep-checkpoints", "some"], "choose best-last or all");
}

#[test]
fn negative_numbers_reach_the_value_check() {
    for (args, says) in [
        (&["--lrs", "-0.1"][..], "'-0.1' must be a positive number"),
        (&["--lrs", "-0.1,0.5"], "'-0.1' must be a positive number"),
        (&["--lrs", "0.5,-1e-3"], "'-1e-3' must be a positive number"),
        (
            &["--momentum", "-0.5"],
            "'-0.5' must be 0 or a positive number",
        ),
        (
            &["--weight-decay", "-1"],
            "'-1' must be 0 or a positive number",
        ),
        (
            &["--epochs", "-1"],
            "a whole number of at least 1, got '-1'",
        ),
        (
            &["--batch-size", "-64"],
            "a whole number of at least 1, got '-64'",
        ),
        (
            &["--hidden", "-128"],
            "a whole number of at least 1, got '-128'",
        ),
        (&["--seed", "-1"], "got '-1'"),
        (&["--train-limit", "-5"], "got '-5'"),
        (&["--val-size", "-5"], "got '-5'"),
        (&["--threads", "-2"], "got '-2'"),
    ] {
        let (code, stderr) = nn_train(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("unexpected argument"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_space_after_a_comma_is_explained_and_a_quoted_one_accepted() {
    let (code, stderr) = nn_train(&["--lrs", "0.1,", "0.5"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("'0.1,' ends with a comma: a space after a comma splits the list in two")
            && stderr.contains("(0.1,0.5)")
            && !stderr.contains("subcommand"),
        "{stderr}"
    );
    assert_refused(&["--hidden", "256,", "128"], "'256,' ends with a comma");
    assert_accepted(&["--lrs", "0.1, 0.5"]);
    assert_accepted(&["--hidden", " 256 , 128 "]);
}

#[test]
fn a_learning_rate_listed_twice_is_refused() {
    assert_refused(
        &["--lrs", "0.1,0.5,0.1"],
        "0.1 is listed twice; each learning rate trains once, into its own folder lr-0.1",
    );
    assert_refused(&["--lrs", "0.1,0.10"], "0.1 is listed twice");
}

#[test]
fn the_validation_hold_out_must_leave_images_to_train_on() {
    assert_refused(
        &["--val-size", "60000"],
        "holding out 60000 leaves none of the 60000 training images to train on; choose at most 59999",
    );
    assert_accepted(&["--val-size", "0"]);
}

#[test]
fn run_names_are_checked_and_fixed_once_the_run_exists() {
    assert_refused(
        &["--name", "my run"],
        "'my run' cannot name a run: it contains ' '",
    );
    assert_refused(&["--name", "../up"], "it contains '/'");
    assert_accepted(&["--name", "wide-800"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    assert_refused(&["--resume", path, "--name", "x"], "--name");
}

#[test]
fn a_data_folder_that_does_not_exist_is_an_error_that_shows_the_fetch_command() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("mnsit");
    let typo_text = typo.to_str().unwrap();
    for args in [
        &["--data-dir", typo_text][..],
        &["eval", "--checkpoint", "/dev/null", "--data-dir", typo_text],
    ] {
        let (code, stderr) = nn_train(args);
        if args[0] == "eval" {
            // The checkpoint is checked first: it is quick.
            assert_eq!(code, 1, "{stderr}");
            continue;
        }
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!("--data-dir {typo_text} does not exist"))
                && stderr.contains(&format!(
                    "cargo run --release -p nn-train -- fetch --data-dir {typo_text}"
                ))
                && stderr.contains("datasets/mnist"),
            "{stderr}"
        );
    }
    assert!(!typo.exists(), "nothing may create the mistyped folder");
    // The same for MNIST_DIR, which names a folder just as explicitly.
    let (code, stderr) = nn_train(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("MNIST_DIR /nonexistent/mnist does not exist"),
        "{stderr}"
    );
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
    RunDir::create(dir.path(), &RunConfig::new(TrainConfig::default())).unwrap();
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
    RunDir::create(dir.path(), &RunConfig::new(config)).unwrap();
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
fn a_missing_checkpoint_is_named_with_its_os_error_once() {
    let (code, stderr) = nn_train(&["eval", "--checkpoint", "/nonexistent.ckpt"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: cannot read checkpoint /nonexistent.ckpt: No such file or directory (os error 2)"
    );
}

/// A network that does not read MNIST is refused before any data is looked for: `MNIST_DIR`
/// points at nothing, and the message is about the checkpoint.
#[test]
fn eval_refuses_a_network_that_does_not_read_mnist_before_reading_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.ckpt");
    let config = TrainConfig::default();
    let model = Mlp::new(&[4, 3, 2], 1);
    let checkpoint = Checkpoint {
        config,
        learning_rate: 0.1,
        epoch: 1,
        step: 1,
        model,
        optimizer: Sgd::new(0.1),
    };
    checkpoint.save(&path).unwrap();
    let (code, stderr) = nn_train(&["eval", "--checkpoint", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("holds a 4-3-2 network, which does not read MNIST images"),
        "{stderr}"
    );
}

#[test]
fn eval_measures_the_test_or_the_validation_split_only() {
    assert_refused(
        &["eval", "--checkpoint", "x.ckpt", "--split", "train"],
        "[possible values: validation, test]",
    );
}

#[test]
fn short_and_long_help_say_the_same() {
    for command in [&[][..], &["train"], &["fetch"], &["eval"]] {
        let short = stdout_of(&[command, &["-h"]].concat());
        let long = stdout_of(&[command, &["--help"]].concat());
        assert_eq!(short, long, "nn-train {command:?}");
    }
    let help = stdout_of(&["-h"]);
    assert!(
        help.starts_with("Train a hand-written neural network on MNIST\n"),
        "{help}"
    );
    assert!(help.contains("With no command it trains"), "{help}");
}

/// The defaults `--help` shows are read from `TrainConfig::default()`, not copied by hand.
#[test]
fn the_help_shows_the_defaults_the_code_uses() {
    let help = stdout_of(&["--help"]);
    let d = TrainConfig::default();
    let rates: Vec<String> = d.learning_rates.iter().map(f32::to_string).collect();
    let widths: Vec<String> = d.hidden.iter().map(usize::to_string).collect();
    let (affine, elastic) = (Affine::default(), Elastic::default());
    for (flag, default) in [
        ("--lrs", rates.join(",")),
        ("--epochs", d.epochs.to_string()),
        ("--batch-size", d.batch_size.to_string()),
        ("--hidden", widths.join(",")),
        ("--seed", d.seed.to_string()),
        ("--momentum", d.momentum.to_string()),
        ("--weight-decay", d.weight_decay.to_string()),
        ("--val-size", d.val_size.to_string()),
        ("--keep-checkpoints", "best-last".to_string()),
        ("--dropout", d.dropout.to_string()),
        ("--warmup-epochs", d.warmup_epochs.to_string()),
        ("--affine-rotate", affine.rotate_degrees.to_string()),
        ("--affine-scale", affine.scale.to_string()),
        ("--affine-shear", affine.shear.to_string()),
        ("--affine-translate", affine.translate.to_string()),
        ("--elastic-alpha", elastic.alpha.to_string()),
        ("--elastic-sigma", elastic.sigma.to_string()),
    ] {
        // The flag's help runs from its name to the next flag; its default is in it.
        let shown = help
            .split(&format!("  {flag} "))
            .nth(1)
            .map(|rest| rest.split("\n  -").next().unwrap())
            .and_then(|own| own.split("[default: ").nth(1))
            .map(|rest| rest.split(']').next().unwrap())
            .unwrap_or_else(|| panic!("{flag} shows no default:\n{help}"));
        assert_eq!(shown, default, "{flag}");
    }
}
