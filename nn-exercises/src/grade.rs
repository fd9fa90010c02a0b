//! What every check shares: running the student's code so that nothing it does (a `todo!()`, a
//! panic, an endless loop) takes the grader down, comparing numbers with a stated tolerance,
//! and the verdict.

use std::cell::{Cell, RefCell};
use std::fmt::{Display, LowerExp};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::thread;
use std::time::Duration;

use nn_core::Matrix;

/// The grade of one exercise.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every case agreed with nn-core.
    Pass,
    /// The code reached a `todo!()` (its own, or one in a function it calls); `at` says where.
    NotYet { at: Option<String> },
    /// A case came out wrong, the code panicked, or it never returned.
    Wrong(Mistake),
}

/// The first thing that went wrong, said so that a student can act on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mistake {
    /// The input: `logits [1000, 1001, 1002]`.
    pub case: String,
    /// What came out: `p[0] is NaN, expected 0.09003057`.
    pub what: String,
    /// Where the student's code panicked, `file:line`, if it did.
    pub at: Option<String>,
    /// Where to look.
    pub hint: String,
}

/// One input a check tries: the input itself, how it reads to a student, and the hint shown if
/// the student's answer to it is wrong.
pub struct Case<I> {
    pub input: I,
    pub describe: String,
    pub hint: &'static str,
}

impl<I> Case<I> {
    pub fn new(input: I, describe: impl Into<String>, hint: &'static str) -> Case<I> {
        Case {
            input,
            describe: describe.into(),
            hint,
        }
    }
}

/// Runs `student` on every case in order and compares its answer with `reference`'s: the
/// first case that is wrong, panics or reaches a `todo!()` decides the verdict. `compare`
/// gets `(student's answer, reference answer)` and names the first value that differs.
pub fn grade<I, O>(
    cases: &[Case<I>],
    student: impl Fn(&I) -> O,
    reference: impl Fn(&I) -> O,
    compare: impl Fn(&O, &O) -> Result<(), String>,
) -> Verdict {
    for case in cases {
        let expected = reference(&case.input);
        let wrong = |what: String, at: Option<String>| {
            Verdict::Wrong(Mistake {
                case: case.describe.clone(),
                what,
                at,
                hint: case.hint.to_string(),
            })
        };
        CASE_IN_PROGRESS.with_borrow(|sink| {
            if let Some(sink) = sink {
                *sink.lock().unwrap_or_else(|e| e.into_inner()) = Some(case.describe.clone());
            }
        });
        match run(|| student(&case.input)) {
            Outcome::Returned(got) => {
                if let Err(what) = compare(&got, &expected) {
                    return wrong(what, None);
                }
            }
            Outcome::Todo { at } => return Verdict::NotYet { at },
            Outcome::Panicked { message, at } => {
                return wrong(format!("your code panicked: {message}"), at);
            }
        }
    }
    Verdict::Pass
}

/// Where [`grade`] writes the description of the case it is running, so that
/// [`grade_within`] can name the input a student's code never returned from.
type CaseSink = Arc<Mutex<Option<String>>>;

thread_local! {
    static CASE_IN_PROGRESS: RefCell<Option<CaseSink>> = const { RefCell::new(None) };
}

/// Runs `grade` on a thread of its own and waits at most `limit` for its verdict, so that an
/// endless loop in the student's code is reported rather than waited on forever. The thread
/// of a loop that never ends is left behind; the program ends it when it exits.
pub fn grade_within(limit: Duration, grade: fn() -> Verdict) -> Verdict {
    let (send, receive) = mpsc::channel();
    let in_progress = CaseSink::default();
    let sink = in_progress.clone();
    let spawned = thread::Builder::new()
        .name("grading".into())
        .spawn(move || {
            CASE_IN_PROGRESS.set(Some(sink));
            // The main thread may have stopped waiting: then nobody needs the verdict.
            let _ = send.send(grade());
        });
    if let Err(e) = spawned {
        return grader_failed(format!("cannot start a thread to grade on: {e}"));
    }
    match receive.recv_timeout(limit) {
        Ok(verdict) => verdict,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let case = in_progress.lock().unwrap_or_else(|e| e.into_inner()).take();
            Verdict::Wrong(Mistake {
                case: case.unwrap_or_else(|| "the first one".into()),
                what: format!("no answer after {} s", limit.as_secs_f64()),
                at: None,
                hint: "an endless loop? Check that every loop's counter moves towards its \
                       end (the inputs are tiny: a right answer takes milliseconds)"
                    .into(),
            })
        }
        // The grader itself panicked, outside the student's code.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            grader_failed("the grader stopped without a verdict".into())
        }
    }
}

fn grader_failed(what: String) -> Verdict {
    Verdict::Wrong(Mistake {
        case: "none: the grader failed before your answer was compared".into(),
        what,
        at: None,
        hint: "this is a bug in nn-exercises, not in your code: please report it".into(),
    })
}

