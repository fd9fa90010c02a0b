//! Exercise 11 (`docs/06-sgd-and-learning-rate.md`): one SGD step with momentum and weight
//! decay, taken several times in a row, against [`Sgd::step`].

use nn_core::dense::Dense;
use nn_core::sgd::Sgd;
use nn_core::{Matrix, Mlp};

use super::{random_values, rng};
use crate::grade::{Case, Tolerance, Verdict, compare_values, grade};

/// Weights of order 1 after up to 5 steps. Each step rounds a handful of times (~1e-7), and
/// writing the same rule another way (`v ← μv + η·g`, then `θ ← θ - v`) differs by a few ulps
/// a step. Forgetting weight decay changes a weight by `η·λ·θ` ≥ 5e-4 a step, applying it
/// outside the velocity by more than 1e-4 by step 3, dropping momentum by `η·μ·v` ~ 1e-2.
const WEIGHTS: Tolerance = Tolerance {
    abs: 1e-6,
    rel: 1e-5,
};

/// A run of steps: the starting weights, one gradient per step, and the hyperparameters.
struct Steps {
    weights: Vec<f32>,
    grads: Vec<Vec<f32>>,
    learning_rate: f32,
    momentum: f32,
    weight_decay: f32,
}

fn steps(seed: u64, n: usize, count: usize, (lr, mu, wd): (f32, f32, f32)) -> Steps {
    let mut r = rng(seed);
    Steps {
        weights: random_values(&mut r, n, -1.0, 1.0),
        grads: (0..count)
            .map(|_| random_values(&mut r, n, -1.0, 1.0))
            .collect(),
        learning_rate: lr,
        momentum: mu,
        weight_decay: wd,
    }
}

/// The weights after every step, from nn-core's optimiser on a network of one layer whose
/// weights are `run.weights` (its bias stays 0 and is not compared: nn-core never decays a
/// bias, and the exercise has none).
fn reference(run: &Steps) -> Vec<Vec<f32>> {
    let n = run.weights.len();
    let layer = |w: &[f32]| Dense {
        weights: Matrix::from_vec(1, n, w.to_vec()),
        bias: vec![0.0; n],
    };
    let mut model = Mlp::from_layers(vec![layer(&run.weights)]).expect("one valid layer");
    let mut sgd = Sgd::new(run.learning_rate)
        .with_momentum(run.momentum)
        .with_weight_decay(run.weight_decay);
    run.grads
        .iter()
        .map(|g| {
            let grads = Mlp::from_layers(vec![layer(g)]).expect("one valid layer");
            sgd.step(&mut model, &grads);
            model.layers()[0].weights.as_slice().to_vec()
        })
        .collect()
}

