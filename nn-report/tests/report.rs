//! The report of synthetic runs (complete, diverged, partial, empty, damaged), through the
//! library and through the command line.

mod fixture;

use std::fs;
use std::process::Command;

use fixture::{
    DIVERGED_LR, GOOD_LR, assert_picture, finished_run, named_run, regularised_run, test_images,
};
use nn_report::evaluation::TestSet;
use nn_report::picture::Picture;
use nn_report::{Outcome, page, write_comparison, write_report};
use nn_run::run_dir::RunDir;

fn skipped_pictures(outcome: &Outcome) -> Vec<Picture> {
    outcome
        .skipped
        .iter()
        .flat_map(|s| s.pictures.clone())
        .collect()
}

/// The pictures a run made with this configuration has.
fn applicable(run: &RunDir) -> Vec<Picture> {
    let config = run.read_config().unwrap().train;
    Picture::ALL
        .into_iter()
        .filter(|p| p.applies(&config))
        .collect()
}

fn read(outcome: &Outcome, name: &str) -> String {
    fs::read_to_string(outcome.dir.join(name)).unwrap()
}

#[test]
fn a_run_with_a_diverged_learning_rate_gets_every_picture_and_both_pages() {
    let dir = tempfile::tempdir().unwrap();
    let run = finished_run(dir.path());

    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();

    assert!(outcome.skipped.is_empty(), "{:?}", outcome.skipped);
    assert_eq!(outcome.dir, run.report_dir());
    let pictures = applicable(&run);
    // A constant rate and no augmentation: no schedule and no distortions to show.
    assert!(!pictures.contains(&Picture::LearningRate));
    assert!(!pictures.contains(&Picture::Augmented));
    for &picture in &pictures {
        let path = outcome.dir.join(picture.file_name());
        assert!(
            outcome.written.contains(&path),
            "{} not listed",
            path.display()
        );
        assert_picture(&path, picture.size());
    }
    let markdown = read(&outcome, page::MARKDOWN);
    let html = read(&outcome, page::HTML);
    for text in [&markdown, &html] {
        for &picture in &pictures {
            assert!(
                text.contains(picture.file_name()),
                "{} not on the page",
                picture.file_name()
            );
            assert!(
                text.contains(picture.how_to_read()),
                "no reading of {}",
                picture.file_name()
            );
        }
        assert!(text.contains("diverged in epoch 1"), "{text}");
        assert!(text.contains(" predicted as "), "no confused pairs");
        assert!(text.contains("Precision and recall per digit"));
        assert!(text.contains("784-16-10"));
    }
    // Every picture links to itself at full size.
    for &picture in &pictures {
        let name = picture.file_name();
        assert!(
            html.contains(&format!("<a href=\"{name}\"><img src=\"{name}\"")),
            "{name}"
        );
        assert!(markdown.contains(&format!("]({name})]({name})")), "{name}");
    }
}

#[test]
fn a_run_rendered_twice_keeps_its_files_and_leaves_no_temporary_ones() {
    let dir = tempfile::tempdir().unwrap();
    let run = finished_run(dir.path());
    write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();
    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();
    let files = fs::read_dir(&outcome.dir).unwrap().count();
    assert_eq!(files, applicable(&run).len() + 2);
}

#[test]
fn a_regularised_run_shows_its_schedule_its_distortions_and_its_gap() {
    let dir = tempfile::tempdir().unwrap();
    let run = regularised_run(dir.path());

    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();

    assert!(outcome.skipped.is_empty(), "{:?}", outcome.skipped);
    assert_eq!(applicable(&run), Picture::ALL);
    for picture in [
        Picture::Generalisation,
        Picture::LearningRate,
        Picture::Augmented,
    ] {
        assert_picture(&outcome.dir.join(picture.file_name()), picture.size());
    }
    let markdown = read(&outcome, page::MARKDOWN);
    for expected in [
        "dropout 0.5",
        "elastic (α 34, σ 4)",
        "learning-rate schedule: cosine, warm-up of 1 epoch",
        "early stopping: after 10 epochs",
        Picture::Augmented.how_to_read(),
    ] {
        assert!(
            markdown.contains(expected),
            "no '{expected}' in\n{markdown}"
        );
    }
}