/// What the student's code did.
pub enum Outcome<T> {
    Returned(T),
    /// It reached `todo!()` or `unimplemented!()`.
    Todo {
        at: Option<String>,
    },
    Panicked {
        message: String,
        at: Option<String>,
    },
}

thread_local! {
    /// True while this thread runs student code: its panics are recorded, not printed.
    static GRADING: Cell<bool> = const { Cell::new(false) };
    /// The message and place of the last panic recorded on this thread.
    static LAST_PANIC: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

/// Runs `student`, catching a panic. While it runs, a panic prints nothing (the default hook
/// would write "thread panicked at ..." over the grader's report); it is recorded and turned
/// into an [`Outcome`]. Panics on other threads, and outside `run`, print as usual.
pub fn run<T>(student: impl FnOnce() -> T) -> Outcome<T> {
    install_quiet_hook();
    GRADING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(student));
    GRADING.set(false);
    match result {
        Ok(value) => Outcome::Returned(value),
        Err(payload) => {
            let (message, at) = LAST_PANIC.take().unwrap_or_else(|| {
                let text = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned());
                (text.unwrap_or_else(|| "(no message)".into()), None)
            });
            // The messages of `todo!()` and `unimplemented!()`, with or without an argument.
            if message.starts_with("not yet implemented") || message.starts_with("not implemented")
            {
                Outcome::Todo { at }
            } else {
                Outcome::Panicked { message, at }
            }
        }
    }
}

fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GRADING.get() {
                let message = info
                    .payload_as_str()
                    .unwrap_or("(a panic without a text message)")
                    .to_string();
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", tidy_path(l.file()), l.line()));
                LAST_PANIC.set(Some((message, at)));
            } else {
                default(info);
            }
        }));
    });
}

/// `nn-exercises/src/../exercises/01_stable_softmax.rs` → `nn-exercises/exercises/...`: the
/// exercise files are modules of this crate found through `#[path = "../exercises/..."]`.
fn tidy_path(file: &str) -> String {
    file.replace("/src/../", "/")
}

/// How close a student's number must be to nn-core's: `|got - expected| <= abs + rel·|expected|`.
/// Every check says why its tolerance is what it is: wide enough for any correct way of
/// computing the value in `f32` (another summation order, dividing instead of multiplying by
/// an inverse), far too narrow for any of the mistakes it exists to catch.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub abs: f64,
    pub rel: f64,
}

impl Tolerance {
    pub const EXACT: Tolerance = Tolerance { abs: 0.0, rel: 0.0 };

    /// NaN is never accepted where a number is expected (written so that the comparison with
    /// NaN, which is always false, rejects it), and an infinity only where the same one is.
    pub fn accepts(self, got: f64, expected: f64) -> bool {
        if expected.is_nan() {
            return got.is_nan();
        }
        if expected.is_infinite() {
            return got == expected;
        }
        got.is_finite() && (got - expected).abs() <= self.abs + self.rel * expected.abs()
    }
}

/// A number as the student would write it: shortest form, exponent only when it is very large
/// or very small, NaN and infinities by name.
pub fn show<T: Copy + Into<f64> + Display + LowerExp>(x: T) -> String {
    let v: f64 = x.into();
    if v.is_finite() && v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `[1000, 1001, 1002]`; long lists show their first values and their length.
pub fn show_values<T: Copy + Into<f64> + Display + LowerExp>(values: &[T]) -> String {
    const SHOWN: usize = 6;
    let shown: Vec<String> = values.iter().take(SHOWN).map(|&v| show(v)).collect();
    if values.len() > SHOWN {
        format!("[{}, ... ({} values)]", shown.join(", "), values.len())
    } else {
        format!("[{}]", shown.join(", "))
    }
}

/// One number: `Err("loss is NaN, expected 2000")` unless `tolerance` accepts it.
pub fn compare_number<T: Copy + Into<f64> + Display + LowerExp>(
    name: &str,
    got: T,
    expected: T,
    tolerance: Tolerance,
) -> Result<(), String> {
    if tolerance.accepts(got.into(), expected.into()) {
        Ok(())
    } else {
        Err(format!(
            "{name} is {}, expected {}",
            show(got),
            show(expected)
        ))
    }
}

/// A list of numbers: its length, then each value in order; the first that differs is named
/// with its index.
pub fn compare_values<T: Copy + Into<f64> + Display + LowerExp>(
    name: &str,
    got: &[T],
    expected: &[T],
    tolerance: Tolerance,
) -> Result<(), String> {
    if got.len() != expected.len() {
        return Err(format!(
            "{name} has {} values, expected {}",
            got.len(),
            expected.len()
        ));
    }
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        compare_number(&format!("{name}[{i}]"), g, e, tolerance)?;
    }
    Ok(())
}

