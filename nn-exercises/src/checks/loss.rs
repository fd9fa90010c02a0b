//! Exercises 4 and 5: the mean cross-entropy of a batch (`docs/03-cross-entropy.md`) and its
//! gradient with respect to the logits, `(p - y) / B`
//! (`docs/04-softmax-cross-entropy-gradient.md`), against `nn_core::loss`.

use nn_core::Matrix;
use nn_core::loss::{softmax_cross_entropy, softmax_cross_entropy_backward};

use super::{Batch, batch, random_labels, random_matrix, rng, show_matrix};
use crate::grade::{Case, Tolerance, Verdict, compare_matrix, compare_number, grade};

/// The mean loss. Relative 1e-5: each example's loss is exact to a few ulps when computed
/// stably, and summing up to 16 of them in f32 in any order adds ~1e-6 relatively. Absolute
/// 1e-5 covers losses near 0. Summing instead of averaging is off by a factor B, `log(p + ε)`
/// by hundreds at the extreme logits, the unshifted formula gives inf or NaN.
const LOSS: Tolerance = Tolerance {
    abs: 1e-5,
    rel: 1e-5,
};

/// `(p - y) / B` from given probabilities: one subtraction and one division (or a product
/// with 1/B), so at most 2 roundings, ~2.4e-7 relatively. Absolute 1e-9 for entries so small
/// that f32 keeps few digits of them. A missing 1/B is off by a factor B >= 4.
const GRADIENT: Tolerance = Tolerance {
    abs: 1e-9,
    rel: 1e-6,
};

const MEAN: &str = "the loss is the mean over the batch of -log p_y = log Σ_j exp(z_j) - z_y, \
    with y the row's label";
const UNDERFLOW: &str = "here p_y underflows to 0 and -log 0 is inf (an ε inside the log gives \
    a wrong finite number): compute -log p_y = log Σ_j exp(z_j - m) - (z_y - m) without \
    forming p_y";
const OVERFLOW: &str = "exp(1000) overflows to inf: shift every row by its largest logit m";