#[test]
fn a_partial_run_draws_what_its_files_allow_and_says_what_it_skipped() {
    // Still training: lr 0.1 has finished one epoch, lr 5 has not started, no checkpoint has
    // been written and neither has summary.json.
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &fixture::config(&[GOOD_LR, DIVERGED_LR])).unwrap();
    run.write_metrics(GOOD_LR, &fixture::healthy_metrics(1))
        .unwrap();
    run.write_batches(GOOD_LR, &fixture::healthy_batches(1))
        .unwrap();

    // The test images are never needed: a missing folder must not matter.
    let nowhere = dir.path().join("no-mnist-here");
    let outcome = write_report(&run, &run.report_dir(), TestSet::Files(nowhere)).unwrap();

    for picture in [Picture::LossCurves, Picture::BatchLoss, Picture::Accuracy] {
        assert_picture(&outcome.dir.join(picture.file_name()), picture.size());
    }
    let skipped = skipped_pictures(&outcome);
    for picture in [
        Picture::ConfusionMatrix,
        Picture::ConfusionMatrixNormalized,
        Picture::Misclassified,
        Picture::Confidence,
        Picture::Weights,
    ] {
        assert!(
            skipped.contains(&picture),
            "{picture:?} not reported as skipped"
        );
        assert!(!outcome.dir.join(picture.file_name()).exists());
    }
    let reasons: Vec<String> = outcome.skipped.iter().map(|s| s.to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("best.ckpt") && r.contains("does not exist yet")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("lr 5:") && r.contains("nothing logged yet")),
        "{reasons:?}"
    );
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("summary.json is not written yet"))
    );
    let markdown = read(&outcome, page::MARKDOWN);
    assert!(markdown.contains("Not drawn (weights.png)"), "{markdown}");
    assert!(markdown.contains("1 of 3 epochs so far"), "{markdown}");
}

#[test]
fn a_run_that_has_logged_nothing_still_gets_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &fixture::config(&[GOOD_LR])).unwrap();

    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();

    let mut skipped = skipped_pictures(&outcome);
    skipped.sort_by_key(|p| p.file_name());
    let mut all = applicable(&run);
    all.sort_by_key(|p| p.file_name());
    assert_eq!(skipped, all);
    assert_eq!(
        outcome.written.len(),
        2,
        "only the two pages: {:?}",
        outcome.written
    );
    assert!(read(&outcome, page::HTML).contains("Left out"));
}

#[test]
fn missing_test_images_leave_out_only_the_test_set_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let run = finished_run(&dir.path().join("run"));
    let empty = dir.path().join("mnist");
    fs::create_dir(&empty).unwrap();

    let outcome = write_report(&run, &run.report_dir(), TestSet::Files(empty.clone())).unwrap();

    assert_picture(&outcome.dir.join("weights.png"), Picture::Weights.size());
    let skip = outcome
        .skipped
        .iter()
        .find(|s| s.pictures.contains(&Picture::ConfusionMatrix))
        .expect("the confusion matrix is skipped");
    assert_eq!(skip.pictures.len(), 4, "{skip}");
    assert!(
        skip.why.contains(&empty.display().to_string()) && skip.why.contains("fetch"),
        "{skip}"
    );
}

#[test]
fn a_damaged_checkpoint_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let run = finished_run(dir.path());
    fs::write(run.best_checkpoint_path(GOOD_LR), b"not a checkpoint").unwrap();

    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();

    let skip = outcome
        .skipped
        .iter()
        .find(|s| s.pictures.contains(&Picture::Weights))
        .expect("weights.png is skipped");
    assert!(skip.why.contains("is not an nn-train checkpoint"), "{skip}");
    assert!(outcome.dir.join("loss_curves.png").exists());
}

#[test]
fn a_damaged_log_leaves_out_its_learning_rate_only() {
    let dir = tempfile::tempdir().unwrap();
    let run = finished_run(dir.path());
    fs::write(
        run.metrics_path(DIVERGED_LR),
        "epoch,train_loss\nnot,numbers\n",
    )
    .unwrap();

    let outcome = write_report(&run, &run.report_dir(), TestSet::Loaded(test_images())).unwrap();

    let reasons: Vec<String> = outcome.skipped.iter().map(|s| s.to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("lr 5:") && r.contains("metrics.csv is not valid")),
        "{reasons:?}"
    );
    assert_picture(
        &outcome.dir.join("loss_curves.png"),
        Picture::LossCurves.size(),
    );
}

fn nn_report() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nn-report"));
    // Never the developer's own MNIST: the tests must behave the same on a fresh clone.
    command.env("MNIST_DIR", "/nonexistent/mnist");
    command
}

#[test]
fn a_folder_that_is_not_a_run_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = nn_report().arg(dir.path()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is not a run directory"), "{stderr}");
}

#[test]
fn a_missing_path_is_a_one_line_error() {
    let output = nn_report().arg("/nonexistent/run").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("/nonexistent/run is not a directory"),
        "{stderr}"
    );
}

