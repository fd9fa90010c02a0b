//! Exercise 10 (`docs/05-dense-and-relu.md`, "The gradient check"): the central difference of
//! a function, compared with gradients known exactly: those of a cubic, and nn-core's backward
//! pass of the cross-entropy ([`softmax_cross_entropy_backward`]).

use nn_core::Matrix;
use nn_core::loss::{softmax_cross_entropy, softmax_cross_entropy_backward};

use super::{random_labels, random_matrix, rng};
use crate::grade::{Case, Tolerance, Verdict, compare_values, grade, show_values};

/// With `h = 1e-3` the central difference is off by about `h²·f'''/6`: exactly `h²` = 1e-6 for
/// a cubic, below 1e-7 for the cross-entropy; its f64 rounding (~1e-16 / h) is negligible, and
/// nn-core's f32 gradient carries ~1e-7. Absolute 1e-5 leaves a margin of 10 over all of
/// these. The one-sided difference is off by about `h·f''/2`: 3e-3 and more on the cubic, over
/// 4e-5 on the cross-entropy; dividing by `h` instead of `2h` doubles everything.
const DERIVATIVE: Tolerance = Tolerance {
    abs: 1e-5,
    rel: 1e-5,
};

const H: f64 = 1e-3;

/// A real function of a vector, as the exercise receives it.
type Function = Box<dyn Fn(&[f64]) -> f64>;

/// A function, the point to differentiate it at, and its gradient there.
struct Problem {
    f: Function,
    x: Vec<f64>,
    /// The exact gradient at `x`, computed once, before the student's code runs.
    gradient: Vec<f64>,
}

const CENTRAL: &str = "g_i = (f(x + h·e_i) - f(x - h·e_i)) / (2h): move one coordinate at a \
    time, both ways, and put it back before the next. A one-sided difference is off by about \
    h·f''/2";

fn cubic(x: Vec<f64>) -> Case<Problem> {
    let describe = format!(
        "f(x) = Σ x_i³ at x = {}, h = {H} (the exact gradient is 3·x_i²)",
        show_values(&x)
    );
    let gradient = x.iter().map(|x| 3.0 * x * x).collect();
    let f = Box::new(|x: &[f64]| x.iter().map(|x| x * x * x).sum());
    Case::new(Problem { f, x, gradient }, describe, CENTRAL)
}

/// The mean cross-entropy of a batch of logits, flattened row by row into `x`, in f64 and
/// written from the definition: an implementation independent of the one whose gradient it
/// checks.
fn cross_entropy_f64(cols: usize, labels: &[usize], x: &[f64]) -> f64 {
    let total: f64 = x
        .chunks(cols)
        .zip(labels)
        .map(|(z, &y)| {
            let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            m + z.iter().map(|z| (z - m).exp()).sum::<f64>().ln() - z[y]
        })
        .sum();
    total / labels.len() as f64
}

fn cross_entropy(seed: u64, rows: usize, cols: usize) -> Case<Problem> {
    let mut r = rng(seed);
    let logits = random_matrix(&mut r, rows, cols, -2.0, 2.0);
    let labels = random_labels(&mut r, rows, cols);
    let mut probs = Matrix::default();
    softmax_cross_entropy(&logits, &labels, &mut probs);
    let mut d = Matrix::default();
    softmax_cross_entropy_backward(&probs, &labels, &mut d);
    let describe = format!(
        "f(x) = the mean cross-entropy of a {rows}x{cols} batch of logits x, labels {labels:?}, \
         h = {H} (the exact gradient is nn-core's (p - y) / B)"
    );
    let x = logits.as_slice().iter().map(|&v| f64::from(v)).collect();
    let gradient = d.as_slice().iter().map(|&v| f64::from(v)).collect();
    let f = Box::new(move |x: &[f64]| cross_entropy_f64(cols, &labels, x));
    Case::new(Problem { f, x, gradient }, describe, CENTRAL)
}

/// Exercise 10: `numerical_gradient(f, x, h) -> g`, against the exact gradients.
pub fn numerical_gradient(
    student: impl Fn(&dyn Fn(&[f64]) -> f64, &[f64], f64) -> Vec<f64>,
) -> Verdict {
    let cases = vec![
        cubic(vec![1.0, -2.0, 0.5]),
        cross_entropy(10, 2, 4),
        cross_entropy(11, 1, 3),
        cubic(vec![2.0]),
    ];
    grade(
        &cases,
        |problem| student(&problem.f, &problem.x, H),
        |problem| problem.gradient.clone(),
        |got, expected| compare_values("g", got, expected, DERIVATIVE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions;

    #[test]
    fn the_reference_solution_passes() {
        expect::pass(numerical_gradient(
            solutions::gradient_check::numerical_gradient,
        ));
    }

    #[test]
    fn the_f64_loss_agrees_with_nn_core() {
        let logits = Matrix::from_rows(&[[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]]);
        let x: Vec<f64> = logits.as_slice().iter().map(|&v| f64::from(v)).collect();
        let f32_loss = softmax_cross_entropy(&logits, &[2, 0], &mut Matrix::default());
        let f64_loss = cross_entropy_f64(3, &[2, 0], &x);
        assert!(
            (f64_loss - f64::from(f32_loss)).abs() < 1e-6,
            "{f64_loss} vs {f32_loss}"
        );
    }

    fn one_sided(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<f64> {
        let fx = f(x);
        let mut x = x.to_vec();
        (0..x.len())
            .map(|i| {
                x[i] += h;
                let g = (f(&x) - fx) / h;
                x[i] -= h;
                g
            })
            .collect()
    }

    #[test]
    fn mistakes_are_caught() {
        expect::wrong(
            numerical_gradient(one_sided),
            &["Σ x_i³ at x = [1, -2, 0.5]", "g[0] is 3.003", "one-sided"],
        );
        // One-sided on the 2x4 cross-entropy alone: its smaller error is caught too.
        let one_sided_on_loss = |f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64| {
            if x.len() == 8 {
                one_sided(f, x, h)
            } else {
                solutions::gradient_check::numerical_gradient(f, x, h)
            }
        };
        expect::wrong(numerical_gradient(one_sided_on_loss), &["2x4 batch"]);
        let over_h = |f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64| {
            let g = solutions::gradient_check::numerical_gradient(f, x, h);
            g.iter().map(|g| 2.0 * g).collect()
        };
        expect::wrong(numerical_gradient(over_h), &["g[0] is 6"]);
        // Forgets to put each coordinate back: every later derivative is taken elsewhere.
        let never_restores = |f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64| {
            let mut x = x.to_vec();
            (0..x.len())
                .map(|i| {
                    x[i] += h;
                    let up = f(&x);
                    x[i] -= 2.0 * h;
                    (up - f(&x)) / (2.0 * h)
                })
                .collect::<Vec<f64>>()
        };
        // Harmless on the cubic, whose terms do not mix; on the loss they do.
        expect::wrong(
            numerical_gradient(never_restores),
            &["cross-entropy", "put it back"],
        );
    }
}
