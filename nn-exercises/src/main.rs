//! `cargo run -p nn-exercises`: grades every exercise in order and says what to do next.
//! `cargo run -p nn-exercises -- NAME` grades one (by name or number); `--list` lists them.
//! There is no watch mode: edit a file, rerun the command.

use std::process::ExitCode;
use std::time::Duration;

use anstream::println;
use anstyle::{AnsiColor, Style};
use clap::Parser;
use nn_exercises::catalog::{EXERCISES, Exercise, find};
use nn_exercises::grade::{Mistake, Verdict, grade_within};

/// The longest a student's code may take on one exercise's inputs. They are tiny: a correct
/// solution needs milliseconds even unoptimised, so the limit only ever stops a loop that
/// never ends.
const TIME_LIMIT: Duration = Duration::from_secs(3);

/// Everything printed fits a terminal 80 columns wide.
const WIDTH: usize = 80;

/// Where a label's text starts: `  hint    exp(1000) ...`.
const INDENT: &str = "          ";

/// Write a neural network's math yourself; the computer checks it against nn-core.
///
/// With no argument, grades every exercise in order and says what to do next.
/// Edit an exercise's file, then run the command again.
#[derive(Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Cli {
    /// Grade only this exercise: its name (stable_softmax) or its number (1)
    #[arg(value_parser = exercise)]
    exercise: Option<&'static Exercise>,
    /// List the exercises with their chapters, without grading them
    #[arg(long, conflicts_with = "exercise")]
    list: bool,
}

fn exercise(name: &str) -> Result<&'static Exercise, String> {
    find(name).ok_or_else(|| {
        let close: Vec<&str> = EXERCISES
            .iter()
            .map(|e| e.name)
            .filter(|n| n.contains(name) || strsim::normalized_damerau_levenshtein(n, name) > 0.7)
            .collect();
        match close.as_slice() {
            [] => format!("not an exercise (--list shows all {})", EXERCISES.len()),
            names => format!("did you mean {}?", names.join(" or ")),
        }
    })
}

/// The exit code. Grading everything is a progress report, like `git status`: it exits 0
/// whatever the grades, because exercises not done yet (or not right yet) are where a student
/// is expected to be, not a failure of the command, and a non-zero code would make cargo add
/// "error: process didn't exit successfully" under a friendly report. Grading one exercise by
/// name asks "is this one done?": 0 if it passes, 1 if not, so a script can ask too. Wrong
/// usage exits 2 (clap's code, as in the rest of the workspace).
fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list {
        list();
        return ExitCode::SUCCESS;
    }
    if let Some(e) = cli.exercise {
        let verdict = grade_within(TIME_LIMIT, e.grade);
        table_header();
        row(e, &verdict);
        println!();
        details(e, &verdict);
        return if verdict == Verdict::Pass {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    overview();
    ExitCode::SUCCESS
}

/// Grades every exercise, one row each as it is graded, then details the first one that is
/// not done: the next thing to do.
fn overview() {
    println!("{BOLD}nn-exercises{BOLD:#}: your neural-network math, checked against nn-core");
    println!();
    table_header();
    let mut verdicts = Vec::new();
    for e in &EXERCISES {
        let verdict = grade_within(TIME_LIMIT, e.grade);
        row(e, &verdict);
        verdicts.push(verdict);
    }
    let count = |f: fn(&Verdict) -> bool| verdicts.iter().filter(|v| f(v)).count();
    let done = count(|v| *v == Verdict::Pass);
    let wrong = count(|v| matches!(v, Verdict::Wrong(_)));
    let total = EXERCISES.len();
    println!();
    let mut summary = format!("{done} of {total} done");
    if wrong > 0 {
        summary += &format!(", {wrong} not right yet");
    }
    println!("{summary}.");
    println!();
    match EXERCISES
        .iter()
        .zip(&verdicts)
        .find(|(_, v)| **v != Verdict::Pass)
    {
        Some((e, verdict)) => details(e, verdict),
        None => wrap_paragraph(&format!(
            "All {total} exercises pass: you have written every piece of the network by hand. \
             Compare your files with nn-core/src/, where the same math is made fast, then \
             train the real thing: cargo run --release -p nn-train"
        )),
    }
}

const BOLD: Style = Style::new().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();

fn table_header() {
    println!(
        "{BOLD}{:>3}  {:<24}{:<35}{}{BOLD:#}",
        "#", "exercise", "chapter (in docs/)", "status"
    );
}

fn row(e: &Exercise, verdict: &Verdict) {
    let (style, status) = match verdict {
        Verdict::Pass => (GREEN, "done"),
        Verdict::NotYet { .. } => (YELLOW, "not yet"),
        Verdict::Wrong(_) => (RED, "wrong"),
    };
    println!(
        "{:>3}  {:<24}{:<35}{style}{status}{style:#}",
        e.number,
        e.name,
        e.chapter_name()
    );
}

/// What to do about one exercise: why it is wrong, or where to start, or that it is done.
fn details(e: &Exercise, verdict: &Verdict) {
    match verdict {
        Verdict::Pass => {
            println!("{GREEN}Done{GREEN:#}: exercise {}, {}", e.number, e.name);
            println!();
            labelled(
                "checked",
                &format!("{}: every answer agrees with nn-core", e.checks),
            );
            labelled("next", "cargo run -p nn-exercises");
        }
        Verdict::NotYet { at } => {
            println!("{BOLD}Next{BOLD:#}: exercise {}, {}", e.number, e.name);
            println!();
            labelled("task", e.task);
            labelled("read", e.chapter);
            labelled("edit", &e.file());
            // A todo!() reached in another file: this exercise calls an earlier one.
            match at.as_deref().filter(|at| !at.starts_with(&e.file())) {
                Some(at) => labelled(
                    "note",
                    &format!("your code reaches a todo!() in {at}: finish that one first"),
                ),
                None => println!("{INDENT}and replace its todo!() with your code"),
            }
            labelled("check", &format!("cargo run -p nn-exercises -- {}", e.name));
        }
        Verdict::Wrong(Mistake {
            case,
            what,
            at,
            hint,
        }) => {
            println!(
                "{RED}Not right yet{RED:#}: exercise {}, {}",
                e.number, e.name
            );
            println!();
            labelled("input", case);
            labelled("found", what);
            if let Some(at) = at {
                labelled("where", at);
            }
            labelled("hint", hint);
            labelled("read", e.chapter);
            labelled("edit", &e.file());
            labelled("check", &format!("cargo run -p nn-exercises -- {}", e.name));
        }
    }
}

/// `  label   text`, the text wrapped to [`WIDTH`] under itself.
fn labelled(label: &str, text: &str) {
    let first = format!("  {label:<8}");
    print_wrapped(text, &first, INDENT);
}

fn wrap_paragraph(text: &str) {
    print_wrapped(text, "", "");
}

/// Wraps at spaces only: a path or a command is never cut at one of its dashes.
fn print_wrapped(text: &str, first: &str, rest: &str) {
    let options = textwrap::Options::new(WIDTH)
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, options) {
        println!("{line}");
    }
}

fn list() {
    wrap_paragraph(
        "Each exercise is a file, nn-exercises/exercises/NN_name.rs; read its chapter \
         first, replace its todo!(), then run cargo run -p nn-exercises.",
    );
    println!();
    println!("{BOLD}{:>3}  {:<24}{}{BOLD:#}", "#", "exercise", "chapter");
    for e in &EXERCISES {
        println!("{:>3}  {:<24}{}", e.number, e.name, e.chapter);
        print_wrapped(e.task, "     ", "     ");
        print_wrapped(e.checks, "     checks: ", "             ");
    }
}