#[test]
fn two_runs_on_the_command_line_are_compared_into_out() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    named_run(&a, Some("first"));
    finished_run(&b);
    let out = dir.path().join("cmp");

    let output = nn_report()
        .args([&a, &b])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();

    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with(&format!("Comparison of 2 runs in {}\n", out.display())));
    assert!(stdout.contains(&format!(
        "report of first in {}",
        out.join("first").display()
    )));
    assert!(stdout.contains("wrote ") && stdout.contains("compare_loss_curves.png"));
    // The test images are missing (MNIST_DIR points nowhere): said, per run.
    assert!(
        stdout.contains("skipped first: confusion_matrix.png"),
        "{stdout}"
    );
    assert!(out.join("compare_accuracy.png").is_file());
    assert!(
        !a.join("report").exists(),
        "--out leaves the runs untouched"
    );
}

#[test]
fn one_run_with_out_is_reported_there() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    finished_run(&run);
    let out = dir.path().join("elsewhere");
    let output = nn_report()
        .arg(&run)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(out.join("loss_curves.png").is_file() && out.join(page::HTML).is_file());
    assert!(!run.join("report").exists());
}

#[test]
fn a_run_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    finished_run(dir.path());
    let path = dir.path().to_str().unwrap();
    let output = nn_report()
        .args([path, &format!("{path}/.")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is given twice"), "{stderr}");
}

#[test]
fn short_and_long_help_say_the_same() {
    let help = |flag: &str| nn_report().arg(flag).output().unwrap().stdout;
    assert_eq!(help("-h"), help("--help"));
}

#[test]
fn a_run_prints_what_it_wrote_and_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path(), &fixture::config(&[GOOD_LR])).unwrap();
    run.write_metrics(GOOD_LR, &fixture::healthy_metrics(1))
        .unwrap();

    let output = nn_report().arg(dir.path()).output().unwrap();

    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("wrote ") && stdout.contains("loss_curves.png"),
        "{stdout}"
    );
    assert!(stdout.contains("skipped batch_loss.png: "), "{stdout}");
    assert!(stdout.contains("index.html"), "{stdout}");
}

#[test]
fn a_comparison_of_two_runs_renders_every_picture_and_a_table_of_both() {
    let dir = tempfile::tempdir().unwrap();
    let wide = named_run(&dir.path().join("2026-12-01T20-59-34Z-wide"), Some("wide"));
    let plain = finished_run(&dir.path().join("2026-12-01T20-59-34Z"));
    let out = dir.path().join("comparison");

    let outcome = write_comparison(&[wide, plain], &out, TestSet::Loaded(test_images())).unwrap();

    assert!(outcome.skipped.is_empty(), "{:?}", outcome.skipped);
    for picture in Picture::COMPARISON {
        let path = out.join(picture.file_name());
        assert!(outcome.written.contains(&path), "{}", path.display());
        assert_picture(&path, picture.size());
    }
    // Each run's own report, in a folder named after it: by its name, else its folder's.
    let labels: Vec<&str> = outcome.runs.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["wide", "2026-12-01T20-59-34Z"]);
    for folder in ["wide", "2026-12-01T20-59-34Z"] {
        for picture in Picture::ALL
            .into_iter()
            .filter(|p| p.applies(&fixture::config(&[]).train))
        {
            assert_picture(&out.join(folder).join(picture.file_name()), picture.size());
        }
        assert!(out.join(folder).join(page::HTML).is_file());
    }
    let html = fs::read_to_string(out.join(page::HTML)).unwrap();
    let markdown = fs::read_to_string(out.join(page::MARKDOWN)).unwrap();
    for text in [&html, &markdown] {
        assert!(
            text.contains("Comparison: wide, 2026-12-01T20-59-34Z"),
            "{text}"
        );
        assert!(text.contains("784-16-10"), "{text}");
        // Every learning rate of every run is a row: two runs, two rates each.
        assert_eq!(text.matches("diverged in epoch 1").count(), 2, "{text}");
        // Each run chose one.
        assert_eq!(text.matches("chosen on validation").count(), 2, "{text}");
        for picture in Picture::COMPARISON {
            assert!(
                text.contains(picture.how_to_read()),
                "{}",
                picture.file_name()
            );
        }
    }
    assert!(html.contains("<a href=\"wide/index.html\">"), "{html}");
    assert!(markdown.contains("](wide/report.md)"), "{markdown}");
    assert!(html.contains("<a href=\"compare_accuracy.png\"><img src=\"compare_accuracy.png\""));
}

#[test]
fn runs_with_the_same_label_get_folders_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let a = named_run(&dir.path().join("a"), Some("same"));
    let b = named_run(&dir.path().join("b"), Some("same"));
    let out = dir.path().join("comparison");
    let outcome = write_comparison(&[a, b], &out, TestSet::Loaded(test_images())).unwrap();
    let labels: Vec<&str> = outcome.runs.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["same", "same 2"]);
    assert!(out.join("same").join("loss_curves.png").is_file());
    assert!(out.join("same_2").join("loss_curves.png").is_file());
}