/// The cases of both exercises: random batches, a batch of one, extreme, equal and
/// single-class logits.
fn batches() -> Vec<Case<Batch>> {
    let mut r = rng(4);
    let random = random_matrix(&mut r, 4, 10, -5.0, 5.0);
    let labels = random_labels(&mut r, 4, 10);
    let larger = random_matrix(&mut r, 16, 3, -3.0, 3.0);
    let larger_labels = random_labels(&mut r, 16, 3);
    vec![
        batch(random, labels, MEAN),
        batch(larger, larger_labels, MEAN),
        batch(Matrix::from_rows(&[[1.0, 2.0, 3.0]]), vec![2], MEAN),
        batch(Matrix::from_rows(&[[1000.0, -1000.0]]), vec![1], UNDERFLOW),
        batch(
            Matrix::from_rows(&[[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]),
            vec![0, 2],
            OVERFLOW,
        ),
        batch(
            Matrix::from_rows(&[[1e30, -1e30], [-1e30, 1e30]]),
            vec![0, 0],
            UNDERFLOW,
        ),
        batch(
            Matrix::zeros(3, 5),
            vec![0, 4, 2],
            "equal logits are a uniform guess: the loss is log C for every row",
        ),
        batch(
            Matrix::from_rows(&[[3.0], [-2.0]]),
            vec![0, 0],
            "with a single class, p = 1 and the loss is 0",
        ),
    ]
}

/// Exercise 4: `cross_entropy(logits, labels) -> mean loss`, against
/// [`softmax_cross_entropy`], the loss the network trains with.
pub fn cross_entropy(student: impl Fn(&Matrix, &[usize]) -> f32) -> Verdict {
    grade(
        &batches(),
        |(logits, labels)| student(logits, labels),
        |(logits, labels)| softmax_cross_entropy(logits, labels, &mut Matrix::default()),
        |&got, &expected| compare_number("the loss", got, expected, LOSS),
    )
}

/// Exercise 5: `cross_entropy_gradient(probs, labels) -> dL/dz`, against
/// [`softmax_cross_entropy_backward`]. The student gets the probabilities nn-core computes
/// from each case's logits, as the backward pass does.
pub fn cross_entropy_gradient(student: impl Fn(&Matrix, &[usize]) -> Matrix) -> Verdict {
    const FUSED: &str = "dL/dz = (p - y) / B: subtract 1 at each row's label, and divide every \
        entry by the batch size B (the loss is a mean over B rows)";
    let cases: Vec<Case<Batch>> = batches()
        .into_iter()
        .map(|case| {
            let (logits, labels) = case.input;
            let mut probs = Matrix::default();
            softmax_cross_entropy(&logits, &labels, &mut probs);
            let describe = format!(
                "probs: the softmax of logits {}, labels: {labels:?}",
                show_matrix(&logits)
            );
            Case::new((probs, labels), describe, FUSED)
        })
        .collect();
    grade(
        &cases,
        |(probs, labels)| student(probs, labels),
        |(probs, labels)| {
            let mut d = Matrix::default();
            softmax_cross_entropy_backward(probs, labels, &mut d);
            d
        },
        |got, expected| compare_matrix("dz", got, expected, GRADIENT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions;

    #[test]
    fn the_reference_solutions_pass() {
        expect::pass(cross_entropy(solutions::cross_entropy::cross_entropy));
        expect::pass(cross_entropy_gradient(
            solutions::cross_entropy_gradient::cross_entropy_gradient,
        ));
    }

    fn softmax_row(z: &[f32]) -> Vec<f32> {
        solutions::stable_softmax::softmax(z)
    }

    #[test]
    fn cross_entropy_mistakes_are_caught() {
        // -log of the stable softmax's probability: fine until p_y underflows.
        let log_of_softmax = |z: &Matrix, labels: &[usize]| {
            let total: f32 = (0..z.rows())
                .map(|r| -softmax_row(z.row(r))[labels[r]].ln())
                .sum();
            total / z.rows() as f32
        };
        expect::wrong(
            cross_entropy(log_of_softmax),
            &[
                "[[1000, -1000]]",
                "the loss is inf, expected 2000",
                "underflows",
            ],
        );
        // The same with an ε inside the log: finite, and wrong.
        let epsilon = |z: &Matrix, labels: &[usize]| {
            let total: f32 = (0..z.rows())
                .map(|r| -(softmax_row(z.row(r))[labels[r]] + 1e-12).ln())
                .sum();
            total / z.rows() as f32
        };
        expect::wrong(
            cross_entropy(epsilon),
            &["the loss is 27.63", "expected 2000", "ε"],
        );
        let summed = |z: &Matrix, labels: &[usize]| {
            solutions::cross_entropy::cross_entropy(z, labels) * z.rows() as f32
        };
        expect::wrong(cross_entropy(summed), &["4x10", "mean over the batch"]);
        let positive_log =
            |z: &Matrix, labels: &[usize]| -solutions::cross_entropy::cross_entropy(z, labels);
        expect::wrong(cross_entropy(positive_log), &["the loss is -"]);
    }

    #[test]
    fn gradient_mistakes_are_caught() {
        let without_one_over_b = |p: &Matrix, labels: &[usize]| {
            let mut d = p.clone();
            for (r, &y) in labels.iter().enumerate() {
                d.set(r, y, d.get(r, y) - 1.0);
            }
            d
        };
        expect::wrong(
            cross_entropy_gradient(without_one_over_b),
            &["dz[0][0]", "divide every entry by the batch size B"],
        );
        let y_minus_p = |p: &Matrix, labels: &[usize]| {
            let mut d = solutions::cross_entropy_gradient::cross_entropy_gradient(p, labels);
            d.as_mut_slice().iter_mut().for_each(|v| *v = -*v);
            d
        };
        expect::wrong(cross_entropy_gradient(y_minus_p), &["dz[0][0]"]);
        let just_p = |p: &Matrix, _: &[usize]| p.clone();
        expect::wrong(cross_entropy_gradient(just_p), &["dz[0]"]);
        let transposed = |p: &Matrix, labels: &[usize]| {
            expect::transpose(&solutions::cross_entropy_gradient::cross_entropy_gradient(
                p, labels,
            ))
        };
        expect::wrong(
            cross_entropy_gradient(transposed),
            &["dz is 10x4, expected 4x10"],
        );
    }
}