/// A matrix: its shape, then each entry in reading order, named `name[row][column]`.
pub fn compare_matrix(
    name: &str,
    got: &Matrix,
    expected: &Matrix,
    tolerance: Tolerance,
) -> Result<(), String> {
    let ((r, c), (er, ec)) = (got.shape(), expected.shape());
    if (r, c) != (er, ec) {
        return Err(format!("{name} is {r}x{c}, expected {er}x{ec}"));
    }
    for row in 0..r {
        for col in 0..c {
            let name = format!("{name}[{row}][{col}]");
            compare_number(&name, got.get(row, col), expected.get(row, col), tolerance)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_never_close_to_a_number() {
        let loose = Tolerance { abs: 1e9, rel: 1e9 };
        assert!(!loose.accepts(f64::NAN, 1.0));
        assert!(!loose.accepts(f64::INFINITY, 1.0));
        assert!(!loose.accepts(f64::NEG_INFINITY, -1.0));
        assert!(!loose.accepts(1.0, f64::INFINITY));
        assert!(loose.accepts(f64::INFINITY, f64::INFINITY));
        assert!(Tolerance::EXACT.accepts(-0.0, 0.0));
    }

    #[test]
    fn tolerance_is_absolute_plus_relative() {
        let t = Tolerance {
            abs: 1e-6,
            rel: 1e-3,
        };
        assert!(t.accepts(1000.9, 1000.0));
        assert!(!t.accepts(1001.1, 1000.0));
        assert!(t.accepts(0.0, 9e-7));
        assert!(!t.accepts(0.0, 2e-6));
    }

    #[test]
    fn numbers_read_as_a_student_writes_them() {
        assert_eq!(show(0.09003057f32), "0.09003057");
        assert_eq!(show(1e30f32), "1e30");
        assert_eq!(show(f32::NAN), "NaN");
        assert_eq!(show(-f32::INFINITY), "-inf");
        assert_eq!(show(0.0f64), "0");
        assert_eq!(
            show_values(&[1000.0f32, 1001.0, 1002.0]),
            "[1000, 1001, 1002]"
        );
        assert_eq!(
            show_values(&[0.5f32; 8]),
            "[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, ... (8 values)]"
        );
    }

    #[test]
    fn comparisons_name_the_first_wrong_value() {
        let t = Tolerance {
            abs: 1e-6,
            rel: 0.0,
        };
        assert_eq!(
            compare_values("p", &[0.5f32, f32::NAN, 0.0], &[0.5, 0.25, 0.25], t),
            Err("p[1] is NaN, expected 0.25".into())
        );
        assert_eq!(
            compare_values("p", &[1.0f32], &[0.5, 0.5], t),
            Err("p has 1 values, expected 2".into())
        );
        let expected = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
        let got = Matrix::from_rows(&[[1.0, 2.0], [3.0, 5.0]]);
        assert_eq!(
            compare_matrix("y", &got, &expected, t),
            Err("y[1][1] is 5, expected 4".into())
        );
        assert_eq!(
            compare_matrix("y", &Matrix::zeros(2, 1), &expected, t),
            Err("y is 2x1, expected 2x2".into())
        );
        assert_eq!(compare_matrix("y", &expected, &expected, t), Ok(()));
    }

    fn todo_stub(_: f32) -> f32 {
        todo!()
    }

    #[test]
    fn a_todo_is_not_yet_and_says_where_it_is() {
        match run(|| todo_stub(1.0)) {
            Outcome::Todo { at: Some(at) } => {
                assert!(at.starts_with("nn-exercises/src/grade.rs:"), "{at}")
            }
            _ => panic!("a todo!() must read as not yet, with its place"),
        }
        assert!(matches!(
            run(|| -> f32 { unimplemented!("later") }),
            Outcome::Todo { .. }
        ));
    }

    #[test]
    fn a_panic_is_caught_with_its_message() {
        let v: Vec<f32> = Vec::new();
        match run(|| v[3]) {
            Outcome::Panicked { message, at } => {
                assert!(message.contains("index out of bounds"), "{message}");
                assert!(at.is_some_and(|at| at.contains("grade.rs")));
            }
            _ => panic!("an index out of bounds must be caught"),
        }
        // A panic whose payload is not text still becomes an outcome.
        let caught = run(|| std::panic::panic_any(42_i32));
        assert!(matches!(caught, Outcome::Panicked { .. }));
        // And the thread grades normally afterwards.
        assert!(matches!(run(|| 7), Outcome::Returned(7)));
    }

    /// A check whose second case never returns.
    fn sleeps() -> Verdict {
        let cases = [
            Case::new(1u64, "one millisecond", ""),
            Case::new(3_600_000, "an hour", ""),
        ];
        grade(
            &cases,
            |&ms| thread::sleep(Duration::from_millis(ms)),
            |_| (),
            |_, _| Ok(()),
        )
    }

    #[test]
    fn code_that_never_returns_is_reported_after_the_limit() {
        match grade_within(Duration::from_millis(100), sleeps) {
            Verdict::Wrong(m) => {
                assert_eq!(m.what, "no answer after 0.1 s");
                assert_eq!(m.case, "an hour");
                assert!(m.hint.contains("endless loop"), "{}", m.hint);
            }
            v => panic!("expected a timeout, got {v:?}"),
        }
        assert_eq!(
            grade_within(Duration::from_secs(60), || Verdict::Pass),
            Verdict::Pass
        );
    }
}
