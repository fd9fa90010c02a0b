//! Exercises 1 to 3 (`docs/02-softmax.md`): stable softmax, log-sum-exp and softmax with a
//! temperature, against `nn_core::softmax`.

use nn_core::softmax;

use super::{random_values, rng};
use crate::grade::{Case, Tolerance, Verdict, compare_number, compare_values, grade, show_values};

/// Probabilities. Relative 1e-4: a correct f32 softmax rounds each `exp` once and sums at most
/// a dozen terms (errors of ~1e-6), and `exp(z - log_sum_exp(z))`, also correct, inherits the
/// rounding of a log-sum-exp near 1000 (ulp 6e-5, so ~3e-5 relatively). Absolute 1e-9:
/// smaller probabilities lie where f32 runs out of digits (below 1.2e-38 it keeps only a few),
/// and nothing depends on them. The mistakes give NaN, infinities or errors of 10% and more.
const PROBABILITY: Tolerance = Tolerance {
    abs: 1e-9,
    rel: 1e-4,
};

/// Log-sum-exp. Relative 1e-6 is 16 ulps of an f32 answer; absolute 1e-5 covers answers near
/// 0 (`log(Σ e^z) = 0` up to the rounding of each term). Forgetting `+ m` is off by `m`.
const LOG_SUM_EXP: Tolerance = Tolerance {
    abs: 1e-5,
    rel: 1e-6,
};

const FORMULA: &str = "p_i = exp(z_i - m) / Σ_j exp(z_j - m) with m the largest logit: \
    every p_i is positive and they sum to 1";
const OVERFLOW: &str = "exp(1000) overflows f32 to inf (f32 stops near 3.4e38, exp(88.7)), \
    and inf / inf is NaN: subtract the largest logit m before exp, which changes no \
    probability";
const UNDERFLOW: &str = "exp(-1000) is 0 in f32, and 0 / 0 is NaN: m must be the largest \
    logit itself (here -1000), not 0";
const MAX_ANYWHERE: &str = "m is the largest logit wherever it stands, not the first one";
const HUGE: &str = "at 1e30 only the differences to m matter: exp(0) = 1 for the largest \
    logits and exp(-huge) = 0 for the others";
const EQUAL: &str = "equal logits mean equally likely classes, however large they are: 1/C \
    each. exp(z - log_sum_exp(z)) fails here: 1e30 + log 2 rounds to 1e30";
const ONE_CLASS: &str = "a single class gets probability 1";

