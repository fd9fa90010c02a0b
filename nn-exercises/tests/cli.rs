//! The command line as a student meets it: what it prints, in 80 columns, and its exit codes.
//! These tests hold whatever state the exercises are in (pending, done or wrong): that the
//! committed exercises are all pending is checked on a clean clone by `.ci/run`.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nn-exercises"))
        .args(args)
        .output()
        .expect("the nn-exercises binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn assert_fits_80_columns(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
}

#[test]
fn grading_everything_lists_every_exercise_and_exits_0() {
    let output = run(&[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_fits_80_columns(&text);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.ends_with("done") || l.ends_with("not yet") || l.ends_with("wrong"))
        .collect();
    assert_eq!(rows.len(), 14, "{text}");
    assert!(
        rows[0].trim_start().starts_with("1  stable_softmax"),
        "{text}"
    );
    assert!(text.contains("of 14 done"), "{text}");
    // Piped, the output carries no colour codes.
    assert!(!text.contains('\u{1b}'), "{text}");
    // It ends with what to do next, or with the congratulations.
    assert!(
        text.contains("  edit    nn-exercises/exercises/")
            || text.contains("All 14 exercises pass"),
        "{text}"
    );
}

#[test]
fn one_exercise_is_graded_by_name_or_number() {
    let by_name = run(&["log_sum_exp"]);
    let by_number = run(&["2"]);
    assert_eq!(stdout(&by_name), stdout(&by_number));
    let text = stdout(&by_name);
    assert_fits_80_columns(&text);
    assert!(text.contains("  2  log_sum_exp"), "{text}");
    // 0 only when it passes.
    let passed = text.contains("Done: exercise 2");
    assert_eq!(
        by_name.status.code(),
        Some(if passed { 0 } else { 1 }),
        "{text}"
    );
}

#[test]
fn the_list_names_every_file_and_chapter() {
    let output = run(&["--list"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert_fits_80_columns(&text);
    assert!(
        text.contains(" 14  calibration_error       docs/08-reading-the-report.md"),
        "{text}"
    );
    assert!(text.contains("nn-exercises/exercises/NN_name.rs"), "{text}");
}

#[test]
fn an_unknown_exercise_is_a_usage_error_with_a_suggestion() {
    let output = run(&["relu_forwad"]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("did you mean relu_forward?"), "{error}");
    let output = run(&["15"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--list shows all 14"));
}
