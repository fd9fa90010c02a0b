//! The exercises, in the order a student does them: the order of the chapters, from softmax
//! to reading the report.

use crate::checks;
use crate::grade::Verdict;

/// One exercise: where it is, what to read, what its check tries, and the check itself.
pub struct Exercise {
    /// Its place in the order, from 1; also the prefix of its file name.
    pub number: usize,
    /// What a student types to grade it alone: `cargo run -p nn-exercises -- NAME`.
    pub name: &'static str,
    /// The task in a few words.
    pub task: &'static str,
    /// The chapter to read first.
    pub chapter: &'static str,
    /// The inputs its check tries, in a line.
    pub checks: &'static str,
    /// Grades the implementation this catalog was built from.
    pub grade: fn() -> Verdict,
}

impl Exercise {
    /// The student's file, from the workspace's top folder.
    pub fn file(&self) -> String {
        format!("nn-exercises/exercises/{:02}_{}.rs", self.number, self.name)
    }

    /// `02-softmax` for `docs/02-softmax.md`.
    pub fn chapter_name(&self) -> &'static str {
        self.chapter
            .trim_start_matches("docs/")
            .trim_end_matches(".md")
    }
}

/// The catalog, grading the functions of module `$code`: the student's `exercises` for the
/// command line, the reference `solutions` in the tests. Both modules have the same names, so
/// the tests prove the very list the command line uses.
macro_rules! catalog {
    ($code:ident) => {
        [
            Exercise {
                number: 1,
                name: "stable_softmax",
                task: "turn logits into probabilities without overflow",
                chapter: "docs/02-softmax.md",
                checks: "random logits, ±1000, ±1e30, all equal, one class",
                grade: || checks::softmax::stable_softmax(crate::$code::stable_softmax::softmax),
            },
            Exercise {
                number: 2,
                name: "log_sum_exp",
                task: "the log of softmax's denominator, without overflow",
                chapter: "docs/02-softmax.md",
                checks: "the inputs of exercise 1",
                grade: || checks::softmax::log_sum_exp(crate::$code::log_sum_exp::log_sum_exp),
            },
            Exercise {
                number: 3,
                name: "softmax_temperature",
                task: "softmax(z / T): sharper below T = 1, flatter above",
                chapter: "docs/02-softmax.md",
                checks: "T from 0.1 to 10, small T on large logits, equal logits, one class",
                grade: || {
                    checks::softmax::softmax_temperature(
                        crate::$code::softmax_temperature::softmax_with_temperature,
                    )
                },
            },
            Exercise {
                number: 4,
                name: "cross_entropy",
                task: "the mean loss of a batch, from log-sum-exp",
                chapter: "docs/03-cross-entropy.md",
                checks: "batches of 4, 16 and 1, ±1000, ±1e30, equal logits, one class",
                grade: || checks::loss::cross_entropy(crate::$code::cross_entropy::cross_entropy),
            },
            Exercise {
                number: 5,
                name: "cross_entropy_gradient",
                task: "dL/dz = (p - y) / B",
                chapter: "docs/04-softmax-cross-entropy-gradient.md",
                checks: "the batches of exercise 4, from their probabilities",
                grade: || {
                    checks::loss::cross_entropy_gradient(
                        crate::$code::cross_entropy_gradient::cross_entropy_gradient,
                    )
                },
            },
            Exercise {
                number: 6,
                name: "relu_forward",
                task: "a = max(z, 0)",
                chapter: "docs/05-dense-and-relu.md",
                checks: "random z with exact zeros, all negative, ±1e30",
                grade: || checks::layers::relu_forward(crate::$code::relu_forward::relu_forward),
            },
            Exercise {
                number: 7,
                name: "relu_backward",
                task: "dz = da where a > 0, else 0",
                chapter: "docs/05-dense-and-relu.md",
                checks: "gradients of both signs, inactive units, all inactive",
                grade: || checks::layers::relu_backward(crate::$code::relu_backward::relu_backward),
            },
            Exercise {
                number: 8,
                name: "dense_forward",
                task: "y = x·W + b",
                chapter: "docs/05-dense-and-relu.md",
                checks: "5 shapes: a batch, a batch of one, 1 output, 1 input",
                grade: || checks::layers::dense_forward(crate::$code::dense_forward::dense_forward),
            },
            Exercise {
                number: 9,
                name: "dense_backward",
                task: "dW = xᵀ·dy, db = Σ dy, dx = dy·Wᵀ",
                chapter: "docs/05-dense-and-relu.md",
                checks: "dW, db and dx on the shapes of exercise 8",
                grade: || {
                    checks::layers::dense_backward(crate::$code::dense_backward::dense_backward)
                },
            },
            Exercise {
                number: 10,
                name: "gradient_check",
                task: "derivatives measured by central differences",
                chapter: "docs/05-dense-and-relu.md",
                checks: "a cubic and the cross-entropy, against their exact gradients",
                grade: || {
                    checks::gradient_check::numerical_gradient(
                        crate::$code::gradient_check::numerical_gradient,
                    )
                },
            },
            Exercise {
                number: 11,
                name: "sgd_momentum",
                task: "an SGD step with momentum and weight decay",
                chapter: "docs/06-sgd-and-learning-rate.md",
                checks: "1 to 5 steps: plain, momentum, weight decay, both",
                grade: || checks::sgd::sgd_step(crate::$code::sgd_momentum::sgd_step),
            },
            Exercise {
                number: 12,
                name: "accuracy",
                task: "the fraction of rows predicted right",
                chapter: "docs/08-reading-the-report.md",
                checks: "a random batch, ties, negative logits, one row, one class",
                grade: || checks::metrics::accuracy(crate::$code::accuracy::accuracy),
            },
            Exercise {
                number: 13,
                name: "confusion_matrix",
                task: "counts[true class][predicted class]",
                chapter: "docs/08-reading-the-report.md",
                checks: "random pairs, an unseen class, one class, no examples",
                grade: || {
                    checks::metrics::confusion_matrix(
                        crate::$code::confusion_matrix::confusion_matrix,
                    )
                },
            },
            Exercise {
                number: 14,
                name: "calibration_error",
                task: "the expected calibration error (ECE)",
                chapter: "docs/08-reading-the-report.md",
                checks: "200 predictions, chapter 8's example, 1.0, bin edges, 1 and 20 bins",
                grade: || {
                    checks::metrics::calibration_error(
                        crate::$code::calibration_error::expected_calibration_error,
                    )
                },
            },
        ]
    };
}