/// The edge cases of chapter 2, shared by softmax and log-sum-exp. `formula` is the hint of
/// the ordinary cases; `equal` and `one_class` those of equal logits and of a single one.
fn logit_cases(
    formula: &'static str,
    equal: &'static str,
    one_class: &'static str,
) -> Vec<Case<Vec<f32>>> {
    let random = random_values(&mut rng(1), 10, -10.0, 10.0);
    let fixed: [(Vec<f32>, &'static str); 8] = [
        (vec![1000.0, 1001.0, 1002.0], OVERFLOW),
        (vec![-1000.0, -1001.0, -1002.0], UNDERFLOW),
        (vec![-1000.0, 0.0, 1000.0], MAX_ANYWHERE),
        (vec![1e30, -1e30, 0.0], HUGE),
        (vec![-1e30, 3.0, -1e30], HUGE),
        (vec![5.0; 4], equal),
        (vec![1e30, 1e30], equal),
        (vec![42.0], one_class),
    ];
    let mut cases = vec![
        Case::new(
            vec![1.0, 2.0, 3.0],
            "logits: [1, 2, 3] (chapter 2's worked example)",
            formula,
        ),
        Case::new(
            random.clone(),
            format!("logits: {}", show_values(&random)),
            formula,
        ),
    ];
    for (logits, hint) in fixed {
        let describe = format!("logits: {}", show_values(&logits));
        cases.push(Case::new(logits, describe, hint));
    }
    cases
}

/// Exercise 1: `softmax(logits) -> probabilities`, against [`softmax::softmax`].
pub fn stable_softmax(student: impl Fn(&[f32]) -> Vec<f32>) -> Verdict {
    grade(
        &logit_cases(FORMULA, EQUAL, ONE_CLASS),
        |logits| student(logits),
        |logits| {
            let mut p = vec![0.0; logits.len()];
            softmax::softmax(logits, &mut p);
            p
        },
        |got, expected| compare_values("p", got, expected, PROBABILITY),
    )
}

/// Exercise 2: `log_sum_exp(logits)`, against [`softmax::log_sum_exp`].
pub fn log_sum_exp(student: impl Fn(&[f32]) -> f32) -> Verdict {
    let cases = logit_cases(
        "log Σ_j exp(z_j) = m + log Σ_j exp(z_j - m), with m the largest logit",
        "C equal logits z give log(C·exp(z)) = z + log C, however large z is",
        "for a single logit z, log(exp(z)) = z",
    );
    grade(
        &cases,
        |logits| student(logits),
        |logits| softmax::log_sum_exp(logits),
        |&got, &expected| compare_number("log_sum_exp", got, expected, LOG_SUM_EXP),
    )
}

/// Exercise 3: `softmax_with_temperature(logits, temperature)`, against
/// [`softmax::softmax_with_temperature`].
pub fn softmax_temperature(student: impl Fn(&[f32], f32) -> Vec<f32>) -> Verdict {
    const DIVIDE: &str = "p = softmax(z / T): divide every logit by T before exp; T < 1 \
        sharpens the distribution, T > 1 flattens it";
    const SMALL_T: &str = "dividing by a small T makes logits large (here 1000 and more): \
        shift by the largest one before exp, as in exercise 1";
    let random = random_values(&mut rng(3), 8, -10.0, 10.0);
    let fixed: [(Vec<f32>, f32, &'static str); 8] = [
        (vec![1.0, 2.0, 3.0], 1.0, "T = 1 is plain softmax"),
        (vec![1.0, 2.0, 3.0], 0.5, DIVIDE),
        (vec![1.0, 2.0, 3.0], 4.0, DIVIDE),
        (random, 0.25, DIVIDE),
        (vec![100.0, 101.0, 102.0], 0.1, SMALL_T),
        (vec![1000.0, -1000.0, 0.0], 10.0, SMALL_T),
        (
            vec![3.0; 3],
            0.01,
            "equal logits stay equally likely at any temperature",
        ),
        (
            vec![7.0],
            2.0,
            "a single class gets probability 1 at any temperature",
        ),
    ];
    let cases: Vec<Case<(Vec<f32>, f32)>> = fixed
        .into_iter()
        .map(|(logits, t, hint)| {
            let describe = format!("logits: {}, temperature: {t}", show_values(&logits));
            Case::new((logits, t), describe, hint)
        })
        .collect();
    grade(
        &cases,
        |(logits, t)| student(logits, *t),
        |(logits, t)| {
            let mut p = vec![0.0; logits.len()];
            softmax::softmax_with_temperature(logits, *t, &mut p);
            p
        },
        |got, expected| compare_values("p", got, expected, PROBABILITY),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions;

    #[test]
    fn the_reference_solutions_pass() {
        expect::pass(stable_softmax(solutions::stable_softmax::softmax));
        expect::pass(log_sum_exp(solutions::log_sum_exp::log_sum_exp));
        expect::pass(softmax_temperature(
            solutions::softmax_temperature::softmax_with_temperature,
        ));
    }

    /// The textbook formula: exp of the raw logits.
    fn softmax_without_the_shift(z: &[f32]) -> Vec<f32> {
        let sum: f32 = z.iter().map(|z| z.exp()).sum();
        z.iter().map(|z| z.exp() / sum).collect()
    }

    /// `m` starts at 0 instead of the first logit: fine unless every logit is very negative.
    fn softmax_with_max_from_zero(z: &[f32]) -> Vec<f32> {
        let m = z.iter().copied().fold(0.0, f32::max);
        let sum: f32 = z.iter().map(|z| (z - m).exp()).sum();
        z.iter().map(|z| (z - m).exp() / sum).collect()
    }

    /// Shifts by the first logit rather than the largest.
    fn softmax_shifted_by_the_first(z: &[f32]) -> Vec<f32> {
        let m = z[0];
        let sum: f32 = z.iter().map(|z| (z - m).exp()).sum();
        z.iter().map(|z| (z - m).exp() / sum).collect()
    }

    /// exp(z - log_sum_exp(z)): right in exact arithmetic, loses ties at 1e30.
    fn softmax_through_log_sum_exp(z: &[f32]) -> Vec<f32> {
        let lse = solutions::log_sum_exp::log_sum_exp(z);
        z.iter().map(|z| (z - lse).exp()).collect()
    }

    #[test]
    fn softmax_mistakes_are_caught_with_their_hint() {
        expect::wrong(
            stable_softmax(softmax_without_the_shift),
            &["logits: [1000, 1001, 1002]", "p[0] is NaN", "overflows"],
        );
        expect::wrong(
            stable_softmax(softmax_with_max_from_zero),
            &["logits: [-1000, -1001, -1002]", "is NaN", "not 0"],
        );
        expect::wrong(
            stable_softmax(softmax_shifted_by_the_first),
            &["logits: [-1000, 0, 1000]", "wherever it stands"],
        );
        expect::wrong(
            stable_softmax(softmax_through_log_sum_exp),
            &[
                "logits: [1e30, 1e30]",
                "p[0] is 1, expected 0.5",
                "rounds to 1e30",
            ],
        );
        expect::wrong(
            stable_softmax(|z| vec![1.0; z.len()]),
            &["logits: [1, 2, 3]"],
        );
        expect::wrong(
            stable_softmax(|z| z[..z.len() - 1].to_vec()),
            &["p has 2 values, expected 3"],
        );
    }

    #[test]
    fn log_sum_exp_mistakes_are_caught() {
        let naive = |z: &[f32]| z.iter().map(|z| z.exp()).sum::<f32>().ln();
        expect::wrong(log_sum_exp(naive), &["[1000, 1001, 1002]", "is inf"]);
        let forgets_m = |z: &[f32]| {
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            z.iter().map(|z| (z - m).exp()).sum::<f32>().ln()
        };
        expect::wrong(log_sum_exp(forgets_m), &["logits: [1, 2, 3]", "m +"]);
        let log10 = |z: &[f32]| {
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            m + z.iter().map(|z| (z - m).exp()).sum::<f32>().log10()
        };
        expect::wrong(log_sum_exp(log10), &["logits: [1, 2, 3]"]);
    }

    #[test]
    fn temperature_mistakes_are_caught() {
        let multiplies = |z: &[f32], t: f32| {
            let scaled: Vec<f32> = z.iter().map(|z| z * t).collect();
            solutions::stable_softmax::softmax(&scaled)
        };
        expect::wrong(
            softmax_temperature(multiplies),
            &["temperature: 0.5", "divide every logit by T"],
        );
        let unshifted = |z: &[f32], t: f32| {
            let scaled: Vec<f32> = z.iter().map(|z| z / t).collect();
            softmax_without_the_shift(&scaled)
        };
        expect::wrong(
            softmax_temperature(unshifted),
            &["[100, 101, 102], temperature: 0.1", "is NaN", "small T"],
        );
        let ignores_t = |z: &[f32], _: f32| solutions::stable_softmax::softmax(z);
        expect::wrong(softmax_temperature(ignores_t), &["temperature: 0.5"]);
    }

    #[test]
    fn dividing_first_then_shifting_is_accepted() {
        // softmax(z / T) computed literally, with the stable softmax: a correct answer.
        let divide_then_softmax = |z: &[f32], t: f32| {
            let scaled: Vec<f32> = z.iter().map(|z| z / t).collect();
            solutions::stable_softmax::softmax(&scaled)
        };
        expect::pass(softmax_temperature(divide_then_softmax));
    }
}