/// Exercise 11: `sgd_step(weights, grads, velocity, lr, momentum, weight_decay)`, called once
/// per step with the same `velocity` (zeros at first), against [`Sgd::step`].
pub fn sgd_step(student: impl Fn(&mut [f32], &[f32], &mut [f32], f32, f32, f32)) -> Verdict {
    const PLAIN: &str = "with momentum 0 and weight decay 0, a step is θ ← θ - η·g";
    const MOMENTUM: &str = "v ← μ·v + g, then θ ← θ - η·v: v lives from one call to the next \
        (that is why it is passed in, starting at 0), so a step carries μ of the previous one";
    const DECAY: &str = "weight decay adds λ·θ to the gradient, g ← g + λ·θ, before anything \
        else: θ shrinks a little towards 0 at every step";
    const ALL: &str = "in order: g ← g + λ·θ; v ← μ·v + g; θ ← θ - η·v. The decay goes into v, \
        so momentum carries it too";
    let runs = [
        (steps(110, 6, 3, (0.1, 0.0, 0.0)), PLAIN),
        (steps(111, 6, 4, (0.1, 0.9, 0.0)), MOMENTUM),
        (steps(112, 5, 3, (0.5, 0.0, 0.01)), DECAY),
        (steps(113, 8, 5, (0.05, 0.9, 0.01)), ALL),
        (steps(114, 1, 1, (1.0, 0.5, 0.1)), ALL),
    ];
    let cases: Vec<Case<Steps>> = runs
        .into_iter()
        .map(|(run, hint)| {
            let describe = format!(
                "{} steps on {} weights, learning rate {}, momentum {}, weight decay {}",
                run.grads.len(),
                run.weights.len(),
                run.learning_rate,
                run.momentum,
                run.weight_decay
            );
            Case::new(run, describe, hint)
        })
        .collect();
    grade(
        &cases,
        |run| {
            let mut weights = run.weights.clone();
            let mut velocity = vec![0.0; weights.len()];
            run.grads
                .iter()
                .map(|g| {
                    student(
                        &mut weights,
                        g,
                        &mut velocity,
                        run.learning_rate,
                        run.momentum,
                        run.weight_decay,
                    );
                    weights.clone()
                })
                .collect::<Vec<Vec<f32>>>()
        },
        reference,
        |got, expected| {
            for (step, (got, expected)) in got.iter().zip(expected).enumerate() {
                let name = format!("after step {}, weights", step + 1);
                compare_values(&name, got, expected, WEIGHTS)?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions::sgd_momentum::sgd_step as correct;

    #[test]
    fn the_reference_solution_passes() {
        expect::pass(sgd_step(correct));
    }

    #[test]
    fn the_other_way_of_writing_momentum_passes() {
        // v ← μ·v + η·(g + λθ), θ ← θ - v: the same rule with η inside v.
        expect::pass(sgd_step(
            |w: &mut [f32], g: &[f32], v: &mut [f32], lr, mu, wd| {
                for i in 0..w.len() {
                    v[i] = mu * v[i] + lr * (g[i] + wd * w[i]);
                    w[i] -= v[i];
                }
            },
        ));
    }

    #[test]
    fn mistakes_are_caught() {
        let ascent = |w: &mut [f32], g: &[f32], v: &mut [f32], lr, mu, wd| {
            let minus: Vec<f32> = g.iter().map(|g| -g).collect();
            correct(w, &minus, v, lr, mu, wd)
        };
        expect::wrong(sgd_step(ascent), &["after step 1, weights[0]", "θ - η·g"]);
        let no_decay =
            |w: &mut [f32], g: &[f32], v: &mut [f32], lr, mu, _| correct(w, g, v, lr, mu, 0.0);
        expect::wrong(sgd_step(no_decay), &["weight decay 0.01", "adds λ·θ"]);
        // θ ← θ - η·(v + λθ): the decay kept out of the velocity.
        let decay_outside = |w: &mut [f32], g: &[f32], v: &mut [f32], lr, mu, wd| {
            for i in 0..w.len() {
                v[i] = mu * v[i] + g[i];
                w[i] -= lr * (v[i] + wd * w[i]);
            }
        };
        expect::wrong(
            sgd_step(decay_outside),
            &["momentum 0.9, weight decay 0.01", "momentum carries it"],
        );
        // A fresh velocity each call: momentum never builds up.
        let forgets_velocity = |w: &mut [f32], g: &[f32], _: &mut [f32], lr, mu, wd| {
            correct(w, g, &mut vec![0.0; w.len()], lr, mu, wd)
        };
        expect::wrong(
            sgd_step(forgets_velocity),
            &["after step 2", "lives from one call to the next"],
        );
        // v ← μ·v + η·g, then θ ← θ - η·v: the learning rate applied twice.
        let lr_twice = |w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, mu: f32, wd: f32| {
            for i in 0..w.len() {
                v[i] = mu * v[i] + lr * (g[i] + wd * w[i]);
                w[i] -= lr * v[i];
            }
        };
        expect::wrong(sgd_step(lr_twice), &["after step 1"]);
    }
}