/// Every exercise, in order, grading the student's files.
pub const EXERCISES: [Exercise; 14] = catalog!(exercises);

/// The exercise called `name`, or numbered `name` (`3` or `03`).
pub fn find(name: &str) -> Option<&'static Exercise> {
    let number: Option<usize> = name.parse().ok();
    EXERCISES
        .iter()
        .find(|e| e.name == name || Some(e.number) == number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The same list, grading the reference solutions.
    const SOLVED: [Exercise; 14] = catalog!(solutions);

    fn workspace() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("nn-exercises sits in the workspace")
    }

    #[test]
    fn every_exercise_passes_with_its_reference_solution() {
        for e in &SOLVED {
            assert_eq!(
                (e.grade)(),
                Verdict::Pass,
                "exercise {} {}",
                e.number,
                e.name
            );
        }
    }

    #[test]
    fn numbers_run_in_order_and_names_are_unique() {
        for (i, e) in EXERCISES.iter().enumerate() {
            assert_eq!(e.number, i + 1, "{}", e.name);
        }
        let names: BTreeSet<&str> = EXERCISES.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), EXERCISES.len());
    }

    #[test]
    fn the_catalog_and_the_exercise_files_match() {
        let listed: BTreeSet<String> = EXERCISES.iter().map(|e| e.file()).collect();
        let on_disk: BTreeSet<String> =
            std::fs::read_dir(workspace().join("nn-exercises/exercises"))
                .expect("the exercises folder")
                .map(|e| {
                    format!(
                        "nn-exercises/exercises/{}",
                        e.unwrap().file_name().to_string_lossy()
                    )
                })
                .collect();
        assert_eq!(listed, on_disk);
        for e in &EXERCISES {
            let text = std::fs::read_to_string(workspace().join(e.file())).unwrap();
            assert!(
                text.contains(e.chapter),
                "{} does not name {}",
                e.file(),
                e.chapter
            );
            assert!(
                text.contains(&format!("cargo run -p nn-exercises -- {}", e.name)),
                "{} does not say how to check it",
                e.file()
            );
            assert!(
                workspace().join(e.chapter).is_file(),
                "{} is not a chapter",
                e.chapter
            );
        }
    }

    #[test]
    fn exercises_are_found_by_name_or_number() {
        assert_eq!(find("log_sum_exp").map(|e| e.number), Some(2));
        assert_eq!(find("3").map(|e| e.name), Some("softmax_temperature"));
        assert_eq!(find("03").map(|e| e.name), Some("softmax_temperature"));
        assert!(find("15").is_none());
        assert!(find("softmax").is_none());
        assert_eq!(
            EXERCISES[4].chapter_name(),
            "04-softmax-cross-entropy-gradient"
        );
    }
}
